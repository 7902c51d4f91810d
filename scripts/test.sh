#!/usr/bin/env bash
# Cairn's test command: Swift suites (SQLite and PostgreSQL, S3 artifacts), schema checks of the
# Kubernetes manifests the Swift suites render, the checks of deploy/ (Tests/deploy/check_deploy.sh:
# overlays, alert rules, server dry run), and the compatibility suite, in which
# the official MLflow Python client drives a running `cairn serve` on each storage engine, once more
# with artifacts in S3 (SeaweedFS on loopback, scripts/lib/s3.sh), and with authentication on.
#
# On a fresh machine it sets up what it needs: the `postgresql` apt package (for a throwaway cluster
# on 127.0.0.1, removed on exit), the `prometheus` apt package (for promtool) and a venv at .venv
# with Tests/compat/requirements.txt and Tests/deploy/requirements.txt.
# Everything it starts is stopped on exit, also on failure or Ctrl-C. Exit status: 0 when all ran
# and passed. With CI=true every engine must run: a service that cannot be started fails the run.
#
# usage: scripts/test.sh [--swift-only | --compat-only] [--engine sqlite|postgres]
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/test.sh [--swift-only | --compat-only] [--engine sqlite|postgres]

  --swift-only       only `swift build --build-tests` + `swift test` (and the manifest and deploy/ checks)
  --compat-only      only the compatibility suite (Tests/compat) against `cairn serve`
  --engine ENGINE    one storage engine instead of both: sqlite (no PostgreSQL is started;
                     the Swift suites then run SQLite only) or postgres. Refused when CI=true.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/python.sh
source scripts/lib/s3.sh
source scripts/lib/kube.sh

run_swift=1
run_compat=1
engines=(sqlite postgres)
while [ $# -gt 0 ]; do
    case "$1" in
        --swift-only) run_compat=0 ;;
        --compat-only) run_swift=0 ;;
        --engine | --engine=*)
            if [ "$1" = --engine ]; then
                [ $# -ge 2 ] || { usage >&2; exit 2; }
                engine=$2
                shift
            else
                engine=${1#--engine=}
            fi
            case "$engine" in
                sqlite | postgres) engines=("$engine") ;;
                *) cairn_die "--engine must be sqlite or postgres, not '$engine'" ;;
            esac
            ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done
