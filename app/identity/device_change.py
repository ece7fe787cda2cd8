"""Binding a phone (level 2) and changing the bound phone, so that a SIM alone never suffices.

Every binding sends an SMS code to the account's phone (which the registry must
list for the citizen) and enrols a fresh authenticator (TOTP) on the new phone.
What else it needs depends on the account:

- no bound device yet: an in-person activation code (in_person.py), handed
  over at the citizen's biometric enrolment. This is the only way to a first
  level 2;
- a bound device: either its approval (the new phone shows a short code; the
  old phone, at level 2 with its device secret and a TOTP code, approves it;
  the old phone is then unbound), or a re-proofing code from a desk, or, when
  the province turns it on (`IDENTITY_REBIND_COOLING_OFF_HOURS` > 0), a
  cooling-off period: the change waits that long, the citizen is told at once
  and again before it takes effect, and any level-2 session may cancel it;
- a frozen device (reported lost): a re-proofing code only (nobody holds a
  level-2 session to cancel a cooling-off change).
When a binding completes, the old device is unbound: its sessions end, every
other level-2 session drops to level 1 and every earlier access token is refused.
"""
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.common import events
from app.common.auth import Principal, StepUpRequired
from app.common.clock import utcnow
from app.extensions import db
from app.identity import account_events, in_person, otp, totp
from app.identity.audit import audit
from app.identity.devices import (
    SMS_METHOD, TOTP_METHOD, TotpEnrolment, current_device, proven_device, totp_uri,
)
from app.identity.errors import (
    AccountDisabled, BindingExpired, BindingNotFound, BindingPhoneNotVerified, BiometricEnrolmentRequired,
    BoundDeviceRequired, DeviceApprovalNotFound, DeviceApprovalRequired, DeviceChangeNotFound, DeviceFrozen,
    InPersonActivationRequired, InPersonCodeExpired, InvalidDeviceProof, InvalidTotp, PhoneNotInRegistry,
    ReproofingRequired,
)
from app.identity.events import (
    ACCOUNT_LEVEL_CHANGED, DESK_RECOVERY, DEVICE_BOUND, DEVICE_CHANGE, DEVICE_UNBOUND, ENROLMENT,
    LOST_DEVICE_RECOVERY, DeviceBound, DeviceUnbound,
)
from app.identity.login import check_account_totp
from app.identity.models import (
    ACTIVATION, ACTIVE, REPROOFING, Account, AuthSession, Device, DeviceBinding, InPersonCode,
)
from app.common.roles import LEVEL_2
from app.identity.sessions import cut_off_access_tokens, end_level2_on_device, hash_token
from app.identity.settings import seconds, settings
from app.notifications.service import notify
from app.registry.adapter import get_registry

IN_PERSON, DEVICE, COOLING_OFF = "in_person", "device_approval", "cooling_off"
BOUND, PENDING = "bound", "pending"
APPROVAL_LENGTH = 8


@dataclass(frozen=True)
class BindingStarted:
    binding: DeviceBinding
    sms: otp.SentCode
    approval_code: str | None       # shown on the new phone, typed or scanned on the bound one
    authorisation: str


@dataclass(frozen=True)
class BindingOutcome:
    status: str                     # bound | pending (cooling-off)
    device: Device
    device_secret: str
    session: AuthSession
    effective_at: datetime | None = None


def _approval_digest(code: str) -> str:
    return hash_token("approval|" + in_person.normalize_code(code))


