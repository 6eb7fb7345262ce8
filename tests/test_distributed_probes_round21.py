"""Distributed runs probed as the site sees them: one worker told to wait (429 or 503 with ``Retry-After``), a
robots.txt ``Crawl-delay``, workers started with different site budgets, and how many Redis round trips an article page costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import ROOT
from tests.e2e import FAST, stats_from_log
from tests.loopback.site import LoopbackSite, Response
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
WORKERS = ("w1", "w2")
HOLD = 0.2  # every article answer takes this long, so that the crawl lasts past a pause
RETRY_AFTER = 4  # seconds the site asks one worker to wait
# Requests already on their way when the site answers 429 still arrive: the window looked at begins after them.
MARGIN = 1.0


class PushBackSite(LoopbackSite):
    """The loopback site, recording when each path was asked for; its ``push_after``-th article request
    is answered ``push`` (429 or 503) with ``Retry-After: RETRY_AFTER``, once."""

    def __init__(self, *args: Any, push: str | None = None, push_after: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[tuple[float, str]] = []
        self.push = push
        self.push_after = push_after
        self.pushed_at: float | None = None
        self._articles_asked = 0
        self._push_path: str | None = None
        self._record = threading.Lock()

    def _count(self, path: str, article_id: str | None) -> None:
        super()._count(path, article_id)
        with self._record:
            self.asked.append((time.monotonic(), path))
            if article_id:
                self._articles_asked += 1
                if self.push and self._articles_asked == self.push_after:
                    self._push_path, self.pushed_at = path, time.monotonic()

    def _take_path_fault(self, path: str) -> tuple[str, float] | None:
        with self._record:
            if path == self._push_path:
                self._push_path = None
                assert self.push is not None
                return self.push, float(RETRY_AFTER)
        return super()._take_path_fault(path)

    def article_response(self, *args: Any, **kwargs: Any) -> Response:
        time.sleep(HOLD)
        return super().article_response(*args, **kwargs)


def run_workers(site: LoopbackSite, redis_url: str, workdir: Path, **settings: str) -> list[tuple[int, str]]:  # noqa: F811
    """Two ``latest`` workers of one distributed run, started together: exit status and log of each."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    started = []
    try:
        for name in WORKERS:
            folder = workdir / name
            folder.mkdir(parents=True)
            values = {**FAST, "CONCURRENT_REQUESTS": "2", "BS_BASE_URL": site.base_url, "REDIS_URL": redis_url,
                      "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": name, "BS_REDIS_IDLE_SECONDS": "6", **settings}
            command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
            for setting, value in values.items():
                command += ["-s", f"{setting}={value}"]
            log = open(folder / "log", "wb")
            started.append((subprocess.Popen(command, cwd=folder, env=ENV, stdout=subprocess.DEVNULL, stderr=log), log))
        return [(process.wait(timeout=300), (workdir / name / "log").read_text(errors="replace")) for (process, _), name in zip(started, WORKERS)]
    finally:
        for process, log in started:
            if process.poll() is None:
                process.kill()
            log.close()
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def emitted(workdir: Path) -> list[str]:
    ids = []
    for name in WORKERS:
        for path in (workdir / name / "output").rglob("*.jsonl"):
            ids += [json.loads(line)["articleId"] for line in path.read_text().splitlines() if line.strip()]
    return ids


def summed(logs: list[str], name: str) -> int:
    return sum(stats_from_log(log).get(name, 0) for log in logs)


# --- one worker told to wait: the others wait too ---------------------------------------------------


@pytest.mark.long
@pytest.mark.parametrize("push", ["429", "503"])
def test_a_wait_the_site_asks_of_one_worker_is_kept_by_every_worker(redis_url: str, tmp_path: Path, push: str) -> None:  # noqa: F811
    # Before: the worker that met the 429 (or the 503 of maintenance) paused; the other went on asking the
    # site all through the wait, as hard as before (Retry-After was each worker's own).
    with PushBackSite(articles=160, seed=21, push=push) as site:
        results = run_workers(site, redis_url, tmp_path)
        asked, pushed_at = list(site.asked), site.pushed_at
        listed = len({record.article_id for record in site.articles})
    logs = [log for _, log in results]
    assert [status for status, _ in results] == [0, 0], "\n".join(log[-3000:] for log in logs)
    assert pushed_at is not None
    during = [path for moment, path in asked if pushed_at + MARGIN < moment < pushed_at + RETRY_AFTER - 0.2]
    after = [path for moment, path in asked if moment > pushed_at + RETRY_AFTER]
    assert during == [], f"{len(during)} requests to the site while it asked for a {RETRY_AFTER} s wait: {during[:5]}"
    assert after, "the crawl went on after the wait"
    # The other worker said why it waited, and counted it (so it was asking the site at the time: the
    # window above was not quiet for want of work; the 30th article asked comes when both are busy).
    assert summed(logs, "bs/site_pause/waits") >= 1, "\n".join(log[-3000:] for log in logs)
    assert summed(logs, "bs/site_pause/shared") == 1
    assert sum(log.count("the site asked worker") for log in logs) == 1
    # Nothing lost or doubled by the wait.
    ids = emitted(tmp_path)
    assert len(ids) == len(set(ids)) and 0 < len(ids) <= listed


