"""Two app nodes and two notification workers, separate processes on loopback, one PostgreSQL and Redis.

Shows that the nodes share every piece of state: rate limits (Redis), QR
logins and idempotency keys (PostgreSQL), the outbox (two workers, each
message delivered once), and that a node killed with SIGKILL loses nothing
committed while the other keeps serving. Needs PostgreSQL (TEST_DATABASE_URL)
and Redis (REDIS_TEST_URL, or redis on localhost:6379); skipped otherwise.
"""
import concurrent.futures
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from app.common.clock import utcnow
from app.dossiers.models import Dossier
from app.notifications.models import CREATED, NORMAL, SMS, MockDelivery, OutboxMessage
from tests.serving_server import ROOT, gunicorn_server, postgres_url, prepare, server_environment

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
API = "/api/v1"


def _redis_answers() -> bool:
    address = urlparse(REDIS_URL)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster():
    url = postgres_url("nodes")
    if url is None:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    if not _redis_answers():
        pytest.skip("needs Redis (REDIS_TEST_URL)")
    env = server_environment(url, WORKERS=1, RATELIMIT_STORAGE_URI=REDIS_URL, WORKER_POLL_SECONDS=0.5,
                             NOTIFY_MOCK_DELAY_MS=5)
    data = prepare(env, nodes=True)
    engine = create_engine(url)
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "worker", "run"], cwd=ROOT,
                                env={**env, "FLASK_APP": "wsgi"}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        with gunicorn_server(env, data) as a, gunicorn_server(env, data) as b:
            yield a, b, data, engine, workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        engine.dispose()


def _json(server, method, path, body=None, headers=None):
    status, response_headers, raw = server.request(
        method, path, {"Content-Type": "application/json", **(headers or {})},
        json.dumps(body).encode() if body is not None else None)
    return status, (json.loads(raw) if raw else None)


def _address() -> str:
    """A client address of its own (X-Forwarded-For, one trusted proxy): counters no other run shares."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_a_rate_limit_counts_across_both_nodes(cluster):
    a, b, *_ = cluster
    client = {"X-Forwarded-For": _address()}
    statuses = [_json((a, b)[n % 2], "POST", f"{API}/identity/login",
                      {"login": "000000000000", "password": "wrong"}, client)[0] for n in range(12)]
    # 10 logins a minute per address: the 11th is refused, whichever node it reaches
    assert statuses[:10].count(429) == 0 and statuses[10:] == [429, 429], statuses


def test_a_qr_login_created_on_a_is_approved_on_b_and_collected_on_a(cluster):
    a, b, data, *_ = cluster
    web = {"X-Forwarded-For": _address()}
    status, created = _json(a, "POST", f"{API}/identity/qr-logins", {"client_name": "Cổng DVC"}, web)
    assert status == 201, created
    phone = {"Authorization": f"Bearer {data['phone_token']}", "X-Forwarded-For": _address()}
    assert _json(b, "POST", f"{API}/identity/qr-logins/scan", {"code": created["code"]}, phone)[0] == 200
    status, decided = _json(b, "POST", f"{API}/identity/qr-logins/approve", {"code": created["code"]},
                            {**phone, "Idempotency-Key": uuid.uuid4().hex})
    assert status == 200, decided
    status, polled = _json(a, "GET", f"{API}/identity/qr-logins/{created['id']}?wait=5", None,
                           {**web, "X-Poll-Secret": created["poll_secret"]})
    assert status == 200 and polled["status"] == "approved" and polled["tokens"]["access_token"]


def test_one_idempotency_key_sent_to_both_nodes_at_once_creates_one_dossier(cluster):
    a, b, data, engine, _ = cluster
    headers = {"Authorization": f"Bearer {data['phone_token']}", "Idempotency-Key": uuid.uuid4().hex,
               "X-Forwarded-For": _address()}
    with engine.connect() as connection:
        before = connection.scalar(select(func.count()).select_from(Dossier.__table__))
    body = {"procedure_id": data["birth_procedure_id"]}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda server: _json(server, "POST", f"{API}/dossiers", body, headers),
                                (a, b, a, b)))
    statuses = [status for status, _ in answers]
    assert 201 in statuses and set(statuses) <= {201, 409}, answers
    assert len({answer["id"] for status, answer in answers if status == 201}) == 1   # replays: the same dossier
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Dossier.__table__)) == before + 1


def test_two_workers_deliver_each_outbox_message_exactly_once(cluster):
    *_, engine, workers = cluster
    run, now = uuid.uuid4().hex[:8], utcnow()
    rows = [{"id": uuid.uuid4(), "created_at": now, "updated_at": now, "event": "dossier_received",
             "channel": SMS, "address": f"0913{n:06d}", "locale": "vi", "params": {"receipt_code": f"H-{n}"},
             "sensitive": False, "priority": NORMAL, "status": CREATED, "attempts": 0, "next_attempt_at": now,
             "idempotency_key": f"{run}-{n:04d}", "title": "Hồ sơ đã được tiếp nhận",
             "body": f"Ho so H-{n} da duoc tiep nhan.", "template_version": 1} for n in range(60)]
    mock, outbox = MockDelivery.__table__, OutboxMessage.__table__
    with engine.begin() as connection:
        connection.execute(insert(outbox), rows)
        connection.execute(text("NOTIFY notifications_outbox"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            received = connection.execute(select(mock.c.received).where(
                mock.c.idempotency_key.like(f"{run}%"))).scalars().all()
        if len(received) == 60:
            break
        time.sleep(0.3)
    assert len(received) == 60 and set(received) == {1}          # every message, none twice
    with engine.connect() as connection:
        by_worker = connection.execute(select(outbox.c.worker, func.count()).where(
            outbox.c.idempotency_key.like(f"{run}%")).group_by(outbox.c.worker)).all()
    assert all(worker.poll() is None for worker in workers)
    assert sum(count for _, count in by_worker) == 60


def test_a_node_killed_mid_requests_loses_nothing_committed_and_the_other_keeps_serving(cluster):
    a, b, data, engine, _ = cluster
    headers = {"Authorization": f"Bearer {data['phone_token']}", "X-Forwarded-For": _address()}
    body = {"procedure_id": data["birth_procedure_id"]}
    confirmed, lock = [], __import__("threading").Lock()

    def create(server):
        try:
            status, answer = _json(server, "POST", f"{API}/dossiers", body,
                                   {**headers, "Idempotency-Key": uuid.uuid4().hex})
        except (OSError, http.client.HTTPException):
            return None          # the node died under this request (or mid-answer): nothing was promised
        if status == 201:
            with lock:
                confirmed.append(answer["id"])
        return status

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(create, (a, b)[n % 2]) for n in range(30)]
        time.sleep(0.3)
        os.killpg(a.process.pid, signal.SIGKILL)      # node A dies in the middle of the requests
        statuses = [f.result() for f in futures]
    assert a.process.wait(timeout=10) == -signal.SIGKILL
    assert confirmed, statuses
    with engine.connect() as connection:
        stored = set(map(str, connection.execute(select(Dossier.__table__.c.id).where(
            Dossier.__table__.c.id.in_([uuid.UUID(i) for i in confirmed]))).scalars()))
    assert stored == set(confirmed)                          # every confirmed dossier is there
    for _ in range(5):                                       # node B keeps serving
        assert _json(b, "POST", f"{API}/dossiers", body,
                     {**headers, "Idempotency-Key": uuid.uuid4().hex})[0] == 201
    assert b.request("GET", "/readyz")[0] == 200
