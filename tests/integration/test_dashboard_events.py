"""The counters follow the domains' events through their real services, and a rebuild replays the same counts.

A mixed workload: dossiers submitted, received, rejected, withdrawn; fees paid,
paid twice (the second kept as a duplicate and refunded), a notification
repeated; refunds that succeed and fail. After every step each figure equals
an independent count over the tables (tests/dashboard_fixtures.py), and after
the workload `rebuild` (the domains' public replays) gives exactly the live
counters. Runs on SQLite and, with --postgres, on PostgreSQL.
"""
import uuid

import pytest
from sqlalchemy import select, text

from app.common import roles
from app.common.auth import Principal
from app.dashboard.counters import Filters
from app.dashboard.models import OpenDossier
from app.dashboard.service import dossier_figures, payment_figures
from app.dossiers import states
from app.dossiers.transitions import fire
from app.extensions import db
from app.payments import refunds as refund_service
from app.payments import service as payment_service
from app.payments import states as payment_states
from app.payments.gateways.base import Outcome, RefundResult
from app.payments.models import Refund
from tests.dashboard_fixtures import (
    HUNG_DIEN, counter_snapshot, expected_dossiers, expected_payments, make_dossier, make_payment, recount,
)
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import AccountFactory

MARRIAGE = "1.004873"


def principal(account, role, agency_id=None, commune_code=None) -> Principal:
    return Principal(account_id=account.id, role=role, level=2, methods=("pwd", "otp"), session_id=uuid.uuid4(),
                     agency_id=agency_id, commune_code=commune_code)


class Office:
    """A citizen, the officer and the leader of Hưng Điền's people's committee."""

    def __init__(self, catalog):  # noqa: F811
        self.procedure = catalog[MARRIAGE]
        self.agency = agency(f"UBND-{HUNG_DIEN}")
        self.owner = AccountFactory(level=2)
        officer = AccountFactory(role=roles.OFFICER, agency_id=self.agency.id, commune_code=HUNG_DIEN)
        leader = AccountFactory(role=roles.APPROVER, agency_id=self.agency.id, commune_code=HUNG_DIEN)
        self.officer_id = officer.id
        self.citizen = principal(self.owner, roles.CITIZEN)
        self.clerk = principal(officer, roles.OFFICER, self.agency.id, HUNG_DIEN)
        self.boss = principal(leader, roles.APPROVER, self.agency.id, HUNG_DIEN)

    def submitted(self, fee: int = 0):
        dossier = make_dossier(self.procedure, self.agency, self.owner, states.DRAFT)
        if fee:
            dossier.fee_amount, dossier.fee_status = fee, "unpaid"
        fire(dossier, "submit", self.citizen)
        db.session.commit()
        return dossier

    def move(self, dossier, *actions):
        for action in actions:
            who = {"receive": self.clerk, "assign": self.clerk, "propose": self.clerk,
                   "reject": self.boss, "withdraw": self.citizen}[action]
            if action == "assign":
                dossier.assigned_officer_id = self.officer_id
            fire(dossier, action, who, reason="Không đủ điều kiện" if action == "reject" else None,
                 reason_code="not_eligible" if action == "reject" else None)
        db.session.commit()


def paid(dossier, amount, gateway="vnpay"):
    payment = make_payment(dossier, gateway, payment_states.PENDING, amount=amount, just_now=True)
    assert payment_service.settle(payment, Outcome.SUCCEEDED, source="ipn", transaction_no=uuid.uuid4().hex[:8])
    db.session.commit()
    return payment


def refund_of(payment) -> Refund:
    return db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))


def assert_figures_equal_the_tables():
    dossiers, expected = dossier_figures(Filters()), expected_dossiers(Filters())
    assert dossiers["total"] == expected["total"]
    assert {r["status"]: r["count"] for r in dossiers["statuses"] if r["count"]} == dict(expected["statuses"])
    assert (dossiers["timeliness"]["resolved"], dossiers["timeliness"]["on_time"]) == (
        expected["resolved"], expected["on_time"])
    for filters in (Filters(), Filters(commune_code=HUNG_DIEN), Filters(procedure_code=MARRIAGE)):
        payments, wanted = payment_figures(filters), expected_payments(filters)
        assert payments["totals"]["collected"] == wanted["collected"]
        assert payments["totals"]["payments"] == wanted["payments"]
        assert {r["status"]: (r["refunds"], r["amount"]) for r in payments["refunds"]} == wanted["refunds"]
    running = {d.id for d in _dossiers() if d.status in states.CLOCK_RUNNING and d.due_date is not None}
    assert set(db.session.scalars(select(OpenDossier.dossier_id))) == running


def _dossiers():
    from app.dossiers.models import Dossier

    return db.session.scalars(select(Dossier))