# --- robots.txt's Crawl-delay: one spacing for all workers -------------------------------------------


@pytest.mark.long
def test_robots_txt_crawl_delay_spaces_the_requests_of_all_workers_together(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    # Before: each worker kept the delay between its own requests, so two workers asked the site twice as often
    # as its robots.txt asks (README: "N workers ask N times as often").
    delay = 0.3
    with PushBackSite(articles=40, seed=21) as site:
        robots = site._robots
        site._robots = lambda: robots().replace("User-agent: *\n", f"User-agent: *\nCrawl-delay: {delay}\n", 1)  # type: ignore[method-assign]
        results = run_workers(site, redis_url, tmp_path, BS_REDIS_IDLE_SECONDS="3")
        asked = list(site.asked)
    logs = [log for _, log in results]
    assert [status for status, _ in results] == [0, 0], "\n".join(log[-3000:] for log in logs)
    # Each worker asks for robots.txt once, before anything else: the spacing is of what comes after it.
    times = sorted(moment for moment, path in asked if path != "/robots.txt")
    assert len(times) >= 10, asked
    # Measured where the site sees them: a worker's process held up for a moment (two cores, other tests)
    # sends one request late, next to the one after it. So the whole (two workers each keeping the delay
    # alone asked twice as often), and the busiest second (each second holds 1 / delay requests).
    assert times[-1] - times[0] >= 0.9 * delay * (len(times) - 1), (times[-1] - times[0], len(times))
    busiest = max(sum(1 for moment in times[i:] if moment < start + 1.0) for i, start in enumerate(times))
    assert busiest <= int(1 / delay) + 2, busiest
    assert all("spaced that far apart by all workers together" in log for log in logs)


# --- the shared pause, one worker's part -------------------------------------------------------------


def _middleware(redis_url: str, prefix: str, name: str = "w1", **settings: str) -> Any:  # noqa: F811
    from scrapy.utils.test import get_crawler

    from crawler.distributed.politeness import SiteBudgetMiddleware
    from crawler.spiders.latest import LatestSpider

    crawler = get_crawler(LatestSpider, {"BS_BASE_URL": "https://www.business-standard.com", "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": name, "BS_REDIS_TIMEOUT": "0.5", **settings})
    middleware = SiteBudgetMiddleware.from_crawler(crawler)
    middleware.crawler = crawler  # for the test to send signals through
    return middleware


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:  # noqa: F811
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_a_shorter_wait_asked_of_another_worker_does_not_cut_a_longer_one_short(redis_url: str, prefix: str) -> None:  # noqa: F811
    from crawler.middlewares import site_asked_to_wait

    first, second = _middleware(redis_url, prefix, "w1"), _middleware(redis_url, prefix, "w2")
    client = redis.Redis.from_url(redis_url)
    key = f"{prefix}:site:www.business-standard.com:pause"
    try:
        # Sent as RateLimitMiddleware sends it when its worker pauses.
        first.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=60.0, reason="503")
        assert 55_000 < client.pttl(key) <= 60_000
        second.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=5.0, reason="429")
        assert client.pttl(key) > 55_000 and json.loads(client.get(key))["worker"] == "w1"
        assert first.stats.get_value("bs/site_pause/shared") == 1 and second.stats.get_value("bs/site_pause/shared") is None
    finally:
        client.close()


