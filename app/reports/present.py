"""What each reader sees of a report; built from loaded rows, never querying while serialising.

The public never sees who reported (only "a citizen"), nor a hidden photo, nor
which helper or officer acted; the reporter and the report's staff see more.
"""
from datetime import date

from app.common.clock import local_today
from app.reports import states
from app.reports.transitions import reference

A_CITIZEN = {"vi": "Một người dân", "en": "A citizen"}
PUBLIC, REPORTER, STAFF = "public", "reporter", "staff"
BASE = "/api/v1/reports"


def report_view(report, audience: str, *, agencies: dict, locale: str = "vi", timeline=None,
                actions: list[str] | None = None) -> dict:
    full = audience in (REPORTER, STAFF)
    agency = agencies.get(report.agency_id)
    view = {
        "id": report.id, "reference": reference(report),
        "category": {"code": report.category.code, "name": report.category.name},
        "description": report.description, "latitude": report.latitude, "longitude": report.longitude,
        "commune_code": report.commune_code, "address": report.address, "status": report.status,
        "agency": {"id": str(agency.id), "code": agency.code, "name": agency.name} if agency else None,
        "reporter": A_CITIZEN.get(locale, A_CITIZEN["vi"]),
        "supporters": report.supporters, "filed_at": report.created_at, "due_date": report.due_date,
        "resolved_at": report.resolved_at, "closed_at": report.closed_at, "result": report.result_text,
        "refusal_reason": report.refusal_reason if full or report.status == states.REFUSED else None,
        "merged_into": report.merged_into_id, "overdue": is_overdue(report),
        "photos": [photo_view(report, p) for p in report.photos if full or not p.hidden],
    }
    if full:
        view.update(rating=report.rating, version=report.version, public=report.public,
                    escalation_level=report.escalation_level)
        if report.reporter_account_id is not None:
            view["reporter_account_id"] = report.reporter_account_id
    if timeline is not None:
        view["timeline"] = [timeline_view(entry, full) for entry in timeline]
    if actions is not None:
        view["allowed_actions"] = actions
    return view


def photo_view(report, photo) -> dict:
    return {"id": photo.id, "kind": photo.kind, "content_type": photo.content_type, "width": photo.width,
            "height": photo.height, "hidden": photo.hidden, "url": f"{BASE}/{report.id}/photos/{photo.id}"}


def timeline_view(entry, full: bool) -> dict:
    by = "citizen" if entry.actor_role == "citizen" else "system" if entry.actor_role == "system" else "staff"
    reason = entry.reason
    if not full and entry.action in ("file", "reopen", "me_too", "close"):
        reason = None       # the citizen's own words stay with the staff
    return {"action": entry.action, "from_status": entry.from_status, "to_status": entry.to_status,
            "at": entry.created_at, "by": by, "reason": reason}


def is_overdue(report, today: date | None = None) -> bool:
    return report.status in states.OPEN and report.due_date is not None and report.due_date < (today or local_today())


def feature(report, agencies: dict) -> dict:
    """One GeoJSON Feature (RFC 7946: coordinates are longitude, latitude)."""
    agency = agencies.get(report.agency_id)
    return {
        "type": "Feature", "id": str(report.id),
        "geometry": {"type": "Point", "coordinates": [report.longitude, report.latitude]},
        "properties": {
            "reference": reference(report), "category": report.category.code,
            "category_name": report.category.name, "status": report.status,
            "open311_status": states.OPEN311_STATUS[report.status], "commune_code": report.commune_code,
            "address": report.address, "description": report.description, "supporters": report.supporters,
            "filed_at": report.created_at.isoformat(), "due_date": report.due_date.isoformat() if report.due_date else None,
            "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
            "result": report.result_text, "agency": agency.name if agency else None,
            "photos": [f"{BASE}/{report.id}/photos/{p.id}" for p in report.photos if not p.hidden],
        },
    }
