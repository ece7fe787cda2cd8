"""Tests that really commit (threads, processes, real sockets) clean their rows up with bulk
DELETEs, which the operations-centre counters do not see. Such a test calls `mark_committed()`;
after it ends, the autouse fixture in conftest.py recounts the counters from the tables, so
no committed count leaks into the tests that follow.
"""
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

    from app.dashboard import tracking
    from app.dashboard.projections import rebuild_assistance

    with Session(engine) as session:
        for projection in tracking.registered():
            tracking.rebuild(projection, session)
        rebuild_assistance(session)
        session.commit()
