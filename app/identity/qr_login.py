"""QR-code login across devices, after MOSIP eSignet's linked-wallet flow.

1. A web client, not logged in, asks for a login request: it gets an id, a
   short opaque code (160 random bits) shown as a QR image, and a poll secret
   that only it holds. The code lives 120 seconds; the client may refresh it.
2. The citizen's phone app, logged in at level 2 on the bound device, scans the
   code, sees who asks (client name, address, browser, time) and approves or
   denies. Approval creates the web session (level 2, `amr` = qr) at once, so
   it shows in the phone's session list and can be revoked there.
3. The web client polls with its secret (long polling allowed) and receives
   the tokens exactly once.
A logged-in level-1 web session may use the same flow to step up: the approval
must then come from the same account, and the existing session is raised.
Codes and poll secrets are stored only as SHA-256 hashes.
"""
import secrets
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from app.common.auth import Principal, StepUpRequired
from app.common.clock import utcnow
from app.common.long_poll import wait_slot
from app.extensions import db
from app.identity.audit import audit
from app.identity.devices import current_device
from app.identity.errors import (
    AccountDisabled, DeviceFrozen, BoundDeviceRequired, DelegationNotAllowed, LevelUnavailable, QrLoginConsumed, QrLoginDecided, QrLoginExpired, QrLoginNotFound,
    QrWrongAccount,
)
from app.identity.login import raise_session_level
from app.identity.models import (
    ACTIVE, QR_APPROVED, QR_CONSUMED, QR_DENIED, QR_PENDING, QR_SCANNED, Account, AuthSession, QrLogin,
)
from app.common.roles import LEVEL_2
from app.identity.sessions import (
    ClientInfo, IssuedTokens, access_token_only, hash_token, open_session, tokens_for,
)
from app.identity.settings import seconds, settings
from app.notifications.service import notify

CODE_PREFIX = "spqr1."     # lets the phone app recognise our codes
QR_METHOD = "qr"
OPEN = (QR_PENDING, QR_SCANNED)


@dataclass(frozen=True)
class QrLoginCreated:
    login: QrLogin
    code: str
    poll_secret: str | None


@dataclass(frozen=True)
class PollResult:
    login: QrLogin
    tokens: IssuedTokens | None = None


def new_code() -> str:
    return CODE_PREFIX + secrets.token_urlsafe(20)


def create_qr_login(client: ClientInfo, step_up: Principal | None = None) -> QrLoginCreated:
    """A new login request with its code and poll secret (both shown once).

    `step_up`: a level-1 session asking for level 2 instead of a new login.
    """
    step_up_session = None
    if step_up is not None:
        if step_up.is_delegated:
            raise DelegationNotAllowed()
        step_up_session = db.session.get(AuthSession, step_up.session_id)
        if step_up_session.account.level < LEVEL_2:
            raise LevelUnavailable()
    code, poll_secret = new_code(), secrets.token_urlsafe(32)
    login = QrLogin(code_hash=hash_token(code), poll_secret_hash=hash_token(poll_secret),
                    status=QR_PENDING, client_name=client.name, ip_address=client.ip_address,
                    user_agent=(client.user_agent or "")[:255] or None,
                    expires_at=utcnow() + seconds(settings().qr_ttl_seconds),
                    step_up_session_id=step_up_session.id if step_up_session else None)
    db.session.add(login)
    db.session.commit()
    audit("qr.created", qr_login_id=login.id, ip=client.ip_address, step_up=step_up_session is not None)
    return QrLoginCreated(login, code, poll_secret)


def _for_client(login_id: uuid.UUID, poll_secret: str | None) -> QrLogin:
    """The request, only for the client that holds its poll secret (anyone else: 404)."""
    login = db.session.get(QrLogin, login_id)
    if login is None or not poll_secret or login.poll_secret_hash != hash_token(poll_secret):
        raise QrLoginNotFound()
    return login


def refresh_code(login_id: uuid.UUID, poll_secret: str | None) -> QrLoginCreated:
    """A new code for a request nobody approved or denied yet; the old code stops working."""
    login = _for_client(login_id, poll_secret)
    if login.status not in OPEN:
        raise QrLoginDecided()
    now = utcnow()
    if login.created_at + seconds(settings().qr_max_lifetime_seconds) <= now:
        raise QrLoginExpired()
    code = new_code()
    login.code_hash = hash_token(code)
    login.status, login.account_id = QR_PENDING, None
    login.expires_at = now + seconds(settings().qr_ttl_seconds)
    login.refreshes += 1
    db.session.commit()
    return QrLoginCreated(login, code, None)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def poll(login_id: uuid.UUID, poll_secret: str | None, *, wait: float = 0) -> PollResult:
    """The request's state; the tokens once it is approved, exactly once.

    With `wait`, holds the answer until something changes or `wait` seconds pass;
    when this process already holds its share of waiting polls, answers at once.
    """
    with wait_slot(min(wait, settings().qr_poll_max_wait_seconds)) as allowed:
        return _poll(login_id, poll_secret, time.monotonic() + allowed)


