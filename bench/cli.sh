#!/usr/bin/env bash
# The `cairn` CLI's figures (issue 14), in one run on loopback:
#  - `cairn artifacts upload` / `download` of SIZE_MIB MiB with a `cairn serve` whose artifacts
#    are in SeaweedFS with presigned URLs on (the CLI moves the file straight to and from the
#    bucket: multipart upload, parallel ranged GETs), against boto3 straight to the bucket
#    (upload_file / download_file with s3transfer's defaults), alternating boto3 and CLI, ROUNDS
#    times; then the CLI with --via-proxy (every byte through the server) for comparison. The
#    CLI's peak RSS from /usr/bin/time; every download checked with sha256.
#  - `cairn runs list` of 1,000 runs (one page, -o json), wall clock with start-up, 20 times.
# Targets: CLI throughput >= 80% of direct, CLI peak RSS <= 64 MB, runs list <= 150 ms.
#
# usage: bench/cli.sh [SIZE_MIB] [ROUNDS]   (defaults 1024 and 2; CAIRN_BIN defaults to the
#        release build: swift build -c release --product cairn)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/s3.sh

SIZE_MIB=${1:-1024}
ROUNDS=${2:-2}
CAIRN_BIN=${CAIRN_BIN:-$ROOT/.build/release/cairn}
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN: swift build -c release --product cairn"
[ -x /usr/bin/time ] || cairn_apt_install time
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
"$PY" -c 'import boto3, requests' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check boto3 requests

