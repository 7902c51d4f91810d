#!/usr/bin/env bash
# Cairn vs MLflow 3.17.2 on the same PostgreSQL, in one run (issue 2; see BENCHMARKS.md).
#
# Starts a throwaway PostgreSQL 15 cluster, one database per server, `mlflow server` (from the
# project's .venv) and a release `cairn serve`, and measures both with the same load generator
# (bench/loadgen.c, compiled here):
#   (a) ingest via runs/log-batch: 8 connections, 1000 metrics per request, 100,000 metrics per
#       round (20 runs x 500 steps x 10 keys, every point distinct); verified point by point
#   (b) get-history of a 50,000-point metric: client-style (2 pages of 25,000 following
#       next_page_token) and one unpaged request, 20 fetches each
#   (c) runs/search over 2,000 runs, "metrics.acc > 0.5 and params.optimizer = 'adam'" ordered
#       by "metrics.acc DESC", 100 per page, 50 queries; result set verified once
#   (d) runs/log-metric at concurrency 1, 500 calls (+10 warm-up); read back
# plus start-up to the first /health 200, idle and peak RSS (sampled every 100 ms), CPU seconds
# of server / PostgreSQL / load generator per phase, and two PostgreSQL-only baselines: `\copy` of
# the same 100,000 rows, and Cairn's own ingest SQL driven by pgbench.
#
# Prints a Markdown table; writes bench/results/<timestamp>.json (+ .md) and keeps logs in
# bench/results/<timestamp>/. Everything started is stopped on exit.
#
# usage: bench/run.sh [--durability on|off] [--quick] [--cairn-bin PATH] [--cairn-rounds N]
#                     [--servers mlflow,cairn]
#   --durability on   (default) PostgreSQL's defaults: fsync=on, synchronous_commit=on,
#                     full_page_writes=on; every acknowledged write is on disk.
#   --durability off  fsync=off, synchronous_commit=off, full_page_writes=off (the test recipe).
#   --quick           a small smoke run (minutes less; figures not comparable).
#   --cairn-bin       default: .build/release/cairn (built with `swift build -c release` if absent)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/python.sh
source bench/lib/bench_pg.sh

DURABILITY=on
QUICK=0
CAIRN_BIN="$ROOT/.build/release/cairn"
CAIRN_ROUNDS=5
MLFLOW_ROUNDS=1
SERVERS="mlflow,cairn"
while [ $# -gt 0 ]; do
    case "$1" in
        --durability) DURABILITY=$2; shift ;;
        --quick) QUICK=1 ;;
        --cairn-bin) CAIRN_BIN=$2; shift ;;
        --cairn-rounds) CAIRN_ROUNDS=$2; shift ;;
        --servers) SERVERS=$2; shift ;;
        -h | --help) cairn_usage "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
PG_OPTS=$(bench_pg_durability "$DURABILITY")

# workload (defaults = shared/reference/mlflow-rest-api.md section 2)
RUNS=20 STEPS=500 KEYS=10 CONC=8 HISTORY=50000 HIST_ITERS=20 SEARCH_RUNS=2000 SEARCH_ITERS=50 SINGLE=500
if [ "$QUICK" = 1 ]; then
    RUNS=4 STEPS=200 HISTORY=5000 HIST_ITERS=5 SEARCH_RUNS=200 SEARCH_ITERS=10 SINGLE=100 CAIRN_ROUNDS=2
fi
SPR=$((1000 / KEYS))                   # steps per log-batch request (1000 metrics)
INGEST_REQS=$((RUNS * STEPS / SPR))    # 100 requests = 100,000 metrics

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results"
RD="$RESULTS/$STAMP"
mkdir -p "$RD/mlflow" "$RD/cairn"
WORK=$(mktemp -d -t cairn-bench.XXXXXX)
chmod 755 "$WORK"

