"""Registry data quality and adult population: the snapshot equals checks spelled out in the test."""
import time_machine
from sqlalchemy import select

from app.dashboard.counters import Filters
from app.dashboard.models import RegistryFigure
from app.dashboard.registry_figures import CHECKS, refresh_registry_figures
from app.dashboard.service import registry_quality
from app.extensions import db
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, build_population, expected_adults, expected_quality, share,
)


def assert_row(row, counts):
    records = counts["records"]
    assert row["records"] == records
    for name in ("with_issues", "missing", "inconsistent"):
        assert row[name] == counts[name], name
        assert row[f"{name}_share"] == share(counts[name], records)
    assert row["clean_share"] == share(records - counts["with_issues"], records)


def test_quality_equals_checks_done_by_hand():
    build_population()
    assert refresh_registry_figures() == 15
    figures = registry_quality(Filters())
    expected = expected_quality()
    assert {row["commune_code"] for row in figures["communes"]} == {HUNG_DIEN, TAN_NINH}
    for row in figures["communes"]:
        assert_row(row, expected[row["commune_code"]])
        assert row["commune_name"] in ("Xã Hưng Điền", "Phường Tân Ninh")
    totals = sum(expected.values(), start=type(expected[HUNG_DIEN])())
    assert_row(figures["totals"], totals)
    checks = {c["check"]: c for c in figures["checks"]}
    assert list(checks) == list(CHECKS)
    for name, check in checks.items():
        assert check["count"] == totals[name], name
        assert check["share"] == share(totals[name], totals["records"])
    # hand-checked against build_population()
    assert checks["missing.ethnicity"]["count"] == 2
    assert checks["missing.religion"]["count"] == 1
    assert checks["inconsistent.personal_id.gender"]["count"] == 1
    assert checks["inconsistent.personal_id.year"]["count"] == 1
    assert checks["inconsistent.death"]["count"] == 1
    assert checks["inconsistent.birth_province"]["count"] == 1
    assert figures["totals"]["with_issues"] == 6
    assert figures["refreshed_at"] is not None


def test_filter_by_commune():
    build_population()
    refresh_registry_figures()
    expected = expected_quality()
    figures = registry_quality(Filters(commune_code=TAN_NINH))
    assert [row["commune_code"] for row in figures["communes"]] == [TAN_NINH]
    assert_row(figures["totals"], expected[TAN_NINH])
    empty = registry_quality(Filters(commune_code="99999"))
    assert empty["communes"] == [] and empty["totals"]["records"] == 0
    assert empty["totals"]["with_issues_share"] is None


def test_adults_are_living_citizens_aged_14_or_more_today():
    build_population()
    refresh_registry_figures()
    stored = dict(db.session.execute(select(RegistryFigure.commune_code, RegistryFigure.value)
                                     .where(RegistryFigure.name == "adults")).all())
    assert stored == dict(expected_adults())
    assert stored == {HUNG_DIEN: 5, TAN_NINH: 6}


def test_refresh_replaces_the_previous_snapshot():
    build_population()
    refresh_registry_figures()
    with time_machine.travel("2100-01-01T00:00:00+00:00", tick=False):
        refresh_registry_figures()
        adults = dict(db.session.execute(select(RegistryFigure.commune_code, RegistryFigure.value)
                                         .where(RegistryFigure.name == "adults")).all())
        figures = registry_quality(Filters())
    # by 2100 the child and the one not yet 14 are adults too; one row per figure, no duplicates
    assert adults == {HUNG_DIEN: 6, TAN_NINH: 7}
    assert {r.refreshed_at.year for r in db.session.scalars(select(RegistryFigure))} == {2100}
    assert figures["totals"]["records"] == 15


def test_nothing_refreshed_yet():
    figures = registry_quality(Filters())
    assert figures["refreshed_at"] is None and figures["communes"] == []
    assert figures["totals"]["records"] == 0
