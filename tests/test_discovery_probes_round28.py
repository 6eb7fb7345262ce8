"""Round 28 probes: listing cards linked through short links, and feeds that page their older items.

Before these fixes: a listing card whose only link to its story was the site's short link (``mybs.in/…``)
was dropped whenever another card of the page linked its story by its own address (the page-wide rule
took every short link for a share button), the story never found from that listing; a later section page
whose only short link was a share button or a footer link counted as a page of stories, so the walk went
on to ``pages``, asking for the short link at every page; and an RSS or Atom feed's
``<atom:link rel="next">`` (RFC 5005 paging) was never followed, so a run that fell behind lost the
items the feed had moved to its older pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import stats as stat
from crawler.extraction.discovery import parse_listing, parse_rss
from crawler.incremental.store import PendingArticle
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.e2e import crawl
from tests.loopback.site import Response as SiteResponse
from tests.test_discovery_probes_round14 import ChangedSite
from tests.test_spiders_unit import SITE, make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124022800871_1.html"
OTHER = SITE + "/companies/news/tata-results-124022800872_1.html"
THIRD = SITE + "/economy/news/gdp-grows-124022800873_1.html"
SHORT = "https://mybs.in/2ZxYwV"
SHORT_OTHER = "https://mybs.in/3AbCdE"
LATEST = SITE + "/latest-news"
SECTION = SITE + "/markets/news"
SOCIAL = (
    '<a href="https://twitter.com/intent/tweet?url={0}">X</a>'
    '<a href="https://www.facebook.com/sharer/sharer.php?u={0}">f</a>'
    '<a href="https://api.whatsapp.com/send?text={0}">w</a>'
)


def _card(inner: str) -> str:
    return f'<div class="cardlist">{inner}<span>2 min read</span></div>'


def _page(*cards: str, footer: str = "", pager: str = "") -> str:
    return f"<html><head><title>Latest News</title></head><body><main>{''.join(cards)}</main>{pager}<footer>{footer}</footer></body></html>"


def _response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))


def _remember(spider: Any, *identifiers: str, date: str | None = None) -> None:
    for identifier in identifiers:
        spider.seen_store.add_pending(PendingArticle(identifier, 1, "h", date, date, "before"))
        spider.seen_store.confirm(identifier, "before")


# --- a card linked only through a short link, beside cards linked by the story's own address --------

CARDS_OF_SHORT_LINKS = {
    "headline": f'<h2><a href="{SHORT}">Sensex ends higher</a></h2>',
    "image": f'<a href="{SHORT}"><img src="/img/a.jpg" alt="Sensex"></a><p>Sensex ends higher</p>',
    "headline-and-image": f'<a href="{SHORT}"><img src="/img/a.jpg"></a><h3><a href="{SHORT}?utm_source=card">Sensex ends higher</a></h3>',
    "in-a-list-item": f'<ul><li><h4><a href="{SHORT}">Sensex ends higher</a></h4></li></ul>',
    "article-header": f'<article><header><h2><a href="{SHORT}">Sensex ends higher</a></h2></header><footer>2 min read</footer></article>',
    "headline-saying-share": f'<h2><a href="{SHORT}" title="Tata Steel share price jumps 5%">Share of Tata Steel jumps</a></h2>',
}


@pytest.mark.parametrize("name", sorted(CARDS_OF_SHORT_LINKS))
def test_a_card_linked_only_by_a_short_link_is_listed_beside_cards_of_own_links(name: str) -> None:
    """Before: ``[OTHER, THIRD]``; the story behind the short link never found from the page."""
    html = _page(
        _card(f'<h2><a href="{OTHER}">Tata results</a></h2>'),
        _card(CARDS_OF_SHORT_LINKS[name]),
        _card(f'<h2><a href="{THIRD}">GDP grows</a></h2>'),
    )
    assert parse_listing(html, LATEST).article_urls == [OTHER, SHORT, THIRD]


def test_the_same_cards_as_list_items_are_read_alike() -> None:
    html = _page(
        "<ul>"
        f'<li><h2><a href="{OTHER}">Tata results</a></h2></li>'
        f'<li><a href="{SHORT}"><img src="/a.jpg"></a><h2><a href="{SHORT}">Sensex</a></h2></li>'
        "</ul>"
    )
    assert parse_listing(html, LATEST).article_urls == [OTHER, SHORT]


SHARE_BUTTONS = {
    "beside-the-storys-own-link": f'<h2><a href="{STORY}">Sensex ends higher</a></h2><a href="{SHORT}"><img src="/share.svg"></a>',
    "share-bar": f'<h2><a href="{STORY}">Sensex</a></h2><div class="MainStory_shareicons__x1"><a href="{SHORT_OTHER}"><img src="/i.svg"></a></div>',
    "aria-label": f'<h2><a href="{STORY}">Sensex</a></h2><a aria-label="Share this story" href="{SHORT_OTHER}"><img src="/i.svg"></a>',
    "title": f'<h2><a href="{STORY}">Sensex</a></h2><span><a title="Share" href="{SHORT_OTHER}"><img src="/i.svg"></a></span>',
    "next-to-social-links": f'<h2><a href="{STORY}">Sensex</a></h2><div>{SOCIAL.format(SHORT_OTHER)}<a href="{SHORT_OTHER}"><img src="/c.svg"></a></div>',
}


@pytest.mark.parametrize("name", sorted(SHARE_BUTTONS))
def test_a_share_button_is_still_no_card(name: str) -> None:
    """A short link in a card that links its story by its own address, or in a share bar, is a share button."""
    html = _page(_card(SHARE_BUTTONS[name]), _card(f'<h2><a href="{OTHER}">Tata results</a></h2>'))
    assert parse_listing(html, LATEST).article_urls == [STORY, OTHER]


def test_a_share_bar_on_a_page_of_short_link_cards_is_left_out() -> None:
    """On a page whose cards link only short links, the page's own share bar is no card either."""
    html = _page(
        _card(f'<h2><a href="{SHORT}">Sensex</a></h2>'),
        f'<div class="sharebar">{SOCIAL.format(LATEST)}<a href="https://mybs.in/9LiStP" aria-label="Share">s</a></div>',
    )
    assert parse_listing(html, LATEST).article_urls == [SHORT]


