"""What the API shows of complaints and apologies (plain dicts, no queries)."""
from app.common.auth import Principal
from app.quality import complaints
from app.quality.models import Apology, Complaint, Rating


def rating_view(rating: Rating) -> dict:
    return {name: getattr(rating, name) for name in (
        "id", "dossier_id", "verdict", "score", "reasons", "comment", "created_at")}


def complaint_view(complaint: Complaint, principal: Principal) -> dict:
    view = {name: getattr(complaint, name) for name in (
        "id", "reference", "kind", "dossier_id", "procedure_code", "agency_id", "commune_code", "subject",
        "content", "status", "filed_on", "due_date", "paused_on", "paused_days", "refuse_by", "info_by", "answer",
        "closed_at", "on_time",
        "escalation_level", "created_at")}
    view["filed_by_helper"] = complaint.filed_by_id is not None
    view["allowed_actions"] = complaints.allowed_actions(principal, complaint)
    return view


def complaint_page(page: dict, principal: Principal) -> dict:
    return {"items": [complaint_view(c, principal) for c in page["items"]], "next_cursor": page["next_cursor"]}


def apology_view(apology: Apology) -> dict:
    view = {name: getattr(apology, name) for name in (
        "id", "dossier_id", "receipt_code", "procedure_name", "agency_name", "officer_name", "due_date",
        "new_date", "reason", "issued_at")}
    view["letter_url"] = f"/api/v1/quality/apologies/{apology.id}/letter.pdf"
    return view
