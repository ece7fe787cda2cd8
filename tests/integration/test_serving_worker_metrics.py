"""The notification worker counts its own figures; the node's /metrics shows them.

A gunicorn node and a `flask worker run` process share PROMETHEUS_MULTIPROC_DIR,
as scripts/run.sh starts them. The worker delivers messages put in the outbox;
one scrape of the node shows the worker's deliveries by channel and outcome,
its pickup delays, loop lag, heartbeat and job runs, next to the HTTP series.
When the worker stops, its live gauges (lag, heartbeat) leave the scrape and
its counters stay.
"""
import contextlib
import signal
import subprocess
import sys
import time
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, insert, select

from app.common.clock import utcnow
from app.notifications.models import CREATED, DELIVERED, NORMAL, SMS, OutboxMessage
from tests.serving_server import ROOT, gunicorn_server, prepare, server_environment

pytestmark = pytest.mark.slow


def _scrape(server) -> dict:
    status, _, body = server.request("GET", "/metrics")
    assert status == 200
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def _value(samples, name, **labels):
    return sum(v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def test_the_workers_figures_reach_the_nodes_metrics_through_the_shared_directory():
    env = server_environment(WORKERS=1, WORKER_POLL_SECONDS=0.3, NOTIFY_MOCK_DELAY_MS=0)
    data = prepare(env)
    engine = create_engine(env["DATABASE_URL"])
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "run"], cwd=ROOT,
                              env={**env, "FLASK_APP": "wsgi"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with gunicorn_server(env, data) as server:
            run, now = uuid.uuid4().hex[:8], utcnow()
            rows = [{"id": uuid.uuid4(), "created_at": now, "updated_at": now, "event": "dossier_received",
                     "channel": SMS, "address": f"0913{n:06d}", "locale": "vi", "params": {"receipt_code": f"H-{n}"},
                     "sensitive": False, "priority": NORMAL, "status": CREATED, "attempts": 0, "next_attempt_at": now,
                     "idempotency_key": f"{run}-{n:04d}", "title": "Hồ sơ đã được tiếp nhận",
                     "body": f"Ho so H-{n} da duoc tiep nhan.", "template_version": 1} for n in range(12)]
            with engine.begin() as connection:
                connection.execute(insert(OutboxMessage.__table__), rows)
            outbox = OutboxMessage.__table__
            deadline = time.monotonic() + 60
            delivered = 0
            while time.monotonic() < deadline:
                with engine.connect() as connection:
                    delivered = connection.scalar(select(func.count()).select_from(outbox).where(
                        outbox.c.idempotency_key.like(f"{run}%"), outbox.c.status == DELIVERED))
                if delivered == 12:
                    break
                time.sleep(0.3)
            assert delivered == 12, "the worker did not deliver the messages"
            assert worker.poll() is None

            samples = _scrape(server)
            assert _value(samples, "smart_worker_deliveries_total", channel="sms", outcome=DELIVERED) == 12
            assert _value(samples, "smart_worker_pickup_delay_seconds_count") == 12
            assert 0 <= _value(samples, "smart_worker_lag_seconds") < 60
            assert _value(samples, "smart_worker_loop_timestamp_seconds") > time.time() - 60
            # the worker ran the registered periodic jobs on its first round
            runs = samples.get("smart_worker_job_runs_total", [])
            assert {labels["job"] for labels, value in runs if value >= 1} >= {"idempotency.purge_expired_keys"}
            assert _value(samples, "smart_worker_job_failing", job="idempotency.purge_expired_keys") == 0
            assert _value(samples, "smart_http_requests_total") >= 1          # the node's own series, same scrape

            worker.send_signal(signal.SIGTERM)                                 # the worker stops cleanly
            assert worker.wait(timeout=30) == 0
            after = _scrape(server)
            assert "smart_worker_lag_seconds" not in after                    # live gauges leave with it
            assert "smart_worker_loop_timestamp_seconds" not in after
            assert _value(after, "smart_worker_deliveries_total", channel="sms", outcome=DELIVERED) == 12
    finally:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        worker.wait()
        engine.dispose()
