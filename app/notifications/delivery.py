"""Claiming due messages, handing them to channels, recording what happened.

Claiming on PostgreSQL is SELECT ... FOR UPDATE SKIP LOCKED then UPDATE, in
one short transaction: two workers never take the same row, and neither
waits for the other (a locked row is skipped, not waited for). On SQLite it is
one UPDATE ... WHERE id IN (SELECT ...) RETURNING, atomic because SQLite has
a single writer. The claim moves the row to `sending`, counts the attempt and
sets `next_attempt_at` to the end of a lease; if the worker dies (even by
SIGKILL) the lease runs out and another worker takes the row again.

Each outcome is committed on its own, right after the provider answered, so a
dying worker loses at most the message it was sending; that one is sent again
with the same idempotency key (at-least-once), and the provider drops the
repeat.
"""
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, text, update

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure
from app.notifications.models import (
    DELIVERED, PERMANENT_FAILURE, PUSH, SENDING, TEMPORARY_FAILURE, URGENT,
    OutboxMessage, PushDevice,
)
from app.notifications.service import queue_sms_fallback
from app.notifications.states import PENDING, can_advance

log = logging.getLogger("app.notifications.worker")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 10
    max_seconds: float = 1800

    @classmethod
    def from_config(cls, config) -> "RetryPolicy":
        return cls(config["NOTIFY_MAX_ATTEMPTS"], config["NOTIFY_RETRY_BASE_SECONDS"],
                   config["NOTIFY_RETRY_MAX_SECONDS"])

    def delay(self, attempt: int, rand=random.random) -> float:
        """Seconds before attempt `attempt + 1`: exponential, capped, with ±20% jitter
        so that messages failing together do not all come back together."""
        plain = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return plain * (0.8 + 0.4 * rand())


def _due(now, urgent_only: bool):
    statement = (select(OutboxMessage.id)
                 .where(OutboxMessage.status.in_(PENDING), OutboxMessage.sent_at.is_(None),
                        OutboxMessage.next_attempt_at <= now))
    if urgent_only:
        statement = statement.where(OutboxMessage.priority == URGENT)
    return statement


def claim_ids(session, worker: str, limit: int, lease_seconds: float, *,
              urgent_only: bool = False) -> list[uuid.UUID]:
    """The claiming statement alone (the caller commits): ids of the rows taken."""
    now = utcnow()
    candidates = (_due(now, urgent_only)
                  .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at)
                  .limit(limit).with_for_update(skip_locked=True))
    if session.get_bind().dialect.name == "postgresql":
        # Lock, then update, in one transaction. (Inside an UPDATE, PostgreSQL
        # may run a LIMIT ... SKIP LOCKED subquery more than once and so take
        # more rows than asked for.)
        ids = session.scalars(candidates).all()
        if not ids:
            return []
        chosen = OutboxMessage.id.in_(ids)
    else:
        # SQLite: one statement, atomic under its single-writer lock
        chosen = OutboxMessage.id.in_(candidates.scalar_subquery())
    return session.scalars(
        update(OutboxMessage)
        .where(chosen, OutboxMessage.status.in_(PENDING), OutboxMessage.sent_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1, worker=worker,
                next_attempt_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).all()


def claim_batch(worker: str, limit: int, lease_seconds: float, *, urgent_only: bool = False) -> list[Delivery]:
    """Takes up to `limit` due messages for `worker`, most urgent first, and commits."""
    claimed = claim_ids(db.session, worker, limit, lease_seconds, urgent_only=urgent_only)
    deliveries = []
    if claimed:
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
            .order_by(OutboxMessage.priority, OutboxMessage.created_at)
            .execution_options(populate_existing=True)).all()
        deliveries = [_delivery(row) for row in rows]
    db.session.commit()
    return deliveries


def renew_lease(worker: str, ids: list[uuid.UUID], lease_seconds: float) -> set[uuid.UUID]:
    """Extends the lease on rows `worker` still holds; returns those ids."""
    if not ids:
        return set()
    now = utcnow()
    kept = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.worker == worker,
               OutboxMessage.status == SENDING, OutboxMessage.sent_at.is_(None))
        .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).all()
    db.session.commit()
    return set(kept)


def release(worker: str, ids: list[uuid.UUID]) -> None:
    """Gives rows back at once (a worker stopping cleanly), without using an attempt."""
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.worker == worker,
                   OutboxMessage.status == SENDING, OutboxMessage.sent_at.is_(None))
            .values(next_attempt_at=utcnow(), attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False))
        db.session.commit()


def _delivery(row: OutboxMessage) -> Delivery:
    data = {} if row.sensitive else dict(row.params or {})
    return Delivery(
        message_id=row.id, notification_id=row.notification_id, event=row.event, channel=row.channel,
        address=row.address, title=row.title, body=row.body or "", idempotency_key=row.idempotency_key,
        locale=row.locale, priority=row.priority, attempts=row.attempts, account_id=row.account_id,
        expires_at=row.expires_at, sensitive=row.sensitive, data=data, created_at=row.created_at,
    )


