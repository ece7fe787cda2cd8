"""The IPN endpoints: every answer code, in VNPay's order of checks; states only move forward."""
import uuid

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from app.dossiers.models import FEE_PAID, Dossier
from app.extensions import db
from app.mockgateway import protocol
from app.payments.models import Payment, Receipt, Refund
from app.payments.reconciliation import expire_stale_payments
from tests.payments_fixtures import after, events_of, outbox, payment_row


def vnpay_ipn(payment: dict, *, secret=None, gateway="vnpay", **changes) -> dict:
    """An IPN as VNPay sends it for `payment`, signed (with the merchant's secret by default)."""
    config = current_app.config
    tmn = config["VNPAY_TMN_CODE"] if gateway == "vnpay" else config["PAYGOV_MERCHANT_CODE"]
    params = {
        "vnp_Amount": str(payment["amount"] * 100), "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14422574",
        "vnp_CardType": "ATM", "vnp_OrderInfo": "Thanh toan le phi", "vnp_PayDate": "20251121100500",
        "vnp_ResponseCode": "00", "vnp_TmnCode": tmn, "vnp_TransactionNo": "14422574",
        "vnp_TransactionStatus": "00", "vnp_TxnRef": payment_row(payment["id"]).txn_ref, **changes,
    }
    default = config["VNPAY_HASH_SECRET"] if gateway == "vnpay" else config["PAYGOV_SECRET"]
    params["vnp_SecureHash"] = protocol.vnpay_sign(params, secret or default)
    return params


def momo_ipn(payment: dict, *, secret=None, **changes) -> dict:
    config = current_app.config
    body = {"partnerCode": config["MOMO_PARTNER_CODE"], "orderId": payment_row(payment["id"]).txn_ref,
            "requestId": str(uuid.uuid4()), "amount": payment["amount"], "orderInfo": "Thanh toán lệ phí",
            "orderType": "momo_wallet", "transId": 4088878653, "resultCode": 0, "message": "Successful.",
            "payType": "qr", "responseTime": 1721720663942, "extraData": "", **changes}
    body["signature"] = protocol.momo_sign(body, protocol.MOMO_RESULT, config["MOMO_ACCESS_KEY"],
                                           secret or config["MOMO_SECRET_KEY"])
    return body


