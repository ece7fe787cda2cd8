"""Applies a state-machine transition to a report, with everything that goes with it.

`fire` asks `states.check` whether the actor may, then in the caller's
transaction: changes the state, sets the times and the clock, writes the
timeline entry, queues a notification for every follower (the reporter and
each "me too") and publishes the domain event. The caller holds the report's
row lock and commits.
"""
from dataclasses import dataclass
from datetime import date, datetime
import uuid

from sqlalchemy import select

from app.common import events
from app.common.auth import Principal
from app.common.clock import local_today, utcnow
from app.common.workdays import add_working_days
from app.extensions import db
from app.notifications.service import notify
from app.reports import states
from app.reports.access import actor_of, facts_of
from app.reports.errors import (
    REFUSALS, ReasonRequired, RefusedAction, ReopenUsed, TransitionNotAllowed, WindowClosed,
)
from app.reports.models import Report, ReportFollower, ReportTimelineEntry

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class ReportChanged:
    """The payload of every `report.*` event."""
    report_id: uuid.UUID
    action: str
    status: str
    category_code: str
    commune_code: str
    agency_id: uuid.UUID | None
    reporter_account_id: uuid.UUID | None
    due_date: date | None
    at: datetime


def fire(report: Report, action: str, principal: Principal | None, *, window_days: int,
         reason: str | None = None, data: dict | None = None, params: dict | None = None,
         changes: dict | None = None) -> states.Transition:
    """Applies `action` to `report` as `principal` (None: the system).

    `changes` (column: value) are set once the actor is checked against the report as it
    was, before the timeline, the notifications and the event see it (a new agency).
    """
    transition = check(report, action, principal, window_days=window_days, reason=reason)
    for name, value in (changes or {}).items():
        setattr(report, name, value)
    previous = report.status
    report.status = transition.target
    _apply_effects(report, transition)
    record(report, action, principal, from_status=previous, to_status=transition.target, reason=reason, data=data)
    announce(report, transition, reason, params)
    return transition


def check(report: Report, action: str, principal: Principal | None, *, window_days: int,
          reason: str | None = None) -> states.Transition:
    """The transition if `principal` may fire `action` now; otherwise the API error saying why."""
    try:
        return states.check(action, facts_of(report, window_days), actor_of(principal), reason=reason)
    except states.NotAllowedInState as error:
        raise TransitionNotAllowed(errors={"status": [report.status]}) from error
    except states.NotPermitted as error:
        raise RefusedAction(REFUSALS[error.code], code=error.code) from error
    except states.ReasonMissing as error:
        raise ReasonRequired(errors={"reason": [ReasonRequired.message]}) from error
    except states.GuardFailed as error:
        raise (ReopenUsed() if error.code == "reopen_used" else WindowClosed()) from error
    except states.UnknownReportAction as error:
        raise TransitionNotAllowed(errors={"action": [action]}) from error


def record(report: Report, action: str, principal: Principal | None, *, from_status=None, to_status=None,
           reason: str | None = None, data: dict | None = None) -> ReportTimelineEntry:
    entry = ReportTimelineEntry(
        report_id=report.id, action=action, from_status=from_status, to_status=to_status,
        account_id=principal.account_id if principal else None,
        actor_id=principal.actor_id if principal else None,
        actor_role=principal.role if principal else SYSTEM_ROLE,
        reason=(reason or "").strip() or None,
        data={k: (v if isinstance(v, str | int | float | bool | None) else str(v)) for k, v in (data or {}).items()},
    )
    db.session.add(entry)
    return entry


def _apply_effects(report: Report, transition: states.Transition) -> None:
    now, action = utcnow(), transition.action
    if action == "acknowledge" and report.acknowledged_at is None:
        report.acknowledged_at = now
    elif action == "resolve":
        report.resolved_at = now
    elif action == "reopen":
        # the agency gets the category's full time again, counted from today
        report.reopen_count += 1
        report.due_date = add_working_days(local_today(), report.category.deadline_days)
        report.escalation_level = 0
    if transition.target in states.FINAL:
        report.closed_at = now


def follower_ids(report: Report) -> list[uuid.UUID]:
    return list(db.session.scalars(select(ReportFollower.account_id).where(ReportFollower.report_id == report.id)
                                   .order_by(ReportFollower.created_at)))


def notification_params(report: Report, reason: str | None = None) -> dict:
    params = {"reference": reference(report), "category_name": report.category.name}
    if report.due_date:
        params["due_date"] = report.due_date.isoformat()
    if reason:
        params["reason"] = reason.strip()
    return params


def reference(report: Report) -> str:
    """The short code people read out (the first block of the id)."""
    return str(report.id).split("-")[0].upper()


def announce(report: Report, transition: states.Transition, reason: str | None, params: dict | None = None) -> None:
    if transition.notify:
        values = {**notification_params(report, reason), **(params or {})}
        for account_id in follower_ids(report):
            notify(transition.notify, account_id=account_id, params=values)
    if transition.publish:
        publish(transition.publish, report, transition.action)


def publish(name: str, report: Report, action: str) -> None:
    events.publish(name, change=ReportChanged(
        report_id=report.id, action=action, status=report.status, category_code=report.category.code,
        commune_code=report.commune_code, agency_id=report.agency_id,
        reporter_account_id=report.reporter_account_id, due_date=report.due_date, at=utcnow()))
