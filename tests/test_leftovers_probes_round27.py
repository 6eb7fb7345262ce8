"""Probes of round 27's leftovers: two runs of one spider in one second sharing the default feed's file, click ids
and `utm_` parameters written with percent-escapes, a Markdown link given as a story's address, the cron runs after
a Retry-After longer than a run waits, `scrapy list` and `version` with their output lost."""

from __future__ import annotations

import json
import re
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from datetime import datetime
from scrapy.settings import Settings

import crawler.incremental.lock as lock_module
from crawler.extraction.discovery import parse_sitemap
from crawler.extraction.urls import article_fetch_url, pasted_url, without_tracking
from crawler.feed_names import uri_params
from crawler.incremental.lock import run_lock
from crawler.incremental.sitewait import LONGEST_WAIT, SITE_WAIT_FILE, note_site_wait, site_wait_problem
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from crawler import stats as stat
from crawler.spiders.article import ArticleSpider, _given_urls
from tests.conftest import ROOT
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_identity_probes_round18 import _start_requests
from tests.test_spiders_unit import make_spider

STORY = "https://www.business-standard.com/india-news/india-us-defence-meet-124022800873_1.html"


def project_settings(state: Path) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(state))
    return settings


def default_feed_name(settings: Settings, spider: str) -> str:
    """The default feed's file as Scrapy names it when the feed opens (FEED_URI_PARAMS is the project's)."""
    return str(settings["BS_DEFAULT_FEED"]) % uri_params({"name": spider}, None)


def at_a_seconds_start() -> None:
    # Two runs in one second, as a script's loop or two crontab lines start them: the probe begins early in a second.
    fraction = time.time() % 1
    if fraction > 0.2:
        time.sleep(1.01 - fraction)


# --- Two runs of one spider in one second ----------------------------------------------------------------
# `%(time)s` is to the second, and the default feed appends: a `latest` run that began in the second the one
# before it ended appended its articles to that run's file (`output/latest/latest-<time>.jsonl`), two runs in
# one file, the second's own file never made.


def test_a_run_begun_in_the_second_the_run_before_ended_writes_a_file_of_its_own(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / ".state")
    at_a_seconds_start()
    names = []
    for _ in range(3):
        lock = run_lock(settings, "latest")  # as `crawl` takes it, before the run's feeds open
        assert lock.acquire()
        try:
            names.append(default_feed_name(settings, "latest"))
        finally:
            lock.release()
    assert len(set(names)) == 3, names
    assert names == sorted(names), names  # (and in the order of the runs)
    # The holder's PID is what another run's refusal names, as before.
    lock = run_lock(settings, "latest")
    assert lock.acquire()
    try:
        other = run_lock(settings, "latest")
        assert not other.acquire()
        assert other.holder() == str(os.getpid())
    finally:
        lock.release()


def test_runs_of_other_spiders_do_not_wait_for_each_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Their default files differ by the spider's name: a `section` run just after a `latest` one takes no pause.
    settings = project_settings(tmp_path / ".state")
    first = run_lock(settings, "latest")
    assert first.acquire()
    first.release()
    slept: list[float] = []
    monkeypatch.setattr(lock_module.time, "sleep", slept.append)
    second = run_lock(settings, "section")
    assert second.acquire()
    second.release()
    assert slept == []


@pytest.mark.parametrize("record", ["12345\n", "", "12345\nended nan\n", "12345\nended soon\n", "\x00\x00"],
                         ids=["killed-run", "empty", "nan", "no-number", "zeros"])
def test_a_lock_whose_last_holder_wrote_no_end_is_taken_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str) -> None:
    # A killed run (`kill -9`: the kernel let go of its lock) wrote no end, nor did a release of an older version.
    settings = project_settings(tmp_path / ".state")
    lock = run_lock(settings, "latest")
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text(record, encoding="utf-8")
    slept: list[float] = []
    monkeypatch.setattr(lock_module.time, "sleep", slept.append)
    assert lock.acquire()
    lock.release()
    assert slept == []


