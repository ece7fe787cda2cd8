"""Operations-centre figures of citizen reports for a period, and their CSV exports.

A report counts in the period it was filed in (local dates). Timeliness,
resolution time, satisfaction and reopen rate are over the reports resolved
in the period. Resolution time is in working days from filing to resolution
(Vietnamese holidays skipped); on time means resolved on or before the due date.
"""
import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.common.clock import VIETNAM, local_today
from app.common.workdays import working_days_between
from app.extensions import db
from app.registry import divisions
from app.reports import routing, states
from app.reports.models import Report, ReportCategory
from app.reports.settings import settings
from app.reports.transitions import reference

BOM = "\ufeff"
OVERDUE_LIMIT = 100


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @classmethod
    def of(cls, since: date | None, until: date | None, *, default_days: int = 30) -> "Period":
        until = until or local_today()
        return cls(since or until - timedelta(days=default_days - 1), until)


def _rows(period: Period):
    return db.session.execute(
        select(Report.id, ReportCategory.code, ReportCategory.name, Report.status, Report.commune_code,
               Report.agency_id, Report.filed_on, Report.due_date, Report.resolved_at, Report.rating,
               Report.reopen_count)
        .join(ReportCategory, Report.category_id == ReportCategory.id)
        .where(Report.filed_on >= period.since, Report.filed_on <= period.until)).all()


def _percentile(values: list[int], fraction: float) -> float | None:
    """Nearest-rank percentile (the value at or above `fraction` of the sorted values)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(fraction * len(ordered)) - 1)])


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def report_figures(period: Period) -> dict:
    rows = _rows(period)
    agencies = routing.agencies_by_id(r.agency_id for r in rows)
    communes = {c.code: c.name for c in divisions.communes_of(_province())}
    category_names = {r.code: r.name for r in rows}
    resolved = [r for r in rows if r.resolved_at is not None]
    resolved_on = {r.id: r.resolved_at.astimezone(VIETNAM).date() for r in resolved}
    days = [working_days_between(r.filed_on, resolved_on[r.id]) for r in resolved]
    on_time = sum(1 for r in resolved if r.due_date is None or resolved_on[r.id] <= r.due_date)
    ratings = [r.rating for r in rows if r.rating is not None]
    by = lambda key: Counter(key(r) for r in rows)  # noqa: E731
    return {
        "period": {"since": period.since, "until": period.until},
        "total": len(rows),
        "open": sum(1 for r in rows if r.status in states.OPEN),
        "by_status": [{"status": s, "count": by(lambda r: r.status).get(s, 0)} for s in states.STATES],
        "by_category": [{"code": code, "name": category_names[code], "count": n}
                        for code, n in by(lambda r: r.code).most_common()],
        "by_commune": [{"commune_code": code, "commune_name": communes.get(code, code), "count": n}
                       for code, n in by(lambda r: r.commune_code).most_common()],
        "by_agency": [{"agency_code": agencies[a].code if a in agencies else None,
                       "agency_name": agencies[a].name if a in agencies else None, "count": n}
                      for a, n in by(lambda r: r.agency_id).most_common()],
        "timeliness": {"resolved": len(resolved), "on_time": on_time, "late": len(resolved) - on_time,
                       "on_time_rate": _share(on_time, len(resolved))},
        "resolution_working_days": {"median": _percentile(days, 0.5), "p90": _percentile(days, 0.9)},
        "satisfaction": {"ratings": len(ratings),
                         "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
                         "satisfied_rate": _share(sum(1 for x in ratings if x >= 4), len(ratings))},
        "reopen_rate": _share(sum(1 for r in resolved if r.reopen_count > 0), len(resolved)),
    }


def overdue(limit: int | None = OVERDUE_LIMIT) -> list[dict]:
    """Open reports past their due date, most overdue first."""
    today = local_today()
    statement = (select(Report).where(Report.status.in_(states.OPEN), Report.due_date < today)
                 .order_by(Report.due_date, Report.id))
    if limit:
        statement = statement.limit(limit)
    reports = list(db.session.scalars(statement))
    agencies = routing.agencies_by_id(r.agency_id for r in reports)
    return [{"report_id": r.id, "reference": reference(r), "category": r.category.code, "status": r.status,
             "commune_code": r.commune_code, "agency_name": agencies[r.agency_id].name if r.agency_id in agencies
             else None, "filed_on": r.filed_on, "due_date": r.due_date,
             "working_days_overdue": working_days_between(r.due_date, today),
             "escalation_level": r.escalation_level, "latitude": r.latitude, "longitude": r.longitude}
            for r in reports]


def points(period: Period, limit: int = 2000) -> list[dict]:
    """Every report of the period as a point for the offline map (public ones and private alike: staff only)."""
    rows = db.session.execute(
        select(Report.latitude, Report.longitude, Report.status, ReportCategory.code)
        .join(ReportCategory, Report.category_id == ReportCategory.id)
        .where(Report.filed_on >= period.since, Report.filed_on <= period.until)
        .order_by(Report.created_at.desc()).limit(limit)).all()
    return [{"lat": r.latitude, "lon": r.longitude, "status": r.status, "category": r.code,
             "open": r.status in states.OPEN} for r in rows]


def _province() -> str:
    return settings().province_code


TABLES = {
    "reports-categories": (("code", "name", "count"), lambda p: report_figures(p)["by_category"]),
    "reports-status": (("status", "count"), lambda p: report_figures(p)["by_status"]),
    "reports-communes": (("commune_code", "commune_name", "count"), lambda p: report_figures(p)["by_commune"]),
    "reports-agencies": (("agency_code", "agency_name", "count"), lambda p: report_figures(p)["by_agency"]),
    "reports-overdue": (("reference", "category", "status", "commune_code", "agency_name", "filed_on", "due_date",
                         "working_days_overdue", "escalation_level", "report_id"), lambda p: overdue(None)),
}


def csv_text(table: str, period: Period) -> str:
    columns, rows = TABLES[table]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows(period):
        writer.writerow(["" if row.get(c) is None else row[c].isoformat() if hasattr(row.get(c), "isoformat")
                         else row[c] for c in columns])
    return buffer.getvalue()
