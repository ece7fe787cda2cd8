"""Logging in: password first, then a second factor; and stepping up to level 2.

Step 1 checks the password. An unknown login, an account without a password
and a wrong password take the same path (a dummy argon2 verification for the
first two) and give the same answer. Five failures lock the login for 15
minutes, doubled on every repeat up to a day; unknown logins lock the same way
(`LoginThrottle`) so a lockout does not reveal an account either.
Step 2 is a TOTP code or an SMS code; wrong second factors count as failures.

Levels (`acr`): a session is level 2 only for a level-2 account whose second
factor was TOTP (or a QR approval from the bound phone, see qr_login.py). An
SMS code gives level 1: it proves the phone number, not the bound device, and
SMS is a restricted authenticator (SIM swap, interception). A client may ask
for a level up front (`level: 2`), as GOV.UK One Login's requested vector of
trust; then only TOTP is offered and an account that cannot reach it is told so.
"""
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.common.auth import Principal
from app.common.clock import utcnow
from app.common.settings import settings as common_settings
from app.extensions import db
from app.identity import otp, totp
from app.identity.audit import audit
from app.identity.devices import SMS_METHOD, TOTP_METHOD, is_frozen, proven_device
from app.identity.errors import (
    AccountDisabled, AccountLocked, DeviceFrozen, InvalidCredentials, InvalidDeviceProof, InvalidOtp,
    InvalidTotp, LevelUnavailable, LoginExpired, MethodInsufficient, TotpRequired,
)
from app.identity.models import ACTIVE, DISABLED, Account, AuthSession, LoginThrottle, PendingLogin
from app.identity.passwords import hash_password, needs_rehash, verify_password
from app.common.roles import LEVEL_1, LEVEL_2
from app.identity.sessions import ClientInfo, IssuedTokens, access_token_only, hash_token, start_session
from app.identity.settings import seconds, settings

PASSWORD_METHOD = "pwd"
DEVICE_KEY_METHOD = "swk"      # RFC 8176: proof of a software-secured key (the device secret)


@dataclass(frozen=True)
class LoginStarted:
    login_token: str
    expires_at: datetime
    second_factors: list[str]
    sms: otp.SentCode | None


# --- lockout -----------------------------------------------------------------

def _throttle_key(login: str) -> str:
    key = hashlib.sha256(b"login-throttle|" + common_settings().secret_key.encode()).digest()
    return hmac.new(key, login.strip().lower().encode(), hashlib.sha256).hexdigest()


def _unknown_login_throttle(login: str) -> LoginThrottle:
    key = _throttle_key(login)
    statement = select(LoginThrottle).where(LoginThrottle.key_hash == key)
    throttle = db.session.scalar(statement)
    if throttle is None:
        throttle = LoginThrottle(key_hash=key, failed_logins=0, lockouts=0)
        try:
            with db.session.begin_nested():   # the same unknown login tried twice at once
                db.session.add(throttle)
        except IntegrityError:
            throttle = db.session.scalar(statement)
    return throttle


def _ensure_unlocked(target: Account | LoginThrottle) -> None:
    if target.locked_until is not None and target.locked_until > utcnow():
        wait = int((target.locked_until - utcnow()).total_seconds()) + 1
        raise AccountLocked(headers={"Retry-After": str(wait)})


def _record_failure(target: Account | LoginThrottle) -> None:
    """Counts a failure, locks at the limit, commits, and raises the refusal."""
    rules = settings()
    target.failed_logins = (target.failed_logins or 0) + 1
    if target.failed_logins >= rules.max_failed_logins:
        lock = min(rules.lockout_seconds * 2 ** (target.lockouts or 0), rules.max_lockout_seconds)
        target.locked_until = utcnow() + seconds(lock)
        target.lockouts = (target.lockouts or 0) + 1
        target.failed_logins = 0
        db.session.commit()
        raise AccountLocked(headers={"Retry-After": str(lock)})
    db.session.commit()


ensure_unlocked, record_failure = _ensure_unlocked, _record_failure   # for the other password checks


def _clear_failures(account: Account) -> None:
    account.failed_logins, account.lockouts, account.locked_until = 0, 0, None


# --- step 1: password --------------------------------------------------------

