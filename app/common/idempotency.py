"""`Idempotency-Key` for state-changing endpoints a client may retry.

The first request with a key stores its response; a retry with the same key and
the same body gets that response again (with `Idempotent-Replayed: true`); the
same key with another body is refused (422 `idempotency_key_reused`); a retry
while the first is still running gets 409 `idempotency_in_progress`.

The key's row is inserted (INSERT ... ON CONFLICT DO NOTHING, no savepoint) in
the same transaction as the change the view makes, and the stored answer is
written in that transaction too: while the view runs, its commits only flush,
and one commit at the end makes the change, the key and the answer durable
together. Two racing identical requests cannot both go through: the unique
index lets one in and the other waits, then replays.
"""
import contextlib
import functools
import hashlib
import uuid
from datetime import datetime, timedelta

from flask import Response, make_response, request
from sqlalchemy import Integer, String, Text, UniqueConstraint, bindparam, delete, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from app.common.clock import utcnow
from app.common.errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidIdempotencyKey
from app.common.models import EntityMixin
from app.extensions import db

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 100


class IdempotencyRecord(EntityMixin, db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "scope", "key"),)

    owner: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime]


def _request_hash() -> str:
    payload = request.get_data() + b"|" + request.full_path.encode()
    return hashlib.sha256(payload).hexdigest()


def idempotent(scope: str, owner=lambda: request.remote_addr or "anonymous"):
    """Decorates a flask-smorest view; put it above `@blp.response`.

    `owner` tells whose key space the key lives in (by default the client's
    address; authenticated endpoints pass the account id).
    """
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key")
            if not key:
                return view(*args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                raise InvalidIdempotencyKey()
            who = str(owner())
            record_id = _claim(who, scope, key)
            if record_id is None:
                replay = _replay(who, scope, key)
                if replay is not None:
                    return replay
                raise IdempotencyInProgress()
            session = db.session()
            deferred = _Deferred()
            try:
                with _commits_deferred(session, deferred):
                    response = make_response(view(*args, **kwargs))
            except Exception as failure:
                # What the view committed before failing stays, as it would have; unless the database
                # itself failed (a lost connection): then nothing can be committed, the answer is 503
                # and a retry with the same key starts afresh (the key's claim was not committed either).
                if deferred.committed and not deferred.changed_since and not isinstance(failure, DBAPIError):
                    session.commit()
                raise
            db.session.connection().execute(_STORE_ANSWER, {
                "record_id": record_id, "answer_status": response.status_code,
                "answer_body": response.get_data(as_text=True), "stored_at": utcnow()})
            db.session.commit()
            return response
        return _document(wrapper)
    return decorator


def _document(wrapper):
    doc = getattr(wrapper, "_apidoc", {})
    parameters = doc.setdefault("manual_doc", {}).setdefault("parameters", [])
    parameters.append({
        "in": "header", "name": "Idempotency-Key", "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": "Retrying with the same key returns the first response instead of acting twice.",
    })
    wrapper._apidoc = doc
    return wrapper


# The two statements of every idempotent request, built once (their construction and cache key
# cost more than their round trips) and run through Core: the ORM's bulk paths matched the
# UPDATE against every object the request had loaded (11 % of a submission's CPU)
_STORE_ANSWER = (update(IdempotencyRecord).where(IdempotencyRecord.id == bindparam("record_id"))
                 .values(status_code=bindparam("answer_status"), body=bindparam("answer_body"),
                         updated_at=bindparam("stored_at")))


@functools.cache
def _claim_statement(dialect_name: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    columns = ("id", "owner", "scope", "key", "request_hash", "expires_at", "created_at", "updated_at")
    return (dialect.insert(IdempotencyRecord).values({name: bindparam(f"claim_{name}") for name in columns})
            .on_conflict_do_nothing(index_elements=["owner", "scope", "key"]).returning(IdempotencyRecord.id))


def _claim(owner: str, scope: str, key: str):
    """Inserts the key's row unless it exists; returns the new row's id, or None when taken."""
    now = utcnow()
    values = {"id": uuid.uuid4(), "owner": owner, "scope": scope, "key": key, "request_hash": _request_hash(),
              "expires_at": now + KEY_TTL, "created_at": now, "updated_at": now}
    statement = _claim_statement(db.session.get_bind().dialect.name)
    return db.session.connection().execute(
        statement, {f"claim_{name}": value for name, value in values.items()}).scalar()


class _Deferred:
    committed = False
    changed_since = False


@contextlib.contextmanager
def _commits_deferred(session, deferred: _Deferred):
    """While the block runs, the session's commits flush instead (the caller commits once).

    `committed` tells whether the view committed; `changed_since` whether it wrote again after
    that, so a view that fails after committing keeps what it had committed.
    """
    def commit():
        session.flush()
        deferred.committed, deferred.changed_since = True, False

    def on_flush(*_args):
        if deferred.committed:
            deferred.changed_since = True

    session.commit = commit
    event.listen(session, "after_flush", on_flush)
    try:
        yield deferred
    finally:
        del session.commit
        event.remove(session, "after_flush", on_flush)
        if session.new or session.dirty or session.deleted:
            deferred.changed_since = True


def _replay(owner: str, scope: str, key: str):
    record = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.owner == owner, IdempotencyRecord.scope == scope,
        IdempotencyRecord.key == key, IdempotencyRecord.expires_at > utcnow()))
    if record is None:
        return None
    if record.request_hash != _request_hash():
        raise IdempotencyKeyReused()
    if record.status_code is None:
        raise IdempotencyInProgress()
    return Response(record.body, status=record.status_code, mimetype="application/json",
                    headers={"Idempotent-Replayed": "true"})


def purge_expired_keys() -> int:
    """Deletes expired keys (run by the worker's sweep)."""
    result = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= utcnow()))
    return result.rowcount
