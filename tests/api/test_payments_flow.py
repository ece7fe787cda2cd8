"""Paying a dossier's fee end to end through the mock gateways (VNPay, MoMo, PayGov)."""
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from app.dossiers.models import FEE_PAID, FEE_UNPAID, Dossier
from app.extensions import db
from app.payments.models import Payment, Receipt
from tests.payments_fixtures import *  # noqa: F401,F403
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
