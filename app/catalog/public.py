"""What other domains may read from the catalog as plain values (they never import its models): agencies, and names for codes and ids."""
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from app.catalog import models
from app.catalog.models import Agency, Procedure
from app.extensions import db


def procedure_code(procedure_id: uuid.UUID) -> str | None:
    """The code of a procedure, by id (None: no such procedure)."""
    procedure = db.session.get(Procedure, procedure_id)
    return procedure.code if procedure is not None else None


# Agency kinds other domains route to
COMMUNE_COMMITTEE, PROVINCIAL_POLICE = models.COMMUNE_COMMITTEE, models.PROVINCIAL_POLICE


@dataclass(frozen=True)
class AgencyInfo:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    province_code: str
    commune_code: str | None


def _info(agency: Agency | None) -> AgencyInfo | None:
    if agency is None:
        return None
    return AgencyInfo(id=agency.id, code=agency.code, name=agency.name, kind=agency.kind,
                      province_code=agency.province_code, commune_code=agency.commune_code)


def agency(agency_id: uuid.UUID) -> AgencyInfo | None:
    return _info(db.session.get(Agency, agency_id))


def agencies_by_id(ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, AgencyInfo]:
    """Agencies by id in one SELECT (none when no id is asked)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {a.id: _info(a) for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}


def agency_of_kind(kind: str, province_code: str, commune_code: str | None) -> AgencyInfo | None:
    """The province's agency of a kind: the commune's one, or (commune_code None) the provincial one."""
    statement = select(Agency).where(Agency.kind == kind, Agency.province_code == province_code)
    if commune_code is not None:
        statement = statement.where(Agency.commune_code == commune_code)
    else:
        statement = statement.where(Agency.commune_code.is_(None))
    return _info(db.session.scalars(statement.order_by(Agency.code).limit(1)).first())


def commune_agencies(province_code: str) -> dict[str, AgencyInfo]:
    """The province's commune-level agencies by commune code (one per commune; the last one read wins)."""
    return {a.commune_code: _info(a) for a in db.session.scalars(
        select(Agency).where(Agency.province_code == province_code, Agency.commune_code.is_not(None)))}


def add_missing_agencies(province_code: str, agencies: Iterable[tuple[str, str, str]]) -> int:
    """Adds the (code, kind, name) provincial agencies the province lacks (the caller commits); returns how many."""
    existing = set(db.session.scalars(select(Agency.code).where(Agency.province_code == province_code)))
    new = [Agency(code=code, kind=kind, province_code=province_code, name=name)
           for code, kind, name in agencies if code not in existing]
    db.session.add_all(new)
    return len(new)


def procedure_names(codes: Iterable[str]) -> dict[str, str]:
    """{procedure code: name} for the codes that exist (one query)."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Procedure.code, Procedure.name).where(Procedure.code.in_(wanted))).all())


def agency_names(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """{agency id: name} for the ids that exist (one query)."""
    wanted = {agency_id for agency_id in ids if agency_id}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted))).all())
