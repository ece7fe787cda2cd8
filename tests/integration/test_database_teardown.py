"""A read answered before its database connection died keeps its answer (PostgreSQL).

A read leaves its transaction open until the end of the request, when the
session is closed and the transaction rolled back. If the server ended the
connection in between (a restart, a failover, a terminated backend), that
ROLLBACK fails; the answer was already built and stands, and the pool replaces
the dead connection for the next request.
"""
import logging

import pytest
from flask import jsonify, request
from sqlalchemy import create_engine, text

from app.extensions import db
from tests.integration.own_pool import _database, postgres_node  # noqa: F401 (_database: no rollback session)

pytestmark = pytest.mark.postgres


@pytest.fixture
def node(app):
    node, url = postgres_node(app)
    killer = create_engine(url, isolation_level="AUTOCOMMIT")

    @node.get("/_probe/backend")
    def backend():
        return jsonify(pid=db.session.scalar(text("SELECT pg_backend_pid()")))

    @node.after_request
    def terminate_the_backend(response):
        if request.path == "/_probe/backend" and request.args.get("kill"):
            with killer.connect() as connection:   # waits until the backend process has gone
                assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"),
                                         {"pid": response.get_json()["pid"]})
        return response

    yield node
    killer.dispose()
    with node.app_context():
        db.engine.dispose()


def test_a_failed_end_of_request_rollback_leaves_the_answer_and_the_next_request_gets_a_fresh_connection(
        node, caplog):
    client = node.test_client()
    logger = logging.getLogger("app.database")
    logger.addHandler(caplog.handler)
    try:
        first = client.get("/_probe/backend?kill=1")
        second = client.get("/_probe/backend")
    finally:
        logger.removeHandler(caplog.handler)

    assert first.status_code == 200 and first.get_json()["pid"] > 0
    assert second.status_code == 200 and second.get_json()["pid"] != first.get_json()["pid"]
    assert any("end-of-request rollback failed" in r.getMessage() for r in caplog.records)
