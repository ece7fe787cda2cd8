"""`flask dashboard rebuild`: recounts every live counter from the domains' public replays.

Each domain replays its rows as the payloads its events carry
(`app.dossiers.public.replay_transitions`, `app.payments.public.replay_payments`
and `replay_refunds`, `app.identity.public.replay_accounts`); the same
contribution functions the live handlers use (projections.py) count them.
Rows are streamed in batches and the counts written whenever `flush_keys`
distinct keys have piled up, so memory stays bounded at millions of rows. On
PostgreSQL the raw increments are copied to a scratch table and rolled up by
the database in one statement per grain; the full rebuild
(`rebuild_swapped`, what the command runs there) writes them into a new
table that replaces the live one at the end.

Run it when nothing else writes (an operator command, a backfill after a bulk
load): changes committed meanwhile would be counted twice or not at all.
"""
import logging
import re
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from app.assistance.figures import EVENTS
from app.assistance.models import DAY, TEAM, FigureCounter, Team
from app.dashboard import projections
from app.dashboard.counters import Key, apply_deltas, merge_staged, stage_keys
from app.dashboard.models import Counter, OpenDossier
from app.dashboard.settings import settings
from app.dossiers.public import replay_transitions
from app.identity.public import replay_accounts
from app.payments.public import replay_payments, replay_refunds

_MIRROR_BATCH = 5000
log = logging.getLogger("app.dashboard")


@dataclass(frozen=True)
class Source:
    """One domain's replay and what its payloads count."""

    name: str
    metrics: tuple[str, ...]
    replay: Callable[..., Iterable]
    after: Callable[[dict], object]                 # the payload's state after (projections' *_states)
    contributions: Callable[[object], Iterable[tuple[Key, int]]]
    mirror: bool = False                             # keeps dashboard_open_dossiers (dossiers)


ACCOUNTS, DOSSIERS, PAYMENTS, REFUNDS = SOURCES = (
    Source("accounts", projections.ACCOUNT_METRICS, replay_accounts,
           lambda payload: projections.account_states(payload)[1], projections.account_contributions),
    Source("dossiers", projections.DOSSIER_METRICS, replay_transitions,
           lambda payload: projections.dossier_states(payload)[1], projections.dossier_contributions, mirror=True),
    Source("payments", projections.PAYMENT_METRICS, replay_payments,
           lambda payload: projections.moved_states(payload)[1], projections.payment_contributions),
    Source("refunds", projections.REFUND_METRICS, replay_refunds,
           lambda payload: projections.moved_states(payload)[1], projections.refund_contributions),
)


def rebuild(source: Source, session, batch_size: int = 5000, flush_keys: int = 200_000) -> int:
    """Recounts one source's metrics from its domain's replay; returns counter rows written."""
    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(source.metrics)))
    if connection.dialect.name == "postgresql":
        _recount(source, session, lambda total: stage_keys(connection, total), batch_size, flush_keys)
        return merge_staged(connection)
    written = [0]

    def write(total):
        written[0] += apply_deltas(dict(total), connection=connection)
    _recount(source, session, write, batch_size, flush_keys)
    return written[0]


def _recount(source: Source, session, flush: Callable[[Tally], None], batch_size: int, flush_keys: int) -> None:
    """Feeds the source's replay through its contributions, handing `flush` the counts in bounded piles."""
    connection = session.connection()
    if source.mirror:
        connection.execute(delete(OpenDossier))
    total: Tally = Tally()
    open_rows: list[dict] = []
    for payload in source.replay(batch_size=batch_size, session=session):
        state = source.after(vars(payload))
        for key, amount in source.contributions(state):
            total[key] += amount
        if source.mirror and projections.is_open(state):
            open_rows.append(projections.open_row(state))
            if len(open_rows) >= _MIRROR_BATCH:
                connection.execute(insert(OpenDossier.__table__), open_rows)
                open_rows = []
        if len(total) >= flush_keys:
            flush(total)
            total.clear()
    if open_rows:
        connection.execute(insert(OpenDossier.__table__), open_rows)
    flush(total)