def test_a_clock_set_back_is_not_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The last run's end an hour ahead of the clock (NTP set it back): the run begins, not an hour later.
    settings = project_settings(tmp_path / ".state")
    lock = run_lock(settings, "latest")
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text(f"12345\nended {time.time() + 3600:.6f}\n", encoding="utf-8")
    slept: list[float] = []
    monkeypatch.setattr(lock_module.time, "sleep", slept.append)
    assert lock.acquire()
    lock.release()
    assert slept == []


def test_the_wait_ends_in_the_second_after_the_last_runs_end(monkeypatch: pytest.MonkeyPatch) -> None:
    # (A clock that moves only when slept on: the wait is over once it is past the second, however it slept.)
    now = [1_000_000.25]
    monkeypatch.setattr(lock_module.time, "time", lambda: now[0])

    def sleep(seconds: float) -> None:
        now[0] += seconds / 2  # woken early, as a signal wakes a sleep

    monkeypatch.setattr(lock_module.time, "sleep", sleep)
    lock_module._wait_past_second(1_000_000.75)
    assert math.floor(now[0]) == 1_000_001


# --- Tracking parameters written with percent-escapes --------------------------------------------------
# `?%66bclid=…` is `?fbclid=…` to the server, `?utm%5Fsource=` is `?utm_source=`: both stayed in the address
# fetched and in the item's `url` (a new address of the story for each click).

ESCAPED = {
    "?%66bclid=IwAR0x": "",
    "?utm%5Fsource=whatsapp&utm%5Fmedium=social": "",
    "?%75tm_campaign=x&page=2": "?page=2",
    "?%67%63%6c%69%64=abc": "",
    "?UTM%5FSOURCE=rss": "",
    "?%61mp=1": "",
    "?ref=home&%46BCLID=1": "?ref=home",
}


@pytest.mark.parametrize("query", list(ESCAPED))
def test_a_tracking_parameter_written_with_percent_escapes_leaves_the_address(query: str) -> None:
    assert article_fetch_url(STORY + query) == STORY + ESCAPED[query]
    assert without_tracking(STORY + query) == STORY + ESCAPED[query]


@pytest.mark.parametrize("query", ["?q=%20tata", "?name=%66bclid", "?x%3Dy=1"])
def test_other_escaped_parameters_stay(query: str) -> None:
    # Escapes in a value, or a name that is no tracking one: the address as written.
    assert article_fetch_url(STORY + query) == STORY + query


def test_a_sitemaps_link_with_an_escaped_click_id_is_the_storys_address() -> None:
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{STORY}?utm%5Fsource=sitemap</loc></url></urlset>"
    ).encode()
    urls = [entry.url for entry in parse_sitemap(sitemap, "https://www.business-standard.com/sitemap/latest-news-sitemap.xml").entries]
    assert urls == [STORY]


@pytest.mark.parametrize("urls", [f"{STORY}?%66bclid=2", f"{STORY}?utm%5Fsource=whatsapp,{STORY}?fbclid=1"])
def test_a_story_given_with_an_escaped_click_id_is_fetched_by_its_address(tmp_path: Path, urls: str) -> None:
    spider = make_spider(ArticleSpider, tmp_path, urls=urls)
    # (Before: fetched by the address as given, which became the item's `url`.)
    assert [request.url for request in _start_requests(spider)] == [STORY]


# --- A Markdown link given as the address ---------------------------------------------------------------
# `-a url='[India-US defence meet](https://www.business-standard.com/…_1.html)'`, copied from a note's source:
# read as `India-US defence meet](https://…`, an address that does not parse (exit 2).

