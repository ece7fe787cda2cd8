"""Prometheus metrics (prometheus_client), one registry for every gunicorn worker.

Under gunicorn each worker process writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py picks a fresh directory when it is
not set, empties it on start and drops a dead worker's live gauges); /metrics
reads every file, so a scrape sees the whole node whichever worker answers.
Without the variable (tests, `flask run`) the process's own registry serves.
"""
import os
import tempfile

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_directory() -> str:
    """gunicorn master, on start: the directory of the sample files, without dead processes' files.

    Files are named `<kind>_<pid>.db`; those of a live process (a notification
    worker started next to gunicorn) stay.
    """
    directory = os.environ.setdefault(ENV, tempfile.mkdtemp(prefix="smart-metrics-"))
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        stem, _, pid = name.removesuffix(".db").rpartition("_")
        if name.endswith(".db") and not (pid.isdigit() and _alive(int(pid))):
            os.unlink(os.path.join(directory, name))
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def worker_exited(pid: int) -> None:
    """gunicorn master, when a worker ends: its live gauges stop counting."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
