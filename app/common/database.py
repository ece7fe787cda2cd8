"""Engine set-up that keeps SQLite honest: foreign keys on, real transactions.

pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; taking it
over (as SQLAlchemy's documentation advises) gives SQLite the same transaction
behaviour as PostgreSQL, which the rollback-per-test fixture relies on too.
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

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
