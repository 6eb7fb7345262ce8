"""Review of round 21's shared politeness for distributed workers: whether a shared pause or budget can outlive
its reason and stall later runs, whether its keys stay under the prefix, what a single worker still does alone,
and what a worker that loses Redis mid-run says and exits with."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from twisted.internet.defer import CancelledError, Deferred

from crawler.distributed import politeness
from crawler.distributed.politeness import SiteBudgetMiddleware
from crawler.middlewares import RobotsTxtFailureMiddleware, crawl_delay_read, site_asked_to_wait
from crawler.monitoring.verdict import EXIT_REDIS
from crawler.spiders.latest import LatestSpider
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite, Response
from tests.test_redis import SERVICE, free_port
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)

SITE = "https://www.business-standard.com"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def _middleware(redis_url: str, prefix: str, name: str = "w1", **settings: str) -> Any:  # noqa: F811
    crawler = get_crawler(LatestSpider, {"BS_BASE_URL": SITE, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": name, "BS_REDIS_TIMEOUT": "0.5", **settings})
    middleware = SiteBudgetMiddleware.from_crawler(crawler)
    middleware.crawler = crawler
    return middleware


def _prefix(redis_url: str) -> Iterator[str]:  # noqa: F811
    """A key prefix of the test's own; its keys are deleted afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


prefix = pytest.fixture(_prefix, name="prefix")
other_prefix = pytest.fixture(_prefix, name="other_prefix")


def _ask(middleware: Any, url: str) -> tuple[bool, Deferred[Any]]:
    """Send a request through the middleware: whether it passed at once (no wait, which needs the reactor), and
    its Deferred (cancelled by the caller when it waits, so no timer is left behind)."""
    done: list[Any] = []
    deferred = Deferred.fromCoroutine(middleware.process_request(Request(url)))
    deferred.addBoth(done.append)
    return done == [None], deferred


def _cancel(deferred: Deferred[Any]) -> None:
    deferred.addErrback(lambda failure: failure.trap(CancelledError))
    deferred.cancel()


# --- a budget or a pause outliving its reason ---------------------------------------------------------


def test_the_spacing_of_a_worker_that_died_lapses_with_its_budget(redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # Before: the shared "next free moment" was written as now + the strictest interval, and outlived the
    # budget that set it. A worker started with BS_SITE_MAX_RATE=0.001 (meant 1) made one request and was
    # killed; the budget it set lapsed (README: 60 s after its last request), yet every worker after it with a
    # rate of its own (or a robots.txt Crawl-delay) waited out the dead worker's 1000 s.
    monkeypatch.setattr(politeness, "BUDGET_KEEP_MS", 200)  # the 60 s, made short
    slow = _middleware(redis_url, prefix, "w1", BS_SITE_MAX_RATE="0.001")
    passed, _ = _ask(slow, f"{SITE}/a-1.html")
    assert passed
    # While it lives, its budget holds the others to it.
    other = _middleware(redis_url, prefix, "w2", BS_SITE_MAX_RATE="2")
    passed, waiting = _ask(other, f"{SITE}/a-2.html")
    assert not passed
    _cancel(waiting)
    time.sleep(0.6)  # the slow worker is gone: its budget lapses
    later = _middleware(redis_url, prefix, "w3", BS_SITE_MAX_RATE="2")
    passed, waiting = _ask(later, f"{SITE}/a-3.html")
    if not passed:
        _cancel(waiting)
    assert passed, "a worker started after the budget lapsed waited out the dead worker's spacing"
    # Its own spacing still holds: the next request waits half a second.
    passed, waiting = _ask(later, f"{SITE}/a-4.html")
    if not passed:
        _cancel(waiting)
    assert not passed


def test_a_worker_restarted_under_its_name_says_why_it_waits_out_the_pause_its_killed_run_shared(
    redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    # Before: a pause was taken as "this worker's own" by its name, so the worker restarted after kill -9 under
    # the same BS_WORKER_NAME held every request for the rest of the wait (up to BS_RETRY_AFTER_MAX) without a
    # line or a stat: a worker that started and then said nothing for two minutes.
    killed = _middleware(redis_url, prefix, "w1")
    killed.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=30.0, reason="429")
    restarted = _middleware(redis_url, prefix, "w1")
    with caplog.at_level(logging.INFO, logger="crawler.distributed.politeness"):
        passed, waiting = _ask(restarted, f"{SITE}/a-1.html")
    _cancel(waiting)
    assert not passed  # the site's wait is kept: it asked this worker's run, and the host is the same
    told = [r.getMessage() for r in caplog.records if "the site asked worker" in r.getMessage()]
    assert len(told) == 1 and "worker w1 to wait (429 with Retry-After)" in told[0], told


def test_a_shared_pause_is_a_redis_time_to_live_no_longer_than_the_wait_that_was_kept(redis_url: str, prefix: str) -> None:  # noqa: F811
    # Pinned: the pause is a TTL counted by Redis (no host's clock in it, so no skew), as long as the wait the
    # worker keeps (BS_RETRY_AFTER_MAX bounds that: a longer Retry-After ends the run and is never shared).
    worker = _middleware(redis_url, prefix, "w1")
    worker.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=2.5, reason="503")
    client = redis.Redis.from_url(redis_url)
    try:
        pause = f"{prefix}:site:www.business-standard.com:pause"
        assert 2000 < client.pttl(pause) <= 2500
        value = json.loads(client.get(pause))
        assert not any(isinstance(part, (int, float)) for part in value.values()), value  # no moment in it
    finally:
        client.close()


