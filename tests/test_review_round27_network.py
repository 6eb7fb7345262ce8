"""A review of round 26's crawl-path changes and 429 gate: whole crawls against the loopback site, and the middlewares with real requests and answers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.e2e import crawl
from tests.loopback.site import LoopbackSite

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
