"""Work gathered during a transaction and done once, just before it commits.

The one place the application listens to SQLAlchemy session events, and why:
a counter shared by many writers (the operations centre's province-wide
figures) must be locked as late and as briefly as possible, and always in the
same order by every transaction, or two transactions adding to the same
counters in different orders (a rejection and a payment callback, say)
deadlock. Event handlers therefore do not write shared counters when the
event is published; they `add()` differences here, and the writer registered
for them runs once in `before_commit`, with everything the transaction
gathered (the dashboard's writer sorts its keys). Nothing is written when the
transaction rolls back, and a savepoint that rolls back takes its additions
with it (`after_transaction_end`). No flush hook: what is counted comes from
the domains' events, never from the rows being flushed.

    at_commit.register("dashboard.counters", write_counters)   # once, at start
    at_commit.add("dashboard.counters", {key: 1})              # in an event handler
"""
from collections import Counter as Tally
from collections.abc import Callable, Mapping

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_HELD = "at_commit.held"   # session.info: {transaction: {name: Tally}} until commit
_writers: dict[str, Callable[[dict, Session], None]] = {}


def register(name: str, writer: Callable[[dict, Session], None]) -> None:
    """`writer(additions, session)` runs before a commit whose transaction added to `name` (idempotent)."""
    _writers[name] = writer
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def add(name: str, additions: Mapping, session: Session | None = None) -> None:
    """Adds `additions` (key -> number) to what the current transaction writes under `name` at commit."""
    if name not in _writers:
        raise KeyError(f"nothing is registered to write {name!r} at commit")
    session = session or db.session()
    if session.get_transaction() is None:
        session.begin()   # so that a rollback before anything was written still drops these
    held = session.info.setdefault(_HELD, {}).setdefault(_owner(session), {})
    held.setdefault(name, Tally()).update(additions)


def held(name: str, session: Session | None = None) -> dict:
    """What the current transaction (and its savepoints) will write under `name` (for tests)."""
    total: Tally = Tally()
    for frames in (session or db.session()).info.get(_HELD, {}).values():
        total.update(frames.get(name, {}))
    return {key: value for key, value in total.items() if value}


def _owner(session):
    """The innermost savepoint, or the session's own transaction."""
    return session.get_nested_transaction() or session.get_transaction()


def _real_transaction(transaction):
    """A flush runs in a subtransaction of its savepoint (or of the session's transaction)."""
    while transaction.parent is not None and not transaction.nested:
        transaction = transaction.parent
    return transaction


def _descends_from(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _before_commit(session) -> None:
    """A released savepoint hands its additions to its parent; the outermost commit writes them all."""
    frames = session.info.get(_HELD)
    if not frames:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        parent = _real_transaction(savepoint.parent)
        for transaction in [t for t in frames if _descends_from(t, savepoint)]:
            into = frames.setdefault(parent, {})
            for name, tally in frames.pop(transaction).items():
                into.setdefault(name, Tally()).update(tally)
        return
    session.flush()   # the rows first: the shared rows are locked last
    gathered: dict[str, Tally] = {}
    for by_name in session.info.pop(_HELD).values():
        for name, tally in by_name.items():
            gathered.setdefault(name, Tally()).update(tally)
    for name in sorted(gathered):
        additions = {key: value for key, value in gathered[name].items() if value}
        if additions:
            _writers[name](additions, session)


def _after_transaction_end(session, transaction) -> None:
    """Additions still held by a transaction that ends were not committed: they go."""
    frames = session.info.get(_HELD)
    if not frames:
        return
    if transaction.parent is None:
        frames.clear()
    elif transaction.nested:
        for held_by in [t for t in frames if _descends_from(t, transaction)]:
            del frames[held_by]
