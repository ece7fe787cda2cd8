"""Counts the SQL statements and commits a block of code causes, exactly.

Used by `bench/costs.py` and by the query-budget tests (`tests/api/test_query_budgets.py`):

    with count_sql(db.engine) as counted:
        client.get("/api/v1/dossiers", headers=...)
    assert counted.statements == 3 and counted.commits == 0

- `statements`: every statement sent through a cursor of the engine, except
  transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT and its RELEASE or
  ROLLBACK TO), which SQLite's driver sends as statements and psycopg does not;
  savepoints are counted apart (`savepoints`), because the test suite's
  rollback-per-test fixture wraps every session in one.
- `commits`: the sessions' top-level commits that had a connection to commit
  (a commit of a session that sent nothing costs nothing and is not counted;
  a nested transaction's commit is a RELEASE SAVEPOINT, not a commit). In the
  test suite these are savepoint releases of the outer test transaction, one per
  commit the code would send in production.
- `checkouts`: connections taken from the pool (with `pool_pre_ping` each costs
  a round trip that no statement event sees).
"""
import contextlib
import re
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|END)\b", re.IGNORECASE)
_SAVEPOINT = re.compile(r"\s*SAVEPOINT\b", re.IGNORECASE)


@dataclass
class Counted:
    statements: int = 0
    commits: int = 0
    savepoints: int = 0
    checkouts: int = 0
    sql: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.statements} statements, {self.commits} commits"]
        lines += [f"  {n + 1}. {text[:200]}" for n, text in enumerate(self.sql)]
        return "\n".join(lines)


@contextlib.contextmanager
def count_sql(engine):
    counted = Counted()

    def on_execute(_conn, _cursor, statement, _parameters, _context, _executemany):
        if _CONTROL.match(statement):
            if _SAVEPOINT.match(statement):
                counted.savepoints += 1
            return
        counted.statements += 1
        counted.sql.append(" ".join(statement.split()))

    def on_commit(session):
        current = session._transaction  # the transaction just committed (the root or a nested one)
        if current is not None and not current.nested and current._connections:
            counted.commits += 1

    def on_checkout(*_args):
        counted.checkouts += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(Session, "after_commit", on_commit)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(Session, "after_commit", on_commit)
        event.remove(engine.pool, "checkout", on_checkout)
