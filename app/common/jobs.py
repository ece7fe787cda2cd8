"""The periodic-job register every domain schedules its jobs with.

A domain registers its jobs in a module `app/<domain>/scheduled.py`:

    from app.common.jobs import register_periodic
    register_periodic("payments.reconcile", 300, reconcile_pending_payments)

The notification worker (`flask worker run`) imports those modules at start
(`load_scheduled_modules`) and runs each due job once per period across all
workers (the claim lives in the `worker_jobs` table, see
app/notifications/worker.py). Each job runs inside an app context and is
committed after it returns.
"""
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    fn: Callable[[], object]


_PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, every_seconds: float, fn: Callable[[], object]) -> None:
    """Runs `fn()` every `every_seconds` in one of the workers (registering twice replaces)."""
    _PERIODIC[name] = Periodic(name, timedelta(seconds=every_seconds), fn)


def periodic_jobs() -> list[Periodic]:
    return sorted(_PERIODIC.values(), key=lambda job: job.name)


def load_scheduled_modules() -> list[str]:
    """Imports every `app.<package>.scheduled` module, so their jobs register themselves."""
    package = importlib.import_module("app")
    loaded = []
    for module in pkgutil.iter_modules(package.__path__):
        name = f"app.{module.name}.scheduled"
        if module.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            loaded.append(name)
    return loaded
