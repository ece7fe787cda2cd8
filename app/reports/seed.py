"""Report categories, the departments that handle them, and the development demo.

`seed_categories` and `seed_departments` run everywhere (idempotent: an
existing row is never overwritten, so an admin's edits stay). The demo part
(a dispatcher log-in, the sample partner app's Open311 key, synthetic
reports) is skipped in production.
"""
import random
import uuid
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.common.clock import VIETNAM, local_today, utcnow
from app.common.workdays import add_working_days

from app.catalog import public as catalog
from app.extensions import db
from app.identity import public as identity
from app.common.roles import CITIZEN, DISPATCHER
from app.identity.seed import DEMO_PASSWORD, demo_secret
from app.identity.staff import create_staff
from app.registry import divisions
from app.reports import api_clients, geo, routing, states
from app.reports.catalog_data import CATEGORIES, DEPARTMENTS
from app.reports.models import (
    Report, ReportApiClient, ReportCategory, ReportFollower, ReportTimelineEntry,
)

DEV_API_KEY = "o311_dev_demo_partner_key_tayninh"   # development only: printed by the seed, in docs/reports.md
DEMO_PARTNER = "Ứng dụng đối tác mẫu (demo partner app)"


def seed_categories() -> int:
    existing = set(db.session.scalars(select(ReportCategory.code)))
    new = [ReportCategory(position=i, **data) for i, data in enumerate(CATEGORIES) if data["code"] not in existing]
    db.session.add_all(new)
    return len(new)


def seed_departments(province_code: str) -> int:
    province = divisions.province(province_code)
    return catalog.add_missing_agencies(province.code, [
        (f"{prefix}-{province.code}", kind, template.format(province=province.name))
        for prefix, kind, template in DEPARTMENTS])


def seed_demo(province_code: str) -> list[str]:
    """The dispatcher and the partner app's key (development); returns lines to print. The caller commits."""
    if current_app.config["APP_ENV"] == "production":
        return []
    if identity.account_id_by_login("demo.dispatcher") is None:
        create_staff(role=DISPATCHER, login="demo.dispatcher", full_name="Điều phối viên IOC",
                     password=DEMO_PASSWORD, totp_secret=demo_secret("demo.dispatcher"))
    if db.session.scalar(select(ReportApiClient.id).where(
            ReportApiClient.key_hash == api_clients.key_hash(DEV_API_KEY))) is None:
        api_clients.issue_key(DEMO_PARTNER, key=DEV_API_KEY)
    db.session.flush()
    synthetic = seed_synthetic_reports(province_code) if not current_app.testing else 0
    return [f"synthetic citizen reports added: {synthetic}",
            f"dispatcher demo.dispatcher: TOTP secret {demo_secret('demo.dispatcher')}",
            f"Open311 api_key of the demo partner app (development only): {DEV_API_KEY}"]


DESCRIPTIONS = {
    "roads_bridges": ["Ổ gà lớn giữa đường, xe máy dễ té ngã.", "Mặt cầu bong tróc, lan can gãy."],
    "street_lighting": ["Đèn đường không sáng nhiều đêm liền.", "Đèn chập chờn cả đoạn đường."],
    "waste_environment": ["Rác tồn đọng nhiều ngày chưa thu gom.", "Có người đổ trộm xà bần ven kênh."],
    "water_drainage": ["Cống bị tắc, nước tràn lên mặt đường.", "Vỡ ống nước sạch, nước chảy lênh láng."],
    "traffic_order": ["Xe đậu lấn chiếm hết vỉa hè.", "Quán lấn chiếm lòng đường buổi tối."],
    "trees_parks": ["Cây xanh nghiêng, có nguy cơ ngã đổ.", "Cành cây gãy chắn lối đi công viên."],
    "food_safety": ["Cơ sở bán thức ăn mất vệ sinh.", "Thực phẩm không rõ nguồn gốc bày bán."],
    "officials_conduct": ["Cán bộ gây khó khăn khi làm thủ tục."],
    "other": ["Tiếng ồn kéo dài sau 22 giờ.", "Biển tên đường bị mất."],
}
# (status, weight) of a report older than its deadline; newer ones are mostly still open
SETTLED = ((states.CLOSED, 60), (states.RESOLVED, 8), (states.REFUSED, 5), (states.MERGED, 4),
           (states.IN_PROGRESS, 10), (states.ASSIGNED, 8), (states.REOPENED, 3), (states.RECEIVED, 2))
FRESH = ((states.ASSIGNED, 40), (states.IN_PROGRESS, 35), (states.RESOLVED, 15), (states.RECEIVED, 10))


