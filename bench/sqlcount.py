"""Counts the SQL statements and commits a block of code causes, exactly.

Used by `bench/costs.py` and by the query-budget tests (`tests/api/test_query_budgets.py`):

    with count_sql(db.engine) as counted:
        client.get("/api/v1/dossiers", headers=...)
    assert counted.statements == 3 and counted.commits == 0

- `statements`: every statement sent through a cursor of the engine, savepoints
  included (SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT: each a round
  trip), except BEGIN, COMMIT and ROLLBACK, which SQLite's driver sends as
  statements and psycopg does not (commits are counted apart). The test suite's
  rollback-per-test fixture wraps every session of a request in a savepoint of
  its own (join_transaction_mode "create_savepoint"); those two statements per
  session are left out, so the count is what production sends.
- `commits`: the sessions' top-level commits that had a connection to commit
  (a commit of a session that sent nothing costs nothing and is not counted;
  a nested transaction's commit is a RELEASE SAVEPOINT, not a commit). In the
  test suite these are savepoint releases of the outer test transaction, one per
  commit the code would send in production.
- `transactions`: database transactions that sent a statement (each costs a BEGIN
  before it and a COMMIT or ROLLBACK after it, two round trips on PostgreSQL that
  no statement event sees); a connection in autocommit (a `reads_only` view's)
  sends its statements without one. The test suite's outer transaction is begun
  before counting starts, so under the fixture this stays 0.
- `round_trips`: statements plus two per transaction.
- `checkouts`: connections taken from the pool (with `pool_pre_ping` each costs
  a round trip that no statement event sees).
"""
import contextlib
import re
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|END|ROLLBACK(?!\s+TO))\b", re.IGNORECASE)
_SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO)\b", re.IGNORECASE)


@dataclass
class Counted:
    sent: int = 0
    commits: int = 0
    savepoints: int = 0
    fixture_savepoints: int = 0
    checkouts: int = 0
    transactions: int = 0
    sql: list[str] = field(default_factory=list)

    @property
    def statements(self) -> int:
        return self.sent - 2 * self.fixture_savepoints

    @property
    def round_trips(self) -> int:
        return self.statements + 2 * self.transactions

    def __str__(self) -> str:
        lines = [f"{self.statements} statements, {self.commits} commits"]
        lines += [f"  {n + 1}. {text[:3000]}" for n, text in enumerate(self.sql)]
        return "\n".join(lines)


@contextlib.contextmanager
def count_sql(engine):
    counted = Counted()
    beginning: set[int] = set()   # connections whose transaction has not sent a statement yet

    def on_connection_begin(conn):
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            beginning.add(id(conn))

    def on_execute(conn, _cursor, statement, _parameters, _context, _executemany):
        if id(conn) in beginning:
            beginning.discard(id(conn))
            counted.transactions += 1
        if _CONTROL.match(statement):
            return
        if _SAVEPOINT.match(statement) and statement.lstrip()[:1] in "Ss":
            counted.savepoints += 1
        counted.sent += 1
        counted.sql.append(" ".join(statement.split()))

    def on_begin(session, transaction, _connection):
        if not transaction.nested and session.join_transaction_mode == "create_savepoint":
            counted.fixture_savepoints += 1

    def on_commit(session):
        current = session._transaction  # the transaction just committed (the root or a nested one)
        if current is not None and not current.nested and current._connections:
            counted.commits += 1

    def on_checkout(*_args):
        counted.checkouts += 1

    event.listen(engine, "begin", on_connection_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(Session, "after_commit", on_commit)
    event.listen(Session, "after_begin", on_begin)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield counted
    finally:
        event.remove(engine, "begin", on_connection_begin)
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(Session, "after_commit", on_commit)
        event.remove(Session, "after_begin", on_begin)
        event.remove(engine.pool, "checkout", on_checkout)
