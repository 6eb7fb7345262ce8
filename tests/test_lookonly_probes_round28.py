"""Round 28 probes: a look at a page (`scrapy check`, `parse`, `fetch`, `shell`) changes nothing a later real run relies on."""

from __future__ import annotations

import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import settings as project_settings
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.killers import ORDER
from tests.loopback.site import LoopbackSite
from tests.test_readme_round10 import CHECK_TAKES_ARGUMENTS

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
KILLER = json.dumps({**project_settings.EXTENSIONS, "tests.killers.KillAtConfirm": ORDER})
@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=24, days=20, legacy=0) as running:
        yield running


def _scrapy(workdir: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env or ENV, input=stdin,
                          capture_output=True, text=True, timeout=300)


def _archive(site: LoopbackSite, workdir: Path, *extra: str, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl archive`` of every article to ``out/items.jsonl``, killed (SIGKILL) at its ``kill_at``-th article."""
    command = ["crawl", "archive", "-a", "since=2000-01-01", "-O", "out/items.jsonl", "-s", "CONCURRENT_REQUESTS=1", *extra]
    for name, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    if kill_at is not None:
        command += ["-s", f"EXTENSIONS={KILLER}"]
    return _scrapy(workdir, *command, env={**ENV, "KILL_AT": str(kill_at)} if kill_at is not None else ENV)


def _state(folder: Path) -> dict[str, Any]:
    """Everything in a state dir a later run reads: each file's bytes, the seen-store's rows."""
    found: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_dir():
            found[name] = "folder"
        elif path.suffix == ".sqlite3":
            # (Read as it is, nothing written beside it: the bytes may differ by a page SQLite rewrote.)
            db = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            found[name] = {table: sorted(map(repr, db.execute(f"SELECT * FROM {table}"))) for table in tables}
            db.close()
        else:
            found[name] = path.read_bytes()
    return found


def _looks(site: LoopbackSite) -> dict[str, tuple[list[str], str]]:
    story = site.base_url + site.articles[0].path
    base = ["-s", f"BS_BASE_URL={site.base_url}"]
    return {
        "check": (["check", "latest", *base], ""),
        "parse": (["parse", story, *base], ""),
        "parse-latest": (["parse", "--spider", "latest", story, *base], ""),
        "fetch": (["fetch", "--nolog", story, *base], ""),
        "shell": (["shell", story, *base, "--nolog"], "print('status', response.status)\n"),
    }


def _looked(name: str, done: subprocess.CompletedProcess[str]) -> None:
    """The look did what it is for, and said nothing of a run."""
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in said, said[-3000:]
    assert {
        "check": "\nOK", "parse": "'articleId'", "parse-latest": "'articleId'", "fetch": "</html>", "shell": "status 200",
    }[name] in said, said[-3000:]
    assert "Recovered an interrupted run" not in said and "Run summary" not in said, said[-3000:]


LOOKS = ["check", "parse", "parse-latest", "fetch", "shell"]


# --- a fresh checkout: a look makes no state dir ----------------------------------------------------------------
# Before: `scrapy check latest` in a fresh checkout made .state/seen.sqlite3 and .state/seen.pruned (the day's
# prune of the seen-store done, by a check); `scrapy fetch URL` and `scrapy shell URL` wrote a `default` run to
# .state/runs.jsonl, the shell's as `killed` ("the run was killed or crashed before its end"), its marker under
# .state/running/ for ever.


@pytest.mark.parametrize("name", LOOKS)
def test_a_look_on_a_fresh_checkout_makes_no_state_dir(site: LoopbackSite, tmp_path: Path, name: str) -> None:
    arguments, stdin = _looks(site)[name]
    done = _scrapy(tmp_path, *arguments, stdin=stdin)
    _looked(name, done)
    assert not (tmp_path / ".state").exists(), sorted(_state(tmp_path / ".state"))


# --- a killed run's leftovers: a look leaves them for the next real run -----------------------------------------
# Before: `scrapy parse --spider latest URL` settled a killed `archive` run (its WARNING "Recovered an interrupted
# run" printed by the parse, not by the run that hands the articles on); `check` pruned the seen-store and marked
# the day's prune done; `fetch` and `shell` added runs to the history.


@pytest.mark.parametrize("name", LOOKS)
def test_a_look_after_a_killed_run_changes_nothing_the_next_run_reads(site: LoopbackSite, tmp_path: Path, name: str) -> None:
    killed = _archive(site, tmp_path, kill_at=9)
    assert killed.returncode == -9, killed.stderr[-3000:]
    before = _state(tmp_path / ".state")
    arguments, stdin = _looks(site)[name]
    _looked(name, _scrapy(tmp_path, *arguments, stdin=stdin))
    assert _state(tmp_path / ".state") == before
    after = _archive(site, tmp_path)
    assert after.returncode == 0 and "Recovered an interrupted run" in after.stderr, after.stderr[-3000:]
    written = Counter(json.loads(line)["articleId"] for line in (tmp_path / "out" / "items.jsonl").read_text().splitlines())
    assert written == Counter({record.article_id: 1 for record in site.articles}), "every article once, the killed run's included"


# --- fetch and shell are no run: no record, no ping -------------------------------------------------------------


class _Pings(http.server.BaseHTTPRequestHandler):
    heard: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.heard.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("name", ["fetch", "shell"])
def test_fetch_and_shell_ping_no_cron_monitor_and_show_no_run(site: LoopbackSite, tmp_path: Path, name: str) -> None:
    monitor = http.server.HTTPServer(("127.0.0.1", 0), _Pings)
    _Pings.heard = []
    threading.Thread(target=monitor.serve_forever, daemon=True).start()
    arguments, stdin = _looks(site)[name]
    ping = ["-s", f"BS_HEARTBEAT_URL=http://127.0.0.1:{monitor.server_port}/ping", "-s", "BS_HEARTBEAT_START=True"]
    try:
        done = _scrapy(tmp_path, *arguments, *ping, stdin=stdin)
    finally:
        monitor.shutdown()
        monitor.server_close()
    _looked(name, done)
    assert _Pings.heard == [], f"{name} pinged the cron monitor"
    runs = _scrapy(tmp_path, "runs")
    assert "default" not in runs.stdout and "killed" not in runs.stdout, runs.stdout


def test_a_crawl_of_the_same_page_is_still_a_run(site: LoopbackSite, tmp_path: Path) -> None:
    """The other side: `crawl article` of the page keeps its record."""
    done = _scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{site.articles[0].path}", "-O", "out.jsonl",
                   "-s", f"BS_BASE_URL={site.base_url}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert [json.loads(line)["spider"] for line in (tmp_path / ".state" / "runs.jsonl").read_text().splitlines()] == ["article"]


# --- a distributed run's Redis: a look is no worker ---------------------------------------------------------------
# Before: `scrapy check latest -s REDIS_URL=…` (a deployment keeps REDIS_URL in its settings) went through the
# shared queue's scheduler, which cannot hold a contract's request: "Ran 0 contracts … OK", exit 0, nothing
# checked; `scrapy check archive -a since=…` put a killed worker's requests back in the queue and struck the
# worker off the run, as a worker of the run does; `scrapy parse --spider latest URL` queued its request in the
# run's shared queue, for any worker to take.


def _keys(client: Any, prefix: str) -> dict[str, Any]:
    """The run's keys under ``prefix`` and what they hold (a worker's `alive` key expires on its own: left out)."""
    read = {
        b"string": client.get, b"set": lambda key: sorted(client.smembers(key)), b"hash": client.hgetall,
        b"zset": lambda key: client.zrange(key, 0, -1, withscores=True), b"list": lambda key: client.lrange(key, 0, -1),
    }
    found: dict[str, Any] = {}
    for key in sorted(client.scan_iter(match=f"{prefix}:*")):
        if b":alive:" not in key:
            found[key.decode()] = read[client.type(key)](key)
    return found


@pytest.fixture
def redis_prefix() -> Iterator[tuple[Any, str, str]]:
    url = os.environ.get("BS_TEST_REDIS_URL")
    if not url:
        pytest.skip("BS_TEST_REDIS_URL names no Redis (tests/services/redis/start.sh starts one)")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    name = f"t{uuid.uuid4().hex[:10]}"
    try:
        yield client, url, name
    finally:
        keys = list(client.scan_iter(match=f"{name}:*"))
        if keys:
            client.delete(*keys)
        client.close()


REDIS_LOOKS = [
    pytest.param(["check", "latest"], id="check"),
    pytest.param(["check", "archive", "-a", "since=2000-01-01"], id="check-archive", marks=pytest.mark.skipif(
        not CHECK_TAKES_ARGUMENTS, reason="this Scrapy's check takes no -a arguments")),
    pytest.param(["parse", "--spider", "latest"], id="parse-latest"),
]


@pytest.mark.parametrize("arguments", REDIS_LOOKS)
def test_a_look_with_redis_url_checks_locally_and_leaves_the_shared_run_alone(
    site: LoopbackSite, tmp_path: Path, redis_prefix: tuple[Any, str, str], arguments: list[str]
) -> None:
    client, url, prefix = redis_prefix
    redis_settings = ["-s", f"REDIS_URL={url}", "-s", f"BS_REDIS_PREFIX={prefix}", "-s", "BS_WORKER_NAME=w1"]
    killed = _archive(site, tmp_path, *redis_settings, kill_at=5)
    assert killed.returncode == -9, killed.stderr[-3000:]
    before = _keys(client, prefix)
    # The killed worker's requests in flight (what a look must not give back to the queue), and on Scrapy 2.19
    # the queue's rest (2.13's engine had taken every request from the queue by the kill: no such key).
    assert any(":pending:archive:" in key for key in before), sorted(before)
    if arguments[0] == "parse":
        arguments = [*arguments, site.base_url + site.articles[0].path]
    done = _scrapy(tmp_path, *arguments, *redis_settings, "-s", f"BS_BASE_URL={site.base_url}")
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in said, said[-3000:]
    if arguments[0] == "check":
        assert "Ran 0 contracts" not in said and "\nOK" in said, said[-3000:]
    else:
        assert "'articleId'" in said, said[-3000:]
    assert _keys(client, prefix) == before


# --- a shell whose spider closes: no traceback ---------------------------------------------------------------------
# Before: the shell makes the crawler in its own thread and runs it in the reactor's; a spider closed there (the site
# down: robots.txt unreachable closes the run) closed the duplicate pipeline's per-run SQLite set from the wrong thread:
# "Scraper close failure", a traceback ending in "SQLite objects created in a thread can only be used in that same
# thread", with `latest` the spider's own set of requested articles too.


@pytest.mark.parametrize("spider", [[], ["--spider", "latest"]], ids=["default", "latest"])
def test_a_shell_on_a_site_that_is_down_says_so_without_a_traceback(tmp_path: Path, spider: list[str]) -> None:
    # A port held bound and not listening refuses every connection for as long as the test runs: a site's port
    # closed after use was taken by another test's site in a parallel run, which answered 200.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{held.getsockname()[1]}"
        done = _scrapy(tmp_path, "shell", *spider, f"{base}/markets/news/story-124112400001_1.html", "-c", "response",
                       "-s", f"BS_BASE_URL={base}", "-s", "RETRY_TIMES=0")
    assert done.returncode == 0 and "None" in done.stdout, done.stdout[-2000:] + done.stderr[-3000:]
    assert "robots.txt" in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