[ $((run_swift + run_compat)) -gt 0 ] || cairn_die "--swift-only and --compat-only exclude each other"
if [ "${CI:-}" = true ] && [ ${#engines[@]} -lt 2 ]; then
    cairn_die "CI=true runs every engine; --engine would skip one"
fi
uses_postgres=0
[[ " ${engines[*]} " == *" postgres "* ]] && uses_postgres=1

command -v swift >/dev/null 2>&1 || cairn_die "swift is not on PATH"
command -v curl >/dev/null 2>&1 || cairn_apt_install curl

# ---- bookkeeping and cleanup ---------------------------------------------------------------------

WORK=$(mktemp -d -t cairn-test.XXXXXX)
SERVER_PID=""
SERVER_ENV=()  # extra VAR=value settings for the next start_server (S3 credentials)
results=()
failed=0
digests=()  # "NAME<TAB>FILE" of failed stages that left a digest (printed after the summary)

pass() { results+=("PASS  $1"); }
# fail NAME [DIGEST]: record a failed stage; DIGEST, a file with the lines that say why, is
# printed again at the very end (CI keeps only the tail of a run's output).
fail() {
    results+=("FAIL  $1")
    failed=1
    if [ -n "${2:-}" ] && [ -s "$2" ]; then digests+=("$1"$'\t'"$2"); fi
}

# write_digest DIR [NOTE]: DIR/digest.txt with why a server-backed stage failed: NOTE, pytest's
# failing tests and assertion lines (DIR/pytest.log), and the server log's last warnings and errors.
write_digest() {
    local dir=$1 note=${2:-}
    {
        [ -z "$note" ] || echo "$note"
        if [ -f "$dir/pytest.log" ]; then
            grep -E '^(FAILED|ERROR) |^E   ' "$dir/pytest.log" | cut -c1-400 | head -n 14 || true
        fi
        echo "-- the server log's last warnings and errors:"
        grep -E ' (warning|error|critical) ' "$dir/server.log" 2>/dev/null | tail -n 8 | cut -c1-400 || true
    } >"$dir/digest.txt"
}

# stop_server: TERM the background `cairn serve` (KILL after 10 s) and reap it.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_EXIT=0
    wait "$SERVER_PID" 2>/dev/null || SERVER_EXIT=$?
    SERVER_PID=""
}

cleanup() {
    set +e
    stop_server
    cairn_pg_stop "${CAIRN_PG_DATA:-}"
    cairn_s3_stop
    cairn_kube_stop
    rm -rf "${CAIRN_PG_ROOT:-}" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- set-up --------------------------------------------------------------------------------------

if [ "$uses_postgres" = 1 ]; then
    cairn_section "Set-up: throwaway PostgreSQL"
    cairn_pg_start
fi
python_reqs=()
[ "$run_compat" = 1 ] && python_reqs+=(Tests/compat/requirements.txt Tests/dashboard/requirements.txt)
[ "$run_swift" = 1 ] && python_reqs+=(Tests/deploy/requirements.txt Tests/promotion/requirements.txt)
cairn_section "Set-up: Python venv (${python_reqs[*]})"
cairn_python_env "$ROOT" "${python_reqs[@]}"
s3_ready=0
cairn_section "Set-up: SeaweedFS S3 on loopback"
if cairn_s3_start "$ROOT" && cairn_s3_create_bucket cairn-test && cairn_s3_create_bucket cairn-compat; then
    s3_ready=1
    export CAIRN_TEST_S3_ENDPOINT="$CAIRN_S3_ENDPOINT" CAIRN_TEST_S3_BUCKET=cairn-test \
        CAIRN_TEST_S3_ACCESS_KEY="$CAIRN_S3_ACCESS_KEY" CAIRN_TEST_S3_SECRET_KEY="$CAIRN_S3_SECRET_KEY"
    CAIRN_TEST_S3_WEED=$(cairn_s3_weed "$ROOT")
    export CAIRN_TEST_S3_WEED
elif [ "${CI:-}" = true ]; then
    cairn_die "CI=true: SeaweedFS could not be started; the S3 tests cannot be skipped in CI"
else
    cairn_log "SeaweedFS could not be started: S3 tests are skipped (CI=true would fail here)"
    fail "S3 set-up (S3 tests skipped)"
fi

if [ "$run_compat" = 1 ]; then
    "$CAIRN_PYTHON" -c 'import mlflow, pytest; print("mlflow", mlflow.__version__, "| pytest", pytest.__version__)'
fi

# A real kube-apiserver + etcd with KServe's CRD for the Kubernetes client's integration tests
# (scripts/lib/kube.sh: built once per machine from Debian's source package and cached, ~9 min
# cold; started in ~10 s).
if [ "$run_swift" = 1 ]; then
    cairn_section "Set-up: kube-apiserver + etcd on loopback"
    if cairn_kube_build && cairn_kube_start; then
        cairn_log "KUBE_API_URL=$KUBE_API_URL"
    elif [ "${CI:-}" = true ]; then
        cairn_die "CI=true: the Kubernetes API server could not be started; its tests cannot be skipped in CI"
    else
        cairn_log "kube-apiserver could not be started: the Kubernetes integration tests are skipped (CI=true would fail here)"
        fail "kube-apiserver set-up (Kubernetes integration tests skipped)"
    fi
fi

# ---- Swift suites --------------------------------------------------------------------------------

built_with_tests=0
if [ "$run_swift" = 1 ]; then
    if [ "$uses_postgres" = 1 ]; then
        CAIRN_TEST_POSTGRES_URL=$(cairn_pg_create_db cairn_test)
        export CAIRN_TEST_POSTGRES_URL
        cairn_log "CAIRN_TEST_POSTGRES_URL=$CAIRN_TEST_POSTGRES_URL"
        # The same cluster over TLS (Tests/CairnStoreTests/PostgresTLSTests.swift).
        export CAIRN_TEST_POSTGRES_TLS_URL="$CAIRN_PG_TLS_URL" CAIRN_TEST_POSTGRES_TLS_CA="$CAIRN_PG_TLS_CA" \
            CAIRN_TEST_POSTGRES_TLS_OTHER_CA="$CAIRN_PG_TLS_OTHER_CA" CAIRN_TEST_POSTGRES_TLS_CERT_USER="$CAIRN_PG_TLS_CERT_USER" \
            CAIRN_TEST_POSTGRES_TLS_CLIENT_CERT="$CAIRN_PG_TLS_CLIENT_CERT" CAIRN_TEST_POSTGRES_TLS_CLIENT_KEY="$CAIRN_PG_TLS_CLIENT_KEY"
    else
        unset CAIRN_TEST_POSTGRES_URL CAIRN_TEST_POSTGRES_TLS_URL
        cairn_log "CAIRN_TEST_POSTGRES_URL unset: the Swift suites run on SQLite only"
    fi

    # ManifestDumpTests writes the manifests it renders here; checked in the next section.
    export CAIRN_MANIFEST_DUMP_DIR="$WORK/manifests"

    cairn_section "Swift: swift format lint --strict (.swift-format)"
    if swift format lint --strict -r Sources Tests Package.swift web; then
        pass "swift format lint"
    else
        fail "swift format lint (run: swift format format -i -r Sources Tests Package.swift)"
    fi

    cairn_section "Swift: swift build --build-tests"
    if swift build --build-tests; then
        pass "swift build --build-tests"
        built_with_tests=1
        cairn_section "Swift: swift test"
        if swift test --skip-build; then pass "swift test"; else fail "swift test"; fi
        cairn_section "README: configuration tables against the settings' definitions"
        if "$ROOT/.build/debug/cairn" config --check-readme README.md; then
            pass "README configuration tables"
        else
            fail "README configuration tables (run: swift run cairn config --update-readme README.md)"
        fi
    else
        fail "swift build --build-tests"
        fail "swift test (not run: the build failed)"
    fi
fi

# ---- Promotion: the CI webhook end to end against the kube-apiserver -----------------------------
# Tests/promotion starts its own `cairn serve --targets ...` (restarting it mid-rollout once) and
# plays KServe's and Kubernetes' controllers on the test API server.

if [ "$run_swift" = 1 ]; then
    cairn_section "Promotion: webhook, ledger, readiness and rollback against kube-apiserver"
    if [ "$built_with_tests" = 1 ] && [ -n "${KUBE_API_URL:-}" ]; then
        if CAIRN_BIN="$ROOT/.build/debug/cairn" PYTHONDONTWRITEBYTECODE=1 \
            "$CAIRN_PYTHON" -m pytest Tests/promotion -q -p no:cacheprovider --basetemp "$WORK/promotion"; then
            pass "promotion suite (kube-apiserver)"
        else
            fail "promotion suite (kube-apiserver)"
        fi
    else
        fail "promotion suite (not run: no build or no kube-apiserver)"
    fi
fi

# ---- Kubernetes manifests: offline schema checks ---------------------------------------------------
# Rendered InferenceServices against KServe v0.20.0's CRD schema (Tests/fixtures/), strict; built-in
# kinds (rendered Deployments, Services, HPAs and deploy/rbac/) with kubernetes-validate --strict.
# The checker's self-test first proves that planted mistakes are caught.

if [ "$run_swift" = 1 ]; then
    cairn_section "Deploy: schema checks of rendered manifests and deploy/rbac"
    if [ "$built_with_tests" = 1 ] && [ -n "$(ls "$CAIRN_MANIFEST_DUMP_DIR"/*.yaml 2>/dev/null)" ]; then
        if "$CAIRN_PYTHON" Tests/deploy/validate_manifests.py --self-test &&
            "$CAIRN_PYTHON" Tests/deploy/validate_manifests.py "$CAIRN_MANIFEST_DUMP_DIR" deploy/rbac; then
            pass "manifest schema checks"
        else
            fail "manifest schema checks"
        fi
    else
        fail "manifest schema checks (not run: the Swift tests wrote no manifests to $CAIRN_MANIFEST_DUMP_DIR)"
    fi
fi

# ---- deploy/: Cairn's own manifests and alert rules ----------------------------------------------
# Tests/deploy/check_deploy.sh renders deploy/base and every overlay with kubectl kustomize,
# validates each document strictly (kubernetes-validate; the Prometheus operator's kinds against
# the CRD fixtures), checks each overlay's contract, runs promtool check/test rules, and applies
# every overlay with --dry-run=server to a kube-apiserver of its own (HPA/PDB sent as the 1.20
# versions for that dry run only). Independent of the Swift build: it runs even when that failed.

if [ "$run_swift" = 1 ]; then
    cairn_section "Deploy: overlays rendered and validated, alert rules tested, server dry run"
    command -v promtool >/dev/null 2>&1 || (cairn_apt_install prometheus) || cairn_log "promtool could not be installed: the deploy checks will fail"
    if bash Tests/deploy/check_deploy.sh --digest "$WORK/deploy-digest.txt"; then
        pass "deploy/ (kustomize, strict schemas, promtool rules and tests, server dry run)"
    else
        fail "deploy/ (kustomize, strict schemas, promtool rules and tests, server dry run)" "$WORK/deploy-digest.txt"
    fi
fi

# ---- compatibility suite: the official mlflow client against `cairn serve` ------------------------

# start_server DATABASE_URL ARTIFACTS_DIR LOG: start `cairn serve` on a free port, wait up to 30 s
# (CAIRN_SERVER_START_TIMEOUT) for GET /health to answer OK. A port taken by another process
# between the pick and the bind is retried on a new one (three attempts). Sets SERVER_PID and
# SERVER_PORT. Returns 1 (log printed) otherwise.
start_server() {
    local attempt
    for attempt in 1 2 3; do
        _launch_server "$@" && return 0
        [ "$?" -eq 2 ] || return 1
        cairn_log "port $SERVER_PORT was taken before cairn serve could bind it (attempt $attempt of 3)"
    done
    cairn_log "cairn serve lost its port three times; its last log:"
    cat "$3" >&2
    return 1
}

# _launch_server DATABASE_URL ARTIFACTS_DIR LOG: one start of start_server. Returns 2 when the
# server exited because its port was taken.
_launch_server() {
    local database_url=$1 artifacts=$2 log=$3 deadline timeout=${CAIRN_SERVER_START_TIMEOUT:-30}
    SERVER_PORT=$(cairn_free_port)
    cairn_log "cairn serve on 127.0.0.1:$SERVER_PORT --database-url $database_url --artifacts-uri $artifacts"
    env "${SERVER_ENV[@]}" "$CAIRN_BIN" serve --host 127.0.0.1 --port "$SERVER_PORT" \
        --database-url "$database_url" --artifacts-uri "$artifacts" >"$log" 2>&1 &
    SERVER_PID=$!
    deadline=$((SECONDS + timeout))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            grep -q "another process already uses that port" "$log" && return 2
            cairn_log "cairn serve exited before answering /health; its log:"
            cat "$log" >&2
            return 1
        fi
        if [ "$(curl -s --max-time 2 "http://127.0.0.1:$SERVER_PORT/health" 2>/dev/null)" = OK ]; then
            cairn_log "cairn serve is up after $((SECONDS + timeout - deadline)) s"
            return 0
        fi
        sleep 0.2
    done
    cairn_log "cairn serve did not answer GET /health with OK within $timeout s; its log:"
    cat "$log" >&2
    stop_server
    return 1
}

# taken_port_check: `cairn serve` on a port another server holds exits 1 at once with a message
# that names the port (what start_server's retry keys on), and the holder keeps serving.
taken_port_check() {
    local dir="$WORK/taken-port" rc=0 output
    mkdir -p "$dir/artifacts"
    SERVER_ENV=()
    start_server "sqlite:$dir/cairn.db" "$dir/artifacts" "$dir/server.log" || return 1
    output=$(timeout 60 "$CAIRN_BIN" serve --host 127.0.0.1 --port "$SERVER_PORT" \
        --database-url "sqlite:$dir/second.db" --artifacts-uri "$dir/artifacts" 2>&1) && rc=0 || rc=$?
    if [ "$rc" -ne 1 ] || [[ "$output" != *"Cannot listen on 127.0.0.1:$SERVER_PORT: another process already uses that port"* ]]; then
        cairn_log "expected exit 1 and a clear message from cairn serve on a taken port; got exit $rc:"
        printf '%s\n' "$output" | tail -n 20 >&2
        rc=1
    else
        rc=0
    fi
    [ "$(curl -s --max-time 2 "http://127.0.0.1:$SERVER_PORT/health")" = OK ] || { cairn_log "the first server stopped answering"; rc=1; }
    stop_server
    return "$rc"
}

# engine_database ENGINE DIR NAME: the URL of a fresh database on ENGINE (a file in DIR, or the
# PostgreSQL database NAME).
engine_database() {
    case "$1" in
        sqlite) echo "sqlite:$2/cairn.db" ;;
        postgres) cairn_pg_create_db "$3" ;;
    esac
}

# add_s3_server_env: the next server's artifacts go to the SeaweedFS bucket's credentials and endpoint.
add_s3_server_env() {
    SERVER_ENV+=("AWS_ACCESS_KEY_ID=$CAIRN_S3_ACCESS_KEY" "AWS_SECRET_ACCESS_KEY=$CAIRN_S3_SECRET_KEY"
        "CAIRN_S3_ENDPOINT=$CAIRN_S3_ENDPOINT" "CAIRN_S3_PATH_STYLE=true")
}

# pytest_against_server DIR SUITE [VAR=VALUE...]: pytest SUITE with the variables against the
# running server, then stops it; on failure the server log's tail and a digest in DIR. Returns
# pytest's status.
pytest_against_server() {
    local dir=$1 suite=$2 rc=0
    shift 2
    env "$@" PYTHONDONTWRITEBYTECODE=1 "$CAIRN_PYTHON" -m pytest "$suite" -q -p no:cacheprovider --basetemp "$dir/pytest" 2>&1 |
        tee "$dir/pytest.log" || rc=$?
    stop_server
    if [ "$rc" -ne 0 ]; then
        cairn_log "pytest exited $rc; last 40 lines of the server log:"
        tail -n 40 "$dir/server.log" >&2
        write_digest "$dir" "pytest exited $rc"
    fi
    return "$rc"
}

# compat_engine ENGINE [s3]: a fresh database and artifact store (a directory, or with "s3" the
# SeaweedFS bucket cairn-compat), a server on them, pytest, server stopped.
compat_engine() {
    local engine=$1 artifacts_kind=${2:-local} database_url artifacts
    local dir="$WORK/compat-$engine-$artifacts_kind"
    mkdir -p "$dir/artifacts"
    database_url=$(engine_database "$engine" "$dir" "cairn_compat_$artifacts_kind") || return 1
    artifacts="$dir/artifacts"
    SERVER_ENV=()
    if [ "$artifacts_kind" = s3 ]; then
        artifacts="s3://cairn-compat/run-$RANDOM"
        add_s3_server_env
    fi
    start_server "$database_url" "$artifacts" "$dir/server.log" || { write_digest "$dir" "cairn serve did not start"; return 1; }
    local rc=0
    MLFLOW_TRACKING_URI="http://127.0.0.1:$SERVER_PORT" MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 \
        COMPAT_TARGET=cairn COMPAT_ARTIFACTS="$artifacts_kind" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$dir" \
        "$CAIRN_PYTHON" -m pytest Tests/compat -x -q -p no:cacheprovider --basetemp "$dir/pytest" 2>&1 |
        tee "$dir/pytest.log" || rc=$?
    if [ "$rc" -ne 0 ]; then
        cairn_log "pytest exited $rc; last 60 lines of the server log:"
        tail -n 60 "$dir/server.log" >&2
        write_digest "$dir" "pytest exited $rc"
    elif [ "$artifacts_kind" = local ]; then
        # After the suite: the /metrics scrape parses and holds every promised family.
        local scrape_flags=()
        [ "$engine" = postgres ] && scrape_flags=(--postgres)
        if ! "$CAIRN_PYTHON" Tests/operations/check_metrics_scrape.py --url "http://127.0.0.1:$SERVER_PORT" "${scrape_flags[@]}" \
            >"$dir/scrape.log" 2>&1; then
            cat "$dir/scrape.log" >&2
            { echo "the /metrics scrape after the suite failed:"; grep -E '^(FAIL|Traceback|[A-Za-z]*Error)' "$dir/scrape.log" | head -n 10; } >"$dir/digest.txt"
            rc=1
        else
            cat "$dir/scrape.log"
        fi
    fi
    stop_server
    if [ "$rc" -eq 0 ] && [ "$SERVER_EXIT" -ne 0 ]; then
        cairn_log "cairn serve did not shut down cleanly on SIGTERM (exit $SERVER_EXIT); last lines of its log:"
        tail -n 20 "$dir/server.log" >&2
        write_digest "$dir" "cairn serve did not shut down cleanly on SIGTERM (exit $SERVER_EXIT)"
        rc=1
    fi
    return "$rc"
}

# compat_auth MODE: the suite again with `--auth token` on SQLite, the client authenticating with
# MLFLOW_TRACKING_TOKEN (MODE=bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (MODE=basic) carrying a
# seeded admin token; Tests/compat/test_auth.py checks the refusals. Afterwards the server log
# must not contain the token.
compat_auth() {
    local mode=$1 token rc=0
    local dir="$WORK/compat-auth-$mode"
    token="cairn_ci_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    mkdir -p "$dir/artifacts"
    SERVER_ENV=(CAIRN_AUTH=token "CAIRN_ADMIN_TOKEN=$token" CAIRN_LOG_LEVEL=debug)
    start_server "sqlite:$dir/cairn.db" "$dir/artifacts" "$dir/server.log" || { SERVER_ENV=(); write_digest "$dir" "cairn serve did not start"; return 1; }
    SERVER_ENV=()
    local credentials=()
    case "$mode" in
        bearer) credentials=("MLFLOW_TRACKING_TOKEN=$token") ;;
        basic) credentials=("MLFLOW_TRACKING_USERNAME=ci" "MLFLOW_TRACKING_PASSWORD=$token") ;;
    esac
    env "${credentials[@]}" COMPAT_AUTH=1 MLFLOW_TRACKING_URI="http://127.0.0.1:$SERVER_PORT" MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 \
        COMPAT_TARGET=cairn PYTHONDONTWRITEBYTECODE=1 \
        "$CAIRN_PYTHON" -m pytest Tests/compat -x -q -p no:cacheprovider --basetemp "$dir/pytest" 2>&1 |
        tee "$dir/pytest.log" || rc=$?
    stop_server
    if [ "$rc" -ne 0 ]; then
        cairn_log "pytest exited $rc; last 60 lines of the server log:"
        tail -n 60 "$dir/server.log" >&2
        write_digest "$dir" "pytest exited $rc"
    elif grep -qF "$token" "$dir/server.log"; then
        cairn_log "the server log contains the API token"
        echo "the server log contains the API token" >"$dir/digest.txt"
        rc=1
    fi
    return "$rc"
}

