#!/usr/bin/env bash
# Cairn at scale (issue 17; see BENCHMARKS.md), beside its peers MLflow 3.17.2 and FastTrackML 0.6.0.
#
# One throwaway PostgreSQL cluster with durability on (bench/lib/bench_pg.sh, the recipe of
# bench/run.sh), a release `cairn serve` on it, and a data set grown in stages, each measured:
#   runs      one experiment with N runs (each 10 params, 10 metrics with their latest values, 5
#             tags), for N in --sizes (default 2,000 / 50,000 / 200,000), plus 50 small experiments
#             of 10 such runs each (the "history pool");
#   history   then, at the largest N, extra stored points in metric_points spread over the pool's
#             500 runs (5,000 series), for P in --points (default 0 / 10M / 50M).
# So the stages are (N1, P1), (N2, P1), ..., (Nk, P1), (Nk, P2), ... and every stage only adds rows.
#
# How the data is built: `cairn migrate` creates the schema, `cairn serve` the Default experiment,
# and the experiments, the 50,000-point history run and the other runs used by the write
# measures are created over the REST API (bench/scale_bench.py setup). The searched runs and the
# pool are bulk-loaded with SQL `INSERT ... SELECT generate_series` straight into Cairn's tables
# (bench/lib/scale_runs.sql, its values from bench/lib/scale_values.sql as the peers' are: the rows
# runs/create + runs/log-batch + runs/update write, including
# the metric series, one point per metric, the latest values and the insertion-order columns of
# migration 0013), one transaction per --run-batch runs; the extra history by
# bench/lib/scale_points.sql, one statement per --batch-rows points, step by step across all pool
# series (as concurrent runs log), then the pool's latest values are set to their last step.
# Every value is a function of the row's index, so a data set is the same in every run. Each load
# statement's rows and time are printed (rows/s) and kept in the report.
#
# Peers (--peers, default mlflow,fasttrack; none = Cairn alone): `mlflow server` (--mlflow-bin, a
# venv with mlflow 3.17.2 and psycopg2-binary; default .venv/bin/mlflow) and `fml server`
# (FastTrackML, the Go binary of the fasttrackml 0.6.0 wheel: --fml-bin, or installed once with
# `pip install --no-deps fasttrackml==0.6.0` into .venv-fml/, git-ignored), each on its own database
# of the same cluster, in its own process group (setsid; MLflow's uvicorn workers stop with it),
# otherwise with their defaults. Each creates its schema on start; the same experiments and
# API-made runs are created through its REST API (scale_bench.py setup, as for Cairn); the same
# runs, with the same ids (md5(prefix || i)), names, times, params, tags, metrics, latest values,
# and the same extra history points, are bulk-loaded into its own tables by
# bench/lib/scale_peer_runs.sql, scale_peer_points.sql and scale_peer_points_latest.sql (MLflow's
# schema; FastTrackML's adds runs.row_num, metrics.iter, latest_metrics.last_iter and a context id,
# filled as its API would). The extra points' values use Cairn's series ids, copied into each peer's
# database as bench_pool_series. Before timing, each peer's row counts are printed and its seed is
# compared through its REST API with Cairn's (scale_bench.py check-seed: runs/get of 5 runs and
# the full history of a pool series). Every figure below is then taken on each server with the
# same loadgen command, the servers alternating (per figure, the order rotates by one). A peer's
# search answers are verified as Cairn's, against SQL on its own schema, and that SQL's answer
# must equal Cairn's (the same ids in the same order). Time budget (--peer-budget, default 60 s):
# a peer figure (search, history) gets min(--requests, budget / its first request's time) timed
# requests (one warm-up when a request takes over a second), and is skipped, with a note in the
# report, when fewer than 5 fit; log-metric and ingest always run in full (their verification
# needs every point). The baselines (\copy, pgbench) are Cairn's only. Known peer behaviours the
# report notes: FastTrackML 0.6.0 cuts most of its runs/search page tokens short (the base64 of
# '{"offset":N}' loses its last, partial group; sent back, it answers 400), so its deep page is
# reached with the token it means, rebuilt by
# scale_bench.py page-token; it sends a next_page_token with a last full page (not counted as a
# failure) and answers get-history in one page.
#
# At each stage (autovacuum is off for the whole run, so that statistics change only where this
# script says):
#   searches  timed BEFORE `ANALYZE` (the tables as loaded: never analyzed at the first stage,
#             analyzed at the previous size later) and AFTER it; per state, each search is sent
#             once with auto_explain on (its plan is kept) and its answer compared with a direct
#             SQL query of the same question (ids in order, and next_page_token against the SQL
#             count), then --requests timed requests after 3 warm-ups, one keep-alive connection:
#     filtered  runs/search "metrics.acc > 0.5 and params.optimizer = 'adam'" by metrics.acc DESC
#     plain     runs/search, no filter, by attributes.start_time DESC, first page of 100
#     deep      the same, page 50, reached by following page_token (the token of page 50 is found
#               by walking 49 pages before timing; page size min(100, N / 50), so it exists)
#     tag_like  runs/search "tags.dataset LIKE 'ds-1%'", first page of 100
#     experiments  experiments/search "name LIKE 'scale-other-1%'"
#   then VACUUM + CHECKPOINT, and:
#   history   get-history of a 50,000-point metric, client-style (2 pages of 25,000 following
#             next_page_token, timed as one), --requests fetches; read back point by point
#   log-metric  --single calls at concurrency 1 (+10 warm-up) on a new run; read back
#   floor     GET /version, --single calls at c=1 (+10 warm-up): a request no server answers from
#             its database, the HTTP stack's own cost that every figure above includes
#   ingest    runs/log-batch, --ingest-requests requests of 1,000 metrics over 8 connections into
#             20 new runs (every point distinct); checked in SQL point by point and through the API.
#             1,000 requests (1M metrics, ~3 s for Cairn): with 100 (0.3-0.45 s) the rate and its
#             \copy baseline moved by a quarter between stages of one run. --ingest-rounds rounds
#             (default 3, the servers alternating in each, 20 new runs each); the figure is the
#             median round. A peer runs as many rounds as its first fits in --peer-budget (at least 1)
#   baselines `\copy` of the same rows into metric_points itself (one transaction, median of 3,
#             rows deleted after each), pgbench at c=1: a durable one-row INSERT commit, and
#             Cairn's log-metric statement (details version bump + history insert + latest upsert +
#             chart-cache delete)
#   memory    Cairn's peak RSS in the stage (VmHWM, reset at the stage's start) and sampled every 100 ms
# Latency: p50 / p95 from bench/loadgen.c (compiled here): request written to last byte read.
# CPU ms per request (Cairn + PostgreSQL) from /proc around each timed phase, warm-ups included.
#
# Output: a Markdown table per stage (+ one across stages) printed and written to
# bench/results/scale-<timestamp>.md; raw results, plans and logs in bench/results/scale-<timestamp>/.
# A failed verification fails the run (exit 1) after the report. Everything started is stopped on exit.
#
# usage: bench/scale.sh [--cairn-bin PATH] [--sizes 2000,50000,200000] [--points 0,10000000,50000000]
#                       [--requests 100] [--single 500] [--ingest-requests 1000] [--ingest-rounds 3]
#                       [--durability on|off]
#                       [--run-batch 10000] [--batch-rows 1000000] [--peers mlflow,fasttrack|none]
#                       [--mlflow-bin PATH] [--fml-bin PATH] [--peer-budget 60] [--pg-settings "..."]
#   --cairn-bin   default .build/release/cairn (a release build; this script never builds)
#   --requests    timed requests per search, state and stage, and history fetches (issue 17: >= 100)
#   --durability  on (default): fsync, synchronous_commit, full_page_writes on; off: the test recipe
#   --pg-settings more server settings, e.g. "-c shared_buffers=4GB" (default: PostgreSQL's own)
# A full run with peers (--peer-budget 30, as in BENCHMARKS.md): 94 min (measured with 1,000
# ingest requests in 3 rounds, MLflow's ingest at ~11,000-13,000 metrics/s: one round) and ~55 GB
# of disk at its peak (at 50M points MLflow's database is 22.6 GB, FastTrackML's 18.8 GB), most
# of the time in the peers' loads (their metrics tables take ~50,000 points/s: 13 min each for
# the last 40M), and MLflow's searches and history at the budget.
# Small smoke run: bench/scale.sh --sizes 500,2000 --points 0,200000 --requests 30 --single 100
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source bench/lib/bench_pg.sh

