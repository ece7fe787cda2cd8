"""My dossiers, the officer's inbox (scope, filters), stable cursors, timelines."""
import time_machine

from app.common import roles
from app.common.clock import utcnow
from tests.dossiers_fixtures import (
    AccountFactory, Api, BIRTH, Desk, MARITAL_STATUS, OTHER_COMMUNE, RESIDENCE, bearer, birth_dossier,
    citizen_account, staff,
)
from tests.dossiers_fixtures import catalog, storage  # noqa: F401

INBOX = "/api/v1/dossiers/inbox"


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_my_dossiers_are_mine_only_newest_first(client, catalog):
    api = Api(client)
    me, other = bearer(citizen_account()), bearer(citizen_account())
    first = birth_dossier(api, me, catalog[BIRTH])
    second = api.start(me, catalog[MARITAL_STATUS]).get_json()["id"]
    birth_dossier(api, other, catalog[BIRTH])
    assert _ids(client.get("/api/v1/dossiers", headers=me)) == [second, first]
    assert _ids(client.get("/api/v1/dossiers", headers=me, query_string={"status": "submitted"})) == [first]
    item = client.get("/api/v1/dossiers", headers=me).get_json()["items"][1]
    assert item["procedure"]["name"] == "Đăng ký khai sinh" and item["receipt_code"] and item["fee"]["status"]
    assert client.get("/api/v1/dossiers", headers=bearer(staff())).status_code == 403


def test_the_inbox_holds_the_agency_and_communes_submitted_dossiers(client, catalog):
    api = Api(client)
    here = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH])
    draft = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH], submit=False)
    elsewhere = bearer(citizen_account(current_commune_code=OTHER_COMMUNE, permanent_commune_code=OTHER_COMMUNE))
    there = birth_dossier(api, elsewhere, catalog[BIRTH])
    police = api.start(bearer(citizen_account()), catalog[RESIDENCE]).get_json()["id"]

    assert _ids(client.get(INBOX, headers=bearer(staff()))) == [here]
    assert _ids(client.get(INBOX, headers=bearer(staff(agency_code=f"UBND-{OTHER_COMMUNE}",
                                                       commune_code=OTHER_COMMUNE)))) == [there]
    assert _ids(client.get(INBOX, headers=bearer(staff(roles.APPROVER)))) == [here]
    assert draft not in _ids(client.get(INBOX, headers=bearer(staff(commune_code=None))))
    assert police not in _ids(client.get(INBOX, headers=bearer(staff(agency_code="CA-80"))))
    assert client.get(INBOX, headers=bearer(citizen_account())).status_code == 403
    assert client.get(INBOX, headers=bearer(AccountFactory(role=roles.OFFICER))).get_json()["items"] == []


def test_inbox_filters_by_status_procedure_assignment_and_overdue(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    with time_machine.travel("2026-12-01 09:00 +07:00"):
        desk.login()
        citizen = bearer(account)
        late = birth_dossier(api, citizen, catalog[BIRTH])
        desk.take_to(api, late, "in_processing")
        waiting = birth_dossier(api, citizen, catalog[BIRTH])
        mine = birth_dossier(api, citizen, catalog[BIRTH])
        api.act(desk.reception_h, mine, "receive")
        api.act(desk.reception_h, mine, "assign")
    with time_machine.travel("2026-12-03 09:00 +07:00"):
        desk.login()
        fresh = api.start(bearer(account), catalog[MARITAL_STATUS]).get_json()["id"]
        api.fill(bearer(account), fresh, {"purpose": "Kết hôn"})
        api.submit(bearer(account), fresh)
        officer = desk.reception_h
        assert _ids(client.get(INBOX, headers=officer, query_string={"status": "submitted"})) == [fresh, waiting]
        assert _ids(client.get(INBOX, headers=officer, query_string=[("status", "submitted"),
                                                                       ("status", "in_processing")])) == [
            fresh, mine, waiting, late]
        assert _ids(client.get(INBOX, headers=officer,
                               query_string={"procedure_id": str(catalog[MARITAL_STATUS].id)})) == [fresh]
        assert _ids(client.get(INBOX, headers=officer, query_string={"assigned_to_me": "true"})) == [mine]
        assert _ids(client.get(INBOX, headers=desk.processor_h, query_string={"assigned_to_me": "true"})) == [late]
        assert _ids(client.get(INBOX, headers=officer, query_string={"overdue": "true"})) == [mine, waiting, late]
        assert _ids(client.get(INBOX, headers=officer, query_string={"overdue": "false"})) == [fresh]
        bad = client.get(INBOX, headers=officer, query_string={"status": "lost"})
        assert bad.status_code == 422


def test_inbox_cursor_is_stable_when_new_dossiers_arrive(client, catalog):
    api = Api(client)
    officer = bearer(staff())
    citizen = bearer(citizen_account())
    created = [birth_dossier(api, citizen, catalog[BIRTH]) for _ in range(5)]
    first = client.get(INBOX, headers=officer, query_string={"limit": 2}).get_json()
    assert [i["id"] for i in first["items"]] == created[::-1][:2]
    newcomer = birth_dossier(api, citizen, catalog[BIRTH])          # arrives between two pages
    rest = client.get(INBOX, headers=officer, query_string={"limit": 10, "cursor": first["next_cursor"]}).get_json()
    assert [i["id"] for i in rest["items"]] == created[::-1][2:]
    assert newcomer not in [i["id"] for i in rest["items"]] and rest["next_cursor"] is None
    assert _ids(client.get(INBOX, headers=officer, query_string={"limit": 1}))[0] == newcomer
    broken = client.get(INBOX, headers=officer, query_string={"cursor": "nonsense"})
    assert broken.status_code == 422 and broken.get_json()["code"] == "invalid_cursor"


def test_the_timeline_is_shown_oldest_first_with_who_and_why(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])
    api.act(desk.reception_h, dossier_id, "return", reason_code="wrong_agency", reason="Giấy chứng sinh không hợp lệ")
    for headers in (bearer(account), desk.reception_h):
        entries = client.get(f"/api/v1/dossiers/{dossier_id}/timeline", headers=headers).get_json()
        assert [(e["action"], e["from_status"], e["to_status"]) for e in entries] == [
            ("create", None, "draft"), ("submit", "draft", "submitted"), ("return", "submitted", "returned")]
        assert entries[2]["reason"] == "Giấy chứng sinh không hợp lệ"
        assert entries[2]["account_id"] == str(desk.reception.id) and entries[2]["actor_role"] == "officer"
        assert entries[1]["account_id"] == str(account.id) and entries[1]["actor_id"] is None
        assert entries[0]["created_at"] <= entries[1]["created_at"] <= entries[2]["created_at"] <= utcnow().isoformat()
    assert client.get(f"/api/v1/dossiers/{dossier_id}/timeline", headers=bearer(citizen_account())).status_code == 404
