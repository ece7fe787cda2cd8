"""`flask dashboard rebuild`: recounts every live counter from the domains' public replays.

Each domain replays its rows as the payloads its events carry
(`app.dossiers.public.replay_transitions`, `app.payments.public.replay_payments`
and `replay_refunds`, `app.identity.public.replay_accounts`); the same
contribution functions the live handlers use (projections.py) count them.
Rows are streamed in batches and the counts written whenever `flush_keys`
distinct keys have piled up, so memory stays bounded at millions of rows. On
PostgreSQL the raw increments are copied to a scratch table and rolled up by
the database in one statement per grain.

Run it when nothing else writes (an operator command, a backfill after a bulk
load): changes committed meanwhile would be counted twice or not at all.
"""
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from app.assistance.figures import EVENTS
from app.assistance.models import DAY, TEAM, FigureCounter, Team
from app.dashboard import projections
from app.dashboard.counters import Key, apply_deltas, merge_staged, stage_keys
from app.dashboard.models import Counter, OpenDossier
from app.dossiers.public import replay_transitions
from app.identity.public import replay_accounts
from app.payments.public import replay_payments, replay_refunds

_MIRROR_BATCH = 5000


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
    if source.mirror:
        connection.execute(delete(OpenDossier))
    in_database = connection.dialect.name == "postgresql"
    total: Tally = Tally()
    open_rows: list[dict] = []
    written = 0
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
            if in_database:
                stage_keys(connection, total)
            else:
                written += apply_deltas(dict(total), connection=connection)
            total.clear()
    if open_rows:
        connection.execute(insert(OpenDossier.__table__), open_rows)
    if in_database:
        stage_keys(connection, total)
        return merge_staged(connection)
    return written + apply_deltas(dict(total), connection=connection)


def rebuild_assistance(session) -> int:
    """Recounts the help figures from the assistance domain's own daily team counters."""
    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(projections.ASSISTANCE.values())))
    metric_of = {name: projections.ASSISTANCE[event_name] for name, event_name in EVENTS.items()}
    rows = session.execute(select(FigureCounter.metric, FigureCounter.start, Team.commune_code,
                                  FigureCounter.value)
                           .join(Team, Team.id == FigureCounter.team_id)
                           .where(FigureCounter.period == DAY, FigureCounter.member_id == TEAM))
    deltas: dict[Key, int] = {}
    for name, day, commune, value in rows:
        key = Key(metric_of[name], day, commune_code=commune)
        deltas[key] = deltas.get(key, 0) + value
    return apply_deltas(deltas, connection=connection)


def rebuild_all(session) -> None:
    """Every source, then the help figures, in the caller's transaction (the caller commits)."""
    for source in SOURCES:
        rebuild(source, session)
    rebuild_assistance(session)
