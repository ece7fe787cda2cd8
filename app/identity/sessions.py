"""Sessions: an access token plus an opaque, hashed, rotating refresh token.

A session is one logged-in client. Its refresh tokens form one family: each
is used once and replaced; presenting a used one means it was stolen or
copied, and the whole session (the family) is revoked. Refresh tokens expire
after 14 idle days and never outlive the session's absolute expiry (60 days).
Ending access tokens before their 15 minutes run out is done per session
(revocation, checked on every request) and per account (`tokens_valid_after`).
"""
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, insert, or_, select, update

from app.common import events
from app.common.clock import utcnow
from app.common.pagination import paginate
from app.extensions import db
from app.identity.audit import audit
from app.identity.errors import InvalidRefreshToken, RefreshTokenReused, SessionNotFound
from app.identity.models import DISABLED, Account, AuthSession, RefreshToken
from app.identity.tokens import ACCESS_TOKEN_TTL, issue_access_token

REFRESH_IDLE_TTL = timedelta(days=14)
SESSION_ABSOLUTE_TTL = timedelta(days=60)


@dataclass(frozen=True)
class IssuedTokens:
    """What a client is handed: the tokens and the facts of their session (`AuthTokensSchema`)."""

    access_token: str
    refresh_token: str | None
    session_id: uuid.UUID
    level: int
    methods: list[str]
    expires_in: int = int(ACCESS_TOKEN_TTL.total_seconds())
    token_type: str = "Bearer"


@dataclass(frozen=True)
class SessionsEnded:
    """Payload of `identity.sessions_ended`: sessions revoked (logout, password or device change...)."""

    account_id: uuid.UUID
    session_ids: tuple[uuid.UUID, ...]
    reason: str


SESSIONS_ENDED = "identity.sessions_ended"


@dataclass(frozen=True)
class ClientInfo:
    """Who is asking, as the HTTP layer saw it."""

    name: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(account: Account, *, level: int, methods: list[str], device_id=None,
                  client_name: str | None = None, ip_address: str | None = None,
                  user_agent: str | None = None) -> IssuedTokens:
    """Creates a session for an authenticated account and its first tokens (the caller commits)."""
    return tokens_for(open_session(account, level=level, methods=methods, device_id=device_id,
                                   client_name=client_name, ip_address=ip_address, user_agent=user_agent))


def open_session(account: Account, *, level: int, methods: list[str], device_id=None,
                 client_name: str | None = None, ip_address: str | None = None,
                 user_agent: str | None = None) -> AuthSession:
    """Creates a session without tokens yet (the caller commits)."""
    now = utcnow()
    session = AuthSession(
        account_id=account.id, level=level, methods=list(dict.fromkeys(methods)), device_id=device_id,
        client_name=(client_name or "")[:100] or None, ip_address=ip_address,
        user_agent=(user_agent or "")[:255] or None, last_seen_at=now,
        expires_at=now + SESSION_ABSOLUTE_TTL,
    )
    session.account = account
    db.session.add(session)
    db.session.flush()
    return session


def access_token_for(session: AuthSession) -> str:
    account = session.account
    return issue_access_token(account_id=account.id, role=account.role, level=session.level,
                              methods=session.methods, session_id=session.id,
                              device_id=session.device_id)


def new_refresh_token(session: AuthSession) -> str:
    token = secrets.token_urlsafe(32)
    expires = min(utcnow() + REFRESH_IDLE_TTL, session.expires_at)
    db.session.add(RefreshToken(session_id=session.id, token_hash=hash_token(token), expires_at=expires))
    return token


def tokens_for(session: AuthSession) -> IssuedTokens:
    """A fresh access token and refresh token for an existing session (the caller commits)."""
    return _issued(session, new_refresh_token(session))


def access_token_only(session: AuthSession) -> IssuedTokens:
    """A fresh access token for a session that keeps its refresh token (step-up, password change...)."""
    return _issued(session, None)


def _issued(session: AuthSession, refresh_token: str | None) -> IssuedTokens:
    return IssuedTokens(access_token=access_token_for(session), refresh_token=refresh_token,
                        session_id=session.id, level=session.level, methods=list(session.methods))


_tokens, _sessions, _accounts = RefreshToken.__table__, AuthSession.__table__, Account.__table__
# The statements of every refresh, built once and run through Core: building them and the
# ORM's unit of work cost more CPU than their round trips (docs/benchmarks-hot-paths.md).
_REFRESH_TOKEN_WITH_SESSION = (
    select(_tokens.c.id, _tokens.c.expires_at, _sessions.c.id.label("session_id"), _sessions.c.account_id,
           _sessions.c.level, _sessions.c.methods, _sessions.c.device_id, _sessions.c.revoked_at,
           _sessions.c.expires_at.label("session_expires_at"), _accounts.c.status, _accounts.c.role)
    .select_from(_tokens.join(_sessions, _sessions.c.id == _tokens.c.session_id)
                 .join(_accounts, _accounts.c.id == _sessions.c.account_id))
    .where(_tokens.c.token_hash == bindparam("token_hash")))
_SPEND_REFRESH_TOKEN = (update(_tokens)
                        .where(_tokens.c.id == bindparam("token_id"), _tokens.c.used_at.is_(None))
                        .values(used_at=bindparam("spent_at")))
_TOUCH_SESSION = (update(_sessions).where(_sessions.c.id == bindparam("session_id"))
                  .values(last_seen_at=bindparam("seen_at")))
_ADD_REFRESH_TOKEN = insert(_tokens)


