"""The outbox: messages written in the same transaction as the change that caused them."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.extensions import db

# Channels
IN_APP, SMS, PUSH, EMAIL = "in_app", "sms", "push", "email"
# Priorities: lower is sent first (OTP codes jump the queue)
URGENT, NORMAL = 0, 5
# Statuses move forward only
CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE = (
    "created", "sending", "delivered", "temporary_failure", "permanent_failure")


class OutboxMessage(EntityMixin, db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "next_attempt_at"),)

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
    sent_at: Mapped[datetime | None]