# --- keys, and the run that is not distributed --------------------------------------------------------


def test_the_shared_politeness_keys_are_the_prefixs_and_another_prefix_is_not_held(redis_url: str, prefix: str, other_prefix: str) -> None:  # noqa: F811
    # A database no other test writes to: in CI every test process shares one Redis, and the keys the other
    # processes' tests write meanwhile (under their own prefixes) must not count as this test's.
    own_url = redis_url.rsplit("/", 1)[0] + "/11"
    client = redis.Redis.from_url(own_url)
    before = set(client.scan_iter(match="*"))
    try:
        one = _middleware(own_url, prefix, "w1", BS_SITE_MAX_CONCURRENCY="1", BS_SITE_MAX_RATE="0.5")
        one.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=30.0, reason="429")
        passed, waiting = _ask(_middleware(own_url, prefix, "w2"), f"{SITE}/a-1.html")
        _cancel(waiting)
        assert not passed
        # Another project on the same Redis (its own BS_REDIS_PREFIX) is held by none of it.
        stranger = _middleware(own_url, other_prefix, "w1")
        for number in range(3):
            passed, waiting = _ask(stranger, f"{SITE}/b-{number}.html")
            assert passed
            stranger.process_response(Request(f"{SITE}/b-{number}.html"), None)
        written = {key.decode() for key in set(client.scan_iter(match="*")) - before}
        assert f"{prefix}:site:www.business-standard.com:pause" in written
        assert all(key.startswith((f"{prefix}:", f"{other_prefix}:")) for key in written), written
    finally:
        for name in (prefix, other_prefix):
            keys = list(client.scan_iter(match=f"{name}:*"))
            if keys:
                client.delete(*keys)
        client.close()


def test_without_redis_the_crawl_delay_is_held_by_the_workers_own_slot() -> None:
    # Pinned: a run that is not distributed has no shared politeness, and robots.txt's Crawl-delay is its own
    # download slot's, as before round 21.
    crawler = get_crawler(LatestSpider, {"BS_BASE_URL": SITE, "ROBOTSTXT_OBEY": True})
    with pytest.raises(NotConfigured):
        SiteBudgetMiddleware.from_crawler(crawler)
    assert crawler.signals.send_catch_log(signal=crawl_delay_read, host="www.business-standard.com", delay=2.0) == []
    robots = RobotsTxtFailureMiddleware.from_crawler(crawler)
    from types import SimpleNamespace

    robots.crawler = SimpleNamespace(engine=None, signals=crawler.signals, settings=crawler.settings)  # no crawl started
    from scrapy.http import TextResponse

    answer = TextResponse(f"{SITE}/robots.txt", body=b"User-agent: *\nCrawl-delay: 2\n", encoding="utf-8")
    robots.process_response(Request(f"{SITE}/robots.txt", meta={"dont_obey_robotstxt": True}), answer)
    assert robots.crawl_delays == {"www.business-standard.com": 2.0}


def test_a_distributed_worker_leaves_another_hosts_crawl_delay_to_its_own_slot(redis_url: str, prefix: str) -> None:  # noqa: F811
    worker = _middleware(redis_url, prefix, "w1")
    answers = worker.crawler.signals.send_catch_log(signal=crawl_delay_read, host="cdn.example.org", delay=2.0)
    assert [answer for _, answer in answers] == [False]
    answers = worker.crawler.signals.send_catch_log(signal=crawl_delay_read, host="www.business-standard.com", delay=2.0)
    assert [answer for _, answer in answers] == [True] and worker.interval_ms == 2000


# --- Redis lost mid-run -------------------------------------------------------------------------------


