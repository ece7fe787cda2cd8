"""The officer workflow through the API: who may fire what, reasons, fees, events, notifications."""
import uuid

import pytest
import time_machine
from sqlalchemy import select

from app.common import roles
from app.common.workdays import add_working_days
from app.dossiers.models import Dossier, TimelineEntry
from app.dossiers.service import record_fee_paid
from app.extensions import db
from tests.dossiers_fixtures import (
    Api, BIRTH, BIRTH_RESULT, COMMUNE, Desk, JPEG_BYTES, JUDICIAL_RECORD, MARITAL_STATUS, OTHER_COMMUNE,
    bearer, birth_dossier, citizen_account, outbox, staff,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401


def _timeline(dossier_id):
    return list(db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == uuid.UUID(dossier_id))
                                   .order_by(TimelineEntry.created_at)))


def test_one_dossier_from_submission_to_result(client, catalog, published):
    api, desk = Api(client), Desk()
    account = citizen_account()
    citizen = bearer(account)
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH])

    received = api.act(desk.reception_h, dossier_id, "receive")
    assert received.status_code == 200 and received.get_json()["status"] == "received"
    assigned = api.act(desk.reception_h, dossier_id, "assign", assignee_id=str(desk.processor.id))
    assert assigned.get_json()["assigned_officer_id"] == str(desk.processor.id)
    assert api.get(desk.processor_h, dossier_id).get_json()["allowed_actions"] == [
        "assign", "request_supplement", "propose"]
    supplement = api.act(desk.processor_h, dossier_id, "request_supplement", reason_code="unreadable_document",
                         reason="Giấy chứng sinh bị mờ, đề nghị tải lại bản rõ nét")
    assert supplement.get_json()["status"] == "supplement_requested"
    assert api.get(citizen, dossier_id).get_json()["allowed_actions"] == ["resubmit"]
    assert api.upload(citizen, dossier_id, "medical_birth_certificate", JPEG_BYTES, "chung-sinh.jpg",
                      "image/jpeg").status_code == 201
    assert api.act(citizen, dossier_id, "resubmit").get_json()["status"] == "in_processing"
    assert api.act(desk.processor_h, dossier_id, "propose").get_json()["status"] == "pending_approval"
    assert api.act(desk.approver_h, dossier_id, "approve").get_json()["status"] == "approved"
    issued = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT)
    assert issued.status_code == 201
    body = api.get(citizen, dossier_id).get_json()
    assert body["status"] == "result_issued" and body["completed_at"] is not None and body["allowed_actions"] == []

    assert [(e.action, e.to_status) for e in _timeline(dossier_id)] == [
        ("create", "draft"), ("submit", "submitted"), ("receive", "received"), ("assign", "in_processing"),
        ("request_supplement", "supplement_requested"), ("document_added", None), ("resubmit", "in_processing"),
        ("propose", "pending_approval"), ("approve", "approved"), ("issue_result", "result_issued")]
    entries = {e.action: e for e in _timeline(dossier_id)}
    assert entries["receive"].account_id == desk.reception.id and entries["receive"].actor_role == "officer"
    assert entries["request_supplement"].reason == "Giấy chứng sinh bị mờ, đề nghị tải lại bản rõ nét"
    assert entries["assign"].data == {"assignee_id": str(desk.processor.id)}
    assert [m.event for m in outbox(account)] == [
        "dossier_submitted", "dossier_received", "supplement_requested", "dossier_approved", "result_issued"]
    assert outbox(account, "supplement_requested")[0].params["reason"].startswith("Giấy chứng sinh bị mờ")
    assert [e for e, _ in published] == ["dossier.submitted", "dossier.received", "dossier.result_issued"]


# Each refusal: (state to reach, who acts, action, body, status, code)
REFUSALS = [
    ("submitted", "citizen", "receive", {}, 403, "forbidden_role"),
    ("submitted", "approver", "receive", {}, 403, "forbidden_role"),
    ("submitted", "reception", "approve", {}, 403, "forbidden_role"),
    ("submitted", "reception", "propose", {}, 403, "not_assignee"),
    ("submitted", "reception", "return", {}, 422, "reason_required"),
    ("submitted", "reception", "return", {"reason": "   "}, 422, "reason_required"),
    ("received", "reception", "receive", {}, 409, "transition_not_allowed"),
    ("received", "citizen", "withdraw", {}, 409, "transition_not_allowed"),
    ("received", "citizen", "resubmit", {}, 409, "transition_not_allowed"),
    ("in_processing", "reception", "request_supplement", {"reason": "x"}, 403, "not_assignee"),
    ("in_processing", "processor", "request_supplement", {}, 422, "reason_required"),
    ("in_processing", "processor", "request_supplement", {"reason": "x"}, 422, "reason_code_required"),
    ("submitted", "reception", "return", {"reason": "x"}, 422, "reason_code_required"),
    ("in_processing", "approver", "approve", {}, 409, "transition_not_allowed"),
    ("pending_approval", "processor", "approve", {}, 403, "forbidden_role"),
    ("pending_approval", "approver", "reject", {}, 422, "reason_required"),
    ("pending_approval", "approver", "send_back", {}, 422, "reason_required"),
    ("approved", "approver", "approve", {}, 409, "transition_not_allowed"),
    ("approved", "approver", "reject", {"reason": "x"}, 409, "transition_not_allowed"),
]