MARKDOWN = [
    f"[India-US defence meet]({STORY})",
    f"  [India-US defence meet]({STORY}).",
    f'[India-US defence meet]({STORY} "Business Standard")',
    f"[India-US defence meet](<{STORY}>)",
    f"[India-US [2024] defence meet]({STORY})",
    f"[{STORY}]({STORY})",
]


@pytest.mark.parametrize("text", MARKDOWN)
def test_a_markdown_link_is_read_as_its_address(tmp_path: Path, text: str) -> None:
    assert pasted_url(text) == STORY
    ArticleSpider.check_usage({"url": text}, Settings({"BS_BASE_URL": "https://www.business-standard.com"}))  # (before: exit 2)
    assert _given_urls({"url": text}) == [STORY]
    spider = make_spider(ArticleSpider, tmp_path, url=text)
    assert [request.url for request in _start_requests(spider)] == [STORY]
    assert spider.crawler.stats.get_value(stat.ARGUMENT_URL_PASTED) == 1


def test_a_markdown_link_to_a_short_link_is_the_short_link() -> None:
    assert pasted_url("[Read](https://mybs.in/2cXyZ9)") == "https://mybs.in/2cXyZ9"


@pytest.mark.parametrize(("text", "read"), [
    ("[India-US defence meet]", "India-US defence meet"),
    (f"[note] see {STORY}", f"note] see {STORY}"),
    (f"({STORY}).", STORY),
    (f"[{STORY}]", STORY),
])
def test_text_that_is_no_markdown_link_is_read_as_before(text: str, read: str) -> None:
    assert pasted_url(text) == read


# --- A Retry-After longer than a run waits, and the cron runs after it --------------------------------
# The run closed (exit 4, "Retry-After asks for 3600 s, more than BS_RETRY_AFTER_MAX"), and the next cron
# run, 15 minutes later, asked the site again (robots.txt, the feeds, the articles): the same 429, exit 4,
# every run of the hour the site had asked to be left alone for.

# A port of the test's own when one is given (the loopback site's server), else one the system picks.
LOOPBACK_PORT = int(os.environ.get("BS_TEST_LOOPBACK_PORT", "0"))


def test_the_runs_after_a_long_retry_after_send_the_site_nothing_until_it_is_over(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=27, port=LOOPBACK_PORT) as site:
        settings = {"BS_BASE_URL": site.base_url}
        site.set_storm(429, "3600")
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == EXIT_BLOCKED and not first.items, first.log[-3000:]
        assert "Retry-After asks for 3600 s, more than BS_RETRY_AFTER_MAX (120 s)" in first.log
        kept = [line for line in first.log.splitlines() if "The next runs on this state dir send the site nothing before" in line]
        assert len(kept) == 1 and " WARNING: " in kept[0], kept
        noted = stats_from_log(first.log)[stat.RATE_LIMITED_NOT_BEFORE]
        assert 3500 < noted - time.time() <= 3600

        # The next cron run, within the hour: refused before it sends anything, in one line saying until when.
        site.reset_counts()
        second = crawl("latest", tmp_path, settings=settings)
        assert sum(site.counts.values()) == 0, site.counts  # (before: robots.txt, the feeds and articles asked, 429 again)
        assert second.status == EXIT_BLOCKED, second.log[-3000:]
        lines = second.log.strip().splitlines()
        host = site.base_url.split("://")[1]
        assert lines[-1].startswith("error: the site asks for nothing before "), lines[-1]
        assert f"{host} answered 429 with Retry-After: 3600 s at " in lines[-1] and "nothing was sent" in lines[-1], lines[-1]
        # Another spider on the same state dir waits too: the wait is the site's.
        third = crawl("section", tmp_path, "-a", "sections=markets/news", settings=settings)
        assert third.status == EXIT_BLOCKED and sum(site.counts.values()) == 0, third.log[-3000:]

        # The hour over (its moment put in the past, as the clock would), the site well again: the run goes on
        # and writes every article the first one did not.
        kept_file = tmp_path / ".state" / SITE_WAIT_FILE
        waits = json.loads(kept_file.read_text(encoding="utf-8"))
        waits[host]["until"] = time.time() - 1
        kept_file.write_text(json.dumps(waits), encoding="utf-8")
        site.set_storm(None)
        last = crawl("latest", tmp_path, settings=settings)
        assert last.status == EXIT_OK, last.log[-3000:]
        assert sorted(last.ids()) == sorted(record.article_id for record in site.articles), last.log[-3000:]


