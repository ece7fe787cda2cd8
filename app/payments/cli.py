"""`flask payments ...`: the reconciliation jobs by hand (the worker runs them periodically)."""
from datetime import date

import click
from flask.cli import AppGroup

from app.payments.reconciliation import daily_statement, expire_stale_payments, reconcile_pending_payments
from app.payments.refunds import execute_pending_refunds

payments_cli = AppGroup("payments", help="Payments: reconciliation, expiry, refunds, statements")


@payments_cli.command("reconcile")
def reconcile_command():
    """Ask the gateways about open payments: settle, close or expire them; then run due refunds."""
    click.echo(f"reconciled: {reconcile_pending_payments()}")
    click.echo(f"expired:    {expire_stale_payments()}")
    click.echo(f"refunds:    {execute_pending_refunds()}")


@payments_cli.command("refunds")
def refunds_command():
    """Call the gateways for refunds that are due."""
    click.echo(execute_pending_refunds())


@payments_cli.command("statement")
@click.option("--day", default=None, help="YYYY-MM-DD (default: yesterday in Vietnam)")
def statement_command(day):
    """Compute (or recompute) the daily statement per gateway, checked with the gateways."""
    for s in daily_statement(date.fromisoformat(day) if day else None):
        verdict = "matches the gateway" if s.checked_count == s.payments_count and not s.mismatches \
            else f"{len(s.mismatches)} mismatch(es)"
        click.echo(f"{s.day} {s.gateway:7} payments {s.payments_count} = {s.payments_total:,} VND, "
                   f"refunds {s.refunds_count} = {s.refunds_total:,} VND: {verdict}")
        for mismatch in s.mismatches:
            click.echo(f"    {mismatch}")
