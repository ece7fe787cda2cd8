"""Deadlines in working days across Tết; escalation once per level to the agency's leaders and the IOC."""
from datetime import date, datetime

import time_machine

from app.common.clock import VIETNAM
from app.common.jobs import load_scheduled_modules, periodic_jobs
from app.reports.jobs import escalate_overdue, escalation_level
from tests.dossiers_fixtures import outbox
from tests.reports_fixtures import file, report, reports_world, storage  # noqa: F401


def at(day: date, hour=9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM), tick=False)


def test_jobs_are_registered_with_the_worker():
    assert "app.reports.scheduled" in load_scheduled_modules()
    names = {job.name for job in periodic_jobs()}
    assert {"reports.escalate_overdue", "reports.close_unrated"} <= names


def test_escalation_levels():
    assert [escalation_level(days, (1, 3)) for days in (0, 1, 2, 3, 9)] == [0, 1, 1, 2, 2]


def test_due_date_skips_tet(client, reports_world):
    with at(date(2027, 2, 3)):       # Wednesday before Tết Đinh Mùi (holidays 4 to 10 February 2027)
        report_id = file(client, reports_world.h("citizen")).get_json()["report"]["id"]
    assert report(report_id).due_date == date(2027, 2, 15)     # street lighting: 3 working days


def test_escalation_once_per_level(client, reports_world):
    w = reports_world
    with at(date(2027, 1, 27)):
        report_id = file(client, w.h("citizen")).get_json()["report"]["id"]
    assert report(report_id).due_date == date(2027, 2, 1)
    with at(date(2027, 2, 1), 16):
        assert escalate_overdue() == 0                          # due today: not late yet
    with at(date(2027, 2, 2)):
        assert escalate_overdue() == 1
        assert escalate_overdue() == 0                          # once per level
    late = report(report_id)
    assert late.escalation_level == 1 and late.ioc_flag is True
    assert [m.params["level"] for m in outbox(w.leader, "report_escalated")] == [1]
    assert outbox(w.officer, "report_escalated") == []          # the leader, not every officer
    for day in (date(2027, 2, 3), date(2027, 2, 10)):
        with at(day):
            assert escalate_overdue() == 0                      # 2 working days late; 4 to 10 Feb are Tết
    with at(date(2027, 2, 11)):
        assert escalate_overdue() == 1                          # 2, 3 and 11 Feb: 3 working days, level 2
        assert escalate_overdue() == 0
    assert [m.params["level"] for m in outbox(w.leader, "report_escalated")] == [1, 2]
    assert report(report_id).escalation_level == 2
