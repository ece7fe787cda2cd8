"""The figures over HTTP: who may read them, filters, errors and CSV exports."""
import csv
import io

import pytest

from app.dashboard.registry_figures import refresh_registry_figures
from app.common import roles
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, build_population, expected_adults, expected_eid, expected_quality, leader_headers,
    share,
)
from tests.dashboard_fixtures import leader  # noqa: F401  (a fixture)
from tests.factories import AccountFactory, bearer

FIGURES = ("/api/v1/dashboard/eid", "/api/v1/dashboard/registry-quality",
           "/api/v1/dashboard/exports/eid-communes.csv")


@pytest.fixture
def population():
    data = build_population()
    refresh_registry_figures()
    return data


@pytest.mark.parametrize("path", FIGURES)
def test_anonymous_callers_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("role", [roles.CITIZEN, roles.OFFICER, roles.APPROVER, roles.ASSISTANT])
@pytest.mark.parametrize("path", FIGURES)
def test_only_leaders_and_admins_read_the_figures(client, path, role):
    if role == roles.CITIZEN:
        headers = bearer(AccountFactory())
    else:
        headers = leader_headers(role)
    response = client.get(path, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden_role"


@pytest.mark.parametrize("role", [roles.LEADER, roles.ADMIN])
def test_leaders_and_admins_get_the_eid_figures(client, population, role):
    response = client.get("/api/v1/dashboard/eid", headers=leader_headers(role))
    assert response.status_code == 200
    body = response.get_json()
    adults, expected = expected_adults(), expected_eid()
    rows = {row["commune_code"]: row for row in body["communes"]}
    assert set(rows) == {HUNG_DIEN, TAN_NINH}
    for code, row in rows.items():
        assert row["adults"] == adults[code]
        assert row["activated"] == expected["activated"][code]
        assert row["activated_share"] == share(expected["activated"][code], adults[code])
    assert body["totals"]["registered"] == sum(expected["registered"].values())
    assert body["totals"]["commune_code"] is None
    assert rows[HUNG_DIEN]["commune_name"] == "Xã Hưng Điền"


def test_eid_filters_by_commune_and_period(client, population, leader):
    today = population["today"].isoformat()
    body = client.get(f"/api/v1/dashboard/eid?commune_code={TAN_NINH}&from={today}&to={today}",
                      headers=leader).get_json()
    expected = expected_eid(population["today"], population["today"])
    assert [row["commune_code"] for row in body["communes"]] == [TAN_NINH]
    assert body["totals"]["registered"] == expected["registered"][TAN_NINH]
    assert body["totals"]["level2"] == expected["level2"][TAN_NINH]


def test_registry_quality_over_http(client, population, leader):
    body = client.get("/api/v1/dashboard/registry-quality", headers=leader).get_json()
    expected = expected_quality()
    records = sum(c["records"] for c in expected.values())
    with_issues = sum(c["with_issues"] for c in expected.values())
    assert body["totals"]["records"] == records
    assert body["totals"]["with_issues"] == with_issues
    assert body["totals"]["clean_share"] == share(records - with_issues, records)
    checks = {c["check"]: c["count"] for c in body["checks"]}
    assert checks["missing.ethnicity"] == sum(c["missing.ethnicity"] for c in expected.values())


@pytest.mark.parametrize("query, field", [
    ("from=2026-02-01&to=2026-01-01", "to"),
    ("from=2026-13-01", "from"),
    ("commune_code=12", "commune_code"),
])
def test_bad_filters_are_refused_in_vietnamese(client, leader, query, field):
    response = client.get(f"/api/v1/dashboard/eid?{query}", headers=leader)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]
    if field == "to":
        assert body["errors"]["to"] == ["Khoảng thời gian kết thúc trước khi bắt đầu."]


def test_bad_filters_in_english(client, leader):
    response = client.get("/api/v1/dashboard/eid?from=2026-02-01&to=2026-01-01",
                          headers={**leader, "Accept-Language": "en"})
    assert response.get_json()["errors"]["to"] == ["The period ends before it starts."]


def _csv(response):
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark first"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_eid_export_is_the_same_table_as_csv(client, population, leader):
    response = client.get(f"/api/v1/dashboard/exports/eid-communes.csv?commune_code={HUNG_DIEN}",
                          headers=leader)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="eid-communes-') and disposition.endswith('.csv"')
    rows = _csv(response)
    body = client.get(f"/api/v1/dashboard/eid?commune_code={HUNG_DIEN}", headers=leader).get_json()
    assert len(rows) == len(body["communes"]) == 1
    row, json_row = rows[0], body["communes"][0]
    assert row["commune_name"] == "Xã Hưng Điền"   # Vietnamese intact
    for name in ("adults", "registered", "activated", "level2"):
        assert int(row[name]) == json_row[name]
    assert float(row["activated_share"]) == json_row["activated_share"]
    assert response.data.count(b"\r\n") == 2


def test_registry_quality_exports(client, population, leader):
    communes = _csv(client.get("/api/v1/dashboard/exports/registry-quality-communes.csv", headers=leader))
    expected = expected_quality()
    assert {r["commune_code"]: int(r["with_issues"]) for r in communes} == {
        code: counts["with_issues"] for code, counts in expected.items()}
    assert {r["commune_name"] for r in communes} == {"Xã Hưng Điền", "Phường Tân Ninh"}
    checks = _csv(client.get("/api/v1/dashboard/exports/registry-quality-checks.csv", headers=leader))
    by_name = {r["check"]: int(r["count"]) for r in checks}
    assert by_name["inconsistent.personal_id.gender"] == 1


def test_an_empty_share_is_an_empty_cell(client, leader):
    rows = _csv(client.get("/api/v1/dashboard/exports/registry-quality-checks.csv", headers=leader))
    assert rows and all(row["share"] == "" and row["count"] == "0" for row in rows)


def test_unknown_table(client, leader):
    response = client.get("/api/v1/dashboard/exports/nothing.csv", headers=leader)
    assert response.status_code == 404
    assert response.get_json()["code"] == "table_not_found"
