"""Delegated tokens: how a helper acts for a resident after consent, and when that stops.

A delegated access token (type `delegated`, see app/identity/tokens.py) is
issued to the member's own session. It names the delegation (`dlg`), the
member (`act`) and the consented scopes. Identity checks the member's session
and account on every request, then calls `resolve`, which checks the rest
every time, so revoking, ending or letting a delegation expire stops the
member at once, whatever the token's own expiry:

- the delegation is active and not past `expires_at`;
- the member still belongs to the delegation's team, the team is active and
  the member is still an active assistant;
- the resident's account (when there is one) is not disabled;
- the request is one the consented scopes open (`scopes.enforce`).

The principal is the resident (role citizen, level 1: consent by SMS code is
not a level-2 authentication, so a helper never gets level 2), with
`actor_id` the member: every domain records both.
"""
import uuid
from datetime import timedelta

from flask import g, has_request_context, request
from sqlalchemy import select

from app.assistance import scopes
from app.assistance.errors import DelegationEnded, DelegationExpired, DelegationRevoked
from app.assistance.models import ACTIVE, EXPIRED, REVOKED, Delegation, Team, TeamMember
from app.common.auth import Principal
from app.common.clock import utcnow
from app.errors import AppError
from app.extensions import db
from app.identity import public as identity
from app.common.roles import ASSISTANT, CITIZEN, LEVEL_1
from app.identity.tokens import ACCESS_TOKEN_TTL, DELEGATED, InvalidToken, TokenClaims, issue_access_token


def issue_token(delegation: Delegation, session_id: uuid.UUID) -> tuple[str, int]:
    """A delegated access token for the member's session; never outlives the delegation."""
    remaining = delegation.expires_at - utcnow()
    ttl = max(timedelta(seconds=1), min(ACCESS_TOKEN_TTL, remaining))
    token = issue_access_token(
        account_id=delegation.subject_account_id or delegation.id, role=CITIZEN, level=LEVEL_1,
        methods=identity.session_methods(session_id), session_id=session_id, token_type=DELEGATED, ttl=ttl,
        extra={"act": {"sub": str(delegation.member_id)}, "dlg": str(delegation.id),
               "scope": " ".join(delegation.scopes)})
    return token, int(ttl.total_seconds())


def resolve(claims: TokenClaims, session) -> Principal:
    """The resident's principal for a delegated token, if the delegation still holds.

    `session` is identity's record of the member's authenticated session (only its `id` and `account_id`
    are read).
    """
    delegation = _delegation_of(claims, session)
    try:
        ensure_in_force(delegation)
    except AppError:
        if has_request_context():
            g.assistance_refused = delegation.id   # the resident's history shows the attempt
        raise
    principal = Principal(
        account_id=delegation.subject_account_id, role=CITIZEN, level=LEVEL_1, methods=claims.methods,
        session_id=session.id, actor_id=delegation.member_id,
        scopes=scopes.principal_scopes(delegation.scopes))
    _enforce_request(delegation)
    return principal


def _delegation_of(claims: TokenClaims, session) -> Delegation:
    try:
        delegation_id = uuid.UUID(str(claims.raw.get("dlg")))
    except ValueError as error:
        raise InvalidToken() from error
    delegation = db.session.get(Delegation, delegation_id)
    if (delegation is None or delegation.member_id != session.account_id
            or claims.account_id not in (delegation.subject_account_id, delegation.id)):
        raise InvalidToken()
    return delegation


def ensure_in_force(delegation: Delegation) -> None:
    """Refuses (401) a delegation that is not active, or whose member or resident may no longer act."""
    status = delegation.effective_status(utcnow())
    if status == EXPIRED:
        raise DelegationExpired()
    if status == REVOKED:
        raise DelegationRevoked()
    if status != ACTIVE or not member_may_act(delegation.member_id, delegation.team_id):
        raise DelegationEnded()
    if delegation.subject_account_id is not None:
        resident = identity.account(delegation.subject_account_id)
        if resident is None or resident.status == identity.DISABLED:
            raise DelegationEnded()


def member_may_act(member_id: uuid.UUID, team_id: uuid.UUID) -> bool:
    """The member is an active assistant and a current member of this active team."""
    member = identity.account(member_id)
    if member is None or member.role != ASSISTANT or member.status != identity.ACTIVE:
        return False
    return db.session.scalar(select(TeamMember.id).join(Team, Team.id == TeamMember.team_id).where(
        TeamMember.account_id == member_id, TeamMember.team_id == team_id,
        TeamMember.left_at.is_(None), Team.active.is_(True))) is not None


def _enforce_request(delegation: Delegation) -> None:
    """Default deny: the request must be one the consent opens (no request: refused)."""
    if not has_request_context():
        raise scopes.OutsideConsent()
    if request.url_rule is None:
        return  # no such route: the router answers 404/405, no view runs
    body = request.get_json(silent=True) if request.is_json else None
    try:
        rule = scopes.enforce(delegation, request.endpoint, request.method, request.view_args or {},
                              body if isinstance(body, dict) else {})
    except AppError:
        g.assistance_refused = delegation.id
        raise
    g.assistance_delegation = delegation.id
    g.assistance_rule = rule