def _poll(login_id: uuid.UUID, poll_secret: str | None, deadline: float) -> PollResult:
    while True:
        login = _for_client(login_id, poll_secret)
        if login.status == QR_APPROVED:
            return PollResult(login, _hand_out_tokens(login))
        if login.status == QR_CONSUMED:
            raise QrLoginConsumed()
        if login.status in OPEN and login.expires_at <= utcnow():
            raise QrLoginExpired()
        if login.status == QR_DENIED or time.monotonic() >= deadline:
            return PollResult(login)
        db.session.commit()          # end the read transaction: see other workers' commits
        _pause(settings().qr_poll_check_seconds)
        db.session.expire_all()


def _hand_out_tokens(login: QrLogin) -> IssuedTokens:
    taken = db.session.execute(update(QrLogin).where(
        QrLogin.id == login.id, QrLogin.status == QR_APPROVED
    ).values(status=QR_CONSUMED, consumed_at=utcnow())).rowcount
    if not taken:
        raise QrLoginConsumed()
    session = db.session.get(AuthSession, login.session_id)
    if login.step_up_session_id is not None:
        issued = access_token_only(session)
    else:
        issued = tokens_for(session)
    db.session.commit()
    audit("qr.tokens_issued", qr_login_id=login.id, account_id=session.account_id, session_id=session.id)
    return issued


# --- the phone's side ----------------------------------------------------------

def _for_phone(principal: Principal, code: str) -> QrLogin:
    """The open request behind a scanned code, for a level-2 session on the bound device."""
    if principal.level < LEVEL_2:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="level")
        raise StepUpRequired(errors={"required_level": ["2"]})
    account = db.session.get(Account, principal.account_id)
    if account.status != ACTIVE:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="account")
        raise AccountDisabled()
    device = current_device(principal.account_id)
    if device is None or principal.device_id != device.id:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="device")
        raise BoundDeviceRequired()
    if device.frozen_at is not None:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="device_frozen")
        raise DeviceFrozen()
    login = db.session.scalar(select(QrLogin).where(QrLogin.code_hash == hash_token(str(code))))
    if login is None:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="unknown_code")
        raise QrLoginNotFound()
    if login.status not in OPEN:
        audit("qr.refused", ok=False, account_id=principal.account_id, reason=login.status)
        raise QrLoginDecided()
    if login.expires_at <= utcnow():
        audit("qr.refused", ok=False, account_id=principal.account_id, reason="expired")
        raise QrLoginExpired()
    if login.step_up_session_id is not None:
        step_up = db.session.get(AuthSession, login.step_up_session_id)
        if step_up.account_id != principal.account_id:
            audit("qr.refused", ok=False, account_id=principal.account_id, reason="other_account")
            raise QrWrongAccount()
    return login


def scan(principal: Principal, code: str) -> QrLogin:
    """What the phone shows before the citizen decides: who is asking."""
    login = _for_phone(principal, code)
    login.status, login.account_id = QR_SCANNED, principal.account_id
    db.session.commit()
    audit("qr.scanned", qr_login_id=login.id, account_id=principal.account_id)
    return login


def decide(principal: Principal, code: str, *, approve: bool) -> QrLogin:
    """Approves (creating or raising the web session) or denies; only once."""
    login = _for_phone(principal, code)
    now = utcnow()
    taken = db.session.execute(update(QrLogin).where(
        QrLogin.id == login.id, QrLogin.status.in_(OPEN)
    ).values(status=QR_APPROVED if approve else QR_DENIED, decided_at=now,
             account_id=principal.account_id, approver_session_id=principal.session_id)).rowcount
    if not taken:
        raise QrLoginDecided()
    db.session.refresh(login)
    if approve:
        login.session_id = _approved_session(login, principal).id
        notify("qr_login_approved", account_id=principal.account_id,
               params={"client_name": login.client_name or login.ip_address or "", "at": now.isoformat()})
    db.session.commit()
    audit("qr.approved" if approve else "qr.denied", qr_login_id=login.id,
          account_id=principal.account_id, session_id=login.session_id)
    return login


def _approved_session(login: QrLogin, principal: Principal) -> AuthSession:
    if login.step_up_session_id is not None:
        session = db.session.get(AuthSession, login.step_up_session_id)
        raise_session_level(session, QR_METHOD)
        return session
    account = db.session.get(Account, principal.account_id)
    return open_session(account, level=LEVEL_2, methods=[QR_METHOD], client_name=login.client_name,
                        ip_address=login.ip_address, user_agent=login.user_agent)
