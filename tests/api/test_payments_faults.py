"""Each fault of the mock gateways, injected end to end: the money stays right."""
import time_machine
from sqlalchemy import func, select

from app.dossiers.models import FEE_PAID, FEE_UNPAID, Dossier
from app.extensions import db
from app.payments.models import Receipt
from app.payments.reconciliation import expire_stale_payments, reconcile_pending_payments
from tests.payments_fixtures import after, events_of, outbox, payment_row


def answers(hub, gateway, payment) -> list[list[str]]:
    """What the merchant answered to each IPN delivery of this payment, attempt by attempt."""
    return [d["answers"] for d in hub.store.deliveries(gateway, payment_row(payment["id"]).txn_ref)]


def receipts() -> int:
    return db.session.scalar(select(func.count()).select_from(Receipt))


def fee_status(dossier) -> str:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id).fee_status


def test_duplicate_ipn_settles_once_and_is_answered_already_confirmed(pay, dossier, citizen, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment, faults=["duplicate_ipn"])
    assert pay.deliver()["delivered"] == 2
    assert answers(hub, "vnpay", payment) == [["HTTP 200 RspCode 00"], ["HTTP 200 RspCode 02"]]
    assert payment_row(payment["id"]).status == "succeeded"
    assert receipts() == 1 and outbox(citizen.id, "payment_succeeded") == 1
    assert events_of(payment["id"]).count("settled") == 1
    assert "notification_repeated" in events_of(payment["id"])


def test_momo_duplicate_ipn_is_answered_204_twice_and_settles_once(pay, dossier, citizen, hub, network):
    payment = pay.started(dossier.id, "momo")
    pay.at_gateway(payment, faults=["duplicate_ipn"])
    assert pay.deliver()["delivered"] == 2
    assert answers(hub, "momo", payment) == [["HTTP 204"], ["HTTP 204"]]
    assert receipts() == 1 and outbox(citizen.id, "payment_succeeded") == 1


def test_ipn_before_the_redirect_means_the_return_page_already_shows_paid(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    at_gateway = pay.at_gateway(payment, faults=["ipn_before_redirect"])
    assert at_gateway["deliveries"][0]["done"] is True            # delivered before the redirect answer
    returned = pay.back(at_gateway).get_json()
    assert returned["status"] == "succeeded" and returned["gateway_outcome"] == "succeeded"
    assert pay.deliver() == {"delivered": 0, "retrying": 0, "gave_up": 0}
    assert fee_status(dossier) == FEE_PAID


def test_a_late_ipn_finds_the_payment_settled_by_reconciliation(pay, dossier, citizen, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.back(pay.at_gateway(payment, faults=["late_ipn"]))
    assert pay.deliver()["delivered"] == 0
    assert payment_row(payment["id"]).status == "pending"
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"settled": 1}
    assert payment_row(payment["id"]).status == "succeeded"
    with time_machine.travel(after(11), tick=False):
        assert pay.deliver()["delivered"] == 1
    assert answers(hub, "vnpay", payment) == [["HTTP 200 RspCode 02"]]
    assert receipts() == 1 and outbox(citizen.id, "payment_succeeded") == 1


def test_no_ipn_at_all_reconciliation_settles_the_payment(pay, dossier, citizen, network):
    payment = pay.started(dossier.id, "paygov")
    pay.at_gateway(payment, faults=["no_ipn"])
    assert pay.deliver()["delivered"] == 0
    with time_machine.travel(after(4), tick=False):
        assert reconcile_pending_payments() == {}                  # too young to ask about
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"settled": 1}
    row = payment_row(payment["id"])
    assert row.status == "succeeded" and row.gateway_transaction_no
    assert "settled" in events_of(payment["id"])
    assert fee_status(dossier) == FEE_PAID and receipts() == 1
    assert outbox(citizen.id, "payment_succeeded") == 1
    assert network.count("/paygov/merchant_webapi/api/transaction") == 1


def test_momo_no_ipn_is_settled_through_the_query_api(pay, dossier, network):
    payment = pay.started(dossier.id, "momo")
    pay.at_gateway(payment, faults=["no_ipn"])
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"settled": 1}
    assert network.count("/v2/gateway/api/query") == 1
    assert fee_status(dossier) == FEE_PAID


def test_an_ipn_with_a_wrong_amount_is_refused_with_04_and_never_settles(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment, faults=["wrong_amount"])
    assert pay.deliver() == {"delivered": 0, "retrying": 1, "gave_up": 0}
    assert answers(hub, "vnpay", payment) == [["HTTP 200 RspCode 04"]]
    assert payment_row(payment["id"]).status == "pending"
    assert "amount_mismatch" in events_of(payment["id"])
    assert fee_status(dossier) == FEE_UNPAID and receipts() == 0
    # the gateway's own record has the right amount: reconciliation settles with it
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"settled": 1}
    assert payment_row(payment["id"]).amount == 15_000 and fee_status(dossier) == FEE_PAID


def test_momo_wrong_amount_is_answered_400(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "momo")
    pay.at_gateway(payment, faults=["wrong_amount"])
    pay.deliver()
    assert answers(hub, "momo", payment) == [["HTTP 400"]]
    assert payment_row(payment["id"]).status == "pending"


def test_a_badly_signed_ipn_is_refused_with_97_retried_and_changes_nothing(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment, faults=["bad_signature"])
    assert pay.deliver()["retrying"] == 1
    with time_machine.travel(after(1.5), tick=False):
        assert pay.deliver()["retrying"] == 1                      # the gateway tries again, per its schedule
    assert answers(hub, "vnpay", payment) == [["HTTP 200 RspCode 97", "HTTP 200 RspCode 97"]]
    assert payment_row(payment["id"]).status == "pending" and fee_status(dossier) == FEE_UNPAID
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"settled": 1}


def test_momo_badly_signed_ipn_is_answered_400(pay, dossier, hub, network):
    payment = pay.started(dossier.id, "momo")
    pay.at_gateway(payment, faults=["bad_signature"])
    pay.deliver()
    assert answers(hub, "momo", payment) == [["HTTP 400"]]
    assert payment_row(payment["id"]).status == "pending"


def test_gateway_timeout_keeps_an_unconfirmed_payment_open_rather_than_guessing(pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment, faults=["gateway_timeout", "no_ipn"])
    with time_machine.travel(after(6), tick=False):
        assert reconcile_pending_payments() == {"unavailable": 1}
    with time_machine.travel(after(20), tick=False):
        assert expire_stale_payments() == {"unavailable": 1}     # paid or not? we cannot know: not expired
    assert payment_row(payment["id"]).status == "pending"
    assert events_of(payment["id"]).count("query_failed") == 2


def test_momo_create_timeout_answers_503_and_records_nothing(pay, dossier, client, network):
    client.post("/mock/momo/_control/faults", json={"next": True, "faults": ["gateway_timeout"]})
    response = pay.start(dossier.id, "momo")
    assert response.status_code == 503
    assert response.get_json()["code"] == "gateway_unavailable"
    from app.payments.models import Payment
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert pay.start(dossier.id, "momo").status_code == 201     # the next try goes through


def test_an_unreachable_momo_answers_503(pay, dossier, network):
    network.unreachable.add("/mock/momo")
    response = pay.start(dossier.id, "momo")
    assert response.status_code == 503 and response.get_json()["code"] == "gateway_unavailable"
