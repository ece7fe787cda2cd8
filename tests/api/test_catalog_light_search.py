"""The catalog search reads rows and skips marshmallow: its answer must be byte for byte what
`ProcedurePageSchema` dumps for the same procedures as ORM objects, with the documented keys."""
import json
import uuid
from pathlib import Path

from flask import jsonify
from sqlalchemy import select

from app.catalog.models import Procedure
from app.catalog.schemas import ProcedurePageSchema
from app.catalog.text import normalise
from app.common import roles
from app.extensions import db
from tests.factories import AccountFactory, bearer

URL = "/api/v1/catalog/procedures"
OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

EVERY_KIND_OF_FIELD = {
    "code": "9.999002", "name": "Cấp phép khai thác thử nghiệm", "agency_kind": "commune_committee",
    "fee": 25_000, "processing_days": 3, "service_level": "partial", "min_level": 2,
    "form_fields": [
        {"name": "title", "label": "Tên", "type": "text", "max_length": 120},
        {"name": "kind", "label": "Loại", "type": "choice", "required": False,
         "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        {"name": "count", "label": "Số lượng", "type": "number", "min": 1, "max": 10},
        {"name": "since", "label": "Từ ngày", "type": "date", "past_only": True},
        {"name": "owner_id", "label": "Số định danh", "type": "personal_id", "prefill": "personal_id"},
    ],
    "required_documents": [{"code": "plan", "name": "Kế hoạch"}, {"code": "map", "name": "Bản đồ", "required": False}],
    "result_name": "Giấy phép", "result_fields": [{"name": "permit_no", "label": "Số giấy phép", "type": "text"}],
}


def _catalog_with_every_shape(client, catalog):
    """The seeded catalog, an admin-made procedure with every kind of field, a retired one, and one whose
    stored definitions carry keys the API never shows (written before a schema change, say)."""
    admin = bearer(AccountFactory(role=roles.ADMIN))
    made = client.post(URL, json=EVERY_KIND_OF_FIELD, headers=admin)
    assert made.status_code == 201, made.get_json()
    assert client.post(f"{URL}/{made.get_json()['id']}/retire", headers=admin).status_code == 200
    legacy = Procedure(code="9.999003", name="Thủ tục cũ", search_text=normalise("Thủ tục cũ 9.999003"),
                       agency_kind="commune_committee", fee=0, processing_days=1, service_level="full", min_level=1,
                       form_fields=[{"name": "note", "label": "Ghi chú", "type": "text", "hint": "internal",
                                     "choices": None}],
                       required_documents=[{"code": "x", "name": "X", "legacy": True}],
                       result_name="Kết quả", result_fields=[])
    db.session.add(legacy)
    db.session.commit()


def _pages(client, query: dict) -> list:
    pages, cursor = [], None
    while True:
        response = client.get(URL, query_string={**query, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        pages.append(response)
        cursor = response.get_json()["next_cursor"]
        if not cursor:
            return pages


def _schema_bytes(app, answer: dict) -> bytes:
    """What the schema path answered for the same procedures, loaded as ORM objects."""
    procedures = [db.session.get(Procedure, uuid.UUID(item["id"])) for item in answer["items"]]
    with app.test_request_context():
        return jsonify(ProcedurePageSchema().dump({"items": procedures,
                                                   "next_cursor": answer["next_cursor"]})).get_data()


def test_every_search_page_is_byte_for_byte_the_schemas_dump(client, catalog, app):
    _catalog_with_every_shape(client, catalog)
    total = db.session.scalar(select(db.func.count()).select_from(Procedure))
    seen = 0
    for query in ({"include_retired": "true", "limit": 7}, {"q": "khai sinh"}, {"q": "khai thac", "include_retired": "true"},
                  {"q": "thu tuc cu"}):
        for response in _pages(client, query):
            assert response.data == _schema_bytes(app, response.get_json())
            seen += len(response.get_json()["items"]) if query.get("limit") == 7 else 0
    assert seen == total >= 3


def test_the_search_items_have_exactly_the_documented_properties(client, catalog):
    _catalog_with_every_shape(client, catalog)
    documented = json.loads(OPENAPI.read_text())["components"]["schemas"]
    pages = _pages(client, {"include_retired": "true", "limit": 50})
    kinds = set()
    for page in (response.get_json() for response in pages):
        assert set(page) == set(documented["ProcedurePage"]["properties"])
        for item in page["items"]:
            assert set(item) == set(documented["Procedure"]["properties"])
            for field in item["form_fields"] + item["result_fields"]:
                assert set(field) <= set(documented["Field"]["properties"])
                kinds |= set(field)
                for choice in field.get("choices") or []:
                    assert set(choice) == set(documented["Choice"]["properties"])
            for document in item["required_documents"]:
                assert set(document) <= set(documented["DocumentRequirement"]["properties"])
    assert kinds == set(documented["Field"]["properties"])        # every documented key was exercised


def test_a_key_the_schema_does_not_show_is_not_shown(client, catalog):
    _catalog_with_every_shape(client, catalog)
    (legacy,) = client.get(URL, query_string={"q": "9.999003"}).get_json()["items"]
    assert legacy["form_fields"] == [{"name": "note", "label": "Ghi chú", "type": "text", "choices": None}]
    assert legacy["required_documents"] == [{"code": "x", "name": "X"}]
