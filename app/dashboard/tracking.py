"""Keeps counters current from the ORM changes of other domains' models.

A `Projection` says what one row of a model contributes to the counters
(for an e-ID account: registered on its creation day in its commune,
activated, ...). On every flush the projection's contributions before and
after the change are compared and only the difference is written, in the
same transaction. The owning domains do not know the dashboard exists, and
every code path that changes a row is counted the same way.

Old values come from SQLAlchemy's attribute history; the tracked attributes
are made "active history" so a change to an attribute that was not loaded
still knows its previous value. Changes made with bulk UPDATE/DELETE
statements bypass the ORM and are not seen: `flask dashboard rebuild`
recounts from the tables.

Counter differences are gathered flush by flush and written once, just
before the transaction commits, in one batch sorted by key. A transaction
therefore locks the shared counter rows (the province-wide ones every change
adds to) only at its very end and always in the same order as every other,
so two transactions touching the same counters in different orders (a
rejection and a payment callback, say) wait for each other instead of
deadlocking. A savepoint that rolls back takes its differences with it.
"""
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session

from app.dashboard.counters import Key, apply_deltas, merge_staged, stage_keys
from app.dashboard.models import Counter
from app.extensions import db

_PENDING = "dashboard.pending_changes"
_DELTAS = "dashboard.pending_deltas"   # {transaction: Tally} until commit


@dataclass
class Context:
    """Look-ups a projection needs, cached for one flush or one rebuild batch."""

    connection: object
    cache: dict = field(default_factory=dict)

    def memo(self, kind: str, key, load: Callable[[], object]):
        bucket = self.cache.setdefault(kind, {})
        if key not in bucket:
            bucket[key] = load()
        return bucket[key]


@dataclass(frozen=True)
class Projection:
    """What one row of `model` adds to the counters, as a function of `attributes`."""

    model: type
    attributes: tuple[str, ...]
    contributions: Callable[[SimpleNamespace, Context], Iterable[tuple[Key, int]]]
    prefetch: Callable[[list[SimpleNamespace], Context], None] | None = None
    metrics: tuple[str, ...] = ()
    # Keeps a table of the dashboard's own in step with the rows (old, new; None = absent)
    mirror: Callable[[Context, list[tuple[SimpleNamespace | None, SimpleNamespace | None]]], None] | None = None
    mirror_table: object = None

    def tally(self, states: list[SimpleNamespace], context: Context) -> Tally:
        if self.prefetch and states:
            self.prefetch(states, context)
        total: Tally = Tally()
        for state in states:
            for key, amount in self.contributions(state, context):
                total[key] += amount
        return total


_projections: dict[type, Projection] = {}


def register(projection: Projection) -> None:
    """Tracks a model from now on (idempotent)."""
    if projection.model in _projections:
        return
    _projections[projection.model] = projection
    for name in projection.attributes:
        event.listen(getattr(projection.model, name), "set", _keep_history, active_history=True)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def registered() -> list[Projection]:
    return list(_projections.values())


def _keep_history(target, value, oldvalue, initiator):
    return value


def current_state(obj, attributes) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(obj, name) for name in attributes})


def previous_state(obj, attributes) -> SimpleNamespace:
    values = {}
    attrs = inspect(obj).attrs
    for name in attributes:
        history = attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.added:   # a value set where there was none (SQLAlchemy keeps no None in `deleted`)
            values[name] = None
        else:
            values[name] = getattr(obj, name)
    return SimpleNamespace(**values)


def _tracked(objects) -> dict[Projection, list]:
    found: dict[Projection, list] = {}
    for obj in objects:
        projection = _projections.get(type(obj))
        if projection is not None:
            found.setdefault(projection, []).append(obj)
    return found


def _before_flush(session, _flush_context, _instances) -> None:
    """Changed and deleted rows: their old and new states are both read before the flush.

    (Reading an expired attribute loads it; after the flush a deleted row is gone.)
    """
    changes = []
    for projection, objects in _tracked(session.dirty).items():
        for obj in objects:
            if obj not in session.deleted and session.is_modified(obj, include_collections=False):
                changes.append((projection, previous_state(obj, projection.attributes),
                                current_state(obj, projection.attributes)))
    for projection, objects in _tracked(session.deleted).items():
        changes.extend((projection, previous_state(obj, projection.attributes), None) for obj in objects)
    session.info[_PENDING] = changes


