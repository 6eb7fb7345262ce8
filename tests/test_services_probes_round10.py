"""Round 10 probes of the server-backed parts: distributed runs on a real Redis, re-extraction, Splash."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.loopback.site import LoopbackSite
from tests.test_redis import ids_between, prefix, redis_url, start_worker  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=1100, seed=17) as running:
        yield running


# --- Redis: a worker killed mid-run -------------------------------------------------------------------


@pytest.mark.long
def test_what_a_killed_worker_had_taken_from_the_queue_is_fetched_by_the_survivor(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # scrapy-redis pops a request from the shared queue for good and its fingerprint stays in the
    # shared filter: a worker killed with requests in hand (up to CONCURRENT_REQUESTS of them, or a
    # month's sitemap) lost them for the run, which the survivor ended with exit 0 and nothing said.
    since, until = date(2024, 10, 1), date(2024, 10, 31)
    expected = ids_between(site, since, until)
    slow = {"DOWNLOAD_DELAY": "0.05"}  # requests wait in the downloader: some are in hand at the kill
    survivor = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, since, until, **slow)
    killed = start_worker("w2", tmp_path / "w2", site, redis_url, prefix, since, until, **slow)
    deadline = time.monotonic() + 120
    while killed.written() < 20 and killed.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert killed.process.poll() is None and killed.written() >= 20, killed.log[-3000:]
    os.kill(killed.process.pid, signal.SIGKILL)
    killed.wait()

    assert survivor.wait() == 0, survivor.log[-3000:]
    emitted = Counter(survivor.ids() + killed.ids())
    assert set(emitted) == expected, f"lost: {sorted(expected - set(emitted))}"
    assert [i for i, n in emitted.items() if n > 1] == []
    assert "put back in the queue" in survivor.log and "'bs/redis/requeued':" in survivor.log


@pytest.mark.long
def test_a_worker_that_stopped_cleanly_leaves_nothing_to_put_back(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    import redis

    since, until = date(2024, 11, 1), date(2024, 11, 10)
    expected = ids_between(site, since, until)
    worker = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, since, until)
    assert worker.wait() == 0, worker.log[-3000:]
    assert sorted(worker.ids()) == sorted(expected)
    assert "put back in the queue" not in worker.log
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=f"{prefix}:run:*:inflight*")) == []


# --- Redis that answers but cannot keep a run's keys --------------------------------------------------


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis of this module's own, to be made full, read-only or evicting (the shared one stays as it is)."""
    import shutil
    import subprocess

    from tests.conftest import ROOT
    from tests.test_redis import free_port

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server")
    service = ROOT / "tests" / "services" / "redis"
    port = free_port()
    env = {**os.environ, "REDIS_RUN_DIR": str(tmp_path_factory.mktemp("own-redis"))}
    started = subprocess.run([str(service / "start.sh"), str(port)], env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(service / "stop.sh"), str(port)], env=env, capture_output=True, timeout=60)


