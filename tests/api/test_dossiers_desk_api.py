"""Desk intake: an officer of the competent agency takes a paper dossier for a citizen."""
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from app.common import roles
from app.common.clock import local_today
from app.dossiers.models import Dossier, TimelineEntry
from app.dossiers.receipt_codes import due_date
from app.dossiers.service import record_fee_paid
from app.extensions import db
from app.identity.models import PENDING_PASSWORD
from tests.dashboard_fixtures import leader_headers
from tests.dossiers_fixtures import (
    AccountFactory, Api, BIRTH, BIRTH_VALUES, COMMUNE, MARITAL_STATUS, OTHER_COMMUNE, bearer, birth_dossier,
    citizen_account, outbox, staff,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401
from tests.factories import RegistryCitizenFactory
from tests.payments_fixtures import network  # noqa: F401

DESK_URL = "/api/v1/dossiers/desk"
MARITAL_VALUES = {"purpose": "Đăng ký kết hôn"}


def _take(client, headers, account, procedure, values=None, **body):
    payload = {"personal_id": account.personal_id if hasattr(account, "personal_id") else account,
               "procedure_id": str(procedure.id), "values": BIRTH_VALUES if values is None else values,
               "paper_documents": ["medical_birth_certificate"], **body}
    return client.post(DESK_URL, json=payload, headers=headers)


def _timeline(dossier_id):
    return list(db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == uuid.UUID(dossier_id))
                                   .order_by(TimelineEntry.created_at, TimelineEntry.id)))


def _dossiers_of(account) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.citizen_account_id == account.id))


def _field(body, name):
    return next(f for f in body["fields"] if f["name"] == name)


def test_an_officer_takes_a_paper_dossier_as_a_submission_in_the_citizens_name(client, catalog, published):
    citizen = citizen_account()
    officer = staff()
    response = _take(client, bearer(officer), citizen, catalog[BIRTH])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    today = local_today()
    assert body["status"] == "submitted" and body["channel"] == "desk"
    assert re.fullmatch(rf"UBND-{COMMUNE}-{today:%y%m%d}-\d{{4}}", body["receipt_code"])
    assert body["due_date"] == due_date(today, 1).isoformat()
    assert body["agency"]["code"] == f"UBND-{COMMUNE}" and body["commune_code"] == COMMUNE
    assert body["applicant_name"] == citizen.full_name
    assert body["allowed_actions"] == ["receive", "return"]
    name = _field(body, "declarant_full_name")                     # prefilled from the registry
    assert name["value"] == citizen.full_name and name["source"] == "population_registry" and not name["flagged"]
    assert _field(body, "other_parent_full_name")["value"] == "Trần Thị Bình"
    assert _field(body, "child_full_name")["value"] == "Nguyễn Minh Khang"

    dossier = db.session.get(Dossier, uuid.UUID(body["id"]))
    assert dossier.channel == "desk" and dossier.citizen_account_id == citizen.id
    assert dossier.receipt_code == body["receipt_code"] and dossier.submitted_at is not None
    create, submit = _timeline(body["id"])
    assert (create.action, create.to_status, create.account_id, create.actor_role) == (
        "create", "draft", officer.id, "officer")
    assert (submit.action, submit.from_status, submit.to_status) == ("submit_at_desk", "draft", "submitted")
    assert (submit.account_id, submit.actor_id, submit.actor_role) == (officer.id, None, "officer")
    assert submit.data == {"channel": "desk", "flagged_fields": [], "paper_documents": ["medical_birth_certificate"]}

    [message] = outbox(citizen, "dossier_submitted")
    assert message.params == {"receipt_code": body["receipt_code"], "procedure_name": "Đăng ký khai sinh",
                              "due_date": body["due_date"], "channel": "desk"}
    assert [(event, payload["dossier_id"], payload["action"]) for event, payload in published] == [
        ("dossier.submitted", dossier.id, "submit_at_desk")]
    assert published[0][1]["citizen_account_id"] == citizen.id

    # the citizen follows it in the app like any of their dossiers
    mine = client.get("/api/v1/dossiers", headers=bearer(citizen)).get_json()["items"]
    assert [(item["id"], item["channel"]) for item in mine] == [(body["id"], "desk")]
    own = client.get(f"/api/v1/dossiers/{body['id']}", headers=bearer(citizen)).get_json()
    assert own["channel"] == "desk" and own["allowed_actions"] == ["withdraw"]


def test_receive_at_once_when_no_fee_is_due(client, catalog, published):
    citizen = citizen_account()
    officer = staff()
    response = _take(client, bearer(officer), citizen, catalog[BIRTH], receive=True)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "received" and body["received_at"] is not None
    assert [entry.action for entry in _timeline(body["id"])] == ["create", "submit_at_desk", "receive"]
    assert [m.event for m in outbox(citizen)] == ["dossier_submitted", "dossier_received"]
    assert [event for event, _ in published] == ["dossier.submitted", "dossier.received"]


