#!/usr/bin/env bash
# Start a Redis server on 127.0.0.1:PORT in the background, without persistence, and wait for PING.
# Installs redis-server with apt-get when it is missing (the Debian service is not used: it does not
# start on these machines).
#   usage: start.sh [PORT]           (default 6379)
#   env REDIS_RUN_DIR  pidfile, log and working dir (default /tmp/bs-redis-PORT)
# Prints the Redis URL on success; exits non-zero with the log tail otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port=${1:-6379}
run=${REDIS_RUN_DIR:-/tmp/bs-redis-$port}
pidfile=$run/redis.pid
logfile=$run/redis.log
url=redis://127.0.0.1:$port/0

die() { echo "redis start: ERROR: $*" >&2; exit 1; }

[[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    command -v apt-get >/dev/null || die "redis-server is not installed and there is no apt-get"
    [[ $(id -u) == 0 ]] || die "redis-server is not installed; run as root to install it, or: apt-get install redis-server"
    echo "redis start: installing redis-server" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2 || die "apt-get install redis-server failed"
fi
if [[ -f $pidfile ]] && [[ $(cat "/proc/$(cat "$pidfile")/comm" 2>/dev/null) == redis-server ]]; then
    die "already running (pid $(cat "$pidfile")); run $here/stop.sh $port first"
fi
ping() { [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; }
ping && die "something already answers on 127.0.0.1:$port"
mkdir -p "$run"
rm -f "$pidfile"

# --save '' and --appendonly no: a test server keeps nothing on disk.
redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --daemonize yes \
    --pidfile "$pidfile" --logfile "$logfile" --dir "$run" --save '' --appendonly no \
    || { tail -n 20 "$logfile" >&2 2>/dev/null; die "redis-server did not start"; }

for _ in $(seq 100); do    # ~10 s
    if ping; then
        echo "$url"
        exit 0
    fi
    sleep 0.1
done
echo "redis start: ERROR: no PONG from 127.0.0.1:$port after 10 s; last log lines ($logfile):" >&2
tail -n 20 "$logfile" >&2 || true
[[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
exit 1
