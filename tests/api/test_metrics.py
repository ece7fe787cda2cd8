"""GET /metrics: the series in Prometheus text format; open in development, guarded in production."""
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.identity.sessions import start_session
from tests.factories import AccountFactory, RegistryCitizenFactory
from tests.identity_fixtures import active_citizen, log_in

ROOT = Path(__file__).resolve().parents[2]


def _scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def _value(samples, name, **labels):
    return sum(v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def test_requests_are_counted_by_endpoint_and_status(client):
    before = _scrape(client)
    client.get("/healthz")
    client.get("/api/v1/nowhere")
    after = _scrape(client)
    name = "smart_http_requests_total"
    assert _value(after, name, endpoint="health.healthz", status="200") == \
        _value(before, name, endpoint="health.healthz", status="200") + 1
    assert _value(after, name, endpoint="unmatched", status="404") >= 1
    assert _value(after, "smart_http_request_duration_seconds_count", endpoint="health.healthz") >= 1


def test_every_documented_series_is_present(client):
    account = AccountFactory(citizen=RegistryCitizenFactory(), level=1)
    log_in(client, account.login, password="wrong-password")   # an audit event
    samples = _scrape(client)
    for name in ("smart_http_requests_total", "smart_http_request_duration_seconds_bucket",
                 "smart_db_pool_connections_in_use", "smart_db_pool_connections_open", "smart_db_pool_capacity",
                 "smart_outbox_oldest_undelivered_age_seconds",
                 "smart_auth_events_total", "smart_figures_up"):
        assert name in samples, name
    assert _value(samples, "smart_figures_up") == 1
    assert _value(samples, "smart_auth_events_total", outcome="failure") >= 1


def test_outbox_backlog_and_deliveries_by_channel(client, db_session):
    from app.notifications.models import OutboxMessage

    db_session.add(OutboxMessage(event="otp_code", channel="sms", address="0912000333", params={},
                                 idempotency_key="metrics-test-1"))
    db_session.flush()
    samples = _scrape(client)
    assert _value(samples, "smart_outbox_backlog", channel="sms") >= 1
    assert _value(samples, "smart_outbox_oldest_undelivered_age_seconds") >= 0
    assert "smart_outbox_messages" not in samples        # deliveries are counted by the worker, not read back


def test_login_and_otp_outcomes_are_counted_where_they_happen_whatever_the_log_level(client):
    import logging

    account = active_citizen()
    assert logging.getLogger("app").level == logging.WARNING     # successes are not even logged here
    before = _scrape(client)
    assert log_in(client, account.login, password="wrong-password").status_code == 401
    assert log_in(client, account.login).status_code == 200
    after = _scrape(client)

    def moved(event, outcome):
        name = "smart_auth_events_total"
        return _value(after, name, event=event, outcome=outcome) - _value(before, name, event=event, outcome=outcome)

    assert moved("login.password_failed", "failure") == 1
    assert moved("login.password_ok", "success") == 1
    assert moved("otp.sent", "success") == 1


def test_the_worker_counts_its_deliveries_loop_lag_and_job_runs(app, client):
    from datetime import timedelta

    from app.common.jobs import Periodic
    from app.extensions import db
    from app.notifications.service import notify
    from app.notifications.worker import Worker

    def broken():
        raise ValueError("gateway down")

    worker = Worker(app, name="metrics-worker", run_jobs=False, lease_seconds=60)
    worker.drain()                                          # whatever earlier tests left
    before = _scrape(client)
    notify("otp_code", phone="0912000444", params={"code": "482913", "purpose": "login"}, urgent=True, sensitive=True)
    db.session.commit()
    assert worker.run_batch() == 1
    worker._run_job(Periodic("metrics.fine", timedelta(seconds=60), lambda: 1))
    worker._run_job(Periodic("metrics.broken", timedelta(seconds=60), broken))
    after = _scrape(client)

    def moved(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("smart_worker_deliveries_total", channel="sms") == 1
    assert moved("smart_worker_deliveries_total", channel="sms", outcome="delivered") + \
        moved("smart_worker_deliveries_total", channel="sms", outcome="sending") == 1
    assert moved("smart_worker_pickup_delay_seconds_count") == 1
    assert 0 <= _value(after, "smart_worker_lag_seconds") < 60
    assert moved("smart_worker_job_runs_total", job="metrics.fine", outcome="ok") == 1
    assert moved("smart_worker_job_runs_total", job="metrics.broken", outcome="failed") == 1
    assert _value(after, "smart_worker_job_failing", job="metrics.broken") == 1
    assert _value(after, "smart_worker_job_failing", job="metrics.fine") == 0
    assert _value(after, "smart_worker_job_last_finished_timestamp_seconds", job="metrics.fine") > 1.7e9


def test_rate_limit_refusals_are_counted(client):
    from app.extensions import limiter

    limiter.reset()
    try:
        statuses = [log_in(client, "000000000000", password="x").status_code for _ in range(12)]
    finally:
        limiter.reset()
    assert 429 in statuses
    samples = _scrape(client)
    assert _value(samples, "smart_rate_limit_refusals_total") >= 1
    assert _value(samples, "smart_http_requests_total", status="429") >= 1


GUARD_PROBE = """
from app import create_app
from app.config import ProductionConfig
config = ProductionConfig({"DATABASE_URL": "sqlite:///:memory:", "METRICS_TOKEN": "%s",
                           "METRICS_ALLOWED_NETWORKS": "%s"})
client = create_app(config).test_client()
print(client.get("/metrics").status_code,
      client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code,
      client.get("/metrics", headers={"Authorization": "Bearer %s"}).status_code,
      client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code)
"""


@pytest.mark.parametrize("token, networks, expected", [
    # columns: no token, a wrong bearer token (401 invalid_token), METRICS_TOKEN, from 10.1.2.3
    ("", "", "403 401 401 403"),                      # nothing configured: closed (and production refuses to start)
    ("T0k3n-metrics-7f9c2b1e8d4a6c3b5e7f9a1c", "", "403 401 200 403"),
    ("", "10.0.0.0/8", "403 401 401 200"),
])
def test_production_guards_metrics_by_token_or_network(token, networks, expected):
    out = subprocess.run([sys.executable, "-c", GUARD_PROBE % (token, networks, token)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.strip()
    assert out.split()[:4] == expected.split()
