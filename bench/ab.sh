#!/usr/bin/env bash
# A/B of two Cairn binaries in one run, alternating A, B, A, B, ...: did a change cost speed?
#
#   bench/ab.sh --a OLD_BIN --b NEW_BIN [--rounds N] [--only tracking|registry]
#
# Tracking: `bench/run.sh --servers cairn` once per binary per round (ingest, history, search,
# log-metric on PostgreSQL with durability on; each run starts its own cluster), summarised from
# the result files it writes.
# Registry and run search on shared data: one throwaway PostgreSQL (fsync off, as
# bench/registry.sh), one database set up once through binary A (1,000 models x 10 versions, and
# bench/run.sh's 2,000 search runs), ANALYZEd; then per round each binary serves that database in
# turn: bench/registry_bench.py --skip-setup times the four registry searches (100 requests each)
# and bench/loadgen the filtered and unfiltered runs/search (600 requests each after 50 warm-ups).
# B migrates the database first if its schema is newer; A then runs on it too. On shared data the
# search figures spread far less than across bench/run.sh runs, which each load a new cluster.
#
# Prints, per measure, every round's figure for A and B and the ratio of their medians (B/A:
# above 1 is slower for latencies, faster for rates). Build the binaries with
# `swift build -c release --product cairn` in two checkouts (e.g. a `git worktree` of the old
# commit).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/python.sh

A="" B="" ROUNDS=2 ONLY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --a) A=$2; shift ;;
        --b) B=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        --only) ONLY=$2; shift ;;
        -h | --help) cairn_usage "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[ -x "$A" ] && [ -x "$B" ] || cairn_die "--a and --b must name two cairn binaries"
A=$(cd "$(dirname "$A")" && pwd)/$(basename "$A")
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")

WORK=$(mktemp -d -t cairn-ab.XXXXXX)
SERVER_PID=""
cleanup() {
    set +e
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    cairn_pg_stop "${CAIRN_PG_DATA:-}"
    rm -rf "${CAIRN_PG_ROOT:-}" "$WORK"
}
trap cleanup EXIT
mkdir -p bench/results

