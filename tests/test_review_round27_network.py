"""A review of round 26's crawl-path changes and 429 gate: whole crawls against the loopback site, and the middlewares with real requests and answers."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request

from tests.conftest import ROOT
from tests.e2e import FAST, crawl
from tests.loopback.site import LoopbackSite
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)

# The project's own concurrency (the tests' FAST settings raise it to 16 a host).
CONCURRENCY = {"CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
# A log line's time as the clock's seconds, to set the site's requests against the moment the close began.
TIMED_LOG = "%(created).3f [%(name)s] %(levelname)s: %(message)s"


def test_a_closespider_limit_during_a_429_wait_sends_none_of_the_requests_waiting(tmp_path: Path) -> None:
    # CLOSESPIDER_TIMEOUT (a cron run's bound) while the site asks for 3 s between requests: the requests
    # waiting for the site are not sent, asked next run, as on SIGTERM. Before, only a close of our own
    # (stop_run) or a stopped crawler let them go unsent: Scrapy's CloseSpider closes the spider, whose
    # close waits for every request in the downloader, and the gate let them go one a wait: 16 more
    # requests to a site that had asked for none, the run 48 s past its limit (32 minutes with a
    # Retry-After of 120 s, BS_RETRY_AFTER_MAX).
    with LoopbackSite(articles=40, seed=27, port=16501) as site:
        site.set_storm(429, "3")
        urls = ",".join(record.url for record in site.articles[-40:])
        settings = {**CONCURRENCY, "BS_BASE_URL": site.base_url, "BS_RATE_LIMIT_RETRIES": "30", "CLOSESPIDER_TIMEOUT": "4", "LOG_FORMAT": TIMED_LOG}
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings=settings, timeout=150)
        # The site's request times are its monotonic clock's; the log's, the wall clock's.
        offset = time.time() - time.monotonic()
        times = [moment + offset for moment in site.article_times]
    closing = re.search(r"^(\d+\.\d+) \[scrapy\.core\.engine\] INFO: Closing spider \(closespider_timeout\)", result.log, re.MULTILINE)
    assert closing is not None and result.status == 0, result.log[-3000:]
    after = [moment for moment in times if moment > float(closing.group(1))]
    # The one already let go on to the site's slot goes a wait later; on Scrapy 2.13, also those the slot
    # queued before the first answer (CONCURRENT_REQUESTS less its per-host concurrency), a wait apart.
    assert len(after) <= 1 + 16 - 8, (len(after), len(times), result.log[-3000:])
    assert "Traceback" not in result.log and " ERROR: " not in result.log.split("Run summary")[0], result.log[-3000:]


def test_a_closespider_limit_during_a_pause_another_worker_shares_sends_nothing_after_it(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    # A distributed worker whose requests wait out a pause the site asked of another worker (a 429 with
    # Retry-After, shared through Redis) reaches its CLOSESPIDER_TIMEOUT: it closes then, its requests
    # unsent. Before, each waited out the rest of the pause (up to BS_RETRY_AFTER_MAX) and was sent as it
    # ended: robots.txt and the feeds asked 40 s past the run's 3 s limit.
    prefix = f"t{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    try:
        with LoopbackSite(articles=20, seed=27, port=16503) as site:
            pause = json.dumps({"worker": "w2", "reason": "429", "process": "another"})
            client.set(f"{prefix}:site:127.0.0.1:pause", pause, px=45_000)
            settings = {"BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "CLOSESPIDER_TIMEOUT": "3"}
            result = crawl("latest", tmp_path, settings=settings, timeout=150)
            asked = sum(site.counts.values())
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
    assert result.status == 0 and "'finish_reason': 'closespider_timeout'" in result.log, result.log[-3000:]
    assert "Holding requests to 127.0.0.1" in result.log and asked == 0, (asked, result.log[-3000:])
    assert "Traceback" not in result.log, result.log[-3000:]


def test_a_sigterm_during_a_pause_another_worker_shares_stops_the_worker_at_once(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    # The same pause, and cron's timeout (or scrapyd's cancel) sends SIGTERM: before, the worker went on
    # for the rest of the pause (38 s of 40) and then asked the site for robots.txt and its feeds.
    prefix = f"t{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    log = tmp_path / "log"
    try:
        with LoopbackSite(articles=20, seed=27, port=16504) as site:
            client.set(f"{prefix}:site:127.0.0.1:pause", json.dumps({"worker": "w2", "reason": "429", "process": "another"}), px=45_000)
            command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(tmp_path / "out.jsonl")]
            settings = {**FAST, "LOG_LEVEL": "INFO", "BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1"}
            for name, value in settings.items():
                command += ["-s", f"{name}={value}"]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
            with log.open("wb") as stderr:
                run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
                try:
                    deadline = time.monotonic() + 30
                    while "Holding requests to 127.0.0.1" not in log.read_text(errors="replace") and time.monotonic() < deadline and run.poll() is None:
                        time.sleep(0.05)
                    run.send_signal(signal.SIGTERM)
                    try:
                        status: int | None = run.wait(timeout=25)
                    except subprocess.TimeoutExpired:
                        status = None  # (well within the pause: on its way to its end, the worker had not closed)
                finally:
                    run.kill()
            asked = sum(site.counts.values())
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
    text = log.read_text(errors="replace")
    assert status is not None, f"still running 25 s after SIGTERM: {text[-3000:]}"
    assert "Holding requests to 127.0.0.1" in text and "finish=shutdown" in text and status != 0, text[-3000:]
    assert asked == 0 and "Traceback" not in text, (asked, text[-3000:])


@pytest.mark.parametrize("first", ["redirect", "retry"])
def test_a_robots_txt_asked_again_is_bounded_as_its_compressed_answer_decodes(first: str) -> None:
    # robots.txt redirected (http to https, www to another host) or retried (a 503), then answered gzipped:
    # the first answer, plain, let its download past the bound (its first part is read), and the request
    # asked again carried that along. Before, the gzipped answer was decoded whole: 48 kB to 50 MB here,
    # a gzip bomb's gigabytes in memory; the same answer asked first was decoded no further than the bound.
    from scrapy import Spider
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
    from scrapy.downloadermiddlewares.retry import RetryMiddleware
    from scrapy.http import Response, TextResponse
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import RobotsTxtFailureMiddleware, WholeStreamHttpCompressionMiddleware

    bound = 1_000_000
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True, "BS_BASE_URL": "http://127.0.0.1", "DOWNLOAD_MAXSIZE": str(bound)})
    crawler.spider = Spider.from_crawler(crawler, name="probe")
    robots = RobotsTxtFailureMiddleware.from_crawler(crawler)
    decoding = WholeStreamHttpCompressionMiddleware.from_crawler(crawler)
    asked = Request("http://127.0.0.1/robots.txt", meta={"dont_obey_robotstxt": True})
    robots.process_request(asked)
    if first == "redirect":
        answer = Response(asked.url, status=301, headers={"Location": "https://127.0.0.1/robots.txt"}, request=asked)
        robots.unbound_plain_robots_txt(answer.headers, asked)  # (headers_received, as the download sends it)
        again = _answered(RedirectMiddleware.from_crawler(crawler), asked, answer, crawler.spider)
    else:
        answer = Response(asked.url, status=503, body=b"<html>busy</html>", headers={"Content-Type": "text/html"}, request=asked)
        robots.unbound_plain_robots_txt(answer.headers, asked)
        again = _answered(RetryMiddleware.from_crawler(crawler), asked, answer, crawler.spider)
    assert isinstance(again, Request)
    robots.process_request(again)
    rules = b"User-agent: *\nDisallow: /content/\n" + b"# padding\n" * 5_000_000
    gzipped = TextResponse(again.url, body=gzip.compress(rules), headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"}, request=again)
    robots.unbound_plain_robots_txt(gzipped.headers, again)
    decoded = _answered(decoding, again, gzipped, crawler.spider)
    assert isinstance(decoded, Response) and len(decoded.body) <= bound + 1, len(decoded.body)
    read = robots.process_response(again, decoded)
    assert read.body.startswith(b"User-agent: *\nDisallow: /content/\n") and len(read.body) <= bound


def _answered(middleware: Any, request: Request, response: Any, spider: Any) -> Any:
    """The middleware's process_response: Scrapy 2.13 wants the spider, later versions deprecate passing it."""
    try:
        return middleware.process_response(request, response)
    except TypeError:
        return middleware.process_response(request, response, spider)