CAIRN_BIN="$ROOT/.build/release/cairn"
SIZES=2000,50000,200000
POINTS=0,10000000,50000000
REQUESTS=100
SINGLE=500
INGEST_REQS=1000
INGEST_ROUNDS=3
DURABILITY=on
RUN_BATCH=10000
BATCH_ROWS=1000000
PEERS=mlflow,fasttrack
MLFLOW_BIN="$ROOT/.venv/bin/mlflow"
FML_BIN=""
PEER_BUDGET=60
PG_SETTINGS_EXTRA=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cairn-bin) CAIRN_BIN=$2; shift ;;
        --sizes) SIZES=$2; shift ;;
        --points) POINTS=$2; shift ;;
        --requests) REQUESTS=$2; shift ;;
        --single) SINGLE=$2; shift ;;
        --ingest-requests) INGEST_REQS=$2; shift ;;
        --ingest-rounds) INGEST_ROUNDS=$2; shift ;;
        --durability) DURABILITY=$2; shift ;;
        --run-batch) RUN_BATCH=$2; shift ;;
        --batch-rows) BATCH_ROWS=$2; shift ;;
        --peers) PEERS=$2; shift ;;
        --mlflow-bin) MLFLOW_BIN=$2; shift ;;
        --fml-bin) FML_BIN=$2; shift ;;
        --peer-budget) PEER_BUDGET=$2; shift ;;
        --pg-settings) PG_SETTINGS_EXTRA=$2; shift ;;
        -h | --help) cairn_usage "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
PG_OPTS=$(bench_pg_durability "$DURABILITY")
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN (swift build -c release --product cairn)"
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a POINT_LIST <<<"$POINTS"
prev=0
for n in "${SIZE_LIST[@]}"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 50 ] || [ "$n" -le "$prev" ]; then
        cairn_die "--sizes: increasing run counts >= 50 (got $SIZES)"
    fi
    prev=$n
done
prev=-1
for p in "${POINT_LIST[@]}"; do
    if ! [[ "$p" =~ ^[0-9]+$ ]] || [ "$p" -le "$prev" ]; then cairn_die "--points: increasing point counts (got $POINTS)"; fi
    prev=$p
done
PEER_LIST=()
if [ "$PEERS" != none ]; then
    IFS=, read -r -a PEER_LIST <<<"$PEERS"
    for e in "${PEER_LIST[@]}"; do [[ "$e" =~ ^(mlflow|fasttrack)$ ]] || cairn_die "--peers: mlflow, fasttrack (comma-separated) or none (got $PEERS)"; done
fi
if ! [[ "$PEER_BUDGET" =~ ^[0-9]+$ ]] || [ "$PEER_BUDGET" -eq 0 ]; then cairn_die "--peer-budget: seconds (got $PEER_BUDGET)"; fi
ENGINES=(cairn "${PEER_LIST[@]}")
declare -A LABEL=([cairn]=Cairn [mlflow]=MLflow [fasttrack]=FastTrackML)
[[ "$INGEST_ROUNDS" =~ ^[1-9][0-9]*$ ]] || cairn_die "--ingest-rounds: a positive count (got $INGEST_ROUNDS)"
[ "$((INGEST_REQS % 20))" = 0 ] || cairn_die "--ingest-requests: a multiple of 20 (20 runs x 100 steps per request)"

# workload constants
OTHER_EXPS=50 OTHER_RUNS=10 HISTORY=50000 WARMUP=3 INGEST_RUNS=20 KEYS=10 CONC=8
SPR=$((1000 / KEYS))                                  # steps per log-batch request
INGEST_STEPS=$((INGEST_REQS * SPR / INGEST_RUNS))     # steps per (run, key) of one ingest
TS_BASE=1700000000000
T0_MAIN=1600000000000 # start_time of run 0 (run i: + i s), in the searched experiment and the pool alike
T0_POOL=1650000000000 # timestamp of the pool's extra points at step 0 (step n: + n s)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results"
RD="$RESULTS/scale-$STAMP"
mkdir -p "$RD"
WORK=$(mktemp -d -t cairn-scale.XXXXXX)
chmod 755 "$WORK"

# ---- cleanup -------------------------------------------------------------------------------------
CAIRN_PID="" SAMPLER_PID=""
declare -A PORT=() PID=() BASE_OF=() DB=() DSN_OF=()
# stop_group PID: TERM a process group (a peer started with setsid: MLflow's uvicorn workers too),
# KILL what is left after 20 s.
stop_group() {
    local pid=$1 _
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for _ in $(seq 1 200); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    set +e
    [ -n "$SAMPLER_PID" ] && kill -TERM "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
    stop_tree "$CAIRN_PID"
    for e in "${PEER_LIST[@]}"; do stop_group "${PID[$e]:-}"; done
    if [ -n "${CAIRN_PG_ROOT:-}" ]; then
        cp "$CAIRN_PG_ROOT/server.log" "$RD/postgres.log" 2>/dev/null
        cairn_pg_stop "${CAIRN_PG_DATA:-}"
        rm -rf "$CAIRN_PG_ROOT"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- prerequisites -------------------------------------------------------------------------------
cairn_section "Set-up"
command -v jq >/dev/null || cairn_apt_install jq
command -v gcc >/dev/null || cairn_apt_install gcc libc6-dev
command -v python3 >/dev/null || cairn_apt_install python3
LOADGEN="$WORK/loadgen"
gcc -O2 -pthread -o "$LOADGEN" bench/loadgen.c
PY=(python3 "$ROOT/bench/scale_bench.py")
PEER_VERSIONS=""
for e in "${PEER_LIST[@]}"; do
    case $e in
        mlflow)
            [ -x "$MLFLOW_BIN" ] || cairn_die "no mlflow at $MLFLOW_BIN (--mlflow-bin; a venv with mlflow==3.17.2 and psycopg2-binary)"
            v=$("$MLFLOW_BIN" --version 2>/dev/null | awk '{print $NF}')
            [ "$v" = 3.17.2 ] || cairn_log "warning: $MLFLOW_BIN is mlflow $v, the issue asks for 3.17.2"
            "$(dirname "$MLFLOW_BIN")/python" -c 'import psycopg2' 2>/dev/null ||
                cairn_die "no psycopg2 beside $MLFLOW_BIN (pip install psycopg2-binary into that venv)"
            PEER_VERSIONS+="MLflow $v ($MLFLOW_BIN); " ;;
        fasttrack)
            if [ -z "$FML_BIN" ]; then
                FML_BIN="$ROOT/.venv-fml/bin/fml"
                if [ ! -x "$FML_BIN" ]; then
                    cairn_log "installing FastTrackML 0.6.0 into $ROOT/.venv-fml (the wheel's Go binary only: --no-deps)"
                    python3 -m venv "$ROOT/.venv-fml"
                    "$ROOT/.venv-fml/bin/pip" install -q --disable-pip-version-check --no-deps fasttrackml==0.6.0
                fi
            fi
            [ -x "$FML_BIN" ] || cairn_die "no fml at $FML_BIN (--fml-bin)"
            v=$("$FML_BIN" --version 2>/dev/null | awk '{print $NF}')
            [ "$v" = 0.6.0 ] || cairn_log "warning: $FML_BIN is FastTrackML $v, the issue asks for 0.6.0"
            PEER_VERSIONS+="FastTrackML $v ($FML_BIN); " ;;
    esac
