"""The Dockerfile and compose.yaml, checked against the code on every run (CI has no Docker engine).

What the compose stack and the image would run must exist and match what the
scripts and tests really run: the commands, the gunicorn configuration, the
health check's port and path, the settings named in the environment, the nginx
file, the metrics directory the worker shares with app1. A rename in the app
without the deployment files (or the reverse) fails here.
The running topology itself (nginx with deploy/nginx.conf, two nodes, a worker)
is tested natively in tests/integration/test_serving_nginx_stack.py; the image and
the stack themselves were run as docs/operations.md §1 records.
"""
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENV_EXAMPLE = (ROOT / "deploy" / "production.env.example").read_text()
APP_NODES = ("app1", "app2")


def _instructions(name: str) -> list[str]:
    """The arguments of every Dockerfile instruction `name` (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines() if line.split(None, 1)[:1] == [name]]


def _runtime_env() -> dict:
    stage = DOCKERFILE.split("AS runtime", 1)[1]
    text = re.sub(r"\\\n\s*", " ", stage)
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line[4:]))
    return env


def _gunicorn_config(environ: dict, monkeypatch) -> object:
    """gunicorn.conf.py read under `environ` (restored afterwards: the file sets PROMETHEUS_MULTIPROC_DIR)."""
    environ = {"PROMETHEUS_MULTIPROC_DIR": "/tmp/prometheus-under-test", **environ}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stack_has_the_documented_services():
    assert set(SERVICES) == {"postgres", "redis", "migrate", *APP_NODES, "worker", "proxy"}
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert "postgresql-15" in (ROOT / "scripts" / "postgres.sh").read_text()   # the version the tests run on


def test_the_image_serves_with_the_projects_gunicorn_config(monkeypatch):
    assert _instructions("CMD")[-1] == '["gunicorn", "wsgi:app"]'
    assert re.search(r"gunicorn .*wsgi:app", (ROOT / "scripts" / "run.sh").read_text())   # run.sh: the same app
    copied = " ".join(_instructions("COPY"))
    for needed in ("wsgi.py", "gunicorn.conf.py", "app", "migrations", "openapi", "requirements.txt"):
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), needed
    env = _runtime_env()
    assert env["APP_ENV"] == "production" and env["FLASK_APP"] == "wsgi"
    config = _gunicorn_config({"GUNICORN_BIND": env["GUNICORN_BIND"],
                               "PROMETHEUS_MULTIPROC_DIR": env["PROMETHEUS_MULTIPROC_DIR"]}, monkeypatch)
    assert config.bind == env["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert config.worker_class == "gthread"
    assert _instructions("EXPOSE") == ["8000"]
    assert _instructions("USER") == ["app"]


def test_the_health_check_asks_the_bound_port_for_a_route_that_exists(app):
    (check,) = _instructions("HEALTHCHECK")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", check)
    assert url and url.group(1) == _runtime_env()["GUNICORN_BIND"].rsplit(":", 1)[1]
    assert url.group(2) in {rule.rule for rule in app.url_map.iter_rules()}


def test_the_stop_grace_period_outlasts_gunicorns_graceful_timeout(monkeypatch):
    config = _gunicorn_config({}, monkeypatch)
    for name in APP_NODES:
        seconds = int(str(SERVICES[name]["stop_grace_period"]).rstrip("s"))
        assert seconds > config.graceful_timeout, name
    assert int(str(SERVICES["worker"]["stop_grace_period"]).rstrip("s")) >= 10   # the message in hand finishes


@pytest.mark.parametrize("service, arguments", [("migrate", ["db", "upgrade"]), ("worker", ["worker", "run"])])
def test_the_one_shot_and_the_worker_run_commands_the_app_has(app, service, arguments):
    command = SERVICES[service]["command"]
    assert command == ["flask", *arguments]
    assert f"flask {' '.join(arguments)}" in (ROOT / "scripts" / "run.sh").read_text()
    result = app.test_cli_runner().invoke(args=[*arguments, "--help"])
    assert result.exit_code == 0, result.output


def test_app_nodes_wait_for_the_migrations_and_the_proxy_for_healthy_nodes():
    for name in APP_NODES:
        assert "command" not in SERVICES[name]                       # the image's CMD: gunicorn
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {SERVICES["proxy"]["depends_on"][n]["condition"] for n in APP_NODES} == {"service_healthy"}
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_proxy_runs_the_tested_nginx_file_in_front_of_the_app_nodes():
    (mount,) = SERVICES["proxy"]["volumes"]
    source = mount.split(":")[0]
    assert source == "./deploy/nginx.conf"
    conf = (ROOT / source).read_text()
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", conf, re.M)
    assert upstreams == [(name, "8000") for name in APP_NODES]
    assert "location = /metrics { return 404; }" in conf


def test_the_worker_shares_app1s_metrics_directory_and_process_namespace():
    directory = _runtime_env()["PROMETHEUS_MULTIPROC_DIR"]
    shared = [v for v in SERVICES["app1"]["volumes"] if v.endswith(f":{directory}")]
    assert shared and shared == [v for v in SERVICES["worker"]["volumes"] if v.endswith(f":{directory}")]
    assert SERVICES["worker"]["pid"] == "service:app1"
    assert not any(v.endswith(f":{directory}") for v in SERVICES["app2"].get("volumes", []))


def _names_the_app_reads() -> str:
    return "\n".join(p.read_text() for p in [*(ROOT / "app").rglob("*.py"), ROOT / "gunicorn.conf.py"])


def test_every_setting_in_the_deployment_files_is_one_the_app_reads():
    code = _names_the_app_reads()
    x_app = COMPOSE["x-app"]["environment"]
    example = [line.split("=", 1)[0].lstrip("# ").strip()
               for line in ENV_EXAMPLE.splitlines()
               if re.match(r"^#?\s*[A-Z][A-Z0-9_]+=", line)]
    ignored = {"OTEL_EXPORTER_OTLP_ENDPOINT"}      # read by the OpenTelemetry SDK, and by app/config.py's default
    unknown = [name for name in [*x_app, *example, *_runtime_env()]
               if name not in ignored and f'"{name}"' not in code and f"'{name}'" not in code
               and name not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR",
                                "PIP_DISABLE_PIP_VERSION_CHECK", "FLASK_APP")]
    assert unknown == []


def test_the_offline_images_stand_in_for_every_image_the_files_pull():
    """deploy/offline-images.sh builds, from Debian packages, each image the Dockerfile and compose pull."""
    pulled = {f.split()[0] for f in _instructions("FROM")}
    pulled |= {service["image"] for service in SERVICES.values() if "build" not in service and "image" in service}
    script = (ROOT / "deploy" / "offline-images.sh").read_text()
    built = dict(re.findall(r"^build (\w+) (\S+)$", script, re.MULTILINE))
    assert set(built.values()) == pulled
    for recipe in built:
        assert (ROOT / "deploy" / "offline" / f"{recipe}.Dockerfile").exists()


def test_every_app_service_can_read_the_credential_files_the_settings_name():
    assert re.search(r"^FCM_CREDENTIALS_FILE=/run/secrets/\S+$", ENV_EXAMPLE, re.MULTILINE)
    for name, service in SERVICES.items():
        if "build" in service:
            assert "./deploy/secrets:/run/secrets:ro" in service["volumes"], name
    assert "deploy/secrets/" in (ROOT / ".gitignore").read_text().splitlines()
