"""Distributed crawling on a real Redis: parallel workers, the Redis seen-store, losing Redis, the commands.

The Redis is the one named by ``BS_TEST_REDIS_URL`` (.ci/run starts it), or one this module starts
on a free port with ``tests/services/redis/start.sh`` (which installs redis-server when it can).
Without either the tests skip, except under CI (env ``CI``), where they fail. Every test keeps its
keys under its own prefix (``BS_REDIS_PREFIX``) and deletes them afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from crawler.distributed import connect
from crawler.distributed.scheduler import JsonSerializer, RedisScheduler
from crawler.monitoring.verdict import EXIT_LOCKED, EXIT_REDIS
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.recovery import recover_pending
from crawler.incremental.store import Claim, FeedRecord, PendingArticle, StateError
from crawler.spiders.archive import ArchiveSpider
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite

SERVICE = ROOT / "tests" / "services" / "redis"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
# More than Scrapy's 5 s heartbeat, as the issue asks; a worker closes 5 to 10 s after its last request.
IDLE_SECONDS = "6"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("BS_TEST_REDIS_URL")
    if given:
        yield given
        return
    port = free_port()
    env = {**os.environ, "REDIS_RUN_DIR": str(tmp_path_factory.mktemp("redis"))}
    started = subprocess.run([str(SERVICE / "start.sh"), str(port)], env=env, capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        message = f"no Redis for the distributed tests ({SERVICE / 'start.sh'}): {started.stderr.strip()[-600:]}"
        if shutil.which("redis-server") is None and not os.environ.get("CI"):
            pytest.skip(message)  # not installable here; CI must have it
        pytest.fail(message)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SERVICE / "stop.sh"), str(port)], env=env, capture_output=True, timeout=60)


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@contextmanager
def opened_scheduler(redis_url: str, prefix: str, state_dir: Path) -> Iterator[RedisScheduler]:
    """Worker w1's scheduler of an ``archive`` run since 2024-10-01, opened without a running reactor
    (its LoopingCalls never fire, as in a callback that holds it); closed afterwards."""
    crawler = get_crawler(ArchiveSpider, {
        "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "BS_STATE_DIR": str(state_dir),
    })
    crawler.spider = crawler._create_spider(since="2024-10-01")
    made = RedisScheduler.from_crawler(crawler)
    made.open(crawler.spider)
    try:
        yield made
    finally:
        made.close("shutdown")


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    # 1100 articles over 100 days: mid-August to late November 2024, four monthly sitemaps.
    with LoopbackSite(articles=1100, seed=17) as running:
        yield running


def ids_between(site: LoopbackSite, since: date, until: date) -> set[str]:
    return {r.article_id for r in site.articles if since <= r.published.date() <= until}


@dataclass
class Worker:
    """One ``scrapy crawl archive`` worker process in its own folder, as on its own machine."""

    name: str
    workdir: Path
    process: subprocess.Popen[bytes]
    earlier: frozenset[Path]  # output files of earlier runs in the same folder

    def wait(self, timeout: float = 240) -> int:
        return self.process.wait(timeout=timeout)

    @property
    def log(self) -> str:
        return (self.workdir / "log").read_text(errors="replace")

    def files(self) -> list[Path]:
        """The output files of this run."""
        return sorted(set((self.workdir / "output").rglob("*.jsonl")) - self.earlier)

    def written(self) -> int:
        """Complete lines so far (safe to call while the worker writes)."""
        return sum(path.read_bytes().count(b"\n") for path in self.files())

    def items(self) -> list[dict[str, Any]]:
        return [json.loads(line) for path in self.files() for line in path.read_text().splitlines()]

    def ids(self) -> list[str]:
        return [item["articleId"] for item in self.items()]


def start_worker(
    name: str, workdir: Path, site: LoopbackSite, redis_url: str, prefix: str, since: date, until: date, **settings: str
) -> Worker:
    workdir.mkdir(parents=True, exist_ok=True)
    earlier = frozenset((workdir / "output").rglob("*.jsonl"))
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", f"since={since}", "-a", f"until={until}"]
    values = {
        **FAST,
        "LOG_LEVEL": "INFO",
        "BS_BASE_URL": site.base_url,
        "REDIS_URL": redis_url,
        "BS_REDIS_PREFIX": prefix,
        "BS_WORKER_NAME": name,
        "BS_REDIS_IDLE_SECONDS": IDLE_SECONDS,
        **settings,
    }
    for setting, value in values.items():
        command += ["-s", f"{setting}={value}"]
    with open(workdir / "log", "ab") as log:
        process = subprocess.Popen(command, cwd=workdir, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    return Worker(name, workdir, process, earlier)


def scrapy(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


# --- the "done when" ---------------------------------------------------------


@pytest.mark.long
def test_two_workers_fetch_every_article_once_and_a_second_pair_fetches_none(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path
) -> None:
    since, until = date(2024, 8, 1), max(r.published for r in site.articles).date()
    expected = ids_between(site, since, until)
    assert len(expected) >= 1000

    site.reset_counts()
    started = time.monotonic()
    pair = [start_worker(n, tmp_path / n, site, redis_url, prefix, since, until) for n in ("w1", "w2")]
    statuses = [w.wait() for w in pair]
    elapsed = time.monotonic() - started
    assert statuses == [0, 0], "\n".join(w.log[-3000:] for w in pair)

    emitted = Counter(i for w in pair for i in w.ids())
    assert set(emitted) == expected
    assert [i for i, n in emitted.items() if n > 1] == [], "no article in two outputs"
    # How the work splits depends on timing (a worker that starts late, on a loaded machine, can find
    # the other has already taken everything): what matters is the union, complete and without repeats.
    assert any(w.ids() for w in pair)
    assert all("-" + w.name + "-" in w.files()[0].name for w in pair if w.ids()), "the worker's name is in its file name"
    assert all(site.article_requests(i) == 1 for i in expected), "each article URL requested once in total"
    assert site.article_requests() == len(expected)
    print(f"\ntwo workers: {len(expected)} articles in {elapsed:.1f} s (idle wait included), "
          f"split {' / '.join(str(len(w.ids())) for w in pair)}, {site.article_requests() / len(expected):.2f} requests per article")

    # A worker that found nothing left to take wrote no file, and merge refuses a folder without one.
    folders = [str(tmp_path / w.name) for w in pair if w.ids()]
    merged = scrapy("merge", str(tmp_path / "merged.jsonl"), *folders, cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    lines = (tmp_path / "merged.jsonl").read_text().splitlines()
    assert [json.loads(line)["articleId"] for line in lines] == sorted(expected)

    # The run is over (nothing queued, no live worker): the next pair starts a new run, reads the
    # sitemaps again, and the seen-store alone keeps every article from being fetched.
    site.reset_counts()
    second = [start_worker(n, tmp_path / n, site, redis_url, prefix, since, until) for n in ("w3", "w4")]
    assert [w.wait() for w in second] == [0, 0], "\n".join(w.log[-3000:] for w in second)
    assert [w.items() for w in second] == [[], []]
    assert site.counts["/sitemap/sitemap-index.xml"] >= 1
    assert site.article_requests() == 0


# --- Redis lost, Redis unreachable --------------------------------------------------


class Relay:
    """A TCP relay in front of Redis that can be cut (connections closed, new ones refused) and restored on its port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()
            self.sockets.clear()


