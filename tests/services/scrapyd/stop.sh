#!/usr/bin/env bash
# Stop the scrapyd started by start.sh DIR (by the PID in DIR/scrapyd.pid): SIGTERM, then SIGKILL after 5 s.
set -euo pipefail
pidfile="$1/scrapyd.pid"
[[ -f "$pidfile" ]] || exit 0
pid=$(cat "$pidfile")
[[ $pid =~ ^[0-9]+$ ]] || { echo "scrapyd stop: ERROR: bad pidfile $pidfile" >&2; exit 1; }
# Only signal the PID if it still is a scrapyd (a scrapyd that died leaves its pidfile; the PID may
# be another process's by now).
if ! grep -qs scrapyd "/proc/$pid/cmdline"; then
    echo "scrapyd stop: not running (stale pid $pid)"
    rm -f "$pidfile"
    exit 0
fi
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
