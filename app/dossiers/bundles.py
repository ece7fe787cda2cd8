"""Linked procedures (liên thông): one submission becomes one dossier per agency, run in order.

The citizen starts a bundle (one prefilled draft per step), fills the drafts,
and submits once. The first dossier is submitted; the others wait in
`queued`. When a dossier's result is issued, the next one starts by itself,
with the fields and documents its step takes from earlier results. If a
dossier ends without a result, the ones still waiting are cancelled. The
citizen follows one bundle: one receipt code, one status, one due date
(the linked procedure's processing days, extended while a supplement is awaited).
"""
import uuid

from sqlalchemy import select

from app.catalog import service as catalog
from app.catalog.models import LinkedProcedure
from app.common import events
from app.common.auth import Principal
from app.common.clock import local_today, utcnow
from app.common.pagination import paginate
from app.common.workdays import add_working_days
from app.dossiers import access, states
from app.dossiers.documents import attach_result
from app.dossiers.events import DUE_DATE_MOVED, DossierDueDateMoved
from app.dossiers.errors import AlreadySubmitted, BundleEnded, BundleNotFound, LinkedProcedureUnavailable
from app.dossiers.models import FROM_LINKED_RESULT, DigitizedResult, Dossier, DossierBundle
from app.dossiers.receipt_codes import due_date, next_receipt_code, paused_working_days
from app.dossiers.service import commit_or_conflict, ensure_level, ensure_open, incompleteness, new_dossier
from app.dossiers.transitions import fire
from app.errors import ValidationFailed
from app.extensions import db
from app.notifications.service import notify

BUNDLE_DRAFT, IN_PROGRESS, COMPLETED, STOPPED, WITHDRAWN = "draft", "in_progress", "completed", "stopped", "withdrawn"
BUNDLE_STATUSES = (BUNDLE_DRAFT, IN_PROGRESS, COMPLETED, STOPPED, WITHDRAWN)
_QUIET = frozenset({"submit", "queue", "start", "cancel"})  # transitions the bundle itself makes


def start_bundle(principal: Principal, linked_id: uuid.UUID) -> DossierBundle:
    """Starts one prefilled draft per step of a linked procedure."""
    linked = catalog.get_linked_procedure(linked_id)
    steps = catalog.linked_steps(linked)
    if linked.retired_at or len(steps) != len(linked.steps) or any(p.is_retired for _, p in steps):
        raise LinkedProcedureUnavailable()
    bundle = DossierBundle(linked_procedure=linked, citizen_account_id=principal.account_id, status=BUNDLE_DRAFT)
    db.session.add(bundle)
    db.session.flush()
    for position, (step, procedure) in enumerate(steps):
        new_dossier(principal, procedure, skip_prefill=frozenset(step.get("fields_from_results", {})),
                    presets=step.get("presets"), fee_exempt=bool(step.get("fee_exempt")),
                    bundle=bundle, position=position)
    db.session.commit()
    db.session.refresh(bundle)
    return bundle


def submit_bundle(principal: Principal, bundle_id: uuid.UUID) -> DossierBundle:
    """The one submission: checks every draft, submits the first, queues the others."""
    bundle = _owned(principal, bundle_id, lock=True)
    if bundle.status != BUNDLE_DRAFT:
        raise AlreadySubmitted()
    members = _locked_members(bundle)
    errors = {}
    for dossier, step in zip(members, bundle.linked_procedure.steps):
        ensure_level(principal, dossier.procedure)
        ensure_open(dossier.procedure)
        problems = incompleteness(dossier, skip_fields=frozenset(step.get("fields_from_results", {})),
                                  skip_documents=frozenset(step.get("documents_from_results", {})))
        if problems:
            errors[str(dossier.id)] = problems
    if errors:
        raise ValidationFailed(errors={"dossiers": errors})
    today = local_today()
    bundle.receipt_code = next_receipt_code(f"LT-{members[0].agency.province_code}", today)
    bundle.submitted_at = utcnow()
    bundle.due_date = due_date(today, bundle.linked_procedure.processing_days)
    bundle.status = IN_PROGRESS
    fire(members[0], "submit", principal, data={"bundle_receipt_code": bundle.receipt_code})
    for dossier in members[1:]:
        fire(dossier, "queue", principal, data={"bundle_receipt_code": bundle.receipt_code})
    commit_or_conflict()
    return bundle


def withdraw_bundle(principal: Principal, bundle_id: uuid.UUID, reason: str | None = None) -> DossierBundle:
    """Withdraws the bundle while its current dossier has not been received."""
    bundle = _owned(principal, bundle_id)
    current = current_member(bundle.dossiers)
    if current is None or bundle.status not in (BUNDLE_DRAFT, IN_PROGRESS):
        raise BundleEnded()
    # Lock order is always member, then bundle (as when an approver issues a result)
    current = access.load(current.id, lock=True)
    fire(current, "withdraw", principal, reason=reason)
    commit_or_conflict()
    return bundle


def get_bundle(principal: Principal, bundle_id: uuid.UUID) -> DossierBundle:
    return _owned(principal, bundle_id)


def my_bundles(principal: Principal, *, cursor=None, limit=20) -> dict:
    statement = select(DossierBundle).where(DossierBundle.citizen_account_id == principal.account_id)
    return paginate(db.session, statement, DossierBundle, cursor=cursor, limit=limit)


