#!/usr/bin/env bash
# Full-size reliability runs for the runtime's networking (release builds):
#
#  1. 10,000 concurrent connections. In one process (the `net` test
#     many_concurrent_connections; both ends there, so it needs an fd limit
#     above 20,100: with a lower hard limit, as many as fit), and across two
#     processes: examples/echo as the server, `echo --client 10000` as the
#     load, then a check that the server's fd count goes back to where it
#     was once the clients are gone.
#  2. 100,000 short connections (connect, write, read the echo, close) per
#     runtime flavor: the `net` test no_fd_growth_after_many_short_connections
#     checks fds, driver registrations, token-table slots and VmRSS.
#  3. The accept-error (EMFILE) survival test.
#
#   scripts/bench_reliability.sh
#
# Environment: CONNS=10000, SHORT=100000, SECS=5 (echo load duration),
# PORT=17000, CARGO_TARGET_DIR (default: target).
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-10000}
SHORT=${SHORT:-100000}
SECS=${SECS:-5}
PORT=${PORT:-17000}
TARGET=${CARGO_TARGET_DIR:-target}

# As many fds as we may have.
ulimit -n "$(ulimit -Hn)"
LIMIT=$(ulimit -n)
echo "== fd limit: $LIMIT"

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -f "$LOG"
}
LOG=$(mktemp)
trap cleanup EXIT

echo "== 1. $CONNS concurrent connections"
# Both ends in one process: two fds per connection.
IN_PROCESS=$CONNS
if [ "$LIMIT" -le $((2 * CONNS + 100)) ]; then
    IN_PROCESS=$(((LIMIT - 100) / 2 / 100 * 100))
    echo "-- (the fd limit allows $IN_PROCESS, not $CONNS, in one process)"
fi
echo "-- $IN_PROCESS in one process (net test many_concurrent_connections)"
CLOCKWORK_NET_CONNS=$IN_PROCESS cargo test -q -p clockwork --release --test net many_concurrent
if [ "$LIMIT" -le $((CONNS + 100)) ]; then
    echo "error: an fd limit above $((CONNS + 100)) is needed for $CONNS connections" >&2
    exit 1
fi
echo "-- across two processes (examples/echo server and --client load)"
cargo build --release -q -p clockwork-examples --example echo
ECHO="$TARGET/release/examples/echo"
for threads in 1 2; do
    "$ECHO" --runtime clockwork --threads "$threads" --addr "127.0.0.1:$PORT" 2>"$LOG" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if grep -q "echo server on" "$LOG"; then break; fi
        sleep 0.05
    done
    before=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    "$ECHO" --runtime clockwork --threads 2 --addr "127.0.0.1:$PORT" \
        --client "$CONNS" --size 64 --secs "$SECS"
    # The clients are gone: the server must close every socket.
    after=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    for _ in $(seq 100); do
        if [ "$after" -le "$before" ]; then break; fi
        sleep 0.1
        after=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    done
    echo "   server (clockwork, $threads thread(s)): fds $before before, $after after the clients left"
    if [ "$after" -gt "$before" ]; then
        echo "error: the server kept $((after - before)) fds open" >&2
        exit 1
    fi
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
done

echo "== 2. $SHORT short connections per runtime flavor"
CLOCKWORK_SHORT_CONNS=$SHORT cargo test -q -p clockwork --release --test net no_fd_growth -- --nocapture

echo "== 3. accept errors (EMFILE) are survived"
cargo test -q -p clockwork --release --test net accept_error

echo "== all passed"
