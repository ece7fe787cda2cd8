"""Demo service-quality data on top of the demo dossiers.

The demo citizen rates their finished dossier and complains about the one in
processing; demo.officer apologises for that dossier with a new date; and the
stall detector finds it stuck (its quality record is dated back three weeks,
so the detector has something to show on a fresh database). Idempotent:
nothing is added once a rating exists. Skipped in production, and in tests
unless asked for.
"""
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.common.auth import Principal
from app.common.clock import local_today, utcnow
from app.common.workdays import add_working_days
from app.extensions import db
from app.identity import public as identity
from app.common.roles import CITIZEN
from app.quality import apologies, complaints, ratings, stalls
from app.quality.models import QualityDossier, Rating
from app.quality.settings import settings


def seed_demo_quality(*, in_tests: bool = False) -> list[str]:
    """Adds the demo rating, complaint, apology and stall; returns the lines to print (the caller commits)."""
    if current_app.config["APP_ENV"] == "production" or (current_app.testing and not in_tests):
        return []
    if db.session.scalar(select(Rating.id).limit(1)) is not None:
        return []
    citizen = identity.first_account(CITIZEN, level=2)
    officer = identity.account_by_login("demo.officer")
    if citizen is None or officer is None:
        return []
    records = list(db.session.scalars(select(QualityDossier).where(
        QualityDossier.citizen_account_id == citizen.id).order_by(QualityDossier.submitted_at)))
    done = next((r for r in records if r.status == "result_issued"), None)
    stuck = next((r for r in records if r.status == "in_processing"), None)
    if done is None or stuck is None:
        return []
    me, desk = _principal(citizen), _principal(officer)
    ratings.rate_dossier(me, done.dossier_id, {"verdict": "satisfied", "score": 5,
                                               "reasons": ["fast", "easy_online"],
                                               "comment": "Nhận kết quả điện tử rất nhanh."}, settings())
    complaint = complaints.file_complaint(me, {
        "kind": "complaint", "dossier_id": stuck.dossier_id, "subject": "Hồ sơ khai sinh chậm xử lý",
        "content": "Hồ sơ đã được tiếp nhận nhưng nhiều ngày không thấy tiến triển."}, settings())
    apology = apologies.issue_apology(desk, stuck.dossier_id, add_working_days(max(stuck.due_date, local_today()), 5),
                                      "Cần xác minh thông tin khai sinh với bệnh viện.")
    stuck.state_since = utcnow() - timedelta(days=21)
    stalls.scan_stalls(settings())
    db.session.flush()
    return [f"service quality: a rating of {done.receipt_code}, complaint {complaint.reference} (id {complaint.id}) "
            f"about {stuck.receipt_code}, which is stalled and late with an apology (new date "
            f"{apology.new_date}, letter GET /api/v1/quality/apologies/{apology.id}/letter.pdf)"]


def _principal(account: identity.AccountInfo) -> Principal:
    return Principal(account_id=account.id, role=account.role, level=account.level or 2, methods=("seed",),
                     session_id=uuid.uuid4(), agency_id=account.agency_id, commune_code=account.commune_code)