def workload(office: Office) -> dict:
    """Every kind of event, checking the figures after each step."""
    rejected = office.submitted(fee=7_000)
    fee = paid(rejected, 7_000)
    office.move(rejected, "receive", "assign", "propose", "reject")   # rejected: the fee is given back
    assert refund_of(fee).status == payment_states.REFUND_REQUESTED
    assert_figures_equal_the_tables()
    refund_service._apply(refund_of(fee).id, RefundResult(succeeded=True, retryable=False, result_code="00",
                                                          refund_no="RF1"))
    assert fee.status == payment_states.REFUNDED
    assert_figures_equal_the_tables()

    twice = office.submitted(fee=5_000)
    first = paid(twice, 5_000)
    before = counter_snapshot()
    assert not payment_service.settle(first, Outcome.SUCCEEDED, source="ipn")   # the same notification again
    db.session.commit()
    assert counter_snapshot() == before
    duplicate = paid(twice, 5_000, gateway="momo")                 # another payment of a paid dossier
    assert duplicate.duplicate and refund_of(duplicate).status == payment_states.REFUND_REQUESTED
    assert_figures_equal_the_tables()
    refund = refund_of(duplicate)
    refund.attempts = 99                                           # no retry left: the refund fails
    refund_service._apply(refund.id, RefundResult(succeeded=False, retryable=False, result_code="99"))
    assert refund_of(duplicate).status == payment_states.REFUND_FAILED
    assert_figures_equal_the_tables()

    withdrawn = office.submitted()
    office.move(withdrawn, "withdraw")
    open_one = office.submitted()
    office.move(open_one, "receive")
    assert_figures_equal_the_tables()
    return {"rejected": rejected, "twice": twice, "withdrawn": withdrawn, "open": open_one}


def test_the_counters_follow_every_event(catalog):  # noqa: F811
    office = Office(catalog)
    made = workload(office)
    figures = dossier_figures(Filters())
    assert {r["status"]: r["count"] for r in figures["statuses"] if r["count"]} == {
        "rejected": 1, "submitted": 1, "withdrawn": 1, "received": 1}
    assert figures["timeliness"]["resolved"] == 1
    payments = payment_figures(Filters())
    # the rejected dossier's fee and both payments of the paid-twice one were taken
    assert payments["totals"] == {"payments": 3, "collected": 17_000, "refunds": 1, "refunded": 7_000}
    assert {r["status"]: r["refunds"] for r in payments["refunds"]} == {"requested": 0, "succeeded": 1, "failed": 1}
    assert made["open"].id in set(db.session.scalars(select(OpenDossier.dossier_id)))


def test_a_rebuild_gives_the_live_counts_after_a_mixed_workload(catalog):  # noqa: F811
    office = Office(catalog)
    recount()   # the test's accounts are written by a factory, without identity's events: counted first
    workload(office)
    live = counter_snapshot()
    assert live["counters"] and live["open"]
    recount()
    assert counter_snapshot() == live


@pytest.mark.parametrize("savepoint", [False, True])
def test_a_rolled_back_transaction_leaves_the_counters_unchanged(catalog, savepoint):  # noqa: F811
    office = Office(catalog)
    dossier = office.submitted(fee=9_000)
    payment = make_payment(dossier, "vnpay", payment_states.PENDING, amount=9_000, just_now=True)
    db.session.commit()
    before = counter_snapshot()
    nested = db.session.begin_nested() if savepoint else None
    payment_service.settle(payment, Outcome.SUCCEEDED, source="ipn")
    fire(dossier, "receive", office.clerk)
    db.session.flush()
    if nested is not None:
        nested.rollback()
        db.session.commit()
    else:
        db.session.rollback()
    assert counter_snapshot() == before
    assert_figures_equal_the_tables()


@pytest.mark.postgres
def test_the_swapped_rebuild_gives_the_live_counts_in_a_table_like_the_old_one(catalog):  # noqa: F811
    """PostgreSQL's full rebuild recounts into a new table and swaps it in, with the same keys and indexes."""
    from app.dashboard.rebuild import rebuild_swapped

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    office = Office(catalog)
    recount()   # the test's accounts are written by a factory, without identity's events: counted first
    workload(office)
    live = counter_snapshot()

    def shape():
        indexes = db.session.execute(text(
            "SELECT indexname, regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = 'dashboard_counters' ORDER BY indexname")).all()
        primary = db.session.scalar(text("SELECT conname FROM pg_constraint "
                                         "WHERE conrelid = 'dashboard_counters'::regclass AND contype = 'p'"))
        return indexes, primary
    before = shape()
    written = rebuild_swapped(db.session)

    assert counter_snapshot() == live
    assert shape() == before and before[1] == "pk_dashboard_counters"
    assert written["dossiers"] > 0 and written["payments"] > 0
    assert db.session.scalar(text("SELECT to_regclass('dashboard_counters_next')")) is None
    assert db.session.scalar(text("SHOW work_mem")) == "1GB"   # DASHBOARD_REBUILD_WORK_MEM, this transaction


def test_the_rebuilds_work_mem_must_be_a_postgresql_memory_size(app):
    from app.dashboard.settings import settings

    previous = app.config["DASHBOARD_REBUILD_WORK_MEM"]
    try:
        with app.test_request_context():
            assert settings().rebuild_work_mem == previous == "1GB"
            for wrong in ("1 GB", "1GB; DROP TABLE dashboard_counters", "lots", ""):
                app.config["DASHBOARD_REBUILD_WORK_MEM"] = wrong
                with pytest.raises(ValueError, match="DASHBOARD_REBUILD_WORK_MEM"):
                    settings()
            app.config["DASHBOARD_REBUILD_WORK_MEM"] = "256MB"
            assert settings().rebuild_work_mem == "256MB"
    finally:
        app.config["DASHBOARD_REBUILD_WORK_MEM"] = previous