def start_binding(account: Account, session: AuthSession, *, device_name: str, platform: str | None,
                  in_person_code: str | None = None) -> BindingStarted:
    """Checks the registry and what authorises the binding, then sends the SMS code."""
    record = get_registry().find_citizen(account.personal_id or "")
    if record is None or not record.is_alive or not record.biometric_enrolled:
        audit("device.binding_refused", ok=False, account_id=account.id, reason="no_biometrics")
        raise BiometricEnrolmentRequired()
    if not account.phone or not record.has_phone(account.phone):
        audit("device.binding_refused", ok=False, account_id=account.id, reason="phone")
        raise PhoneNotInRegistry()
    old = current_device(account.id)
    code_row = in_person.check_code(account.personal_id, in_person_code) if in_person_code else None
    if code_row is None and old is None:
        audit("device.binding_refused", ok=False, account_id=account.id, reason="no_activation")
        raise InPersonActivationRequired()
    if code_row is None and old.frozen_at is not None:
        audit("device.binding_refused", ok=False, account_id=account.id, reason="device_frozen")
        raise ReproofingRequired()
    approval_code = None
    if code_row is None:
        approval_code = "".join(secrets.choice(in_person.ALPHABET) for _ in range(APPROVAL_LENGTH))
    sent = otp.start_flow(otp.BIND_DEVICE, account.phone, account_id=account.id)
    binding = DeviceBinding(account_id=account.id, session_id=session.id, device_name=device_name,
                            platform=platform, sms_flow_id=sent.flow_id,
                            expires_at=utcnow() + seconds(settings().binding_ttl_seconds),
                            authorised_by=code_row.kind if code_row else None,
                            in_person_code_id=code_row.id if code_row else None,
                            approval_code_hash=_approval_digest(approval_code) if approval_code else None)
    db.session.add(binding)
    db.session.commit()
    audit("device.binding_started", account_id=account.id, binding_id=binding.id,
          authorisation=code_row.kind if code_row else "awaiting_device")
    return BindingStarted(binding, sent, approval_code, IN_PERSON if code_row else DEVICE)


def _open_binding(account: Account, binding_id: uuid.UUID) -> DeviceBinding:
    binding = db.session.get(DeviceBinding, binding_id)
    if binding is None or binding.account_id != account.id:
        raise BindingNotFound()
    if (binding.completed_at is not None or binding.cancelled_at is not None
            or binding.effective_at is not None or binding.expires_at <= utcnow()):
        raise BindingExpired()
    return binding


def verify_binding_phone(account: Account, binding_id: uuid.UUID, code: str) -> TotpEnrolment:
    """SMS code right: issues the TOTP secret the phone's authenticator will hold."""
    binding = _open_binding(account, binding_id)
    otp.verify(binding.sms_flow_id, code, otp.BIND_DEVICE)
    secret = totp.new_secret()
    binding.sms_verified_at = utcnow()
    binding.totp_secret = totp.encrypt_secret(secret)
    db.session.commit()
    return TotpEnrolment(secret, totp_uri(account, secret))


def confirm_binding(account: Account, session_id: uuid.UUID, binding_id: uuid.UUID, code: str) -> BindingOutcome:
    """First valid TOTP code: binds the phone now, or (cooling-off) schedules the change."""
    # one binding at a time per account: concurrent confirmations queue on the account row
    db.session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    binding = _open_binding(account, binding_id)
    if binding.sms_verified_at is None or binding.totp_secret is None:
        raise BindingPhoneNotVerified()
    check = totp.check_code(totp.decrypt_secret(binding.totp_secret), code, utcnow(), None)
    if not check.ok:
        audit("device.totp_failed", ok=False, account_id=account.id, binding_id=binding.id)
        raise InvalidTotp(errors={"code": [InvalidTotp.message]})
    old = current_device(account.id)
    if binding.in_person_code_id is not None:
        row = db.session.get(InPersonCode, binding.in_person_code_id)
        if row.expires_at <= utcnow():
            raise InPersonCodeExpired()
        in_person.consume_code(row)
        return _bind(account, binding, session_id, check.step, old, how=row.kind)
    if old is not None and old.frozen_at is None and binding.approved_by_device_id == old.id:
        return _bind(account, binding, session_id, check.step, old, how=DEVICE)
    hours = settings().rebind_cooling_off_hours
    if old is not None and old.frozen_at is None and hours > 0:
        return _schedule(account, binding, session_id, old, hours)
    audit("device.binding_refused", ok=False, account_id=account.id, binding_id=binding.id, reason="not_approved")
    raise DeviceApprovalRequired()


def _new_device(account: Account, binding: DeviceBinding, bound_at: datetime | None) -> tuple[Device, str]:
    device_secret = secrets.token_urlsafe(32)
    device = Device(account_id=account.id, name=binding.device_name, platform=binding.platform,
                    bound_at=bound_at, secret_hash=hash_token(device_secret))
    db.session.add(device)
    db.session.flush()
    return device, device_secret