tracking=()
if [ "$ONLY" != registry ]; then
    for round in $(seq 1 "$ROUNDS"); do
        for side in A B; do
            bin=$A
            [ "$side" = B ] && bin=$B
            cairn_section "A/B tracking, round $round, $side ($bin)"
            before=$(ls bench/results/*.json 2>/dev/null | sort | tail -n 1 || true)
            bench/run.sh --servers cairn --cairn-bin "$bin" >"$WORK/tracking-$round-$side.log" 2>&1 ||
                { tail -n 40 "$WORK/tracking-$round-$side.log"; cairn_die "bench/run.sh failed for $side"; }
            after=$(ls bench/results/*.json | sort | tail -n 1)
            [ "$after" != "$before" ] || cairn_die "bench/run.sh wrote no result file"
            tracking+=("$side=$after")
        done
    done
fi

registry=()
if [ "$ONLY" != tracking ]; then
    cairn_python_env "$ROOT" Tests/compat/requirements.txt
    cairn_pg_start  # fsync off, as bench/registry.sh
    DB=$(cairn_pg_create_db cairn_ab_registry)
    serve() {
        local port
        port=$(cairn_free_port)
        "$1" serve --host 127.0.0.1 --port "$port" --database-url "$DB" --artifacts-uri "$WORK/artifacts" >>"$WORK/registry-server.log" 2>&1 &
        SERVER_PID=$!
        for _ in $(seq 1 300); do
            [ "$(curl -s --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null)" = OK ] && { URL="http://127.0.0.1:$port"; return 0; }
            sleep 0.2
        done
        cat "$WORK/registry-server.log" >&2
        cairn_die "cairn did not start"
    }
    unserve() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }
    cairn_section "A/B registry and search: set-up through A"
    gcc -O2 -pthread -o "$WORK/loadgen" bench/loadgen.c
    serve "$A"
    "$CAIRN_PYTHON" bench/registry_bench.py "$URL" --setup-only >/dev/null
    "$CAIRN_PYTHON" bench/bench.py make-search "$URL" 2000 "$WORK" >/dev/null
    unserve
    serve "$B"  # migrates the database if B's schema is newer
    unserve
    "$CAIRN_PG_BIN/psql" -qX -h 127.0.0.1 -p "$CAIRN_PG_PORT" -U postgres -d cairn_ab_registry -c ANALYZE
    for round in $(seq 1 "$ROUNDS"); do
        for side in A B; do
            bin=$A
            [ "$side" = B ] && bin=$B
            cairn_section "A/B registry, round $round, $side"
            serve "$bin"
            "$CAIRN_PYTHON" bench/registry_bench.py "$URL" --repeats 100 --skip-setup >"$WORK/registry-$round-$side.json"
            for body in search_body search_plain_body; do
                "$WORK/loadgen" -p "${URL##*:}" -c 1 -n 600 -w 50 post /api/2.0/mlflow/runs/search "$WORK/$body.json" \
                    >"$WORK/$body-$round-$side.json"
            done
            unserve
            registry+=("$side=$WORK/registry-$round-$side.json")
        done
    done
fi

cairn_section "A/B summary"
"${CAIRN_PYTHON:-python3}" - "$A" "$B" "${#tracking[@]}" "${tracking[@]}" "${registry[@]}" <<'PY'
import json, statistics, sys

a_bin, b_bin, n_tracking = sys.argv[1], sys.argv[2], int(sys.argv[3])
entries = sys.argv[4:]
tracking, registry = entries[:n_tracking], entries[n_tracking:]
print(f"A = {a_bin}\nB = {b_bin}\n")
rows = {}

def add(measure, side, value):
    rows.setdefault(measure, {"A": [], "B": []})[side].append(value)

for entry in tracking:
    side, path = entry.split("=", 1)
    cairn = json.load(open(path))["servers"]["cairn"]
    add("ingest round 1, metrics/s", side, cairn["ingest_round1"]["metrics_per_s"])
    rounds = [v["metrics_per_s"] for k, v in cairn.items() if k.startswith("ingest_round")]
    add("ingest median of rounds, metrics/s", side, statistics.median(rounds))
    for key, label in [("history_paged", "history 50k client-style"), ("history_unpaged", "history 50k unpaged"),
                       ("search", "search filtered+ordered"), ("search_plain", "search unfiltered"), ("single", "log-metric c=1")]:
        add(f"{label}, p50 ms", side, cairn[key]["p50_ms"])
        add(f"{label}, p95 ms", side, cairn[key]["p95_ms"])
for entry in registry:
    side, path = entry.split("=", 1)
    result = json.load(open(path))
    for key in ["models_all", "models_filtered", "versions_model", "versions_like"]:
        add(f"registry {key}, p50 ms", side, result[key]["p50_ms"])
        add(f"registry {key}, p95 ms", side, result[key]["p95_ms"])
    for body, label in [("search_body", "search filtered+ordered"), ("search_plain_body", "search unfiltered")]:
        timed = json.load(open(path.replace("registry-", f"{body}-")))
        add(f"{label} (shared data), p50 ms", side, timed["p50_ms"])
        add(f"{label} (shared data), p95 ms", side, timed["p95_ms"])

print("| measure | A | B | B/A (medians) |")
print("|---|---|---|---|")
for measure, sides in rows.items():
    a, b = sides["A"], sides["B"]
    ratio = statistics.median(b) / statistics.median(a) if a and b and statistics.median(a) else float("nan")
    fmt = lambda values: ", ".join(f"{v:,.2f}" if v < 1000 else f"{v:,.0f}" for v in values)
    print(f"| {measure} | {fmt(a)} | {fmt(b)} | {ratio:.2f} |")
PY