def send_vnpay(client, params, gateway="vnpay"):
    response = client.get(f"/api/v1/payments/{gateway}/ipn", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def payment(pay, dossier, network):
    return pay.started(dossier.id, "vnpay")


def test_00_confirms_and_settles_in_one_transaction(client, payment, dossier, citizen):
    assert send_vnpay(client, vnpay_ipn(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    row = payment_row(payment["id"])
    assert row.status == "succeeded" and row.gateway_transaction_no == "14422574" and row.bank_code == "NCB"
    assert row.paid_at.isoformat() == "2025-11-21T03:05:00+00:00"            # 10:05 GMT+7
    assert db.session.get(Dossier, dossier.id).fee_status == FEE_PAID
    assert count(Receipt) == 1 and outbox(citizen.id, "payment_succeeded") == 1


def test_97_for_a_bad_checksum_changes_nothing(client, payment):
    assert send_vnpay(client, vnpay_ipn(payment, secret="wrong")) == {"RspCode": "97", "Message": "Invalid Checksum"}
    tampered = {**vnpay_ipn(payment), "vnp_Amount": "100"}
    assert send_vnpay(client, tampered)["RspCode"] == "97"
    assert send_vnpay(client, {})["RspCode"] == "97"
    assert payment_row(payment["id"]).status == "pending"


def test_01_for_an_unknown_order(client, payment):
    params = vnpay_ipn(payment, vnp_TxnRef="NOSUCHORDER")
    assert send_vnpay(client, params) == {"RspCode": "01", "Message": "Order not found"}


def test_01_for_an_order_of_another_gateway(client, pay, dossier, network):
    momo_payment = pay.started(dossier.id, "momo")
    assert send_vnpay(client, vnpay_ipn(momo_payment))["RspCode"] == "01"


def test_04_for_another_amount_is_checked_before_the_state(client, payment):
    params = vnpay_ipn(payment, vnp_Amount=str((payment["amount"] + 1000) * 100))
    assert send_vnpay(client, params) == {"RspCode": "04", "Message": "Invalid amount"}
    assert payment_row(payment["id"]).status == "pending"
    assert events_of(payment["id"])[-1] == "amount_mismatch"
    send_vnpay(client, vnpay_ipn(payment))
    assert send_vnpay(client, params)["RspCode"] == "04"       # checksum, order, amount, then state


def test_02_for_an_already_confirmed_order_is_the_idempotent_answer(client, payment, citizen):
    send_vnpay(client, vnpay_ipn(payment))
    assert send_vnpay(client, vnpay_ipn(payment)) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert count(Receipt) == 1 and outbox(citizen.id, "payment_succeeded") == 1


def test_99_when_the_change_cannot_be_written_so_the_gateway_retries(client, payment, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.payments import service

    def broken(*_args, **_kwargs):
        raise OperationalError("UPDATE payments", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "_apply_notification", broken)
    assert send_vnpay(client, vnpay_ipn(payment)) == {"RspCode": "99", "Message": "Unknow error"}
    assert payment_row(payment["id"]).status == "pending"


def test_a_failed_payment_is_closed_and_the_citizen_told(client, payment, citizen):
    params = vnpay_ipn(payment, vnp_ResponseCode="51", vnp_TransactionStatus="02")   # insufficient funds
    assert send_vnpay(client, params)["RspCode"] == "00"
    assert payment_row(payment["id"]).status == "failed"
    assert outbox(citizen.id, "payment_failed") == 1
    assert send_vnpay(client, vnpay_ipn(payment, vnp_ResponseCode="51", vnp_TransactionStatus="02"))["RspCode"] == "02"


def test_states_only_move_forward_a_late_failure_never_unpays(client, payment):
    send_vnpay(client, vnpay_ipn(payment))
    assert send_vnpay(client, vnpay_ipn(payment, vnp_ResponseCode="24", vnp_TransactionStatus="02"))["RspCode"] == "02"
    assert payment_row(payment["id"]).status == "succeeded"


def test_states_only_move_forward_a_success_after_cancel_is_refunded_not_reopened(client, payment, citizen):
    send_vnpay(client, vnpay_ipn(payment, vnp_ResponseCode="24", vnp_TransactionStatus="02"))
    assert payment_row(payment["id"]).status == "cancelled"
    assert send_vnpay(client, vnpay_ipn(payment))["RspCode"] == "02"
    row = payment_row(payment["id"])
    assert row.status == "cancelled"                              # never moved back
    assert row.refund is not None and row.refund.reason == "paid_after_close"
    assert "paid_after_close" in events_of(payment["id"])


def test_the_return_url_verifies_and_changes_nothing(client, payment):
    response = client.get("/api/v1/payments/vnpay/return", query_string=vnpay_ipn(payment))
    assert response.status_code == 200
    assert response.get_json()["gateway_outcome"] == "succeeded" and response.get_json()["status"] == "pending"
    assert payment_row(payment["id"]).status == "pending"
    bad = client.get("/api/v1/payments/vnpay/return", query_string=vnpay_ipn(payment, secret="wrong"))
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_signature"
    unknown = client.get("/api/v1/payments/vnpay/return", query_string=vnpay_ipn(payment, vnp_TxnRef="X1"))
    assert unknown.status_code == 404


def test_paygov_ipn_uses_its_own_secret(client, pay, dossier, network):
    payment = pay.started(dossier.id, "paygov")
    assert send_vnpay(client, vnpay_ipn(payment, gateway="paygov", secret=current_app.config["VNPAY_HASH_SECRET"]),
                      "paygov")["RspCode"] == "97"
    assert send_vnpay(client, vnpay_ipn(payment, gateway="paygov"), "paygov")["RspCode"] == "00"


def test_momo_ipn_answers(client, pay, dossier, network):
    payment = pay.started(dossier.id, "momo")
    assert client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment, secret="wrong")).status_code == 400
    wrong = client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment, amount=1))
    assert wrong.status_code == 400 and wrong.get_json()["code"] == "invalid_amount"
    unknown = client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment, orderId="NOPE"))
    assert unknown.status_code == 404
    ok = client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment))
    assert ok.status_code == 204 and ok.data == b""
    assert payment_row(payment["id"]).status == "succeeded"
    assert payment_row(payment["id"]).gateway_transaction_no == "4088878653"
    assert client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment)).status_code == 204


