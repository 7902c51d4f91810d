#!/usr/bin/env bash
# Cairn on SQLite at scale (issue 17: "SQLite keeps working at 50,000 runs, its figures listed").
#
# A release `cairn serve` on a fresh SQLite file (the zero-setup default), seeded through the REST
# API by bench/scale_sqlite.py (8 threads; each run as a client writes it: runs/create, one
# log-batch of 10 params, 10 metrics and 2 tags, runs/update), plus 50 small experiments. Then the
# scale benchmark's searches, each verified once against a direct SQL query of the file and timed
# over --requests requests after 3 warm-ups on one keep-alive connection (bench/loadgen.c):
#   filtered     runs/search "metrics.acc > 0.5 and params.optimizer = 'adam'" by metrics.acc DESC
#   plain        runs/search by attributes.start_time DESC, first page of 100
#   deep         the same, page 50 through page_token (page size runs / 50, at most 100)
#   tag_like     runs/search "tags.dataset LIKE 'ds-1%'"
#   experiments  experiments/search "name LIKE 'scale-other-1%'"
# SQLite has no ANALYZE step here: Cairn's SQLite plans do not use statistics tables.
# Prints a Markdown table; exits 1 when a verification fails. Everything started is stopped on exit.
#
# usage: bench/scale_sqlite.sh [--cairn-bin PATH] [--runs 50000] [--requests 100]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
source bench/lib/bench_pg.sh

CAIRN_BIN="$ROOT/.build/release/cairn" RUNS=50000 REQUESTS=100
while [ $# -gt 0 ]; do
    case "$1" in
        --cairn-bin) CAIRN_BIN=$2; shift ;;
        --runs) RUNS=$2; shift ;;
        --requests) REQUESTS=$2; shift ;;
        -h | --help) cairn_usage "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN (swift build -c release --product cairn)"
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 50 ] || cairn_die "--runs: at least 50"

WORK=$(mktemp -d -t cairn-scale-sqlite.XXXXXX)
CAIRN_PID=""
cleanup() {
    set +e
    stop_tree "$CAIRN_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v gcc >/dev/null || cairn_apt_install gcc libc6-dev
command -v jq >/dev/null || cairn_apt_install jq
gcc -O2 -pthread -o "$WORK/loadgen" bench/loadgen.c
PORT=$(cairn_free_port)
"$CAIRN_BIN" serve --host 127.0.0.1 --port "$PORT" --database-url "sqlite:$WORK/cairn.db" --artifacts-uri "$WORK/artifacts" \
    >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
"$WORK/loadgen" -p "$PORT" wait /health 30000 "$(date +%s%N)" "$CAIRN_PID" >/dev/null || { tail -n 20 "$WORK/cairn.log"; cairn_die "cairn serve did not start"; }
BASE="http://127.0.0.1:$PORT"

cairn_log "seeding $RUNS runs (+500) through the API"
python3 bench/scale_sqlite.py seed "$BASE" "$RUNS" "$WORK/setup.json"
verify=$(python3 bench/scale_sqlite.py verify "$BASE" "$WORK/cairn.db" "$WORK/setup.json") && verified=1 || verified=0
cairn_log "verify: $verify"

echo
echo "| search ($RUNS runs, SQLite) | p50 / p95 ms | Cairn CPU ms/req | verified |"
echo "|---|---|---|---|"
for name in filtered plain deep tag_like experiments; do
    jq -c ".bodies.$name" "$WORK/setup.json" >"$WORK/$name.json"
    path=/api/2.0/mlflow/runs/search
    [ "$name" = experiments ] && path=/api/2.0/mlflow/experiments/search
    before=$("$WORK/loadgen" cpu "$CAIRN_PID" | jq '.[]')
    result=$("$WORK/loadgen" -p "$PORT" -c 1 -n "$REQUESTS" -w 3 post "$path" "$WORK/$name.json")
    after=$("$WORK/loadgen" cpu "$CAIRN_PID" | jq '.[]')
    cpu=$(awk -v a="$after" -v b="$before" -v n="$((REQUESTS + 3))" 'BEGIN {print (a - b) * 1000 / n}')
    ok=$(echo "$verify" | jq -r ".checks.$name.equal")
    [ "$(echo "$result" | jq .errors)" = 0 ] || ok=false
    printf '| %s | %.2f / %.2f | %.2f | %s |\n' "$name" "$(echo "$result" | jq .p50_ms)" "$(echo "$result" | jq .p95_ms)" "$cpu" "$ok"
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$CAIRN_PID/status")
echo
echo "Peak RSS (VmHWM) $((rss / 1024)) MB; database $(du -m "$WORK/cairn.db" | cut -f1) MB; load average $(cut -d' ' -f1-3 /proc/loadavg)."
[ "$verified" = 1 ] || cairn_die "a search's answer differed from SQL: $verify"
