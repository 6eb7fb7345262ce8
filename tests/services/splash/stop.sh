#!/usr/bin/env bash
# Stop the Splash started by start.sh (by the PID in its pidfile) and wait for
# it to exit: SIGTERM, then SIGKILL after 15 s.
#   env SPLASH_RUN_DIR  same as for start.sh (default /tmp/bs-splash)
set -euo pipefail

run=${SPLASH_RUN_DIR:-/tmp/bs-splash}
pidfile=$run/splash.pid

if [[ ! -f $pidfile ]]; then
    echo "splash stop: not running (no $pidfile)"
    exit 0
fi
pid=$(cat "$pidfile")
[[ $pid =~ ^[0-9]+$ ]] || { echo "splash stop: ERROR: bad pidfile $pidfile" >&2; exit 1; }
# Check the PID is still our launcher (not a reused PID) before signalling it.
if ! grep -qs launcher.py "/proc/$pid/cmdline"; then
    echo "splash stop: not running (stale pid $pid)"
    rm -f "$pidfile"
    exit 0
fi
kill -TERM "$pid"
for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "splash stop: stopped pid $pid"; exit 0; }
    sleep 0.1
done
echo "splash stop: pid $pid ignored SIGTERM for 15 s, sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
# Its QtWebEngineProcess children exit by themselves once their parent is gone.
for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
rm -f "$pidfile"
# The supervisor was killed before it could stop its Splash: stop that one too.
child=$(cat "$run/splash-child.pid" 2>/dev/null || true)
if [[ $child =~ ^[0-9]+$ ]] && grep -qs launcher.py "/proc/$child/cmdline"; then
    kill -KILL "$child" 2>/dev/null || true
fi
echo "splash stop: killed pid $pid"
