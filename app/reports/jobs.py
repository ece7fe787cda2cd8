"""The reports' periodic work: escalate overdue reports, close resolved ones nobody rated.

Both run in the worker (`scheduled.py` registers them) and are safe to run
twice or in two workers at once: each report is locked (`SKIP LOCKED` on
PostgreSQL) and re-checked before it changes, and an escalation level is
raised only once.
"""
from datetime import timedelta

from sqlalchemy import select

from app.common.clock import local_today, utcnow
from app.common.workdays import working_days_between
from app.extensions import db
from app.common.roles import APPROVER
from app.identity.staff import staff_ids
from app.notifications.service import notify
from app.reports import states
from app.reports.models import Report
from app.reports.settings import settings
from app.reports.transitions import fire, notification_params, publish, record

BATCH = 200


def escalation_level(overdue_days: int, steps: tuple) -> int:
    """How many escalation steps `overdue_days` working days past the due date have reached."""
    return sum(1 for step in steps if overdue_days >= step)


def escalate_overdue() -> int:
    """Raises the escalation level of overdue reports: the agency's leaders are told, the IOC flag set."""
    s, today = settings(), local_today()
    candidates = list(db.session.scalars(
        _locking(select(Report).where(Report.status.in_(states.OPEN), Report.due_date < today,
                                      Report.escalation_level < len(s.escalation_steps))
                 .order_by(Report.due_date, Report.id).limit(BATCH))))
    raised = 0
    for report in candidates:
        level = escalation_level(working_days_between(report.due_date, today), s.escalation_steps)
        if level <= report.escalation_level:
            continue
        report.escalation_level = level
        report.ioc_flag = True
        record(report, "escalate", None, data={"level": level})
        if report.agency_id is not None:
            params = {**notification_params(report), "level": level}
            for leader_id in staff_ids(role=APPROVER, agency_id=report.agency_id):
                notify("report_escalated", account_id=leader_id, params=params)
        publish("report.escalated", report, "escalate")
        raised += 1
    db.session.commit()
    return raised


def close_unrated() -> int:
    """Resolved reports the reporter neither rated nor reopened within the window close themselves."""
    s = settings()
    cutoff = utcnow() - timedelta(days=s.window_days)
    reports = list(db.session.scalars(
        _locking(select(Report).where(Report.status == states.RESOLVED, Report.resolved_at < cutoff)
                 .order_by(Report.resolved_at, Report.id).limit(BATCH))))
    for report in reports:
        fire(report, "auto_close", None, window_days=s.window_days)
    db.session.commit()
    return len(reports)


def _locking(statement):
    if db.session.get_bind().dialect.name == "postgresql":
        return statement.with_for_update(of=Report, skip_locked=True)
    return statement
