"""A payment's state changes and its event log: the one way a payment moves.

Used by the settlement (service.py) and by refunds (refunds.py) alike.
"""
import uuid

from sqlalchemy import select

from app.common import events
from app.common.clock import utcnow
from app.extensions import db
from app.payments import events as payment_events
from app.payments.events import PaymentMoved
from app.payments.gateways.base import PaymentRef
from app.payments.models import Payment, PaymentEvent
from app.payments.states import can_move, is_open


def payment_ref(payment: Payment) -> PaymentRef:
    return PaymentRef(txn_ref=payment.txn_ref, amount=payment.amount, created_at=payment.created_at,
                      order_info=payment.order_info, transaction_no=payment.gateway_transaction_no,
                      paid_at=payment.paid_at)


def lock_payment(payment_id: uuid.UUID) -> Payment:
    """The payment, re-read under a row lock (PostgreSQL) until the transaction ends."""
    return db.session.scalar(select(Payment).where(Payment.id == payment_id)
                             .with_for_update().execution_options(populate_existing=True))


def move(payment: Payment, target: str, source: str, kind: str, detail: dict | None = None) -> None:
    """The one way a payment changes state (forward only), with its event."""
    if not can_move(payment.status, target):
        raise ValueError(f"payment {payment.id}: {payment.status} -> {target} is not allowed")
    previous = payment.status
    payment.status = target
    if not is_open(target) and payment.closed_at is None:
        payment.closed_at = utcnow()
    record_event(payment, kind, source, previous, target, detail)
    if target in payment_events.ON_MOVE:
        events.publish(payment_events.ON_MOVE[target], PaymentMoved(
            payment_id=payment.id, dossier_id=payment.dossier_id, account_id=payment.account_id,
            actor_id=payment.actor_id, gateway=payment.gateway, amount=payment.amount, status=target,
            duplicate=bool(payment.duplicate), previous_status=previous, procedure_code=payment.procedure_code,
            paid_at=payment.paid_at, agency_id=payment.agency_id, commune_code=payment.commune_code))


def record_event(payment: Payment, kind: str, source: str, from_status: str | None, to_status: str | None,
                 detail: dict | None = None) -> None:
    db.session.add(PaymentEvent(payment_id=payment.id, kind=kind, source=source, from_status=from_status,
                                to_status=to_status, detail={k: v for k, v in (detail or {}).items()
                                                             if v is not None}))
