"""The dossier lists read rows and skip marshmallow: their JSON must be exactly what the documented
schema dumps for the same dossiers as ORM objects."""
import json
from pathlib import Path

import time_machine

from app.common.clock import utcnow
from app.extensions import db
from app.dossiers import present, service
from app.dossiers.models import Dossier
from app.dossiers.schemas import DossierPageSchema
from app.identity.authn import principal_from_token
from tests.dossiers_fixtures import BIRTH, BIRTH_VALUES, MARITAL_STATUS, Api, Desk, birth_dossier, citizen_account
from tests.factories import bearer

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _lists(client, catalog):
    """Dossiers in varied states (draft, submitted, assigned, flagged); a function listing their pages."""
    api, me, desk = Api(client), bearer(citizen_account()), Desk()
    birth_dossier(api, me, catalog[BIRTH], submit=False)
    api.start(me, catalog[MARITAL_STATUS])
    desk.take_to(api, birth_dossier(api, me, catalog[BIRTH]), "in_processing")
    flagged = api.start(me, catalog[BIRTH]).get_json()["id"]
    api.fill(me, flagged, {**BIRTH_VALUES, "declarant_full_name": "Tên khác"})
    citizen, officer = (principal_from_token(h["Authorization"].split(" ", 1)[1]) for h in (me, desk.reception_h))
    return lambda: [service.my_dossiers(citizen, limit=3), service.my_dossiers(citizen, limit=50),
                    service.inbox(officer)]


def _light(app, page) -> dict:
    with app.test_request_context():
        return json.loads(present.page_json(page).get_data())


def _dumped(page) -> dict:
    """What the schema dumps for the same dossiers loaded as ORM objects (the path of every other view)."""
    dossiers = {"items": [db.session.get(Dossier, row.id) for row in page["items"]], "next_cursor": page["next_cursor"]}
    return json.loads(json.dumps(DossierPageSchema().dump(present.page_view(dossiers))))


def test_the_light_page_is_what_the_schema_dumps(client, catalog, app):
    listed = _lists(client, catalog)
    pages = listed()
    items = [db.session.get(Dossier, row.id) for page in pages for row in page["items"]]
    assert pages[0]["next_cursor"] and any(i.assigned_officer_id for i in items)
    assert any(i.flagged_fields for i in items) and any(i.due_date for i in items)
    for page in pages:
        assert _light(app, page) == _dumped(page)
    with time_machine.travel(utcnow().replace(year=utcnow().year + 1), tick=False):   # overdue by then
        pages = listed()
        assert any(service.is_overdue(i) for page in pages for i in page["items"])
        for page in pages:
            assert _light(app, page) == _dumped(page)


def test_the_light_items_have_exactly_the_documented_properties(client, catalog, app):
    documented = json.loads(OPENAPI.read_text())["components"]["schemas"]
    for page in _lists(client, catalog)():
        light = _light(app, page)
        assert set(light) == set(documented["DossierPage"]["properties"])
        for item in light["items"]:
            assert set(item) == set(documented["DossierSummary"]["properties"])
            assert set(item["procedure"]) == set(documented["ProcedureRef"]["properties"])
            assert set(item["fee"]) == set(documented["Fee"]["properties"])
