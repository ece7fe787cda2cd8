"""Per-address login limits shared through Redis by two separate app processes (as gunicorn workers).

Skipped when no Redis answers on localhost:6379 (REDIS_TEST_URL to point elsewhere).
"""
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    address = urlparse(REDIS_URL)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="no redis-server on localhost:6379")

WORKER = """
import json, sys
import flask_migrate
from app import create_app
from app.config import TestingConfig
from app.extensions import limiter

database, storage, prefix, attempts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
config = TestingConfig({"TEST_DATABASE_URL": database})
config.RATELIMIT_STORAGE_URI = storage          # as RATELIMIT_STORAGE_URI=redis://... in production
config.RATELIMIT_KEY_PREFIX = prefix
app = create_app(config)
with app.app_context():
    flask_migrate.upgrade(revision="heads")
client = app.test_client()
answers = [client.post("/api/v1/identity/login", json={"login": "080090999990", "password": "nope-nope"},
                       environ_base={"REMOTE_ADDR": "198.51.100.4"}) for _ in range(attempts)]
print(json.dumps({"storage": type(limiter.storage).__name__, "statuses": [a.status_code for a in answers],
                  "retry_after": answers[-1].headers.get("Retry-After")}))
"""


def _worker(database: str, prefix: str, attempts: int) -> dict:
    run = subprocess.run([sys.executable, "-c", WORKER, database, REDIS_URL, prefix, str(attempts)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_two_processes_share_the_login_limit_through_redis(tmp_path):
    import redis

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    database = f"sqlite:///{tmp_path}/shared.db"
    first = _worker(database, prefix, 6)
    second = _worker(database, prefix, 5)
    try:
        assert first["storage"] == second["storage"] == "RedisStorage"
        assert first["statuses"] == [401] * 4 + [423, 423]        # the 5th failure locks this (unknown) login
        # 10 requests from this address were counted across both processes: the 11th is refused
        assert second["statuses"] == [423] * 4 + [429]
        assert 1 <= int(second["retry_after"]) <= 60
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
