"""What other domains may read of the e-ID accounts, without their tables.

`replay_accounts()` gives every citizen account as the `AccountChanged`
payload of its registration would carry it today (its status, level and dates
now), so a subscriber that keeps its own record (the operations centre's
counters) rebuilds it with the same handler it runs live.
"""
from collections.abc import Iterator

from sqlalchemy import select

from app.common.roles import CITIZEN
from app.extensions import db
from app.identity.events import AccountChanged
from app.identity.models import Account
from app.registry.public import current_communes


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
