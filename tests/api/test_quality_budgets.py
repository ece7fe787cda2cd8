"""Statement budgets of the service-quality writes (and of the drill-down), like tests/api/test_query_budgets.py.

Counts are exact (`bench/sqlcount.py`: statements including authentication,
savepoints, not BEGIN/COMMIT; top-level commits). Each write is measured on a
fresh target after an unmeasured one of the same kind (caches warm, as in a
running server). When a write gets cheaper, lower its budget here.
"""
import uuid
from datetime import timedelta

from app.dossiers.models import Dossier
from app.extensions import db
from bench.sqlcount import count_sql
from tests.dossiers_fixtures import (  # noqa: F401
    COMMUNE, Api, Desk, birth_dossier, catalog, citizen_account, storage,
)
from tests.factories import bearer
from tests.quality_fixtures import finished_dossier

# write: (SQL statements, commits)
BUDGETS = {
    # authentication 1, the projection row locked 1, "already rated?" 1, roll-ups 1, the rating 1
    "rate a dossier": (5, 1),
    # + routing (the dossier's record, or the procedure and its competent agency), the complaint and its
    # timeline entry, the citizen's notice (notifications: profile, devices, phone, outbox row: 4)
    "file a complaint about a dossier": (10, 1),     # + roll-ups and the record marked unhappy
    "file a complaint about a procedure": (9, 1),
    # authentication, the complaint locked, its update, its timeline entry (+ the notice: 4)
    "accept": (8, 1),
    "refuse": (9, 1),                                # + roll-ups (it closes)
    "request_info": (8, 1),
    "provide_info": (4, 1),                          # no notice: the citizen acted
    "answer": (9, 1),                                # + roll-ups (it closes)
    # authentication, the dossier (dossiers), its timeline and new date, the dashboard's open row (2),
    # the projection's promised date, the officer's name, the letter, the notice (4)
    "issue an apology": (13, 1),
}


def measured(write, send):
    with count_sql(db.engine) as counted:
        response = send()
    assert response.status_code in (200, 201), response.get_json()
    assert (counted.statements, counted.commits) == BUDGETS[write], f"{write}: {counted}"
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
