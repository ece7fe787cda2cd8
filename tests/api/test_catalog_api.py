"""The public catalog (search, filters) and its administration by admins."""
import pytest
from sqlalchemy import select

from app.catalog.models import Procedure
from app.extensions import db
from app.common import roles
from tests.dossiers_fixtures import (  # noqa: F401
    BIRTH, JUDICIAL_RECORD, AccountFactory, Api, bearer, catalog, citizen_account, storage,
)

URL = "/api/v1/catalog/procedures"


def _names(response):
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("q", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "khai sinh dang ky",
                               "  dang   KY khai  sinh ", "1.001193"])
def test_search_ignores_diacritics_case_and_word_order(client, catalog, q):
    assert _names(client.get(URL, query_string={"q": q})) == ["Đăng ký khai sinh"]


def test_search_by_a_word_finds_every_match(client, catalog):
    names = _names(client.get(URL, query_string={"q": "thuong tru", "limit": 100}))
    assert sorted(names) == ["Xóa đăng ký thường trú", "Đăng ký thường trú"]
    assert _names(client.get(URL, query_string={"q": "khong co thu tuc nay"})) == []
    assert _names(client.get(URL, query_string={"q": "100%_"})) == []   # LIKE wildcards are literal


def test_filters_by_agency_service_level_and_eid_level(client, catalog):
    police = _names(client.get(URL, query_string={"agency_kind": "provincial_police", "limit": 100}))
    assert sorted(police) == ["Cấp đổi giấy phép lái xe", "Xóa đăng ký thường trú", "Đăng ký thường trú",
                              "Đăng ký tạm trú"]
    assert _names(client.get(URL, query_string={"service_level": "partial"})) == ["Đăng ký kết hôn"]
    level_1 = _names(client.get(URL, query_string={"eid_level": 1, "limit": 100}))
    assert sorted(level_1) == ["Cấp bản sao trích lục hộ tịch", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"]
    bad = client.get(URL, query_string={"agency_kind": "ministry"})
    assert bad.status_code == 422 and "agency_kind" in bad.get_json()["errors"]


def test_the_list_pages_with_a_stable_cursor(client, catalog):
    first = client.get(URL, query_string={"limit": 5}).get_json()
    second = client.get(URL, query_string={"limit": 5, "cursor": first["next_cursor"]}).get_json()
    rest = client.get(URL, query_string={"limit": 50, "cursor": second["next_cursor"]}).get_json()
    ids = [i["id"] for page in (first, second, rest) for i in page["items"]]
    assert len(ids) == len(set(ids)) == len(catalog)
    assert rest["next_cursor"] is None


def test_one_procedure_shows_fields_documents_fee_and_agency(client, catalog):
    body = client.get(f"{URL}/{catalog[BIRTH].id}").get_json()
    assert body["code"] == BIRTH and body["agency_name"] == "Ủy ban nhân dân cấp xã"
    assert body["fee"] == 0 and body["processing_days"] == 1 and body["min_level"] == 2
    prefilled = {f["name"]: f["prefill"] for f in body["form_fields"] if "prefill" in f}
    assert prefilled["declarant_full_name"] == "full_name"
    assert body["required_documents"][0] == {"code": "medical_birth_certificate", "name": "Giấy chứng sinh",
                                             "required": True}
    missing = client.get(f"{URL}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.get_json()["code"] == "procedure_not_found"


def test_linked_procedures_are_listed_with_their_steps(client, catalog):
    items = client.get("/api/v1/catalog/linked-procedures").get_json()
    assert [i["code"] for i in items] == ["LT-KS-TT-BHYT", "LT-KT-XTT-MT"]
    birth = items[0]
    assert birth["processing_days"] == 3
    assert [s["procedure"]["code"] for s in birth["steps"]] == ["1.001193", "1.004222", "1.002716"]
    assert birth["steps"][1]["fee_exempt"] is True
    one = client.get(f"/api/v1/catalog/linked-procedures/{birth['id']}")
    assert one.status_code == 200 and one.get_json() == birth


NEW = {
    "code": "9.999001", "name": "Cấp giấy phép tổ chức lễ hội", "agency_kind": "commune_committee",
    "fee": 0, "processing_days": 5, "service_level": "full", "min_level": 1,
    "form_fields": [
        {"name": "festival_name", "label": "Tên lễ hội", "type": "text"},
        {"name": "kind", "label": "Loại", "type": "choice", "choices": [{"value": "a", "label": "A"}]},
        {"name": "organiser_id", "label": "Số định danh", "type": "personal_id", "prefill": "personal_id"},
    ],
    "required_documents": [{"code": "plan", "name": "Kế hoạch tổ chức"}],
    "result_name": "Giấy phép", "result_fields": [],
}


def test_an_admin_adds_changes_and_retires_a_procedure(client, catalog):
    admin = bearer(AccountFactory(role=roles.ADMIN))
    created = client.post(URL, json=NEW, headers=admin)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["form_fields"][0]["required"] is True and body["retired"] is False
    assert _names(client.get(URL, query_string={"q": "le hoi"})) == ["Cấp giấy phép tổ chức lễ hội"]

    changed = client.patch(f"{URL}/{body['id']}", json={"name": "Cấp phép tổ chức lễ hội truyền thống", "fee": 50_000},
                           headers=admin)
    assert changed.status_code == 200
    assert changed.get_json()["fee"] == 50_000 and changed.get_json()["form_fields"] == body["form_fields"]
    assert _names(client.get(URL, query_string={"q": "truyen thong"})) == ["Cấp phép tổ chức lễ hội truyền thống"]

    retired = client.post(f"{URL}/{body['id']}/retire", headers=admin)
    assert retired.status_code == 200 and retired.get_json()["retired"] is True
    assert client.post(f"{URL}/{body['id']}/retire", headers=admin).status_code == 200   # idempotent
    assert _names(client.get(URL, query_string={"q": "le hoi"})) == []
    assert _names(client.get(URL, query_string={"q": "le hoi", "include_retired": "true"})) == [
        "Cấp phép tổ chức lễ hội truyền thống"]
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == NEW["code"]))
    db.session.refresh(procedure)
    assert procedure.retired_at is not None and procedure.search_text.startswith("cap phep to chuc le hoi")