done

# ---- PostgreSQL ----------------------------------------------------------------------------------
# bench/run.sh's cluster, plus: autovacuum off (statistics only from this script's ANALYZE, so
# "before ANALYZE" is what it says), and auto_explain loaded but idle (log_min_duration -1 costs
# nothing; scale_bench.py verify turns it on for the one verified request of each search).
# (auto_explain's settings go through ALTER SYSTEM, not the command line, whose settings a reload
# could not change.)
bench_pg_start "-c max_connections=200 -c autovacuum=off -c shared_preload_libraries=auto_explain $PG_OPTS $PG_SETTINGS_EXTRA"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET auto_explain.log_min_duration = -1" -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
    -c "ALTER SYSTEM SET auto_explain.log_buffers = on" -c "SELECT pg_reload_conf()" >/dev/null
PG_LOG="$CAIRN_PG_ROOT/server.log"
DB=([cairn]=cairn [mlflow]=mlflow [fasttrack]=fasttrack)
for db in scratch "${ENGINES[@]}"; do "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "${DB[$db]:-$db}"; done
"${PSQL[@]}" -d scratch -c "CREATE TABLE one_row (id bigint, v double precision)" # pgbench's durable one-row commit
for e in "${ENGINES[@]}"; do DSN_OF[$e]="postgresql://postgres@127.0.0.1:$PGPORT/${DB[$e]}"; done
DSN=${DSN_OF[cairn]}
PG_VERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
PG_SETTINGS=$("${PSQL[@]}" -At -d postgres -c "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','shared_buffers','autovacuum','max_wal_size')")
cairn_log "PostgreSQL $PG_VERSION on 127.0.0.1:$PGPORT ($PG_SETTINGS)"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sql() { "${PSQL[@]}" -d cairn "$@"; }
esql() { local e=$1; shift; "${PSQL[@]}" -d "${DB[$e]}" "$@"; }
# timed_sql DB SQL: runs SQL on a database and prints psql's \timing of it (ms)
timed_sql() { "${PSQL[@]}" -d "$1" -c '\timing on' -c "$2" | awk '/^Time:/ {print $2}' | tail -n 1; }

# ---- the servers ---------------------------------------------------------------------------------
cairn_section "Servers: start, create the experiments"
t0=$(now_ms)
"$CAIRN_BIN" migrate --database-url "$DSN" >"$RD/migrate.log" 2>&1 || { cat "$RD/migrate.log"; cairn_die "cairn migrate failed"; }
cairn_log "cairn migrate: $(($(now_ms) - t0)) ms"
mkdir -p "$WORK/artifacts"
for attempt in 1 2 3; do
    CAIRN_PORT=$(bench_free_port)
    "$CAIRN_BIN" serve --host 127.0.0.1 --port "$CAIRN_PORT" --database-url "$DSN" \
        --artifacts-uri "$WORK/artifacts" >>"$RD/cairn.log" 2>&1 &
    CAIRN_PID=$!
    out=$("$LOADGEN" -p "$CAIRN_PORT" wait /health 30000 "$(date +%s%N)" "$CAIRN_PID") || true
    [ "$(jq -r .ok <<<"$out")" = true ] && break
    cairn_log "cairn did not come up on port $CAIRN_PORT (attempt $attempt): $out"
    stop_tree "$CAIRN_PID"
    CAIRN_PID=""
done
[ -n "$CAIRN_PID" ] || cairn_die "cairn serve did not start (log: $RD/cairn.log)"
BASE="http://127.0.0.1:$CAIRN_PORT"
PORT[cairn]=$CAIRN_PORT PID[cairn]=$CAIRN_PID BASE_OF[cairn]=$BASE
# The peers, each on its own database of the cluster, in its own process group (setsid), with
# their defaults otherwise (MLflow: uvicorn with 4 workers; both log every request, as Cairn does).
# Each creates its schema itself on start (MLflow's alembic migrations, FastTrackML's auto-migration).
start_peer() {
    local e=$1 port out
    port=$(bench_free_port)
    case $e in
        mlflow)
            MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$MLFLOW_BIN" server \
                --backend-store-uri "postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/${DB[$e]}" \
                --artifacts-destination "$WORK/mlflow-artifacts" --host 127.0.0.1 --port "$port" >>"$RD/mlflow.log" 2>&1 & ;;
        fasttrack)
            setsid "$FML_BIN" server --database-uri "postgres://postgres@127.0.0.1:$PGPORT/${DB[$e]}?sslmode=disable" \
                --listen-address "127.0.0.1:$port" --default-artifact-root "$WORK/fml-artifacts" >>"$RD/fasttrack.log" 2>&1 & ;;
    esac
    PID[$e]=$!
    out=$("$LOADGEN" -p "$port" wait /health 180000 "$(date +%s%N)" "${PID[$e]}") || true
    [ "$(jq -r .ok <<<"$out")" = true ] || { tail -n 20 "$RD/$e.log" >&2; cairn_die "${LABEL[$e]} did not start: $out (log: $RD/$e.log)"; }
    PORT[$e]=$port BASE_OF[$e]="http://127.0.0.1:$port"
    cairn_log "${LABEL[$e]} up on port $port in $(jq -r .elapsed_ms <<<"$out") ms (pid ${PID[$e]})"
}
for e in "${PEER_LIST[@]}"; do start_peer "$e"; done
"$LOADGEN" rss 100 "$RD/rss.csv" "${PID[@]}" &
SAMPLER_PID=$!