def _refused_at_start(redis_url: str, tmp_path: Path) -> tuple[int, str]:
    from tests.e2e import crawl

    with LoopbackSite(articles=8, seed=41, legacy=0) as small:
        result = crawl(
            "latest", tmp_path,
            settings={"BS_BASE_URL": small.base_url, "REDIS_URL": redis_url, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"},
            timeout=120,
        )
        fetched = sum(small.counts.values())
    assert fetched == 0, "nothing is fetched"
    return result.status, result.log


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        # Full, and refusing writes (the default policy): the worker failed at its first write with
        # "Lost Redis … a restart continues the run", which a restart never did.
        ({"maxmemory": "1", "maxmemory-policy": "noeviction"}, "does not take writes (command not allowed when used memory"),
        # Evicting when full: seen articles, claims and queued requests silently dropped, so articles
        # were emitted again by later runs and by two workers at once; the run said nothing.
        ({"maxmemory": "512mb", "maxmemory-policy": "allkeys-lru"}, "evicts keys when it is full (maxmemory-policy allkeys-lru)"),
        ({"maxmemory": "512mb", "maxmemory-policy": "volatile-ttl"}, "evicts keys when it is full (maxmemory-policy volatile-ttl)"),
        # A read-only replica (a failover pointed the URL at it).
        ({"replicaof": "127.0.0.1 1"}, "does not take writes (You can't write against a read only replica"),
    ],
)
def test_a_redis_that_cannot_keep_the_runs_keys_is_one_error_line_and_exit_8_before_any_fetch(
    own_redis: str, tmp_path: Path, setup: dict[str, str], words: str
) -> None:
    import redis

    from crawler.monitoring.verdict import EXIT_REDIS

    client = redis.Redis.from_url(own_redis)
    try:
        for name, value in setup.items():
            if name == "replicaof":
                client.replicaof(*value.split())
            else:
                client.config_set(name, value)
        status, log = _refused_at_start(own_redis, tmp_path)
    finally:
        client.replicaof("no", "one")
        client.config_set("maxmemory", "0")
        client.config_set("maxmemory-policy", "noeviction")
        client.flushall()
    assert status == EXIT_REDIS, log[-3000:]
    errors = [line for line in log.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and words in errors[0] and "nothing was fetched" in errors[0], log[-3000:]
    assert "Traceback" not in log


def test_redisclear_still_works_on_a_full_redis(own_redis: str, tmp_path: Path) -> None:
    # Clearing a run is how a full Redis is emptied: the checks of a crawl must not stand in its way.
    import redis

    from tests.e2e import scrapy

    client = redis.Redis.from_url(own_redis)
    client.rpush("bs:run:old:requests", "x")
    client.config_set("maxmemory", "1")
    try:
        done = scrapy(tmp_path, "redisclear", "old", "-s", f"REDIS_URL={own_redis}")
    finally:
        client.config_set("maxmemory", "0")
    assert done.returncode == 0, done.stderr[-3000:]
    assert not client.exists("bs:run:old:requests")
    client.flushall()


def test_a_redis_on_a_unix_socket_with_a_database_number_keeps_the_seen_store(tmp_path: Path) -> None:
    import shutil
    import subprocess

    from tests.e2e import crawl

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server")
    sock = tmp_path / "redis.sock"
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = f"unix://{sock}?db=3"
        with LoopbackSite(articles=12, seed=43, legacy=0) as small:
            settings = {"BS_BASE_URL": small.base_url, "REDIS_URL": url, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"}
            first = crawl("latest", tmp_path / "a", settings=settings, timeout=120)
            second = crawl("latest", tmp_path / "b", settings=settings, timeout=120)
        assert (first.status, second.status) == (0, 0), first.log[-2000:] + second.log[-2000:]
        assert first.ids() and second.ids() == []
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.long
def test_a_redis_that_lost_its_data_mid_run_stops_the_worker_and_the_next_run_is_refused(
    site: LoopbackSite, own_redis: str, tmp_path: Path
) -> None:
    # FLUSHALL, or a Redis restarted without persistence, while a worker ran: it went on reading an
    # empty queue and confirming into an emptied seen-store, ended with exit 0, and the next run
    # emitted again every article the first one had written. Nothing said so.
    import redis

    from crawler.monitoring.verdict import EXIT_REDIS

    client = redis.Redis.from_url(own_redis)
    client.flushall()
    since, until = date(2024, 10, 1), date(2024, 10, 31)
    slow = {"DOWNLOAD_DELAY": "0.05"}
    try:
        worker = start_worker("w1", tmp_path, site, own_redis, "bs", since, until, **slow)
        deadline = time.monotonic() + 120
        while worker.written() < 20 and worker.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.process.poll() is None, worker.log[-3000:]
        client.flushall()
        assert worker.wait() == EXIT_REDIS, worker.log[-3000:]
        errors = [line for line in worker.log.splitlines() if " ERROR: " in line and "Run summary" not in line]
        assert len(errors) == 1 and "lost its data while worker w1 ran" in errors[0], worker.log[-3000:]
        assert "'bs/redis/data_lost': 1" in worker.log
        assert "Traceback" not in worker.log
        first = set(worker.ids())

        # The next run on this machine would emit all of `first` again: refused, nothing fetched.
        site.reset_counts()
        again = start_worker("w1", tmp_path, site, own_redis, "bs", since, until)
        assert again.wait() == EXIT_REDIS, again.log[-3000:]
        assert sum(site.counts.values()) == 0
        refusal = [line for line in again.log.splitlines() if line.startswith("error: ")]
        assert len(refusal) == 1 and "was emptied since this machine's last run" in refusal[0], again.log[-3000:]
        assert "redis-epochs.json" in refusal[0]

        # Deleting the file named says "start afresh": the run goes, and emits them again, as asked.
        (tmp_path / ".state" / "redis-epochs.json").unlink()
        afresh = start_worker("w1", tmp_path, site, own_redis, "bs", since, until)
        assert afresh.wait() == 0, afresh.log[-3000:]
        assert first <= set(afresh.ids())
    finally:
        client.flushall()


# --- Splash answering what is not its JSON ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "body", "reason"),
    [
        # Labelled JSON, cut short (a proxy's buffer, Splash restarted mid-answer): scrapy-splash's
        # parse raised past every fallback, and the article was lost with the download (exit 1).
        (200, "application/json", b'{"html": "<html><head><title>cut', "bad-answer"),
        (200, "application/json", b"\xff\xfe not json", "bad-answer"),
        (504, "application/json", b"<html>Gateway Time-out</html>", "render-timeout"),
        # What already fell back: the class the cases above belong to.
        (200, "text/html", b"<html><body>Bad gateway</body></html>", "bad-answer"),
        (200, "application/json", b"[1, 2]", "bad-answer"),
    ],
)
def test_a_splash_answer_that_is_not_its_json_falls_back_to_a_plain_fetch(
    tmp_path: Path, status: int, content_type: str, body: bytes, reason: str
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from crawler.monitoring.verdict import EXIT_SPLASH
    from tests.e2e import crawl, stats_from_log

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept alive, as Splash does: a closed pooled connection is another failure

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    splash = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=splash.serve_forever, daemon=True).start()
    try:
        with LoopbackSite(articles=6, seed=9, legacy=0) as small:
            expected = sorted(r.article_id for r in small.articles)
            result = crawl(
                "latest", tmp_path,
                settings={"BS_BASE_URL": small.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss",
                          "SPLASH_URL": f"http://127.0.0.1:{splash.server_port}"},
                timeout=120,
            )
    finally:
        splash.shutdown()
        splash.server_close()
    assert result.status == EXIT_SPLASH, result.log[-3000:]
    assert sorted(result.ids()) == expected, "every article emitted, from a plain fetch"
    assert all(quote["value"] is None for item in result.items for quote in item["market"] or [])
    stats = stats_from_log(result.log)
    assert stats.get(f"bs/splash/failed/{reason}") == len(expected), result.log[-3000:]
    assert "Traceback" not in result.log


# --- reextract: a WARC record its crawler stored cut short ---------------------------------------------


def _warc_with_cut_records(path: Path) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from tests.test_reextract import SEED_PAGE, SEED_URL

    body = SEED_PAGE.read_bytes()
    # Cut after the story's text, before the page's end: extraction still found a story, so the
    # article was emitted as good without the fields the rest of the page holds (exit 0).
    cut = body[: len(body) // 2]
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=path.name.endswith(".gz"))

        def response(payload: bytes, headers: list[tuple[str, str]], warc: dict[str, str]) -> None:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                SEED_URL, "response", payload=BytesIO(payload), http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-02-28T10:12:30Z", **warc},
            )
            writer.write_record(record)

        # wget / Heritrix past their size or time limit say so:
        response(cut, [], {"WARC-Truncated": "length"})
        # a payload shorter than the Content-Length the server announced, as a cut cache file:
        response(cut, [("Content-Length", str(len(body)))], {})
        # and the next record, whole, is still read: a cut response is no damaged file.
        response(body, [("Content-Length", str(len(body)))], {})


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_warc_response_stored_cut_short_is_skipped_and_the_next_record_read(tmp_path: Path, name: str) -> None:
    from crawler.reextract.sources import SkippedRecord, StoredResponse, iter_records

    path = tmp_path / name
    _warc_with_cut_records(path)
    first, second, whole = list(iter_records(path))
    assert isinstance(first, SkippedRecord) and first.reason == "truncated" and "WARC-Truncated: length" in first.detail
    assert isinstance(second, SkippedRecord) and second.reason == "truncated" and "Content-Length says" in second.detail
    assert isinstance(whole, StoredResponse)


