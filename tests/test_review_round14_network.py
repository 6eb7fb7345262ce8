"""Review of round 14's network fixes: answers with no stream behind their Content-Encoding, pages cut
where only the connection framed them, and the verdict of runs whose articles were no page to read; fed
to the middlewares and the verdict as Scrapy builds them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import stats as stat
from crawler.middlewares import WholeStreamHttpCompressionMiddleware
from crawler.spiders.article import ArticleSpider
from tests.test_network_probes_round14 import ARTICLE_URL, SEED_PAGE, _call
from tests.test_spiders_unit import make_spider


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_a_body_of_nul_bytes_that_names_an_encoding_is_empty_not_undecodable(tmp_path: Path, encoding: str) -> None:
    # A stored copy whose bytes were never written, its headers kept: the decoders reject the NULs, and
    # it was asked again and again, then failed as `undecodable`, where the same body unlabelled (and an
    # empty one labelled) is skipped as empty.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=b"\0" * 4096, headers={"Content-Encoding": encoding}, request=request)
    passed = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(passed, HtmlResponse) and "dataloss" not in passed.flags
    assert b"Content-Encoding" not in passed.headers
    assert list(spider.parse_article(passed)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.skipped("empty")) == 1, stats
    assert not any(k.startswith((stat.FAILED_PREFIX, "retry/")) for k in stats), stats


LISTING_URL = ARTICLE_URL.split("/india-news/")[0] + "/latest-news"


@pytest.mark.parametrize("cut", [10, 40], ids=["header-only", "before-the-first-byte-decoded"])
def test_a_gzip_body_cut_before_its_first_decoded_byte_is_cut_short_not_undecodable(tmp_path: Path, cut: int) -> None:
    # gzip's decoder raises on a stream that ends before it gave a byte (its header, a block's code
    # tables), where it hands over what it decoded of one cut later: the same cut was failed as a
    # corrupt body ("undecodable: ... EOFError: Compressed file ended ...") and retried as one.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    packed = gzip.compress(SEED_PAGE.read_bytes())[:cut]
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=packed, headers={"Content-Encoding": "gzip"}, request=request)
    decoded = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(decoded, HtmlResponse) and "dataloss" in decoded.flags
    assert list(spider.parse_article(decoded)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.failed("data-loss")) == 1 and "retry/count" not in stats, stats
    # A listing so cut is asked again, as one cut later is.
    listing = Request(LISTING_URL)
    response = HtmlResponse(LISTING_URL, body=packed, headers={"Content-Encoding": "gzip"}, request=listing)
    again = _call(middleware, "process_response", listing, response, spider=spider)
    assert isinstance(again, Request) and again.url == LISTING_URL
    assert spider.crawler.stats.get_value("retry/reason_count/compressed body cut short") == 1
