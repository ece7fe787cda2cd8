"""The Decision 766 index on a hand-built data set with known answers, its drill-downs, scope, budget."""
import csv
import io
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import event

from app.common.clock import VIETNAM
from app.extensions import db
from app.quality import tracking
from app.quality.models import QualityDossier
from app.quality.settings import build
from tests.dossiers_fixtures import (  # noqa: F401
    COMMUNE, agency, catalog, citizen_account, roles, staff, storage,
)
from tests.factories import AccountFactory, bearer
from tests.quality_fixtures import handled

NOVEMBER = {"from": "2026-11", "to": "2026-11"}


@pytest.fixture
def data(catalog):
    """Five dossiers handled in November 2026 by the commune's People's Committee, one elsewhere.

    | dossier | channel | end      | due / finished | supplements | fee, paid online | prefill / reused / digitised | other |
    | d1      | online  | result   | on time        | 0           | none             | registry / - / yes           |       |
    | d2      | online  | result   | late           | 0           | 50 000, online   | - / documents / yes          |       |
    | d3      | desk    | rejected | on time        | 0           | 50 000, at desk  | - / - / no                   |       |
    | d4      | online  | result   | on time        | 2 (late)    | none             | registry / - / yes           |       |
    | d5      | desk    | result   | on time        | 1           | 20 000, online   | - / - / yes                  | a dislike |
    """
    procedure, citizen = catalog["1.001193"], citizen_account()
    home, police = agency(f"UBND-{COMMUNE}"), agency("CA-80")
    ids = {
        "d1": handled(procedure, citizen, home, COMMUNE, prefill=True),
        "d2": handled(procedure, citizen, home, COMMUNE, finished="2026-11-09", fee=50_000, paid_online=True,
                      reused=True),
        "d3": handled(procedure, citizen, home, COMMUNE, channel="desk", status="rejected", fee=50_000,
                      digitised=False),
        "d4": handled(procedure, citizen, home, COMMUNE, supplements=2, paused=1, prefill=True),
        "d5": handled(procedure, citizen, home, COMMUNE, channel="desk", supplements=1, fee=20_000,
                      paid_online=True),
        "elsewhere": handled(catalog["2.000488"], citizen, police, None, finished="2026-11-20", due="2026-11-30"),
        "december": handled(procedure, citizen, home, COMMUNE, received="2026-12-01", finished="2026-12-02",
                            due="2026-12-03"),
    }
    tracking.mark_unhappy(db.session.get(QualityDossier, ids["d5"]))
    db.session.flush()
    return {"ids": {k: str(v) for k, v in ids.items()}, "home": home, "police": police}


