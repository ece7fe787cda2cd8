"""`flask oidc rotate-keys`: a new signing key now (the old one stays published until its tokens expired)."""
import click
from flask.cli import AppGroup

from app.extensions import db
from app.oidc import keys

oidc_cli = AppGroup("oidc", help="OpenID Connect provider")


@oidc_cli.command("rotate-keys")
@click.option("--drop-old-now", is_flag=True, help="unpublish the old keys at once (after a compromise)")
def rotate_keys(drop_old_now: bool) -> None:
    row = keys.rotate_keys(drop_old_now=drop_old_now)
    db.session.commit()
    click.echo(f"signing key {row.kid}")
