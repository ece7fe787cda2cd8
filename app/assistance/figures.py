"""Team figures: what members and teams did with residents, per day and per month.

Counters are written in the transaction of what they count (an upsert per
row, rows locked in key order), for the member and for the whole team
(member '*'), by day and by month. `residents_helped` counts people: a
resident helped twice in a month counts once for that month (a marker row per
resident and period decides). Each count also publishes a domain event
(`assistance.resident_helped`, ...) for the operations-centre figures.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.assistance.events import TeamFigureCounted
from app.assistance.models import DAY, MONTH, TEAM, FigureCounter, HelpedResident, Team
from app.common import events
from app.common.clock import VIETNAM, utcnow
from app.extensions import db
from app.identity import public as identity

RESIDENTS_HELPED = "residents_helped"
ACCOUNTS_REGISTERED = "accounts_registered"
ACCOUNTS_ACTIVATED = "accounts_activated"
DOSSIERS_SUBMITTED = "dossiers_submitted"
PAYMENTS_COMPLETED = "payments_completed"
METRICS = (RESIDENTS_HELPED, ACCOUNTS_REGISTERED, ACCOUNTS_ACTIVATED, DOSSIERS_SUBMITTED, PAYMENTS_COMPLETED)
EVENTS = {
    RESIDENTS_HELPED: "assistance.resident_helped",
    ACCOUNTS_REGISTERED: "assistance.account_registered",
    ACCOUNTS_ACTIVATED: "assistance.account_activated",
    DOSSIERS_SUBMITTED: "assistance.dossier_submitted",
    PAYMENTS_COMPLETED: "assistance.payment_completed",
}


def local_day(moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(VIETNAM).date()


def count(metric: str, *, team_id: uuid.UUID, member_id: uuid.UUID, commune_code: str,
          delegation_id: uuid.UUID | None, personal_id: str | None = None, at: datetime | None = None,
          session=None) -> bool:
    """Adds one to `metric` for the member and the team, by day and month (in the caller's transaction).

    For `residents_helped`, `personal_id` says who: each period counts them once.
    Returns False when nothing was counted (that resident was already counted).
    """
    day = local_day(at)
    month = day.replace(day=1)
    keys = sorted([(str(member_id), DAY, day), (TEAM, DAY, day), (str(member_id), MONTH, month),
                   (TEAM, MONTH, month)])
    connection = (session or db.session).connection()
    if metric == RESIDENTS_HELPED:
        keys = [key for key in keys if _first_time(connection, team_id, key, personal_id)]
    if not keys:
        return False
    for member, period, start in keys:
        connection.execute(_increment(connection.dialect.name, team_id, member, period, start, metric))
    if metric != RESIDENTS_HELPED or (TEAM, DAY, day) in keys:
        events.publish(EVENTS[metric], TeamFigureCounted(
            team_id=team_id, member_id=member_id, commune_code=commune_code, delegation_id=delegation_id,
            day=day, first_in_month=(TEAM, MONTH, month) in keys))
    return True


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _first_time(connection, team_id, key, personal_id) -> bool:
    member, period, start = key
    table = HelpedResident.__table__
    statement = _insert(connection.dialect.name)(table).values(
        team_id=team_id, member_id=member, period=period, start=start, personal_id=personal_id)
    # RETURNING tells whether the row went in (rowcount is not reliable for every driver here)
    inserted = connection.execute(statement.on_conflict_do_nothing().returning(table.c.personal_id))
    return inserted.first() is not None


def _increment(dialect: str, team_id, member, period, start, metric):
    table = FigureCounter.__table__
    statement = _insert(dialect)(table).values(team_id=team_id, member_id=member, period=period, start=start,
                                               metric=metric, value=1)
    return statement.on_conflict_do_update(
        index_elements=["team_id", "member_id", "period", "start", "metric"],
        set_={"value": table.c.value + 1})


# -- reading ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    period: str
    start: date
    end: date
    by: str                                   # member | team | commune
    team_ids: list[uuid.UUID] | None = None   # None: every team
    member_id: uuid.UUID | None = None


def report(query: Query) -> list[dict]:
    """One row per (member, team or commune) and period start, every metric in it, oldest first."""
    first = query.start.replace(day=1) if query.period == MONTH else query.start
    statement = select(FigureCounter).where(FigureCounter.period == query.period,
                                            FigureCounter.start >= first, FigureCounter.start <= query.end)
    if query.team_ids is not None:
        statement = statement.where(FigureCounter.team_id.in_(query.team_ids))
    if query.member_id is not None:
        statement = statement.where(FigureCounter.member_id == str(query.member_id))
    elif query.by == "member":
        statement = statement.where(FigureCounter.member_id != TEAM)
    else:
        statement = statement.where(FigureCounter.member_id == TEAM)
    counters = list(db.session.scalars(statement))
    teams = {team.id: team for team in db.session.scalars(
        select(Team).where(Team.id.in_({c.team_id for c in counters})))} if counters else {}
    rows: dict[tuple, dict] = {}
    for counter in counters:
        team = teams[counter.team_id]
        key = _row_key(query, counter, team)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _empty_row(query, counter, team)
        row[counter.metric] = row.get(counter.metric, 0) + counter.value
    _name_members(rows.values())
    return sorted(rows.values(), key=lambda r: (r["start"], r["commune_code"], r.get("team_name") or "",
                                                r.get("member_name") or ""))


def _row_key(query: Query, counter: FigureCounter, team: Team) -> tuple:
    if query.by == "commune" and query.member_id is None:
        return (team.commune_code, counter.start)
    return (counter.team_id, counter.member_id, counter.start)


def _empty_row(query: Query, counter: FigureCounter, team: Team) -> dict:
    row = {"period": counter.period, "start": counter.start, "commune_code": team.commune_code,
           "team_id": None, "team_name": None, "member_id": None, "member_name": None,
           **dict.fromkeys(METRICS, 0)}
    if query.by != "commune" or query.member_id is not None:
        row.update(team_id=team.id, team_name=team.name)
    if counter.member_id != TEAM:
        row["member_id"] = uuid.UUID(counter.member_id)
    return row


def _name_members(rows) -> None:
    wanted = {row["member_id"] for row in rows if row["member_id"]}
    if not wanted:
        return
    names = identity.full_names(wanted)
    for row in rows:
        if row["member_id"]:
            row["member_name"] = names.get(row["member_id"])

