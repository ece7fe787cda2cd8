"""A lost phone: freeze at once, recover in person, unfreeze only with the phone itself.

A report (from the web with the password on a session that used SMS or
level 2, at a desk by an officer in scope after an in-person check, or by a
community helper with the resident's consent) freezes the bound device: every
session on it ends, every other level-2 session drops to level 1, level 2 is
suspended (its TOTP codes prove nothing), pending device changes are cancelled
and the citizen is told everywhere. A new phone then needs a re-proofing code
(in_person.py). A found phone is unfrozen only with its own device secret, a
TOTP code and the password.
"""
import uuid

from sqlalchemy import select

from app.common.auth import OutOfScope, Principal
from app.common.clock import utcnow
from app.extensions import db
from app.identity import in_person
from app.identity.audit import audit
from app.identity.device_change import cancel_pending_changes
from app.identity.devices import SMS_METHOD, current_device, proven_device
from app.identity.errors import (
    CitizenNotFound, DeviceNotFound, DeviceNotFrozen, InvalidCredentials, InvalidDeviceProof,
    MethodInsufficient, ResidentConsentRequired,
)
from app.identity.login import check_account_totp, ensure_unlocked, record_failure
from app.identity.models import ACTIVE, Account, Device
from app.identity.passwords import verify_password
from app.common.roles import CITIZEN, LEVEL_2
from app.identity.sessions import end_level2_on_device
from app.notifications.service import notify

BY_CITIZEN, AT_DESK, BY_HELPER = "citizen", "desk", "helper"


def report_by_citizen(principal: Principal, device_id: uuid.UUID, password: str) -> Device:
    """From the web: a session that used SMS (or level 2), and the password again."""
    if principal.level < LEVEL_2 and SMS_METHOD not in principal.methods:
        raise MethodInsufficient()
    account = db.session.get(Account, principal.account_id)
    ensure_unlocked(account)
    if not verify_password(account.password_hash, password):
        audit("device.lost_report_refused", ok=False, account_id=account.id, reason="password")
        record_failure(account)
        raise InvalidCredentials(errors={"password": [InvalidCredentials.message]})
    device = current_device(account.id)
    if device is None or device.id != device_id:
        raise DeviceNotFound()
    return _freeze(account, device, BY_CITIZEN, by=account.id)


def report_at_desk(officer: Principal, personal_id: str, *, method: str, evidence: str) -> Device:
    """An officer in scope, after checking the person at the desk."""
    record = in_person.citizen_record(personal_id)
    in_person.ensure_desk_scope(officer, record)
    account, device = _citizen_device(personal_id)
    in_person.verify_at_desk(officer, personal_id, method, evidence)
    return _freeze(account, device, AT_DESK, by=officer.account_id)


def report_by_helper(helper: Principal, personal_id: str, *, consent: bool) -> Device:
    """A community helper with the resident present and consenting."""
    if not consent:
        raise ResidentConsentRequired(errors={"resident_consent": [ResidentConsentRequired.message]})
    record = in_person.citizen_record(personal_id)
    if helper.commune_code not in (record.current_commune_code, record.permanent_commune_code):
        raise OutOfScope()
    account, device = _citizen_device(personal_id)
    return _freeze(account, device, BY_HELPER, by=helper.account_id)


def _citizen_device(personal_id: str) -> tuple[Account, Device]:
    account = db.session.scalar(select(Account).where(Account.personal_id == personal_id,
                                                      Account.role == CITIZEN))
    if account is None or account.status != ACTIVE:
        raise CitizenNotFound()
    device = current_device(account.id)
    if device is None:
        raise DeviceNotFound()
    return account, device


def _freeze(account: Account, device: Device, channel: str, *, by: uuid.UUID) -> Device:
    if device.frozen_at is None:
        now = utcnow()
        device.frozen_at, device.frozen_reason = now, channel
        end_level2_on_device(account, device.id, "device_lost")
        cancel_pending_changes(account.id, "device_frozen")
        notify("eid_device_frozen", account_id=account.id,
               params={"device_name": device.name, "at": now.isoformat()})
    db.session.commit()
    audit("device.frozen", account_id=account.id, device_id=device.id, channel=channel, by=by)
    return device


def unfreeze(login: str, password: str, device_id: uuid.UUID, device_secret: str, code: str) -> Device:
    """The found phone proves itself: its device secret, a TOTP code and the password."""
    account = db.session.scalar(select(Account).where(Account.login == login.strip().lower()))
    if account is None or account.status != ACTIVE:
        verify_password(None, password)          # same time as a real check
        raise InvalidDeviceProof()
    ensure_unlocked(account)
    if not verify_password(account.password_hash, password):
        audit("device.unfreeze_refused", ok=False, account_id=account.id, reason="password")
        record_failure(account)
        raise InvalidDeviceProof()
    device = proven_device(account, device_id, device_secret)
    if device is None:
        audit("device.unfreeze_refused", ok=False, account_id=account.id, reason="device")
        raise InvalidDeviceProof()
    if device.frozen_at is None:
        raise DeviceNotFrozen()
    check_account_totp(account, code, allow_frozen=True)
    device.frozen_at, device.frozen_reason = None, None
    notify("eid_device_unfrozen", account_id=account.id,
           params={"device_name": device.name, "at": utcnow().isoformat()})
    db.session.commit()
    audit("device.unfrozen", account_id=account.id, device_id=device.id)
    return device
