"""Dossiers: start prefilled, fill in, submit, move through the workflow, list.

Every public function owns its transaction (commits), except the fee hooks
`record_fee_paid` and `record_fee_refunded`, which run inside the payments
domain's settlement transaction.
"""
import functools
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm.exc import StaleDataError

from app.catalog import service as catalog
from app.catalog.forms import FormCheck, check_values, prefill_value
from app.catalog.models import Procedure
from app.common import events
from app.common.auth import Principal, StepUpRequired
from app.common.clock import local_today, utcnow
from app.common.pagination import keyset_page, page_values, rows_page
from app.dossiers import access, states
from app.dossiers.access import DossierNotFound, ensure_owner, ensure_visible
from app.dossiers.errors import (
    AlreadySubmitted, DocumentsMissing, DossierClosed, DossierNotEditable, DossierNotPayable,
    FeeAlreadyPaid, FeeNotPaid, InvalidAssignee, NoCompetentAgency, NoFeeDue, ProcedureRetired,
    NewDateNotValid, StaleVersion, SubmitTheBundle, TransitionNotAllowed,
)
from app.dossiers.models import (
    FEE_NOT_REQUIRED, FEE_PAID, FEE_REFUNDED, FEE_UNPAID, FROM_BUNDLE, FROM_REGISTRY, Dossier,
    DossierBundle, TimelineEntry,
)
from app.dossiers.events import NEW_DATE, DossierNewDate
from app.dossiers.transitions import REFUSALS, check, fire, record
from app.errors import N_, Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.identity.models import ACTIVE, Account
from app.common.roles import OFFICER
from app.registry.adapter import get_registry
from app.registry.records import CitizenRecord

ROUTING_FIELD = "commune_code"  # the form field that says which commune handles the dossier
DOCUMENT_MISSING = N_("This document is required.")


# -- starting and filling in -------------------------------------------------------

def start_dossier(principal: Principal, procedure_id: uuid.UUID) -> Dossier:
    """Starts a draft for a procedure, prefilled from the population registry."""
    procedure = catalog.get_procedure(procedure_id)
    ensure_open(procedure)
    dossier = new_dossier(principal, procedure)
    db.session.commit()
    return dossier


def new_dossier(principal: Principal, procedure: Procedure, *, skip_prefill=frozenset(),
                presets: dict | None = None, fee_exempt: bool = False,
                bundle: DossierBundle | None = None, position: int | None = None) -> Dossier:
    """A draft (not committed): registry prefill, routing to the competent agency, fee."""
    account = db.session.get(Account, principal.account_id)
    citizen = get_registry().find_citizen(account.personal_id) if account.personal_id else None
    fetched_at = utcnow().isoformat()
    form_data, prefill = registry_prefill(procedure, citizen, fetched_at, skip=skip_prefill)
    for name, value in (presets or {}).items():
        form_data[name] = value
        prefill[name] = {"value": value, "source": FROM_BUNDLE, "fetched_at": fetched_at}
    commune_code = form_data.get(ROUTING_FIELD) or (citizen.current_commune_code if citizen else None)
    fee = 0 if fee_exempt else procedure.fee
    dossier = Dossier(
        procedure=procedure, citizen_account_id=account.id, applicant_name=account.full_name,
        agency=agency_for(procedure, commune_code), commune_code=commune_code, status=states.DRAFT,
        form_data=form_data, prefill=prefill, fee_amount=fee,
        fee_status=FEE_UNPAID if fee else FEE_NOT_REQUIRED,
        bundle_id=bundle.id if bundle else None, bundle_position=position,
    )
    db.session.add(dossier)
    db.session.flush()
    data = {"prefilled": sorted(prefill)}
    if fee_exempt:
        data["fee_exempt"] = True
    record(dossier, "create", principal, to_status=states.DRAFT, data=data)
    return dossier


