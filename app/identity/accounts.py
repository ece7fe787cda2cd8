"""Citizen accounts: registration against the registry, phone verification,
passwords (set, change, reset).

Registration (level 1): personal id, full name, date of birth and phone must
all match the population registry, the phone must be one the registry lists
for that citizen (no unowned SIMs) and the citizen must be alive; whatever
fails, the answer is the same `registry_mismatch`, so nobody learns who is in
the registry. One account per personal id: an account still waiting for its
phone or password is taken over by a new registration (only the registry's
phone can finish it). For an active account the answer is the same as for a
new one (201 and a challenge) but the challenge is a decoy that sends no code
and never verifies; the holder is told in the inbox, by push and e-mail that
someone tried (docs/identity-level2.md, "Enumeration").
"""
import time
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.clock import utcnow
from app.extensions import db
from app.identity import account_events, otp
from app.identity.audit import audit
from app.identity.devices import current_device
from app.identity.errors import (
    AccountExists, InvalidCredentials, InvalidGrant, OtpNotFound, RegistryMismatch,
)
from app.identity.events import ACCOUNT_ACTIVATED
from app.identity.models import ACTIVE, PENDING_PASSWORD, PENDING_PHONE, Account, AuthSession
from app.identity.login import ensure_unlocked, record_failure
from app.identity.settings import settings
from app.identity.passwords import check_password, hash_password, verify_password
from app.common.roles import CITIZEN, LEVEL_1
from app.identity.sessions import (
    IssuedTokens, access_token_only, cut_off_access_tokens, revoke_sessions,
)
from app.notifications.models import EMAIL, IN_APP, PUSH
from app.notifications.service import notify
from app.registry.adapter import get_registry


@dataclass(frozen=True)
class Grant:
    token: str
    expires_at: datetime


def normalize_phone(phone: str) -> str:
    """'+84 912 345 678' or '84912345678' -> '0912345678'."""
    digits = "".join(c for c in str(phone) if c.isdigit())
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def same_name(a: str, b: str) -> bool:
    """Names match ignoring case, spacing and Unicode composition (not diacritics)."""
    def clean(s):
        return " ".join(unicodedata.normalize("NFC", s).split()).casefold()
    return clean(a) == clean(b)


# --- registration ------------------------------------------------------------

@contextmanager
def _no_sooner_than(milliseconds: int):
    """Pads the answer to a fixed minimum time, so that whether an account exists
    (more rows written) does not show in how long the answer takes."""
    started = time.monotonic()
    try:
        yield
    finally:
        left = milliseconds / 1000 - (time.monotonic() - started)
        if left > 0:
            _pause(left)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def register(personal_id: str, full_name: str, date_of_birth: date, phone: str) -> otp.SentCode:
    """Checks the details against the registry and sends the SMS code."""
    with _no_sooner_than(settings().answer_floor_ms):
        return _register(personal_id, full_name, date_of_birth, phone)


def _register(personal_id: str, full_name: str, date_of_birth: date, phone: str) -> otp.SentCode:
    phone = normalize_phone(phone)
    record = get_registry().find_citizen(personal_id)
    if (record is None or not record.is_alive or not same_name(record.full_name, full_name)
            or record.date_of_birth != date_of_birth or not record.has_phone(phone)):
        audit("registration.mismatch", ok=False, personal_id=personal_id)
        raise RegistryMismatch()
    account = db.session.scalar(select(Account).where(Account.personal_id == personal_id))
    if account is not None and account.status not in (PENDING_PHONE, PENDING_PASSWORD):
        notify("eid_registration_attempt", account_id=account.id, params={"at": utcnow().isoformat()},
               channels=(IN_APP, PUSH, EMAIL))
        sent = otp.start_flow(otp.REGISTER, phone, account_id=None)
        db.session.commit()
        audit("registration.exists", ok=False, account_id=account.id)
        return sent
    if account is None:
        account = Account(login=personal_id, personal_id=personal_id, role=CITIZEN, level=LEVEL_1,
                          failed_logins=0, lockouts=0, full_name=record.full_name, phone=phone,
                          status=PENDING_PHONE)
        try:
            with db.session.begin_nested():   # two registrations at once: one account
                db.session.add(account)
        except IntegrityError:
            raise AccountExists() from None
        account_events.registered(account, record)
    account.full_name, account.phone, account.status = record.full_name, phone, PENDING_PHONE
    db.session.flush()
    sent = otp.start_flow(otp.REGISTER, phone, account_id=account.id)
    db.session.commit()
    audit("registration.started", account_id=account.id)
    return sent