# setup.json (Cairn's) and setup-PEER.json: the same experiments and API-made runs on every server
declare -A MAIN_EXP_OF=() MAIN_ART_OF=() POOL_OF=() POOL_ARTS_OF=() HISTORY_RUN_OF=() INGEST_EXP_OF=() SINGLE_EXP_OF=()
for e in "${ENGINES[@]}"; do
    f="$RD/setup.json"
    [ "$e" = cairn ] || f="$RD/setup-$e.json"
    setup=$("${PY[@]}" setup "${BASE_OF[$e]}" "$f" "$OTHER_EXPS" "$HISTORY") || cairn_die "set-up failed on ${LABEL[$e]}: $setup"
    cairn_log "set-up (${LABEL[$e]}): $setup"
    MAIN_EXP_OF[$e]=$(jq -r .main "$f")
    MAIN_ART_OF[$e]=$(jq -r .main_artifacts "$f")
    POOL_OF[$e]=$(jq -r '"{" + (.others | join(",")) + "}"' "$f")
    POOL_ARTS_OF[$e]=$(jq -r '"{" + (.other_artifacts | map("\"" + . + "\"") | join(",")) + "}"' "$f")
    HISTORY_RUN_OF[$e]=$(jq -r .history_run "$f")
    INGEST_EXP_OF[$e]=$(jq -r .ingest_exp "$f")
    SINGLE_EXP_OF[$e]=$(jq -r .single_exp "$f")
done
MAIN_EXP=${MAIN_EXP_OF[cairn]}
POOL=${POOL_OF[cairn]}
PGB_RUN=$(jq -r .pgbench_run "$RD/setup.json")
PGB_SERIES=$(sql -At -c "SELECT series_id FROM metric_series WHERE run_uuid = '$PGB_RUN' AND key = 'pgb'")

# The stages: every size at the first point count, then every further point count at the last size.
STAGES=()
for n in "${SIZE_LIST[@]}"; do STAGES+=("$n:${POINT_LIST[0]}"); done
for p in "${POINT_LIST[@]:1}"; do STAGES+=("${SIZE_LIST[-1]}:$p"); done
jq -n --arg ts "$STAMP" --argjson cpus "$(nproc)" --arg la "$(loadavg)" --arg pgv "$PG_VERSION" --arg pgs "$PG_SETTINGS" \
    --arg dur "$DURABILITY" --arg bin "$CAIRN_BIN" --arg built "$(date -u -r "$CAIRN_BIN" +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git -C "$(dirname "$CAIRN_BIN")" rev-parse --short HEAD 2>/dev/null || echo ?)" \
    --argjson req "$REQUESTS" --argjson warm "$WARMUP" --argjson hist "$HISTORY" --argjson conc "$CONC" \
    --arg stages "${STAGES[*]}" --arg peers "${PEER_LIST[*]}" --arg pv "$PEER_VERSIONS" --argjson budget "$PEER_BUDGET" \
    '{timestamp: $ts, host_cpus: $cpus, loadavg_start: $la, pg_version: $pgv, pg_settings: $pgs, durability: $dur,
      cairn_bin: $bin, cairn_bin_mtime: $built, cairn_commit: $commit, requests: $req, warmup: $warm, history_points: $hist, ingest_conns: $conc,
      peers: ($peers | split(" ") | map(select(length > 0))), peer_versions: $pv, peer_budget_s: $budget,
      stages: ($stages | split(" ") | to_entries | map({name: "stage\(.key + 1)", runs: (.value | split(":")[0] | tonumber),
               points: (.value | split(":")[1] | tonumber)}))}' >"$RD/meta.json"

