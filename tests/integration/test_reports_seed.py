"""The synthetic reports of the demo: a few hundred over 90 days, every state, every category, inside the province."""
from collections import Counter

from sqlalchemy import select

from app.common.clock import local_today
from app.extensions import db
from app.reports import geo, states
from app.reports.models import Report
from app.reports.seed import seed_synthetic_reports
from tests.reports_fixtures import reports_world, storage  # noqa: F401


def test_synthetic_reports(client, reports_world):
    assert seed_synthetic_reports("80", 300) == 300
    assert seed_synthetic_reports("80", 300) == 0                    # idempotent
    reports = list(db.session.scalars(select(Report)))
    assert len(reports) == 300
    assert set(Counter(r.status for r in reports)) == set(states.STATES)
    assert len({r.category_id for r in reports}) == 9
    assert len({r.commune_code for r in reports}) > 50
    assert all(geo.inside_province("80", r.latitude, r.longitude) for r in reports)
    ages = [(local_today() - r.filed_on).days for r in reports]
    assert min(ages) >= 0 and max(ages) <= 89 and max(ages) > 60
    for r in reports:
        if r.resolved_at is not None:
            assert r.resolved_at >= r.created_at
        if r.status == states.MERGED and r.merged_into_id:
            assert db.session.get(Report, r.merged_into_id).category_id == r.category_id
    figures = client.get("/api/v1/reports/figures?since=2000-01-01", headers=reports_world.h("dispatcher")).get_json()
    assert figures["total"] == 300 and figures["timeliness"]["resolved"] > 50
    assert 0 < figures["timeliness"]["on_time_rate"] < 1
    feed = client.get("/api/v1/reports/feed?limit=100").get_json()
    assert len(feed["features"]) == 100 and feed["next_cursor"]
