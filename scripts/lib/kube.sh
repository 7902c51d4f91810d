# shellcheck shell=bash
# A real Kubernetes API server for integration tests: kube-apiserver v1.20.2 built once per machine
# from Debian bookworm's `kubernetes` source package (cached), plus Debian's etcd 3.4, both on
# 127.0.0.1 with bearer-token auth and RBAC, and KServe's real InferenceService CRD (v0.20.0)
# installed. No controllers run: tests play KServe's controller and the Deployment controller by
# writing objects and /status themselves. Recipe: shared/reference/test-services.md §3.2 and
# appendix C; the CRD addendum there explains the `default: ""` strip.
# Source after scripts/lib/common.sh.
#
#   cairn_kube_build                 # once per machine, ~9 min cold; a no-op when cached
#   cairn_kube_start                 # etcd + kube-apiserver + CRD, ~10 s; exports the variables below
#   ...                              # tests
#   cairn_kube_stop                  # TERM (then KILL) both by PID, remove the temp dir
#
# Exported by cairn_kube_start:
#   KUBE_API_URL        https://127.0.0.1:PORT
#   KUBE_CA_FILE        the apiserver's self-signed serving certificate (trust it, don't skip TLS)
#   KUBE_ADMIN_TOKEN    bearer token of user cairn-admin (group system:masters)
#   KUBE_LIMITED_TOKEN  bearer token of user cairn-limited (no groups, so no RBAC rights at all;
#                       tests bind deploy/rbac to it, or use it to see a denial)
#   KUBE_LIMITED_USER   that user's name (for RoleBinding subjects)
#   KUBE_KUBECONFIG     a kubeconfig (context cairn-test, admin token, CA file) for kubectl
#   CAIRN_KUBE_ROOT     the temp dir (logs: etcd.log, apiserver.log)
#
# Settings: CAIRN_KUBE_CACHE (default /var/cache/cairn-kube-1.20.2; needs ~1.7 GB),
# CAIRN_KUBE_CRD (default: <repo>/Tests/fixtures/kserve-inferenceservice-crd.yaml),
# CAIRN_KUBE_START_TIMEOUT (seconds, default 90).

CAIRN_KUBE_VERSION=v1.20.2
: "${CAIRN_KUBE_CACHE:=/var/cache/cairn-kube-1.20.2}"

# cairn_kube_apiserver_bin: print the cached kube-apiserver path (it may not exist yet).
cairn_kube_apiserver_bin() { echo "$CAIRN_KUBE_CACHE/bin/kube-apiserver"; }

# cairn_kube_build: build kube-apiserver into $CAIRN_KUBE_CACHE/bin unless it is already there.
# Installs golang-go, etcd-server, etcd-client and Debian's reflect2 sources (root needed). The
# deb-src index lives in a private apt state dir derived from the system's own sources; the
# system's apt configuration is not touched. The build log is $CAIRN_KUBE_CACHE/build.log.
cairn_kube_build() {
    local W=$CAIRN_KUBE_CACHE bin
    bin=$(cairn_kube_apiserver_bin)
    if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$CAIRN_KUBE_VERSION"; then
        cairn_log "kube-apiserver $CAIRN_KUBE_VERSION cached at $bin"
        return 0
    fi
    mkdir -p "$W" || return 1
    cairn_log "building kube-apiserver $CAIRN_KUBE_VERSION into $W (cold: about 9 min; log: $W/build.log)"
    (_cairn_kube_build_steps "$W") >"$W/build.log" 2>&1 || {
        tail -n 30 "$W/build.log" >&2
        cairn_log "kube-apiserver build failed; full log: $W/build.log"
        return 1
    }
    "$bin" --version >&2
}

