"""The events the payments domain publishes, inside the payment's transaction.

A payment's moves come from app/payments/ledger.py `move`; a refund's from
app/payments/refunds.py (requested, then succeeded or failed). Payloads carry
plain values only, enough for a subscriber to count the money by gateway,
procedure, agency and commune without reading the payments' tables.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.payments.states import EXPIRED, REFUNDED, SUCCEEDED

SETTLED, REFUNDED_EVENT, EXPIRED_EVENT = "payment.settled", "payment.refunded", "payment.expired"
# The state a payment moves to -> the event it publishes
ON_MOVE = {SUCCEEDED: SETTLED, REFUNDED: REFUNDED_EVENT, EXPIRED: EXPIRED_EVENT}
NAMES = tuple(ON_MOVE.values())
# A refund's state: recorded (requested), then succeeded or failed
REFUND_REQUESTED_EVENT, REFUND_SUCCEEDED_EVENT, REFUND_FAILED_EVENT = (
    "payment.refund_requested", "payment.refund_succeeded", "payment.refund_failed")
REFUND_NAMES = (REFUND_REQUESTED_EVENT, REFUND_SUCCEEDED_EVENT, REFUND_FAILED_EVENT)


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
    previous_status: str | None = None
    procedure_code: str | None = None
    paid_at: datetime | None = None          # when the gateway took the money
    agency_id: uuid.UUID | None = None       # the dossier's agency and commune
    commune_code: str | None = None


@dataclass(frozen=True)
class RefundMoved:
    """A refund recorded or moved (`previous_status` None: just recorded)."""

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    dossier_id: uuid.UUID
    gateway: str
    amount: int                    # whole VND
    status: str                    # the refund's state now (app.payments.states REFUND_*)
    previous_status: str | None
    requested_at: datetime         # when the refund was recorded
    procedure_code: str | None = None
    agency_id: uuid.UUID | None = None       # the dossier's agency and commune
    commune_code: str | None = None
