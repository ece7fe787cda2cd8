#!/usr/bin/env bash
# Makes sure a PostgreSQL server runs on 127.0.0.1:5432 with the test role and
# database, installing Debian's package when it is missing and starting the
# cluster when it is stopped. Prints the URL. PG_TEST_DB names the database
# (default smart_province_test), PG_TEST_USER / PG_TEST_PASSWORD the role.
set -euo pipefail
USER_NAME="${PG_TEST_USER:-smart}"
PASSWORD="${PG_TEST_PASSWORD:-smart}"
DATABASE="${PG_TEST_DB:-smart_province_test}"

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "installing PostgreSQL (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2
  # PostgreSQL 15 where the distribution has it (Debian 12), its default otherwise
  as_root apt-get install -y -qq postgresql-15 >&2 2>/dev/null || as_root apt-get install -y -qq postgresql >&2
fi

if [ -d /usr/lib/postgresql/15 ]; then
  version=15
else
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
fi
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  as_root pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"

for _ in $(seq 1 30); do
  as_postgres "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
as_postgres "psql -p $port -Atqc \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$USER_NAME') THEN CREATE ROLE $USER_NAME LOGIN SUPERUSER PASSWORD '$PASSWORD'; END IF; END \\\$\\\$;\"" >&2
if ! as_postgres "psql -p $port -Atqc \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"" | grep -q 1; then
  as_postgres "createdb -p $port -O $USER_NAME $DATABASE" >&2
fi
echo "postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$port/$DATABASE"
