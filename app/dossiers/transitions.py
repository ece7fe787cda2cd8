"""Applies a workflow transition to a dossier, with everything that goes with it.

`fire` asks `states.check` whether the actor may, then in the caller's
transaction: changes the state, moves the due-date clock, writes the timeline
entry, queues the citizen's notification and publishes the domain event
(payments and the dashboard listen). The caller holds the dossier's row lock
and commits.
"""
from collections.abc import Callable

from app.common import events
from app.common.auth import Principal
from app.common.clock import local_today, utcnow
from app.dossiers import events as dossier_events
from app.dossiers import states
from app.dossiers.access import actor_of, facts_of
from app.dossiers.errors import ReasonCodeMissing, ReasonMissing, TransitionNotAllowed
from app.dossiers.events import DossierTransitioned
from app.dossiers.models import FEE_UNPAID as FEE_UNPAID_STATUS
from app.dossiers.models import FEE_PAID, FROM_REGISTRY, REUSED_RESULT, Dossier, DossierBundle, TimelineEntry
from app.dossiers.receipt_codes import due_date, next_receipt_code, paused_working_days
from app.errors import N_, Conflict, Forbidden
from app.extensions import db
from app.notifications.service import notify

SYSTEM_ROLE = "system"


LEADER_APPROVAL = N_("A second supplement request on the same dossier needs the agency leader's approval: "
                     "the leader sends it.")
REFUSALS = {
    "forbidden_role": N_("Your role does not allow this action."),
    "out_of_scope": N_("This record is outside your agency or commune."),
    "not_assignee": N_("Only the officer this dossier is assigned to may do this."),
    "not_owner": N_("Only the citizen who owns this dossier may do this."),
    "leader_approval_required": LEADER_APPROVAL,
}
REASON_REQUIRED = N_("A reason is required for this action.")
REASON_CODE_REQUIRED = N_("Choose a reason code from the list for this action.")
FEE_UNPAID = N_("The fee has not been paid yet; the dossier cannot be received.")


def fire(dossier: Dossier, action: str, principal: Principal | None, *, reason: str | None = None,
         data: dict | None = None, reason_code: str | None = None) -> states.Transition:
    """Applies `action` to `dossier` as `principal` (None: the system)."""
    transition = check(dossier, action, principal, reason=reason, reason_code=reason_code)
    previous = dossier.status
    dossier.status = transition.target
    _apply_effects(dossier, transition)
    if action in states.REASON_CODES:
        data = {**(data or {}), "reason_code": reason_code}
    record(dossier, action, principal, from_status=previous, to_status=transition.target,
           reason=reason, data=data)
    _announce(dossier, transition, reason)
    _publish(dossier, transition, previous, principal, reason_code)
    if dossier.bundle_id is not None and _bundle_reaction is not None:
        _bundle_reaction(dossier, transition)
    return transition


# A bundle reacts to its members' transitions and fires transitions itself, so
# bundles.py registers its reaction here at start (app/dossiers/__init__.py)
# rather than this module importing it.
_bundle_reaction: Callable[[Dossier, states.Transition], None] | None = None


def react_to_bundle_members(reaction: Callable[[Dossier, states.Transition], None]) -> None:
    global _bundle_reaction
    _bundle_reaction = reaction


def check(dossier: Dossier, action: str, principal: Principal | None, *,
          reason: str | None = None, reason_code: str | None = None) -> states.Transition:
    """The transition if `principal` may fire `action` now; otherwise the API error saying why."""
    actor = actor_of(principal) if principal else states.Actor.system()
    try:
        return states.check(action, facts_of(dossier), actor, reason=reason, reason_code=reason_code)
    except states.NotAllowedInState as error:
        raise TransitionNotAllowed(errors={"status": [dossier.status]}) from error
    except states.NotPermitted as error:
        raise Forbidden(REFUSALS[error.code], code=error.code) from error
    except states.ReasonRequired as error:
        raise ReasonMissing(REASON_REQUIRED, errors={"reason": [REASON_REQUIRED]}) from error
    except states.ReasonCodeRequired as error:
        raise ReasonCodeMissing(REASON_CODE_REQUIRED, errors={"reason_code": [REASON_CODE_REQUIRED]}) from error
    except states.GuardFailed as error:
        raise Conflict(FEE_UNPAID, code=error.code) from error


def record(dossier: Dossier, action: str, principal: Principal | None, *, from_status=None,
           to_status=None, reason: str | None = None, data: dict | None = None) -> TimelineEntry:
    """Writes one timeline entry: who (and which helper, if delegated), what, why."""
    entry = TimelineEntry(
        dossier_id=dossier.id, action=action, from_status=from_status, to_status=to_status,
        account_id=principal.account_id if principal else None,
        actor_id=principal.actor_id if principal else None,
        actor_role=principal.role if principal else SYSTEM_ROLE,
        reason=(reason or "").strip() or None, data=_jsonable(data or {}),
    )
    db.session.add(entry)
    return entry