# ---- cleanup -------------------------------------------------------------------------------------
MLFLOW_PID="" CAIRN_PID="" SAMPLER_PID=""
# stop_tree and descendants: bench/lib/bench_pg.sh
cleanup() {
    set +e
    [ -n "$SAMPLER_PID" ] && kill -TERM "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
    stop_tree "$CAIRN_PID"
    stop_tree "$MLFLOW_PID"
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

# bench_free_port: bench/lib/bench_pg.sh

# ---- prerequisites -------------------------------------------------------------------------------
cairn_section "Set-up"
command -v curl >/dev/null || cairn_apt_install curl
command -v jq >/dev/null || cairn_apt_install jq
command -v gcc >/dev/null || cairn_apt_install gcc libc6-dev
LOADGEN="$WORK/loadgen"
gcc -O2 -pthread -o "$LOADGEN" bench/loadgen.c
if [[ ",$SERVERS," == *",cairn,"* ]] && [ ! -x "$CAIRN_BIN" ]; then
    cairn_log "no $CAIRN_BIN: swift build -c release --product cairn (cold: 20-30 min on 2 cores)"
    swift build -c release --product cairn
fi
cairn_python_env "$ROOT"
if [[ ",$SERVERS," == *",mlflow,"* ]]; then
    "$CAIRN_PYTHON" -c 'import psycopg2' 2>/dev/null ||
        "$CAIRN_PYTHON" -m pip install -q --disable-pip-version-check psycopg2-binary
fi
PY="$CAIRN_PYTHON"
BENCH_PY="$ROOT/bench/bench.py"
MLFLOW_VERSION=$("$PY" -c 'import mlflow; print(mlflow.__version__)' 2>/dev/null || echo "?")

# ---- PostgreSQL ----------------------------------------------------------------------------------
# Same recipe as scripts/lib/postgres.sh (throwaway cluster in a temp dir, 127.0.0.1 only), but the
# durability settings are chosen here and are the same for both servers.
# max_connections: MLflow's 4 workers x SQLAlchemy pool (5 + 10 overflow) + Cairn's pool (20).
bench_pg_start "-c max_connections=200 -c log_autovacuum_min_duration=0 $PG_OPTS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
for db in mlflow cairn copybench rawsql; do "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"; done
PG_VERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
PG_SETTINGS=$("${PSQL[@]}" -At -d postgres -c "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','shared_buffers','max_connections')")
cairn_log "PostgreSQL $PG_VERSION on 127.0.0.1:$PGPORT ($PG_SETTINGS)"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
json_num() { jq -r "$1" "$2"; }

cat >"$RD/meta.json" <<EOF
{"timestamp": "$STAMP", "host_cpus": $(nproc), "kernel": "$(uname -r)", "loadavg_start": "$(loadavg)",
 "pg_version": "$PG_VERSION", "pg_settings": "$PG_SETTINGS", "durability": "$DURABILITY",
 "mlflow_version": "$MLFLOW_VERSION", "cairn_bin": "$CAIRN_BIN", "cairn_commit": "$(git -C "$(dirname "$CAIRN_BIN")" rev-parse --short HEAD 2>/dev/null || echo ?)",
 "workload": {"runs": $RUNS, "steps": $STEPS, "keys": $KEYS, "concurrency": $CONC, "ingest_requests": $INGEST_REQS,
   "history_points": $HISTORY, "history_iters": $HIST_ITERS, "search_runs": $SEARCH_RUNS, "search_iters": $SEARCH_ITERS,
   "single_calls": $SINGLE, "cairn_ingest_rounds": $CAIRN_ROUNDS, "mlflow_ingest_rounds": $MLFLOW_ROUNDS, "quick": $QUICK}}
EOF

# ---- servers -------------------------------------------------------------------------------------
# wait_health PORT SINCE_NS PID TIMEOUT_MS: prints {"ok":..,"elapsed_ms":..}; loadgen polls every 2 ms
# and gives up when PID exits. Returns 1 when the server did not come up.
wait_health() {
    local out
    out=$("$LOADGEN" -p "$1" wait /health "$4" "$2" "$3") || true
    echo "$out"
    [ "$(jq -r .ok <<<"$out")" = true ] && kill -0 "$3" 2>/dev/null
}
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' /proc/"$1"/status; }
tree_rss() { # prints "kb procs"
    local total=0 n=0 p
    for p in "$1" $(descendants "$1"); do
        total=$((total + $(rss_kb "$p" 2>/dev/null || echo 0))); n=$((n + 1))
    done
    echo "$total $n"
}

# start_cairn OUT_JSON: sets CAIRN_PID and CAIRN_PORT (a new free port when the first is taken)
start_cairn() {
    local t0 attempt
    for attempt in 1 2 3; do
        CAIRN_PORT=$(bench_free_port)
        t0=$(date +%s%N)
        "$CAIRN_BIN" serve --host 127.0.0.1 --port "$CAIRN_PORT" \
            --database-url "postgres://postgres@127.0.0.1:$PGPORT/cairn" --artifacts-uri "$WORK/cairn-artifacts" >>"$RD/cairn.log" 2>&1 &
        CAIRN_PID=$!
        wait_health "$CAIRN_PORT" "$t0" "$CAIRN_PID" 30000 >"$1" && return 0
        cairn_log "cairn did not come up on port $CAIRN_PORT (attempt $attempt): $(cat "$1")"
        tail -n 20 "$RD/cairn.log" >&2
        stop_tree "$CAIRN_PID"
    done
    cairn_die "cairn serve did not start (log: $RD/cairn.log)"
}

if [[ ",$SERVERS," == *",cairn,"* ]]; then
    cairn_section "Cairn: start-up"
    mkdir -p "$WORK/cairn-artifacts"
    start_cairn "$WORK/s1.json"
    stop_tree "$CAIRN_PID"
    sleep 1
    start_cairn "$WORK/s2.json"
    echo "{\"fresh_db_ms\": $(jq .elapsed_ms "$WORK/s1.json"), \"existing_db_ms\": $(jq .elapsed_ms "$WORK/s2.json"), \"port\": $CAIRN_PORT}" >"$RD/cairn/startup.json"
    sleep 3
    echo "{\"root_kb\": $(rss_kb "$CAIRN_PID"), \"after_s\": 3}" >"$RD/cairn/idle_rss.json"
    cairn_log "cairn pid $CAIRN_PID: start-up $(cat "$RD/cairn/startup.json"), idle $(cat "$RD/cairn/idle_rss.json")"
fi

if [[ ",$SERVERS," == *",mlflow,"* ]]; then
    cairn_section "MLflow: start-up (about 30 s)"
    mkdir -p "$WORK/mlflow-artifacts"
    up=0
    for attempt in 1 2 3; do
        MLFLOW_PORT=$(bench_free_port)
        t0=$(date +%s%N)
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false "$CAIRN_VENV/bin/mlflow" server \
            --backend-store-uri "postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/mlflow" \
            --artifacts-destination "$WORK/mlflow-artifacts" --host 127.0.0.1 --port "$MLFLOW_PORT" >>"$RD/mlflow.log" 2>&1 &
        MLFLOW_PID=$!
        if wait_health "$MLFLOW_PORT" "$t0" "$MLFLOW_PID" 300000 >"$WORK/m.json"; then up=1; break; fi
        cairn_log "mlflow did not come up on port $MLFLOW_PORT (attempt $attempt): $(cat "$WORK/m.json")"
        tail -n 20 "$RD/mlflow.log" >&2
        stop_tree "$MLFLOW_PID"
    done
    [ "$up" = 1 ] || cairn_die "mlflow server did not start (log: $RD/mlflow.log)"
    # attempt > 1: the database was already migrated by the failed attempt
    echo "{\"fresh_db_ms\": $(jq .elapsed_ms "$WORK/m.json"), \"attempt\": $attempt, \"port\": $MLFLOW_PORT}" >"$RD/mlflow/startup.json"
    sleep 5
    read -r kb procs < <(tree_rss "$MLFLOW_PID")
    echo "{\"tree_kb\": $kb, \"procs\": $procs, \"after_s\": 5}" >"$RD/mlflow/idle_rss.json"
    cairn_log "mlflow pid $MLFLOW_PID: start-up $(cat "$RD/mlflow/startup.json"), idle $(cat "$RD/mlflow/idle_rss.json")"
fi
meta=$(jq ". + {mlflow_pid: ${MLFLOW_PID:-null}, cairn_pid: ${CAIRN_PID:-null}, pg_pid: $PG_PID}" "$RD/meta.json")
echo "$meta" >"$RD/meta.json"

"$LOADGEN" rss 100 "$RD/rss.csv" ${MLFLOW_PID:+"$MLFLOW_PID"} ${CAIRN_PID:+"$CAIRN_PID"} &
SAMPLER_PID=$!

# ---- phases --------------------------------------------------------------------------------------
# alive PHASE: both servers must still run; a server that died mid-run invalidates the run.
alive() {
    local s pid
    for s in mlflow cairn; do
        enabled "$s" || continue
        if [ "$s" = mlflow ]; then pid=$MLFLOW_PID; else pid=$CAIRN_PID; fi
        if ! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' /proc/"$pid"/status 2>/dev/null; then
            tail -n 20 "$RD/$s.log" >&2
            cairn_die "$s (pid $pid) is no longer running before phase '$1' (log above; dmesg: $(dmesg 2>/dev/null | tail -n 1))"
        fi
    done
}
# pg_writes: PostgreSQL's cumulative checkpoint and buffer-write counters as JSON: which share of a
# phase's writes the checkpointer, the background writer and the backends did, and how many
# checkpoints fell inside it.
# ({} where pg_stat_bgwriter lacks these columns: PostgreSQL 17 moved them to pg_stat_checkpointer.)
pg_writes() {
    "${PSQL[@]}" -At -d postgres -c "SELECT json_build_object('checkpoints', checkpoints_timed + checkpoints_req,
        'buffers_checkpoint', buffers_checkpoint, 'buffers_clean', buffers_clean, 'buffers_backend', buffers_backend)
        FROM pg_stat_bgwriter" 2>/dev/null || echo '{}'
}
# phase SERVER NAME OUT_JSON LOADGEN_ARGS...: runs one timed loadgen invocation against SERVER with
# CPU snapshots (server tree, PostgreSQL tree) around it; appends a line to phases.jsonl.
phase() {
    local server=$1 name=$2 out=$3 spid port la t0 t1 c0 c1 w0 w1 rc=0
    shift 3
    alive "$server/$name"
    if [ "$server" = mlflow ]; then spid=$MLFLOW_PID port=$MLFLOW_PORT; else spid=$CAIRN_PID port=$CAIRN_PORT; fi
    la=$(loadavg)
    w0=$(pg_writes)
    c0=$("$LOADGEN" cpu "$spid" "$PG_PID")
    t0=$(now_ms)
    LOADGEN_LATENCIES="${out%.json}.latencies" "$LOADGEN" -p "$port" "$@" >"$out" || rc=$?
    [ -s "$out" ] || echo '{"errors": 1, "first_error": "loadgen produced no result"}' >"$out"
    t1=$(now_ms)
    c1=$("$LOADGEN" cpu "$spid" "$PG_PID")
    w1=$(pg_writes)
    jq -c -n --arg name "$server/$name" --arg server "$server" --arg la "$la" --argjson a "$c0" --argjson b "$c1" \
        --argjson w0 "$w0" --argjson w1 "$w1" \
        --argjson t0 "$t0" --argjson t1 "$t1" --slurpfile r "$out" --arg sp "$spid" --arg pp "$PG_PID" \
        '{name: $name, server: $server, loadavg: $la, start_ms: $t0, end_ms: $t1, wall_s: ($r[0].wall_s),
          client_cpu_s: ($r[0].client_cpu_s),
          cpu: {server: (($b[$sp] - $a[$sp]) * 100 | round / 100), postgres: (($b[$pp] - $a[$pp]) * 100 | round / 100)},
          pg_writes: ($w1 | with_entries(.value -= $w0[.key]))}' \
        >>"$RD/phases.jsonl"
    cairn_log "$server/$name: $(jq -c '{ok, errors, wall_s, p50_ms, p95_ms, p99_ms, metrics_per_s, points_min, points_max, pages_max} | with_entries(select(.value != null))' "$out") load $la"
    return "$rc"
}
# settle SERVER: after a set-up, VACUUM (ANALYZE) the server's database, so that fresh statistics are
# in place and autovacuum has no backlog to work off during the next timed phase, then CHECKPOINT,
# so that the pages the last phase dirtied are written now and not by the checkpointer during the
# next timed phase, whose PostgreSQL CPU and time would otherwise carry them (Cairn's first ingest
# round, right after MLflow's last, used about 0.35 s more PostgreSQL CPU than its later rounds).
# Both servers get the same treatment, also before their first round.
settle() { "${PSQL[@]}" -d "$1" -c "VACUUM (ANALYZE)" -c "CHECKPOINT"; }
# with_verify OUT VERIFY_JSON_TEXT: merges a verification into a phase result
with_verify() {
    local tmp
    tmp=$(jq --argjson v "$2" '. + {verify: $v, verified: ($v.verified and .errors == 0)}' "$1")
    echo "$tmp" >"$1"
}
base_url() { if [ "$1" = mlflow ]; then echo "http://127.0.0.1:$MLFLOW_PORT"; else echo "http://127.0.0.1:$CAIRN_PORT"; fi; }
enabled() { [[ ",$SERVERS," == *",$1,"* ]]; }