def rebuild_assistance(session) -> int:
    """Recounts the help figures from the assistance domain's own daily team counters."""
    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(projections.ASSISTANCE.values())))
    return apply_deltas(_assistance_deltas(session), connection=connection)


def _assistance_deltas(session) -> dict[Key, int]:
    metric_of = {name: projections.ASSISTANCE[event_name] for name, event_name in EVENTS.items()}
    rows = session.execute(select(FigureCounter.metric, FigureCounter.start, Team.commune_code,
                                  FigureCounter.value)
                           .join(Team, Team.id == FigureCounter.team_id)
                           .where(FigureCounter.period == DAY, FigureCounter.member_id == TEAM))
    deltas: dict[Key, int] = {}
    for name, day, commune, value in rows:
        key = Key(metric_of[name], day, commune_code=commune)
        deltas[key] = deltas.get(key, 0) + value
    return deltas


# -- PostgreSQL: the whole table recounted beside the live one, then swapped in -------------------
_LIVE, _NEXT = "dashboard_counters", "dashboard_counters_next"
_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX (\S+) ON (\S+) (USING .*)$")


def rebuild_swapped(session) -> dict[str, int]:
    """Every counter recounted into a new table that replaces the live one (PostgreSQL).

    Tens of millions of rows go several times faster into an empty table with no
    index, the indexes built once at the end, than into the live table, whose
    unique index still holds every row version the recount deleted. Readers keep
    the old figures until the swap, which locks the table only for the rename.
    The caller commits; a failure rolls everything back and the live table stays.
    Returns counter rows written per source.
    """
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")   # index builds sort in memory
    # the roll-up (GROUP BY CUBE of ten million staged keys) hashes in memory instead of sorting on disk:
    # at three million dossiers its time went 246 s (4MB, the default) -> 211 (256MB) -> 142 (1GB)
    connection.exec_driver_sql(f"SET LOCAL work_mem = '{settings().rebuild_work_mem}'")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_NEXT}")
    connection.exec_driver_sql(f"CREATE TABLE {_NEXT} (LIKE {_LIVE} INCLUDING DEFAULTS)")
    written = {}
    for source in SOURCES:
        started = time.perf_counter()
        _recount(source, session, lambda total: stage_keys(connection, total), 5000, 200_000)
        counted = time.perf_counter()
        written[source.name] = merge_staged(connection, table=_NEXT, fresh=True)
        log.info("rebuild %s: replayed and counted in %.1fs, %d rows rolled up in %.1fs", source.name,
                 counted - started, written[source.name], time.perf_counter() - counted)
    stage_keys(connection, _assistance_deltas(session))
    written["assistance_figures"] = merge_staged(connection, table=_NEXT, fresh=True)
    started = time.perf_counter()
    _swap_in(connection)
    log.info("rebuild: indexes built and table swapped in %.1fs", time.perf_counter() - started)
    return written


def _swap_in(connection) -> None:
    """Gives the new table the live one's indexes and primary key, then puts it in its place."""
    indexes = connection.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
        (_LIVE,)).all()
    primary = connection.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", (_LIVE,)).scalar()
    for name, definition in indexes:
        unique, _name, _table, rest = _INDEX.match(definition).groups()
        connection.exec_driver_sql(f"CREATE {unique or ''}INDEX {name}_next ON {_NEXT} {rest}")
    connection.exec_driver_sql(f"LOCK TABLE {_LIVE} IN ACCESS EXCLUSIVE MODE")
    connection.exec_driver_sql(f"DROP TABLE {_LIVE}")
    connection.exec_driver_sql(f"ALTER TABLE {_NEXT} RENAME TO {_LIVE}")
    for name, _definition in indexes:
        if name == primary:
            connection.exec_driver_sql(f"ALTER TABLE {_LIVE} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}_next")
        else:
            connection.exec_driver_sql(f"ALTER INDEX {name}_next RENAME TO {name}")
    connection.exec_driver_sql(f"ANALYZE {_LIVE}")


def rebuild_all(session) -> None:
    """Every source, then the help figures, in the caller's transaction (the caller commits)."""
    for source in SOURCES:
        rebuild(source, session)
    rebuild_assistance(session)