def begin_login(login: str, password: str, *, requested_level: int | None, client: ClientInfo,
                device_id: uuid.UUID | None = None, device_secret: str | None = None) -> LoginStarted:
    """Checks the password; on success returns a login token for the second step."""
    login = login.strip().lower()
    account = db.session.scalar(select(Account).where(Account.login == login))
    usable = account is not None and account.status in (ACTIVE, DISABLED) and account.password_hash
    target = account if usable else _unknown_login_throttle(login)
    try:
        _ensure_unlocked(target)
    except AccountLocked:
        audit("login.locked", ok=False, login=login, ip=client.ip_address)
        raise
    if not verify_password(account.password_hash if usable else None, password):
        audit("login.password_failed", ok=False, login=login, ip=client.ip_address)
        _record_failure(target)
        raise InvalidCredentials()
    if account.status == DISABLED:
        audit("login.disabled", ok=False, account_id=account.id, ip=client.ip_address)
        raise AccountDisabled()
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    factors = _second_factors(account, requested_level)
    token = secrets.token_urlsafe(32)
    device = proven_device(account, device_id, device_secret)
    pending = PendingLogin(
        account_id=account.id, token_hash=hash_token(token), requested_level=requested_level,
        device_id=device.id if device else None, client_name=client.name, ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:255] or None,
        expires_at=utcnow() + seconds(settings().login_ttl_seconds))
    pending.account = account
    sms = None
    if factors == ["sms"]:
        sms = otp.start_flow(otp.LOGIN, account.phone, account_id=account.id)
        pending.sms_flow_id = sms.flow_id
    db.session.add(pending)
    db.session.commit()
    audit("login.password_ok", account_id=account.id, ip=client.ip_address)
    return LoginStarted(token, pending.expires_at, factors, sms)


def _second_factors(account: Account, requested_level: int | None) -> list[str]:
    has_totp = account.totp_secret is not None
    if requested_level == LEVEL_2 and (account.level < LEVEL_2 or not has_totp or is_frozen(account.id)):
        audit("login.level_unavailable", ok=False, account_id=account.id)
        raise LevelUnavailable()
    if account.is_staff:
        if not has_totp:
            raise TotpRequired()
        return ["totp"]
    if requested_level == LEVEL_2:
        return ["totp"]
    return ["totp", "sms"] if has_totp else ["sms"]


def _pending(login_token: str) -> PendingLogin:
    pending = db.session.scalar(select(PendingLogin).where(PendingLogin.token_hash == hash_token(login_token)))
    if pending is None or pending.completed_at is not None or pending.expires_at <= utcnow():
        raise LoginExpired()
    return pending


def send_login_sms(login_token: str) -> otp.SentCode:
    """Sends (or sends again) the SMS code of a pending login."""
    pending = _pending(login_token)
    account = pending.account
    if account.is_staff or pending.requested_level == LEVEL_2:
        raise MethodInsufficient()
    if pending.sms_flow_id is None:
        sent = otp.start_flow(otp.LOGIN, account.phone, account_id=account.id)
        pending.sms_flow_id = sent.flow_id
    else:
        sent = otp.resend(pending.sms_flow_id)
    db.session.commit()
    return sent


# --- step 2: second factor ---------------------------------------------------

def complete_login(login_token: str, method: str, code: str) -> IssuedTokens:
    """Checks the second factor and starts the session."""
    pending = _pending(login_token)
    account = pending.account
    _ensure_unlocked(account)
    if account.status != ACTIVE:
        raise AccountDisabled()
    if method == "totp":
        check_account_totp(account, code)
        level = LEVEL_2 if account.level >= LEVEL_2 else LEVEL_1
        methods = [PASSWORD_METHOD, TOTP_METHOD]
    else:
        if account.is_staff or pending.requested_level == LEVEL_2:
            raise MethodInsufficient()
        if pending.sms_flow_id is None:
            raise LoginExpired()
        try:
            otp.verify(pending.sms_flow_id, code, otp.LOGIN)
        except InvalidOtp:
            _record_failure(account)
            raise
        level, methods = LEVEL_1, [PASSWORD_METHOD, SMS_METHOD]
    done = db.session.execute(update(PendingLogin).where(
        PendingLogin.id == pending.id, PendingLogin.completed_at.is_(None)
    ).values(completed_at=utcnow())).rowcount
    if not done:
        raise LoginExpired()
    _clear_failures(account)
    issued = start_session(account, level=level, methods=methods, device_id=pending.device_id,
                           client_name=pending.client_name, ip_address=pending.ip_address,
                           user_agent=pending.user_agent)
    db.session.commit()
    audit("login.succeeded", account_id=account.id, session_id=issued.session_id, level=level,
          methods=methods, ip=pending.ip_address)
    return issued


