"""Additive counters kept current in the transaction of the change they count.

A counter is identified by a metric, the day it belongs to (a local Vietnam
date) and its dimensions. Every increment is rolled up when written:

- over the filter dimensions (commune, agency, procedure): one increment with
  all three given updates the exact row and every combination where some are
  replaced by `ALL`, so a figure filtered by any of them, or by none, reads
  its own rows;
- over time: a row for the day and a row for its month (`grain` "d" and "m",
  the month's row dated on its first day). A period reads whole months from
  month rows and only its ragged ends from day rows: at most 24 months and 60
  days per group, however long the period.

    bump("dossiers.channel", day=today, commune_code="27727", bucket="online")

Writes are INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), sorted by
key so concurrent transactions lock shared rows in the same order; large
batches (a rebuild) go through COPY on PostgreSQL.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import product

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app.dashboard.models import ALL, DAY, MONTH, NONE, Counter
from app.dashboard.retention import require_day_rows
from app.extensions import db

FILTER_DIMENSIONS = ("commune_code", "agency_id", "procedure_code")
KEY_COLUMNS = ("metric", "grain", "commune_code", "agency_id", "procedure_code", "day",
               "status", "gateway", "bucket")
_CHUNK = 5000
_COPY_FROM = 20_000   # rows; fewer go through the ON CONFLICT statement


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

    def rows(self) -> Iterable[tuple]:
        """The counter rows (KEY_COLUMNS order) of this key and its roll-ups."""
        choices = [(ALL,) if value in (None, ALL) else (str(value), ALL)
                   for value in (self.commune_code, self.agency_id, self.procedure_code)]
        days = ((DAY, self.day), (MONTH, self.day.replace(day=1)))
        for (grain, day), (commune, agency, procedure) in product(days, product(*choices)):
            yield (self.metric, grain, commune, agency, procedure, day, self.status, self.gateway, self.bucket)


def bump(metric: str, delta: int = 1, *, day: date, session=None, **dimensions) -> None:
    """Adds `delta` to a counter and its roll-ups in the current transaction."""
    apply_deltas({Key(metric, day, **dimensions): delta}, session=session)


def apply_deltas(deltas: Mapping[Key, int], *, session=None, connection=None) -> int:
    """Applies several increments at once; returns how many counter rows changed."""
    rows: dict[tuple, int] = defaultdict(int)
    for key, delta in deltas.items():
        if delta:
            for row in key.rows():
                rows[row] += delta
    ordered = sorted((row, delta) for row, delta in rows.items() if delta)
    if not ordered:
        return 0
    connection = connection or (session or db.session).connection()
    if connection.dialect.name == "postgresql" and len(ordered) >= _COPY_FROM:
        _copy_and_merge(connection, ordered)
        return len(ordered)
    statement = _upsert(connection.dialect.name)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        connection.execute(statement, [dict(zip(KEY_COLUMNS, row), value=delta) for row, delta in chunk])
    return len(ordered)


_MERGE = f"""
INSERT INTO dashboard_counters ({", ".join(KEY_COLUMNS)}, value)
SELECT {", ".join(KEY_COLUMNS)}, value FROM dashboard_counter_deltas ORDER BY {", ".join(KEY_COLUMNS)}
ON CONFLICT ({", ".join(KEY_COLUMNS)}) DO UPDATE SET value = dashboard_counters.value + EXCLUDED.value
"""


def _copy_and_merge(connection, ordered) -> None:
    """Large batches (a rebuild) on PostgreSQL: COPY into a scratch table, then one merging INSERT."""
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS dashboard_counter_deltas "
        "(LIKE dashboard_counters) ON COMMIT DELETE ROWS")
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY dashboard_counter_deltas ({', '.join(KEY_COLUMNS)}, value) FROM STDIN") as copy:
        for row, delta in ordered:
            copy.write_row((*row, delta))
    connection.exec_driver_sql(_MERGE)
    connection.exec_driver_sql("TRUNCATE dashboard_counter_deltas")


# -- rebuilding on PostgreSQL: stage the raw keys, let the database roll them up ------------------
_STAGE_COLUMNS = ("metric", "day", "commune_code", "agency_id", "procedure_code", "status", "gateway", "bucket",
                  "value")


def stage_keys(connection, deltas: Mapping[Key, int]) -> None:
    """Copies raw increments into a scratch table of this transaction (PostgreSQL)."""
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS dashboard_staged_keys (metric text, day date, commune_code text, "
        "agency_id text, procedure_code text, status text, gateway text, bucket text, value bigint) "
        "ON COMMIT DROP")
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY dashboard_staged_keys ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
        for key, delta in deltas.items():
            if delta:
                copy.write_row((key.metric, key.day, _known(key.commune_code), _known(key.agency_id),
                                _known(key.procedure_code), key.status, key.gateway, key.bucket, delta))


def _known(value):
    return None if value in (None, ALL) else str(value)


def _rolled(column: str) -> str:
    return f"CASE WHEN GROUPING({column}) = 1 THEN '{ALL}' ELSE {column} END"


def merge_staged(connection, table: str = "dashboard_counters", fresh: bool = False) -> int:
    """Adds the staged increments to the counters, rolled up over every filter dimension and both grains.

    The same rows as `Key.rows()` writes one increment at a time (GROUP BY CUBE,
    leaving out groups where a dimension was not known), each written once.
    `fresh`: `table` holds none of these keys yet (a table being rebuilt), so the
    rows are plainly inserted.
    """
    written = 0
    conflict = "" if fresh else (f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) "
                                 f"DO UPDATE SET value = {table}.value + EXCLUDED.value")
    for grain, period in ((DAY, "day"), (MONTH, "CAST(date_trunc('month', day) AS date)")):
        result = connection.exec_driver_sql(f"""
            INSERT INTO {table} ({", ".join(KEY_COLUMNS)}, value)
            SELECT metric, '{grain}', {_rolled("commune_code")}, {_rolled("agency_id")},
                   {_rolled("procedure_code")}, period, status, gateway, bucket, SUM(value)
            FROM (SELECT *, {period} AS period FROM dashboard_staged_keys) AS staged
            GROUP BY metric, period, status, gateway, bucket, CUBE (commune_code, agency_id, procedure_code)
            HAVING (GROUPING(commune_code) = 1 OR commune_code IS NOT NULL)
               AND (GROUPING(agency_id) = 1 OR agency_id IS NOT NULL)
               AND (GROUPING(procedure_code) = 1 OR procedure_code IS NOT NULL)
               AND SUM(value) <> 0
            {conflict}
        """)
        written += result.rowcount
    connection.exec_driver_sql("TRUNCATE dashboard_staged_keys")
    return written


@cache
def _upsert(dialect: str):
    """One compiled statement, run with many parameter sets (executemany)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Counter.__table__)
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"value": Counter.__table__.c.value + statement.excluded.value},
    )


