"""Refunds when a paid dossier is withdrawn or rejected; e-receipts (JSON, PDF, public check)."""
import pytest
import time_machine
from sqlalchemy import select

from app.common import events
from app.dossiers.models import FEE_PAID, FEE_REFUNDED, Dossier
from app.extensions import db
from app.payments.models import Refund
from app.payments.refunds import RETRY_DELAYS, execute_pending_refunds
from tests.payments_fixtures import after, events_of, outbox, payment_row


def paid(pay, dossier, gateway="vnpay") -> dict:
    payment = pay.started(dossier.id, gateway)
    pay.at_gateway(payment)
    pay.deliver()
    assert pay.status(payment["id"]) == "succeeded"
    return payment


def fee_status(dossier) -> str:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id).fee_status


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_a_withdrawn_paid_dossier_is_refunded_through_the_gateway(pay, dossier, citizen, hub, network, gateway):
    payment = paid(pay, dossier, gateway)
    response = pay.client.post(f"/api/v1/dossiers/{dossier.id}/transitions", json={"action": "withdraw"},
                               headers=pay.headers)
    assert response.status_code == 200, response.get_json()
    refund = payment_row(payment["id"]).refund
    assert refund.status == "requested" and refund.reason == "dossier_withdrawn" and refund.amount == 15_000
    assert not any("refund" in path for _m, path in network.calls)    # not inside the citizen's request

    assert execute_pending_refunds() == {"succeeded": 1, "retrying": 0, "failed": 0, "skipped": 0}
    row = payment_row(payment["id"])
    assert row.status == "refunded" and row.refund.status == "succeeded" and row.refund.completed_at
    assert row.receipt.status == "void"
    assert fee_status(dossier) == FEE_REFUNDED
    assert outbox(citizen.id, "payment_refunded") == 1
    assert hub.store.get(gateway, row.txn_ref)["refunded_amount"] == 15_000
    assert events_of(payment["id"])[-3:] == ["refund_requested", "refund_succeeded", "refunded"]
    body = pay.get(payment["id"]).get_json()
    assert body["status"] == "refunded" and body["refund"]["status"] == "succeeded"
    assert execute_pending_refunds()["succeeded"] == 0                 # nothing left to do


def test_a_rejected_dossier_event_records_the_refund_in_the_publishers_transaction(pay, dossier, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id, action="reject")
    assert payment_row(payment["id"]).refund.reason == "dossier_rejected"
    events.publish("dossier.rejected", dossier_id=dossier.id, action="reject")      # once only
    assert len(list(db.session.scalars(select(Refund)))) == 1


def test_a_dossier_without_a_settled_payment_needs_no_refund(pay, dossier, network):
    pay.started(dossier.id, "vnpay")
    events.publish("dossier.withdrawn", dossier_id=dossier.id)
    assert db.session.scalars(select(Refund)).first() is None


def test_vnpay_refund_request_is_signed_and_full(pay, dossier, hub, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id)
    captured = []
    original = network.__call__

    def spy(method, url, **kwargs):
        if url.endswith("/merchant_webapi/api/transaction"):
            captured.append(kwargs["json_body"])
        return original(method, url, **kwargs)

    hub_send, network_call = hub.send, spy
    from flask import current_app
    current_app.extensions["payments.http"] = network_call
    try:
        execute_pending_refunds()
    finally:
        current_app.extensions["payments.http"] = network
        hub.send = hub_send
    (body,) = captured
    assert body["vnp_Command"] == "refund" and body["vnp_TransactionType"] == "02"
    assert body["vnp_Amount"] == "1500000" and body["vnp_TxnRef"] == payment_row(payment["id"]).txn_ref
    assert body["vnp_TransactionNo"] == payment_row(payment["id"]).gateway_transaction_no
    assert len(body["vnp_SecureHash"]) == 128


def test_a_refund_the_gateway_cannot_answer_is_retried_with_the_same_request_id(pay, dossier, hub, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id)
    request_id = payment_row(payment["id"]).refund.gateway_request_id
    network.unreachable.add("/mock/vnpay/merchant_webapi")
    assert execute_pending_refunds()["retrying"] == 1
    refund = payment_row(payment["id"]).refund
    assert refund.attempts == 1 and refund.status == "requested" and refund.last_error
    assert execute_pending_refunds()["retrying"] == 0                  # not due yet
    network.unreachable.clear()
    with time_machine.travel(after(RETRY_DELAYS[0].total_seconds() / 60 + 0.1), tick=False):
        assert execute_pending_refunds()["succeeded"] == 1
    refund = payment_row(payment["id"]).refund
    assert refund.status == "succeeded" and refund.gateway_request_id == request_id and refund.attempts == 2


