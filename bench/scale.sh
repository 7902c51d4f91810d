#!/usr/bin/env bash
# Cairn at scale (issue 17, first part: Cairn alone; see BENCHMARKS.md).
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
# (bench/lib/scale_runs.sql: the rows runs/create + runs/log-batch + runs/update write, including
# the metric series, one point per metric, the latest values and the insertion-order columns of
# migration 0013), one transaction per --run-batch runs; the extra history by
# bench/lib/scale_points.sql, one statement per --batch-rows points, step by step across all pool
# series (as concurrent runs log), then the pool's latest values are set to their last step.
# Every value is a function of the row's index, so a data set is the same in every run. Each load
# statement's rows and time are printed (rows/s) and kept in the report.
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
#   ingest    runs/log-batch, --ingest-requests requests of 1,000 metrics over 8 connections into
#             20 new runs (every point distinct); checked in SQL point by point and through the API
#   baselines `\copy` of the same rows into metric_points itself (one transaction, median of 3,
#             rows deleted after each), pgbench at c=1: a durable one-row INSERT commit, and
#             Cairn's log-metric statement (history insert + latest upsert + chart-cache delete)
#   memory    Cairn's peak RSS in the stage (VmHWM, reset at the stage's start) and sampled every 100 ms
# Latency: p50 / p95 from bench/loadgen.c (compiled here): request written to last byte read.
# CPU ms per request (Cairn + PostgreSQL) from /proc around each timed phase, warm-ups included.
#
# Output: a Markdown table per stage (+ one across stages) printed and written to
# bench/results/scale-<timestamp>.md; raw results, plans and logs in bench/results/scale-<timestamp>/.
# A failed verification fails the run (exit 1) after the report. Everything started is stopped on exit.
#
# usage: bench/scale.sh [--cairn-bin PATH] [--sizes 2000,50000,200000] [--points 0,10000000,50000000]
#                       [--requests 100] [--single 500] [--ingest-requests 100] [--durability on|off]
#                       [--run-batch 10000] [--batch-rows 1000000]
#   --cairn-bin   default .build/release/cairn (a release build; this script never builds)
#   --requests    timed requests per search, state and stage, and history fetches (issue 17: >= 100)
#   --durability  on (default): fsync, synchronous_commit, full_page_writes on; off: the test recipe
# Full default run: ~10 GB of disk for 50M points (data + WAL), most of the time in the loads.
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
INGEST_REQS=100
DURABILITY=on
RUN_BATCH=10000
BATCH_ROWS=1000000
while [ $# -gt 0 ]; do
    case "$1" in
        --cairn-bin) CAIRN_BIN=$2; shift ;;
        --sizes) SIZES=$2; shift ;;
        --points) POINTS=$2; shift ;;
        --requests) REQUESTS=$2; shift ;;
        --single) SINGLE=$2; shift ;;
        --ingest-requests) INGEST_REQS=$2; shift ;;
        --durability) DURABILITY=$2; shift ;;
        --run-batch) RUN_BATCH=$2; shift ;;
        --batch-rows) BATCH_ROWS=$2; shift ;;
        -h | --help) sed -n '2,64p' "$0"; exit 0 ;;
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
cleanup() {
    set +e
    [ -n "$SAMPLER_PID" ] && kill -TERM "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
    stop_tree "$CAIRN_PID"
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

# ---- PostgreSQL ----------------------------------------------------------------------------------
# bench/run.sh's cluster, plus: autovacuum off (statistics only from this script's ANALYZE, so
# "before ANALYZE" is what it says), and auto_explain loaded but idle (log_min_duration -1 costs
# nothing; scale_bench.py verify turns it on for the one verified request of each search).
# (auto_explain's settings go through ALTER SYSTEM, not the command line, whose settings a reload
# could not change.)
bench_pg_start "-c max_connections=200 -c autovacuum=off -c shared_preload_libraries=auto_explain $PG_OPTS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET auto_explain.log_min_duration = -1" -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
    -c "ALTER SYSTEM SET auto_explain.log_buffers = on" -c "SELECT pg_reload_conf()" >/dev/null
PG_LOG="$CAIRN_PG_ROOT/server.log"
for db in cairn scratch; do "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"; done
"${PSQL[@]}" -d scratch -c "CREATE TABLE one_row (id bigint, v double precision)" # pgbench's durable one-row commit
DSN="postgresql://postgres@127.0.0.1:$PGPORT/cairn"
PG_VERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
PG_SETTINGS=$("${PSQL[@]}" -At -d postgres -c "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','shared_buffers','autovacuum','max_wal_size')")
cairn_log "PostgreSQL $PG_VERSION on 127.0.0.1:$PGPORT ($PG_SETTINGS)"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sql() { "${PSQL[@]}" -d cairn "$@"; }
# timed_sql SQL: runs SQL on the cairn database and prints psql's \timing of it (ms)
timed_sql() { "${PSQL[@]}" -d cairn -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}' | tail -n 1; }

# ---- Cairn ---------------------------------------------------------------------------------------
cairn_section "Cairn: migrate, start, create the experiments"
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
"$LOADGEN" rss 100 "$RD/rss.csv" "$CAIRN_PID" &
SAMPLER_PID=$!

setup=$("${PY[@]}" setup "$BASE" "$RD/setup.json" "$OTHER_EXPS" "$HISTORY") || cairn_die "set-up failed: $setup"
cairn_log "set-up: $setup"
MAIN_EXP=$(jq -r .main "$RD/setup.json")
MAIN_ART=$(jq -r .main_artifacts "$RD/setup.json")
POOL=$(jq -r '"{" + (.others | join(",")) + "}"' "$RD/setup.json")
HISTORY_RUN=$(jq -r .history_run "$RD/setup.json")
INGEST_EXP=$(jq -r .ingest_exp "$RD/setup.json")
SINGLE_EXP=$(jq -r .single_exp "$RD/setup.json")
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
    --arg stages "${STAGES[*]}" \
    '{timestamp: $ts, host_cpus: $cpus, loadavg_start: $la, pg_version: $pgv, pg_settings: $pgs, durability: $dur,
      cairn_bin: $bin, cairn_bin_mtime: $built, cairn_commit: $commit, requests: $req, warmup: $warm, history_points: $hist, ingest_conns: $conc,
      stages: ($stages | split(" ") | to_entries | map({name: "stage\(.key + 1)", runs: (.value | split(":")[0] | tonumber),
               points: (.value | split(":")[1] | tonumber)}))}' >"$RD/meta.json"