def test_latest_follows_the_short_link_of_a_card_beside_own_links(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    html = _page(_card(f'<h2><a href="{OTHER}">Tata</a></h2>'), _card(f'<h2><a href="{SHORT}">Sensex</a></h2>'))
    requests = list(spider.parse_listing_page(_response(LATEST, html)))
    assert [r.url for r in requests] == [OTHER, SHORT]
    assert requests[1].callback == spider.parse_short_link


# --- a listing whose only short link is a share button or a footer link is empty ---------------------

EMPTY_BUT_FOR = {
    "share-bar": f'<div class="share-bar">{SOCIAL.format(SECTION)}<a href="https://mybs.in/9LiStP">Copy link</a></div>',
    "share-button": '<a aria-label="Share" href="https://mybs.in/9LiStP"><img src="/share.svg"></a>',
    "footer": "",
}


@pytest.mark.parametrize("name", sorted(EMPTY_BUT_FOR))
def test_a_later_section_page_whose_only_short_link_is_a_share_or_footer_link_ends_the_walk(tmp_path: Path, name: str) -> None:
    """Before: the short link counted as the page's story: asked for, and the walk went on to the next page,
    and so on up to ``pages``."""
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="20")
    footer = '<a href="https://mybs.in/app">Download the app</a><a href="https://mybs.in/2FoOtR">Subscribe</a>'
    html = _page(EMPTY_BUT_FOR[name], footer=footer)
    requests = list(spider.parse_section(_response(SECTION + "/page-4", html), section="markets/news", page=4))
    assert requests == []
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_END) == 1
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_SHORT_LINK)


