"""Which agency must act on a report: the category's responsible agency type at its level.

A category handled at commune level goes to that type's agency of the report's
commune (the commune People's Committee); one handled at province level goes to
the province's agency of that type (a department). No such agency: the report
stays `received` for the dispatcher to route by hand.
"""
import uuid

from sqlalchemy import select

from app.catalog.models import Agency
from app.extensions import db
from app.reports.models import COMMUNE_LEVEL, ReportCategory


def competent_agency(category: ReportCategory, commune_code: str, province_code: str) -> Agency | None:
    level = category.handled_at
    kind = (category.agency_kinds or {}).get(level)
    if not kind:
        return None
    statement = select(Agency).where(Agency.kind == kind, Agency.province_code == province_code)
    if level == COMMUNE_LEVEL:
        statement = statement.where(Agency.commune_code == commune_code)
    else:
        statement = statement.where(Agency.commune_code.is_(None))
    return db.session.scalars(statement.order_by(Agency.code).limit(1)).first()


def agency(agency_id: uuid.UUID) -> Agency | None:
    return db.session.get(Agency, agency_id)


def agencies_by_id(ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}