def test_a_fee_is_paid_by_the_citizen_before_the_desk_receives_it(client, catalog, network):  # noqa: F811
    citizen = citizen_account()
    officer = staff()
    headers = bearer(officer)
    refused = _take(client, headers, citizen, catalog[MARITAL_STATUS], MARITAL_VALUES, paper_documents=[],
                    receive=True)
    assert refused.status_code == 409 and refused.get_json()["code"] == "fee_unpaid"
    assert _dossiers_of(citizen) == 0 and outbox(citizen) == []          # all or nothing

    response = _take(client, headers, citizen, catalog[MARITAL_STATUS], MARITAL_VALUES, paper_documents=[])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["fee"] == {"amount": 15_000, "status": "unpaid"} and body["allowed_actions"] == ["return"]
    [message] = outbox(citizen, "dossier_submitted")
    assert message.params["fee_amount"] == 15_000 and message.params["channel"] == "desk"

    # the citizen pays in the app, through the payments API, as for an online dossier
    payment = client.post("/api/v1/payments", json={"dossier_id": body["id"], "gateway": "vnpay"},
                          headers=bearer(citizen))
    assert payment.status_code == 201, payment.get_json()
    assert payment.get_json()["amount"] == 15_000
    assert Api(client).act(headers, body["id"], "receive").get_json()["code"] == "fee_unpaid"
    record_fee_paid(uuid.UUID(body["id"]), uuid.uuid4())
    db.session.commit()
    received = Api(client).act(headers, body["id"], "receive")
    assert received.status_code == 200 and received.get_json()["status"] == "received"


def test_the_same_idempotency_key_takes_the_dossier_once(client, catalog, published):
    citizen = citizen_account()
    headers = {**bearer(staff()), "Idempotency-Key": "desk-1"}
    first = _take(client, headers, citizen, catalog[BIRTH])
    second = _take(client, headers, citizen, catalog[BIRTH])
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _dossiers_of(citizen) == 1
    assert len(outbox(citizen, "dossier_submitted")) == 1 and len(published) == 1


def test_values_typed_at_the_desk_replace_registry_values_and_are_flagged(client, catalog):
    citizen = citizen_account()
    response = _take(client, bearer(staff()), citizen, catalog[BIRTH],
                     {**BIRTH_VALUES, "child_ethnicity": "Khmer", "other_parent_full_name": None})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["flagged_fields"] == ["child_ethnicity", "other_parent_full_name"]   # removing one is a change too
    assert _field(body, "child_ethnicity")["registry_value"] == "Kinh"
    removed = _field(body, "other_parent_full_name")
    assert removed["value"] is None and removed["registry_value"] == "Trần Thị Bình"
    assert _timeline(body["id"])[1].data["flagged_fields"] == ["child_ethnicity", "other_parent_full_name"]


