"""The dossier workflow: states, the transitions between them, and who may fire each.

This module is the only place that knows them. It is plain Python (no Flask,
no SQLAlchemy): the service hands it the facts of a dossier and of the person
acting, and applies the transition it returns, with a timeline entry, the
citizen's notification and the domain event, in one transaction.

    draft ──submit──▶ submitted ──receive──▶ received ──assign──▶ in_processing
      │                 │  └──return──▶ returned                  │   ▲    │
      └─withdraw─▶ withdrawn ◀─withdraw─┘        request_supplement│   │resubmit
                                                                   ▼   │    │
                              supplement_requested ────────────────────┘    │
    in_processing ──propose──▶ pending_approval ──approve──▶ approved ──issue_result──▶ result_issued
                                    │  └──reject──▶ rejected
                                    └──send_back──▶ in_processing

A citizen who brings paper to the one-stop-shop desk has the officer of the
competent agency fire `submit_at_desk` (draft → submitted, the same effects as
`submit`); that draft exists only inside the intake's transaction.

Returns and supplement requests carry a reason code (`REASON_CODES`) besides the
text. A second supplement request on the same dossier needs the agency leader:
the approver fires it (the processing officer is refused `leader_approval_required`).

Dossiers of a linked bundle after the first wait in `queued` (the citizen's
one submission queues them); the system starts
one (`start`) when the one before has its result, or cancels it (`cancel`)
when the one before ended without one.
"""
import uuid
from dataclasses import dataclass

from app.dossiers.errors import (
    GuardFailed, NotAllowedInState, NotPermitted, ReasonCodeRequired, ReasonRequired, UnknownAction,
    WorkflowError,
)

# States
DRAFT = "draft"
QUEUED = "queued"
SUBMITTED = "submitted"
RECEIVED = "received"
RETURNED = "returned"
IN_PROCESSING = "in_processing"
SUPPLEMENT_REQUESTED = "supplement_requested"
PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"
REJECTED = "rejected"
RESULT_ISSUED = "result_issued"
WITHDRAWN = "withdrawn"
CANCELLED = "cancelled"

STATES = (DRAFT, QUEUED, SUBMITTED, RECEIVED, RETURNED, IN_PROCESSING, SUPPLEMENT_REQUESTED,
          PENDING_APPROVAL, APPROVED, REJECTED, RESULT_ISSUED, WITHDRAWN, CANCELLED)
# Finished: no transition leaves these states (the one definition of a finished dossier)
FINAL = frozenset({RETURNED, REJECTED, RESULT_ISSUED, WITHDRAWN, CANCELLED})
# The finished states that decided the request itself (returned, withdrawn and cancelled ones did not)
DECIDED = frozenset({RESULT_ISSUED, REJECTED})
# The processing clock runs in these states (it pauses while the citizen supplements)
CLOCK_RUNNING = frozenset({SUBMITTED, RECEIVED, IN_PROCESSING, PENDING_APPROVAL, APPROVED})
# Staff never see a dossier before it is submitted
PRIVATE = frozenset({DRAFT, QUEUED})
# The citizen may change the form and documents only in these states
EDITABLE = frozenset({DRAFT, SUPPLEMENT_REQUESTED})

# Who may fire a transition
OWNER = "owner"          # the citizen whose dossier it is (or a helper acting for them)
OFFICER = "officer"      # an officer of the dossier's agency and commune
ASSIGNEE = "assignee"    # the processing officer the dossier is assigned to
APPROVER = "approver"    # a leader of the dossier's agency and commune
SYSTEM = "system"        # the service itself (linked bundles)

CITIZEN_ROLE, OFFICER_ROLE, APPROVER_ROLE = "citizen", "officer", "approver"

# Guards (facts the transition needs)
FEE_SETTLED = "fee_settled"

# Why a dossier comes back: returns and supplement requests carry one of these codes plus a text,
# so the service-quality figures can say why dossiers come back
REASON_CODES: dict[str, tuple[str, ...]] = {
    "return": ("wrong_agency", "incomplete_dossier", "invalid_document", "not_eligible", "duplicate", "other"),
    "request_supplement": ("missing_document", "unreadable_document", "wrong_information", "expired_document",
                           "other"),
}
ALL_REASON_CODES = tuple(sorted({code for codes in REASON_CODES.values() for code in codes}))


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: str
    reason_required: bool = False
    guard: str | None = None
    notify: str | None = None      # the citizen's notification event
    publish: str | None = None     # the domain event other domains listen to
    clock: str | None = None       # "pause" | "resume": the due-date clock
    # Who must fire it when it was fired on this dossier before (a second supplement request: the leader)
    repeat_who: str | None = None


