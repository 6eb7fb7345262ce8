"""Distributed runs probed as a team running several workers from cron meets them: requests an older
version left in the shared queue, a Redis password in the URL's query, workers started with other
arguments than the run's, ``redisclear --seen`` while workers run."""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from scrapy import Request
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import stats as stat
from crawler.distributed import connect, epochs_file, redacted, run_keys
from crawler.distributed.scheduler import INFLIGHT, JsonSerializer, RedisScheduler
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.recovery import recover_pending
from crawler.incremental.store import PendingArticle
from crawler.monitoring.verdict import EXIT_LOCKED, EXIT_REDIS, EXIT_USAGE
from crawler.spiders.archive import ArchiveSpider
from tests.e2e import scrapy
from tests.loopback.site import LoopbackSite
from tests.test_redis import ids_between, opened_scheduler, prefix, redis_url, start_worker  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture
def worker(redis_url: str, prefix: str, tmp_path: Path) -> Iterator[RedisScheduler]:  # noqa: F811
    with opened_scheduler(redis_url, prefix, tmp_path) as made:
        yield made


# --- requests an older version left in the queue -------------------------------------------


def test_a_queued_request_this_version_cannot_read_is_dropped_with_one_line_not_a_traceback_at_every_take(
    worker: RedisScheduler, redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    # An older version's queue: a pickled request (scrapy-redis's default serializer), and a request
    # naming a callback this version no longer has. Each raised out of the scheduler into the engine
    # (a traceback per take, the engine's loop retried every 5 s) and stayed in flight for nobody.
    keys = run_keys(prefix, "archive")
    client = redis.Redis.from_url(redis_url)
    good = Request("https://www.business-standard.com/markets/news/a-124100100001_1.html", callback=worker.spider.parse_article)  # type: ignore[union-attr]
    renamed = {**good.to_dict(spider=worker.spider), "callback": "parse_story"}
    client.zadd(keys.requests, {pickle.dumps({"url": "https://www.business-standard.com/"}): -2, JsonSerializer.dumps(renamed): -1})
    worker.enqueue_request(good)
    with caplog.at_level(logging.ERROR):
        taken = worker.next_request()
    assert taken is not None and taken.url == good.url
    assert worker.stats.get_value(stat.REDIS_QUEUE_UNREADABLE) == 2  # type: ignore[union-attr]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "cannot read back" in errors[0].getMessage() and stat.REDIS_QUEUE_UNREADABLE in errors[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    held = client.hgetall(keys.inflight("w1"))
    assert list(held) == [taken.meta[INFLIGHT].encode()], "only the readable request is held in flight"
    assert worker.next_request() is None and client.zcard(keys.requests) == 0
    client.close()


# --- a password in the URL's query ------------------------------------------------------


def test_a_redis_password_given_in_the_urls_query_is_in_no_message_record_or_file(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    # redis-py takes the password from the query too (redis://host:6379/0?password=...): the refusal's
    # error line, the run record and the epochs file named it in clear. A user Redis does not know:
    # refused with or without a password set up.
    secret = "s3cret-in-the-query"
    url = f"{redis_url.split('?')[0]}?socket_timeout=5&username=nobody-{prefix}&password={secret}"
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"REDIS_URL={url}", "-s", f"BS_REDIS_PREFIX={prefix}",
                  "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"BS_STATE_DIR={tmp_path / 'state'}")
    assert done.returncode == EXIT_REDIS, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Redis at ") and "password=***" in last
    assert secret not in done.stderr + done.stdout
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "the refusal is recorded"
    assert not [p for p in written if secret in p.read_text(errors="replace")]
    assert secret not in epochs_file(Settings({"REDIS_URL": url, "BS_STATE_DIR": str(tmp_path)}))[1], "the epochs file's entry"
    assert redacted(f"unix:///run/redis.sock?db=2&password={secret}") == "unix:///run/redis.sock?db=2&password=***"
    assert redacted(f"rediss://app:{secret}@10.0.0.5:6380/1") == "rediss://app:***@10.0.0.5:6380/1"


# --- a worker started with other arguments than its run's ------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=300, seed=7) as running:
        yield running


def test_a_worker_started_with_other_arguments_than_its_run_is_refused_not_ok_with_its_range_unfetched(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # Cron on one machine backfills October, on another August to November, both as run "archive":
    # the second's sitemap index was a duplicate of the first's, so it took the first's work and ended
    # "ok" (exit 0) with August, September and November never fetched.
    october = (date(2024, 10, 1), date(2024, 10, 31))
    wider = (date(2024, 8, 1), date(2024, 11, 30))
    first = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, *october, BS_REDIS_IDLE_SECONDS="3")
    deadline = time.monotonic() + 60
    while "starts a new run" not in first.log and time.monotonic() < deadline:
        time.sleep(0.1)
    second = start_worker("w2", tmp_path / "w2", site, redis_url, prefix, *wider)
    assert second.wait() == EXIT_USAGE, second.log[-3000:]
    errors = [line for line in second.log.splitlines() if " ERROR: " in line and "Run summary" not in line]
    assert len(errors) == 1, errors
    assert "`crawl archive -a since=2024-08-01 -a until=2024-11-30`" in errors[0]
    assert "`crawl archive -a since=2024-10-01 -a until=2024-10-31`" in errors[0]
    assert "BS_REDIS_RUN" in errors[0] and "Traceback" not in second.log
    assert second.files() == [] or second.items() == []
    assert first.wait() == 0, first.log[-3000:]
    assert set(first.ids()) == ids_between(site, *october)

    # Once that run is over, the wider one starts a run of its own and fetches the rest.
    again = start_worker("w2", tmp_path / "w2", site, redis_url, prefix, *wider, BS_REDIS_IDLE_SECONDS="0")
    assert again.wait() == 0, again.log[-3000:]
    assert set(again.ids()) == ids_between(site, *wider) - ids_between(site, *october)


# --- redisclear --seen while workers run ----------------------------------------------------------


def test_redisclear_seen_refuses_while_a_worker_of_any_run_is_alive(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    # The seen-store is every run's: deleted under a live worker (with its claims and unconfirmed
    # articles), what it writes next is never marked seen and the next run emits it again.
    client = redis.Redis.from_url(redis_url)
    client.hset(f"{prefix}:seen:124100100001", mapping={"version": 1, "content_hash": "h1"})
    client.sadd(f"{prefix}:seen-ids", "124100100001")
    client.hset(f"{prefix}:pending:latest:w1", "latest:r1:124100100002", "{}")
    now = int(client.time()[0])
    client.zadd(f"{prefix}:run:latest:workers", {"w1": now})
    client.zadd(f"{prefix}:run:archive-2023:workers", {"w2": now - 3600})  # long gone

    def clear(*args: str) -> Any:
        return scrapy(tmp_path, "redisclear", *args, "-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}")

    refused = clear("--seen")
    assert refused.returncode == EXIT_LOCKED, refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: ") and "latest/w1" in refused.stderr
    assert "archive-2023" not in refused.stderr
    assert client.exists(f"{prefix}:seen:124100100001", f"{prefix}:pending:latest:w1") == 2

    forced = clear("--seen", "--force")
    assert forced.returncode == 0, forced.stderr
    assert client.exists(f"{prefix}:seen:124100100001", f"{prefix}:pending:latest:w1") == 0
    client.close()


# --- unconfirmed articles an older version left ------------------------------------------------


def test_unconfirmed_articles_this_version_cannot_read_are_dropped_with_one_warning_not_every_start_failed(
    redis_url: str, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    # Each start of the worker read its unconfirmed articles to settle them, and one entry it could not
    # read (another version's format) failed the run before its spider opened: exit 1, every restart.
    seen = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w1")
    client = redis.Redis.from_url(redis_url)
    client.hset(seen.pending_key, mapping={
        "archive:old:124100100001": "v=1;h=abc",
        "archive:old:124100100002": json.dumps({"ver": 1}),
        "archive:old:124100100003": json.dumps(["not", "an", "entry"]),
    })
    good = PendingArticle("124100100004", 1, "h4", None, None, "archive:old")
    seen.add_pending(good)
    with caplog.at_level(logging.WARNING):
        assert seen.pending() == [good]
        assert recover_pending(seen, "archive:now") == (0, 1)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "Dropped 3 unconfirmed article(s)" in warnings[0].getMessage()
    assert client.hlen(seen.pending_key) == 0
    seen.close()
    client.close()


# --- a worker that joins a queue others left --------------------------------------------------------


def test_a_worker_joining_a_queue_left_by_others_logs_no_deprecation_warning(
    redis_url: str, prefix: str, tmp_path: Path, recwarn: pytest.WarningsRecorder  # noqa: F811
) -> None:
    # scrapy-redis said "Resuming crawl" through Spider.log, which Scrapy 2.19 deprecates: a WARNING
    # in every restart's log (after a kill or a lost Redis), and an AttributeError once it is gone.
    settings = {"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w2", "BS_STATE_DIR": str(tmp_path)}
    crawler = get_crawler(ArchiveSpider, settings)
    crawler.spider = crawler._create_spider(since="2024-10-01")
    left = Request("https://www.business-standard.com/markets/news/a-124100100001_1.html", callback=crawler.spider.parse_article)
    client = redis.Redis.from_url(redis_url)
    client.zadd(run_keys(prefix, "archive").requests, {JsonSerializer.dumps(left.to_dict(spider=crawler.spider)): 0})
    joining = RedisScheduler.from_crawler(crawler)
    joining.open(crawler.spider)
    try:
        assert len(joining.queue) == 1
        taken = joining.next_request()
        assert taken is not None and taken.url == left.url
    finally:
        joining.close("shutdown")
        client.close()
    assert [str(w.message) for w in recwarn if issubclass(w.category, (DeprecationWarning, ScrapyDeprecationWarning))] == []


# --- what a finished run leaves in Redis -------------------------------------------------------------


def test_a_finished_run_leaves_no_duplicate_filter_in_redis_and_the_next_run_still_starts_afresh(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # The run's duplicate filter (a fingerprint per URL fetched) stayed in Redis after its last worker
    # closed, until a run of the same name started again: every backfill under its own BS_REDIS_RUN kept
    # its filter for good (tens of MB for years of articles) in a Redis that stops taking writes when full.
    client = redis.Redis.from_url(redis_url)
    october = (date(2024, 10, 1), date(2024, 10, 31))
    first = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, *october, BS_REDIS_IDLE_SECONDS="0", BS_REDIS_RUN="oct")
    assert first.wait() == 0, first.log[-3000:]
    assert set(first.ids()) == ids_between(site, *october)
    assert list(client.scan_iter(match=f"{prefix}:run:*")) == []
    # Nor the run's feed records: with nothing pending, no recovery reads them (a key per worker run).
    assert list(client.scan_iter(match=f"{prefix}:feeds:*")) == [] and list(client.scan_iter(match=f"{prefix}:pending:*")) == []
    assert client.scard(f"{prefix}:seen-ids") == len(first.ids()), "the seen-store stays"
    site.reset_counts()
    again = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, *october, BS_REDIS_IDLE_SECONDS="0", BS_REDIS_RUN="oct")
    assert again.wait() == 0, again.log[-3000:]
    assert "starts a new run" in again.log and again.items() == [] and site.article_requests() == 0
    client.close()


def test_a_worker_leaving_while_another_works_keeps_the_runs_duplicate_filter(
    worker: RedisScheduler, redis_url: str, prefix: str  # noqa: F811
) -> None:
    keys = run_keys(prefix, "archive")
    client = redis.Redis.from_url(redis_url)
    client.sadd(keys.dupefilter, "ab12")
    client.zadd(keys.workers, {"w2": int(client.time()[0])})
    worker.close("finished")
    assert client.exists(keys.dupefilter, keys.arguments) == 2, "w2 still works in the run"
    client.close()


# --- scrapy-redis's own Redis settings ----------------------------------------------------------------


@pytest.mark.parametrize("settings", [
    ["REDIS_HOST=127.0.0.1", "REDIS_PORT=6379", "REDIS_URL=redis://127.0.0.1:9/0"],
    ['REDIS_PARAMS={"password": "x"}'],
])
def test_scrapy_redis_host_and_port_settings_this_crawler_does_not_read_are_refused(settings: list[str], tmp_path: Path) -> None:
    # As scrapy-redis's documentation names a Redis: without REDIS_URL the run was not distributed, and
    # every machine crawled and emitted everything on its own, exit 0, with no word of Redis.
    options = [option for setting in settings for option in ("-s", setting)]
    done = scrapy(tmp_path, "crawl", "latest", *options, "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"BS_STATE_DIR={tmp_path / 'state'}")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: REDIS_") and "REDIS_URL" in last and last.endswith("nothing was fetched")
    assert "Traceback" not in done.stderr and not (tmp_path / "output").exists()


def test_a_worker_of_another_spider_given_the_same_run_name_is_refused_before_it_queues_anything(
    redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # -s BS_REDIS_RUN=news given to `latest` and `archive`: one queue for both, each worker handed the
    # other spider's requests.
    keys = run_keys(prefix, "news")
    client = redis.Redis.from_url(redis_url)
    client.set(keys.arguments, json.dumps({"spider": "latest", "arguments": {}}))
    client.zadd(keys.workers, {"w2": int(client.time()[0])})
    crawler = get_crawler(ArchiveSpider, {
        "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_REDIS_RUN": "news", "BS_WORKER_NAME": "w1", "BS_STATE_DIR": str(tmp_path),
    })
    crawler.spider = crawler._create_spider(since="2024-10-01")
    joining = RedisScheduler.from_crawler(crawler)
    joining.open(crawler.spider)
    try:
        assert joining.refused
        assert joining.enqueue_request(Request("https://www.business-standard.com/sitemap/sitemap-index.xml")) is False
        assert client.exists(keys.requests) == 0 and client.zscore(keys.workers, "w1") is None
    finally:
        joining.close("shutdown")
    assert client.zscore(keys.workers, "w2") is not None, "the run's own worker is left alone"
    client.close()


# --- the run records in Redis -----------------------------------------------------------------------


def test_the_run_records_in_redis_keep_the_last_ones_not_every_run_for_ever(redis_url: str, prefix: str) -> None:  # noqa: F811
    # Every worker's every record went to one list, for ever: `latest` every 15 minutes on three
    # machines is 100,000 records a year, in a Redis that refuses the runs' writes once it is full.
    from crawler.monitoring.history import RedisRunHistory

    settings = Settings({"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_REDIS_RUNS_KEPT": 3})
    history = RedisRunHistory(settings)
    for n in range(5):
        history.append({"spider": "latest", "started": f"2026-12-0{n + 1}T10:00:00+00:00", "status": 0, "n": n})
    client = redis.Redis.from_url(redis_url)
    assert [json.loads(raw)["n"] for raw in client.lrange(f"{prefix}:runs", 0, -1)] == [2, 3, 4]
    every = RedisRunHistory(Settings({"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_REDIS_RUNS_KEPT": 0}))
    every.append({"spider": "latest", "started": "2026-12-06T10:00:00+00:00", "status": 0, "n": 5})
    assert client.llen(f"{prefix}:runs") == 4
    history.close()
    every.close()
    client.close()


@pytest.mark.parametrize("value", ["-1", "abc", "1.5"])
def test_a_run_records_limit_that_is_no_count_is_refused(value: str, tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "-s", f"BS_REDIS_RUNS_KEPT={value}")
    assert done.returncode == EXIT_USAGE and "BS_REDIS_RUNS_KEPT" in done.stderr.strip().splitlines()[-1], done.stderr[-1000:]


# --- REDIS_URL as written ---------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "words"), [
    ("redis://127.0.0.1:9/db1", "names database 'db1', which is no number"),
    ("redis://:pw@127.0.0.1:9/O", "names database 'O', which is no number"),
    ("unix:///run/redis.sock?db=one", "names database 'one', which is no number"),
    ("http://127.0.0.1:9/0", "is no Redis URL"),
    ("127.0.0.1:6379", "is no Redis URL"),
])
def test_a_redis_url_whose_database_is_no_number_or_that_is_no_redis_url_is_one_line_and_exit_2(url: str, words: str, tmp_path: Path) -> None:
    # redis-py reads /db1 as database 0, without a word: the run went to another database than meant.
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"REDIS_URL={url}", "-s", "BS_BASE_URL=http://127.0.0.1:9",
                  "-s", f"BS_STATE_DIR={tmp_path / 'state'}")
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: -s REDIS_URL=") and words in last and ":pw@" not in last


def test_redisclear_with_a_database_that_is_no_number_deletes_nothing_in_database_0(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    client.hset(f"{prefix}:seen:124100100001", mapping={"version": 1, "content_hash": "h1"})
    server = urlsplit(redis_url)
    done = scrapy(tmp_path, "redisclear", "--seen", "-s", f"REDIS_URL={server.scheme}://{server.netloc}/db1", "-s", f"BS_REDIS_PREFIX={prefix}")
    assert done.returncode == EXIT_USAGE, done.stderr[-1000:]
    assert client.exists(f"{prefix}:seen:124100100001") == 1
    client.close()
