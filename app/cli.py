"""Project commands: `flask seed`, `flask spec write`, `flask spec check`."""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import api
from app.identity.cli import eid_cli, staff_cli
from app.identity.token_keys_cli import token_keys_cli
from app.mockgateway.cli import mockgateway_cli
from app.notifications.cli import worker_cli
from app.payments.cli import payments_cli
from app.seed import seed_province

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def register_cli(app) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(spec_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(eid_cli)
    app.cli.add_command(token_keys_cli)  # generate a key, print the JWKS
    app.cli.add_command(worker_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(mockgateway_cli)


@click.command("seed")
@click.option("--province", default=None, help="Province code (default: DEMO_PROVINCE_CODE, 80 = Tây Ninh)")
@click.option("--citizens", default=2000, show_default=True, help="How many citizens to generate")
@click.option("--seed", "random_seed", default=2025, show_default=True, help="Random seed")
def seed_command(province, citizens, random_seed):
    """Seed a synthetic province (idempotent: a seeded province is left as it is)."""
    province = province or str(current_app.config["DEMO_PROVINCE_CODE"])

    def progress(done):
        if done % 100_000 == 0:
            click.echo(f"  {done} citizens...")

    report = seed_province(province, citizens, seed=random_seed, progress=progress)
    click.echo(f"province {province}: {report.citizens_inserted} citizens and "
               f"{report.agencies_inserted} agencies inserted in {report.seconds:.1f}s")
    for line in report.demo_lines:
        click.echo("  " + line)


spec_cli = AppGroup("spec", help="The OpenAPI document in openapi/openapi.json")


def spec_text() -> str:
    return json.dumps(api.spec.to_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@spec_cli.command("write")
def spec_write():
    """Write the OpenAPI document generated from the code."""
    SPEC_PATH.write_text(spec_text(), encoding="utf-8")
    click.echo(f"wrote {SPEC_PATH}")


@spec_cli.command("check")
def spec_check():
    """Fail when the committed OpenAPI document differs from the code's."""
    if not SPEC_PATH.exists() or SPEC_PATH.read_text(encoding="utf-8") != spec_text():
        raise click.ClickException("openapi/openapi.json is out of date: run `flask spec write`")
    click.echo("openapi/openapi.json is up to date")
