"""Reconciliation with the gateways: expiry, settling without IPN, the daily statement."""
import time_machine

from app.common.clock import VIETNAM, utcnow
from app.payments.reconciliation import (
    daily_statement, expire_stale_payments, reconcile_pending_payments, statements_of,
)
from app.payments.refunds import execute_pending_refunds
from app.common import events
from tests.factories import AccountFactory, bearer
from tests.payments_fixtures import after, events_of, make_dossier, outbox, payment_row


def test_a_payment_never_opened_expires_after_15_minutes(pay, dossier, citizen, network):
    payment = pay.started(dossier.id, "vnpay")
    with time_machine.travel(after(14), tick=False):
        assert expire_stale_payments() == {}
    with time_machine.travel(after(15.5), tick=False):
        assert expire_stale_payments() == {"expired": 1}
    row = payment_row(payment["id"])
    assert row.status == "expired" and row.closed_at is not None
    assert events_of(payment["id"])[-1] == "expired"
    assert outbox(citizen.id, "payment_succeeded") == 0


def test_a_payment_left_open_on_the_gateway_page_expires(pay, client, dossier, network):
    payment = pay.started(dossier.id, "momo")
    assert client.get(payment["redirect_url"].replace("http://127.0.0.1:8000", "")).status_code == 200
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"pending": 1}        # MoMo: 1000, waiting for the payer
    with time_machine.travel(after(16), tick=False):
        assert expire_stale_payments() == {"expired": 1}
    assert payment_row(payment["id"]).status == "expired"


def test_the_mock_refuses_to_take_money_after_the_payment_expired(pay, client, dossier, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    with time_machine.travel(after(16), tick=False):
        answer = pay.at_gateway(payment)
        assert answer["transaction"]["status"] == "expired"
        pay.deliver()
    assert payment_row(payment["id"]).status == "expired"           # the IPN said 11: payment expired


def test_a_payment_paid_but_not_notified_settles_instead_of_expiring(pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment, faults=["no_ipn"])
    with time_machine.travel(after(16), tick=False):
        assert expire_stale_payments() == {"settled": 1}
    assert payment_row(payment["id"]).status == "succeeded"


def test_reconciliation_asks_each_open_payment_at_most_once_a_minute(pay, dossier, network):
    pay.started(dossier.id, "vnpay")
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"pending": 1}
        assert reconcile_pending_payments() == {}
    with time_machine.travel(after(7.5), tick=False):
        assert reconcile_pending_payments() == {"pending": 1}


def test_a_cancel_found_by_reconciliation_closes_the_payment(pay, dossier, network):
    payment = pay.started(dossier.id, "paygov")
    pay.at_gateway(payment, action="cancel", faults=["no_ipn"])
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"failed": 1}        # VNPay-style querydr: status 02
    assert payment_row(payment["id"]).status == "failed"


def test_daily_statement_matches_the_gateways_own_records(pay, client, catalog, dossier, citizen, hub, network):
    paid = []
    for gateway in ("vnpay", "momo", "vnpay"):
        other = make_dossier(catalog["2.000488"], citizen)          # a 200,000 VND fee
        payment = pay.started(other.id, gateway)
        pay.at_gateway(payment)
        paid.append(payment)
    cancelled = pay.started(dossier.id, "vnpay")
    pay.at_gateway(cancelled, action="cancel")
    pay.deliver()
    events.publish("dossier.rejected", dossier_id=payment_row(paid[0]["id"]).dossier_id)
    execute_pending_refunds()

    today = utcnow().astimezone(VIETNAM).date()
    statements = {s.gateway: s for s in daily_statement(today)}
    assert (statements["vnpay"].payments_count, statements["vnpay"].payments_total) == (2, 400_000)
    assert (statements["vnpay"].refunds_count, statements["vnpay"].refunds_total) == (1, 200_000)
    assert (statements["momo"].payments_count, statements["momo"].payments_total) == (1, 200_000)
    assert (statements["paygov"].payments_count, statements["paygov"].payments_total) == (0, 0)
    for gateway, statement in statements.items():
        theirs = client.get(f"/mock/{gateway}/_control/statement", query_string={"date": today.isoformat()}).get_json()
        assert (statement.payments_count, statement.payments_total, statement.refunds_count,
                statement.refunds_total) == (theirs["payments_count"], theirs["payments_total"],
                                             theirs["refunds_count"], theirs["refunds_total"])
        assert statement.mismatches == [] and statement.checked_count == statement.payments_count

    admin = AccountFactory(role="admin", personal_id=None, level=2)
    response = client.get(f"/api/v1/payments/statements/{today.isoformat()}", headers=bearer(admin, level=2))
    assert response.status_code == 200
    assert {s["gateway"]: s["matches_gateway"] for s in response.get_json()} == {
        "vnpay": True, "momo": True, "paygov": True}
    assert client.get("/api/v1/payments/statements/2020-01-01", headers=bearer(admin, level=2)).status_code == 404
    assert client.get("/api/v1/payments/statements/yesterday", headers=bearer(admin, level=2)).status_code == 422
    assert client.get(f"/api/v1/payments/statements/{today}", headers=pay.headers).status_code == 403


def test_daily_statement_lists_what_the_gateway_does_not_confirm(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment)
    pay.deliver()
    hub.store.update("vnpay", payment_row(payment["id"]).txn_ref, amount=14_000)   # the gateway's books differ
    today = utcnow().astimezone(VIETNAM).date()
    vnpay = next(s for s in daily_statement(today) if s.gateway == "vnpay")
    assert vnpay.mismatches == [{"txn_ref": payment_row(payment["id"]).txn_ref, "problem": "amount",
                                 "ours": 15_000, "gateway": 14_000}]
    assert len(statements_of(today)) == 3
    daily_statement(today)                                          # recomputing replaces, never duplicates
    assert len(statements_of(today)) == 3
