"""The complaint workflow (phản ánh, kiến nghị): states, transitions and who may fire each.

Plain Python, table-driven, like `app.dossiers.states`:

    filed ──accept──▶ in_progress ──answer──▶ answered
      │  │              │   ▲
      │  │  request_info│   │provide_info
      │  │              ▼   │
      │  └─request_info─▶ info_requested
      └──refuse──▶ refused
    filed / info_requested / in_progress ──withdraw──▶ withdrawn

Deadlines (working days from filing, as the Decision 766 index counts them):
an answer within 15, a refusal within 2, a request for more information within 5.
The answer's clock stops while the complaint waits for the citizen's information
(`request_info` pauses it, `provide_info` resumes it) and the due date moves by
the working days it stood still (`run_clock`).
"""
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.common.workdays import add_working_days, working_days_between

from app.quality.errors import (  # the state machine's own refusals
    ComplaintStateError, NoteMissing, NotAllowedInState, NotPermitted, UnknownAction,
)

FILED, IN_PROGRESS, INFO_REQUESTED = "filed", "in_progress", "info_requested"
ANSWERED, REFUSED, WITHDRAWN = "answered", "refused", "withdrawn"
STATES = (FILED, IN_PROGRESS, INFO_REQUESTED, ANSWERED, REFUSED, WITHDRAWN)
FINAL = frozenset({ANSWERED, REFUSED, WITHDRAWN})
OPEN = frozenset(STATES) - FINAL

PAUSE, RESUME = "pause", "resume"     # what a transition does to the answer's clock
OWNER, OFFICER = "owner", "officer"      # the citizen who filed it; an officer or leader of its agency
CITIZEN_ROLE, STAFF_ROLES = "citizen", frozenset({"officer", "approver"})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: str
    note_required: bool = False
    notify: str | None = None           # the citizen's notification
    clock: str | None = None            # PAUSE or RESUME the answer's deadline


def _t(action, sources, target, who, **kwargs) -> Transition:
    return Transition(action, frozenset(sources), target, who, **kwargs)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("accept", {FILED}, IN_PROGRESS, OFFICER, notify="complaint_accepted"),
    _t("refuse", {FILED}, REFUSED, OFFICER, note_required=True, notify="complaint_refused"),
    _t("request_info", {FILED, IN_PROGRESS}, INFO_REQUESTED, OFFICER, note_required=True,
       notify="complaint_info_requested", clock=PAUSE),
    _t("provide_info", {INFO_REQUESTED}, IN_PROGRESS, OWNER, note_required=True, clock=RESUME),
    _t("answer", {IN_PROGRESS}, ANSWERED, OFFICER, note_required=True, notify="complaint_answered"),
    _t("withdraw", {FILED, INFO_REQUESTED, IN_PROGRESS}, WITHDRAWN, OWNER),
)}
ACTIONS = tuple(TRANSITIONS)


@dataclass(frozen=True)
class Facts:
    status: str
    owner_id: uuid.UUID
    agency_id: uuid.UUID


@dataclass(frozen=True)
class Actor:
    role: str
    account_id: uuid.UUID
    agency_id: uuid.UUID | None = None


def check(action: str, facts: Facts, actor: Actor, *, note: str | None = None) -> Transition:
    """The transition `actor` may fire now, or a `ComplaintStateError` saying why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise UnknownAction(action)
    _check_actor(transition, facts, actor)
    if facts.status not in transition.sources:
        raise NotAllowedInState(f"{action} from {facts.status}")
    if transition.note_required and not (note or "").strip():
        raise NoteMissing(action)
    return transition


def allowed_actions(facts: Facts, actor: Actor) -> list[str]:
    allowed = []
    for action, transition in TRANSITIONS.items():
        if facts.status not in transition.sources:
            continue
        try:
            _check_actor(transition, facts, actor)
        except NotPermitted:
            continue
        allowed.append(action)
    return allowed


def _check_actor(transition: Transition, facts: Facts, actor: Actor) -> None:
    if transition.who == OWNER:
        if actor.role != CITIZEN_ROLE:
            raise NotPermitted("forbidden_role")
        if actor.account_id != facts.owner_id:
            raise NotPermitted("not_owner")
        return
    if actor.role not in STAFF_ROLES:
        raise NotPermitted("forbidden_role")
    if actor.agency_id != facts.agency_id:
        raise NotPermitted("out_of_scope")


@dataclass(frozen=True)
class Clock:
    """The answer's deadline: the due date, the day it stopped (if it stands still), working days stood still."""
    due_date: date
    paused_on: date | None = None
    paused_days: int = 0


def paused_working_days(paused_on: date | None, resumed_on: date) -> int:
    """Working days the clock stood still: those strictly between the request and the citizen's answer.

    The day the information was asked for and the day it came back both still count
    as handling days (as for a dossier's supplement); weekends and holidays never count.
    """
    if paused_on is None:
        return 0
    return working_days_between(paused_on, resumed_on - timedelta(days=1))


def run_clock(transition: Transition, clock: Clock, today: date) -> Clock:
    """The clock after `transition` fired on `today`: stopped, or restarted with the due date moved."""
    if transition.clock == PAUSE:
        return replace(clock, paused_on=today)
    if transition.clock == RESUME and clock.paused_on is not None:
        paused = paused_working_days(clock.paused_on, today)
        return Clock(add_working_days(clock.due_date, paused), None, clock.paused_days + paused)
    return clock
