"""A citizen's notification settings (language, e-mail, channel choices) and devices."""
import uuid

from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.notifications import routing
from app.notifications.errors import DeviceNotFound, PreferenceLocked
from app.notifications.models import NotificationProfile, PushDevice

UNCHANGED = object()


def get_profile(account_id: uuid.UUID) -> NotificationProfile:
    """The account's profile (a default one, not stored, when it has none)."""
    profile = db.session.scalar(select(NotificationProfile).where(NotificationProfile.account_id == account_id))
    return profile or NotificationProfile(account_id=account_id, locale="vi", email=None, choices={})


def preferences_view(profile: NotificationProfile) -> dict:
    return {"locale": profile.locale or "vi", "email": profile.email,
            "channels": routing.matrix(profile.choices or {})}


def update_preferences(account_id: uuid.UUID, *, locale=UNCHANGED, email=UNCHANGED,
                       channels: list[dict] | None = None) -> NotificationProfile:
    """Changes what was given; refuses to switch off what cannot be."""
    profile = get_profile(account_id)
    choices = {category: dict(values) for category, values in (profile.choices or {}).items()}
    locked = [c for c in channels or () if not c["enabled"] and routing.is_locked(c["category"], c["channel"])]
    if locked:
        raise PreferenceLocked(errors={"channels": [f"{c['category']}/{c['channel']}" for c in locked]})
    for change in channels or ():
        if not routing.is_locked(change["category"], change["channel"]):
            choices.setdefault(change["category"], {})[change["channel"]] = change["enabled"]
    if locale is not UNCHANGED:
        profile.locale = locale
    if email is not UNCHANGED:
        profile.email = email.strip().lower() if email else None
    profile.choices = choices
    db.session.add(profile)
    db.session.commit()
    return profile


def list_devices(account_id: uuid.UUID) -> list[PushDevice]:
    return list(db.session.scalars(select(PushDevice).where(PushDevice.account_id == account_id)
                                   .order_by(PushDevice.created_at.desc())))


def register_device(account_id: uuid.UUID, *, token: str, platform: str,
                    name: str | None = None) -> tuple[PushDevice, bool]:
    """Registers a push token for the account; (device, created).

    A token identifies one app installation: registered again by another
    account (someone else logged in on that phone), it moves to that account.
    """
    device = db.session.scalar(select(PushDevice).where(PushDevice.token == token).with_for_update())
    created = device is None
    if created:
        device = PushDevice(token=token, account_id=account_id, platform=platform)
        db.session.add(device)
    device.account_id, device.platform, device.name = account_id, platform, name or device.name
    device.last_seen_at = utcnow()
    db.session.commit()
    return device, created


def remove_device(account_id: uuid.UUID, device_id: uuid.UUID) -> None:
    device = db.session.scalar(select(PushDevice).where(PushDevice.id == device_id,
                                                        PushDevice.account_id == account_id))
    if device is None:
        raise DeviceNotFound()
    db.session.delete(device)
    db.session.commit()