@pytest.mark.parametrize("state, who, action, body, status, code", REFUSALS)
def test_refused_transitions_change_nothing(client, catalog, published, state, who, action, body, status, code):
    api, desk = Api(client), Desk()
    account = citizen_account()
    dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])
    if state != "submitted":
        desk.take_to(api, dossier_id, state)
    before = db.session.get(Dossier, uuid.UUID(dossier_id))
    db.session.refresh(before)
    version, entries, events = before.version, len(_timeline(dossier_id)), len(published)
    headers = {"citizen": bearer(account), "reception": desk.reception_h, "processor": desk.processor_h,
               "approver": desk.approver_h}[who]
    response = api.act(headers, dossier_id, action, **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    after = db.session.get(Dossier, uuid.UUID(dossier_id))
    db.session.refresh(after)
    assert (after.status, after.version) == (state, version)
    assert len(_timeline(dossier_id)) == entries and len(published) == events


def test_returning_as_invalid_ends_the_dossier_with_a_reason(client, catalog, published):
    api, desk = Api(client), Desk()
    account = citizen_account()
    dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])
    response = api.act(desk.reception_h, dossier_id, "return", reason_code="wrong_agency", reason="Sai thẩm quyền: trẻ sinh tại xã khác")
    assert response.status_code == 200 and response.get_json()["status"] == "returned"
    assert outbox(account, "dossier_returned")[0].params["reason"] == "Sai thẩm quyền: trẻ sinh tại xã khác"
    assert published[-1][0] == "dossier.rejected" and published[-1][1]["action"] == "return"


def test_the_approver_can_reject_or_send_back(client, catalog, published):
    api, desk = Api(client), Desk()
    account = citizen_account()
    first = birth_dossier(api, bearer(account), catalog[BIRTH])
    desk.take_to(api, first, "pending_approval")
    back = api.act(desk.approver_h, first, "send_back", reason="Kiểm tra lại nơi sinh")
    assert back.get_json()["status"] == "in_processing"
    api.act(desk.processor_h, first, "propose")
    rejected = api.act(desk.approver_h, first, "reject", reason="Đã đăng ký khai sinh tại nơi khác")
    assert rejected.get_json()["status"] == "rejected"
    assert outbox(account, "dossier_rejected")[0].params["reason"] == "Đã đăng ký khai sinh tại nơi khác"
    assert ("dossier.rejected", "reject") in [(e, p["action"]) for e, p in published]


def test_a_citizen_may_withdraw_until_the_dossier_is_received(client, catalog, published):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH])
    withdrawn = api.act(citizen, dossier_id, "withdraw", reason="Nộp nhầm")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert published[-1] == ("dossier.withdrawn", published[-1][1]) and published[-1][1]["dossier_id"] == uuid.UUID(dossier_id)
    other = birth_dossier(api, citizen, catalog[BIRTH])
    Desk().take_to(api, other, "received")
    refused = api.act(citizen, other, "withdraw")
    assert refused.status_code == 409 and refused.get_json()["code"] == "transition_not_allowed"


def test_assigning_needs_an_officer_of_the_same_agency_and_commune(client, catalog):
    api, desk = Api(client), Desk()
    dossier_id = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH])
    desk.take_to(api, dossier_id, "received")
    for outsider in (staff(commune_code=OTHER_COMMUNE, agency_code=f"UBND-{OTHER_COMMUNE}"),
                     staff(roles.APPROVER), citizen_account()):
        response = api.act(desk.reception_h, dossier_id, "assign", assignee_id=str(outsider.id))
        assert response.status_code == 422 and response.get_json()["code"] == "invalid_assignee"
    to_me = api.act(desk.processor_h, dossier_id, "assign")   # default: yourself
    assert to_me.get_json()["assigned_officer_id"] == str(desk.processor.id)


@pytest.mark.parametrize("outsider", ["other_commune", "other_agency", "approver_other_commune"])
def test_staff_outside_the_agency_or_commune_cannot_see_or_act(client, catalog, outsider):
    api = Api(client)
    dossier_id = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH])
    account = {
        "other_commune": lambda: staff(agency_code=f"UBND-{OTHER_COMMUNE}", commune_code=OTHER_COMMUNE),
        "other_agency": lambda: staff(agency_code="CA-80", commune_code=COMMUNE),
        "approver_other_commune": lambda: staff(roles.APPROVER, f"UBND-{OTHER_COMMUNE}", OTHER_COMMUNE),
    }[outsider]()
    headers = bearer(account)
    assert api.get(headers, dossier_id).status_code == 403
    response = api.act(headers, dossier_id, "receive")
    assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "submitted"


