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

from crawler import stats as stat
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.loopback.site import Response as SiteResponse
from tests.test_discovery_probes_round14 import ChangedSite

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
    # The story changes: its feed date moves on, and the story is fetched by its own address (the
    # short link's target is known), written once as its next version.
    site.modify(record.article_id)
    site.reset_counts()
    changed = _latest(site, tmp_path, **settings)
    assert changed.status == 0 and changed.ids() == [record.article_id], changed.log[-3000:]
    assert site.counts["/r20Abc"] == 0 and site.article_requests(record.article_id) == 1


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
