"""One dossier's answer skips marshmallow: its JSON must be exactly what the documented schema
dumps from the same view, for dossiers in every shape the answer takes."""
import json
import uuid
from pathlib import Path

import time_machine
from sqlalchemy import inspect

from app.common.clock import utcnow
from app.dossiers import access, present, service
from app.dossiers.schemas import DossierSchema
from app.extensions import db
from app.identity.authn import principal_from_token
from tests.dossiers_fixtures import BIRTH, BIRTH_VALUES, MARITAL_STATUS, Api, Desk, birth_dossier, citizen_account
from tests.factories import bearer

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _dossiers(client, catalog):
    """A draft without documents, a flagged draft, a submitted one with a document, one being
    processed and an issued one with its result; the citizen and the officer who see them."""
    api, me, desk = Api(client), bearer(citizen_account()), Desk()
    draft = api.start(me, catalog[MARITAL_STATUS]).get_json()["id"]
    flagged = api.start(me, catalog[BIRTH]).get_json()["id"]
    api.fill(me, flagged, {**BIRTH_VALUES, "declarant_full_name": "Tên khác"})
    submitted = birth_dossier(api, me, catalog[BIRTH])
    processing = birth_dossier(api, me, catalog[BIRTH])
    desk.take_to(api, processing, "in_processing")
    issued = birth_dossier(api, me, catalog[BIRTH])
    desk.take_to(api, issued, "issued")
    citizen, officer = (principal_from_token(h["Authorization"].split(" ", 1)[1]) for h in (me, desk.reception_h))
    return [draft, flagged, submitted, processing, issued], citizen, officer


def _pairs(app, ids, principal):
    """(light JSON, schema's dump) for each dossier as `principal` sees it."""
    for dossier_id in ids:
        dossier = service.get_dossier(principal, uuid.UUID(dossier_id))
        with app.test_request_context():
            light = json.loads(present.dossier_json(dossier, principal).get_data())
        dumped = json.loads(json.dumps(DossierSchema().dump(present.dossier_view(dossier, principal))))
        yield light, dumped


def test_the_light_dossier_is_what_the_schema_dumps(client, catalog, app):
    ids, citizen, officer = _dossiers(client, catalog)
    seen = [light for light, _ in _pairs(app, ids, citizen)]
    assert any(any(field["flagged"] and "registry_value" in field for field in d["fields"]) for d in seen)
    assert any(d["documents"] for d in seen) and any(d["documents"] == [] for d in seen)
    assert any(field["choices"] for d in seen for field in d["fields"])
    assert any(d["assigned_officer_id"] for d in seen) and any(d["completed_at"] for d in seen)
    for principal in (citizen, officer):
        for light, dumped in _pairs(app, ids[2:] if principal is officer else ids, principal):
            assert light == dumped
    with time_machine.travel(utcnow().replace(year=utcnow().year + 1), tick=False):    # overdue by then
        pairs = list(_pairs(app, ids, citizen))
        assert any(light["overdue"] for light, _ in pairs)
        for light, dumped in pairs:
            assert light == dumped


def test_the_light_dossier_has_exactly_the_documented_properties(client, catalog, app):
    documented = json.loads(OPENAPI.read_text())["components"]["schemas"]
    ids, citizen, _ = _dossiers(client, catalog)
    for light, _ in _pairs(app, ids, citizen):
        assert set(light) == set(documented["Dossier"]["properties"])
        assert set(light["agency"]) == set(documented["Agency"]["properties"])
        assert set(light["procedure"]) == set(documented["ProcedureRef"]["properties"])
        for document in light["documents"]:
            assert set(document) == set(documented["Document"]["properties"])
        for requirement in light["required_documents"]:
            assert set(requirement) == set(documented["RequirementStatus"]["properties"])
        for field in light["fields"]:
            assert set(field) <= set(documented["DossierField"]["properties"])


def test_the_endpoint_answers_with_the_light_dossier(client, catalog):
    api, me = Api(client), bearer(citizen_account())
    dossier_id = birth_dossier(api, me, catalog[BIRTH])
    answer = api.get(me, dossier_id)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["id"] == dossier_id and body["status"] == "submitted"
    assert body["documents"][0]["code"] == "medical_birth_certificate"
    assert {"code": "medical_birth_certificate", "provided": True}.items() <= body["required_documents"][0].items()


def test_an_unlocked_read_takes_of_the_procedure_and_agency_only_what_the_view_shows(client, catalog):
    api, me = Api(client), bearer(citizen_account())
    dossier_id = uuid.UUID(birth_dossier(api, me, catalog[BIRTH]))
    procedure_id = catalog[BIRTH].id
    db.session.expunge_all()      # nothing loaded before: the read's own SELECT decides

    shown = access.load(dossier_id)
    assert {"search_text", "result_name", "result_fields", "fee"} <= inspect(shown.procedure).unloaded
    assert not {"code", "name", "form_fields", "required_documents"} & inspect(shown.procedure).unloaded
    assert {"kind", "province_code"} <= inspect(shown.agency).unloaded
    assert shown.procedure.result_name == catalog[BIRTH].result_name   # loaded when touched
    assert shown.procedure.id == procedure_id

    db.session.expunge_all()
    locked = access.load(dossier_id, lock=True)   # a change gets whole rows
    assert not inspect(locked.procedure).unloaded and not inspect(locked.agency).unloaded
