"""Report categories: seeded once, public list, an admin edits them; officials' conduct never public."""
from app.reports.catalog_data import CATEGORIES
from app.reports.seed import seed_categories
from tests.reports_fixtures import category, reports_world, storage  # noqa: F401


def test_seed_is_idempotent_and_complete(reports_world):
    assert seed_categories() == 0
    codes = {c["code"] for c in CATEGORIES}
    assert codes == {"roads_bridges", "street_lighting", "waste_environment", "water_drainage", "traffic_order",
                     "trees_parks", "food_safety", "officials_conduct", "other"}
    conduct = category("officials_conduct")
    assert conduct.public is False and conduct.agency_kinds["province"] == "provincial_inspectorate"
    assert category("street_lighting").attributes[0]["code"] == "pole_number"


def test_public_list(client, reports_world):
    body = client.get("/api/v1/reports/categories").get_json()
    assert [c["code"] for c in body][:2] == ["roads_bridges", "street_lighting"]
    lighting = next(c for c in body if c["code"] == "street_lighting")
    assert lighting["deadline_days"] == 3 and lighting["handled_at"] == "commune"
    assert lighting["agency_kinds"] == {"commune": "commune_committee", "province": "construction_department"}


def test_admin_edits_a_category(client, reports_world):
    w = reports_world
    response = client.patch("/api/v1/reports/categories/street_lighting", headers=w.h("admin"),
                            json={"deadline_days": 2, "photo_rule": "required"})
    assert response.status_code == 200, response.get_json()
    assert category("street_lighting").deadline_days == 2 and category("street_lighting").photo_required
    assert seed_categories() == 0 and category("street_lighting").deadline_days == 2   # the seed keeps edits


def test_officials_conduct_can_never_be_public(client, reports_world):
    response = client.patch("/api/v1/reports/categories/officials_conduct", headers=reports_world.h("admin"),
                            json={"public": True})
    assert response.status_code == 422 and category("officials_conduct").public is False


def test_only_admins_edit(client, reports_world):
    response = client.patch("/api/v1/reports/categories/other", headers=reports_world.h("dispatcher"),
                            json={"deadline_days": 1})
    assert response.status_code == 403
    assert client.patch("/api/v1/reports/categories/nope", headers=reports_world.h("admin"),
                        json={"deadline_days": 1}).status_code == 404


def test_agency_kinds_fit_the_agencies_table():
    """PostgreSQL enforces column lengths that SQLite ignores."""
    from app.catalog.models import Agency
    from app.reports.catalog_data import DEPARTMENTS

    width = Agency.__table__.c.kind.type.length
    kinds = {kind for c in CATEGORIES for kind in c["agency_kinds"].values()} | {k for _, k, _ in DEPARTMENTS}
    assert all(len(kind) <= width for kind in kinds)
