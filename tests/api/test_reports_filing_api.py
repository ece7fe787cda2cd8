"""Filing a report: checks, photos without metadata, limits, idempotency, routing, nothing half-written."""
import io
import uuid

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.reports.models import Report, ReportFollower, ReportPhoto, ReportTimelineEntry
from tests.dossiers_fixtures import outbox
from tests.factories import COMMUNE
from tests.reports_fixtures import (  # noqa: F401
    OTHER_COMMUNE, OUTSIDE, POINT, agency, file, gps_exif, jpeg, reports_world, storage,
)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_file_routes_to_the_commune_committee_and_notifies(client, reports_world):
    w = reports_world
    response = file(client, w.h("citizen"), photos=[jpeg()])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()["report"]
    assert body["status"] == "assigned"
    assert body["commune_code"] == COMMUNE
    assert body["agency"]["code"] == f"UBND-{COMMUNE}"
    assert body["reporter"] == "Một người dân" and body["reporter_account_id"] == str(w.citizen.id)
    assert body["due_date"] and len(body["photos"]) == 1
    report = db.session.get(Report, uuid.UUID(body["id"]))
    assert [e.action for e in db.session.scalars(select(ReportTimelineEntry).where(
        ReportTimelineEntry.report_id == report.id).order_by(ReportTimelineEntry.created_at))] == ["file", "auto_route"]
    assert [m.event for m in outbox(w.citizen)] == ["report_received"]


def test_province_level_category_goes_to_the_department(client, reports_world):
    response = file(client, reports_world.h("citizen"), category="food_safety",
                    description="Quán ăn đổ nước thải ra đường, mất vệ sinh.")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["report"]["agency"]["code"] == "SYT-80"


def test_commune_is_derived_from_the_place_when_not_given(client, reports_world):
    body = file(client, reports_world.h("citizen")).get_json()["report"]
    assert body["commune_code"] == COMMUNE           # POINT is COMMUNE's reference point


def test_given_commune_must_be_of_the_province(client, reports_world):
    response = file(client, reports_world.h("citizen"), commune_code="00001")
    assert response.status_code == 422
    assert response.get_json()["code"] == "unknown_commune"


def test_place_outside_the_province_is_refused(client, reports_world):
    response = file(client, reports_world.h("citizen"), point=OUTSIDE)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "outside_province" and "latitude" in body["errors"]
    assert count(Report) == 0


def test_english_message(client, reports_world):
    response = file(client, reports_world.h("citizen"), point=OUTSIDE, extra_headers={"Accept-Language": "en"})
    assert response.get_json()["message"] == "The place is outside the province."


def test_photo_exif_and_gps_are_removed(client, reports_world):
    original = jpeg(size=(64, 48), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)      # the test image has GPS
    response = file(client, reports_world.h("citizen"), photos=[original])
    photo = response.get_json()["report"]["photos"][0]
    stored = client.get(photo["url"])
    assert stored.status_code == 200 and stored.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(stored.data))
    assert image.size == (64, 48)
    assert dict(image.getexif()) == {}
    assert b"Phone X200" not in stored.data and b"Exif" not in stored.data


def test_png_text_chunks_are_removed(client, reports_world):
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van An 0912345678")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buffer, "PNG", pnginfo=info)
    body = file(client, reports_world.h("citizen"), photos=[buffer.getvalue()]).get_json()
    stored = client.get(body["report"]["photos"][0]["url"])
    assert stored.mimetype == "image/jpeg" and b"0912345678" not in stored.data
    assert Image.open(io.BytesIO(stored.data)).size == (10, 10)


def test_not_an_image_is_refused_and_nothing_is_written(client, reports_world, storage):
    response = file(client, reports_world.h("citizen"), photos=[jpeg(), b"%PDF-1.4 not a photo %%EOF"])
    assert response.status_code == 422
    assert response.get_json()["code"] == "not_an_image"
    assert count(Report) == 0 and count(ReportPhoto) == 0 and count(ReportFollower) == 0
    assert not [f for f in storage.root.rglob("*") if f.is_file()]


