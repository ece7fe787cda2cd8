"""Who may see a report, and the state machine's view of it and of the person acting."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.common.auth import OutOfScope, Principal
from app.common.clock import utcnow
from app.extensions import db
from app.common.roles import ADMIN, APPROVER, CITIZEN, DISPATCHER, LEADER, OFFICER
from app.reports import states
from app.reports.errors import ReportNotFound
from app.reports.models import Report

WIDE_ROLES = (DISPATCHER, ADMIN, LEADER)   # see every report of the province


def actor_of(principal: Principal | None) -> states.Actor:
    if principal is None:
        return states.Actor.system()
    return states.Actor(role=principal.role, account_id=principal.account_id,
                        agency_id=principal.agency_id, commune_code=principal.commune_code)


def facts_of(report: Report, window_days: int) -> states.Facts:
    within = report.resolved_at is None or utcnow() - report.resolved_at <= timedelta(days=window_days)
    return states.Facts(status=report.status, reporter_id=report.reporter_account_id,
                        agency_id=report.agency_id, commune_code=report.commune_code,
                        reopen_count=report.reopen_count, within_window=within)


def is_published(report: Report) -> bool:
    """Anyone may read it: a public category, not withdrawn by triage, not refused."""
    return report.public and report.category.public and report.status != states.REFUSED


def is_reporter(principal: Principal | None, report: Report) -> bool:
    return (principal is not None and principal.role == CITIZEN
            and report.reporter_account_id is not None and report.reporter_account_id == principal.account_id)


def staff_view(principal: Principal | None, report: Report) -> bool:
    """Whether `principal` sees the report as its staff (full detail, reporter included)."""
    if principal is None:
        return False
    if principal.role in WIDE_ROLES:
        return True
    if principal.role in (OFFICER, APPROVER):
        return states.in_staff_scope(actor_of(principal), facts_of(report, 0))
    return False


def ensure_visible(principal: Principal | None, report: Report | None) -> Report:
    """The report if `principal` may read it at all (the public sees published ones)."""
    if report is None:
        raise ReportNotFound()
    if is_reporter(principal, report) or staff_view(principal, report) or is_published(report):
        return report
    if principal is not None and principal.role in (OFFICER, APPROVER):
        raise OutOfScope()
    raise ReportNotFound()


def load(report_id: uuid.UUID, *, lock: bool = False) -> Report | None:
    statement = select(Report).where(Report.id == report_id)
    if lock:
        statement = statement.with_for_update(of=Report).execution_options(populate_existing=True)
    return db.session.scalars(statement).unique().first()
