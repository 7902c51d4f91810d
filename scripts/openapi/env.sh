# shellcheck shell=bash
# The Python environment of the OpenAPI checks: a venv at <repo>/.venv/openapi (inside the
# git-ignored .venv, separate from the mlflow client's packages) holding
# Tests/openapi/requirements.txt (openapi-spec-validator, schemathesis). Reinstalled only when that
# file changes. Source after scripts/lib/common.sh.

# cairn_openapi_env ROOT: create or reuse the venv; exports CAIRN_OPENAPI_PYTHON. Honours
# CAIRN_BASE_PYTHON (default python3).
cairn_openapi_env() {
    local root=$1
    local venv="$root/.venv/openapi" req="$root/Tests/openapi/requirements.txt"
    local base=${CAIRN_BASE_PYTHON:-python3}
    local stamp="$venv/.cairn-requirements.sha256" want
    [ -f "$req" ] || cairn_die "missing $req"
    want=$(sha256sum "$req" | cut -d' ' -f1)
    if [ ! -x "$venv/bin/python" ]; then
        command -v "$base" >/dev/null 2>&1 || cairn_apt_install python3 python3-venv
        command -v "$base" >/dev/null 2>&1 || base=python3
        mkdir -p "$root/.venv"
        cairn_log "creating $venv with $("$base" --version 2>&1)"
        if ! "$base" -m venv "$venv" 2>/dev/null; then
            rm -rf "$venv"
            cairn_apt_install python3-venv
            "$base" -m venv "$venv"
        fi
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        cairn_log "pip install -r Tests/openapi/requirements.txt"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" || return 1
        echo "$want" >"$stamp"
    else
        cairn_log "reusing $venv (requirements unchanged)"
    fi
    export CAIRN_OPENAPI_PYTHON="$venv/bin/python"
}