TS_BASE=1700000000000
FAILV='{"verified":false}'
for server in mlflow cairn; do
    enabled "$server" || continue
    cairn_section "(a) ingest: $server"
    rounds=$MLFLOW_ROUNDS
    [ "$server" = cairn ] && rounds=$CAIRN_ROUNDS
    settle "$server"
    for r in $(seq 1 "$rounds"); do
        "$PY" "$BENCH_PY" create-runs "$(base_url $server)" "$RUNS" "ingest$r" "$RD/$server/ingest_runs$r.txt" >/dev/null
        phase "$server" "ingest_round$r" "$RD/$server/ingest_round$r.json" -c "$CONC" -n "$INGEST_REQS" \
            logbatch "$RD/$server/ingest_runs$r.txt" "$KEYS" "$SPR" "$TS_BASE" || true
        # every (run, key) on Cairn; on MLflow (slow reads) all keys of 4 runs; plus a row count in SQL
        pairs=0
        [ "$server" = mlflow ] && pairs=$((4 * KEYS))
        v=$("$PY" "$BENCH_PY" verify-ingest "$(base_url $server)" "$RD/$server/ingest_runs$r.txt" "$KEYS" "$STEPS" "$pairs" || true)
        ids=$(paste -sd, "$RD/$server/ingest_runs$r.txt")
        count_sql="SELECT count(*) FROM metrics WHERE run_uuid = ANY(string_to_array('$ids', ','))"
        [ "$server" = cairn ] && count_sql="SELECT count(*) FROM metric_points p JOIN metric_series s USING (series_id) WHERE s.run_uuid = ANY(string_to_array('$ids', ','))"
        rows=$("${PSQL[@]}" -At -d "$server" -c "$count_sql")
        v=$(jq -c --argjson rows "${rows:-0}" --argjson want $((RUNS * STEPS * KEYS)) \
            '. + {sql_rows: $rows, verified: (.verified and $rows == $want)}' <<<"${v:-$FAILV}")
        settle "$server"
        with_verify "$RD/$server/ingest_round$r.json" "${v:-$FAILV}"
        cairn_log "verify: $v"
    done
