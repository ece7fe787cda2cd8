"""Dossier figures and the overdue list over HTTP, and their CSV exports."""
import csv
import io

import pytest

from app.dashboard.counters import Filters
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, build_dossiers, expected_dossiers, expected_overdue, leader_headers,
)
from tests.dashboard_fixtures import leader  # noqa: F401  (a fixture)
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import AccountFactory, bearer


@pytest.fixture
def dossiers(catalog):  # noqa: F811
    return build_dossiers(catalog, agency)


def _csv(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_dossier_figures_over_http(client, dossiers, leader):  # noqa: F811
    police = dossiers["agencies"]["police"].id
    since = dossiers["days"][21].isoformat()
    query = f"?from={since}&agency_id={police}&commune_code={TAN_NINH}&procedure_code=1.004222"
    body = client.get(f"/api/v1/dashboard/dossiers{query}", headers=leader).get_json()
    expected = expected_dossiers(Filters(start=dossiers["days"][21], agency_id=police, commune_code=TAN_NINH,
                                         procedure_code="1.004222"))
    assert body["total"] == expected["total"] == 2
    assert {r["status"]: r["count"] for r in body["statuses"] if r["count"]} == dict(expected["statuses"])
    assert body["timeliness"]["late"] == expected["late"]
    assert body["processing_days"]["p90"] == expected["p90"]
    everything = client.get("/api/v1/dashboard/dossiers", headers=leader).get_json()
    assert everything["total"] == expected_dossiers(Filters())["total"]
    assert [row["status"] for row in everything["statuses"]][:2] == ["submitted", "received"]


def test_overdue_over_http_in_pages(client, dossiers, leader):  # noqa: F811
    first = client.get("/api/v1/dashboard/dossiers/overdue?limit=3", headers=leader).get_json()
    expected = expected_overdue(Filters())
    assert first["total"] == len(expected) and len(first["items"]) == 3
    second = client.get(f"/api/v1/dashboard/dossiers/overdue?limit=3&cursor={first['next_cursor']}",
                        headers=leader).get_json()
    ids = [item["dossier_id"] for item in first["items"] + second["items"]]
    assert ids == [str(dossier_id) for _due, dossier_id in expected]
    assert second["next_cursor"] is None
    item = first["items"][0]
    assert item["receipt_code"] and item["agency_name"] and item["working_days_overdue"] > 0
    only = client.get(f"/api/v1/dashboard/dossiers/overdue?commune_code={HUNG_DIEN}", headers=leader).get_json()
    assert only["total"] == len(expected_overdue(Filters(commune_code=HUNG_DIEN)))


def test_a_forged_cursor_is_refused(client, leader):  # noqa: F811
    response = client.get("/api/v1/dashboard/dossiers/overdue?cursor=not-a-cursor", headers=leader)
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("path", ["/api/v1/dashboard/dossiers", "/api/v1/dashboard/dossiers/overdue",
                                  "/api/v1/dashboard/exports/dossiers-overdue.csv"])
def test_citizens_and_officers_may_not_read_them(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(AccountFactory())).status_code == 403
    assert client.get(path, headers=leader_headers("officer")).status_code == 403


def test_dossier_exports(client, dossiers, leader):  # noqa: F811
    statuses = _csv(client.get("/api/v1/dashboard/exports/dossiers-status.csv", headers=leader))
    expected = expected_dossiers(Filters())
    assert {r["status"]: int(r["count"]) for r in statuses if r["count"] != "0"} == dict(expected["statuses"])
    channels = _csv(client.get("/api/v1/dashboard/exports/dossiers-channels.csv", headers=leader))
    assert [(r["channel"], int(r["count"])) for r in channels] == [("online", expected["total"]), ("desk", 0)]
    timeliness = _csv(client.get("/api/v1/dashboard/exports/dossiers-timeliness.csv", headers=leader))
    assert len(timeliness) == 1
    row = timeliness[0]
    assert (int(row["on_time"]), int(row["late"]), int(row["p90_working_days"])) == (
        expected["on_time"], expected["late"], expected["p90"])
    assert float(row["average_working_days"]) == expected["average"]
    overdue = _csv(client.get("/api/v1/dashboard/exports/dossiers-overdue.csv", headers=leader))
    assert [(r["due_date"], r["dossier_id"]) for r in overdue] == [
        (due.isoformat(), str(i)) for due, i in expected_overdue(Filters())]
    assert "Ủy ban nhân dân Xã Hưng Điền" in {r["agency_name"] for r in overdue}
