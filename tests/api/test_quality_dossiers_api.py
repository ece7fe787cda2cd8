"""Late dossiers apologise (PDF letter), the leader sends a second supplement request, the stall detector."""
import io
import uuid
from datetime import datetime, timedelta

import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from app.common.clock import VIETNAM, local_today
from app.dossiers.models import Dossier, TimelineEntry
from app.extensions import db
from app.quality import stalls
from app.quality.models import QualityDossier
from app.quality.settings import settings
from tests.dossiers_fixtures import (  # noqa: F401
    Api, Desk, JPEG_BYTES, birth_dossier, catalog, citizen_account, outbox, storage,
)
from tests.factories import bearer


def _in_processing(client, catalog):
    citizen = citizen_account()
    headers = bearer(citizen)
    api, desk = Api(client), Desk()
    dossier_id = birth_dossier(api, headers, catalog["1.001193"])
    desk.take_to(api, dossier_id, "in_processing")
    return citizen, headers, api, desk, dossier_id


def test_the_responsible_officer_apologises_with_a_new_date_and_a_letter(client, catalog):
    citizen, headers, api, desk, dossier_id = _in_processing(client, catalog)
    dossier = db.session.get(Dossier, uuid.UUID(dossier_id))
    due = dossier.due_date
    new_date = due + timedelta(days=7)
    url = f"/api/v1/quality/dossiers/{dossier_id}/apology"
    body = {"new_date": new_date.isoformat(), "reason": "Cần xác minh thông tin với cơ quan công an."}
    assert client.post(url, json=body, headers=desk.reception_h).status_code == 403   # not the assignee
    too_early = client.post(url, json={**body, "new_date": due.isoformat()}, headers=desk.processor_h)
    assert too_early.status_code == 422 and too_early.get_json()["code"] == "new_date_not_valid"
    response = client.post(url, json=body, headers=desk.processor_h)
    assert response.status_code == 201, response.get_json()
    apology = response.get_json()
    assert apology["new_date"] == new_date.isoformat() and apology["due_date"] == due.isoformat()
    # the dossier records the new date; its legal due date does not move
    db.session.refresh(dossier)
    assert dossier.promised_date == new_date and dossier.due_date == due
    entry = db.session.scalar(select(TimelineEntry).where(TimelineEntry.action == "apologise"))
    assert entry.data == {"new_date": new_date.isoformat(), "due_date": due.isoformat()}
    assert db.session.get(QualityDossier, dossier.id).promised_date == new_date
    notice = outbox(citizen, "dossier_apology")
    assert len(notice) == 1 and new_date.strftime("%d/%m/%Y") in notice[0].body
    # the letter, in Vietnamese, for the citizen
    letter = client.get(apology["letter_url"], headers=headers)
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(letter.data)).pages[0].extract_text().split())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert dossier.receipt_code in text and dossier.applicant_name in text
    assert f"hẹn trả kết quả ngày {due:%d/%m/%Y}" in text
    assert f"hẹn lại ngày trả kết quả là ngày {new_date:%d/%m/%Y}" in text
    assert "Cần xác minh thông tin với cơ quan công an." in text
    assert desk.processor.full_name in text
    assert client.get(apology["letter_url"], headers=bearer(citizen_account())).status_code == 404
    listed = client.get(url, headers=headers).get_json()
    assert [a["id"] for a in listed] == [apology["id"]]
    assert client.get(url, headers=bearer(citizen_account())).get_json() == []


def test_a_finished_dossier_cannot_apologise(client, catalog):
    citizen, headers, api, desk, dossier_id = _in_processing(client, catalog)
    desk.take_to(api, dossier_id, "result_issued")
    response = client.post(f"/api/v1/quality/dossiers/{dossier_id}/apology",
                           json={"new_date": (local_today() + timedelta(days=30)).isoformat(), "reason": "Trễ"},
                           headers=desk.approver_h)
    assert response.status_code == 409


