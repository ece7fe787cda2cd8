"""Open311 GeoReport v2: field names, filters, status mapping, W3C times and errors as the specification says."""
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine

from app.common.clock import VIETNAM
from app.extensions import db
from app.reports.api_clients import issue_key
from tests.reports_fixtures import POINT, OUTSIDE, act, file, reports_world, resolve, storage  # noqa: F401

BASE = "/open311/v2"
# GeoReport v2 field names (https://wiki.open311.org/GeoReport_v2)
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}


@pytest.fixture
def key(reports_world):
    _client, value = issue_key("Ứng dụng thử")
    db.session.flush()
    return value


def w3c(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and value.endswith("+07:00")
    return parsed


def test_services_list_and_definition(client, reports_world):
    services = client.get(f"{BASE}/services.json").get_json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    codes = [s["service_code"] for s in services]
    assert "street_lighting" in codes and "officials_conduct" not in codes
    lighting = next(s for s in services if s["service_code"] == "street_lighting")
    assert lighting["metadata"] is True and lighting["type"] == "realtime"
    definition = client.get(f"{BASE}/services/street_lighting.json").get_json()
    assert definition["service_code"] == "street_lighting"
    pole = definition["attributes"][0]
    assert ATTRIBUTE_FIELDS <= set(pole) and pole["code"] == "pole_number" and pole["datatype"] == "string"
    fault = definition["attributes"][1]
    assert fault["datatype"] == "singlevaluelist" and {v["key"] for v in fault["values"]} == {"off", "flicker", "day"}


@pytest.mark.parametrize("path", ["/services/teleport.json", "/services/officials_conduct.json",
                                  f"/requests/{uuid.uuid4()}.json", "/requests/not-an-id.json", "/tokens/nope.json"])
def test_unknown_is_404_in_the_spec_format(client, reports_world, path):
    response = client.get(BASE + path)
    assert response.status_code == 404
    [error] = response.get_json()
    assert error["code"] == 404 and error["description"]


def test_post_with_the_partner_key(client, reports_world, key):
    response = client.post(f"{BASE}/requests.json", data={
        "api_key": key, "service_code": "street_lighting", "lat": POINT[0], "long": POINT[1],
        "address_string": "Trước số 12 Đường 30/4", "description": "Đèn cột CD-0123 không sáng",
        "attribute[pole_number]": "CD-0123", "attribute[fault]": "off", "email": "a@example.com"})
    assert response.status_code == 201, response.get_json()
    [created] = response.get_json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    [request] = client.get(f"{BASE}/requests/{created['service_request_id']}.json").get_json()
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["service_code"] == "street_lighting"
    assert request["lat"] == pytest.approx(POINT[0]) and request["agency_responsible"].startswith("Ủy ban")
    w3c(request["requested_datetime"]) and w3c(request["expected_datetime"])
    assert "a@example.com" not in str(request)
    [by_token] = client.get(f"{BASE}/tokens/{created['token']}.json").get_json()
    assert by_token == {"service_request_id": created["service_request_id"], "token": created["token"]}
    from app.reports.models import Report
    from app.extensions import db
    stored = db.session.get(Report, uuid.UUID(created["service_request_id"]))
    assert stored.attributes == {"pole_number": "CD-0123", "fault": "off"} and stored.channel == "open311"
    assert stored.reporter_account_id is None


@pytest.mark.parametrize("api_key", [None, "o311_wrong"])
def test_post_without_a_valid_key_is_403(client, reports_world, api_key):
    data = {"service_code": "street_lighting", "lat": POINT[0], "long": POINT[1]}
    if api_key:
        data["api_key"] = api_key
    response = client.post(f"{BASE}/requests.json", data=data)
    assert response.status_code == 403 and response.get_json()[0]["code"] == 403


def test_post_bad_input_is_400(client, reports_world, key):
    outside = client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "street_lighting",
                                                          "lat": OUTSIDE[0], "long": OUTSIDE[1]})
    assert outside.status_code == 400 and outside.get_json()[0]["code"] == 400
    no_place = client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "street_lighting"})
    assert no_place.status_code == 400
    not_a_number = client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "street_lighting",
                                                               "lat": "abc", "long": POINT[1]})
    assert not_a_number.status_code == 400
    unknown = client.post(f"{BASE}/requests.json", data={"api_key": key, "service_code": "teleport",
                                                          "lat": POINT[0], "long": POINT[1]})
    assert unknown.status_code == 404


