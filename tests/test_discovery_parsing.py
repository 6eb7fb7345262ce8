"""Feeds, sitemaps and listings → article links; XML is read safely; URL kinds."""

from __future__ import annotations

import pytest

from crawler.extraction.discovery import BrokenDocument, monthly_sitemap_month, parse_listing, parse_rss, parse_sitemap
from crawler.extraction.urls import article_fetch_url, url_kind
from tests.conftest import SITE, shared_file


def test_the_real_rss_feed() -> None:
    feed = parse_rss(shared_file("real/rss-home_page_top_stories-2021-06-27.xml").read_bytes(), SITE)
    assert len(feed.entries) == 30
    first = feed.entries[0]
    assert first.article_id == "121062601192"
    assert first.lastmod is not None and first.lastmod.isoformat() == "2021-06-27T14:44:03+05:30"
    assert feed.unreadable_dates == 0


def test_rss_with_broken_dates_keeps_entries_undated() -> None:
    body = b"""<rss version="2.0"><channel><item><link>https://www.business-standard.com/a/x-124022800873_1.html</link>
    <pubDate>Someday, 99 Foo 2024</pubDate></item></channel></rss>"""
    feed = parse_rss(body, SITE)
    assert feed.entries[0].lastmod is None and feed.unreadable_dates == 1


def test_sitemap_urlset_and_news_dates() -> None:
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://www.business-standard.com/a/x-124022800873_1.html</loc>
      <news:news><news:publication_date>2024-02-28T15:42:00+05:30</news:publication_date></news:news></url>
      <url><loc>https://www.business-standard.com/b/y-124022800874_1.html</loc><lastmod>2024-02-29T10:00:00+05:30</lastmod></url></urlset>"""
    sitemap = parse_sitemap(body, SITE)
    assert not sitemap.is_index
    assert [e.article_id for e in sitemap.entries] == ["124022800873", "124022800874"]
    assert sitemap.entries[0].published is not None and sitemap.entries[1].lastmod is not None


def test_sitemap_index() -> None:
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/sitemap/2024-february-1.xml</loc></sitemap></sitemapindex>"""
    sitemap = parse_sitemap(body, SITE)
    assert sitemap.is_index and sitemap.entries[0].url == SITE + "/sitemap/2024-february-1.xml"
    assert monthly_sitemap_month(sitemap.entries[0].url) == (2024, 2)
    assert monthly_sitemap_month(SITE + "/sitemap/google-news-sitemap.xml") is None


@pytest.mark.parametrize("body", [b"", b"<urlset><url>", b"not xml at all", b"<html><body>Access Denied</body></html>"])
def test_broken_sitemaps_raise_broken_document(body: bytes) -> None:
    with pytest.raises(BrokenDocument):
        parse_sitemap(body, SITE)


def test_external_entities_are_never_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = f"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.business-standard.com/a/x-124022800873_1.html&xxe;</loc></url></urlset>""".encode()
    try:
        sitemap = parse_sitemap(body, SITE)
    except BrokenDocument:
        return
    assert all("TOP-SECRET" not in e.url for e in sitemap.entries)


