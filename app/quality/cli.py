"""`flask quality stalls` and `flask quality escalate`: the periodic jobs, by hand."""
import click
from flask.cli import AppGroup

from app.extensions import db
from app.quality import complaints, stalls
from app.quality.settings import settings

quality_cli = AppGroup("quality", help="Service quality: stall detector, complaint escalation")


@quality_cli.command("stalls")
def stalls_command():
    """Flag stalled dossiers and notify the officer, then the leader (the periodic job)."""
    sent = stalls.scan_stalls(settings())
    db.session.commit()
    click.echo(f"stall notices sent: {sent}")


@quality_cli.command("escalate")
def escalate_command():
    """Escalate overdue complaints to the agency's leaders, then the province's (the periodic job)."""
    sent = complaints.escalate_overdue(settings())
    db.session.commit()
    click.echo(f"complaints escalated: {sent}")
