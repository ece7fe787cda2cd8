"""Citizens rate their finished dossiers, once, within a window; figures never say who rated what."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.common.auth import Principal
from app.common.clock import utcnow
from app.extensions import db
from app.quality import tracking
from app.quality.errors import AlreadyRated, DossierNotKnown, NotFinished, RatingWindowClosed
from app.quality.models import QualityDossier, Rating
from app.quality.settings import QualitySettings

SATISFIED, NEUTRAL, DISSATISFIED = "satisfied", "neutral", "dissatisfied"
VERDICTS = (SATISFIED, NEUTRAL, DISSATISFIED)
REASONS = ("fast", "friendly_staff", "clear_guidance", "easy_online", "slow", "asked_again_and_again",
           "unclear_guidance", "unfriendly_staff", "extra_costs", "system_errors", "other")


def rate_dossier(principal: Principal, dossier_id: uuid.UUID, data: dict, settings: QualitySettings) -> Rating:
    """Records the citizen's one rating of a finished dossier (the caller commits)."""
    record = db.session.scalar(select(QualityDossier).where(QualityDossier.dossier_id == dossier_id)
                               .with_for_update())
    if record is None or record.citizen_account_id != principal.account_id:
        raise DossierNotKnown()
    if record.status not in tracking.FINISHED or record.completed_at is None:
        raise NotFinished(errors={"status": [record.status]})
    if utcnow() > record.completed_at + timedelta(days=settings.rating_window_days):
        raise RatingWindowClosed()
    if db.session.scalar(select(Rating.id).where(Rating.dossier_id == dossier_id)) is not None:
        raise AlreadyRated()
    now = utcnow()
    rating = Rating(dossier_id=dossier_id, agency_id=record.agency_id, commune_code=record.commune_code,
                    procedure_code=record.procedure_code, month=tracking.month_of(now),
                    verdict=data["verdict"], score=data.get("score"), reasons=sorted(set(data.get("reasons", []))),
                    comment=(data.get("comment") or "").strip() or None)
    db.session.add(rating)
    metrics = {"ratings": 1, f"rating.{rating.verdict}": 1}
    if rating.score:
        metrics.update({"score_sum": rating.score, "score_count": 1})
    metrics.update({f"rating_reason.{reason}": 1 for reason in rating.reasons})
    tracking.add(rating.month, tracking.scopes_of(record), metrics)
    if rating.verdict == DISSATISFIED:
        tracking.mark_unhappy(record)
    return rating

