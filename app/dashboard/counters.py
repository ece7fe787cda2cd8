"""Additive counters kept current in the transaction of the change they count.

A counter is identified by a metric, the day it belongs to (a local Vietnam
date) and its dimensions. The three filter dimensions (commune, agency,
procedure) are rolled up when written: one increment with all three given
updates 2**3 rows, the exact one and every combination where some are
replaced by `ALL`. A figure filtered by any of them, or by none, then reads a
few rows per day whatever the number of dossiers or citizens behind it.

    bump("dossiers.received", day=today, commune_code="27727", bucket="online")

Writes are INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), sorted by
key so concurrent transactions lock shared rows in the same order.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from itertools import product

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.common.clock import utcnow
from app.dashboard.models import ALL, NONE, Counter
from app.extensions import db

FILTER_DIMENSIONS = ("commune_code", "agency_id", "procedure_code")
KEY_COLUMNS = ("metric", "commune_code", "agency_id", "procedure_code", "day",
               "status", "gateway", "bucket")
_CHUNK = 500


@dataclass(frozen=True, order=True)
class Key:
    """What one increment counts. Filter dimensions left as None are not known (ALL only)."""

    metric: str
    day: date
    commune_code: str | None = None
    agency_id: str | None = None
    procedure_code: str | None = None
    status: str = NONE
    gateway: str = NONE
    bucket: str = NONE

    def rolled_up(self) -> Iterable["Key"]:
        """This key and every roll-up of its known filter dimensions."""
        choices = [(ALL,) if getattr(self, name) in (None, ALL) else (str(getattr(self, name)), ALL)
                   for name in FILTER_DIMENSIONS]
        for values in product(*choices):
            yield replace(self, **dict(zip(FILTER_DIMENSIONS, values)))

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in KEY_COLUMNS)


def bump(metric: str, delta: int = 1, *, day: date, session=None, **dimensions) -> None:
    """Adds `delta` to a counter and its roll-ups in the current transaction."""
    apply_deltas({Key(metric, day, **dimensions): delta}, session=session)


def apply_deltas(deltas: Mapping[Key, int], *, session=None, connection=None) -> int:
    """Applies several increments at once; returns how many counter rows changed."""
    rows: dict[tuple, int] = defaultdict(int)
    for key, delta in deltas.items():
        for rolled in key.rolled_up():
            rows[rolled.row()] += delta
    ordered = sorted((row, delta) for row, delta in rows.items() if delta)
    if not ordered:
        return 0
    connection = connection or (session or db.session).connection()
    now = utcnow()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        values = [dict(zip(KEY_COLUMNS, row), value=delta, updated_at=now) for row, delta in chunk]
        connection.execute(_upsert(connection.dialect.name, values))
    return len(ordered)


def _upsert(dialect: str, values: list[dict]):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Counter.__table__).values(values)
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"value": Counter.__table__.c.value + statement.excluded.value,
              "updated_at": statement.excluded.updated_at},
    )


@dataclass(frozen=True)
class Filters:
    """Which part of the figures a request asks for (None = every value)."""

    start: date | None = None
    end: date | None = None
    commune_code: str | None = None
    agency_id: str | None = None
    procedure_code: str | None = None


def sums(metric: str, filters: Filters, group_by: tuple[str, ...] = (),
         *, ignore: tuple[str, ...] = ()) -> dict[tuple, int]:
    """SUM(value) of a metric's rows matching the filters, grouped by some key columns.

    Grouping by a filter dimension gives one entry per commune (agency,
    procedure); `ignore` names filter dimensions the metric does not have.
    """
    columns = [getattr(Counter, name) for name in group_by]
    statement = select(*columns, func.sum(Counter.value)).where(Counter.metric == metric)
    for name in FILTER_DIMENSIONS:
        column = getattr(Counter, name)
        wanted = None if name in ignore else getattr(filters, name)
        if wanted:
            statement = statement.where(column == str(wanted))
        elif name in group_by:  # one row per commune (agency, procedure), not the roll-up
            statement = statement.where(column != ALL)
        else:
            statement = statement.where(column == ALL)
    if filters.start is not None:
        statement = statement.where(Counter.day >= filters.start)
    if filters.end is not None:
        statement = statement.where(Counter.day <= filters.end)
    if columns:
        statement = statement.group_by(*columns)
    return {tuple(row[:-1]): int(row[-1] or 0) for row in db.session.execute(statement)}


def total(metric: str, filters: Filters, **kwargs) -> int:
    return sums(metric, filters, **kwargs).get((), 0)
