"""Dossier figures: every one equals a count over the dossier rows, with every filter."""
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.common.auth import Principal
from app.dashboard.counters import Filters
from app.dashboard.models import Counter, OpenDossier
from app.dashboard.rebuild import DOSSIERS, rebuild
from app.dashboard.service import dossier_figures, overdue_dossiers, processing_time
from app.dossiers import states
from app.dossiers.models import Dossier
from app.dossiers.transitions import fire
from app.extensions import db
from app.common import roles
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, at, build_dossiers, expected_dossiers, expected_overdue, make_dossier,
)
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import AccountFactory


@pytest.fixture
def dossiers(catalog):  # noqa: F811
    return build_dossiers(catalog, agency)


def assert_figures_match(filters):
    figures = dossier_figures(filters)
    expected = expected_dossiers(filters)
    assert figures["total"] == expected["total"]
    assert {row["status"]: row["count"] for row in figures["statuses"] if row["count"]} == dict(expected["statuses"])
    channels = {row["channel"]: row["count"] for row in figures["channels"]}
    assert channels == {"online": expected["online"], "desk": 0}
    timeliness = figures["timeliness"]
    assert (timeliness["resolved"], timeliness["on_time"], timeliness["late"]) == (
        expected["resolved"], expected["on_time"], expected["late"])
    processing = figures["processing_days"]
    assert (processing["count"], processing["average"], processing["p90"]) == (
        expected["resolved"], expected["average"], expected["p90"])
    return figures


def filter_cases(data, catalog):  # noqa: F811
    days, agencies = data["days"], data["agencies"]
    return [
        Filters(),
        Filters(commune_code=HUNG_DIEN), Filters(commune_code=TAN_NINH), Filters(commune_code="99999"),
        Filters(agency_id=agencies["police"].id), Filters(agency_id=agencies["hung_dien"].id),
        Filters(procedure_code="1.001193"), Filters(procedure_code="1.004873"),
        Filters(commune_code=TAN_NINH, procedure_code="1.004222"),
        Filters(commune_code=HUNG_DIEN, agency_id=agencies["police"].id, procedure_code="1.004222"),
        Filters(start=days[10]), Filters(end=days[10]), Filters(start=days[21], end=days[8]),
        Filters(start=days[9], end=days[9], commune_code=TAN_NINH),
    ]


def test_every_figure_equals_the_rows_for_every_filter(dossiers, catalog):  # noqa: F811
    for filters in filter_cases(dossiers, catalog):
        assert_figures_match(filters)
    figures = dossier_figures(Filters())
    # hand-checked against build_dossiers(): drafts, queued and cancelled drafts are not counted
    assert figures["total"] == 15
    assert figures["timeliness"] == {"resolved": 5, "on_time": 3, "late": 2, "on_time_share": 0.6}
    assert figures["online_share"] == 1.0


def test_overdue_list_equals_the_rows(dossiers, catalog):  # noqa: F811
    for filters in filter_cases(dossiers, catalog):
        page = overdue_dossiers(filters, limit=100)
        expected = expected_overdue(filters)
        assert page["total"] == len(expected)
        assert [(item["due_date"], item["dossier_id"]) for item in page["items"]] == expected
    page = overdue_dossiers(Filters())
    assert page["total"] == 5   # the paused one and the one due today are not overdue
    first = page["items"][0]
    assert first["procedure_name"] and first["agency_name"] == "Ủy ban nhân dân Xã Hưng Điền"
    assert first["commune_name"] == "Xã Hưng Điền" and first["working_days_overdue"] > 0


