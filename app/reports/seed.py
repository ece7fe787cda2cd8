"""Report categories, the departments that handle them, and the development demo.

`seed_categories` and `seed_departments` run everywhere (idempotent: an
existing row is never overwritten, so an admin's edits stay). The demo part
(a dispatcher log-in, the sample partner app's Open311 key, synthetic
reports) is skipped in production.
"""
from flask import current_app
from sqlalchemy import select

from app.catalog.models import Agency
from app.extensions import db
from app.identity.models import Account
from app.identity.roles import DISPATCHER
from app.identity.seed import DEMO_PASSWORD, demo_secret
from app.identity.staff import create_staff
from app.registry import divisions
from app.reports import api_clients
from app.reports.catalog_data import CATEGORIES, DEPARTMENTS
from app.reports.models import ReportApiClient, ReportCategory

DEV_API_KEY = "o311_dev_demo_partner_key_tayninh"   # development only: printed by the seed, in docs/reports.md
DEMO_PARTNER = "Ứng dụng đối tác mẫu (demo partner app)"


def seed_categories() -> int:
    existing = set(db.session.scalars(select(ReportCategory.code)))
    new = [ReportCategory(position=i, **data) for i, data in enumerate(CATEGORIES) if data["code"] not in existing]
    db.session.add_all(new)
    return len(new)


def seed_departments(province_code: str) -> int:
    province = divisions.province(province_code)
    existing = set(db.session.scalars(select(Agency.code).where(Agency.province_code == province.code)))
    new = [Agency(code=f"{prefix}-{province.code}", kind=kind, province_code=province.code,
                  name=template.format(province=province.name))
           for prefix, kind, template in DEPARTMENTS if f"{prefix}-{province.code}" not in existing]
    db.session.add_all(new)
    return len(new)


def seed_demo(province_code: str) -> list[str]:
    """The dispatcher and the partner app's key (development); returns lines to print. The caller commits."""
    if current_app.config["APP_ENV"] == "production":
        return []
    if db.session.scalar(select(Account.id).where(Account.login == "demo.dispatcher")) is None:
        create_staff(role=DISPATCHER, login="demo.dispatcher", full_name="Điều phối viên IOC",
                     password=DEMO_PASSWORD, totp_secret=demo_secret("demo.dispatcher"))
    if db.session.scalar(select(ReportApiClient.id).where(
            ReportApiClient.key_hash == api_clients.key_hash(DEV_API_KEY))) is None:
        api_clients.issue_key(DEMO_PARTNER, key=DEV_API_KEY)
    db.session.flush()
    return [f"dispatcher demo.dispatcher: TOTP secret {demo_secret('demo.dispatcher')}",
            f"Open311 api_key of the demo partner app (development only): {DEV_API_KEY}"]
