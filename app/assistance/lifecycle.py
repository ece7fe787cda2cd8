"""A delegation's changes of status, each published as a `delegation.*` event in the caller's transaction.

Every place that opens, grants, declines, revokes or ends a delegation goes
through here, so the stored status and the event never disagree. The caller
records its act and commits.
"""
import uuid
from datetime import timedelta

from app.assistance.events import (
    DELEGATION_DECLINED, DELEGATION_ENDED, DELEGATION_GRANTED, DELEGATION_REQUESTED, DELEGATION_REVOKED,
    DelegationChanged,
)
from app.assistance.models import ACTIVE, DECLINED, ENDED, REVOKED, Delegation
from app.common import events
from app.common.clock import utcnow

_CLOSED = {DECLINED: DELEGATION_DECLINED, REVOKED: DELEGATION_REVOKED, ENDED: DELEGATION_ENDED}


def requested(delegation: Delegation) -> None:
    """A new pending delegation (added and flushed by the caller)."""
    _publish(DELEGATION_REQUESTED, delegation, None, delegation.member_id, delegation.created_at or utcnow())


def activate(delegation: Delegation, method: str) -> None:
    """The resident consented: active from now for the asked duration."""
    now, previous = utcnow(), delegation.status
    delegation.status, delegation.consented_at = ACTIVE, now
    delegation.expires_at = now + timedelta(minutes=delegation.duration_minutes)
    _publish(DELEGATION_GRANTED, delegation, previous, delegation.subject_account_id, now, reason=method)


def close(delegation: Delegation, status: str, by: uuid.UUID, reason: str) -> None:
    """Declined, revoked or ended: the consent code stops working too."""
    now, previous = utcnow(), delegation.status
    delegation.status, delegation.ended_at, delegation.ended_by, delegation.end_reason = status, now, by, reason
    delegation.consent_code_hash = None
    _publish(_CLOSED[status], delegation, previous, by, now, reason=reason)


def _publish(name: str, delegation: Delegation, previous: str | None, by: uuid.UUID | None, at,
             reason: str | None = None) -> None:
    events.publish(name, DelegationChanged(
        delegation_id=delegation.id, team_id=delegation.team_id, member_id=delegation.member_id,
        commune_code=delegation.commune_code, subject_account_id=delegation.subject_account_id,
        scopes=tuple(delegation.scopes or ()), procedure_code=delegation.procedure_code,
        dossier_id=delegation.dossier_id, from_status=previous, status=delegation.status, reason=reason, by=by,
        at=at, expires_at=delegation.expires_at))
