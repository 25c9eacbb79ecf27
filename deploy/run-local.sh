#!/usr/bin/env bash
# The whole deployment on this machine: one PostgreSQL, N app servers (default 2) and HAProxy
# with session affinity in front (deploy/local.py). Ctrl-C stops everything it started.
#   bash deploy/run-local.sh [--servers N] [--port 8080]
# Needs Debian's postgresql and haproxy packages (installed here if missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ] \
    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq haproxy postgresql >/dev/null
    else
        echo "Install HAProxy and PostgreSQL first: sudo apt-get install -y haproxy postgresql" >&2
        exit 1
    fi
fi
exec python3 deploy/local.py "$@"
