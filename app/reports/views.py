"""Glue between the routes and present.py: who reads, which language, the agencies to name."""
import io

from flask import Response, send_file

from app.common.auth import Principal, optional_principal
from app.common.i18n import select_locale
from app.reports import figures, geo, present, service
from app.reports.errors import TableNotFound
from app.reports.settings import settings


def detail(report, principal: Principal | None = None, *, with_timeline: bool = True) -> dict:
    principal = principal if principal is not None else optional_principal()
    audience = service.audience(principal, report)
    return present.report_view(
        report, audience, agencies=service.agencies_of([report]), locale=select_locale(),
        timeline=service.timeline(report) if with_timeline else None,
        actions=service.allowed_actions(principal, report))


def filed(result: service.Filed, principal: Principal) -> dict:
    reports = [result.report, *result.likely_duplicates]
    agencies, locale = service.agencies_of(reports), select_locale()
    return {"report": present.report_view(result.report, present.REPORTER, agencies=agencies, locale=locale,
                                          actions=service.allowed_actions(principal, result.report)),
            "likely_duplicates": [present.report_view(r, present.PUBLIC, agencies=agencies, locale=locale)
                                  for r in result.likely_duplicates]}


def page(result: dict, audience: str) -> dict:
    agencies, locale = service.agencies_of(result["items"]), select_locale()
    return {"items": [present.report_view(r, audience, agencies=agencies, locale=locale) for r in result["items"]],
            "next_cursor": result["next_cursor"]}


def listing(reports: list, audience: str = present.PUBLIC) -> list:
    agencies, locale = service.agencies_of(reports), select_locale()
    return [present.report_view(r, audience, agencies=agencies, locale=locale) for r in reports]


def geojson(result: dict) -> dict:
    agencies = service.agencies_of(result["items"])
    return {"type": "FeatureCollection", "features": [present.feature(r, agencies) for r in result["items"]],
            "next_cursor": result["next_cursor"]}


def photo_response(photo, data: bytes):
    return send_file(io.BytesIO(data), mimetype=photo.content_type, max_age=300,
                     download_name=f"{photo.id}.{'jpg' if photo.content_type == 'image/jpeg' else 'png'}")


def files_of(args: dict) -> list[bytes]:
    return [upload.read() for upload in args.get("photos") or []]


def csv_response(table: str, period) -> Response:
    if table not in figures.TABLES:
        raise TableNotFound()
    return Response(figures.csv_text(table, period), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{table}-{period.until.isoformat()}.csv"'})


def map_layer(period) -> dict:
    province = settings().province_code
    return {"bbox": list(geo.bbox(province)), "outline": [list(p) for p in geo.outline(province)],
            "points": figures.points(period)}
