"""Day rows of the counters are dropped once their months are long closed; month rows stay.

Every counted change writes day rows and month rows (counters.py). A period
reads whole months from month rows and only its ragged ends, and the daily
fee series, from day rows, so day rows of old months are needed only for
periods that start or end mid-month that long ago. They are most of the
table: at province scale, 20.1 of the 21.7 million rows three million
dossiers leave.

`compact()` keeps the day rows of the last `DASHBOARD_DAY_ROWS_MONTHS`
months (the current one counting) and deletes older ones. It first records
the new horizon (`dashboard_compaction.day_rows_from`) and commits, so from
then on a figure that would need a deleted day row is refused with 422
`period_before_day_rows` instead of being answered from a half-deleted
month; then it deletes metric by metric, one transaction each. Day rows that
land before the horizon later (a late change counted on an old day, a
rebuild) are deleted by the next run; month rows are never touched.
"""
import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from app.common.clock import local_today, utcnow
from app.dashboard.errors import PeriodBeforeDayRows
from app.dashboard.models import DAY, Compaction, Counter
from app.dashboard.settings import settings
from app.extensions import db

log = logging.getLogger("app.dashboard")

_CACHE = "dashboard.day_rows_from"   # per session: one read per request, however many figures


@dataclass(frozen=True)
class Compacted:
    day_rows_from: date | None
    deleted: int


def day_rows_from() -> date | None:
    """The first day whose day rows are kept (None: every day's)."""
    info = db.session.info
    if _CACHE not in info:
        info[_CACHE] = db.session.scalar(select(Compaction.day_rows_from).where(Compaction.id == 1))
    return info[_CACHE]


def require_day_rows(first: date, last: date) -> None:
    """Refuses a range of days whose day rows may be gone."""
    horizon = day_rows_from()
    if horizon is not None and first <= last and first < horizon:
        raise PeriodBeforeDayRows(day=horizon.isoformat())


def horizon_for(months: int, today: date) -> date:
    """The first day of the oldest of the last `months` months (today's month counting)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def compact(months: int | None = None, *, today: date | None = None) -> Compacted:
    """Deletes the day rows older than the last `months` months (0: keeps every day row)."""
    months = settings().day_rows_months if months is None else months
    if months <= 0:
        return Compacted(day_rows_from(), 0)
    horizon = _record_horizon(horizon_for(months, today or local_today()))
    deleted = 0
    for metric in _metrics():   # one transaction per metric, each read through the primary key
        deleted += db.session.execute(delete(Counter).where(
            Counter.metric == metric, Counter.grain == DAY, Counter.day < horizon)).rowcount
        db.session.commit()
    log.info("dashboard compaction: day rows kept from %s, %s deleted", horizon, deleted)
    return Compacted(horizon, deleted)


def _metrics() -> list[str]:
    """The metrics present, one primary-key lookup each (a skip scan, not a pass over the table)."""
    found, metric = [], ""
    while metric := db.session.scalar(select(func.min(Counter.metric)).where(Counter.metric > metric)):
        found.append(metric)
    return found


def _record_horizon(wanted: date) -> date:
    """Moves the horizon forward to `wanted` (never back: the older day rows are gone) and commits."""
    row = db.session.get(Compaction, 1, with_for_update=True)
    if row is None:
        row = Compaction(id=1, day_rows_from=wanted)
        db.session.add(row)
    row.day_rows_from = max(row.day_rows_from, wanted)
    row.compacted_at = utcnow()
    horizon = row.day_rows_from
    db.session.commit()
    db.session.info.pop(_CACHE, None)
    return horizon