# cli_engine ENGINE: Tests/cli (the `cairn` client commands as a subprocess) against a fresh
# `cairn serve --auth token` on ENGINE with a seeded admin token; on SQLite the artifacts go to
# the SeaweedFS bucket with presigned URLs on (large files straight to and from the bucket), on
# PostgreSQL to a directory (the direct routes answer 501: the fallback to the artifact proxy).
cli_engine() {
    local engine=$1 database_url token artifacts kind=local
    local dir="$WORK/cli-$engine"
    mkdir -p "$dir/artifacts"
    artifacts="$dir/artifacts"
    database_url=$(engine_database "$engine" "$dir" cairn_cli) || return 1
    token="cairn_ci_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    SERVER_ENV=(CAIRN_AUTH=token "CAIRN_ADMIN_TOKEN=$token")
    if [ "$engine" = sqlite ] && [ "$s3_ready" = 1 ]; then
        artifacts="s3://cairn-compat/cli-$RANDOM"
        kind=s3
        add_s3_server_env
        SERVER_ENV+=(CAIRN_S3_PRESIGN=true)
    elif [ "$engine" = sqlite ] && [ "${CI:-}" = true ]; then
        write_digest "$dir" "no S3 server for the artifact commands"
        return 1
    fi
    start_server "$database_url" "$artifacts" "$dir/server.log" || { SERVER_ENV=(); write_digest "$dir" "cairn serve did not start"; return 1; }
    SERVER_ENV=()
    pytest_against_server "$dir" Tests/cli CLI_TRACKING_URI="http://127.0.0.1:$SERVER_PORT" CLI_ADMIN_TOKEN="$token" CAIRN_BIN="$CAIRN_BIN" \
        CLI_ARTIFACTS="$kind" CLI_S3_ARTIFACTS="$artifacts" CLI_S3_ENDPOINT="${CAIRN_S3_ENDPOINT:-}" \
        CLI_S3_ACCESS_KEY="${CAIRN_S3_ACCESS_KEY:-}" CLI_S3_SECRET_KEY="${CAIRN_S3_SECRET_KEY:-}"
}

