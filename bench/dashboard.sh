#!/usr/bin/env bash
# Server time per dashboard page (issue 15), release build, on PostgreSQL and on SQLite: seeds
# 10,000 runs in one experiment and 20 runs with 10 metrics x 100,000 points through the API
# (bench/dashboard_bench.py), then times every page 100 times. PostgreSQL is the test recipe's
# throwaway cluster (fsync off: the pages only read), ANALYZEd after seeding. Between the two
# engines, MLflow 3.17.2 on the same cluster, seeded with the same data through SQL into its own
# schema, answers the REST calls its UI makes for the same views (bench/dashboard_mlflow.py).
# Targets: p95 <= 50 ms per page on PostgreSQL (<= 150 ms on SQLite), /compare <= 300 ms.
#
# usage: bench/dashboard.sh [--quick] [--no-mlflow] [--only postgres|sqlite]
#   --quick: 1,000 runs, 10,000 points, 5 compared runs; --only: one engine (no MLflow with sqlite)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/postgres.sh

SIZES=() MLFLOW=1 ENGINES="postgres sqlite"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SIZES=(--runs 1000 --points 10000 --compare 5 --requests 30) ;;
        --no-mlflow) MLFLOW=0 ;;
        --only) ENGINES=${2:-}; shift ;;
        *) cairn_die "unknown argument $1 (usage: bench/dashboard.sh [--quick] [--no-mlflow] [--only postgres|sqlite])" ;;
    esac
    shift
done
[[ " postgres sqlite " == *" $ENGINES "* ]] || cairn_die "--only takes postgres or sqlite"
CAIRN_BIN=${CAIRN_BIN:-$ROOT/.build/release/cairn}
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN: swift build -c release --product cairn"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
"$PY" -c 'import requests' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check requests
if [ "$MLFLOW" = 1 ]; then
    "$PY" -c 'import mlflow' 2>/dev/null || cairn_die "no mlflow in $ROOT/.venv (scripts/test.sh --compat-only installs it)"
    "$PY" -c 'import psycopg2' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check psycopg2-binary
fi

WORK=$(mktemp -d -t cairn-bench-dashboard.XXXXXX)
CAIRN_PID="" MLFLOW_PID=""
cleanup() {
    set +e
    [ -n "$CAIRN_PID" ] && { kill -TERM "$CAIRN_PID" 2>/dev/null; wait "$CAIRN_PID" 2>/dev/null; }
    [ -n "$MLFLOW_PID" ] && { kill -TERM -- "-$MLFLOW_PID" 2>/dev/null; wait "$MLFLOW_PID" 2>/dev/null; }
    cairn_pg_stop "${CAIRN_PG_DATA:-}"
    rm -rf "$WORK" "${CAIRN_PG_ROOT:-}"
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

# bench_mlflow: MLflow (its own process group, so that its workers stop with it) on a fresh
# database of the same cluster, then dashboard_mlflow.py.
bench_mlflow() {
    local port url
    port=$(cairn_free_port)
    url=$(cairn_pg_create_db mlflow_dashboard_bench)
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$ROOT/.venv/bin/mlflow" server --backend-store-uri "${url/postgres:/postgresql+psycopg2:}" \
        --artifacts-destination "$WORK/mlflow-artifacts" --host 127.0.0.1 --port "$port" >"$WORK/mlflow.log" 2>&1 &
    MLFLOW_PID=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
    echo "### MLflow's UI calls for the same views (PostgreSQL)"
    if ! "$PY" bench/dashboard_mlflow.py --mlflow-url "http://127.0.0.1:$port" --database-url "$url" "${SIZES[@]}"; then
        echo "dashboard_mlflow.py failed; MLflow's log ends:" >&2
        tail -n 20 "$WORK/mlflow.log" >&2
        return 1
    fi
    kill -TERM -- "-$MLFLOW_PID"; wait "$MLFLOW_PID" 2>/dev/null || true; MLFLOW_PID=""
}

if [[ " $ENGINES " == *" postgres "* ]]; then
    cairn_pg_start
    PG_URL=$(cairn_pg_create_db cairn_dashboard_bench)
    bench postgres "$PG_URL" "$CAIRN_PG_BIN/psql -q -d '$PG_URL' -c ANALYZE"
    [ "$MLFLOW" = 1 ] && bench_mlflow
fi
[[ " $ENGINES " == *" sqlite "* ]] && bench sqlite "sqlite:$WORK/cairn.db"
echo "cairn: $CAIRN_BIN; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