def deliver(delivery: Delivery, channels: dict, policy: RetryPolicy, worker: str) -> str:
    """Sends one claimed message and records the outcome; returns the status it reached."""
    if delivery.expires_at is not None and utcnow() >= delivery.expires_at:
        return finish_failed(delivery.message_id, PERMANENT_FAILURE, "expired before it could be sent")
    try:
        sent = channels[delivery.channel].send(delivery)
    except PermanentFailure as failure:
        db.session.rollback()
        return finish_failed(delivery.message_id, PERMANENT_FAILURE, failure.reason,
                             unregistered=failure.unregistered)
    except TemporaryFailure as failure:
        db.session.rollback()
        return retry_later(delivery, failure.reason, policy, worker, failure.retry_after)
    except Exception as error:  # a bug in an adapter must not stop the worker
        db.session.rollback()
        log.exception("channel %s raised while sending %s", delivery.channel, delivery.message_id)
        return retry_later(delivery, f"unexpected error: {type(error).__name__}", policy, worker)
    return record_sent(delivery, sent, worker)


def record_sent(delivery: Delivery, sent: Sent, worker: str) -> str:
    """The provider took the message: delivered, or `sending` until its receipt."""
    now = utcnow()
    values = {"sent_at": now, "provider": sent.provider, "provider_ref": sent.provider_ref,
              "worker": worker, "next_attempt_at": None, "last_error": None, "updated_at": now}
    if sent.delivered:
        values.update(status=DELIVERED, finished_at=now)
    if delivery.sensitive:
        values.update(params={}, body=None)
    changed = _update(delivery.message_id, values, OutboxMessage.status.in_(PENDING))
    if not changed:
        # A receipt got here first (it is final): keep its status, add what we know
        _update(delivery.message_id, {"sent_at": now, "provider": sent.provider,
                                      "provider_ref": sent.provider_ref},
                OutboxMessage.sent_at.is_(None))
        if delivery.sensitive:
            _update(delivery.message_id, {"params": {}, "body": None})
    _commit_without_waiting_for_disk()
    return DELIVERED if sent.delivered else SENDING


def retry_later(delivery: Delivery, reason: str, policy: RetryPolicy, worker: str,
                retry_after: float | None = None) -> str:
    """Schedules the next attempt, or gives up after the last one."""
    if delivery.attempts >= policy.max_attempts:
        return finish_failed(delivery.message_id, TEMPORARY_FAILURE,
                             f"gave up after {delivery.attempts} attempts: {reason}")
    delay = max(policy.delay(delivery.attempts), retry_after or 0)
    now = utcnow()
    _update(delivery.message_id,
            {"next_attempt_at": now + timedelta(seconds=delay), "last_error": reason[:255], "updated_at": now},
            OutboxMessage.status == SENDING, OutboxMessage.sent_at.is_(None), OutboxMessage.worker == worker)
    _commit_without_waiting_for_disk()
    log.info("message %s: attempt %s failed (%s), next in %.0fs",
             delivery.message_id, delivery.attempts, reason, delay)
    return SENDING


def finish_failed(message_id: uuid.UUID, status: str, reason: str, *, unregistered: bool = False) -> str:
    """Marks a message failed for good (forward only), with the push side effects."""
    if db.session.get_bind().dialect.name == "sqlite":
        # Write first: a SQLite transaction that reads and then writes fails
        # if another process committed in between; one that starts by writing
        # waits for the lock instead.
        _update(message_id, {"updated_at": utcnow()})
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message.channel == PUSH and message.notification_id is not None:
        # Lock the notification's push rows in a fixed order: two workers
        # failing two pushes of one notification decide the fallback one after the other
        db.session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.notification_id == message.notification_id, OutboxMessage.channel == PUSH)
            .order_by(OutboxMessage.id).with_for_update()).all()
    message = db.session.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
    if not can_advance(message.status, status):
        db.session.commit()
        return message.status
    now = utcnow()
    message.status, message.last_error, message.finished_at = status, reason[:255], now
    message.next_attempt_at = None
    if message.channel == PUSH:
        if unregistered and message.address:
            db.session.execute(delete(PushDevice).where(PushDevice.token == message.address))
        fallback = queue_sms_fallback(message)
        if fallback is not None:
            log.info("push %s failed; SMS fallback %s queued", message.id, fallback.id)
    if message.sensitive:
        message.params, message.body = {}, None
    db.session.commit()
    log.warning("message %s %s: %s", message_id, status, reason)
    return status


def _commit_without_waiting_for_disk() -> None:
    """Commits a delivery outcome; on PostgreSQL without waiting for the WAL flush.

    Safe here: a crash may lose the last outcomes recorded, never corrupt
    anything, and a lost outcome only means the message is sent again with
    the same idempotency key, which at-least-once delivery allows anyway.
    It saves a disk flush per message.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    db.session.commit()


def _update(message_id: uuid.UUID, values: dict, *conditions) -> bool:
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    return result.rowcount > 0

