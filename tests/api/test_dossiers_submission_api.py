"""Starting a dossier prefilled from the registry, filling it in, submitting it."""
import re
import uuid

import pytest
from sqlalchemy import func, select

from app.common.clock import local_today
from app.dossiers.models import Dossier, TimelineEntry
from app.dossiers.receipt_codes import due_date
from app.extensions import db
from tests.dossiers_fixtures import (
    Api, BIRTH, BIRTH_VALUES, COMMUNE, Desk, JUDICIAL_RECORD, OTHER_COMMUNE, bearer, birth_dossier,
    citizen_account, outbox, staff,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401


def _field(body, name):
    return next(f for f in body["fields"] if f["name"] == name)


def test_a_dossier_starts_prefilled_with_each_fields_source_and_time(client, catalog):
    account = citizen_account()
    response = Api(client).start(bearer(account), catalog[BIRTH])
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["receipt_code"] is None and body["version"] == 1
    name = _field(body, "declarant_full_name")
    assert name["value"] == account.full_name and name["source"] == "population_registry"
    assert name["fetched_at"] is not None and name["flagged"] is False
    assert _field(body, "declarant_personal_id")["value"] == account.personal_id
    assert _field(body, "other_parent_full_name")["value"] == "Trần Thị Bình"       # the spouse, from the registry
    assert _field(body, "commune_code")["value"] == COMMUNE
    child = _field(body, "child_full_name")
    assert child["value"] is None and child["source"] is None
    assert body["agency"]["code"] == f"UBND-{COMMUNE}" and body["commune_code"] == COMMUNE
    assert body["fee"] == {"amount": 0, "status": "not_required"}
    assert body["required_documents"][0] == {"code": "medical_birth_certificate", "name": "Giấy chứng sinh",
                                             "required": True, "provided": False}
    assert body["allowed_actions"] == ["submit", "withdraw"]
    entry = db.session.scalar(select(TimelineEntry).where(TimelineEntry.dossier_id == uuid.UUID(body["id"])))
    assert entry.action == "create" and entry.account_id == account.id and "declarant_full_name" in entry.data["prefilled"]


def test_a_provincial_procedure_goes_to_the_provincial_agency_with_its_fee(client, catalog):
    body = Api(client).start(bearer(citizen_account()), catalog[JUDICIAL_RECORD]).get_json()
    assert body["agency"]["code"] == "STP-80" and body["commune_code"] == COMMUNE
    assert body["fee"] == {"amount": 200_000, "status": "unpaid"}


def test_starting_needs_a_citizen_and_a_known_procedure(client, catalog):
    api = Api(client)
    assert api.start(bearer(staff()), catalog[BIRTH]).status_code == 403
    assert client.post("/api/v1/dossiers", json={"procedure_id": str(catalog[BIRTH].id)}).status_code == 401
    missing = client.post("/api/v1/dossiers", json={"procedure_id": str(uuid.uuid4())}, headers=bearer(citizen_account()))
    assert missing.status_code == 404 and missing.get_json()["code"] == "procedure_not_found"


def test_starting_with_the_same_idempotency_key_makes_one_dossier(client, catalog):
    account = citizen_account()
    headers = {**bearer(account), "Idempotency-Key": "start-1"}
    first = Api(client).start(headers, catalog[BIRTH])
    second = Api(client).start(headers, catalog[BIRTH])
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)
                             .where(Dossier.citizen_account_id == account.id)) == 1


def test_the_form_takes_values_and_reports_one_error_per_bad_field(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    bad = api.fill(headers, dossier_id, {"child_date_of_birth": "18/11/2026", "child_gender": "unknown",
                                         "declarant_personal_id": "123", "commune_code": "99999", "colour": "red",
                                         "child_full_name": "Nguyễn Minh Khang"})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {
        "child_date_of_birth": ["Ngày không hợp lệ (định dạng YYYY-MM-DD)."],
        "child_gender": ["Không thuộc các lựa chọn cho phép."],
        "declarant_personal_id": ["Số định danh cá nhân gồm đúng 12 chữ số."],
        "commune_code": ["Không có xã, phường nào có mã này."],
        "colour": ["Trường không được hỗ trợ."],
    }
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).form_data.get("child_full_name") is None  # all or nothing
    good = api.fill(headers, dossier_id, {"child_full_name": "Nguyễn Minh Khang", "other_parent_full_name": None})
    assert good.status_code == 200
    body = good.get_json()
    assert _field(body, "child_full_name")["value"] == "Nguyễn Minh Khang"
    assert _field(body, "other_parent_full_name")["value"] is None   # null removes a value


