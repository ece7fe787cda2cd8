"""In-person codes: the only doors to level 2 that a SIM cannot open.

- Activation (first level 2): at the citizen's in-person biometric enrolment
  the registry records an enrolment event (date, place); the desk hands over a
  single-use activation code (at most 7 days). An officer issues it with a
  staff-API desk action; the synthetic registry's enrolment issues it too.
- Re-proofing (a new phone while one is bound or frozen): an officer in scope
  (provincial police anywhere in the province, a commune one-stop desk for its
  own residents) checks the person through the `IdentityVerifier` adapter and
  hands over a short single-use code, valid 30 minutes. A community helper,
  with the resident present and consenting, may open a request; only an
  officer authorises it.
The new phone's binding presents the code (with the SMS code to the registry
phone); codes are stored as keyed hashes bound to the personal id, so another
citizen's code never matches, and wrong tries are counted.
"""
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from app.catalog.models import PROVINCIAL_POLICE, Agency
from app.common.auth import OutOfScope, Principal
from app.common.settings import settings as common_settings
from app.common.clock import local_today, utcnow
from app.extensions import db
from app.identity.audit import audit
from app.identity.errors import (
    BiometricEnrolmentRequired, CitizenNotFound, IdentityVerificationFailed, InPersonCodeExpired,
    InPersonCodeUsed, InvalidInPersonCode, ReproofingRequestNotFound, ResidentConsentRequired,
)
from app.identity.models import ACTIVATION, ACTIVE, REPROOFING, Account, InPersonCode, ReproofingRequest
from app.common.roles import CITIZEN
from app.identity.settings import seconds, settings
from app.identity.verifier import get_verifier
from app.notifications.service import notify
from app.registry import divisions
from app.registry.adapter import get_registry
from app.registry.records import CitizenRecord, EnrolmentEvent

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I/L: read aloud or typed from a slip
ACTIVATION_LENGTH, REPROOFING_LENGTH = 10, 8


@dataclass(frozen=True)
class IssuedCode:
    code: str
    record: InPersonCode
    enrolment: EnrolmentEvent | None = None


def normalize_code(code: str) -> str:
    return "".join(c for c in str(code).upper() if c.isalnum())


def _hash(personal_id: str, code: str) -> str:
    key = hashlib.sha256(b"in-person|" + common_settings().secret_key.encode()).digest()
    return hmac.new(key, f"{personal_id}|{normalize_code(code)}".encode(), hashlib.sha256).hexdigest()


def _new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def citizen_record(personal_id: str) -> CitizenRecord:
    record = get_registry().find_citizen(personal_id)
    if record is None or not record.is_alive:
        raise CitizenNotFound()
    return record


def _account(personal_id: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.personal_id == personal_id,
                                                   Account.role == CITIZEN))


def ensure_desk_scope(officer: Principal, record: CitizenRecord) -> Agency | None:
    """Provincial police serve the whole province; a commune desk serves its own residents."""
    agency = db.session.get(Agency, officer.agency_id) if officer.agency_id else None
    communes = {record.current_commune_code, record.permanent_commune_code}
    if agency is not None and agency.kind == PROVINCIAL_POLICE:
        provinces = {divisions.commune(code).province_code for code in communes
                     if code and divisions.commune(code) is not None}
        if agency.province_code in provinces:
            return agency
    elif officer.commune_code is not None and officer.commune_code in communes:
        return agency
    audit("desk.out_of_scope", ok=False, account_id=officer.account_id, personal_id=record.personal_id)
    raise OutOfScope()


def _issue(kind: str, personal_id: str, ttl, **fields) -> tuple[str, InPersonCode]:
    """A new code; earlier open codes of the same kind for this citizen stop working."""
    now = utcnow()
    db.session.execute(update(InPersonCode).where(
        InPersonCode.personal_id == personal_id, InPersonCode.kind == kind, InPersonCode.used_at.is_(None),
        InPersonCode.expires_at > now).values(expires_at=now))
    code = _new_code(ACTIVATION_LENGTH if kind == ACTIVATION else REPROOFING_LENGTH)
    record = InPersonCode(kind=kind, personal_id=personal_id, code_hash=_hash(personal_id, code),
                          expires_at=now + ttl, attempts=0, **fields)
    db.session.add(record)
    db.session.flush()
    return code, record


