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
from sqlalchemy import event


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