# dashboard_engine ENGINE: Tests/dashboard (every page in Debian's headless Chromium through
# Playwright) against a fresh `cairn serve` on ENGINE; screenshots of every page are left in
# $WORK/dashboard-ENGINE/screenshots (CI output, not committed).
dashboard_engine() {
    local engine=$1 database_url
    local dir="$WORK/dashboard-$engine"
    mkdir -p "$dir/artifacts"
    if [ ! -x /usr/lib/chromium/chromium ]; then
        cairn_apt_install chromium || { write_digest "$dir" "Debian's chromium could not be installed"; return 1; }
    fi
    database_url=$(engine_database "$engine" "$dir" cairn_dashboard) || return 1
    # On SQLite with --auth token (the browser signs in through the form), on PostgreSQL without.
    local token=""
    SERVER_ENV=()
    if [ "$engine" = sqlite ]; then
        token="cairn_ci_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
        SERVER_ENV=(CAIRN_AUTH=token "CAIRN_ADMIN_TOKEN=$token")
    fi
    start_server "$database_url" "$dir/artifacts" "$dir/server.log" || { SERVER_ENV=(); write_digest "$dir" "cairn serve did not start"; return 1; }
    SERVER_ENV=()
    pytest_against_server "$dir" Tests/dashboard DASHBOARD_URL="http://127.0.0.1:$SERVER_PORT" DASHBOARD_TOKEN="$token" \
        DASHBOARD_SCREENSHOTS="$dir/screenshots" || return 1
    cairn_log "dashboard screenshots: $dir/screenshots"
}

