"""Triage and handling: routing, refusal, transfer, acknowledge, notes, resolve; scope; merge; versions."""
import uuid

import pytest
from sqlalchemy import select

from app.common import events
from app.extensions import db
from app.reports.models import ReportFollower, ReportTimelineEntry
from tests.dossiers_fixtures import outbox
from tests.factories import COMMUNE
from tests.reports_fixtures import (  # noqa: F401
    POINT, act, agency, file, jpeg, report, reports_world, resolve, storage,
)


@pytest.fixture
def seen():
    """The report.* events published during the test."""
    got, names = [], ("report.assigned", "report.refused", "report.merged", "report.in_progress",
                      "report.resolved", "report.closed", "report.reopened", "report.escalated")
    handlers = {name: (lambda _n=name, **payload: got.append((_n, payload["change"]))) for name in names}
    for name, handler in handlers.items():
        events.subscribe(name, handler)
    yield got
    for name, handler in handlers.items():
        events._handlers[name].remove(handler)


def filed(client, w, **kwargs):
    response = file(client, w.h("citizen"), **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["report"]["id"]


def actions(report_id):
    return [e.action for e in db.session.scalars(select(ReportTimelineEntry).where(
        ReportTimelineEntry.report_id == uuid.UUID(report_id)).order_by(ReportTimelineEntry.created_at))]


def test_officer_acknowledges_notes_and_resolves(client, reports_world, seen):
    w = reports_world
    report_id = filed(client, w)
    h = w.h("officer")
    assert act(client, h, report_id, "acknowledge").get_json()["status"] == "in_progress"
    note = act(client, h, report_id, "note", reason="Đã báo đội điện lực, dự kiến sửa ngày mai.")
    assert note.status_code == 200
    done = resolve(client, h, report_id, photos=[jpeg()])
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "resolved" and body["result"] == "Đã thay bóng đèn mới."
    assert [p["kind"] for p in body["photos"]] == ["result"]
    assert actions(report_id) == ["file", "auto_route", "acknowledge", "note", "resolve"]
    assert [m.event for m in outbox(w.citizen)] == ["report_received", "report_in_progress", "report_progress",
                                                    "report_resolved"]
    assert [name for name, _ in seen] == ["report.assigned", "report.in_progress", "report.resolved"]
    assert seen[-1][1].category_code == "street_lighting" and seen[-1][1].commune_code == COMMUNE
    assert report(report_id).acknowledged_at is not None and report(report_id).resolved_at is not None


def test_reason_required_and_state_checked(client, reports_world):
    w = reports_world
    report_id = filed(client, w)
    assert act(client, w.h("officer"), report_id, "note", reason="x").status_code == 409      # not in progress
    act(client, w.h("officer"), report_id, "acknowledge")
    missing = act(client, w.h("officer"), report_id, "transfer", agency_id=str(agency("SXD-80").id))
    assert missing.status_code == 422 and missing.get_json()["code"] == "reason_required"


def test_another_agencys_officer_is_out_of_scope(client, reports_world):
    w = reports_world
    report_id = filed(client, w)
    response = act(client, w.h("other_officer"), report_id, "acknowledge")
    assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    assert client.get(f"/api/v1/reports/{report_id}", headers=w.h("other_officer")).status_code == 200  # public
    assert client.get("/api/v1/reports/inbox", headers=w.h("other_officer")).get_json()["items"] == []
    mine = client.get("/api/v1/reports/inbox", headers=w.h("officer")).get_json()["items"]
    assert [r["id"] for r in mine] == [report_id] and mine[0]["reporter_account_id"] == str(w.citizen.id)


def test_a_private_report_is_hidden_from_others(client, reports_world):
    w = reports_world
    report_id = filed(client, w, category="officials_conduct", description="Cán bộ đòi tiền để làm nhanh hồ sơ.")
    assert client.get(f"/api/v1/reports/{report_id}", headers=w.h("other_citizen")).status_code == 404
    assert client.get(f"/api/v1/reports/{report_id}").status_code == 404
    assert client.get(f"/api/v1/reports/{report_id}", headers=w.h("other_officer")).status_code == 403
    own = client.get(f"/api/v1/reports/{report_id}", headers=w.h("citizen")).get_json()
    assert own["reporter_account_id"] == str(w.citizen.id) and own["agency"]["code"] == "TTRA-80"
    assert client.get("/api/v1/reports/feed").get_json()["features"] == []


def test_the_public_never_sees_the_reporter(client, reports_world):
    w = reports_world
    report_id = filed(client, w, photos=[jpeg()])
    for headers in ({}, w.h("other_citizen")):
        body = client.get(f"/api/v1/reports/{report_id}", headers=headers).get_json()
        assert body["reporter"] == "Một người dân" and "reporter_account_id" not in body
        assert str(w.citizen.id) not in str(body) and "version" not in body
        assert all(entry["by"] in ("citizen", "system", "staff") for entry in body["timeline"])
    english = client.get(f"/api/v1/reports/{report_id}", headers={"Accept-Language": "en"}).get_json()
    assert english["reporter"] == "A citizen"


def test_dispatcher_routes_refuses_and_hides(client, reports_world):
    w = reports_world
    report_id = filed(client, w, photos=[jpeg()])
    routed = act(client, w.h("dispatcher"), report_id, "route", agency_id=str(agency("SXD-80").id))
    assert routed.status_code == 200 and routed.get_json()["agency"]["code"] == "SXD-80"
    assert act(client, w.h("officer"), report_id, "acknowledge").status_code == 403     # no longer theirs
    photo = routed.get_json()["photos"][0]
    hidden = client.patch(photo["url"], json={"hidden": True}, headers=w.h("dispatcher"))
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert client.get(photo["url"]).status_code == 404
    assert client.get(f"/api/v1/reports/{report_id}").get_json()["photos"] == []
    assert client.get(photo["url"], headers=w.h("citizen")).status_code == 200      # the reporter still sees it
    refused = act(client, w.h("dispatcher"), report_id, "refuse", reason="Ngoài phạm vi: đèn trong khu dân cư tư nhân.",
                  refusal_kind="out_of_scope")
    assert refused.get_json()["status"] == "refused"
    mine = client.get(f"/api/v1/reports/{report_id}", headers=w.h("citizen")).get_json()
    assert mine["refusal_reason"].startswith("Ngoài phạm vi")
    assert outbox(w.citizen, "report_refused")[0].params["reason"].startswith("Ngoài phạm vi")


def test_spam_leaves_the_public_feed(client, reports_world):
    w = reports_world
    report_id = filed(client, w)
    assert len(client.get("/api/v1/reports/feed").get_json()["features"]) == 1
    act(client, w.h("dispatcher"), report_id, "refuse", reason="Nội dung quảng cáo.", refusal_kind="spam")
    assert client.get("/api/v1/reports/feed").get_json()["features"] == []
    assert client.get(f"/api/v1/reports/{report_id}", headers=w.h("other_citizen")).status_code == 404


def test_transfer_keeps_the_due_date(client, reports_world):
    w = reports_world
    report_id = filed(client, w)
    due = report(report_id).due_date
    act(client, w.h("officer"), report_id, "acknowledge")
    moved = act(client, w.h("officer"), report_id, "transfer", reason="Cột đèn do Sở Xây dựng quản lý.",
                agency_id=str(agency("SXD-80").id))
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "assigned" and moved.get_json()["agency"]["code"] == "SXD-80"
    assert report(report_id).due_date == due
    assert outbox(w.citizen, "report_routed")[0].params["reason"] == "Cột đèn do Sở Xây dựng quản lý."


def test_stale_version_is_a_conflict(client, reports_world):
    w = reports_world
    report_id = filed(client, w)
    version = report(report_id).version
    assert act(client, w.h("officer"), report_id, "acknowledge", version=version).status_code == 200
    stale = act(client, w.h("officer"), report_id, "note", reason="Đang xử lý.", version=version)
    assert stale.status_code == 409 and stale.get_json()["code"] == "concurrent_change"


def test_merge_moves_followers_and_counts_and_tells_everyone(client, reports_world, seen):
    w = reports_world
    keep = filed(client, w)
    duplicate = file(client, w.h("other_citizen"), point=(POINT[0] + 0.0001, POINT[1])).get_json()["report"]["id"]
    third = __import__("tests.factories", fromlist=["AccountFactory"]).AccountFactory(level=1)
    assert client.post(f"/api/v1/reports/{duplicate}/follow", headers=w.h(third)).status_code == 200
    assert client.post(f"/api/v1/reports/{duplicate}/merge", json={"into_id": keep},
                       headers=w.h("officer")).status_code == 403
    merged = client.post(f"/api/v1/reports/{duplicate}/merge", json={"into_id": keep}, headers=w.h("dispatcher"))
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["status"] == "merged" and merged.get_json()["merged_into"] == keep
    kept = report(keep)
    assert kept.supporters == 3
    followers = set(db.session.scalars(select(ReportFollower.account_id).where(ReportFollower.report_id == kept.id)))
    assert followers == {w.citizen.id, w.other_citizen.id, third.id}
    for account in (w.other_citizen, third):
        assert outbox(account, "report_merged")[0].params["target_reference"] == keep.split("-")[0].upper()
    assert ("report.merged" in [name for name, _ in seen])
    again = client.post(f"/api/v1/reports/{duplicate}/merge", json={"into_id": keep}, headers=w.h("dispatcher"))
    assert again.status_code == 409
    # a later change of the kept report reaches the merged report's people too
    act(client, w.h("officer"), keep, "acknowledge")
    assert outbox(third, "report_in_progress")


def test_merge_refuses_another_category_or_itself(client, reports_world):
    w = reports_world
    one = filed(client, w)
    other = filed(client, w, category="trees_parks", description="Cây gãy cành chắn lối đi.")
    assert client.post(f"/api/v1/reports/{one}/merge", json={"into_id": other},
                       headers=w.h("dispatcher")).status_code == 409
    assert client.post(f"/api/v1/reports/{one}/merge", json={"into_id": one},
                       headers=w.h("dispatcher")).status_code == 409


def test_the_event_of_a_transfer_names_the_new_agency(client, reports_world, seen):
    w = reports_world
    report_id = filed(client, w)
    department = agency("SXD-80")
    act(client, w.h("officer"), report_id, "transfer", reason="Thuộc Sở Xây dựng.", agency_id=str(department.id))
    name, change = seen[-1]
    assert name == "report.assigned" and change.action == "transfer" and change.agency_id == department.id
