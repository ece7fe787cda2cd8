"""The events the payments domain publishes (app/payments/ledger.py `move`, inside the payment's transaction)."""
import uuid
from dataclasses import dataclass

from app.payments.states import EXPIRED, REFUNDED, SUCCEEDED

SETTLED, REFUNDED_EVENT, EXPIRED_EVENT = "payment.settled", "payment.refunded", "payment.expired"
# The state a payment moves to -> the event it publishes
ON_MOVE = {SUCCEEDED: SETTLED, REFUNDED: REFUNDED_EVENT, EXPIRED: EXPIRED_EVENT}
NAMES = tuple(ON_MOVE.values())


@dataclass(frozen=True)
class PaymentMoved:
    payment_id: uuid.UUID
    dossier_id: uuid.UUID
    account_id: uuid.UUID          # the payer
    actor_id: uuid.UUID | None     # a helper acting with the payer's consent
    gateway: str
    amount: int                    # whole VND
    status: str                    # the state the payment is in now
    duplicate: bool                # money kept for a dossier already paid (refunded)
