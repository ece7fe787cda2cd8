"""e-ID figures: counters kept from identity's events (and rebuilt from its replay) equal counts from the tables."""
from datetime import date, timedelta

from sqlalchemy import select

from app.dashboard.counters import Filters
from app.dashboard.models import Counter
from app.dashboard.rebuild import ACCOUNTS, rebuild
from app.dashboard.registry_figures import refresh_registry_figures
from app.dashboard.service import eid_figures
from app.extensions import db
from app.identity import account_events
from app.identity.events import ACCOUNT_ACTIVATED, ACCOUNT_DISABLED, ACCOUNT_ENABLED, ACCOUNT_LEVEL_CHANGED
from app.identity.models import ACTIVE, DISABLED, PENDING_PASSWORD
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
    """Identity publishes each change (registered, activated, level 2, disabled, enabled); the counters follow."""
    person = citizen(HUNG_DIEN)
    day = date(2026, 3, 2)
    account = account_on(day, person, status="pending_phone", activated_at=None)
    account_events.registered(account)
    refresh_registry_figures()
    db.session.commit()
    assert_matches_tables(eid_figures(Filters()))
    assert eid_figures(Filters())["totals"]["registered"] == 1
    account.status, account.activated_at = ACTIVE, account.created_at
    account_events.publish(ACCOUNT_ACTIVATED, account, previous_status=PENDING_PASSWORD, previous_level=1)
    db.session.commit()
    assert eid_figures(Filters())["totals"]["activated"] == 1
    account.level = 2
    account_events.publish(ACCOUNT_LEVEL_CHANGED, account, previous_status=ACTIVE, previous_level=1)
    db.session.commit()
    assert_matches_tables(eid_figures(Filters()))
    assert eid_figures(Filters(start=day, end=day))["totals"]["level2"] == 1
    account.status = DISABLED
    account_events.publish(ACCOUNT_DISABLED, account, previous_status=ACTIVE, previous_level=2)
    db.session.commit()
    figures = eid_figures(Filters())
    assert (figures["totals"]["activated"], figures["totals"]["level2"]) == (0, 0)
    assert_matches_tables(figures)
    account.status = ACTIVE
    account_events.publish(ACCOUNT_ENABLED, account, previous_status=DISABLED, previous_level=2)
    db.session.commit()
    assert (eid_figures(Filters())["totals"]["activated"], eid_figures(Filters())["totals"]["level2"]) == (1, 1)
    assert_matches_tables(eid_figures(Filters()))


def test_a_rolled_back_savepoint_takes_its_counts_with_it():
    person = citizen(HUNG_DIEN)
    savepoint = db.session.begin_nested()
    account_events.registered(account_on(date(2026, 1, 5), person))
    savepoint.rollback()
    assert eid_figures(Filters())["totals"]["registered"] == 0


def test_rebuild_recounts_what_the_events_counted():
    build_population()
    refresh_registry_figures()

    def counters():
        return {(c.metric, c.grain, c.commune_code, c.day): c.value for c in db.session.scalars(
            select(Counter).where(Counter.metric.like("eid.%"), Counter.value != 0))}

    live = counters()
    db.session.execute(Counter.__table__.delete())
    assert eid_figures(Filters())["totals"]["registered"] == 0
    rebuild(ACCOUNTS, db.session)
    assert counters() == live
    assert_matches_tables(eid_figures(Filters()))
