#!/usr/bin/env bash
# Starts the service on SQLite: environment, install, migrate, demo data, serve.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements.txt

export FLASK_APP=wsgi
export APP_ENV="${APP_ENV:-development}"
PORT="${PORT:-8000}"
mkdir -p instance

.venv/bin/flask db upgrade heads
.venv/bin/flask seed --citizens "${DEMO_CITIZENS:-2000}"

echo
echo "Smart Province API on http://127.0.0.1:${PORT}"
echo "  interactive docs: http://127.0.0.1:${PORT}/api/v1/docs"
echo "  OpenAPI document: http://127.0.0.1:${PORT}/api/v1/openapi.json"
echo "  health:           http://127.0.0.1:${PORT}/healthz"
echo

exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --bind "127.0.0.1:${PORT}" \
  --access-logfile - wsgi:app
