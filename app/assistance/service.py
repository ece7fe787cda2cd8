"""Assistance sessions: a member asks, the resident consents, the member acts, it ends.

    start_session ─▶ pending_consent ─(SMS code read aloud, or approval in the app)─▶ active ─▶ expired
                       ├─▶ declined                                    ├─▶ revoked (resident, officer)
                       └─▶ expired (no consent within 15 minutes)       └─▶ ended (member)

Nothing reaches the resident's data or accounts before consent: the member
sees the name and masked ids to confirm who they are talking to, and the
only thing sent is the consent request itself.
"""
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from app.assistance import acts, consent, delegation as tokens, lifecycle, scopes
from app.assistance.errors import (
    AppConsentUnavailable, DelegationExists, DelegationNotActive, DossierNotOfResident, NoSuchPhone, NotInTeam,
    NotPending, PhoneIsHelpers, ProcedureNeedsLevel2, ProcedureNotFound, ResidentAccountDisabled, ResidentHasAccount,
    ResidentHasNoAccount, ResidentNotFound, ResidentOutsideCommune, SessionNotFound, TooManyLookups,
)
from app.assistance.models import (
    ACTIVE, BY_APP, BY_SMS, DECLINED, ENDED, PENDING, REVOKED, Delegation, Team,
)
from app.assistance.teams import membership_of
from app.catalog.service import procedure_by_code
from app.common.auth import OutOfScope, Principal
from app.common.clock import utcnow
from app.common.masking import mask_personal_id, mask_phone
from app.common.pagination import paginate
from app.dossiers import public as dossiers
from app.extensions import db
from app.identity import public as identity
from app.common.roles import ADMIN, ASSISTANT, OFFICER
from app.registry.adapter import get_registry
from app.registry.records import CitizenRecord

MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 15, 240, 120
CONSENT_WINDOW = timedelta(minutes=15)
LOOKUPS_PER_HOUR = 30
# Accounts a helper may act for: a verified phone is enough (the password is the resident's own business)
ACTABLE = (identity.ACTIVE, identity.PENDING_PASSWORD)


@dataclass(frozen=True)
class Issued:
    delegation: Delegation
    access_token: str
    expires_in: int


# -- the member: starting, consent, tokens, ending -----------------------------------------

def start_session(principal: Principal, *, personal_id: str, scopes_asked: list[str],
                  procedure_code: str | None = None, dossier_id: uuid.UUID | None = None,
                  duration_minutes: int = DEFAULT_MINUTES) -> Delegation:
    """Opens a session for a resident of the member's commune; nothing is sent yet."""
    membership = membership_of(principal.account_id)
    team = db.session.get(Team, membership.team_id) if membership else None
    if team is None or not team.active:
        raise NotInTeam()
    _ensure_quota(principal.account_id)
    record = get_registry().find_citizen(personal_id)
    if record is None or not record.is_alive:
        raise ResidentNotFound()
    if team.commune_code not in (record.current_commune_code, record.permanent_commune_code):
        raise ResidentOutsideCommune()
    account = identity.account_by_personal_id(personal_id)
    _ensure_account_fits(account, scopes_asked)
    if scopes.SUBMIT_DOSSIER in scopes_asked:
        _ensure_procedure(procedure_code)
    if dossier_id is not None:
        _ensure_dossier_of(account, dossier_id)
    _supersede_pending(principal.account_id, personal_id)
    now = utcnow()
    delegation = Delegation(
        team_id=team.id, member_id=principal.account_id, commune_code=team.commune_code,
        subject_personal_id=personal_id, subject_account_id=account.id if account else None,
        scopes=[s for s in scopes.SCOPES if s in scopes_asked],
        procedure_code=procedure_code if scopes.SUBMIT_DOSSIER in scopes_asked else None,
        dossier_id=dossier_id if scopes.PAY_FEE in scopes_asked else None,
        duration_minutes=duration_minutes, status=PENDING, consent_deadline=now + CONSENT_WINDOW,
        consent_sends=0, consent_attempts=0)
    db.session.add(delegation)
    db.session.flush()
    lifecycle.requested(delegation)
    acts.record(delegation, "session_started", detail={"scopes": delegation.scopes})
    db.session.commit()
    return delegation


def _ensure_quota(member_id: uuid.UUID) -> None:
    started = db.session.scalar(select(func.count()).select_from(Delegation).where(
        Delegation.member_id == member_id, Delegation.created_at > utcnow() - timedelta(hours=1)))
    if started >= LOOKUPS_PER_HOUR:
        raise TooManyLookups(headers={"Retry-After": "3600"})


