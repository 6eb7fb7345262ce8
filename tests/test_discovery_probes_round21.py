"""Round 21 probes: what a ``section`` walk reads when nothing changed.

A ``section`` walk reads the next listing page only while the page it read holds something new. A
link the seen-store knows holds nothing to fetch (a story merged into another, seen; an address that
answered a video, a web story or a listing; a story known removed) is as good as seen for that
decision, or every no-change cron run reads a page more than it needs, run after run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import stats as stat
from crawler.incremental.extension import seen_store_extension
from crawler.incremental.store import PendingArticle
from crawler.spiders.section import SectionSpider
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_discovery_probes_round14 import ChangedSite, _robots_also
from tests.test_incremental_probes_round20 import VideoSite
from tests.test_spiders_unit import SITE, make_spider

# Ports this file's sites listen on (one per test at a time; two workers at most).
PORTS = range(16600, 16650)


def _site(cls: type[LoopbackSite] = LoopbackSite, **kwargs: Any) -> LoopbackSite:
    for port in PORTS:
        try:
            return cls(port=port, **kwargs)
        except OSError:
            continue
    raise RuntimeError("no free port in 16600-16649")


def _section(site: LoopbackSite, workdir: Path, section: str, pages: int = 4) -> CrawlResult:
    result = crawl("section", workdir, "-a", f"sections={section}", "-a", f"pages={pages}", settings={"BS_BASE_URL": site.base_url})
    assert "Traceback" not in result.log, result.log[-3000:]
    return result


def _listing_pages(site: LoopbackSite, section: str) -> list[str]:
    return sorted(path for path in site.counts if path == f"/{section}" or path.startswith(f"/{section}/page-"))


@pytest.fixture
def video_site() -> Iterator[VideoSite]:
    site = _site(VideoSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, VideoSite)
    with site:
        yield site
        assert site.errors == []


# --- a no-change walk reads its first page only ---------------------------------------------------------


def test_a_no_change_walk_reads_one_page_when_its_first_page_links_merged_stories_and_videos(video_site: VideoSite, tmp_path: Path) -> None:
    """The newest stories of a section: one merged into an older story of it (its address answers a
    301 there), one a video published at a story's address. The first walk learns both; later walks
    over the same site ask for no article and read the first listing page alone."""
    site = video_site
    section = max((path for path in site.index.listings if path != "/latest-news"), key=lambda p: len(site.index.listings[p]))[1:]
    listed = site.index.listings["/" + section]
    assert len(listed) > 40, "a section of three pages or more"
    merged, video, target = listed[0], listed[1], listed[5]
    site.redirect_article(merged.article_id, target.article_id)
    site.videos.add(video.article_id)
    first = _section(site, tmp_path, section)
    assert first.status == 0, first.log[-3000:]
    assert target.article_id in first.ids() and merged.article_id not in first.ids() and video.article_id not in first.ids()
    for _ in range(3):
        site.reset_counts()
        again = _section(site, tmp_path, section)
        assert again.status == 0 and again.items == [], again.log[-3000:]
        assert site.article_requests() == 0, (site.counts, again.log[-3000:])
        # Before: the two links, never seen under their own ids, had every walk read page 2 as well.
        assert _listing_pages(site, section) == [f"/{section}"], (site.counts, again.log[-3000:])
        stats = stats_from_log(again.log)
        assert stats.get(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1, stats
        assert stats.get(stat.DISCOVERY_REDIRECT_KNOWN) == 1 and stats.get(stat.DISCOVERY_NOT_ARTICLE_KNOWN) == 1, stats
    # A new story on the first page: fetched, and the walk goes on to a page that holds nothing new.
    added = [r.article_id for r in site.add_articles(12) if r.section.path == section]
    assert added, "the seeded site publishes some in the section"
    site.reset_counts()
    moved = _section(site, tmp_path, section)
    assert moved.status == 0 and sorted(moved.ids()) == sorted(added), moved.log[-3000:]
    assert _listing_pages(site, section) == [f"/{section}", f"/{section}/page-2"], site.counts


def test_a_no_change_walk_reads_one_page_when_its_first_page_links_a_story_robots_txt_forbids(tmp_path: Path) -> None:
    """The site's press releases (``/content/``, which its robots.txt forbids) are listed beside its
    stories: never fetched, never seen. The walk remembers the refusal, and a later walk reads the
    first page alone; once robots.txt lets the story be fetched, the next walk fetches it."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        section = max((path for path in site.index.listings if path != "/latest-news"), key=lambda p: len(site.index.listings[p]))[1:]
        forbidden = site.index.listings["/" + section][1]
        site.change("/robots.txt", _robots_also(f"Disallow: {forbidden.path}"))
        first = _section(site, tmp_path, section)
        assert first.status == 0 and forbidden.article_id not in first.ids(), first.log[-3000:]
        assert stats_from_log(first.log).get(stat.DISCOVERY_ROBOTS_FORBIDDEN) == 1
        for _ in range(3):
            site.reset_counts()
            again = _section(site, tmp_path, section)
            assert again.status == 0 and again.items == [], again.log[-3000:]
            assert site.article_requests() == 0, (site.counts, again.log[-3000:])
            # Before: the press release, never seen, had every walk read page 2 as well.
            assert _listing_pages(site, section) == [f"/{section}"], (site.counts, again.log[-3000:])
            stats = stats_from_log(again.log)
            assert stats.get(stat.DISCOVERY_ROBOTS_FORBIDDEN) == 1 and stats.get(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1, stats
        # robots.txt lets it be fetched now: fetched and written, by a walk that reads page 2 too.
        site.changed.clear()
        site._changed()
        site.reset_counts()
        allowed = _section(site, tmp_path, section)
        assert allowed.status == 0 and allowed.ids() == [forbidden.article_id], allowed.log[-3000:]
        site.reset_counts()
        after = _section(site, tmp_path, section)
        assert after.items == [] and _listing_pages(site, section) == [f"/{section}"], site.counts
        assert site.errors == []


def test_a_no_change_walk_reads_one_page_when_its_first_page_links_a_paywall_stub(tmp_path: Path) -> None:
    """A premium story whose page holds no body (a paywall stub) is fetched at every run, in case its
    story comes; never written, it is never seen, and had every walk read the page after it too."""
    site = _site(articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    with site:
        section = max((path for path in site.index.listings if path != "/latest-news"), key=lambda p: len(site.index.listings[p]))[1:]
        stub = site.index.listings["/" + section][2]
        site.set_fault(stub.article_id, "paywall-stub")
        first = _section(site, tmp_path, section)
        assert first.status == 0 and stub.article_id not in first.ids(), first.log[-3000:]
        for _ in range(2):
            site.reset_counts()
            again = _section(site, tmp_path, section)
            # Before, exit 5 at every run: its one article to fetch was read as no article.
            assert again.status == 0 and again.items == [], again.log[-3000:]
            assert stats_from_log(again.log).get(stat.DISCOVERY_STUB_AGAIN) == 1
            # Asked for at every run, as before: its story may come.
            assert site.article_requests() == site.article_requests(stub.article_id) == 1, site.counts
            assert _listing_pages(site, section) == [f"/{section}"], (site.counts, again.log[-3000:])
        # Its story comes: written, and seen from then on.
        site.set_fault(stub.article_id, None)
        came = _section(site, tmp_path, section)
        assert came.ids() == [stub.article_id], came.log[-3000:]
        site.reset_counts()
        after = _section(site, tmp_path, section)
        assert after.items == [] and site.article_requests() == 0 and _listing_pages(site, section) == [f"/{section}"], site.counts
        assert site.errors == []


def test_a_latest_run_whose_only_new_link_is_a_stub_met_before_is_ok(tmp_path: Path) -> None:
    """A run whose only new link is a premium story shown as its stub exits 5 the first time (every
    premium page a stub must be loud), and 0 the runs after, while its feeds list it."""
    site = _site(articles=10, seed=21, days=2, legacy=0, slow_seconds=2)
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news"}
    with site:
        assert crawl("latest", tmp_path, settings=settings).status == 0
        [stub] = site.add_articles(1)
        site.set_fault(stub.article_id, "paywall-stub")
        runs = [crawl("latest", tmp_path, settings=settings) for _ in range(3)]
        assert site.article_requests(stub.article_id) == 3, "asked for at every run, in case its story comes"
        assert site.errors == []
    assert [run.status for run in runs] == [5, 0, 0], [run.log[-2000:] for run in runs]
    assert [stats_from_log(run.log).get(stat.DISCOVERY_STUB_AGAIN) for run in runs] == [None, 1, 1]
    assert all(run.items == [] for run in runs)


# --- a pager that leads back ----------------------------------------------------------------------------


@pytest.mark.parametrize("back_to", ["itself", "the first page"])
def test_a_pager_whose_next_link_leads_back_under_another_query_string_does_not_end_the_walk(tmp_path: Path, back_to: str) -> None:
    """Every page of the section says in its head that the next page is itself, or the first page,
    under a query string (``?ref=pager``, ``?page=1``): an address not read before, which answers a
    page read already. Before, the walk ended there, at its first page: the stories of every page
    after it were never found."""
    site = _site(ChangedSite, articles=240, seed=21, days=6, legacy=0, slow_seconds=2)
    assert isinstance(site, ChangedSite)
    with site:
        section = max((path for path in site.index.listings if path != "/latest-news"), key=lambda p: len(site.index.listings[p]))[1:]
        listed = site.index.listings["/" + section]
        pages = [f"/{section}"] + [f"/{section}/page-{n}" for n in range(2, (len(listed) + 19) // 20 + 1)]
        assert len(pages) >= 3
        for path in pages:
            target = f"{path}?ref=pager" if back_to == "itself" else f"/{section}?page=1"
            link = f'<link rel="next" href="{target}"></head>'.encode()
            site.change(path, lambda _s, normal, link=link: normal._replace(body=normal.body.replace(b"</head>", link, 1)))
        run = _section(site, tmp_path, section, pages=10)
        assert run.status == 0, run.log[-3000:]
        assert sorted(run.ids()) == sorted(r.article_id for r in listed), (len(run.ids()), len(listed), run.log[-3000:])
        # One page read twice at most (the first repeat), not every page.
        assert sum(site.counts[path] for path in pages) <= len(pages) + 1, site.counts
        assert site.errors == []


# --- the decision, link by link ------------------------------------------------------------------------

MERGED = "124112500011"
TARGET = "124112500012"
UNSEEN_TARGET = "124112500013"
VIDEO = "124112500014"
SEEN = "124112500015"
FRESH = "124112500016"
FORBIDDEN = "124112500017"
STUB = "124112500018"


def _link(identifier: str) -> str:
    return f"/markets/news/story-{identifier}_1.html"


def _page(*identifiers: str) -> HtmlResponse:
    html = "".join(f'<a href="{_link(i)}">s</a>' for i in identifiers)
    url = SITE + "/markets/news"
    return HtmlResponse(url, body=f"<html><body>{html}</body></html>".encode(), request=Request(url))


def _spider(tmp_path: Path, **arguments: str) -> SectionSpider:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="3", **arguments)
    assert isinstance(spider, SectionSpider)
    for identifier in (SEEN, TARGET):
        spider.seen_store.add_pending(PendingArticle(identifier, 1, "h", None, None, "old"))  # type: ignore[union-attr]
        spider.seen_store.confirm(identifier, "old")  # type: ignore[union-attr]
    extension = seen_store_extension(spider.crawler)
    assert extension is not None
    extension.remember_alias(MERGED, TARGET, None)
    extension.remember_alias(VIDEO, "other-kind:video", None)
    extension.remember_alias(FORBIDDEN, "unread:robots-forbidden", None)
    extension.remember_alias(STUB, "unread:paywall-stub", None)
    return spider


@pytest.mark.parametrize(
    ("links", "next_page"),
    [
        ((SEEN, MERGED), False),  # merged into a story that is seen
        ((SEEN, VIDEO), False),  # answered a video at a story's address
        ((MERGED, VIDEO), False),
        ((SEEN, MERGED, FRESH), True),  # one new story: the walk goes on
        ((SEEN,), False),
    ],
)
def test_a_page_whose_links_hold_nothing_to_fetch_ends_the_walk(tmp_path: Path, links: tuple[str, ...], next_page: bool) -> None:
    spider = _spider(tmp_path)
    requests = [r.url for r in spider.parse_section(_page(*links), section="markets/news", page=1)]
    assert (SITE + "/markets/news/page-2" in requests) is next_page, requests
    assert not any(identifier in url for url in requests for identifier in (SEEN, MERGED, VIDEO)), requests
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == (None if next_page else 1)  # type: ignore[union-attr]


@pytest.mark.parametrize("unread", [FORBIDDEN, STUB])
def test_a_link_robots_txt_forbade_or_that_answered_a_stub_is_asked_for_all_the_same_and_ends_the_walk(tmp_path: Path, unread: str) -> None:
    # robots.txt is read at every run: the request costs nothing while it forbids the story, and
    # the story is read the run robots.txt lets it be; a stub's story may come at any run.
    spider = _spider(tmp_path)
    requests = [r.url for r in spider.parse_section(_page(SEEN, unread), section="markets/news", page=1)]
    assert requests == [SITE + _link(unread)], requests
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1  # type: ignore[union-attr]


def test_a_story_merged_into_one_never_written_is_fetched_and_the_walk_goes_on(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    extension = seen_store_extension(spider.crawler)
    assert extension is not None
    extension.remember_alias(MERGED, UNSEEN_TARGET, None)
    requests = [r.url for r in spider.parse_section(_page(SEEN, MERGED), section="markets/news", page=1)]
    assert requests == [SITE + _link(MERGED), SITE + "/markets/news/page-2"], requests


def test_a_fresh_walk_reads_on_whatever_the_store_knows(tmp_path: Path) -> None:
    spider = _spider(tmp_path, fresh="1")
    requests = [r.url for r in spider.parse_section(_page(SEEN, MERGED, VIDEO), section="markets/news", page=1)]
    assert SITE + "/markets/news/page-2" in requests and len(requests) == 4, requests


# --- a pager that leads back, step by step ---------------------------------------------------------------


def _numbered_page(number: int, next_href: str | None) -> bytes:
    links = "".join(f'<a href="/markets/news/story-1241125{number:02d}{i:03d}_1.html">Story</a>' for i in range(3))
    pager = f'<link rel="next" href="{next_href}">' if next_href else ""
    return f"<html><head>{pager}</head><body>{links}</body></html>".encode()


def _read(spider: SectionSpider, request: Request, body: bytes) -> list[Request]:
    response = HtmlResponse(request.url, body=body, request=request)
    return list(spider.parse_section(response, **request.cb_kwargs))


def test_a_pager_leading_back_is_left_for_the_numbered_pages_once(tmp_path: Path) -> None:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    first = SITE + "/markets/news"
    spider.visited_sources.claim(first)
    start = Request(first, meta={"bs_source_depth": 0}, cb_kwargs={"section": "markets/news", "page": 1})
    [*_, again] = _read(spider, start, _numbered_page(1, "/markets/news?ref=pager"))
    assert again.url == first + "?ref=pager" and again.cb_kwargs == {"section": "markets/news", "page": 2, "by_link": True}
    # The first page again: the walk goes on at page 2, not at the end of the section.
    [second] = _read(spider, again, _numbered_page(1, "/markets/news?ref=pager"))
    assert second.url == first + "/page-2" and second.cb_kwargs == {"section": "markets/news", "page": 2}
    assert spider.crawler.stats.get_value(stat.DISCOVERY_PAGER_LOOP) == 1
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_END)
    # Its pager is no longer followed: page 3 is <section>/page-3, whatever page 2's "next" link says.
    [*_, third] = _read(spider, second, _numbered_page(2, "/markets/news/page-2?ref=pager"))
    assert third.url == first + "/page-3" and third.cb_kwargs == {"section": "markets/news", "page": 3}


def test_a_next_link_past_the_end_to_a_clamped_page_ends_the_walk_with_no_more_requests(tmp_path: Path) -> None:
    # A CMS that clamps the page number serves the last page again for any page past it.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    last = SITE + "/markets/news/page-3"
    spider.visited_sources.claim(last)
    request = Request(last, meta={"bs_source_depth": 0}, cb_kwargs={"section": "markets/news", "page": 3})
    [*_, past] = _read(spider, request, _numbered_page(3, "/markets/news/page-4"))
    assert past.url == SITE + "/markets/news/page-4" and past.cb_kwargs["by_link"] is True
    assert _read(spider, past, _numbered_page(3, "/markets/news/page-4")) == []
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_END) == 1
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_PAGER_LOOP)
    assert not spider.crawler.stats.get_value("bs/discovery/source_repeated")