done

for server in mlflow cairn; do
    enabled "$server" || continue
    cairn_section "(b) 50,000-point history: $server"
    v=$("$PY" "$BENCH_PY" make-history "$(base_url $server)" "$HISTORY" "$RD/$server/history_setup.json" || true)
    settle "$server"
    cairn_log "set-up + verify: $v"
    rid=$(jq -r .run_id "$RD/$server/history_setup.json")
    q="/api/2.0/mlflow/metrics/get-history?run_id=$rid&metric_key=loss"
    phase "$server" history_paged "$RD/$server/history_paged.json" -c 1 -n "$HIST_ITERS" -w 2 get "$q&max_results=25000" follow || true
    with_verify "$RD/$server/history_paged.json" "$(jq -c --argjson n "$HISTORY" --argjson s "${v:-$FAILV}" \
        --argjson pages $(((HISTORY + 24999) / 25000)) \
        '{verified: ($s.verified and .points_min == $n and .points_max == $n and .pages_min == $pages and .pages_max == $pages), points_min, pages_min}' \
        "$RD/$server/history_paged.json")"
    phase "$server" history_unpaged "$RD/$server/history_unpaged.json" -c 1 -n "$HIST_ITERS" -w 2 get "$q" || true
    with_verify "$RD/$server/history_unpaged.json" "$(jq -c --argjson n "$HISTORY" \
        '{verified: (.points_min == $n and .points_max == $n), points_min}' "$RD/$server/history_unpaged.json")"
