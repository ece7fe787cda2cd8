"""What the provider reads from the identity domain, in one place.

The reads go through identity's public module (`app/identity/public.py`):
a session's level and login time with its account's status, an account's
registry keys. Every change goes through identity's service functions (login,
step-up, QR login, logout).
"""
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.common.auth import Principal
from app.common.clock import utcnow
from app.identity import public as identity


@dataclass(frozen=True)
class EndUser:
    """A citizen logged in to the provider: their identity session, as Authlib's `user`."""

    account_id: uuid.UUID
    session_id: uuid.UUID
    level: int
    amr: tuple[str, ...]
    auth_time: datetime
    account_level: int
    role: str
    device_id: uuid.UUID | None

    def get_user_id(self):   # Authlib asks for it
        return str(self.account_id)

    def principal(self) -> Principal:
        return Principal(account_id=self.account_id, role=self.role, level=self.level, methods=self.amr,
                         session_id=self.session_id, device_id=self.device_id)


@dataclass(frozen=True)
class AccountFacts:
    personal_id: str | None
    phone: str | None
    full_name: str


def live_user(session_id) -> EndUser | None:
    """The session's user while the session is live and the account active, else None."""
    try:
        session = identity.live_session(uuid.UUID(str(session_id)), utcnow()) if session_id else None
    except ValueError:
        return None
    if session is None or session.account_status != identity.ACTIVE:
        return None
    return EndUser(account_id=session.account_id, session_id=session.session_id, level=session.level,
                   amr=session.methods, auth_time=session.created_at,
                   account_level=session.account_level, role=session.role, device_id=session.device_id)


def account_facts(account_id: uuid.UUID) -> AccountFacts | None:
    account = identity.account(account_id)
    if account is None:
        return None
    return AccountFacts(personal_id=account.personal_id, phone=account.phone, full_name=account.full_name)
