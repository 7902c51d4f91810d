#!/usr/bin/env bash
# Checks deploy/ end to end, one PASS/FAIL line per check, and why at the end on failure:
#
#   render      `kubectl kustomize` of deploy/base and every overlay (deploy/overlays/*)
#   schema      Tests/deploy/validate_manifests.py on every rendered document (and deploy/rbac):
#               built-in kinds with kubernetes-validate --strict against the newest Kubernetes it
#               knows (1.37 with kubernetes-validate 1.37.0), the Prometheus operator's kinds with
#               jsonschema against the minimal CRD fixtures in Tests/fixtures (strict); its
#               self-test first proves planted mistakes are caught
#   contract    Tests/deploy/check_rendered.py: what each overlay must say (hardened pod, probes,
#               verify-full, RBAC bound to the pod's ServiceAccount, one replica on SQLite for dev...)
#   rules       the PrometheusRule is generated from deploy/monitoring/cairn-rules.yaml (--check),
#               `promtool check rules` on both, `promtool test rules deploy/monitoring/tests/*.yaml`
#   dry run     a real kube-apiserver (scripts/lib/kube.sh, v1.20.2) with the ServiceMonitor and
#               PrometheusRule CRD fixtures installed and namespaces cairn and ml-prod created:
#               `kubectl apply --dry-run=server` of every overlay. FOR THE DRY RUN ONLY, the kinds
#               1.20 cannot serve are converted to the versions it has, field for field the same:
#               autoscaling/v2 HorizontalPodAutoscaler -> autoscaling/v2beta2, policy/v1
#               PodDisruptionBudget -> policy/v1beta1. The strict schema check above sees them as
#               written.
#
# Needs: kubectl with kustomize v4 or newer built in (Debian's kubernetes-client is 1.20 with
# kustomize v2, too old: nothing is downloaded, the check fails saying so), promtool (Debian's
# `prometheus` package, installed when missing and root), the venv of Tests/deploy/requirements.txt
# ($CAIRN_PYTHON, else made at .venv), etcd and the cached kube-apiserver build (cairn_kube_build:
# ~9 min once per machine, then cached). Nothing is skipped: a missing tool is a FAIL.
#
# usage: Tests/deploy/check_deploy.sh [--digest FILE]   (FILE: the failures' reasons, for scripts/test.sh)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/kube.sh
source scripts/lib/python.sh

DIGEST=""
case "${1:-}" in
    --digest) DIGEST=${2:?--digest needs a file} ;;
    "") ;;
    *) echo "usage: Tests/deploy/check_deploy.sh [--digest FILE]" >&2; exit 2 ;;
esac

