#!/usr/bin/env bash
# Start Splash on 127.0.0.1:PORT in the background and wait until it answers.
#   usage: start.sh [PORT]           (default 8050; extra splash options via
#                                     env SPLASH_ARGS, e.g. "--slots 4")
#   env SPLASH_MAXRSS  MB of peak RSS after which Splash exits and a fresh one is started in its
#                      place (default 600; Splash grows with every render)
#   env SPLASH_VENV    venv made by install.sh (default /opt/bs-splash-venv)
#   env SPLASH_RUN_DIR log, pidfile, runtime dir (default /tmp/bs-splash)
# Prints the base URL on success; exits non-zero with the log tail otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port=${1:-8050}
venv=${SPLASH_VENV:-/opt/bs-splash-venv}
run=${SPLASH_RUN_DIR:-/tmp/bs-splash}
pidfile=$run/splash.pid
logfile=$run/splash.log

die() { echo "splash start: ERROR: $*" >&2; exit 1; }

# 0 would have Splash listen on a port of the system's choosing, one that start.sh never asks.
[[ $port =~ ^[0-9]{1,5}$ ]] && ((10#$port >= 1 && 10#$port <= 65535)) || die "PORT must be a number from 1 to 65535, got '$port'"
port=$((10#$port))
url=http://127.0.0.1:$port
[[ -x $venv/bin/python ]] || die "no venv at $venv; run $here/install.sh first"
# A process of ours: a launcher started by this script for this run folder (a PID reused by another
# program, or by another run folder's Splash, is not).
ours() {
    [[ $1 =~ ^[0-9]+$ ]] && grep -qs launcher.py "/proc/$1/cmdline" &&
        grep -qszxF "SPLASH_CHILD_PIDFILE=$run/splash-child.pid" "/proc/$1/environ"
}
if [[ -f $pidfile ]] && ours "$(cat "$pidfile")"; then
    die "already running (pid $(cat "$pidfile")); run $here/stop.sh first"
fi
# A supervisor killed outright leaves its Splash serving; stop.sh stops it by this file.
child=$(cat "$run/splash-child.pid" 2>/dev/null || true)
if ours "$child"; then
    die "an earlier Splash (pid $child) is still running; run $here/stop.sh first"
fi
ping() { "$venv/bin/python" -c "import urllib.request as u; u.urlopen('$url/_ping', timeout=2).read()" 2>/dev/null; }
ping && die "something already answers on $url (another Splash?)"
# Splash on a port it cannot listen on exits, and its supervisor would start it again and again.
# SO_REUSEADDR as Twisted's listenTCP sets it, so that connections closing on the port do not count.
"$venv/bin/python" -c "
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', int(sys.argv[1])))
" "$port" 2>/dev/null || die "port $port on 127.0.0.1 is taken by another program; choose another PORT"
mkdir -p "$run/xdg"
chmod 700 "$run/xdg"

export QT_QPA_PLATFORM=offscreen        # no X server / Xvfb needed
export QTWEBENGINE_DISABLE_SANDBOX=1    # Chromium refuses to run as root otherwise
export QT_QUICK_BACKEND=software        # engine=chromium aborts without a GPU otherwise
export XDG_RUNTIME_DIR=$run/xdg         # Qt wants a private (0700) runtime dir

# shellcheck disable=SC2086  # SPLASH_ARGS is meant to be word-split
export SPLASH_CHILD_PIDFILE=$run/splash-child.pid
# --restart: the launcher supervises Splash and starts a fresh one whenever it exits, which it does
# once its peak RSS passes --maxrss (checked once a minute): Splash recycles itself, as Docker's
# `--restart always` with `--maxrss` does for the official image.
nohup "$venv/bin/python" "$here/launcher.py" --restart --port "$port" --ip 127.0.0.1 \
    --disable-xvfb --disable-browser-caches --max-timeout 300 --maxrss "${SPLASH_MAXRSS:-600}" ${SPLASH_ARGS:-} \
    >"$logfile" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"

# On any failure below, and when start.sh itself is cut short (a timeout, Ctrl-C), stop the supervisor,
# which stops its Splash: nothing is left restarting a Splash nobody will use.
give_up() {
    trap - INT TERM
    SPLASH_RUN_DIR=$run bash "$here/stop.sh" >/dev/null || true
}
trap 'give_up; exit 130' INT
trap 'give_up; exit 143' TERM
fail() {
    give_up
    echo "splash start: ERROR: $*; last log lines ($logfile):" >&2
    tail -n 30 "$logfile" >&2
    exit 1
}

deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || fail "Splash exited during start-up"
    # The supervisor's line when its Splash exits: during start-up that is a Splash that cannot start
    # (a broken install, a port taken meanwhile); started again, it would fail again.
    grep -qs "^splash supervisor: Splash (pid [0-9]*) exited" "$logfile" && fail "Splash exited during start-up"
    if ping; then
        trap - INT TERM
        echo "$url"
        exit 0
    fi
    sleep 0.5
done
fail "no answer from $url/_ping after 60 s"
