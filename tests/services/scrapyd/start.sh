#!/usr/bin/env bash
# Start scrapyd on 127.0.0.1:PORT with everything (config, eggs, logs, job database, PID file) in DIR;
# prints its URL once it answers. Stop it with stop.sh DIR.
# Usage: start.sh PORT DIR   (scrapyd runs each job with DIR as its working directory)
#   env SCRAPYD_PYTHON  the Python that has scrapyd (default the project's .venv/bin/python)
set -euo pipefail
port=$1
dir=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../../.." && pwd)
python=${SCRAPYD_PYTHON:-$root/.venv/bin/python}
cat > "$dir/scrapyd.conf" <<CONF
[scrapyd]
bind_address = 127.0.0.1
http_port = $port
eggs_dir = $dir/eggs
logs_dir = $dir/logs
dbs_dir = $dir/dbs
items_dir =
jobs_to_keep = 5
max_proc = 2
poll_interval = 0.5
CONF
# scrapyd reads ./scrapyd.conf; jobs inherit the working directory (relative BS_STATE_DIR, output/).
cd "$dir"
nohup "$python" -m scrapyd --pidfile="$dir/scrapyd.pid" --logfile="$dir/scrapyd.log" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    if "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/daemonstatus.json', timeout=1)" 2>/dev/null; then
        echo "http://127.0.0.1:$port"
        exit 0
    fi
    sleep 0.3
done
echo "scrapyd did not answer on 127.0.0.1:$port; its log: $dir/scrapyd.log" >&2
kill "$pid" 2>/dev/null || true  # not left running, unanswering, after a failed start
exit 1
