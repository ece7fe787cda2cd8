"""Fee and help figures over HTTP, and their CSV exports."""
import csv
import io

import pytest

from app.dashboard.counters import Filters
from tests.dashboard_fixtures import TAN_NINH, build_dossiers, build_payments, expected_payments
from tests.dashboard_fixtures import leader  # noqa: F401  (a fixture)
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import AccountFactory, bearer


@pytest.fixture
def made(catalog):  # noqa: F811
    data = build_dossiers(catalog, agency)
    data["payments"] = build_payments(data)
    return data


def _csv(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_payment_figures_over_http(client, made, leader):  # noqa: F811
    since = made["days"][9]
    body = client.get(f"/api/v1/dashboard/payments?from={since.isoformat()}&commune_code={TAN_NINH}",
                      headers=leader).get_json()
    expected = expected_payments(Filters(start=since, commune_code=TAN_NINH))
    assert body["totals"]["collected"] == expected["collected"]
    assert {(r["day"], r["gateway"]): r["collected"] for r in body["daily"]} == {
        (day.isoformat(), gateway): amount for (day, gateway), amount in expected["daily"].items()}
    assert body["stuck_pending"] == len(expected["stuck"])
    assert [item["payment_id"] for item in body["stuck"]] == [str(i) for i in expected["stuck"]]


def test_payment_exports(client, made, leader):  # noqa: F811
    expected = expected_payments(Filters())
    daily = _csv(client.get("/api/v1/dashboard/exports/payments-daily.csv", headers=leader))
    assert {(r["day"], r["gateway"]): int(r["collected"]) for r in daily} == {
        (day.isoformat(), gateway): amount for (day, gateway), amount in expected["daily"].items()}
    refunds = _csv(client.get("/api/v1/dashboard/exports/payments-refunds.csv", headers=leader))
    assert {r["status"]: (int(r["refunds"]), int(r["amount"])) for r in refunds} == expected["refunds"]
    stuck = _csv(client.get("/api/v1/dashboard/exports/payments-stuck.csv", headers=leader))
    assert [r["payment_id"] for r in stuck] == [str(i) for i in expected["stuck"]]
    gateways = _csv(client.get("/api/v1/dashboard/exports/payments-gateways.csv", headers=leader))
    assert sum(int(r["collected"]) for r in gateways) == expected["collected"]


def test_assistance_figures_and_export(client, leader):  # noqa: F811
    body = client.get("/api/v1/dashboard/assistance", headers=leader).get_json()
    assert body["communes"] == [] and body["totals"]["residents_helped"] == 0
    rows = _csv(client.get("/api/v1/dashboard/exports/assistance-communes.csv", headers=leader))
    assert rows == []


@pytest.mark.parametrize("path", ["/api/v1/dashboard/payments", "/api/v1/dashboard/assistance",
                                  "/api/v1/dashboard/exports/payments-daily.csv"])
def test_only_leaders_and_admins(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(AccountFactory())).status_code == 403
