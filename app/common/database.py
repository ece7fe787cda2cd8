"""The engine and session set-up: SQLite kept honest, idle connections pinged, a failed
end-of-request rollback swallowed, marked reads run without a transaction on PostgreSQL.

SQLite: foreign keys on, real transactions.

pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; taking it
over (as SQLAlchemy's documentation advises) gives SQLite the same transaction
behaviour as PostgreSQL, which the rollback-per-test fixture relies on too.

Transactions begin IMMEDIATE: a transaction that reads and then writes would
otherwise fail at once with "database is locked" when another process wrote in
between (busy_timeout cannot help a deferred transaction upgrade its lock).
Taking the write lock up front makes concurrent writers wait their turn, which
is what the development server with several workers needs. The test suite turns
it off (SQLITE_BEGIN_IMMEDIATE=False): each test holds one long transaction that
is rolled back, and servers started by tests in threads must still read beside it.
"""
import logging
import time

from flask import request
from sqlalchemy import Engine, event, exc
from sqlalchemy.orm import Session

from app.common.errors import WriteInReadOnlyRequest

log = logging.getLogger("app.database")

# A pooled connection unused for longer than this is pinged before use; busy ones are not
PING_AFTER_IDLE_SECONDS = 30.0


def configure_sqlite(app, db) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if app.config.get("SQLITE_BEGIN_IMMEDIATE", True) else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(begin)


def configure_pool(app, db) -> None:
    """Pings a pooled connection only after it sat idle (instead of `pool_pre_ping` on every checkout).

    A connection that fails the ping, or that the server closed, is replaced: the pool retries
    the checkout with a fresh connection (`DisconnectionError`). A connection that dies while in
    use is detected by SQLAlchemy, which then discards every older pooled connection, so one
    request fails instead of one per stale connection. `pool_recycle` (config) replaces
    connections before servers or proxies time them out.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    event.listen(engine, "connect", _note_use)
    event.listen(engine, "checkin", _note_use)
    event.listen(engine, "checkout", _ping_if_idle(engine.dialect))


def _note_use(_dbapi_connection, record) -> None:
    record.info["last_used"] = time.monotonic()


def _ping_if_idle(dialect, idle_after: float = PING_AFTER_IDLE_SECONDS):
    def on_checkout(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < idle_after:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"idle connection failed its ping: {error}") from error
        if alive is False:
            raise exc.DisconnectionError("idle connection failed its ping")
        record.info["last_used"] = time.monotonic()
    return on_checkout


def close_sessions_quietly(app, db) -> None:
    """A request's answer stands when only the end-of-request rollback fails.

    A read leaves its transaction open until teardown rolls it back. When the
    database went away in between (restart, failover, a terminated backend),
    that ROLLBACK raises, and left to Flask-SQLAlchemy's teardown it would turn
    an answer already built (a 200) into a 500. Nothing is lost by swallowing it:
    the server has already ended that transaction, and the dead connection is
    invalidated so the pool replaces it. Registered after `db.init_app`, so it
    runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse).
    """
    @app.teardown_appcontext
    def _close_session(_error) -> None:
        try:
            db.session.remove()
        except exc.DBAPIError as error:
            log.warning("end-of-request rollback failed, connection discarded (%s)",
                        type(error.orig or error).__name__)
            try:
                db.session().invalidate()   # closes without a word to the server
            except exc.DBAPIError:
                pass
            finally:
                db.session.registry.clear()


# -- reads without a transaction ----------------------------------------------------------------
READS_ONLY = "reads_only"


def reads_only(view):
    """Marks a GET view that never writes, so its request runs without a transaction.

    On PostgreSQL each statement of such a request is its own transaction
    (autocommit): no BEGIN before the first and no ROLLBACK at the end, two round
    trips fewer on every request. Consistency is unchanged: at PostgreSQL's READ
    COMMITTED (the project's level) each statement takes its own snapshot inside a
    transaction too, so a view of several reads (the operations centre's figures)
    sees the same as before. A write
    attempted in such a request raises `WriteInReadOnlyRequest` before it reaches
    the database, on every database; code that must write after such a read
    ends it first (`end_read_only`).
    """
    view.reads_only = True
    return view


def run_marked_reads_without_transaction(app, db) -> None:
    """A GET to a `reads_only` view is marked on its session before anything reads.

    Registered before the authentication hook, whose SELECT would otherwise begin
    the transaction. On PostgreSQL the session takes an autocommit connection; a
    session bound to one connection (the tests' rollback per test) keeps its
    transaction, but the refusal of writes holds there too.
    """
    autocommit = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    if autocommit:
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", _refuse_writes_on_read_only_connections)

    @app.before_request
    def _mark_reads():
        if request.method != "GET" or not _is_marked(app.view_functions.get(request.endpoint)):
            return
        db.session.info[READS_ONLY] = True
        if autocommit and isinstance(db.session.get_bind(), Engine):
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READS_ONLY: True})


def end_read_only(session) -> None:
    """After `session.rollback()`: the session may write again, in a transaction of its own."""
    session.info.pop(READS_ONLY, None)


def _is_marked(view) -> bool:
    handler = getattr(getattr(view, "view_class", None), "get", view)   # a MethodView's get, or the function
    return getattr(handler, READS_ONLY, False)


@event.listens_for(Session, "before_flush")
def _refuse_flushes_in_read_only_sessions(session, _context, _instances):
    if session.info.get(READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlyRequest("a reads_only view tried to write (flush)")


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements_in_read_only_sessions(state):
    if state.session.info.get(READS_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise WriteInReadOnlyRequest(f"a reads_only view tried to write: {str(state.statement)[:60]}")


def _refuse_writes_on_read_only_connections(connection, _cursor, statement, _parameters, context, _many):
    if (context.isinsert or context.isupdate or context.isdelete) and \
            connection.get_execution_options().get(READS_ONLY):
        raise WriteInReadOnlyRequest(f"a reads_only view tried to write: {statement[:60]}")
