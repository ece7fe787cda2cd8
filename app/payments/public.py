"""What other domains may read from payments as plain values (they never import its models)."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.extensions import db
from app.payments.models import Payment


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
