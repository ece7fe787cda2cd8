"""Building blocks of the benchmarks: a seeded database, gunicorn, wrk, result files.

`bench/run.py` uses them for HTTP scenarios; standalone measurements (for
example a worker's throughput) use them too:

    env = bench_environment(database_url=None)      # fresh SQLite unless DATABASE_URL
    app = prepare_database(env, citizens=2000)      # migrated and seeded; returns an app
    with gunicorn(env, workers=2) as base_url: ...  # serving until the block ends
    write_result("notifications", {...})
"""
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from bench.scenario import BENCH_DIR, Request

ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


# -- environment and database ---------------------------------------------------
def bench_environment(database_url: str | None = None) -> dict[str, str]:
    """The environment shared by the server and by in-process setup (same secrets).

    The app runs its development configuration: production refuses the mock
    gateways (SMS, payments) the scenarios rely on, and differs otherwise only
    in secrets and dev-only routes. Debug is off, as in production. Rate limits
    are off: they would turn the measurement into 429s.
    """
    env = dict(os.environ)
    if database_url is None:
        database_url = env.get("DATABASE_URL")
    if not database_url:
        directory = Path(tempfile.mkdtemp(prefix="smart-bench-"))
        database_url = f"sqlite:///{directory}/bench.db"
    env.update(
        DATABASE_URL=database_url,
        APP_ENV="development",
        SECRET_KEY=secrets.token_urlsafe(48),
        RATELIMIT_ENABLED="false",
        LOG_LEVEL=env.get("BENCH_LOG_LEVEL", "INFO"),
        FLASK_DEBUG="0",
    )
    from cryptography.fernet import Fernet

    env["TOTP_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    return env


def app_for(env: dict[str, str]):
    """An app configured exactly like the server (to prepare data in-process)."""
    from app import create_app
    from app.config import load_config

    return create_app(load_config(env["APP_ENV"], env))


def prepare_database(env: dict[str, str], citizens: int = 2000):
    """Migrates the database and seeds the demo province (idempotent); returns the app."""
    import flask_migrate

    from app.seed import seed_province

    app = app_for(env)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        seed_province(str(app.config["DEMO_PROVINCE_CODE"]), citizens)
        analyze()
    return app


def analyze() -> None:
    """Fresh planner statistics after a bulk load (inside an app context).

    Without them PostgreSQL plans the first queries after a load from empty-table
    estimates (the staff inbox took a BitmapAnd and a sort, 60 ms, instead of an
    index scan, 0.2 ms); autovacuum gets there only later.
    """
    from sqlalchemy import text

    from app.extensions import db

    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def database_kind(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].split(":", 1)[0].split("+", 1)[0]


# -- the server ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, port: int | None = None, log_path: Path | None = None,
             extra_args: tuple[str, ...] = ()):
    """Serves wsgi:app with gunicorn on 127.0.0.1 until the block ends; yields the base URL.

    The worker model is production's: the project's gunicorn.conf.py (gthread workers with
    GUNICORN_THREADS threads each, keep-alive), unless `extra_args` says otherwise.
    """
    port = port or free_port()
    log_path = log_path or Path(tempfile.mkstemp(prefix="smart-bench-gunicorn-", suffix=".log")[1])
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--graceful-timeout", "5", *extra_args, "wsgi:app"]
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base_url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url}/readyz did not answer 200 within {timeout}s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def send_once(base_url: str, request: Request) -> tuple[int, bytes]:
    """One request outside the load (preflight); returns status and body."""
    wire = urllib.request.Request(base_url + request.path, method=request.method,
                                  headers=request.wire_headers(), data=request.wire_body())
    try:
        with urllib.request.urlopen(wire, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- the load generator ----------------------------------------------------------------
def ensure_wrk() -> str:
    """Path of wrk, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's wrk package", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    environ = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False, env=environ,
                   stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=environ)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=environ,
                       stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    output = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk (\S+)", output)
    return match.group(1) if match else "unknown"


def run_wrk(wrk: str, base_url: str, requests: list[Request], *, duration: float, connections: int,
            threads: int, timeout: float = 30, single_use: bool = False) -> dict:
    """Drives `requests` round-robin for `duration` seconds; returns the figures wrk measured.

    Each wrk thread sends its own share of the list (thread n: every n-th request), so threads
    never send the same request. With `single_use`, no request is sent twice: a thread that used
    up its share stops and answers its remaining calls with GET /healthz; `exhausted` then counts
    those stand-ins, and the run is invalid (shorter, or a longer list).
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua_script(requests, threads=threads, single_use=single_use))
    command = [wrk, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
               "--timeout", f"{max(1, round(timeout))}s", "-s", script.name, base_url]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    os.unlink(script.name)
    marker = completed.stdout.rfind("BENCH_JSON ")
    if completed.returncode != 0 or marker < 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(completed.stdout[marker + len("BENCH_JSON "):].splitlines()[0])
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 3),
        "requests_per_second": round(raw["requests"] / seconds, 1),
        "latency_ms": {name: round(raw["latency_us"][name] / 1000, 3) for name in ("p50", "p90", "p99", "max", "mean")},
        "non_2xx_3xx": errors["status"],
        "socket_errors": {k: errors[k] for k in ("connect", "read", "write", "timeout")},
        "errors": errors["status"] + sum(errors[k] for k in ("connect", "read", "write", "timeout")),
        "wrapped": raw["wrapped"] if not single_use else 0,
        "exhausted": raw["wrapped"] if single_use else 0,
    }


def _lua_string(data: bytes | str | None) -> str:
    if data is None:
        return "nil"
    if isinstance(data, str):
        data = data.encode()
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data) + '"'


def _lua_script(requests: list[Request], *, threads: int = 1, single_use: bool = False) -> str:
    if single_use and len(requests) < threads:
        raise ValueError(f"{len(requests)} single-use requests for {threads} wrk threads")
    entries = []
    for request in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.wire_headers().items())
        entries.append(f"  {{{_lua_string(request.method)}, {_lua_string(request.path)}, {{{headers}}}, "
                       f"{_lua_string(request.wire_body())}}},")
    return (_LUA_TEMPLATE.replace("--REQUESTS--", "\n".join(entries))
            .replace("--THREADS--", str(threads)).replace("--SINGLE_USE--", "true" if single_use else "false"))


_LUA_TEMPLATE = """
local specs = {
--REQUESTS--
}
local thread_count = --THREADS--
local single_use = --SINGLE_USE--
local formatted = {}
index = 0
wrapped = 0
local threads = {}
local next_id = 0

setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

init = function(args)
  -- this thread's share: every thread_count-th request, from its own offset
  for i, s in ipairs(specs) do
    if (i - 1) % thread_count == id then
      table.insert(formatted, wrk.format(s[1], s[2], s[3], s[4]))
    end
  end
end

request = function()
  if index >= #formatted then
    wrapped = wrapped + 1
    if single_use then
      -- never send a single-use request twice: stand in with the bare endpoint and stop
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
    index = 0
  end
  index = index + 1
  return formatted[index]
end

done = function(summary, latency, requests)
  local e = summary.errors
  local laps = 0
  for _, thread in ipairs(threads) do
    laps = laps + (thread:get("wrapped") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %f}, '
    .. '"wrapped": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, laps))
end
"""


# -- results -------------------------------------------------------------------------------
def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        # other work on the machine skews every figure; keep it next to them
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def git_commit() -> str | None:
    completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return completed.stdout.strip() or None


def write_result(name: str, data: dict) -> Path:
    """Writes bench/results/<name>-<UTC timestamp>.json and returns its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