def registry_prefill(procedure: Procedure, citizen: CitizenRecord | None, fetched_at: str, *,
                     skip=frozenset()) -> tuple[dict, dict]:
    """The form values the registry gives, and what it gave each field and when: (form_data, prefill)."""
    form_data, prefill = {}, {}
    for field in procedure.form_fields:
        source = field.get("prefill")
        if not source or citizen is None or field["name"] in skip:
            continue
        value = prefill_value(source, citizen)
        if value not in (None, ""):
            form_data[field["name"]] = value
            prefill[field["name"]] = {"value": value, "source": FROM_REGISTRY, "field": source,
                                      "fetched_at": fetched_at}
    return form_data, prefill


def update_form(principal: Principal, dossier_id: uuid.UUID, values: dict,
                expected_version: int | None = None) -> Dossier:
    """Changes form values (null removes one); an edited registry value is flagged for the officer."""
    dossier = ensure_owner(principal, access.load(dossier_id, lock=True))
    _ensure_version(dossier, expected_version)
    if dossier.status not in states.EDITABLE:
        raise DossierNotEditable(
            N_("The form can be changed only in a draft or when a supplement is requested."))
    if dossier.status != states.DRAFT and ROUTING_FIELD in values:
        raise ValidationFailed(errors={ROUTING_FIELD: [N_("The commune cannot change after submission.")]})
    merged = {**dossier.form_data, **values}
    merged = {name: value for name, value in merged.items() if value is not None}
    clean, errors = check_values(dossier.procedure.form_fields, merged,
                                 FormCheck(document_ids=_document_ids(dossier), partial=True))
    if errors:
        raise ValidationFailed(errors=errors)
    flagged_before = set(dossier.flagged_fields)
    dossier.form_data = clean
    if ROUTING_FIELD in values and clean.get(ROUTING_FIELD) != dossier.commune_code:
        dossier.commune_code = clean.get(ROUTING_FIELD)
        dossier.agency = agency_for(dossier.procedure, dossier.commune_code)
    newly_flagged = sorted(set(dossier.flagged_fields) - flagged_before)
    if newly_flagged or dossier.status != states.DRAFT:
        record(dossier, "form_updated", principal, data={
            "fields": sorted(values), "registry_fields_edited": newly_flagged,
            "registry_values": {name: dossier.prefill[name]["value"] for name in newly_flagged}})
    commit_or_conflict()
    return dossier


# -- submitting --------------------------------------------------------------------

def submit_dossier(principal: Principal, dossier_id: uuid.UUID) -> Dossier:
    """Submits a complete draft: receipt code, due date, notification, event."""
    dossier = ensure_owner(principal, access.load(dossier_id, lock=True))
    if dossier.bundle_id is not None:
        raise SubmitTheBundle()
    if dossier.status != states.DRAFT:
        raise AlreadySubmitted(N_("This dossier has already been submitted."))
    ensure_level(principal, dossier.procedure)
    ensure_open(dossier.procedure)
    ensure_complete(dossier)
    fire(dossier, "submit", principal, data={"flagged_fields": dossier.flagged_fields})
    commit_or_conflict()
    return dossier


def ensure_level(principal: Principal, procedure: Procedure) -> None:
    if principal.level < procedure.min_level:
        raise StepUpRequired(errors={"required_level": [str(procedure.min_level)]})


def ensure_complete(dossier: Dossier, *, skip_fields=frozenset(), skip_documents=frozenset()) -> None:
    """Refuses (422) a form with invalid or missing fields, or missing required documents."""
    errors = incompleteness(dossier, skip_fields=skip_fields, skip_documents=skip_documents)
    if errors:
        if set(errors) == {"documents"}:
            raise DocumentsMissing(errors=errors)
        raise ValidationFailed(errors=errors)


def incompleteness(dossier: Dossier, *, skip_fields=frozenset(), skip_documents=frozenset()) -> dict:
    """What stops the dossier from being submitted: {field: [message], "documents": {code: [message]}}."""
    _, errors = check_values(dossier.procedure.form_fields, dossier.form_data,
                             FormCheck(document_ids=_document_ids(dossier), skip=frozenset(skip_fields)))
    provided = {document.code for document in dossier.documents}
    missing = {d["code"]: [DOCUMENT_MISSING] for d in dossier.procedure.required_documents
               if d.get("required") and d["code"] not in provided and d["code"] not in skip_documents}
    if missing:
        errors["documents"] = missing
    return errors