def test_form_errors_come_back_one_per_field(client, catalog):
    citizen = citizen_account()
    response = _take(client, bearer(staff()), citizen, catalog[BIRTH], {
        "child_full_name": "Nguyễn Minh Khang", "child_date_of_birth": "18/11/2026", "child_gender": "unknown",
        "colour": "red"}, paper_documents=["medical_birth_certificate", "passport"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert body["errors"] == {
        "child_date_of_birth": ["Ngày không hợp lệ (định dạng YYYY-MM-DD)."],
        "child_gender": ["Không thuộc các lựa chọn cho phép."],
        "colour": ["Trường không được hỗ trợ."],
        "declarant_relationship": ["Thiếu dữ liệu cho trường bắt buộc."],
        "child_birth_place": ["Thiếu dữ liệu cho trường bắt buộc."],
        "paper_documents": {"passport": ["Thủ tục này không yêu cầu giấy tờ có mã này."]},
    }
    assert _dossiers_of(citizen) == 0


def test_required_documents_must_be_handed_over(client, catalog):
    citizen = citizen_account()
    response = _take(client, bearer(staff()), citizen, catalog[BIRTH], paper_documents=[])
    assert response.status_code == 422
    assert response.get_json()["code"] == "documents_missing"
    assert response.get_json()["errors"] == {"documents": {"medical_birth_certificate": ["Giấy tờ này là bắt buộc."]}}
    assert _dossiers_of(citizen) == 0


def test_a_personal_id_that_is_not_well_formed_is_refused(client, catalog):
    response = _take(client, bearer(staff()), "12345", catalog[BIRTH])
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"personal_id"}


@pytest.mark.parametrize("who", ["unknown", "deceased"])
def test_no_living_citizen_answers_one_not_found(client, catalog, who):
    if who == "unknown":
        personal_id = "080090999999"
    else:
        person = RegistryCitizenFactory(is_alive=False, date_of_death=date(2025, 3, 1))
        AccountFactory(citizen=person)
        personal_id = person.personal_id
    response = _take(client, bearer(staff()), personal_id, catalog[BIRTH])
    assert response.status_code == 404
    assert response.get_json()["code"] == "citizen_not_found"
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


@pytest.mark.parametrize("status", [None, PENDING_PASSWORD, "disabled"])
def test_a_citizen_without_an_active_account_is_refused(client, catalog, status):
    if status is None:
        personal_id = RegistryCitizenFactory().personal_id
    else:
        personal_id = AccountFactory(status=status).personal_id
    response = _take(client, bearer(staff()), personal_id, catalog[BIRTH])
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "citizen_account_required" and set(body["errors"]) == {"personal_id"}
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


@pytest.mark.parametrize("scope", ["other_commune", "other_agency"])
def test_only_an_officer_of_the_competent_agency_and_commune_takes_it(client, catalog, scope):
    citizen = citizen_account()
    if scope == "other_commune":
        officer = staff(agency_code=f"UBND-{OTHER_COMMUNE}", commune_code=OTHER_COMMUNE)
    else:
        officer = staff(agency_code="STP-80", commune_code=None)
    response = _take(client, bearer(officer), citizen, catalog[BIRTH])
    assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    assert _dossiers_of(citizen) == 0 and outbox(citizen) == []


def test_a_dossier_for_another_commune_is_routed_there_and_refused_here(client, catalog):
    citizen = citizen_account()
    response = _take(client, bearer(staff()), citizen, catalog[BIRTH], {**BIRTH_VALUES, "commune_code": OTHER_COMMUNE})
    assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    there = staff(agency_code=f"UBND-{OTHER_COMMUNE}", commune_code=OTHER_COMMUNE)
    taken = _take(client, bearer(there), citizen, catalog[BIRTH], {**BIRTH_VALUES, "commune_code": OTHER_COMMUNE})
    assert taken.status_code == 201 and taken.get_json()["agency"]["code"] == f"UBND-{OTHER_COMMUNE}"


@pytest.mark.parametrize("role", [roles.CITIZEN, roles.APPROVER, roles.LEADER])
def test_only_officers_take_dossiers_at_the_desk(client, catalog, role):
    citizen = citizen_account()
    account = citizen if role == roles.CITIZEN else staff(role=role)
    response = _take(client, bearer(account), citizen, catalog[BIRTH])
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden_role"
    assert client.post(DESK_URL, json={}).status_code == 401
    assert _dossiers_of(citizen) == 0


def test_unknown_and_retired_procedures_are_refused(client, catalog):
    citizen = citizen_account()
    headers = bearer(staff())
    missing = client.post(DESK_URL, headers=headers, json={
        "personal_id": citizen.personal_id, "procedure_id": str(uuid.uuid4()), "values": {}})
    assert missing.status_code == 404 and missing.get_json()["code"] == "procedure_not_found"
    catalog[BIRTH].retired_at = catalog[BIRTH].created_at
    db.session.flush()
    retired = _take(client, headers, citizen, catalog[BIRTH])
    assert retired.status_code == 409 and retired.get_json()["code"] == "procedure_retired"


def test_the_inbox_filters_by_channel(client, catalog):
    officer = staff()
    headers = bearer(officer)
    desk_id = _take(client, headers, citizen_account(), catalog[BIRTH]).get_json()["id"]
    online = citizen_account()
    online_id = birth_dossier(Api(client), bearer(online), catalog[BIRTH])

    def ids(query=""):
        response = client.get(f"/api/v1/dossiers/inbox{query}", headers=headers)
        assert response.status_code == 200
        return [(item["id"], item["channel"]) for item in response.get_json()["items"]]

    assert ids("?channel=desk") == [(desk_id, "desk")]
    assert ids("?channel=online") == [(online_id, "online")]
    assert set(ids()) == {(desk_id, "desk"), (online_id, "online")}
    assert client.get("/api/v1/dossiers/inbox?channel=fax", headers=headers).status_code == 422


def test_the_operations_centre_counts_desk_dossiers(client, catalog):
    officer_headers = bearer(staff())
    assert _take(client, officer_headers, citizen_account(), catalog[BIRTH]).status_code == 201
    birth_dossier(Api(client), bearer(citizen_account()), catalog[BIRTH])
    db.session.commit()
    response = client.get("/api/v1/dashboard/dossiers", headers=leader_headers())
    assert response.status_code == 200
    body = response.get_json()
    channels = {row["channel"]: row["count"] for row in body["channels"]}
    assert channels == {"online": 1, "desk": 1}
    assert body["online_share"] == 0.5
