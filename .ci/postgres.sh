#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the store tests (Debian's package, run as the
# postgres user on a local port) and print its SQLAlchemy URL. Used by .ci/run; a developer can
# run it too: export TEST_DATABASE_URL="$(bash .ci/postgres.sh)".
set -euo pipefail
PORT="${PGPORT_TEST:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
DATA="$(mktemp -d /tmp/planner-pg.XXXXXX)"
chown postgres "$DATA"
runuser -u postgres -- "$BIN/initdb" -D "$DATA" --auth=trust -U postgres >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
runuser -u postgres -- "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres planner_test
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/planner_test"