# -- the workflow --------------------------------------------------------------------

def apply_transition(principal: Principal, dossier_id: uuid.UUID, action: str, *, reason: str | None = None,
                     assignee_id: uuid.UUID | None = None, expected_version: int | None = None,
                     reason_code: str | None = None) -> Dossier:
    """Fires a workflow action on a dossier; a concurrent change makes it fail with 409."""
    dossier = ensure_visible(principal, access.load(dossier_id, lock=True))
    _ensure_version(dossier, expected_version)
    data = {}
    if action == "assign":
        assignee = _assignee(principal, dossier, assignee_id or principal.account_id)
        data["assignee_id"] = assignee.id
        check(dossier, action, principal)
        dossier.assigned_officer_id = assignee.id   # before firing: the dossier.transitioned event names the assignee
        fire(dossier, action, principal, reason=reason, data=data)
    else:
        fire(dossier, action, principal, reason=reason, data=data, reason_code=reason_code)
    commit_or_conflict()
    return dossier


def _assignee(principal: Principal, dossier: Dossier, assignee_id: uuid.UUID) -> Account:
    assignee = db.session.get(Account, assignee_id)
    fits = (assignee is not None and assignee.role == OFFICER and assignee.status == ACTIVE
            and assignee.agency_id == dossier.agency_id
            and assignee.commune_code in (None, dossier.commune_code))
    if not fits:
        message = N_("The assignee must be an officer of this dossier's agency and commune.")
        raise InvalidAssignee(message, errors={"assignee_id": [message]})
    return assignee


def workflow_refusal(code: str) -> Forbidden:
    return Forbidden(REFUSALS[code], code=code)


# -- reading ---------------------------------------------------------------------------

def get_dossier(principal: Principal, dossier_id: uuid.UUID) -> Dossier:
    return ensure_visible(principal, access.load(dossier_id))


# What a list shows of each dossier, read as rows: no ORM objects for a page of twenty
SUMMARY_COLUMNS = (
    Dossier.id, Dossier.procedure_id, Dossier.status, Dossier.channel, Dossier.receipt_code,
    Dossier.applicant_name, Dossier.agency_id, Dossier.commune_code, Dossier.fee_amount, Dossier.fee_status,
    Dossier.due_date, Dossier.submitted_at, Dossier.assigned_officer_id, Dossier.bundle_id, Dossier.form_data,
    Dossier.prefill, Dossier.version, Dossier.created_at,
    Procedure.code.label("procedure_code"), Procedure.name.label("procedure_name"),
)


def _summaries():
    return select(*SUMMARY_COLUMNS).join(Procedure, Procedure.id == Dossier.procedure_id)


def my_dossiers(principal: Principal, *, status: str | None = None, cursor=None, limit=20) -> dict:
    """The citizen's own dossiers, newest first (rows of SUMMARY_COLUMNS)."""
    values = {**page_values(cursor, limit), "owner_id": principal.account_id}
    if status:
        values["status"] = status
    statement = _my_dossiers_statement(bool(status), bool(cursor))
    return rows_page(db.session.connection().execute(statement, values).all(), limit)


@functools.cache
def _my_dossiers_statement(by_status: bool, after_cursor: bool):
    """Built once per shape (four): building and cache-keying it cost more than running it."""
    statement = _summaries().where(Dossier.citizen_account_id == bindparam("owner_id"))
    if by_status:
        statement = statement.where(Dossier.status == bindparam("status"))
    return keyset_page(statement, Dossier, after_cursor=after_cursor)


def inbox(principal: Principal, *, status: list[str] | None = None, procedure_id: uuid.UUID | None = None,
          overdue: bool | None = None, assigned_to_me: bool = False, channel: str | None = None,
          cursor=None, limit=20) -> dict:
    """The dossiers of the officer's agency (and commune, when they have one), newest first (rows)."""
    if principal.agency_id is None:
        return {"items": [], "next_cursor": None}
    values = {**page_values(cursor, limit), "agency_id": principal.agency_id, "commune_code": principal.commune_code,
              "statuses": status, "procedure_id": procedure_id, "today": local_today(),
              "officer_id": principal.account_id, "channel": channel}
    statement = _inbox_statement(bool(principal.commune_code), bool(status), bool(procedure_id), overdue,
                                 assigned_to_me, bool(channel), bool(cursor))
    return rows_page(db.session.connection().execute(statement, values).all(), limit)


