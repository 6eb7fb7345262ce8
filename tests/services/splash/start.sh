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
url=http://127.0.0.1:$port

die() { echo "splash start: ERROR: $*" >&2; exit 1; }

[[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
[[ -x $venv/bin/python ]] || die "no venv at $venv; run $here/install.sh first"
if [[ -f $pidfile ]] && grep -qs launcher.py "/proc/$(cat "$pidfile")/cmdline"; then
    die "already running (pid $(cat "$pidfile")); run $here/stop.sh first"
fi
ping() { "$venv/bin/python" -c "import urllib.request as u; u.urlopen('$url/_ping', timeout=2).read()" 2>/dev/null; }
ping && die "something already answers on $url (another Splash?)"
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

for _ in $(seq 120); do    # ~60 s
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
        echo "splash start: ERROR: Splash exited during start-up; last log lines ($logfile):" >&2
        tail -n 30 "$logfile" >&2
        exit 1
    fi
    if ping; then
        echo "$url"
        exit 0
    fi
    sleep 0.5
done
echo "splash start: ERROR: no answer from $url/_ping after 60 s; last log lines ($logfile):" >&2
tail -n 30 "$logfile" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pidfile"
exit 1
