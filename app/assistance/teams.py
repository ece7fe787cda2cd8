"""Teams and their members, managed by the commune's officers (and admins anywhere).

A team belongs to one commune; its members are staff accounts with the
assistant role, in one team at a time. Removing a member, or deactivating a
team, ends their delegations at once (and the delegated-token check refuses
them anyway from the next request).
"""
import uuid

from sqlalchemy import select

from app.assistance import acts, lifecycle
from app.assistance.errors import (
    AlreadyInTeam, MemberNotFound, MemberOfOtherCommune, NotAnAssistant, TeamNotFound, UnknownCommune,
)
from app.assistance.models import ACTIVE, PENDING, REVOKED, Delegation, Team, TeamMember
from app.common.auth import OutOfScope, Principal
from app.common.clock import utcnow
from app.common.pagination import paginate
from app.extensions import db
from app.identity.audit import audit
from app.identity import public as identity
from app.common.roles import ADMIN, ASSISTANT, LEADER, OFFICER
from app.registry import divisions


def ensure_commune_staff(principal: Principal, commune_code: str, *, readers=(ADMIN,)) -> None:
    """Officers act on their own commune's teams only; `readers` (admins, leaders) everywhere."""
    if principal.role in readers:
        return
    if principal.role != OFFICER or principal.commune_code != commune_code:
        raise OutOfScope()


def create_team(principal: Principal, commune_code: str, name: str) -> Team:
    """Creates a team in a commune (officers only in their own)."""
    if divisions.commune(commune_code) is None:
        raise UnknownCommune(errors={"commune_code": [UnknownCommune.message]})
    ensure_commune_staff(principal, commune_code)
    team = Team(commune_code=commune_code, name=name.strip(), active=True, created_by=principal.account_id)
    db.session.add(team)
    db.session.commit()
    audit("assistance.team_created", team_id=team.id, by=principal.account_id, commune_code=commune_code)
    return team


def get_team(principal: Principal, team_id: uuid.UUID) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        raise TeamNotFound()
    ensure_commune_staff(principal, team.commune_code, readers=(ADMIN, LEADER))
    return team


def list_teams(principal: Principal, *, commune_code: str | None, cursor: str | None, limit: int) -> dict:
    """Teams newest first: an officer's commune, or any (filtered) for admins and leaders."""
    if principal.role == OFFICER:
        if commune_code not in (None, principal.commune_code) or principal.commune_code is None:
            raise OutOfScope()
        commune_code = principal.commune_code
    statement = select(Team)
    if commune_code:
        statement = statement.where(Team.commune_code == commune_code)
    return paginate(db.session, statement, Team, cursor=cursor, limit=limit)


def update_team(principal: Principal, team_id: uuid.UUID, *, name: str | None = None,
                active: bool | None = None) -> Team:
    """Renames, deactivates or reactivates a team; deactivating ends its delegations."""
    team = get_team(principal, team_id)
    ensure_commune_staff(principal, team.commune_code)
    if name is not None:
        team.name = name.strip()
    if active is not None and active != team.active:
        team.active = active
        if not active:
            _end_delegations(principal.account_id, "team_deactivated", team_id=team.id)
    db.session.commit()
    audit("assistance.team_updated", team_id=team.id, by=principal.account_id, active=team.active)
    return team


def current_members(principal: Principal, team_id: uuid.UUID) -> list[TeamMember]:
    get_team(principal, team_id)
    return list(db.session.scalars(select(TeamMember).where(
        TeamMember.team_id == team_id, TeamMember.left_at.is_(None)).order_by(TeamMember.created_at)))


def add_member(principal: Principal, team_id: uuid.UUID, account_id: uuid.UUID) -> TeamMember:
    """Adds an active assistant account to the team (one team at a time)."""
    team = get_team(principal, team_id)
    ensure_commune_staff(principal, team.commune_code)
    account = identity.account(account_id)
    if account is None or account.role != ASSISTANT or account.status != identity.ACTIVE:
        raise NotAnAssistant(errors={"account_id": [NotAnAssistant.message]})
    if account.commune_code not in (None, team.commune_code):
        raise MemberOfOtherCommune(errors={"account_id": [MemberOfOtherCommune.message]})
    if membership_of(account.id) is not None:
        raise AlreadyInTeam()
    member = TeamMember(team_id=team.id, account_id=account.id, added_by=principal.account_id)
    db.session.add(member)
    db.session.commit()
    audit("assistance.member_added", team_id=team.id, account_id=account.id, by=principal.account_id)
    return member


def remove_member(principal: Principal, team_id: uuid.UUID, account_id: uuid.UUID) -> None:
    """Removes a member; their pending and active delegations end at once."""
    team = get_team(principal, team_id)
    ensure_commune_staff(principal, team.commune_code)
    member = db.session.scalar(select(TeamMember).where(
        TeamMember.team_id == team.id, TeamMember.account_id == account_id, TeamMember.left_at.is_(None)))
    if member is None:
        raise MemberNotFound()
    member.left_at, member.removed_by = utcnow(), principal.account_id
    _end_delegations(principal.account_id, "member_removed", team_id=team.id, member_id=account_id)
    db.session.commit()
    audit("assistance.member_removed", team_id=team.id, account_id=account_id, by=principal.account_id)


def membership_of(account_id: uuid.UUID) -> TeamMember | None:
    """The account's current membership, if any."""
    return db.session.scalar(select(TeamMember).where(
        TeamMember.account_id == account_id, TeamMember.left_at.is_(None)))


def _end_delegations(by: uuid.UUID, reason: str, *, team_id: uuid.UUID, member_id: uuid.UUID | None = None) -> None:
    """Revokes the team's (or one member's) delegations still in force; the residents' histories say why."""
    now = utcnow()
    statement = select(Delegation).where(Delegation.team_id == team_id, Delegation.status.in_((PENDING, ACTIVE)))
    if member_id is not None:
        statement = statement.where(Delegation.member_id == member_id)
    for delegation in db.session.scalars(statement):
        if delegation.effective_status(now) in (PENDING, ACTIVE):
            lifecycle.close(delegation, REVOKED, by, reason)
            acts.record(delegation, "revoked", detail={"reason": reason})
