"""Query budgets of the reports' busiest requests: SQL statements and commits per request.

The budgets hold whatever the number of rows: a page of 20 costs the same
whether the table holds 30 reports or 30,000 (no query per row).
"""
import pytest

from app.reports.seed import seed_synthetic_reports
from tests.query_budget import counted
from tests.reports_fixtures import file, jpeg, reports_world, storage  # noqa: F401


@pytest.fixture
def busy(reports_world):
    seed_synthetic_reports("80", 120)
    return reports_world


def measure(call):
    with counted() as count:
        response = call()
    assert response.status_code in (200, 201), response.get_json()
    return count


def test_filing_budget(client, busy):
    headers = busy.h("citizen")
    count = measure(lambda: file(client, headers, photos=[jpeg()], extra_headers={"Idempotency-Key": "budget-1"}))
    print("filing", count.statements, count.commits)
    assert count.commits <= 3   # the idempotency key's row, the report with everything, the stored answer
    assert count.statements <= 24


def test_public_feed_budget(client, busy):
    first = measure(lambda: client.get("/api/v1/reports/feed?limit=20"))
    filtered = measure(lambda: client.get("/api/v1/reports/feed?limit=50&category=street_lighting&status=closed"))
    print("feed", first.statements, filtered.statements)
    assert first.commits == filtered.commits == 0
    assert first.statements <= 3 and filtered.statements <= 3


def test_officer_inbox_budget(client, busy):
    headers = busy.h("dispatcher")
    small = measure(lambda: client.get("/api/v1/reports/inbox?limit=5", headers=headers))
    large = measure(lambda: client.get("/api/v1/reports/inbox?limit=50", headers=headers))
    officer = measure(lambda: client.get("/api/v1/reports/inbox?limit=20", headers=busy.h("officer")))
    print("inbox", small.statements, large.statements, officer.statements)
    assert small.statements == large.statements            # not one query per row
    assert large.statements <= 4 and officer.statements <= 4 and large.commits == 0


def test_detail_budget(client, busy):
    report_id = client.get("/api/v1/reports/feed?limit=1").get_json()["features"][0]["id"]
    public = measure(lambda: client.get(f"/api/v1/reports/{report_id}"))
    print("detail", public.statements)
    assert public.statements <= 4 and public.commits == 0
