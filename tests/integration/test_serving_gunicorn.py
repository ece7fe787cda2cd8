"""gunicorn as scripts/run.sh starts it: its own refusals are JSON, /metrics sums every worker."""
import json
import socket

import pytest

from tests.serving_server import prepared_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    with prepared_server() as running:
        yield running


def _raw(server, request: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % n for n in range(120)) + b"\r\n",
     431, "headers_too_large"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"NOT A REQUEST\r\n\r\n", 400, "bad_request"),
])
def test_gunicorn_refusals_are_the_json_envelope(server, request_bytes, status, code):
    got, headers, body = _raw(server, request_bytes)
    assert got == status
    assert headers["content-type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["code"] == code and envelope["status"] == status and envelope["errors"] == {}
    assert envelope["message"]


def test_keep_alive_serves_several_requests_on_one_connection(server):
    import http.client

    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200 and response.getheader("Connection", "").lower() != "close"
    finally:
        connection.close()


def test_metrics_cover_every_worker(server):
    for _ in range(40):   # spread over both workers
        assert server.request("GET", "/healthz")[0] == 200
    status, headers, body = server.request("GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    total = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                if line.startswith("smart_http_requests_total{") and 'endpoint="health.healthz"' in line)
    assert total >= 40     # every worker's count, whichever worker answered the scrape
    assert "smart_db_pool_connections_in_use" in text and "smart_outbox_backlog" in text