done

for server in mlflow cairn; do
    enabled "$server" || continue
    cairn_section "(c) runs/search over $SEARCH_RUNS runs: $server"
    mkdir -p "$WORK/$server"
    v=$("$PY" "$BENCH_PY" make-search "$(base_url $server)" "$SEARCH_RUNS" "$WORK/$server" || true)
    echo "$v" >"$RD/$server/search_setup.json"
    settle "$server"
    cairn_log "set-up + verify: $v"
    phase "$server" search "$RD/$server/search.json" -c 1 -n "$SEARCH_ITERS" -w 3 \
        post /api/2.0/mlflow/runs/search "$WORK/$server/search_body.json" || true
    with_verify "$RD/$server/search.json" "${v:-$FAILV}"
    phase "$server" search_plain "$RD/$server/search_plain.json" -c 1 -n "$SEARCH_ITERS" -w 3 \
        post /api/2.0/mlflow/runs/search "$WORK/$server/search_plain_body.json" || true
done

for server in mlflow cairn; do
    enabled "$server" || continue
    cairn_section "(d) log-metric at concurrency 1: $server"
    rid=$("$PY" "$BENCH_PY" create-run "$(base_url $server)" single)
    phase "$server" single "$RD/$server/single.json" -c 1 -n "$SINGLE" -w 10 logmetric "$rid" single "$TS_BASE" || true
    v=$("$PY" "$BENCH_PY" verify-single "$(base_url $server)" "$rid" single $((SINGLE + 10)) || true)
    with_verify "$RD/$server/single.json" "${v:-$FAILV}"
    cairn_log "verify: $v"
done