def test_a_second_supplement_request_is_the_leaders_and_says_so(client, catalog):
    citizen, headers, api, desk, dossier_id = _in_processing(client, catalog)
    first = api.act(desk.processor_h, dossier_id, "request_supplement", reason="Ảnh mờ",
                    reason_code="unreadable_document")
    assert first.status_code == 200
    assert api.upload(headers, dossier_id, "medical_birth_certificate", JPEG_BYTES, "a.jpg",
                      "image/jpeg").status_code == 201
    assert api.act(headers, dossier_id, "resubmit").status_code == 200
    assert "request_supplement" not in api.get(desk.processor_h, dossier_id).get_json()["allowed_actions"]
    refused = api.act(desk.processor_h, dossier_id, "request_supplement", reason="Thiếu giấy",
                      reason_code="missing_document")
    assert refused.status_code == 403 and refused.get_json()["code"] == "leader_approval_required"
    second = api.act(desk.approver_h, dossier_id, "request_supplement", reason="Thiếu giấy kết hôn",
                     reason_code="missing_document")
    assert second.status_code == 200 and second.get_json()["status"] == "supplement_requested"
    messages = outbox(citizen, "supplement_requested")
    assert len(messages) == 2
    assert "lãnh đạo cơ quan phê duyệt" not in messages[0].body
    assert "yêu cầu bổ sung lần 2, đã được lãnh đạo cơ quan phê duyệt" in messages[1].body
    record = db.session.get(QualityDossier, uuid.UUID(dossier_id))
    assert record.supplement_count == 2 and record.last_reason_code == "missing_document"


def test_the_stall_detector_tells_the_officer_then_the_leader_once_each(client, catalog):
    citizen = citizen_account()
    api, desk = Api(client), Desk()
    monday = datetime(2026, 12, 7, 9, tzinfo=VIETNAM)
    with time_machine.travel(monday, tick=False):
        headers = bearer(citizen)
        dossier_id = birth_dossier(api, headers, catalog["1.001193"])
        desk.login().take_to(api, dossier_id, "in_processing")
        finished_id = birth_dossier(api, headers, catalog["1.001193"])
        desk.take_to(api, finished_id, "result_issued")
    limit = settings().stall_limits_hours["in_processing"]     # 40 working hours: 5 days
    assert stalls.scan_stalls(settings(), monday + timedelta(days=4)) == 0
    # Monday next week 10:00: 41 working hours
    assert stalls.scan_stalls(settings(), monday + timedelta(days=7, hours=1)) == 1
    assert stalls.scan_stalls(settings(), monday + timedelta(days=7, hours=2)) == 0
    assert [m.event for m in outbox(desk.processor)] == ["dossier_stalled"]
    assert outbox(desk.approver) == []
    record = db.session.get(QualityDossier, uuid.UUID(dossier_id))
    assert record.stall_level == 1
    # twice the limit: the leader
    assert stalls.scan_stalls(settings(), monday + timedelta(days=14, hours=1)) == 1
    assert stalls.scan_stalls(settings(), monday + timedelta(days=21)) == 0
    assert [m.event for m in outbox(desk.approver)] == ["dossier_stalled"]
    assert len(outbox(desk.processor)) == 1
    # the finished dossier was never flagged, and the IOC list shows where and how long
    assert db.session.get(QualityDossier, uuid.UUID(finished_id)).stall_level == 0
    with time_machine.travel(monday + timedelta(days=21), tick=False):
        listed = client.get("/api/v1/quality/stalled", headers=desk.login().approver_h).get_json()["items"]
    assert [i["id"] for i in listed] == [dossier_id]
    assert listed[0]["status"] == "in_processing" and listed[0]["working_hours"] >= 2 * limit
    # a state change starts again
    with time_machine.travel(monday + timedelta(days=21), tick=False):
        assert api.act(desk.login().processor_h, dossier_id, "propose").status_code == 200
    db.session.refresh(record)
    assert record.stall_level == 0 and record.status == "pending_approval"
