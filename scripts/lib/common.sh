# shellcheck shell=bash
# Small helpers shared by scripts/test.sh and the other scripts/lib files. Source it; it defines
# functions only and changes no shell options.

# cairn_log MESSAGE...: one line on stderr, prefixed so it stands out from tool output.
cairn_log() { printf '==> %s\n' "$*" >&2; }

# cairn_die MESSAGE...: print an error on stderr and exit 1.
cairn_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# cairn_section TITLE: a header that is easy to find in a long CI log.
cairn_section() {
    printf '\n==================================================================\n'
    printf '== %s\n' "$*"
    printf '==================================================================\n'
}

# cairn_port_in_use PORT: true when something listens on 127.0.0.1:PORT (or on all addresses).
cairn_port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

# cairn_free_port: print a TCP port in 20000-59999 that nothing listens on right now. Callers that
# bind it later should still retry if the bind fails (another process can take it in between).
cairn_free_port() {
    local port _
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        cairn_port_in_use "$port" || { echo "$port"; return 0; }
    done
    cairn_die "no free TCP port found on 127.0.0.1"
}

# cairn_apt_install PACKAGE...: install Debian packages (root only), refreshing the index first.
cairn_apt_install() {
    [ "$(id -u)" -eq 0 ] || cairn_die "need root to apt-get install $*; install it yourself and retry"
    cairn_log "apt-get install $*"
    # stdout goes to stderr: callers may run this inside $(...).
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