def test_reextracting_a_warc_with_cut_responses_emits_only_the_whole_one(tmp_path: Path) -> None:
    from tests.e2e import crawl, stats_from_log

    path = tmp_path / "cut.warc.gz"
    _warc_with_cut_records(path)
    result = crawl("reextract", tmp_path / "run", "-a", f"source={path}", timeout=120)
    assert result.status == 0, result.log[-3000:]
    assert len(result.items) == 1 and result.items[0]["datePublishedRaw"], result.log[-3000:]
    assert stats_from_log(result.log).get("bs/reextract/skipped/truncated") == 2
    assert sum("truncated (" in line and " WARNING: Skipped " in line for line in result.log.splitlines()) == 2


def test_a_gone_workers_requests_are_taken_once_and_its_claims_released(redis_url: str, prefix: str) -> None:  # noqa: F811
    # The survivor fetched again what the killed worker had in hand, but an article that worker had
    # claimed stayed its run's for ALIVE_SECONDS (5 minutes): dropped as claimed elsewhere, lost.
    import redis

    from crawler.distributed import connect, run_keys
    from crawler.distributed.scheduler import _ADOPT_LUA
    from crawler.distributed.store import RedisSeenStore
    from crawler.incremental.store import Claim, PendingArticle
    from scrapy.settings import Settings

    client = redis.Redis.from_url(redis_url)
    keys = run_keys(prefix, "archive")
    now = int(client.time()[0])
    article = "124100600076"
    gone = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w2")
    assert gone.claim(PendingArticle(article, 0, "h", None, None, "archive:r2"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
    gone.client.close()  # killed: no close(), its alive mark stays
    assert client.exists(f"{prefix}:alive:archive:r2")
    client.zadd(keys.workers, {"w2": now - 60, "w1": now, "w3": now})
    client.hset(keys.inflight("w2"), "7", "request-7")
    client.hset(keys.inflight("w3"), "1", "request-1")  # a live worker's: left alone
    client.sadd(keys.inflight_owners, "w1", "w2", "w3")
    adopt = client.register_script(_ADOPT_LUA)
    args = ["w1", 30, keys.inflight(""), "0", f"{prefix}:pending:archive:", f"{prefix}:alive:"]
    holding, taken = adopt(keys=[keys.workers, keys.inflight_owners], args=args)
    assert (holding, taken) == (1, [b"request-7"])
    assert adopt(keys=[keys.workers, keys.inflight_owners], args=args) == [1, []], "taken once"
    assert not client.exists(f"{prefix}:alive:archive:r2")
    survivor = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w1")
    assert survivor.claim(PendingArticle(article, 0, "h", None, None, "archive:r1"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
    survivor.close()
