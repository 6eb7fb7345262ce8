"""A live worker whose reactor one long callback holds up (a 50 MB sitemap, a slow disk) kept its marks in
Redis fresh only from that reactor: past the staleness it counted as gone, another worker took the requests
it had in hand and ended its runs' claims, and the article both then wrote was delivered twice. A thread
now stands in for the reactor's beat (for up to ten minutes: longer is a wedged worker). And a gone
worker's in-flight request that this version cannot read back (a callback renamed) stopped the beat
that took it over."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.settings import Settings

import crawler.distributed.scheduler as scheduler_module
import crawler.distributed.store as store_module
from crawler import stats as stat
from crawler.distributed import connect, run_keys
from crawler.distributed.pulse import Pulse
from crawler.distributed.scheduler import _ADOPT_LUA, RedisScheduler
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.store import Claim, PendingArticle
from tests.test_redis import opened_scheduler, prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)

# Seconds, shortened for the test (the crawler's: a beat every 5 s, gone after 30 s).
BEAT = 0.2
STALE = 2


@pytest.fixture
def short_beats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "HEARTBEAT_SECONDS", BEAT)
    monkeypatch.setattr(scheduler_module, "WORKER_STALE_SECONDS", STALE)
    monkeypatch.setattr(store_module, "HEARTBEAT_SECONDS", BEAT)
    monkeypatch.setattr(store_module, "ALIVE_SECONDS", STALE)


@pytest.fixture
def worker(redis_url: str, prefix: str, short_beats: None, tmp_path: Any) -> Iterator[RedisScheduler]:  # noqa: F811
    with opened_scheduler(redis_url, prefix, tmp_path) as made:
        yield made


def adopt_as_another_worker(client: redis.Redis, prefix: str) -> tuple[int, list[bytes]]:  # noqa: F811
    keys = run_keys(prefix, "archive")
    adopt = client.register_script(_ADOPT_LUA)
    holding, taken = adopt(
        keys=[keys.workers, keys.inflight_owners],
        args=["w2", STALE, keys.inflight(""), "0", f"{prefix}:pending:archive:", f"{prefix}:alive:"],
    )
    return int(holding), list(taken)


def test_a_worker_whose_reactor_is_held_up_past_the_staleness_keeps_its_requests(
    worker: RedisScheduler, redis_url: str, prefix: str,  # noqa: F811
) -> None:
    request = Request("http://127.0.0.1/article/markets/news/sensex-124101400008_1.html", callback=worker.spider.parse_article)  # type: ignore[union-attr]
    worker._hold(request)
    client = redis.Redis.from_url(redis_url)
    try:
        time.sleep(2 * STALE + 1)
        holding, taken = adopt_as_another_worker(client, prefix)
        assert taken == [], "a live worker's request in hand was taken over: it is fetched and written twice"
        assert holding == 1
    finally:
        client.close()


def test_a_runs_claims_hold_while_its_reactor_is_held_up(redis_url: str, prefix: str, short_beats: None) -> None:  # noqa: F811
    store = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w1")
    other = RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, "archive:w2")
    article = "124100600076"
    try:
        assert store.claim(PendingArticle(article, 0, "h", None, None, "archive:r1"), fresh=False, is_live=lambda run: True) == Claim("new", 1)
        time.sleep(2 * STALE + 1)  # the reactor never beat: ALIVE_SECONDS passed twice
        taken = other.claim(PendingArticle(article, 0, "h", None, None, "archive:r2"), fresh=False, is_live=lambda run: True)
        assert taken.outcome != "new", "another run claimed an article the live run had claimed: both write it"
    finally:
        store.close()
        other.close()


def test_the_pulse_stands_in_only_while_the_reactor_is_late_and_gives_up_on_a_wedged_one() -> None:
    beats: list[float] = []
    pulse = Pulse(lambda: beats.append(time.monotonic()), interval=0.05, name="test", max_stall=1.0)
    pulse.start()
    try:
        # The reactor beats on time: the thread has nothing to do.
        until = time.monotonic() + 0.6
        while time.monotonic() < until:
            pulse.beaten()
            time.sleep(0.01)
        assert beats == []
        # Held up: the thread beats for it, up to max_stall after the reactor's last beat.
        time.sleep(1.6)
        assert len(beats) >= 5
        assert max(beats) - pulse.last_beaten < 1.0 + 0.2
        count = len(beats)
        time.sleep(0.3)
        assert len(beats) == count, "a wedged worker's marks must lapse, so that others take over"
    finally:
        pulse.stop()
    assert not any(thread.name == "test" for thread in threading.enumerate())


def test_a_gone_workers_request_that_cannot_be_read_back_is_dropped_with_a_stat_and_the_others_requeued(
    worker: RedisScheduler, redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = run_keys(prefix, "archive")
    good = Request("http://127.0.0.1/article/markets/news/sensex-124101400008_1.html", callback=worker.spider.parse_article)  # type: ignore[union-attr]
    readable = worker.queue._encode_request(good)
    renamed = json.loads(readable)
    renamed["callback"] = "parse_story_renamed"
    try:
        client.zadd(keys.workers, {"w9": int(client.time()[0]) - 60})
        client.hset(keys.inflight("w9"), mapping={"1": json.dumps(renamed), "2": "{not json", "3": readable})
        client.sadd(keys.inflight_owners, "w9")
        queued = len(worker.queue)
        assert worker._adopt_gone(own=False) == (0, 1)
        assert len(worker.queue) == queued + 1
        assert worker.queue.pop().url == good.url
        stats = worker.crawler.stats
        assert stats.get_value(stat.REDIS_REQUEUE_UNREADABLE) == 2
        assert stats.get_value(stat.REDIS_REQUEUED) == 1
        errors = [r for r in caplog.records if r.levelname == "ERROR" and "cannot read back" in r.getMessage()]
        assert len(errors) == 1 and "2 request(s)" in errors[0].getMessage()
    finally:
        client.close()


def test_stopping_the_pulse_waits_for_a_beat_under_way_however_slow_its_redis() -> None:
    # A beat sent to a Redis that answers late (the client's timeouts and retries: over 10 s) landed after
    # the worker had signed off, and put it back in its run as alive: a new run then joined the old one.
    started, finished = threading.Event(), threading.Event()

    def slow_beat() -> None:
        started.set()
        time.sleep(10.5)
        finished.set()

    pulse = Pulse(slow_beat, interval=0.05, name="slow", max_stall=60)
    pulse.start()
    assert started.wait(5)
    pulse.stop()
    assert finished.is_set(), "stop() returned while a beat was still on its way to Redis"
