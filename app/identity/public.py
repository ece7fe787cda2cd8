"""What other domains may read from identity: accounts and sessions as plain values.

Other domains never import `app.identity.models` (the models contract in
`.importlinter`); they read through these functions, which return frozen
dataclasses or plain values. Each is one look-up: by primary key through the
session's identity map (no query when the row is already loaded), or one
SELECT of the columns asked for.

`replay_accounts()` gives every citizen account as the `AccountChanged`
payload of its registration would carry it today (its status, level and dates
now), so a subscriber that keeps its own record (the operations centre's
counters) rebuilds it with the same handler it runs live.
"""
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.common.roles import CITIZEN
from app.extensions import db
from app.identity import models
from app.identity.events import AccountChanged
from app.identity.models import Account, AuthSession
from app.registry.public import current_communes


# Account statuses, as other domains compare them
PENDING_PHONE, PENDING_PASSWORD, ACTIVE, DISABLED = (
    models.PENDING_PHONE, models.PENDING_PASSWORD, models.ACTIVE, models.DISABLED)


@dataclass(frozen=True)
class AccountInfo:
    id: uuid.UUID
    role: str
    status: str
    level: int
    personal_id: str | None
    login: str | None
    full_name: str
    phone: str | None
    commune_code: str | None
    agency_id: uuid.UUID | None
    created_at: datetime


@dataclass(frozen=True)
class LiveSession:
    """An authenticated session that is not revoked nor past its expiry, and its account."""

    session_id: uuid.UUID
    account_id: uuid.UUID
    level: int
    methods: tuple[str, ...]
    created_at: datetime
    device_id: uuid.UUID | None
    account_status: str
    account_level: int
    role: str


def _info(account: Account | None) -> AccountInfo | None:
    if account is None:
        return None
    return AccountInfo(id=account.id, role=account.role, status=account.status, level=account.level,
                       personal_id=account.personal_id, login=account.login, full_name=account.full_name,
                       phone=account.phone, commune_code=account.commune_code, agency_id=account.agency_id,
                       created_at=account.created_at)


def account(account_id: uuid.UUID | None) -> AccountInfo | None:
    return _info(db.session.get(Account, account_id)) if account_id is not None else None


def account_by_personal_id(personal_id: str, *, role: str | None = None) -> AccountInfo | None:
    statement = select(Account).where(Account.personal_id == personal_id)
    if role is not None:
        statement = statement.where(Account.role == role)
    return _info(db.session.scalar(statement))


def account_by_login(login: str) -> AccountInfo | None:
    return _info(db.session.scalar(select(Account).where(Account.login == login)))


def account_id_by_login(login: str) -> uuid.UUID | None:
    return db.session.scalar(select(Account.id).where(Account.login == login))


def first_account(role: str, *, level: int | None = None, with_totp: bool = False) -> AccountInfo | None:
    """The oldest account of a role (and level; with an authenticator): the demo seeds' pick."""
    statement = select(Account).where(Account.role == role)
    if level is not None:
        statement = statement.where(Account.level == level)
    if with_totp:
        statement = statement.where(Account.totp_secret.is_not(None))
    return _info(db.session.scalar(statement.order_by(Account.created_at).limit(1)))


def account_ids(role: str, *, limit: int) -> list[uuid.UUID]:
    """Up to `limit` account ids of a role (no order promised)."""
    return list(db.session.scalars(select(Account.id).where(Account.role == role).limit(limit)))


def full_names(account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names by account id, in one SELECT (none when no id is asked)."""
    ids = set(account_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Account.id, Account.full_name).where(Account.id.in_(ids))).all())


def session_methods(session_id: uuid.UUID) -> list[str]:
    """The authentication methods of a session (empty when there is no such session)."""
    session = db.session.get(AuthSession, session_id)
    return list(session.methods or ()) if session is not None else []


def live_session(session_id: uuid.UUID, now: datetime) -> LiveSession | None:
    """The session and its account in one SELECT, unless the session is revoked or expired."""
    row = db.session.execute(
        select(AuthSession.id, AuthSession.account_id, AuthSession.level, AuthSession.methods,
               AuthSession.created_at, AuthSession.device_id, AuthSession.revoked_at, AuthSession.expires_at,
               Account.status, Account.level, Account.role)
        .join(Account, Account.id == AuthSession.account_id).where(AuthSession.id == session_id)).first()
    if row is None or row[6] is not None or row[7] <= now:
        return None
    return LiveSession(session_id=row[0], account_id=row[1], level=row[2], methods=tuple(row[3] or ()),
                       created_at=row[4], device_id=row[5], account_status=row[8], account_level=row[9],
                       role=row[10])


def replay_accounts(batch_size: int = 5000, session=None) -> Iterator[AccountChanged]:
    """Citizen accounts as they are now (`previous_status` None), with the registry's commune, in batches."""
    session = session or db.session
    statement = (select(Account.id, Account.role, Account.level, Account.status, Account.personal_id,
                        Account.created_at, Account.activated_at, Account.level2_at)
                 .where(Account.role == CITIZEN, Account.personal_id.is_not(None))
                 .execution_options(yield_per=batch_size))
    for rows in session.execute(statement).partitions():
        communes = current_communes((row.personal_id for row in rows), session=session)
        for row in rows:
            yield AccountChanged(
                account_id=row.id, role=row.role, level=row.level, status=row.status,
                commune_code=communes.get(row.personal_id), created_at=row.created_at,
                activated_at=row.activated_at, level2_at=row.level2_at, at=row.created_at)
