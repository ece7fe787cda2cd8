"""The events the assistance domain publishes: a team's figure counted (app/assistance/figures.py),
and a delegation's changes (app/assistance/lifecycle.py).

Names are `assistance.<what>` (figures.EVENTS); the dashboard counts its help
figures from these payloads.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class TeamFigureCounted:
    team_id: uuid.UUID
    member_id: uuid.UUID
    commune_code: str
    delegation_id: uuid.UUID | None
    day: date                      # the Vietnam day it counts for
    first_in_month: bool           # the team's first count of this figure this month


# A delegation's life (app/assistance/lifecycle.py): a member asks, the resident consents or declines,
# the member ends it or it is revoked. Expiry is not an event: a delegation past its end is read as
# expired (Delegation.effective_status), nothing changes in the database at that moment.
DELEGATION_REQUESTED = "delegation.requested"   # a member opened a session for a resident (pending consent)
DELEGATION_GRANTED = "delegation.granted"       # the resident consented (SMS code read aloud, or in the app)
DELEGATION_DECLINED = "delegation.declined"     # the resident declined in the app
DELEGATION_REVOKED = "delegation.revoked"       # by the resident, an officer, or the team's or member's removal
DELEGATION_ENDED = "delegation.ended"           # by the member, or replaced by a new request for the resident
DELEGATION_EVENTS = (DELEGATION_REQUESTED, DELEGATION_GRANTED, DELEGATION_DECLINED, DELEGATION_REVOKED,
                     DELEGATION_ENDED)


@dataclass(frozen=True)
class DelegationChanged:
    delegation_id: uuid.UUID
    team_id: uuid.UUID
    member_id: uuid.UUID                   # the helper
    commune_code: str
    subject_account_id: uuid.UUID | None   # the resident's account (None before an assisted registration)
    scopes: tuple[str, ...]
    procedure_code: str | None
    dossier_id: uuid.UUID | None
    from_status: str | None
    status: str                            # the stored status now (models.STATUSES)
    reason: str | None                     # why it ended (Delegation.end_reason); the consent method when granted
    by: uuid.UUID | None                   # the account that made the change
    at: datetime
    expires_at: datetime | None
