"""Open311 GeoReport v2 over the reports domain: the field names and values the standard uses.

Mapping (docs/reports.md has the table): a public, active category is a
service (`service_code` = category code, `metadata` true when it has extra
attributes); a report is a service request (`service_request_id` = its id);
the eight states fold into `open` and `closed`; times are W3C (ISO 8601 with
the offset, shown in Asia/Ho_Chi_Minh). Private categories (officials'
conduct) are neither listed nor accepted; the reporter is never given out.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.common.clock import VIETNAM, utcnow
from app.extensions import db
from app.reports import api_clients, routing, service, states
from app.reports.access import is_published
from app.reports.errors import CategoryNotFound, Open311BadRequest, ReportNotFound
from app.reports.models import OPEN311, Report, ReportCategory
from app.reports.transitions import reference

DEFAULT_DAYS = 90          # without dates: the last 90 days (the specification's default)
MAX_RESULTS = 1000
OPEN311_TYPE = "realtime"  # the request id is returned at once


@dataclass(frozen=True)
class Query:
    service_request_ids: tuple[uuid.UUID, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds") if moment else None


def service_view(category: ReportCategory) -> dict:
    return {"service_code": category.code, "service_name": category.name, "description": category.description,
            "metadata": bool(category.attributes), "type": OPEN311_TYPE,
            "keywords": category.name_en.lower(), "group": category.group}


def services() -> list[dict]:
    return [service_view(c) for c in service.categories() if c.public]


def definition(code: str) -> dict:
    category = _public_category(code)
    return {"service_code": category.code, "attributes": [
        {"variable": a.get("variable", True), "code": a["code"], "datatype": a["datatype"],
         "required": bool(a.get("required")), "datatype_description": a.get("datatype_description"),
         "order": a.get("order", i + 1), "description": a.get("description", ""),
         "values": a.get("values") or []}
        for i, a in enumerate(category.attributes)]}


def request_view(report: Report, agencies: dict) -> dict:
    agency = agencies.get(report.agency_id)
    notes = report.refusal_reason if report.status == states.REFUSED else report.result_text
    expected = (datetime.combine(report.due_date, time(17, 0), tzinfo=VIETNAM) if report.due_date else None)
    return {
        "service_request_id": str(report.id), "status": states.OPEN311_STATUS[report.status],
        "status_notes": notes, "service_name": report.category.name, "service_code": report.category.code,
        "description": report.description, "agency_responsible": agency.name if agency else None,
        "service_notice": f"Mã phản ánh {reference(report)}", "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at), "expected_datetime": w3c(expected),
        "address": report.address, "address_id": None, "zipcode": None,
        "lat": report.latitude, "long": report.longitude,
        "media_url": next((f"/api/v1/reports/{report.id}/photos/{p.id}" for p in report.photos if not p.hidden), None),
    }


def find(query: Query) -> list[dict]:
    statement = (select(Report).join(ReportCategory, Report.category_id == ReportCategory.id)
                 .where(Report.public.is_(True), ReportCategory.public.is_(True), Report.status != states.REFUSED))
    if query.service_request_ids:
        # the specification: ids override every other filter
        statement = statement.where(Report.id.in_(query.service_request_ids))
    else:
        end = query.end or utcnow()
        start = query.start or end - timedelta(days=DEFAULT_DAYS)
        statement = statement.where(Report.created_at >= start, Report.created_at <= end)
        if query.service_codes:
            statement = statement.where(ReportCategory.code.in_(query.service_codes))
        if query.statuses:
            wanted = [s for s, v in states.OPEN311_STATUS.items() if v in query.statuses]
            statement = statement.where(Report.status.in_(wanted))
    reports = list(db.session.scalars(statement.order_by(Report.created_at.desc(), Report.id.desc())
                                      .limit(MAX_RESULTS)))
    agencies = routing.agencies_by_id(r.agency_id for r in reports)
    return [request_view(r, agencies) for r in reports]


def one(service_request_id: str) -> list[dict]:
    try:
        report_id = uuid.UUID(service_request_id)
    except ValueError:
        raise ReportNotFound() from None
    found = find(Query(service_request_ids=(report_id,)))
    if not found:
        raise ReportNotFound()
    return found


def token(value: str) -> list[dict]:
    report = db.session.scalar(select(Report).where(Report.token == value)) if value else None
    if report is None or not is_published(report):
        raise ReportNotFound()
    return [{"service_request_id": str(report.id), "token": report.token}]


def create(form: dict) -> list[dict]:
    """A partner app files a report with its API key."""
    client = api_clients.client_for(form.get("api_key"))
    category = _public_category(form["service_code"])
    if form.get("lat") is None or form.get("long") is None:
        raise Open311BadRequest("lat and long are required (address-only requests are not accepted)")
    attributes = {a["code"]: form["attributes"][a["code"]] for a in category.attributes
                  if a["code"] in form.get("attributes", {})}
    missing = [a["code"] for a in category.attributes if a.get("required") and a["code"] not in attributes]
    if missing:
        raise Open311BadRequest(f"attribute[{missing[0]}] is required")
    data = {"category": category.code, "description": form.get("description") or category.name,
            "latitude": form["lat"], "longitude": form["long"], "address": form.get("address_string") or "",
            "attributes": attributes}
    filed = service.file_report(None, data, [], channel=OPEN311, api_client_id=client.id)
    return [{"service_request_id": str(filed.report.id), "token": filed.report.token,
             "service_notice": f"Mã phản ánh {reference(filed.report)}", "account_id": None}]


def _public_category(code: str) -> ReportCategory:
    category = db.session.scalar(select(ReportCategory).where(ReportCategory.code == code))
    if category is None or not category.public or not category.active:
        raise CategoryNotFound()
    return category
