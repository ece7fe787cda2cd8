"""Teams: the commune's officers (and admins) create them and manage their members."""
import uuid

from sqlalchemy import select

from app.assistance.models import Delegation, Team, TeamMember
from app.extensions import db
from tests.assistance_fixtures import (  # noqa: F401
    API, COMMUNE, OTHER_COMMUNE, Visit, assistant, bearer, catalog, fresh_rate_limits, make_team, officer, resident,
    storage,
)
from tests.factories import AccountFactory


def _create(client, headers, commune_code=COMMUNE, name="Tổ CNS ấp Hưng Thạnh"):
    return client.post(f"{API}/teams", json={"commune_code": commune_code, "name": name}, headers=headers)


def test_an_officer_creates_a_team_of_their_commune_and_adds_members(client, catalog):
    boss = officer()
    headers = bearer(boss)
    created = _create(client, headers)
    assert created.status_code == 201, created.get_json()
    team = created.get_json()
    assert team["commune_code"] == COMMUNE and team["active"] is True
    member = assistant()
    added = client.post(f"{API}/teams/{team['id']}/members", json={"account_id": str(member.id)}, headers=headers)
    assert added.status_code == 201 and added.get_json()["full_name"] == "Lê Thị Hoa"
    listed = client.get(f"{API}/teams/{team['id']}/members", headers=headers).get_json()
    assert [m["account_id"] for m in listed] == [str(member.id)]
    assert db.session.scalar(select(TeamMember.added_by).where(TeamMember.account_id == member.id)) == boss.id
    teams = client.get(f"{API}/teams", headers=headers).get_json()["items"]
    assert [t["id"] for t in teams] == [team["id"]]


def test_officers_manage_only_their_own_commune(client, catalog):
    far = bearer(officer(OTHER_COMMUNE))
    refused = _create(client, far, COMMUNE)
    assert refused.status_code == 403 and refused.get_json()["code"] == "out_of_scope"
    team = make_team(COMMUNE)
    for response in (client.get(f"{API}/teams/{team.id}", headers=far),
                     client.patch(f"{API}/teams/{team.id}", json={"name": "x"}, headers=far),
                     client.post(f"{API}/teams/{team.id}/members", json={"account_id": str(uuid.uuid4())},
                                 headers=far),
                     client.get(f"{API}/teams?commune_code={COMMUNE}", headers=far)):
        assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    assert client.get(f"{API}/teams", headers=far).get_json()["items"] == []


def test_admins_manage_everywhere_and_leaders_read(client, catalog):
    admin = bearer(AccountFactory(role="admin", level=2))
    assert _create(client, admin, OTHER_COMMUNE).status_code == 201
    leader = bearer(AccountFactory(role="leader", level=2))
    assert _create(client, leader).get_json()["code"] == "forbidden_role"
    assert len(client.get(f"{API}/teams", headers=leader).get_json()["items"]) == 1
    assert client.get(f"{API}/teams?commune_code={COMMUNE}", headers=leader).get_json()["items"] == []
    citizen = bearer(resident()[1])
    assert client.get(f"{API}/teams", headers=citizen).get_json()["code"] == "forbidden_role"


def test_a_team_needs_a_real_commune(client, catalog):
    admin = bearer(AccountFactory(role="admin", level=2))
    response = _create(client, admin, "99999")
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_commune"
    response = _create(client, admin, "27")
    assert response.status_code == 422 and "commune_code" in response.get_json()["errors"]


def test_members_are_active_assistants_of_the_commune_in_one_team(client, catalog):
    headers = bearer(officer())
    team = make_team(COMMUNE)
    other = make_team(COMMUNE)
    for account, code in [(officer(), "not_an_assistant"), (assistant(status="disabled"), "not_an_assistant"),
                          (resident()[1], "not_an_assistant"),
                          (assistant(commune_code=OTHER_COMMUNE), "member_of_other_commune")]:
        response = client.post(f"{API}/teams/{team.id}/members", json={"account_id": str(account.id)},
                               headers=headers)
        assert response.status_code == 422 and response.get_json()["code"] == code
    member = assistant()
    assert client.post(f"{API}/teams/{team.id}/members", json={"account_id": str(member.id)},
                       headers=headers).status_code == 201
    twice = client.post(f"{API}/teams/{other.id}/members", json={"account_id": str(member.id)}, headers=headers)
    assert twice.status_code == 409 and twice.get_json()["code"] == "already_in_team"
    # after leaving one team, another may take them
    assert client.delete(f"{API}/teams/{team.id}/members/{member.id}", headers=headers).status_code == 204
    assert client.post(f"{API}/teams/{other.id}/members", json={"account_id": str(member.id)},
                       headers=headers).status_code == 201
    gone = client.delete(f"{API}/teams/{team.id}/members/{member.id}", headers=headers)
    assert gone.status_code == 404 and gone.get_json()["code"] == "member_not_found"


def test_removing_a_member_ends_their_delegations(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    session, _headers = visit.consented(citizen, ["read_status"])
    pending = visit.start(resident()[0].personal_id, ["read_status"]).get_json()["id"]
    assert client.delete(f"{API}/teams/{visit.team.id}/members/{visit.member.id}",
                         headers=bearer(officer())).status_code == 204
    db.session.expire_all()
    for session_id in (session["id"], pending):
        row = db.session.get(Delegation, uuid.UUID(session_id))
        assert row.status == "revoked" and row.end_reason == "member_removed"
    refused = visit.start(resident()[0].personal_id, ["read_status"])
    assert refused.status_code == 403 and refused.get_json()["code"] == "not_in_team"


def test_deactivating_a_team_and_back(client, catalog):
    visit = Visit(client)
    headers = bearer(officer())
    off = client.patch(f"{API}/teams/{visit.team.id}", json={"active": False, "name": "Tổ 1"}, headers=headers)
    assert off.status_code == 200 and off.get_json() | {"id": None, "created_at": None} == {
        "id": None, "created_at": None, "commune_code": COMMUNE, "name": "Tổ 1", "active": False}
    assert visit.start(resident()[0].personal_id, ["read_status"]).get_json()["code"] == "not_in_team"
    assert client.patch(f"{API}/teams/{visit.team.id}", json={"active": True}, headers=headers).status_code == 200
    assert visit.start(resident()[0].personal_id, ["read_status"]).status_code == 201
    assert db.session.get(Team, visit.team.id).active is True
