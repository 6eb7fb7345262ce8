"""Round-27 review probes of the kept Retry-After (site-wait.json) and the waits that lead to it: clocks that disagree."""

from __future__ import annotations

import json
import os
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.incremental.sitewait import LONGEST_WAIT, SITE_WAIT_FILE, note_site_wait, site_wait_problem
from crawler.middlewares import RateLimitMiddleware, retry_after_seconds
from crawler.monitoring.verdict import EXIT_OK
from crawler.spiders.latest import LatestSpider
from tests.e2e import crawl
from tests.loopback.site import LoopbackSite

SITE = "https://www.business-standard.com"


def project_settings(state: Path) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(state))
    settings.set("BS_BASE_URL", SITE)
    return settings


# --- A clock set back after the wait was kept ------------------------------------------------------------
# A machine booted with its clock two days ahead (a dead RTC battery) met a Retry-After of an hour; NTP put the
# clock right minutes later. Every run after was refused for two days and an hour: the site had asked for one.

@pytest.mark.parametrize("ahead", [3600.0, 2 * 86400.0, 365 * 86400.0])
def test_a_wait_kept_by_a_clock_that_was_ahead_holds_no_run_back_once_it_is_set_right(tmp_path: Path, ahead: float) -> None:
    settings = project_settings(tmp_path / ".state")
    now = 1_800_000_000.0
    note_site_wait(settings, f"{SITE}/rss/latest.rss", 3600, now + ahead)
    assert site_wait_problem(settings, now) is None  # (before: refused until `ahead` + an hour from now)


def test_a_clock_set_back_by_a_few_seconds_still_waits_the_site_out(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / ".state")
    now = 1_800_000_000.0
    note_site_wait(settings, f"{SITE}/rss/latest.rss", 3600, now + 30)
    assert site_wait_problem(settings, now) is not None  # NTP's small steps are no reason to ask early
    assert site_wait_problem(settings, now + 3600 + 30) is None


@pytest.mark.parametrize("entry", [
    {"until": 1_800_000_000.0 + 400 * 86400, "asked": 1_800_000_000.0 - 60, "seconds": 3600},  # an edited moment
    {"until": 1_800_000_000.0 * 1000, "asked": 1_800_000_000.0 - 60, "seconds": 3600},  # milliseconds, by a script
])
def test_a_kept_moment_further_than_a_day_after_it_was_asked_holds_no_run_back(tmp_path: Path, entry: dict[str, float]) -> None:
    settings = project_settings(tmp_path / ".state")
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / SITE_WAIT_FILE).write_text(json.dumps({"www.business-standard.com": entry}), encoding="utf-8")
    # The file's own rule is a day at most: a moment beyond it is no wait the site asked (before: refused for years).
    assert site_wait_problem(settings, 1_800_000_000.0) is None


@pytest.mark.parametrize("until", ["1" + "0" * 400, "-" + "9" * 320])
def test_a_kept_moment_no_float_holds_is_no_wait_not_a_traceback(tmp_path: Path, until: str) -> None:
    # An integer of 310 or more digits is valid JSON, and math.isfinite() of it raised OverflowError: every
    # run's check before the crawl ended in a traceback until the file was removed.
    settings = project_settings(tmp_path / ".state")
    (tmp_path / ".state").mkdir()
    text = '{"www.business-standard.com": {"until": %s, "asked": 1800000000.0, "seconds": 3600}}' % until
    (tmp_path / ".state" / SITE_WAIT_FILE).write_text(text, encoding="utf-8")
    assert site_wait_problem(settings, 1_800_000_000.0) is None


def test_the_same_second_wait_ends_when_the_clock_is_stepped_back_while_it_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    # NTP steps the clock back an hour during the (sub-second) sleep: the loop then slept until the old
    # deadline, an hour, holding the spider's run lock.
    from crawler.incremental import lock as lock_module

    now = [1_000_000.25]
    slept: list[float] = []
    monkeypatch.setattr(lock_module.time, "time", lambda: now[0])

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        assert len(slept) < 5, f"still waiting after {sum(slept):.0f} s asked"  # (before: for ever, or for hours)
        now[0] -= 3600  # stepped back while asleep

    monkeypatch.setattr(lock_module.time, "sleep", sleep)
    lock_module._wait_past_second(1_000_000.75)
    assert slept == [0.75]