# _cairn_kube_build_steps WORKDIR: appendix C of test-services.md, step by step. Runs in a subshell.
_cairn_kube_build_steps() {
    set -euo pipefail
    local W=$1 K dirs ld p src
    export DEBIAN_FRONTEND=noninteractive
    local need=()
    command -v go >/dev/null 2>&1 || need+=(golang-go)
    command -v etcd >/dev/null 2>&1 || need+=(etcd-server etcd-client)
    [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need+=(golang-github-modern-go-reflect2-dev)
    if [ ${#need[@]} -gt 0 ]; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}"
    fi

    # deb-src entries derived from the system's deb822 sources, in a private apt state dir.
    mkdir -p "$W/apt/lists/partial" "$W/apt/sources.list.d" "$W/src" "$W/bin"
    for src in /etc/apt/sources.list.d/*.sources; do
        [ -f "$src" ] || continue
        grep -q 'debian' "$src" || continue
        sed 's/^Types: deb$/Types: deb-src/' "$src" >"$W/apt/sources.list.d/$(basename "$src")"
    done
    local apt=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$W/apt/sources.list.d"
        -o Dir::State::Lists="$W/apt/lists")
    apt-get "${apt[@]}" update
    rm -f "$W"/src/kubernetes_*
    (cd "$W/src" && apt-get "${apt[@]}" source --download-only kubernetes)

    rm -rf "$W/kubernetes"
    mkdir -p "$W/kubernetes"
    tar xzf "$W"/src/kubernetes_*.orig.tar.gz -C "$W/kubernetes" --strip-components=1
    K="$W/kubernetes"
    # reflect2 v1.0.1 (vendored) breaks with Go >= 1.18: use Debian's 1.0.2 sources.
    rm -rf "$K/vendor/github.com/modern-go/reflect2"
    mkdir -p "$K/vendor/github.com/modern-go/reflect2"
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s \
        "$K/vendor/github.com/modern-go/reflect2/"

    # GOPATH-mode build, as debian/rules and hack/lib/golang.sh do for 1.20.
    export GOPATH="$W/gopath" GOCACHE="$W/gocache" GO111MODULE=off CGO_ENABLED=0 GOPROXY=off
    mkdir -p "$GOPATH/src/k8s.io"
    ln -sfn "$K" "$GOPATH/src/k8s.io/kubernetes"
    cd "$GOPATH/src/k8s.io/kubernetes"
    # zz_generated.openapi.go is not in the tarball: generate it as build/root/Makefile.generated_files does.
    go build -o "$W/bin/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
    dirs=$(find -H . \( -not \( \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune \) \) -type f -name '*.go' |
        sed 's|^./staging/src|vendor|; s|^./||' | xargs grep --color=never -l '^// *+k8s:' 2>/dev/null |
        grep -v -E '^vendor/k8s.io/(code-generator|sample-apiserver)/' |
        xargs grep --color=never -l '+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u |
        sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
    "$W/bin/openapi-gen" -i "$dirs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
        -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$W/openapi-violations.report" 2>/dev/null
    ld="-s -w"
    for p in client-go/pkg/version component-base/version; do
        ld+=" -X k8s.io/kubernetes/vendor/k8s.io/$p.gitVersion=$CAIRN_KUBE_VERSION -X k8s.io/kubernetes/vendor/k8s.io/$p.gitMajor=1"
        ld+=" -X k8s.io/kubernetes/vendor/k8s.io/$p.gitMinor=20 -X k8s.io/kubernetes/vendor/k8s.io/$p.gitTreeState=clean"
    done
    go build -ldflags "$ld" -o "$W/bin/kube-apiserver.tmp" ./cmd/kube-apiserver
    mv "$W/bin/kube-apiserver.tmp" "$W/bin/kube-apiserver"
}

# cairn_kube_start: start etcd and kube-apiserver on free loopback ports in a new temp dir, wait
# for /readyz, install the KServe CRD and wait until InferenceServices are served. Exports the
# variables listed at the top. Needs the cached build (cairn_kube_build), etcd (etcd-server) and a
# Python with PyYAML ($CAIRN_PYTHON, else python3) to turn the CRD into JSON. Returns 1 (logs
# printed) when something does not come up; call cairn_kube_stop in any case.
cairn_kube_start() {
    local bin root etcd_port peer_port metrics_port api_port deadline timeout=${CAIRN_KUBE_START_TIMEOUT:-90}
    bin=$(cairn_kube_apiserver_bin)
    [ -x "$bin" ] || { cairn_log "no kube-apiserver at $bin: run cairn_kube_build first"; return 1; }
    command -v etcd >/dev/null 2>&1 || cairn_apt_install etcd-server etcd-client
    command -v openssl >/dev/null 2>&1 || cairn_apt_install openssl
    root=$(mktemp -d -t cairn-kube.XXXXXX)
    export CAIRN_KUBE_ROOT="$root"
    etcd_port=$(cairn_free_port) peer_port=$(cairn_free_port) metrics_port=$(cairn_free_port) api_port=$(cairn_free_port)

    openssl genrsa -out "$root/sa.key" 2048 2>/dev/null
    openssl rsa -in "$root/sa.key" -pubout -out "$root/sa.pub" 2>/dev/null
    KUBE_ADMIN_TOKEN="admin-$(openssl rand -hex 16)"
    KUBE_LIMITED_TOKEN="limited-$(openssl rand -hex 16)"
    KUBE_LIMITED_USER=cairn-limited
    # token,user,uid[,"groups"]: the admin is in system:masters; the limited user in no group.
    printf '%s,cairn-admin,cairn-admin-uid,"system:masters"\n%s,%s,cairn-limited-uid\n' \
        "$KUBE_ADMIN_TOKEN" "$KUBE_LIMITED_TOKEN" "$KUBE_LIMITED_USER" >"$root/tokens.csv"
    chmod 600 "$root/tokens.csv"

    etcd --name cairn --data-dir "$root/etcd" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "cairn=http://127.0.0.1:$peer_port" --listen-metrics-urls "http://127.0.0.1:$metrics_port" \
        >"$root/etcd.log" 2>&1 &
    echo $! >"$root/etcd.pid"
    deadline=$((SECONDS + 30))
    until curl -sf "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$(cat "$root/etcd.pid")" 2>/dev/null; then
            tail -n 20 "$root/etcd.log" >&2
            cairn_log "etcd did not become healthy"
            return 1
        fi
        sleep 0.1
    done

    "$bin" --etcd-servers="http://127.0.0.1:$etcd_port" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
        --secure-port="$api_port" --insecure-port=0 --cert-dir="$root/certs" --token-auth-file="$root/tokens.csv" \
        --authorization-mode=RBAC --service-account-issuer=https://kubernetes.default.svc \
        --service-account-key-file="$root/sa.pub" --service-account-signing-key-file="$root/sa.key" \
        --service-cluster-ip-range=10.0.0.0/24 --enable-priority-and-fairness=false --endpoint-reconciler-type=none \
        >"$root/apiserver.log" 2>&1 &
    echo $! >"$root/apiserver.pid"
    export KUBE_API_URL="https://127.0.0.1:$api_port" KUBE_CA_FILE="$root/certs/apiserver.crt"
    export KUBE_ADMIN_TOKEN KUBE_LIMITED_TOKEN KUBE_LIMITED_USER
    deadline=$((SECONDS + timeout))
    until [ -f "$KUBE_CA_FILE" ] && [ "$(cairn_kube_curl -o /dev/null -w '%{http_code}' "$KUBE_API_URL/readyz")" = 200 ]; do
        if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$(cat "$root/apiserver.pid")" 2>/dev/null; then
            tail -n 30 "$root/apiserver.log" >&2
            cairn_log "kube-apiserver did not answer /readyz within $timeout s"
            return 1
        fi
        sleep 0.2
    done
    _cairn_kube_kubeconfig "$root/kubeconfig"
    export KUBE_KUBECONFIG="$root/kubeconfig"
    cairn_log "kube-apiserver $CAIRN_KUBE_VERSION on $KUBE_API_URL (etcd 127.0.0.1:$etcd_port; logs in $root)"
    cairn_kube_install_crd "${CAIRN_KUBE_CRD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/Tests/fixtures/kserve-inferenceservice-crd.yaml}"
}

# cairn_kube_curl CURL-ARGS...: curl against the test API server as the admin, trusting its CA.
cairn_kube_curl() {
    # A non-curl User-Agent: kube-apiserver pretty-prints JSON for curl, which breaks simple greps.
    curl -s -A cairn-test --cacert "$KUBE_CA_FILE" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" "$@"
}

# cairn_kube_install_crd CRD.yaml: server-side apply a CRD (as JSON, with the `default: ""` keys
# that kube-apiserver 1.20 refuses removed; see the addendum of test-services.md) and wait until
# its resources are served.
cairn_kube_install_crd() {
    local crd=$1 json="$CAIRN_KUBE_ROOT/crd.json" name code deadline
    "${CAIRN_PYTHON:-python3}" - "$crd" "$json" <<'PY' || return 1
import json, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if not (k == "default" and v == "")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
doc = strip(yaml.load(open(sys.argv[1]), Loader=loader))
json.dump(doc, open(sys.argv[2], "w"), separators=(",", ":"))
PY
    name=$("${CAIRN_PYTHON:-python3}" -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["name"])' "$json")
    code=$(cairn_kube_curl -o "$CAIRN_KUBE_ROOT/crd-apply.json" -w '%{http_code}' -X PATCH \
        -H 'Content-Type: application/apply-patch+yaml' --data-binary "@$json" \
        "$KUBE_API_URL/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name?fieldManager=cairn-test&force=true")
    case "$code" in
        200 | 201) ;;
        *) head -c 2000 "$CAIRN_KUBE_ROOT/crd-apply.json" >&2; cairn_log "installing CRD $name failed: HTTP $code"; return 1 ;;
    esac
    deadline=$((SECONDS + 60))
    until cairn_kube_curl "$KUBE_API_URL/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name" |
        grep -q '"type":"Established","status":"True"'; do
        [ "$SECONDS" -lt "$deadline" ] || { cairn_log "CRD $name not Established after 60 s"; return 1; }
        sleep 0.2
    done
    cairn_log "CRD $name installed and established"
}

# _cairn_kube_kubeconfig FILE: a kubeconfig for kubectl (context cairn-test, admin token).
_cairn_kube_kubeconfig() {
    cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: cairn-test
    cluster: {server: "$KUBE_API_URL", certificate-authority: "$KUBE_CA_FILE"}
users:
  - name: cairn-admin
    user: {token: "$KUBE_ADMIN_TOKEN"}
  - name: cairn-limited
    user: {token: "$KUBE_LIMITED_TOKEN"}
contexts:
  - name: cairn-test
    context: {cluster: cairn-test, user: cairn-admin}
  - name: cairn-test-limited
    context: {cluster: cairn-test, user: cairn-limited}
current-context: cairn-test
KUBECONFIG
    chmod 600 "$1"
}

# cairn_kube_stop: TERM kube-apiserver, then etcd (KILL after 10 s each), by the PIDs recorded in
# $CAIRN_KUBE_ROOT, and remove that directory. Never fails, so it is safe in an EXIT trap.
cairn_kube_stop() {
    local root=${CAIRN_KUBE_ROOT:-} name pid
    [ -n "$root" ] && [ -d "$root" ] || return 0
    for name in apiserver etcd; do
        [ -f "$root/$name.pid" ] || continue
        pid=$(cat "$root/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$root"
    unset CAIRN_KUBE_ROOT KUBE_API_URL KUBE_CA_FILE KUBE_ADMIN_TOKEN KUBE_LIMITED_TOKEN KUBE_LIMITED_USER KUBE_KUBECONFIG
}