# A caller's own test API server (scripts/test.sh starts one) is not ours to stop: forget it, and
# start our own below.
unset CAIRN_KUBE_ROOT KUBE_API_URL KUBE_CA_FILE KUBE_ADMIN_TOKEN KUBE_LIMITED_TOKEN KUBE_LIMITED_USER KUBE_KUBECONFIG
WORK=$(mktemp -d -t cairn-deploy.XXXXXX)
cleanup() {
    cairn_kube_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

results=()
reasons=()
failed=0
pass() { results+=("PASS  $1"); echo "PASS  $1"; }
# fail NAME LOG: record a failed check; LOG's error lines (else its last lines) say why, printed
# again at the end.
fail() {
    local why
    results+=("FAIL  $1")
    echo "FAIL  $1"
    failed=1
    why=$(grep -E 'ERROR|FAIL|error|refused|invalid|denied|accepted [0-9]+ of' "$2" 2>/dev/null | cut -c1-400 | head -n 20)
    [ -n "$why" ] || why=$(tail -n 15 "$2" 2>/dev/null | cut -c1-400)
    reasons+=("== why: $1"$'\n'"$why")
}
# run NAME COMMAND...: run a check, its output kept in a log, and record PASS or FAIL.
run() {
    local name=$1 log
    shift
    log="$WORK/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').log"
    if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name" "$log"; fi
}
finish() {
    echo
    echo "== deploy checks"
    printf '%s\n' "${results[@]}"
    local passed=0 total=${#results[@]}
    for r in "${results[@]}"; do [[ $r == PASS* ]] && passed=$((passed + 1)); done
    if [ "$failed" -ne 0 ]; then
        echo
        printf '%s\n\n' "${reasons[@]}"
        [ -z "$DIGEST" ] || printf '%s\n\n' "${reasons[@]}" >"$DIGEST"
    fi
    echo "deploy: $passed passed, $((total - passed)) failed"
    [ "$failed" -eq 0 ]
    exit $?
}

# ---- tools ---------------------------------------------------------------------------------------

KUBECTL=${KUBECTL:-kubectl}
tools_log="$WORK/tools.log"
kustomize_ok=0
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
    echo "no kubectl on PATH: install a kubectl of 1.21 or newer (kustomize v4+ built in). Debian's kubernetes-client" \
        "(1.20, kustomize v2.0.3) is too old for these overlays; this script downloads nothing." >"$tools_log"
    fail "kubectl with kustomize v4+" "$tools_log"
else
    "$KUBECTL" version --client >"$tools_log" 2>&1
    version=$(sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p' "$tools_log")
    if [ -n "$version" ] && [ "$version" -ge 4 ]; then
        kustomize_ok=1
        pass "kubectl with kustomize v4+ ($(sed -n 's/^Kustomize Version: //p' "$tools_log"))"
    else
        echo "$KUBECTL has no kustomize v4+ built in (Debian's kubernetes-client 1.20 has v2.0.3): use kubectl 1.21 or newer" >>"$tools_log"
        fail "kubectl with kustomize v4+" "$tools_log"
    fi
fi

if [ -z "${CAIRN_PYTHON:-}" ] || ! "$CAIRN_PYTHON" -c 'import jsonschema, kubernetes_validate, yaml' 2>/dev/null; then
    cairn_python_env "$ROOT" Tests/deploy/requirements.txt >"$WORK/venv.log" 2>&1 || true
fi
PY=${CAIRN_PYTHON:-python3}
run "python with jsonschema, kubernetes-validate, PyYAML" "$PY" -c 'import jsonschema, kubernetes_validate, yaml'

if ! command -v promtool >/dev/null 2>&1; then
    (cairn_apt_install prometheus) >"$WORK/promtool-install.log" 2>&1 || true
fi
run "promtool (Debian's prometheus package)" promtool --version

# ---- render --------------------------------------------------------------------------------------

overlays=(base)
for dir in deploy/overlays/*/; do overlays+=("$(basename "$dir")"); done
declare -A rendered=()
for overlay in "${overlays[@]}"; do
    src=deploy/overlays/$overlay
    [ "$overlay" = base ] && src=deploy/base
    out="$WORK/render-$overlay.yaml"
    if [ "$kustomize_ok" = 1 ] && "$KUBECTL" kustomize "$src" >"$out" 2>"$WORK/render-$overlay.log" && [ -s "$out" ]; then
        rendered[$overlay]=$out
        pass "render $src ($(grep -c '^kind:' "$out") objects)"
    else
        fail "render $src" "$WORK/render-$overlay.log"
    fi
done

# ---- schema and contract -------------------------------------------------------------------------

run "schema checker self-test (planted errors caught)" "$PY" Tests/deploy/validate_manifests.py --self-test
for overlay in "${overlays[@]}"; do
    [ -n "${rendered[$overlay]:-}" ] || continue
    extra=()
    [ "$overlay" = production ] && extra=(deploy/rbac)
    run "schema $overlay (kubernetes-validate --strict; CRD fixtures)" "$PY" Tests/deploy/validate_manifests.py "${rendered[$overlay]}" "${extra[@]}"
    case "$overlay" in
        dev | production) run "contract $overlay (check_rendered.py)" "$PY" Tests/deploy/check_rendered.py "$overlay" "${rendered[$overlay]}" ;;
    esac
done

# ---- alert rules ---------------------------------------------------------------------------------

run "PrometheusRule generated from cairn-rules.yaml" "$PY" scripts/deploy/generate_prometheusrule.py --check
run "promtool check rules deploy/monitoring/cairn-rules.yaml" promtool check rules deploy/monitoring/cairn-rules.yaml
if [ -n "${rendered[production]:-}" ]; then
    # The groups as the operator receives them (after kustomize), in promtool's format.
    "$PY" - "${rendered[production]}" "$WORK/embedded-rules.yaml" <<'PY' >"$WORK/embedded.log" 2>&1
import sys, yaml
rule = next(d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "PrometheusRule")
yaml.safe_dump({"groups": rule["spec"]["groups"]}, open(sys.argv[2], "w"), sort_keys=False)
PY
    run "promtool check rules (the rendered PrometheusRule's groups)" promtool check rules "$WORK/embedded-rules.yaml"
fi
run "promtool test rules deploy/monitoring/tests/*.yaml" promtool test rules deploy/monitoring/tests/*.yaml

# ---- server dry run against kube-apiserver 1.20 --------------------------------------------------

kube_log="$WORK/kube.log"
if (cairn_kube_build) >"$kube_log" 2>&1 && cairn_kube_start >>"$kube_log" 2>&1; then
    pass "kube-apiserver $CAIRN_KUBE_VERSION started"
    k() { "$KUBECTL" --kubeconfig "$KUBE_KUBECONFIG" --cache-dir "$WORK/kube-cache" "$@"; }
    crds_log="$WORK/crds.log"
    if cairn_kube_install_crd Tests/fixtures/prometheus-operator-servicemonitor-crd.yaml >"$crds_log" 2>&1 &&
        cairn_kube_install_crd Tests/fixtures/prometheus-operator-prometheusrule-crd.yaml >>"$crds_log" 2>&1 &&
        k create namespace cairn >>"$crds_log" 2>&1 && k create namespace ml-prod >>"$crds_log" 2>&1; then
        pass "CRDs ServiceMonitor and PrometheusRule installed; namespaces cairn and ml-prod created"
        for overlay in "${overlays[@]}"; do
            [ "$overlay" = base ] && continue
            [ -n "${rendered[$overlay]:-}" ] || continue
            converted="$WORK/dry-run-$overlay.yaml"
            log="$WORK/dry-run-$overlay.log"
            # autoscaling/v2 and policy/v1 -> the 1.20 versions, for this dry run only (see the header).
            "$PY" - "${rendered[$overlay]}" "$converted" <<'PY' >"$log" 2>&1
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    old = d["apiVersion"]
    if (old, d["kind"]) == ("autoscaling/v2", "HorizontalPodAutoscaler"):
        d["apiVersion"] = "autoscaling/v2beta2"
    elif (old, d["kind"]) == ("policy/v1", "PodDisruptionBudget"):
        d["apiVersion"] = "policy/v1beta1"
    if d["apiVersion"] != old:
        print(f"dry run only: {d['kind']}/{d['metadata']['name']} sent as {d['apiVersion']} (1.20 has no {old})")
yaml.safe_dump_all(docs, open(sys.argv[2], "w"), sort_keys=False)
print(len(docs), "objects")
PY
            want=$(grep -c '^kind:' "${rendered[$overlay]}")
            if k apply --dry-run=server -f "$converted" >>"$log" 2>&1; then
                got=$(grep -c '(server dry run)$' "$log")
                if [ "$got" = "$want" ]; then
                    pass "kubectl apply --dry-run=server deploy/overlays/$overlay ($got objects accepted)"
                else
                    echo "the server accepted $got of $want objects" >>"$log"
                    fail "kubectl apply --dry-run=server deploy/overlays/$overlay" "$log"
                fi
            else
                fail "kubectl apply --dry-run=server deploy/overlays/$overlay" "$log"
            fi
        done
    else
        fail "CRDs ServiceMonitor and PrometheusRule installed; namespaces cairn and ml-prod created" "$crds_log"
    fi
else
    fail "kube-apiserver $CAIRN_KUBE_VERSION started" "$kube_log"
fi

finish
