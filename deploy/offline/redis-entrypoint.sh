#!/bin/sh
# redis-server as the redis user, reachable from the compose network: without a configuration file
# Redis refuses other hosts (protected mode), and the official image turns that off too.
# Any other command (redis-cli) runs as given.
set -eu
if [ "${1:-}" = redis-server ]; then
  exec setpriv --reuid=redis --regid=redis --init-groups -- "$@" --protected-mode no
fi
exec "$@"
