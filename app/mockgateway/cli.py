"""`flask mockgateway run`: the mock gateways as their own process (same as `python -m app.mockgateway`)."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.mockgateway import create_mock_app

mockgateway_cli = AppGroup("mockgateway", help="The mock payment gateways")


@mockgateway_cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True)
def run_command(host, port):
    """Serve the mock VNPay, MoMo and PayGov gateways on their own port."""
    click.echo(f"mock gateways on http://{host}:{port}/mock (IPNs go to MOCK_VNPAY_IPN_URL, ipnUrl)")
    create_mock_app().run(host=host, port=port, threaded=True)


@mockgateway_cli.command("deliver")
def deliver_command():
    """Send the IPNs that are due now (the in-app mock)."""
    hub = current_app.extensions.get("mockgateway")
    if hub is None:
        raise click.ClickException("MOCK_GATEWAYS is off")
    click.echo(hub.deliver_due())