def _apply_effects(dossier: Dossier, transition: states.Transition) -> None:
    now, today = utcnow(), local_today()
    action = transition.action
    if action in states.SUBMISSIONS:
        dossier.receipt_code = next_receipt_code(dossier.agency.code, today)
        dossier.submitted_at = now
        dossier.due_date = _bundle_due(dossier) or due_date(today, dossier.procedure.processing_days)
    elif action == "receive":
        dossier.received_at = now
        # the processing time counts from reception (a bundle keeps its one due date)
        dossier.due_date = _bundle_due(dossier) or due_date(today, dossier.procedure.processing_days)
    elif transition.clock == "pause":
        dossier.paused_on = today
        dossier.supplement_count = (dossier.supplement_count or 0) + 1
    elif transition.clock == "resume":
        paused = paused_working_days(dossier.paused_on, today)
        dossier.paused_days += paused
        dossier.paused_on = None
        if dossier.bundle_id is None and dossier.due_date is not None:
            dossier.due_date = due_date(dossier.due_date, paused)
    if transition.target in states.FINAL:
        dossier.completed_at = now


def _bundle_due(dossier: Dossier):
    if dossier.bundle_id is None:
        return None
    return db.session.get(DossierBundle, dossier.bundle_id).due_date


def notification_params(dossier: Dossier, reason: str | None = None) -> dict:
    params = {"receipt_code": dossier.receipt_code, "procedure_name": dossier.procedure.name,
              "due_date": dossier.due_date.isoformat() if dossier.due_date else None}
    if reason:
        params["reason"] = reason.strip()
    return params


def _desk_params(dossier: Dossier) -> dict:
    """A dossier taken at the desk: the citizen learns it is in the app, and what fee to pay there."""
    params = {"channel": dossier.channel}
    if dossier.fee_status == FEE_UNPAID_STATUS:
        params["fee_amount"] = dossier.fee_amount
    return params


def _announce(dossier: Dossier, transition: states.Transition, reason: str | None) -> None:
    if transition.notify:
        params = notification_params(dossier, reason)
        if transition.action == "submit_at_desk":
            params.update(_desk_params(dossier))
        if transition.action == "request_supplement" and dossier.supplement_count > 1:
            params["supplement_number"] = dossier.supplement_count   # the leader approved it
        notify(transition.notify, account_id=dossier.citizen_account_id, params=params)


def _publish(dossier: Dossier, transition: states.Transition, previous: str | None,
             principal: Principal | None, reason_code: str | None) -> None:
    """`dossier.transitioned`, and the transition's meaning if it has one, with the same payload."""
    payload = _payload(dossier, transition, previous, principal, reason_code)
    if transition.publish:
        events.publish(transition.publish, payload)
    events.publish(dossier_events.TRANSITIONED, payload)


def _payload(dossier: Dossier, transition: states.Transition, previous: str | None,
             principal: Principal | None, reason_code: str | None) -> DossierTransitioned:
    finished = transition.target in states.FINAL
    documents = list(dossier.documents) if finished else []
    return DossierTransitioned(
        dossier_id=dossier.id, action=transition.action, from_status=previous, to_status=dossier.status,
        at=utcnow(), actor_id=principal.account_id if principal else None,
        citizen_account_id=dossier.citizen_account_id, agency_id=dossier.agency_id,
        commune_code=dossier.commune_code, procedure_code=dossier.procedure.code,
        receipt_code=dossier.receipt_code, channel=dossier.channel, assignee_id=dossier.assigned_officer_id,
        submitted_at=dossier.submitted_at, received_at=dossier.received_at, completed_at=dossier.completed_at,
        due_date=dossier.due_date, paused_days=dossier.paused_days or 0,
        supplement_count=dossier.supplement_count or 0, fee_amount=dossier.fee_amount or 0,
        fee_status=dossier.fee_status,
        paid_online=dossier.fee_status == FEE_PAID and dossier.fee_payment_id is not None,
        reason_code=reason_code,
        electronic_result=(transition.target == states.RESULT_ISSUED) if finished else None,
        registry_prefill=any(v.get("source") == FROM_REGISTRY for v in (dossier.prefill or {}).values())
        if finished else None,
        reused_documents=any(d.source == REUSED_RESULT for d in documents) if finished else None,
        digitised=bool(documents) if finished else None,
        helper_id=principal.actor_id if principal else None,
    )


def _jsonable(data: dict) -> dict:
    return {key: (str(value) if not isinstance(value, str | int | float | bool | list | dict | None) else value)
            for key, value in data.items()}
