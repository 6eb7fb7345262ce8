"""Discovery parsing at its edges: each limit and rule of the feed, sitemap and listing readers pinned by an exact value."""

from __future__ import annotations

import gzip

import pytest

from crawler.extraction.discovery import TOO_LARGE, BrokenDocument, parse_rss, parse_sitemap, unpack


def test_a_gzip_body_of_exactly_the_limit_is_unpacked_one_byte_more_is_refused() -> None:
    content = b"x" * 4096
    assert unpack(gzip.compress(content), max_size=4096) == content
    with pytest.raises(BrokenDocument) as refused:
        unpack(gzip.compress(content + b"x"), max_size=4096)
    assert refused.value.reason == TOO_LARGE


SITE = "https://www.business-standard.com"
ARTICLE = SITE + "/markets/news/x-124022800873_1.html"


def test_a_sitemap_leaves_out_locations_no_crawler_can_fetch() -> None:
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>ftp://www.business-standard.com/markets/news/y-124022800874_1.html</loc></url>
      <url><loc>http:///markets/news/z-124022800875_1.html</loc></url>
      <url><loc>{ARTICLE}</loc></url></urlset>""".encode()
    sitemap = parse_sitemap(body, SITE)
    assert [e.url for e in sitemap.entries] == [ARTICLE]
    assert sitemap.unusable_urls == 2


def test_a_location_wrapped_in_an_element_is_read_whole() -> None:
    # Text split by a child element (a generator that marks up its URLs) is the element's whole text.
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:x="urn:x">
      <url><loc><x:a>{ARTICLE}</x:a></loc></url></urlset>""".encode()
    assert [e.url for e in parse_sitemap(body, SITE).entries] == [ARTICLE]


def test_an_atom_link_without_href_falls_back_to_the_entrys_web_id() -> None:
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate"/><id>{ARTICLE}</id>
      <updated>2024-02-28T15:42:00+05:30</updated></entry></feed>""".encode()
    feed = parse_rss(body, SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.unusable_urls == 0
