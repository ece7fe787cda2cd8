"""gunicorn settings, read when gunicorn starts in the project folder (command-line flags win).

Worker model: gthread (measured against sync and gevent in docs/benchmarks-serving.md).
Each worker process serves `threads` requests at once; a QR-login long poll
holds one thread while it waits, so long polls are capped per process
(LONG_POLL_SLOTS, app/common/long_poll.py) below the thread count: the
remaining threads always serve ordinary requests, and a poll over the cap is
answered at once instead of queueing. gthread also keeps connections alive
(`keepalive`), which sync workers cannot.

The longest legitimate request is a streamed CSV export of a whole province
(every overdue dossier: 8 s for 140,000 rows on 2 CPUs), so `timeout` leaves
room for several times that.

Request limits (gunicorn answers itself, in the JSON error envelope, before the
app sees the request; see docs/operations.md):
  limit_request_line        4094 bytes   request line (method, path, query), else 414
  limit_request_fields       100         header fields, else 431
  limit_request_field_size  8190 bytes   one header field, else 431

Metrics: with PROMETHEUS_MULTIPROC_DIR set (scripts/run.sh sets it), each
worker writes its series to files there; the directory is emptied when gunicorn
starts and a dead worker's gauges are dropped (app/common/metrics.py).

Without GUNICORN_BIND it listens on loopback at PORT (8000), the port the app
builds its links from.
"""
import os
import tempfile

# Before any worker imports prometheus_client (it picks its storage at import)
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="smart-metrics-"))

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))

limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))


def on_starting(server):
    """gunicorn's own refusals in the JSON envelope; a clean metrics directory."""
    from app.common.server_errors import install_json_error_pages

    install_json_error_pages()
    from app.common.metrics import prepare_multiprocess_directory

    prepare_multiprocess_directory()


def post_fork(server, worker):
    """Long polls per worker process, unless LONG_POLL_SLOTS says otherwise.

    gthread: half the threads; sync: none (a waiting poll would block the
    whole worker, so every poll answers at once); gevent: half the connections.
    """
    if "LONG_POLL_SLOTS" not in os.environ:
        kind = str(server.cfg.worker_class_str).lower()
        if "gevent" in kind or "eventlet" in kind:
            slots = server.cfg.worker_connections // 2
        elif "sync" in kind:
            slots = 0
        else:
            slots = max(1, server.cfg.threads // 2)
        os.environ["LONG_POLL_SLOTS"] = str(slots)


def post_worker_init(worker):
    """The loaded app's objects out of the garbage collector's full passes (`gc.freeze`).

    A loaded worker holds about 350,000 tracked objects (Flask, SQLAlchemy,
    marshmallow, the routes and schemas), all alive until it exits. A full
    collection walked every one of them: 160 ms on these CPUs, with every
    thread of the worker stopped, and a request that allocates much (an
    operations-centre figure over a year) set one off every thousand or so
    requests. Frozen, they are skipped; what requests create is still collected.
    """
    import gc

    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    from app.common.metrics import worker_exited

    worker_exited(worker.pid)
