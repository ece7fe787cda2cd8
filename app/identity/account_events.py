"""Publishing an account's changes (`account.registered`, `activated`, `level_changed`, `disabled`, `enabled`).

Every payload carries the account's state after the change, its status and
level before, and the commune where the population registry says the citizen
lives (asked through the registry's adapter; staff accounts have none).
"""
from app.common import events
from app.common.clock import utcnow
from app.common.roles import CITIZEN
from app.identity.events import ACCOUNT_ACTIVATED, ACCOUNT_REGISTERED, AccountActivated, AccountChanged
from app.identity.models import Account
from app.registry.adapter import get_registry
from app.registry.records import CitizenRecord

_NOT_ASKED = object()


def commune_of(account: Account, record: CitizenRecord | None | object = _NOT_ASKED) -> str | None:
    """The citizen's current commune in the registry (`record`: the registry's answer if already asked)."""
    if account.role != CITIZEN or not account.personal_id:
        return None
    if record is _NOT_ASKED:
        record = get_registry().find_citizen(account.personal_id)
    return record.current_commune_code if record is not None else None


def publish(name: str, account: Account, *, previous_status: str | None, previous_level: int | None,
            record: CitizenRecord | None | object = _NOT_ASKED) -> None:
    payload_type = AccountActivated if name == ACCOUNT_ACTIVATED else AccountChanged
    events.publish(name, payload_type(
        account_id=account.id, role=account.role, level=account.level, status=account.status,
        previous_status=previous_status, previous_level=previous_level, commune_code=commune_of(account, record),
        created_at=account.created_at, activated_at=account.activated_at, level2_at=account.level2_at,
        at=utcnow()))


def registered(account: Account, record: CitizenRecord | None | object = _NOT_ASKED) -> None:
    """A new account (flushed: its creation time is known), in whatever state it was created."""
    publish(ACCOUNT_REGISTERED, account, previous_status=None, previous_level=None, record=record)
