"""Starting sessions: an access token plus an opaque, hashed, rotating refresh token."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import Account, AuthSession, RefreshToken
from app.identity.tokens import ACCESS_TOKEN_TTL, issue_access_token

REFRESH_IDLE_TTL = timedelta(days=14)
SESSION_ABSOLUTE_TTL = timedelta(days=60)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    session: AuthSession
    expires_in: int = int(ACCESS_TOKEN_TTL.total_seconds())
    token_type: str = "Bearer"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(account: Account, *, level: int, methods: list[str], device_id=None,
                  client_name: str | None = None, ip_address: str | None = None,
                  user_agent: str | None = None) -> IssuedTokens:
    """Creates a session for an authenticated account (the caller commits)."""
    now = utcnow()
    session = AuthSession(
        account_id=account.id, level=level, methods=list(methods), device_id=device_id,
        client_name=client_name, ip_address=ip_address, user_agent=(user_agent or "")[:255] or None,
        last_seen_at=now, expires_at=now + SESSION_ABSOLUTE_TTL,
    )
    session.account = account
    db.session.add(session)
    db.session.flush()
    return IssuedTokens(access_token=access_token_for(session), refresh_token=new_refresh_token(session),
                        session=session)


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