# ---- bulk load -----------------------------------------------------------------------------------
# psql_load LOG_TSV FILE VARS...: runs a load script (statements marked with `\echo step NAME`) and
# appends "step<TAB>rows<TAB>ms" per step to LOG_TSV; prints the batch's rows (inserted or updated).
psql_load() {
    local tsv=$1 file=$2 out
    shift 2
    out=$(psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d cairn "$@" -f "$file") ||
        { echo "$out" >&2; cairn_die "load failed: $file $*"; }
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
# load_runs TSV FROM TO PREFIX EXPS ARTS PER: runs FROM..TO-1 in batches of RUN_BATCH; run i in
# experiment EXPS[i / PER] (EXPS and ARTS: PostgreSQL array literals of ids and artifact locations)
load_runs() {
    local tsv=$1 from=$2 to=$3 prefix=$4 exps=$5 arts=$6 per=$7 a b t0 rows ms
    for ((a = from; a < to; a += RUN_BATCH)); do
        b=$((a + RUN_BATCH < to ? a + RUN_BATCH : to))
        t0=$(now_ms)
        rows=$(psql_load "$tsv" bench/lib/scale_runs.sql -v a="$a" -v b="$b" -v prefix="$prefix" -v exps="$exps" \
            -v arts="$arts" -v per="$per" -v t0="$T0_MAIN")
        ms=$(($(now_ms) - t0))
        cairn_log "load: ${prefix%-} runs $a..$((b - 1)) (this stage: $from..$((to - 1))): $rows rows in $ms ms ($((rows * 1000 / (ms > 0 ? ms : 1))) rows/s)"
    done
}
# load_pool TSV: the 50 small experiments' runs (the history pool), once
load_pool() {
    local tsv=$1 arts
    arts=$(jq -r '"{" + (.other_artifacts | map("\"" + . + "\"") | join(",")) + "}"' "$RD/setup.json")
    load_runs "$tsv" 0 $((OTHER_EXPS * OTHER_RUNS)) pool- "$POOL" "$arts" "$OTHER_RUNS"
    POOL_SERIES=$(sql -At -c "SELECT count(*) FROM metric_series s JOIN runs r ON r.run_uuid = s.run_uuid WHERE r.experiment_id = ANY ('$POOL'::bigint[])")
    cairn_log "load: history pool, $((OTHER_EXPS * OTHER_RUNS)) runs in $OTHER_EXPS experiments, $POOL_SERIES series"
}
# load_points TSV TOTAL: extra pool points up to TOTAL (rounded down to whole steps of all series)
load_points() {
    local tsv=$1 total=$2 want per s0 s1 t0 rows ms done_rows=0 all
    [ "$POOL_SERIES" -gt 0 ] || return 0
    want=$((total / POOL_SERIES))
    [ "$want" -gt "$POOL_STEPS" ] || return 0
    per=$((BATCH_ROWS / POOL_SERIES))
    [ "$per" -ge 1 ] || per=1
    all=$(((want - POOL_STEPS) * POOL_SERIES))
    for ((s0 = POOL_STEPS + 1; s0 <= want; s0 += per)); do
        s1=$((s0 + per <= want + 1 ? s0 + per : want + 1))
        t0=$(now_ms)
        rows=$(psql_load "$tsv" bench/lib/scale_points.sql -v s0="$s0" -v s1="$s1" -v t0="$T0_POOL" -v pool="$POOL")
        ms=$(($(now_ms) - t0))
        done_rows=$((done_rows + rows))
        cairn_log "load: points, steps $s0..$((s1 - 1)) x $POOL_SERIES series: $rows rows in $ms ms ($((rows * 1000 / (ms > 0 ? ms : 1))) rows/s); $done_rows of $all"
    done
    psql_load "$tsv" bench/lib/scale_points_latest.sql -v last="$want" -v t0="$T0_POOL" -v pool="$POOL" >/dev/null
    POOL_STEPS=$want
}

# ---- measuring -----------------------------------------------------------------------------------
# timed OUT_JSON LOADGEN_ARGS...: one loadgen run with CPU snapshots (Cairn, PostgreSQL) around it;
# the result's JSON gets {cpu: {server, postgres}, requests_incl_warmup, loadavg}.
timed() {
    local out=$1 la c0 c1 rc=0 n w tmp
    shift
    la=$(loadavg)
    c0=$("$LOADGEN" cpu "$CAIRN_PID" "$PG_PID")
    LOADGEN_LATENCIES="${out%.json}.latencies" "$LOADGEN" -p "$CAIRN_PORT" "$@" >"$out" || rc=$?
    c1=$("$LOADGEN" cpu "$CAIRN_PID" "$PG_PID")
    [ -s "$out" ] || echo '{"errors": 1, "first_error": "loadgen produced no result"}' >"$out"
    n=$(jq -r '.requests // 0' "$out")
    w=$(awk '{for (i = 1; i < NF; i++) if ($i == "-w") print $(i + 1)}' <<<"$*")
    tmp=$(jq --argjson a "$c0" --argjson b "$c1" --arg sp "$CAIRN_PID" --arg pp "$PG_PID" --arg la "$la" \
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
summary() { jq -c '{ok, errors, p50_ms, p95_ms, metrics_per_s, points_min, pages_max, cpu} | with_entries(select(.value != null))' "$1"; }
FAILED=0
FAILV='{"verified":false}'
# search_state STAGE_DIR STATE: verify (with plan) and time every search
search_state() {
    local sd=$1 state=$2 q v path
    mkdir -p "$sd/$state" "$sd/plans"
    for q in $QUERIES; do
        path=/api/2.0/mlflow/$(jq -r ".[] | select(.name == \"$q\") | .path" "$WORK/q/queries.json")
        v=$("${PY[@]}" verify "$BASE" "$DSN" "$WORK/q" "$q" "$PG_LOG" "$sd/plans/$state-$q.txt") || {
            FAILED=1
            cairn_log "VERIFICATION FAILED: $q $state ANALYZE: $v"
        }
        timed "$sd/$state/$q.json" -c 1 -n "$REQUESTS" -w "$WARMUP" post "$path" "$WORK/q/$q.body.json" || FAILED=1
        with_verify "$sd/$state/$q.json" "${v:-$FAILV}"
        cairn_log "$q $state ANALYZE: $(summary "$sd/$state/$q.json"); plan: $(jq -r '.plan // "?"' <<<"${v:-$FAILV}" | cut -c1-160)"
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

# ---- stages --------------------------------------------------------------------------------------
mkdir -p "$WORK/q"
STAGE_NO=0
for st in "${STAGES[@]}"; do
    STAGE_NO=$((STAGE_NO + 1))
    runs=${st%%:*} points=${st##*:}
    SD="$RD/stage$STAGE_NO"
    mkdir -p "$SD"
    cairn_section "Stage $STAGE_NO: $runs runs, $points extra points"
    echo 5 2>/dev/null >/proc/"$CAIRN_PID"/clear_refs || true # resets VmHWM to the current RSS
    stage_start=$(now_ms)
    la=$(loadavg)
    : >"$SD/load.tsv"
    t0=$(now_ms)
    if [ "$STAGE_NO" = 1 ]; then load_pool "$SD/load.tsv"; fi
    load_runs "$SD/load.tsv" "$LOADED_RUNS" "$runs" main- "{$MAIN_EXP}" "{\"$MAIN_ART\"}" 1000000000
    LOADED_RUNS=$runs
    load_points "$SD/load.tsv" "$points"
    load_wall=$(($(now_ms) - t0))
    if [ -s "$SD/load.tsv" ]; then
        cairn_log "load of the stage, per statement type: $(awk -F'\t' '{r[$1] += $2; m[$1] += $3} END {
            for (k in r) if (r[k] > 0) printf "%s %d rows in %.2f s (%d rows/s); ", k, r[k], m[k] / 1000, r[k] / (m[k] > 0 ? m[k] / 1000 : 1)}' "$SD/load.tsv")wall $load_wall ms"
    fi
    sql -c "CHECKPOINT"
    counts=$(sql -At -c "SELECT json_build_object('runs (searched experiment)', (SELECT count(*) FROM runs WHERE experiment_id = $MAIN_EXP),
        'runs', (SELECT count(*) FROM runs), 'params', (SELECT count(*) FROM params), 'run_tags', (SELECT count(*) FROM run_tags),
        'latest_metrics', (SELECT count(*) FROM latest_metrics), 'metric_series', (SELECT count(*) FROM metric_series),
        'metric_points', (SELECT count(*) FROM metric_points), 'experiments', (SELECT count(*) FROM experiments))")
    cairn_log "rows: $counts"

    # the searches: bodies, expected SQL, the deep page's token
    page=$((runs / 50 < 100 ? runs / 50 : 100))
    QUERIES=$("${PY[@]}" queries "$WORK/q" "$MAIN_EXP" "$page")
    "${PY[@]}" page-token "$BASE" "$WORK/q" 50 >/dev/null || cairn_die "could not reach page 50"
    search_state "$SD" before
    analyze_ms=$(timed_sql "ANALYZE")
    cairn_log "ANALYZE: $analyze_ms ms"
    search_state "$SD" after
    vacuum_ms=$(timed_sql "VACUUM")
    sql -c "CHECKPOINT"
    cairn_log "VACUUM: $vacuum_ms ms"

    # history: 50,000 points, client-style
    timed "$SD/history.json" -c 1 -n "$REQUESTS" -w 2 \
        get "/api/2.0/mlflow/metrics/get-history?run_id=$HISTORY_RUN&metric_key=loss&max_results=25000" follow || FAILED=1
    v=$("${PY[@]}" verify-history "$BASE" "$HISTORY_RUN" loss "$HISTORY") || FAILED=1
    with_verify "$SD/history.json" "$(jq -c --argjson n "$HISTORY" --argjson s "${v:-$FAILV}" \
        '{verified: ($s.verified and .points_min == $n and .points_max == $n and .pages_max == 2), points_min, pages_max, read_back: $s}' "$SD/history.json")"
    cairn_log "history: $(summary "$SD/history.json")"

    # single log-metric on a new run
    rid=$("${PY[@]}" create-run "$BASE" "$SINGLE_EXP" "single-$STAGE_NO")
    timed "$SD/single.json" -c 1 -n "$SINGLE" -w 10 logmetric "$rid" single "$TS_BASE" || FAILED=1
    v=$("${PY[@]}" verify-single "$BASE" "$rid" single $((SINGLE + 10))) || FAILED=1
    with_verify "$SD/single.json" "${v:-$FAILV}"
    cairn_log "log-metric: $(summary "$SD/single.json")"

    # batch ingest into 20 new runs
    "${PY[@]}" create-runs "$BASE" "$INGEST_EXP" "$INGEST_RUNS" "ingest-$STAGE_NO" "$SD/ingest_runs.txt" >/dev/null
    sql -c "CHECKPOINT"
    timed "$SD/ingest.json" -c "$CONC" -n "$INGEST_REQS" logbatch "$SD/ingest_runs.txt" "$KEYS" "$SPR" "$TS_BASE" || FAILED=1
    v=$("${PY[@]}" verify-ingest "$BASE" "$DSN" "$SD/ingest_runs.txt" "$KEYS" "$INGEST_STEPS") || FAILED=1
    with_verify "$SD/ingest.json" "${v:-$FAILV}"
    cairn_log "ingest: $(summary "$SD/ingest.json") verify: $v"

    # baselines: \copy of the same rows into metric_points (deleted again), pgbench commits
    "${PY[@]}" copy-csv "$SD/ingest_runs.txt" "$KEYS" "$INGEST_STEPS" "$TS_BASE" 1000000000000 "$WORK/points.csv" >/dev/null
    secs=()
    for _ in 1 2 3; do
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
          note: "psql \\copy of a CSV of the ingest rows (other series ids) into the live metric_points, one transaction, deleted after each"}' >"$SD/copy.json"
    cairn_log "copy: $(jq -c '{ms, rows_per_s_median}' "$SD/copy.json")"
    echo 'INSERT INTO one_row VALUES (:client_id, random());' >"$WORK/one_row.sql"
    pgbench_latency "$SD/pgbench_commit.json" scratch "$WORK/one_row.sql" "$SINGLE"
    # Cairn's log-metric statement (SQLTrackingStore+Metrics: history insert, latest upsert and the
    # chart-cache delete as CTEs, guarded by the run being active), one point per call; step and
    # timestamp from the clock (one value for both inserts), as the series' next point.
    cat >"$WORK/logmetric.sql" <<'EOF'
WITH c AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8 AS ts),
history AS (INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
  SELECT :sid::int8, c.ts, c.ts, 0.5, 0 FROM c WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = :rid::text AND lifecycle_stage = 'active')),
newest AS (INSERT INTO latest_metrics (run_uuid, key, timestamp, step, value, is_nan)
  SELECT :rid::text, 'pgb', c.ts, c.ts, 0.5, 0 FROM c WHERE EXISTS (SELECT 1 FROM runs WHERE run_uuid = :rid::text AND lifecycle_stage = 'active')
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
        --slurpfile queries "$WORK/q/queries.json" --rawfile load "$SD/load.tsv" \
        '{name: $name, runs: $runs, points: $points, extra_points_stored: ($pool_steps * $pool_series), pool_steps: $pool_steps,
          pool_series: $pool_series, counts: $counts, loadavg: $la,
          load: ($load | split("\n") | map(select(length > 0) | split("\t") | {step: .[0], rows: (.[1] | tonumber), ms: (.[2] | tonumber)})
                 | group_by(.step) | map({step: .[0].step, rows: (map(.rows) | add), ms: (map(.ms) | add)})),
          load_wall_s: ($wall / 1000), analyze_ms: $an, vacuum_ms: $vac, db_mb: $db, points_mb: $pts,
          rss: {vmhwm_kb: $hwm, sampled_peak_kb: $peak}, queries: $queries[0]}' >"$SD/stage.json"
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
