"""Real worker processes against the test database: SIGKILL mid-batch, concurrent workers, row claiming.

These tests commit for real (the workers are other processes), through their
own engine, and delete what they committed. The SIGKILL test runs on SQLite and
on PostgreSQL; the other concurrency tests need PostgreSQL.
"""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, insert, select, text
from sqlalchemy.orm import Session

from app.common.clock import utcnow
from app.notifications.delivery import claim_ids
from app.notifications.models import CREATED, DELIVERED, NORMAL, SENDING, SMS, MockDelivery, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
OUTBOX, MOCK = OutboxMessage.__table__, MockDelivery.__table__


@pytest.fixture
def database(app):
    """An engine of its own on the test database, and the cleanup of a run's rows."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, connect_args={"timeout": 15} if url.startswith("sqlite") else {})
    run = uuid.uuid4().hex[:8]
    yield engine, run
    with engine.begin() as connection:
        connection.execute(delete(MOCK).where(MOCK.c.idempotency_key.like(f"{run}%")))
        connection.execute(delete(OUTBOX).where(OUTBOX.c.idempotency_key.like(f"{run}%")))
    engine.dispose()


@pytest.fixture
def postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (several workers at once)")


def _seed(engine, run: str, count: int, *, notify_workers: bool = False) -> None:
    now = utcnow()
    rows = [{
        "id": uuid.uuid4(), "created_at": now, "updated_at": now, "event": "dossier_received", "channel": SMS,
        "address": f"0912{n:06d}", "locale": "vi", "params": {"receipt_code": f"H-{n}"}, "sensitive": False,
        "priority": NORMAL, "status": CREATED, "attempts": 0, "next_attempt_at": now,
        "idempotency_key": f"{run}-{n:05d}", "title": "Hồ sơ đã được tiếp nhận",
        "body": f"Ho so H-{n} da duoc tiep nhan.", "template_version": 1,
    } for n in range(count)]
    with engine.begin() as connection:
        connection.execute(insert(OUTBOX), rows)
        if notify_workers:
            connection.execute(text("NOTIFY notifications_outbox"))


def _count(engine, statement) -> int:
    with engine.connect() as connection:
        return connection.scalar(statement)


def _count_rows(engine, statement) -> list:
    with engine.connect() as connection:
        return connection.scalars(statement).all()


def _delivered(engine, run) -> int:
    return _count(engine, select(func.count()).select_from(OUTBOX).where(
        OUTBOX.c.idempotency_key.like(f"{run}%"), OUTBOX.c.status == DELIVERED))


def _sent_by_provider(engine, run) -> int:
    return _count(engine, select(func.count()).select_from(MOCK).where(MOCK.c.idempotency_key.like(f"{run}%")))


def _listening(engine) -> int:
    """Connections whose last statement was LISTEN on the outbox channel."""
    return _count(engine, text("SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN notifications_outbox'"))


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _start_workers(app, tmp_path, names, *args, **settings) -> list[subprocess.Popen]:
    """Starts one worker process per name (in parallel) and waits until each is delivering."""
    env = {**os.environ, "APP_ENV": "testing", "FLASK_APP": "wsgi", "LOG_LEVEL": "WARNING",
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "WORKER_POLL_SECONDS": "0.05",
           **{key: str(value) for key, value in settings.items()}}
    processes = []
    for name in names:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        processes.append(subprocess.Popen([sys.executable, "-m", "flask", "worker", "run", "--no-jobs", *args],
                                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True))
    for name, process in zip(names, processes):
        line = process.stdout.readline()
        assert "delivering" in line, (tmp_path / f"{name}.log").read_text()
        process.worker_name = line.split()[1].rstrip(":")
    return processes


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        process.stdout.close()


def test_a_worker_killed_mid_batch_loses_nothing(app, database, tmp_path):
    engine, run = database
    total = 40
    settings = {"NOTIFY_MOCK_DELAY_MS": 25, "WORKER_BATCH_SIZE": 10, "WORKER_LEASE_SECONDS": 1.5}
    victim, survivor = _start_workers(app, tmp_path, ("victim", "survivor"), **settings)
    try:
        _seed(engine, run, total)
        mine = (OUTBOX.c.idempotency_key.like(f"{run}%"), OUTBOX.c.worker == victim.worker_name)
        _wait_for(lambda: _count(engine, select(func.count()).select_from(OUTBOX).where(
            *mine, OUTBOX.c.status == DELIVERED)) >= 3, 30, "the victim's first deliveries")
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=10) == -signal.SIGKILL
        # Killed in the middle of its batch: rows it claimed and never sent
        stranded = set(_count_rows(engine, select(OUTBOX.c.id).where(
            *mine, OUTBOX.c.status == SENDING, OUTBOX.c.sent_at.is_(None))))
        assert 1 <= len(stranded) <= 9
        _wait_for(lambda: _delivered(engine, run) == total, 30, "every message to be delivered")
    finally:
        _stop(victim)
        assert _stop(survivor) == 0       # SIGTERM: a clean stop

    with engine.connect() as connection:
        rows = connection.execute(select(OUTBOX.c.id, OUTBOX.c.idempotency_key, OUTBOX.c.status, OUTBOX.c.attempts,
                                         OUTBOX.c.worker).where(OUTBOX.c.idempotency_key.like(f"{run}%"))).all()
        received = dict(connection.execute(select(MOCK.c.idempotency_key, MOCK.c.received)
                                           .where(MOCK.c.idempotency_key.like(f"{run}%"))).all())
    assert {row.status for row in rows} == {DELIVERED}
    # The provider got every message; at most the one in flight at the kill twice (at-least-once,
    # and the provider dropped the repeat by its idempotency key)
    assert set(received) == {row.idempotency_key for row in rows}
    assert sum(received.values()) - total <= 1
    # The stranded rows came back after their lease and were sent by the survivor, second attempt
    taken_again = [row for row in rows if row.id in stranded]
    assert {(row.worker, row.attempts) for row in taken_again} == {(survivor.worker_name, 2)}


@pytest.mark.postgres
def test_two_workers_share_the_queue_without_sending_anything_twice(app, database, tmp_path, postgres_only):
    engine, run = database
    settings = {"NOTIFY_MOCK_DELAY_MS": 10, "WORKER_BATCH_SIZE": 5, "WORKER_LEASE_SECONDS": 30}
    workers = _start_workers(app, tmp_path, ("w1", "w2"), **settings)
    try:
        _seed(engine, run, 120)
        _wait_for(lambda: _delivered(engine, run) == 120, 30, "every message to be delivered")
    finally:
        codes = [_stop(w) for w in workers]
    assert codes == [0, 0]
    with engine.connect() as connection:
        received = connection.execute(select(MOCK.c.received).where(MOCK.c.idempotency_key.like(f"{run}%"))).scalars().all()
        by_worker = connection.execute(select(OUTBOX.c.worker, func.count()).where(
            OUTBOX.c.idempotency_key.like(f"{run}%")).group_by(OUTBOX.c.worker)).all()
        attempts = connection.execute(select(func.max(OUTBOX.c.attempts)).where(
            OUTBOX.c.idempotency_key.like(f"{run}%"))).scalar()
    assert len(received) == 120 and set(received) == {1}     # nobody sent a message twice
    assert len(by_worker) == 2 and all(count > 0 for _, count in by_worker)
    assert attempts == 1


@pytest.mark.postgres
def test_skip_locked_claims_are_disjoint_and_do_not_wait(app, database, postgres_only):
    engine, run = database
    _seed(engine, run, 6)
    with Session(engine) as first, Session(engine) as second:
        mine = set(claim_ids(first, "w1", 4, 60))          # transaction still open: rows locked
        second.execute(text("SET LOCAL lock_timeout = '500ms'"))
        theirs = set(claim_ids(second, "w2", 4, 60))       # skips the locked rows instead of waiting
        assert mine and theirs and not mine & theirs
        first.rollback()
        second.commit()
    with engine.connect() as connection:
        owners = dict(connection.execute(select(OUTBOX.c.id, OUTBOX.c.worker)
                                         .where(OUTBOX.c.idempotency_key.like(f"{run}%"))).all())
    assert {owners[i] for i in theirs} == {"w2"}
    assert {owners[i] for i in mine} == {None}       # the first claim was rolled back: free again


@pytest.mark.postgres
def test_an_idle_worker_wakes_up_on_notify(app, database, tmp_path, postgres_only):
    engine, run = database
    listening_before = _listening(engine)
    (worker,) = _start_workers(app, tmp_path, ("listener",), WORKER_POLL_SECONDS=30)
    try:
        _wait_for(lambda: _listening(engine) > listening_before, 10, "the worker to listen")
        started = time.monotonic()
        _seed(engine, run, 1, notify_workers=True)
        _wait_for(lambda: _delivered(engine, run) == 1, 10, "the message")
        assert time.monotonic() - started < 5       # well before the 30 s poll
    finally:
        _stop(worker)