for server in mlflow cairn; do
    enabled "$server" || continue
    if [ "$server" = cairn ]; then
        echo "{\"root_kb\": $(rss_kb "$CAIRN_PID"), \"vmhwm_kb\": $(hwm_kb "$CAIRN_PID")}" >"$RD/cairn/end_rss.json"
    else
        read -r kb procs < <(tree_rss "$MLFLOW_PID")
        echo "{\"tree_kb\": $kb, \"procs\": $procs}" >"$RD/mlflow/end_rss.json"
    fi
done
kill -TERM "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

# ---- PostgreSQL-only baselines (servers idle) ----------------------------------------------------
cairn_section "Baselines: \\copy and Cairn's SQL via pgbench"
# copy_baseline DB TABLE CSV OUT NOTE [PREP_SQL]: three timed `\copy`s of CSV into DB.TABLE (PREP_SQL
# run before each, to start from an empty table); psql's \timing = the \copy alone (read the file,
# send, load, commit), not psql's start-up. Also the PostgreSQL CPU seconds of each.
copy_baseline() {
    local db=$1 table=$2 csv=$3 out=$4 note=$5 prep=${6:-} rows n ms c0 c1 secs=() pgcpu=() _
    rows=$(wc -l <"$csv")
    for _ in 1 2 3; do
        [ -n "$prep" ] && "${PSQL[@]}" -d "$db" -c "$prep"
        c0=$("$LOADGEN" cpu "$PG_PID" | jq ".[\"$PG_PID\"]")
        ms=$("${PSQL[@]}" -d "$db" -c '\timing on' -c "\\copy $table FROM '$csv' WITH (FORMAT csv)" |
            awk '/^Time:/ {print $2}' | tail -n 1)
        sleep 0.3 # psql's backend exits with psql: let the postmaster reap it (its CPU moves to cutime)
        c1=$("$LOADGEN" cpu "$PG_PID" | jq ".[\"$PG_PID\"]")
        pgcpu+=("$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')")
        secs+=("$(awk -v m="$ms" 'BEGIN {printf "%.4f", m / 1000}')")
    done
    n=$("${PSQL[@]}" -At -d "$db" -c "select count(*) from $table")
    [ "$n" = "$rows" ] || cairn_log "COPY into $db.$table loaded $n rows, expected $rows"
    printf '%s\n' "${secs[@]}" | jq -s --argjson rows "$rows" --argjson loaded "$n" --arg la "$(loadavg)" \
        --argjson cpu "[$(IFS=,; echo "${pgcpu[*]}")]" --arg note "$note" \
        '{rows: $rows, rows_loaded_last: $loaded, seconds: ., seconds_median: (sort | .[1]), rows_per_s_median: ($rows / (sort | .[1])),
          postgres_cpu_s: $cpu, note: $note, loadavg: $la}' >"$out"
    cairn_log "COPY $db.$table: $(jq -c 'del(.note)' "$out")"
}

runs_file="$RD/cairn/ingest_runs1.txt"
[ -f "$runs_file" ] || runs_file="$RD/mlflow/ingest_runs1.txt"
"$PY" "$BENCH_PY" copy-csv "$runs_file" "$KEYS" "$STEPS" "$TS_BASE" "$WORK/metrics.csv" >/dev/null
chmod 644 "$WORK/metrics.csv"
copy_baseline copybench metrics "$WORK/metrics.csv" "$RD/copy.json" \
    "psql \\copy of a CSV, one transaction, into a table with the columns and primary key of Cairn's metrics before migration 0007 (run id and key in every row; no foreign key), fresh table per run" \
    "DROP TABLE IF EXISTS metrics; CREATE TABLE metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, timestamp BIGINT NOT NULL,
        step BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, is_nan SMALLINT NOT NULL DEFAULT 0,
        PRIMARY KEY (run_uuid, key, timestamp, step, value, is_nan))"

