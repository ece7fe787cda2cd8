"""Authenticates the bearer token of each request and sets `g.principal`."""
from collections.abc import Callable

from flask import g, request
from sqlalchemy import bindparam, select

from app.common.auth import Principal
from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import DISABLED, Account, AuthSession
from app.identity.tokens import DELEGATED, InvalidToken, TokenClaims, decode_access_token

# The assistance domain registers how a delegated token becomes a Principal.
_delegation_resolver: Callable[[TokenClaims, AuthSession], Principal] | None = None


def register_delegation_resolver(resolver: Callable[[TokenClaims, AuthSession], Principal]) -> None:
    global _delegation_resolver
    _delegation_resolver = resolver


def load_principal() -> None:
    g.principal = None
    header = request.headers.get("Authorization")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken()
    g.principal = principal_from_token(token.strip())


def principal_from_token(token: str) -> Principal:
    """The principal of a valid token whose session and account are still in good standing."""
    claims = decode_access_token(token)
    if claims.token_type == DELEGATED:
        return _principal_of_delegated_session(claims)
    return _principal_of_own_session(claims)


def _principal_of_delegated_session(claims: TokenClaims) -> Principal:
    session = db.session.get(AuthSession, claims.session_id)
    if session is None:
        raise InvalidToken()
    account = session.account
    _ensure_in_good_standing(claims, session.revoked_at, session.expires_at, account.status,
                             account.tokens_valid_after)
    if _delegation_resolver is None:
        raise InvalidToken()
    return _delegation_resolver(claims, session)


_sessions, _accounts = AuthSession.__table__, Account.__table__
# Built once and run through Core: building the statement and the ORM's handling of its rows
# cost more CPU than the round trip itself on every authenticated request.
_OWN_SESSION = (
    select(_sessions.c.account_id, _sessions.c.level, _sessions.c.revoked_at, _sessions.c.expires_at,
           _accounts.c.status, _accounts.c.tokens_valid_after, _accounts.c.role, _accounts.c.agency_id,
           _accounts.c.commune_code)
    .join(_accounts, _accounts.c.id == _sessions.c.account_id)
    .where(_sessions.c.id == bindparam("session_id"))
)


def _principal_of_own_session(claims: TokenClaims) -> Principal:
    """A citizen's or staff member's own token, checked in one SELECT of the columns it needs."""
    row = db.session.connection().execute(_OWN_SESSION, {"session_id": claims.session_id}).first()
    if row is None:
        raise InvalidToken()
    _ensure_in_good_standing(claims, row.revoked_at, row.expires_at, row.status, row.tokens_valid_after)
    if row.account_id != claims.account_id:
        raise InvalidToken()
    return Principal(
        account_id=row.account_id, role=row.role, level=min(claims.level, row.level),
        methods=claims.methods, session_id=claims.session_id, device_id=claims.device_id,
        agency_id=row.agency_id, commune_code=row.commune_code,
    )


def _ensure_in_good_standing(claims: TokenClaims, revoked_at, expires_at, account_status, cutoff) -> None:
    """The session is live, the account enabled, and the token issued after the account's cut-off."""
    if revoked_at is not None or expires_at <= utcnow() or account_status == DISABLED:
        raise InvalidToken()
    if cutoff is not None and claims.issued_at < cutoff.timestamp():
        raise InvalidToken()
