"""The reporter closes the loop: rate within 7 days or reopen once; otherwise it closes itself."""
from datetime import timedelta

import time_machine

from app.common.clock import utcnow
from app.reports.jobs import close_unrated
from tests.dossiers_fixtures import outbox
from tests.reports_fixtures import act, file, report, reports_world, resolve, storage  # noqa: F401


def resolved(client, w):
    report_id = file(client, w.h("citizen")).get_json()["report"]["id"]
    act(client, w.h("officer"), report_id, "acknowledge")
    assert resolve(client, w.h("officer"), report_id).status_code == 200
    return report_id


def test_rating_closes_the_report(client, reports_world):
    w = reports_world
    report_id = resolved(client, w)
    response = client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 5, "comment": "Rất nhanh."},
                           headers=w.h("citizen"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "closed" and response.get_json()["rating"] == 5
    assert report(report_id).rating_comment == "Rất nhanh."


def test_rating_is_for_the_reporter_only_and_in_range(client, reports_world):
    w = reports_world
    report_id = resolved(client, w)
    other = client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 1}, headers=w.h("other_citizen"))
    assert other.status_code == 403 and other.get_json()["code"] == "not_reporter"
    assert client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 6},
                       headers=w.h("citizen")).status_code == 422


def test_reopen_once_with_a_reason(client, reports_world):
    w = reports_world
    report_id = resolved(client, w)
    reopened = client.post(f"/api/v1/reports/{report_id}/reopen", json={"reason": "Đèn lại tắt sau hai ngày."},
                           headers=w.h("citizen"))
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "reopened"
    assert outbox(w.citizen, "report_reopened")
    act(client, w.h("officer"), report_id, "acknowledge")
    resolve(client, w.h("officer"), report_id, result="Đã thay cả bộ đèn.")
    twice = client.post(f"/api/v1/reports/{report_id}/reopen", json={"reason": "Vẫn chưa sáng ổn định."},
                        headers=w.h("citizen"))
    assert twice.status_code == 409 and twice.get_json()["code"] == "reopen_used"
    assert report(report_id).reopen_count == 1


def test_after_seven_days_it_is_too_late_and_the_job_closes_it(client, reports_world):
    w = reports_world
    report_id = resolved(client, w)
    with time_machine.travel(utcnow() + timedelta(days=6, hours=23), tick=False):
        assert close_unrated() == 0
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=5), tick=False):
        late = client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 4}, headers=w.h("citizen"))
        assert late.status_code == 409 and late.get_json()["code"] == "window_closed"
        reopen = client.post(f"/api/v1/reports/{report_id}/reopen", json={"reason": "Chưa sửa xong."},
                             headers=w.h("citizen"))
        assert reopen.status_code == 409
        assert close_unrated() == 1
        assert close_unrated() == 0
    closed = report(report_id)
    assert closed.status == "closed" and closed.rating is None and closed.closed_at is not None
