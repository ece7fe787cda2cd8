"""Races that only a real database with real commits shows (PostgreSQL).

Each thread has its own app context, session and connection; the rows these
tests commit are deleted at the end.
"""
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, select

from app.assistance import consent, figures, service
from app.assistance.models import (
    DAY, PENDING, TEAM, AssistanceAct, Delegation, FigureCounter, HelpedResident, Team, TeamMember,
)
from app.common.auth import Principal
from app.common.clock import utcnow
from app.dashboard.models import Counter as DashboardCounter
from app.errors import AppError
from app.extensions import db
from app.identity.models import ACTIVE, Account, AuthSession
from app.identity.sessions import open_session
from app.notifications.models import OutboxMessage
from tests.committed import real_sessions

pytestmark = pytest.mark.postgres
COMMUNE = "27727"


@pytest.fixture
def real_db(app):
    """Swaps the test's rolled-back session for real, committing ones; cleans up after."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (several connections committing at once)")
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=12)
    created: dict[str, list] = {"accounts": [], "teams": []}
    try:
        with real_sessions(engine):
            yield created
    finally:
        _clean(engine, created)
        engine.dispose()


def _clean(engine, created):
    accounts, teams = created["accounts"], created["teams"]
    with engine.begin() as c:
        c.execute(delete(AssistanceAct).where(AssistanceAct.team_id.in_(teams)))
        c.execute(delete(Delegation).where(Delegation.team_id.in_(teams)))
        c.execute(delete(FigureCounter).where(FigureCounter.team_id.in_(teams)))
        c.execute(delete(HelpedResident).where(HelpedResident.team_id.in_(teams)))
        c.execute(delete(TeamMember).where(TeamMember.team_id.in_(teams)))
        c.execute(delete(Team).where(Team.id.in_(teams)))
        c.execute(delete(OutboxMessage).where(OutboxMessage.address.like("0966%")))
        c.execute(delete(AuthSession).where(AuthSession.account_id.in_(accounts)))
        c.execute(delete(Account).where(Account.id.in_(accounts)))
        # the operations-centre counters that the events of these tests bumped
        c.execute(delete(DashboardCounter).where(DashboardCounter.metric.like("assistance.%")))


def _member(created) -> Account:
    serial = uuid.uuid4().int % 10**8
    account = Account(login=f"assistant.{serial}", full_name="Lê Thị Hoa", role="assistant", level=2,
                      status=ACTIVE, failed_logins=0, lockouts=0, commune_code=COMMUNE)
    db.session.add(account)
    db.session.commit()
    created["accounts"].append(account.id)
    return account


def _team(created, *members) -> Team:
    team = Team(commune_code=COMMUNE, name="Tổ CNS", active=True, created_by=members[0].id)
    db.session.add(team)
    db.session.flush()
    db.session.add_all(TeamMember(team_id=team.id, account_id=m.id, added_by=m.id) for m in members)
    db.session.commit()
    created["teams"].append(team.id)
    return team


def _race(app, work, count=8):
    """Runs `work()` in `count` threads at once; returns what each returned or the refusal's code."""
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcome = work()
            except AppError as error:
                db.session.rollback()
                outcome = error.code
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_consent_code_sent_eight_times_at_once_starts_the_delegation_once(app, real_db):
    member = _member(real_db)
    team = _team(real_db, member)
    auth = open_session(member, level=2, methods=["pwd", "otp"])
    delegation = Delegation(team_id=team.id, member_id=member.id, commune_code=COMMUNE,
                            subject_personal_id="080148599001", scopes=["register_account"], duration_minutes=60,
                            status=PENDING, consent_deadline=utcnow() + timedelta(minutes=15),
                            consent_sends=0, consent_attempts=0)
    db.session.add(delegation)
    db.session.flush()
    phone = f"0966{uuid.uuid4().int % 10**6:06d}"
    consent.send_code(delegation, phone, assistant_name=member.full_name, procedure_name=None)
    db.session.commit()
    code = db.session.scalar(select(OutboxMessage.params).where(OutboxMessage.address == phone))["code"]
    principal = Principal(account_id=member.id, role="assistant", level=2, methods=("pwd", "otp"),
                          session_id=auth.id)
    delegation_id = delegation.id
    db.session.remove()

    outcomes = _race(app, lambda: service.verify_consent(principal, delegation_id, code))
    tokens = [o for o in outcomes if isinstance(o, service.Issued)]
    assert len(tokens) == 1, outcomes
    assert set(o for o in outcomes if not isinstance(o, service.Issued)) <= {
        "consent_not_pending", "consent_code_not_sent"}
    with app.app_context():
        given = db.session.scalars(select(AssistanceAct.action).where(
            AssistanceAct.delegation_id == delegation_id, AssistanceAct.action == "consent_given")).all()
        assert given == ["consent_given"]
        db.session.remove()


def test_one_resident_helped_by_several_members_at_once_counts_once_for_the_team(app, real_db):
    members = [_member(real_db) for _ in range(8)]
    team = _team(real_db, *members)
    moment = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)
    queue = list(members)
    lock = threading.Lock()

    def help_once():
        with lock:
            member = queue.pop()
        figures.count(figures.RESIDENTS_HELPED, team_id=team.id, member_id=member.id, commune_code=COMMUNE,
                      delegation_id=None, personal_id="080148599002", at=moment)
        db.session.commit()

    _race(app, help_once)
    with app.app_context():
        rows = {(r.member_id, r.period): r.value for r in db.session.scalars(
            select(FigureCounter).where(FigureCounter.team_id == team.id))}
        db.session.remove()
    assert rows[(TEAM, DAY)] == 1 and rows[(TEAM, "month")] == 1
    assert sum(v for (member, period), v in rows.items() if member != TEAM and period == DAY) == 8
