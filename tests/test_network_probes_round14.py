"""Round 14 of the network probes: block pages in place of every article, bodies their Content-Encoding
cannot decode, bodies cut short where no length framed them, and robots.txt answered with something that
is no robots.txt; fed to the middlewares and the verdict as Scrapy builds them, and crawls against the
loopback site where the whole run matters."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import scrapy
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.gz import gunzip
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler import stats as stat
from crawler.failures import UndecodableBody, failure_name
from crawler.middlewares import (
    OffsiteRedirect,
    OffsiteRedirectMiddleware,
    PartialContent,
    PartialContentMiddleware,
    ReloadIgnoringMetaRefreshMiddleware,
    RobotsTxtFailureMiddleware,
    WholeStreamHttpCompressionMiddleware,
    stream_ended,
)
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_EXTRACTION, EXIT_FAILED, RunVerdictExtension
from crawler.spiders.article import ArticleSpider
from tests.conftest import SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import OFFSITE_HOST, LoopbackSite
from tests.test_network_probes_round9 import ARTICLE_URL, SEED_PAGE, _call
from tests.test_spiders_unit import make_spider

PROJECT = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}


def judge(stats: dict[str, Any], reason: str = "finished") -> tuple[int, str]:
    return RunVerdictExtension(get_crawler(settings_dict=PROJECT)).verdict(stats, reason)


def found(articles: int, **more: Any) -> dict[str, Any]:
    """A `latest` run whose robots.txt and nine sources answered, and found ``articles`` new ones."""
    return {stat.DISCOVERY_SOURCES_READ: 9, stat.DISCOVERY_NEW: articles, "response_received_count": 10 + articles, **more}


# --- Akamai's page in place of every article, the feeds answered ---------------------------------------


@pytest.mark.parametrize(
    ("more", "named"),
    [
        ({stat.skipped("blocked"): 6, stat.BLOCKED: 6}, "blocked=6"),
        ({stat.failed("http-403"): 6, stat.BLOCKED: 6}, "http-403=6"),
        ({stat.skipped("blocked"): 4, stat.failed("http-403"): 2, stat.BLOCKED: 6}, "blocked=4, http-403=2"),
    ],
    ids=["200", "403", "both"],
)
def test_block_pages_in_place_of_every_article_are_a_block_not_a_redesign_or_an_outage(more: dict[str, int], named: str) -> None:
    # 6 of 16 answers: under BS_MAX_BLOCKED_SHARE, but every article page the site sent was its refusal.
    # It was exit 5 ("none could be extracted": a redesign) for the 200 page, exit 1 (the site down) for 403.
    status, why = judge(found(6, **more))
    assert status == EXIT_BLOCKED
    assert why == f"discovery found 6 new or changed article(s) but every article page fetched was a block page ({named})"


@pytest.mark.parametrize(
    ("more", "status"),
    [
        # One page of no layout beside the blocks: some page came back and was read.
        ({stat.skipped("blocked"): 5, stat.skipped("unknown-layout"): 1}, EXIT_EXTRACTION),
        # A 503 beside them: the site failing too (tests/test_verdict.py keeps this one).
        ({stat.skipped("blocked"): 5, stat.failed("http-503"): 1}, EXIT_FAILED),
        # An empty answer beside them: no page either, but no block.
        ({stat.skipped("blocked"): 5, stat.skipped("empty"): 1}, EXIT_FAILED),
    ],
)
def test_block_pages_beside_other_outcomes_are_judged_as_before(more: dict[str, int], status: int) -> None:
    assert judge(found(6, **more))[0] == status


@pytest.mark.parametrize("fault", ["block200", "block403"])
def test_a_latest_run_whose_every_article_is_blocked_exits_4(tmp_path: Path, fault: str) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        for record in site.articles:
            site.set_fault(record.article_id, fault)
        # The share of all answers that fails a run is raised above what the article pages make of them
        # (the loopback site lists some 16 articles beside its 10 other answers).
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_MAX_BLOCKED_SHARE": "0.7"})
    stats = stats_from_log(result.log)
    assert stats["bs/blocked"] <= 0.7 * stats["response_received_count"], "too few for the share of all answers"
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "every article page fetched was a block page" in result.log
    assert not result.items and "Traceback" not in result.log


# --- a body its Content-Encoding does not decode ------------------------------------------------------


def _garble(packed: bytes) -> bytes:
    middle = len(packed) // 2
    return packed[:middle] + b"\xff" * 32 + packed[middle + 32 :]


def _stored_gzip_with_a_flipped_byte(page: bytes) -> bytes:
    # Stored (uncompressed) deflate blocks: a flipped byte still decodes, to a page of the same length
    # with one wrong character; only the gzip trailer's CRC-32 tells.
    packed = bytearray(gzip.compress(page, compresslevel=0))
    packed[len(packed) // 2] ^= 0x20
    return bytes(packed)


def _encoded(encoding: str, page: bytes) -> bytes:
    if encoding == "gzip":
        return _garble(gzip.compress(page))
    if encoding == "deflate":
        return _garble(zlib.compress(page))
    if encoding == "br":
        # (A dependency of Scrapy 2.14+ only: Scrapy 2.13 decodes br only with it installed.)
        brotli = pytest.importorskip("brotli", reason="brotli is not installed (Scrapy 2.13 does not need it)")
        return _garble(brotli.compress(page))
    if encoding == "zstd":
        if b"zstd" not in ACCEPTED_ENCODINGS:
            pytest.skip("this Scrapy does not decode zstd (nor ask for it): Scrapy 2.13 without zstandard")
        return b"\x28\xb5\x2f\xfd" + b"\xff" * 64  # a frame header no decoder reads
    assert encoding == "gzip-crc"
    return _stored_gzip_with_a_flipped_byte(page)


CORRUPT = ["gzip", "deflate", "br", "zstd", "gzip-crc"]


@pytest.mark.parametrize("encoding", CORRUPT)
def test_a_corrupt_compressed_article_is_retried_then_failed_as_undecodable(tmp_path: Path, encoding: str) -> None:
    # Scrapy raised zlib's, brotli's or zstd's own error from its middleware: no retry, `other` in the
    # summary; gzip's decoder kept what it read past a check that did not match, and that was the page.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    body = _encoded(encoding, SEED_PAGE.read_bytes())
    header = encoding.split("-")[0]
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=body, headers={"Content-Encoding": header}, request=request)
    again = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(again, Request) and again.url == ARTICLE_URL and again.meta["retry_times"] == 1
    stats = spider.crawler.stats.get_stats()
    assert stats["retry/reason_count/undecodable body"] == 1
    request.meta["dont_retry"] = True
    # (Scrapy's middleware empties the header of the answer it decoded: the next try is a new answer.)
    response = HtmlResponse(ARTICLE_URL, body=body, headers={"Content-Encoding": header}, request=request)
    with pytest.raises(UndecodableBody, match=f"does not decode as {header}") as raised:
        _call(middleware, "process_response", request, response, spider=spider)
    failure = Failure(raised.value)
    failure.request = request  # type: ignore[attr-defined]
    spider.article_failed(failure)
    assert spider.crawler.stats.get_value(stat.failed("undecodable")) == 1


def test_a_whole_compressed_article_with_a_right_check_is_read() -> None:
    page = SEED_PAGE.read_bytes()
    packed = gzip.compress(page, compresslevel=0)
    assert stream_ended(packed, b"gzip", len(page), zlib.crc32(page))
    flipped = _stored_gzip_with_a_flipped_byte(page)
    assert not stream_ended(flipped, b"gzip", len(page), zlib.crc32(gunzip(flipped)))


def test_a_corrupt_compressed_robots_txt_is_one_warning_and_no_rules(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Scrapy's robots.txt middleware logged it as an ERROR with a traceback, naming the article that waited.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    request = Request(SITE + "/robots.txt", meta={"dont_obey_robotstxt": True})
    response = Response(request.url, body=_garble(gzip.compress("".join(f"Disallow: /{n:x}-{n * n}/\n" for n in range(300)).encode())), headers={"Content-Encoding": "gzip"}, request=request)
    with pytest.raises(IgnoreRequest):
        _call(middleware, "process_response", request, response, spider=spider)
    assert spider.crawler.stats.get_value(stat.ROBOTSTXT_UNREADABLE) == 1
    assert [r.levelname for r in caplog.records if "robots.txt" in r.getMessage()] == ["WARNING"]


def test_corrupt_compressed_sources_articles_and_robots_txt_in_a_crawl(tmp_path: Path) -> None:
    with LoopbackSite(articles=12, seed=14) as site:
        article = site.articles[-1]
        for path in ("/robots.txt", "/rss/markets-106.rss", article.path):
            site.set_path_fault(path, "gzip-corrupt")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
        assert site.article_requests(article.article_id) == 2, "asked again once"
        assert not site.errors
    stats = stats_from_log(result.log)
    assert stats["bs/robotstxt/unreadable"] == 1
    assert stats[stat.source_failed("undecodable")] == 1 and stats[stat.failed("undecodable")] == 1
    assert "Traceback" not in result.log and "other=" not in result.log
    assert article.article_id not in result.ids() and len(result.ids()) > 5
    assert "undecodable=1)" in next(line for line in result.log.splitlines() if "Run summary" in line)


# --- robots.txt answered with no rules ----------------------------------------------------------------

BLOCK_PAGE = (
    b"<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n"
    b"Reference&#32;&#35;18&#46;a1b2c3d4&#46;1700000000&#46;1a2b3c4d\n</BODY>\n</HTML>\n"
)


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        # (A 5xx is robots.txt unreachable, which closes the run since round 25.)
        (200, b"\n<!DOCTYPE html><html><head><title>Business News</title></head><body>...</body></html>", "an HTML page, not rules (HTTP 200)"),
        (403, BLOCK_PAGE, "an HTML page, not rules (HTTP 403)"),
    ],
    ids=["home-page", "akamai-403"],
)
def test_a_robots_txt_answered_with_no_rules_is_one_warning_and_a_stat(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, status: int, body: bytes, why: str
) -> None:
    # Scrapy read each body as rules, none of them any, and crawled as allowed without a word.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = RobotsTxtFailureMiddleware(spider.crawler)
    request = Request(SITE + "/robots.txt", meta={"dont_obey_robotstxt": True})
    response = Response(request.url, status=status, body=body, request=request)
    with pytest.raises(IgnoreRequest):
        _call(middleware, "process_response", request, response, spider=spider)
    assert spider.crawler.stats.get_value(stat.ROBOTSTXT_UNREADABLE) == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"Could not read <{SITE}/robots.txt> ({why}); going on as if it allowed everything"
    ]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"# robots.txt\nUser-agent: *\nDisallow: /charts\n"),
        (200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /content/\n"),
        (200, b""),
        (404, b"<html><body>Not found</body></html>"),
        (410, b""),
    ],
    ids=["rules", "rules-bom", "empty", "404", "410"],
)
def test_robots_txt_rules_and_a_missing_robots_txt_pass_as_before(tmp_path: Path, status: int, body: bytes) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = RobotsTxtFailureMiddleware(spider.crawler)
    request = Request(SITE + "/robots.txt", meta={"dont_obey_robotstxt": True})
    response = Response(request.url, status=status, body=body, request=request)
    passed = _call(middleware, "process_response", request, response, spider=spider)
    # The same answer; rules with a byte-order mark without it (round 25), for Scrapy 2.13's parser.
    assert passed is response or (passed.status, passed.body) == (status, body.removeprefix(b"\xef\xbb\xbf"))
    # An article's answer is no robots.txt, whatever it holds.
    article = Request(ARTICLE_URL)
    page = Response(ARTICLE_URL, status=500, body=b"<html></html>", request=article)
    assert _call(middleware, "process_response", article, page, spider=spider) is page
    assert spider.crawler.stats.get_value(stat.ROBOTSTXT_UNREADABLE) is None


def test_a_robots_txt_answered_with_a_maintenance_page_is_said_in_a_crawl(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        site.set_path_fault("/robots.txt", "maintenance")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    assert result.status == 0 and result.items, result.log[-3000:]
    assert stats_from_log(result.log)["bs/robotstxt/unreadable"] == 1
    assert "robots.txt> (an HTML page, not rules (HTTP 200)); going on as if it allowed everything" in result.log


# --- a page whose only frame is the connection's closing, cut short -------------------------------------


def _unframed(url: str, body: bytes, request: Request, **kwargs: Any) -> Response:
    """The answer Scrapy builds for a body without Content-Length or chunks: flagged ``partial``,
    whether or not it arrived whole (only the closing of the connection ended it)."""
    respcls = responsetypes.from_args(headers=kwargs.get("headers"), url=url, body=body)
    return respcls(url, body=body, request=request, flags=["partial"], **kwargs)


@pytest.mark.parametrize("cut", [0.5, 0.97], ids=["half", "tail-only"])
def test_a_page_cut_where_only_the_connection_framed_it_is_retried_then_data_loss(tmp_path: Path, cut: float) -> None:
    # Scrapy hands such a body to the callback as the page: half an article was written as a good item
    # (no Also Read, no syndication note) and marked seen.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    page = SEED_PAGE.read_bytes()
    request = Request(ARTICLE_URL)
    response = _unframed(ARTICLE_URL, page[: int(len(page) * cut)], request, headers={"Content-Type": "text/html; charset=utf-8"})
    again = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1
    request.meta["dont_retry"] = True
    with pytest.raises(PartialContent) as raised:
        _call(middleware, "process_response", request, response, spider=spider)
    assert failure_name(raised.value) == "data-loss"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (None, "text/html; charset=utf-8", 200),  # the whole page, framed by the closing alone
        (b"<html><body><p>x</p></body></html>\n<script>var tail = 1;</script>\n", "text/html", 200),
        # A whole feed sent as a page (one cut short is asked again: test_review_round14_network.py).
        (b"<?xml version='1.0'?><rss><channel><item><link>x</link></item></channel></rss>", "text/html", 200),
        (b"<html><body><h1>Service Unavail", "text/html", 503),  # an error answer is judged by its status
        (b"", "text/html", 200),  # empty: skipped as such downstream
    ],
    ids=["whole-page", "script-after-html", "feed", "503", "empty"],
)
def test_unframed_answers_that_are_whole_or_no_page_pass(tmp_path: Path, body: bytes | None, content_type: str, status: int) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    request = Request(ARTICLE_URL)
    response = _unframed(ARTICLE_URL, SEED_PAGE.read_bytes() if body is None else body, request, headers={"Content-Type": content_type}, status=status)
    assert _call(middleware, "process_response", request, response, spider=spider) is response
    # A whole page its Content-Length framed: no flag, passed on (one framed but cut short is not:
    # test_network_probes_round22.py).
    framed = HtmlResponse(ARTICLE_URL, body=SEED_PAGE.read_bytes(), request=request)
    assert _call(middleware, "process_response", request, framed, spider=spider) is framed


def test_an_article_cut_where_only_the_connection_framed_it_gives_no_item_in_a_crawl(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        cut, whole = site.articles[-1], site.articles[-2]
        site.set_path_fault(cut.path, "close-cut")
        site.set_path_fault(whole.path, "close-cut", times=1)  # cut once, then whole
        result = crawl("article", tmp_path, "-a", f"urls={cut.url},{whole.url}", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
        assert site.article_requests(cut.article_id) == 2 and site.article_requests(whole.article_id) == 2
    assert result.ids() == [whole.article_id], result.log[-3000:]
    assert stats_from_log(result.log)[stat.failed("data-loss")] == 1
    assert f"Failed <{cut.url}>: data-loss (the connection closed before the end of the page (no Content-Length))" in result.log


# --- one ERROR line per page given up ---------------------------------------------------------------------


@pytest.mark.skipif(scrapy.version_info < (2, 14), reason="Scrapy 2.13 has no RETRY_GIVE_UP_LOG_LEVEL: its line stays at ERROR")
def test_a_page_given_up_after_retries_is_one_error_line_not_two(tmp_path: Path) -> None:
    # Scrapy's "Gave up retrying <GET url> (failed 2 times): 503 Service Unavailable" came at ERROR too,
    # before the spider's "Failed <url>: http-503": a cron log at LOG_LEVEL=ERROR held each failure twice.
    with LoopbackSite(articles=6, seed=14) as site:
        failing, good = site.articles[-1], site.articles[-2]
        site.set_fault(failing.article_id, "error503-always")
        site.set_path_fault(good.path, "reset", times=1)  # reset once, then answered: a retry that worked
        result = crawl("article", tmp_path, "-a", f"urls={failing.url},{good.url}", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert [line.split(" ERROR: ", 1)[1] for line in errors if failing.url in line] == [f"Failed <{failing.url}>: http-503 (Ignoring non-200 response)"]
    assert f"WARNING: Gave up retrying <GET {failing.url}> (failed 2 times): 503 Service Unavailable" in result.log
    assert stats_from_log(result.log)["log_count/ERROR"] == 1  # the failed page (half of two: the run is ok)
    assert result.ids() == [good.article_id]


# --- a Location Scrapy follows to another host, written so a plain urljoin stays on the site --------------

LOCATIONS = [
    "https:\\\\evil.example/x",
    "https:/\\evil.example/x",
    "\\\\evil.example/x",
    " https://evil.example/x",
    "//evil.example/x",
    "https://www.business-standard.com@evil.example/x",
    "/\\evil.example/x",  # stays: w3lib quotes the backslash of a path
    "https:evil.example/x",  # stays: the same scheme, a relative path
    "/markets/news/other-124022800999_1.html",
]


@pytest.mark.parametrize("location", LOCATIONS)
def test_a_redirect_is_judged_off_site_exactly_when_scrapy_follows_it_off_site(tmp_path: Path, location: str) -> None:
    # `https:\\evil.example/x` was joined as a path on the site, passed, and Scrapy's redirect went to
    # evil.example: a request of the `article` spider (not duplicate-filtered, so not off-site-filtered
    # either) was sent to another host, four times.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = Request(ARTICLE_URL)
    moved = HtmlResponse(ARTICLE_URL, status=301, headers={"Location": location.encode("latin-1")}, request=request)
    followed = _call(RedirectMiddleware.from_crawler(spider.crawler), "process_response", request, moved, spider=spider)
    assert isinstance(followed, Request)
    off_site = urlsplit(followed.url).hostname != "www.business-standard.com"
    middleware = OffsiteRedirectMiddleware.from_crawler(spider.crawler)
    if off_site:
        with pytest.raises(OffsiteRedirect) as raised:
            _call(middleware, "process_response", request, moved, spider=spider)
        assert urlsplit(raised.value.target).hostname == urlsplit(followed.url).hostname
    else:
        assert _call(middleware, "process_response", request, moved, spider=spider) is moved


@pytest.mark.parametrize(
    ("content", "off_site"),
    [
        ("0;url=http://evil.example/story-124022800873_1.html", True),
        ("5; URL='//evil.example/x'", True),
        ("0;url=/markets/news/other-124022800999_1.html", False),
    ],
)
def test_a_meta_refresh_to_another_host_fails_as_an_offsite_redirect(tmp_path: Path, content: str, off_site: bool) -> None:
    # Followed as Scrapy follows it: `article`'s requests, which no off-site filter looks at, went there.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = ReloadIgnoringMetaRefreshMiddleware.from_crawler(spider.crawler)
    request = Request(ARTICLE_URL)
    page = HtmlResponse(ARTICLE_URL, body=f'<html><head><meta http-equiv="refresh" content="{content}"></head></html>'.encode(), request=request)
    if off_site:
        with pytest.raises(OffsiteRedirect, match="redirected off the site to <https?://evil.example/"):
            _call(middleware, "process_response", request, page, spider=spider)
    else:
        followed = _call(middleware, "process_response", request, page, spider=spider)
        assert isinstance(followed, Request) and followed.url == SITE + "/markets/news/other-124022800999_1.html"


@pytest.mark.parametrize("fault", ["offsite-backslash", "refresh-offsite"])
def test_an_article_sent_to_another_host_is_not_followed(tmp_path: Path, fault: str) -> None:
    # A 301 whose Location is written with backslashes, or a page whose meta refresh names another host.
    with LoopbackSite(articles=6, seed=14) as site:
        moved = site.articles[-1]
        site.set_path_fault(moved.path, fault)
        result = crawl("article", tmp_path, "-a", f"url={moved.url}", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
    assert stats_from_log(result.log)[stat.failed("offsite-redirect")] == 1, result.log[-3000:]
    assert f"Failed <{moved.url}>: redirected off the site to <http://{OFFSITE_HOST}:" in result.log
    assert f"GET http://{OFFSITE_HOST}" not in result.log and "Connection was refused" not in result.log


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_an_empty_answer_that_names_an_encoding_is_empty_not_cut_short(tmp_path: Path, encoding: str) -> None:
    # It was flagged as a stream cut short: "Failed <url>: data-loss" where the same answer without the
    # header is "Skipped <url>: not an article (empty)".
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = WholeStreamHttpCompressionMiddleware.from_crawler(spider.crawler)
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=b"", headers={"Content-Encoding": encoding}, request=request)
    decoded = _call(middleware, "process_response", request, response, spider=spider)
    assert "dataloss" not in decoded.flags
    assert list(spider.parse_article(decoded)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats.get(stat.skipped("empty")) == 1 and not any(k.startswith(stat.FAILED_PREFIX) for k in stats)


# --- a compressed listing page cut short ----------------------------------------------------------------


def test_a_compressed_listing_cut_short_is_a_failed_source_not_a_listing_without_links(tmp_path: Path) -> None:
    # Scrapy decoded what there was; nothing in the listing's callback reads the flag that says so:
    # /latest-news failed as "no-article-links" (the site's links gone?), and its links before the cut
    # were read as the whole page.
    with LoopbackSite(articles=30, seed=14) as site:
        site.set_path_fault("/latest-news", "gzip-cut")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
        assert site.counts["/latest-news"] == 2, "asked again once"
    stats = stats_from_log(result.log)
    assert stats[stat.source_failed("data-loss")] == 1 and stat.source_failed("no-article-links") not in stats
    assert "Discovery source failed <" in result.log and "/latest-news>: data-loss (its body arrived cut short; reading the" in result.log


def test_a_later_section_page_cut_short_is_a_failed_source_not_the_end_of_the_section(tmp_path: Path) -> None:
    # Cut before its first link, page 2 was taken for the page past the section's end: the walk stopped
    # there in silence, an INFO line, and the run said ok with the pages after it never read.
    with LoopbackSite(articles=400, seed=14) as site:
        site.set_path_fault("/markets/news/page-2", "gzip-cut")
        result = crawl("section", tmp_path, "-a", "sections=markets/news", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
        assert site.counts["/markets/news/page-3"] == 1, "the walk goes on past the cut page"
    stats = stats_from_log(result.log)
    assert stats[stat.source_failed("data-loss")] == 1, result.log[-3000:]
    assert "/markets/news/page-2>: data-loss (its body arrived cut short" in result.log


def test_a_404_past_the_sections_end_cut_short_still_ends_the_walk(tmp_path: Path) -> None:
    # The answer's status is whole even where its body is not: a 404 is the section's end, cut or not.
    with LoopbackSite(articles=60, seed=14) as site:
        site.set_path_fault("/markets/news/page-2", "gzip-cut")
        result = crawl("section", tmp_path, "-a", "sections=markets/news", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/listing_end"] == 1 and stat.source_failed("data-loss") not in stats, result.log[-3000:]
    assert result.status == 0


def test_a_compressed_feed_cut_short_is_still_read_up_to_the_cut(tmp_path: Path) -> None:
    # Feeds and sitemaps tell a cut document by parsing it (the items closed before the cut are read).
    with LoopbackSite(articles=30, seed=14) as site:
        site.set_path_fault("/rss/latest.rss", "gzip-cut")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert stats_from_log(result.log)[stat.source_failed("cut")] == 1, result.log[-3000:]
    assert result.items


# --- answers that are no page of the site, in place of every article ---------------------------------------


@pytest.mark.parametrize("reason", ["empty", "not-html", "cut-gzip", "redirected-away"])
def test_answers_that_are_no_page_in_place_of_every_article_are_the_site_failing_not_a_redesign(reason: str) -> None:
    # Exit 5 is how a redesign shows ("extraction failed"): an empty body, an image or a gateway's JSON,
    # a cut gzip stream or a redirect away from the story were judged so, though no rule read any page.
    status, why = judge(found(3, **{stat.skipped(reason): 3}))
    assert (status, why) == (EXIT_FAILED, f"discovery found 3 new or changed article(s) but none could be fetched ({reason}=3)")
    # One page the rules did read, and refused, still makes it theirs.
    assert judge(found(3, **{stat.skipped(reason): 2, stat.skipped("unknown-layout"): 1}))[0] == EXIT_EXTRACTION


def test_a_run_whose_every_article_answered_empty_exits_1(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        records = site.articles[-3:]
        for record in records:
            site.set_fault(record.article_id, "empty")
        result = crawl("article", tmp_path, "-a", "urls=" + ",".join(r.url for r in records), settings={"BS_BASE_URL": site.base_url})
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert "exit=1 (discovery found 3 new or changed article(s) but none could be fetched (empty=3))" in result.log