class SlowSite(LoopbackSite):
    """Every article answer takes a moment, so that the crawl is still asking the site when Redis goes."""

    def article_response(self, *args: Any, **kwargs: Any) -> Response:
        time.sleep(0.1)
        return super().article_response(*args, **kwargs)


@pytest.mark.long
def test_a_worker_that_loses_redis_mid_run_says_so_once_and_exits_8(tmp_path: Path) -> None:
    port = int(os.environ.get("BS_TEST_SPARE_PORT") or free_port())
    env = {**os.environ, "REDIS_RUN_DIR": str(tmp_path / "redis")}
    started = subprocess.run([str(SERVICE / "start.sh"), str(port)], env=env, capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        pytest.skip(f"no Redis of this test's own: {started.stderr.strip()[-300:]}")
    url = started.stdout.strip()
    process = None
    try:
        with SlowSite(articles=200, seed=21) as site:
            values = {**FAST, "CONCURRENT_REQUESTS": "2", "BS_BASE_URL": site.base_url, "REDIS_URL": url, "BS_WORKER_NAME": "w1",
                      "BS_REDIS_TIMEOUT": "1", "BS_REDIS_IDLE_SECONDS": "3", "BS_SITE_MAX_RATE": "50"}
            command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
            for setting, value in values.items():
                command += ["-s", f"{setting}={value}"]
            log_path = tmp_path / "log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(command, cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
                deadline = time.monotonic() + 120
                while site.article_requests() < 10 and time.monotonic() < deadline and process.poll() is None:
                    time.sleep(0.05)
                assert site.article_requests() >= 10, log_path.read_text(errors="replace")[-3000:]
                subprocess.run([str(SERVICE / "stop.sh"), str(port)], env=env, capture_output=True, timeout=60)
                status = process.wait(timeout=180)
            text = log_path.read_text(errors="replace")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        subprocess.run([str(SERVICE / "stop.sh"), str(port)], env=env, capture_output=True, timeout=60)
    assert status == EXIT_REDIS, text[-3000:]
    assert text.count("Politeness shared with the other workers is off") <= 1, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


# --- the cost of the check when nothing is held ---------------------------------------------------------


def _counting(middleware: Any) -> list[int]:
    calls: list[int] = []
    script = middleware.acquire_script

    def counted(**kwargs: Any) -> Any:
        calls.append(1)
        return script(**kwargs)

    middleware.acquire_script = counted
    return calls


def test_while_nothing_is_held_a_worker_asks_redis_at_most_every_quarter_second_not_before_each_request(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    # Before: every request to the site of every distributed run was one Redis round trip (the reactor waiting
    # on it), for what is most often nothing: a `latest` worker of 100 article pages sent 553 EVALSHAs, 445 now.
    monkeypatch.setattr(politeness, "FREE_SECONDS", 0.3)
    worker = _middleware(redis_url, prefix, "w1")
    calls = _counting(worker)
    for number in range(5):
        passed, _ = _ask(worker, f"{SITE}/a-{number}.html")
        assert passed
    assert len(calls) == 1
    # A wait another worker is asked for is kept from the next check on.
    other = _middleware(redis_url, prefix, "w2")
    other.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=30.0, reason="429")
    time.sleep(0.4)
    passed, waiting = _ask(worker, f"{SITE}/b.html")
    _cancel(waiting)
    assert not passed and len(calls) == 2


def test_a_worker_with_a_budget_or_a_crawl_delay_asks_redis_before_each_request(redis_url: str, prefix: str, other_prefix: str) -> None:  # noqa: F811
    budget = _middleware(redis_url, prefix, "w1", BS_SITE_MAX_CONCURRENCY="4")
    calls = _counting(budget)
    for number in range(3):
        request = Request(f"{SITE}/a-{number}.html")
        done: list[Any] = []
        Deferred.fromCoroutine(budget.process_request(request)).addBoth(done.append)
        assert done == [None] and "bs_site_lease" in request.meta
        budget.process_response(request, None)
    assert len(calls) == 3
    # A worker that had nothing held reads robots.txt's Crawl-delay: its requests ask again at once, each.
    worker = _middleware(redis_url, other_prefix, "w1")
    calls = _counting(worker)
    assert _ask(worker, f"{SITE}/c-1.html")[0]
    worker.crawler.signals.send_catch_log(signal=crawl_delay_read, host="www.business-standard.com", delay=5.0)
    assert _ask(worker, f"{SITE}/c-2.html")[0] and len(calls) == 2
    passed, waiting = _ask(worker, f"{SITE}/c-3.html")
    _cancel(waiting)
    assert not passed and len(calls) == 3
