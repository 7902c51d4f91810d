# shellcheck shell=bash
# A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a mktemp dir, listening on
# 127.0.0.1 only, on a free port, with its Unix socket inside the temp dir, fsync off, 400 connections (the Swift suites run in parallel, each test with its own pool).
# Nothing outside the temp dir is touched (recipe: shared/reference/test-services.md §1).
# Source after scripts/lib/common.sh.
#
# The cluster serves TLS too (ssl=on), with a server certificate for `localhost` only (no IP
# address in it) signed by a CA made with openssl at start. Plain and TLS connections both reach
# every database as `postgres` (trust), but two roles accept TLS only (pg_hba `hostssl`, and
# `hostnossl ... reject` for them): `cairn_tls` with a password and `cairn_tls_cert` with a
# client certificate (auth method `cert`, its CN names the role).
#
#   cairn_pg_start                      # sets CAIRN_PG_ROOT, CAIRN_PG_DATA, CAIRN_PG_PORT and
#                                       # CAIRN_PG_TLS_* (see cairn_pg_start)
#   cairn_pg_create_db cairn_test       # prints postgres://postgres@127.0.0.1:PORT/cairn_test
#   cairn_pg_stop "$CAIRN_PG_DATA"      # stops the cluster that owns that data dir
#   rm -rf "$CAIRN_PG_ROOT"
#
# Postgres refuses to run as root, so as root the server runs as user `postgres` (runuser);
# as any other user it runs as that user.

# _cairn_pg_newest_bin: print the newest /usr/lib/postgresql/VERSION/bin that has initdb and pg_ctl.
_cairn_pg_newest_bin() {
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && newest=$(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1)
    done
    [ -n "$newest" ] && echo "$newest"
}

# cairn_pg_bin: print the PostgreSQL server bin dir; installs the `postgresql` apt package when
# there is none.
cairn_pg_bin() {
    _cairn_pg_newest_bin && return 0
    cairn_apt_install postgresql
    _cairn_pg_newest_bin || cairn_die "PostgreSQL server binaries still missing after apt-get install"
}

