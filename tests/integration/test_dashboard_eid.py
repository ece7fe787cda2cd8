"""e-ID figures: counters kept by the flush hook equal counts taken straight from the tables."""
from datetime import date, timedelta

from sqlalchemy import select

from app.dashboard import tracking
from app.dashboard.counters import Filters
from app.dashboard.models import Counter
from app.dashboard.projections import ACCOUNTS
from app.dashboard.registry_figures import refresh_registry_figures
from app.dashboard.service import eid_figures
from app.extensions import db
from app.identity.models import ACTIVE, DISABLED
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, account_on, build_population, citizen, expected_adults, expected_eid,
    leader_headers, share,
)


def assert_matches_tables(figures, start=None, end=None, commune=None):
    adults = expected_adults()
    expected = expected_eid(start, end)
    rows = {row["commune_code"]: row for row in figures["communes"]}
    codes = {commune} if commune else set(adults) | {c for counts in expected.values() for c in counts if c}
    assert set(rows) == codes
    for code in codes:
        row = rows[code]
        assert row["adults"] == adults[code]
        for name in ("registered", "activated", "level2"):
            assert row[name] == expected[name][code], (code, name)
            assert row[f"{name}_share"] == share(expected[name][code], adults[code])
    totals = figures["totals"]
    assert totals["adults"] == (adults[commune] if commune else sum(adults.values()))
    for name in ("registered", "activated", "level2"):
        want = expected[name][commune] if commune else sum(expected[name].values())
        assert totals[name] == want
        assert totals[f"{name}_share"] == share(want, totals["adults"])


def test_figures_equal_the_tables_per_commune_and_in_total():
    build_population()
    leader_headers()  # staff accounts are not e-ID accounts
    refresh_registry_figures()
    figures = eid_figures(Filters())
    assert_matches_tables(figures)
    # hand-checked: adults 14+ alive; the dead, the child and the one not yet 14 left out
    assert figures["totals"]["registered"] == 7
    assert figures["totals"]["activated"] == 4
    assert figures["totals"]["level2"] == 2


def test_filters_by_commune_and_period():
    data = build_population()
    refresh_registry_figures()
    for commune in (HUNG_DIEN, TAN_NINH):
        assert_matches_tables(eid_figures(Filters(commune_code=commune)), commune=commune)
    today, earlier = data["today"], data["earlier"]
    for start, end in ((today, today), (earlier, earlier), (earlier + timedelta(days=1), None),
                       (None, earlier), (today + timedelta(days=1), None)):
        assert_matches_tables(eid_figures(Filters(start=start, end=end)), start, end)
    assert eid_figures(Filters(start=today, end=today))["totals"]["registered"] == 4


def test_every_change_of_an_account_moves_the_counters():
    person = citizen(HUNG_DIEN)
    day = date(2026, 3, 2)
    account = account_on(day, person, status="pending_phone", activated_at=None)
    refresh_registry_figures()
    db.session.commit()
    assert_matches_tables(eid_figures(Filters()))
    account.status = ACTIVE
    db.session.commit()
    assert eid_figures(Filters())["totals"]["activated"] == 1
    account.level = 2
    db.session.commit()
    assert_matches_tables(eid_figures(Filters()))
    assert eid_figures(Filters(start=day, end=day))["totals"]["level2"] == 1
    # an attribute changed on an expired instance still knows its old value
    db.session.expire(account)
    account.status = DISABLED
    db.session.commit()
    figures = eid_figures(Filters())
    assert (figures["totals"]["activated"], figures["totals"]["level2"]) == (0, 0)
    assert_matches_tables(figures)
    db.session.delete(account)
    db.session.commit()
    assert eid_figures(Filters())["totals"]["registered"] == 0


def test_a_rolled_back_savepoint_takes_its_counts_with_it():
    person = citizen(HUNG_DIEN)
    savepoint = db.session.begin_nested()
    account_on(date(2026, 1, 5), person)
    savepoint.rollback()
    assert eid_figures(Filters())["totals"]["registered"] == 0


def test_rebuild_recounts_what_the_hook_counted():
    build_population()
    refresh_registry_figures()

    def counters():
        return {(c.metric, c.grain, c.commune_code, c.day): c.value for c in db.session.scalars(
            select(Counter).where(Counter.metric.like("eid.%"), Counter.value != 0))}

    live = counters()
    db.session.execute(Counter.__table__.delete())
    assert eid_figures(Filters())["totals"]["registered"] == 0
    tracking.rebuild(ACCOUNTS, db.session)
    assert counters() == live
    assert_matches_tables(eid_figures(Filters()))
