"""`flask dashboard refresh`, `flask dashboard rebuild` and `flask dashboard compact`."""
import time

import click
from flask.cli import AppGroup

from app.dashboard.rebuild import SOURCES, rebuild, rebuild_assistance, rebuild_swapped
from app.dashboard.registry_figures import refresh_registry_figures
from app.dashboard.retention import compact
from app.extensions import db

dashboard_cli = AppGroup("dashboard", help="Operations-centre figures")


@dashboard_cli.command("refresh")
def refresh_command():
    """Recount the registry's adults and data quality per commune (the hourly job)."""
    started = time.perf_counter()
    records = refresh_registry_figures()
    db.session.commit()
    click.echo(f"registry figures: {records} records checked in {time.perf_counter() - started:.1f}s")


@dashboard_cli.command("rebuild")
def rebuild_command():
    """Recount every live counter from the domains' replays (backfill or repair; run it quietly)."""
    started = time.perf_counter()
    if db.session.connection().dialect.name == "postgresql":
        for name, rows in rebuild_swapped(db.session).items():
            click.echo(f"{name}: {rows} counter rows")
        db.session.commit()
    else:
        for source in SOURCES:
            click.echo(f"{source.name}: {rebuild(source, db.session)} counter rows")
            db.session.commit()
        click.echo(f"assistance_figures: {rebuild_assistance(db.session)} counter rows")
        db.session.commit()
    click.echo(f"recounted in {time.perf_counter() - started:.1f}s")
    _compact_and_report(None)   # the recount wrote day rows of every month again


@dashboard_cli.command("compact")
@click.option("--months", type=click.IntRange(min=0), default=None,
              help="Months whose day rows are kept, this one counting (default DASHBOARD_DAY_ROWS_MONTHS; 0: all)")
def compact_command(months):
    """Delete the day rows of older months (month rows stay; the weekly job does the same)."""
    _compact_and_report(months)


def _compact_and_report(months: int | None) -> None:
    started = time.perf_counter()
    result = compact(months)
    kept = result.day_rows_from.isoformat() if result.day_rows_from else "every day"
    click.echo(f"day rows kept from {kept}: {result.deleted} older day rows deleted in "
               f"{time.perf_counter() - started:.1f}s")