def test_a_fake_jpeg_header_is_refused(client, reports_world):
    fake = b"\xff\xd8\xff\xe0" + b"garbage" * 20 + b"\xff\xd9"
    response = file(client, reports_world.h("citizen"), photos=[fake])
    assert response.status_code == 422 and response.get_json()["code"] == "not_an_image"


def test_at_most_five_photos(client, reports_world):
    response = file(client, reports_world.h("citizen"), photos=[jpeg()] * 6)
    assert response.status_code == 422 and response.get_json()["code"] == "too_many_photos"


def test_photo_required_by_the_category(client, reports_world):
    response = file(client, reports_world.h("citizen"), category="waste_environment",
                    description="Rác tồn đọng hai tuần chưa thu gom.")
    assert response.status_code == 422 and response.get_json()["code"] == "photo_required"


def test_unknown_category_and_missing_fields(client, reports_world):
    unknown = file(client, reports_world.h("citizen"), category="teleport")
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "unknown_category"
    response = client.post("/api/v1/reports", data={"category": "other"}, headers=reports_world.h("citizen"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert {"description", "latitude", "longitude"} <= set(response.get_json()["errors"])


def test_only_citizens_file(client, reports_world):
    assert file(client, reports_world.h("officer")).status_code == 403
    assert file(client, {}).status_code == 401


def test_idempotency_key_files_once(client, reports_world):
    headers = {"Idempotency-Key": "file-once-1"}
    first = file(client, reports_world.h("citizen"), extra_headers=headers)
    again = file(client, reports_world.h("citizen"), extra_headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json()["report"]["id"] == again.get_json()["report"]["id"]
    assert count(Report) == 1


def test_limit_per_place_then_per_account(client, reports_world, app):
    h = reports_world.h("citizen")
    assert file(client, h).status_code == 201
    assert file(client, h, category="roads_bridges", photos=[jpeg()],
                description="Ổ gà lớn giữa đường.").status_code == 201
    third = file(client, h, category="trees_parks", description="Cây nghiêng sắp đổ.")
    assert third.status_code == 429 and third.get_json()["code"] == "report_place_limit"
    # elsewhere it is the daily limit that stops the account
    from app.reports import geo
    points = list(geo.commune_points("80").values())
    settings = app.extensions["reports_settings"]
    filed = 2
    for point in points[:settings.daily_limit_per_account]:
        response = file(client, h, point=point, description="Đèn hỏng ở chỗ khác.")
        if filed < settings.daily_limit_per_account:
            assert response.status_code == 201, response.get_json()
            filed += 1
        else:
            assert response.status_code == 429 and response.get_json()["code"] == "report_daily_limit"
            break


def test_likely_duplicates_offered_and_me_too(client, reports_world):
    w = reports_world
    first = file(client, w.h("citizen")).get_json()["report"]
    near = (POINT[0] + 0.0002, POINT[1])                  # about 22 m north
    nearby = client.get(f"/api/v1/reports/nearby?category=street_lighting&latitude={near[0]}&longitude={near[1]}")
    assert [r["id"] for r in nearby.get_json()] == [first["id"]]
    assert "reporter_account_id" not in nearby.get_json()[0]
    far = (POINT[0] + 0.002, POINT[1])                    # about 220 m
    assert client.get(f"/api/v1/reports/nearby?category=street_lighting&latitude={far[0]}&longitude={far[1]}"
                      ).get_json() == []
    other_category = client.get(f"/api/v1/reports/nearby?category=trees_parks&latitude={near[0]}&longitude={near[1]}")
    assert other_category.get_json() == []
    second = file(client, w.h("other_citizen"), point=near).get_json()
    assert [r["id"] for r in second["likely_duplicates"]] == [first["id"]]
    joined = client.post(f"/api/v1/reports/{first['id']}/follow", headers=w.h("other_citizen"))
    assert joined.status_code == 200 and joined.get_json()["supporters"] == 2
    again = client.post(f"/api/v1/reports/{first['id']}/follow", headers=w.h("other_citizen"))
    assert again.status_code == 409 and again.get_json()["code"] == "already_following"
