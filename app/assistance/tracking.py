"""Counts what happens later because of a member's help, in the transaction where it happens.

- A dossier submitted with a delegated token (`dossier.submitted`, published
  by the dossiers domain): its payload names the member (`helper_id`).
- An account registered with help becomes active (`account.activated`,
  published by identity when the resident chose their password).
- A fee payment started by a member is settled (`payment.settled`, published
  by payments), unless the money was a duplicate to be refunded.
"""
from sqlalchemy import select

from app.assistance import acts, figures
from app.assistance.models import ACTIVE, AssistanceAct, AssistedRegistration, Delegation, Team
from app.common import events
from app.common.clock import utcnow
from app.extensions import db


def install() -> None:
    events.subscribe("dossier.submitted", on_dossier_submitted)
    events.subscribe("account.activated", on_account_activated)
    events.subscribe("payment.settled", on_payment_settled)


def on_dossier_submitted(dossier_id, citizen_account_id, action=None, helper_id=None, **_payload) -> None:
    """Counts a dossier the member submitted for the resident (not the ones a bundle starts)."""
    if action != "submit" or helper_id is None:
        return
    delegation = db.session.scalar(select(Delegation).where(
        Delegation.member_id == helper_id, Delegation.subject_account_id == citizen_account_id,
        Delegation.status == ACTIVE).order_by(Delegation.consented_at.desc()).limit(1))
    if delegation is not None:
        figures.count(figures.DOSSIERS_SUBMITTED, team_id=delegation.team_id, member_id=delegation.member_id,
                      commune_code=delegation.commune_code, delegation_id=delegation.id)


def on_account_activated(account_id, **_payload) -> None:
    """Counts an account a member registered for the resident, once, when the resident activates it."""
    registration = db.session.scalar(select(AssistedRegistration).where(
        AssistedRegistration.account_id == account_id, AssistedRegistration.activated_at.is_(None)))
    if registration is None:
        return
    registration.activated_at = utcnow()
    team = db.session.get(Team, registration.team_id)
    figures.count(figures.ACCOUNTS_ACTIVATED, team_id=registration.team_id, member_id=registration.member_id,
                  commune_code=team.commune_code, delegation_id=registration.delegation_id)


def on_payment_settled(payment_id, actor_id, amount, duplicate, **_payload) -> None:
    """Counts a fee paid after a member started the payment (not money kept as a duplicate)."""
    if actor_id is None or duplicate:
        return   # paid by the resident alone, or the dossier was already paid and this money goes back
    started = db.session.scalar(select(AssistanceAct).where(
        AssistanceAct.action == "payment_started", AssistanceAct.target_id == payment_id).limit(1))
    if started is None:
        return
    delegation = db.session.get(Delegation, started.delegation_id)
    figures.count(figures.PAYMENTS_COMPLETED, team_id=delegation.team_id, member_id=delegation.member_id,
                  commune_code=delegation.commune_code, delegation_id=delegation.id)
    acts.record(delegation, "payment_completed", target_type="payment", target_id=payment_id,
                detail={"amount": amount})