WORK=$(mktemp -d -t cairn-bench-cli.XXXXXX)
CAIRN_PID=""
cleanup() {
    set +e
    [ -n "$CAIRN_PID" ] && { kill -TERM "$CAIRN_PID" 2>/dev/null; wait "$CAIRN_PID" 2>/dev/null; }
    cairn_s3_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

cairn_s3_start "$ROOT" || cairn_die "SeaweedFS did not start"
cairn_s3_create_bucket bench-direct
cairn_s3_create_bucket bench-cairn
PORT=$(cairn_free_port)
URI="http://127.0.0.1:$PORT"
AWS_ACCESS_KEY_ID=$CAIRN_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CAIRN_S3_SECRET_KEY CAIRN_S3_ENDPOINT=$CAIRN_S3_ENDPOINT \
    CAIRN_S3_PATH_STYLE=true CAIRN_LOG_LEVEL=warning \
    "$CAIRN_BIN" serve --host 127.0.0.1 --port "$PORT" --database-url "sqlite:$WORK/cairn.db" \
    --artifacts-uri s3://bench-cairn/artifacts >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
for _ in $(seq 1 150); do [ "$(curl -s "$URI/health")" = OK ] && break; sleep 0.2; done
[ "$(curl -s "$URI/health")" = OK ] || { cat "$WORK/cairn.log"; cairn_die "cairn did not start"; }

cairn_log "seeding: one run for the transfers, 1,000 runs to list"
read -r RUN_ID LIST_EXPERIMENT < <("$PY" - "$URI" <<'PY'
import sys, requests
api = sys.argv[1] + "/api/2.0/mlflow"
s = requests.Session()
experiment = s.post(f"{api}/experiments/create", json={"name": "transfers"}).json()["experiment_id"]
run = s.post(f"{api}/runs/create", json={"experiment_id": experiment}).json()["run"]["info"]["run_id"]
listed = s.post(f"{api}/experiments/create", json={"name": "list-1000"}).json()["experiment_id"]
for i in range(1000):
    r = s.post(f"{api}/runs/create", json={"experiment_id": listed, "run_name": f"r{i}", "start_time": 1_700_000_000_000 + i}).json()
    s.post(f"{api}/runs/log-batch", json={"run_id": r["run"]["info"]["run_id"],
        "params": [{"key": f"p{k}", "value": str(k * i)} for k in range(10)],
        "metrics": [{"key": f"m{k}", "value": k * 0.1 + i, "timestamp": 1, "step": 0} for k in range(10)]})
print(run, listed)
PY
)

cairn_log "generating $SIZE_MIB MiB of random data"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/payload.bin"
WANT=$(sha256sum "$WORK/payload.bin" | cut -d' ' -f1)
BYTES=$((SIZE_MIB * 1024 * 1024))
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

direct() {
    local file="$WORK/payload.bin"
    [ "$1" = up ] || file="$WORK/down-direct.bin"
    AWS_ACCESS_KEY_ID=$CAIRN_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CAIRN_S3_SECRET_KEY "$PY" "$ROOT/bench/s3_direct.py" "$1" "$CAIRN_S3_ENDPOINT" bench-direct "$file"
}

# cli DIRECTION [OPTION...]: echo "seconds peak_rss_kib"; the summary line must say which route.
cli() {
    local out="$WORK/time.txt" direction=$1 route=direct took
    shift
    [[ " $* " == *" --via-proxy "* ]] && route=proxy
    rm -rf "$WORK/down-cli"
    if [ "$direction" = up ]; then
        CAIRN_TRACKING_URI=$URI /usr/bin/time -f "%e %M" -o "$out" "$CAIRN_BIN" artifacts upload "$RUN_ID" "$WORK/payload.bin" "$@" 2>"$WORK/cli.err"
    else
        CAIRN_TRACKING_URI=$URI /usr/bin/time -f "%e %M" -o "$out" "$CAIRN_BIN" artifacts download "$RUN_ID" payload.bin --to "$WORK/down-cli" "$@" 2>"$WORK/cli.err"
        [ "$(sha256sum "$WORK/down-cli/payload.bin" | cut -d' ' -f1)" = "$WANT" ] || cairn_die "the CLI's download differs from the upload"
    fi
    if grep -q "directly with the artifact store" "$WORK/cli.err"; then took=direct; else took=proxy; fi
    [ "$took" = "$route" ] || { cat "$WORK/cli.err" >&2; cairn_die "the CLI went $took, not $route"; }
    cat "$out"
}

row() { # ROUND TRANSFER BOTO3_SECONDS CLI_SECONDS RSS_KIB
    echo "| $1 | $2 | $(mbps "$3") MiB/s | $(mbps "$4") MiB/s | $(awk -v d="$3" -v c="$4" 'BEGIN { printf "%.0f", 100 * d / c }')% | $(($5 / 1024)) MiB |"
}
echo "| round | transfer ($SIZE_MIB MiB) | boto3 to the bucket | cairn CLI | CLI / boto3 | CLI peak RSS |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    d_up=$(direct up); read -r c_up rss_up < <(cli up)
    d_down=$(direct down); read -r c_down rss_down < <(cli down)
    [ "$(sha256sum "$WORK/down-direct.bin" | cut -d' ' -f1)" = "$WANT" ] || cairn_die "direct download differs"
    row "$round" "upload (direct)" "$d_up" "$c_up" "$rss_up"
    row "$round" "download (direct)" "$d_down" "$c_down" "$rss_down"
done
d_up=$(direct up); read -r c_up rss_up < <(cli up --via-proxy)
d_down=$(direct down); read -r c_down rss_down < <(cli down --via-proxy)
row "-" "upload (--via-proxy)" "$d_up" "$c_up" "$rss_up"
row "-" "download (--via-proxy)" "$d_down" "$c_down" "$rss_down"

cairn_log "cairn runs list of 1,000 runs, 3 warm-up calls, then 20 timed"
for _ in 1 2 3; do  # warm-up, not timed
    CAIRN_TRACKING_URI=$URI "$CAIRN_BIN" runs list --experiment "$LIST_EXPERIMENT" --max 1000 -o json >/dev/null
done
times=()
cpu=()
for _ in $(seq 1 20); do
    start=$(date +%s%N)
    CAIRN_TRACKING_URI=$URI /usr/bin/time -f "%U %S" -o "$WORK/cpu.txt" "$CAIRN_BIN" runs list --experiment "$LIST_EXPERIMENT" --max 1000 -o json >"$WORK/list.json"
    times+=($((($(date +%s%N) - start) / 1000000)))
    cpu+=("$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$WORK/cpu.txt")")
done
server=()
for _ in $(seq 1 20); do
    server+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' -X POST "$URI/api/2.0/mlflow/runs/search" \
        -d "{\"experiment_ids\":[\"$LIST_EXPERIMENT\"],\"max_results\":1000}" | awk '{ printf "%d", $1 * 1000 }')")
done
count=$("$PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/list.json")
[ "$count" = 1000 ] || cairn_die "runs list printed $count runs, not 1000"
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "runs list (1,000 runs, -o json, start-up included): p50 $(echo "$sorted" | sed -n 10p) ms, p95 $(echo "$sorted" | sed -n 19p) ms, max $(echo "$sorted" | tail -1) ms"
echo "  every call (ms): ${times[*]}"
echo "  the CLI's own CPU time (user + sys): p50 $(printf '%s\n' "${cpu[@]}" | sort -n | sed -n 10p) ms; the search alone (curl, same page): p50 $(printf '%s\n' "${server[@]}" | sort -n | sed -n 10p) ms"
echo "cairn: $CAIRN_BIN; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
