"""`flask dashboard refresh` and `flask dashboard rebuild`."""
import time

import click
from flask.cli import AppGroup

from app.extensions import db

dashboard_cli = AppGroup("dashboard", help="Operations-centre figures")


@dashboard_cli.command("refresh")
def refresh_command():
    """Recount the registry's adults and data quality per commune (the hourly job)."""
    from app.dashboard.registry_figures import refresh_registry_figures

    started = time.perf_counter()
    records = refresh_registry_figures()
    db.session.commit()
    click.echo(f"registry figures: {records} records checked in {time.perf_counter() - started:.1f}s")


@dashboard_cli.command("rebuild")
def rebuild_command():
    """Recount every live counter from the domain tables (backfill or repair; run it quietly)."""
    from app.dashboard import tracking
    from app.dashboard.projections import rebuild_assistance

    for projection in tracking.registered():
        started = time.perf_counter()
        rows = tracking.rebuild(projection, db.session)
        db.session.commit()
        click.echo(f"{projection.model.__tablename__}: {rows} counter rows in "
                   f"{time.perf_counter() - started:.1f}s")
    rows = rebuild_assistance(db.session)
    db.session.commit()
    click.echo(f"assistance_figures: {rows} counter rows")