def current_member(members: list[Dossier]) -> Dossier | None:
    """The dossier the bundle is waiting on: the first one not yet ended."""
    return next((d for d in members if d.status not in states.FINAL), None)


# -- reacting to the members' transitions (called by transitions.fire) ----------------------

def on_member_changed(dossier: Dossier, transition: states.Transition) -> None:
    if transition.action in _QUIET:
        return
    bundle = _lock(dossier.bundle_id)
    if transition.target == states.RESULT_ISSUED:
        _advance(bundle, dossier)
    elif transition.target in states.FINAL:
        _stop(bundle, dossier, transition)
    elif transition.clock == "pause":
        bundle.paused_on = local_today()
    elif transition.clock == "resume":
        _resume(bundle)


def _advance(bundle: DossierBundle, finished: Dossier) -> None:
    members = bundle.dossiers
    following = next((d for d in members if d.bundle_position == finished.bundle_position + 1), None)
    linked: LinkedProcedure = bundle.linked_procedure
    if following is None:
        bundle.status, bundle.completed_at = COMPLETED, utcnow()
        _progress(bundle)
        return
    step = linked.steps[following.bundle_position]
    results = _results_by_position(members[:following.bundle_position])
    _fill_from_results(following, step, results)
    for code, position in step.get("documents_from_results", {}).items():
        if position in results:
            attach_result(following, code, results[position])
    fire(following, "start", None, data={"after_dossier_id": finished.id})
    _progress(bundle, step_name=following.procedure.name)


def _fill_from_results(dossier: Dossier, step: dict, results: dict[int, DigitizedResult]) -> None:
    """Copies the fields the step takes from earlier results, remembering where each came from."""
    fetched_at = utcnow().isoformat()
    form_data, prefill = dict(dossier.form_data), dict(dossier.prefill)
    for position in sorted(results):
        result = results[position]
        for field, result_field in step.get("fields_from_results", {}).items():
            if result_field in result.data:
                form_data[field] = result.data[result_field]
                prefill[field] = {"value": result.data[result_field], "source": FROM_LINKED_RESULT,
                                  "result_id": str(result.id), "fetched_at": fetched_at}
    dossier.form_data, dossier.prefill = form_data, prefill


def _results_by_position(members: list[Dossier]) -> dict[int, DigitizedResult]:
    by_dossier = {d.id: d.bundle_position for d in members}
    if not by_dossier:
        return {}
    rows = db.session.scalars(select(DigitizedResult).where(DigitizedResult.dossier_id.in_(by_dossier)))
    return {by_dossier[row.dossier_id]: row for row in rows}


def _stop(bundle: DossierBundle, ended: Dossier, transition: states.Transition) -> None:
    bundle.status = WITHDRAWN if transition.action == "withdraw" else STOPPED
    bundle.completed_at = utcnow()
    for dossier in bundle.dossiers:
        if dossier is not ended and dossier.status in (states.DRAFT, states.QUEUED):
            fire(dossier, "cancel", None, data={"because_of_dossier_id": ended.id})
    if transition.action != "withdraw":
        _progress(bundle, stopped_at=ended.procedure.name)


def _resume(bundle: DossierBundle) -> None:
    today = local_today()
    paused = paused_working_days(bundle.paused_on, today)
    bundle.paused_days += paused
    bundle.paused_on = None
    if bundle.due_date is not None:
        bundle.due_date = add_working_days(bundle.due_date, paused)
    for dossier in bundle.dossiers:
        moved = dossier.due_date is not None and dossier.due_date != bundle.due_date
        if dossier.status not in states.FINAL and moved:
            dossier.due_date = bundle.due_date
            events.publish(DUE_DATE_MOVED, DossierDueDateMoved(dossier.id, dossier.status, dossier.due_date, utcnow()))


def _progress(bundle: DossierBundle, **params) -> None:
    members = bundle.dossiers
    notify("bundle_progress", account_id=bundle.citizen_account_id, params={
        "bundle_code": bundle.receipt_code, "receipt_code": bundle.receipt_code,
        "procedure_name": bundle.linked_procedure.name, "status": bundle.status,
        "completed": sum(d.status == states.RESULT_ISSUED for d in members), "total": len(members),
        "due_date": bundle.due_date.isoformat() if bundle.due_date else None, **params})


def _lock(bundle_id: uuid.UUID) -> DossierBundle | None:
    statement = (select(DossierBundle).where(DossierBundle.id == bundle_id)
                 .with_for_update(of=DossierBundle).execution_options(populate_existing=True))
    return db.session.scalars(statement).unique().first()


def _owned(principal: Principal, bundle_id: uuid.UUID, *, lock: bool = False) -> DossierBundle:
    bundle = _lock(bundle_id) if lock else db.session.get(DossierBundle, bundle_id)
    if bundle is None or bundle.citizen_account_id != principal.account_id:
        raise BundleNotFound()
    return bundle


def _locked_members(bundle: DossierBundle) -> list[Dossier]:
    return list(db.session.scalars(
        select(Dossier).where(Dossier.bundle_id == bundle.id).order_by(Dossier.bundle_position)
        .with_for_update(of=Dossier).execution_options(populate_existing=True)).unique())
