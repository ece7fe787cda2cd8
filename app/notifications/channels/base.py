"""What every channel adapter takes and returns.

An adapter turns one `Delivery` into one provider call. It answers `Sent`
(the provider took the message), raises `TemporaryFailure` (try again later:
a timeout, a 5xx, a quota) or `PermanentFailure` (trying again cannot help: a
wrong number, an unregistered device token). The worker turns these into
statuses, retries and fallbacks; adapters know nothing about the database.
"""
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.notifications.errors import (  # noqa: F401  (re-exported for the adapters)
    DeliveryError, PermanentFailure, TemporaryFailure,
)


@dataclass(frozen=True)
class Delivery:
    """One message as the worker hands it to a channel (detached from the session)."""

    message_id: uuid.UUID
    notification_id: uuid.UUID | None
    event: str
    channel: str
    address: str | None
    title: str | None
    body: str
    idempotency_key: str
    locale: str = "vi"
    priority: int = 5
    attempts: int = 1
    account_id: uuid.UUID | None = None
    expires_at: datetime | None = None
    sensitive: bool = False
    data: dict = field(default_factory=dict)   # extra values for the app (push)
    created_at: datetime | None = None          # when the message was made (the worker's pickup delay)


@dataclass(frozen=True)
class Sent:
    provider: str
    provider_ref: str | None = None
    # False when the provider only accepted it: a delivery receipt follows
    delivered: bool = True


class Channel(Protocol):
    name: str

    def send(self, delivery: Delivery) -> Sent: ...