def _index(client, headers, **query):
    response = client.get("/api/v1/quality/index", query_string={**NOVEMBER, **query}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {row["code"]: row for row in response.get_json()["indicators"]}, response.get_json()


def test_each_indicator_of_the_agency_has_its_known_value(client, data):
    leader = bearer(AccountFactory(role=roles.LEADER))
    rows, body = _index(client, leader, scope="agency", scope_id=str(data["home"].id))
    values = {code: (row["numerator"], row["denominator"], row["value"]) for code, row in rows.items()}
    assert values == {
        "on_time": (3, 5, 60.0),                       # d2 late, d4 a second supplement
        "handling_time": (16, 5, 3.2),                 # 3 working days each, d2 5, d4 minus one paused day
        "online": (3, 5, 60.0),                        # d1, d2, d4
        "online_payment_procedures": (1, 1, 100.0),    # the birth registration had dossiers paid online
        "online_payment_dossiers": (2, 3, 66.67),      # d2, d5 of d2, d3, d5
        "electronic_results": (4, 4, 100.0),
        "digitised": (4, 5, 80.0),                     # all but d3
        "reuse": (3, 5, 60.0),                         # d1, d2, d4
        "population_db": (2, 5, 40.0),                 # d1, d4
        "complaints_on_time": (0, 0, None),
        "satisfaction": (2, 5, 40.0),                  # 100% − 40% late − 20% with a dislike
    }
    assert rows["on_time"]["points"] == 12.0 and rows["on_time"]["max_points"] == 20.0
    # linear on the configured maxima, and the answer says it is not the annex's scale
    assert rows["satisfaction"]["points"] == 2.4 and rows["satisfaction"]["max_points"] == 6.0
    assert body["max_total_points"] == 76.0 and "QUALITY_INDEX_WEIGHTS" in body["points_basis"]
    assert rows["complaints_on_time"]["points"] is None and rows["handling_time"]["points"] is None
    assert "766/QĐ-TTg" in rows["on_time"]["source"]
    assert {item["code"] for item in body["not_held"]} >= {"publicity", "full_online_procedures"}


def test_a_target_share_earns_the_full_points_and_proportionally_below(client, data, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "quality_settings",
                        build({"QUALITY_INDEX_TARGETS": {"on_time": 50, "digitised": 90}}))
    leader = bearer(AccountFactory(role=roles.LEADER))
    rows, body = _index(client, leader, scope="agency", scope_id=str(data["home"].id))
    assert rows["on_time"]["value"] == 60.0 and rows["on_time"]["points"] == 20.0        # at or above 50 %: all
    assert rows["digitised"]["value"] == 80.0 and rows["digitised"]["points"] == 5.33    # 80 / 90 of 6
    assert rows["satisfaction"]["points"] == 2.4                                         # no target: linear
    assert "QUALITY_INDEX_TARGETS" in body["points_basis"]


def test_the_province_commune_and_procedure_scopes(client, data):
    leader = bearer(AccountFactory(role=roles.LEADER))
    rows, _ = _index(client, leader)
    assert (rows["on_time"]["numerator"], rows["on_time"]["denominator"]) == (4, 6)
    rows, _ = _index(client, leader, scope="commune", scope_id=COMMUNE)
    assert rows["on_time"]["denominator"] == 5
    rows, _ = _index(client, leader, scope="procedure", scope_id="2.000488")
    assert (rows["on_time"]["value"], rows["online_payment_procedures"]["denominator"]) == (100.0, 0)
    rows, _ = _index(client, leader, **{"from": "2026-11", "to": "2026-12"})
    assert rows["on_time"]["denominator"] == 7
    missing = client.get("/api/v1/quality/index", query_string={"scope": "agency"}, headers=leader)
    assert missing.status_code == 422 and missing.get_json()["code"] == "scope_id_required"
    backwards = client.get("/api/v1/quality/index", query_string={"from": "2026-12", "to": "2026-01"},
                           headers=leader)
    assert backwards.status_code == 422 and backwards.get_json()["code"] == "period_not_valid"


@pytest.mark.parametrize("code,expected", [
    ("on_time", {"d2", "d4"}), ("satisfaction", {"d2", "d4", "d5"}), ("online", {"d3", "d5"}),
    ("online_payment_dossiers", {"d3"}), ("electronic_results", set()), ("digitised", {"d3"}),
    ("reuse", {"d3", "d5"}), ("population_db", {"d2", "d3", "d5"}),
])
def test_the_drill_down_lists_exactly_the_dossiers_that_cost_points(client, data, code, expected):
    officer = bearer(staff(roles.OFFICER))
    names = {v: k for k, v in data["ids"].items()}
    seen, cursor = [], None
    while True:
        query = {**NOVEMBER, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/quality/index/{code}/dossiers", query_string=query, headers=officer).get_json()
        seen += [names[item["id"]] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(expected)    # each once, pages of one
    exported = client.get(f"/api/v1/quality/index/{code}/dossiers.csv", query_string=NOVEMBER, headers=officer)
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert len(rows) == len(expected)


def test_why_a_dossier_cost_points(client, data):
    officer = bearer(staff(roles.OFFICER))
    items = client.get("/api/v1/quality/index/on_time/dossiers", query_string=NOVEMBER,
                       headers=officer).get_json()["items"]
    assert {item["id"]: item["why"] for item in items} == {data["ids"]["d2"]: ["late"],
                                                           data["ids"]["d4"]: ["second_supplement"]}


def test_officers_see_their_agency_only(client, data):
    officer = bearer(staff(roles.OFFICER))
    rows, body = _index(client, officer)
    assert body["scope"] == "agency" and body["scope_id"] == str(data["home"].id)
    assert rows["on_time"]["denominator"] == 5
    for query in ({"scope": "province"}, {"scope": "agency", "scope_id": str(data["police"].id)},
                  {"scope": "commune", "scope_id": COMMUNE}):
        response = client.get("/api/v1/quality/index", query_string={**NOVEMBER, **query}, headers=officer)
        assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    police_officer = bearer(staff(roles.OFFICER, agency_code="CA-80", commune_code=None))
    items = client.get("/api/v1/quality/index/on_time/dossiers", query_string=NOVEMBER,
                       headers=police_officer).get_json()["items"]
    assert items == []
    citizen = client.get("/api/v1/quality/index", headers=bearer(citizen_account()))
    assert citizen.status_code == 403


def test_early_warning_projects_the_month(client, data):
    leader = bearer(AccountFactory(role=roles.LEADER))
    with time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=VIETNAM), tick=False):
        leader = bearer(AccountFactory(role=roles.LEADER))
        body = client.get("/api/v1/quality/early-warning", headers=leader).get_json()
    assert body["month"] == "2026-11" and body["handled"] == 6 and body["late"] == 2
    assert body["on_time_rate_so_far"] == 66.67
    assert body["open_due_this_month"] == 0 and body["projected_on_time_rate"] == 66.67


class _Budget:
    """Counts SQL statements and commits on the app's engine."""

    def __init__(self):
        self.statements = self.commits = 0

    def statement(self, *args, **kwargs):
        self.statements += 1

    def commit(self, *args, **kwargs):
        self.commits += 1

    def measure(self, call):
        self.statements = self.commits = 0
        event.listen(db.engine, "before_cursor_execute", self.statement)
        event.listen(db.engine, "commit", self.commit)
        try:
            response = call()
        finally:
            event.remove(db.engine, "before_cursor_execute", self.statement)
            event.remove(db.engine, "commit", self.commit)
        assert response.status_code == 200, response.get_json()
        return self.statements, self.commits


@pytest.mark.parametrize("path,budget", [
    ("/api/v1/quality/index", 6), ("/api/v1/quality/index/on_time/dossiers", 5),
    ("/api/v1/quality/early-warning", 6), ("/api/v1/quality/stalled", 5), ("/api/v1/quality/soon-late", 5),
    ("/api/v1/quality/ratings/summary", 5), ("/api/v1/quality/complaints/summary", 7),
])
def test_figures_cost_a_fixed_number_of_statements_whatever_the_dossiers(client, data, catalog, path, budget):
    """Roll-ups and indexed pages: more dossiers do not mean more statements."""
    leader = bearer(AccountFactory(role=roles.LEADER))
    call = lambda: client.get(path, query_string=NOVEMBER if "summary" in path or "index" in path else {},  # noqa: E731
                              headers=leader)
    call()   # warm: the session's first touch
    before = _Budget().measure(call)
    citizen = citizen_account()
    for _ in range(5):
        handled(catalog["1.001193"], citizen, data["home"], COMMUNE, finished="2026-11-10")
    after = _Budget().measure(call)
    assert before == after
    statements, commits = after
    assert statements <= budget and commits == 0


def test_the_drill_down_period_is_the_vietnam_months_of_handling(client, catalog):
    """A dossier handled at 23:30 on 30 November (Vietnam) is November's; one at 00:30 on 1 December, December's."""
    procedure, citizen, home = catalog["1.001193"], citizen_account(), agency(f"UBND-{COMMUNE}")
    late_night, past_midnight = (handled(procedure, citizen, home, COMMUNE, received="2026-11-02",
                                         finished=day, due="2026-11-06") for day in ("2026-11-30", "2026-12-01"))
    for dossier_id, moment in ((late_night, datetime(2026, 11, 30, 23, 30, tzinfo=VIETNAM)),
                               (past_midnight, datetime(2026, 12, 1, 0, 30, tzinfo=VIETNAM))):
        record = db.session.get(QualityDossier, dossier_id)
        record.completed_at, record.finished_month = moment, tracking.month_of(moment)
    db.session.flush()
    leader = bearer(AccountFactory(role=roles.LEADER))

    def listed(month):
        body = client.get("/api/v1/quality/index/on_time/dossiers", query_string={"from": month, "to": month},
                          headers=leader).get_json()
        return [item["id"] for item in body["items"]]

    assert listed("2026-11") == [str(late_night)]
    assert listed("2026-12") == [str(past_midnight)]
    assert client.get("/api/v1/quality/index/on_time/dossiers", query_string={"from": "2026-11", "to": "2026-12"},
                      headers=leader).get_json()["items"][0]["id"] == str(past_midnight)
