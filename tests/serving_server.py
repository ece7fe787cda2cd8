"""A real gunicorn for the serving tests: its own database, the project's gunicorn.conf.py.

`prepared_server()` builds a fresh database in a child process (migrations, one
citizen with a session, some QR-login requests), then serves it with gunicorn
exactly as scripts/run.sh does (default workers and threads from
gunicorn.conf.py) on a loopback port. Run as a module, this file is that
child process: `python -m tests.serving_server` prints what it prepared as JSON.
"""
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    host: str
    port: int
    env: dict
    access_token: str
    qr_logins: list          # [[id, poll_secret], ...]
    process: subprocess.Popen
    log_path: Path

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_environment(database_url: str | None = None, **extra) -> dict:
    env = dict(os.environ)
    for name in ("PROMETHEUS_MULTIPROC_DIR", "LONG_POLL_SLOTS", "WORKERS", "GUNICORN_THREADS"):
        env.pop(name, None)
    directory = tempfile.mkdtemp(prefix="smart-serving-")
    env.update(
        APP_ENV="development", FLASK_DEBUG="0", LOG_LEVEL="WARNING",
        DATABASE_URL=database_url or f"sqlite:///{directory}/serving.db",
        SECRET_KEY=secrets.token_urlsafe(48),
        TRUSTED_PROXIES="1",           # each client below gets its own address (X-Forwarded-For)
        GUNICORN_GRACEFUL_TIMEOUT="1",
        PROMETHEUS_MULTIPROC_DIR=os.path.join(directory, "prometheus"),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, qr_logins: int = 0, nodes: bool = False) -> dict:
    """A fresh, migrated database with one citizen session (in a child process); what it made.

    `nodes`: also the catalog and a level-2 citizen with a bound phone (its session
    token), for the multi-node test.
    """
    prepared = subprocess.run([sys.executable, "-m", "tests.serving_server", str(qr_logins),
                               "nodes" if nodes else ""], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=180)
    if prepared.returncode != 0:
        raise RuntimeError(f"preparing the database failed:\n{prepared.stderr[-3000:]}")
    return json.loads(prepared.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def prepared_server(qr_logins: int = 0, env: dict | None = None, args: tuple = ()):
    env = env or server_environment()
    with gunicorn_server(env, prepare(env, qr_logins), args) as server:
        yield server


@contextlib.contextmanager
def gunicorn_server(env: dict, data: dict, args: tuple = (), port: int | None = None):
    """gunicorn with the project's gunicorn.conf.py on a loopback port, until the block ends."""
    port = port or free_port()
    log_path = Path(tempfile.mkstemp(prefix="smart-serving-gunicorn-", suffix=".log")[1])
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *args,
                                    "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server("127.0.0.1", port, env, data["access_token"], data["qr_logins"], process, log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def postgres_url(suffix: str) -> str | None:
    """A PostgreSQL database of its own next to the suite's (TEST_DATABASE_URL), created if missing."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, text

    base, _, name = url.rpartition("/")
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_{suffix}"}):
            connection.execute(text(f'CREATE DATABASE "{name}_{suffix}"'))
    engine.dispose()
    return f"{base}/{name}_{suffix}"


def _wait_ready(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        with contextlib.suppress(OSError):
            if server.request("GET", "/readyz", timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become ready:\n{server.log()[-3000:]}")


def _prepare(qr_count: int, nodes: bool = False) -> dict:
    """Child process: migrated database, one level-1 citizen with a session, `qr_count` QR requests."""
    import flask_migrate

    from app import create_app
    from app.config import load_config
    from app.extensions import db
    from app.identity import qr_login
    from app.identity.sessions import ClientInfo, start_session
    from tests.factories import AccountFactory, RegistryCitizenFactory

    app = create_app(load_config())
    with app.app_context():
        if db.engine.dialect.name == "postgresql":   # a fresh schema for every run
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        flask_migrate.upgrade()
        account = AccountFactory(citizen=RegistryCitizenFactory(), level=1)
        issued = start_session(account, level=1, methods=["pwd"])
        db.session.commit()
        logins = []
        for number in range(qr_count):
            created = qr_login.create_qr_login(ClientInfo(name="Cổng dịch vụ công", ip_address=f"10.9.0.{number}",
                                                          user_agent="test"))
            logins.append([str(created.login.id), created.poll_secret])
        made = {"access_token": issued.access_token, "qr_logins": logins}
        if nodes:
            made.update(_prepare_nodes())
        return made


def _prepare_nodes() -> dict:
    """The catalog, and a level-2 citizen with a bound phone: the phone's session token."""
    import uuid as uuid_module

    from app.catalog.seed import seed_agencies, seed_procedures
    from app.catalog.service import procedure_by_code
    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity.models import Device
    from app.identity.sessions import hash_token, start_session
    from tests.factories import AccountFactory, RegistryCitizenFactory

    seed_agencies("80")
    seed_procedures()
    birth = procedure_by_code("1.001193")
    account = AccountFactory(citizen=RegistryCitizenFactory(), level=2)
    device = Device(account_id=account.id, name="Demo phone", platform="android", bound_at=utcnow(),
                    secret_hash=hash_token(uuid_module.uuid4().hex))
    db.session.add(device)
    db.session.flush()
    phone = start_session(account, level=2, methods=["pwd", "otp"], device_id=device.id)
    db.session.commit()
    return {"phone_token": phone.access_token, "birth_procedure_id": str(birth.id)}


if __name__ == "__main__":
    print(json.dumps(_prepare(int(sys.argv[1]) if len(sys.argv) > 1 else 0,
                              nodes=len(sys.argv) > 2 and sys.argv[2] == "nodes")))
