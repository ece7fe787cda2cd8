"""The service-quality use cases the API calls: each owns its transaction."""
import uuid

from app.common.auth import Principal
from app.extensions import db
from app.quality import apologies, complaints, figures, present, ratings
from app.quality.settings import settings


# The writes answer with a view assembled before the commit: the commit expires the
# objects, and serialising them afterwards would read each one back in a new transaction.

def rate_dossier(principal: Principal, dossier_id: uuid.UUID, data: dict) -> dict:
    rating = ratings.rate_dossier(principal, dossier_id, data, settings())
    db.session.flush()
    view = present.rating_view(rating)
    db.session.commit()
    return view


def file_complaint(principal: Principal, data: dict) -> dict:
    view = present.complaint_view(complaints.file_complaint(principal, data, settings()), principal)
    db.session.commit()
    return view


def act_on_complaint(principal: Principal, complaint_id: uuid.UUID, action: str, note: str | None) -> dict:
    view = present.complaint_view(complaints.act_on_complaint(principal, complaint_id, action, note), principal)
    db.session.commit()
    return view


def issue_apology(principal: Principal, dossier_id: uuid.UUID, new_date, reason: str) -> dict:
    view = present.apology_view(apologies.issue_apology(principal, dossier_id, new_date, reason))
    db.session.commit()
    return view


def period(args: dict) -> dict:
    """The figures' period and scope from the query (default: this month)."""
    start = args.get("start") or figures.current_month()
    return {"start": start, "end": args.get("end") or start, "scope": args.get("scope"),
            "scope_id": args.get("scope_id")}


def index(principal: Principal, args: dict) -> dict:
    return figures.index(principal, settings(), **period(args))


def drill_down(principal: Principal, code: str, args: dict) -> dict:
    return figures.drill_down(principal, code, cursor=args.get("cursor"), limit=args.get("limit", 20),
                              **period(args))


def drill_down_csv(principal: Principal, code: str, args: dict) -> str:
    return figures.drill_down_csv(principal, code, **period(args))


def ratings_summary(principal: Principal, args: dict) -> dict:
    return figures.ratings_summary(principal, **period(args))


def complaints_summary(principal: Principal, args: dict) -> dict:
    return figures.complaints_summary(principal, **period(args))
