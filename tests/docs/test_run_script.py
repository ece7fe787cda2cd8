"""scripts/run.sh stops cleanly: Ctrl-C (SIGINT to the terminal's process group) and SIGTERM
(to the script, as `kill` or a service manager sends it) both stop gunicorn and the worker,
and nothing is left listening or running."""
import signal
import socket
import time

import pytest

from tests.docs.conftest import skip_on_postgres_runs
from tests.docs.demo_server import DemoServer


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_run_sh_stops_the_server_and_the_worker(tmp_path, how):
    skip_on_postgres_runs()
    server = DemoServer(tmp_path, citizens=300).start()
    started = server.processes()
    assert len(started) >= 4, "run.sh, the worker, gunicorn's master and its workers"

    if how == "ctrl-c":
        status = server.stop(signal.SIGINT, whole_group=True)
    else:
        status = server.stop(signal.SIGTERM)

    assert status in (0, 128 + signal.SIGINT, 128 + signal.SIGTERM), server.output()[-2000:]
    for _ in range(50):
        if not server.processes() and not listening(server.port):
            break
        time.sleep(0.2)
    assert server.processes() == [], f"left running: {server.processes()}"
    assert not listening(server.port)
    assert "Traceback" not in server.output()
