"""Liveness and readiness probes for the load balancer and the operator."""
import marshmallow as ma
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from app.common.api import ErrorSchema
from app.common.errors import DatabaseUnreachable, MigrationsPending
from app.common.overload import refuse_when_overloaded
from app.extensions import api, db, migrate

blp = Blueprint("health", __name__, description="Liveness and readiness probes")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class ReadySchema(HealthSchema):
    database = ma.fields.String(metadata={"example": "ok"})
    migrations = ma.fields.String(metadata={"example": "at head"})


@blp.get("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """The process is alive"""
    return {"status": "ok"}


@blp.get("/readyz")
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ErrorSchema,
                  description="Database unreachable, migrations not at head, or the node overloaded (`overloaded`)")
def readyz():
    """The database is reachable, its schema is at the latest migration, the node is not overloaded"""
    refuse_when_overloaded(db.engine)   # 503 overloaded: the pool is saturated or just refused a request
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception:
        raise DatabaseUnreachable()
    if not schema_is_current(current):
        raise MigrationsPending()
    return {"status": "ok", "database": "ok", "migrations": "at head"}


def schema_is_current(current: set[str]) -> bool:
    """Every migration script is applied, given the revisions in alembic_version.

    Comparing `current` with the script heads is not enough: a head that another
    branch names in `depends_on` is not kept in alembic_version once that branch
    is applied. The answer per set of current revisions is computed once per process.
    """
    answers = current_app.extensions.setdefault("migration_answers", {})
    key = frozenset(current)
    if key not in answers:
        script = ScriptDirectory.from_config(migrate.get_config())
        every = {revision.revision for revision in script.walk_revisions()}
        try:
            applied = {revision.revision for revision in script.iterate_revisions(tuple(current), "base")}
        except Exception:  # a revision this code does not know: the database is ahead
            applied = set()
        answers[key] = bool(current) and applied == every
    return answers[key]


def init_app(app) -> None:
    api.register_blueprint(blp)
