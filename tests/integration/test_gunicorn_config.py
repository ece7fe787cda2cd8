"""gunicorn.conf.py, as gunicorn itself resolves it from the project folder."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def resolved(*flags: str, **environment: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("GUNICORN_") and key not in ("WORKERS", "PORT")}
    # the settings do not depend on the app; a stand-in callable spares loading it (3 s)
    output = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", *flags, "json:dumps"],
                            cwd=ROOT, env={**env, **environment}, capture_output=True, text=True, check=True).stdout
    settings = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in settings.items()}


def test_a_worker_has_two_minutes_for_a_streamed_export():
    settings = resolved()
    assert settings["timeout"] == "120"     # gunicorn's own default, 30 s, would cut a province-wide export
    assert settings["graceful_timeout"] == "30"
    assert settings["workers"] == "2"
    assert settings["bind"] == "['127.0.0.1:8000']"


def test_the_environment_and_then_flags_override_it():
    from_environment = resolved(GUNICORN_TIMEOUT="300", WORKERS="4")
    assert (from_environment["timeout"], from_environment["workers"]) == ("300", "4")
    assert resolved("--timeout", "45", GUNICORN_TIMEOUT="300")["timeout"] == "45"


def test_it_listens_on_port_unless_told_where_to_bind():
    assert resolved(PORT="9123")["bind"] == "['127.0.0.1:9123']"
    assert resolved(PORT="9123", GUNICORN_BIND="0.0.0.0:80")["bind"] == "['0.0.0.0:80']"


def test_a_loaded_worker_freezes_what_it_loaded_out_of_full_collections():
    # in a process of its own: freezing the test process would change every test after this one
    check = ("import gc, runpy; hooks = runpy.run_path('gunicorn.conf.py'); import wsgi; "
             "assert gc.get_freeze_count() == 0; hooks['post_worker_init'](None); print(gc.get_freeze_count())")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    frozen = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True).stdout
    assert int(frozen) > 100_000    # the app's modules, routes and schemas