# ---- bulk load -----------------------------------------------------------------------------------
# psql_load DB LOG_TSV FILE VARS...: runs a load script (statements marked with `\echo step NAME`)
# on DB and appends "step<TAB>rows<TAB>ms" per step to LOG_TSV; prints the batch's rows (inserted or updated).
psql_load() {
    local db=$1 tsv=$2 file=$3 out
    shift 3
    out=$(psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$db" "$@" -f "$file") ||
        { echo "$out" >&2; cairn_die "load failed: $db $file $*"; }
    awk '
        /^step / { step = $2; if (!(step in seen)) { seen[step] = 1; order[++n] = step }; next }
        /^(INSERT|UPDATE) / { rows[step] += $NF; next }
        /^Time: / { ms[step] += $2 }
        END { for (i = 1; i <= n; i++) printf "%s\t%d\t%.3f\n", order[i], rows[order[i]], ms[order[i]] }' <<<"$out" |
        tee -a "$tsv" | awk -F'\t' '{r += $2} END {print r + 0}'
}

LOADED_RUNS=0       # runs of the searched experiment so far
POOL_STEPS=0        # extra points per pool series so far (steps 1..POOL_STEPS)
POOL_SERIES=0
# load_runs ENGINE TSV FROM TO PREFIX EXPS ARTS PER: runs FROM..TO-1 in batches of RUN_BATCH; run i
# in experiment EXPS[i / PER] (EXPS and ARTS: PostgreSQL array literals of ids and artifact
# locations); Cairn: bench/lib/scale_runs.sql, a peer: bench/lib/scale_peer_runs.sql
load_runs() {
    local e=$1 tsv=$2 from=$3 to=$4 prefix=$5 exps=$6 arts=$7 per=$8 a b t0 rows ms file=bench/lib/scale_runs.sql fml=()
    [ "$e" = cairn ] || file=bench/lib/scale_peer_runs.sql fml=(-v fml="$([ "$e" = fasttrack ] && echo true || echo false)")
    for ((a = from; a < to; a += RUN_BATCH)); do
        b=$((a + RUN_BATCH < to ? a + RUN_BATCH : to))
        t0=$(now_ms)
        rows=$(psql_load "${DB[$e]}" "$tsv" "$file" -v a="$a" -v b="$b" -v prefix="$prefix" -v exps="$exps" \
            -v arts="$arts" -v per="$per" -v t0="$T0_MAIN" "${fml[@]}")
        ms=$(($(now_ms) - t0))
        cairn_log "load (${LABEL[$e]}): ${prefix%-} runs $a..$((b - 1)) (this stage: $from..$((to - 1))): $rows rows in $ms ms ($((rows * 1000 / (ms > 0 ? ms : 1))) rows/s)"
    done
}
# load_pool ENGINE TSV: the 50 small experiments' runs (the history pool), once. After Cairn's, the
# pool series' Cairn ids (which the extra points' values use) are copied into each peer's
# database as bench_pool_series (run_uuid, key, sid).
load_pool() {
    local e=$1 tsv=$2
    load_runs "$e" "$tsv" 0 $((OTHER_EXPS * OTHER_RUNS)) pool- "${POOL_OF[$e]}" "${POOL_ARTS_OF[$e]}" "$OTHER_RUNS"
    if [ "$e" = cairn ]; then
        POOL_SERIES=$(sql -At -c "SELECT count(*) FROM metric_series s JOIN runs r ON r.run_uuid = s.run_uuid WHERE r.experiment_id = ANY ('$POOL'::bigint[])")
        cairn_log "load: history pool, $((OTHER_EXPS * OTHER_RUNS)) runs in $OTHER_EXPS experiments, $POOL_SERIES series"
    else
        esql "$e" -c "CREATE TABLE bench_pool_series (run_uuid text, key text, sid bigint, PRIMARY KEY (run_uuid, key))"
        sql -c "\\copy (SELECT s.run_uuid, s.key, s.series_id FROM metric_series s JOIN runs r ON r.run_uuid = s.run_uuid WHERE r.experiment_id = ANY ('$POOL'::bigint[])) TO STDOUT" |
            esql "$e" -c "\\copy bench_pool_series FROM STDIN"
        [ "$(esql "$e" -At -c "SELECT count(*) FROM bench_pool_series")" = "$POOL_SERIES" ] || cairn_die "bench_pool_series of $e is incomplete"
    fi
}
# load_points ENGINE TSV WANT: extra pool points, steps POOL_STEPS+1 .. WANT of every pool series
load_points() {
    local e=$1 tsv=$2 want=$3 per s0 s1 t0 rows ms done_rows=0 all file=bench/lib/scale_points.sql latest=bench/lib/scale_points_latest.sql
    local vars=(-v pool="$POOL")
    [ "$e" = cairn ] || { file=bench/lib/scale_peer_points.sql latest=bench/lib/scale_peer_points_latest.sql
        vars=(-v fml="$([ "$e" = fasttrack ] && echo true || echo false)"); }
    [ "$POOL_SERIES" -gt 0 ] && [ "$want" -gt "$POOL_STEPS" ] || return 0
    per=$((BATCH_ROWS / POOL_SERIES))
    [ "$per" -ge 1 ] || per=1
    all=$(((want - POOL_STEPS) * POOL_SERIES))
    for ((s0 = POOL_STEPS + 1; s0 <= want; s0 += per)); do
        s1=$((s0 + per <= want + 1 ? s0 + per : want + 1))
        t0=$(now_ms)
        rows=$(psql_load "${DB[$e]}" "$tsv" "$file" -v s0="$s0" -v s1="$s1" -v t0="$T0_POOL" "${vars[@]}")
        ms=$(($(now_ms) - t0))
        done_rows=$((done_rows + rows))
        cairn_log "load (${LABEL[$e]}): points, steps $s0..$((s1 - 1)) x $POOL_SERIES series: $rows rows in $ms ms ($((rows * 1000 / (ms > 0 ? ms : 1))) rows/s); $done_rows of $all"
    done
    psql_load "${DB[$e]}" "$tsv" "$latest" -v last="$want" -v t0="$T0_POOL" "${vars[@]}" >/dev/null
}

# ---- measuring -----------------------------------------------------------------------------------
# timed ENGINE OUT_JSON LOADGEN_ARGS...: one loadgen run against a server, with CPU snapshots (the
# server's process tree, PostgreSQL) around it; the result's JSON gets {cpu: {server, postgres},
# requests_incl_warmup, loadavg}.
timed() {
    local e=$1 out=$2 la c0 c1 rc=0 n w tmp pid=${PID[$1]}
    shift 2
    mkdir -p "$(dirname "$out")"
    la=$(loadavg)
    c0=$("$LOADGEN" cpu "$pid" "$PG_PID")
    LOADGEN_LATENCIES="${out%.json}.latencies" "$LOADGEN" -p "${PORT[$e]}" "$@" >"$out" || rc=$?
    c1=$("$LOADGEN" cpu "$pid" "$PG_PID")
    [ -s "$out" ] || echo '{"errors": 1, "first_error": "loadgen produced no result"}' >"$out"
    n=$(jq -r '.requests // 0' "$out")
    w=$(awk '{for (i = 1; i < NF; i++) if ($i == "-w") print $(i + 1)}' <<<"$*")
    tmp=$(jq --argjson a "$c0" --argjson b "$c1" --arg sp "$pid" --arg pp "$PG_PID" --arg la "$la" \
        --argjson n "$((n + ${w:-0}))" \
        '. + {cpu: {server: (($b[$sp] - $a[$sp]) * 100 | round / 100), postgres: (($b[$pp] - $a[$pp]) * 100 | round / 100)},
              requests_incl_warmup: $n, loadavg: $la}' "$out")
    echo "$tmp" >"$out"
    return "$rc"
}
# with_verify OUT VERIFY_JSON_TEXT: merges a verification into a result
with_verify() {
    local tmp
    tmp=$(jq --argjson v "$2" '. + {verify: $v, verified: ($v.verified and .errors == 0)}' "$1")
    echo "$tmp" >"$1"
}
summary() { jq -c '{ok, errors, p50_ms, p95_ms, metrics_per_s, points_min, pages_max, cpu, skipped} | with_entries(select(.value != null))' "$1"; }
# budget_fit FIRST_MS MAX: how many repeats of something whose first took FIRST_MS fit the peers'
# time budget (--peer-budget), at most MAX
budget_fit() {
    awk -v ms="$1" -v budget="$((PEER_BUDGET * 1000))" -v max="$2" \
        'BEGIN {if (ms <= 0) ms = 1; n = int(budget / ms); if (n > max) n = max; print n}'
}
# The peers' time budget: a peer figure gets min(REQUESTS, budget / one request's time) timed
# requests (one warm-up instead of 3 when a request takes over a second); when fewer than 5 fit,
# the figure is skipped (its result says so). peer_requests FIRST_MS prints the count (0: skip).
peer_requests() {
    local n
    n=$(budget_fit "$1" "$REQUESTS")
    if [ "$n" -lt 5 ]; then echo 0; else echo "$n"; fi
}
skipped() { # skipped OUT FIRST_MS: the result of a figure skipped for the budget
    mkdir -p "$(dirname "$1")"
    jq -n --argjson ms "$2" --argjson b "$PEER_BUDGET" \
        '{errors: 0, skipped: "one request took \($ms / 1000 * 100 | round / 100) s: 5 would exceed the \($b) s budget", first_request_ms: $ms}' >"$1"
}
# peer_rounds FIRST_WALL_S: the rounds of a peer's ingest, as many as fit the budget after its
# first (a first without a time counts as 1 s), at least 1, at most --ingest-rounds (MLflow's 1M
# metrics take ~90 s: one round).
peer_rounds() {
    local n
    n=$(budget_fit "$(awk -v s="$1" 'BEGIN {print (s <= 0 ? 1000 : s * 1000)}')" "$INGEST_ROUNDS")
    echo $((n < 1 ? 1 : n))
}
# ingest_median DIR N: DIR/ingest.json = the median of DIR/ingest.1..N.json by metrics/s (of an
# even count the faster middle one, a peer's benefit), with every round's figures in .rounds;
# verified only if every round is. One round of 1M metrics (~3 s for Cairn) is a coin toss for
# the 50M stage's "within 20% of empty": one run's first two stages (2,000 and 50,000 runs, no
# extra points) measured 295k and 362k metrics/s.
ingest_median() {
    local dir=$1 n=$2 i files=()
    for ((i = 1; i <= n; i++)); do files+=("$dir/ingest.$i.json"); done
    jq -s 'sort_by(.metrics_per_s // 0) as $r
        | $r[(length / 2 | floor)] + {rounds: [.[] | {metrics_per_s, wall_s, p50_ms, p95_ms, cpu, verified}],
                                      verified: (all(.[]; .verified == true))}' "${files[@]}" >"$dir/ingest.json"
}
# rdir ENGINE: the directory of the stage's results of a server (Cairn's: the stage's own)
rdir() { if [ "$1" = cairn ]; then echo "$SD"; else echo "$SD/$1"; fi; }
# rotate: ORDER = the servers in the order of figure FIG (rotated by one per figure, so none is always first)
FIG=0 ORDER=()
rotate() {
    local k=${#ENGINES[@]} i
    ORDER=()
    for ((i = 0; i < k; i++)); do ORDER+=("${ENGINES[$(((FIG + i) % k))]}"); done
    FIG=$((FIG + 1))
}
FAILED=0
FAILV='{"verified":false}'
# search_state STATE: per search, verify (with plan) on every server (Cairn first: a
# peer's expected answer is compared with Cairn's), then time it on each, in rotated order
search_state() {
    local state=$1 q path e d ref n w first
    declare -A V=()
    for q in $QUERIES; do
        path=/api/2.0/mlflow/$(jq -r ".[] | select(.name == \"$q\") | .path" "$WORK/q-cairn/queries.json")
        for e in "${ENGINES[@]}"; do
            d=$(rdir "$e")
            mkdir -p "$d/$state" "$d/plans"
            ref=()
            [ "$e" = cairn ] || ref=("$WORK/q-cairn")
            V[$e]=$("${PY[@]}" verify "${BASE_OF[$e]}" "${DSN_OF[$e]}" "$WORK/q-$e" "$q" "$PG_LOG" "$d/plans/$state-$q.txt" "${ref[@]}") || {
                FAILED=1
                cairn_log "VERIFICATION FAILED (${LABEL[$e]}): $q $state ANALYZE: ${V[$e]}"
            }
        done
        rotate
        for e in "${ORDER[@]}"; do
            d=$(rdir "$e")
            n=$REQUESTS w=$WARMUP
            if [ "$e" != cairn ]; then
                first=$(jq -r '.first_request_ms // 1000' <<<"${V[$e]:-$FAILV}")
                n=$(peer_requests "$first")
                awk -v ms="$first" 'BEGIN {exit !(ms > 1000)}' && w=1
            fi
            if [ "$n" = 0 ]; then
                skipped "$d/$state/$q.json" "$first"
            else
                timed "$e" "$d/$state/$q.json" -c 1 -n "$n" -w "$w" post "$path" "$WORK/q-$e/$q.body.json" || FAILED=1
            fi
            with_verify "$d/$state/$q.json" "${V[$e]:-$FAILV}"
            cairn_log "$q $state ANALYZE (${LABEL[$e]}): $(summary "$d/$state/$q.json"); plan: $(jq -r '.plan // "?"' <<<"${V[$e]:-$FAILV}" | cut -c1-160)"
        done
    done
}
# pgbench_latency OUT_JSON DB SCRIPT N [pgbench -D args...]: c=1, prepared; p50/p95 from the per-transaction log
pgbench_latency() {
    local out=$1 db=$2 script=$3 n=$4 dir
    shift 4
    dir=$(mktemp -d -p "$WORK")
    (cd "$dir" && "$PGBIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$PGPORT" -U postgres -c 1 -t "$n" -l --log-prefix=lat \
        "$@" -f "$script" "$db" >"$out.txt" 2>&1) || { cat "$out.txt" >&2; cairn_die "pgbench failed"; }
    cat "$dir"/lat.* | awk '{print $3 / 1000}' | sort -n | awk -v la="$(loadavg)" '{a[NR] = $1}
        END {i50 = int((NR + 1) / 2); i95 = int(NR * 0.95 + 0.5); if (i95 < 1) i95 = 1
             printf "{\"transactions\": %d, \"p50_ms\": %.4f, \"p95_ms\": %.4f, \"loadavg\": \"%s\"}\n", NR, a[i50], a[i95], la}' >"$out"
}
# peer_counts ENGINE: a peer's row counts (its own tables), JSON
peer_counts() {
    esql "$1" -At -c "SELECT json_build_object('runs (searched experiment)', (SELECT count(*) FROM runs WHERE experiment_id = ${MAIN_EXP_OF[$1]}),
        'runs', (SELECT count(*) FROM runs), 'params', (SELECT count(*) FROM params), 'tags', (SELECT count(*) FROM tags),
        'latest_metrics', (SELECT count(*) FROM latest_metrics), 'metrics', (SELECT count(*) FROM metrics),
        'experiments', (SELECT count(*) FROM experiments))"
}

# ---- stages --------------------------------------------------------------------------------------
STAGE_NO=0
for st in "${STAGES[@]}"; do
    STAGE_NO=$((STAGE_NO + 1))
    runs=${st%%:*} points=${st##*:}
    SD="$RD/stage$STAGE_NO"
    mkdir -p "$SD"
    for e in "${PEER_LIST[@]}"; do mkdir -p "$SD/$e"; done
    cairn_section "Stage $STAGE_NO: $runs runs, $points extra points"
    for e in "${ENGINES[@]}"; do echo 5 2>/dev/null >/proc/"${PID[$e]}"/clear_refs || true; done # resets VmHWM to the current RSS
    stage_start=$(now_ms)
    la=$(loadavg)
    want=$((POOL_SERIES > 0 ? points / POOL_SERIES : 0))
    declare -A LOAD_WALL=()
    for e in "${ENGINES[@]}"; do # Cairn first: the pool's series ids come from its load
        tsv="$(rdir "$e")/load.tsv"
        : >"$tsv"
        t0=$(now_ms)
        if [ "$STAGE_NO" = 1 ]; then
            load_pool "$e" "$tsv"
            want=$((points / POOL_SERIES))
        fi
        load_runs "$e" "$tsv" "$LOADED_RUNS" "$runs" main- "{${MAIN_EXP_OF[$e]}}" "{\"${MAIN_ART_OF[$e]}\"}" 1000000000
        load_points "$e" "$tsv" "$want"
        LOAD_WALL[$e]=$(($(now_ms) - t0))
        if [ -s "$tsv" ]; then
            cairn_log "load of the stage (${LABEL[$e]}), per statement type: $(awk -F'\t' '{r[$1] += $2; m[$1] += $3} END {
                for (k in r) if (r[k] > 0) printf "%s %d rows in %.2f s (%d rows/s); ", k, r[k], m[k] / 1000, r[k] / (m[k] > 0 ? m[k] / 1000 : 1)}' "$tsv")wall ${LOAD_WALL[$e]} ms"
        fi
        esql "$e" -c "CHECKPOINT"
    done
    load_wall=${LOAD_WALL[cairn]}
    LOADED_RUNS=$runs
    [ "$want" -gt "$POOL_STEPS" ] && POOL_STEPS=$want
    counts=$(sql -At -c "SELECT json_build_object('runs (searched experiment)', (SELECT count(*) FROM runs WHERE experiment_id = $MAIN_EXP),
        'runs', (SELECT count(*) FROM runs), 'params', (SELECT count(*) FROM params), 'run_tags', (SELECT count(*) FROM run_tags),
        'latest_metrics', (SELECT count(*) FROM latest_metrics), 'metric_series', (SELECT count(*) FROM metric_series),
        'metric_points', (SELECT count(*) FROM metric_points), 'experiments', (SELECT count(*) FROM experiments))")
    cairn_log "rows: $counts"
    # a peer's seed: its row counts, and through its REST API against Cairn's (scale_bench.py check-seed)
    for e in "${PEER_LIST[@]}"; do
        c=$(peer_counts "$e")
        v=$("${PY[@]}" check-seed "$BASE" "${BASE_OF[$e]}" "$runs" $((OTHER_EXPS * OTHER_RUNS)) "$POOL_STEPS") || {
            FAILED=1
            cairn_log "SEED CHECK FAILED (${LABEL[$e]}): $v"
        }
        [ "$(jq '.["runs (searched experiment)"]' <<<"$c")" = "$runs" ] || { FAILED=1; cairn_log "SEED CHECK FAILED (${LABEL[$e]}): $c"; }
        jq -n --argjson c "$c" --argjson v "${v:-$FAILV}" '{counts: $c, seed_check: $v}' >"$SD/$e/seed.json"
        cairn_log "rows (${LABEL[$e]}): $c; seed through the API: $(jq -c '{verified, runs_compared, pool_history_points, differences}' <<<"${v:-$FAILV}")"
    done

    # the searches: bodies, expected SQL, the deep page's token (per server: its own experiment ids)
    page=$((runs / 50 < 100 ? runs / 50 : 100))
    for e in "${ENGINES[@]}"; do
        mkdir -p "$WORK/q-$e"
        QUERIES=$("${PY[@]}" queries "$WORK/q-$e" "${MAIN_EXP_OF[$e]}" "$page" "$e")
        "${PY[@]}" page-token "${BASE_OF[$e]}" "$WORK/q-$e" 50 >/dev/null || cairn_die "could not reach page 50 on ${LABEL[$e]}"
        cp "$WORK/q-$e/deep.token.json" "$(rdir "$e")/deep.token.json"
    done
    search_state before
    declare -A ANALYZE_MS=() VACUUM_MS=()
    for e in "${ENGINES[@]}"; do
        ANALYZE_MS[$e]=$(timed_sql "${DB[$e]}" "ANALYZE")
        cairn_log "ANALYZE (${LABEL[$e]}): ${ANALYZE_MS[$e]} ms"
    done
    analyze_ms=${ANALYZE_MS[cairn]}
    search_state after
    for e in "${ENGINES[@]}"; do
        VACUUM_MS[$e]=$(timed_sql "${DB[$e]}" "VACUUM")
        esql "$e" -c "CHECKPOINT"
        cairn_log "VACUUM (${LABEL[$e]}): ${VACUUM_MS[$e]} ms"
    done
    vacuum_ms=${VACUUM_MS[cairn]}

    # history: 50,000 points, client-style (FastTrackML answers in one page: it ignores max_results)
    rotate
    for e in "${ORDER[@]}"; do
        d=$(rdir "$e")
        url="/api/2.0/mlflow/metrics/get-history?run_id=${HISTORY_RUN_OF[$e]}&metric_key=loss&max_results=25000"
        n=$REQUESTS w=2
        if [ "$e" != cairn ]; then
            timed "$e" "$d/history.probe.json" -c 1 -n 1 get "$url" follow || FAILED=1
            first=$(jq -r '.p50_ms // 1000' "$d/history.probe.json")
            n=$(peer_requests "$first")
            awk -v ms="$first" 'BEGIN {exit !(ms > 1000)}' && w=1
        fi
        if [ "$n" = 0 ]; then
            skipped "$d/history.json" "$first"
        else
            timed "$e" "$d/history.json" -c 1 -n "$n" -w "$w" get "$url" follow || FAILED=1
        fi
        v=$("${PY[@]}" verify-history "${BASE_OF[$e]}" "${HISTORY_RUN_OF[$e]}" loss "$HISTORY") || FAILED=1
        with_verify "$d/history.json" "$(jq -c --argjson n "$HISTORY" --argjson s "${v:-$FAILV}" \
            '{verified: ($s.verified and (.skipped != null or (.points_min == $n and .points_max == $n and .pages_max == $s.pages))),
              points_min, pages_max, read_back: $s}' "$d/history.json")"
        cairn_log "history (${LABEL[$e]}): $(summary "$d/history.json")"
    done

    # single log-metric on a new run
    rotate
    for e in "${ORDER[@]}"; do
        d=$(rdir "$e")
        rid=$("${PY[@]}" create-run "${BASE_OF[$e]}" "${SINGLE_EXP_OF[$e]}" "single-$STAGE_NO")
        timed "$e" "$d/single.json" -c 1 -n "$SINGLE" -w 10 logmetric "$rid" single "$TS_BASE" || FAILED=1
        v=$("${PY[@]}" verify-single "${BASE_OF[$e]}" "$rid" single $((SINGLE + 10))) || FAILED=1
        with_verify "$d/single.json" "${v:-$FAILV}"
        cairn_log "log-metric (${LABEL[$e]}): $(summary "$d/single.json")"
    done

    # the HTTP floor: GET /version, which no server answers from its database (what any request costs)
    rotate
    for e in "${ORDER[@]}"; do
        d=$(rdir "$e")
        timed "$e" "$d/floor.json" -c 1 -n "$SINGLE" -w 10 get /version || FAILED=1
        with_verify "$d/floor.json" "$(jq -c '{verified: (.errors == 0 and .ok == .requests and .bytes_received > 0)}' "$d/floor.json")"
        cairn_log "floor (${LABEL[$e]}): $(summary "$d/floor.json")"
    done

    # batch ingest, --ingest-rounds rounds (the servers alternating within each), each into 20 new
    # runs; a server's figure is its median round (see ingest_median)
    declare -A ROUNDS_OF=()
    for e in "${ENGINES[@]}"; do ROUNDS_OF[$e]=$INGEST_ROUNDS; done
    for ((round = 1; round <= INGEST_ROUNDS; round++)); do
        rotate
        for e in "${ORDER[@]}"; do
            [ "$round" -le "${ROUNDS_OF[$e]}" ] || continue
            d=$(rdir "$e")
            "${PY[@]}" create-runs "${BASE_OF[$e]}" "${INGEST_EXP_OF[$e]}" "$INGEST_RUNS" "ingest-$STAGE_NO-$round" "$d/ingest_runs.$round.txt" >/dev/null
            esql "$e" -c "CHECKPOINT"
            timed "$e" "$d/ingest.$round.json" -c "$CONC" -n "$INGEST_REQS" logbatch "$d/ingest_runs.$round.txt" "$KEYS" "$SPR" "$TS_BASE" || FAILED=1
            v=$("${PY[@]}" verify-ingest "${BASE_OF[$e]}" "${DSN_OF[$e]}" "$d/ingest_runs.$round.txt" "$KEYS" "$INGEST_STEPS" "$e") || FAILED=1
            with_verify "$d/ingest.$round.json" "${v:-$FAILV}"
            cairn_log "ingest round $round (${LABEL[$e]}): $(summary "$d/ingest.$round.json") verify: $v"
            if [ "$round" = 1 ] && [ "$e" != cairn ]; then
                ROUNDS_OF[$e]=$(peer_rounds "$(jq -r '.wall_s // 0' "$d/ingest.1.json")")
            fi
        done
    done
    for e in "${ENGINES[@]}"; do
        d=$(rdir "$e")
        ingest_median "$d" "${ROUNDS_OF[$e]}"
        cp "$d/ingest_runs.1.txt" "$d/ingest_runs.txt"
        cairn_log "ingest (${LABEL[$e]}): $(jq -c '{metrics_per_s, rounds: [.rounds[].metrics_per_s | round], verified}' "$d/ingest.json")"
    done

    # baselines: \copy of the same rows into metric_points (deleted again), pgbench commits. Each
    # round's rows have their own series ids (1e12 + 1e6 per round): with the same ids, a round's
    # every unique check found the deleted rows of the round before in the index and visited them
    # in the heap, which slowed the second and third rounds by a quarter and flattered the ratio.
    secs=()
    for copy_round in 1 2 3; do
        "${PY[@]}" copy-csv "$SD/ingest_runs.txt" "$KEYS" "$INGEST_STEPS" "$TS_BASE" $((1000000000000 + (copy_round - 1) * 1000000)) \
            "$WORK/points.csv" >/dev/null
        sql -c "CHECKPOINT"
        ms=$(sql -c '\timing on' -c "\\copy metric_points FROM '$WORK/points.csv' WITH (FORMAT csv)" | awk '/^Time:/ {print $2}' | tail -n 1)
        n=$(sql -At -c "SELECT count(*) FROM metric_points WHERE series_id >= 1000000000000")
        sql -c "DELETE FROM metric_points WHERE series_id >= 1000000000000"
        [ "$n" = $((INGEST_RUNS * INGEST_STEPS * KEYS)) ] || { FAILED=1; cairn_log "COPY loaded $n rows"; }
        secs+=("$ms")
    done
    sql -c "VACUUM metric_points"
    printf '%s\n' "${secs[@]}" | jq -s --argjson rows $((INGEST_RUNS * INGEST_STEPS * KEYS)) --arg la "$(loadavg)" \
        '{rows: $rows, ms: ., rows_per_s_median: ($rows / ((sort | .[1]) / 1000)), loadavg: $la,
          note: "psql \\copy of a CSV of the ingest rows (other series ids, new ones each round) into the live metric_points, one transaction, deleted after each"}' >"$SD/copy.json"
    cairn_log "copy: $(jq -c '{ms, rows_per_s_median}' "$SD/copy.json")"
    echo 'INSERT INTO one_row VALUES (:client_id, random());' >"$WORK/one_row.sql"
    pgbench_latency "$SD/pgbench_commit.json" scratch "$WORK/one_row.sql" "$SINGLE"
    # Cairn's log-metric statement (SQLTrackingStore+Metrics: the run's details version bumped if
    # the run is active, then history insert, latest upsert and the chart-cache delete as CTEs, the
    # writes guarded by the bump), one point per call; step and timestamp from the clock (one value
    # for both inserts), as the series' next point.
    cat >"$WORK/logmetric.sql" <<'EOF'