def _bind(account: Account, binding: DeviceBinding, session_id: uuid.UUID, step: int, old: Device | None,
          *, how: str) -> BindingOutcome:
    now = utcnow()
    device, device_secret = _new_device(account, binding, now)
    binding.authorised_by = how
    _switch(account, binding, device, old, keep=session_id, step=step)
    if account.level < LEVEL_2:
        # the first level 2: only an in-person activation or re-proofing reaches here
        previous_level = account.level
        account.level, account.level2_at = LEVEL_2, now
        account_events.publish(ACCOUNT_LEVEL_CHANGED, account, previous_status=account.status,
                               previous_level=previous_level)
    session = db.session.get(AuthSession, session_id)
    session.device_id, session.level = device.id, LEVEL_2
    session.methods = list(dict.fromkeys([*session.methods, SMS_METHOD, TOTP_METHOD]))
    db.session.commit()
    audit("device.bound", account_id=account.id, device_id=device.id, authorised_by=how,
          replaced_device_id=old.id if old else None)
    return BindingOutcome(BOUND, device, device_secret, session)


def _switch(account: Account, binding: DeviceBinding, device: Device, old: Device | None, *,
            keep: uuid.UUID | None, step: int | None) -> None:
    """The new device becomes the bound one (the caller commits); device.unbound and device.bound are published."""
    now = utcnow()
    how = _how(binding.authorised_by, old)
    if old is not None:
        old.unbound_at = now
        end_level2_on_device(account, old.id, "device_replaced", keep=keep)
        notify("device_unbound", account_id=account.id, params={"device_name": old.name, "at": now.isoformat()})
        events.publish(DEVICE_UNBOUND, DeviceUnbound(account_id=account.id, device_id=old.id, how=how,
                                                     replaced_by_device_id=device.id, at=now))
    else:
        cut_off_access_tokens(account)
    device.bound_at = now
    account.totp_secret, account.totp_confirmed_at, account.totp_last_step = binding.totp_secret, now, step
    binding.completed_at, binding.device_id = now, device.id
    notify("device_bound", account_id=account.id, params={"device_name": device.name, "at": now.isoformat()})
    events.publish(DEVICE_BOUND, DeviceBound(account_id=account.id, device_id=device.id, how=how,
                                             authorised_by=binding.authorised_by,
                                             replaced_device_id=old.id if old else None, at=now))


def _how(authorised_by: str | None, old: Device | None) -> str:
    """What a binding was, for the events: an enrolment, a device change, or a recovery at a desk."""
    if authorised_by == ACTIVATION:
        return ENROLMENT
    if authorised_by == REPROOFING:
        return LOST_DEVICE_RECOVERY if old is not None and old.frozen_at is not None else DESK_RECOVERY
    return DEVICE_CHANGE


def _schedule(account: Account, binding: DeviceBinding, session_id: uuid.UUID, old: Device,
              hours: int) -> BindingOutcome:
    """Cooling-off: the new phone waits; the account holder is told everywhere at once."""
    device, device_secret = _new_device(account, binding, None)
    binding.device_id = device.id
    binding.authorised_by = COOLING_OFF
    binding.effective_at = utcnow() + timedelta(hours=hours)
    notify("eid_device_change_pending", account_id=account.id,
           params={"device_name": device.name, "effective_at": binding.effective_at.isoformat(),
                   "change_id": str(binding.id)})
    db.session.commit()
    audit("device.change_pending", account_id=account.id, binding_id=binding.id, old_device_id=old.id,
          effective_at=binding.effective_at.isoformat())
    return BindingOutcome(PENDING, device, device_secret, db.session.get(AuthSession, session_id),
                          binding.effective_at)


# --- the bound phone's approval ---------------------------------------------------------

def approve_binding(principal: Principal, approval_code: str, device_secret: str, code: str) -> DeviceBinding:
    """The bound phone, at level 2 with its device secret and a TOTP code, approves a new phone.

    A binding waiting out a cooling-off period takes effect at once.
    """
    if principal.level < LEVEL_2:
        raise StepUpRequired(errors={"required_level": ["2"]})
    account = db.session.get(Account, principal.account_id)
    if account.status != ACTIVE:
        raise AccountDisabled()
    device = current_device(account.id)
    if device is None or principal.device_id != device.id:
        raise BoundDeviceRequired()
    if device.frozen_at is not None:
        raise DeviceFrozen()
    if proven_device(account, device.id, device_secret) is None:
        audit("device.approval_refused", ok=False, account_id=account.id, reason="device_secret")
        raise InvalidDeviceProof()
    check_account_totp(account, code)
    binding = db.session.scalar(select(DeviceBinding).where(
        DeviceBinding.account_id == account.id, DeviceBinding.approval_code_hash == _approval_digest(approval_code)))
    now = utcnow()
    if (binding is None or binding.completed_at is not None or binding.cancelled_at is not None
            or (binding.effective_at is None and binding.expires_at <= now)):
        db.session.commit()     # the TOTP step taken stays taken
        audit("device.approval_refused", ok=False, account_id=account.id, reason="code")
        raise DeviceApprovalNotFound()
    binding.approved_at, binding.approved_by_device_id = now, device.id
    if binding.effective_at is not None:
        _switch(account, binding, db.session.get(Device, binding.device_id), device, keep=None, step=None)
    db.session.commit()
    audit("device.change_approved", account_id=account.id, binding_id=binding.id, by_device_id=device.id)
    return binding