def test_an_edited_registry_value_is_kept_and_flagged_for_the_officer(client, catalog):
    api = Api(client)
    account = citizen_account()
    headers = bearer(account)
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    response = api.fill(headers, dossier_id, {"child_ethnicity": "Khmer"})
    body = response.get_json()
    ethnicity = _field(body, "child_ethnicity")
    assert ethnicity["value"] == "Khmer" and ethnicity["flagged"] is True and ethnicity["registry_value"] == "Kinh"
    assert body["flagged_fields"] == ["child_ethnicity"] and body["has_flagged_fields"] is True
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == uuid.UUID(dossier_id),
                                                           TimelineEntry.action == "form_updated")).one()
    assert entry.data["registry_fields_edited"] == ["child_ethnicity"]
    assert entry.data["registry_values"] == {"child_ethnicity": "Kinh"}
    # putting the registry's value back clears the flag
    assert api.fill(headers, dossier_id, {"child_ethnicity": "Kinh"}).get_json()["flagged_fields"] == []


def test_the_officer_sees_the_flag_on_the_submitted_dossier(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    api.fill(headers, dossier_id, {**BIRTH_VALUES, "declarant_full_name": "Nguyễn Văn Ân"})
    api.upload(headers, dossier_id, "medical_birth_certificate")
    assert api.submit(headers, dossier_id).status_code == 200
    body = api.get(bearer(staff()), dossier_id).get_json()
    assert body["flagged_fields"] == ["declarant_full_name"]
    assert _field(body, "declarant_full_name")["registry_value"] == "Nguyễn Văn An"
    submit = db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == uuid.UUID(dossier_id),
                                                            TimelineEntry.action == "submit")).one()
    assert submit.data["flagged_fields"] == ["declarant_full_name"]


def test_a_stale_version_is_refused(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    assert api.fill(headers, dossier_id, {"child_full_name": "A"}, version=1).status_code == 200
    stale = api.fill(headers, dossier_id, {"child_full_name": "B"}, version=1)
    assert stale.status_code == 409 and stale.get_json()["code"] == "stale_version"
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).form_data["child_full_name"] == "A"


