"""What each tracked model contributes to the counters (see tracking.py).

e-ID accounts (identity): citizen accounts counted in the commune where the
registry says the citizen lives (`current_commune_code`):
  eid.registered  every citizen account, on the day it was created
  eid.activated   accounts whose status is active, on the day of activation
  eid.level2      active accounts at assurance level 2, on the day level 2 was reached
"""
from datetime import datetime

from sqlalchemy import select

from app.common.clock import VIETNAM
from app.dashboard import tracking
from app.dashboard.counters import Key
from app.identity.models import ACTIVE, Account
from app.identity.roles import CITIZEN
from app.registry.models import RegistryCitizen

EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2 = "eid.registered", "eid.activated", "eid.level2"


def local_day(moment: datetime):
    return moment.astimezone(VIETNAM).date()


def _prefetch_communes(states, context) -> None:
    wanted = {s.personal_id for s in states if s.personal_id} - set(context.cache.get("commune", {}))
    if not wanted:
        return
    found = dict(context.connection.execute(
        select(RegistryCitizen.personal_id, RegistryCitizen.current_commune_code)
        .where(RegistryCitizen.personal_id.in_(wanted))).all())
    bucket = context.cache.setdefault("commune", {})
    for personal_id in wanted:
        bucket[personal_id] = found.get(personal_id)


def _account_contributions(state, context):
    if state.role != CITIZEN or not state.personal_id or state.created_at is None:
        return
    commune = context.memo("commune", state.personal_id, lambda: None)
    yield Key(EID_REGISTERED, local_day(state.created_at), commune_code=commune), 1
    if state.status != ACTIVE:
        return
    activated = state.activated_at or state.created_at
    yield Key(EID_ACTIVATED, local_day(activated), commune_code=commune), 1
    if state.level >= 2:
        yield Key(EID_LEVEL2, local_day(state.level2_at or activated), commune_code=commune), 1


ACCOUNTS = tracking.Projection(
    model=Account,
    attributes=("role", "status", "level", "personal_id", "created_at", "activated_at", "level2_at"),
    contributions=_account_contributions,
    prefetch=_prefetch_communes,
    metrics=(EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2),
)


def install() -> None:
    """Starts keeping the counters of every tracked model current."""
    tracking.register(ACCOUNTS)
