#!/usr/bin/env bash
# Stop the Redis started by start.sh (by the PID in its pidfile) and wait for it to exit:
# SIGTERM, then SIGKILL after 10 s.
#   usage: stop.sh [PORT]            (default 6379)
#   env REDIS_RUN_DIR  same as for start.sh (default /tmp/bs-redis-PORT)
set -euo pipefail

port=${1:-6379}
run=${REDIS_RUN_DIR:-/tmp/bs-redis-$port}
pidfile=$run/redis.pid

if [[ ! -f $pidfile ]]; then
    echo "redis stop: not running (no $pidfile)"
    exit 0
fi
pid=$(cat "$pidfile")
[[ $pid =~ ^[0-9]+$ ]] || { echo "redis stop: ERROR: bad pidfile $pidfile" >&2; exit 1; }
# Only signal the PID if it still is a redis-server (not a reused PID).
if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != redis-server ]]; then
    echo "redis stop: not running (stale pid $pid)"
    rm -f "$pidfile"
    exit 0
fi
kill -TERM "$pid"
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "redis stop: stopped pid $pid"; exit 0; }
    sleep 0.1
done
echo "redis stop: pid $pid ignored SIGTERM for 10 s, sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
rm -f "$pidfile"
echo "redis stop: killed pid $pid"
