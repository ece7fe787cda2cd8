"""Engine set-up that keeps SQLite honest: foreign keys on, real transactions.

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

from sqlalchemy import event, exc

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


def commit_keeping_loaded(session) -> None:
    """Commits without expiring the loaded objects, so an answer built from them afterwards
    costs no SELECT.

    Safe for what the transaction itself read and wrote: after the commit the database holds
    exactly those values (server-generated columns not loaded yet still load on access).
    """
    session = session() if callable(session) else session
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


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
