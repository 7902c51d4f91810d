#!/usr/bin/env bash
# What /metrics costs: the tracking benchmark (bench/run.sh: ingest, history, search,
# log-metric on PostgreSQL with durability on) for one binary with metrics on (A, the default)
# and off (B, `CAIRN_METRICS=off`), alternating A, B, A, B, ... through bench/ab.sh.
#
#   bench/metrics_cost.sh [--bin .build/release/cairn] [--rounds 3]
#
# B/A above 1 means faster with metrics off for rates, slower for latencies; the claim in
# BENCHMARKS.md is that ingest and log-metric stay within 3%.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
BIN=.build/release/cairn ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
        *) cairn_die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
[ -x "$BIN" ] || cairn_die "$BIN is missing: swift build -c release --product cairn"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WRAP=$(mktemp -d -t cairn-metrics-off.XXXXXX)
trap 'rm -rf "$WRAP"' EXIT
printf '#!/bin/sh\nCAIRN_METRICS=off exec %q "$@"\n' "$BIN" >"$WRAP/cairn-metrics-off"
chmod +x "$WRAP/cairn-metrics-off"
bench/ab.sh --a "$BIN" --b "$WRAP/cairn-metrics-off" --rounds "$ROUNDS" --only tracking
