"""Complaints and petitions about a dossier or a procedure: filing, handling, deadlines, escalation.

Filed by the citizen, or by a community helper with the resident's consent
(`submit_dossier` scope), and routed to the agency of the dossier (or the
agency competent for the procedure in the citizen's commune). Deadlines in
working days from filing: answer 15, refuse 2, ask for more information 5.
The answer's clock stands still while the citizen is asked for information
(`states.run_clock`): the due date moves by the working days it waited, so
escalation and the "handled on time" figure use the paused clock.
"""
import secrets
import uuid

from sqlalchemy import select

from app.catalog import service as catalog
from app.common.auth import OutOfScope, Principal
from app.common.clock import local_today, utcnow
from app.common.pagination import paginate
from app.common.workdays import add_working_days, working_days_between
from app.extensions import db
from app.identity import staff as identity_staff
from app.common.roles import ADMIN, APPROVER, CITIZEN, LEADER, OFFICER
from app.notifications.service import notify
from app.quality import states, tracking
from app.quality.errors import (
    ComplaintNotFound, ComplaintTarget, ComplaintTransitionNotAllowed, ConsentRequired, NoteRequired,
    NotYourComplaint, ProcedureUnknown,
)
from app.quality.models import Complaint, ComplaintEntry, QualityDossier
from app.quality.settings import QualitySettings

HELPER_SCOPE = "submit_dossier"   # the consent a community helper needs to file for a resident
KINDS = ("complaint", "petition")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def file_complaint(principal: Principal, data: dict, settings: QualitySettings) -> Complaint:
    """Files a complaint (the caller commits); the citizen is told its reference and deadline."""
    if principal.role != CITIZEN:
        raise NotYourComplaint()
    if principal.is_delegated and HELPER_SCOPE not in principal.scopes:
        raise ConsentRequired()
    agency_id, commune_code, procedure_code, dossier_id, record = _route(principal, data)
    today = local_today()
    complaint = Complaint(
        reference=f"PA{today:%y%m%d}-{''.join(secrets.choice(_ALPHABET) for _ in range(6))}",
        kind=data.get("kind", "complaint"), citizen_account_id=principal.account_id,
        filed_by_id=principal.actor_id, dossier_id=dossier_id, procedure_code=procedure_code,
        agency_id=agency_id, commune_code=commune_code, subject=data["subject"].strip(),
        content=data["content"].strip(), status=states.FILED, filed_on=today,
        due_date=add_working_days(today, settings.complaint_days),
        refuse_by=add_working_days(today, settings.complaint_refuse_days),
        info_by=add_working_days(today, settings.complaint_info_days),
        paused_days=0, late_step=False, escalation_level=0)
    db.session.add(complaint)
    db.session.flush()
    _record(complaint, "file", principal, None, states.FILED, None)
    if record is not None:
        tracking.mark_unhappy(record)   # the record read to route it (clean objects are not kept by the session)
    notify("complaint_filed", account_id=principal.account_id,
           params={"reference": complaint.reference, "subject": complaint.subject,
                   "due_date": complaint.due_date.isoformat()})
    return complaint


def _route(principal: Principal, data: dict):
    dossier_id, procedure_code = data.get("dossier_id"), data.get("procedure_code")
    if (dossier_id is None) == (procedure_code is None):
        raise ComplaintTarget(errors={"dossier_id": [ComplaintTarget.message]})
    if dossier_id is not None:
        record = db.session.get(QualityDossier, dossier_id)
        if record is None or record.citizen_account_id != principal.account_id:
            raise ComplaintTarget(errors={"dossier_id": [ComplaintTarget.message]})
        return record.agency_id, record.commune_code, record.procedure_code, dossier_id, record
    procedure = catalog.procedure_by_code(procedure_code)
    commune_code = data.get("commune_code")
    agency = catalog.competent_agency(procedure, commune_code) if procedure else None
    if agency is None:
        raise ProcedureUnknown(errors={"procedure_code": [ProcedureUnknown.message]})
    return agency.id, commune_code, procedure.code, None, None


