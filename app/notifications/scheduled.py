"""Periodic jobs of the notifications domain."""
from datetime import timedelta

from sqlalchemy import delete, update

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.models import IN_APP, SENDING, TEMPORARY_FAILURE, MockDelivery, OutboxMessage
from app.notifications.settings import settings
from app.notifications.states import FINAL
from app.common.jobs import register_periodic


def expire_unconfirmed() -> int:
    """Messages a provider took but never confirmed become temporary failures."""
    hours = settings().receipt_timeout_hours
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.sent_at.is_not(None),
               OutboxMessage.sent_at < now - timedelta(hours=hours))
        .values(status=TEMPORARY_FAILURE, finished_at=now, last_error=f"no delivery receipt within {hours:g} hours")
        .execution_options(synchronize_session=False))
    return result.rowcount


def purge_old_messages() -> int:
    """Finished outside-channel messages (and mock records) older than the retention.

    In-app messages are the citizen's inbox and are kept.
    """
    cutoff = utcnow() - timedelta(days=settings().retention_days)
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.channel != IN_APP, OutboxMessage.status.in_(FINAL),
               OutboxMessage.finished_at < cutoff)
        .execution_options(synchronize_session=False))
    db.session.execute(delete(MockDelivery).where(MockDelivery.created_at < cutoff)
                       .execution_options(synchronize_session=False))
    return result.rowcount


register_periodic("notifications.expire_unconfirmed", 600, expire_unconfirmed)
register_periodic("notifications.purge_old_messages", 24 * 3600, purge_old_messages)
