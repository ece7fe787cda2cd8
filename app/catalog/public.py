"""What other domains may read of the catalog by value, without its tables: names for codes and ids."""
import uuid
from collections.abc import Iterable

from sqlalchemy import select

from app.catalog.models import Agency, Procedure
from app.extensions import db


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
