"""The bound device: finding it, proving it at login, unbinding it.

Binding a phone and changing it are in device_change.py; reporting it lost in
lost_device.py. One device is bound at a time; the app holds a device secret
(stored here as its SHA-256) it presents at login to show the session runs on
the bound device. A frozen device (reported lost) stays bound but vouches for
nothing until it proves itself again.
"""
import hmac
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.common import events
from app.common.clock import utcnow
from app.extensions import db
from app.identity import totp
from app.identity.audit import audit
from app.identity.errors import DeviceNotFound
from app.identity.events import BY_HOLDER, DEVICE_UNBOUND, DeviceUnbound
from app.identity.models import Account, Device
from app.identity.sessions import end_level2_on_device, hash_token
from app.identity.settings import settings
from app.notifications.service import notify

TOTP_METHOD, SMS_METHOD = "otp", "sms"


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    provisioning_uri: str


def totp_uri(account: Account, secret: str) -> str:
    label = account.login if account.is_staff else f"{account.personal_id[:3]}******{account.personal_id[-3:]}"
    return totp.provisioning_uri(secret, label, settings().totp_issuer)


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


def is_frozen(account_id: uuid.UUID) -> bool:
    """True while the account's bound device is reported lost (level 2 suspended)."""
    device = current_device(account_id)
    return device is not None and device.frozen_at is not None


def unbind_device(account: Account, device_id: uuid.UUID) -> None:
    """Unbinds the device (from a level-2 session): its sessions end, every other level-2
    session drops to level 1, and TOTP sign-in stops until a new binding."""
    device = db.session.get(Device, device_id)
    if device is None or device.account_id != account.id or device.unbound_at is not None:
        raise DeviceNotFound()
    device.unbound_at = utcnow()
    end_level2_on_device(account, device.id, "device_unbound")
    if account.role == "citizen":
        account.totp_secret = None
        account.totp_confirmed_at = None
    notify("device_unbound", account_id=account.id,
           params={"device_name": device.name, "at": device.unbound_at.isoformat()})
    events.publish(DEVICE_UNBOUND, DeviceUnbound(account_id=account.id, device_id=device.id, how=BY_HOLDER,
                                                 replaced_by_device_id=None, at=device.unbound_at))
    db.session.commit()
    audit("device.unbound", account_id=account.id, device_id=device.id)