# --- activation -------------------------------------------------------------------

def issue_activation(officer: Principal, personal_id: str) -> IssuedCode:
    """Desk action: an activation code for a citizen the registry shows as enrolled in person."""
    record = citizen_record(personal_id)
    agency = ensure_desk_scope(officer, record)
    if not record.biometric_enrolled:
        raise BiometricEnrolmentRequired()
    event = get_registry().enrolment_event(personal_id)
    place = agency.name if agency else (event.place if event else None)
    code, row = _issue(ACTIVATION, personal_id, settings().activation_ttl, issued_by_id=officer.account_id,
                       place=place, enrolled_on=event.enrolled_on if event else None)
    _tell_account(personal_id, "eid_activation_issued", row)
    db.session.commit()
    audit("activation.issued", personal_id=personal_id, by=officer.account_id, code_id=row.id)
    return IssuedCode(code, row, event)


def enrol_in_person(personal_id: str, place: str, on: date | None = None) -> IssuedCode:
    """The synthetic registry's enrolment: records the event and hands over an activation code."""
    registry = get_registry()
    if not hasattr(registry, "record_enrolment"):
        raise RuntimeError("only the synthetic registry enrols citizens here")
    event = registry.record_enrolment(personal_id, on or local_today(), place)
    if event is None:
        raise CitizenNotFound()
    code, row = _issue(ACTIVATION, personal_id, settings().activation_ttl, place=place,
                       enrolled_on=event.enrolled_on)
    _tell_account(personal_id, "eid_activation_issued", row)
    db.session.commit()
    audit("activation.issued", personal_id=personal_id, code_id=row.id, place=place)
    return IssuedCode(code, row, event)


def seed_activation(personal_id: str, code: str, *, place: str) -> InPersonCode:
    """Demo seed only: an enrolment event and a known activation code, kept while it is open."""
    registry = get_registry()
    event = registry.enrolment_event(personal_id)
    if event is None and hasattr(registry, "record_enrolment"):
        event = registry.record_enrolment(personal_id, local_today(), place)
    existing = db.session.scalar(select(InPersonCode).where(InPersonCode.personal_id == personal_id,
                                                            InPersonCode.code_hash == _hash(personal_id, code)))
    if existing is not None and existing.used_at is None and existing.expires_at > utcnow():
        return existing
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    row = InPersonCode(kind=ACTIVATION, personal_id=personal_id, code_hash=_hash(personal_id, code), attempts=0,
                       expires_at=utcnow() + settings().activation_ttl, place=place,
                       enrolled_on=event.enrolled_on if event else None)
    db.session.add(row)
    db.session.flush()
    return row


def _tell_account(personal_id: str, event: str, row: InPersonCode) -> None:
    account = _account(personal_id)
    if account is not None:
        notify(event, account_id=account.id,
               params={"place": row.place or "", "expires_at": row.expires_at.isoformat()})


# --- re-proofing --------------------------------------------------------------------

def start_reproofing_request(helper: Principal, personal_id: str, *, consent: bool) -> ReproofingRequest:
    """A community helper, resident present, asks for re-proofing; an officer decides."""
    if not consent:
        raise ResidentConsentRequired(errors={"resident_consent": [ResidentConsentRequired.message]})
    record = citizen_record(personal_id)
    if helper.commune_code not in (record.current_commune_code, record.permanent_commune_code):
        audit("reproofing.request_refused", ok=False, account_id=helper.account_id, reason="scope")
        raise OutOfScope()
    account = _account(personal_id)
    if account is None or account.status != ACTIVE:
        raise CitizenNotFound()
    now = utcnow()
    request = ReproofingRequest(personal_id=personal_id, account_id=account.id, started_by_id=helper.account_id,
                                consent_at=now, expires_at=now + seconds(settings().reproofing_request_ttl_seconds))
    db.session.add(request)
    db.session.flush()
    notify("eid_reproofing_requested", account_id=account.id, params={"at": now.isoformat()})
    db.session.commit()
    audit("reproofing.requested", account_id=account.id, by=helper.account_id, request_id=request.id)
    return request