# _cairn_pg_as_owner CMD...: run CMD as the cluster's owner (postgres when we are root).
_cairn_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# _cairn_pg_tls_files DIR: write a throwaway CA (ca.crt), a server certificate for DNS name
# `localhost` only (server.crt, server.key), a client certificate with CN=cairn_tls_cert
# (client.crt, client.key), all signed by that CA, and an unrelated CA (other-ca.crt) into DIR.
_cairn_pg_tls_files() {
    local dir=$1 name
    command -v openssl >/dev/null 2>&1 || cairn_apt_install openssl
    mkdir -p "$dir"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$dir/ca.ext"
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$dir/client.ext"
    for name in ca other-ca; do
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=Cairn test $name" \
            -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null &&
            openssl x509 -req -in "$dir/$name.csr" -signkey "$dir/$name.key" -days 30 -extfile "$dir/ca.ext" \
                -out "$dir/$name.crt" 2>/dev/null || return 1
    done
    for name in server client; do
        local cn=localhost
        [ "$name" = client ] && cn=cairn_tls_cert
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
            -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null &&
            openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
                -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null || return 1
    done
    rm -f "$dir"/*.csr "$dir"/*.ext "$dir"/*.srl
    chmod 600 "$dir"/*.key
}

# cairn_pg_start: initdb and start a cluster. Exports CAIRN_PG_BIN, CAIRN_PG_ROOT (temp dir, remove
# it after stopping), CAIRN_PG_DATA (data dir, the handle for cairn_pg_stop) and CAIRN_PG_PORT.
# Retries on another port when the chosen one was taken between the check and the bind.
# For TLS it exports CAIRN_PG_TLS_CA (the CA that signed the server's certificate),
# CAIRN_PG_TLS_OTHER_CA (a CA that signed nothing the server sends), CAIRN_PG_TLS_URL
# (postgres://cairn_tls:PASSWORD@localhost:PORT/postgres, a role refused without TLS),
# CAIRN_PG_TLS_CERT_USER (cairn_tls_cert, the role that logs in with a client certificate),
# CAIRN_PG_TLS_CLIENT_CERT and CAIRN_PG_TLS_CLIENT_KEY (that certificate and its key).
cairn_pg_start() {
    local bin root port attempt password
    bin=$(cairn_pg_bin) || return 1
    root=$(mktemp -d -t cairn-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || cairn_die "user postgres is missing (the postgresql package creates it)"
        chown postgres:postgres "$root"
    fi
    chmod 700 "$root"
    # Exported before anything can fail, so a caller's cleanup trap can find the temp dir.
    export CAIRN_PG_BIN="$bin" CAIRN_PG_ROOT="$root" CAIRN_PG_DATA="$root/data"

    if ! _cairn_pg_as_owner "$bin/initdb" -D "$root/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1; then
        cat "$root/initdb.log" >&2
        cairn_die "initdb failed"
    fi
    _cairn_pg_tls_files "$root/tls" || cairn_die "openssl could not make the test certificates"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$root/tls"
    # First match wins: these lines go before initdb's `host all all 127.0.0.1/32 trust`.
    {
        printf 'hostnossl all cairn_tls,cairn_tls_cert 127.0.0.1/32 reject\n'
        printf 'hostssl all cairn_tls 127.0.0.1/32 scram-sha-256\n'
        printf 'hostssl all cairn_tls_cert 127.0.0.1/32 cert\n'
        cat "$root/data/pg_hba.conf"
    } >"$root/pg_hba.conf" && cat "$root/pg_hba.conf" >"$root/data/pg_hba.conf" && rm "$root/pg_hba.conf"
    local tls_options="-c ssl=on -c ssl_cert_file=$root/tls/server.crt -c ssl_key_file=$root/tls/server.key -c ssl_ca_file=$root/tls/ca.crt"

    for attempt in 1 2 3 4 5; do
        port=$(cairn_free_port) || return 1
        if _cairn_pg_as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 $tls_options" \
            start >/dev/null; then
            export CAIRN_PG_PORT="$port"
            password=$(openssl rand -hex 16)
            "$bin/psql" -q -h "$root" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
                -c "CREATE ROLE cairn_tls LOGIN PASSWORD '$password'" -c "CREATE ROLE cairn_tls_cert LOGIN" >&2 ||
                cairn_die "could not create the TLS-only roles"
            export CAIRN_PG_TLS_CA="$root/tls/ca.crt" CAIRN_PG_TLS_OTHER_CA="$root/tls/other-ca.crt" \
                CAIRN_PG_TLS_URL="postgres://cairn_tls:$password@localhost:$port/postgres" CAIRN_PG_TLS_CERT_USER=cairn_tls_cert \
                CAIRN_PG_TLS_CLIENT_CERT="$root/tls/client.crt" CAIRN_PG_TLS_CLIENT_KEY="$root/tls/client.key"
            cairn_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, plain and TLS (data: $root/data)"
            return 0
        fi
        cairn_log "PostgreSQL did not start on port $port (attempt $attempt):"
        tail -n 5 "$root/server.log" >&2 || true
    done
    cairn_die "PostgreSQL failed to start; log: $root/server.log"
}

# cairn_pg_create_db NAME: create database NAME on the running cluster and print its URL.
cairn_pg_create_db() {
    local name=$1
    [ -n "${CAIRN_PG_PORT:-}" ] || cairn_die "cairn_pg_create_db: no cluster started"
    # Explicit return: callers use $(...), where bash does not apply `set -e`.
    "$CAIRN_PG_BIN/createdb" -h 127.0.0.1 -p "$CAIRN_PG_PORT" -U postgres "$name" >&2 || return 1
    echo "postgres://postgres@127.0.0.1:$CAIRN_PG_PORT/$name"
}

# cairn_pg_stop DATA_DIR: fast-stop the cluster owning DATA_DIR (its postmaster.pid). A no-op when
# it is not running. Never fails, so it is safe in an EXIT trap.
cairn_pg_stop() {
    local data=$1 bin
    [ -n "$data" ] && [ -f "$data/postmaster.pid" ] || return 0
    bin=${CAIRN_PG_BIN:-$(_cairn_pg_newest_bin)}
    _cairn_pg_as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}
