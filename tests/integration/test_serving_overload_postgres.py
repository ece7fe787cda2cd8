"""On PostgreSQL, under gunicorn: a saturated pool refuses cleanly, a database restart is survived.

Skipped on SQLite. The database restart is simulated by a TCP proxy between
the node and the (shared) PostgreSQL server: cutting it drops every
connection and refuses new ones, as a restart does, without touching the server.
"""
import threading
import time
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text

from tests.serving_server import gunicorn_server, postgres_url, prepare, server_environment
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def database_url():
    url = postgres_url("serving")
    if url is None:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    return url


def test_a_saturated_pool_answers_503_overloaded_and_nothing_waits_long(database_url):
    env = server_environment(database_url, WORKERS=1, DB_POOL_SIZE=2, DB_MAX_OVERFLOW=0, DB_POOL_TIMEOUT=0.5)
    data = prepare(env)
    engine = create_engine(database_url)
    with gunicorn_server(env, data) as server:
        me = {"Authorization": f"Bearer {server.access_token}"}
        results = []

        def read():
            started = time.monotonic()
            status, headers, body = server.request("GET", "/api/v1/identity/me", me, timeout=30)
            results.append((status, headers.get("retry-after"), body, time.monotonic() - started))

        with engine.connect() as locker:
            # every request that reaches the session table waits, holding its pool connection
            locker.execute(text("LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE"))
            threads = [threading.Thread(target=read) for _ in range(6)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 15
            while len(results) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            refused = list(results)
            ready_status, _, ready_body = server.request("GET", "/readyz")
            locker.rollback()       # the lock goes: the two waiting requests finish
        for thread in threads:
            thread.join(timeout=30)

        assert len(refused) == 4 and all(r[0] == 503 for r in refused), refused
        assert all(b'"code": "overloaded"' in r[2] or b'"code":"overloaded"' in r[2] for r in refused)
        assert all(r[1] == "2" for r in refused)
        assert all(r[3] < 5 for r in refused)                    # pool_timeout 0.5 s: refused fast
        assert ready_status == 503 and b"overloaded" in ready_body
        assert sorted(r[0] for r in results) == [200, 200, 503, 503, 503, 503]
        deadline = time.monotonic() + 15
        while server.request("GET", "/readyz")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert server.request("GET", "/readyz")[0] == 200
    engine.dispose()


def test_a_database_restart_fails_fast_and_the_node_recovers_by_itself(database_url):
    target = urlparse(database_url)
    proxy = TcpProxy(target.hostname, target.port or 5432)
    proxy.start()
    proxied = database_url.replace(f"{target.hostname}:{target.port or 5432}", f"127.0.0.1:{proxy.port}")
    env = server_environment(proxied, WORKERS=1, DB_CONNECT_TIMEOUT=2)
    data = prepare(env)
    me = {"Authorization": f"Bearer {data['access_token']}"}
    try:
        with gunicorn_server(env, data) as server:
            assert server.request("GET", "/api/v1/identity/me", me)[0] == 200
            proxy.stop()                                          # PostgreSQL goes away
            started = time.monotonic()
            status, headers, body = server.request("GET", "/api/v1/identity/me", me, timeout=30)
            assert time.monotonic() - started < 5                 # fails fast, not after a TCP timeout
            assert status == 503 and b"database_unavailable" in body and headers["retry-after"] == "2"
            assert server.request("GET", "/readyz")[0] == 503

            proxy.start()                                         # PostgreSQL is back
            back = time.monotonic()
            while server.request("GET", "/api/v1/identity/me", me)[0] != 200:
                assert time.monotonic() - back < 10, "the node did not recover within 10 s"
                time.sleep(0.2)
            assert server.request("GET", "/readyz")[0] == 200
    finally:
        proxy.stop()