def _t(action, sources, target, who, **kwargs) -> Transition:
    return Transition(action, frozenset(sources), target, who, **kwargs)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("submit", {DRAFT}, SUBMITTED, OWNER, notify="dossier_submitted", publish="dossier.submitted"),
    _t("submit_at_desk", {DRAFT}, SUBMITTED, OFFICER, notify="dossier_submitted", publish="dossier.submitted"),
    _t("queue", {DRAFT}, QUEUED, OWNER),
    _t("start", {QUEUED}, SUBMITTED, SYSTEM, notify="dossier_submitted", publish="dossier.submitted"),
    _t("withdraw", {DRAFT, QUEUED, SUBMITTED}, WITHDRAWN, OWNER, publish="dossier.withdrawn"),
    _t("cancel", {DRAFT, QUEUED}, CANCELLED, SYSTEM, publish="dossier.withdrawn"),
    _t("receive", {SUBMITTED}, RECEIVED, OFFICER, guard=FEE_SETTLED,
       notify="dossier_received", publish="dossier.received"),
    _t("return", {SUBMITTED}, RETURNED, OFFICER, reason_required=True,
       notify="dossier_returned", publish="dossier.rejected"),
    _t("assign", {RECEIVED, IN_PROCESSING}, IN_PROCESSING, OFFICER),
    _t("request_supplement", {IN_PROCESSING}, SUPPLEMENT_REQUESTED, ASSIGNEE, reason_required=True,
       notify="supplement_requested", clock="pause", repeat_who=APPROVER),
    _t("resubmit", {SUPPLEMENT_REQUESTED}, IN_PROCESSING, OWNER, clock="resume"),
    _t("propose", {IN_PROCESSING}, PENDING_APPROVAL, ASSIGNEE),
    _t("send_back", {PENDING_APPROVAL}, IN_PROCESSING, APPROVER, reason_required=True),
    _t("approve", {PENDING_APPROVAL}, APPROVED, APPROVER, notify="dossier_approved"),
    _t("reject", {PENDING_APPROVAL}, REJECTED, APPROVER, reason_required=True,
       notify="dossier_rejected", publish="dossier.rejected"),
    _t("issue_result", {APPROVED}, RESULT_ISSUED, APPROVER,
       notify="result_issued", publish="dossier.result_issued"),
)}
ACTIONS = tuple(TRANSITIONS)
# Submissions: the dossier gets its receipt code and due date
SUBMISSIONS = frozenset({"submit", "submit_at_desk", "start"})
# Fired only inside another operation (bundle submission, desk intake), never offered on a dossier
INTERNAL_ACTIONS = frozenset({"queue", "submit_at_desk"})
# Actions people fire through the generic transitions endpoint (the others have their own)
MANUAL_ACTIONS = tuple(a for a, t in TRANSITIONS.items()
                       if t.who != SYSTEM and a not in ("submit", "issue_result", *INTERNAL_ACTIONS))


@dataclass(frozen=True)
class Actor:
    """Who is acting: an account with its role and scope, or the system."""
    role: str
    account_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    commune_code: str | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(role=SYSTEM)


@dataclass(frozen=True)
class Facts:
    """What the workflow needs to know about a dossier."""
    status: str
    owner_id: uuid.UUID
    agency_id: uuid.UUID | None
    commune_code: str | None
    assignee_id: uuid.UUID | None = None
    fee_status: str = "not_required"
    supplement_count: int = 0      # supplement requests made so far


def check(action: str, facts: Facts, actor: Actor, *, reason: str | None = None,
          reason_code: str | None = None) -> Transition:
    """The transition `actor` may fire now, or a `WorkflowError` saying why not.

    Returns and supplement requests also need a `reason_code` from `REASON_CODES`.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise UnknownAction(action)
    _check_actor(transition, facts, actor)
    if facts.status not in transition.sources:
        raise NotAllowedInState(f"{action} from {facts.status}")
    if transition.reason_required and not (reason or "").strip():
        raise ReasonRequired(action)
    if action in REASON_CODES and reason_code not in REASON_CODES[action]:
        raise ReasonCodeRequired(action)
    if transition.guard == FEE_SETTLED and facts.fee_status == "unpaid":
        raise GuardFailed("fee_unpaid")
    return transition


def allowed_actions(facts: Facts, actor: Actor) -> list[str]:
    """The actions `actor` could fire now (reasons aside), for clients to offer."""
    allowed = []
    for action, transition in TRANSITIONS.items():
        if action in INTERNAL_ACTIONS or transition.who == SYSTEM or facts.status not in transition.sources:
            continue
        try:
            _check_actor(transition, facts, actor)
        except NotPermitted:
            continue
        if transition.guard == FEE_SETTLED and facts.fee_status == "unpaid":
            continue
        allowed.append(action)
    return allowed


def _who(transition: Transition, facts: Facts) -> str:
    if transition.repeat_who and transition.action == "request_supplement" and facts.supplement_count >= 1:
        return transition.repeat_who
    return transition.who


def _check_actor(transition: Transition, facts: Facts, actor: Actor) -> None:
    who = _who(transition, facts)
    if who == SYSTEM:
        if actor.role != SYSTEM:
            raise NotPermitted("forbidden_role")
        return
    if who == OWNER:
        if actor.role != CITIZEN_ROLE:
            raise NotPermitted("forbidden_role")
        if actor.account_id != facts.owner_id:
            raise NotPermitted("not_owner")
        return
    wanted_role = APPROVER_ROLE if who == APPROVER else OFFICER_ROLE
    if actor.role != wanted_role:
        if who != transition.who and actor.role == OFFICER_ROLE:
            raise NotPermitted("leader_approval_required")   # a second supplement request
        raise NotPermitted("forbidden_role")
    if not in_staff_scope(actor, facts):
        raise NotPermitted("out_of_scope")
    if who == ASSIGNEE and actor.account_id != facts.assignee_id:
        raise NotPermitted("not_assignee")


def in_staff_scope(actor: Actor, facts: Facts) -> bool:
    """Staff act on their own agency's dossiers, and only their commune's when they have one."""
    if actor.agency_id is None or actor.agency_id != facts.agency_id:
        return False
    return actor.commune_code is None or actor.commune_code == facts.commune_code
