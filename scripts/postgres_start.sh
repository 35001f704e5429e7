#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the tests (CI and local runs) and
# prints the URL to export as AQYL_TEST_POSTGRES_URL:
#   export AQYL_TEST_POSTGRES_URL="$(scripts/postgres_start.sh)"
# Installs Debian's `postgresql` when missing. The cluster lives in
# ${AQYL_PG_DIR:-/tmp/aqyl-pg} on port ${AQYL_PG_PORT:-54329}, owned by the
# `postgres` system user (initdb refuses to run as root); running it again reuses
# a cluster that is already up. Stop it with: scripts/postgres_start.sh --stop
set -euo pipefail
dir="${AQYL_PG_DIR:-/tmp/aqyl-pg}"
port="${AQYL_PG_PORT:-54329}"
user=aqyl
password=aqyl-test
database=aqyl_test

bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bindir="$d"; done
if [ -z "$bindir" ]; then
  { apt-get update && apt-get install -y postgresql; } >&2
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bindir="$d"; done
fi
[ -n "$bindir" ] || { echo "postgres_start: no PostgreSQL server binaries after installing" >&2; exit 1; }

# Run a server binary as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres >&2
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  exit 0
fi

if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if ! [ -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >&2
  fi
  # Loopback only; a socket in the cluster's directory, so nothing of the system's is touched.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >&2
fi

psql_owner() { as_owner "$(dirname "$bindir")/bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_owner -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
  psql_owner -d postgres -c "CREATE ROLE $user LOGIN PASSWORD '$password' CREATEDB" >&2
fi
if [ "$(psql_owner -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  psql_owner -d postgres -c "CREATE DATABASE $database OWNER $user" >&2
fi
# Databases the tests created (aqyl_t_*) in an earlier run of a reused cluster.
for old in $(psql_owner -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'aqyl\_t\_%'"); do
  psql_owner -d postgres -c "DROP DATABASE IF EXISTS $old" >&2 || true
done
echo "postgres://$user:$password@127.0.0.1:$port/$database"