def check_account_totp(account: Account, code: str, *, allow_frozen: bool = False) -> None:
    """Accepts the account's TOTP code once per time step, or counts a failure.

    The secret lives on the bound phone: while that phone is reported lost its
    codes prove nothing (except to unfreeze it, with the device secret and password).
    """
    if account.totp_secret is None:
        raise MethodInsufficient()
    if not allow_frozen and not account.is_staff and is_frozen(account.id):
        audit("totp.device_frozen", ok=False, account_id=account.id)
        raise DeviceFrozen()
    secret = totp.decrypt_secret(account.totp_secret)
    check = totp.check_code(secret, code, utcnow(), account.totp_last_step)
    if not check.ok:
        if check.replay:
            audit("totp.replay_refused", ok=False, account_id=account.id, step=check.step)
        else:
            audit("totp.failed", ok=False, account_id=account.id)
        _record_failure(account)
        raise InvalidTotp(errors={"code": [InvalidTotp.message]})
    # Take the step atomically: the same code sent twice at once is accepted once
    previous = account.totp_last_step
    taken = db.session.execute(update(Account).where(
        Account.id == account.id,
        (Account.totp_last_step.is_(None) if previous is None else Account.totp_last_step == previous),
    ).values(totp_last_step=check.step), execution_options={"synchronize_session": "fetch"}).rowcount
    if not taken:
        audit("totp.replay_refused", ok=False, account_id=account.id, step=check.step)
        raise InvalidTotp(errors={"code": [InvalidTotp.message]})
    if account.totp_confirmed_at is None:
        account.totp_confirmed_at = utcnow()


# --- step-up -----------------------------------------------------------------

def step_up_with_totp(principal: Principal, code: str) -> IssuedTokens:
    """Raises a level-1 session of a level-2 account to level 2 with a TOTP code."""
    session = db.session.get(AuthSession, principal.session_id)
    account = session.account
    if account.level < LEVEL_2 or account.totp_secret is None:
        audit("step_up.unavailable", ok=False, account_id=account.id)
        raise LevelUnavailable()
    _ensure_unlocked(account)
    check_account_totp(account, code)
    raise_session_level(session, TOTP_METHOD)
    _clear_failures(account)
    db.session.commit()
    audit("step_up.succeeded", account_id=account.id, session_id=session.id, method="totp")
    return access_token_only(session)


def raise_session_level(session: AuthSession, method: str) -> None:
    session.level = LEVEL_2
    session.methods = list(dict.fromkeys([*session.methods, method]))


# --- the bound device alone (works while the password path is locked) ---------------

def login_with_device(login: str, device_id: uuid.UUID, device_secret: str, code: str,
                      client: ClientInfo) -> IssuedTokens:
    """The bound phone logs in with its device secret and a TOTP code: a level-2 session.

    A password lockout does not stop it (a stranger's wrong passwords must not lock
    the citizen out of their own phone); wrong TOTP codes still count.
    """
    account = db.session.scalar(select(Account).where(Account.login == login.strip().lower()))
    device = proven_device(account, device_id, device_secret) if account is not None else None
    if device is None:
        audit("login.device_refused", ok=False, login=login, ip=client.ip_address)
        raise InvalidDeviceProof()
    if account.status != ACTIVE:
        raise AccountDisabled()
    if device.frozen_at is not None:
        raise DeviceFrozen()
    if account.level < LEVEL_2:
        raise LevelUnavailable()
    check_account_totp(account, code)
    issued = start_session(account, level=LEVEL_2, methods=[DEVICE_KEY_METHOD, TOTP_METHOD], device_id=device.id,
                           client_name=client.name, ip_address=client.ip_address, user_agent=client.user_agent)
    db.session.commit()
    audit("login.succeeded", account_id=account.id, session_id=issued.session_id, level=LEVEL_2,
          methods=issued.methods, ip=client.ip_address)
    return issued
