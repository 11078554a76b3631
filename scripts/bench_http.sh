#!/usr/bin/env bash
# HTTP keep-alive throughput of examples/http_hello.rs, clockwork vs tokio
# (the same server code on both runtimes), measured with wrk.
#
#   scripts/bench_http.sh [SECONDS]          # default 10 s per run
#
# For each server thread count (1 = current-thread scheduler, 2 = the
# multi-thread one with 2 workers) and each runtime: start the server, warm
# up for 1 s, run `wrk -c $CONNS` for SECONDS, record Requests/sec. Prints a
# table and the clockwork/tokio ratio per thread count. With strace
# installed (and STRACE=1, the default), one more short run per
# configuration under `strace -c -f` gives the server's syscalls per request.
#
# Environment:
#   CONNS=100          wrk connections (keep-alive)
#   WRK_THREADS=2      wrk threads
#   THREADS="1 2"      server thread counts to measure
#   ROUNDS=1           runs per configuration, alternating runtimes; the best is kept
#   PORT=18080         server port on 127.0.0.1
#   STRACE=1           0 to skip the syscall count
#   CARGO_TARGET_DIR   where to build (default: target)
#
# wrk and the server share the machine: on a small one (2 cores) the
# absolute numbers are low and noisy; the ratio is the figure to read.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-10}
CONNS=${CONNS:-100}
WRK_THREADS=${WRK_THREADS:-2}
THREADS=${THREADS:-"1 2"}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-18080}
STRACE=${STRACE:-1}
TARGET=${CARGO_TARGET_DIR:-target}
URL="http://127.0.0.1:$PORT/"

# --- wrk ---------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "== wrk not found: installing it with apt-get"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk; }; then
        echo "error: could not install wrk (apt-get install wrk failed)." >&2
        echo "       Install it by hand (https://github.com/wg/wrk) and run again." >&2
        exit 1
    fi
fi

# --- build -------------------------------------------------------------------
echo "== building examples/http_hello (release)"
cargo build --release -q -p clockwork-examples --example http_hello
BIN="$TARGET/release/examples/http_hello"

SERVER_PID=""
STRACE_PID=""
cleanup() {
    if [ -n "$STRACE_PID" ]; then kill "$STRACE_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$LOG"
}
LOG=$(mktemp -d)
trap cleanup EXIT

start_server() { # runtime threads
    "$BIN" --runtime "$1" --threads "$2" --addr "127.0.0.1:$PORT" 2>"$LOG/server.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "error: http_hello ($1, $2 threads) did not start:" >&2
    cat "$LOG/server.err" >&2
    exit 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# Requests/sec of one wrk run of $1 seconds.
wrk_rps() {
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$1"s "$URL" >"$LOG/wrk.out"
    if grep -q "Non-2xx\|Socket errors" "$LOG/wrk.out"; then
        echo "warning: wrk reported errors:" >&2
        grep "Non-2xx\|Socket errors" "$LOG/wrk.out" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' "$LOG/wrk.out"
}

# Syscalls per request of the running server, from a short wrk run under
# `strace -c -f` (strace slows the server down: only the ratio of calls to
# requests means anything).
syscalls_per_request() {
    strace -c -f -p "$SERVER_PID" -o "$LOG/strace.out" 2>"$LOG/strace.err" &
    STRACE_PID=$!
    # Wait for strace's "Process N attached [with M threads]".
    for _ in $(seq 100); do
        if grep -q attached "$LOG/strace.err"; then break; fi
        sleep 0.05
    done
    wrk -t"$WRK_THREADS" -c"$CONNS" -d3s "$URL" >"$LOG/wrk-strace.out"
    kill -INT "$STRACE_PID"
    wait "$STRACE_PID" 2>/dev/null || true
    STRACE_PID=""
    local requests calls
    requests=$(awk '/requests in/ { print $1 }' "$LOG/wrk-strace.out")
    calls=$(awk '$NF == "total" { print $4 }' "$LOG/strace.out")
    awk -v c="$calls" -v r="$requests" 'BEGIN { if (r > 0) printf "%.2f", c / r; else print "n/a" }'
}

declare -A RPS SYSCALLS
for threads in $THREADS; do
    for round in $(seq "$ROUNDS"); do
        for rt in clockwork tokio; do
            start_server "$rt" "$threads"
            wrk -t"$WRK_THREADS" -c"$CONNS" -d1s "$URL" >/dev/null # warm-up
            rps=$(wrk_rps "$SECS")
            echo "   $rt, $threads thread(s), round $round: $rps req/s"
            best=${RPS[$rt,$threads]:-0}
            if awk -v a="$rps" -v b="$best" 'BEGIN { exit !(a > b) }'; then
                RPS[$rt,$threads]=$rps
            fi
            if [ "$round" = 1 ] && [ "$STRACE" = 1 ] && command -v strace >/dev/null; then
                SYSCALLS[$rt,$threads]=$(syscalls_per_request)
            fi
            stop_server
        done
    done
done

echo
echo "== http_hello, wrk -t$WRK_THREADS -c$CONNS, ${SECS} s (best of $ROUNDS)"
printf "%-8s %14s %14s %10s %18s %18s\n" threads "clockwork r/s" "tokio r/s" ratio "clockwork sys/req" "tokio sys/req"
for threads in $THREADS; do
    c=${RPS[clockwork,$threads]}
    t=${RPS[tokio,$threads]}
    ratio=$(awk -v c="$c" -v t="$t" 'BEGIN { printf "%.2f", c / t }')
    printf "%-8s %14s %14s %10s %18s %18s\n" "$threads" "$c" "$t" "$ratio" \
        "${SYSCALLS[clockwork,$threads]:-n/a}" "${SYSCALLS[tokio,$threads]:-n/a}"
done