# fault_tests: Tests/faults, each script on a fresh PostgreSQL database with its own servers, each
# bounded (timeout) and printing its counts: two replicas with one SIGKILLed under load; the
# cluster stopped fast and immediate under load (it is restarted with the same command line);
# SIGTERM during a 500 MB upload, local store and the SeaweedFS bucket; a rolling restart behind
# the test's own proxy under the mlflow client. A failure's digest holds the script's FAIL line
# and counts, and the last warnings and errors of its servers' logs.
fault_tests() {
    local entry script title dir url rc extra
    for entry in "replica_kill:two replicas, one SIGKILLed under load" \
        "postgres_restart:PostgreSQL stopped (fast, immediate) under load" \
        "upload_sigterm:SIGTERM during a 500 MB upload" \
        "rolling_restart:rolling restart behind one address, mlflow client"; do
        script=${entry%%:*}
        title="faults: ${entry#*:}"
        dir="$WORK/faults/$script"
        mkdir -p "$dir"
        extra=()
        case "$script" in
            postgres_restart) extra=(--pg-ctl "$CAIRN_PG_BIN/pg_ctl" --pg-data "$CAIRN_PG_DATA" --psql "$CAIRN_PG_BIN/psql") ;;
            upload_sigterm)
                if [ "$s3_ready" = 1 ]; then
                    extra=(--s3-endpoint "$CAIRN_S3_ENDPOINT" --s3-bucket cairn-compat --s3-access-key "$CAIRN_S3_ACCESS_KEY"
                        --s3-secret-key "$CAIRN_S3_SECRET_KEY")
                fi
                ;;
        esac
        cairn_section "Faults: ${entry#*:}"
        rc=0
        if url=$(cairn_pg_create_db "cairn_fault_$script"); then
            # SIGINT at the limit: the script's cleanup still stops its servers (and PostgreSQL's restart).
            PYTHONDONTWRITEBYTECODE=1 timeout -s INT -k 15 240 "$CAIRN_PYTHON" "Tests/faults/$script.py" --cairn-bin "$CAIRN_BIN" \
                --database-url "$url" --log-dir "$dir" "${extra[@]}" 2>&1 | tee "$dir/output.log" || rc=$?
        else
            echo "FAIL: could not create the database cairn_fault_$script" >"$dir/output.log"
            rc=1
        fi
        if [ "$rc" -eq 0 ]; then
            pass "$title"
            continue
        fi
        {
            [ "$rc" -ne 124 ] && [ "$rc" -ne 130 ] || echo "FAIL: Tests/faults/$script.py did not finish within 240 s"
            grep -E '^(FAIL:|[a-z ]+:) ' "$dir/output.log" | cut -c1-400 | tail -n 12 || true
            echo "-- its servers' last warnings and errors:"
            cat "$dir"/*.log 2>/dev/null | grep -E ' (warning|error|critical) |Fatal error' | tail -n 8 | cut -c1-400 || true
        } >"$dir/digest.txt"
        fail "$title" "$dir/digest.txt"
    done
}

if [ "$run_compat" = 1 ]; then
    CAIRN_BIN="$ROOT/.build/debug/cairn"
    server_ready=1
    if [ "$built_with_tests" = 1 ]; then
        # `swift build --build-tests` already built the executable; building it again without
        # --build-tests would recompile modules with other flags.
        cairn_log "using $CAIRN_BIN from the test build"
    elif [ "$run_swift" = 1 ]; then
        server_ready=0
    else
        cairn_section "Build: swift build --product cairn"
        if swift build --product cairn; then pass "swift build --product cairn"; else fail "swift build --product cairn"; server_ready=0; fi
    fi
    if [ "$server_ready" = 1 ] && [ ! -x "$CAIRN_BIN" ]; then
        cairn_log "$CAIRN_BIN is missing after the build"
        server_ready=0
    fi

    for engine in "${engines[@]}"; do
        if [ "$server_ready" = 0 ]; then
            fail "compat ($engine) (not run: no cairn binary)"
            continue
        fi
        cairn_section "Compatibility: official mlflow client vs cairn serve ($engine)"
        if compat_engine "$engine"; then pass "compat ($engine)"; else fail "compat ($engine)" "$WORK/compat-$engine-local/digest.txt"; fi
    done
    for engine in "${engines[@]}"; do
        if [ "$server_ready" = 0 ]; then
            fail "cli ($engine) (not run: no cairn binary)"
            continue
        fi
        cairn_section "CLI: cairn client commands against cairn serve --auth token ($engine)"
        if cli_engine "$engine"; then pass "cli ($engine)"; else fail "cli ($engine)" "$WORK/cli-$engine/digest.txt"; fi
    done
    for engine in "${engines[@]}"; do
        if [ "$server_ready" = 0 ]; then
            fail "dashboard ($engine) (not run: no cairn binary)"
            continue
        fi
        cairn_section "Dashboard: every page in headless Chromium ($engine)"
        if dashboard_engine "$engine"; then pass "dashboard ($engine)"; else fail "dashboard ($engine)" "$WORK/dashboard-$engine/digest.txt"; fi
    done
    if [ "$server_ready" = 1 ] && [ "$s3_ready" = 1 ]; then
        cairn_section "Compatibility: official mlflow client vs cairn serve (${engines[0]}, S3 artifacts)"
        if compat_engine "${engines[0]}" s3; then
            pass "compat (${engines[0]}, S3 artifacts)"
        else
            fail "compat (${engines[0]}, S3 artifacts)" "$WORK/compat-${engines[0]}-s3/digest.txt"
        fi
    fi
    if [ "$server_ready" = 1 ] && [ "$uses_postgres" = 1 ]; then
        cairn_section "Hardening: a stalled PostgreSQL statement ends at the statement timeout; SIGTERM is not held by it"
        mkdir -p "$WORK/runaway"
        if runaway_url=$(cairn_pg_create_db cairn_runaway) &&
            PYTHONDONTWRITEBYTECODE=1 "$CAIRN_PYTHON" Tests/hardening/runaway_statement.py --cairn-bin "$CAIRN_BIN" \
                --database-url "$runaway_url" --psql "$CAIRN_PG_BIN/psql" --port "$(cairn_free_port)" \
                --log "$WORK/runaway/server.log" 2>&1 | tee "$WORK/runaway/output.log" && [ "${PIPESTATUS[0]}" -eq 0 ]; then
            pass "runaway statement (timeout, shutdown)"
        else
            grep -E '^(FAIL|stalled|SIGTERM)' "$WORK/runaway/output.log" >"$WORK/runaway/digest.txt" 2>/dev/null || true
            fail "runaway statement (timeout, shutdown)" "$WORK/runaway/digest.txt"
        fi
    fi
    if [ "$uses_postgres" = 1 ]; then
        if [ "$server_ready" = 1 ]; then fault_tests; else fail "fault tests (not run: no cairn binary)"; fi
    fi
    if [ "$server_ready" = 1 ]; then
        cairn_section "cairn serve on a taken port"
        if taken_port_check; then pass "serve on a taken port: clear error, exit 1"; else fail "serve on a taken port: clear error, exit 1"; fi
    fi
    if [[ " ${engines[*]} " == *" sqlite "* ]]; then
        for mode in bearer basic; do
            if [ "$server_ready" = 0 ]; then
                fail "compat (auth $mode) (not run: no cairn binary)"
                continue
            fi
            cairn_section "Compatibility with --auth token: mlflow client with $mode credentials"
            if compat_auth "$mode"; then pass "compat (auth $mode)"; else fail "compat (auth $mode)" "$WORK/compat-auth-$mode/digest.txt"; fi
        done
    fi
fi

# ---- OpenAPI contract: document up to date, validated, and fuzzed against `cairn serve` ----------
# (owner: scripts/openapi, Tests/openapi) The document is generated by scripts/openapi/generate.py;
# openapi-spec-validator checks it; Tests/openapi/fuzz.py checks every route is served, validates
# real responses against it and runs schemathesis (>= 2,000 requests) with auth on. Runs with the
# compatibility suite (it needs the server binary). CAIRN_OPENAPI_MAX_EXAMPLES tunes the fuzz depth.

openapi_contract() {
    source scripts/openapi/env.sh
    cairn_section "OpenAPI: generate.py --check, openapi-spec-validator"
    if python3 scripts/openapi/generate.py --check; then pass "openapi document up to date"; else fail "openapi document up to date"; fi
    if ! cairn_openapi_env "$ROOT"; then
        fail "openapi tools (pip install -r Tests/openapi/requirements.txt)"
        return
    fi
    if "$(dirname "$CAIRN_OPENAPI_PYTHON")/openapi-spec-validator" Sources/CairnServer/Resources/openapi.json; then
        pass "openapi-spec-validator"
    else
        fail "openapi-spec-validator"
    fi
    if [ "$server_ready" = 0 ]; then
        fail "openapi fuzz (not run: no cairn binary)"
        return
    fi
    cairn_section "OpenAPI: schemathesis against cairn serve --auth token"
    local dir="$WORK/openapi" token secret rc=0
    token="cairn_ci_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    secret="whsec_ci_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    mkdir -p "$dir/artifacts"
    # A webhook secret, so fuzzed signatures reach the signature checks instead of the 403.
    SERVER_ENV=(CAIRN_AUTH=token "CAIRN_ADMIN_TOKEN=$token" "CAIRN_WEBHOOK_SECRET=$secret")
    start_server "sqlite:$dir/cairn.db" "$dir/artifacts" "$dir/server.log" || { SERVER_ENV=(); fail "openapi fuzz (server did not start)"; return; }
    SERVER_ENV=()
    CAIRN_FUZZ_TOKEN=$token PYTHONDONTWRITEBYTECODE=1 "$CAIRN_OPENAPI_PYTHON" Tests/openapi/fuzz.py \
        --url "http://127.0.0.1:$SERVER_PORT" --max-examples "${CAIRN_OPENAPI_MAX_EXAMPLES:-15}" --report-dir "$dir/report" || rc=$?
    stop_server
    if [ "$rc" -ne 0 ]; then
        cairn_log "fuzz.py exited $rc; last 40 lines of the server log:"
        tail -n 40 "$dir/server.log" >&2
    elif grep -qF "$token" "$dir/server.log"; then
        cairn_log "the server log contains the API token"
        rc=1
    fi
    if [ "$rc" -eq 0 ]; then pass "openapi fuzz (schemathesis, auth on)"; else fail "openapi fuzz (schemathesis, auth on)"; fi

    # Extremes (Tests/openapi/extremes.py): every route's query, path, JSON fields and headers
    # with Int64 min/max, NaN, huge, empty, invalid UTF-8, NUL, ... on a fresh server (the run
    # fills the artifact root with odd names); 0 server deaths and 0 5xx, and no token in the log.
    # Once on SQLite with --auth token, once on PostgreSQL (its int8 binds and text rules) with
    # --auth none, through the browser guard that only that mode has.
    extremes_stage "extremes fuzz (every route, 0 deaths, 0 5xx)" "$WORK/extremes" "sqlite:$WORK/extremes/cairn.db" "$token" "$secret"
    if [ "$uses_postgres" = 1 ]; then
        local pg_url
        pg_url=$(cairn_pg_create_db cairn_extremes) || { fail "extremes fuzz on PostgreSQL (no database)"; return; }
        extremes_stage "extremes fuzz on PostgreSQL, auth none" "$WORK/extremes-postgres" "$pg_url" "" "$secret"
    fi
}

# extremes_stage NAME DIR DATABASE_URL TOKEN SECRET: Tests/openapi/extremes.py against a fresh
# `cairn serve` on DATABASE_URL, with --auth token and TOKEN as admin token when TOKEN is set
# (else --auth none) and SECRET as webhook secret; records NAME as passed or failed with a digest.
extremes_stage() {
    local name=$1 dir=$2 database_url=$3 token=$4 secret=$5 rc=0
    cairn_section "Hardening: $name"
    mkdir -p "$dir/artifacts"
    SERVER_ENV=("CAIRN_WEBHOOK_SECRET=$secret")
    [ -z "$token" ] || SERVER_ENV+=(CAIRN_AUTH=token "CAIRN_ADMIN_TOKEN=$token")
    start_server "$database_url" "$dir/artifacts" "$dir/server.log" || { SERVER_ENV=(); fail "$name (server did not start)"; return; }
    SERVER_ENV=()
    CAIRN_FUZZ_TOKEN=$token PYTHONDONTWRITEBYTECODE=1 "$CAIRN_OPENAPI_PYTHON" Tests/openapi/extremes.py \
        --url "http://127.0.0.1:$SERVER_PORT" --webhook-secret "$secret" --report "$dir/extremes.json" 2>&1 | tee "$dir/extremes.log" || rc=$?
    stop_server
    {
        echo "extremes.py exited $rc; its summary:"
        grep -E '^(FAIL|  |extremes)' "$dir/extremes.log" | head -n 24 || true
        echo "-- the server log's last warnings and errors:"
        grep -E ' (warning|error|critical) ' "$dir/server.log" 2>/dev/null | tail -n 8 | cut -c1-400 || true
    } >"$dir/digest.txt"
    if [ "$rc" -eq 0 ] && [ -n "$token" ] && grep -qF "$token" "$dir/server.log"; then
        echo "the server log contains the API token" >"$dir/digest.txt"
        rc=1
    fi
    if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "$dir/digest.txt"; fi
}

if [ "$run_compat" = 1 ]; then
    openapi_contract
fi

# ---- summary -------------------------------------------------------------------------------------

cairn_section "Summary"
printf '%s\n' "${results[@]}"
for entry in "${digests[@]}"; do
    echo
    echo "== why: ${entry%%$'\t'*}"
    cat "${entry#*$'\t'}"
done
if [ "$failed" -ne 0 ]; then
    echo "scripts/test.sh: FAILED"
    exit 1
fi
echo "scripts/test.sh: all passed"
