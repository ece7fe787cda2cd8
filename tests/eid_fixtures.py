"""Helpers for the level-2 tests: desk officers in and out of scope, helpers, policies, notices."""
import dataclasses
import itertools
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import select

from app.catalog.models import COMMUNE_COMMITTEE, PROVINCIAL_POLICE, Agency
from app.extensions import db
from app.common.roles import ASSISTANT, OFFICER
from app.identity.settings import settings
from app.identity.staff import create_staff
from app.notifications.models import NotificationProfile, OutboxMessage, PushDevice
from tests.factories import COMMUNE, bearer
from tests.identity_fixtures import PASSWORD

OTHER_COMMUNE = "25459"      # Phường Tân Ninh, Tây Ninh (80)
OTHER_PROVINCE_COMMUNE = "25747"   # Phường Thủ Dầu Một (79)
_serial = itertools.count(1)


def _agency(kind: str, province_code: str, commune_code: str | None) -> Agency:
    agency = Agency(code=f"T-{kind[:6]}-{next(_serial)}", name=f"Test {kind}", kind=kind,
                    province_code=province_code, commune_code=commune_code)
    db.session.add(agency)
    db.session.flush()
    return agency


def staff(role: str, *, kind: str | None = None, province_code: str = "80", commune_code: str | None = COMMUNE):
    agency = _agency(kind, province_code, commune_code) if kind else None
    account = create_staff(role=role, login=f"{role}.eid.{next(_serial)}", full_name="Cán Bộ Thử",
                           password=PASSWORD, agency_code=agency.code if agency else None,
                           commune_code=commune_code).account
    db.session.flush()
    return account


def desk_officer(commune_code: str = COMMUNE) -> dict:
    """A commune one-stop desk officer, logged in at level 2."""
    return bearer(staff(OFFICER, kind=COMMUNE_COMMITTEE, commune_code=commune_code), level=2)


def police_officer(province_code: str = "80") -> dict:
    """A provincial police officer (the whole province), logged in at level 2."""
    return bearer(staff(OFFICER, kind=PROVINCIAL_POLICE, province_code=province_code, commune_code=None), level=2)


def helper(commune_code: str = COMMUNE) -> dict:
    """A community digital-tech team member of the commune."""
    return bearer(staff(ASSISTANT, commune_code=commune_code), level=2)


@contextmanager
def policy(**changes):
    """Identity settings changed for the duration (e.g. rebind_cooling_off_hours=48)."""
    before = settings()
    current_app.extensions["identity_settings"] = dataclasses.replace(before, **changes)
    try:
        yield
    finally:
        current_app.extensions["identity_settings"] = before


def reachable(account, email: str = "dan@example.vn") -> None:
    """The account has the app on a phone (push) and an e-mail address."""
    db.session.add(PushDevice(account_id=account.id, token=f"fcm-{account.id}", platform="android", name="Phone"))
    db.session.add(NotificationProfile(account_id=account.id, locale="vi", email=email, choices={}))
    db.session.flush()


def channels_of(account, event: str) -> set[str]:
    return {m.channel for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.account_id == account.id, OutboxMessage.event == event))}


EVERY_CHANNEL = {"in_app", "push", "email", "sms"}