def test_a_retired_procedure_takes_no_new_dossiers_but_started_ones_go_on(client, catalog):
    api = Api(client)
    citizen = bearer(citizen_account())
    before = api.start(citizen, catalog[JUDICIAL_RECORD])
    assert before.status_code == 201
    client.post(f"{URL}/{catalog[JUDICIAL_RECORD].id}/retire", headers=bearer(AccountFactory(role=roles.ADMIN)))
    refused = api.start(citizen, catalog[JUDICIAL_RECORD])
    assert refused.status_code == 409 and refused.get_json()["code"] == "procedure_retired"
    assert api.get(citizen, before.get_json()["id"]).status_code == 200


def test_codes_are_unique(client, catalog):
    admin = bearer(AccountFactory(role=roles.ADMIN))
    response = client.post(URL, json={**NEW, "code": BIRTH}, headers=admin)
    assert response.status_code == 409 and response.get_json()["code"] == "procedure_code_taken"


@pytest.mark.parametrize("change, field", [
    ({"fee": -1}, "fee"),
    ({"fee": 1.5}, "fee"),
    ({"min_level": 3}, "min_level"),
    ({"service_level": "sometimes"}, "service_level"),
    ({"form_fields": [{"name": "Bad Name", "label": "x", "type": "text"}]}, "form_fields"),
    ({"form_fields": [{"name": "a", "label": "x", "type": "colour"}]}, "form_fields"),
    ({"form_fields": [{"name": "a", "label": "x", "type": "choice"}]}, "form_fields"),
    ({"form_fields": [{"name": "a", "label": "x", "type": "text", "prefill": "salary"}]}, "form_fields"),
    ({"form_fields": [{"name": "a", "label": "x", "type": "text"}, {"name": "a", "label": "y", "type": "text"}]},
     "form_fields"),
])
def test_invalid_definitions_are_refused_field_by_field(client, catalog, change, field):
    admin = bearer(AccountFactory(role=roles.ADMIN))
    response = client.post(URL, json={**NEW, **change}, headers=admin)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(select(Procedure).where(Procedure.code == NEW["code"])) is None


def test_a_partial_change_still_checks_nested_field_definitions(client, catalog):
    admin = bearer(AccountFactory(role=roles.ADMIN))
    response = client.patch(f"{URL}/{catalog[BIRTH].id}", json={"form_fields": [{"label": "no name"}]}, headers=admin)
    assert response.status_code == 422
    assert "form_fields" in response.get_json()["errors"]


@pytest.mark.parametrize("role", [roles.CITIZEN, roles.OFFICER, roles.APPROVER])
def test_only_admins_manage_the_catalog(client, catalog, role):
    headers = bearer(AccountFactory(role=role))
    assert client.post(URL, json=NEW, headers=headers).status_code == 403
    assert client.patch(f"{URL}/{catalog[BIRTH].id}", json={"fee": 1}, headers=headers).status_code == 403
    assert client.post(f"{URL}/{catalog[BIRTH].id}/retire", headers=headers).status_code == 403
    assert client.post(URL, json=NEW).status_code == 401
    db.session.refresh(catalog[BIRTH])
    assert catalog[BIRTH].fee == 0 and catalog[BIRTH].retired_at is None
