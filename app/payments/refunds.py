"""Full refunds through the payment's gateway, with their own state.

A refund is recorded where the reason arises (a dossier rejected or withdrawn,
a duplicate payment), in that transaction; the gateway is called later by
`execute_pending_refunds` (worker or `flask payments refunds`), never inside
an officer's request. The refund keeps one gateway request id for all its
attempts, so a retried request is recognised by the gateway.
"""
import logging
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from app.common import events
from app.common.clock import utcnow
from app.errors import AppError
from app.extensions import db
from app.notifications.service import notify
from app.payments import dossier_link
from app.payments.events import (
    REFUND_FAILED_EVENT, REFUND_REQUESTED_EVENT, REFUND_SUCCEEDED_EVENT, RefundMoved,
)
from app.payments.gateways.configured import get_gateway
from app.payments.gateways.base import GatewayRejected, GatewayUnavailable, RefundResult
from app.payments.ledger import lock_payment, move, payment_ref, record_event
from app.payments.models import Payment, Refund
from app.payments.receipts import void_receipt
from app.payments.states import (
    REFUND_FAILED, REFUND_REQUESTED, REFUND_SUCCEEDED, REFUNDED, SUCCEEDED, can_move_refund,
)

log = logging.getLogger("app.payments.refunds")

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
                timedelta(hours=3), timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
LEASE = timedelta(minutes=5)      # a claimed refund is left alone this long by other workers
_ON_REFUND = {REFUND_REQUESTED: REFUND_REQUESTED_EVENT, REFUND_SUCCEEDED: REFUND_SUCCEEDED_EVENT,
              REFUND_FAILED: REFUND_FAILED_EVENT}


def request_refund(payment: Payment, reason: str, *, source: str) -> Refund:
    """Records a full refund of `payment` (idempotent; the caller's transaction)."""
    if payment.refund is not None:
        return payment.refund
    now = utcnow()
    refund = Refund(id=uuid.uuid4(), payment_id=payment.id, amount=payment.amount, reason=reason,
                    status=REFUND_REQUESTED, gateway_request_id=secrets.token_hex(16), next_attempt_at=now,
                    created_at=now)
    db.session.add(refund)
    payment.refund = refund
    record_event(payment, "refund_requested", source, payment.status, None, {"reason": reason})
    _publish(refund, payment, None)
    return refund


def _publish(refund: Refund, payment: Payment, previous: str | None) -> None:
    """`payment.refund_requested|succeeded|failed`: the refund's state now, with the payment's scope."""
    events.publish(_ON_REFUND[refund.status], RefundMoved(
        refund_id=refund.id, payment_id=payment.id, dossier_id=payment.dossier_id, gateway=payment.gateway,
        amount=refund.amount, status=refund.status, previous_status=previous, requested_at=refund.created_at,
        procedure_code=payment.procedure_code, agency_id=payment.agency_id, commune_code=payment.commune_code))


def refund_dossier_fee(dossier_id: uuid.UUID, reason: str) -> Refund | None:
    """Requests the refund of the payment that settled a dossier's fee, if any."""
    payment = db.session.scalar(select(Payment).where(
        Payment.dossier_id == dossier_id, Payment.status == SUCCEEDED, Payment.duplicate.is_(False)))
    if payment is None:
        return None
    return request_refund(payment, reason, source="dossier")


def execute_pending_refunds(limit: int = 50) -> dict:
    """Calls the gateway for refunds that are due; returns counts by result."""
    now = utcnow()
    due = list(db.session.scalars(
        select(Refund.id).where(Refund.status == REFUND_REQUESTED, Refund.next_attempt_at <= now)
        .order_by(Refund.next_attempt_at).limit(limit)))
    counts = {"succeeded": 0, "retrying": 0, "failed": 0, "skipped": 0}
    for refund_id in due:
        counts[_execute(refund_id)] += 1
    return counts


def _execute(refund_id: uuid.UUID) -> str:
    if not _claim(refund_id):
        return "skipped"
    refund = db.session.get(Refund, refund_id)
    payment = refund.payment
    try:
        result = get_gateway(payment.gateway).refund(
            payment_ref(payment), request_id=refund.gateway_request_id, amount=refund.amount, reason=refund.reason)
    except (GatewayUnavailable, GatewayRejected) as error:
        result = RefundResult(succeeded=False, retryable=True, result_code="", message=str(error)[:255])
    return _apply(refund_id, result)


def _claim(refund_id: uuid.UUID) -> bool:
    """Takes the refund for this run (several workers may run): a conditional UPDATE, committed."""
    now = utcnow()
    claimed = db.session.execute(
        update(Refund).where(Refund.id == refund_id, Refund.status == REFUND_REQUESTED,
                             Refund.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE, attempts=Refund.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return claimed == 1


def _apply(refund_id: uuid.UUID, result: RefundResult) -> str:
    refund = db.session.scalar(select(Refund).where(Refund.id == refund_id).with_for_update()
                               .execution_options(populate_existing=True))
    payment = lock_payment(refund.payment_id)
    refund.result_code = result.result_code or None
    if result.succeeded and can_move_refund(refund.status, REFUND_SUCCEEDED):
        refund.status, refund.completed_at = REFUND_SUCCEEDED, utcnow()
        _publish(refund, payment, REFUND_REQUESTED)
        refund.gateway_refund_no, refund.last_error = result.refund_no, None
        record_event(payment, "refund_succeeded", "refund", payment.status, None,
                     {"refund_no": result.refund_no, "reason": refund.reason})
        if payment.status == SUCCEEDED:
            move(payment, REFUNDED, "refund", "refunded", {"reason": refund.reason})
            void_receipt(payment.receipt)
            if not payment.duplicate:
                _record_fee_refunded(payment)
        notify("payment_refunded", account_id=payment.account_id,
               params={"receipt_code": payment.dossier_receipt_code, "amount": refund.amount,
                       "procedure_name": payment.procedure_name})
        db.session.commit()
        return "succeeded"
    refund.last_error = f"{result.result_code} {result.message}".strip()[:255] or None
    if result.retryable and refund.attempts <= len(RETRY_DELAYS):
        refund.next_attempt_at = utcnow() + RETRY_DELAYS[refund.attempts - 1]
        db.session.commit()
        return "retrying"
    previous = refund.status
    refund.status, refund.next_attempt_at = REFUND_FAILED, None
    _publish(refund, payment, previous)
    record_event(payment, "refund_failed", "refund", payment.status, None,
                 {"result_code": result.result_code, "attempts": refund.attempts})
    log.error("refund failed; it needs a person", extra={"payment_id": str(payment.id),
                                                         "result_code": result.result_code})
    db.session.commit()
    return "failed"


def _record_fee_refunded(payment: Payment) -> None:
    try:
        with db.session.begin_nested():
            dossier_link.record_fee_refunded(payment.dossier_id, payment.id)
    except AppError as error:
        log.warning("dossier refused the refund record", extra={"payment_id": str(payment.id), "code": error.code})
