"""The migrated schema equals the models (run on SQLite and on PostgreSQL)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.extensions import db


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_postgresql_knows_a_dossiers_commune_follows_from_its_agency(app):
    """Extended statistics (migration 0018): without them the planner multiplies the agency's and the
    commune's selectivities, expects a sixth of an inbox's rows and picks a bitmap AND over all of them."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("extended statistics are PostgreSQL's")
        kinds, columns = db.session.execute(text(
            "SELECT stxkind, ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = stxrelid "
            "AND attnum = ANY(stxkeys) ORDER BY attname) FROM pg_statistic_ext "
            "WHERE stxname = 'st_dossiers_agency_commune' AND stxrelid = 'dossiers'::regclass")).one()
    assert list(kinds) == ["f"] and columns == ["agency_id", "commune_code"]   # f: functional dependencies