@pytest.mark.long
def test_a_worker_that_loses_redis_stops_cleanly_and_a_restart_continues(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path
) -> None:
    since, until = date(2024, 10, 1), date(2024, 10, 31)
    expected = ids_between(site, since, until)
    target = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    relay = Relay((target["host"], target["port"]))
    relay.start()
    relayed = f"redis://127.0.0.1:{relay.port}/{target.get('db', 0)}"
    # One request at a time, so that Redis goes away half-way.
    slow = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.02"}
    alone = {"BS_REDIS_IDLE_SECONDS": "0"}  # no other worker to wait for
    first = start_worker("w1", tmp_path / "w1", site, relayed, prefix, since, until, **slow, **alone)
    deadline = time.monotonic() + 60
    while first.written() < 40 and time.monotonic() < deadline and first.process.poll() is None:
        time.sleep(0.1)
    relay.cut()
    cut_at = time.monotonic()
    assert first.wait(timeout=60) == EXIT_REDIS, first.log[-3000:]
    stopped_in = time.monotonic() - cut_at
    assert stopped_in < 20
    assert first.log.count("Lost Redis at") == 1
    assert "Run summary:" in first.log and "finish=redis-lost" in first.log
    kept = first.ids()  # every line complete: items() parsed them all
    assert 40 <= len(kept) < len(expected)

    relay.start()
    restarted = start_worker("w1", tmp_path / "w1", site, relayed, prefix, since, until, **alone)
    assert restarted.wait() == 0, restarted.log[-3000:]
    assert "joins run" in restarted.log, "the restart continues the queued run"
    done = restarted.ids()
    assert done, "the restart fetched the rest of the queue"

    # Requests that were in flight when Redis went away are not in the queue any more; the next
    # run finds them in the sitemap, not in the seen-store, and fetches them.
    site.reset_counts()
    later = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, since, until, **alone)
    assert later.wait() == 0, later.log[-3000:]
    emitted = Counter(kept + done + later.ids())
    assert set(emitted) == expected
    assert [i for i, n in emitted.items() if n > 1] == [], "every article exactly once over the three runs"
    assert site.article_requests() == len(later.ids()), "the last run fetched only what was lost"
    print(f"\nRedis lost: worker stopped {stopped_in:.1f} s after the cut with {len(kept)} articles written; "
          f"the restart wrote {len(done)}, the next run the {len(later.ids())} lost in flight")
    relay.cut()