def test_a_wait_is_kept_for_its_host_at_most_a_day_and_a_damaged_file_waits_for_nothing(tmp_path: Path) -> None:
    settings = project_settings(tmp_path / ".state")
    settings.set("BS_BASE_URL", "https://www.business-standard.com")
    now = 1_800_000_000.0
    assert site_wait_problem(settings, now) is None
    note_site_wait(settings, "https://www.business-standard.com/rss/latest.rss", 10 * 365 * 86400, now)
    assert site_wait_problem(settings, now + LONGEST_WAIT - 60) is not None  # a year's Retry-After read as a day
    assert site_wait_problem(settings, now + LONGEST_WAIT) is None
    # The Hindi edition's host asked: the English site's runs go on.
    other = project_settings(tmp_path / "other")
    other.set("BS_BASE_URL", "https://www.business-standard.com")
    note_site_wait(other, "https://hindi.business-standard.com//storypage.php?autono=1", 3600, now)
    assert site_wait_problem(other, now) is None
    for damaged in ("{", "[]", '{"www.business-standard.com": {"until": "soon"}}', "\x00"):
        (tmp_path / ".state" / SITE_WAIT_FILE).write_text(damaged, encoding="utf-8")
        assert site_wait_problem(settings, now) is None


# --- `scrapy list` and `scrapy version` with their output lost --------------------------------------------
# `scrapy list > spiders.txt` on a full disk, or with stdout closed: exit 0 and nothing written, which a script
# (`for spider in $(scrapy list)`) read as no spider at all. `runs`, whose output is its work too, says so.

LOST = {"full": ">/dev/full", "closed": ">&-"}


