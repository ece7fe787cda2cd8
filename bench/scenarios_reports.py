"""Citizen report scenarios: filing with a photo, the public GeoJSON feed, an officer's list.

- `reports.file`: 200 level-1 citizens file BENCH_REPORT_FILINGS (default 2,000, at most 10 per citizen:
  the daily limit) reports with one photo each (multipart), each with its own Idempotency-Key and place;
  requests beyond that many are replays of a stored answer, much cheaper.
- `reports.feed`: GET /api/v1/reports/feed over BENCH_REPORTS (default 5,000) synthetic reports,
  plain, filtered by category and status, and by commune.
- `reports.inbox`: the officers of one commune committee holding a share of those reports, plus the
  dispatcher's province-wide list; GET /api/v1/reports/inbox plain and filtered.
"""
import io
import os
import random
import uuid

from bench.scenario import Request, Scenario
from bench.scenarios_dossiers import _citizens

BOUNDARY = "benchboundary7d1f"


def _reference_data():
    from app.extensions import db
    from app.reports.seed import seed_categories, seed_departments

    seed_departments("80")
    seed_categories()
    db.session.flush()


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _multipart(fields: dict, photo: bytes) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="anh.jpg"\r\n'
                 f'Content-Type: image/jpeg\r\n\r\n'.encode() + photo + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def setup_file(app) -> list[Request]:
    from app.extensions import db
    from app.reports import geo

    _reference_data()
    people = _citizens(200, level=1)
    db.session.commit()
    wanted = min(int(os.environ.get("BENCH_REPORT_FILINGS", 2000)), 10 * len(people))
    points = list(geo.commune_points("80").values())
    photo = _photo()
    requests = []
    for i in range(wanted):
        _account, _row, token = people[i % len(people)]
        lat, lon = points[i % len(points)]
        body = _multipart({"category": "street_lighting", "description": "Đèn đường không sáng (thử tải).",
                           "latitude": f"{lat + (i // len(points)) * 0.002:.6f}", "longitude": f"{lon:.6f}",
                           "address": f"Cột đèn số {i}"}, photo)
        requests.append(Request("POST", "/api/v1/reports", body=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{uuid.uuid4()}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}))
    return requests


def _synthetic(app) -> int:
    from app.extensions import db
    from app.reports.seed import seed_synthetic_reports

    _reference_data()
    _citizens(50, level=1)
    made = seed_synthetic_reports("80", int(os.environ.get("BENCH_REPORTS", 5000)), seed=7)
    db.session.commit()
    return made


def setup_feed(app) -> list[Request]:
    from app.registry import divisions

    _synthetic(app)
    communes = [c.code for c in divisions.communes_of("80")]
    queries = ["", "?category=street_lighting&status=closed", "?limit=50"] + \
              [f"?commune_code={code}" for code in random.Random(3).sample(communes, 5)]
    return [Request("GET", f"/api/v1/reports/feed{q}") for q in queries]


def setup_inbox(app) -> list[Request]:
    from sqlalchemy import func, select

    from app.catalog.models import Agency
    from app.extensions import db
    from app.identity.models import ACTIVE, Account
    from app.identity.sessions import start_session
    from app.reports.models import Report

    _synthetic(app)
    busiest = db.session.execute(select(Report.agency_id, func.count()).where(Report.agency_id.is_not(None))
                                 .group_by(Report.agency_id).order_by(func.count().desc()).limit(1)).first()
    agency = db.session.get(Agency, busiest[0])
    staff = [Account(login=f"bench.reports.{uuid.uuid4().hex[:10]}", full_name="Cán bộ thử tải", role=role, level=2,
                     status=ACTIVE, agency_id=agency.id if role == "officer" else None,
                     commune_code=agency.commune_code if role == "officer" else None)
             for role in ("officer",) * 10 + ("dispatcher",) * 2]
    db.session.add_all(staff)
    db.session.flush()
    tokens = [start_session(a, level=2, methods=["pwd", "totp"]).access_token for a in staff]
    db.session.commit()
    queries = ["", "?status=assigned&status=in_progress", "?overdue=true", "?limit=50"]
    return [Request("GET", f"/api/v1/reports/inbox{queries[i % len(queries)]}",
                    headers={"Authorization": f"Bearer {token}"})
            for i, token in enumerate(tokens * len(queries))]


SCENARIOS = [
    Scenario("reports.file", setup=setup_file, expect=(201,),
             description="POST /api/v1/reports: place check, photo re-encoded without EXIF, limits, routing, "
                         "timeline, outbox, event; a different report per request"),
    Scenario("reports.feed", setup=setup_feed,
             description="GET /api/v1/reports/feed: public GeoJSON over 5,000 reports, plain and filtered"),
    Scenario("reports.inbox", setup=setup_inbox,
             description="GET /api/v1/reports/inbox: the busiest agency's officers and the dispatcher"),
]
