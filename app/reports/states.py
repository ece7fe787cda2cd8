"""The citizen report's states, the transitions between them, and who may fire each.

This module is the only place that knows them. Plain Python: the service hands
it the facts of a report and of the person acting; `transitions.fire` applies
what it returns, with a timeline entry, the reporter's notification and the
domain event, in one transaction.

    received ──auto_route / route──▶ assigned ──acknowledge──▶ in_progress ──resolve──▶ resolved
       │                              │  ▲                        │  ▲  note               │   │
       │                              │  └──────transfer──────────┘  │                      │   └─close / auto_close─▶ closed
       ├─refuse─▶ refused ◀─refuse────┘                             acknowledge            reopen (once, by the reporter)
       └─merge──▶ merged ◀──merge── assigned, in_progress            │                      │
                                                                 reopened ◀─────────────────┘

`route` (a dispatcher) and `transfer` (an officer, with a reason) both send a
report to another agency; the due date stays (the citizen's wait does not
restart because the state passed it between offices).
"""
import uuid
from dataclasses import dataclass

from app.reports.errors import (  # the state machine's own refusals
    GuardFailed, NotAllowedInState, NotPermitted, ReasonMissing, StateError, UnknownReportAction,
)

RECEIVED = "received"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"
REFUSED = "refused"
MERGED = "merged"
REOPENED = "reopened"

STATES = (RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, REFUSED, MERGED, REOPENED)
FINAL = frozenset({CLOSED, REFUSED, MERGED})
# The agency still has to act: the deadline clock runs, escalation watches these
OPEN = frozenset({RECEIVED, ASSIGNED, IN_PROGRESS, REOPENED})
# Open311's two statuses
OPEN311_STATUS = {s: ("open" if s in OPEN else "closed") for s in STATES}
# A new report may be a duplicate of these
DUPLICATE_CANDIDATES = frozenset({RECEIVED, ASSIGNED, IN_PROGRESS, REOPENED})

# Who may fire a transition
REPORTER = "reporter"
OFFICER = "officer"          # an officer (or leader) of the report's agency, within its commune
DISPATCHER = "dispatcher"    # the IOC's triage
SYSTEM = "system"

CITIZEN_ROLE, OFFICER_ROLE, APPROVER_ROLE, DISPATCHER_ROLE = "citizen", "officer", "approver", "dispatcher"
OFFICER_ROLES = frozenset({OFFICER_ROLE, APPROVER_ROLE})

# Guards
REOPEN_ALLOWED = "reopen_allowed"     # first reopen, inside the window after resolution
WINDOW_OPEN = "window_open"           # rating inside the window after resolution


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: str
    reason_required: bool = False
    guard: str | None = None
    notify: str | None = None      # the followers' notification
    publish: str | None = None     # the domain event


def _t(action, sources, target, who, **kwargs) -> Transition:
    return Transition(action, frozenset(sources), target, who, **kwargs)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("auto_route", {RECEIVED}, ASSIGNED, SYSTEM, notify="report_received", publish="report.assigned"),
    _t("route", {RECEIVED, ASSIGNED}, ASSIGNED, DISPATCHER, notify="report_routed", publish="report.assigned"),
    _t("refuse", {RECEIVED, ASSIGNED}, REFUSED, DISPATCHER, reason_required=True,
       notify="report_refused", publish="report.refused"),
    _t("merge", {RECEIVED, ASSIGNED, IN_PROGRESS, REOPENED}, MERGED, DISPATCHER,
       notify="report_merged", publish="report.merged"),
    _t("acknowledge", {ASSIGNED, REOPENED}, IN_PROGRESS, OFFICER,
       notify="report_in_progress", publish="report.in_progress"),
    _t("note", {IN_PROGRESS}, IN_PROGRESS, OFFICER, reason_required=True, notify="report_progress"),
    _t("transfer", {ASSIGNED, IN_PROGRESS, REOPENED}, ASSIGNED, OFFICER, reason_required=True,
       notify="report_routed", publish="report.assigned"),
    _t("resolve", {IN_PROGRESS}, RESOLVED, OFFICER, reason_required=True,
       notify="report_resolved", publish="report.resolved"),
    _t("close", {RESOLVED}, CLOSED, REPORTER, guard=WINDOW_OPEN, publish="report.closed"),
    _t("auto_close", {RESOLVED}, CLOSED, SYSTEM, publish="report.closed"),
    _t("reopen", {RESOLVED}, REOPENED, REPORTER, reason_required=True, guard=REOPEN_ALLOWED,
       notify="report_reopened", publish="report.reopened"),
)}
ACTIONS = tuple(TRANSITIONS)


@dataclass(frozen=True)
class Actor:
    role: str
    account_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    commune_code: str | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(role=SYSTEM)


@dataclass(frozen=True)
class Facts:
    status: str
    reporter_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    commune_code: str | None
    reopen_count: int = 0
    within_window: bool = True     # less than the rating window since resolution



def check(action: str, facts: Facts, actor: Actor, *, reason: str | None = None) -> Transition:
    """The transition `actor` may fire now, or a `StateError` saying why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise UnknownReportAction(action)
    _check_actor(transition, facts, actor)
    if facts.status not in transition.sources:
        raise NotAllowedInState(f"{action} from {facts.status}")
    if transition.reason_required and not (reason or "").strip():
        raise ReasonMissing(action)
    if transition.guard in (REOPEN_ALLOWED, WINDOW_OPEN) and not facts.within_window:
        raise GuardFailed("window_closed")
    if transition.guard == REOPEN_ALLOWED and facts.reopen_count >= 1:
        raise GuardFailed("reopen_used")
    return transition


def allowed_actions(facts: Facts, actor: Actor) -> list[str]:
    """What `actor` could fire now (reasons aside), for clients to offer."""
    allowed = []
    for action, transition in TRANSITIONS.items():
        if transition.who == SYSTEM or facts.status not in transition.sources:
            continue
        try:
            check(action, facts, actor, reason="-")
        except StateError:
            continue
        allowed.append(action)
    return allowed


def _check_actor(transition: Transition, facts: Facts, actor: Actor) -> None:
    who = transition.who
    if who == SYSTEM:
        if actor.role != SYSTEM:
            raise NotPermitted("forbidden_role")
    elif who == REPORTER:
        if actor.role != CITIZEN_ROLE:
            raise NotPermitted("forbidden_role")
        if actor.account_id is None or actor.account_id != facts.reporter_id:
            raise NotPermitted("not_reporter")
    elif who == DISPATCHER:
        if actor.role != DISPATCHER_ROLE:
            raise NotPermitted("forbidden_role")
    else:
        if actor.role not in OFFICER_ROLES:
            raise NotPermitted("forbidden_role")
        if not in_staff_scope(actor, facts):
            raise NotPermitted("out_of_scope")


def in_staff_scope(actor: Actor, facts: Facts) -> bool:
    """Officers act on their own agency's reports, and only their commune's when they have one."""
    if actor.agency_id is None or actor.agency_id != facts.agency_id:
        return False
    return actor.commune_code is None or actor.commune_code == facts.commune_code