def test_a_worker_that_loses_redis_lets_its_requests_go_with_one_warning_not_a_traceback_each(
    redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    import logging

    from scrapy import Request
    from twisted.internet.defer import Deferred

    middleware = _middleware(redis_url, prefix)
    middleware.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    middleware.acquire_script = middleware.client.register_script("return {0}")
    results = []
    with caplog.at_level(logging.WARNING):
        for number in range(3):
            done = Deferred.fromCoroutine(middleware.process_request(Request(f"https://www.business-standard.com/a-{number}.html")))
            done.addBoth(results.append)
        middleware.site_asked_to_wait(seconds=10, reason="429")
    assert results == [None, None, None]
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "Redis failed" in caplog.records[0].getMessage()



def _passes(middleware: Any, request: Any) -> bool:
    """Whether the request passes the middleware at once (no wait, which would need the reactor)."""
    from twisted.internet.defer import Deferred

    done: list[Any] = []
    Deferred.fromCoroutine(middleware.process_request(request)).addBoth(done.append)
    return done == [None]


def test_a_worker_started_without_the_site_budget_keeps_the_one_another_worker_set(
    redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    # Before: a worker whose cron line lacked BS_SITE_MAX_CONCURRENCY (or had a looser one) took no part in
    # the budget: it asked the site as if there were none, beside workers keeping to one in flight.
    import logging

    from scrapy import Request

    kept = _middleware(redis_url, prefix, "w1", BS_SITE_MAX_CONCURRENCY="1", BS_SITE_MAX_RATE="1000")
    free = _middleware(redis_url, prefix, "w2")
    looser = _middleware(redis_url, prefix, "w3", BS_SITE_MAX_CONCURRENCY="8")
    first = Request("https://www.business-standard.com/a-1.html")
    assert _passes(kept, first) and "bs_site_lease" in first.meta
    # The one slot is taken: neither of the others may go (their request would wait for it).
    for other in (free, looser):
        answer = other.acquire_script(keys=other.keys, args=[other.max_concurrency, other.interval_ms, "probe", other.lease_ms, 60_000])
        assert [int(part) for part in answer] == [2]
    kept.process_response(first, None)
    second = Request("https://www.business-standard.com/a-2.html")
    with caplog.at_level(logging.INFO, logger="crawler.distributed.politeness"):
        assert _passes(free, second) and "bs_site_lease" in second.meta
    free.process_response(second, None)
    told = [r.getMessage() for r in caplog.records if "another worker set" in r.getMessage()]
    assert told == ["Holding to the site budget (or Crawl-delay) another worker set, stricter than this worker's own: 1 requests in flight, 1000 requests/s"]


# --- Redis round trips of an article page -------------------------------------------------------------


def _watch(redis_url: str, prefix: str, commands: list[str], stop: threading.Event) -> None:  # noqa: F811
    """Every command a client (not a script) sends about the prefix's keys, as MONITOR shows it."""
    client = redis.Redis.from_url(redis_url)
    with client.monitor() as monitor:
        for command in monitor.listen():
            if stop.is_set():
                break
            if command.get("client_type") != "lua" and f"{prefix}:" in command["command"]:
                commands.append(command["command"])
    client.close()


@pytest.mark.long
def test_an_article_page_costs_no_redis_round_trip_of_its_own_to_forget_its_alias(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    # Before: every article page of a distributed run sent a DEL of <prefix>:alias:<id> after the script that
    # forgets its gone record: one round trip more per article (of about 14), the reactor waiting on each.
    commands: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(redis_url, prefix, commands, stop), daemon=True)
    watcher.start()
    time.sleep(0.3)  # MONITOR in place before the worker starts
    with LoopbackSite(articles=30, seed=21) as site:
        values = {**FAST, "BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix,
                  "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "1"}
        command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
        for setting, value in values.items():
            command += ["-s", f"{setting}={value}"]
        result = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
        pages = site.article_requests()
        asked = set(site._article_counts)
    stop.set()
    client = redis.Redis.from_url(redis_url)
    client.exists(f"{prefix}:watch-ends")  # the command that lets the watcher see it is to stop
    client.close()
    watcher.join(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    assert pages > 10
    alias_deletes = [c for c in commands if c.startswith(f"DEL {prefix}:alias:")]
    assert alias_deletes == [], f"{len(alias_deletes)} DELs of aliases for {pages} article pages"
    # The alias is still forgotten, in the script that forgets the gone record.
    forgotten = {c.split(f"{prefix}:alias:")[1] for c in commands if c.startswith("EVALSHA") and f" 2 {prefix}:gone:" in c and f"{prefix}:alias:" in c}
    assert forgotten == asked, (len(forgotten), len(asked))
