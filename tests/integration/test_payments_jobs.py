"""The periodic jobs are registered with the worker and runnable by hand (`flask payments ...`)."""
import time_machine

from app.common.clock import VIETNAM, utcnow
from app.payments.models import DailyStatement
from tests.payments_fixtures import make_dossier
from tests.payments_fixtures import after, payment_row


def test_payment_jobs_are_registered_with_the_worker():
    from app.common.jobs import load_scheduled_modules, periodic_jobs

    assert "app.payments.scheduled" in load_scheduled_modules()
    names = {job.name: job.every.total_seconds() for job in periodic_jobs()}
    assert names["payments.reconcile"] == 120 and names["payments.expire"] == 60
    assert names["payments.refunds"] == 60 and "payments.daily_statement" in names


def test_flask_payments_reconcile_settles_expires_and_refunds(app, pay, dossier, catalog, citizen, network):
    from tests.payments_fixtures import make_dossier

    paid_silently = pay.started(dossier.id, "vnpay")
    pay.at_gateway(paid_silently, faults=["no_ipn"])
    abandoned = pay.started(make_dossier(catalog["2.000488"], citizen).id, "momo")
    runner = app.test_cli_runner()
    with time_machine.travel(after(16), tick=False):
        result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "reconciled: {'settled': 1, 'expired': 1}" in result.output
    assert payment_row(paid_silently["id"]).status == "succeeded"
    assert payment_row(abandoned["id"]).status == "expired"


def test_flask_payments_statement_prints_and_stores_the_day(app, pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment)
    pay.deliver()
    today = utcnow().astimezone(VIETNAM).date().isoformat()
    result = app.test_cli_runner().invoke(args=["payments", "statement", "--day", today])
    assert result.exit_code == 0, result.output
    assert f"{today} vnpay   payments 1 = 15,000 VND, refunds 0 = 0 VND: matches the gateway" in result.output
    from app.extensions import db
    from sqlalchemy import select
    assert len(list(db.session.scalars(select(DailyStatement)))) == 3


def test_a_gateway_left_out_of_the_configuration_is_not_offered(app, pay, dossier, client, network):
    saved = app.config["PAYMENT_GATEWAYS"]
    app.config["PAYMENT_GATEWAYS"] = ("vnpay",)
    try:
        response = pay.start(dossier.id, "momo")
        assert response.status_code == 422 and response.get_json()["code"] == "unknown_gateway"
        ipn = client.post("/api/v1/payments/momo/ipn", json={"orderId": "x"})
        assert ipn.status_code == 404 and ipn.get_json()["code"] == "gateway_not_enabled"
    finally:
        app.config["PAYMENT_GATEWAYS"] = saved
