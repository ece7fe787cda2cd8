"""Overload is refused, not queued: a bounded wait for a database connection, then 503.

Each process keeps a bounded pool of PostgreSQL connections (DB_POOL_SIZE +
DB_MAX_OVERFLOW). A request that finds none free waits at most
DB_POOL_TIMEOUT seconds, then gets 503 `overloaded` with `Retry-After`, in the
envelope, and its transaction (if any) is rolled back: nothing half-written.
While the pool is saturated, or within OVERLOAD_WINDOW seconds of a refusal,
/readyz answers 503 `overloaded` so a load balancer sends traffic elsewhere.

When the database itself is unreachable (restarting, failing over), the
connection attempt gives up after DB_CONNECT_TIMEOUT seconds and the request
gets 503 `database_unavailable`; disconnect detection and the idle ping
(app/common/database.py) replace the dead connections on the next checkout,
so the node recovers by itself once the database is back.
"""
import logging
import time

from flask import request
from sqlalchemy import exc

from app.common.metrics import series
from app.common.errors import DatabaseUnavailable, Overloaded
from app.errors import ServiceUnavailable, handle_app_error
from app.extensions import db

log = logging.getLogger("app.overload")
RETRY_AFTER_SECONDS = 2
OVERLOAD_WINDOW = 5.0
_last_refusal = {"at": 0.0}


def engine_options(url: str, environ) -> dict:
    """Pool bounds for PostgreSQL (SQLite keeps SQLAlchemy's defaults)."""
    if not url.startswith("postgresql"):
        return {}
    return {
        "pool_size": int(environ.get("DB_POOL_SIZE", 10)),
        "max_overflow": int(environ.get("DB_MAX_OVERFLOW", 5)),
        "pool_timeout": float(environ.get("DB_POOL_TIMEOUT", 3)),
        "connect_args": {"connect_timeout": int(environ.get("DB_CONNECT_TIMEOUT", 3))},
    }


def init_app(app) -> None:
    app.register_error_handler(exc.TimeoutError, _pool_timeout)
    app.register_error_handler(exc.OperationalError, _database_unavailable)
    app.register_error_handler(exc.InterfaceError, _database_unavailable)


def _rollback():
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        log.debug("rollback after a database error failed", exc_info=True)


def _pool_timeout(error):
    _rollback()
    _last_refusal["at"] = time.monotonic()
    series().pool_timeouts.inc()
    series().overloaded.labels(request.endpoint or "unmatched").inc()
    log.warning("no database connection within the pool timeout: 503 overloaded")
    return _answer(Overloaded())


def _database_unavailable(error):
    _rollback()
    log.warning("database error: 503 database_unavailable (%s)", type(error.orig or error).__name__)
    return _answer(DatabaseUnavailable())


def _answer(error: ServiceUnavailable):
    error.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return handle_app_error(error)


def refuse_when_overloaded(engine) -> None:
    """/readyz: 503 overloaded while the pool is saturated or just after a refusal."""
    pool = engine.pool
    size = getattr(pool, "size", None)
    if callable(size):
        capacity = size() + max(0, getattr(pool, "_max_overflow", 0))
        if pool.checkedout() >= capacity:
            raise _with_retry(Overloaded())
    if time.monotonic() - _last_refusal["at"] < OVERLOAD_WINDOW:
        raise _with_retry(Overloaded())


def _with_retry(error):
    error.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error
