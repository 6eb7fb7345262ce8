#!/usr/bin/env bash
# Stop the scrapyd started by start.sh DIR (by the PID in DIR/scrapyd.pid).
set -euo pipefail
pidfile="$1/scrapyd.pid"
[[ -f "$pidfile" ]] || exit 0
pid=$(cat "$pidfile")
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
