"""Counts what happens later because of a member's help, in the transaction where it happens.

- A dossier submitted with a delegated token (`dossier.submitted`, published
  by the dossiers domain): its timeline names the member as actor.
- An account registered with help becomes active (the resident chose their
  password), and a fee payment started by a member succeeds (the gateway's
  notification): neither domain publishes an event for these, so they are
  read from the ORM changes before each flush, as the dashboard does
  (app/dashboard/tracking.py). Changes made with bulk UPDATE statements are
  not seen; identity and payments change these statuses on loaded rows.
"""
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.assistance import acts, figures
from app.assistance.models import ACTIVE, AssistanceAct, AssistedRegistration, Delegation, Team
from app.common import events
from app.common.clock import utcnow
from app.dossiers.models import TimelineEntry
from app.extensions import db
from app.identity.models import ACTIVE as ACCOUNT_ACTIVE
from app.identity.models import Account
from app.payments.models import Payment
from app.payments.states import SUCCEEDED


def install() -> None:
    events.subscribe("dossier.submitted", on_dossier_submitted)
    for attribute in (Account.status, Payment.status):
        if not event.contains(attribute, "set", _keep_history):
            event.listen(attribute, "set", _keep_history, active_history=True)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def _keep_history(_target, value, _oldvalue, _initiator):
    return value


def on_dossier_submitted(dossier_id, citizen_account_id, action=None, **_payload) -> None:
    """Counts a dossier the member submitted for the resident (not the ones a bundle starts)."""
    if action != "submit":
        return
    actor_id = db.session.scalar(select(TimelineEntry.actor_id).where(
        TimelineEntry.dossier_id == dossier_id, TimelineEntry.action == "submit"
    ).order_by(TimelineEntry.created_at.desc()).limit(1))
    if actor_id is None:
        return
    delegation = db.session.scalar(select(Delegation).where(
        Delegation.member_id == actor_id, Delegation.subject_account_id == citizen_account_id,
        Delegation.status == ACTIVE).order_by(Delegation.consented_at.desc()).limit(1))
    if delegation is not None:
        figures.count(figures.DOSSIERS_SUBMITTED, team_id=delegation.team_id, member_id=delegation.member_id,
                      commune_code=delegation.commune_code, delegation_id=delegation.id)


def _before_flush(session, _flush_context, _instances) -> None:
    for obj in list(session.dirty):
        if isinstance(obj, Account) and _became(obj, ACCOUNT_ACTIVE):
            _account_activated(session, obj)
        elif isinstance(obj, Payment) and obj.actor_id is not None and _became(obj, SUCCEEDED):
            _payment_succeeded(session, obj)


def _became(obj, status: str) -> bool:
    history = inspect(obj).attrs.status.history
    return status in (history.added or ()) and status not in (history.deleted or ())


def _account_activated(session, account: Account) -> None:
    registration = session.scalar(select(AssistedRegistration).where(
        AssistedRegistration.account_id == account.id, AssistedRegistration.activated_at.is_(None)))
    if registration is None:
        return
    registration.activated_at = utcnow()
    team = session.get(Team, registration.team_id)
    figures.count(figures.ACCOUNTS_ACTIVATED, team_id=registration.team_id, member_id=registration.member_id,
                  commune_code=team.commune_code, delegation_id=registration.delegation_id, session=session)


def _payment_succeeded(session, payment: Payment) -> None:
    if payment.duplicate:
        return   # the dossier was already paid; this money goes back
    started = session.scalar(select(AssistanceAct).where(
        AssistanceAct.action == "payment_started", AssistanceAct.target_id == payment.id).limit(1))
    if started is None:
        return
    delegation = session.get(Delegation, started.delegation_id)
    figures.count(figures.PAYMENTS_COMPLETED, team_id=delegation.team_id, member_id=delegation.member_id,
                  commune_code=delegation.commune_code, delegation_id=delegation.id, session=session)
    acts.record(delegation, "payment_completed", target_type="payment", target_id=payment.id,
                detail={"amount": payment.amount}, session=session)
