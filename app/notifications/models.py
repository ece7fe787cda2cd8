"""The outbox: messages written in the same transaction as the change that caused them.

One `notify()` call is one notification (`notification_id`); it becomes one
message per channel and address. In-app messages are the inbox itself: they
are delivered when the transaction commits. The others wait for a worker.
"""
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.extensions import db

# Channels
IN_APP, SMS, PUSH, EMAIL = "in_app", "sms", "push", "email"
CHANNELS = (IN_APP, SMS, PUSH, EMAIL)
# Priorities: lower is sent first (OTP codes jump the queue, security alerts next)
URGENT, HIGH, NORMAL = 0, 2, 5
# Statuses move forward only (app/notifications/states.py)
CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE = (
    "created", "sending", "delivered", "temporary_failure", "permanent_failure")


class OutboxMessage(EntityMixin, db.Model):
    """One message to one address on one channel, and its delivery state.

    While `status` is `created` or `sending` and `sent_at` is empty,
    `next_attempt_at` is when a worker may take it: now for a new message, the
    end of the backoff after a failed attempt, the end of the lease while a
    worker holds it (so the rows of a killed worker come back by themselves).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "priority", "next_attempt_at"),
        Index("ix_outbox_inbox", "account_id", "channel", "created_at"),
        # the in-app inbox and its unread badge: delivered in-app rows only, in the list's order
        Index("ix_outbox_inbox_delivered", "account_id", "created_at", "id",
              postgresql_where=text("channel = 'in_app' AND status = 'delivered'"),
              sqlite_where=text("channel = 'in_app' AND status = 'delivered'")),
    )

    event: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    address: Mapped[str | None] = mapped_column(String(255))   # phone, e-mail or device token
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Params that must not outlive delivery (an OTP code); erased once sent
    sensitive: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(Integer, default=NORMAL)
    status: Mapped[str] = mapped_column(String(20), default=CREATED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None]    # handed to the provider
    # The notification this message belongs to (one notify() call)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    template_version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(30))
    provider_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    worker: Mapped[str | None] = mapped_column(String(80))     # who holds or last held it
    expires_at: Mapped[datetime | None]     # not sent after this (OTP codes)
    finished_at: Mapped[datetime | None]    # reached a final status
    read_at: Mapped[datetime | None]        # in-app: read by the citizen
    # The push message this SMS replaces after the push failed
    fallback_of: Mapped[uuid.UUID | None]


class NotificationProfile(EntityMixin, db.Model):
    """How an account wants to be reached: language, e-mail, channel choices.

    `choices` keeps only what the citizen changed: {category: {channel: bool}};
    everything else follows the defaults in app/notifications/routing.py.
    """

    __tablename__ = "notification_profiles"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    email: Mapped[str | None] = mapped_column(String(254))
    choices: Mapped[dict] = mapped_column(JSON, default=dict)


class PushDevice(EntityMixin, db.Model):
    """A device token the app registered for push messages (FCM)."""

    __tablename__ = "push_devices"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    token: Mapped[str] = mapped_column(String(512), unique=True)
    platform: Mapped[str] = mapped_column(String(10))     # android | ios | web
    name: Mapped[str | None] = mapped_column(String(100))
    last_seen_at: Mapped[datetime | None]


class PeriodicJob(EntityMixin, db.Model):
    """When each periodic job of the worker runs next; several workers share it."""

    __tablename__ = "worker_jobs"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    next_run_at: Mapped[datetime]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(String(255))
    worker: Mapped[str | None] = mapped_column(String(80))


class MockDelivery(EntityMixin, db.Model):
    """What a mock channel "sent" (development and tests only).

    Keyed by the message's idempotency key, as a real provider drops
    duplicates: a second delivery of the same message only counts up.
    """

    __tablename__ = "mock_deliveries"

    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(512), index=True)
    event: Mapped[str] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID | None]
    received: Mapped[int] = mapped_column(Integer, default=1)
