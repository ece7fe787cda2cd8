#!/usr/bin/env bash
# Starts the service on SQLite: environment, install, migrate, demo data, serve.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements.txt

export FLASK_APP=wsgi
export APP_ENV="${APP_ENV:-development}"
# The app builds its links (payment return and IPN URLs, the mock gateways, the
# demo's) from PORT unless PUBLIC_URL says where people reach it.
export PORT="${PORT:-8000}"
URL="${PUBLIC_URL:-http://127.0.0.1:${PORT}}"
mkdir -p instance
# Metrics of every gunicorn worker (and of the notification worker) meet here; /metrics reads them
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/instance/prometheus}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

.venv/bin/flask db upgrade
.venv/bin/flask seed --citizens "${DEMO_CITIZENS:-2000}"

echo
echo "Smart Province API on ${URL}/ (start here: links to everything below)"
echo "  interactive docs: ${URL}/api/v1/docs"
echo "  OpenAPI document: ${URL}/api/v1/openapi.json"
echo "  operations centre: ${URL}/ioc"
echo "  health:           ${URL}/healthz"
if [ "$APP_ENV" = development ]; then
  echo "  the demo as JSON: ${URL}/api/v1/dev/demo (development only)"
  echo "  sent messages:    ${URL}/api/v1/dev/messages (development only)"
fi
echo "Ctrl-C (or kill -TERM $$) stops the server and the worker."
echo

# The notification worker runs next to the web server (RUN_WORKER=0 to leave
# it out); production runs it as a service of its own: `flask worker run`.
# When either process ends, on Ctrl-C (SIGINT) or on SIGTERM, both are stopped:
# background jobs of a script ignore SIGINT, so the trap passes it on as SIGTERM.
pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

if [ "${RUN_WORKER:-1}" = "1" ]; then
  .venv/bin/flask worker run &
  pids+=($!)
fi
# Workers, threads, long-poll slots and request limits: gunicorn.conf.py
.venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --access-logfile - wsgi:app &
pids+=($!)

set +e
wait -n "${pids[@]}"
status=$?
stop
exit "$status"