def authorise_reproofing(officer: Principal, personal_id: str, *, method: str, evidence: str,
                         request_id: uuid.UUID | None = None) -> IssuedCode:
    """Officer in scope: the person is verified at the desk; a short re-proofing code is issued."""
    record = citizen_record(personal_id)
    ensure_desk_scope(officer, record)
    account = _account(personal_id)
    if account is None or account.status != ACTIVE:
        raise CitizenNotFound()
    verification = verify_at_desk(officer, personal_id, method, evidence)
    request = None
    if request_id is not None:
        request = db.session.get(ReproofingRequest, request_id)
        if (request is None or request.personal_id != personal_id or request.authorised_at is not None
                or request.expires_at <= utcnow()):
            raise ReproofingRequestNotFound()
        request.authorised_by_id, request.authorised_at = officer.account_id, utcnow()
    code, row = _issue(REPROOFING, personal_id, seconds(settings().reproofing_code_ttl_seconds),
                       issued_by_id=officer.account_id, verifier=verification.verifier,
                       verification_method=verification.method, verification_ref=verification.reference,
                       request_id=request.id if request else None)
    notify("eid_reproofing_authorised", account_id=account.id, params={"at": utcnow().isoformat()})
    db.session.commit()
    audit("reproofing.authorised", account_id=account.id, by=officer.account_id, code_id=row.id,
          verifier=verification.verifier, method=verification.method, reference=verification.reference,
          request_id=request.id if request else None)
    return IssuedCode(code, row)


def verify_at_desk(officer: Principal, personal_id: str, method: str, evidence: str):
    """The adapter's in-person check, recorded in the audit log whatever its outcome."""
    verification = get_verifier().verify(personal_id, method, evidence)
    audit("identity.verified" if verification.ok else "identity.verification_failed", ok=verification.ok,
          personal_id=personal_id, by=officer.account_id, verifier=verification.verifier,
          method=verification.method, reference=verification.reference)
    if not verification.ok:
        raise IdentityVerificationFailed()
    return verification


# --- the citizen's side ---------------------------------------------------------------

def check_code(personal_id: str, code: str) -> InPersonCode:
    """The open code this citizen presents; a wrong one is counted (and committed) before refusing."""
    now = utcnow()
    row = db.session.scalar(select(InPersonCode).where(InPersonCode.personal_id == personal_id,
                                                       InPersonCode.code_hash == _hash(personal_id, code)))
    if row is None:
        db.session.execute(update(InPersonCode).where(
            InPersonCode.personal_id == personal_id, InPersonCode.used_at.is_(None),
            InPersonCode.expires_at > now).values(attempts=InPersonCode.attempts + 1))
        db.session.commit()
        audit("in_person_code.wrong", ok=False, personal_id=personal_id)
        raise InvalidInPersonCode(errors={"in_person_code": [InvalidInPersonCode.message]})
    if row.used_at is not None:
        raise InPersonCodeUsed()
    if row.expires_at <= now or row.attempts >= settings().in_person_code_max_attempts:
        raise InPersonCodeExpired()
    return row


def consume_code(row: InPersonCode) -> None:
    """Marks the code used, once (two bindings racing with one code: one wins)."""
    taken = db.session.execute(update(InPersonCode).where(
        InPersonCode.id == row.id, InPersonCode.used_at.is_(None)).values(used_at=utcnow())).rowcount
    if not taken:
        raise InPersonCodeUsed()
