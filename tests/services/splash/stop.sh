#!/usr/bin/env bash
# Stop the Splash started by start.sh (by the PIDs in its pidfiles) and wait for it to exit: SIGTERM
# to the supervisor, which stops its Splash, then SIGKILL after 15 s; then the Splash itself, if its
# supervisor was killed before it could stop it.
#   env SPLASH_RUN_DIR  same as for start.sh (default /tmp/bs-splash)
set -euo pipefail

run=${SPLASH_RUN_DIR:-/tmp/bs-splash}
pidfile=$run/splash.pid
childfile=$run/splash-child.pid

# A process of ours: a launcher start.sh started for this run folder (a PID reused by another program,
# or by another run folder's Splash, is not).
ours() {
    [[ $1 =~ ^[0-9]+$ ]] && grep -qs launcher.py "/proc/$1/cmdline" &&
        grep -qszxF "SPLASH_CHILD_PIDFILE=$childfile" "/proc/$1/environ"
}
# stop PID SIGNAL…: each signal in turn, 15 s apart, until PID has exited; fails if it never does.
stop() {
    local pid=$1 signal
    shift
    for signal in "$@"; do
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 150); do
            kill -0 "$pid" 2>/dev/null || return 0
            sleep 0.1
        done
        echo "splash stop: pid $pid ignored SIG$signal for 15 s" >&2
    done
    return 1
}

stopped=""
if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || { echo "splash stop: ERROR: bad pidfile $pidfile" >&2; exit 1; }
    if ours "$pid"; then
        stop "$pid" TERM KILL || { echo "splash stop: ERROR: pid $pid did not exit" >&2; exit 1; }
        echo "splash stop: stopped pid $pid"
        stopped=1
    fi
    rm -f "$pidfile"
fi
# A supervisor killed outright (SIGKILL above, the OOM killer, kill -9) leaves its Splash serving; its
# QtWebEngineProcess children exit with it.
child=$(cat "$childfile" 2>/dev/null || true)
if ours "$child"; then
    stop "$child" TERM KILL || { echo "splash stop: ERROR: Splash pid $child did not exit" >&2; exit 1; }
    echo "splash stop: stopped Splash pid $child"
    stopped=1
fi
[[ -n $stopped ]] || echo "splash stop: not running (no live Splash of $run)"
