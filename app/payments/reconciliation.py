"""Reconciliation with the gateways (periodic jobs, also `flask payments ...`).

- `reconcile_pending_payments`: asks the gateway (VNPay querydr, MoMo query)
  about payments still open a few minutes after they started, and settles,
  closes or expires them; it is how a payment whose IPN never came gets paid.
- `expire_stale_payments`: the same for payments past their 15 minutes; a
  payment is expired only when its gateway does not report it paid.
- `daily_statement`: totals per gateway for a day in Vietnam, each settled
  payment checked against the gateway's own record.

The gateway is called with no database lock held; the payment is then locked
and re-checked, so a notification arriving meanwhile wins cleanly.
"""
import logging
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, or_, select

from app.common.clock import VIETNAM, utcnow
from app.extensions import db
from app.payments.gateways.configured import enabled_gateways, get_gateway
from app.payments.gateways.base import GatewayRejected, GatewayUnavailable, Outcome
from app.payments.ledger import lock_payment, move, payment_ref, record_event
from app.payments.models import DailyStatement, Payment, Refund
from app.payments.service import settle
from app.payments.settings import settings
from app.payments.states import EXPIRED, OPEN_STATES, REFUND_SUCCEEDED, SUCCEEDED, is_open

log = logging.getLogger("app.payments.reconciliation")

RECHECK_AFTER = timedelta(minutes=1)     # a payment is asked about at most once a minute


def reconcile_pending_payments(limit: int = 200) -> dict:
    """Asks the gateway about open payments older than PAYMENT_RECONCILE_AFTER_MINUTES."""
    now = utcnow()
    age = timedelta(minutes=settings().reconcile_after_minutes)
    ids = db.session.scalars(
        select(Payment.id).where(Payment.status.in_(OPEN_STATES), Payment.created_at <= now - age,
                                 or_(Payment.last_checked_at.is_(None), Payment.last_checked_at <= now - RECHECK_AFTER))
        .order_by(Payment.created_at).limit(limit)).all()
    return _run(ids)


def expire_stale_payments(limit: int = 200) -> dict:
    """Closes open payments past their expiry, unless their gateway reports them paid."""
    ids = db.session.scalars(
        select(Payment.id).where(Payment.status.in_(OPEN_STATES), Payment.expires_at <= utcnow())
        .order_by(Payment.expires_at).limit(limit)).all()
    return _run(ids)


def _run(ids) -> dict:
    db.session.commit()   # no transaction stays open across gateway calls
    counts: dict[str, int] = {}
    for payment_id in ids:
        result = reconcile_payment(payment_id)
        counts[result] = counts.get(result, 0) + 1
    return counts


def reconcile_payment(payment_id: uuid.UUID) -> str:
    """Queries the gateway about one open payment and applies the answer; returns what happened."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not is_open(payment.status):
        return "skipped"
    gateway, ref = payment.gateway, payment_ref(payment)
    db.session.commit()
    try:
        result = get_gateway(gateway).query(ref, request_id=secrets.token_hex(16))
    except (GatewayUnavailable, GatewayRejected) as error:
        payment = lock_payment(payment_id)
        payment.last_checked_at = utcnow()
        record_event(payment, "query_failed", "reconciliation", payment.status, None, {"error": str(error)[:200]})
        db.session.commit()
        return "unavailable"
    payment = lock_payment(payment_id)
    try:
        return _apply(payment, result)
    finally:
        db.session.commit()


def _apply(payment: Payment, result) -> str:
    now = utcnow()
    payment.last_checked_at = now
    if not is_open(payment.status):
        return "skipped"
    if result.outcome == Outcome.SUCCEEDED and result.amount is not None and result.amount != payment.amount:
        record_event(payment, "amount_mismatch", "reconciliation", payment.status, None,
                     {"gateway_amount": result.amount})
        log.error("gateway reports another amount for a payment", extra={"payment_id": str(payment.id)})
        return "mismatch"
    if settle(payment, result.outcome, source="reconciliation", result_code=result.result_code,
              transaction_no=result.transaction_no, bank_code=result.bank_code, paid_at=result.paid_at):
        return "settled" if payment.status == SUCCEEDED else payment.status
    if now >= payment.expires_at:
        move(payment, EXPIRED, "reconciliation", "expired", {"gateway_says": result.outcome.value})
        return "expired"
    record_event(payment, "still_open", "reconciliation", payment.status, None,
                 {"gateway_says": result.outcome.value})
    return "pending"


# --- daily statement ---------------------------------------------------------

def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=VIETNAM)
    return start, start + timedelta(days=1)


def daily_statement(day: date | None = None, *, check_with_gateway: bool = True) -> list[DailyStatement]:
    """Totals per gateway for `day` (default: yesterday in Vietnam), stored and returned.

    Every payment whose money was taken that day is asked about at its
    gateway; any disagreement (state or amount) is listed in `mismatches`.
    """
    if day is None:
        day = (utcnow().astimezone(VIETNAM) - timedelta(days=1)).date()
    start, end = day_bounds(day)
    statements = []
    for gateway in enabled_gateways():
        paid = list(db.session.scalars(select(Payment).where(
            Payment.gateway == gateway, Payment.paid_at >= start, Payment.paid_at < end).order_by(Payment.paid_at)))
        refunds_count, refunds_total = db.session.execute(
            select(func.count(Refund.id), func.coalesce(func.sum(Refund.amount), 0))
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Payment.gateway == gateway, Refund.status == REFUND_SUCCEEDED,
                   Refund.completed_at >= start, Refund.completed_at < end)).one()
        mismatches = _check(gateway, paid) if check_with_gateway else []
        db.session.execute(delete(DailyStatement).where(DailyStatement.day == day, DailyStatement.gateway == gateway))
        statement = DailyStatement(day=day, gateway=gateway, payments_count=len(paid),
                                   payments_total=sum(p.amount for p in paid), refunds_count=refunds_count,
                                   refunds_total=int(refunds_total),
                                   checked_count=len(paid) if check_with_gateway else 0, mismatches=mismatches)
        db.session.add(statement)
        statements.append(statement)
    db.session.commit()
    return statements


def _check(gateway_name: str, payments: list[Payment]) -> list[dict]:
    gateway, mismatches = get_gateway(gateway_name), []
    for payment in payments:
        try:
            result = gateway.query(payment_ref(payment), request_id=secrets.token_hex(16))
        except (GatewayUnavailable, GatewayRejected) as error:
            mismatches.append({"txn_ref": payment.txn_ref, "problem": "gateway_unavailable", "detail": str(error)[:120]})
            continue
        if result.outcome != Outcome.SUCCEEDED:
            mismatches.append({"txn_ref": payment.txn_ref, "problem": "not_paid_at_gateway",
                               "gateway_says": result.outcome.value})
        elif result.amount is not None and result.amount != payment.amount:
            mismatches.append({"txn_ref": payment.txn_ref, "problem": "amount", "ours": payment.amount,
                               "gateway": result.amount})
    return mismatches


def statements_of(day: date) -> list[DailyStatement]:
    return list(db.session.scalars(select(DailyStatement).where(DailyStatement.day == day)
                                   .order_by(DailyStatement.gateway)))
