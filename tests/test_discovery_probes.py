"""Feeds, sitemaps and listings as the live site (and its realistic variants) serve them, read as a reader of the document would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.http import XmlResponse

from crawler.extraction.discovery import BrokenDocument, parse_listing, parse_rss, parse_sitemap
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE, shared_file
from tests.test_spiders_unit import make_spider

REAL_FEED = "real/rss-home_page_top_stories-2021-06-27.xml"
ARTICLE = SITE + "/markets/news/x-124022800873_1.html"


def _real_feed() -> bytes:
    return shared_file(REAL_FEED).read_bytes()


def _item_ids(body: bytes) -> list[str]:
    """The article ids of the items of ``body``, in order, as a reader finds them in their ``<link>``."""
    return [m.decode() for m in re.findall(rb"<item>.*?<link>[^<]*?(\d{12})_1\.html</link>", body, flags=re.S)]


def _feed(items: str, head: bytes = b'<?xml version="1.0"?>', attributes: str = "") -> bytes:
    return head + f'<rss version="2.0"{attributes}><channel><title>Latest</title>{items}</channel></rss>'.encode()


# --- a feed cut short in transit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cut_in",
    [
        b"<link>",  # inside the last item's link: its URL is half an address
        b"<pubDate>",
        b"</media:group>",
        b"<![CDATA[",
    ],
)
@pytest.mark.parametrize("item", [1, 7, 29])
def test_a_cut_feed_gives_its_whole_items_and_says_it_was_cut(item: int, cut_in: bytes) -> None:
    body = _real_feed()
    starts = [m.start() for m in re.finditer(rb"<item>", body)]
    last = body.index(cut_in, starts[item]) + len(cut_in) // 2
    assert last < body.index(b"</item>", starts[item])  # the cut falls inside the item
    cut = body[:last]
    feed = parse_rss(cut, SITE + "/rss/home_page_top_stories.rss")
    assert [e.article_id for e in feed.entries] == _item_ids(body)[:item]
    assert feed.cut and not feed.salvaged
    assert all(e.published is not None for e in feed.entries)


def test_a_feed_cut_anywhere_gives_exactly_the_items_it_closed() -> None:
    # Cuts inside a CDATA section, an entity, a link and between items, after a flaw ("M&M") too.
    items = "".join(
        f"<item><title><![CDATA[t{n} <b>up</b>]]></title><description>M&M</description>"
        f"<link>{SITE}/a/x-12402280087{n}_1.html?from=rss&amp;n={n}</link></item>\n"
        for n in range(3)
    )
    body = _feed(items)
    for end in range(body.index(b"<item>"), len(body) - len(b"</rss>")):
        cut = body[:end]
        # An item whose end tag has begun holds all its content: whole, even when the cut took its ">".
        closed = sum(1 for m in re.finditer(rb"</item>", body) if m.start() + len(b"</") <= end)
        if not closed:
            with pytest.raises(BrokenDocument) as caught:
                parse_rss(cut, SITE)
            assert caught.value.reason == "cut"
            continue
        feed = parse_rss(cut, SITE)
        assert [e.article_id for e in feed.entries] == [f"12402280087{n}" for n in range(closed)], end
        assert feed.cut


def test_a_cut_feed_is_a_failed_source_whose_whole_items_are_still_fetched(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    body = _real_feed()
    cut = body[: body.index(b"<link>", [m.start() for m in re.finditer(rb"<item>", body)][3]) + 40]
    requests = list(spider.parse_source(XmlResponse(SITE + "/rss/home_page_top_stories.rss", body=cut)))
    assert [r.url.rsplit("-", 1)[1] for r in requests] == [f"{i}_1.html" for i in _item_ids(body)[:3]]
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/source_failed/cut") == 1 and not stats.get_value("bs/discovery/sources_read")


def test_a_cut_feed_cut_within_an_items_end_tag_gives_that_item() -> None:
    body = _feed(f"<item><link>{ARTICLE}</link></item><item><link>{SITE}/a/y-124022800874_1.html</link></item>")
    for end_tag in (b"</", b"</it", b"</item"):
        cut = body[: body.rindex(b"</item>") + len(end_tag)]
        assert [e.article_id for e in parse_rss(cut, SITE).entries] == ["124022800873", "124022800874"], end_tag


# --- salvaged documents: the document's end, not its last bytes, says whether it was cut ---------------


# Flaws after which a push parser waits for more data: a bare "&" with no ";" after it, a "<" in text.
LOCAL_FLAWS = ["M&M Q4 results", "Sensex < 70,000 again", "R&D spend <3% of sales"]


@pytest.mark.parametrize("flaw", LOCAL_FLAWS)
def test_a_feed_with_a_local_flaw_is_salvaged_whole_not_cut(flaw: str) -> None:
    other = SITE + "/india-news/y-124022800874_1.html"
    feed = parse_rss(_feed(f"<item><title>{flaw}</title><link>{ARTICLE}</link></item><item><link>{other}</link></item>"), SITE)
    assert [e.url for e in feed.entries] == [ARTICLE, other]
    assert feed.salvaged and not feed.cut


@pytest.mark.parametrize("flaw", LOCAL_FLAWS)
def test_a_sitemap_with_a_local_flaw_is_salvaged_whole_not_refused(flaw: str) -> None:
    other = SITE + "/india-news/y-124022800874_1.html"
    sitemap = parse_sitemap(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>{ARTICLE}</loc>'
        f"<news:news><news:title>{flaw}</news:title></news:news></url><url><loc>{other}?utm=1&amp=1</loc></url></urlset>".encode(),
        SITE,
    )
    assert [e.url.split("?")[0] for e in sitemap.entries] == [ARTICLE, other] and sitemap.salvaged


@pytest.mark.parametrize("flaw", LOCAL_FLAWS)
def test_a_cut_feed_with_a_local_flaw_gives_the_items_before_the_cut(flaw: str) -> None:
    other = SITE + "/india-news/y-124022800874_1.html"
    body = _feed(f"<item><title>{flaw}</title><link>{ARTICLE}</link></item><item><link>{other}</link></item>")
    feed = parse_rss(body[: body.index(b"y-1240228")], SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.cut




def test_a_salvaged_feed_or_sitemap_may_end_in_a_comment() -> None:
    generated = b"\n<!-- generated in 0.04 s -->\n"
    feed = parse_rss(_feed(f"<item><title>Sensex&nbsp;up</title><link>{ARTICLE}</link></item>") + generated, SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and "nbsp" in feed.salvaged
    sitemap = parse_sitemap(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{ARTICLE}</loc><news:news><news:title>Sensex&nbsp;up</news:title></news:news></url></urlset>".encode()
        + generated,
        SITE,
    )
    assert [e.url for e in sitemap.entries] == [ARTICLE] and "nbsp" in sitemap.salvaged


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<html><head><title>Error</title></head><body><p>Service unavailable<br></p></body></html>',
        b'<?xml version="1.0"?><!DOCTYPE html><html><body>Not found<hr></body></html>',
    ],
)
def test_an_html_error_page_with_an_xml_declaration_is_not_xml_not_a_cut_feed(body: bytes) -> None:
    with pytest.raises(BrokenDocument) as caught:
        parse_rss(body, SITE)
    assert caught.value.reason == "not-xml"


@pytest.mark.parametrize("lead", [b"\xef\xbb\xbf\n", b"\xef\xbb\xbf\r\n\r\n", b"\xef\xbb\xbf \t"])
def test_a_byte_order_mark_then_white_space_is_no_flaw(lead: bytes) -> None:
    feed = parse_rss(lead + _feed(f"<item><link>{ARTICLE}</link></item>", head=b'<?xml version="1.0" encoding="UTF-8"?>'), SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.salvaged == ""
    with pytest.raises(BrokenDocument) as caught:
        parse_rss(lead + _feed(f"<item><link>{ARTICLE}</link></item>")[:-60], SITE)
    assert caught.value.reason == "cut"


# --- links and dates of items ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("guid", "url"),
    [
        (f"<guid>{ARTICLE}</guid>", ARTICLE),
        (f'<guid isPermaLink="true">{ARTICLE}</guid>', ARTICLE),
        ('<guid isPermaLink="false">124022800873</guid>', None),
        ('<guid isPermaLink="false">bs-story-124022800873_1.html</guid>', None),
    ],
)
def test_a_guid_is_a_link_only_when_it_is_a_permalink(guid: str, url: str | None) -> None:
    other = SITE + "/india-news/y-124022800874_1.html"
    feed = parse_rss(_feed(f"<item><title>A</title>{guid}</item><item><link>{other}</link></item>"), SITE + "/rss/latest.rss")
    assert [e.url for e in feed.entries] == ([url] if url else []) + [other]


@pytest.mark.parametrize(
    "element", ["<dc:date>2024-02-28T15:42:00+05:30</dc:date>", "<dc:date>2024-02-28T10:12:00Z</dc:date>"]
)
def test_an_item_dated_by_dublin_core_has_its_date(element: str) -> None:
    feed = parse_rss(
        _feed(f"<item><link>{ARTICLE}</link>{element}</item>", attributes=' xmlns:dc="http://purl.org/dc/elements/1.1/"'), SITE
    )
    (entry,) = feed.entries
    assert entry.published is not None and entry.published.isoformat() == "2024-02-28T15:42:00+05:30"
    assert entry.lastmod == entry.published and feed.unreadable_dates == 0


# --- listings: the next page --------------------------------------------------------------------------------

PAGE_2 = SITE + "/markets/news/page-2"


@pytest.mark.parametrize(
    "html",
    [
        # An article whose headline holds the word "next", above a pager with rel="next".
        '<a href="/markets/news/what-next-for-sensex-124022800873_1.html">What next for Sensex</a>'
        '<div class="pagination"><a href="/markets/news/page-2" rel="next">Next page</a></div>',
        '<a href="/markets/news/x-124022800873_1.html">Read next: Sensex</a><a href="/markets/news/page-2">Next</a>',
        '<a href="/topic/nextgen-banking">NextGen banking</a><a href="/markets/news/x-124022800873_1.html">A</a>'
        '<a href="/markets/news/page-2">Next \u00bb</a>',
        '<a href="/markets/news/x-124022800873_1.html">A</a><a href="/markets/news/page-2" rel="nofollow next">\u203a</a>',
        '<html><head><link rel="next" href="/markets/news/page-2"></head><body><a href="/markets/news/x-124022800873_1.html">A</a></body></html>',
        # Pagers the old rule (any link containing "next") found, written without rel="next".
        '<a href="/markets/news/x-124022800873_1.html">A</a><a href="/markets/news/page-2">Next\u00a0page \u203a</a>',
        '<a href="/markets/news/x-124022800873_1.html">A</a><a href="/markets/news/page-2">Next stories \u00bb</a>',
        '<a href="/markets/news/x-124022800873_1.html">A</a><a href="/markets/news/page-2"><span>Go to</span> <span>next page</span></a>',
        # An arrow-only pager link named for screen readers.
        '<a href="/markets/news/x-124022800873_1.html">A</a><a href="/markets/news/page-2" aria-label="Next page">\u203a</a>',
    ],
)
def test_the_next_page_of_a_listing_is_its_pager_link(html: str) -> None:
    listing = parse_listing(html, SITE + "/markets/news")
    assert listing.next_page == PAGE_2


def test_a_listing_without_a_pager_has_no_next_page() -> None:
    html = '<a href="/markets/news/next-big-thing-124022800873_1.html">The next big thing</a><a href="/video/next-124022800874_1.html">Next</a>'
    assert parse_listing(html, SITE + "/markets/news").next_page is None
