"""The rules of citizen reports. Every public function owns its transaction (commits)."""
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.common.auth import Principal
from app.common.clock import local_today, utcnow
from app.common.pagination import paginate
from app.common.workdays import add_working_days
from app.extensions import db
from app.common.errors import RoleRequired
from app.common.roles import ADMIN, APPROVER, CITIZEN, DISPATCHER, OFFICER
from app.reports import geo, photos, routing, states
from app.reports.access import ensure_visible, facts_of, actor_of, is_published, load, staff_view
from app.reports.errors import (
    AlreadyFollowing, CategoryNotFound, ConcurrentChange, DailyLimitReached, InvalidReport, NoCompetentAgency,
    NotMergeable, OutsideProvince, PhotoNotFound, PhotoRequired, PlaceLimitReached, RefusedAction, ReportNotFound,
    UnknownCategory, UnknownCommune, REFUSALS,
)
from app.reports.models import (
    APP, REPORT_PHOTO, RESULT_PHOTO, Report, ReportCategory, ReportFollower, ReportPhoto, ReportTimelineEntry,
)
from app.reports.settings import settings
from app.reports.transitions import fire, record

SPAM, OUT_OF_SCOPE = "spam", "out_of_scope"
REFUSAL_KINDS = (SPAM, OUT_OF_SCOPE)


@dataclass
class Filed:
    report: Report
    likely_duplicates: list[Report]


# --- categories -------------------------------------------------------------------------

def categories(*, include_inactive: bool = False) -> list[ReportCategory]:
    statement = select(ReportCategory).order_by(ReportCategory.position, ReportCategory.code)
    if not include_inactive:
        statement = statement.where(ReportCategory.active.is_(True))
    return list(db.session.scalars(statement))


def category_by_code(code: str, *, active_only: bool = True) -> ReportCategory:
    category = db.session.scalar(select(ReportCategory).where(ReportCategory.code == code))
    if category is None or (active_only and not category.active):
        raise CategoryNotFound()
    return category


def category_field(code: str, *, active_only: bool = True) -> ReportCategory:
    """The category named in a request's field (unknown: 422 on that field)."""
    try:
        return category_by_code(code, active_only=active_only)
    except CategoryNotFound:
        raise UnknownCategory(errors={"category": [UnknownCategory.message]}) from None


def update_category(code: str, changes: dict) -> ReportCategory:
    """An admin edits a category; officials' conduct can never be made public."""
    category = category_by_code(code, active_only=False)
    if changes.get("public") and category.code == "officials_conduct":
        raise InvalidReport(errors={"public": [InvalidReport.message]})
    for name, value in changes.items():
        setattr(category, name, value)
    db.session.commit()
    return category


# --- filing -------------------------------------------------------------------------------

