"""Team figures: counters by member and team, day and month, kept in the transaction of what they count."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.assistance import figures
from app.assistance.models import (
    ACTIVE, DAY, MONTH, TEAM, AssistanceAct, AssistedRegistration, Delegation, FigureCounter,
)
from app.common import events
from app.common.clock import utcnow
from app.extensions import db
from app.identity.events import ACCOUNT_ACTIVATED, AccountActivated
from app.identity.models import ACTIVE as ACCOUNT_ACTIVE
from app.identity.models import PENDING_PASSWORD
from app.payments.ledger import move
from app.payments.states import PENDING, SUCCEEDED
from tests.assistance_fixtures import (  # noqa: F401
    COMMUNE, OTHER_COMMUNE, PROCEDURE, assistant, catalog, make_team, resident, storage,
)
from tests.payments_fixtures import make_dossier

# 23:30 in Vietnam on 30 November is still 16:30 UTC: figures count Vietnamese days
LATE_EVENING = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)


@pytest.fixture
def published():
    seen = []
    handlers = {name: (lambda _n=name, **payload: seen.append((_n, payload))) for name in figures.EVENTS.values()}
    for name, handler in handlers.items():
        events.subscribe(name, handler)
    yield seen
    for name, handler in handlers.items():
        events._handlers[name].remove(handler)


def _values(metric, period=DAY) -> dict:
    rows = db.session.scalars(select(FigureCounter).where(FigureCounter.metric == metric,
                                                          FigureCounter.period == period))
    return {(row.member_id, row.start): row.value for row in rows}


def _count(metric, team, member, personal_id=None, at=None):
    return figures.count(metric, team_id=team.id, member_id=member.id, commune_code=team.commune_code,
                         delegation_id=None, personal_id=personal_id, at=at)


def test_each_count_goes_to_the_member_and_the_team_by_day_and_month(catalog, published):
    member = assistant()
    team = make_team(COMMUNE, member)
    day = date(2026, 12, 1)
    assert _count(figures.DOSSIERS_SUBMITTED, team, member, at=LATE_EVENING) is True
    _count(figures.DOSSIERS_SUBMITTED, team, member, at=LATE_EVENING + timedelta(hours=1))
    assert _values(figures.DOSSIERS_SUBMITTED) == {(str(member.id), date(2026, 11, 30)): 1, (TEAM, date(2026, 11, 30)): 1,
                                                   (str(member.id), day): 1, (TEAM, day): 1}
    assert _values(figures.DOSSIERS_SUBMITTED, MONTH) == {
        (str(member.id), date(2026, 11, 1)): 1, (TEAM, date(2026, 11, 1)): 1,
        (str(member.id), date(2026, 12, 1)): 1, (TEAM, date(2026, 12, 1)): 1}
    assert [name for name, _ in published] == ["assistance.dossier_submitted"] * 2
    assert published[0][1] | {"delegation_id": None} == {
        "team_id": team.id, "member_id": member.id, "commune_code": COMMUNE, "delegation_id": None,
        "day": date(2026, 11, 30), "first_in_month": True}


def test_a_resident_counts_once_per_period_for_a_member_and_for_the_team(catalog, published):
    first, second = assistant(), assistant()
    team = make_team(COMMUNE, first, second)
    moment = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)
    person, other = "080190500001", "080190500002"
    assert _count(figures.RESIDENTS_HELPED, team, first, person, moment) is True
    assert _count(figures.RESIDENTS_HELPED, team, first, person, moment + timedelta(hours=2)) is False
    assert _count(figures.RESIDENTS_HELPED, team, second, person, moment) is True       # the same person, another member
    _count(figures.RESIDENTS_HELPED, team, first, person, moment + timedelta(days=1))   # the next day
    _count(figures.RESIDENTS_HELPED, team, first, other, moment)
    day, next_day, month = date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 1)
    assert _values(figures.RESIDENTS_HELPED) == {
        (str(first.id), day): 2, (str(second.id), day): 1, (TEAM, day): 2,
        (str(first.id), next_day): 1, (TEAM, next_day): 1}
    assert _values(figures.RESIDENTS_HELPED, MONTH) == {
        (str(first.id), month): 2, (str(second.id), month): 1, (TEAM, month): 2}
    # one event per resident newly helped by the team that day
    assert [(p["day"], p["first_in_month"]) for _, p in published] == [
        (day, True), (next_day, False), (day, True)]


def test_report_by_member_team_and_commune(catalog):
    first, second, far_member = assistant(), assistant(), assistant(commune_code=OTHER_COMMUNE)
    team = make_team(COMMUNE, first, second)
    far = make_team(OTHER_COMMUNE, far_member)
    moment = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)
    for member, t in ((first, team), (first, team), (second, team), (far_member, far)):
        _count(figures.PAYMENTS_COMPLETED, t, member, at=moment)
    query = dict(period=MONTH, start=date(2026, 11, 15), end=date(2026, 11, 30))
    by_member = figures.report(figures.Query(by="member", **query))
    assert sorted((r["member_name"], r["payments_completed"]) for r in by_member) == [
        ("Lê Thị Hoa", 1), ("Lê Thị Hoa", 1), ("Lê Thị Hoa", 2)]
    assert {r["start"] for r in by_member} == {date(2026, 11, 1)}     # the month, although asked from the 15th
    by_team = figures.report(figures.Query(by="team", **query))
    assert sorted((r["team_id"], r["payments_completed"]) for r in by_team) == sorted(
        [(team.id, 3), (far.id, 1)])
    by_commune = figures.report(figures.Query(by="commune", **query))
    assert sorted((r["commune_code"], r["team_id"], r["payments_completed"]) for r in by_commune) == [
        (COMMUNE, None, 3), (OTHER_COMMUNE, None, 1)]
    only_ours = figures.report(figures.Query(by="team", team_ids=[team.id], **query))
    assert [r["team_id"] for r in only_ours] == [team.id]
    one_member = figures.report(figures.Query(by="team", member_id=second.id, **query))
    assert [(r["member_id"], r["payments_completed"]) for r in one_member] == [(second.id, 1)]
    assert figures.report(figures.Query(period=DAY, start=date(2026, 11, 11), end=date(2026, 11, 30), by="team")) == []


# -- what is counted later, in the transaction where it happens --------------------------------------

def _delegation(team, member, account) -> Delegation:
    delegation = Delegation(team_id=team.id, member_id=member.id, commune_code=team.commune_code,
                            subject_personal_id=account.personal_id, subject_account_id=account.id,
                            scopes=["pay_fee"], duration_minutes=60, status=ACTIVE,
                            consent_deadline=utcnow(), consented_at=utcnow(),
                            expires_at=utcnow() + timedelta(hours=1), consent_sends=0, consent_attempts=0)
    db.session.add(delegation)
    db.session.flush()
    return delegation


def _activated(account):
    """What identity does when the resident chooses their first password."""
    account.status = ACCOUNT_ACTIVE
    events.publish(ACCOUNT_ACTIVATED, AccountActivated(account_id=account.id, role=account.role,
                                                       level=account.level))


def test_an_account_registered_with_help_counts_once_when_the_resident_activates_it(catalog):
    member = assistant()
    team = make_team(COMMUNE, member)
    _, account = resident(status=PENDING_PASSWORD)
    delegation = _delegation(team, member, account)
    db.session.add(AssistedRegistration(account_id=account.id, delegation_id=delegation.id, member_id=member.id,
                                        team_id=team.id, registered_at=utcnow()))
    _, alone = resident(status=PENDING_PASSWORD)
    db.session.flush()
    _activated(account)
    _activated(alone)                        # registered without help: not the team's
    db.session.flush()
    assert sum(_values(figures.ACCOUNTS_ACTIVATED).values()) == 2          # member and team rows
    _activated(account)                      # published again: not a second activation
    db.session.flush()
    assert sum(_values(figures.ACCOUNTS_ACTIVATED).values()) == 2
    assert db.session.scalar(select(AssistedRegistration.activated_at).where(
        AssistedRegistration.account_id == account.id)) is not None


def test_a_fee_paid_after_a_members_payment_start_counts_unless_it_was_a_duplicate(catalog):
    from app.payments.models import Payment

    member = assistant()
    team = make_team(COMMUNE, member)
    _, account = resident()
    delegation = _delegation(team, member, account)
    payments = []
    for duplicate in (False, True):
        dossier = make_dossier(catalog[PROCEDURE], account)
        payment = Payment(dossier_id=dossier.id, account_id=account.id, actor_id=member.id, gateway="vnpay",
                          txn_ref=uuid.uuid4().hex[:20], amount=8000, status=PENDING, order_info="x",
                          procedure_code=PROCEDURE, procedure_name="x", dossier_receipt_code=dossier.receipt_code,
                          expires_at=utcnow() + timedelta(minutes=15), duplicate=duplicate)
        db.session.add(payment)
        db.session.flush()
        db.session.add(AssistanceAct(delegation_id=delegation.id, subject_personal_id=account.personal_id,
                                     subject_account_id=account.id, actor_id=member.id, team_id=team.id,
                                     action="payment_started", target_type="payment", target_id=payment.id,
                                     detail={}))
        payments.append(payment)
    db.session.flush()
    for payment in payments:
        move(payment, SUCCEEDED, "gateway", "settled")    # publishes payment.settled
    db.session.flush()
    assert _values(figures.PAYMENTS_COMPLETED) == {(str(member.id), figures.local_day()): 1,
                                                   (TEAM, figures.local_day()): 1}
    completed = db.session.scalars(select(AssistanceAct.target_id).where(
        AssistanceAct.action == "payment_completed")).all()
    assert completed == [payments[0].id]


def test_a_dossier_submitted_by_the_resident_alone_is_not_counted(catalog):
    from app.assistance import tracking

    member = assistant()
    team = make_team(COMMUNE, member)
    _, account = resident()
    _delegation(team, member, account)
    dossier = make_dossier(catalog[PROCEDURE], account)
    tracking.on_dossier_submitted(dossier.id, account.id, action="submit")   # no helper in the payload
    tracking.on_dossier_submitted(dossier.id, account.id, action="start", helper_id=member.id)   # a bundle's next step
    assert _values(figures.DOSSIERS_SUBMITTED) == {}
    tracking.on_dossier_submitted(dossier.id, account.id, action="submit", helper_id=member.id)
    assert set(_values(figures.DOSSIERS_SUBMITTED).values()) == {1}
