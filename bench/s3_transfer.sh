#!/usr/bin/env bash
# 1 GiB upload and download through Cairn's artifact proxy (curl PUT/GET, Cairn streaming to and
# from SeaweedFS) versus the same transfer straight to SeaweedFS with boto3 (upload_file /
# download_file, s3transfer's defaults), in one run, on loopback. Samples Cairn's VmRSS from
# /proc every 50 ms during each proxied transfer and reports the peak growth over the idle RSS.
# Targets (issue 3): RSS growth <= 64 MB, proxied throughput >= 70% of direct.
#
# usage: bench/s3_transfer.sh [SIZE_MIB]   (default 1024; CAIRN_BIN defaults to the release build,
#        else the debug build; build first: swift build -c release --product cairn)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/s3.sh

SIZE_MIB=${1:-1024}
CAIRN_BIN=${CAIRN_BIN:-}
[ -n "$CAIRN_BIN" ] || { [ -x .build/release/cairn ] && CAIRN_BIN=.build/release/cairn || CAIRN_BIN=.build/debug/cairn; }
[ -x "$CAIRN_BIN" ] || cairn_die "no cairn binary at $CAIRN_BIN: swift build -c release --product cairn"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
"$PY" -c 'import boto3' 2>/dev/null || "$PY" -m pip install -q --disable-pip-version-check boto3

WORK=$(mktemp -d -t cairn-bench-s3.XXXXXX)
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
AWS_ACCESS_KEY_ID=$CAIRN_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CAIRN_S3_SECRET_KEY CAIRN_S3_ENDPOINT=$CAIRN_S3_ENDPOINT \
    CAIRN_S3_PATH_STYLE=true CAIRN_LOG_LEVEL=warning \
    "$CAIRN_BIN" serve --host 127.0.0.1 --port "$PORT" --database-url "sqlite:$WORK/cairn.db" \
    --artifacts-uri s3://bench-cairn/artifacts >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
for _ in $(seq 1 150); do [ "$(curl -s "http://127.0.0.1:$PORT/health")" = OK ] && break; sleep 0.2; done
[ "$(curl -s "http://127.0.0.1:$PORT/health")" = OK ] || { cat "$WORK/cairn.log"; cairn_die "cairn did not start"; }

cairn_log "generating $SIZE_MIB MiB of random data"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/payload.bin"
WANT=$(sha256sum "$WORK/payload.bin" | cut -d' ' -f1)
BYTES=$((SIZE_MIB * 1024 * 1024))

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$CAIRN_PID/status"; }
# sample_rss FILE: write the peak VmRSS (KiB) to FILE until killed.
sample_rss() {
    local out=$1 peak=0 now
    while kill -0 "$CAIRN_PID" 2>/dev/null; do
        now=$(rss_kib); [ "${now:-0}" -gt "$peak" ] && { peak=$now; echo "$peak" >"$out"; }
        sleep 0.05
    done
}
now_s() { date +%s.%N; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

# proxied DIRECTION: curl through Cairn, echo "seconds idle_kib peak_kib"
proxied() {
    local direction=$1 start end idle sampler
    idle=$(rss_kib); echo "$idle" >"$WORK/peak"
    sample_rss "$WORK/peak" & sampler=$!
    start=$(now_s)
    if [ "$direction" = up ]; then
        curl -sf -T "$WORK/payload.bin" -H 'Content-Type: application/octet-stream' \
            "http://127.0.0.1:$PORT/api/2.0/mlflow-artifacts/artifacts/bench/payload.bin" >/dev/null
    else
        curl -sf -o "$WORK/down-cairn.bin" "http://127.0.0.1:$PORT/api/2.0/mlflow-artifacts/artifacts/bench/payload.bin"
    fi
    end=$(now_s)
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') $idle $(cat "$WORK/peak")"
}

direct() {
    local file="$WORK/payload.bin"
    [ "$1" = up ] || file="$WORK/down-direct.bin"
    AWS_ACCESS_KEY_ID=$CAIRN_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CAIRN_S3_SECRET_KEY "$PY" "$ROOT/bench/s3_direct.py" "$1" "$CAIRN_S3_ENDPOINT" bench-direct "$file"
}

cairn_log "direct upload (boto3)";    d_up=$(direct up)
cairn_log "proxied upload (curl PUT)"; read -r p_up up_idle up_peak < <(proxied up)
cairn_log "direct download (boto3)";  d_down=$(direct down)
cairn_log "proxied download (curl GET)"; read -r p_down down_idle down_peak < <(proxied down)

[ "$(sha256sum "$WORK/down-cairn.bin" | cut -d' ' -f1)" = "$WANT" ] || cairn_die "proxied download differs from the upload"
[ "$(sha256sum "$WORK/down-direct.bin" | cut -d' ' -f1)" = "$WANT" ] || cairn_die "direct download differs from the upload"

ratio() { awk -v d="$1" -v p="$2" 'BEGIN { printf "%.0f", 100 * d / p }'; }
growth() { awk -v i="$1" -v p="$2" 'BEGIN { printf "%.1f", (p - i) / 1024 }'; }
cat <<EOF2
| transfer ($SIZE_MIB MiB) | direct boto3 | through Cairn | Cairn / direct | Cairn RSS idle → peak (growth) |
|---|---|---|---|---|
| upload | $(mbps "$d_up") MiB/s | $(mbps "$p_up") MiB/s | $(ratio "$d_up" "$p_up")% | $((up_idle / 1024)) → $((up_peak / 1024)) MiB ($(growth "$up_idle" "$up_peak") MiB) |
| download | $(mbps "$d_down") MiB/s | $(mbps "$p_down") MiB/s | $(ratio "$d_down" "$p_down")% | $((down_idle / 1024)) → $((down_peak / 1024)) MiB ($(growth "$down_idle" "$down_peak") MiB) |
EOF2
echo "cairn: $CAIRN_BIN; sha256 verified for both downloads; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
