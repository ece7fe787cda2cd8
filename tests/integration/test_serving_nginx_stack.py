"""The production topology of compose.yaml, natively: nginx with deploy/nginx.conf, two app nodes, a worker.

No Docker engine runs on the development and CI machines, so the compose stack
is proved piece by piece instead: Debian's nginx runs the repository's own
`deploy/nginx.conf` (only the upstream addresses and the listening ports are
substituted; a TLS listener is added the way the file's header says production
does), in front of two gunicorn nodes started as the image starts them
(`gunicorn wsgi:app`, gunicorn.conf.py) in the production configuration, on
PostgreSQL and Redis, and a `flask worker run` beside node 1. Through nginx:
- requests are balanced over both nodes;
- X-Forwarded-For and X-Forwarded-Proto are believed from nginx only: the rate
  limit counts the address nginx saw, whatever the client claims; HSTS appears
  only when nginx terminated TLS;
- /metrics is not reachable through the proxy (each node serves it directly);
- a QR-login long poll passes through and answers as soon as the login is approved.
Needs PostgreSQL (TEST_DATABASE_URL), Redis and nginx (scripts/test.sh installs it).
"""
import contextlib
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_serving_multinode import REDIS_URL, _redis_answers
from tests.serving_server import ROOT, free_port, gunicorn_server, postgres_url, prepare, server_environment
from tests.unit.test_config import SAFE

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
API = "/api/v1"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render_nginx_conf(source: str, nodes: list[int], port: int, tls_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with loopback addresses and ports: each substituted line must be there exactly once."""
    substitutions = [
        ("server app1:8000 ", f"server 127.0.0.1:{nodes[0]} "),
        ("server app2:8000 ", f"server 127.0.0.1:{nodes[1]} "),
        ("    listen 80;\n", f"    listen 127.0.0.1:{port};\n"
                             f"    listen 127.0.0.1:{tls_port} ssl;\n"
                             f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n"),
    ]
    for old, new in substitutions:
        assert source.count(old) == 1, f"deploy/nginx.conf changed: {old!r} is not there once"
        source = source.replace(old, new)
    return source


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextlib.contextmanager
def nginx(nodes: list[int]):
    directory = Path(tempfile.mkdtemp(prefix="smart-nginx-"))
    os.chmod(directory, 0o755)
    port, tls_port = free_port(), free_port()
    cert, key = _self_signed(directory)
    site = render_nginx_conf((ROOT / "deploy" / "nginx.conf").read_text(), nodes, port, tls_port, cert, key)
    (directory / "site.conf").write_text(site)
    temp = directory / "temp"
    temp.mkdir()
    os.chmod(temp, 0o777)        # nginx's worker processes (nobody when started as root) write here
    (directory / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/site.conf;
}}
""")
    checked = subprocess.run([NGINX, "-t", "-p", str(directory), "-c", str(directory / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            time.sleep(0.2)
        yield port, tls_port
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _request(port, method, path, headers=None, body=None, *, tls=False, source="127.0.0.1", timeout=30):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context,
                                                 source_address=(source, 0))
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data,
                           headers={**({"Content-Type": "application/json"} if data else {}), **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _client_address() -> str:
    """A loopback address of its own (the whole 127/8 answers): what nginx sees, counters no other run shares."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _samples(server) -> dict:
    status, _, body = server.request("GET", "/metrics")
    assert status == 200, body
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _count(samples, name, **labels) -> float:
    return sum(v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items()))


def _push_credentials() -> str:
    """A service-account file for the push channel (read at the worker's start; no message is pushed here)."""
    path = Path(tempfile.mkdtemp(prefix="smart-fcm-")) / "fcm.json"
    path.write_text(json.dumps({"client_email": "push@smart-province.invalid", "private_key": "unused",
                                "token_uri": "http://127.0.0.1:9/token"}))
    return str(path)


@pytest.fixture(scope="module")
def stack():
    if not os.path.exists(NGINX):
        pytest.skip("needs nginx (scripts/test.sh installs Debian's package)")
    url = postgres_url("nginx")
    if url is None:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    if not _redis_answers():
        pytest.skip("needs Redis (REDIS_TEST_URL)")
    production = {k: v for k, v in SAFE.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    production.update(RATELIMIT_STORAGE_URI=REDIS_URL, METRICS_ALLOWED_NETWORKS="127.0.0.1/32", TRUSTED_PROXIES=1,
                      FCM_CREDENTIALS_FILE=_push_credentials())
    env = server_environment(url, WORKERS=1, **production)
    data = prepare(env, nodes=True)
    env_b = {**env, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="smart-metrics-b-")}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "run"], cwd=ROOT,
                              env={**env, "FLASK_APP": "wsgi"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        with gunicorn_server(env, data) as a, gunicorn_server(env_b, data) as b, nginx([a.port, b.port]) as ports:
            yield a, b, ports, data, worker
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_the_nodes_run_the_production_configuration_behind_nginx(stack):
    a, b, (port, _), data, worker = stack
    status, headers, body = _request(port, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("application/json")   # production's JSON index
    assert _request(port, "GET", f"{API}/dev/demo")[0] == 404                        # no development routes
    assert worker.poll() is None
    assert _request(port, "GET", "/readyz")[0] == 200


def test_requests_are_balanced_over_both_nodes(stack):
    a, b, (port, _), *_ = stack
    before = [_count(_samples(n), "smart_http_requests_total", endpoint="health.healthz") for n in (a, b)]
    for _ in range(20):
        assert _request(port, "GET", "/healthz")[0] == 200
    after = [_count(_samples(n), "smart_http_requests_total", endpoint="health.healthz") for n in (a, b)]
    served = [after[i] - before[i] for i in (0, 1)]
    assert sum(served) == 20 and min(served) >= 5, served


def test_the_rate_limit_counts_the_address_nginx_saw_not_the_one_claimed(stack):
    a, b, (port, _), *_ = stack
    source = _client_address()
    statuses = []
    for n in range(12):     # each request claims another address; nginx appends the real one, the app believes it
        spoofed = {"X-Forwarded-For": f"10.{n}.{random.randint(0, 255)}.{random.randint(1, 254)}"}
        statuses.append(_request(port, "POST", f"{API}/identity/login", spoofed,
                                 {"login": "000000000000", "password": "wrong"}, source=source)[0])
    # 10 logins a minute per address, counted in Redis across both nodes: the 11th and 12th are refused
    assert statuses[:10].count(429) == 0 and statuses[10:] == [429, 429], statuses
    # another real client is not affected
    assert _request(port, "POST", f"{API}/identity/login", {}, {"login": "000000000000", "password": "wrong"},
                    source=_client_address())[0] != 429


def test_hsts_only_when_nginx_terminated_tls(stack):
    a, b, (port, tls_port), *_ = stack
    status, headers, _ = _request(tls_port, "GET", "/healthz", tls=True)
    assert status == 200 and headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    status, headers, _ = _request(port, "GET", "/healthz", {"X-Forwarded-Proto": "https"})   # a client's claim
    assert status == 200 and "strict-transport-security" not in headers


def test_metrics_are_not_served_through_the_proxy_but_each_node_serves_them(stack):
    a, b, (port, _), *_ = stack
    for path in ("/metrics", "/metrics?format=text", "//metrics"):
        status, _, body = _request(port, "GET", path)
        assert status == 404 and b"smart_http_requests_total" not in body, path
    assert _request(port, "GET", "/metrics/")[0] in (403, 404)
    samples = _samples(a)                          # the node itself, from an allowed address
    assert "smart_http_requests_total" in samples
    # the worker beside node 1 writes into node 1's metrics directory: node 1 shows its heartbeat
    deadline = time.monotonic() + 20
    while "smart_worker_loop_timestamp_seconds" not in samples and time.monotonic() < deadline:
        time.sleep(0.5)
        samples = _samples(a)
    assert _count(samples, "smart_worker_loop_timestamp_seconds") > time.time() - 60
    assert "smart_worker_loop_timestamp_seconds" not in _samples(b)


def test_a_long_poll_passes_through_and_answers_when_the_login_is_approved(stack):
    a, b, (port, _), data, _ = stack
    web, phone_source = _client_address(), _client_address()
    status, _, raw = _request(port, "POST", f"{API}/identity/qr-logins", {}, {"client_name": "Cổng DVC"}, source=web)
    assert status == 201, raw
    created = json.loads(raw)
    polled = {}

    def poll():
        started = time.monotonic()
        polled["answer"] = _request(port, "GET", f"{API}/identity/qr-logins/{created['id']}?wait=20",
                                    {"X-Poll-Secret": created["poll_secret"]}, source=web, timeout=40)
        polled["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(1.5)                                 # the poll is waiting in a node, through nginx
    assert thread.is_alive()
    phone = {"Authorization": f"Bearer {data['phone_token']}"}
    approved_at = time.monotonic()
    assert _request(port, "POST", f"{API}/identity/qr-logins/scan", phone, {"code": created["code"]},
                    source=phone_source)[0] == 200
    status, _, raw = _request(port, "POST", f"{API}/identity/qr-logins/approve",
                              {**phone, "Idempotency-Key": uuid.uuid4().hex}, {"code": created["code"]},
                              source=phone_source)
    assert status == 200, raw
    thread.join(timeout=40)
    status, headers, raw = polled["answer"]
    answer = json.loads(raw)
    assert status == 200 and answer["status"] == "approved" and answer["tokens"]["access_token"]
    assert headers["cache-control"] == "no-store"
    assert polled["seconds"] < 20 and time.monotonic() - approved_at < 10   # answered on approval, not at the end
