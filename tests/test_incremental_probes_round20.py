"""Round 20 probes: a run over nothing new fetches nothing.

Users run ``latest`` from cron every few minutes; a run whose feeds, sitemaps and pages are as they
were must ask the site for no article page and no short link. Before these fixes three kinds of
link still cost a request at every such run:

* a feed item whose only address is a short link (``https://mybs.in/…``): the short link was asked
  for at every run, its story known only so, though that story was seen unchanged;
* a story merged into another (its address answers a 301 to the other article): only the article
  it led to was marked seen, so the old address was fetched at every run while the feeds listed it;
* a story the site removed (404, 410, 451), known so from two runs: still asked for at every run.

Each test runs ``scrapy crawl latest`` in a subprocess against the loopback site, over the same
state, and counts what the later runs asked the site for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler import stats as stat
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.loopback.site import Response as SiteResponse
from tests.test_discovery_probes_round14 import ChangedSite
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a Redis, or a skip with the reason)

# Sources whose every entry a small loopback site fills (its section feeds can be empty, an ERROR each).
SOURCES = {"BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news"}
# Ports this file's sites listen on (one per test at a time; two workers at most).
PORTS = range(16500, 16550)


def _site(cls: type[LoopbackSite] = LoopbackSite, **kwargs: Any) -> LoopbackSite:
    for port in PORTS:
        try:
            return cls(port=port, **kwargs)
        except OSError:
            continue
    raise RuntimeError("no free port in 16500-16549")


@pytest.fixture
def changed_site() -> Iterator[ChangedSite]:
    site = _site(ChangedSite, articles=8, seed=20, days=2, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        yield site
        assert site.errors == []


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with _site(articles=10, seed=20, days=2, legacy=0, slow_seconds=2) as running:
        yield running
        assert running.errors == []


def _latest(site: LoopbackSite, workdir: Path, **settings: str) -> CrawlResult:
    result = crawl("latest", workdir, settings={"BS_BASE_URL": site.base_url, **settings})
    assert "Traceback" not in result.log, result.log[-3000:]
    return result


# --- a short link met again ---------------------------------------------------------------------------


def _short_link_feed(site: ChangedSite, monkeypatch: pytest.MonkeyPatch, short_path: str, target: str | None) -> None:
    """The latest feed names its newest story by ``http://mybs.in<short_path>`` only; the short link
    redirects to ``target`` (None: it answers 404)."""
    record = sorted(site.articles, key=lambda r: r.published)[-1]
    short = "http://mybs.in" + short_path
    if target is None:
        site.change(short_path, lambda _s, _normal: SiteResponse(404, b"gone", "text/plain", ()))
    else:
        site.change(short_path, lambda _s, _normal: SiteResponse(301, b"", "text/plain", (("Location", target),)))
    site.change(
        "/rss/latest.rss",
        lambda _s, normal: normal._replace(body=normal.body.replace(f">{record.url}<".encode(), f">{short}<".encode())),
    )
    # mybs.in is the loopback site, reached as a proxy.
    monkeypatch.setenv("http_proxy", site.base_url)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def test_a_short_link_that_led_to_a_story_seen_unchanged_is_not_asked_for_again(
    changed_site: ChangedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = changed_site
    record = sorted(site.articles, key=lambda r: r.published)[-1]
    _short_link_feed(site, monkeypatch, "/r20Abc", record.url)
    settings = {"BS_LATEST_SOURCES": "/rss/latest.rss"}
    first = _latest(site, tmp_path, **settings)
    assert first.status == 0 and record.article_id in first.ids(), first.log[-3000:]
    assert site.counts["/r20Abc"] == 1
    for _ in range(2):
        site.reset_counts()
        again = _latest(site, tmp_path, **settings)
        assert again.status == 0 and again.items == [], again.log[-3000:]
        # Before: the short link was asked for at every run (1), its story then found unchanged.
        assert site.counts["/r20Abc"] == 0 and site.article_requests() == 0, (site.counts, again.log[-3000:])
        stats = stats_from_log(again.log)
        assert stats.get("bs/discovery/short_link_known") == 1, stats
    # The story changes: its feed date moves on, and the short link is asked for once more (the site
    # may have given its code to another story: tests/test_review_round20_aliases.py), the story
    # fetched by its own address, written once as its next version.
    site.modify(record.article_id)
    site.reset_counts()
    changed = _latest(site, tmp_path, **settings)
    assert changed.status == 0 and changed.ids() == [record.article_id], changed.log[-3000:]
    assert site.counts["/r20Abc"] == 1 and site.article_requests(record.article_id) == 1


def test_a_dead_short_link_is_asked_for_at_most_once_a_run(
    changed_site: ChangedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = changed_site
    _short_link_feed(site, monkeypatch, "/r20Dead", None)
    settings = {"BS_LATEST_SOURCES": "/rss/latest.rss"}
    for run in range(2):
        site.reset_counts()
        result = _latest(site, tmp_path, **settings)
        assert site.counts["/r20Dead"] == 1, (run, site.counts)
        assert "leads to no story" in result.log


# --- a story merged into another ----------------------------------------------------------------------


def test_a_story_merged_into_another_is_not_fetched_again_while_its_dates_stay(site: LoopbackSite, tmp_path: Path) -> None:
    first = _latest(site, tmp_path)
    assert first.status == 0, first.log[-3000:]
    older = [r.article_id for r in site.articles[:2]]
    merged = [r.article_id for r in site.add_articles(2)]
    for article_id, target in zip(merged, older):
        site.redirect_article(article_id, target)
    site.reset_counts()
    second = _latest(site, tmp_path)
    assert second.status == 0, second.log[-3000:]
    assert all(site.article_requests(article_id) == 1 for article_id in merged)
    for _ in range(2):
        site.reset_counts()
        again = _latest(site, tmp_path)
        assert again.status == 0 and again.items == [], again.log[-3000:]
        # Before: each merged story's address was fetched at every run (2 requests a run).
        assert site.article_requests() == 0, (site.counts, again.log[-3000:])
        stats = stats_from_log(again.log)
        assert stats.get("bs/discovery/redirect_known") == 2, stats
    # A merged story whose feed date moves on is asked for again (it may be a story of its own now).
    site.modify(merged[0])
    site.reset_counts()
    moved = _latest(site, tmp_path)
    assert moved.status == 0, moved.log[-3000:]
    assert site.article_requests(merged[0]) == 1 and site.article_requests(merged[1]) == 0


# --- a story the site removed -------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["404", "410"])
def test_a_story_known_removed_is_not_asked_for_again_while_its_dates_stay(site: LoopbackSite, tmp_path: Path, answer: str) -> None:
    removed = sorted(site.articles, key=lambda r: r.published)[-1].article_id
    site.set_fault(removed, answer)
    results = [_latest(site, tmp_path) for _ in range(2)]
    assert stats_from_log(results[1].log).get(stat.GONE_AGAIN) == 1, results[1].log[-3000:]
    for _ in range(2):
        site.reset_counts()
        again = _latest(site, tmp_path)
        assert again.status == 0 and again.items == [], again.log[-3000:]
        # Before: asked for at every run while the feeds listed it.
        assert site.article_requests() == 0, (site.counts, again.log[-3000:])
        assert stats_from_log(again.log).get("bs/gone/known") == 1
    # Put back, with a new date in the feeds: read.
    site.set_fault(removed, None)
    site.modify(removed)
    site.reset_counts()
    back = _latest(site, tmp_path)
    assert back.status == 0 and back.ids() == [removed], back.log[-3000:]


# --- the stores' memory of aliases --------------------------------------------------------------------


def check_alias_memory(one: Any, other: Any) -> None:
    """``one`` and ``other`` are two handles on the same store (two runs, or two workers)."""
    short = "//mybs.in/r20Abc"
    assert one.alias(short) is None
    one.remember_alias(short, "https://www.business-standard.com/markets/news/x-124112500001_1.html", "2024-11-25T10:00:00+05:30")
    found = other.alias(short)
    assert found is not None and found.target.endswith("124112500001_1.html") and found.source_date == "2024-11-25T10:00:00+05:30"
    assert found.misses == 0
    # A short link that led nowhere: a miss in a row more at each run.
    dead = "//mybs.in/r20Dead"
    assert [other.remember_alias(dead, "", None).misses for _ in range(3)] == [1, 2, 3]
    assert one.alias(dead) is not None and one.alias(dead).misses == 3 and one.alias(dead).source_date is None  # type: ignore[union-attr]
    assert one.remember_alias(dead, "https://www.business-standard.com/a-124112500002_1.html", None).misses == 0
    assert other.remember_alias(dead, "", None).misses == 1, "a miss after a story starts afresh"
    # A merged story, forgotten when its address answers a page of its own.
    one.remember_alias("124112500003", "124112500001", None)
    assert other.alias("124112500003") is not None
    other.forget_alias("124112500003")
    other.forget_alias("124112500004")  # (none: nothing)
    assert one.alias("124112500003") is None


def test_the_sqlite_store_remembers_aliases(tmp_path: Path) -> None:
    from crawler.incremental.store import SqliteSeenStore

    one, other = SqliteSeenStore(tmp_path / "seen.sqlite3"), SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        check_alias_memory(one, other)
        assert one.count() == 0, "an alias is no seen article"
    finally:
        one.close()
        other.close()


def test_an_alias_past_its_keep_is_not_trusted_and_is_pruned(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from crawler.incremental.store import ALIAS_KEEP_DAYS, SqliteSeenStore

    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        store.remember_alias("//mybs.in/old", "https://www.business-standard.com/a-124112500001_1.html", None)
        old = (datetime.now(timezone.utc) - timedelta(days=ALIAS_KEEP_DAYS, hours=1)).replace(microsecond=0).isoformat()
        store.db.execute("UPDATE aliases SET recorded_at = ?", (old,))
        assert store.alias("//mybs.in/old") is None
    finally:
        store.close()
    later = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        later.remember_alias("//mybs.in/new", "", None)
        assert [row[0] for row in later.db.execute("SELECT key FROM aliases")] == ["//mybs.in/new"]
    finally:
        later.close()


def test_the_redis_store_remembers_aliases(redis_url: str, prefix: str) -> None:  # noqa: F811
    import redis

    from crawler.distributed.store import RedisSeenStore

    one = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w1")
    other = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w2")
    try:
        check_alias_memory(one, other)
        ttl = redis.Redis.from_url(redis_url).ttl(f"{prefix}:alias://mybs.in/r20Abc")
        assert 0 < ttl <= 30 * 86400
    finally:
        one.close()
        other.close()


def test_a_store_of_schema_2_is_upgraded_keeping_its_articles_and_gone_records(tmp_path: Path) -> None:
    import sqlite3

    from crawler.incremental.store import SCHEMA_VERSION, SqliteSeenStore
    from tests.test_removed_stories import V1_SCHEMA

    path = tmp_path / "seen.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA.replace("user_version = 1", "user_version = 2"))
    db.execute("CREATE TABLE gone (article_id TEXT PRIMARY KEY, answer TEXT NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL, run_id TEXT NOT NULL)")
    db.execute("INSERT INTO seen VALUES ('124112500001', 2, 'h', NULL, '2024-11-25T10:00:00+05:30')")
    db.execute("INSERT INTO gone VALUES ('124112500002', 'http-404', '2024-11-25T00:00:00+00:00', '2024-11-25T00:00:00+00:00', 'latest:a')")
    db.commit()
    db.close()
    SqliteSeenStore.check(Settings({"BS_STATE_DIR": str(tmp_path)}))
    store = SqliteSeenStore(path)
    try:
        assert store.get("124112500001") is not None and store.gone("124112500002") is not None
        store.remember_alias("124112500003", "124112500001", None)
        assert store.alias("124112500003") is not None
    finally:
        store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    db.close()


# --- other addresses of one story (checked: no request, before and after) ----------------------------


def test_a_feed_giving_stories_by_their_other_addresses_costs_no_request_the_run_after(changed_site: ChangedSite, tmp_path: Path) -> None:
    """A story listed by its AMP address, with a tracking query, with the AMP switch or under a second
    slug: one story, fetched once, and not again by a run over the same feed."""
    site = changed_site
    records = sorted(site.articles, key=lambda r: r.published)[-4:]
    forms = [
        site.base_url + "/amp" + records[0].path,
        records[1].url + "?utm_source=rss&utm_medium=feed",
        records[2].url + "?amp=1",
        records[3].url.replace(records[3].slug, "an-older-slug"),
    ]

    def relink(_site: LoopbackSite, normal: SiteResponse) -> SiteResponse:
        body = normal.body
        for record, form in zip(records, forms):
            body = body.replace(f">{record.url}<".encode(), f">{form}<".encode().replace(b"&", b"&amp;"))
        return normal._replace(body=body)

    site.change("/rss/latest.rss", relink)
    settings = {"BS_LATEST_SOURCES": "/rss/latest.rss"}
    first = _latest(site, tmp_path, **settings)
    assert first.status == 0 and {r.article_id for r in records} <= set(first.ids()), first.log[-3000:]
    site.reset_counts()
    again = _latest(site, tmp_path, **settings)
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert site.article_requests() == 0, (site.counts, again.log[-3000:])


# --- a page of another kind at a story's address -----------------------------------------------------


class VideoSite(ChangedSite):
    """The loopback site where the articles of ``videos`` answer a video's page (a recording the site
    published under an article-like address)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.videos: set[str] = set()

    def article_response(self, record: Any, form: str, variant: str = "") -> SiteResponse:
        if record.article_id not in self.videos:
            return super().article_response(record, form, variant)
        from tests.loopback.pages import render_video

        body = render_video(record.headline, record.path, "A recording.", record.published, self.base_url)
        return SiteResponse(200, body.encode(), "text/html; charset=utf-8", ())


