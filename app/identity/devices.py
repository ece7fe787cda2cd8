"""Binding a phone to an account (level 2), proving a device at login, unbinding.

Binding: the citizen, logged in, starts it from the phone; an SMS code goes to
the account's phone (which the registry lists for them); once verified a new
TOTP secret is issued for the phone's authenticator; the first valid code
confirms. Then the phone is the one bound device: the previous one is unbound
and every session on it ends, every access token of the account is cut off,
the account is at level 2 (when the registry shows biometric enrolment) and
the citizen is notified. The app receives a device secret it presents at login
to show the session runs on the bound device.
"""
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.identity import otp, totp
from app.identity.audit import audit
from app.identity.errors import (
    BindingExpired, BindingNotFound, BindingPhoneNotVerified, BiometricEnrolmentRequired,
    DeviceNotFound, InvalidTotp, PhoneNotInRegistry,
)
from app.identity.models import Account, AuthSession, Device, DeviceBinding
from app.common.roles import LEVEL_2
from app.identity.sessions import cut_off_access_tokens, hash_token, revoke_sessions
from app.identity.settings import seconds, settings
from app.notifications.service import notify
from app.registry.adapter import get_registry

TOTP_METHOD, SMS_METHOD = "otp", "sms"


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    provisioning_uri: str


@dataclass(frozen=True)
class BoundDevice:
    device: Device
    device_secret: str
    session: AuthSession


def start_binding(account: Account, session: AuthSession, *, device_name: str,
                  platform: str | None) -> tuple[DeviceBinding, otp.SentCode]:
    """Checks the registry (biometrics, phone) and sends the SMS code."""
    record = get_registry().find_citizen(account.personal_id or "")
    if record is None or not record.is_alive or not record.biometric_enrolled:
        audit("device.binding_refused", ok=False, account_id=account.id, reason="no_biometrics")
        raise BiometricEnrolmentRequired()
    if not account.phone or not record.has_phone(account.phone):
        audit("device.binding_refused", ok=False, account_id=account.id, reason="phone")
        raise PhoneNotInRegistry()
    sent = otp.start_flow(otp.BIND_DEVICE, account.phone, account_id=account.id)
    binding = DeviceBinding(account_id=account.id, session_id=session.id, device_name=device_name,
                            platform=platform, sms_flow_id=sent.flow_id,
                            expires_at=utcnow() + seconds(settings().binding_ttl_seconds))
    db.session.add(binding)
    db.session.commit()
    audit("device.binding_started", account_id=account.id, binding_id=binding.id)
    return binding, sent


def _open_binding(account: Account, binding_id: uuid.UUID) -> DeviceBinding:
    binding = db.session.get(DeviceBinding, binding_id)
    if binding is None or binding.account_id != account.id:
        raise BindingNotFound()
    if binding.completed_at is not None or binding.expires_at <= utcnow():
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


def totp_uri(account: Account, secret: str) -> str:
    label = account.login if account.is_staff else f"{account.personal_id[:3]}******{account.personal_id[-3:]}"
    return totp.provisioning_uri(secret, label, settings().totp_issuer)


def confirm_binding(account: Account, session_id: uuid.UUID, binding_id: uuid.UUID,
                    code: str) -> BoundDevice:
    """First valid TOTP code: binds the phone (the session confirming), ends the old device's sessions."""
    # one binding at a time per account: concurrent confirmations queue on the account row
    db.session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    binding = _open_binding(account, binding_id)
    if binding.sms_verified_at is None or binding.totp_secret is None:
        raise BindingPhoneNotVerified()
    secret = totp.decrypt_secret(binding.totp_secret)
    check = totp.check_code(secret, code, utcnow(), None)
    if not check.ok:
        audit("device.totp_failed", ok=False, account_id=account.id, binding_id=binding.id)
        raise InvalidTotp(errors={"code": [InvalidTotp.message]})
    now = utcnow()
    old = current_device(account.id)
    if old is not None:
        old.unbound_at = now
        revoke_sessions(account.id, "device_replaced", device_id=old.id, keep=session_id)
    device_secret = secrets.token_urlsafe(32)
    device = Device(account_id=account.id, name=binding.device_name, platform=binding.platform,
                    bound_at=now, secret_hash=hash_token(device_secret))
    db.session.add(device)
    db.session.flush()
    account.totp_secret = binding.totp_secret
    account.totp_confirmed_at = now
    account.totp_last_step = check.step
    if account.level < LEVEL_2:
        account.level, account.level2_at = LEVEL_2, now
    cut_off_access_tokens(account)
    session = db.session.get(AuthSession, session_id)
    session.device_id, session.level = device.id, LEVEL_2
    session.methods = list(dict.fromkeys([*session.methods, SMS_METHOD, TOTP_METHOD]))
    binding.completed_at, binding.device_id = now, device.id
    notify("device_bound", account_id=account.id,
           params={"device_name": device.name, "at": now.isoformat()})
    db.session.commit()
    audit("device.bound", account_id=account.id, device_id=device.id,
          replaced_device_id=old.id if old else None)
    return BoundDevice(device, device_secret, session)


def current_device(account_id: uuid.UUID) -> Device | None:
    return db.session.scalar(select(Device).where(
        Device.account_id == account_id, Device.bound_at.is_not(None), Device.unbound_at.is_(None)))


def proven_device(account: Account, device_id, device_secret: str | None) -> Device | None:
    """The account's bound device when the app proved it holds the device secret."""
    if not device_id or not device_secret:
        return None
    device = current_device(account.id)
    if device is None or str(device.id) != str(device_id):
        return None
    if not hmac.compare_digest(device.secret_hash or "", hash_token(device_secret)):
        return None
    return device


def list_devices(account_id: uuid.UUID) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.account_id == account_id)
                                   .order_by(Device.created_at.desc())))


def unbind_device(account: Account, device_id: uuid.UUID) -> None:
    """Unbinds the device: its sessions end and TOTP sign-in stops until a new binding."""
    device = db.session.get(Device, device_id)
    if device is None or device.account_id != account.id or device.unbound_at is not None:
        raise DeviceNotFound()
    device.unbound_at = utcnow()
    revoke_sessions(account.id, "device_unbound", device_id=device.id)
    if account.role == "citizen":
        account.totp_secret = None
        account.totp_confirmed_at = None
    notify("device_unbound", account_id=account.id,
           params={"device_name": device.name, "at": device.unbound_at.isoformat()})
    db.session.commit()
    audit("device.unbound", account_id=account.id, device_id=device.id)