def test_submission_reports_every_missing_field_and_document(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    response = api.submit(headers, dossier_id)
    assert response.status_code == 422 and response.get_json()["code"] == "validation_error"
    errors = response.get_json()["errors"]
    assert set(errors) == {"declarant_relationship", "child_full_name", "child_date_of_birth", "child_gender",
                           "child_birth_place", "documents"}
    assert errors["child_full_name"] == ["Thiếu dữ liệu cho trường bắt buộc."]
    assert errors["documents"] == {"medical_birth_certificate": ["Giấy tờ này là bắt buộc."]}
    api.fill(headers, dossier_id, BIRTH_VALUES)
    only_documents = api.submit(headers, dossier_id)
    assert only_documents.status_code == 422 and only_documents.get_json()["code"] == "documents_missing"
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "draft"


def test_submitting_gives_a_readable_receipt_code_and_a_due_date(client, catalog, published):
    api = Api(client)
    account = citizen_account()
    headers = bearer(account)
    dossier_id = birth_dossier(api, headers, catalog[BIRTH], submit=False)
    response = api.submit(headers, dossier_id)
    assert response.status_code == 200
    body = response.get_json()
    today = local_today()
    assert body["status"] == "submitted"
    assert re.fullmatch(rf"UBND-{COMMUNE}-{today:%y%m%d}-\d{{4}}", body["receipt_code"])
    assert body["due_date"] == due_date(today, 1).isoformat()
    assert body["allowed_actions"] == ["withdraw"]
    [message] = outbox(account, "dossier_submitted")
    assert message.params == {"receipt_code": body["receipt_code"], "procedure_name": "Đăng ký khai sinh",
                              "due_date": body["due_date"]}
    assert [(e, p["dossier_id"]) for e, p in published] == [("dossier.submitted", uuid.UUID(dossier_id))]
    assert published[0][1]["citizen_account_id"] == account.id and published[0][1]["procedure_code"] == BIRTH


def test_receipt_codes_count_up_per_agency_and_day(client, catalog):
    api = Api(client)
    codes = [api.get(bearer(a), birth_dossier(api, bearer(a), catalog[BIRTH])).get_json()["receipt_code"]
             for a in (citizen_account(), citizen_account(), citizen_account())]
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert len({code.rsplit("-", 1)[0] for code in codes}) == 1


def test_submitting_twice_with_one_idempotency_key_submits_once(client, catalog, published):
    api = Api(client)
    account = citizen_account()
    headers = bearer(account)
    dossier_id = birth_dossier(api, headers, catalog[BIRTH], submit=False)
    keyed = {**headers, "Idempotency-Key": "submit-once"}
    first, second = api.submit(keyed, dossier_id), api.submit(keyed, dossier_id)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(outbox(account, "dossier_submitted")) == 1 and len(published) == 1
    entries = db.session.scalar(select(func.count()).select_from(TimelineEntry).where(
        TimelineEntry.dossier_id == uuid.UUID(dossier_id), TimelineEntry.action == "submit"))
    assert entries == 1
    again = api.submit(headers, dossier_id)   # without the key: a second submission is refused
    assert again.status_code == 409 and again.get_json()["code"] == "already_submitted"


def test_submitting_needs_the_procedures_e_id_level(client, catalog):
    api = Api(client)
    account = citizen_account(level=2)
    dossier_id = birth_dossier(api, bearer(account, level=2), catalog[BIRTH], submit=False)
    response = api.submit(bearer(account, level=1), dossier_id)
    assert response.status_code == 403
    assert response.get_json()["code"] == "step_up_required"
    assert response.get_json()["errors"] == {"required_level": ["2"]}
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "draft"
    # a level-1 procedure (a copy of a civil-status extract) is fine at level 1
    one = api.start(bearer(account, level=1), catalog["2.000635"]).get_json()["id"]
    api.fill(bearer(account, level=1), one, {"extract_kind": "birth", "copies": 1})
    assert api.submit(bearer(account, level=1), one).status_code == 200


def test_another_citizens_dossier_answers_404_everywhere(client, catalog):
    api = Api(client)
    owner = bearer(citizen_account())
    dossier_id = birth_dossier(api, owner, catalog[BIRTH], submit=False)
    intruder = bearer(citizen_account())
    for response in (api.get(intruder, dossier_id), api.fill(intruder, dossier_id, {"child_full_name": "X"}),
                     api.submit(intruder, dossier_id), api.act(intruder, dossier_id, "withdraw"),
                     api.upload(intruder, dossier_id, "medical_birth_certificate"),
                     client.get(f"/api/v1/dossiers/{dossier_id}/timeline", headers=intruder)):
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["code"] == "dossier_not_found"
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "draft"


def test_staff_do_not_see_drafts(client, catalog):
    api = Api(client)
    dossier_id = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH], submit=False)
    assert api.get(bearer(staff()), dossier_id).status_code == 404


@pytest.mark.parametrize("field", ["commune_code"])
def test_the_commune_cannot_move_after_submission(client, catalog, field):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = birth_dossier(api, headers, catalog[BIRTH])
    desk = Desk()
    desk.take_to(api, dossier_id, "in_processing")
    api.act(desk.processor_h, dossier_id, "request_supplement", reason_code="missing_document", reason="Bổ sung giấy chứng sinh rõ nét")
    response = api.fill(headers, dossier_id, {field: OTHER_COMMUNE})
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_draft_moves_to_the_committee_of_the_commune_chosen(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    body = api.fill(headers, dossier_id, {"commune_code": OTHER_COMMUNE}).get_json()
    assert body["agency"]["code"] == f"UBND-{OTHER_COMMUNE}" and body["commune_code"] == OTHER_COMMUNE
