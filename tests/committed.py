"""Tests that really commit (threads, processes, real sockets).

`real_sessions()` backs `db.session` with pooled connections that really commit
(instead of the rolled-back per-test transaction), so work done in other threads
is seen. Such tests clean their rows up with bulk DELETEs, which the
operations-centre counters do not see; `real_sessions()` calls `mark_committed()`
(processes call it themselves), and after the test the autouse fixture in
conftest.py recounts the counters from the tables, so no committed count leaks
into the tests that follow.
"""
from contextlib import contextmanager

_pending = False


def mark_committed() -> None:
    """Marks the running test as one that commits (its clean-up leaves the counters to recount)."""
    global _pending
    _pending = True


def recount_if_committed(engine) -> None:
    """Recounts the dashboard counters from the committed tables, once per committing test."""
    global _pending
    if not _pending:
        return
    _pending = False
    from sqlalchemy.orm import Session

    from app.dashboard.rebuild import rebuild_all

    with Session(engine) as session:
        rebuild_all(session)
        _forget_committed_quality(session)
        session.commit()


def _forget_committed_quality(session) -> None:
    """Service-quality records of dossiers a committing test removed; the roll-ups they fed.

    Committed data never outlives its test, so the quality roll-ups of the
    committed state are empty.
    """
    from sqlalchemy import text

    session.execute(text("DELETE FROM quality_dossiers WHERE dossier_id NOT IN (SELECT id FROM dossiers)"))
    session.execute(text("DELETE FROM quality_rollups"))


@contextmanager
def real_sessions(bind=None, **options):
    """Committing sessions on `bind` (default: the app's engine) as `db.session`, one per app context."""
    from flask_sqlalchemy.session import _app_ctx_id
    from sqlalchemy.orm import scoped_session, sessionmaker

    from app.extensions import db

    mark_committed()
    rolled_back = db.session
    db.session = scoped_session(sessionmaker(bind=bind or db.engine, **options), scopefunc=_app_ctx_id)
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = rolled_back
