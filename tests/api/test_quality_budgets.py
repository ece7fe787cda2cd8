"""Statement budgets of the service-quality writes and of the drill-down, like tests/api/test_query_budgets.py.

Counts are exact (`bench/sqlcount.py`: statements including authentication,
savepoints, not BEGIN/COMMIT; top-level commits). Each write is measured on a
fresh target after an unmeasured one of the same kind (caches warm, as in a
running server). When a write gets cheaper, lower its budget here.
"""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.dossiers.models import Dossier
from app.extensions import db
from app.quality.models import QualityDossier
from bench.sqlcount import count_sql
from tests.dossiers_fixtures import (  # noqa: F401
    COMMUNE, Api, Desk, agency, birth_dossier, catalog, citizen_account, roles, storage,
)
from tests.factories import AccountFactory, bearer
from tests.quality_fixtures import finished_dossier, handled

# write: (SQL statements, commits)
BUDGETS = {
    # authentication 1, the projection row locked 1, "already rated?" 1, roll-ups 1, the rating 1
    "rate a dossier": (5, 1),
    # + routing (the dossier's record, or the procedure and its competent agency), the complaint and its
    # timeline entry, the citizen's notice (notifications: recipient, outbox row: 2)
    "file a complaint about a dossier": (8, 1),     # + roll-ups and the record marked unhappy
    "file a complaint about a procedure": (7, 1),
    # authentication, the complaint locked, its update, its timeline entry (+ the notice: 2)
    "accept": (6, 1),
    "refuse": (7, 1),                                # + roll-ups (it closes)
    "request_info": (6, 1),
    "provide_info": (4, 1),                          # no notice: the citizen acted
    "answer": (7, 1),                                # + roll-ups (it closes)
    # authentication, the dossier (dossiers), its timeline and new date (the dashboard's open row keeps
    # the legal due date: untouched), the projection's promised date, the officer's name, the letter, the notice (2)
    "issue an apology": (9, 1),
}


# On PostgreSQL a notice that goes out by SMS or push also wakes the delivery workers at commit
# (`NOTIFY notifications_outbox`, one statement of the notifications domain)
WAKES_WORKERS = {"refuse", "request_info", "answer", "issue an apology"}


def measured(write, send):
    with count_sql(db.engine) as counted:
        response = send()
    assert response.status_code in (200, 201), response.get_json()
    statements, commits = BUDGETS[write]
    if db.engine.dialect.name == "postgresql" and write in WAKES_WORKERS:
        statements += 1
    assert (counted.statements, counted.commits) == (statements, commits), f"{write}: {counted}"
    return response


def _rate(client, headers, dossier_id):
    return client.post(f"/api/v1/quality/dossiers/{dossier_id}/rating", headers=headers,
                       json={"verdict": "satisfied", "score": 5, "reasons": ["fast", "clear_guidance"]})


def _file(client, headers, **target):
    return client.post("/api/v1/quality/complaints", headers=headers,
                       json={"subject": "Hồ sơ chậm", "content": "Quá hạn chưa có kết quả.", **target})


def _act(client, headers, complaint_id, action, note=None):
    body = {"action": action} | ({"note": note} if note else {})
    return client.post(f"/api/v1/quality/complaints/{complaint_id}/transitions", json=body, headers=headers)


def test_rating_a_dossier(client, catalog):
    headers, desk = bearer(citizen_account()), Desk()
    warm, dossier_id = (finished_dossier(client, catalog, headers, desk) for _ in range(2))
    assert _rate(client, headers, warm).status_code == 201
    measured("rate a dossier", lambda: _rate(client, headers, dossier_id))


def test_filing_a_complaint(client, catalog):
    headers, desk = bearer(citizen_account()), Desk()
    warm, dossier_id = (finished_dossier(client, catalog, headers, desk) for _ in range(2))
    assert _file(client, headers, dossier_id=warm).status_code == 201
    measured("file a complaint about a dossier", lambda: _file(client, headers, dossier_id=dossier_id))
    procedure = {"procedure_code": "1.001193", "commune_code": COMMUNE}
    assert _file(client, headers, **procedure).status_code == 201
    measured("file a complaint about a procedure", lambda: _file(client, headers, **procedure))


def test_handling_a_complaint(client, catalog):
    citizen, desk = bearer(citizen_account()), Desk()
    officer = desk.processor_h
    target = {"procedure_code": "1.001193", "commune_code": COMMUNE}
    warm, first, second = (_file(client, citizen, **target).get_json()["id"] for _ in range(3))
    for action, note, who in (("request_info", "Xin bản chụp giấy hẹn", officer),
                              ("provide_info", "Đã gửi", citizen), ("answer", "Đã trả lời", officer)):
        assert _act(client, who, warm, action, note).status_code == 200
        measured(action, lambda: _act(client, who, first, action, note))
    assert _act(client, officer, second, "refuse", "Không thuộc thẩm quyền").status_code == 200
    third, fourth = (_file(client, citizen, **target).get_json()["id"] for _ in range(2))
    measured("refuse", lambda: _act(client, officer, third, "refuse", "Không thuộc thẩm quyền"))
    measured("accept", lambda: _act(client, officer, fourth, "accept"))


