"""Prometheus metrics (prometheus_client), one registry for every gunicorn worker.

Under gunicorn each worker process writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py picks a fresh directory when it is
not set, empties it on start and drops a dead worker's live gauges); /metrics
reads every file, so a scrape sees the whole node whichever worker answers.
Without the variable (tests, `flask run`) the process's own registry serves.
"""

import hmac
import ipaddress
import logging
import os
import tempfile
import time
import weakref
from collections.abc import Callable

from flask import Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event

from app.common.settings import CommonSettings
from app.common.settings import settings as common_settings
from app.errors import Forbidden

ENV = "PROMETHEUS_MULTIPROC_DIR"



def prepare_multiprocess_directory() -> str:
    """gunicorn master, on start: the directory of the sample files, without dead processes' files.

    Files are named `<kind>_<pid>.db`; those of a live process (a notification
    worker started next to gunicorn) stay.
    """
    directory = os.environ.setdefault(ENV, tempfile.mkdtemp(prefix="smart-metrics-"))
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        stem, _, pid = name.removesuffix(".db").rpartition("_")
        if name.endswith(".db") and not (pid.isdigit() and _alive(int(pid))):
            os.unlink(os.path.join(directory, name))
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def worker_exited(pid: int) -> None:
    """gunicorn master, when a worker ends: its live gauges stop counting."""
    if os.environ.get(ENV):
        multiprocess.mark_process_dead(pid)


# -- the series ------------------------------------------------------------------------------

log = logging.getLogger("app.metrics")
PREFIX = "smart"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Series:
    """Every series this process writes (built once per process, whatever the number of apps)."""

    def __init__(self):
        self.requests = Counter(f"{PREFIX}_http_requests_total", "HTTP requests answered",
                                ["endpoint", "method", "status"])
        self.duration = Histogram(f"{PREFIX}_http_request_duration_seconds", "Time to answer an HTTP request",
                                  ["endpoint", "method", "status"], buckets=BUCKETS)
        self.rate_limited = Counter(f"{PREFIX}_rate_limit_refusals_total", "Requests refused by a rate limit (429)",
                                    ["endpoint"])
        self.overloaded = Counter(f"{PREFIX}_overload_refusals_total",
                                  "Requests refused with 503 overloaded (no database connection in time)",
                                  ["endpoint"])
        self.pool_in_use = Gauge(f"{PREFIX}_db_pool_connections_in_use", "Database connections checked out",
                                 multiprocess_mode="livesum")
        self.pool_open = Gauge(f"{PREFIX}_db_pool_connections_open", "Database connections open in the pools",
                               multiprocess_mode="livesum")
        self.pool_capacity = Gauge(f"{PREFIX}_db_pool_capacity",
                                   "Connections the pools may open (pool_size + max_overflow)",
                                   multiprocess_mode="livesum")
        self.pool_timeouts = Counter(f"{PREFIX}_db_pool_timeouts_total",
                                     "Requests that found no database connection within pool_timeout")
        self.auth_events = Counter(f"{PREFIX}_auth_events_total",
                                   "Security events of the identity domain (login, OTP, QR, refresh...) by outcome",
                                   ["event", "outcome"])
        self.payment_warnings = Counter(f"{PREFIX}_payment_warnings_total",
                                        "Payment problems (bad IPN signature, gateway unavailable...)", ["kind"])


class WorkerSeries:
    """The notification worker's own series, written by the worker process (`flask worker run`).

    With PROMETHEUS_MULTIPROC_DIR shared with a node's gunicorn (scripts/run.sh;
    a shared volume and PID namespace in compose), that node's /metrics shows them.
    """

    def __init__(self):
        self.deliveries = Counter(f"{PREFIX}_worker_deliveries_total",
                                  "Outbox messages the workers tried to deliver, by channel and resulting status",
                                  ["channel", "outcome"])
        self.pickup_delay = Histogram(f"{PREFIX}_worker_pickup_delay_seconds",
                                      "From a message's creation to its first delivery attempt", buckets=BUCKETS)
        self.lag = Gauge(f"{PREFIX}_worker_lag_seconds",
                         "Largest pickup delay in the worker's last batch (0 when idle): the loop lag",
                         multiprocess_mode="livemax")
        self.heartbeat = Gauge(f"{PREFIX}_worker_loop_timestamp_seconds",
                               "When a worker last went round its loop", multiprocess_mode="livemax")
        self.job_runs = Counter(f"{PREFIX}_worker_job_runs_total", "Periodic job runs by outcome (ok, failed)",
                                ["job", "outcome"])
        self.job_finished = Gauge(f"{PREFIX}_worker_job_last_finished_timestamp_seconds",
                                  "When each periodic job last finished", ["job"], multiprocess_mode="max")
        self.job_failing = Gauge(f"{PREFIX}_worker_job_failing", "1 when the job's latest run failed", ["job"],
                                 multiprocess_mode="mostrecent")


_series: Series | None = None
_worker_series: WorkerSeries | None = None
_watched: "weakref.WeakSet" = weakref.WeakSet()


