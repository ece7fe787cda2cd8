"""Counts the SQL statements and commits a block of code causes: query budgets as tests.

    with counted() as count:
        client.get(...)
    assert count.statements <= 8 and count.commits == 0

Statements are counted at the cursor (`before_cursor_execute` on the engine),
savepoint bookkeeping of the test harness left out; commits are the sessions'
(`after_commit`), which in tests release the test's savepoint instead.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db


@dataclass
class Count:
    statements: int = 0
    commits: int = 0
    sql: list[str] = field(default_factory=list)


@contextmanager
def counted():
    count = Count()

    def on_execute(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            return
        count.statements += 1
        count.sql.append(statement)

    def on_commit(_session):
        count.commits += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(Session, "after_commit", on_commit)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(Session, "after_commit", on_commit)
