"""What the assistance endpoints show, assembled before serialising.

Helpers' names and team names come in one query per page; a session's status
is as of now and its resident is read from the registry here, never while the
schema dumps.
"""
import uuid
from collections.abc import Iterable

from sqlalchemy import select

from app.assistance.models import Delegation, Team, TeamMember
from app.assistance.service import resident_of
from app.common.clock import utcnow
from app.common.present import View
from app.extensions import db
from app.identity import public as identity


def _names(account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    return identity.full_names(account_ids)


def _team_names(team_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = set(team_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())


def members(rows: list[TeamMember]) -> list[View]:
    names = _names(row.account_id for row in rows)
    return [View(row, full_name=names.get(row.account_id)) for row in rows]


def member(row: TeamMember) -> View:
    return members([row])[0]


def session(delegation: Delegation) -> View:
    """The row, its status now, who the resident is (masked) and the consent's state."""
    return View(delegation, status=delegation.effective_status(utcnow()), resident=resident_of(delegation),
                consent=delegation)


def session_page(page: dict) -> dict:
    return {**page, "items": [session(delegation) for delegation in page["items"]]}


def act_page(page: dict) -> dict:
    names = _names(act.actor_id for act in page["items"])
    return {**page, "items": [View(act, helper_name=names.get(act.actor_id)) for act in page["items"]]}


def my_delegations(rows: list[Delegation]) -> list[View]:
    names = _names(row.member_id for row in rows)
    teams = _team_names(row.team_id for row in rows)
    now = utcnow()
    return [View(row, status=row.effective_status(now), helper_name=names.get(row.member_id),
                 team_name=teams.get(row.team_id)) for row in rows]


def my_delegation(row: Delegation) -> View:
    return my_delegations([row])[0]


def my_delegation_page(page: dict) -> dict:
    return {**page, "items": my_delegations(page["items"])}
