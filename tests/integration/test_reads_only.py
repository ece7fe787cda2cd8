"""Reads marked `reads_only` run without a transaction on PostgreSQL, and can never write.

The hot reads (catalog search, my dossiers, the officer's inbox, one dossier, the
notification inbox and its unread count, the operations centre's figures) send their statements in autocommit:
no BEGIN and no ROLLBACK, two round trips fewer per request. A view wrongly
marked is refused at its first write, before the write reaches the database.
On PostgreSQL, as in production (a node with its own pool):
tests/integration/test_reads_only_postgres.py.
"""
import uuid

import pytest
from flask.views import MethodView
from sqlalchemy import select

from app.catalog.models import Agency
from app.common.database import READS_ONLY
from app.common.errors import WriteInReadOnlyRequest

HOT_READS = {
    ("catalog.Procedures", "GET"), ("dossiers.Dossiers", "GET"), ("dossiers.Inbox", "GET"),
    ("dossiers.DossierById", "GET"), ("notifications.Inbox", "GET"), ("notifications.UnreadCount", "GET"),
    # the operations centre's figures
    ("dashboard.DossierFigures", "GET"), ("dashboard.OverdueDossiers", "GET"), ("dashboard.PaymentFigures", "GET"),
    ("dashboard.AssistanceFigures", "GET"), ("dashboard.EidFigures", "GET"), ("dashboard.RegistryQuality", "GET"),
    ("dashboard.Export", "GET"),
}
WRITING_METHODS = ("post", "put", "patch", "delete")


def _marked(app) -> set[tuple[str, str]]:
    found = set()
    for endpoint, view in app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        if view_class is not None and issubclass(view_class, MethodView):
            for method in ("get", *WRITING_METHODS):
                if getattr(getattr(view_class, method, None), READS_ONLY, False):
                    found.add((endpoint, method.upper()))
        elif getattr(view, READS_ONLY, False):
            found |= {(endpoint, m) for m in app.url_map._rules_by_endpoint[endpoint][0].methods}
    return found


def test_the_hot_reads_are_marked_and_only_gets_ever_are(app):
    marked = _marked(app)
    assert HOT_READS <= marked
    assert {method for _endpoint, method in marked} <= {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("way", ["flush", "orm-update"])
def test_a_marked_view_that_writes_through_the_session_is_refused_and_nothing_is_written(client, db_session, way,
                                                                                         app_logs):
    code = f"RO-{uuid.uuid4().hex[:8]}"
    if way == "orm-update":
        db_session.add(Agency(code=code, name="Probe", kind="probe", province_code="80"))
        db_session.flush()
    refused(client.get(f"/_probe/reads-only/{way}?code={code}"), app_logs)
    names = db_session.scalars(select(Agency.name).where(Agency.code == code)).all()
    assert names == ([] if way == "flush" else ["Probe"])


def test_an_unmarked_request_after_a_marked_one_writes_as_usual(client, db_session, app_logs):
    refused(client.get("/_probe/reads-only/flush?code=RO-FIRST"), app_logs)
    response = client.post("/_probe/agencies", json={"code": "RO-AFTER"}, headers={"Idempotency-Key": "ro-after-1"})
    assert response.status_code == 201
    assert db_session.scalar(select(Agency.name).where(Agency.code == "RO-AFTER")) == "Probe"


def refused(response, logs) -> None:
    """A programming error: the generic 500 envelope, the cause in the log."""
    assert response.status_code == 500 and response.get_json()["code"] == "internal_error"
    assert any(record.exc_info and isinstance(record.exc_info[1], WriteInReadOnlyRequest) for record in logs.records)
    logs.clear()
