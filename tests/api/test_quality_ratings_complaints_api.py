"""Ratings (once, within the window, never who) and complaints (deadlines, workflow, notices, escalation)."""
import uuid
from datetime import date, datetime, timedelta

import time_machine
from sqlalchemy import select

from app.common.clock import VIETNAM
from app.extensions import db
from app.quality import complaints as complaint_rules
from app.quality.models import Complaint, QualityDossier, Rating
from app.quality.settings import settings
from tests.dossiers_fixtures import (  # noqa: F401
    COMMUNE, Api, Desk, birth_dossier, catalog, citizen_account, outbox, roles, staff, storage,
)
from tests.assistance_fixtures import PROCEDURE, Visit, resident
from tests.factories import AccountFactory, bearer
from tests.quality_fixtures import finished_dossier

RATE = "/api/v1/quality/dossiers/{}/rating"


def test_a_finished_dossier_is_rated_once_and_the_rating_names_nobody(client, catalog):
    citizen = citizen_account()
    headers = bearer(citizen)
    dossier_id = finished_dossier(client, catalog, headers)
    body = {"verdict": "dissatisfied", "score": 2, "reasons": ["slow", "slow", "unclear_guidance"],
            "comment": " Chờ lâu "}
    response = client.post(RATE.format(dossier_id), json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reasons"] == ["slow", "unclear_guidance"]
    rating = db.session.scalar(select(Rating))
    assert rating.comment == "Chờ lâu" and not hasattr(rating, "citizen_account_id")
    again = client.post(RATE.format(dossier_id), json={"verdict": "satisfied"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "already_rated"
    # a dislike costs the dossier its satisfaction
    assert db.session.get(QualityDossier, rating.dossier_id).unhappy
    leader = AccountFactory(role=roles.LEADER)
    summary = client.get("/api/v1/quality/ratings/summary", headers=bearer(leader)).get_json()
    assert summary == {"ratings": 1, "verdicts": {"satisfied": 0, "neutral": 0, "dissatisfied": 1},
                       "average_score": 2.0, "reasons": {"slow": 1, "unclear_guidance": 1}}


def test_ratings_refused_before_the_end_after_the_window_and_for_others(client, catalog):
    citizen, other = citizen_account(), citizen_account()
    headers = bearer(citizen)
    api, desk = Api(client), Desk()
    open_id = birth_dossier(api, headers, catalog["1.001193"])
    early = client.post(RATE.format(open_id), json={"verdict": "satisfied"}, headers=headers)
    assert early.status_code == 409 and early.get_json()["code"] == "dossier_not_finished"
    desk.take_to(api, open_id, "result_issued")
    theirs = client.post(RATE.format(open_id), json={"verdict": "satisfied"}, headers=bearer(other))
    assert theirs.status_code == 404
    bad = client.post(RATE.format(open_id), json={"verdict": "meh", "score": 9, "reasons": ["x"]}, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"verdict", "score", "reasons"}
    window = settings().rating_window_days
    with time_machine.travel(datetime.now(VIETNAM) + timedelta(days=window, hours=1), tick=False):
        late = client.post(RATE.format(open_id), json={"verdict": "satisfied"}, headers=bearer(citizen))
    assert late.status_code == 409 and late.get_json()["code"] == "rating_window_closed"
    with time_machine.travel(datetime.now(VIETNAM) + timedelta(days=window - 1), tick=False):
        ok = client.post(RATE.format(open_id), json={"verdict": "satisfied"}, headers=bearer(citizen))
    assert ok.status_code == 201


def test_a_returned_dossier_may_be_rated(client, catalog):
    citizen = citizen_account()
    headers = bearer(citizen)
    api, desk = Api(client), Desk()
    dossier_id = birth_dossier(api, headers, catalog["1.001193"])
    assert api.act(desk.reception_h, dossier_id, "return", reason="Sai thẩm quyền",
                   reason_code="wrong_agency").status_code == 200
    assert client.post(RATE.format(dossier_id), json={"verdict": "neutral"}, headers=headers).status_code == 201


# -- complaints -------------------------------------------------------------------------------------

def _file(client, headers, **body):
    body.setdefault("subject", "Hồ sơ bị yêu cầu bổ sung nhiều lần")
    body.setdefault("content", "Mỗi lần lại yêu cầu một giấy tờ khác.")
    return client.post("/api/v1/quality/complaints", json=body, headers=headers)


def test_complaint_deadlines_count_working_days_across_the_april_holidays(client, catalog):
    citizen = citizen_account()
    with time_machine.travel(datetime(2026, 4, 28, 9, tzinfo=VIETNAM), tick=False):
        response = _file(client, bearer(citizen), procedure_code="1.001193", commune_code=COMMUNE)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 30 April and 1 May are holidays, then a weekend
    assert (body["filed_on"], body["refuse_by"], body["info_by"], body["due_date"]) == (
        "2026-04-28", "2026-05-04", "2026-05-07", "2026-05-21")
    assert body["status"] == "filed" and body["allowed_actions"] == ["withdraw"]
    assert [m.event for m in outbox(citizen)] == ["complaint_filed"]


def test_a_complaint_about_a_dossier_goes_to_its_agency_and_is_answered(client, catalog):
    citizen = citizen_account()
    headers = bearer(citizen)
    desk = Desk()
    dossier_id = finished_dossier(client, catalog, headers, desk)
    filed = _file(client, headers, dossier_id=dossier_id).get_json()
    assert filed["agency_id"] == str(desk.processor.agency_id)
    assert db.session.get(QualityDossier, uuid.UUID(dossier_id)).unhappy
    url = f"/api/v1/quality/complaints/{filed['id']}/transitions"
    assert client.post(url, json={"action": "answer", "note": "x"}, headers=desk.processor_h).status_code == 409
    info = client.post(url, json={"action": "request_info", "note": "Xin ảnh chụp giấy hẹn"},
                       headers=desk.processor_h)
    assert info.get_json()["status"] == "info_requested"
    assert client.post(url, json={"action": "provide_info"}, headers=headers).get_json()["code"] == "note_required"
    assert client.post(url, json={"action": "provide_info", "note": "Đã gửi"}, headers=headers).status_code == 200
    answered = client.post(url, json={"action": "answer", "note": "Đã xử lý, xin lỗi ông/bà."},
                           headers=desk.approver_h)
    assert answered.status_code == 200
    assert answered.get_json()["status"] == "answered" and answered.get_json()["on_time"] is True
    events = [m.event for m in outbox(citizen) if m.event.startswith("complaint")]
    assert events == ["complaint_filed", "complaint_info_requested", "complaint_answered"]
    timeline = client.get(f"/api/v1/quality/complaints/{filed['id']}/timeline", headers=headers).get_json()
    assert [e["action"] for e in timeline] == ["file", "request_info", "provide_info", "answer"]
    # another agency's officer neither sees nor acts
    outsider = staff(roles.OFFICER, agency_code="CA-80", commune_code=None)
    assert client.get(f"/api/v1/quality/complaints/{filed['id']}", headers=bearer(outsider)).status_code == 403
    listed = client.get("/api/v1/quality/complaints", headers=bearer(outsider)).get_json()
    assert listed["items"] == []
    other_citizen = client.get(f"/api/v1/quality/complaints/{filed['id']}", headers=bearer(citizen_account()))
    assert other_citizen.status_code == 404


def test_complaint_targets_are_checked(client, catalog):
    headers = bearer(citizen_account())
    both = _file(client, headers, procedure_code="1.001193", dossier_id="3f6c2a4e-8b1d-4c5e-9a7f-2d8e6b4c1a90")
    assert both.status_code == 422 and both.get_json()["code"] == "complaint_target"
    assert _file(client, headers).get_json()["code"] == "complaint_target"
    unknown = _file(client, headers, procedure_code="9.999999")
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "unknown_procedure"


def test_a_late_refusal_counts_late(client, catalog):
    citizen = citizen_account()
    desk = Desk()
    with time_machine.travel(datetime(2026, 4, 28, 9, tzinfo=VIETNAM), tick=False):
        filed = _file(client, bearer(citizen), procedure_code="1.001193", commune_code=COMMUNE).get_json()
    with time_machine.travel(datetime(2026, 5, 5, 9, tzinfo=VIETNAM), tick=False):
        refused = client.post(f"/api/v1/quality/complaints/{filed['id']}/transitions",
                              json={"action": "refuse", "note": "Không thuộc thẩm quyền"},
                              headers=desk.login().processor_h)
    assert refused.get_json()["on_time"] is False
    # it costs the complaints indicator its point, and the drill-down names it
    leader = bearer(AccountFactory(role=roles.LEADER))
    index = client.get("/api/v1/quality/index", query_string={"from": "2026-05", "to": "2026-05"},
                       headers=leader).get_json()
    row = next(i for i in index["indicators"] if i["code"] == "complaints_on_time")
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 1, 0.0)
    items = client.get("/api/v1/quality/index/complaints_on_time/dossiers",
                       query_string={"from": "2026-05", "to": "2026-05"}, headers=leader).get_json()["items"]
    assert [(i["kind"], i["receipt_code"], i["why"]) for i in items] == [
        ("complaint", filed["reference"], ["complaint_late"])]
    april = client.get("/api/v1/quality/index/complaints_on_time/dossiers",
                       query_string={"from": "2026-04", "to": "2026-04"}, headers=leader).get_json()["items"]
    assert april == []


def test_overdue_complaints_escalate_once_per_level(client, catalog):
    citizen = citizen_account()
    desk = Desk()
    province_leader = AccountFactory(role=roles.LEADER)
    with time_machine.travel(datetime(2026, 4, 28, 9, tzinfo=VIETNAM), tick=False):
        _file(client, bearer(citizen), procedure_code="1.001193", commune_code=COMMUNE)
    complaint = db.session.scalar(select(Complaint))
    with time_machine.travel(datetime(2026, 5, 21, 20, tzinfo=VIETNAM), tick=False):
        assert complaint_rules.escalate_overdue(settings()) == 0     # due today: not yet
    with time_machine.travel(datetime(2026, 5, 22, 9, tzinfo=VIETNAM), tick=False):
        assert complaint_rules.escalate_overdue(settings()) == 1
        assert complaint_rules.escalate_overdue(settings()) == 0
    assert complaint.escalation_level == 1
    assert [m.event for m in outbox(desk.approver)] == ["complaint_overdue"]
    assert outbox(province_leader) == []
    with time_machine.travel(datetime(2026, 5, 29, 9, tzinfo=VIETNAM), tick=False):   # 5 working days late
        assert complaint_rules.escalate_overdue(settings()) == 1
        assert complaint_rules.escalate_overdue(settings()) == 0
    assert complaint.escalation_level == 2
    assert [m.event for m in outbox(province_leader)] == ["complaint_overdue"]
    assert len(outbox(desk.approver)) == 1



def test_waiting_for_the_citizens_information_stops_the_clock_across_tet(client, catalog):
    """Filed 25/1/2027, due 22/2; information asked 29/1, given 11/2 (Tết 4-10/2 between): due 25/2."""
    citizen = citizen_account()
    desk = Desk()
    province_leader = AccountFactory(role=roles.LEADER)

    def at(day, hour=9):
        return time_machine.travel(datetime(2027, *day, hour, tzinfo=VIETNAM), tick=False)

    with at((1, 25)):
        filed = _file(client, bearer(citizen), procedure_code="1.001193", commune_code=COMMUNE).get_json()
    assert (filed["due_date"], filed["paused_on"], filed["paused_days"]) == ("2027-02-22", None, 0)
    url = f"/api/v1/quality/complaints/{filed['id']}/transitions"
    with at((1, 29)):
        asked = client.post(url, json={"action": "request_info", "note": "Xin bản chụp giấy hẹn"},
                            headers=desk.login().processor_h).get_json()
    assert (asked["status"], asked["due_date"], asked["paused_on"]) == ("info_requested", "2027-02-22", "2027-01-29")
    # waiting: never escalated, even past the first due date
    with at((2, 23)):
        assert complaint_rules.escalate_overdue(settings()) == 0
    with at((2, 11)):
        given = client.post(url, json={"action": "provide_info", "note": "Đã gửi bản chụp"},
                            headers=bearer(citizen)).get_json()
    assert (given["status"], given["due_date"], given["paused_on"], given["paused_days"]) == (
        "in_progress", "2027-02-25", None, 3)
    db.session.expire_all()     # the requests ran in sessions of their own
    complaint = db.session.get(Complaint, uuid.UUID(filed["id"]))
    assert (complaint.due_date, complaint.paused_on, complaint.paused_days) == (date(2027, 2, 25), None, 3)
    # the escalation job counts from the moved due date
    with at((2, 25), 20):
        assert complaint_rules.escalate_overdue(settings()) == 0
    with at((2, 26)):
        assert complaint_rules.escalate_overdue(settings()) == 1
    assert complaint.escalation_level == 1 and outbox(province_leader) == []
    with at((3, 3)):                                                       # 3 working days late
        assert complaint_rules.escalate_overdue(settings()) == 0
    with at((3, 4)):                                                       # 5 working days late
        assert complaint_rules.escalate_overdue(settings()) == 1
    assert [m.event for m in outbox(province_leader)] == ["complaint_overdue"]
    assert complaint.escalation_level == 2


def test_an_answer_within_the_paused_clock_counts_on_time_and_one_after_it_late(client, catalog):
    citizen = citizen_account()
    desk = Desk()
    leader = bearer(AccountFactory(role=roles.LEADER))

    def at(month, day):
        return time_machine.travel(datetime(2027, month, day, 9, tzinfo=VIETNAM), tick=False)

    def handled(answer_day):
        with at(1, 25):
            filed = _file(client, bearer(citizen), procedure_code="1.001193", commune_code=COMMUNE).get_json()
        url = f"/api/v1/quality/complaints/{filed['id']}/transitions"
        with at(1, 29):
            client.post(url, json={"action": "request_info", "note": "Xin bản chụp"},
                        headers=desk.login().processor_h)
        with at(2, 11):
            client.post(url, json={"action": "provide_info", "note": "Đã gửi"}, headers=bearer(citizen))
        with at(*answer_day):
            return client.post(url, json={"action": "answer", "note": "Đã xử lý."},
                               headers=desk.login().processor_h).get_json()

    # 25/2 is after the first due date (22/2) but within the paused clock's
    on_time, late = handled((2, 25)), handled((2, 26))
    assert (on_time["on_time"], late["on_time"]) == (True, False)
    index = client.get("/api/v1/quality/index", query_string={"from": "2027-02", "to": "2027-02"},
                       headers=leader).get_json()
    row = next(i for i in index["indicators"] if i["code"] == "complaints_on_time")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    items = client.get("/api/v1/quality/index/complaints_on_time/dossiers",
                       query_string={"from": "2027-02", "to": "2027-02"}, headers=leader).get_json()["items"]
    assert [(i["receipt_code"], i["due_date"]) for i in items] == [(late["reference"], "2027-02-25")]


def test_a_community_helper_files_with_the_residents_consent_in_their_name(client, catalog):
    citizen, account = resident()
    visit = Visit(client)
    _, helper = visit.consented(citizen, ["submit_dossier"], procedure_code=PROCEDURE)
    response = _file(client, helper, procedure_code=PROCEDURE, commune_code=COMMUNE)
    assert response.status_code == 201, response.get_json()
    complaint = db.session.scalar(select(Complaint))
    assert complaint.citizen_account_id == account.id and complaint.filed_by_id == visit.member.id
    assert response.get_json()["filed_by_helper"] is True
    other, _ = resident()
    _, reader = visit.consented(other, ["read_status"])
    refused = _file(client, reader, procedure_code=PROCEDURE, commune_code=COMMUNE)
    assert refused.status_code == 403 and refused.get_json()["code"] == "delegation_scope"