def test_redis_unreachable_at_start_is_one_line_and_exit_status_8(site: LoopbackSite, tmp_path: Path) -> None:
    site.reset_counts()
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    result = scrapy(
        "crawl", "archive", "-a", "since=2024-10-01", "-a", "until=2024-10-02",
        "-s", f"REDIS_URL={url}", "-s", f"BS_BASE_URL={site.base_url}", cwd=tmp_path,
    )
    assert result.returncode == EXIT_REDIS, result.stderr[-2000:]
    assert time.monotonic() - started < 20
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Redis at {url} is unreachable (") and last.endswith("nothing was fetched")
    assert "Traceback" not in result.stderr
    assert sum(site.counts.values()) == 0
    assert not (tmp_path / "output").exists()


# --- nothing of Redis without REDIS_URL ----------------------------------------------

_IMPORTS = """
import json, sys
from scrapy.cmdline import execute
try:
    execute(["scrapy", *sys.argv[1:]])
except SystemExit as done:
    status = done.code
print(json.dumps({"status": status, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("redis", "scrapy_redis"))}))
"""


def test_without_redis_url_nothing_of_redis_is_imported(site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path) -> None:
    def crawl(*settings: str) -> dict[str, Any]:
        command = [sys.executable, "-c", _IMPORTS, "crawl", "archive", "-a", "since=2024-11-20", "-a", "until=2024-11-20",
                   "-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=WARNING"]
        for setting in settings:
            command += ["-s", setting]
        done = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["status"] == 0, done.stderr[-3000:]
        return result

    assert crawl()["loaded"] == []
    # The check itself works: the same crawl, distributed, loads both.
    # (BS_REDIS_IDLE_SECONDS only here: without REDIS_URL a Redis setting is refused as doing nothing.)
    loaded = crawl(f"REDIS_URL={redis_url}", f"BS_REDIS_PREFIX={prefix}", "BS_REDIS_IDLE_SECONDS=0")["loaded"]
    assert "redis" in loaded and "scrapy_redis" in loaded


# --- the Redis seen-store: the SQLite store's semantics (tests/test_state.py) -------


def store(redis_url: str, prefix: str, scope: str = "archive:w1") -> RedisSeenStore:
    return RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, scope)


def pending(article_id: str, run: str, version: int = 1) -> PendingArticle:
    return PendingArticle(article_id, version, f"hash-{version}", "2024-02-28T15:42:00+05:30", None, run)


def test_an_article_is_seen_only_after_confirmation(redis_url: str, prefix: str) -> None:
    seen = store(redis_url, prefix)
    seen.add_pending(pending("124022800873", "run1"))
    assert seen.get("124022800873") is None
    assert seen.pending() == [pending("124022800873", "run1")]
    seen.confirm("124022800873", "run1")
    found = seen.get("124022800873")
    assert found is not None and found.version == 1 and found.content_hash == "hash-1"
    assert found.date_modified == "2024-02-28T15:42:00+05:30" and found.source_date is None
    assert seen.pending() == [] and seen.count() == 1
    seen.confirm("124022800999", "run1")  # nothing pending: nothing happens
    assert seen.get("124022800999") is None and seen.count() == 1
    seen.add_pending(pending("124022800873", "run2", version=2))
    seen.confirm("124022800873", "run2")
    assert store(redis_url, prefix, "latest:w9").get("124022800873").version == 2  # type: ignore[union-attr]
    assert seen.count() == 1


