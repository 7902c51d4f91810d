#!/usr/bin/env bash
# Server time per dashboard page (issue 15), release build, on PostgreSQL and on SQLite: seeds
# 10,000 runs in one experiment and 20 runs with 10 metrics x 100,000 points through the API
# (bench/dashboard_bench.py), then times every page 100 times. PostgreSQL is the test recipe's
# throwaway cluster (fsync off: the pages only read), ANALYZEd after seeding.
# Targets: p95 <= 50 ms per page on PostgreSQL (<= 150 ms on SQLite), /compare <= 300 ms.
#
# usage: bench/dashboard.sh [--quick]   (--quick: 1,000 runs, 10,000 points, 5 compared runs)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/postgres.sh

SIZES=()
[ "${1:-}" = --quick ] && SIZES=(--runs 1000 --points 10000 --compare 5 --requests 30)
CAIRN_BIN=${CAIRN_BIN:-$ROOT/.build/release/cairn}
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN: swift build -c release --product cairn"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
"$PY" -c 'import requests' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check requests

WORK=$(mktemp -d -t cairn-bench-dashboard.XXXXXX)
CAIRN_PID=""
cleanup() {
    set +e
    [ -n "$CAIRN_PID" ] && { kill -TERM "$CAIRN_PID" 2>/dev/null; wait "$CAIRN_PID" 2>/dev/null; }
    cairn_pg_stop 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# bench ENGINE DATABASE_URL [AFTER_SEEDING_COMMAND]
bench() {
    local port
    port=$(cairn_free_port)
    CAIRN_LOG_LEVEL=warning "$CAIRN_BIN" serve --host 127.0.0.1 --port "$port" --database-url "$2" \
        --artifacts-uri "$WORK/artifacts-$1" >"$WORK/cairn-$1.log" 2>&1 &
    CAIRN_PID=$!
    for _ in $(seq 1 150); do [ "$(curl -s "http://127.0.0.1:$port/health")" = OK ] && break; sleep 0.2; done
    echo "### $1"
    if ! "$PY" bench/dashboard_bench.py "http://127.0.0.1:$port" "${SIZES[@]}" ${3:+--after-seeding "$3"}; then
        echo "dashboard_bench.py failed on $1; the server log's last warnings and errors:" >&2
        grep -E ' (warning|error|critical) ' "$WORK/cairn-$1.log" | tail -n 20 >&2 || true
        return 1
    fi
    kill -TERM "$CAIRN_PID"; wait "$CAIRN_PID" 2>/dev/null || true; CAIRN_PID=""
}

cairn_pg_start
PG_URL=$(cairn_pg_create_db cairn_dashboard_bench)
bench postgres "$PG_URL" "$CAIRN_PG_BIN/psql -q -d '$PG_URL' -c ANALYZE"
bench sqlite "sqlite:$WORK/cairn.db"
echo "cairn: $CAIRN_BIN; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
