"""Desk intake: a citizen brings paper to the one-stop shop; the officer submits the dossier for them.

The dossier is the citizen's (their e-ID account owns it, follows it and pays
its fee in the app); the officer of the competent agency types the form,
prefilled from the population registry exactly as a citizen's draft is, and
fires `submit_at_desk` (states.py), which gives the receipt code, due date,
notification and event of any submission. Required documents handed over on
paper are named in `paper_documents`; the others must be complete as online.
"""
import uuid

from sqlalchemy import select

from app.catalog import service as catalog
from app.catalog.forms import FormCheck, check_values
from app.common.auth import Principal, ensure_staff_scope
from app.common.clock import utcnow
from app.dossiers import states
from app.dossiers.errors import CitizenAccountRequired, CitizenNotFound, DocumentsMissing
from app.dossiers.models import DESK, FEE_NOT_REQUIRED, FEE_UNPAID, Dossier
from app.dossiers.service import (
    DOCUMENT_MISSING, ROUTING_FIELD, agency_for, commit_or_conflict, ensure_open, registry_prefill,
)
from app.dossiers.transitions import fire, record
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.identity.models import ACTIVE, Account
from app.common.roles import CITIZEN
from app.registry.adapter import get_registry
from app.registry.records import CitizenRecord

UNKNOWN_DOCUMENT = N_("This procedure asks for no document with this code.")


def submit_at_desk(principal: Principal, personal_id: str, procedure_id: uuid.UUID, values: dict, *,
                   paper_documents=(), receive: bool = False) -> Dossier:
    """Takes a paper dossier at the desk: submitted in the citizen's name, received at once if asked.

    Refusals: 404 unknown procedure or no living citizen with this id; 409
    retired procedure or (`receive`) unpaid fee; 403 `out_of_scope` when the
    officer's agency or commune is not the competent one; 422
    `citizen_account_required`, form errors per field, `documents_missing`.
    """
    procedure = catalog.get_procedure(procedure_id)
    ensure_open(procedure)
    person = _living_citizen(personal_id)
    fetched_at = utcnow().isoformat()
    form_data, prefill = registry_prefill(procedure, person, fetched_at)
    form_data.update(values)
    commune_code = form_data.get(ROUTING_FIELD) or person.current_commune_code
    agency = agency_for(procedure, commune_code) if _valid_commune(procedure, form_data) else None
    if agency is not None:
        ensure_staff_scope(principal, agency_id=agency.id, commune_code=commune_code)
    account = _citizen_account(personal_id)
    clean = _checked_form(procedure, form_data, paper_documents)
    dossier = Dossier(
        procedure=procedure, citizen_account_id=account.id, applicant_name=account.full_name, agency=agency,
        commune_code=commune_code, status=states.DRAFT, channel=DESK, form_data=clean, prefill=prefill,
        fee_amount=procedure.fee, fee_status=FEE_UNPAID if procedure.fee else FEE_NOT_REQUIRED)
    db.session.add(dossier)
    db.session.flush()
    record(dossier, "create", principal, to_status=states.DRAFT,
           data={"channel": DESK, "prefilled": sorted(prefill)})
    fire(dossier, "submit_at_desk", principal, data={
        "channel": DESK, "flagged_fields": dossier.flagged_fields, "paper_documents": sorted(paper_documents)})
    if receive:
        fire(dossier, "receive", principal)
    commit_or_conflict()
    return dossier


def _living_citizen(personal_id: str) -> CitizenRecord:
    # unknown and deceased answer alike: the desk learns nothing more about the registry
    person = get_registry().find_citizen(personal_id)
    if person is None or not person.is_alive:
        raise CitizenNotFound()
    return person


def _citizen_account(personal_id: str) -> Account:
    account = db.session.scalar(select(Account).where(Account.personal_id == personal_id,
                                                      Account.role == CITIZEN))
    if account is None or account.status != ACTIVE:
        raise CitizenAccountRequired(errors={"personal_id": [CitizenAccountRequired.message]})
    return account


def _valid_commune(procedure, form_data: dict) -> bool:
    """The routing value is checked with the form; no agency lookup for a commune that does not exist."""
    field = next((f for f in procedure.form_fields if f["name"] == ROUTING_FIELD), None)
    if field is None or form_data.get(ROUTING_FIELD) in (None, ""):
        return True
    _, errors = check_values([field], {ROUTING_FIELD: form_data[ROUTING_FIELD]})
    return not errors


def _checked_form(procedure, form_data: dict, paper_documents) -> dict:
    """The form as a submission checks it, documents on paper standing in for uploads (422 otherwise)."""
    clean, errors = check_values(procedure.form_fields, form_data, FormCheck())
    required = {d["code"]: d.get("required", False) for d in procedure.required_documents}
    unknown = sorted(code for code in paper_documents if code not in required)
    if unknown:
        errors["paper_documents"] = {code: [UNKNOWN_DOCUMENT] for code in unknown}
    missing = {code: [DOCUMENT_MISSING] for code, needed in required.items()
               if needed and code not in paper_documents}
    if missing:
        errors["documents"] = missing
    if set(errors) == {"documents"}:
        raise DocumentsMissing(errors=errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return clean
