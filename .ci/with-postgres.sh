#!/usr/bin/env bash
# Runs a command with BERTH_TEST_DATABASE_URL pointing at a PostgreSQL
# database, so the store's tests run against PostgreSQL as well as SQLite.
#
# - BERTH_TEST_DATABASE_URL already set: the command runs as is.
# - Otherwise, when PostgreSQL's server binaries are installed (Debian:
#   apt-get install postgresql), a throwaway server is started in a
#   temporary directory (Unix socket only, no TCP port), used, and removed.
# - Otherwise the command runs without it: the PostgreSQL tests skip, except
#   under CI=true, where they fail.
#
# Usage: .ci/with-postgres.sh go test ./...
set -euo pipefail

if [ -n "${BERTH_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  command -v initdb >/dev/null 2>&1 && bindir=$(dirname "$(command -v initdb)")
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries found; PostgreSQL store tests will not run" >&2
  exec "$@"
fi

dir=$(mktemp -d /tmp/berth-pg.XXXXXX)
chmod 755 "$dir"
# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
stop() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses='' -k $dir -c fsync=off -c max_connections=200" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/createdb" -h "$dir" -U postgres berth_test
export BERTH_TEST_DATABASE_URL="postgres:///berth_test?host=$dir&user=postgres&sslmode=disable"
echo "with-postgres: throwaway PostgreSQL at $dir" >&2
"$@"