def test_overdue_pages_follow_each_other(dossiers):
    expected = expected_overdue(Filters())
    seen, cursor = [], None
    while True:
        page = overdue_dossiers(Filters(), cursor=cursor, limit=2)
        seen += [(item["due_date"], item["dossier_id"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_rebuild_recounts_counters_and_open_dossiers(dossiers):
    def snapshot():
        counters = {(c.metric, c.grain, c.commune_code, c.agency_id, c.procedure_code, c.day, c.status, c.bucket): c.value
                    for c in db.session.scalars(select(Counter).where(Counter.metric.like("dossiers.%"),
                                                                      Counter.value != 0))}
        open_ids = set(db.session.scalars(select(OpenDossier.dossier_id)))
        return counters, open_ids

    live = snapshot()
    db.session.execute(Counter.__table__.delete())
    db.session.execute(OpenDossier.__table__.delete())
    rebuild(DOSSIERS, db.session)
    assert snapshot() == live
    assert_figures_match(Filters())


def test_processing_time_from_a_histogram():
    assert processing_time({}) == {"count": 0, "average": None, "p90": None}
    assert processing_time({3: 1}) == {"count": 1, "average": 3.0, "p90": 3}
    # 10 values 1..10: the 9th is the 90th percentile by nearest rank
    assert processing_time({n: 1 for n in range(1, 11)}) == {"count": 10, "average": 5.5, "p90": 9}
    assert processing_time({0: 9, 20: 1})["p90"] == 0
    assert processing_time({0: 8, 20: 2})["p90"] == 20


def principal(account, role, agency_id=None, commune_code=None) -> Principal:
    return Principal(account_id=account.id, role=role, level=2, methods=("pwd", "otp"), session_id=uuid.uuid4(),
                     agency_id=agency_id, commune_code=commune_code)


def test_the_real_workflow_moves_the_figures(catalog):  # noqa: F811
    """Submit, receive, supplement, decide through `fire`, watching each figure follow."""
    hung_dien = agency(f"UBND-{HUNG_DIEN}")
    owner = AccountFactory(level=2)
    officer = AccountFactory(role=roles.OFFICER, agency_id=hung_dien.id, commune_code=HUNG_DIEN)
    approver = AccountFactory(role=roles.APPROVER, agency_id=hung_dien.id, commune_code=HUNG_DIEN)
    citizen = principal(owner, roles.CITIZEN)
    clerk = principal(officer, roles.OFFICER, hung_dien.id, HUNG_DIEN)
    boss = principal(approver, roles.APPROVER, hung_dien.id, HUNG_DIEN)
    dossier = make_dossier(catalog["1.004873"], hung_dien, owner, states.DRAFT)   # 3 working days
    monday = at(date(2026, 3, 2), 9)

    def step(days, action, who, **kwargs):
        with time_machine.travel(monday + timedelta(days=days), tick=False):
            fire(dossier, action, who, **kwargs)
            if action == "assign":
                dossier.assigned_officer_id = officer.id
            db.session.commit()
            return dossier_figures(Filters()), overdue_dossiers(Filters())

    figures, overdue = step(0, "submit", citizen)
    assert {r["status"]: r["count"] for r in figures["statuses"] if r["count"]} == {"submitted": 1}
    figures, _ = step(0, "receive", clerk)
    assert dossier.due_date.isoformat() == "2026-03-05"
    step(1, "assign", clerk)
    step(1, "request_supplement", clerk, reason="Thiếu giấy tờ", reason_code="missing_document")
    assert db.session.scalar(select(OpenDossier).where(OpenDossier.dossier_id == dossier.id)) is None
    # the citizen takes a week: nothing is overdue while the clock is stopped
    with time_machine.travel(monday + timedelta(days=8), tick=False):
        assert overdue_dossiers(Filters())["total"] == 0
    first_due = dossier.due_date
    step(8, "resubmit", citizen)   # Tue 10 Mar: the pause moves the due date
    assert dossier.paused_days > 0 and dossier.due_date > first_due
    step(9, "propose", clerk)
    with time_machine.travel(at(dossier.due_date + timedelta(days=1)), tick=False):
        assert [item["dossier_id"] for item in overdue_dossiers(Filters())["items"]] == [dossier.id]
    step(14, "approve", boss)
    figures, overdue = step(15, "issue_result", boss)   # Tue 17 Mar, after the due date
    assert overdue["total"] == 0
    assert {r["status"]: r["count"] for r in figures["statuses"] if r["count"]} == {"result_issued": 1}
    assert figures["timeliness"] == {"resolved": 1, "on_time": 0, "late": 1, "on_time_share": 0.0}
    # received Mon 2, decided Tue 17: 11 working days, less those waiting for the citizen
    days = 11 - dossier.paused_days
    assert figures["processing_days"] == {"count": 1, "average": float(days), "p90": days}
    with time_machine.travel(monday + timedelta(days=15), tick=False):
        assert_figures_match(Filters())