def test_issuing_an_apology(client, catalog):
    api, desk = Api(client), Desk()
    headers = bearer(citizen_account())
    warm, dossier_id = (birth_dossier(api, headers, catalog["1.001193"]) for _ in range(2))
    for one in (warm, dossier_id):
        desk.take_to(api, one, "in_processing")

    def apologise(one):
        body = {"new_date": (dues[one] + timedelta(days=7)).isoformat(), "reason": "Cần xác minh."}
        return client.post(f"/api/v1/quality/dossiers/{one}/apology", headers=desk.processor_h, json=body)

    dues = {one: db.session.get(Dossier, uuid.UUID(one)).due_date for one in (warm, dossier_id)}
    assert apologise(warm).status_code == 201
    measured("issue an apology", lambda: apologise(dossier_id))


# -- the drill-down: two statements a page (authentication, the page), whatever the period and scope ----

YEAR = {"from": "2025-12", "to": "2026-11"}


def _late_dossiers(catalog, count, due="2025-12-01"):
    citizen, home = citizen_account(), agency(f"UBND-{COMMUNE}")
    days = [f"2026-{month:02d}-{day:02d}" for month in (1, 4, 7, 11) for day in (3, 4, 5, 6, 9, 10)]
    return home, [handled(catalog["1.001193"], citizen, home, COMMUNE, received=days[n % len(days)],
                          finished=days[n % len(days)], due=due) for n in range(count)]


def _pages(client, headers, query):
    """Every page of the on-time drill-down, each measured: (ids in order, the pages' costs)."""
    ids, costs, cursor = [], set(), None
    while True:
        url = "/api/v1/quality/index/on_time/dossiers"
        with count_sql(db.engine) as counted:
            response = client.get(url, query_string={**query, "limit": 5} | ({"cursor": cursor} if cursor else {}),
                                  headers=headers)
        assert response.status_code == 200, response.get_json()
        costs.add((counted.statements, counted.commits))
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            return ids, costs


@pytest.mark.parametrize("scope", ["province", "agency", "commune", "procedure"])
def test_a_drill_down_page_costs_two_statements_whatever_the_dossiers(client, catalog, scope):
    leader = bearer(AccountFactory(role=roles.LEADER))
    home, late = _late_dossiers(catalog, 12)
    _late_dossiers(catalog, 7, due="2026-12-31")   # on time: walked past, never listed
    scope_id = {"province": None, "agency": str(home.id), "commune": COMMUNE, "procedure": "1.001193"}[scope]
    query = YEAR | ({"scope": scope, "scope_id": scope_id} if scope_id else {})
    client.get("/api/v1/quality/index/on_time/dossiers", query_string=query, headers=leader)   # warm
    ids, costs = _pages(client, leader, query)
    assert costs == {(2, 0)}
    # newest handled first, each late dossier once, across the pages' cursors
    finished = {str(r.dossier_id): (r.completed_at, str(r.dossier_id)) for r in db.session.scalars(
        select(QualityDossier).where(QualityDossier.dossier_id.in_(late)))}
    assert ids == sorted(finished, key=finished.get, reverse=True)


def test_the_drill_down_walks_an_index_that_fits_its_filter_and_order(client, catalog):
    """SQLite's plan of each scope's page: an index search on the scope and handling time, no sort."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite's EXPLAIN QUERY PLAN")
    leader = bearer(AccountFactory(role=roles.LEADER))
    home, _ = _late_dossiers(catalog, 3)
    pages = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM quality_dossiers" in statement:
            pages.append((statement, parameters))

    expected = {None: "ix_quality_dossiers_completed", "agency": "ix_quality_dossiers_agency_done",
                "commune": "ix_quality_dossiers_commune_done", "procedure": "ix_quality_dossiers_procedure_done"}
    for scope, scope_id in ((None, None), ("agency", str(home.id)), ("commune", COMMUNE), ("procedure", "1.001193")):
        query = YEAR | ({"scope": scope, "scope_id": scope_id} if scope else {})
        first = client.get("/api/v1/quality/index/on_time/dossiers", query_string=query | {"limit": 1},
                           headers=leader).get_json()
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            client.get("/api/v1/quality/index/on_time/dossiers", headers=leader,
                       query_string=query | {"limit": 1, "cursor": first["next_cursor"]})
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        statement, parameters = pages.pop()
        plan = " / ".join(row[3] for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
        assert f"USING INDEX {expected[scope]}" in plan and "TEMP B-TREE" not in plan, plan