def test_a_refund_is_marked_failed_after_its_retries(pay, dossier, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id)
    network.unreachable.add("/mock/vnpay/merchant_webapi")
    minutes = 0.0
    for delay in RETRY_DELAYS:
        with time_machine.travel(after(minutes), tick=False):
            assert execute_pending_refunds()["retrying"] == 1
        minutes += delay.total_seconds() / 60 + 0.1
    with time_machine.travel(after(minutes), tick=False):
        assert execute_pending_refunds()["failed"] == 1
    row = payment_row(payment["id"])
    assert row.refund.status == "failed" and row.status == "succeeded" and "refund_failed" in events_of(row.id)


def test_a_refund_the_gateway_refuses_fails_at_once(pay, dossier, hub, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id)
    hub.store.update("vnpay", payment_row(payment["id"]).txn_ref, status="refunded")   # already refunded there
    assert execute_pending_refunds()["failed"] == 1
    assert payment_row(payment["id"]).refund.result_code == "95"


def test_a_duplicate_payment_is_refunded_but_the_dossier_stays_paid(client, pay, dossier, network):
    first = pay.started(dossier.id, "vnpay")
    second = pay.started(dossier.id, "momo")
    pay.at_gateway(first)
    pay.at_gateway(second)
    pay.deliver()
    assert execute_pending_refunds()["succeeded"] == 1
    assert payment_row(second["id"]).status == "refunded"
    assert payment_row(first["id"]).status == "succeeded"
    assert fee_status(dossier) == FEE_PAID


# --- receipts --------------------------------------------------------------------------------

def test_the_receipt_has_number_payer_procedure_amount_time_and_transaction(pay, dossier, citizen, network):
    payment = paid(pay, dossier)
    response = pay.client.get(f"/api/v1/payments/{payment['id']}/receipt", headers=pay.headers)
    assert response.status_code == 200
    receipt = response.get_json()
    assert receipt["number"].startswith("BL") and receipt["status"] == "valid"
    assert receipt["payer_name"] == citizen.full_name
    assert receipt["procedure_code"] == "1.004873"
    assert receipt["procedure_name"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert receipt["amount"] == 15_000 and receipt["gateway"] == "vnpay"
    assert receipt["gateway_transaction_no"] == payment_row(payment["id"]).gateway_transaction_no
    assert receipt["dossier_receipt_code"] == dossier.receipt_code
    assert receipt["verify_url"].endswith(f"/api/v1/payments/receipts/verify/{receipt['verification_code']}")


def test_the_receipt_downloads_as_a_pdf(pay, dossier, network):
    payment = paid(pay, dossier)
    response = pay.client.get(f"/api/v1/payments/{payment['id']}/receipt.pdf", headers=pay.headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in response.data                  # the embedded Unicode (Vietnamese) font
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_payment_not_yet_paid_has_no_receipt(pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    response = pay.client.get(f"/api/v1/payments/{payment['id']}/receipt", headers=pay.headers)
    assert response.status_code == 404 and response.get_json()["code"] == "receipt_not_issued"


def test_anyone_with_the_code_can_verify_a_receipt_and_sees_little(client, pay, dossier, citizen, network):
    payment = paid(pay, dossier)
    code = payment_row(payment["id"]).receipt.verification_code
    response = client.get(f"/api/v1/payments/receipts/verify/{code.lower()}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is True and body["amount"] == 15_000
    assert body["payer"] != citizen.full_name and body["payer"].endswith(citizen.full_name.split()[-1])
    assert client.get("/api/v1/payments/receipts/verify/NOTACODE").status_code == 404


def test_a_refunded_receipt_verifies_as_void(client, pay, dossier, network):
    payment = paid(pay, dossier)
    events.publish("dossier.rejected", dossier_id=dossier.id)
    execute_pending_refunds()
    code = payment_row(payment["id"]).receipt.verification_code
    body = client.get(f"/api/v1/payments/receipts/verify/{code}").get_json()
    assert body["valid"] is False and body["status"] == "void"
