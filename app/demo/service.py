"""Development-only services: the demo facts and tokens for demo accounts."""
from sqlalchemy import select

from app.demo.errors import DemoAccountNotFound
from app.extensions import db
from app.identity.models import ACTIVE, Account, Device
from app.common.roles import LEVEL_2
from app.identity.sessions import IssuedTokens, start_session


def development_tokens(login: str) -> IssuedTokens:
    """A session for an active account, without its password or second factor.

    Staff sessions are level 2 (as after password + TOTP); a citizen's is at
    the account's level, on its bound phone when it has one (so it can approve
    QR log-ins). The session says how it was made: `amr` = ["dev"].
    """
    account = db.session.scalar(select(Account).where(Account.login == login.strip().lower(),
                                                      Account.status == ACTIVE))
    if account is None:
        raise DemoAccountNotFound()
    level = LEVEL_2 if account.is_staff else account.level
    device = None
    if not account.is_staff and level == LEVEL_2:
        device = db.session.scalar(select(Device.id).where(Device.account_id == account.id,
                                                           Device.unbound_at.is_(None)))
    tokens = start_session(account, level=level, methods=["dev"], device_id=device,
                           client_name="development token")
    db.session.commit()
    return tokens
