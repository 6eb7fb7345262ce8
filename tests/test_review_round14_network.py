"""Review of round 14's network fixes: answers with no stream behind their Content-Encoding, pages cut
where only the connection framed them, and the verdict of runs whose articles were no page to read; fed
to the middlewares and the verdict as Scrapy builds them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.responsetypes import responsetypes

from crawler import stats as stat
from crawler.middlewares import PartialContentMiddleware, RobotsTxtFailureMiddleware, WholeStreamHttpCompressionMiddleware
from crawler.spiders.article import ArticleSpider
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_network_probes_round9 import ARTICLE_URL, SEED_PAGE, _call
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


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sitemap/2024-november-1.xml", "application/xml"), ("/rss/markets-106.rss", "application/rss+xml"), ("/sitemap/google-news-sitemap.xml", "text/xml")],
    ids=["monthly-sitemap", "feed", "news-sitemap"],
)
def test_a_compressed_feed_or_sitemap_cut_short_is_asked_again_as_a_listing_is(tmp_path: Path, path: str, content_type: str) -> None:
    # Only a listing page (an HTML answer) was asked again: a feed or sitemap so cut (a CDN's copy, often
    # whole the next time) failed at once, and `archive`, which allows no month to fail, exited 1.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    url = LISTING_URL.replace("/latest-news", path)
    document = b'<?xml version="1.0"?>\n<urlset>' + b"<url><loc>%s</loc></url>\n" % ARTICLE_URL.encode() * 200 + b"</urlset>"
    packed = gzip.compress(document)
    request = Request(url)
    response = responsetypes.from_args(headers={"Content-Type": content_type}, url=url, body=packed)(
        url, body=packed[: len(packed) // 2], headers={"Content-Encoding": "gzip", "Content-Type": content_type}, request=request
    )
    again = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(again, Request) and again.url == url
    assert spider.crawler.stats.get_value("retry/reason_count/compressed body cut short") == 1
    # Once its retries are spent, it is read flagged, as before: its parser tells the cut.
    request.meta["dont_retry"] = True
    response = response.replace(headers={"Content-Encoding": "gzip", "Content-Type": content_type})
    decoded = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(decoded, Response) and "dataloss" in decoded.flags


# --- a feed or sitemap cut where only the connection framed it ---------------------------------------------

SITEMAP = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    + b"<url><loc>%s</loc></url>\n" % ARTICLE_URL.encode() * 400
    + b"</urlset>\n"
)
FEED = b'<?xml version="1.0"?>\n<rss version="2.0"><channel>' + b"<item><link>%s</link></item>" % ARTICLE_URL.encode() * 100 + b"</channel></rss>"


def _unframed_xml(url: str, body: bytes, request: Request) -> Response:
    headers = {"Content-Type": "application/xml"}
    return responsetypes.from_args(headers=headers, url=url, body=body)(url, body=body, headers=headers, request=request, flags=["partial"])


@pytest.mark.parametrize("document", [SITEMAP, FEED], ids=["sitemap", "feed"])
def test_a_feed_or_sitemap_cut_where_only_the_connection_framed_it_is_asked_again(tmp_path: Path, document: bytes) -> None:
    # The same drop with a Content-Length is retried by Scrapy; framed by the closing alone, the cut
    # document was read once and failed as `cut`: an `archive` missing that month exited 1.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    url = LISTING_URL.replace("/latest-news", "/sitemap/2024-november-1.xml")
    request = Request(url)
    cut = _unframed_xml(url, document[: len(document) // 2], request)
    again = _call(middleware, "process_response", request, cut, spider=spider)
    assert isinstance(again, Request) and again.url == url and again.meta["retry_times"] == 1
    # Its retries spent, it is read as before: its parser tells the cut (a feed's items before it are read).
    request.meta["dont_retry"] = True
    assert _call(middleware, "process_response", request, cut, spider=spider) is cut
    # Whole, with comments or blank lines after its root's end, it passes at once.
    for whole in (document, document + b"\n<!-- cached 2024-11-30 -->\n\n"):
        response = _unframed_xml(url, whole, Request(url))
        assert _call(middleware, "process_response", response.request, response, spider=spider) is response


@pytest.mark.parametrize("fault", ["gzip-cut", "close-cut"], ids=["compressed-cut", "unframed-drop"])
def test_an_archive_whose_monthly_sitemap_came_cut_short_once_reads_the_month(tmp_path: Path, fault: str) -> None:
    # Cut once (a CDN's copy whose compressed stream ends early, or a connection that dropped where no
    # length framed the body), whole the next time: the month was lost and the run exited 1.
    with LoopbackSite(articles=12, seed=14) as site:
        month = site.monthly_sitemaps()[0][0]
        site.set_path_fault(month, fault, times=1)
        first, last = site.articles[0].published.date(), site.articles[-1].published.date()
        result = crawl(
            "archive", tmp_path, "-a", f"since={first}", "-a", f"until={last}", settings={"BS_BASE_URL": site.base_url}, timeout=120
        )
        assert site.counts[month] == 2, "asked again once"
    assert result.status == 0, result.log[-3000:]
    assert stat.DISCOVERY_SOURCE_FAILED_PREFIX + "cut" not in stats_from_log(result.log)


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_a_robots_txt_of_nul_bytes_is_one_warning_not_rules(tmp_path: Path, caplog: pytest.LogCaptureFixture, encoding: str | None) -> None:
    # Labelled gzip, it was a WARNING as a body that does not decode; passed on as the empty body it
    # is, it must still not be read as the site's rules without a word.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = Request(ARTICLE_URL.split("/india-news/")[0] + "/robots.txt", meta={"dont_obey_robotstxt": True})
    response = Response(request.url, body=b"\0" * 512, headers={"Content-Encoding": encoding} if encoding else {}, request=request)
    decoded = _call(WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler), "process_response", request, response, spider=spider)
    with pytest.raises(IgnoreRequest):
        _call(RobotsTxtFailureMiddleware(spider.crawler), "process_response", request, decoded, spider=spider)
    assert spider.crawler.stats.get_value(stat.ROBOTSTXT_UNREADABLE) == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"Could not read <{request.url}> (NUL bytes only, not rules (HTTP 200)); going on as if it allowed everything"
    ]
