"""More feed, sitemap and listing variants a CMS or CDN could serve: Atom links inside items,
namespaced RSS, tracking queries, the same article listed twice with different dates."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import XmlResponse

import pytest

from crawler.extraction.discovery import parse_listing, parse_rss, parse_sitemap
from crawler.incremental.store import PendingArticle
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE
from tests.test_spiders_unit import make_spider

ARTICLE = SITE + "/markets/news/x-124022800873_1.html"
OTHER = SITE + "/india-news/y-124022800874_1.html"
ATOM = ' xmlns:atom="http://www.w3.org/2005/Atom"'


def _feed(items: str, attributes: str = "") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"{attributes}><channel><title>Latest</title>{items}</channel></rss>'.encode()


# --- the item's link --------------------------------------------------------------------------------


def test_an_atom_link_before_an_items_link_does_not_hide_it() -> None:
    # atom:link shares the local name "link" but holds its address in href, not in its text.
    feed = parse_rss(
        _feed(
            f'<item><atom:link rel="self" href="{SITE}/rss/latest.rss"/><link>{ARTICLE}</link></item>'
            f"<item><link>{OTHER}</link></item>",
            ATOM,
        ),
        SITE + "/rss/latest.rss",
    )
    assert [e.url for e in feed.entries] == [ARTICLE, OTHER] and feed.unusable_urls == 0


def test_the_items_of_a_feed_in_a_default_namespace_are_read() -> None:
    # The RSS 2.0 namespace some generators declare: the root is still <rss>, so must its items be read.
    body = (
        f'<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><item><link>{ARTICLE}</link>'
        f"<pubDate>Wed, 28 Feb 2024 15:42:00 +0530</pubDate></item></channel></rss>"
    ).encode()
    (entry,) = parse_rss(body, SITE + "/rss/latest.rss").entries
    assert entry.url == ARTICLE and entry.published is not None and entry.published.isoformat() == "2024-02-28T15:42:00+05:30"


# --- tracking queries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "url"),
    [
        (f"{ARTICLE}?utm_source=rss&amp;utm_medium=feed", ARTICLE),
        (f"{ARTICLE}?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=latest", ARTICLE),
        # Only the tracking goes: another parameter, and its spelling, stay as they were.
        (f"{ARTICLE}?ref=home%2Btop&amp;utm_source=rss", f"{ARTICLE}?ref=home%2Btop"),
        (f"{ARTICLE}?UTM_Source=rss", ARTICLE),
        (f"{ARTICLE}?notutm_source=rss", f"{ARTICLE}?notutm_source=rss"),
    ],
)
def test_tracking_parameters_are_not_part_of_an_items_url(link: str, url: str) -> None:
    # The fetched URL is the item's "url": the same story must not come out with utm_ parameters
    # one run and without them the next, nor be fetched under both.
    (entry,) = parse_rss(_feed(f"<item><link>{link}</link></item>"), SITE + "/rss/latest.rss").entries
    assert entry.url == url
    sitemap = parse_sitemap(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{link}</loc></url></urlset>'.encode(), SITE)
    assert [e.url for e in sitemap.entries] == [url]


def test_a_listing_links_to_an_article_once_with_or_without_tracking() -> None:
    html = f'<a href="/markets/news/x-124022800873_1.html?utm_source=hp&amp;utm_medium=top">A</a><a href="{ARTICLE}#comments">A</a>'
    assert parse_listing(html, SITE + "/markets/news").article_urls == [ARTICLE]


# --- one article listed twice, with different dates ----------------------------------------------------


def _seen_spider(tmp_path: Path) -> LatestSpider:
    spider = make_spider(LatestSpider, tmp_path)
    spider.seen_store.add_pending(PendingArticle("124022800873", 1, "h", None, "2024-02-28T15:42:00+05:30", "old"))
    spider.seen_store.confirm("124022800873", "old")
    return spider


def _urlset(lastmod: str) -> bytes:
    return (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{ARTICLE}</loc>'
        f"<lastmod>{lastmod}</lastmod></url></urlset>"
    ).encode()


def test_a_newer_date_for_an_article_found_unchanged_earlier_in_the_run_fetches_it(tmp_path: Path) -> None:
    # A feed gives the story's first date, the news sitemap read after it the date of its update:
    # the first answer to arrive must not decide for the run.
    spider = _seen_spider(tmp_path)
    feed = _feed(f"<item><link>{ARTICLE}</link><pubDate>Wed, 28 Feb 2024 15:42:00 +0530</pubDate></item>")
    assert list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed))) == []
    (request,) = spider.parse_source(XmlResponse(SITE + "/sitemap/google-news-sitemap.xml", body=_urlset("2024-02-28T18:00:00+05:30")))
    assert request.url == ARTICLE
    stats = spider.crawler.stats
    # Counted once, as what it turned out to be.
    assert stats.get_value("bs/discovery/changed") == 1 and not stats.get_value("bs/discovery/unchanged_skipped")


def test_an_unchanged_article_listed_twice_is_counted_once_and_a_requested_one_fetched_once(tmp_path: Path) -> None:
    spider = _seen_spider(tmp_path)
    old = _urlset("2024-02-28T15:42:00+05:30")
    assert list(spider.parse_source(XmlResponse(SITE + "/sitemap/google-news-sitemap.xml", body=old))) == []
    assert list(spider.parse_source(XmlResponse(SITE + "/sitemap/latest-news-sitemap.xml", body=old))) == []
    assert spider.crawler.stats.get_value("bs/discovery/unchanged_skipped") == 1
    newer = _feed(f"<item><link>{ARTICLE}</link><pubDate>Wed, 28 Feb 2024 18:00:00 +0530</pubDate></item>" * 2)
    assert len(list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=newer)))) == 1
    later = _feed(f"<item><link>{ARTICLE}</link><pubDate>Wed, 28 Feb 2024 19:00:00 +0530</pubDate></item>")
    assert list(spider.parse_source(XmlResponse(SITE + "/rss/markets-106.rss", body=later))) == []


def test_entries_without_any_link_are_counted_as_unusable() -> None:
    # Each is an article the run cannot fetch: left out with a WARNING and the stat, never silently.
    feed = parse_rss(
        f"<rss><channel><item><title>No link</title></item><item><guid isPermaLink=\"false\">x-1</guid></item>"
        f"<item><link>{ARTICLE}</link></item></channel></rss>".encode(),
        SITE,
    )
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.unusable_urls == 2
    sitemap = parse_sitemap(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2024-02-28</lastmod></url>'
        f"<url><loc>{ARTICLE}</loc></url></urlset>".encode(),
        SITE,
    )
    assert [e.url for e in sitemap.entries] == [ARTICLE] and sitemap.unusable_urls == 1
