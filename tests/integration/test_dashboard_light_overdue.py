"""The overdue list skips marshmallow: its JSON must be exactly what the documented schema dumps."""
import json
from pathlib import Path

import pytest

from app.dashboard import present
from app.dashboard.counters import Filters
from app.dashboard.schemas import OverduePageSchema
from app.dashboard.service import overdue_dossiers
from tests.dashboard_fixtures import HUNG_DIEN, build_dossiers, leader_headers
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture
def dossiers(catalog):  # noqa: F811
    return build_dossiers(catalog, agency)


def _light(app, page) -> dict:
    with app.test_request_context():
        return json.loads(present.overdue_page_json(page).get_data())


def _dumped(page) -> dict:
    return json.loads(json.dumps(OverduePageSchema().dump(page)))


def test_the_light_overdue_page_is_what_the_schema_dumps(dossiers, app):
    pages = [overdue_dossiers(Filters(), limit=100), overdue_dossiers(Filters(), limit=2),
             overdue_dossiers(Filters(commune_code=HUNG_DIEN)), overdue_dossiers(Filters(procedure_code="none"))]
    assert pages[0]["items"] and pages[1]["next_cursor"] and pages[3]["items"] == []   # every shape is compared
    for page in pages:
        assert _light(app, page) == _dumped(page)


def test_the_light_overdue_page_has_exactly_the_documented_properties(dossiers, app):
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    light = _light(app, overdue_dossiers(Filters(), limit=100))
    assert set(light) == set(schemas["OverduePage"]["properties"])
    for item in light["items"]:
        assert set(item) == set(schemas["OverdueDossier"]["properties"])


def test_the_endpoint_answers_with_the_light_page(dossiers, client):
    answer = client.get("/api/v1/dashboard/dossiers/overdue?limit=2", headers=leader_headers())
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 5 and len(body["items"]) == 2 and body["next_cursor"]
    assert body["items"][0]["working_days_overdue"] > 0 and body["items"][0]["due_date"] <= body["items"][1]["due_date"]