def seed_synthetic_reports(province_code: str, count: int = 300, *, seed: int = 2025, days: int = 90) -> int:
    """`count` synthetic reports over the last `days` days, in every state; skipped when reports exist."""
    if db.session.scalar(select(func.count(Report.id))) >= count:
        return 0
    rng = random.Random(seed)
    categories = list(db.session.scalars(select(ReportCategory).order_by(ReportCategory.position)))
    citizens = identity.account_ids(CITIZEN, limit=50)
    points = geo.commune_points(province_code)
    committees = catalog.commune_agencies(province_code)
    communes = sorted(code for code in points if code in committees)
    if not categories or not communes:
        return 0
    today = local_today()
    made: list[Report] = []
    for i in range(count):
        category = categories[i % len(categories)] if i < len(categories) else rng.choice(categories)
        commune = rng.choice(communes)
        lat, lon = _jitter(rng, province_code, points[commune])
        filed_on = today - timedelta(days=rng.randrange(days))
        due = add_working_days(filed_on, category.deadline_days)
        table = SETTLED if due < today else FRESH
        status = states.STATES[i] if i < len(states.STATES) else _weighted(rng, table)
        agency = routing.competent_agency(category, commune, province_code) or committees[commune]
        created = datetime.combine(filed_on, time(rng.randrange(6, 21), rng.randrange(60)), tzinfo=VIETNAM)
        report = Report(
            id=uuid.uuid4(), category=category, reporter_account_id=rng.choice(citizens) if citizens else None,
            description=rng.choice(DESCRIPTIONS.get(category.code, DESCRIPTIONS["other"])), latitude=lat,
            longitude=lon, commune_code=commune, address=f"Khu phố {rng.randrange(1, 12)}, {commune}",
            status=status, agency_id=None if status == states.RECEIVED else agency.id, public=category.public,
            filed_on=filed_on, due_date=due, created_at=created, updated_at=created,
            supporters=1 + (rng.randrange(4) if rng.random() < 0.2 else 0))
        report.address_key = report.address.lower()
        _settle(rng, report, category, today)
        if status == states.MERGED:
            target = next((r for r in reversed(made) if r.category_id == category.id
                           and r.status in states.DUPLICATE_CANDIDATES), None)
            report.merged_into_id = target.id if target else None
        made.append(report)
    db.session.add_all(made)
    db.session.flush()
    for report in made:
        if report.reporter_account_id is not None:
            db.session.add(ReportFollower(report_id=report.id, account_id=report.reporter_account_id,
                                          created_at=report.created_at))
        db.session.add(ReportTimelineEntry(report_id=report.id, action="file", to_status=states.RECEIVED,
                                           account_id=report.reporter_account_id, actor_role="citizen",
                                           data={}, created_at=report.created_at))
        if report.status != states.RECEIVED:
            db.session.add(ReportTimelineEntry(report_id=report.id, action="auto_route", from_status=states.RECEIVED,
                                               to_status=report.status, actor_role="system", data={"seed": True},
                                               created_at=report.created_at))
    return len(made)


def _settle(rng, report: Report, category: ReportCategory, today) -> None:
    """Times, result, rating and refusal that fit the report's state."""
    status = report.status
    start = report.created_at
    if status in (states.IN_PROGRESS, states.RESOLVED, states.CLOSED, states.REOPENED):
        report.acknowledged_at = start + timedelta(hours=rng.randrange(2, 30))
    if status in (states.RESOLVED, states.CLOSED, states.REOPENED):
        late = rng.random() < 0.15
        span = category.deadline_days + (rng.randrange(1, 5) if late else -rng.randrange(0, category.deadline_days))
        resolved_on = min(add_working_days(report.filed_on, max(span, 0)), today)
        report.resolved_at = max(datetime.combine(resolved_on, time(15, 30), tzinfo=VIETNAM),
                                 report.acknowledged_at + timedelta(hours=1))
        report.result_text = "Đơn vị đã kiểm tra và khắc phục xong."
    if status == states.RESOLVED and report.resolved_at < utcnow() - timedelta(days=6):
        report.resolved_at = utcnow() - timedelta(days=rng.randrange(0, 6), hours=2)
    if status == states.CLOSED:
        report.closed_at = report.resolved_at + timedelta(days=rng.randrange(1, 8))
        report.rating = rng.choices((5, 4, 3, 2, 1), weights=(55, 25, 10, 6, 4))[0] if rng.random() < 0.7 else None
        report.reopen_count = 1 if rng.random() < 0.06 else 0
    if status == states.REOPENED:
        report.reopen_count = 1
        report.due_date = add_working_days(min(report.resolved_at.astimezone(VIETNAM).date() + timedelta(days=2),
                                               today), category.deadline_days)
    if status in (states.REFUSED, states.MERGED):
        report.closed_at = start + timedelta(hours=rng.randrange(1, 48))
    if status == states.REFUSED:
        spam = rng.random() < 0.4
        report.refusal_reason = "Nội dung không phải phản ánh hiện trường." if spam else \
            "Vị trí thuộc khu đất tư nhân, không thuộc phạm vi xử lý của chính quyền."
        report.public = report.public and not spam


def _weighted(rng, table) -> str:
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


def _jitter(rng, province_code: str, point: tuple[float, float]) -> tuple[float, float]:
    for _ in range(20):
        lat, lon = point[0] + rng.uniform(-0.01, 0.01), point[1] + rng.uniform(-0.01, 0.01)
        if geo.inside_province(province_code, lat, lon):
            return round(lat, 6), round(lon, 6)
    return point


def demo_facts(province_code: str) -> dict:
    """What the development demo endpoint shows: the partner key, the demo log-ins, a place to report."""
    citizen = identity.first_account(CITIZEN, level=2, with_totp=True)
    officer = identity.account_by_login("demo.officer")
    commune = officer.commune_code if officer is not None and officer.commune_code else None
    point = geo.commune_points(province_code).get(commune) if commune else None
    logins = {"citizen": citizen.login if citizen else None, "officer": "demo.officer",
              "approver": "demo.approver", "dispatcher": "demo.dispatcher", "leader": "demo.leader",
              "admin": "demo.admin"}
    return {
        "open311_api_key": DEV_API_KEY, "partner": DEMO_PARTNER, "password": DEMO_PASSWORD,
        "logins": logins,
        "totp_secrets": {role: demo_secret(login) for role, login in logins.items() if login},
        "place": {"commune_code": commune, "latitude": point[0], "longitude": point[1]} if point else None,
    }