def _scrapy_shell(workdir: Path, arguments: str, redirection: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run(["/bin/sh", "-c", f"{sys.executable} -m scrapy {arguments} {redirection}"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("lost", sorted(LOST))
@pytest.mark.parametrize(("arguments", "what"), [("list", "the spiders were listed"), ("version", "the versions were read"),
                                                 ("version -v", "the versions were read")])
def test_list_and_version_whose_output_is_lost_say_so_and_exit_1(tmp_path: Path, lost: str, arguments: str, what: str) -> None:
    done = _scrapy_shell(tmp_path, arguments, LOST[lost])
    assert done.returncode == 1, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"{what} but not shown" in lines[0], lines


def test_list_and_version_written_or_to_a_reader_gone_still_exit_0(tmp_path: Path) -> None:
    for arguments in ("list", "version"):
        done = _scrapy_shell(tmp_path, arguments, "")
        assert done.returncode == 0 and done.stdout.strip() and not done.stderr.strip(), done.stderr[-2000:]
    assert "latest" in _scrapy_shell(tmp_path, "list", "").stdout.split()
    # A reader that took what it wanted and left (`| head -1`): no loss to tell.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        done = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path, env=env, stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr[-2000:]


# --- A story whose sources disagree on when it was last updated, over three cron runs ----------------------
# The date agreement may pick the older date two of a page's sources still give (its "Last Updated" line and its
# Last-Modified) over its JSON-LD `dateModified` and the feeds' newer one: the story must not read as changed at
# every run after its update (fetched again and again, or written twice).


def test_a_story_whose_sources_disagree_on_its_update_is_fetched_and_written_once_per_update(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=2727, legacy=0, port=LOOPBACK_PORT) as site:
        settings = {"BS_BASE_URL": site.base_url}
        story = site.articles[-1].article_id
        site.set_fault(story, "dates-disagree")
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == EXIT_OK and story in first.ids(), first.log[-3000:]
        emitted = {story: 1}
        for run in range(2):
            site.modify(story)  # a paragraph added, its update an hour on: the page's line and header still say the first
            for _ in range(2):
                site.reset_counts()
                result = crawl("latest", tmp_path, settings=settings)
                assert result.status == EXIT_OK, result.log[-3000:]
                fetched = site.article_requests(story)
                if _ == 0:
                    # The update: fetched once and written once, as the next version.
                    assert fetched == 1 and [(i["articleId"], i["version"]) for i in result.items] == [(story, emitted[story] + 1)], (run, fetched, result.items)
                    emitted[story] += 1
                    # (The sources did disagree: the item's date is not the update's of the structured data.)
                    record = site.article(story)
                    shown = result.items[0]["dateModified"]
                    assert shown is not None and datetime.fromisoformat(shown) != record.modified, (shown, record.modified)
                    assert stats_from_log(result.log).get(stat.disagree("dateModified")) == 1, result.log[-2000:]
                else:
                    # The run after it: nothing new, nothing fetched.
                    assert fetched == 0 and result.items == [], (run, fetched, result.items, result.log[-2000:])


# --- 429s without Retry-After, one after another -------------------------------------------------------
# Each waited BS_RATE_LIMIT_WAIT, the same short wait every time, at a site whose limit had not lifted in the first.

WAITING = re.compile(r"Rate limited \(429\) at <[^>]+>: waiting ([\d.]+) s \(no Retry-After")


def test_waits_for_429s_without_retry_after_grow_at_each_one_in_a_row(tmp_path: Path) -> None:
    settings = {"BS_RATE_LIMIT_WAIT": "0.25", "BS_RATE_LIMIT_RETRIES": "3", "RETRY_TIMES": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    # (One story: each 429 is then the answer to the request asked after the wait before it, whatever the timing.)
    with LoopbackSite(articles=1, seed=2728, legacy=0, port=LOOPBACK_PORT) as site:
        url = site.articles[0].url
        site.set_storm(429, None)
        refused = crawl("article", tmp_path, "-a", f"url={url}", settings={"BS_BASE_URL": site.base_url, **settings})
        # The limit lifting after three answers: the waits grew, then the story is fetched.
        site.set_storm(429, None, answers=3)
        lifted = crawl("article", tmp_path, "-a", f"url={url}", settings={"BS_BASE_URL": site.base_url, **settings})
    assert refused.status == EXIT_BLOCKED and not refused.items, refused.log[-3000:]
    assert [float(wait) for wait in WAITING.findall(refused.log)] == [0.25, 0.5, 1.0], refused.log[-3000:]  # (before: 0.25 each)
    assert lifted.status == EXIT_OK and len(lifted.items) == 1, lifted.log[-3000:]
    assert [float(wait) for wait in WAITING.findall(lifted.log)] == [0.25, 0.5, 1.0], lifted.log[-3000:]


def test_a_429_without_retry_after_waits_no_longer_than_the_run_waits_at_most(tmp_path: Path) -> None:
    settings = {"BS_RATE_LIMIT_WAIT": "0.25", "BS_RATE_LIMIT_RETRIES": "4", "BS_RETRY_AFTER_MAX": "0.6", "RETRY_TIMES": "0",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    with LoopbackSite(articles=1, seed=2729, legacy=0, port=LOOPBACK_PORT) as site:
        site.set_storm(429, None)
        result = crawl("article", tmp_path, "-a", f"url={site.articles[0].url}", settings={"BS_BASE_URL": site.base_url, **settings})
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert [float(wait) for wait in WAITING.findall(result.log)] == [0.25, 0.5, 0.6, 0.6], result.log[-3000:]
    assert "still 429 after 4 waits" in result.log, result.log[-3000:]