def test_a_wait_kept_as_written_still_holds_back_for_all_of_it(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / ".state")
    now = 1_800_000_000.0
    note_site_wait(settings, f"{SITE}/rss/latest.rss", 10 * 86400, now)
    for later in (0.0, 60.0, LONGEST_WAIT - 1):
        assert site_wait_problem(settings, now + later) is not None, later
    assert site_wait_problem(settings, now + LONGEST_WAIT) is None


# --- A Retry-After date read by a clock behind the site's ------------------------------------------------
# The site said "come back in a minute" as a date (Retry-After: <its Date + 60 s>); our clock two hours slow
# read it as two hours and a minute: more than BS_RETRY_AFTER_MAX, so the run closed (exit 4) and every run of
# the next two hours was refused.

def _answer(url: str, date: float, retry_after: float) -> Response:
    headers = {"Date": formatdate(date, usegmt=True), "Retry-After": formatdate(retry_after, usegmt=True)}
    return Response(url, status=429, headers=headers, request=Request(url))


# The project's defaults (get_crawler gives Scrapy's alone).
WAITS = {"BS_RETRY_AFTER_MAX": 120.0, "BS_RATE_LIMIT_RETRIES": 3, "BS_RATE_LIMIT_WAIT": 10.0}


def _middleware() -> RateLimitMiddleware:
    return RateLimitMiddleware.from_crawler(get_crawler(LatestSpider, {"BS_BASE_URL": SITE, **WAITS}))


@pytest.mark.parametrize("behind", [0.0, 7200.0, 86400.0])
def test_a_retry_after_date_is_read_against_the_sites_own_date(behind: float) -> None:
    middleware = _middleware()
    url = f"{SITE}/markets/news/a-story-126120500001_1.html"
    site_now = round(time.time()) + behind  # the site's clock; ours is `behind` seconds behind it
    again = middleware.process_response(Request(url), _answer(url, site_now, site_now + 60))
    assert isinstance(again, Request) and again.url == url  # waited out, asked again (before: closed, exit 4)
    assert not middleware.gave_up
    assert 50 <= middleware.stats.get_value("bs/rate_limited/waited_seconds") <= 61


def test_a_stale_date_header_does_not_lengthen_the_wait() -> None:
    # A Date an hour old (a proxy's copy): our clock, right, says a minute; the shorter of the two readings.
    middleware = _middleware()
    url = f"{SITE}/markets/news/a-story-126120500002_1.html"
    now = round(time.time())
    again = middleware.process_response(Request(url), _answer(url, now - 3600, now + 60))
    assert isinstance(again, Request) and not middleware.gave_up
    assert 50 <= middleware.stats.get_value("bs/rate_limited/waited_seconds") <= 61


def test_retry_after_in_seconds_and_dates_without_a_date_header_read_as_before() -> None:
    now = 1_800_000_000.0
    assert retry_after_seconds(b"120", now=now) == 120
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == 30
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0


# --- The same notes as a cron run meets them ---------------------------------------------------------------
# (A moment in milliseconds ended `crawl latest` in a traceback, "year 59009 is out of range", every run.)

LOOPBACK_PORT = int(os.environ.get("BS_TEST_LOOPBACK_PORT", "0"))


def test_a_run_after_an_edited_or_clock_ahead_note_goes_on_in_one_warning(tmp_path: Path) -> None:
    with LoopbackSite(articles=3, seed=2781, port=LOOPBACK_PORT) as site:
        host = site.base_url.split("://")[1]
        now = time.time()
        (tmp_path / ".state").mkdir()
        notes = {host: {"until": now * 1000, "asked": now - 60, "seconds": 3600}}
        (tmp_path / ".state" / SITE_WAIT_FILE).write_text(json.dumps(notes), encoding="utf-8")
        edited = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
        notes = {host: {"until": now + 2 * 86400 + 3600, "asked": now + 2 * 86400, "seconds": 3600}}
        (tmp_path / ".state" / SITE_WAIT_FILE).write_text(json.dumps(notes), encoding="utf-8")
        ahead = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    assert edited.status == EXIT_OK and "Traceback" not in edited.log, edited.log[-3000:]
    assert sorted(edited.ids()) == sorted(record.article_id for record in site.articles), edited.log[-3000:]
    assert ahead.status == EXIT_OK and "Traceback" not in ahead.log, ahead.log[-3000:]
    for result in (edited, ahead):
        said = [line for line in result.log.splitlines() if "Not waiting for the site's Retry-After kept in" in line]
        assert len(said) == 1 and " WARNING: " in said[0], said
