#!/usr/bin/env bash
# What /metrics costs, head to head: two servers from one release binary on one PostgreSQL, A with
# metrics on (the default) and B with `--metrics off`, each with its own database. The PostgreSQL
# is the test recipe's (fsync off), so that the disk's fsync cost does not hide the server's own.
# Blocks alternate A B B A A B ... so that drift hits both alike; a block is one batch ingest
# (8 connections, 400 log-batch requests of 1,000 metrics into 40 new runs) and 5,000 single
# log-metric calls at concurrency 1, with the server's CPU time read around each.
#
#   bench/metrics_cost.sh [--bin .build/release/cairn] [--blocks 20]
#
# Prints every block, then the medians per side and B/A (above 1: B, metrics off, is faster or
# cheaper), and the spread of the per-pair ratios. Then it profiles A (perf record, frame
# pointers) through one more block and reports the share of its CPU samples that have a
# swift-metrics, swift-prometheus or Cairn instrument frame on the stack
# (bench/instrumentation_share.py): the cost itself, which the head-to-head can only bound by its
# noise. The claim in BENCHMARKS.md is that ingest and log-metric stay within 3%.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/python.sh
BIN=.build/release/cairn BLOCKS=20
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN=$2; shift ;;
        --blocks) BLOCKS=$2; shift ;;
        -h | --help) cairn_usage "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[ -x "$BIN" ] || cairn_die "$BIN is missing: swift build -c release --product cairn"
command -v jq >/dev/null || cairn_apt_install jq
command -v perf >/dev/null || cairn_apt_install linux-perf
WORK=$(mktemp -d -t cairn-metrics-cost.XXXXXX)
PIDS=()
cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    [ -n "${CAIRN_PG_DATA:-}" ] && cairn_pg_stop "$CAIRN_PG_DATA"
    rm -rf "$WORK" "${CAIRN_PG_ROOT:-}"
}
trap cleanup EXIT
gcc -O2 -pthread -o "$WORK/loadgen" bench/loadgen.c
cairn_python_env "$ROOT"
cairn_pg_start
declare -A PORT PID
for side in A B; do
    url=$(cairn_pg_create_db "metrics_cost_$side")
    PORT[$side]=$(cairn_free_port)
    mode=on
    [ "$side" = B ] && mode=off
    "$BIN" serve --host 127.0.0.1 --port "${PORT[$side]}" --database-url "$url" --artifacts-uri "$WORK/artifacts-$side" \
        --metrics "$mode" >"$WORK/cairn-$side.log" 2>&1 &
    PID[$side]=$!
    PIDS+=("$!")
    out=$("$WORK/loadgen" -p "${PORT[$side]}" wait /health 30000 "$(date +%s%N)" "${PID[$side]}" || true)
    [ "$(jq -r .ok <<<"$out")" = true ] || { tail "$WORK/cairn-$side.log"; cairn_die "server $side did not start"; }
done
metrics_on_a=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[A]}/metrics")
metrics_on_b=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[B]}/metrics")
[ "$metrics_on_a" = 200 ] && [ "$metrics_on_b" = 404 ] ||
    cairn_die "/metrics answered $metrics_on_a (A, on) and $metrics_on_b (B, off); expected 200 and 404"
cairn_log "A (metrics on) on port ${PORT[A]}, B (--metrics off) on port ${PORT[B]}; $BLOCKS blocks each"

cpu() { "$WORK/loadgen" cpu "${PID[$1]}" | jq -r --arg p "${PID[$1]}" '.[$p]'; }
# block SIDE N: one ingest and one log-metric measurement, appended to blocks.jsonl
block() {
    local side=$1 n=$2 port=${PORT[$1]} base c0 c1 c2 rid
    base="http://127.0.0.1:$port"
    "$CAIRN_PYTHON" bench/bench.py create-runs "$base" 40 "cost$n" "$WORK/runs-$side-$n.txt" >/dev/null
    rid=$("$CAIRN_PYTHON" bench/bench.py create-run "$base" "single$n")
    c0=$(cpu "$side")
    "$WORK/loadgen" -p "$port" -c 8 -n 400 logbatch "$WORK/runs-$side-$n.txt" 10 100 1700000000000 >"$WORK/ingest.json"
    c1=$(cpu "$side")
    "$WORK/loadgen" -p "$port" -c 1 -n 5000 -w 20 logmetric "$rid" single 1700000000000 >"$WORK/single.json"
    c2=$(cpu "$side")
    jq -c -n --arg side "$side" --argjson n "$n" --slurpfile i "$WORK/ingest.json" --slurpfile s "$WORK/single.json" \
        --argjson c0 "$c0" --argjson c1 "$c1" --argjson c2 "$c2" \
        '{side: $side, block: $n, errors: ($i[0].errors + $s[0].errors), ingest_per_s: $i[0].metrics_per_s,
          ingest_cpu_us_per_1k: (($c1 - $c0) * 1e6 / ($i[0].metrics_sent / 1000)),
          single_p50_ms: $s[0].p50_ms, single_p95_ms: $s[0].p95_ms,
          single_cpu_us: (($c2 - $c1) * 1e6 / 5020)}' | tee -a "$WORK/blocks.jsonl" >&2
}
for n in $(seq 1 "$BLOCKS"); do
    # A B, B A, A B, ...: each side goes first in half the pairs.
    if [ $((n % 2)) = 1 ]; then block A "$n"; block B "$n"; else block B "$n"; block A "$n"; fi
