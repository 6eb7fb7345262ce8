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


# --- salvaged documents: the document's end, not its last bytes, says whether it was cut ---------------


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