def _ensure_account_fits(account: identity.AccountInfo | None, scopes_asked: list[str]) -> None:
    if account is not None and account.status == identity.DISABLED:
        raise ResidentAccountDisabled()
    if scopes.REGISTER_ACCOUNT in scopes_asked:
        if account is not None and account.status == identity.ACTIVE:
            raise ResidentHasAccount()
    elif account is None or account.status not in ACTABLE:
        raise ResidentHasNoAccount()


def _ensure_procedure(code: str | None) -> None:
    procedure = procedure_by_code(code) if code else None
    if procedure is None or procedure.is_retired:
        raise ProcedureNotFound(errors={"procedure_code": [ProcedureNotFound.message]})
    if procedure.min_level > 1:
        raise ProcedureNeedsLevel2(errors={"procedure_code": [ProcedureNeedsLevel2.message]})


def _ensure_dossier_of(account: identity.AccountInfo | None, dossier_id: uuid.UUID) -> None:
    dossier = dossiers.dossier_owner(dossier_id)
    if dossier is None or account is None or dossier.citizen_account_id != account.id:
        raise DossierNotOfResident(errors={"dossier_id": [DossierNotOfResident.message]})


def _supersede_pending(member_id: uuid.UUID, personal_id: str) -> None:
    """A new session for the same resident replaces a pending one; an active one must be ended first."""
    now = utcnow()
    for earlier in db.session.scalars(select(Delegation).where(
            Delegation.member_id == member_id, Delegation.subject_personal_id == personal_id,
            Delegation.status.in_((PENDING, ACTIVE)))):
        status = earlier.effective_status(now)
        if status == ACTIVE:
            raise DelegationExists()
        if status == PENDING:
            lifecycle.close(earlier, ENDED, member_id, "superseded")


def request_consent(principal: Principal, delegation_id: uuid.UUID, *, method: str,
                    phone_index: int = 0) -> Delegation:
    """Sends the consent code by SMS to a registry phone, or the request to the resident's app."""
    delegation = _own_pending(principal, delegation_id)
    member = identity.account(principal.account_id)
    if method == BY_SMS:
        phones = _registry_record(delegation).phone_numbers
        if not 0 <= phone_index < len(phones):
            raise NoSuchPhone(errors={"phone_index": [NoSuchPhone.message]})
        if phones[phone_index] == member.phone:
            raise PhoneIsHelpers()
        procedure = procedure_by_code(delegation.procedure_code) if delegation.procedure_code else None
        consent.send_code(delegation, phones[phone_index], assistant_name=member.full_name,
                          procedure_name=procedure.name if procedure else None)
    else:
        resident = identity.account(delegation.subject_account_id)
        if resident is None or resident.status != identity.ACTIVE:
            raise AppConsentUnavailable()
        consent.request_in_app(delegation, assistant_name=member.full_name)
    acts.record(delegation, "consent_requested", detail={"method": method})
    db.session.commit()
    return delegation


def verify_consent(principal: Principal, delegation_id: uuid.UUID, code: str) -> Issued:
    """The code the resident read aloud: the delegation starts; returns the delegated token."""
    delegation = _own_pending(principal, delegation_id)
    consent.check_code(delegation, code)
    _activate(delegation, BY_SMS)
    db.session.commit()
    return issue_token(principal, delegation.id)


def issue_token(principal: Principal, delegation_id: uuid.UUID) -> Issued:
    """A delegated token for the member's current session while the delegation is active."""
    delegation = _own(principal, delegation_id)
    if delegation.effective_status(utcnow()) != ACTIVE:
        raise DelegationNotActive()
    tokens.ensure_in_force(delegation)
    token, expires_in = tokens.issue_token(delegation, principal.session_id)
    return Issued(delegation, token, expires_in)


