"""Queueing notifications. Every domain calls `notify` inside its own transaction.

`notify` only writes outbox rows; the worker delivers them later, so a message
exists if and only if the change that caused it was committed.
"""
import uuid

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.models import IN_APP, NORMAL, SMS, URGENT, OutboxMessage


def notify(event: str, *, account_id: uuid.UUID | None = None, phone: str | None = None,
           params: dict | None = None, channels: tuple[str, ...] | None = None,
           urgent: bool = False, sensitive: bool = False, locale: str = "vi") -> list[OutboxMessage]:
    """Queues the messages of one event for one recipient.

    Give `account_id` for an account holder (in-app inbox and their channels),
    `phone` for an SMS to a number (OTP codes before an account exists).
    """
    if channels is None:
        channels = tuple(c for c, wanted in ((IN_APP, account_id), (SMS, phone)) if wanted)
    messages = []
    for channel in channels:
        message = OutboxMessage(
            event=event, channel=channel, account_id=account_id,
            address=phone if channel == SMS else None, params=dict(params or {}),
            sensitive=sensitive, priority=URGENT if urgent else NORMAL, locale=locale,
            next_attempt_at=utcnow(), idempotency_key=uuid.uuid4().hex,
        )
        db.session.add(message)
        messages.append(message)
    return messages
