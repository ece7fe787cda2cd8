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
"""
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.dashboard.counters import Key, apply_deltas

_PENDING = "dashboard.pending_deltas"


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
        values[name] = history.deleted[0] if history.deleted else getattr(obj, name)
    return SimpleNamespace(**values)


def _tracked(objects) -> dict[Projection, list]:
    found: dict[Projection, list] = {}
    for obj in objects:
        projection = _projections.get(type(obj))
        if projection is not None:
            found.setdefault(projection, []).append(obj)
    return found


def _before_flush(session, _flush_context, _instances) -> None:
    """Changed and deleted rows: their old and new states are both known before the flush."""
    deltas: Tally = Tally()
    context = Context(session.connection()) if _tracked(list(session.dirty) + list(session.deleted)) else None
    for projection, objects in _tracked(session.dirty).items():
        changed = [obj for obj in objects if obj not in session.deleted
                   and session.is_modified(obj, include_collections=False)]
        if changed:
            deltas.update(projection.tally([current_state(o, projection.attributes) for o in changed], context))
            deltas.subtract(projection.tally([previous_state(o, projection.attributes) for o in changed], context))
    for projection, objects in _tracked(session.deleted).items():
        deltas.subtract(projection.tally([previous_state(o, projection.attributes) for o in objects], context))
    session.info[_PENDING] = deltas


def _after_flush(session, _flush_context) -> None:
    """New rows count once their defaults (creation time...) are filled in."""
    deltas: Tally = session.info.pop(_PENDING, None) or Tally()
    new = _tracked(session.new)
    context = Context(session.connection())
    for projection, objects in new.items():
        deltas.update(projection.tally([current_state(o, projection.attributes) for o in objects], context))
    if any(deltas.values()):
        apply_deltas(dict(deltas), connection=context.connection)


def rebuild(projection: Projection, session, batch_size: int = 5000) -> int:
    """Recounts a projection's metrics from its table (backfill or repair); returns rows written.

    Run it when nothing else writes the model (an operator command): changes
    committed meanwhile would be counted twice or not at all.
    """
    from sqlalchemy import delete, select

    from app.dashboard.models import Counter

    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(projection.metrics)))
    columns = [getattr(projection.model, name) for name in projection.attributes]
    result = session.execute(select(*columns).execution_options(yield_per=batch_size))
    total: Tally = Tally()
    for rows in result.partitions():
        states = [SimpleNamespace(**dict(zip(projection.attributes, row))) for row in rows]
        total.update(projection.tally(states, Context(connection)))
    return apply_deltas(dict(total), connection=connection)