def end_session(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    """The member ends their session, or an officer of the commune (or an admin) revokes it."""
    delegation = visible_session(principal, delegation_id)
    if delegation.effective_status(utcnow()) in (PENDING, ACTIVE):
        by_member = delegation.member_id == principal.account_id
        lifecycle.close(delegation, ENDED if by_member else REVOKED, principal.account_id,
               "ended_by_member" if by_member else "revoked_by_officer")
        acts.record(delegation, "session_ended" if by_member else "revoked",
                    detail={"by": "member" if by_member else principal.role})
        db.session.commit()
    return delegation


# -- reading sessions ---------------------------------------------------------------------

def visible_session(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    """The member's own session; any of the commune's for its officers; any for admins."""
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None:
        raise SessionNotFound()
    if principal.role == ASSISTANT and delegation.member_id == principal.account_id:
        return delegation
    if principal.role == ADMIN:
        return delegation
    if principal.role == OFFICER:
        if principal.commune_code != delegation.commune_code:
            raise OutOfScope()
        return delegation
    raise SessionNotFound()


def list_sessions(principal: Principal, *, commune_code: str | None, member_id: uuid.UUID | None,
                  cursor: str | None, limit: int) -> dict:
    """Sessions newest first: a member's own; a commune's for its officers; any for admins."""
    statement = select(Delegation)
    if principal.role == ASSISTANT:
        statement = statement.where(Delegation.member_id == principal.account_id)
    elif principal.role == OFFICER:
        if principal.commune_code is None or commune_code not in (None, principal.commune_code):
            raise OutOfScope()
        statement = statement.where(Delegation.commune_code == principal.commune_code)
    elif commune_code:
        statement = statement.where(Delegation.commune_code == commune_code)
    if member_id is not None:
        statement = statement.where(Delegation.member_id == member_id)
    return paginate(db.session, statement, Delegation, cursor=cursor, limit=limit)


def resident_of(delegation: Delegation) -> dict:
    """Just enough to confirm who the resident is: name, masked ids, what consent can use."""
    record = _registry_record(delegation)
    resident = identity.account(delegation.subject_account_id)
    methods = [BY_SMS] + ([BY_APP] if resident is not None and resident.status == identity.ACTIVE else [])
    return {"full_name": record.full_name if record else None,
            "personal_id": mask_personal_id(delegation.subject_personal_id),
            "has_account": resident is not None,
            "phones": [mask_phone(phone) for phone in (record.phone_numbers if record else ())],
            "consent_methods": methods}


# -- the resident -------------------------------------------------------------------------

def my_delegations(principal: Principal, *, current_only: bool, cursor: str | None, limit: int) -> dict:
    """The resident's delegations, newest first (only pending and active ones when `current_only`)."""
    statement = select(Delegation).where(Delegation.subject_personal_id == _personal_id(principal))
    if current_only:
        now = utcnow()
        statement = statement.where(
            ((Delegation.status == ACTIVE) & (Delegation.expires_at > now))
            | ((Delegation.status == PENDING) & (Delegation.consent_deadline > now)))
    return paginate(db.session, statement, Delegation, cursor=cursor, limit=limit)


def approve(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    """The resident approves a request sent to the app: the delegation starts."""
    delegation = _residents(principal, delegation_id)
    if delegation.effective_status(utcnow()) != PENDING or delegation.consent_method != BY_APP:
        raise NotPending()
    _activate(delegation, BY_APP)
    db.session.commit()
    return delegation


def decline(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    delegation = _residents(principal, delegation_id)
    if delegation.effective_status(utcnow()) != PENDING:
        raise NotPending()
    lifecycle.close(delegation, DECLINED, principal.account_id, "declined_by_resident")
    acts.record(delegation, "consent_declined")
    db.session.commit()
    return delegation


def revoke(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    """The resident revokes a delegation: the member is refused from their next request on."""
    delegation = _residents(principal, delegation_id)
    if delegation.effective_status(utcnow()) in (PENDING, ACTIVE):
        lifecycle.close(delegation, REVOKED, principal.account_id, "revoked_by_resident")
        acts.record(delegation, "revoked")
        db.session.commit()
    return delegation


def revoke_all(principal: Principal) -> int:
    """Revokes every pending and active delegation of the resident at once; returns how many."""
    now = utcnow()
    current = [d for d in db.session.scalars(select(Delegation).where(
        Delegation.subject_personal_id == _personal_id(principal), Delegation.status.in_((PENDING, ACTIVE))))
        if d.effective_status(now) in (PENDING, ACTIVE)]
    for delegation in current:
        lifecycle.close(delegation, REVOKED, principal.account_id, "revoked_by_resident")
        acts.record(delegation, "revoked")
    db.session.commit()
    return len(current)


def history(principal: Principal, *, cursor: str | None, limit: int) -> dict:
    return acts.history(_personal_id(principal), cursor=cursor, limit=limit)


# -- helpers --------------------------------------------------------------------------------

def _own(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.member_id != principal.account_id:
        raise SessionNotFound()
    return delegation


def _own_pending(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    delegation = _own(principal, delegation_id)
    if delegation.effective_status(utcnow()) != PENDING:
        raise NotPending()
    return delegation


def _residents(principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.subject_personal_id != _personal_id(principal):
        raise SessionNotFound()
    return delegation


def _personal_id(principal: Principal) -> str:
    account = identity.account(principal.account_id)
    return account.personal_id or ""


def _registry_record(delegation: Delegation) -> CitizenRecord:
    record = get_registry().find_citizen(delegation.subject_personal_id)
    if record is None:
        raise ResidentNotFound()
    return record


def _activate(delegation: Delegation, method: str) -> None:
    lifecycle.activate(delegation, method)
    acts.record(delegation, "consent_given", detail={"method": method})


