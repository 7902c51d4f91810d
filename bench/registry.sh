#!/usr/bin/env bash
# Registry search benchmark (issue 4): MLflow 3.17.2 and Cairn on the same throwaway PostgreSQL,
# in one run. Each server gets its own database with 1,000 registered models x 10 versions
# (created over the REST API by bench/registry_bench.py), then registered-models/search and
# model-versions/search are timed (p50/p95 of receiving the whole response) with identical
# queries and checked results. Prints a Markdown table; writes bench/results/registry-<ts>.json.
#
# Both databases are set up first, then ANALYZEd, then timed: autovacuum analyzes a bulk-loaded
# table about a minute after the load, so without it whether a server's tables had statistics when
# its queries were timed depended on how long its own set-up took (MLflow's minutes, Cairn's
# seconds). --no-analyze times the tables as loaded, for comparison.
#
# usage: bench/registry.sh [--cairn-bin PATH] [--models N] [--versions N] [--repeats N] [--no-analyze]
#   --cairn-bin  default .build/release/cairn (measure release builds)
#   --repeats    timed requests per query and server after a verified first one (default 100; runs
#                up to G–I used 30, where p95 is the second-slowest sample and moved by ±30%)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/python.sh

CAIRN_BIN="$ROOT/.build/release/cairn"
MODELS=1000
VERSIONS=10
REPEATS=100
ANALYZE=1
while [ $# -gt 0 ]; do
    case "$1" in
        --cairn-bin) CAIRN_BIN=$2; shift ;;
        --models) MODELS=$2; shift ;;
        --repeats) REPEATS=$2; shift ;;
        --versions) VERSIONS=$2; shift ;;
        --no-analyze) ANALYZE=0 ;;
        *) cairn_die "unknown argument $1" ;;
    esac
    shift
done
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN (swift build -c release --product cairn)"

WORK=$(mktemp -d -t cairn-regbench.XXXXXX)
PIDS=()
cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do pkill -TERM -P "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; done
    sleep 2
    for pid in "${PIDS[@]}"; do pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; done
    cairn_pg_stop "${CAIRN_PG_DATA:-}"
    rm -rf "${CAIRN_PG_ROOT:-}" "$WORK"
}
trap cleanup EXIT

cairn_python_env "$ROOT" Tests/compat/requirements.txt
"$CAIRN_PYTHON" -c 'import psycopg2' 2>/dev/null || "$CAIRN_PYTHON" -m pip install -q --disable-pip-version-check psycopg2-binary
cairn_pg_start
MLFLOW_DB=$(cairn_pg_create_db mlflow_registry)
CAIRN_DB=$(cairn_pg_create_db cairn_registry)

wait_health() {
    for _ in $(seq 1 600); do
        [ "$(curl -s --max-time 2 "$1/health" 2>/dev/null)" = OK ] && return 0
        sleep 0.2
    done
    return 1
}

MLFLOW_PORT=$(cairn_free_port)
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false "$(dirname "$CAIRN_PYTHON")/mlflow" server --host 127.0.0.1 --port "$MLFLOW_PORT" \
    --backend-store-uri "postgresql+psycopg2://${MLFLOW_DB#postgres://}" --artifacts-destination "$WORK/mlflow-artifacts" \
    >"$WORK/mlflow.log" 2>&1 &
PIDS+=($!)
CAIRN_PORT=$(cairn_free_port)
"$CAIRN_BIN" serve --host 127.0.0.1 --port "$CAIRN_PORT" --database-url "$CAIRN_DB" --artifacts-uri "$WORK/cairn-artifacts" \
    >"$WORK/cairn.log" 2>&1 &
PIDS+=($!)
wait_health "http://127.0.0.1:$CAIRN_PORT" || { cat "$WORK/cairn.log"; cairn_die "cairn did not start"; }
wait_health "http://127.0.0.1:$MLFLOW_PORT" || { tail -40 "$WORK/mlflow.log"; cairn_die "mlflow did not start"; }

