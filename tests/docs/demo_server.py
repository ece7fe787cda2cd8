"""A fresh seeded demo, started the way a newcomer starts it: `scripts/run.sh`.

SQLite in a temporary folder, a free loopback port (so every link must follow
PORT), the notification worker next to gunicorn. Cheap password hashing keeps
the start short; everything else is the development configuration.
"""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoServer:
    def __init__(self, folder: Path, port: int | None = None, citizens: int = 2000):
        self.folder, self.port = folder, port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.base}/api/v1"
        self.log = folder / "run.log"
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("TEST_DATABASE", "PG_TEST", "GUNICORN_", "PAYMENT_", "MOCK_", "VNPAY_", "MOMO_"))
                and k not in ("APP_ENV", "DATABASE_URL", "PUBLIC_URL", "PORT", "FLASK_APP", "WORKERS")}
        self.env = {**keep, "APP_ENV": "development", "PORT": str(self.port), "DEMO_CITIZENS": str(citizens),
                    "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
                    "STORAGE_URL": f"file://{folder / 'storage'}", "MOCK_GATEWAY_DB": str(folder / "mock.sqlite3"),
                    "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING",
                    "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024", "ARGON2_PARALLELISM": "1"}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 240) -> "DemoServer":
        self.process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=self.env,
                                        stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/run.sh ended ({self.process.returncode}):\n{self.output()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the demo did not answer /readyz in {timeout} s:\n{self.output()[-3000:]}")

    def processes(self) -> list[int]:
        """The processes run.sh started (its process group), itself included."""
        listed = subprocess.run(["ps", "-o", "pid=", "-g", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in listed.stdout.split()]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40, *, whole_group: bool = False) -> int | None:
        """Stops run.sh as an operator would and returns its exit status: SIGTERM to the script
        (`kill`, systemd), or SIGINT to its whole process group (Ctrl-C in a terminal)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        if whole_group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
            raise