WITH c AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8 AS ts),
bumped AS (INSERT INTO run_detail_versions (run_uuid, version)
  SELECT :rid::text, 1 WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = :rid::text AND lifecycle_stage = 'active')
  ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1
  RETURNING set_config('cairn.detail_version_bumped', run_detail_versions.run_uuid, true)),
history AS (INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
  SELECT :sid::int8, c.ts, c.ts, 0.5, 0 FROM c WHERE EXISTS (SELECT 1 FROM bumped)),
newest AS (INSERT INTO latest_metrics (run_uuid, key, timestamp, step, value, is_nan)
  SELECT :rid::text, 'pgb', c.ts, c.ts, 0.5, 0 FROM c WHERE EXISTS (SELECT 1 FROM bumped)
  ON CONFLICT (run_uuid, key) DO UPDATE SET timestamp = excluded.timestamp, step = excluded.step, value = excluded.value, is_nan = excluded.is_nan
  WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan, latest_metrics.value)),
charts AS (DELETE FROM metric_chart_cache WHERE series_id = :sid::int8)
SELECT lifecycle_stage FROM runs WHERE run_uuid = :rid::text;
EOF
    pgbench_latency "$SD/pgbench_logmetric.json" cairn "$WORK/logmetric.sql" "$SINGLE" -D sid="$PGB_SERIES" -D rid="$PGB_RUN"
    cairn_log "pgbench: commit $(jq -c . "$SD/pgbench_commit.json"), log-metric statement $(jq -c . "$SD/pgbench_logmetric.json")"

    # sizes, memory, the stage's record
    db_mb=$(sql -At -c "SELECT pg_database_size('cairn') / 1048576")
    points_mb=$(sql -At -c "SELECT pg_total_relation_size('metric_points') / 1048576")
    hwm=$(awk '/^VmHWM:/ {print $2}' /proc/"$CAIRN_PID"/status)
    peak=$(awk -F, -v t="$stage_start" -v p="$CAIRN_PID" 'NR > 1 && $1 >= t && $2 == p && $4 > m {m = $4} END {print m + 0}' "$RD/rss.csv")
    jq -n --arg name "stage$STAGE_NO" --argjson runs "$runs" --argjson points "$points" --argjson counts "$counts" \
        --argjson pool_steps "$POOL_STEPS" --argjson pool_series "$POOL_SERIES" --arg la "$la" \
        --argjson wall "$load_wall" --argjson an "${analyze_ms:-null}" --argjson vac "${vacuum_ms:-null}" \
        --argjson db "$db_mb" --argjson pts "$points_mb" --argjson hwm "${hwm:-0}" --argjson peak "$peak" \
        --slurpfile queries "$WORK/q-cairn/queries.json" --rawfile load "$SD/load.tsv" \
        '{name: $name, runs: $runs, points: $points, extra_points_stored: ($pool_steps * $pool_series), pool_steps: $pool_steps,
          pool_series: $pool_series, counts: $counts, loadavg: $la,
          load: ($load | split("\n") | map(select(length > 0) | split("\t") | {step: .[0], rows: (.[1] | tonumber), ms: (.[2] | tonumber)})
                 | group_by(.step) | map({step: .[0].step, rows: (map(.rows) | add), ms: (map(.ms) | add)})),
          load_wall_s: ($wall / 1000), analyze_ms: $an, vacuum_ms: $vac, db_mb: $db, points_mb: $pts,
          rss: {vmhwm_kb: $hwm, sampled_peak_kb: $peak}, queries: $queries[0]}' >"$SD/stage.json"
    # the peers' own record: their load, ANALYZE, VACUUM, database size, peak memory of the process
    # tree (MLflow: the CLI and its uvicorn workers) sampled every 100 ms
    for e in "${PEER_LIST[@]}"; do
        peak=$(awk -F, -v t="$stage_start" -v p="${PID[$e]}" 'NR > 1 && $1 >= t && $2 == p && $3 > m {m = $3} END {print m + 0}' "$RD/rss.csv")
        jq -n --arg name "${LABEL[$e]}" --argjson wall "${LOAD_WALL[$e]}" --argjson an "${ANALYZE_MS[$e]:-null}" \
            --argjson vac "${VACUUM_MS[$e]:-null}" --argjson db "$(esql "$e" -At -c "SELECT pg_database_size('${DB[$e]}') / 1048576")" \
            --argjson peak "$peak" --slurpfile seed "$SD/$e/seed.json" --rawfile load "$SD/$e/load.tsv" \
            '{server: $name, load: ($load | split("\n") | map(select(length > 0) | split("\t") | {step: .[0], rows: (.[1] | tonumber), ms: (.[2] | tonumber)})
                 | group_by(.step) | map({step: .[0].step, rows: (map(.rows) | add), ms: (map(.ms) | add)})),
              load_wall_s: ($wall / 1000), analyze_ms: $an, vacuum_ms: $vac, db_mb: $db, rss_tree_peak_kb: $peak} + $seed[0]' >"$SD/$e/peer.json"
    done
done

kill -TERM "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
meta=$(jq --arg la "$(loadavg)" '. + {loadavg_end: $la}' "$RD/meta.json")
echo "$meta" >"$RD/meta.json"
cp "$PG_LOG" "$RD/postgres.log"
cairn_section "Results"
"${PY[@]}" report "$RD" "$RESULTS/scale-$STAMP.md" || FAILED=1
cairn_log "wrote $RESULTS/scale-$STAMP.md; raw results, plans and logs in $RD/"
[ "$FAILED" = 0 ] || cairn_die "a verification or a request failed (see above)"
