# shellcheck shell=bash
# Small helpers shared by scripts/test.sh and the other scripts/lib files. Source it; it defines
# functions only and changes no shell options.

# cairn_log MESSAGE...: one line on stderr, prefixed so it stands out from tool output.
cairn_log() { printf '==> %s\n' "$*" >&2; }

# cairn_die MESSAGE...: print an error on stderr and exit 1.
cairn_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# cairn_usage SCRIPT: print a script's header comment (--help): its lines from the second up to
# the first that is not a comment, so the text shown follows the header as it is edited.
cairn_usage() { sed -n '2,/^[^#]/{/^#/p}' "$1"; }

# cairn_section TITLE: a header that is easy to find in a long CI log.
cairn_section() {
    printf '\n==================================================================\n'
    printf '== %s\n' "$*"
    printf '==================================================================\n'
}

# cairn_port_in_use PORT: true when a TCP socket of this machine uses local port PORT, listening or
# not (a connection's local end, TIME_WAIT included, can stop a later bind).
cairn_port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        ss -Hatn "sport = :$port" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

# cairn_port_range: print "FIRST COUNT", the ports test servers are given: from 10000 up to the
# kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768 by default), which outgoing
# connections draw their local ports from: a port picked there can be taken by any client between
# the pick and the bind (CI once lost SeaweedFS's volume port that way). Above the range when it
# leaves too little room below; 20000-59999 when it leaves room on neither side.
cairn_port_range() {
    local low=32768 high=60999
    [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r low high </proc/sys/net/ipv4/ip_local_port_range
    if [ "$low" -ge 15000 ]; then
        echo "10000 $((low - 10000))"
    elif [ "$high" -le 55000 ]; then
        echo "$((high + 1)) $((65000 - high))"
    else
        echo "20000 40000"
    fi
}

# cairn_free_port: print a port of cairn_port_range that no socket uses right now. Callers that bind
# it later should still retry if the bind fails (another process can take it in between).
cairn_free_port() {
    local first count port _
    read -r first count <<<"$(cairn_port_range)"
    for _ in $(seq 1 200); do
        port=$((first + (RANDOM * 32768 + RANDOM) % count))
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