@functools.lru_cache(maxsize=256)
def _inbox_statement(in_commune: bool, by_status: bool, by_procedure: bool, overdue: bool | None,
                     assigned_to_me: bool, by_channel: bool, after_cursor: bool):
    """Built once per shape of filters: building and cache-keying it cost more than running it."""
    statement = _summaries().where(Dossier.agency_id == bindparam("agency_id"), Dossier.status.not_in(states.PRIVATE))
    if in_commune:
        statement = statement.where(Dossier.commune_code == bindparam("commune_code"))
    if by_status:
        statement = statement.where(Dossier.status.in_(bindparam("statuses", expanding=True)))
    if by_procedure:
        statement = statement.where(Dossier.procedure_id == bindparam("procedure_id"))
    if overdue is not None:
        late = Dossier.status.in_(states.CLOCK_RUNNING) & (Dossier.due_date < bindparam("today"))
        statement = statement.where(late if overdue else ~late)
    if assigned_to_me:
        statement = statement.where(Dossier.assigned_officer_id == bindparam("officer_id"))
    if by_channel:
        statement = statement.where(Dossier.channel == bindparam("channel"))
    return keyset_page(statement, Dossier, after_cursor=after_cursor)


def timeline(principal: Principal, dossier_id: uuid.UUID) -> list[TimelineEntry]:
    """Everything that happened to the dossier, oldest first."""
    ensure_visible(principal, access.load(dossier_id))
    return list(db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == dossier_id)
                                   .order_by(TimelineEntry.created_at, TimelineEntry.id)))


def is_overdue(dossier: Dossier) -> bool:
    return (dossier.status in states.CLOCK_RUNNING and dossier.due_date is not None
            and dossier.due_date < local_today())


def allowed_actions(principal: Principal, dossier: Dossier) -> list[str]:
    return states.allowed_actions(access.facts_of(dossier), access.actor_of(principal))


# -- lateness (the service-quality domain calls this) -----------------------------------------

@dataclass(frozen=True)
class LateDossier:
    """What an apology letter says about the dossier."""
    dossier_id: uuid.UUID
    citizen_account_id: uuid.UUID
    applicant_name: str
    receipt_code: str
    procedure_code: str
    procedure_name: str
    agency_id: uuid.UUID
    agency_name: str
    due_date: date
    new_date: date


def promise_new_date(principal: Principal, dossier_id: uuid.UUID, new_date: date) -> LateDossier:
    """Records the new date the responsible officer promises for a late dossier (caller commits).

    Only the assigned officer or a leader of the agency, only while the dossier
    is open; the legal due date stays as it was (the dossier still counts late).
    """
    dossier = ensure_visible(principal, access.load(dossier_id, lock=True))
    actor = access.actor_of(principal)
    facts = access.facts_of(dossier)
    responsible = (principal.role == states.APPROVER_ROLE
                   or (principal.role == OFFICER and dossier.assigned_officer_id == principal.account_id))
    if not responsible or not states.in_staff_scope(actor, facts):
        raise workflow_refusal("not_assignee")
    if dossier.status in states.FINAL or dossier.status in states.PRIVATE or dossier.due_date is None:
        raise TransitionNotAllowed(errors={"status": [dossier.status]})
    if new_date <= dossier.due_date or new_date <= local_today():
        raise NewDateNotValid(errors={"new_date": [NewDateNotValid.message]})
    dossier.promised_date = new_date
    record(dossier, "apologise", principal, data={"new_date": new_date.isoformat(),
                                                  "due_date": dossier.due_date.isoformat()})
    events.publish(NEW_DATE, DossierNewDate(dossier.id, new_date, dossier.due_date, utcnow()))
    return LateDossier(dossier.id, dossier.citizen_account_id, dossier.applicant_name, dossier.receipt_code,
                       dossier.procedure.code, dossier.procedure.name, dossier.agency_id, dossier.agency.name,
                       dossier.due_date, new_date)


