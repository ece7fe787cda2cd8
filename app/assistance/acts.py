"""The act log: everything a member did (or was refused) for a resident, in both names.

The resident reads it as their history of help; officers read it per session.
The first act that actually helps (not the consent steps) counts the resident
as helped in the team figures.
"""
import uuid

from sqlalchemy import select

from app.assistance import figures
from app.assistance.models import AssistanceAct, Delegation
from app.common.clock import utcnow
from app.common.pagination import paginate
from app.extensions import db
from app.identity.audit import audit

DONE, REFUSED = "done", "refused"
# Steps of the session itself: recorded, but they are not help yet
SESSION_STEPS = frozenset({"session_started", "consent_requested", "consent_given", "consent_declined",
                           "token_issued", "session_ended", "revoked"})


def record(delegation: Delegation, action: str, *, outcome: str = DONE, target_type: str | None = None,
           target_id: uuid.UUID | None = None, detail: dict | None = None, session=None) -> AssistanceAct:
    """Adds one act in the caller's transaction; the first helpful act counts the resident helped."""
    act = AssistanceAct(
        delegation_id=delegation.id, subject_personal_id=delegation.subject_personal_id,
        subject_account_id=delegation.subject_account_id, actor_id=delegation.member_id,
        team_id=delegation.team_id, action=action, outcome=outcome, target_type=target_type,
        target_id=target_id, detail=detail or {})
    (session or db.session).add(act)
    audit(f"assistance.{action}", ok=outcome == DONE, delegation_id=delegation.id,
          actor_id=delegation.member_id, subject_account_id=delegation.subject_account_id,
          target_id=target_id)
    if outcome == DONE and action not in SESSION_STEPS and delegation.helped_at is None:
        delegation.helped_at = utcnow()
        figures.count(figures.RESIDENTS_HELPED, team_id=delegation.team_id, member_id=delegation.member_id,
                      commune_code=delegation.commune_code, delegation_id=delegation.id,
                      personal_id=delegation.subject_personal_id, session=session)
    return act


def history(personal_id: str, *, cursor: str | None, limit: int) -> dict:
    """A resident's acts, newest first (also those done before they had an account)."""
    statement = select(AssistanceAct).where(AssistanceAct.subject_personal_id == personal_id)
    return paginate(db.session, statement, AssistanceAct, cursor=cursor, limit=limit)


def of_delegation(delegation_id: uuid.UUID, *, cursor: str | None, limit: int) -> dict:
    statement = select(AssistanceAct).where(AssistanceAct.delegation_id == delegation_id)
    return paginate(db.session, statement, AssistanceAct, cursor=cursor, limit=limit)


def touched(delegation_id: uuid.UUID, target_id: uuid.UUID) -> bool:
    """Whether the member already acted on this target within the delegation."""
    return db.session.scalar(select(AssistanceAct.id).where(
        AssistanceAct.delegation_id == delegation_id, AssistanceAct.target_id == target_id,
        AssistanceAct.outcome == DONE).limit(1)) is not None