mkdir -p bench/results
ts=$(date -u +%Y%m%dT%H%M%SZ)
cairn_log "set-up: $MODELS models x $VERSIONS versions on each server (load average $(cut -d' ' -f1-3 /proc/loadavg))"
MLFLOW_SETUP=$("$CAIRN_PYTHON" bench/registry_bench.py "http://127.0.0.1:$MLFLOW_PORT" --models "$MODELS" --versions "$VERSIONS" --setup-only)
CAIRN_SETUP=$("$CAIRN_PYTHON" bench/registry_bench.py "http://127.0.0.1:$CAIRN_PORT" --models "$MODELS" --versions "$VERSIONS" --setup-only)
if [ "$ANALYZE" = 1 ]; then
    for db in mlflow_registry cairn_registry; do
        "$CAIRN_PG_BIN/psql" -qX -h 127.0.0.1 -p "$CAIRN_PG_PORT" -U postgres -d "$db" -c ANALYZE
    done
    cairn_log "ANALYZE done on both databases"
fi
# The 1-minute load average lags (right after the set-up it still counts the set-up), so the
# machine's CPU use during each timing phase is recorded too: percent of all cores busy, from
# /proc/stat; the client, the server and PostgreSQL themselves use up to about one core of two.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
busy_pct() { awk -v b0="$1" -v t0="$2" -v b1="$3" -v t1="$4" 'BEGIN { printf "%.0f", 100 * (b1 - b0) / (t1 - t0) }'; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cairn_log "timing; load average before: $LOAD_BEFORE"
read -r b0 t0 < <(cpu_ticks)
MLFLOW_JSON=$("$CAIRN_PYTHON" bench/registry_bench.py "http://127.0.0.1:$MLFLOW_PORT" --models "$MODELS" --versions "$VERSIONS" --repeats "$REPEATS" --skip-setup)
read -r b1 t1 < <(cpu_ticks)
CAIRN_JSON=$("$CAIRN_PYTHON" bench/registry_bench.py "http://127.0.0.1:$CAIRN_PORT" --models "$MODELS" --versions "$VERSIONS" --repeats "$REPEATS" --skip-setup)
read -r b2 t2 < <(cpu_ticks)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
printf '{"timestamp":"%s","models":%s,"versions":%s,"repeats":%s,"analyze":%s,"load_before":"%s","load_after":"%s","cpu_busy_pct":{"mlflow":%s,"cairn":%s},"mlflow_setup_s":%s,"cairn_setup_s":%s,"mlflow":%s,"cairn":%s}\n' \
    "$ts" "$MODELS" "$VERSIONS" "$REPEATS" "$ANALYZE" "$LOAD_BEFORE" "$LOAD" "$(busy_pct "$b0" "$t0" "$b1" "$t1")" "$(busy_pct "$b1" "$t1" "$b2" "$t2")" \
    "$MLFLOW_SETUP" "$CAIRN_SETUP" "$MLFLOW_JSON" "$CAIRN_JSON" >"bench/results/registry-$ts.json"
"$CAIRN_PYTHON" - "bench/results/registry-$ts.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
stats = "ANALYZEd before timing" if r["analyze"] else "timed as loaded (--no-analyze)"
print(f"Registry search, {r['models']} models x {r['versions']} versions, {r.get('repeats', 30)} timed requests per query, PostgreSQL, {stats}, "
      f"load average before: {r['load_before']}, after: {r['load_after']}; "
      f"machine CPU busy while timing MLflow {r['cpu_busy_pct']['mlflow']}%, Cairn {r['cpu_busy_pct']['cairn']}%")
print(f"Setup over the REST API (8 threads): MLflow {r['mlflow_setup_s']} s, Cairn {r['cairn_setup_s']} s\n")
print("| query | results | bytes MLflow / Cairn | MLflow p50 / p95 ms | Cairn p50 / p95 ms | ratio p50 / p95 | target |")
print("|---|---|---|---|---|---|---|")
for key in ["models_all", "models_filtered", "versions_model", "versions_like"]:
    m, c = r["mlflow"][key], r["cairn"][key]
    print(f"| {key} | {c['results']} | {m['bytes']} / {c['bytes']} | {m['p50_ms']} / {m['p95_ms']} | {c['p50_ms']} / {c['p95_ms']} "
          f"| {m['p50_ms'] / c['p50_ms']:.1f}x / {m['p95_ms'] / c['p95_ms']:.1f}x | >= 10x |")
PY