def test_an_unchanged_article_keeps_the_newer_source_date_it_was_fetched_for(redis_url: str, prefix: str) -> None:
    # As the SQLite store: fetched again for a newer sitemap date, the same story is not emitted, and
    # that date is kept, or every later run fetches it again.
    seen = store(redis_url, prefix)
    first = PendingArticle("124022800873", 1, "hash-1", None, "2024-02-28T15:42:00+05:30", "run1")
    seen.add_pending(first)
    seen.confirm("124022800873", "run1")
    later = PendingArticle("124022800873", 1, "hash-1", None, "2024-03-05T09:00:00+05:30", "run2")
    assert seen.claim(later, fresh=False, is_live=lambda run: False).outcome == "unchanged"
    found = seen.get("124022800873")
    assert found is not None and (found.version, found.source_date) == (1, "2024-03-05T09:00:00+05:30")
    assert seen.pending() == []
    undated = PendingArticle("124022800873", 1, "hash-1", None, None, "run3")
    assert seen.claim(undated, fresh=False, is_live=lambda run: False).outcome == "unchanged"
    assert seen.get("124022800873").source_date == "2024-03-05T09:00:00+05:30"  # type: ignore[union-attr]


def test_recovery_settles_this_workers_killed_run_and_never_another_workers(redis_url: str, prefix: str, tmp_path: Path) -> None:
    mine, other = store(redis_url, prefix, "archive:w1"), store(redis_url, prefix, "archive:w2")
    feed = tmp_path / "out.jsonl"
    feed.write_text(json.dumps({"articleId": "124022800873", "version": 1}) + "\n" + '{"articleId": "124022800874", "vers')
    mine.record_feed("archive:dead", FeedRecord(str(feed)))
    mine.add_pending(pending("124022800873", "archive:dead"))
    mine.add_pending(pending("124022800874", "archive:dead"))
    other.add_pending(pending("124022800875", "archive:alive-elsewhere"))
    assert recover_pending(mine, "archive:now") == (1, 1)
    assert mine.get("124022800873") is not None
    assert mine.get("124022800874") is None
    assert mine.pending() == [] and mine.feeds_of("archive:dead") == []
    assert other.pending() == [pending("124022800875", "archive:alive-elsewhere")], "another worker's run is left alone"


def test_a_lost_redis_fails_the_store_fast_and_tells_once(prefix: str) -> None:
    lost = store(f"redis://127.0.0.1:{free_port()}/0", prefix)
    told: list[Exception] = []
    lost.on_lost = told.append
    with pytest.raises(StateError, match="seen-store in Redis"):
        lost.get("124022800873")
    started = time.monotonic()
    with pytest.raises(StateError, match="unreachable"):
        lost.add_pending(pending("124022800873", "run1"))
    assert time.monotonic() - started < 0.1
    assert len(told) == 1


# --- requests in Redis are JSON ---------------------------------------------------------


def test_requests_go_to_redis_as_json_and_come_back_equal() -> None:
    request = Request(
        "https://www.business-standard.com/a/a-124070800259_1.html",
        headers={"Accept": "text/html"},
        meta={"bs_source_date": "2024-07-08T10:00:00+05:30", "$odd": b"\x00\xff", "n": (1, 2)},
        cb_kwargs={"page": 2},
        priority=3,
    )
    encoded = JsonSerializer.dumps(request.to_dict())
    assert json.loads(encoded)  # plain JSON, no pickle
    back = request_from_dict(JsonSerializer.loads(encoded.encode()))
    assert (back.url, back.priority, back.cb_kwargs) == (request.url, 3, {"page": 2})
    assert back.headers.getlist("Accept") == [b"text/html"]
    assert back.meta == {"bs_source_date": "2024-07-08T10:00:00+05:30", "$odd": b"\x00\xff", "n": [1, 2]}
    with pytest.raises(TypeError, match="JSON data only"):
        JsonSerializer.dumps(Request("https://x.test/", meta={"when": date(2024, 1, 1)}).to_dict())