def test_momo_user_denial_cancels(client, pay, dossier, network):
    payment = pay.started(dossier.id, "momo")
    client.post("/api/v1/payments/momo/ipn", json=momo_ipn(payment, resultCode=1006, message="Denied"))
    assert payment_row(payment["id"]).status == "cancelled"


def test_two_payments_of_one_dossier_both_paid_the_second_is_refunded(client, pay, dossier, citizen, network):
    first = pay.started(dossier.id, "vnpay")
    second = pay.started(dossier.id, "momo")
    send_vnpay(client, vnpay_ipn(first))
    assert client.post("/api/v1/payments/momo/ipn", json=momo_ipn(second)).status_code == 204
    one, two = payment_row(first["id"]), payment_row(second["id"])
    assert one.status == two.status == "succeeded"
    assert (one.duplicate, two.duplicate) == (False, True)
    assert two.refund.reason == "duplicate_payment" and two.refund.status == "requested"
    assert db.session.get(Dossier, dossier.id).fee_payment_id == one.id
    assert count(Refund) == 1


def test_one_settled_payment_per_dossier_is_enforced_by_the_database(payment, pay, dossier, network):
    from sqlalchemy.exc import IntegrityError

    other = payment_row(pay.started(dossier.id, "momo")["id"])
    first = payment_row(payment["id"])
    first.status = other.status = "succeeded"
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.flush()


def test_a_success_reported_after_expiry_is_refunded(client, payment, network):
    with time_machine.travel(after(16), tick=False):
        assert expire_stale_payments() == {"expired": 1}       # the payer never opened the page: 91 at querydr
    assert payment_row(payment["id"]).status == "expired"
    assert send_vnpay(client, vnpay_ipn(payment))["RspCode"] == "02"
    row = payment_row(payment["id"])
    assert row.status == "expired" and row.refund.reason == "paid_after_close"


def test_a_dossier_closed_before_the_money_arrived_gets_it_refunded(client, payment, dossier):
    dossier.status = "withdrawn"
    db.session.flush()
    assert send_vnpay(client, vnpay_ipn(payment))["RspCode"] == "00"
    row = payment_row(payment["id"])
    assert row.status == "succeeded" and row.duplicate is True
    assert row.refund.reason == "dossier_closed"
    assert db.session.get(Dossier, dossier.id).fee_status != FEE_PAID


def test_receipts_cannot_be_issued_twice_for_one_payment(client, payment):
    send_vnpay(client, vnpay_ipn(payment))
    send_vnpay(client, vnpay_ipn(payment))
    assert count(Receipt) == 1
    assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.status == "succeeded")) == 1


def test_a_helper_pays_only_with_the_residents_consent_to_payments(dossier, citizen, network):
    from app.common.auth import Principal
    from app.errors import Forbidden
    from app.payments.service import create_payment
    from tests.factories import AccountFactory

    helper = AccountFactory(role="assistant", personal_id=None)

    def acting(scopes, **kw):
        return Principal(account_id=citizen.id, role="citizen", level=2, methods=("pwd",),
                         session_id=uuid.uuid4(), actor_id=helper.id, scopes=frozenset(scopes), **kw)

    with pytest.raises(Forbidden) as refused:
        create_payment(acting({"submit_dossier"}), dossier.id, "vnpay", client_ip="10.0.0.2")
    assert refused.value.code == "consent_scope"
    alone = Principal(account_id=helper.id, role="assistant", level=2, methods=("pwd",), session_id=uuid.uuid4())
    with pytest.raises(Forbidden) as refused:
        create_payment(alone, dossier.id, "vnpay", client_ip="10.0.0.2")
    assert refused.value.code == "consent_required"
    payment = create_payment(acting({"payments"}), dossier.id, "vnpay", client_ip="10.0.0.2")
    assert payment.account_id == citizen.id and payment.actor_id == helper.id
    assert payment.status == "pending" and payment.amount == 15_000
