"""The events the assistance domain publishes: a team's figure counted (app/assistance/figures.py).

Names are `assistance.<what>` (figures.EVENTS); the dashboard counts its help
figures from these payloads.
"""
import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TeamFigureCounted:
    team_id: uuid.UUID
    member_id: uuid.UUID
    commune_code: str
    delegation_id: uuid.UUID | None
    day: date                      # the Vietnam day it counts for
    first_in_month: bool           # the team's first count of this figure this month