if enabled cairn; then
    # Cairn's schema (as migrated), 20 runs, then the statements Cairn sends per log-batch of
    # 1000 points (history insert + latest_metrics upsert, one transaction), 8 pgbench clients.
    "$PGBIN/pg_dump" -h 127.0.0.1 -p "$PGPORT" -U postgres --schema-only cairn | "${PSQL[@]}" -d rawsql >/dev/null
    "${PSQL[@]}" -d rawsql -c "INSERT INTO experiments (name, creation_time, last_update_time) VALUES ('raw', 0, 0)" \
        -c "INSERT INTO runs (run_uuid, experiment_id, start_time) SELECT 'r' || i, (SELECT min(experiment_id) FROM experiments), 0 FROM generate_series(0, $((RUNS - 1))) i" \
        -c "CREATE SEQUENCE blk START 0 MINVALUE 0"
    # the same rows, run ids r0..r19, into Cairn's real metrics table (as migrated)
    seq 0 $((RUNS - 1)) | sed 's/^/r/' >"$WORK/rruns.txt"
    "$PY" "$BENCH_PY" copy-csv "$WORK/rruns.txt" "$KEYS" "$STEPS" "$TS_BASE" "$WORK/rmetrics.csv" >/dev/null
    # Cairn keys the history by series (migration 0007): series i*KEYS+k+1 is run ri, key mk.
    "${PSQL[@]}" -d rawsql -c "INSERT INTO metric_series (series_id, run_uuid, key) SELECT i * $KEYS + k + 1, 'r' || i, 'm' || k FROM generate_series(0, $((RUNS - 1))) i, generate_series(0, $((KEYS - 1))) k" \
        -c "INSERT INTO metric_series (series_id, run_uuid, key) VALUES (1000000000, 'r0', 'single')"
    awk -F, -v K="$KEYS" '{print substr($1, 2) * K + substr($2, 2) + 1 "," $3 "," $4 "," $5 "," $6}' "$WORK/rmetrics.csv" >"$WORK/rpoints.csv"
    chmod 644 "$WORK/rpoints.csv"
    copy_baseline rawsql metric_points "$WORK/rpoints.csv" "$RD/copy_cairn_schema.json" \
        "psql \\copy of the same points into Cairn's own history table metric_points (pg_dump of the migrated schema: series-keyed primary key, migration 0007), emptied before each run" \
        "TRUNCATE metric_points"
    "${PSQL[@]}" -d rawsql -c "TRUNCATE metric_points" -c "VACUUM (ANALYZE) metric_points"
    # One statement per batch, as Cairn sends a metrics-only log-batch (SQLTrackingStore+Metrics:
    # logMetricsInOneStatement): the run's details version bumped if the run is active, then
    # history insert and latest_metrics upsert as data-modifying CTEs guarded by that bump, then
    # the run's lifecycle stage (the chart-cache delete, an index probe, is left out here).
    # Cairn's fast path sends the history insert without ON CONFLICT and only on a unique
    # violation again with ON CONFLICT DO NOTHING: both are timed (the first is what Cairn sends).
    # pg_batch CONFLICT_CLAUSE NAME: runs the batch statement, writes $RD/pgbench_NAME.txt and
    # sets tps, lat, cpu.
    pg_batch() {
        cat >"$WORK/batch.sql" <<EOF
SELECT nextval('blk') AS b \\gset
WITH bumped AS (
INSERT INTO run_detail_versions (run_uuid, version)
SELECT 'r' || (:b % $RUNS), 1 WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = 'r' || (:b % $RUNS) AND lifecycle_stage = 'active')
ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1
  RETURNING set_config('cairn.detail_version_bumped', run_detail_versions.run_uuid, true)),
history AS (
INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
SELECT (:b % $RUNS) * $KEYS + k + 1, $TS_BASE + s, s, s * 0.001 + k, 0
FROM generate_series((:b / $RUNS) * $SPR, (:b / $RUNS) * $SPR + $((SPR - 1))) s, generate_series(0, $((KEYS - 1))) k
WHERE EXISTS (SELECT 1 FROM bumped)
$1),
newest AS (
INSERT INTO latest_metrics (run_uuid, key, timestamp, step, value, is_nan)
SELECT 'r' || (:b % $RUNS), 'm' || k, $TS_BASE + s, s, s * 0.001 + k, 0
FROM (SELECT (:b / $RUNS) * $SPR + $((SPR - 1)) AS s) x, generate_series(0, $((KEYS - 1))) k
WHERE EXISTS (SELECT 1 FROM bumped)
ON CONFLICT (run_uuid, key) DO UPDATE SET timestamp = excluded.timestamp, step = excluded.step, value = excluded.value, is_nan = excluded.is_nan
WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan, latest_metrics.value))
SELECT lifecycle_stage FROM runs WHERE run_uuid = 'r' || (:b % $RUNS);
EOF
        "${PSQL[@]}" -d rawsql -c "TRUNCATE metric_points" -c "VACUUM (ANALYZE) metric_points" -c "CHECKPOINT" >/dev/null
        la=$(loadavg)
        local c0 c1 out
        c0=$("$LOADGEN" cpu "$PG_PID" | jq ".[\"$PG_PID\"]")
        out=$("$PGBIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$PGPORT" -U postgres -c "$CONC" -j 2 -t $((INGEST_REQS / CONC)) -f "$WORK/batch.sql" rawsql 2>&1)
        sleep 0.3
        c1=$("$LOADGEN" cpu "$PG_PID" | jq ".[\"$PG_PID\"]")
        cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')
        echo "$out" >"$RD/pgbench_$2.txt"
        tps=$(awk '/^tps = .*without initial/ {print $3}' <<<"$out")
        lat=$(awk '/^latency average/ {print $4}' <<<"$out")
    }
    # each variant on an emptied table; the one Cairn sends first runs first
    pg_batch "" batch
    batch_tps=$tps batch_lat=$lat batch_pgcpu=$cpu
    n=$("${PSQL[@]}" -At -d rawsql -c "select count(*) from metric_points")
    pg_batch "ON CONFLICT DO NOTHING" batch_on_conflict
    conflict_tps=$tps conflict_cpu=$cpu
    n0=$("${PSQL[@]}" -At -d rawsql -c "select count(*) from metric_points")
    tps=$batch_tps lat=$batch_lat
    # the single log-metric statement at concurrency 1 (Cairn: one statement, as for a batch)
    cat >"$WORK/single_txn.sql" <<EOF