def test_an_officer_without_a_commune_covers_the_whole_agency(client, catalog):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH], submit=False)
    agency_wide = bearer(staff(commune_code=None))
    assert api.get(agency_wide, dossier_id).status_code == 404          # a draft is private
    api.submit(citizen, dossier_id)
    assert api.get(agency_wide, dossier_id).status_code == 200
    assert api.act(agency_wide, dossier_id, "receive").get_json()["status"] == "received"


def test_a_dossier_with_a_fee_is_received_only_once_paid(client, catalog):
    api = Api(client)
    account = citizen_account()
    citizen = bearer(account)
    dossier_id = api.start(citizen, catalog[JUDICIAL_RECORD]).get_json()["id"]
    api.fill(citizen, dossier_id, {"certificate_type": "1", "copies": 1, "purpose": "Bổ sung hồ sơ xin việc"})
    assert api.submit(citizen, dossier_id).status_code == 200
    officer = bearer(staff(agency_code="STP-80", commune_code=None))
    assert api.get(officer, dossier_id).get_json()["allowed_actions"] == ["return"]
    refused = api.act(officer, dossier_id, "receive")
    assert refused.status_code == 409 and refused.get_json()["code"] == "fee_unpaid"
    payment_id = uuid.uuid4()
    record_fee_paid(uuid.UUID(dossier_id), payment_id)
    db.session.commit()
    assert api.get(citizen, dossier_id).get_json()["fee"] == {"amount": 200_000, "status": "paid"}
    assert api.act(officer, dossier_id, "receive").get_json()["status"] == "received"
    fee_entry = next(e for e in _timeline(dossier_id) if e.action == "fee_paid")
    assert fee_entry.actor_role == "system" and fee_entry.data == {"payment_id": str(payment_id), "amount": 200_000}


def test_receiving_restarts_the_clock_from_the_reception_day(client, catalog):
    api, desk = Api(client), Desk()
    with time_machine.travel("2027-02-03 09:00 +07:00"):            # Wednesday before Tết 2027
        citizen = bearer(citizen_account())
        dossier_id = api.start(citizen, catalog[MARITAL_STATUS]).get_json()["id"]
        api.fill(citizen, dossier_id, {"purpose": "Kết hôn"})
        submitted = api.submit(citizen, dossier_id).get_json()
        assert submitted["due_date"] == "2027-02-15"               # 3 working days: 11, 12, 15 February
        record_fee_paid(uuid.UUID(dossier_id), uuid.uuid4())
        db.session.commit()
    with time_machine.travel("2027-02-11 09:00 +07:00"):            # first working day after Tết
        received = api.act(desk.login().reception_h, dossier_id, "receive").get_json()
        assert received["due_date"] == "2027-02-16"


def test_waiting_on_the_citizen_pauses_the_clock(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    with time_machine.travel("2026-12-01 09:00 +07:00"):           # Tuesday
        citizen = bearer(account)
        desk.login()
        dossier_id = api.start(citizen, catalog[MARITAL_STATUS]).get_json()["id"]
        api.fill(citizen, dossier_id, {"purpose": "Kết hôn"})
        api.submit(citizen, dossier_id)
        record_fee_paid(uuid.UUID(dossier_id), uuid.uuid4())
        db.session.commit()
        desk.take_to(api, dossier_id, "in_processing")
        due = api.get(citizen, dossier_id).get_json()["due_date"]
        assert due == "2026-12-04"
        api.act(desk.processor_h, dossier_id, "request_supplement", reason_code="missing_document", reason="Thiếu quyết định ly hôn")
    with time_machine.travel("2026-12-08 09:00 +07:00"):           # back 4 working days later
        body = api.act(bearer(account), dossier_id, "resubmit").get_json()
        assert body["paused_days"] == 4
        assert body["due_date"] == add_working_days(date_of(due), 4).isoformat() == "2026-12-10"


def date_of(text):
    from datetime import date
    return date.fromisoformat(text)


def test_overdue_is_shown_while_the_clock_runs(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    with time_machine.travel("2026-12-01 09:00 +07:00"):
        dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])
        desk.login().take_to(api, dossier_id, "received")
    with time_machine.travel("2026-12-10 09:00 +07:00"):
        desk.login()
        citizen = bearer(account)
        assert api.get(citizen, dossier_id).get_json()["overdue"] is True
        api.act(desk.reception_h, dossier_id, "assign")
        api.act(desk.reception_h, dossier_id, "request_supplement", reason_code="missing_document", reason="Bổ sung")
        assert api.get(citizen, dossier_id).get_json()["overdue"] is False   # paused: waiting on the citizen
