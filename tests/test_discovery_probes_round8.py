"""What feeds, sitemaps and listings may hold that discovery must still read right: the Hindi
edition's stories among the English site's, non-article kinds at any depth of a path, feeds and
sitemaps at URLs that do not say which they are, Atom, other encodings, monthly sitemap names."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import UsageError
from scrapy.http import Headers, HtmlResponse, Request, XmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from crawler.extraction.discovery import Entry, parse_feed_or_sitemap, parse_listing, parse_rss
from crawler.incremental.store import PendingArticle
from crawler.spiders.archive import ArchiveSpider, today_ist
from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import SITE, shared_file
from tests.test_network_probes import _drain
from tests.test_spiders_unit import make_spider

ENGLISH = SITE + "/markets/news/x-124022800873_1.html"
HINDI = "https://hindi.business-standard.com/markets/news/x-124022800873_1.html"


def _feed(items: str, attributes: str = "") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"{attributes}><channel><title>Latest</title>{items}</channel></rss>'.encode()


def _items(*urls: str) -> str:
    return "".join(f"<item><link>{url}</link><pubDate>Wed, 28 Feb 2024 15:42:00 +0530</pubDate></item>" for url in urls)


def _read(spider: Any, url: str, body: bytes) -> list[Request]:
    return list(spider.parse_source(XmlResponse(url, body=body, request=Request(url))))


# --- the Hindi edition's stories -----------------------------------------------------------------


def test_a_hindi_story_numbered_like_an_english_article_is_requested_beside_it(tmp_path: Path) -> None:
    # The item of the Hindi story is hi-124022800873, the English one 124022800873: two articles,
    # and the run must not drop the second as a repeat of the first.
    spider = make_spider(LatestSpider, tmp_path)
    requests = _read(spider, SITE + "/rss/latest.rss", _feed(_items(ENGLISH, HINDI)))
    assert [r.url for r in requests] == [ENGLISH, HINDI]
    assert spider.crawler.stats.get_value("bs/discovery/new") == 2


def test_a_hindi_story_already_emitted_is_not_fetched_again_as_new(tmp_path: Path) -> None:
    # The seen-store knows it by the id its item carried.
    spider = make_spider(LatestSpider, tmp_path)
    spider.seen_store.add_pending(PendingArticle("hi-124022800873", 1, "h", None, "2024-02-28T15:42:00+05:30", "old"))
    spider.seen_store.confirm("hi-124022800873", "old")
    assert _read(spider, SITE + "/rss/latest.rss", _feed(_items(HINDI))) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/unchanged_skipped") == 1 and not stats.get_value("bs/discovery/new")


def test_a_hindi_storys_day_is_still_read_from_its_number(tmp_path: Path) -> None:
    assert Entry(url=HINDI).article_id == "hi-124022800873"
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-02-28", until="2024-02-28")
    assert spider.accepts(Entry(url=HINDI)) and not spider.accepts(Entry(url=HINDI.replace("124022800873", "124022900873")))


# --- pages that are never articles, wherever they sit -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/india-news/photo-gallery/x-124022800873_1.html", "webstory"),
        ("/amp/photo-gallery/x-124022800873_1.html", "webstory"),
        ("/photo-gallery/x-124022800873_1.html", "other"),
        ("/markets/video-gallery/x-124022800873_1.html", "video"),
    ],
)
def test_a_gallery_or_story_under_a_section_is_not_requested_as_an_article(tmp_path: Path, path: str, kind: str) -> None:
    # The article callback skips it (bs/skipped/webstory): requested, a run that listed nothing else
    # "found 1 new article but none could be extracted" and exited 3.
    spider = make_spider(LatestSpider, tmp_path)
    assert [r.url for r in _read(spider, SITE + "/rss/latest.rss", _feed(_items(SITE + path, ENGLISH)))] == [ENGLISH]
    stats = spider.crawler.stats
    assert stats.get_value(f"bs/discovery/not_article/{kind}") == 1 and stats.get_value("bs/discovery/new") == 1


# --- feeds and sitemaps whatever their URL is named, and feeds in other dialects ------------------------

OTHER = SITE + "/india-news/y-124022800874_1.html"
ATOM_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Latest</title>'
    f'<link rel="self" href="{SITE}/atom/latest.xml"/><updated>2024-02-28T18:00:00+05:30</updated>'
    f'<entry><title>A</title><link rel="enclosure" href="https://bsmedia.business-standard.com/a.jpg"/>'
    f'<link rel="alternate" type="text/html" href="{ENGLISH}"/><id>tag:business-standard.com,2024:124022800873</id>'
    "<published>2024-02-28T15:42:00+05:30</published><updated>2024-02-28T18:00:00+05:30</updated></entry>"
    '<entry><title>B</title><link href="/india-news/y-124022800874_1.html"/><id>urn:x</id><updated>2024-02-28T10:12:00Z</updated></entry>'
    "</feed>"
).encode()
RDF_FEED = (
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="x"><title>Latest</title></channel>'
    f'<item rdf:about="{ENGLISH}"><title>A</title><link>{ENGLISH}</link><dc:date>2024-02-28T15:42:00+05:30</dc:date></item>'
    f'<item rdf:about="{OTHER}"><title>B</title><link>{OTHER}</link></item></rdf:RDF>'
).encode()
URLSET = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{ENGLISH}</loc></url><url><loc>{OTHER}</loc></url></urlset>'.encode()


@pytest.mark.parametrize(
    ("url", "body", "headers"),
    [
        # A feed named like a sitemap: it was refused as "not-a-sitemap" on every run.
        (SITE + "/rss/latest.xml", _feed(_items(ENGLISH, OTHER)), {}),
        (SITE + "/atom/latest.xml", ATOM_FEED, {}),
        (SITE + "/rss/latest.atom", ATOM_FEED, {}),
        (SITE + "/rss/latest.rss", RDF_FEED, {}),
        # A sitemap named like a feed.
        (SITE + "/rss/latest.rss", URLSET, {}),
        # A feed without a name that says so, served as what it is: it was read as a listing page (no <a>: failed).
        (SITE + "/feeds/latest", _feed(_items(ENGLISH, OTHER)), {"Content-Type": "application/rss+xml; charset=UTF-8"}),
        (SITE + "/feeds/latest", ATOM_FEED, {"Content-Type": "application/atom+xml"}),
    ],
)
def test_a_feed_or_sitemap_is_read_as_what_it_is_whatever_its_url_says(tmp_path: Path, url: str, body: bytes, headers: dict[str, str]) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    response = responsetypes.from_args(headers=Headers(headers), url=url, body=body)(url, body=body, headers=headers, request=Request(url))
    assert [r.url for r in spider.parse_source(response)] == [ENGLISH, OTHER]
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/sources_read") == 1 and not stats.get_value("bs/discovery/failed_sources")


def test_an_atom_entry_is_dated_by_its_publication_and_its_last_change() -> None:
    first, second = parse_rss(ATOM_FEED, SITE + "/atom/latest.xml").entries
    assert (first.url, second.url) == (ENGLISH, OTHER)
    assert first.published is not None and first.published.isoformat() == "2024-02-28T15:42:00+05:30"
    # The change date is what tells an updated story (is_newer()); the publication date its day.
    assert first.lastmod is not None and first.lastmod.isoformat() == "2024-02-28T18:00:00+05:30"
    assert second.published is None and second.lastmod is not None and second.lastmod.isoformat() == "2024-02-28T15:42:00+05:30"


def test_an_rss_1_feed_is_read_with_its_dublin_core_dates() -> None:
    feed = parse_rss(RDF_FEED, SITE + "/rss/latest.rss")
    assert [e.url for e in feed.entries] == [ENGLISH, OTHER] and feed.unreadable_dates == 0
    assert feed.entries[0].published is not None and feed.entries[1].published is None


@pytest.mark.parametrize(
    ("url", "body", "reason"),
    [
        (SITE + "/rss/latest.xml", b"<opml version='2.0'><body><outline/></body></opml>", "not-a-sitemap"),
        (SITE + "/rss/latest.rss", b"<opml version='2.0'><body><outline/></body></opml>", "not-rss"),
        (SITE + "/rss/latest.xml", b"<html><body>Down for maintenance</body></html>", "not-xml"),
        # A sitemap cut short is refused whole, also where its URL named it a feed.
        (SITE + "/rss/latest.rss", URLSET[:-30], "cut"),
        (SITE + "/rss/latest.rss", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Latest</title></feed>', "empty"),
    ],
)
def test_xml_that_is_no_feed_or_sitemap_is_still_a_failed_source_named_as_before(tmp_path: Path, url: str, body: bytes, reason: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    assert _read(spider, url, body) == []
    assert spider.crawler.stats.get_value("bs/discovery/failed_sources") == [f"{url} ({reason})"]


# --- names of sitemaps: a query after them, capitals in them ----------------------------------------------


def _index(*urls: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def test_monthly_sitemaps_with_a_cache_buster_or_a_capital_are_months_of_the_backfill(tmp_path: Path) -> None:
    # Left out, the month was "not listed" (a WARNING, exit 0): a month missing from the backfill.
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-01-01", until="2024-03-31")
    spider.paced = False
    listed = [
        SITE + "/sitemap/2024-january-1.xml?v=1709123456",
        SITE + "/sitemap/2024-February-1.xml",
        SITE + "/sitemap/2024-MARCH-2.xml.gz?ts=1",
        SITE + "/sitemap/2023-december-1.xml?v=1",
    ]
    requests = _read(spider, SITE + "/sitemap/sitemap-index.xml", _index(*listed))
    assert [r.url for r in requests] == listed[:3]
    assert not spider.crawler.stats.get_value("bs/discovery/month_not_listed")


@pytest.mark.parametrize("path", ["/sitemap/Google-News-Sitemap.XML", "/RSS/Latest.RSS", "/sitemap/2024-february-1.XML.GZ"])
def test_a_source_named_in_capitals_is_read_as_a_feed_or_sitemap_not_a_listing(tmp_path: Path, path: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    url = SITE + path
    response = responsetypes.from_args(url=url, body=URLSET)(url, body=URLSET, request=Request(url))
    assert [r.url for r in spider.parse_source(response)] == [ENGLISH, OTHER]


# --- -a arguments given badly -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spider_class", "arguments", "message"),
    [
        # Scrapy quotes the space (drops the tab): one URL of a page that does not exist, both articles lost.
        (ArticleSpider, {"urls": f"{ENGLISH} {OTHER}"}, "holds white space; give several URLs separated by commas"),
        (ArticleSpider, {"url": f"{ENGLISH}\t{OTHER}"}, "holds white space"),
        (ArticleSpider, {"urls": f"{ENGLISH},{OTHER}\n{SITE}/a/z-124022800875_1.html"}, "holds white space"),
        # The walk went on at markets/news/page-3/page-2, a page that is none: the section ended there.
        (SectionSpider, {"sections": "markets/news/page-3"}, "is a page of a section; give the section (markets/news) and -a pages=N"),
        (SectionSpider, {"sections": "markets/news,latest-news/page-2/"}, "'latest-news/page-2' is a page of a section"),
    ],
)
def test_arguments_that_would_fetch_pages_that_do_not_exist_are_refused(spider_class: type, arguments: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        spider_class.check_usage(arguments)


def test_a_saved_page_whose_path_holds_a_space_is_still_taken(tmp_path: Path) -> None:
    page = tmp_path / "saved pages" / "x.html"
    page.parent.mkdir()
    page.write_text("<html></html>")
    ArticleSpider.check_usage({"url": page.as_uri().replace("%20", " ")})
    SectionSpider.check_usage({"sections": "markets/page-turners"})


# --- documents in other encodings ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"])
@pytest.mark.parametrize("declared", [True, False])
def test_a_sitemap_or_feed_in_utf16_or_utf32_is_read_whole_not_salvaged(encoding: str, declared: bool) -> None:
    # Its bytes stripped of "white space", a big-endian document lost the second half of its last
    # line break: read with a WARNING and bs/discovery/source_salvaged, as if it were broken.
    declaration = f'<?xml version="1.0" encoding="{encoding[:6].upper()}"?>\r\n' if declared else ""
    for text in (URLSET.decode(), _feed(_items(ENGLISH, OTHER)).decode().split("?>", 1)[1]):
        body = ("\ufeff" + declaration + text + "\r\n").encode(encoding)
        document = parse_feed_or_sitemap(body, SITE + "/x.xml")
        assert [e.url for e in document.entries] == [ENGLISH, OTHER] and document.salvaged == ""


# --- the AMP twin asked for by a query ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "url"),
    [
        (f"{ENGLISH}?amp", ENGLISH),
        (f"{ENGLISH}?amp=1", ENGLISH),
        (f"{ENGLISH}?AMP=true&amp;utm_source=rss", ENGLISH),
        (f"{ENGLISH}?ref=home&amp;utm_medium=x&amp;amp=1#top", f"{ENGLISH}?ref=home#top"),
        # Only the parameter of that name: others that hold the letters stay.
        (f"{ENGLISH}?camp=1&amp;lamp=2", f"{ENGLISH}?camp=1&lamp=2"),
    ],
)
def test_the_amp_switch_is_not_part_of_an_items_url(tmp_path: Path, link: str, url: str) -> None:
    # The item's url was the AMP twin's when a feed led to it, the page's own when a sitemap did.
    (entry,) = parse_rss(_feed(f"<item><link>{link}</link></item>"), SITE + "/rss/latest.rss").entries
    assert entry.url == url
    html = f'<a href="{link}">A</a>'
    assert parse_listing(html, SITE + "/markets/news").article_urls == [url.split("#")[0]]


@pytest.mark.parametrize(
    ("written", "url"),
    [
        # Parameters named like HTML's legacy entities (reg, copy, not, sect, para, amp ...), which
        # html.unescape() reads without their ";": "&region=" came out as "®ion=".
        ("?id=1&amp;region=north&amp;copy=2&amp;not=3&amp;section=4&amp;para=5", "?id=1&region=north&copy=2&not=3&section=4&para=5"),
        ("?id=1&#38;region=north", "?id=1&region=north"),
        # Escaped twice by the CMS (in CDATA, or "&amp;amp;"): undone once more, as before.
        ("<![CDATA[?id=1&amp;region=north]]>", "?id=1&region=north"),
        ("?id=1&amp;amp;region=north", "?id=1&region=north"),
    ],
)
def test_a_feed_or_sitemap_url_keeps_its_query_as_written(written: str, url: str) -> None:
    def element(name: str) -> str:
        if written.startswith("<![CDATA["):
            return f"<{name}><![CDATA[{ENGLISH}{written[9:]}</{name}>"
        return f"<{name}>{ENGLISH}{written}</{name}>"

    (entry,) = parse_rss(_feed(f"<item>{element('link')}</item>"), SITE + "/rss/latest.rss").entries
    assert entry.url == ENGLISH + url
    (entry,) = parse_rss(_feed(f"<item>{element('guid')}</item>"), SITE + "/rss/latest.rss").entries
    assert entry.url == ENGLISH + url
    urlset = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>{element("loc")}</url></urlset>'.encode()
    assert [e.url for e in parse_feed_or_sitemap(urlset, SITE + "/x.xml").entries] == [ENGLISH + url]
    href = written.replace("<![CDATA[", "").replace("]]>", "").replace("&", "&amp;") if written.startswith("<!") else written
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="{ENGLISH}{href}"/></entry></feed>'.encode()
    assert [e.url for e in parse_rss(atom, SITE + "/x.xml").entries] == [ENGLISH + url]


# --- a sitemap that lists nothing: the month just begun, or a month lost ------------------------------------

EMPTY_URLSET = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n</urlset>\n'


def _month_sitemap(year: int, month: int) -> str:
    return f"{SITE}/sitemap/{year}-{date(year, month, 1).strftime('%B').lower()}-1.xml"


def test_the_sitemap_of_the_month_just_begun_may_list_nothing_yet(tmp_path: Path) -> None:
    # archive allows no failed source: on the 1st, before the month's first story, the backfill
    # up to today exited 1 for a month that has no article yet.
    today = today_ist()
    spider = make_spider(ArchiveSpider, tmp_path, since=str(today.replace(day=1)))
    assert _read(spider, _month_sitemap(today.year, today.month), EMPTY_URLSET) == []
    stats = spider.crawler.stats
    assert not stats.get_value("bs/discovery/failed_sources") and stats.get_value("bs/discovery/sources_read") == 1


@pytest.mark.parametrize(
    "body",
    [
        EMPTY_URLSET,
        b"",
        # Entries without a usable URL, or a document salvaged from a flaw, are no month without articles.
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2024-02-28</lastmod></url></urlset>',
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">&nbsp;</urlset>',
    ],
)
def test_an_earlier_months_sitemap_that_lists_nothing_is_still_a_failed_month(tmp_path: Path, body: bytes) -> None:
    today = today_ist()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    spider = make_spider(ArchiveSpider, tmp_path, since=str(last))
    url = _month_sitemap(last.year, last.month)
    assert _read(spider, url, body) == []
    assert spider.crawler.stats.get_value("bs/discovery/failed_sources") == [f"{url} (empty)"]
    # And the month just begun too, when what it lists is broken rather than nothing.
    if body != EMPTY_URLSET:
        now = _month_sitemap(today.year, today.month)
        assert _read(spider, now, body) == []
        assert spider.crawler.stats.get_value("bs/discovery/failed_sources")[-1] == f"{now} (empty)"


def test_latest_still_fails_a_news_sitemap_that_lists_nothing(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    url = SITE + "/sitemap/google-news-sitemap.xml"
    assert _read(spider, url, EMPTY_URLSET) == []
    assert spider.crawler.stats.get_value("bs/discovery/failed_sources") == [f"{url} (empty)"]


# --- a section's walk stops at a page of stories seen before, whatever else the page links to ----------------


def test_a_gallery_card_on_a_page_of_seen_stories_does_not_keep_the_walk_going(tmp_path: Path) -> None:
    # The gallery is never emitted, so never "seen": every run walked every page of the section.
    spider = make_spider(SectionSpider, tmp_path, sections="india-news", pages="3")
    spider.seen_store.add_pending(PendingArticle("124022800873", 1, "h", None, None, "old"))
    spider.seen_store.confirm("124022800873", "old")
    html = (
        f'<html><body><a href="{ENGLISH}">x</a><a href="/india-news/photo-gallery/p-124022800880_1.html">Pictures</a>'
        '<a href="/india-news/photo-gallery/p-124022800880_1.html#2">More</a></body></html>'
    ).encode()
    url = SITE + "/india-news"
    response = HtmlResponse(url, body=html, request=Request(url))
    assert list(spider.parse_section(response, section="india-news", page=1)) == []
    assert spider.crawler.stats.get_value("bs/discovery/listing_all_seen_stop") == 1
    assert parse_listing(html.decode(), url).article_urls == [ENGLISH]


def test_months_after_this_one_are_not_named_as_missing_from_the_index(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # "-a until=<the year's end>": the months to come have no sitemap yet, which is no WARNING
    # that the site lost them.
    today = today_ist()
    spider = make_spider(ArchiveSpider, tmp_path, since=str(today.replace(day=1)), until=f"{today.year + 1}-12-31")
    spider.paced = False
    this_month = _month_sitemap(today.year, today.month)
    assert [r.url for r in _read(spider, SITE + "/sitemap/sitemap-index.xml", _index(this_month))] == [this_month]
    assert not spider.crawler.stats.get_value("bs/discovery/month_not_listed")
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.parametrize("name", ["/rss/home_page_top_stories.rss", "/rss/home_page_top_stories.xml", "/feeds/home_page_top_stories"])
def test_every_item_of_the_real_feed_is_requested_once_whatever_its_url_is_named(tmp_path: Path, name: str) -> None:
    body = shared_file("real/rss-home_page_top_stories-2021-06-27.xml").read_bytes()
    spider = make_spider(LatestSpider, tmp_path)
    url = SITE + name
    headers = {"Content-Type": "application/rss+xml"}
    response = responsetypes.from_args(headers=Headers(headers), url=url, body=body)(url, body=body, headers=headers, request=Request(url))
    requests = list(spider.parse_source(response))
    assert len(requests) == len({r.url for r in requests}) == body.count(b"<item>") == 30
    # Listed again by another source of the run (here the same feed under its other name): none twice.
    again = XmlResponse(SITE + "/rss/latest.rss", body=body, request=Request(SITE + "/rss/latest.rss"))
    assert list(spider.parse_source(again)) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/new") == 30 and stats.get_value("bs/discovery/sources_read") == 2


# --- a monthly sitemap that is an index of its parts ----------------------------------------------------------


@pytest.mark.parametrize("paced", [False, True])
def test_the_parts_of_a_monthly_sitemap_that_is_an_index_are_read_whatever_their_names(tmp_path: Path, paced: bool) -> None:
    # Held to the monthly name, no part was read, and the month counted as read: lost without a word.
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-01-01", until="2024-01-31")
    spider.paced = paced
    month = SITE + "/sitemap/2024-january-1.xml"
    (request,) = _read(spider, SITE + "/sitemap/sitemap-index.xml", _index(month))
    parts = [SITE + "/sitemap/2024-january-1a.xml", SITE + "/sitemap/articles-2024-01-part-2.xml.gz"]
    found = [r.url for r in spider.parse_source(XmlResponse(month, body=_index(*parts), request=request))]
    # (Paced, the second waits its turn.)
    assert found + [r.url for r in spider.sitemaps_ahead] == parts
    assert not spider.crawler.stats.get_value("bs/discovery/failed_sources")


def test_relative_links_of_a_feed_are_resolved_against_its_xml_base() -> None:
    # Against the feed's URL instead: /rss/markets/news/x-…, a path of the article that is none.
    atom = (
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{SITE}/markets/"><entry xml:base="news/">'
        '<link href="x-124022800873_1.html"/></entry><entry><link href="/india-news/y-124022800874_1.html"/></entry></feed>'
    ).encode()
    assert [e.url for e in parse_rss(atom, SITE + "/rss/latest.xml").entries] == [ENGLISH, OTHER]
    rss = _feed('<item xml:base="/markets/news/"><link>x-124022800873_1.html</link></item>')
    assert [e.url for e in parse_rss(rss, SITE + "/rss/latest.rss").entries] == [ENGLISH]


def test_relative_links_of_a_listing_are_resolved_against_its_base_href() -> None:
    html = (
        f'<html><head><base href="{SITE}/"></head><body><a href="markets/news/x-124022800873_1.html">A</a>'
        '<a href="markets/news/page-3" rel="next">Next</a></body></html>'
    )
    listing = parse_listing(html, SITE + "/markets/news/page-2")
    assert listing.article_urls == [ENGLISH] and listing.next_page == SITE + "/markets/news/page-3"
    # A base that is no URL a browser could use is passed over.
    broken = html.replace(f'href="{SITE}/"', 'href="http://[::1"')
    assert parse_listing(broken, SITE + "/").article_urls == [ENGLISH]


# --- BS_LATEST_SOURCES with a source twice --------------------------------------------------------------------


def test_a_latest_source_given_twice_is_read_once_without_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sources = ["/rss/latest.rss", SITE + "/rss/latest.rss", "rss/latest.rss", "/latest-news/", "/latest-news", "/rss/markets-106.rss"]
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state"), "BS_BASE_URL": SITE, "BS_LATEST_SOURCES": sources})
    spider = LatestSpider.from_crawler(crawler)
    crawler.spider = spider
    assert [request.url for request in _drain(spider.start())] == [SITE + "/rss/latest.rss", SITE + "/latest-news/", SITE + "/rss/markets-106.rss"]
    assert not [r for r in caplog.records if r.levelname == "WARNING"] and not crawler.stats.get_value("bs/discovery/source_repeated")


def test_an_atom_entry_without_a_link_is_found_by_its_id_when_that_is_its_address() -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Latest</title>'
        f'<entry><id>{ENGLISH}</id><link rel="enclosure" href="https://bsmedia.business-standard.com/a.jpg"/></entry>'
        "<entry><id>tag:business-standard.com,2024:124022800874</id></entry></feed>"
    ).encode()
    feed = parse_rss(atom, SITE + "/atom/latest.xml")
    # (The second is an entry the run cannot fetch: counted, as an RSS item without a link.)
    assert [e.url for e in feed.entries] == [ENGLISH] and feed.unusable_urls == 1