def test_latest_news_with_only_a_share_button_is_a_failed_source(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    html = _page(EMPTY_BUT_FOR["share-button"], footer='<a href="https://mybs.in/app">App</a>')
    assert list(spider.parse_listing_page(_response(LATEST, html))) == []
    assert spider.crawler.stats.get_value(stat.source_failed("no-article-links")) == 1


# --- a feed that pages its older items (RFC 5005: <atom:link rel="next">) -----------------------------

FEED = SITE + "/rss/latest.rss"
ATOM_NS = 'xmlns:atom="http://www.w3.org/2005/Atom"'


def _rss(*links: str, next_page: str | None = None, date: str = "Wed, 28 Feb 2024 10:00:00 +0530") -> bytes:
    items = "".join(f"<item><title>A</title><link>{link}</link><pubDate>{date}</pubDate></item>" for link in links)
    pager = f'<atom:link rel="next" href="{next_page}"/>' if next_page else ""
    head = f'<atom:link rel="self" href="{FEED}"/>{pager}'
    return f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><title>Latest</title>{head}{items}</channel></rss>'.encode()


def _atom(*links: str, next_page: str | None = None) -> bytes:
    entries = "".join(
        f'<entry><title>A</title><link href="{link}"/><id>{link}</id><updated>2024-02-28T10:00:00+05:30</updated></entry>' for link in links
    )
    pager = f'<link rel="next" href="{next_page}"/>' if next_page else ""
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Latest</title><link rel="self" href="{FEED}"/>{pager}{entries}</feed>'.encode()


def _read(spider: Any, url: str, body: bytes, **meta: Any) -> list[Request]:
    return list(spider.parse_source(XmlResponse(url, body=body, request=Request(url, meta=meta))))


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feeds_next_page_is_read_from_the_feed_not_its_items(kind: str) -> None:
    body = (_rss if kind == "rss" else _atom)(STORY, next_page="/rss/latest.rss?page=2")
    assert parse_rss(body, FEED).next_page == FEED + "?page=2"
    # An item's own "next" link (no story) is no page of the feed.
    item_next = _rss(STORY).replace(b"</title><link>", b'</title><atom:link rel="next" href="/rss/other.rss"/><link>')
    assert parse_rss(item_next, FEED).next_page is None


def test_latest_reads_a_feeds_older_pages_while_they_list_new_stories(tmp_path: Path) -> None:
    """Before: only the first page was read; the stories the feed had moved to its second page since the
    run before (a run that fell behind: the machine was off, the site published a burst) were lost."""
    spider = make_spider(LatestSpider, tmp_path)
    first = _read(spider, FEED, _rss(STORY, next_page=FEED + "?page=2"))
    assert [r.url for r in first] == [STORY, FEED + "?page=2"]
    second = _read(spider, FEED + "?page=2", _rss(OTHER, next_page=FEED + "?page=3"), **first[1].meta)
    assert [r.url for r in second] == [OTHER, FEED + "?page=3"]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_FEED_NEXT_PAGE) == 2


def test_a_feed_page_of_stories_seen_ends_the_paging(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    _remember(spider, "124022800871", "124022800872", date="2024-02-28T10:00:00+05:30")
    assert _read(spider, FEED, _rss(STORY, OTHER, next_page=FEED + "?page=2")) == []
    # A page listing a story seen that changed since goes on: its older pages may hold changes too.
    again = make_spider(LatestSpider, tmp_path)
    requests = _read(again, FEED, _rss(STORY, OTHER, next_page=FEED + "?page=2", date="Wed, 28 Feb 2024 11:00:00 +0530"))
    assert [r.url for r in requests] == [STORY, OTHER, FEED + "?page=2"]
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_FEED_NEXT_PAGE)


def test_a_feed_page_that_leads_back_is_not_read_again(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    first = _read(spider, FEED, _rss(STORY, next_page=FEED + "?page=2"))
    second = _read(spider, FEED + "?page=2", _rss(OTHER, next_page=FEED), **first[1].meta)
    assert [r.url for r in second] == [OTHER]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_SOURCE_REPEATED) == 1


