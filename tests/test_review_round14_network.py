"""Review of round 14's network fixes: answers with no stream behind their Content-Encoding, pages cut
where only the connection framed them, and the verdict of runs whose articles were no page to read; fed
to the middlewares and the verdict as Scrapy builds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import stats as stat
from crawler.middlewares import WholeStreamHttpCompressionMiddleware
from crawler.spiders.article import ArticleSpider
from tests.test_network_probes_round14 import ARTICLE_URL, _call
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