done
errors=$(jq -s 'map(.errors) | add' "$WORK/blocks.jsonl")
[ "$errors" = 0 ] || cairn_die "$errors requests failed (see the block lines above)"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
OUT="bench/results/metrics-cost-$STAMP.md"
jq -r -s --arg commit "$(git rev-parse --short HEAD)" '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def side($s; $k): map(select(.side == $s) | .[$k]) | median;
    def row($name; $k; $digits):
        (side("A"; $k)) as $a | (side("B"; $k)) as $b
        | "| \($name) | \($a * $digits | round / $digits) | \($b * $digits | round / $digits) | \(($b / $a) * 1000 | round / 1000) |";
    "Release build of \($commit), \(length / 2) blocks per side, medians of the blocks:\n",
    "| measure | A: metrics on | B: metrics off | B/A |", "|---|---|---|---|",
    row("ingest, metrics/s"; "ingest_per_s"; 1),
    row("ingest, server CPU µs per 1,000 metrics"; "ingest_cpu_us_per_1k"; 10),
    row("log-metric c=1, p50 ms"; "single_p50_ms"; 1000),
    row("log-metric c=1, p95 ms"; "single_p95_ms"; 1000),
    row("log-metric, server CPU µs per call"; "single_cpu_us"; 10),
    "\nPer pair (the same block number), B/A, lowest / median / highest:\n",
    (group_by(.block) | map({a: map(select(.side == "A"))[0], b: map(select(.side == "B"))[0]})) as $pairs
    | (["ingest_per_s", "ingest_cpu_us_per_1k", "single_p50_ms", "single_cpu_us"][] as $k
        | ($pairs | map(.b[$k] / .a[$k]) | sort) as $r
        | "- \($k): \($r[0] * 1000 | round / 1000) / \($r | median * 1000 | round / 1000) / \($r[-1] * 1000 | round / 1000)")
' "$WORK/blocks.jsonl" | tee "$OUT"

# The instrumentation's own share of A's CPU, under each workload.
profile() {
    local name=$1
    shift
    perf record -F 1999 -g -p "${PID[A]}" -o "$WORK/$name.data" -- sleep "$PROFILE_SECONDS" >/dev/null 2>&1 &
    local perf_pid=$!
    sleep 0.3
    "$WORK/loadgen" -p "${PORT[A]}" "$@" >/dev/null
    wait "$perf_pid" || true
    printf -- '- %s: ' "$name"
    perf script -i "$WORK/$name.data" -F comm,ip,sym 2>/dev/null | python3 bench/instrumentation_share.py |
        jq -r '"\(.share_percent)% of \(.samples) CPU samples in the instruments (\(.instrumentation_samples))"'
}
PROFILE_SECONDS=4
"$CAIRN_PYTHON" bench/bench.py create-runs "http://127.0.0.1:${PORT[A]}" 40 profile "$WORK/runs-profile.txt" >/dev/null
rid=$("$CAIRN_PYTHON" bench/bench.py create-run "http://127.0.0.1:${PORT[A]}" profile)
{
    printf '\nA profiled (perf record -g, %s s per workload), samples with an instrument frame on the stack:\n\n' "$PROFILE_SECONDS"
    profile "batch ingest" -c 8 -n 800 logbatch "$WORK/runs-profile.txt" 10 100 1700000000000
    profile "log-metric c=1" -c 1 -n 5000 logmetric "$rid" profile 1700000000000
} | tee -a "$OUT"
cairn_log "written to $OUT"