def act_on_complaint(principal: Principal, complaint_id: uuid.UUID, action: str, note: str | None) -> Complaint:
    """Fires a workflow action on a complaint (the caller commits)."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.id == complaint_id).with_for_update()
                                  .execution_options(populate_existing=True))
    complaint = ensure_visible(principal, complaint)
    facts = states.Facts(complaint.status, complaint.citizen_account_id, complaint.agency_id)
    actor = states.Actor(principal.role, principal.account_id, principal.agency_id)
    try:
        transition = states.check(action, facts, actor, note=note)
    except states.NotAllowedInState as error:
        raise ComplaintTransitionNotAllowed(errors={"status": [complaint.status]}) from error
    except states.NotPermitted as error:
        raise (OutOfScope() if error.code == "out_of_scope" else NotYourComplaint()) from error
    except states.NoteMissing as error:
        raise NoteRequired(errors={"note": [NoteRequired.message]}) from error
    previous, today = complaint.status, local_today()
    complaint.status = transition.target
    clock = states.run_clock(transition, states.Clock(complaint.due_date, complaint.paused_on,
                                                      complaint.paused_days), today)
    complaint.due_date, complaint.paused_on, complaint.paused_days = clock.due_date, clock.paused_on, clock.paused_days
    if action == "request_info" and today > complaint.info_by:
        complaint.late_step = True
    if action in ("answer", "refuse"):
        complaint.answer, complaint.handled_by = note.strip(), principal.account_id
    if transition.target in states.FINAL:
        _close(complaint, today)
    _record(complaint, action, principal, previous, transition.target, note)
    if transition.notify:
        notify(transition.notify, account_id=complaint.citizen_account_id,
               params={"reference": complaint.reference, "note": (note or "").strip()})
    return complaint


def _close(complaint: Complaint, today) -> None:
    complaint.closed_at = utcnow()
    if complaint.status == states.WITHDRAWN:
        return   # withdrawn: not handled, not counted
    deadline = complaint.refuse_by if complaint.status == states.REFUSED else complaint.due_date
    complaint.on_time = today <= deadline and not complaint.late_step
    tracking.add(tracking.month_of(complaint.closed_at), tracking.scopes_of(complaint),
                 {"complaints_closed": 1, "complaints_on_time": int(complaint.on_time)})


def _record(complaint, action, principal, from_status, to_status, note) -> None:
    db.session.add(ComplaintEntry(complaint_id=complaint.id, action=action, from_status=from_status,
                                  to_status=to_status, account_id=principal.account_id if principal else None,
                                  actor_id=principal.actor_id if principal else None,
                                  note=(note or "").strip() or None))


def ensure_visible(principal: Principal, complaint: Complaint | None) -> Complaint:
    """Its citizen; staff of its agency; province leaders and admins. Other citizens get 404."""
    if complaint is None:
        raise ComplaintNotFound()
    if principal.role == CITIZEN:
        if complaint.citizen_account_id != principal.account_id:
            raise ComplaintNotFound()
        return complaint
    if principal.role in (LEADER, ADMIN):
        return complaint
    if principal.role in (OFFICER, APPROVER):
        if principal.agency_id != complaint.agency_id:
            raise OutOfScope()
        return complaint
    raise ComplaintNotFound()


def get_complaint(principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    return ensure_visible(principal, db.session.get(Complaint, complaint_id))


def list_complaints(principal: Principal, *, status: str | None = None, cursor=None, limit=20) -> dict:
    """The citizen's own; an officer's agency's; everything for province leaders. Newest first."""
    statement = select(Complaint)
    if principal.role == CITIZEN:
        statement = statement.where(Complaint.citizen_account_id == principal.account_id)
    elif principal.role in (OFFICER, APPROVER):
        statement = statement.where(Complaint.agency_id == principal.agency_id)
    if status:
        statement = statement.where(Complaint.status == status)
    return paginate(db.session, statement, Complaint, cursor=cursor, limit=limit)


def timeline(principal: Principal, complaint_id: uuid.UUID) -> list[ComplaintEntry]:
    get_complaint(principal, complaint_id)
    return list(db.session.scalars(select(ComplaintEntry).where(ComplaintEntry.complaint_id == complaint_id)
                                   .order_by(ComplaintEntry.created_at, ComplaintEntry.id)))


def allowed_actions(principal: Principal, complaint: Complaint) -> list[str]:
    return states.allowed_actions(states.Facts(complaint.status, complaint.citizen_account_id, complaint.agency_id),
                                  states.Actor(principal.role, principal.account_id, principal.agency_id))


def escalate_overdue(settings: QualitySettings) -> int:
    """Tells the agency's leaders of overdue complaints, then the province's: once per level.

    Level 1 the day after the deadline; level 2 once `complaint_escalate_after_days`
    working days overdue. Complaints waiting for the citizen's information are left (their
    clock stands still); the due date of one that waited has moved by the days it waited.
    Returns how many escalations were sent; the caller commits.
    """
    today, sent = local_today(), 0
    overdue = db.session.scalars(
        select(Complaint).where(Complaint.status.in_((states.FILED, states.IN_PROGRESS)),
                                Complaint.due_date < today, Complaint.escalation_level < 2)
        .order_by(Complaint.due_date, Complaint.id).with_for_update(skip_locked=True))
    for complaint in overdue:
        late_days = working_days_between(complaint.due_date, today)
        level = 2 if late_days >= settings.complaint_escalate_after_days else 1
        if level <= complaint.escalation_level:
            continue
        params = {"reference": complaint.reference, "due_date": complaint.due_date.isoformat(),
                  "days_late": late_days}
        recipients = []
        if complaint.escalation_level < 1:
            recipients += identity_staff.staff_ids(APPROVER, agency_id=complaint.agency_id)
        if level == 2:
            recipients += identity_staff.staff_ids(LEADER)
        for account_id in recipients:
            notify("complaint_overdue", account_id=account_id, params=params)
        complaint.escalation_level = level
        _record(complaint, f"escalate_{level}", None, complaint.status, complaint.status, None)
        sent += 1
    return sent

