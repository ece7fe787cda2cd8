"""The catalog of procedures: public search, administration, and routing to agencies."""
import functools
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from app.catalog.errors import LinkedProcedureNotFound, ProcedureCodeTaken, ProcedureNotFound
from app.catalog.models import COMMUNE_COMMITTEE, Agency, LinkedProcedure, Procedure
from app.catalog.text import normalise
from app.common.clock import utcnow
from app.common.pagination import keyset_page, page_values, paginate, rows_page
from app.extensions import db
from app.registry import divisions


# What the public search shows of a procedure (rows for `present.procedure_json`, no ORM objects)
SEARCH_COLUMNS = (
    Procedure.id, Procedure.code, Procedure.name, Procedure.agency_kind, Procedure.fee, Procedure.processing_days,
    Procedure.service_level, Procedure.min_level, Procedure.form_fields, Procedure.required_documents,
    Procedure.result_name, Procedure.result_fields, Procedure.retired_at, Procedure.created_at, Procedure.updated_at,
)


def list_procedures(*, q: str | None = None, agency_kind: str | None = None,
                    service_level: str | None = None, eid_level: int | None = None,
                    include_retired: bool = False, cursor: str | None = None, limit: int = 20) -> dict:
    """A page of procedures (rows of SEARCH_COLUMNS); `q` matches name or code ignoring diacritics and case."""
    words = normalise(q or "").split()
    filters = {"agency_kind": agency_kind, "service_level": service_level, "min_level": eid_level}
    values = {**page_values(cursor, limit), **{name: value for name, value in filters.items() if value},
              **{f"word_{n}": f"%{_escape_like(word)}%" for n, word in enumerate(words)}}
    statement = _search_statement(len(words), frozenset(n for n, v in filters.items() if v), include_retired,
                                  bool(cursor))
    return rows_page(db.session.connection().execute(statement, values).all(), limit)


@functools.lru_cache(maxsize=256)
def _search_statement(words: int, filtered_by: frozenset, include_retired: bool, after_cursor: bool):
    """The search's statement for one shape of request, built once (building and cache-keying it cost
    more than running it); the values are bound (`list_procedures`)."""
    statement = select(*SEARCH_COLUMNS).where(
        *(Procedure.search_text.like(bindparam(f"word_{n}"), escape="/") for n in range(words)),
        *(getattr(Procedure, name) == bindparam(name) for name in sorted(filtered_by)))
    if not include_retired:
        statement = statement.where(Procedure.retired_at.is_(None))
    return keyset_page(statement, Procedure, after_cursor=after_cursor)


def _escape_like(word: str) -> str:
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def get_procedure(procedure_id: uuid.UUID) -> Procedure:
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None:
        raise ProcedureNotFound()
    return procedure


def procedure_by_code(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def create_procedure(data: dict) -> Procedure:
    """Adds a procedure to the catalog (admin)."""
    procedure = Procedure(**data, search_text=normalise(f"{data['name']} {data['code']}"))
    try:
        with db.session.begin_nested():
            db.session.add(procedure)
    except IntegrityError as error:
        raise ProcedureCodeTaken() from error
    db.session.commit()
    return procedure


def update_procedure(procedure_id: uuid.UUID, changes: dict) -> Procedure:
    """Changes a procedure (admin); dossiers already submitted keep what they were given."""
    procedure = get_procedure(procedure_id)
    for name, value in changes.items():
        setattr(procedure, name, value)
    procedure.search_text = normalise(f"{procedure.name} {procedure.code}")
    db.session.commit()
    return procedure


def retire_procedure(procedure_id: uuid.UUID) -> Procedure:
    """Retires a procedure: no new dossiers; dossiers already started go on (idempotent)."""
    procedure = get_procedure(procedure_id)
    if procedure.retired_at is None:
        procedure.retired_at = utcnow()
        db.session.commit()
    return procedure


def list_linked_procedures() -> list[LinkedProcedure]:
    return list(db.session.scalars(
        select(LinkedProcedure).where(LinkedProcedure.retired_at.is_(None)).order_by(LinkedProcedure.code)))


def get_linked_procedure(linked_id: uuid.UUID) -> LinkedProcedure:
    linked = db.session.get(LinkedProcedure, linked_id)
    if linked is None:
        raise LinkedProcedureNotFound()
    return linked


def linked_steps(linked: LinkedProcedure) -> list[tuple[dict, Procedure]]:
    """Each step's definition with its procedure, in order."""
    codes = [step["procedure_code"] for step in linked.steps]
    found = {p.code: p for p in db.session.scalars(select(Procedure).where(Procedure.code.in_(codes)))}
    return [(step, found[step["procedure_code"]]) for step in linked.steps if step["procedure_code"] in found]


def competent_agency(procedure: Procedure, commune_code: str | None) -> Agency | None:
    """The agency that handles `procedure` for a dossier from `commune_code`.

    Commune procedures go to that commune's People's Committee; provincial
    ones to the agency of that kind in the commune's province.
    """
    commune = divisions.commune(commune_code) if commune_code else None
    if commune is None:
        return None
    statement = select(Agency).where(Agency.kind == procedure.agency_kind)
    if procedure.agency_kind == COMMUNE_COMMITTEE:
        statement = statement.where(Agency.commune_code == commune.code)
    else:
        statement = statement.where(Agency.province_code == commune.province_code)
    return db.session.scalars(statement.order_by(Agency.code).limit(1)).first()
