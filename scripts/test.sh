#!/usr/bin/env bash
# Runs every test of Custos on a fresh Debian machine: installs what the tests need, starts PostgreSQL and
# MariaDB when they are down, then runs unit tests (*Test) and integration tests (*IT) with Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v mvn >/dev/null || need_apt+=(maven)
command -v psql >/dev/null || need_apt+=(postgresql-client)
command -v pg_dump >/dev/null || need_apt+=(postgresql-client)
command -v mariadb >/dev/null || need_apt+=(mariadb-client)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v gzip >/dev/null || need_apt+=(gzip)
command -v zstd >/dev/null || need_apt+=(zstd)
command -v lz4 >/dev/null || need_apt+=(lz4)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; }
fi

wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$1 did not come up" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432 -q"
fi
if ! mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1; then
  echo "== starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  wait_for MariaDB "mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1'"
fi

# The tests create (and drop) their own databases; these are the fixed ones some of them start from.
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'custos_test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE custos_test"
mariadb -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS custos_test"

echo "== running tests"
exec mvn -B verify "$@"
