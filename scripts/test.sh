#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite.
#   scripts/test.sh              on SQLite
#   scripts/test.sh --postgres   on a local PostgreSQL (installed and started if needed)
# Redis (rate-limit storage), Chromium (the browser test), jq (the docs'
# examples, tests/docs) and nginx (the production stack's proxy, run by a test
# with deploy/nginx.conf) are installed, and Redis started, when missing.
# Further arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements-dev.txt
source scripts/_browser.sh
ensure_browser "$@"
if ! command -v jq >/dev/null 2>&1; then   # the docs' examples check answers with jq -e
  echo "installing jq..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >&2
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then   # the proxy of the production stack
  echo "installing nginx..." >&2                                           # (tests/integration/test_serving_nginx_stack.py)
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
fi
REDIS_TEST_URL="$(bash scripts/redis.sh)"   # a failure stops here (set -e)
export REDIS_TEST_URL

if [ "${1:-}" = "--postgres" ]; then
  shift
  url="$(bash scripts/postgres.sh)"   # a failure stops here (set -e)
  export TEST_DATABASE_URL="$url"
  echo "running the suite on PostgreSQL ($TEST_DATABASE_URL)"
else
  unset TEST_DATABASE_URL
  echo "running the suite on SQLite"
fi

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