def test_requests_filters(client, reports_world):
    w = reports_world
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=VIETNAM), tick=False):
        old = file(client, w.h("citizen")).get_json()["report"]["id"]
    lighting = file(client, w.h("other_citizen"), point=(POINT[0] + 0.01, POINT[1])).get_json()["report"]["id"]
    tree = file(client, w.h("citizen"), category="trees_parks", point=(POINT[0] - 0.01, POINT[1]),
                description="Cây đổ chắn đường.").get_json()["report"]["id"]
    act(client, w.h("officer"), tree, "acknowledge")
    resolve(client, w.h("officer"), tree)
    private = file(client, w.h("other_citizen"), category="officials_conduct", point=(POINT[0], POINT[1] + 0.01),
                   description="Cán bộ đòi tiền.").get_json()["report"]["id"]

    def ids(query=""):
        response = client.get(f"{BASE}/requests.json{query}")
        assert response.status_code == 200, response.get_json()
        return {r["service_request_id"] for r in response.get_json()}

    assert ids() == {old, lighting, tree}                           # 90 days by default; never the private one
    assert ids("?service_code=trees_parks") == {tree}
    assert ids("?service_code=trees_parks,street_lighting") == {old, lighting, tree}
    assert ids("?status=closed") == {tree} and ids("?status=open") == {old, lighting}
    assert ids("?start_date=2026-11-01T00:00:00%2B07:00&end_date=2026-11-03T00:00:00Z") == {old}
    assert ids(f"?service_request_id={tree},{old}&status=open") == {tree, old}  # ids override other filters
    assert ids(f"?service_request_id={private}") == set()
    assert client.get(f"{BASE}/requests.json?status=maybe").status_code == 400
    assert client.get(f"{BASE}/requests.json?start_date=yesterday").status_code == 400
    assert client.get(f"{BASE}/requests.json?service_request_id=1,2").status_code == 400
    [resolved] = client.get(f"{BASE}/requests/{tree}.json").get_json()
    assert resolved["status_notes"] == "Đã thay bóng đèn mới." and resolved["status"] == "closed"


def test_the_georeport_client_reads_us(client, reports_world, monkeypatch):
    """PyPI's `georeport` client against our endpoints (its HTTP calls served by the test client)."""
    georeport = pytest.importorskip("georeport")
    import georeport.georeport as module

    class Shim:
        def __init__(self, response):
            self._response = response
            self.content = response.data
            self.status_code = response.status_code

        def json(self):
            return self._response.get_json()

        def raise_for_status(self):
            if self.status_code >= 400:
                raise RuntimeError(self.status_code)

    def get(url, params=None):
        return Shim(client.get(url.replace("http://smart.test", ""), query_string=params or {}))

    monkeypatch.setattr(module.requests, "get", get)
    report_id = file(client, reports_world.h("citizen")).get_json()["report"]["id"]
    api = georeport.GeoReport("http://smart.test/open311/v2", jurisdiction="80")
    assert "street_lighting" in [s["service_code"] for s in api.get_service_list()]
    assert api.get_service_definition("street_lighting")["attributes"][0]["code"] == "pole_number"
    assert [r["service_request_id"] for r in api.get_service_requests(status="open")] == [report_id]
    assert api.get_service_request(report_id)["status"] == "open"


def test_development_demo_endpoint_shows_the_partner_key(client, reports_world):
    from app.reports.seed import DEV_API_KEY, seed_demo

    seed_demo("80")
    db.session.flush()
    body = client.get("/api/v1/dev/reports-demo").get_json()
    assert body["open311_api_key"] == DEV_API_KEY and body["logins"]["dispatcher"] == "demo.dispatcher"
    filed = client.post(f"{BASE}/requests.json", data={"api_key": DEV_API_KEY, "service_code": "other",
                                                        "lat": POINT[0], "long": POINT[1], "description": "Thử"})
    assert filed.status_code == 201
