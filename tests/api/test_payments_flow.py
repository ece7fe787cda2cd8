"""Paying a dossier's fee end to end through the mock gateways (VNPay, MoMo, PayGov)."""
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from app.dossiers.models import FEE_PAID, FEE_UNPAID, Dossier
from app.extensions import db
from app.payments.models import Payment, Receipt
from tests.payments_fixtures import events_of, outbox, payment_row


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_a_citizen_pays_a_fee_through_each_gateway(pay, dossier, citizen, network, gateway):
    payment = pay.started(dossier.id, gateway)
    assert payment["status"] == "pending" and payment["amount"] == 15_000 and payment["gateway"] == gateway
    assert payment["redirect_url"].startswith(f"http://127.0.0.1:8000/mock/{gateway}/")

    at_gateway = pay.at_gateway(payment)
    returned = pay.back(at_gateway)
    assert returned.status_code == 200
    assert returned.get_json()["gateway_outcome"] == "succeeded"
    assert returned.get_json()["status"] == "pending"          # the return URL changes nothing
    assert payment_row(payment["id"]).status == "pending"

    assert pay.deliver() == {"delivered": 1, "retrying": 0, "gave_up": 0}
    body = pay.get(payment["id"]).get_json()
    assert body["status"] == "succeeded" and body["redirect_url"] is None
    assert body["receipt"]["status"] == "valid"
    assert body["gateway_transaction_no"]
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).fee_status == FEE_PAID
    assert db.session.get(Dossier, dossier.id).fee_payment_id == payment_row(payment["id"]).id
    assert outbox(citizen.id, "payment_succeeded") >= 1
    assert events_of(payment["id"]) == ["created", "redirect_issued", "settled"]


def test_the_amount_comes_from_the_procedure_never_from_the_client(pay, dossier, network):
    response = pay.client.post("/api/v1/payments", headers=pay.headers, json={
        "dossier_id": str(dossier.id), "gateway": "vnpay", "amount": 1})
    assert response.status_code == 422
    assert "amount" in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_vnpay_payment_url_carries_the_procedure_fee_times_100_and_gmt7_times(pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    query = dict(parse_qsl(urlsplit(payment["redirect_url"]).query))
    assert query["vnp_Amount"] == "1500000"
    assert query["vnp_TxnRef"] == payment_row(payment["id"]).txn_ref
    assert query["vnp_OrderInfo"].startswith("Thanh toan le phi ho so H80")
    assert query["vnp_ReturnUrl"] == "http://127.0.0.1:8000/api/v1/payments/vnpay/return"
    assert query["vnp_Version"] == "2.1.0" and query["vnp_Command"] == "pay" and query["vnp_CurrCode"] == "VND"
    assert len(query["vnp_CreateDate"]) == 14 and query["vnp_ExpireDate"] > query["vnp_CreateDate"]
    assert len(query["vnp_SecureHash"]) == 128


def test_idempotency_key_returns_the_same_payment(pay, dossier, network):
    first = pay.start(dossier.id, "vnpay", key="pay-1")
    again = pay.start(dossier.id, "vnpay", key="pay-1")
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_momo_is_asked_once_for_an_idempotent_retry(pay, dossier, network):
    pay.start(dossier.id, "momo", key="pay-momo")
    pay.start(dossier.id, "momo", key="pay-momo")
    assert network.count("/v2/gateway/api/create") == 1


def test_a_second_payment_for_a_paid_dossier_is_refused_with_409(pay, dossier, network):
    payment = pay.started(dossier.id, "vnpay")
    pay.at_gateway(payment)
    pay.deliver()
    response = pay.start(dossier.id, "momo")
    assert response.status_code == 409
    assert response.get_json()["code"] == "fee_already_paid"
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_another_citizens_dossier_answers_404(pay, dossier, network):
    from tests.factories import AccountFactory, RegistryCitizenFactory, bearer

    other = AccountFactory(citizen=RegistryCitizenFactory(), level=2)
    response = pay.start(dossier.id, "vnpay", headers=bearer(other, level=2))
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_an_unknown_gateway_is_refused(pay, dossier, network):
    response = pay.client.post("/api/v1/payments", headers=pay.headers,
                               json={"dossier_id": str(dossier.id), "gateway": "paypal"})
    assert response.status_code == 422 and "gateway" in response.get_json()["errors"]


def test_payments_need_a_logged_in_citizen(client, dossier):
    response = client.post("/api/v1/payments", json={"dossier_id": str(dossier.id), "gateway": "vnpay"})
    assert response.status_code == 401


def test_a_cancelled_payment_leaves_the_fee_unpaid_and_can_be_paid_again(pay, dossier, citizen, network):
    payment = pay.started(dossier.id, "vnpay")
    returned = pay.back(pay.at_gateway(payment, action="cancel"))
    assert returned.get_json()["gateway_outcome"] == "cancelled"
    pay.deliver()
    assert pay.status(payment["id"]) == "cancelled"
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).fee_status == FEE_UNPAID
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert outbox(citizen.id, "payment_succeeded") == 0
    again = pay.started(dossier.id, "momo")
    pay.at_gateway(again)
    pay.deliver()
    assert pay.status(again["id"]) == "succeeded"


def test_my_payments_are_listed_newest_first(pay, dossier, network):
    first = pay.started(dossier.id, "vnpay")
    second = pay.started(dossier.id, "momo")
    listed = pay.client.get("/api/v1/payments", headers=pay.headers,
                            query_string={"dossier_id": str(dossier.id)}).get_json()
    assert [p["id"] for p in listed["items"]] == [second["id"], first["id"]]
    assert listed["next_cursor"] is None


def test_another_citizen_cannot_see_my_payment(pay, dossier, network):
    from tests.factories import AccountFactory, RegistryCitizenFactory, bearer

    payment = pay.started(dossier.id, "vnpay")
    other = AccountFactory(citizen=RegistryCitizenFactory(), level=2)
    assert pay.get(payment["id"], headers=bearer(other)).status_code == 404
