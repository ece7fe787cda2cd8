"""The delivery worker (`flask worker run`) and its periodic jobs.

One loop: run the periodic jobs that are due, claim a batch of due messages,
deliver them one by one, and when nothing is due wait for the next poll (on
PostgreSQL a NOTIFY from `notify()` wakes it at once). Delivery never runs in
a request. SIGTERM or Ctrl-C finishes the message in hand, gives the rest of
the batch back and exits; SIGKILL loses nothing either (leases, see
delivery.py).

Periodic jobs: domains register them with `app.common.jobs.register_periodic`
in a module `app/<domain>/scheduled.py`, which the worker imports at start.
Each job runs inside an app context and is committed after it returns. With
several workers a job still runs once per period: the run is claimed in the
`worker_jobs` table with a conditional UPDATE.
"""
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from app.common.clock import utcnow
from app.common.jobs import Periodic, periodic_jobs
from app.common.metrics import process_ended, worker_series
from app.extensions import db
from app.notifications.channels import build_channels
from app.notifications.delivery import RetryPolicy, claim_batch, deliver, release, renew_lease
from app.notifications.models import PeriodicJob
from app.notifications.service import WAKE_CHANNEL

log = logging.getLogger("app.notifications.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class Worker:
    """Delivers outbox messages. `run()` loops; `run_batch()` is one step (tests)."""

    def __init__(self, app, *, name: str | None = None, batch_size: int | None = None,
                 lease_seconds: float | None = None, poll_seconds: float | None = None,
                 urgent_only: bool = False, run_jobs: bool = True, channels: dict | None = None):
        config = app.config
        self.app = app
        self.name = name or worker_name()
        self.batch_size = batch_size or config["WORKER_BATCH_SIZE"]
        self.lease = lease_seconds or config["WORKER_LEASE_SECONDS"]
        self.poll = poll_seconds if poll_seconds is not None else config["WORKER_POLL_SECONDS"]
        self.urgent_only = urgent_only
        self.run_jobs = run_jobs
        self.channels = channels if channels is not None else build_channels(config)
        self.policy = RetryPolicy.from_config(config)
        self.stopping = threading.Event()
        self.outcomes: Counter = Counter()
        self._job_checks: dict[str, datetime] = {}

    # --- one step ---------------------------------------------------------

    def run_batch(self) -> int:
        """Claims and delivers one batch (inside an app context); returns its size."""
        batch = claim_batch(self.name, self.batch_size, self.lease, urgent_only=self.urgent_only)
        _count_pickup(batch)
        renew_at = time.monotonic() + self.lease / 2
        for index, delivery in enumerate(batch):
            if self.stopping.is_set():
                release(self.name, [d.message_id for d in batch[index:]])
                break
            if time.monotonic() >= renew_at:
                held = renew_lease(self.name, [d.message_id for d in batch[index:]], self.lease)
                renew_at = time.monotonic() + self.lease / 2
                if delivery.message_id not in held:
                    continue
            outcome = deliver(delivery, self.channels, self.policy, self.name)
            self.outcomes[outcome] += 1
            worker_series().deliveries.labels(delivery.channel, outcome).inc()
        return len(batch)

    def drain(self, max_batches: int = 1000) -> int:
        """Delivers until nothing is due (inside an app context); returns how many were taken."""
        total = 0
        for _ in range(max_batches):
            taken = self.run_batch()
            total += taken
            if not taken:
                break
        return total

    def run_due_jobs(self) -> list[str]:
        """Runs the periodic jobs that are due and that no other worker took."""
        ran = []
        for job in periodic_jobs():
            now = utcnow()
            if self._job_checks.get(job.name, now) > now:
                continue
            if self._claim_job(job, now):
                self._run_job(job)
                ran.append(job.name)
            self._job_checks[job.name] = db.session.scalar(
                select(PeriodicJob.next_run_at).where(PeriodicJob.name == job.name)) or now
            db.session.commit()
        return ran

    # --- the loop ---------------------------------------------------------

    def run(self, *, until_idle: bool = False) -> Counter:
        """Loops until stopped (SIGTERM, SIGINT) or, with `until_idle`, until nothing is due."""
        previous = self._install_signal_handlers()
        _relax_sqlite_durability(self.app)
        listener = _Listener.open(self.app)
        log.info("worker %s started (batch %s, lease %ss)", self.name, self.batch_size, self.lease)
        try:
            failures = 0
            while not self.stopping.is_set():
                worker_series().heartbeat.set_to_current_time()
                with self.app.app_context():
                    try:
                        if self.run_jobs:
                            self.run_due_jobs()
                        taken = self.run_batch()
                        failures = 0
                    except Exception:
                        # The database went away, a deadlock, a lock timeout...: the
                        # messages in hand come back after their lease; keep going.
                        db.session.rollback()
                        failures += 1
                        log.exception("worker %s: batch failed (%s in a row)", self.name, failures)
                        self.stopping.wait(min(30.0, self.poll * 2 ** min(failures, 5)))
                        continue
                    finally:
                        db.session.remove()
                if taken:
                    continue
                if until_idle:
                    break
                if listener:
                    listener.wait(self.poll, self.stopping)
                else:
                    self.stopping.wait(self.poll)
        finally:
            if listener:
                listener.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            log.info("worker %s stopped: %s", self.name, dict(self.outcomes))
            process_ended()     # its live gauges (lag, heartbeat) leave the node's /metrics
        return self.outcomes

    def stop(self, *_args) -> None:
        self.stopping.set()

    def _install_signal_handlers(self) -> dict:
        """SIGTERM and SIGINT stop the loop; returns the handlers they replaced."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {signum: signal.signal(signum, self.stop) for signum in (signal.SIGTERM, signal.SIGINT)}

    def _claim_job(self, job: Periodic, now: datetime) -> bool:
        """Takes this period's run of `job` (the UPDATE comes first: it takes the lock)."""
        claimed = bool(db.session.execute(
            update(PeriodicJob).where(PeriodicJob.name == job.name, PeriodicJob.next_run_at <= now)
            .values(next_run_at=now + job.every, last_started_at=now, worker=self.name)
            .execution_options(synchronize_session=False)).rowcount)
        if not claimed and db.session.scalar(select(PeriodicJob.id).where(PeriodicJob.name == job.name)) is None:
            try:
                with db.session.begin_nested():
                    db.session.add(PeriodicJob(name=job.name, next_run_at=now + job.every,
                                               last_started_at=now, worker=self.name))
                claimed = True   # the first run of a new job
            except IntegrityError:
                pass  # another worker created it just now, and runs it
        db.session.commit()
        return claimed

    def _run_job(self, job: Periodic) -> None:
        result, error = None, None
        try:
            result = job.fn()
            db.session.commit()
        except Exception as exc:  # one failing job must not stop deliveries
            db.session.rollback()
            log.exception("periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:255]
        figures = worker_series()
        figures.job_runs.labels(job.name, "failed" if error else "ok").inc()
        figures.job_finished.labels(job.name).set_to_current_time()
        figures.job_failing.labels(job.name).set(1 if error else 0)
        db.session.execute(
            update(PeriodicJob).where(PeriodicJob.name == job.name)
            .values(last_finished_at=utcnow(), last_error=error,
                    last_result=None if result is None else str(result)[:255])
            .execution_options(synchronize_session=False))
        db.session.commit()


def _count_pickup(batch) -> None:
    """The loop lag: how long first attempts waited from their creation (0 for an empty batch)."""
    now = utcnow()
    delays = [(now - _aware(d.created_at)).total_seconds() for d in batch
              if d.attempts == 1 and d.created_at is not None]
    figures = worker_series()
    for delay in delays:
        figures.pickup_delay.observe(max(0.0, delay))
    figures.lag.set(max([0.0, *delays]))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _relax_sqlite_durability(app) -> None:
    """On SQLite, the worker's commits do not wait for the disk (WAL, synchronous=NORMAL).

    As on PostgreSQL (delivery.py): a power cut may lose the last outcomes,
    never corrupt the database, and a lost outcome only means a repeat.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" or getattr(engine, "_worker_relaxed", False):
        return

    @event.listens_for(engine, "connect")
    def _normal_sync(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    engine._worker_relaxed = True
    engine.dispose()    # connections opened before get it too


class _Listener:
    """PostgreSQL LISTEN on the outbox channel: wakes an idle worker at once."""

    def __init__(self, connection):
        self.connection = connection

    @classmethod
    def open(cls, app) -> "_Listener | None":
        with app.app_context():
            url = db.engine.url
        if url.get_backend_name() != "postgresql":
            return None
        try:
            import psycopg  # only on PostgreSQL: SQLite installs need not have the driver

            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = psycopg.connect(conninfo, autocommit=True)
            connection.execute(f"LISTEN {WAKE_CHANNEL}")
            return cls(connection)
        except Exception:  # polling still works
            log.warning("LISTEN unavailable; polling only", exc_info=True)
            return None

    def wait(self, timeout: float, stopping: threading.Event) -> None:
        """Returns on a NOTIFY, after `timeout`, or within a second of a stop request."""
        deadline = time.monotonic() + timeout
        try:
            while not stopping.is_set() and (left := deadline - time.monotonic()) > 0:
                if list(self.connection.notifies(timeout=min(left, 1.0), stop_after=1)):
                    return
        except Exception:
            log.warning("LISTEN connection lost; polling only", exc_info=True)
            stopping.wait(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            pass