def test_a_feeds_paging_stops_at_bs_feed_max_pages(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    spider.feed_max_pages = 2
    first = _read(spider, FEED, _rss(STORY, next_page=FEED + "?page=2"))
    second = _read(spider, FEED + "?page=2", _rss(OTHER, next_page=FEED + "?page=3"), **first[1].meta)
    assert [r.url for r in second] == [OTHER]
    assert spider.crawler.stats.get_value(stat.DISCOVERY_FEED_PAGE_LIMIT) == 1
    assert any("BS_FEED_MAX_PAGES" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)



@pytest.mark.parametrize("answer", ["empty-feed", "http-404", "http-410"])
def test_a_feeds_later_page_that_lists_nothing_or_is_not_there_ends_its_paging(tmp_path: Path, answer: str, caplog: pytest.LogCaptureFixture) -> None:
    """A pager that always links a page after the last (a CMS's template): the page past the end lists
    nothing, or answers 404, as a section's page past its end does; no failed source, no ERROR."""
    spider = make_spider(LatestSpider, tmp_path)
    [_story, older] = _read(spider, FEED, _rss(STORY, next_page=FEED + "?page=2"))
    if answer == "empty-feed":
        body = f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><title>Latest</title></channel></rss>'.encode()
        assert _read(spider, older.url, body, **older.meta) == []
    else:
        response = Response(older.url, status=int(answer[-3:]), request=older)
        failure = Failure(HttpError(response, "Ignoring non-200 response"))
        failure.request = older  # type: ignore[attr-defined]
        older.errback(failure)
    stats = spider.crawler.stats
    assert not any(key.startswith(stat.DISCOVERY_SOURCE_FAILED_PREFIX) for key in stats.get_stats()), stats.get_stats()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_feeds_first_page_that_lists_nothing_is_still_a_failed_source(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    body = f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><title>Latest</title></channel></rss>'.encode()
    assert _read(spider, FEED, body) == []
    assert spider.crawler.stats.get_value(stat.source_failed("empty")) == 1


# --- end to end: a run of latest against a feed of two pages -----------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[ChangedSite]:
    with ChangedSite(articles=8, seed=28, days=2, legacy=0, slow_seconds=2) as running:
        yield running
        assert running.errors == []


def _loopback_rss(records: list[Any], next_page: str | None) -> SiteResponse:
    items = "".join(
        f"<item><title>A</title><link>{xml_escape(r.url)}</link><pubDate>{format_datetime(r.modified)}</pubDate></item>" for r in records
    )
    pager = f'<atom:link rel="next" href="{next_page}"/>' if next_page else ""
    body = f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><title>Latest</title>{pager}{items}</channel></rss>'
    return SiteResponse(200, body.encode(), "application/rss+xml")


def test_latest_reads_the_stories_a_feed_moved_to_its_older_page_and_not_again(site: ChangedSite, tmp_path: Path) -> None:
    """Before: the four stories on the feed's second page were never fetched (exit 0, nothing said)."""
    records = sorted(site.articles, key=lambda r: r.published, reverse=True)
    older = "/rss/latest-older.rss"
    site.change("/rss/latest.rss", lambda _s, _normal: _loopback_rss(records[:4], older))
    site.change(older, lambda _s, _normal: _loopback_rss(records[4:], None))
    settings = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"}
    site.reset_counts()
    result = crawl("latest", tmp_path, settings=settings)
    assert "Traceback" not in result.log and result.status == 0, result.log[-3000:]
    assert sorted(item["articleId"] for item in result.items) == sorted(r.article_id for r in records), result.log[-3000:]
    assert site.counts[older] == 1
    # Nothing new: the first page's stories are all seen, so its older page is not asked for.
    site.reset_counts()
    again = crawl("latest", tmp_path, settings=settings)
    assert again.status == 0 and again.items == [], again.log[-3000:]
    assert site.counts[older] == 0 and site.article_requests() == 0
