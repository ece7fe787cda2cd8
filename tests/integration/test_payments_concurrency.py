"""Fifty identical IPNs at once, each on its own connection, settle a payment once (PostgreSQL)."""
import threading
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.dossiers.models import FEE_PAID, Dossier
from app.extensions import db
from app.mockgateway import protocol
from app.notifications.models import OutboxMessage
from app.payments.models import Payment, PaymentEvent, Receipt
from app.payments.service import new_txn_ref
from tests.committed import real_sessions
from tests.payments_committed import CommittedWorld

pytestmark = pytest.mark.postgres
IPNS = 50


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrency needs PostgreSQL")


def test_fifty_concurrent_identical_ipns_settle_once(app):
    with real_sessions():
        world = CommittedWorld()
        try:
            dossier = world.dossier()
            payment = Payment(dossier_id=dossier.id, account_id=world.account.id, gateway="vnpay",
                              txn_ref=new_txn_ref(), amount=15_000, status="pending", order_info="Thanh toan",
                              procedure_code=world.procedure.code, procedure_name=world.procedure.name,
                              dossier_receipt_code=dossier.receipt_code, expires_at=utcnow() + timedelta(minutes=15))
            db.session.add(payment)
            db.session.commit()
            params = {"vnp_Amount": "1500000", "vnp_BankCode": "NCB", "vnp_OrderInfo": "Thanh toan",
                      "vnp_PayDate": "20251121100500", "vnp_ResponseCode": "00",
                      "vnp_TmnCode": current_app.config["VNPAY_TMN_CODE"], "vnp_TransactionNo": "14422574",
                      "vnp_TransactionStatus": "00", "vnp_TxnRef": payment.txn_ref}
            params["vnp_SecureHash"] = protocol.vnpay_sign(params, current_app.config["VNPAY_HASH_SECRET"])

            start, answers, errors = threading.Barrier(IPNS), [], []

            def notify_once():
                try:
                    start.wait(10)
                    response = app.test_client().get("/api/v1/payments/vnpay/ipn", query_string=params)
                    answers.append((response.status_code, response.get_json()["RspCode"]))
                except Exception as error:   # reported below
                    errors.append(repr(error))

            threads = [threading.Thread(target=notify_once) for _ in range(IPNS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)

            assert errors == []
            assert sorted(answers) == [(200, "00")] + [(200, "02")] * (IPNS - 1)
            db.session.expire_all()
            assert db.session.get(Payment, payment.id).status == "succeeded"
            assert db.session.scalar(select(func.count()).select_from(Receipt)
                                     .where(Receipt.payment_id == payment.id)) == 1
            assert db.session.scalar(select(func.count()).select_from(PaymentEvent).where(
                PaymentEvent.payment_id == payment.id, PaymentEvent.kind == "settled")) == 1
            assert db.session.scalar(select(func.count(func.distinct(OutboxMessage.notification_id))).where(
                OutboxMessage.account_id == world.account.id, OutboxMessage.event == "payment_succeeded")) == 1
            dossier = db.session.get(Dossier, dossier.id)
            assert dossier.fee_status == FEE_PAID and dossier.fee_payment_id == payment.id
        finally:
            world.clean()
