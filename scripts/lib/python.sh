# shellcheck shell=bash
# The Python environment of the test suites: a venv at <repo>/.venv (git-ignored) holding
# Tests/compat/requirements.txt (the official mlflow client, pytest, requests) and/or
# Tests/deploy/requirements.txt (jsonschema, kubernetes-validate, PyYAML for the manifest checks).
# Source after scripts/lib/common.sh. A cold install of mlflow takes about 90 s; afterwards the
# venv is reused as long as each requirements file is unchanged (a hash of it is kept in the venv).

# cairn_python_env ROOT [REQUIREMENTS...]: create or reuse ROOT/.venv and make sure the packages of
# each requirements file (paths relative to ROOT; default Tests/compat/requirements.txt) are
# installed. Exports CAIRN_VENV and CAIRN_PYTHON (the venv's interpreter). Honours CAIRN_BASE_PYTHON
# (default python3) as the interpreter that creates the venv.
cairn_python_env() {
    local root=$1
    shift
    local venv="$root/.venv"
    local base=${CAIRN_BASE_PYTHON:-python3}
    local reqs=("$@") rel req stamp want
    [ ${#reqs[@]} -gt 0 ] || reqs=(Tests/compat/requirements.txt)
    for rel in "${reqs[@]}"; do
        [ -f "$root/$rel" ] || cairn_die "missing $root/$rel"
    done

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
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    fi

    # One stamp (a hash of the file) per requirements file: each is installed again only when it changed.
    for rel in "${reqs[@]}"; do
        req="$root/$rel"
        stamp="$venv/.cairn-$(echo "$rel" | tr '/' '_').sha256"
        want=$(sha256sum "$req" | cut -d' ' -f1)
        if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
            cairn_log "pip install -r $rel"
            "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
            echo "$want" >"$stamp"
        else
            cairn_log "reusing $venv for $rel (unchanged)"
        fi
    done

    export CAIRN_VENV="$venv" CAIRN_PYTHON="$venv/bin/python"
    # The mlflow client's usage telemetry stays off in tests: it would phone home, and in 3.17.2
    # its start-up removes an environment variable while another thread's request iterates
    # os.environ for proxies (a KeyError '_MLFLOW_TELEMETRY_SESSION_ID' seen in the rolling restart).
    export MLFLOW_DISABLE_TELEMETRY=true
}
