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


@pytest.mark.parametrize("lead", [b"\xef\xbb\xbf\n", b"\xef\xbb\xbf\r\n\r\n", b"\xef\xbb\xbf \t"])
def test_a_byte_order_mark_then_white_space_is_no_flaw(lead: bytes) -> None:
    feed = parse_rss(lead + _feed(f"<item><link>{ARTICLE}</link></item>", head=b'<?xml version="1.0" encoding="UTF-8"?>'), SITE)
    assert [e.url for e in feed.entries] == [ARTICLE] and feed.salvaged == ""
    with pytest.raises(BrokenDocument) as caught:
        parse_rss(lead + _feed(f"<item><link>{ARTICLE}</link></item>")[:-60], SITE)
    assert caught.value.reason == "cut"