def test_a_video_at_a_story_address_is_not_fetched_again_while_its_dates_stay(tmp_path: Path) -> None:
    site = _site(VideoSite, articles=8, seed=20, days=2, legacy=0, slow_seconds=2)
    assert isinstance(site, VideoSite)
    with site:
        video = sorted(site.articles, key=lambda r: r.published)[-1].article_id
        site.videos.add(video)
        first = _latest(site, tmp_path, **SOURCES)
        assert first.status == 0 and video not in first.ids(), first.log[-3000:]
        assert stats_from_log(first.log).get(stat.skipped("video")) == 1, first.log[-3000:]
        for _ in range(2):
            site.reset_counts()
            again = _latest(site, tmp_path, **SOURCES)
            assert again.status == 0 and again.items == [], again.log[-3000:]
            # Before: fetched at every run, to be skipped as a video again.
            assert site.article_requests() == 0, (site.counts, again.log[-3000:])
            assert stats_from_log(again.log).get("bs/discovery/not_article_known") == 1
        # Its date moves on (a story in its place now): fetched and written.
        site.videos.clear()
        site.modify(video)
        site.reset_counts()
        back = _latest(site, tmp_path, **SOURCES)
        assert back.status == 0 and back.ids() == [video], back.log[-3000:]
        assert site.errors == []


