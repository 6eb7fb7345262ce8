"""Probes of backing off as one crawler: a rate limit of the whole site is waited out by its download slot, every request to it, not by each one in turn."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.conftest import ROOT
from tests.e2e import FAST, CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite

# The project's own concurrency (the tests' FAST settings raise it to 16 a host).
CONCURRENCY = {"CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


def _urls(site: LoopbackSite, n: int) -> str:
    return ",".join(record.url for record in site.articles[-n:])


@pytest.mark.parametrize(("status", "autothrottle"), [(429, "False"), (429, "True"), (503, "False")])
def test_a_storm_that_does_not_lift_is_asked_a_few_times_not_once_per_article(tmp_path: Path, status: int, autothrottle: str) -> None:
    # Before: each article answered 429 waited on its own while the others were sent, and each was asked
    # again after its wait: 96 requests to a site that had asked for none, for 40 articles. AutoThrottle
    # (on in the project's settings) must not shorten the wait.
    settings = {**CONCURRENCY, "BS_RATE_LIMIT_RETRIES": "2", "RETRY_TIMES": "0", "AUTOTHROTTLE_ENABLED": autothrottle}
    with LoopbackSite(articles=40, seed=26) as site:
        site.set_storm(status, "0.5")
        result = crawl("article", tmp_path, "-a", f"urls={_urls(site, 40)}", settings={"BS_BASE_URL": site.base_url, **settings})
        refused = site.storm_answers
        site.set_storm(None)
        again = crawl("article", tmp_path, "-a", f"urls={_urls(site, 40)}", settings={"BS_BASE_URL": site.base_url, **settings})
    if status == 429:
        # The requests on their way when the site first answered (at most CONCURRENT_REQUESTS: Scrapy 2.14
        # and later send a slot's whole queue at once), then one after each wait, which finds it still on;
        # none as the run closes (those waiting for the host are not sent).
        assert refused <= 16 + 2, refused
        assert result.status == EXIT_BLOCKED and not result.items, result.log[-3000:]
        errors = [line for line in result.log.splitlines() if " ERROR: " in line and "Run summary" not in line]
        assert len(errors) == 1 and "still 429 after 2 waits" in errors[0], errors
    else:
        # An outage past its bounds is retried as usual and failed, not a closed run (README): the site
        # down (BS_MAX_FAILURES_IN_A_ROW) closes it.
        assert not result.items and "Traceback" not in result.log, result.log[-3000:]
    waits = [line for line in result.log.splitlines() if "waiting 0.5 s (Retry-After)" in line]
    assert len(waits) == 2, waits
    assert again.status == EXIT_OK and len(again.items) == 40, again.log[-3000:]


@pytest.mark.parametrize("retry_after", ["0.5", "date"])
def test_a_site_that_recovers_mid_run_is_crawled_whole_at_its_normal_rate(tmp_path: Path, retry_after: str) -> None:
    # The limit lifts after 12 answers; every article is fetched once it has, none lost or twice, and the
    # run goes on with all of its connections (CONCURRENT_REQUESTS_PER_DOMAIN), not one at a time.
    with LoopbackSite(articles=40, seed=26) as site:
        when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=1), usegmt=True) if retry_after == "date" else retry_after
        site.set_storm(429, when, answers=12)
        # As many waits in a row as the storm has answers: how many requests were on their way as the first
        # came (16 on a quick machine, 2 on a loaded one) decides how many are asked one a wait.
        settings = {**CONCURRENCY, "BS_RATE_LIMIT_RETRIES": "12"}
        result = _crawl_or_fail(site, tmp_path, settings)
        refused = site.storm_answers
        fetched = site.article_requests()
    assert result.status == EXIT_OK and sorted(result.ids()) == sorted(r.article_id for r in site.articles[-40:]), result.log[-3000:]
    assert refused == 12 and fetched == 40 + 12, (refused, fetched)
    stats = stats_from_log(result.log)
    assert stats.get(stat.RATE_LIMITED) == 12 and stat.RATE_LIMITED_GAVE_UP not in stats, stats


def _crawl_or_fail(site: LoopbackSite, workdir: Path, settings: dict[str, str]) -> CrawlResult:
    """The crawl of the site's last 40 articles; one that does not end in 150 s (a few seconds' work) hung."""
    try:
        return crawl("article", workdir, "-a", f"urls={_urls(site, 40)}", settings={"BS_BASE_URL": site.base_url, **settings}, timeout=150)
    except subprocess.TimeoutExpired as hung:
        log = hung.stderr.decode(errors="replace") if isinstance(hung.stderr, bytes) else str(hung.stderr)
        pytest.fail(f"the crawl hung: {log[-3000:]}")


@pytest.mark.parametrize(
    ("status", "retry_after", "delay"),
    [(429, "0", "0"), (429, "past date", "0"), (503, "0", "0"), (429, "0", "0.2"), (429, "0.3", "0.2")],
)
def test_a_wait_that_ends_while_answers_are_due_never_hangs_the_run(tmp_path: Path, status: int, retry_after: str, delay: str) -> None:
    # Before: a wait over while requests to the host were still on their way (a Retry-After of 0, or a
    # date already past: a second's resolution; or the slot's DOWNLOAD_DELAY not yet run) chose a request
    # to send alone that the slot could not send then; the answers still due were taken for that wait's
    # and let be, and the host's slot stayed held with its requests queued: the run never ended, and
    # cron's next runs were refused by its lock.
    when = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=30), usegmt=True) if retry_after == "past date" else retry_after
    with LoopbackSite(articles=40, seed=26, slow_seconds=2.0) as site:
        for record in site.articles[-40:][::7]:
            site.set_fault(record.article_id, "slow")  # still on their way when the wait is over
        site.set_storm(status, when, answers=1)
        settings = {**CONCURRENCY, "BS_RATE_LIMIT_RETRIES": "5", "DOWNLOAD_DELAY": delay}
        result = _crawl_or_fail(site, tmp_path, settings)
        fetched = site.article_requests()
    assert result.status == EXIT_OK and sorted(result.ids()) == sorted(r.article_id for r in site.articles[-40:]), result.log[-3000:]
    assert fetched == 40 + 1, fetched


def test_the_wait_holds_every_request_to_the_site_and_its_pace_comes_back_after(tmp_path: Path) -> None:
    # As the project runs (AutoThrottle on, its delay 0.5 s at first: one request on its way at a time).
    # Before: the answered request waited 3 s, and the engine took no new ones, but the site's download
    # slot went on sending those it held, one each 0.5 s: the site was asked again within its wait.
    with LoopbackSite(articles=12, seed=26) as site:
        site.set_storm(429, "3", answers=1)
        settings = {**CONCURRENCY, "AUTOTHROTTLE_ENABLED": "True", "AUTOTHROTTLE_DEBUG": "True", "DOWNLOAD_DELAY": "0"}
        result = crawl("article", tmp_path, "-a", f"urls={_urls(site, 12)}", settings={"BS_BASE_URL": site.base_url, **settings}, timeout=150)
        times = list(site.article_times)
    assert result.status == EXIT_OK and sorted(result.ids()) == sorted(r.article_id for r in site.articles[-12:]), result.log[-3000:]
    assert len(times) == 12 + 1 and times[1] - times[0] >= 2.9, [round(t - times[0], 2) for t in times]
    # The slot's delay is put back once the site answers again, and AutoThrottle goes on from there.
    delays = [int(ms) for ms in re.findall(r"delay:\s*(\d+) ms", result.log)]
    assert delays and delays[-1] < 3000, delays


def test_a_stop_during_a_wait_sends_nothing_more_to_the_site_within_a_wait(tmp_path: Path) -> None:
    # SIGTERM (cron's timeout, scrapyd's cancel) while the site asks for 3 s between requests: the requests
    # waiting for it are not sent, asked next run; those already let go on to its slot (one, and on Scrapy
    # 2.13 those it queued before the first answer: CONCURRENT_REQUESTS less its per-host concurrency) go
    # a wait apart, as the site asked. (Queued in the slot, Scrapy's close sent every request that waited,
    # one a wait: a minute and more of requests after the run was told to stop.)
    with LoopbackSite(articles=40, seed=26) as site:
        site.set_storm(429, "3")
        command = [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"urls={_urls(site, 40)}", "-O", str(tmp_path / "out.jsonl")]
        for name, value in {**FAST, **CONCURRENCY, "BS_BASE_URL": site.base_url, "BS_RATE_LIMIT_RETRIES": "20"}.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            # Stopped once the requests on their way as the first 429 came are answered: the site quiet for 1 s.
            deadline, seen, quiet_since = time.monotonic() + 60, -1, time.monotonic()
            while time.monotonic() < deadline and (site.storm_answers == 0 or site.storm_answers != seen or time.monotonic() - quiet_since < 1):
                if site.storm_answers != seen:
                    seen, quiet_since = site.storm_answers, time.monotonic()
                time.sleep(0.05)
            told = len(site.article_times)
            run.send_signal(signal.SIGTERM)
            log = run.communicate(timeout=150)[1]
        finally:
            run.kill()
        times = list(site.article_times)
    after = times[told - 1 :]
    gaps = [round(later - earlier, 2) for earlier, later in zip(after, after[1:])]
    assert told and len(after) - 1 <= 1 + 16 - 8 and all(gap >= 2.8 for gap in gaps), (told, gaps, log[-3000:])
    assert run.returncode != 0 and "Traceback" not in log, log[-3000:]
