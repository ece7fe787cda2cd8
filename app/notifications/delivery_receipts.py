"""Delivery receipts from providers: signed, idempotent, forward only.

A provider POSTs `{"reference": ..., "status": ..., "detail": ...}` to
/api/v1/notifications/receipts/<provider> with `X-Signature: sha256=<hex>`,
the HMAC-SHA256 of the raw body under NOTIFY_CALLBACK_SECRET. `reference` is
the provider's message id or our idempotency key (sent as its RequestId).
The provider's status is mapped by the adapter's table; the message moves
only forward, so a receipt repeated or arriving after a final status changes
nothing and is still answered 200 (the provider stops retrying).
"""
import hashlib
import hmac

from sqlalchemy import or_, select

from app.common.clock import utcnow
from app.errors import N_
from app.extensions import db
from app.notifications.channels import receipt_statuses
from app.notifications.errors import InvalidSignature, UnknownMessage, UnknownProvider, UnknownReceiptStatus
from app.notifications.models import OutboxMessage
from app.notifications.states import FAILED, can_advance, is_final


def sign(body: bytes, secret: str) -> str:
    """The `X-Signature` value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secret: str) -> None:
    """Raises InvalidSignature unless `signature` signs `body` (hex, with or without `sha256=`)."""
    if not signature:
        raise InvalidSignature()
    given = signature.strip().removeprefix("sha256=").lower()
    expected = sign(body, secret).removeprefix("sha256=")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InvalidSignature()


def apply_receipt(provider: str, reference: str, provider_status: str,
                  detail: str | None = None) -> tuple[OutboxMessage, bool]:
    """Moves the message forward per the receipt; returns (message, whether it changed)."""
    statuses = receipt_statuses(provider)
    if statuses is None:
        raise UnknownProvider()
    new = statuses.get(provider_status) or statuses.get(provider_status.upper()) \
        or statuses.get(provider_status.lower())
    if new is None:
        raise UnknownReceiptStatus(errors={"status": [N_("This delivery status is not known.")]})
    message = db.session.scalar(
        select(OutboxMessage).where(or_(
            (OutboxMessage.provider_ref == reference) & (OutboxMessage.provider == provider),
            OutboxMessage.idempotency_key == reference))
        .with_for_update())
    if message is None:
        raise UnknownMessage()
    changed = can_advance(message.status, new)
    if changed:
        now = utcnow()
        message.status = new
        if is_final(new):
            message.finished_at, message.next_attempt_at = now, None
            message.sent_at = message.sent_at or now
        if new in FAILED:
            message.last_error = (detail or f"provider reported {provider_status}")[:255]
    db.session.commit()
    return message, changed