# --- cooling-off ------------------------------------------------------------------------------

def pending_changes(account_id: uuid.UUID) -> list[DeviceBinding]:
    return list(db.session.scalars(select(DeviceBinding).where(
        DeviceBinding.account_id == account_id, DeviceBinding.effective_at.is_not(None),
        DeviceBinding.completed_at.is_(None), DeviceBinding.cancelled_at.is_(None))
        .order_by(DeviceBinding.created_at)))


def cancel_change(principal: Principal, binding_id: uuid.UUID) -> DeviceBinding:
    """Any level-2 session of the account cancels a device change waiting out its cooling-off."""
    if principal.level < LEVEL_2:
        raise StepUpRequired(errors={"required_level": ["2"]})
    binding = db.session.get(DeviceBinding, binding_id)
    if binding is None or binding.account_id != principal.account_id or binding not in pending_changes(
            principal.account_id):
        raise DeviceChangeNotFound()
    _cancel(binding, "cancelled_by_holder")
    db.session.commit()
    audit("device.change_cancelled", account_id=principal.account_id, binding_id=binding.id,
          session_id=principal.session_id)
    return binding


def cancel_pending_changes(account_id: uuid.UUID, reason: str) -> None:
    """Every pending change of the account stops (the caller commits)."""
    for binding in pending_changes(account_id):
        _cancel(binding, reason)


def _cancel(binding: DeviceBinding, reason: str) -> None:
    now = utcnow()
    binding.cancelled_at = now
    device = db.session.get(Device, binding.device_id)
    device.unbound_at = now
    notify("eid_device_change_cancelled", account_id=binding.account_id,
           params={"device_name": binding.device_name, "at": now.isoformat()})


def apply_due_changes() -> int:
    """The periodic job: reminds before a cooling-off change takes effect, applies the due ones."""
    now, applied = utcnow(), 0
    reminder = timedelta(hours=settings().rebind_reminder_hours)
    for binding in db.session.scalars(select(DeviceBinding).where(
            DeviceBinding.effective_at.is_not(None), DeviceBinding.completed_at.is_(None),
            DeviceBinding.cancelled_at.is_(None)).order_by(DeviceBinding.effective_at)).all():
        if binding.effective_at <= now:
            applied += _apply(binding)
            continue
        window = min(reminder, (binding.effective_at - binding.created_at) / 2)
        if binding.reminded_at is None and binding.effective_at - window <= now:
            taken = db.session.execute(update(DeviceBinding).where(
                DeviceBinding.id == binding.id, DeviceBinding.reminded_at.is_(None)).values(reminded_at=now)).rowcount
            if taken:
                notify("eid_device_change_reminder", account_id=binding.account_id,
                       params={"device_name": binding.device_name, "effective_at": binding.effective_at.isoformat(),
                               "change_id": str(binding.id)})
            db.session.commit()
    return applied


def _apply(binding: DeviceBinding) -> int:
    account = db.session.scalar(select(Account).where(Account.id == binding.account_id).with_for_update())
    db.session.refresh(binding)
    if binding.completed_at is not None or binding.cancelled_at is not None:
        db.session.commit()
        return 0
    old = current_device(account.id)
    if old is not None and old.frozen_at is not None:
        _cancel(binding, "device_frozen")
        db.session.commit()
        return 0
    _switch(account, binding, db.session.get(Device, binding.device_id), old, keep=None, step=None)
    db.session.commit()
    audit("device.change_applied", account_id=account.id, binding_id=binding.id)
    return 1
