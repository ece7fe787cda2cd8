"""The figures endpoint: commune officers see their commune's teams, leaders and admins every team."""
from datetime import date, datetime, timezone

import pytest

from app.assistance import figures
from tests.assistance_fixtures import (  # noqa: F401
    API, COMMUNE, OTHER_COMMUNE, assistant, bearer, catalog, fresh_rate_limits, make_team, officer, storage,
)
from tests.factories import AccountFactory

MOMENT = datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def two_communes(catalog):
    ours, theirs = assistant(), assistant(commune_code=OTHER_COMMUNE)
    team, far = make_team(COMMUNE, ours), make_team(OTHER_COMMUNE, theirs)
    for member, t, n in ((ours, team, 3), (theirs, far, 1)):
        for i in range(n):
            figures.count(figures.DOSSIERS_SUBMITTED, team_id=t.id, member_id=member.id,
                          commune_code=t.commune_code, delegation_id=None, at=MOMENT)
            figures.count(figures.RESIDENTS_HELPED, team_id=t.id, member_id=member.id,
                          commune_code=t.commune_code, delegation_id=None, personal_id=f"08019050000{i}", at=MOMENT)
    return team, far


def _get(client, headers, **query):
    return client.get(f"{API}/figures", query_string={"start": "2026-11-01", "end": "2026-11-30", **query},
                      headers=headers)


def test_an_officer_sees_their_communes_teams_only(client, two_communes):
    team, far = two_communes
    headers = bearer(officer())
    response = _get(client, headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == "month" and body["start"] == "2026-11-01" and body["end"] == "2026-11-30"
    [row] = body["rows"]
    assert row["team_id"] == str(team.id) and row["commune_code"] == COMMUNE
    assert (row["dossiers_submitted"], row["residents_helped"], row["payments_completed"]) == (3, 3, 0)
    assert _get(client, headers, commune_code=OTHER_COMMUNE).get_json()["code"] == "out_of_scope"
    assert _get(client, headers, team_id=str(far.id)).get_json()["code"] == "out_of_scope"
    days = _get(client, headers, period="day", by="member").get_json()["rows"]
    assert [(r["start"], r["member_name"], r["dossiers_submitted"]) for r in days] == [
        ("2026-11-10", "Lê Thị Hoa", 3)]


def test_leaders_and_admins_see_every_commune(client, two_communes):
    for role in ("leader", "admin"):
        headers = bearer(AccountFactory(role=role, level=2))
        rows = _get(client, headers, by="commune").get_json()["rows"]
        assert sorted((r["commune_code"], r["dossiers_submitted"]) for r in rows) == [(COMMUNE, 3), (OTHER_COMMUNE, 1)]
        only = _get(client, headers, commune_code=OTHER_COMMUNE).get_json()["rows"]
        assert [r["commune_code"] for r in only] == [OTHER_COMMUNE]


def test_members_and_citizens_do_not_read_the_figures(client, two_communes):
    for account in (assistant(), AccountFactory()):
        response = _get(client, bearer(account))
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden_role"


def test_a_period_must_make_sense(client, two_communes):
    headers = bearer(officer())
    for start, end in (("2026-11-30", "2026-11-01"), ("2025-01-01", "2026-11-30")):
        response = _get(client, headers, start=start, end=end)
        assert response.status_code == 422 and response.get_json()["code"] == "invalid_period"
    assert _get(client, headers, period="week").status_code == 422


def test_defaults_to_this_month(client, two_communes):
    response = client.get(f"{API}/figures", headers=bearer(officer()))
    body = response.get_json()
    assert response.status_code == 200 and body["end"] == figures.local_day().isoformat()
    assert body["start"] == figures.local_day().replace(day=1).isoformat()
    assert date.fromisoformat(body["start"]) <= date.fromisoformat(body["end"])
