"""On PostgreSQL, as in production: marked reads send no BEGIN and no ROLLBACK, and cannot write.

A node with its own pool (no rollback-per-test session), so the statements go
through autocommit connections as they do in production.
"""
import uuid

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from bench.sqlcount import count_sql
from tests.conftest import _probe_blueprint
from tests.integration.own_pool import _database, postgres_node  # noqa: F401 (_database: no rollback session)
from tests.integration.test_reads_only import refused

pytestmark = pytest.mark.postgres


@pytest.fixture
def node(app):
    node, url = postgres_node(app)
    node.register_blueprint(_probe_blueprint())
    checker = create_engine(url)
    yield node, checker
    with checker.begin() as connection:
        connection.execute(text("DELETE FROM agencies WHERE code LIKE 'RO-%'"))
    checker.dispose()
    with node.app_context():
        db.engine.dispose()


def test_a_marked_read_sends_no_begin_and_no_rollback_and_an_unmarked_one_does(node):
    app, _checker = node
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    client.get("/api/v1/catalog/procedures")            # warm: the pool, the first connection's set-up
    with count_sql(engine) as marked:
        assert client.get("/api/v1/catalog/procedures").status_code == 200
    with count_sql(engine) as unmarked:
        assert client.get("/api/v1/catalog/linked-procedures").status_code == 200
    assert (marked.statements, marked.transactions, marked.round_trips) == (1, 0, 1)
    assert unmarked.statements >= 1 and unmarked.transactions == 1
    assert unmarked.round_trips == unmarked.statements + 2


@pytest.mark.parametrize("way", ["flush", "orm-update", "core"])
def test_on_postgresql_a_write_in_a_marked_read_never_reaches_the_database(node, way, app_logs):
    app, checker = node
    code = f"RO-{uuid.uuid4().hex[:8]}"
    if way == "orm-update":
        with checker.begin() as connection:
            connection.execute(text("INSERT INTO agencies (id, code, name, kind, province_code, created_at, "
                                    "updated_at) VALUES (:id, :code, 'Probe', 'probe', '80', now(), now())"),
                               {"id": uuid.uuid4(), "code": code})
    refused(app.test_client().get(f"/_probe/reads-only/{way}?code={code}"), app_logs)
    with checker.connect() as connection:
        names = connection.execute(text("SELECT name FROM agencies WHERE code = :code"), {"code": code}).scalars().all()
    assert names == ([] if way != "orm-update" else ["Probe"])