SELECT nextval('blk') AS b \\gset
WITH bumped AS (
INSERT INTO run_detail_versions (run_uuid, version)
SELECT 'r0', 1 WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = 'r0' AND lifecycle_stage = 'active')
ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1
  RETURNING set_config('cairn.detail_version_bumped', run_detail_versions.run_uuid, true)),
history AS (
INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
SELECT 1000000000, :b, :b, :b * 0.5, 0 WHERE EXISTS (SELECT 1 FROM bumped)),
newest AS (
INSERT INTO latest_metrics (run_uuid, key, timestamp, step, value, is_nan)
SELECT 'r0', 'single', :b, :b, :b * 0.5, 0 WHERE EXISTS (SELECT 1 FROM bumped)
ON CONFLICT (run_uuid, key) DO UPDATE SET timestamp = excluded.timestamp, step = excluded.step, value = excluded.value, is_nan = excluded.is_nan
WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan, latest_metrics.value))
SELECT lifecycle_stage FROM runs WHERE run_uuid = 'r0';
EOF
    (cd "$WORK" && "$PGBIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$PGPORT" -U postgres -c 1 -t "$SINGLE" -l --log-prefix=pgsingle -f "$WORK/single_txn.sql" rawsql >"$RD/pgbench_single.txt" 2>&1)
    single_p50=$(cat "$WORK"/pgsingle.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}')
    single_p99=$(cat "$WORK"/pgsingle.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; print a[i] / 1000}')
    jq -n --argjson tps "${tps:-0}" --argjson spr "$((SPR * KEYS))" --argjson lat "${lat:-0}" --argjson rows "$n" --argjson pgcpu "$batch_pgcpu" \
        --argjson ctps "${conflict_tps:-0}" --argjson cpgcpu "${conflict_cpu:-0}" --argjson crows "$n0" \
        --argjson p50 "${single_p50:-0}" --argjson p99 "${single_p99:-0}" --arg la "$la" \
        '{batch_tps: $tps, metrics_per_s: ($tps * $spr), batch_latency_avg_ms: $lat, rows_loaded: $rows, batch_postgres_cpu_s: $pgcpu,
          on_conflict_metrics_per_s: ($ctps * $spr), on_conflict_postgres_cpu_s: $cpgcpu, on_conflict_rows_loaded: $crows,
          single_p50_ms: $p50, single_p99_ms: $p99, loadavg: $la,
          note: "pgbench: Cairn schema (pg_dump of the migrated database); batch = one statement: 1000-row history insert (no ON CONFLICT, as Cairn sends it first) + 10-row latest_metrics upsert as CTEs guarded by the run being active, 8 clients; on_conflict = the same with ON CONFLICT DO NOTHING on the history insert (the retry after a duplicate); single = the batch statement with 1 row, 1 client; each variant on an emptied metric_points; prepared statements (pgbench -M prepared), as Cairn sends them"}' \
        >"$RD/pg_insert.json"
    cairn_log "pgbench: $(jq -c . "$RD/pg_insert.json")"
fi

meta=$(jq --arg la "$(loadavg)" '. + {loadavg_end: $la}' "$RD/meta.json")
echo "$meta" >"$RD/meta.json"
jq -s 'map({(.name): .}) | add' "$RD/phases.jsonl" >"$RD/phases.json"
cp "$CAIRN_PG_ROOT/server.log" "$RD/postgres.log"
cairn_section "Results"
"$PY" "$BENCH_PY" report "$RD" "$RESULTS/$STAMP.json"
cairn_log "wrote $RESULTS/$STAMP.json, $RESULTS/$STAMP.md and logs in $RD/"
