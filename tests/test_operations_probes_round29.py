"""Round 29 probes: operations left from round 28 (the seen-store under another writer, its protocol, feed paging's bound, `scrapy runs`' times, looks at pages)."""

from __future__ import annotations

import inspect
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import Request, XmlResponse
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.commands.crawl import setting_problem
from crawler.commands.runs import table
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.store import BUSY_TIMEOUT, MET_BATCH, SeenStore, SqliteSeenStore
from crawler.spiders.latest import LatestSpider
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite
from tests.test_spiders_unit import SITE, make_spider

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def _scrapy(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=ENV, capture_output=True, text=True, timeout=120)


# --- a batch of articles listed again, dated while another process writes the store -------------------------------

def _store_of(path: Path, ids: list[str]) -> SqliteSeenStore:
    """A store holding ``ids``, last met long ago."""
    store = SqliteSeenStore(path)
    store._with_stored_at()
    store.db.executemany(
        "INSERT INTO seen (article_id, version, content_hash, date_modified, source_date, stored_at) VALUES (?, 1, 'h', NULL, NULL, ?)",
        ((article_id, "2020-01-01T00:00:00+00:00") for article_id in ids),
    )
    return store


def _stored_at(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT article_id, stored_at FROM seen").fetchall())
    finally:
        db.close()


def test_a_batch_of_articles_listed_again_does_not_stall_the_crawl_behind_another_writer(tmp_path: Path) -> None:
    """Before: the look-up that filled a batch (MET_BATCH) waited for the write lock on the reactor's thread,
    up to the store's busy timeout (10 s) while another run on the state dir wrote: the whole crawl stood
    still, at every batch. Now the batch is tried briefly and kept for later; the run's end dates it."""
    path = tmp_path / "seen.sqlite3"
    ids = [f"1240228{n:05d}" for n in range(MET_BATCH + 10)]
    store = _store_of(path, ids)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another run's write, held
    try:
        started = time.monotonic()
        for article_id in ids:
            assert store.get(article_id) is not None
        waited = time.monotonic() - started
        # Not a speed bound: the wait it replaces is the busy timeout itself, slept by SQLite.
        assert waited < BUSY_TIMEOUT / 2, f"the look-ups waited {waited:.1f} s for another process's write lock"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert set(_stored_at(path).values()) == {"2020-01-01T00:00:00+00:00"}  # nothing dated yet...
    store.date_met()  # ... and the run's end dates every one: none lost
    store.close()
    assert "2020-01-01T00:00:00+00:00" not in _stored_at(path).values()


def test_a_batch_kept_for_later_is_written_with_a_later_batch_once_the_lock_is_free(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    ids = [f"1240228{n:05d}" for n in range(2 * MET_BATCH)]
    store = _store_of(path, ids)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    for article_id in ids[:MET_BATCH]:
        store.get(article_id)
    other.execute("ROLLBACK")
    other.close()
    for article_id in ids[MET_BATCH:]:
        store.get(article_id)
    # Both batches written mid-run, in one go, without waiting for the run's end.
    assert "2020-01-01T00:00:00+00:00" not in _stored_at(path).values()
    store.close()


# --- the seen-store protocol declares what the extension asks of every store -----------------------------------------

@pytest.mark.parametrize("method", ["date_met", "prune_seen"])
def test_the_seen_store_protocol_declares_the_methods_both_backends_have(method: str) -> None:
    """Before: the extension asked the store for them with getattr, so a new backend's misspelt or
    mistyped one was never called (articles still listed forgotten by the retention), and mypy said nothing."""
    declared = SeenStore.__dict__.get(method)
    assert declared is not None, f"SeenStore does not declare {method}"
    for backend in (SqliteSeenStore, RedisSeenStore):
        assert str(inspect.signature(getattr(backend, method))) == str(inspect.signature(declared))


# --- BS_FEED_MAX_PAGES -------------------------------------------------------------------------------------------

FEED = SITE + "/rss/latest.rss"
STORY = SITE + "/markets/news/sensex-ends-higher-124022800871_1.html"


def _rss(link: str, next_page: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Latest</title>'
        f'<atom:link rel="self" href="{FEED}"/><atom:link rel="next" href="{next_page}"/>'
        f"<item><title>A</title><link>{link}</link><pubDate>Wed, 28 Feb 2024 10:00:00 +0530</pubDate></item></channel></rss>"
    ).encode()


def test_bs_feed_max_pages_1_reads_the_first_page_of_each_feed_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Before: 1 (a feed's first page alone, as before paging was read) gave a WARNING and a page-limit stat
    for every feed at every run, as if a bound had cut a feed short."""
    spider = make_spider(LatestSpider, tmp_path)
    spider.feed_max_pages = 1
    requests = list(spider.parse_source(XmlResponse(FEED, body=_rss(STORY, FEED + "?page=2"), request=Request(FEED))))
    assert [r.url for r in requests] == [STORY]
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_FEED_PAGE_LIMIT)
    assert not [r for r in caplog.records if r.levelname == "WARNING"], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("value", ["0", "-1", "-5", "abc", "2.5"])
def test_a_bs_feed_max_pages_that_reads_no_page_is_refused(value: str) -> None:
    """Before: 0 was taken, and no feed's first page had its later pages read... with a WARNING for each
    feed saying it was read "0 pages deep" (every page the feed had moved its stories to, lost)."""
    settings = Settings({"BS_FEED_MAX_PAGES": value})
    problem = setting_problem("BS_FEED_MAX_PAGES", 10, settings)
    assert problem is not None and "BS_FEED_MAX_PAGES" in problem


def test_a_crawl_with_bs_feed_max_pages_0_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    with LoopbackSite(articles=4, seed=29) as site:
        done = _scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_FEED_MAX_PAGES=0")
        asked = sum(site.counts.values())
    assert done.returncode == 2, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "BS_FEED_MAX_PAGES" in errors[0] and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert asked == 0


# --- scrapy runs says which clock its times are on ---------------------------------------------------------------------

def test_scrapy_runs_names_the_zone_of_its_times() -> None:
    """Before: the column read `started` alone, its times UTC: read in IST beside a log's local times, a
    run at 05:30 IST showed as 00:00, and a user looking for the morning's run took it for last night's."""
    record = {"started": "2026-12-01T11:26:13+00:00", "spider": "latest", "status": 0, "status_words": "ok", "counts": {}}
    header = table([record]).splitlines()[0]
    assert header.split("  ")[0].strip() == "started (UTC)"


# --- a look at a page (parse, fetch, shell) ---------------------------------------------------------------------------

def _keep_wait(state: Path, host: str, seconds: float = 3600.0) -> float:
    now = time.time()
    state.mkdir(parents=True, exist_ok=True)
    (state / "site-wait.json").write_text(json.dumps({host: {"until": now + seconds, "asked": now, "seconds": seconds}}))
    return now + seconds


@pytest.mark.parametrize("command", ["fetch", "parse", "shell"])
def test_a_look_at_a_site_that_asked_to_wait_says_so(tmp_path: Path, command: str) -> None:
    """Before: a look sent its request to a site whose Retry-After the runs kept (site-wait.json) without a
    word: the cron runs were refused (exit 4) while the user, asking by hand, added to what the site counts."""
    with LoopbackSite(articles=4, seed=29) as site:
        story = site.base_url + site.articles[0].path
        until = _keep_wait(tmp_path / ".state", f"127.0.0.1:{site.port}")
        args = [command, story, "--nolog", "-s", f"BS_BASE_URL={site.base_url}"]
        if command == "shell":
            args += ["-c", "response.status"]
        done = _scrapy(tmp_path, *args)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    local = datetime.fromtimestamp(until).astimezone()
    assert len(warnings) == 1 and "Retry-After" in warnings[0] and f"{local:%Y-%m-%d %H:%M}" in warnings[0], done.stderr[-3000:]


@pytest.mark.parametrize("command", ["fetch", "parse"])
@pytest.mark.parametrize("cache_only", [False, True])
def test_a_look_sees_the_live_page_and_leaves_the_http_cache_alone(tmp_path: Path, command: str, cache_only: bool) -> None:
    """Before: with HTTPCACHE_ENABLED in the settings, a look stored the page it fetched in the cache that
    `reextract` reads as the page of the item emitted (a story's later text under its earlier version);
    with HTTPCACHE_IGNORE_MISSING (the cache-only setting), a look at a page not in it got no page at all."""
    cache = tmp_path / "httpcache"
    with LoopbackSite(articles=4, seed=29) as site:
        story = site.base_url + site.articles[0].path
        settings = ["-s", f"BS_BASE_URL={site.base_url}", "-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={cache}"]
        if cache_only:
            settings += ["-s", "HTTPCACHE_IGNORE_MISSING=1"]
        done = _scrapy(tmp_path, command, story, "--nolog", *settings)
        asked = site.article_requests(site.articles[0].article_id)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert ("</html>" if command == "fetch" else "'articleId'") in done.stdout, (done.stdout + done.stderr)[-3000:]
    assert asked == 1
    assert not [path for path in cache.rglob("*") if path.is_file()]
