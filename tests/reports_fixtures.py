"""Fixtures and helpers for the citizen reports tests.

`from tests.reports_fixtures import reports_world, storage  # noqa: F401`
"""
import io
import uuid
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import select

from app.catalog.models import Agency
from app.catalog.seed import seed_agencies
from app.extensions import db
from app.common import roles
from app.reports import geo
from app.reports.models import Report, ReportCategory
from app.reports.seed import seed_categories, seed_departments
from tests.dossiers_fixtures import storage  # noqa: F401
from tests.factories import COMMUNE, AccountFactory, bearer

PROVINCE = "80"
OTHER_COMMUNE = "27736"
POINT = geo.commune_points(PROVINCE)[COMMUNE]             # (lat, lon) inside COMMUNE
OUTSIDE = (21.0285, 105.8542)                              # Hà Nội


def jpeg(size=(40, 30), color=(30, 120, 200), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, color).save(buffer, "JPEG", **kwargs)
    return buffer.getvalue()


def gps_exif() -> bytes:
    """EXIF with a camera model and a GPS position (what a phone writes)."""
    exif = Image.Exif()
    exif[0x0110] = "Phone X200"                      # Model
    exif[0x010F] = "Maker"                           # Make
    gps = {1: "N", 2: (11.0, 18.0, 36.0), 3: "E", 4: (106.0, 5.0, 55.0)}
    exif[0x8825] = gps                               # GPSInfo
    return exif.tobytes()


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def category(code: str) -> ReportCategory:
    return db.session.scalar(select(ReportCategory).where(ReportCategory.code == code))


@dataclass
class World:
    citizen: object
    other_citizen: object
    officer: object
    other_officer: object
    leader: object
    dispatcher: object
    admin: object

    def h(self, who):
        return bearer(getattr(self, who) if isinstance(who, str) else who)


@pytest.fixture
def reports_world(storage):  # noqa: F811
    seed_agencies(PROVINCE)
    seed_departments(PROVINCE)
    seed_categories()
    db.session.flush()
    committee = agency(f"UBND-{COMMUNE}")
    other = agency(f"UBND-{OTHER_COMMUNE}")
    return World(
        citizen=AccountFactory(level=1),
        other_citizen=AccountFactory(level=1),
        officer=AccountFactory(role=roles.OFFICER, agency_id=committee.id, commune_code=COMMUNE, citizen=None,
                               personal_id=None, full_name="Cán bộ xã", phone=None),
        other_officer=AccountFactory(role=roles.OFFICER, agency_id=other.id, commune_code=OTHER_COMMUNE,
                                     citizen=None, personal_id=None, full_name="Cán bộ xã khác", phone=None),
        leader=AccountFactory(role=roles.APPROVER, agency_id=committee.id, commune_code=COMMUNE, citizen=None,
                              personal_id=None, full_name="Lãnh đạo xã", phone=None),
        dispatcher=AccountFactory(role=roles.DISPATCHER, citizen=None, personal_id=None, full_name="Điều phối",
                                  phone=None, level=2),
        admin=AccountFactory(role=roles.ADMIN, citizen=None, personal_id=None, full_name="Quản trị", phone=None,
                             level=2),
    )


def file(client, headers, *, category="street_lighting", description="Đèn đường không sáng ba đêm nay.",
         point=POINT, photos=(), commune_code=None, address="Số 12 Đường 30/4", extra_headers=None, **fields):
    data = {"category": category, "description": description, "latitude": str(point[0]),
            "longitude": str(point[1]), "address": address, **fields}
    if commune_code:
        data["commune_code"] = commune_code
    if photos:
        data["photos"] = [(io.BytesIO(p), f"anh{i}.jpg") for i, p in enumerate(photos)]
    return client.post("/api/v1/reports", data=data, headers={**headers, **(extra_headers or {})},
                       content_type="multipart/form-data")


def act(client, headers, report_id, action, **body):
    return client.post(f"/api/v1/reports/{report_id}/transitions", json={"action": action, **body}, headers=headers)


def resolve(client, headers, report_id, result="Đã thay bóng đèn mới.", photos=()):
    data = {"result": result}
    if photos:
        data["photos"] = [(io.BytesIO(p), f"kq{i}.jpg") for i, p in enumerate(photos)]
    return client.post(f"/api/v1/reports/{report_id}/resolve", data=data, headers=headers,
                       content_type="multipart/form-data")


def report(report_id) -> Report:
    db.session.expire_all()
    return db.session.get(Report, uuid.UUID(str(report_id)))
