"""PostgreSQL really restarted (`pg_ctl restart -m fast`) while a gunicorn node serves reads and writes.

The test makes its own throw-away cluster (initdb from the Debian binaries that
scripts/postgres.sh installs, on a free port in a temporary directory, as the
`postgres` user when run as root), migrates it and starts the app under
gunicorn with the project's gunicorn.conf.py, as scripts/run.sh does. While
requests flow, the server is restarted. Requests caught by the restart get 503
`database_unavailable` in the envelope, quickly (no hang, no 500); the node
answers again by itself once the server is back; every confirmed dossier is
stored and no dossier exists without its idempotency answer (one transaction).

PostgreSQL runs only (the suite on --postgres: TEST_DATABASE_URL), marked slow.
"""
import contextlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.serving_server import free_port, gunicorn_server, prepare, server_environment

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

API = "/api/v1"


def _binaries() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: (p.parent.name != "15", -int(p.parent.name) if p.parent.name.isdigit() else 0))
    return versions[0] if versions else None


def _tracebacks(log: str) -> str:
    """The server log from each traceback on, so that a failure names its cause."""
    start = log.find("Traceback")
    return log[start:][-6000:] if start >= 0 else log[-2000:]


class ThrowAwayCluster:
    """A PostgreSQL cluster of its own in a temporary directory, on a free loopback port."""

    def __init__(self, binaries: Path):
        self.bin = binaries
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="smart-pg-restart-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.user = None
        if os.geteuid() == 0:                 # initdb and postgres refuse to run as root
            self.user = pwd.getpwnam("postgres")
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user.pw_name, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.directory)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:]}\n{self._server_log()}")
        return done

    def _server_log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "smart", "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale", "C")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", self._options(),
                  "start")

    def _options(self) -> str:
        return (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c max_connections=60")

    def restart_fast(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "30",
                  "-o", self._options(), "restart")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://smart@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="module")
def cluster():
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("PostgreSQL runs only (scripts/test.sh --postgres)")
    binaries = _binaries()
    if binaries is None:
        pytest.skip("needs the PostgreSQL server binaries (scripts/postgres.sh installs them)")
    made = ThrowAwayCluster(binaries)
    try:
        made.start()
        yield made
    finally:
        made.stop()


def test_a_real_restart_fails_fast_with_503_and_the_node_recovers_by_itself(cluster):
    env = server_environment(cluster.url, DB_CONNECT_TIMEOUT=2)
    data = prepare(env, nodes=True)
    reader = {"Authorization": f"Bearer {data['access_token']}"}
    writer = {"Authorization": f"Bearer {data['phone_token']}", "Content-Type": "application/json"}
    body = json.dumps({"procedure_id": data["birth_procedure_id"]}).encode()
    results, lock, stop = [], threading.Lock(), threading.Event()

    with gunicorn_server(env, data) as server:
        def flow(number: int):
            address = f"10.77.{number}.1"          # one client address per thread: no rate limit in the way
            while not stop.is_set():
                write = number % 2 == 0
                started = time.monotonic()
                try:
                    if write:
                        status, headers, raw = server.request(
                            "POST", f"{API}/dossiers",
                            {**writer, "Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": address}, body)
                    else:
                        status, headers, raw = server.request("GET", f"{API}/identity/me",
                                                              {**reader, "X-Forwarded-For": address})
                except OSError as error:        # the node itself failed: recorded, and refused below
                    status, headers, raw = repr(error), {}, b""
                with lock:
                    results.append((started, time.monotonic(), status, headers, raw, write))
                time.sleep(0.02)

        threads = [threading.Thread(target=flow, args=(n,), daemon=True) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)                                    # requests flow
        restart_began = time.monotonic()
        cluster.restart_fast()                             # PostgreSQL really goes down and comes back
        back = time.monotonic()
        deadline = back + 10
        while time.monotonic() < deadline:                 # until both kinds of request succeed again
            with lock:
                recovered = {r[5] for r in results if r[0] > back and r[2] in (200, 201)}
            if recovered == {True, False}:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert server.request("GET", "/readyz")[0] == 200

    statuses = [r[2] for r in results]
    odd = [(status, raw[:300]) for _, _, status, _, raw, _ in results if status not in {200, 201, 503}]
    assert not odd, (odd, _tracebacks(server.log()))
    refused = [r for r in results if r[2] == 503]
    assert refused, f"no request was caught by the restart ({len(results)} requests)"
    for _, _, _, headers, raw, _ in refused:
        answer = json.loads(raw)
        assert answer["code"] == "database_unavailable" and answer["status"] == 503, answer
        assert headers["retry-after"] == "2"
    # no hang: with DB_CONNECT_TIMEOUT=2 nothing waits for a TCP timeout
    assert max(r[1] - r[0] for r in results) < 6, sorted(r[1] - r[0] for r in results)[-3:]
    # recovery by itself: the first success of each kind after the server is back comes within seconds
    for write in (True, False):
        first = min((r[1] for r in results if r[5] == write and r[0] > back and r[2] in (200, 201)), default=None)
        assert first is not None and first - back < 5, (write, first and first - back)
    assert any(r[2] == 201 for r in results if r[0] < restart_began)   # writes really flowed before
    recovered_after = max(min(r[1] for r in results if r[5] == w and r[0] > back and r[2] in (200, 201)) - back
                          for w in (True, False))
    print(f"\nrestart took {back - restart_began:.2f} s; {len(results)} requests, {len(refused)} refused with 503 "
          f"(slowest refusal {max(r[1] - r[0] for r in refused):.2f} s), "
          f"both kinds served again {recovered_after:.2f} s after the server was back")

    confirmed = {json.loads(r[4])["id"] for r in results if r[2] == 201}
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            stored = set(map(str, connection.execute(text("SELECT id FROM dossiers")).scalars()))
            answered = connection.execute(text(
                "SELECT count(*) FILTER (WHERE status_code = 201), count(*) FILTER (WHERE status_code IS NULL) "
                "FROM idempotency_keys WHERE scope = 'dossier-start'")).one()
    finally:
        engine.dispose()
    assert confirmed <= stored                     # every confirmed dossier was committed
    assert answered == (len(stored), 0)            # each dossier with its stored answer; no key left half-done