# -- fees (the payments domain calls these) ----------------------------------------------

@dataclass(frozen=True)
class PayableDossier:
    dossier_id: uuid.UUID
    citizen_account_id: uuid.UUID
    receipt_code: str | None
    procedure_code: str
    procedure_name: str
    amount: int
    fee_status: str
    agency_id: uuid.UUID | None = None      # where the dossier is handled
    commune_code: str | None = None


# Fees are paid once the dossier is submitted (it has a receipt code) and before it is received
PAYABLE_STATES = frozenset({states.SUBMITTED})


def payable_dossier(principal: Principal, dossier_id: uuid.UUID) -> PayableDossier:
    """The fee the principal may pay for their dossier (404 if not theirs, 409 if nothing is due)."""
    dossier = ensure_owner(principal, access.load(dossier_id))
    if dossier.fee_status == FEE_PAID:
        raise FeeAlreadyPaid()
    if dossier.fee_amount == 0 or dossier.fee_status == FEE_NOT_REQUIRED:
        raise NoFeeDue()
    if dossier.status not in PAYABLE_STATES or dossier.fee_status != FEE_UNPAID:
        raise DossierNotPayable()
    return PayableDossier(dossier.id, dossier.citizen_account_id, dossier.receipt_code, dossier.procedure.code,
                          dossier.procedure.name, dossier.fee_amount, dossier.fee_status,
                          dossier.agency_id, dossier.commune_code)


def record_fee_paid(dossier_id: uuid.UUID, payment_id: uuid.UUID) -> Dossier:
    """Marks the fee paid (idempotent for the same payment), in the caller's transaction.

    A submitted dossier that was waiting for its fee can then be received.
    """
    dossier = access.load(dossier_id, lock=True)
    if dossier is None:
        raise DossierNotFound()
    if dossier.fee_status == FEE_PAID:
        if dossier.fee_payment_id == payment_id:
            return dossier
        raise FeeAlreadyPaid()
    if dossier.fee_status != FEE_UNPAID:
        raise NoFeeDue()
    if dossier.status in states.FINAL:
        # withdrawn or returned meanwhile: payments refunds the money
        raise DossierClosed()
    dossier.fee_status, dossier.fee_payment_id = FEE_PAID, payment_id
    record(dossier, "fee_paid", None, data={"payment_id": payment_id, "amount": dossier.fee_amount})
    db.session.flush()
    return dossier


def record_fee_refunded(dossier_id: uuid.UUID, payment_id: uuid.UUID) -> Dossier:
    """Marks a paid fee refunded (idempotent), in the caller's transaction."""
    dossier = access.load(dossier_id, lock=True)
    if dossier is None:
        raise DossierNotFound()
    if dossier.fee_status == FEE_REFUNDED:
        return dossier
    if dossier.fee_status != FEE_PAID:
        raise FeeNotPaid()
    dossier.fee_status = FEE_REFUNDED
    record(dossier, "fee_refunded", None, data={"payment_id": payment_id, "amount": dossier.fee_amount})
    db.session.flush()
    return dossier


# -- helpers ---------------------------------------------------------------------------

def ensure_open(procedure: Procedure) -> None:
    """Refuses new dossiers for a retired procedure (409 `procedure_retired`)."""
    if procedure.is_retired:
        raise ProcedureRetired()


def agency_for(procedure: Procedure, commune_code: str | None):
    agency = catalog.competent_agency(procedure, commune_code)
    if agency is None:
        message = N_("No agency handles this procedure for this commune.")
        raise NoCompetentAgency(message, errors={ROUTING_FIELD: [message]})
    return agency


def _ensure_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != dossier.version:
        raise StaleVersion(errors={"version": [str(dossier.version)]})


def _document_ids(dossier: Dossier) -> frozenset[str]:
    return frozenset(str(document.id) for document in dossier.documents)


def commit_or_conflict() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleVersion() from error