@dataclass(frozen=True)
class Filters:
    """Which part of the figures a request asks for (None = every value)."""

    start: date | None = None
    end: date | None = None
    commune_code: str | None = None
    agency_id: str | None = None
    procedure_code: str | None = None


def sums_of(metrics: tuple[str, ...], filters: Filters, group_by: tuple[str, ...] = (),
            *, ignore: tuple[str, ...] = ()) -> dict[str, dict[tuple, int]]:
    """SUM(value) of each metric's rows matching the filters, grouped by some key columns, in one
    statement: {metric: {key: total}}.

    Grouping by a filter dimension gives one entry per commune (agency,
    procedure); `ignore` names filter dimensions the metrics do not have.
    """
    columns = [getattr(Counter, name) for name in group_by]
    if "day" in group_by:   # a series by day reads day rows only
        ranges = [(DAY, filters.start or date.min, filters.end or date.max)]
    else:
        ranges = segments(filters.start, filters.end)
    for grain, first, last in ranges:
        if grain == DAY:
            require_day_rows(first, last)
    statement = select(Counter.metric, *columns, func.sum(Counter.value)).where(
        Counter.metric.in_(metrics),
        or_(*(and_(Counter.grain == grain, Counter.day >= first, Counter.day <= last)
              for grain, first, last in ranges)))
    for name in FILTER_DIMENSIONS:
        column = getattr(Counter, name)
        wanted = None if name in ignore else getattr(filters, name)
        if wanted:
            statement = statement.where(column == str(wanted))
        elif name in group_by:  # one row per commune (agency, procedure), not the roll-up
            statement = statement.where(column != ALL)
        else:
            statement = statement.where(column == ALL)
    found: dict[str, dict[tuple, int]] = {metric: {} for metric in metrics}
    rows = db.session.connection().execute(statement.group_by(Counter.metric, *columns)).all()
    for metric, *key, value in rows:
        found[metric][tuple(key)] = int(value or 0)
    return found


def total(metric: str, filters: Filters, **kwargs) -> int:
    return sums_of((metric,), filters, **kwargs)[metric].get((), 0)


def segments(start: date | None, end: date | None) -> list[tuple[str, date, date]]:
    """The period [start, end] (None: unbounded) as (grain, first row date, last row date) ranges.

    Days up to the first whole month, the whole months, the days after the
    last whole month; month rows are dated on the month's first day.
    """
    start, end = start or date.min, end or date.max
    if start > end:
        return [(DAY, start, end)]   # nothing matches
    found = []
    if start.day != 1:
        first_of_next = _next_month(start)
        found.append((DAY, start, min(end, first_of_next - timedelta(days=1))))
        start = first_of_next
    if start > end:
        return found
    tail = None
    if end != date.max and end.month == (end + timedelta(days=1)).month:   # not a month's last day
        tail = (DAY, end.replace(day=1), end)
        end = end.replace(day=1) - timedelta(days=1)
    if start <= end:
        found.append((MONTH, start, end.replace(day=1)))
    if tail:
        found.append(tail)
    return found


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