def verify_registration_phone(flow_id: uuid.UUID, code: str) -> Grant:
    """SMS code right: the phone is verified; returns the token for setting the password."""
    challenge = otp.verify(flow_id, code, otp.REGISTER)
    account = db.session.get(Account, challenge.account_id)
    if account.status not in (PENDING_PHONE, PENDING_PASSWORD) or account.phone != challenge.phone:
        raise OtpNotFound()
    account.status = PENDING_PASSWORD
    token, expires_at = otp.issue_grant(challenge)
    db.session.commit()
    audit("registration.phone_verified", account_id=account.id)
    return Grant(token, expires_at)


def set_first_password(setup_token: str, password: str) -> Account:
    """Sets the password: the account is active at level 1."""
    challenge = otp.consume_grant(setup_token, otp.REGISTER)
    account = db.session.get(Account, challenge.account_id)
    if account.status != PENDING_PASSWORD:
        raise InvalidGrant()
    record = get_registry().find_citizen(account.personal_id) if account.personal_id else None
    account.password_hash = hash_password(_checked(account, password, record))
    account.status, account.activated_at = ACTIVE, utcnow()
    account_events.publish(ACCOUNT_ACTIVATED, account, previous_status=PENDING_PASSWORD,
                           previous_level=account.level, record=record)
    db.session.commit()
    audit("registration.completed", account_id=account.id)
    return account


_ASK_REGISTRY = object()   # `_checked` asks the registry itself


def _checked(account: Account, password: str, record=_ASK_REGISTRY) -> str:
    if record is _ASK_REGISTRY:
        record = get_registry().find_citizen(account.personal_id) if account.personal_id else None
    return check_password(password, personal_id=account.personal_id, phone=account.phone,
                          full_name=account.full_name,
                          date_of_birth=record.date_of_birth if record else None)


# --- password reset and change -----------------------------------------------

def start_password_reset(personal_id: str, phone: str) -> otp.SentCode:
    """Sends a code when the details fit an account; otherwise a decoy that looks the same."""
    with _no_sooner_than(settings().answer_floor_ms):
        return _start_password_reset(personal_id, phone)


def _start_password_reset(personal_id: str, phone: str) -> otp.SentCode:
    phone = normalize_phone(phone)
    account = db.session.scalar(select(Account).where(Account.personal_id == personal_id))
    genuine = (account is not None and account.status == ACTIVE and account.phone == phone
               and _registry_lists(account, phone))
    sent = otp.start_flow(otp.RESET, phone, account_id=account.id if genuine else None)
    db.session.commit()
    audit("password_reset.started" if genuine else "password_reset.decoy", ok=genuine,
          account_id=account.id if genuine else None)
    return sent


def _registry_lists(account: Account, phone: str) -> bool:
    record = get_registry().find_citizen(account.personal_id)
    return record is not None and record.is_alive and record.has_phone(phone)


def verify_password_reset(flow_id: uuid.UUID, code: str) -> Grant:
    challenge = otp.verify(flow_id, code, otp.RESET)
    token, expires_at = otp.issue_grant(challenge)
    db.session.commit()
    return Grant(token, expires_at)


def reset_password(reset_token: str, password: str) -> Account:
    """New password; every session ends except the bound phone's, and every access token.

    An SMS code proves the SIM, not the person: the reset changes nothing at
    level 2. The bound device stays bound (its sessions too, so its holder sees
    the notice and can act), every other session ends, and the bound phone and
    the inbox are told at once.
    """
    challenge = otp.consume_grant(reset_token, otp.RESET)
    account = db.session.get(Account, challenge.account_id)
    account.password_hash = hash_password(_checked(account, password))
    account.failed_logins, account.lockouts, account.locked_until = 0, 0, None
    device = current_device(account.id)
    revoke_sessions(account.id, "password_reset", spare_device_id=device.id if device else None)
    cut_off_access_tokens(account)
    notify("eid_password_reset", account_id=account.id, params={"at": utcnow().isoformat()})
    db.session.commit()
    audit("password_reset.completed", account_id=account.id)
    return account


def change_password(account: Account, session_id: uuid.UUID, current: str, new: str) -> IssuedTokens:
    """Changes the password; other sessions end, this one gets a new access token.

    Wrong current passwords count toward the lockout exactly as at login.
    """
    ensure_unlocked(account)
    if not verify_password(account.password_hash, current):
        audit("password_change.failed", ok=False, account_id=account.id)
        record_failure(account)
        raise InvalidCredentials(errors={"current_password": [InvalidCredentials.message]})
    account.password_hash = hash_password(_checked(account, new))
    revoke_sessions(account.id, "password_changed", keep=session_id)
    cut_off_access_tokens(account)
    notify("password_changed", account_id=account.id, params={"at": utcnow().isoformat()})
    session = db.session.get(AuthSession, session_id)
    db.session.commit()
    audit("password_change.completed", account_id=account.id)
    return access_token_only(session)

