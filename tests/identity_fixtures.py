"""Helpers for the identity tests: codes read from the outbox, accounts in every state."""
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db, limiter
from app.identity import totp
from app.identity.models import ACTIVE, Account, Device
from app.identity.passwords import hash_password
from app.identity.sessions import hash_token, start_session
from app.notifications.models import OutboxMessage
from tests.factories import AccountFactory, RegistryCitizenFactory

PASSWORD = "mua-xuan-tren-dong-song-2025"
API = "/api/v1/identity"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with empty per-address counters (the limiter's storage is reset)."""
    limiter.reset()
    yield
    limiter.reset()


def last_code(phone: str, purpose: str | None = None) -> str:
    """The newest OTP queued for `phone` (what the citizen reads on the phone)."""
    statement = (select(OutboxMessage).where(OutboxMessage.event == "otp_code",
                                             OutboxMessage.address == phone)
                 .order_by(OutboxMessage.created_at.desc()))
    for message in db.session.scalars(statement):
        if purpose is None or message.params.get("purpose") == purpose:
            return message.params["code"]
    raise AssertionError(f"no OTP queued for {phone}")


def otp_messages(phone: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.event == "otp_code", OutboxMessage.address == phone)))


def totp_code(secret: str, moment=None) -> str:
    return pyotp.TOTP(secret).at(moment or utcnow())


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def next_step():
    """Moves the clock to the next TOTP step (a new code), and past SMS resend waits."""
    return time_machine.travel(utcnow() + timedelta(seconds=61), tick=False)


@dataclass
class BoundCitizen:
    account: Account
    device: Device
    device_secret: str
    totp_secret: str
    password: str = PASSWORD

    def phone_headers(self, level: int = 2) -> dict:
        """A session of the phone app on the bound device."""
        issued = start_session(self.account, level=level, methods=["pwd", "otp"], device_id=self.device.id)
        db.session.flush()
        return {"Authorization": f"Bearer {issued.access_token}"}


def active_citizen(level: int = 1, password: str = PASSWORD, **citizen_fields) -> Account:
    citizen = RegistryCitizenFactory(**citizen_fields)
    return AccountFactory(citizen=citizen, level=level, password_hash=hash_password(password),
                          failed_logins=0, lockouts=0, status=ACTIVE)


def bound_citizen(secret: str | None = None) -> BoundCitizen:
    """A level-2 citizen with a TOTP secret and a bound phone."""
    account = active_citizen(level=2)
    secret = secret or totp.new_secret()
    account.totp_secret = totp.encrypt_secret(secret)
    account.totp_confirmed_at = utcnow()
    device_secret = uuid.uuid4().hex
    device = Device(account_id=account.id, name="Demo phone", platform="android", bound_at=utcnow(),
                    secret_hash=hash_token(device_secret))
    db.session.add(device)
    db.session.flush()
    return BoundCitizen(account, device, device_secret, secret)


def handed_activation(personal_id: str, place: str = "Công an xã Hưng Điền") -> str:
    """The activation code a citizen receives at the in-person biometric enrolment."""
    from app.identity.in_person import enrol_in_person

    return enrol_in_person(personal_id, place).code


def log_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post(f"{API}/login", json={"login": login, "password": password, **extra})


def bearer_of(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
