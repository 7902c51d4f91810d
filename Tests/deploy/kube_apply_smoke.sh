#!/usr/bin/env bash
# Smoke check of scripts/lib/kube.sh and of rendered manifests on a real kube-apiserver (1.20.2):
# start it, server-side apply (curl, application/apply-patch+yaml, fieldManager=cairn) every
# manifest in a directory written by ManifestDumpTests, check that the limited token is refused
# until deploy/rbac is bound to it, and that it then may apply too. Not part of scripts/test.sh's
# default run (the promotion integration tests will be); run it by hand:
#
#   CAIRN_MANIFEST_DUMP_DIR=/tmp/m swift test --skip-build --filter ManifestDumpTests
#   Tests/deploy/kube_apply_smoke.sh /tmp/m
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
source scripts/lib/kube.sh
DIR=${1:?usage: kube_apply_smoke.sh DIR-OF-RENDERED-MANIFESTS}
PY=${CAIRN_PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

trap cairn_kube_stop EXIT
cairn_kube_build
cairn_kube_start

failures=0
check() { # check NAME EXPECTED-CODE ACTUAL-CODE BODY-FILE
    if [ "$2" = "$3" ]; then
        echo "ok    $1 (HTTP $3)"
    else
        echo "FAIL  $1: expected HTTP $2, got $3: $(head -c 600 "$4")"
        failures=$((failures + 1))
    fi
}

# apply TOKEN JSON-FILE: server-side apply one object; prints the HTTP code, body in $out.
out=$(mktemp)
apply() {
    local token=$1 file=$2 path
    path=$("$PY" -c 'import json,sys
d=json.load(open(sys.argv[1])); g,_,v=d["apiVersion"].rpartition("/")
plural={"InferenceService":"inferenceservices","Deployment":"deployments","Service":"services","HorizontalPodAutoscaler":"horizontalpodautoscalers"}[d["kind"]]
print(("/apis/"+g if g else "/api")+"/"+v+"/namespaces/"+d["metadata"]["namespace"]+"/"+plural+"/"+d["metadata"]["name"])' "$file")
    curl -s -A cairn-test --cacert "$KUBE_CA_FILE" -H "Authorization: Bearer $token" -o "$out" -w '%{http_code}' -X PATCH \
        -H 'Content-Type: application/apply-patch+yaml' --data-binary "@$file" "$KUBE_API_URL$path?fieldManager=cairn"
}

# Split every rendered YAML stream into one JSON file per object.
split=$(mktemp -d)
"$PY" - "$DIR" "$split" <<'PY'
import json, os, sys, yaml
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    for i, doc in enumerate(d for d in yaml.safe_load_all(open(os.path.join(src, name))) if d):
        if doc["apiVersion"] == "autoscaling/v2":  # served from Kubernetes 1.23; this server is 1.20
            print(f"skip  {name} #{i}: autoscaling/v2 is not served by kube-apiserver 1.20")
            continue
        json.dump(doc, open(os.path.join(dst, f"{name[:-5]}.{i}.json"), "w"))
PY
namespaces=$("$PY" -c 'import json,os,sys; print(" ".join(sorted({json.load(open(os.path.join(sys.argv[1],f)))["metadata"]["namespace"] for f in os.listdir(sys.argv[1])})))' "$split")
for ns in $namespaces; do
    code=$(cairn_kube_curl -o "$out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}" "$KUBE_API_URL/api/v1/namespaces")
    check "create namespace $ns" 201 "$code" "$out"
done

first=$(ls "$split"/kserve-raw.0.json)
check "limited token without RBAC is refused: $(basename "$first")" 403 "$(apply "$KUBE_LIMITED_TOKEN" "$first")" "$out"

for file in "$split"/*.json; do
    code=$(apply "$KUBE_ADMIN_TOKEN" "$file")
    [ "$code" = 200 ] || [ "$code" = 201 ] && code=ok
    check "admin applies $(basename "$file")" ok "$code" "$out"
done
grep -q '"manager":"cairn","operation":"Apply"' "$out" && echo "ok    managedFields show cairn:Apply" || {
    echo "FAIL  managedFields lack cairn:Apply"
    failures=$((failures + 1))
}

# Bind deploy/rbac's ClusterRole to the limited user in each namespace; then it may apply.
for ns in $namespaces; do
    for f in deploy/rbac/clusterrole.yaml deploy/rbac/rolebinding.yaml; do
        "$PY" -c 'import json,sys,yaml
d=yaml.safe_load(open(sys.argv[1]))
if d["kind"]=="RoleBinding":
    d["metadata"]["namespace"]=sys.argv[2]; d["subjects"]=[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":sys.argv[3]}]
json.dump(d,open(sys.argv[4],"w"))' "$f" "$ns" "$KUBE_LIMITED_USER" "$split/rbac.tmp"
        kind=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kind"].lower()+"s/"+d["metadata"]["name"])' "$split/rbac.tmp")
        case "$kind" in
            clusterroles/*) url="$KUBE_API_URL/apis/rbac.authorization.k8s.io/v1/$kind" ;;
            *) url="$KUBE_API_URL/apis/rbac.authorization.k8s.io/v1/namespaces/$ns/$kind" ;;
        esac
        code=$(cairn_kube_curl -o "$out" -w '%{http_code}' -X PATCH -H 'Content-Type: application/apply-patch+yaml' \
            --data-binary "@$split/rbac.tmp" "$url?fieldManager=cairn-test&force=true")
        [ "$code" = 200 ] || [ "$code" = 201 ] && code=ok
        check "apply $f in $ns" ok "$code" "$out"
    done
done
for file in "$split"/*.json; do
    code=$(apply "$KUBE_LIMITED_TOKEN" "$file")
    [ "$code" = 200 ] || [ "$code" = 201 ] && code=ok
    check "limited token with deploy/rbac applies $(basename "$file")" ok "$code" "$out"
done
code=$(curl -s -A cairn-test --cacert "$KUBE_CA_FILE" -H "Authorization: Bearer $KUBE_LIMITED_TOKEN" -o "$out" -w '%{http_code}' \
    "$KUBE_API_URL/api/v1/namespaces/$(echo "$namespaces" | cut -d' ' -f1)/secrets")
check "limited token with deploy/rbac still cannot list secrets" 403 "$code" "$out"

rm -rf "$split" "$out"
echo "kube smoke: $failures failure(s)"
[ "$failures" -eq 0 ]