def _after_flush(session, _flush_context) -> None:
    """New rows count once their defaults (creation time...) are filled in.

    Mirror rows are written now; counter differences wait for the commit.
    """
    changes = session.info.pop(_PENDING, None) or []
    for projection, objects in _tracked(session.new).items():
        changes.extend((projection, None, current_state(obj, projection.attributes)) for obj in objects)
    if changes:
        deltas = apply_changes(changes, Context(session.connection()), write_counters=False)
        if any(deltas.values()):
            _pending_deltas(session).update(deltas)


# -- counter differences wait for the commit --------------------------------------------
def _owner(session):
    """The transaction a flush belongs to: the innermost savepoint, or the session's own."""
    return session.get_nested_transaction() or session.get_transaction()


def _pending_deltas(session) -> Tally:
    return session.info.setdefault(_DELTAS, {}).setdefault(_owner(session), Tally())


def count_at_commit(deltas: dict[Key, int], session=None) -> None:
    """Adds counter differences that the current transaction writes when it commits."""
    _pending_deltas(session or db.session()).update(deltas)


def _real_transaction(transaction):
    """A flush runs in a subtransaction of its savepoint (or of the session's transaction)."""
    while transaction.parent is not None and not transaction.nested:
        transaction = transaction.parent
    return transaction


def _before_commit(session) -> None:
    """Writes the differences of the transaction in key order; a released savepoint hands them to its parent."""
    session.flush()
    frames = session.info.get(_DELTAS)
    if not frames:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        parent = _real_transaction(savepoint.parent)
        for transaction in [t for t in frames if _descends_from(t, savepoint)]:
            frames.setdefault(parent, Tally()).update(frames.pop(transaction))
        return
    deltas: Tally = Tally()
    for tally in session.info.pop(_DELTAS).values():
        deltas.update(tally)
    if any(deltas.values()):
        apply_deltas(dict(deltas), session=session)


def _after_transaction_end(session, transaction) -> None:
    """Differences still held by a transaction that ends were not committed: they go."""
    frames = session.info.get(_DELTAS)
    if not frames:
        return
    if transaction.parent is None:
        frames.clear()
    elif transaction.nested:
        for held in [t for t in frames if _descends_from(t, transaction)]:
            del frames[held]


def _descends_from(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def apply_changes(changes, context: Context, *, write_counters: bool = True) -> Tally:
    """Writes the mirror rows of (projection, old, new) changes and returns the counter differences.

    The differences are written too unless `write_counters` is false (the
    flush hook leaves them for the commit).
    """
    deltas: Tally = Tally()
    by_projection: dict[Projection, list] = {}
    for projection, old, new in changes:
        by_projection.setdefault(projection, []).append((old, new))
    for projection, pairs in by_projection.items():
        deltas.update(projection.tally([new for _old, new in pairs if new is not None], context))
        deltas.subtract(projection.tally([old for old, _new in pairs if old is not None], context))
        if projection.mirror is not None:
            projection.mirror(context, pairs)
    if write_counters and any(deltas.values()):
        apply_deltas(dict(deltas), connection=context.connection)
    return deltas


def rebuild(projection: Projection, session, batch_size: int = 5000, flush_keys: int = 200_000) -> int:
    """Recounts a projection's metrics from its table (backfill or repair); returns counter rows written.

    Run it when nothing else writes the model (an operator command): changes
    committed meanwhile would be counted twice or not at all. On PostgreSQL the
    raw increments are copied to a scratch table and rolled up by the database
    in one statement per grain; elsewhere they are written whenever
    `flush_keys` distinct keys have piled up. Memory stays bounded either way.
    """
    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(projection.metrics)))
    if projection.mirror_table is not None:
        connection.execute(delete(projection.mirror_table))
    in_database = connection.dialect.name == "postgresql"
    columns = [getattr(projection.model, name) for name in projection.attributes]
    result = session.execute(select(*columns).execution_options(yield_per=batch_size))
    total: Tally = Tally()
    written = 0
    for rows in result.partitions():
        states = [SimpleNamespace(**dict(zip(projection.attributes, row))) for row in rows]
        context = Context(connection)
        total.update(projection.tally(states, context))
        if projection.mirror is not None:
            projection.mirror(context, [(None, state) for state in states])
        if len(total) >= flush_keys:
            if in_database:
                stage_keys(connection, total)
            else:
                written += apply_deltas(dict(total), connection=connection)
            total.clear()
    if in_database:
        stage_keys(connection, total)
        return merge_staged(connection)
    return written + apply_deltas(dict(total), connection=connection)
