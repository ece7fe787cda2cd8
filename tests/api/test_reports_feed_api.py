"""The public GeoJSON feed: published reports only, reporter never shown, filters, cursor pages."""
from datetime import date, datetime

import time_machine

from app.common.clock import VIETNAM
from app.reports import geo
from tests.factories import AccountFactory
from tests.reports_fixtures import OTHER_COMMUNE, act, file, jpeg, reports_world, storage  # noqa: F401

FEED = "/api/v1/reports/feed"


def ids(response):
    return [f["id"] for f in response.get_json()["features"]]


def test_feed_is_a_feature_collection_without_the_reporter(client, reports_world):
    w = reports_world
    report_id = file(client, w.h("citizen"), photos=[jpeg()]).get_json()["report"]["id"]
    response = client.get(FEED)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and body["next_cursor"] is None
    [feature] = body["features"]
    assert feature["type"] == "Feature" and feature["id"] == report_id
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["geometry"]["type"] == "Point" and geo.inside_province("80", lat, lon)
    assert feature["properties"]["status"] == "assigned" and feature["properties"]["open311_status"] == "open"
    assert str(w.citizen.id) not in response.get_data(as_text=True)
    assert "reporter" not in str(feature["properties"].keys())


def test_filters_and_pages(client, reports_world):
    w = reports_world
    other_point = geo.commune_points("80")[OTHER_COMMUNE]
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=VIETNAM), tick=False):
        early = file(client, w.h("citizen")).get_json()["report"]["id"]
    lighting = file(client, w.h("other_citizen"), point=other_point).get_json()["report"]["id"]
    tree = file(client, w.h(AccountFactory(level=1)), category="trees_parks",
                description="Cây đổ chắn ngang đường.").get_json()["report"]["id"]
    act(client, w.h("officer"), tree, "acknowledge")
    assert ids(client.get(f"{FEED}?category=trees_parks")) == [tree]
    assert ids(client.get(f"{FEED}?status=in_progress")) == [tree]
    assert ids(client.get(f"{FEED}?commune_code={OTHER_COMMUNE}")) == [lighting]
    assert ids(client.get(f"{FEED}?until=2026-11-30")) == [early]
    assert set(ids(client.get(f"{FEED}?since={date.today().isoformat()}"))) >= {tree, lighting}
    first = client.get(f"{FEED}?limit=2").get_json()
    second = client.get(f"{FEED}?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(first["features"]) == 2 and [f["id"] for f in second["features"]] == [early]
    assert second["next_cursor"] is None
    assert client.get(f"{FEED}?status=teleported").status_code == 422
    assert client.get(f"{FEED}?cursor=%%%").status_code == 422
