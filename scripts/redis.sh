#!/usr/bin/env bash
# Makes sure a Redis server answers on 127.0.0.1:6379 (the rate-limit storage
# shared by processes in production), installing Debian's redis-server when it
# is missing. Used by the test command; the tests use database 15 only.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis..." >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >&2
  for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
echo "redis://127.0.0.1:6379/15"
