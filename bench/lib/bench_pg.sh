# shellcheck shell=bash
# Helpers shared by bench/run.sh and bench/scale.sh: free ports, stopping a process tree, and the
# benchmarks' throwaway PostgreSQL cluster, whose durability settings the caller chooses (unlike
# scripts/lib/postgres.sh, the test recipe, which always runs with fsync off).
# Source after scripts/lib/common.sh and scripts/lib/postgres.sh. Defines functions only.
#
#   PG_OPTS=$(bench_pg_durability on)     # "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
#   bench_pg_start "-c max_connections=200 $PG_OPTS"
#       # sets PGBIN, PGPORT, PG_PID; exports CAIRN_PG_BIN, CAIRN_PG_ROOT, CAIRN_PG_DATA
#   ...
#   cairn_pg_stop "$CAIRN_PG_DATA"; rm -rf "$CAIRN_PG_ROOT"    # in the caller's EXIT trap

# bench_free_port: a free port below the kernel's ephemeral range, so that no client socket (the
# health poller's included) can be handed the server's port by a TCP self-connect before it binds.
bench_free_port() {
    local lo p _
    lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$lo" -gt 21000 ] 2>/dev/null || lo=32768
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % (lo - 20000)))
        cairn_port_in_use "$p" || { echo "$p"; return 0; }
    done
    cairn_die "no free port"
}

# descendants PID: every descendant of PID, one per line.
descendants() {
    local pid=$1 c
    # shellcheck disable=SC2013 # the children files are space-separated PID lists
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        echo "$c"
        descendants "$c"
    done
}

# stop_tree PID: TERM a process and, after it exits or 20 s, KILL what is left of its tree.
stop_tree() {
    local pid=$1 kids="" _
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kids=$(descendants "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        local alive=""
        for k in $kids; do kill -0 "$k" 2>/dev/null && alive="$alive $k"; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
}

# bench_pg_durability on|off: the server options of each setting.
#   on   PostgreSQL's defaults: fsync=on, synchronous_commit=on, full_page_writes=on; every
#        acknowledged write is on disk.
#   off  fsync=off, synchronous_commit=off, full_page_writes=off (the test recipe).
bench_pg_durability() {
    case "$1" in
        on) echo "-c fsync=on -c synchronous_commit=on -c full_page_writes=on" ;;
        off) echo "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" ;;
        *) cairn_die "--durability on|off" ;;
    esac
}

# bench_pg_start OPTIONS: initdb a cluster in a new temp dir (the recipe of scripts/lib/postgres.sh:
# 127.0.0.1 only, its Unix socket inside the temp dir, trust auth, UTF8, locale C.UTF-8) and start
# it on a free port with `-c listen_addresses=127.0.0.1 -p PORT -k DIR OPTIONS`. Sets PGBIN, PGPORT
# and PG_PID (the postmaster); exports CAIRN_PG_BIN, CAIRN_PG_ROOT (the temp dir, set before
# anything can fail so that the caller's cleanup finds it) and CAIRN_PG_DATA. The log is
# $CAIRN_PG_ROOT/server.log.
bench_pg_start() {
    local opts=$1
    PGBIN=$(cairn_pg_bin)
    CAIRN_PG_ROOT=$(mktemp -d -t cairn-bench-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CAIRN_PG_ROOT"
    chmod 700 "$CAIRN_PG_ROOT"
    export CAIRN_PG_BIN="$PGBIN" CAIRN_PG_ROOT CAIRN_PG_DATA="$CAIRN_PG_ROOT/data"
    _cairn_pg_as_owner "$PGBIN/initdb" -D "$CAIRN_PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$CAIRN_PG_ROOT/initdb.log" 2>&1 || { cat "$CAIRN_PG_ROOT/initdb.log"; cairn_die "initdb failed"; }
    PGPORT=$(bench_free_port)
    _cairn_pg_as_owner "$PGBIN/pg_ctl" -D "$CAIRN_PG_DATA" -l "$CAIRN_PG_ROOT/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $CAIRN_PG_ROOT $opts" start >/dev/null ||
        { tail "$CAIRN_PG_ROOT/server.log"; cairn_die "PostgreSQL did not start"; }
    # shellcheck disable=SC2034 # the caller's
    PG_PID=$(head -n 1 "$CAIRN_PG_DATA/postmaster.pid")
}
