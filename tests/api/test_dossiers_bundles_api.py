"""Linked procedures end to end: one submission, one dossier per agency, each started by the last result."""
import re
import uuid

import pytest
import time_machine
from sqlalchemy import select

from app.common import roles
from app.dashboard.models import OpenDossier
from app.dossiers.models import DigitizedResult, Dossier
from app.extensions import db
from tests.dossiers_fixtures import (
    AccountFactory, Api, BIRTH, BIRTH_VALUES, Desk, HEALTH_INSURANCE, RESIDENCE, bearer, citizen_account,
    linked, outbox,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401

BUNDLES = "/api/v1/dossiers/bundles"
RESIDENCE_RESULT = {"registrant_personal_id": "080226000123", "registered_on": "2026-12-01",
                    "permanent_address": "Số 1, Đường 30/4, Xã Hưng Điền, Tây Ninh"}
INSURANCE_RESULT = {"card_number": "TE1808022600012", "valid_from": "2026-11-18", "valid_until": "2032-11-17"}
DEATH_VALUES = {"declarant_relationship": "child", "deceased_full_name": "Nguyễn Văn Tư",
                "deceased_personal_id": "080045000321", "date_of_death": "2026-11-28",
                "place_of_death": "Tại nhà, Xã Hưng Điền"}
DEATH_RESULT = {"deceased_full_name": "Nguyễn Văn Tư", "deceased_personal_id": "080045000321",
                "date_of_death": "2026-11-28", "registration_number": "88/2026"}


@pytest.fixture
def frozen_day():
    """Tuesday 1 December 2026, 09:00 in Vietnam (the clock ticks from there)."""
    with time_machine.travel("2026-12-01 09:00 +07:00"):
        yield


def _start(client, headers, code):
    response = client.post(BUNDLES, json={"linked_procedure_id": str(linked(code).id)}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _bundle(client, headers, bundle_id):
    return client.get(f"{BUNDLES}/{bundle_id}", headers=headers).get_json()


def _field(api, headers, dossier_id, name):
    return next(f for f in api.get(headers, dossier_id).get_json()["fields"] if f["name"] == name)


def _fill_birth_bundle(api, citizen, members):
    birth, residence, insurance = (m["id"] for m in members)
    assert api.fill(citizen, birth, BIRTH_VALUES).status_code == 200
    assert api.upload(citizen, birth, "medical_birth_certificate").status_code == 201
    account_pid = _field(api, citizen, birth, "declarant_personal_id")["value"]
    assert api.fill(citizen, residence, {"household_head_personal_id": account_pid}).status_code == 200
    assert api.fill(citizen, insurance, {"initial_clinic": "Trạm y tế xã Hưng Điền"}).status_code == 200
    return birth, residence, insurance


def test_birth_residence_and_health_insurance_in_one_submission(client, catalog, frozen_day, published):
    api = Api(client)
    account = citizen_account()
    citizen = bearer(account)
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    assert started["status"] == "draft" and started["receipt_code"] is None
    members = started["dossiers"]
    assert [(m["position"], m["procedure"]["code"], m["status"]) for m in members] == [
        (0, BIRTH, "draft"), (1, RESIDENCE, "draft"), (2, HEALTH_INSURANCE, "draft")]
    assert members[1]["fee"] == {"amount": 0, "status": "not_required"}         # children are exempt
    birth, residence, insurance = _fill_birth_bundle(api, citizen, members)
    # fields that the birth result will supply are left empty, not prefilled with the parent's data
    assert _field(api, citizen, residence, "registrant_personal_id")["value"] is None
    assert _field(api, citizen, residence, "relation_to_head") | {} == {
        **_field(api, citizen, residence, "relation_to_head"), "value": "child", "source": "bundle"}
    alone = api.submit(citizen, residence)                                       # not on its own
    assert alone.status_code == 409 and alone.get_json()["code"] == "submit_the_bundle"

    submitted = client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    assert submitted.status_code == 200, submitted.get_json()
    bundle = submitted.get_json()
    assert bundle["status"] == "in_progress" and re.fullmatch(r"LT-80-261201-\d{4}", bundle["receipt_code"])
    assert bundle["due_date"] == "2026-12-04"                                 # 3 working days
    assert [m["status"] for m in bundle["dossiers"]] == ["submitted", "queued", "queued"]
    assert bundle["current_dossier_id"] == birth
    assert bundle["dossiers"][0]["due_date"] == "2026-12-04"

    commune_desk = Desk()
    birth_result = commune_desk.take_to(api, birth, "result_issued").get_json()
    bundle = _bundle(client, citizen, started["id"])
    assert [m["status"] for m in bundle["dossiers"]] == ["result_issued", "submitted", "queued"]
    assert bundle["status"] == "in_progress" and bundle["current_dossier_id"] == residence
    moved = api.get(citizen, residence).get_json()
    assert moved["receipt_code"].startswith("CA-80-261201-") and moved["due_date"] == "2026-12-04"
    registrant = next(f for f in moved["fields"] if f["name"] == "registrant_personal_id")
    assert registrant["value"] == "080226000123" and registrant["source"] == "linked_result"
    assert [(d["code"], d["source"], d["result_id"]) for d in moved["documents"]] == [
        ("birth_certificate", "result", birth_result["id"])]

    police_desk = Desk(agency_code="CA-80")
    assert [i["id"] for i in client.get("/api/v1/dossiers/inbox", headers=police_desk.reception_h)
            .get_json()["items"]] == [residence]
    police_desk.take_to(api, residence, "result_issued", result=RESIDENCE_RESULT)
    insurance_body = api.get(citizen, insurance).get_json()
    assert insurance_body["status"] == "submitted"
    child = {f["name"]: f for f in insurance_body["fields"]}
    assert child["child_full_name"]["value"] == "Nguyễn Minh Khang"
    assert child["child_personal_id"]["value"] == "080226000123" and child["child_gender"]["value"] == "male"
    assert [d["code"] for d in insurance_body["documents"]] == ["birth_certificate"]

    Desk(agency_code="BHXH-80", commune_code=None).take_to(api, insurance, "result_issued", result=INSURANCE_RESULT)
    bundle = _bundle(client, citizen, started["id"])
    assert bundle["status"] == "completed" and bundle["completed_at"] is not None
    assert bundle["current_dossier_id"] is None
    store = client.get("/api/v1/results", headers=citizen).get_json()["items"]
    assert [r["title"] for r in store] == ["Thẻ bảo hiểm y tế (bản điện tử)", "Thông báo kết quả đăng ký thường trú",
                                           "Giấy khai sinh (bản điện tử)"]
    progress = outbox(account, "bundle_progress")
    assert [(m.params["status"], m.params["completed"], m.params["total"]) for m in progress] == [
        ("in_progress", 1, 3), ("in_progress", 2, 3), ("completed", 3, 3)]
    assert progress[0].params["bundle_code"] == bundle["receipt_code"]
    assert [e for e, _ in published].count("dossier.result_issued") == 3


def test_death_deregistration_and_funeral_allowance_in_one_submission(client, catalog, frozen_day):
    api = Api(client)
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KT-XTT-MT")
    death, deregistration, funeral = (m["id"] for m in started["dossiers"])
    assert api.fill(citizen, death, DEATH_VALUES).status_code == 200
    assert api.upload(citizen, death, "death_notice").status_code == 201
    assert _field(api, citizen, deregistration, "reason")["value"] == "deceased"
    incomplete = client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    assert incomplete.status_code == 422
    # only what the citizen still has to give; the deceased's data and the death extract come from step 1
    assert incomplete.get_json()["errors"]["dossiers"] == {funeral: {"payment_method": ["Thiếu dữ liệu cho trường bắt buộc."]}}
    assert _bundle(client, citizen, started["id"])["status"] == "draft"
    assert api.fill(citizen, funeral, {"payment_method": "cash"}).status_code == 200
    bundle = client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen).get_json()
    assert bundle["status"] == "in_progress" and bundle["due_date"] == "2026-12-08"   # 5 working days

    Desk().take_to(api, death, "result_issued", result=DEATH_RESULT)
    moved = api.get(citizen, deregistration).get_json()
    person = {f["name"]: f["value"] for f in moved["fields"]}
    assert person["person_personal_id"] == "080045000321" and person["person_full_name"] == "Nguyễn Văn Tư"
    assert [d["code"] for d in moved["documents"]] == ["death_extract"]
    Desk(agency_code="CA-80").take_to(api, deregistration, "result_issued",
                                      result={"person_personal_id": "080045000321", "deregistered_on": "2026-12-01"})
    allowance = api.get(citizen, funeral).get_json()
    assert {f["name"]: f["value"] for f in allowance["fields"]}["date_of_death"] == "2026-11-28"
    Desk(agency_code="BHXH-80", commune_code=None).take_to(
        api, funeral, "result_issued", result={"decision_number": "15/QĐ-BHXH", "amount": 46_800_000})
    assert _bundle(client, citizen, started["id"])["status"] == "completed"


def test_a_step_without_result_cancels_the_steps_still_waiting(client, catalog, frozen_day, published):
    api = Api(client)
    account = citizen_account()
    citizen = bearer(account)
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    birth, residence, insurance = _fill_birth_bundle(api, citizen, started["dossiers"])
    client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    desk = Desk()
    desk.take_to(api, birth, "pending_approval")
    api.act(desk.approver_h, birth, "reject", reason="Trẻ đã được đăng ký khai sinh")
    bundle = _bundle(client, citizen, started["id"])
    assert bundle["status"] == "stopped"
    assert [m["status"] for m in bundle["dossiers"]] == ["rejected", "cancelled", "cancelled"]
    assert [(e, p["action"]) for e, p in published if e != "dossier.submitted"][-3:] == [
        ("dossier.rejected", "reject"), ("dossier.withdrawn", "cancel"), ("dossier.withdrawn", "cancel")]
    assert outbox(account, "bundle_progress")[-1].params["status"] == "stopped"


def test_the_citizen_withdraws_the_bundle_before_it_is_received(client, catalog, frozen_day):
    api = Api(client)
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    _fill_birth_bundle(api, citizen, started["dossiers"])
    client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    withdrawn = client.post(f"{BUNDLES}/{started['id']}/withdraw", headers=citizen, json={"reason": "Nộp nhầm"})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert [m["status"] for m in withdrawn.get_json()["dossiers"]] == ["withdrawn", "cancelled", "cancelled"]
    again = client.post(f"{BUNDLES}/{started['id']}/withdraw", headers=citizen, json={})
    assert again.status_code == 409 and again.get_json()["code"] == "bundle_ended"


def test_a_received_bundle_cannot_be_withdrawn(client, catalog, frozen_day):
    api = Api(client)
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    birth, _, _ = _fill_birth_bundle(api, citizen, started["dossiers"])
    client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    Desk().take_to(api, birth, "received")
    refused = client.post(f"{BUNDLES}/{started['id']}/withdraw", headers=citizen, json={})
    assert refused.status_code == 409 and refused.get_json()["code"] == "transition_not_allowed"
    assert _bundle(client, citizen, started["id"])["status"] == "in_progress"


def test_a_supplement_pauses_the_one_bundle_clock(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    with time_machine.travel("2026-12-01 09:00 +07:00"):
        citizen = bearer(account)
        desk.login()
        started = _start(client, citizen, "LT-KS-TT-BHYT")
        birth, residence, _ = _fill_birth_bundle(api, citizen, started["dossiers"])
        client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
        desk.take_to(api, birth, "in_processing")
        api.act(desk.processor_h, birth, "request_supplement", reason_code="missing_document", reason="Bổ sung giấy chứng sinh bản rõ nét")
    with time_machine.travel("2026-12-08 09:00 +07:00"):      # 4 working days strictly between
        citizen = bearer(account)
        assert api.act(citizen, birth, "resubmit").status_code == 200
        bundle = _bundle(client, citizen, started["id"])
        assert bundle["due_date"] == "2026-12-10"               # 4 December + 4 working days
        assert {m["due_date"] for m in bundle["dossiers"] if m["status"] != "queued"} == {"2026-12-10"}
        # the operations centre's overdue list follows the moved due date (dossier.due_date_moved)
        mirrored = db.session.scalar(select(OpenDossier.due_date).where(OpenDossier.dossier_id == uuid.UUID(birth)))
        assert mirrored.isoformat() == "2026-12-10"
        desk.login().take_to(api, birth, "result_issued")
        assert api.get(citizen, residence).get_json()["due_date"] == "2026-12-10"


def test_bundles_are_the_owners_only(client, catalog, frozen_day):
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    stranger = bearer(citizen_account())
    assert client.get(f"{BUNDLES}/{started['id']}", headers=stranger).status_code == 404
    assert client.post(f"{BUNDLES}/{started['id']}/submit", headers=stranger).status_code == 404
    assert client.get(BUNDLES, headers=stranger).get_json()["items"] == []
    assert [b["id"] for b in client.get(BUNDLES, headers=citizen).get_json()["items"]] == [started["id"]]
    assert client.post(f"{BUNDLES}/{uuid.uuid4()}/submit", headers=citizen).status_code == 404
    assert db.session.scalars(select(Dossier).where(Dossier.bundle_id == uuid.UUID(started["id"]))).all()
    assert db.session.scalars(select(DigitizedResult)).all() == []


def test_submitting_a_bundle_twice_with_one_key_submits_once(client, catalog, frozen_day):
    api = Api(client)
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    _fill_birth_bundle(api, citizen, started["dossiers"])
    keyed = {**citizen, "Idempotency-Key": "bundle-1"}
    first = client.post(f"{BUNDLES}/{started['id']}/submit", headers=keyed)
    second = client.post(f"{BUNDLES}/{started['id']}/submit", headers=keyed)
    assert first.status_code == second.status_code == 200 and first.get_json() == second.get_json()
    refused = client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    assert refused.status_code == 409 and refused.get_json()["code"] == "already_submitted"


def test_a_step_retired_after_the_start_stops_the_submission(client, catalog, frozen_day):
    api = Api(client)
    citizen = bearer(citizen_account())
    started = _start(client, citizen, "LT-KS-TT-BHYT")
    _fill_birth_bundle(api, citizen, started["dossiers"])
    client.post(f"/api/v1/catalog/procedures/{catalog[RESIDENCE].id}/retire",
                headers=bearer(AccountFactory(role=roles.ADMIN)))
    refused = client.post(f"{BUNDLES}/{started['id']}/submit", headers=citizen)
    assert refused.status_code == 409 and refused.get_json()["code"] == "procedure_retired"
    assert [m["status"] for m in _bundle(client, citizen, started["id"])["dossiers"]] == ["draft"] * 3
    again = client.post(BUNDLES, json={"linked_procedure_id": str(linked("LT-KS-TT-BHYT").id)}, headers=citizen)
    assert again.status_code == 409 and again.get_json()["code"] == "linked_procedure_unavailable"
