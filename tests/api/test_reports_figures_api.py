"""IOC figures of reports: counts per category, status, commune, agency; on time; working days; CSV."""
import csv
import io
from datetime import date, datetime, timedelta

from app.common.clock import VIETNAM, local_today
from app.common.workdays import add_working_days
from app.extensions import db
from app.reports.figures import _percentile
from app.reports.models import Report
from tests.factories import COMMUNE
from tests.reports_fixtures import OTHER_COMMUNE, agency, category, reports_world, storage  # noqa: F401


def make(w, code="street_lighting", *, status="assigned", filed: date, due: date | None = None,
         resolved: date | None = None, rating=None, reopened=0, commune=COMMUNE):
    cat = category(code)
    report = Report(category_id=cat.id, reporter_account_id=w.citizen.id, description="Thử", latitude=11.0,
                    longitude=106.2, commune_code=commune, status=status, agency_id=agency(f"UBND-{commune}").id,
                    filed_on=filed, due_date=due or add_working_days(filed, cat.deadline_days), rating=rating,
                    reopen_count=reopened,
                    resolved_at=datetime(resolved.year, resolved.month, resolved.day, 10, tzinfo=VIETNAM)
                    if resolved else None)
    db.session.add(report)
    db.session.flush()
    return report


def test_percentile_nearest_rank():
    assert _percentile([], 0.5) is None
    assert _percentile([1, 2, 3, 4], 0.5) == 2.0 and _percentile(list(range(1, 11)), 0.9) == 9.0


def test_figures_for_a_period(client, reports_world):
    w = reports_world
    monday = date(2026, 11, 2)
    make(w, status="closed", filed=monday, resolved=date(2026, 11, 4), rating=5)        # 2 days, on time
    make(w, status="closed", filed=monday, resolved=date(2026, 11, 10), rating=2, reopened=1)  # 6 days, late
    make(w, "trees_parks", status="in_progress", filed=date(2026, 11, 3), commune=OTHER_COMMUNE)
    make(w, "trees_parks", status="refused", filed=date(2026, 11, 5))
    make(w, status="assigned", filed=date(2026, 10, 1))                                 # outside the period
    body = client.get("/api/v1/reports/figures?since=2026-11-01&until=2026-11-30",
                      headers=w.h("dispatcher")).get_json()
    assert body["total"] == 4 and body["open"] == 1
    assert {s["status"]: s["count"] for s in body["by_status"]}["closed"] == 2
    assert [(c["code"], c["count"]) for c in body["by_category"]] == [("street_lighting", 2), ("trees_parks", 2)]
    assert {c["commune_code"]: c["count"] for c in body["by_commune"]} == {COMMUNE: 3, OTHER_COMMUNE: 1}
    assert sum(a["count"] for a in body["by_agency"]) == 4
    assert body["timeliness"] == {"resolved": 2, "on_time": 1, "late": 1, "on_time_rate": 0.5}
    assert body["resolution_working_days"] == {"median": 2.0, "p90": 6.0}
    assert body["satisfaction"] == {"ratings": 2, "average": 3.5, "satisfied_rate": 0.5}
    assert body["reopen_rate"] == 0.5


def test_overdue_list_csv_and_map(client, reports_world):
    w = reports_world
    today = local_today()
    late = make(w, filed=today - timedelta(days=30), due=today - timedelta(days=10))
    make(w, filed=today, due=today + timedelta(days=3))
    make(w, status="resolved", filed=today - timedelta(days=30), due=today - timedelta(days=10), resolved=today)
    [row] = client.get("/api/v1/reports/figures/overdue", headers=w.h("dispatcher")).get_json()
    assert row["report_id"] == str(late.id) and row["working_days_overdue"] > 0
    export = client.get("/api/v1/reports/figures/exports/reports-overdue.csv", headers=w.h("dispatcher"))
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["report_id"] for r in rows] == [str(late.id)]
    categories = client.get(f"/api/v1/reports/figures/exports/reports-categories.csv?since={today - timedelta(days=40)}",
                            headers=w.h("dispatcher")).get_data(as_text=True)
    assert "street_lighting" in categories
    assert client.get("/api/v1/reports/figures/exports/nope.csv", headers=w.h("dispatcher")).status_code == 404
    layer = client.get(f"/api/v1/reports/figures/map?since={today - timedelta(days=40)}",
                       headers=w.h("dispatcher")).get_json()
    assert len(layer["points"]) == 3 and len(layer["bbox"]) == 4 and layer["outline"]


def test_figures_are_for_the_ioc_only(client, reports_world):
    w = reports_world
    for who in ("citizen", "officer"):
        assert client.get("/api/v1/reports/figures", headers=w.h(who)).status_code == 403
    assert client.get("/api/v1/reports/figures", headers=w.h("admin")).status_code == 200
