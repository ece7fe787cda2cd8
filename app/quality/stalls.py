"""The stall detector: dossiers with no state change for longer than their state's limit.

Limits are in working hours (8:00-12:00 and 13:00-17:00 Vietnam time on
working days) per state (`QualitySettings.stall_limits_hours`). Past the limit
the responsible officer is told (the assignee, else the agency's officers);
past `stall_leader_factor` times the limit, the agency's leaders. Each level
once per stay in a state (a state change starts again at level 0); finished
dossiers are never flagged.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.common.clock import VIETNAM, utcnow
from app.common.workdays import is_working_day
from app.extensions import db
from app.identity import staff as identity_staff
from app.common.roles import APPROVER, OFFICER
from app.notifications.service import notify
from app.quality.models import QualityDossier
from app.quality.settings import QualitySettings

_SHIFTS = ((time(8), time(12)), (time(13), time(17)))


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours between two instants (office hours of working days, Vietnam time)."""
    if end <= start:
        return 0.0
    start, end = start.astimezone(VIETNAM), end.astimezone(VIETNAM)
    total, day = 0.0, start.date()
    while day <= end.date():
        if is_working_day(day):
            for opens, closes in _SHIFTS:
                lo = max(start, datetime.combine(day, opens, VIETNAM))
                hi = min(end, datetime.combine(day, closes, VIETNAM))
                if hi > lo:
                    total += (hi - lo).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def level_for(hours: float, limit: int, leader_factor: int) -> int:
    if hours >= limit * leader_factor:
        return 2
    return 1 if hours >= limit else 0


def scan_stalls(settings: QualitySettings, now: datetime | None = None) -> int:
    """Flags stalled dossiers and tells whom each level tells; returns the number of notices. Caller commits."""
    now = now or utcnow()
    limits = settings.stall_limits_hours
    shortest = min(limits.values())
    # working hours never exceed calendar hours: only rows older than the shortest limit can be stalled
    candidates = db.session.scalars(
        select(QualityDossier).where(QualityDossier.is_open.is_(True), QualityDossier.status.in_(tuple(limits)),
                                     QualityDossier.stall_level < 2,
                                     QualityDossier.state_since < now - timedelta(hours=shortest))
        .order_by(QualityDossier.state_since).with_for_update(skip_locked=True))
    sent = 0
    for record in candidates:
        limit = limits[record.status]
        hours = working_hours_between(record.state_since, now)
        level = level_for(hours, limit, settings.stall_leader_factor)
        if level <= record.stall_level:
            continue
        params = {"receipt_code": record.receipt_code or "", "status": record.status,
                  "hours": int(hours), "limit": limit}
        recipients = []
        if record.stall_level < 1:
            recipients += ([record.assignee_id] if record.assignee_id else
                           identity_staff.staff_ids(OFFICER, agency_id=record.agency_id,
                                                    commune_code=record.commune_code))
        if level == 2:
            recipients += identity_staff.staff_ids(APPROVER, agency_id=record.agency_id,
                                                   commune_code=record.commune_code)
        for account_id in recipients:
            notify("dossier_stalled", account_id=account_id, params=params)
            sent += 1
        record.stall_level = level
    return sent
