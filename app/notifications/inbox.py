"""The in-app inbox: a citizen's delivered in-app messages, newest first."""
import functools
import uuid

from sqlalchemy import bindparam, func, select, update

from app.common.clock import utcnow
from app.common.pagination import keyset_page, page_values, rows_page
from app.extensions import db
from app.notifications.errors import MessageNotFound
from app.notifications.models import DELIVERED, IN_APP, OutboxMessage


def _mine(account_id: uuid.UUID):
    return (OutboxMessage.account_id == account_id, OutboxMessage.channel == IN_APP,
            OutboxMessage.status == DELIVERED)


# What the inbox shows of a message (rows for `present.inbox_item_json`, no ORM objects)
ITEM_COLUMNS = (OutboxMessage.id, OutboxMessage.event, OutboxMessage.title, OutboxMessage.body, OutboxMessage.params,
                OutboxMessage.created_at, OutboxMessage.read_at)


def list_inbox(account_id: uuid.UUID, *, cursor: str | None, limit: int, unread_only: bool = False) -> dict:
    """One page of the inbox, rows of ITEM_COLUMNS (cursor pagination, stable under new messages)."""
    statement = _inbox_statement(unread_only, bool(cursor))
    rows = db.session.connection().execute(statement, {**page_values(cursor, limit), "account_id": account_id})
    return rows_page(rows.all(), limit)


@functools.cache
def _inbox_statement(unread_only: bool, after_cursor: bool):
    """Built once per shape (four): building and cache-keying it cost more than running it."""
    statement = select(*ITEM_COLUMNS).where(*_mine(bindparam("account_id", type_=OutboxMessage.account_id.type)))
    if unread_only:
        statement = statement.where(OutboxMessage.read_at.is_(None))
    return keyset_page(statement, OutboxMessage, after_cursor=after_cursor)


# The badge is read on every app start and refresh: built once, run through Core
_UNREAD = (select(func.count()).select_from(OutboxMessage)
           .where(*_mine(bindparam("account_id", type_=OutboxMessage.account_id.type)),
                  OutboxMessage.read_at.is_(None)))


def unread_count(account_id: uuid.UUID) -> int:
    return db.session.connection().scalar(_UNREAD, {"account_id": account_id})


def mark_read(account_id: uuid.UUID, message_id: uuid.UUID) -> OutboxMessage:
    """Marks one message read (again is harmless: the first time is kept)."""
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id, *_mine(account_id)))
    if message is None:
        raise MessageNotFound()
    if message.read_at is None:
        message.read_at = utcnow()
    db.session.commit()
    return message


def mark_all_read(account_id: uuid.UUID) -> int:
    """Marks every unread message read; returns how many."""
    result = db.session.execute(
        update(OutboxMessage).where(*_mine(account_id), OutboxMessage.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