# --- the commands ----------------------------------------------------------------------


def test_merge_keeps_the_highest_version_then_the_latest_download(tmp_path: Path) -> None:
    def line(article_id: str, version: int | None, downloaded: str, tag: str) -> str:
        return json.dumps({"articleId": article_id, "version": version, "dateDownloaded": downloaded, "tag": tag}) + "\n"

    (tmp_path / "run" / "w1").mkdir(parents=True)
    (tmp_path / "run" / "w1" / "a.jsonl").write_text(
        line("124022800002", 1, "2024-03-01T10:00:00+05:30", "old") + line("124022800001", 2, "2024-03-01T10:00:00+05:30", "v2")
    )
    (tmp_path / "run" / "w2.jsonl").write_text(
        line("124022800002", 1, "2024-03-01T05:00:00+00:00", "newer")  # 10:30 IST
        + line("124022800001", 1, "2024-03-02T10:00:00+05:30", "v1-later")
        + '{"articleId": "124022800003", "vers'  # cut by a kill
    )
    result = scrapy("merge", str(tmp_path / "merged.jsonl"), str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    merged = [json.loads(line) for line in (tmp_path / "merged.jsonl").read_text().splitlines()]
    assert [(m["articleId"], m["tag"]) for m in merged] == [("124022800001", "v2"), ("124022800002", "newer")]
    assert "2 articles from 4 lines in 2 files" in result.stdout and "1 unreadable" in result.stdout


def test_clear_deletes_a_runs_keys_keeps_the_seen_store_and_refuses_live_runs(
    redis_url: str, prefix: str, tmp_path: Path
) -> None:
    client = redis.Redis.from_url(redis_url)
    seen = store(redis_url, prefix)
    seen.add_pending(pending("124022800873", "run1"))
    seen.confirm("124022800873", "run1")
    client.zadd(f"{prefix}:run:archive:requests", {b"{}": 0})
    client.sadd(f"{prefix}:run:archive:dupefilter", "ab12")
    client.sadd(f"{prefix}:run:latest:dupefilter", "cd34")
    now = int(client.time()[0])
    client.zadd(f"{prefix}:run:archive:workers", {"w1": now})

    def clear(*args: str) -> subprocess.CompletedProcess[str]:
        return scrapy("redisclear", *args, "-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}", cwd=ROOT)

    refused = clear("archive")
    assert refused.returncode == EXIT_LOCKED and "live workers (w1)" in refused.stderr
    assert client.exists(f"{prefix}:run:archive:requests")

    client.zadd(f"{prefix}:run:archive:workers", {"w1": now - 3600})  # long gone
    cleared = clear("archive")
    assert cleared.returncode == 0, cleared.stderr
    assert "deleted 3 key(s)" in cleared.stdout
    assert not client.exists(f"{prefix}:run:archive:requests", f"{prefix}:run:archive:dupefilter")
    assert client.exists(f"{prefix}:run:latest:dupefilter"), "other runs stay"
    assert seen.get("124022800873") is not None, "the seen-store stays"

    everything = clear("latest", "--seen")
    assert everything.returncode == 0, everything.stderr
    assert seen.get("124022800873") is None and seen.count() == 0
    assert list(client.scan_iter(match=f"{prefix}:*")) == []
    client.close()


def test_a_claim_in_redis_keeps_another_worker_from_emitting(redis_url: str, prefix: str) -> None:
    mine, other = store(redis_url, prefix, "latest:w1"), store(redis_url, prefix, "section:w2")
    article = PendingArticle("124022800873", 0, "h1", None, None, "latest:a")
    assert mine.claim(article, fresh=False, is_live=lambda run: True) == Claim("new", 1)
    assert mine.pending() == [PendingArticle("124022800873", 1, "h1", None, None, "latest:a")]
    theirs = PendingArticle("124022800873", 0, "h1", None, None, "section:b")
    assert other.claim(theirs, fresh=False, is_live=lambda run: True) == Claim("taken", 0)
    mine.confirm("124022800873", "latest:a")
    assert other.claim(theirs, fresh=False, is_live=lambda run: True) == Claim("unchanged", 1)
    changed = PendingArticle("124022800873", 0, "h2", None, None, "section:b")
    assert other.claim(changed, fresh=False, is_live=lambda run: True) == Claim("updated", 2)