# --- a short link that leads nowhere, run after run ---------------------------------------------------


@pytest.mark.parametrize(("misses", "hours_ago", "asked"), [(2, 0, True), (3, 0, False), (3, 2, True), (5, 3, False), (5, 5, True), (12, 23, False), (12, 25, True)])
def test_a_short_link_dead_in_runs_in_a_row_is_asked_for_less_often(tmp_path: Path, misses: int, hours_ago: int, asked: bool) -> None:
    from datetime import datetime, timedelta, timezone

    from crawler.extraction.urls import short_link_key
    from crawler.incremental.extension import seen_store_extension
    from crawler.spiders.latest import LatestSpider
    from tests.test_feed_probes_round19 import FEED, SHORT, _feed, _read
    from tests.test_spiders_unit import make_spider

    spider = make_spider(LatestSpider, tmp_path)
    extension = seen_store_extension(spider.crawler)
    assert extension is not None and extension.store is not None
    for _ in range(misses):
        extension.remember_alias(short_link_key(SHORT), "", None)
    then = (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).replace(microsecond=0).isoformat()
    extension.store.db.execute("UPDATE aliases SET recorded_at = ?", (then,))  # type: ignore[attr-defined]
    requests = _read(spider, FEED, _feed(SHORT, SHORT))
    assert [r.url for r in requests] == ([SHORT] if asked else [])
    backed_off = spider.crawler.stats.get_value(stat.DISCOVERY_SHORT_LINK_BACKED_OFF)
    assert backed_off == (None if asked else 1), "counted once a run"
