"""Which agency must act on a report: the category's responsible agency type at its level.

A category handled at commune level goes to that type's agency of the report's
commune (the commune People's Committee); one handled at province level goes to
the province's agency of that type (a department). No such agency: the report
stays `received` for the dispatcher to route by hand.
"""
import uuid

from app.catalog import public as catalog
from app.catalog.public import AgencyInfo
from app.reports.models import COMMUNE_LEVEL, ReportCategory


def competent_agency(category: ReportCategory, commune_code: str, province_code: str) -> AgencyInfo | None:
    level = category.handled_at
    kind = (category.agency_kinds or {}).get(level)
    if not kind:
        return None
    return catalog.agency_of_kind(kind, province_code, commune_code if level == COMMUNE_LEVEL else None)


def agency(agency_id: uuid.UUID) -> AgencyInfo | None:
    return catalog.agency(agency_id)


def agencies_by_id(ids) -> dict[uuid.UUID, AgencyInfo]:
    return catalog.agencies_by_id(ids)