def address_key(address: str) -> str:
    """The address folded for comparison: no accents, no case, single spaces."""
    text = unicodedata.normalize("NFD", address or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()[:300]


def resolve_place(latitude: float, longitude: float, commune_code: str | None) -> str:
    """The commune of a place inside the province (given, or the nearest reference point)."""
    province = settings().province_code
    if not geo.inside_province(province, latitude, longitude):
        raise OutsideProvince(errors={"latitude": [OutsideProvince.message], "longitude": [OutsideProvince.message]})
    if commune_code:
        if not geo.is_commune_of(province, commune_code):
            raise UnknownCommune(errors={"commune_code": [UnknownCommune.message]})
        return commune_code
    return geo.nearest_commune(province, latitude, longitude)


def file_report(principal: Principal | None, data: dict, files: list[bytes], *,
                channel: str = APP, api_client_id: uuid.UUID | None = None) -> Filed:
    """Files a report: checked, photos cleaned, routed, followed by its reporter; all or nothing."""
    s = settings()
    category = category_field(data["category"])
    commune_code = resolve_place(data["latitude"], data["longitude"], data.get("commune_code"))
    cleaned = photos.clean_all(files, max_count=s.max_photos, max_bytes=s.photo_max_bytes, max_side=s.photo_max_side)
    if category.photo_required and not cleaned and channel == APP:   # partner apps keep their media_url
        raise PhotoRequired(errors={"photos": [PhotoRequired.message]})
    reporter_id = principal.account_id if principal else None
    if reporter_id is not None:
        _check_limits(reporter_id, category, data["latitude"], data["longitude"])
    today = local_today()
    report = Report(
        id=uuid.uuid4(), category=category, reporter_account_id=reporter_id,
        helper_account_id=principal.actor_id if principal else None, channel=channel,
        open311_client_id=api_client_id, description=data["description"].strip(),
        latitude=round(data["latitude"], 6), longitude=round(data["longitude"], 6), commune_code=commune_code,
        address=(data.get("address") or "").strip(), address_key=address_key(data.get("address") or ""),
        attributes=data.get("attributes") or {}, status=states.RECEIVED, public=category.public,
        filed_on=today, due_date=add_working_days(today, category.deadline_days),
        token=uuid.uuid4().hex if channel != APP else None,
    )
    db.session.add(report)
    db.session.flush()      # the rows below refer to it (they have no relationship to order them)
    if reporter_id is not None:
        db.session.add(ReportFollower(report_id=report.id, account_id=reporter_id))
    record(report, "file", principal, to_status=states.RECEIVED)
    stored: list[ReportPhoto] = []
    try:
        for photo in cleaned:
            stored.append(photos.store(report.id, photo, kind=REPORT_PHOTO, uploaded_by=reporter_id))
        db.session.add_all(stored)
        agency = routing.competent_agency(category, commune_code, s.province_code)
        if agency is not None:
            report.agency_id = agency.id
            fire(report, "auto_route", None, window_days=s.window_days, data={"agency_code": agency.code})
        duplicates = likely_duplicates(category.id, report.latitude, report.longitude, exclude=report.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        photos.discard(stored)
        raise
    return Filed(report, duplicates)


def _check_limits(account_id: uuid.UUID, category: ReportCategory, lat: float, lon: float) -> None:
    s = settings()
    today = local_today()
    filed_today = db.session.scalar(select(func.count(Report.id)).where(
        Report.reporter_account_id == account_id, Report.filed_on == today))
    if filed_today >= s.daily_limit_per_account:
        raise DailyLimitReached(limit=s.daily_limit_per_account)
    south, north, west, east = geo.degree_box(lat, lon, s.duplicate_radius_m)
    nearby = db.session.execute(select(Report.latitude, Report.longitude).where(
        Report.reporter_account_id == account_id, Report.filed_on == today,
        Report.latitude.between(south, north), Report.longitude.between(west, east))).all()
    if sum(1 for row in nearby if geo.distance_m(lat, lon, row[0], row[1]) <= s.duplicate_radius_m) \
            >= s.daily_limit_per_place:
        raise PlaceLimitReached()


def likely_duplicates(category_id: uuid.UUID, lat: float, lon: float, *,
                      exclude: uuid.UUID | None = None, limit: int = 5) -> list[Report]:
    """Open reports of the same category within the radius and the period, nearest first."""
    s = settings()
    south, north, west, east = geo.degree_box(lat, lon, s.duplicate_radius_m)
    statement = select(Report).where(
        Report.category_id == category_id, Report.status.in_(states.DUPLICATE_CANDIDATES),
        Report.latitude.between(south, north), Report.longitude.between(west, east),
        Report.created_at >= utcnow() - timedelta(days=s.duplicate_days))
    if exclude is not None:
        statement = statement.where(Report.id != exclude)
    found = [r for r in db.session.scalars(statement.limit(100))
             if geo.distance_m(lat, lon, r.latitude, r.longitude) <= s.duplicate_radius_m]
    found.sort(key=lambda r: geo.distance_m(lat, lon, r.latitude, r.longitude))
    return [r for r in found if is_published(r)][:limit]


def nearby(category_code: str, lat: float, lon: float) -> list[Report]:
    """What the app shows before filing: reports this one would likely duplicate."""
    category = category_field(category_code)
    resolve_place(lat, lon, None)
    return likely_duplicates(category.id, lat, lon)


# --- following ("me too") and merging -------------------------------------------------------

def follow(principal: Principal, report_id: uuid.UUID) -> Report:
    """A citizen says "me too": counted, and notified like the reporter."""
    report = ensure_visible(principal, load(report_id, lock=True))
    if report.status not in states.DUPLICATE_CANDIDATES:
        raise NotMergeable(errors={"status": [report.status]})
    try:
        with db.session.begin_nested():
            db.session.add(ReportFollower(report_id=report.id, account_id=principal.account_id))
    except IntegrityError:
        raise AlreadyFollowing() from None
    report.supporters += 1
    record(report, "me_too", principal)
    _commit()
    return report


def merge(principal: Principal, report_id: uuid.UUID, into_id: uuid.UUID, *, version: int | None = None) -> Report:
    """The dispatcher merges a duplicate into another report: followers and counts move."""
    if report_id == into_id:
        raise NotMergeable(errors={"into_id": [NotMergeable.message]})
    first, second = sorted((report_id, into_id))       # one lock order everywhere: no deadlock
    locked = {first: load(first, lock=True), second: load(second, lock=True)}
    source, target = locked[report_id], locked[into_id]
    if source is None or target is None:
        raise ReportNotFound()
    _ensure_version(source, version)
    if target.status not in states.DUPLICATE_CANDIDATES or source.category_id != target.category_id:
        raise NotMergeable(errors={"into_id": [NotMergeable.message]})
    s = settings()
    fire(source, "merge", principal, window_days=s.window_days, data={"into": str(target.id)},
         params={"target_reference": str(target.id).split("-")[0].upper()}, changes={"merged_into_id": target.id})
    already = set(db.session.scalars(select(ReportFollower.account_id).where(ReportFollower.report_id == target.id)))
    for follower in db.session.scalars(select(ReportFollower).where(ReportFollower.report_id == source.id)):
        if follower.account_id not in already:
            db.session.add(ReportFollower(report_id=target.id, account_id=follower.account_id))
    target.supporters += source.supporters
    record(target, "absorb", principal, data={"from": str(source.id), "supporters": source.supporters})
    _commit()
    return source


# --- triage and handling ------------------------------------------------------------------------

def act(principal: Principal, report_id: uuid.UUID, action: str, *, reason: str | None = None,
        agency_id: uuid.UUID | None = None, refusal_kind: str | None = None, version: int | None = None) -> Report:
    """Route, refuse, acknowledge, add a progress note or transfer (the generic transitions)."""
    report = _locked_for(principal, report_id)
    _ensure_version(report, version)
    s = settings()
    data = {}
    if action in ("route", "transfer"):
        agency = routing.agency(agency_id) if agency_id else None
        if agency is None:
            raise NoCompetentAgency(errors={"agency_id": [NoCompetentAgency.message]})
        data = {"from_agency": report.agency_id, "agency_code": agency.code}
        fire(report, action, principal, window_days=s.window_days, reason=reason, data=data,
             changes={"agency_id": agency.id, "escalation_level": 0})
    elif action == "refuse":
        changes = {"refusal_reason": (reason or "").strip() or None}
        if refusal_kind == SPAM:
            changes["public"] = False
        fire(report, action, principal, window_days=s.window_days, reason=reason,
             data={"kind": refusal_kind or OUT_OF_SCOPE}, changes=changes)
    elif action in ("acknowledge", "note"):
        fire(report, action, principal, window_days=s.window_days, reason=reason)
    else:
        raise RoleRequired()
    _commit()
    return report


def resolve(principal: Principal, report_id: uuid.UUID, result_text: str, files: list[bytes], *,
            version: int | None = None) -> Report:
    """The officer resolves the report with what was done, and photos of it."""
    s = settings()
    cleaned = photos.clean_all(files, max_count=s.max_photos, max_bytes=s.photo_max_bytes, max_side=s.photo_max_side)
    report = _locked_for(principal, report_id)
    _ensure_version(report, version)
    fire(report, "resolve", principal, window_days=s.window_days, reason=result_text,
         changes={"result_text": result_text.strip()})
    stored = []
    try:
        for photo in cleaned:
            stored.append(photos.store(report.id, photo, kind=RESULT_PHOTO, uploaded_by=principal.account_id))
        db.session.add_all(stored)
        _commit()
    except BaseException:
        db.session.rollback()
        photos.discard(stored)
        raise
    return report


def rate(principal: Principal, report_id: uuid.UUID, rating: int, comment: str | None) -> Report:
    """The reporter rates the result (closing the report) within the window."""
    report = _locked_for(principal, report_id)
    fire(report, "close", principal, window_days=settings().window_days, data={"rating": rating},
         changes={"rating": rating, "rating_comment": (comment or "").strip() or None})
    _commit()
    return report


def reopen(principal: Principal, report_id: uuid.UUID, reason: str) -> Report:
    """The reporter reopens the report once, within the window, with a reason."""
    report = _locked_for(principal, report_id)
    fire(report, "reopen", principal, window_days=settings().window_days, reason=reason)
    _commit()
    return report


def hide_photo(principal: Principal, report_id: uuid.UUID, photo_id: uuid.UUID, hidden: bool = True) -> ReportPhoto:
    """Triage (or the report's officers) withdraws a photo from the public (faces, plates)."""
    report = _locked_for(principal, report_id)
    if principal.role not in (DISPATCHER, ADMIN) and not (principal.role in (OFFICER, APPROVER)
                                                         and staff_view(principal, report)):
        raise RoleRequired()
    photo = next((p for p in report.photos if p.id == photo_id), None)
    if photo is None:
        raise PhotoNotFound()
    photo.hidden = hidden
    record(report, "hide_photo" if hidden else "show_photo", principal, data={"photo_id": photo.id})
    _commit()
    return photo


def photo_file(principal: Principal | None, report_id: uuid.UUID, photo_id: uuid.UUID) -> tuple[ReportPhoto, bytes]:
    report = ensure_visible(principal, load(report_id))
    photo = next((p for p in report.photos if p.id == photo_id), None)
    full = staff_view(principal, report) or _is_reporter(principal, report)
    if photo is None or (photo.hidden and not full):
        raise PhotoNotFound()
    return photo, photos.read(photo)


# --- reading -----------------------------------------------------------------------------------------

def get_report(principal: Principal | None, report_id: uuid.UUID) -> Report:
    return ensure_visible(principal, load(report_id))


def timeline(report: Report) -> list[ReportTimelineEntry]:
    return list(db.session.scalars(select(ReportTimelineEntry).where(ReportTimelineEntry.report_id == report.id)
                                   .order_by(ReportTimelineEntry.created_at, ReportTimelineEntry.id)))


def my_reports(principal: Principal, *, cursor=None, limit=20) -> dict:
    statement = select(Report).where(Report.reporter_account_id == principal.account_id)
    return paginate(db.session, statement, Report, cursor=cursor, limit=limit)


def inbox(principal: Principal, *, status: list[str] | None = None, category: str | None = None,
          commune_code: str | None = None, overdue: bool = False, cursor=None, limit=20) -> dict:
    """Officers: their agency's (and commune's) reports; the dispatcher and leaders: all."""
    statement = select(Report)
    if principal.role in (OFFICER, APPROVER):
        if principal.agency_id is None:
            return {"items": [], "next_cursor": None}
        statement = statement.where(Report.agency_id == principal.agency_id)
        if principal.commune_code:
            statement = statement.where(Report.commune_code == principal.commune_code)
    if status:
        statement = statement.where(Report.status.in_(status))
    if category:
        statement = statement.where(Report.category_id == category_field(category, active_only=False).id)
    if commune_code:
        statement = statement.where(Report.commune_code == commune_code)
    if overdue:
        statement = statement.where(Report.status.in_(states.OPEN), Report.due_date < local_today())
    return paginate(db.session, statement, Report, cursor=cursor, limit=limit)


def allowed_actions(principal: Principal | None, report: Report) -> list[str]:
    if principal is None:
        return []
    return states.allowed_actions(facts_of(report, settings().window_days), actor_of(principal))


def _is_reporter(principal, report) -> bool:
    return principal is not None and principal.role == CITIZEN and principal.account_id == report.reporter_account_id


def _locked_for(principal: Principal, report_id: uuid.UUID) -> Report:
    return ensure_visible(principal, load(report_id, lock=True))


def _ensure_version(report: Report, version: int | None) -> None:
    if version is not None and version != report.version:
        raise ConcurrentChange(errors={"version": [str(report.version)]})


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ConcurrentChange() from error



def public_feed(*, category: str | None = None, status: str | None = None, commune_code: str | None = None,
                since=None, until=None, cursor=None, limit=20) -> dict:
    """Published reports, newest first (the GeoJSON feed and the public list)."""
    statement = (select(Report).join(ReportCategory, Report.category_id == ReportCategory.id)
                 .where(Report.public.is_(True), ReportCategory.public.is_(True), Report.status != states.REFUSED))
    if category:
        statement = statement.where(ReportCategory.code == category)
    if status:
        statement = statement.where(Report.status == status)
    if commune_code:
        statement = statement.where(Report.commune_code == commune_code)
    if since:
        statement = statement.where(Report.filed_on >= since)
    if until:
        statement = statement.where(Report.filed_on <= until)
    return paginate(db.session, statement, Report, cursor=cursor, limit=limit)


def audience(principal: Principal | None, report: Report) -> str:
    if staff_view(principal, report):
        return "staff"
    if _is_reporter(principal, report):
        return "reporter"
    return "public"


def agencies_of(reports) -> dict:
    return routing.agencies_by_id(r.agency_id for r in reports)