def test_entity_expansion_bomb_is_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss><channel><item><link>&lol3;</link></item></channel></rss>"""
    try:
        feed = parse_rss(bomb, SITE)
    except BrokenDocument:
        return
    assert all("lollol" not in e.url for e in feed.entries)


def test_listing_links_and_next_page() -> None:
    html = """<html><body><a href="/markets/news/a-124022800873_1.html">A</a><a href="/topic/sensex">Sensex</a>
    <a href="/video/v-124022800111_1.html">Video</a><a href="https://elsewhere.example/x-124022800999_1.html">Off</a>
    <a href="/markets/news/page-2" rel="next">Next</a></body></html>"""
    listing = parse_listing(html, SITE + "/markets/news")
    assert listing.article_urls == [SITE + "/markets/news/a-124022800873_1.html", "https://elsewhere.example/x-124022800999_1.html"]
    assert listing.next_page == SITE + "/markets/news/page-2"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/india-news/x-124022800873_1.html", "article"),
        ("/amp/india-news/x-124022800873_1.html", "article"),
        ("/article/companies/x-119011800410_1.html", "article"),
        ("/video/x-124022800873_1.html", "video"),
        ("/topic/khalistan-movement", "topic"),
        ("/latest-news/page-3", "listing"),
        ("/markets/news", "listing"),
        ("/markets/live-market", "other"),
        ("/about-us.html", "other"),
    ],
)
def test_url_kinds(path: str, kind: str) -> None:
    assert url_kind(SITE + path) == kind


def test_amp_and_other_slugs_fetch_by_their_own_url_but_amp_goes_canonical() -> None:
    assert article_fetch_url(SITE + "/amp/india-news/x-124022800873_1.html#top") == SITE + "/india-news/x-124022800873_1.html"


# --- compressed, large, cut and salvaged documents ---------------------------------------------------

import gzip  # noqa: E402

from crawler.extraction.discovery import unpack  # noqa: E402

URLSET = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    + b"".join(
        f"<url><loc>{SITE}/markets/news/x-1240228{n:05d}_1.html</loc><lastmod>2024-02-28T10:00:00+05:30</lastmod></url>\n".encode()
        for n in range(200)
    )
    + b"</urlset>"
)


@pytest.mark.parametrize("packed", [URLSET, gzip.compress(URLSET, mtime=0), gzip.compress(URLSET[:500], mtime=0) + gzip.compress(URLSET[500:], mtime=0)])
def test_a_sitemap_is_read_plain_gzipped_or_in_gzip_members(packed: bytes) -> None:
    assert len(parse_sitemap(packed, SITE).entries) == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    # mtime=0: the gzip header is the same in every process, so are the test ids (pytest-xdist compares them).
    [
        (gzip.compress(URLSET, mtime=0)[:300], "cut-gzip"),
        (gzip.compress(URLSET, mtime=0)[:10], "cut-gzip"),
        (b"\x1f\x8b\x08\x00garbage that is not deflate", "cut-gzip"),
        (URLSET[: len(URLSET) // 2], "cut"),
        (b"<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><p>Back soon<br></body></html>", "not-xml"),
        (b"<html><body><h1>Maintenance</h1></body></html>", "not-xml"),
        (b"Service Unavailable", "not-xml"),
        (b"", "empty"),
        (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>', "empty"),
        (b"<feed><entry/></feed>", "not-a-sitemap"),
    ],
)
def test_unreadable_sitemaps_say_why(body: bytes, reason: str) -> None:
    with pytest.raises(BrokenDocument) as caught:
        parse_sitemap(body, SITE)
    assert caught.value.reason == reason


def test_unpacking_is_bounded() -> None:
    bomb = gzip.compress(b" " * (4 * 1024 * 1024))
    assert len(bomb) < 10_000
    with pytest.raises(BrokenDocument) as caught:
        unpack(bomb, max_size=1024 * 1024)
    assert caught.value.reason == "too-large"
    assert len(unpack(bomb, max_size=0)) == 4 * 1024 * 1024


def test_a_50000_url_sitemap_is_read_whole() -> None:
    entries = "".join(f"<url><loc>{SITE}/markets/news/some-long-slug-{n}-1240228{n % 100000:05d}_1.html</loc></url>" for n in range(50_000))
    sitemap = parse_sitemap(gzip.compress(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()), SITE)
    assert len(sitemap.entries) == 50_000 and not sitemap.salvaged


def test_monthly_sitemaps_may_be_gzipped_files() -> None:
    assert monthly_sitemap_month(SITE + "/sitemap/2024-february-1.xml.gz") == (2024, 2)


def _feed(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Latest</title>{items}</channel></rss>'.encode()


def test_a_feed_with_a_stray_nbsp_is_salvaged_and_says_so() -> None:
    items = "".join(f"<item><title>Markets&nbsp;{n}</title><link>{SITE}/a/x-12402280087{n}_1.html</link></item>" for n in range(3))
    feed = parse_rss(_feed(items), SITE)
    assert [e.article_id for e in feed.entries] == ["124022800870", "124022800871", "124022800872"]
    assert "nbsp" in feed.salvaged
    clean = parse_rss(_feed(items.replace("&nbsp;", " ")), SITE)
    assert clean.salvaged == "" and len(clean.entries) == 3


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_feed(f"<item><link>{SITE}/a/x-124022800870_1.html</link></item>")[:-40], "cut"),
        (b"<html><body>We'll be back soon</body></html>", "not-xml"),
        (_feed(""), "empty"),
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url></urlset>', "not-rss"),
    ],
)
def test_unreadable_feeds_say_why(body: bytes, reason: str) -> None:
    with pytest.raises(BrokenDocument) as caught:
        parse_rss(body, SITE)
    assert caught.value.reason == reason