def series() -> Series:
    global _series
    if _series is None:
        _series = Series()
    return _series


def worker_series() -> WorkerSeries:
    global _worker_series
    if _worker_series is None:
        _worker_series = WorkerSeries()
    return _worker_series


def count_auth_event(event: str, outcome: str) -> None:
    """An identity security event (login, OTP, QR, refresh...) where it happens, whatever the log level."""
    series().auth_events.labels(event, outcome).inc()


def process_ended() -> None:
    """A process writing samples (the notification worker) stops: its live gauges stop counting."""
    if os.environ.get(ENV):
        multiprocess.mark_process_dead(os.getpid())


def init_app(app, figures: Callable[[], list] | None = None) -> None:
    """Request series, pool series, the payment-warning counter and GET /metrics.

    `figures`: called at each scrape (inside the app context) for the figures
    read from the database (outbox, deliveries, payments, jobs); returns metric families.
    """
    if os.environ.get(ENV):
        os.makedirs(os.environ[ENV], exist_ok=True)
    s = series()
    app.before_request(_start_timer)
    app.after_request(_count_request)
    app.extensions["metrics_figures"] = figures
    _watch_pool(app, s)
    _count_log_events(s)
    app.add_url_rule("/metrics", "metrics", _scrape, methods=["GET"])
    # First of the before-request hooks: a scrape's bearer token is METRICS_TOKEN, not an access token
    app.before_request_funcs.setdefault(None, []).insert(0, _scrape_first)


def _scrape_first():
    """A scrape without a token, or with METRICS_TOKEN, skips the access-token check.

    Any other bearer token goes through the usual checks first (a delegated
    helper's token, for one, opens nothing outside its scopes).
    """
    if request.endpoint != "metrics":
        return None
    sent = request.headers.get("Authorization")
    token = common_settings().metrics_token
    if not sent or (token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())):
        return _scrape()
    return None


def _start_timer():
    g.metrics_started = time.perf_counter()


def _count_request(response):
    started = g.pop("metrics_started", None)
    if started is None or request.endpoint == "metrics":
        return response
    s = series()
    endpoint = request.endpoint or "unmatched"   # unknown paths share one label: no label explosion
    status = str(response.status_code)
    s.requests.labels(endpoint, request.method, status).inc()
    s.duration.labels(endpoint, request.method, status).observe(time.perf_counter() - started)
    if response.status_code == 429:
        s.rate_limited.labels(endpoint).inc()
    return response


def _watch_pool(app, s: Series) -> None:
    """Pool gauges follow the engine's checkout/checkin/connect/close events."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    if engine in _watched:
        return
    _watched.add(engine)
    pool = engine.pool
    capacity = getattr(pool, "size", lambda: 0)() + max(0, getattr(pool, "_max_overflow", 0))
    s.pool_capacity.inc(capacity)
    event.listen(engine, "checkout", lambda *a: s.pool_in_use.inc())
    event.listen(engine, "checkin", lambda *a: s.pool_in_use.dec())
    event.listen(engine, "connect", lambda *a: s.pool_open.inc())
    event.listen(engine, "close", lambda *a: s.pool_open.dec())


class _EventCounter(logging.Handler):
    """Counts the payment domain's warnings (identity's events are counted by `count_auth_event`)."""

    def __init__(self, s: Series):
        super().__init__(logging.WARNING)
        self.s = s

    def emit(self, record):
        if record.name.startswith("app.payments"):
            self.s.payment_warnings.labels(str(record.msg)[:60]).inc()


def _count_log_events(s: Series) -> None:
    for name in ("app.payments",):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _EventCounter) for h in logger.handlers):
            logger.addHandler(_EventCounter(s))


# -- the endpoint ------------------------------------------------------------------------------
class _Figures:
    """A collector calling the app's figures function at scrape time."""

    def __init__(self, fn):
        self.fn = fn

    def collect(self):
        try:
            yield from self.fn()
        except Exception:   # the database is down: the scrape still answers, without these figures
            log.warning("metrics figures unavailable", exc_info=True)
            yield GaugeMetricFamily(f"{PREFIX}_figures_up", "1 when the database figures could be read", value=0)
        else:
            yield GaugeMetricFamily(f"{PREFIX}_figures_up", "1 when the database figures could be read", value=1)


def _scrape():
    _allow_scrape(common_settings())
    if os.environ.get(ENV):   # every worker's files: the whole node
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    body = generate_latest(processes)
    figures = current_app.extensions.get("metrics_figures")
    if figures:
        database = CollectorRegistry()
        database.register(_Figures(figures))
        body += generate_latest(database)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


def _allow_scrape(settings: CommonSettings) -> None:
    """Open in development; in production a bearer token (METRICS_TOKEN) or an allowed network."""
    token, networks = settings.metrics_token, settings.metrics_allowed_networks
    if not token and not networks:
        if settings.production:
            raise Forbidden()
        return
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return
    if networks and request.remote_addr:
        address = ipaddress.ip_address(request.remote_addr)
        if any(address in ipaddress.ip_network(n, strict=False) for n in networks):
            return
    raise Forbidden()