def refresh_session(refresh_token: str) -> IssuedTokens:
    """Rotates a refresh token: the presented one is spent, a new pair is issued.

    A token presented twice revokes its whole session (reuse detection).
    """
    now = utcnow()
    connection = db.session.connection()
    # the token, its session and the session's account in one round trip
    found = connection.execute(_REFRESH_TOKEN_WITH_SESSION, {"token_hash": hash_token(refresh_token)}).first()
    if found is None:
        audit("refresh.unknown", ok=False)
        raise InvalidRefreshToken()
    if not connection.execute(_SPEND_REFRESH_TOKEN, {"token_id": found.id, "spent_at": now}).rowcount:
        revoke_session(db.session.get(AuthSession, found.session_id), "refresh_token_reused")
        db.session.commit()
        audit("refresh.reused", ok=False, account_id=found.account_id, session_id=found.session_id)
        raise RefreshTokenReused()
    if (found.expires_at <= now or found.revoked_at is not None or found.session_expires_at <= now
            or found.status == DISABLED):
        db.session.commit()
        audit("refresh.refused", ok=False, account_id=found.account_id, session_id=found.session_id)
        raise InvalidRefreshToken()
    connection.execute(_TOUCH_SESSION, {"session_id": found.session_id, "seen_at": now})
    issued = _rotated_tokens(connection, found, now)
    db.session.commit()
    audit("refresh.succeeded", account_id=found.account_id, session_id=found.session_id)
    return issued


def _rotated_tokens(connection, found, now) -> IssuedTokens:
    token = secrets.token_urlsafe(32)
    connection.execute(_ADD_REFRESH_TOKEN, {
        "session_id": found.session_id, "token_hash": hash_token(token),
        "expires_at": min(now + REFRESH_IDLE_TTL, found.session_expires_at),
    })
    access_token = issue_access_token(account_id=found.account_id, role=found.role, level=found.level,
                                      methods=found.methods, session_id=found.session_id,
                                      device_id=found.device_id)
    return IssuedTokens(access_token=access_token, refresh_token=token, session_id=found.session_id,
                        level=found.level, methods=list(found.methods))


def revoke_session(session: AuthSession, reason: str) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        session.revoked_reason = reason
        events.publish(SESSIONS_ENDED, ended=SessionsEnded(session.account_id, (session.id,), reason))


def revoke_sessions(account_id: uuid.UUID, reason: str, *, device_id: uuid.UUID | None = None,
                    keep: uuid.UUID | None = None, spare_device_id: uuid.UUID | None = None) -> int:
    """Revokes the account's live sessions (only the device's when given), except `keep`
    and those of `spare_device_id`."""
    statement = update(AuthSession).where(AuthSession.account_id == account_id,
                                          AuthSession.revoked_at.is_(None))
    if device_id is not None:
        statement = statement.where(AuthSession.device_id == device_id)
    if spare_device_id is not None:
        statement = statement.where(or_(AuthSession.device_id.is_(None), AuthSession.device_id != spare_device_id))
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    statement = statement.values(revoked_at=utcnow(), revoked_reason=reason).returning(AuthSession.id)
    ended = tuple(db.session.scalars(statement, execution_options={"synchronize_session": "fetch"}))
    if ended:
        events.publish(SESSIONS_ENDED, ended=SessionsEnded(account_id, ended, reason))
    return len(ended)


def end_level2_on_device(account: Account, device_id: uuid.UUID, reason: str, *,
                         keep: uuid.UUID | None = None) -> None:
    """The device no longer vouches for the account: its own sessions end, every other
    level-2 session (web sessions raised by its TOTP or a QR approval) drops to level 1,
    and every access token issued until now is refused. A refresh then gives level 1."""
    revoke_sessions(account.id, reason, device_id=device_id, keep=keep)
    statement = update(AuthSession).where(AuthSession.account_id == account.id,
                                          AuthSession.revoked_at.is_(None), AuthSession.level > 1)
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    db.session.execute(statement.values(level=1), execution_options={"synchronize_session": "fetch"})
    cut_off_access_tokens(account)


def cut_off_access_tokens(account: Account) -> None:
    """Access tokens issued until now stop working at once (they are checked per request)."""
    account.tokens_valid_after = utcnow()


def live_sessions(account_id: uuid.UUID, *, cursor: str | None, limit: int) -> dict:
    """The account's sessions that are neither revoked nor expired, newest first."""
    statement = select(AuthSession).where(AuthSession.account_id == account_id,
                                          AuthSession.revoked_at.is_(None),
                                          AuthSession.expires_at > utcnow())
    return paginate(db.session, statement, AuthSession, cursor=cursor, limit=limit)


def end_session(account_id: uuid.UUID, session_id: uuid.UUID, reason: str = "revoked_by_user") -> None:
    """Revokes one of the account's own sessions (another's answers 404)."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.account_id != account_id or session.revoked_at is not None:
        raise SessionNotFound()
    revoke_session(session, reason)
    db.session.commit()
    audit("session.revoked", account_id=account_id, session_id=session_id, reason=reason)


def log_out(account: Account, session_id: uuid.UUID, *, everywhere: bool) -> None:
    """Ends this session, or every session of the account and every access token."""
    if everywhere:
        revoke_sessions(account.id, "logout_everywhere")
        cut_off_access_tokens(account)
    else:
        session = db.session.get(AuthSession, session_id)
        revoke_session(session, "logout")
    db.session.commit()
    audit("logout", account_id=account.id, session_id=session_id, everywhere=everywhere)
