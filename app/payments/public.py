"""What other domains may read from payments as plain values (they never import its models).

- `payment()`: a payment without its link (who, which dossier, how much, where it stands);
- `replay_payments()` / `replay_refunds()`: every payment that took money and
  every refund, as the `PaymentMoved` / `RefundMoved` payloads their last move
  published, so a subscriber that keeps its own record (the operations
  centre's counters) rebuilds it with the same handler it runs live;
- `stuck_payments()`: payments still open after their time to pay ran out.
"""
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.common.clock import utcnow
from app.extensions import db
from app.payments.events import PaymentMoved, RefundMoved
from app.payments.models import Payment, Refund
from app.payments.settings import settings
from app.payments.states import OPEN_STATES, REFUNDED, SUCCEEDED


@dataclass(frozen=True)
class PaymentFacts:
    """A payment without its link: who, for which dossier, how much, where it stands."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    account_id: uuid.UUID
    actor_id: uuid.UUID | None         # the helper who started it for the account (a delegated request)
    status: str
    amount: int
    dossier_receipt_code: str
    procedure_name: str
    expires_at: datetime
    paid_at: datetime | None


def facts(payment: Payment) -> PaymentFacts:
    """The plain values of a payment a service function of this domain returned."""
    return PaymentFacts(id=payment.id, dossier_id=payment.dossier_id, account_id=payment.account_id,
                        actor_id=payment.actor_id, status=payment.status, amount=payment.amount,
                        dossier_receipt_code=payment.dossier_receipt_code, procedure_name=payment.procedure_name,
                        expires_at=payment.expires_at, paid_at=payment.paid_at)


def payment(payment_id: uuid.UUID) -> PaymentFacts | None:
    row = db.session.get(Payment, payment_id)
    return facts(row) if row is not None else None


TAKEN = (SUCCEEDED, REFUNDED)   # the gateway took the money (refunded later or not)


def replay_payments(batch_size: int = 5000, session=None) -> Iterator[PaymentMoved]:
    """Payments that took money, as they are now (`previous_status` None), streamed in batches."""
    session = session or db.session
    statement = (select(Payment.id, Payment.dossier_id, Payment.account_id, Payment.actor_id, Payment.gateway,
                        Payment.amount, Payment.status, Payment.duplicate, Payment.procedure_code, Payment.paid_at,
                        Payment.agency_id, Payment.commune_code)
                 .where(Payment.status.in_(TAKEN), Payment.paid_at.is_not(None))
                 .execution_options(yield_per=batch_size))
    for rows in session.execute(statement).partitions():
        for row in rows:
            yield PaymentMoved(
                payment_id=row.id, dossier_id=row.dossier_id, account_id=row.account_id, actor_id=row.actor_id,
                gateway=row.gateway, amount=row.amount, status=row.status, duplicate=bool(row.duplicate),
                procedure_code=row.procedure_code, paid_at=row.paid_at, agency_id=row.agency_id,
                commune_code=row.commune_code)


def replay_refunds(batch_size: int = 5000, session=None) -> Iterator[RefundMoved]:
    """Every refund as it is now (`previous_status` None), with its payment's scope, streamed in batches."""
    session = session or db.session
    statement = (select(Refund.id, Refund.payment_id, Refund.amount, Refund.status, Refund.created_at,
                        Payment.dossier_id, Payment.gateway, Payment.procedure_code, Payment.agency_id,
                        Payment.commune_code)
                 .join(Payment, Payment.id == Refund.payment_id)
                 .execution_options(yield_per=batch_size))
    for rows in session.execute(statement).partitions():
        for row in rows:
            yield RefundMoved(
                refund_id=row.id, payment_id=row.payment_id, dossier_id=row.dossier_id, gateway=row.gateway,
                amount=row.amount, status=row.status, previous_status=None, requested_at=row.created_at,
                procedure_code=row.procedure_code, agency_id=row.agency_id, commune_code=row.commune_code)


@dataclass(frozen=True)
class StuckPayment:
    payment_id: uuid.UUID
    gateway: str
    amount: int
    status: str
    procedure_code: str
    dossier_receipt_code: str
    created_at: datetime
    expires_at: datetime


def stuck_payments(*, procedure_code: str | None = None, commune_code: str | None = None,
                   agency_id: uuid.UUID | str | None = None, limit: int | None = 20) -> tuple[int, list[StuckPayment]]:
    """(how many, the oldest `limit`) payments still open after their time to pay (the payments' TTL) ran out.

    Reads through the (status, created_at) index: only open payments are looked
    at, a handful whatever the number of settled ones.
    """
    cutoff = utcnow() - timedelta(minutes=settings().ttl_minutes)
    condition = [Payment.status.in_(OPEN_STATES), Payment.created_at <= cutoff]
    if procedure_code:
        condition.append(Payment.procedure_code == procedure_code)
    if commune_code:
        condition.append(Payment.commune_code == commune_code)
    if agency_id:
        condition.append(Payment.agency_id == (agency_id if isinstance(agency_id, uuid.UUID)
                                               else uuid.UUID(str(agency_id))))
    count = db.session.scalar(select(func.count()).select_from(Payment).where(*condition))
    rows = db.session.scalars(select(Payment).where(*condition).order_by(Payment.created_at, Payment.id).limit(limit))
    return count, [StuckPayment(p.id, p.gateway, p.amount, p.status, p.procedure_code, p.dossier_receipt_code,
                                p.created_at, p.expires_at) for p in rows]
