# shellcheck shell=bash
# The Python environment of the compatibility suite: a venv at <repo>/.venv (git-ignored) holding
# tests/compat/requirements.txt (the official mlflow client, pytest, requests).
# Source after scripts/lib/common.sh. A cold install of mlflow takes about 90 s; afterwards the
# venv is reused as long as requirements.txt is unchanged (a hash of it is kept in the venv).

# cairn_python_env ROOT: create or reuse ROOT/.venv and make sure its packages are installed.
# Exports CAIRN_VENV and CAIRN_PYTHON (the venv's interpreter). Honours CAIRN_BASE_PYTHON
# (default python3) as the interpreter that creates the venv.
cairn_python_env() {
    local root=$1
    local venv="$root/.venv" req="$root/tests/compat/requirements.txt"
    local base=${CAIRN_BASE_PYTHON:-python3}
    local stamp="$venv/.cairn-requirements.sha256" want
    [ -f "$req" ] || cairn_die "missing $req"
    want=$(sha256sum "$req" | cut -d' ' -f1)

    if [ ! -x "$venv/bin/python" ]; then
        command -v "$base" >/dev/null 2>&1 || cairn_apt_install python3 python3-venv
        command -v "$base" >/dev/null 2>&1 || base=python3
        cairn_log "creating $venv with $("$base" --version 2>&1)"
        if ! "$base" -m venv "$venv" 2>/dev/null; then
            # Debian's own python3 ships venv/ensurepip separately.
            rm -rf "$venv"
            cairn_apt_install python3-venv
            "$base" -m venv "$venv"
        fi
    fi

    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        cairn_log "pip install -r tests/compat/requirements.txt (cold: about 90 s)"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
        echo "$want" >"$stamp"
    else
        cairn_log "reusing $venv (requirements unchanged)"
    fi

    export CAIRN_VENV="$venv" CAIRN_PYTHON="$venv/bin/python"
}
