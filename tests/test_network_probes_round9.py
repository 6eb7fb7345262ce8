"""Round 9 of the network probes: what a CDN, an origin or a proxy answers that earlier rounds did not
cover, fed to the spiders and middlewares as the Response objects Scrapy builds, and crawls against
the loopback site where the whole run matters."""

from __future__ import annotations

import gzip
import inspect
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import scrapy
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import stats as stat
from crawler.monitoring.verdict import EXIT_OK
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import PAGES, SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.corpus import CURRENT
from tests.loopback.site import OFFSITE_HOST, PIXEL, LoopbackSite
from tests.test_spiders_unit import make_spider

SEED_PAGE = PAGES / "nextjs-2023" / "seed-syndicated" / "page.html"
ARTICLE_URL = SITE + "/india-news/india-us-defence-meet-security-cooperation-intelligence-sharing-discussed-124022800873_1.html"


def _call(middleware: Any, method: str, request: Request, *args: Any, spider: Any) -> Any:
    # As the running Scrapy calls it: 2.13 always passes the spider, later versions only where required.
    bound = getattr(middleware, method)
    parameter = inspect.signature(bound).parameters.get("spider")
    wants_spider = scrapy.version_info < (2, 14) or (parameter is not None and parameter.default is inspect.Parameter.empty)
    return bound(request, *args, spider) if wants_spider else bound(request, *args)


def redirected_request(spider: Any, request: Request, *locations: str) -> Request:
    """``request`` as Scrapy's redirect middleware leaves it after the site answered 301 to each of ``locations``."""
    middleware = RedirectMiddleware.from_crawler(spider.crawler)
    for location in locations:
        moved = HtmlResponse(request.url, status=301, headers={"Location": location}, request=request)
        request = _call(middleware, "process_response", request, moved, spider=spider)
        assert isinstance(request, Request)
    return request


def failure_of(request: Request, error: Exception) -> Failure:
    """The failure an errback gets for ``request`` (Scrapy puts the request on it)."""
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    return failure


# --- a failed request that was redirected first is named by the URL asked for ---------------------------


def _http_error(request: Request, status: int) -> Exception:
    return HttpError(Response(request.url, status=status, request=request), "Ignoring non-200 response")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (lambda request: _http_error(request, 404), "http-404"),
        (lambda request: _http_error(request, 451), "http-451"),
        (lambda request: IgnoreRequest("max redirections reached"), "ignored"),
    ],
    ids=["moved-then-404", "moved-then-451", "redirect-loop"],
)
@pytest.mark.parametrize(
    ("spider_class", "path", "callback"),
    [
        (LatestSpider, "/rss/markets-106.rss", "source"),
        (LatestSpider, "/sitemap/google-news-sitemap.xml", "source"),
        (SectionSpider, "/markets/news", "source"),
        (ArchiveSpider, "/sitemap/2024-february-1.xml", "source"),
        (ArticleSpider, ARTICLE_URL.removeprefix(SITE), "article"),
    ],
    ids=["feed", "news-sitemap", "section", "monthly-sitemap", "article"],
)
def test_a_request_that_failed_after_a_redirect_is_named_by_the_url_asked_for_and_its_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, spider_class: type, path: str, callback: str, error: Any, reason: str
) -> None:
    # A feed the site consolidated (301 to a feed that is gone), a sitemap or section moved to a
    # consent page that answers 451, a redirect loop: the ERROR line and the run's list of failed
    # sources named where the redirects ended, a URL found nowhere in BS_LATEST_SOURCES, the index or
    # the seed list, and an article's line said "Ignoring non-200 response" without the status.
    arguments = {
        LatestSpider: {},
        SectionSpider: {"sections": "markets/news"},
        ArchiveSpider: {"since": "2024-02-01", "until": "2024-02-29"},
        ArticleSpider: {"url": ARTICLE_URL},
    }[spider_class]
    spider = make_spider(spider_class, tmp_path, **arguments)
    asked = SITE + path
    if callback == "article":
        request, errback = spider.article_request(asked), spider.article_failed
    else:
        request = spider.root_source(asked)
        errback = request.errback
    final = redirected_request(spider, request, "/rss/moved-away.rss", "/consent?next=" + path)
    caplog.set_level("ERROR")
    list(errback(failure_of(final, error(final))) or [])
    stats = spider.crawler.stats
    prefix = "bs/discovery/source_failed/" if callback == "source" else "bs/failed/"
    assert stats.get_value(prefix + reason) == 1
    if callback == "source":
        assert stats.get_value(stat.DISCOVERY_FAILED_SOURCES) == [f"{asked} ({reason})"]
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert line.split(">", 1)[0].endswith("<" + asked) and f": {reason} (" in line, line
    assert final.url in line  # where the redirects led, for whoever looks into it


# --- robots.txt that moved to another host ------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=9, days=10, legacy=0, slow_seconds=2) as running:
        yield running
        assert running.errors == []


@pytest.fixture(autouse=False)
def clean_site(site: LoopbackSite) -> Iterator[LoopbackSite]:
    site.clear_faults()
    site.reset_counts()
    yield site
    site.clear_faults()


class _RobotsElsewhere(BaseHTTPRequestHandler):
    """robots.txt on the host the site's robots.txt redirects to (a CDN's or the apex domain's)."""

    rules = b"User-agent: *\nDisallow: /latest-news\n"

    def do_GET(self) -> None:
        body = self.rules if self.path == "/robots.txt" else b"not here"
        self.send_response(200 if self.path == "/robots.txt" else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def robots_elsewhere(port: int) -> Iterator[None]:
    """A server on 127.0.0.2 (where the site's ``offsite`` fault redirects), at the site's port."""
    server = ThreadingHTTPServer((OFFSITE_HOST, port), _RobotsElsewhere)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.mark.parametrize("answered", [True, False], ids=["rules-there", "nothing-there"])
def test_a_robots_txt_redirected_to_another_host_is_followed_and_obeyed(clean_site: LoopbackSite, tmp_path: Path, answered: bool) -> None:
    # RFC 9309 (2.3.1.2): crawlers follow robots.txt redirects, across hosts too, and apply what they
    # find to the host asked. The off-site redirect check refused it, silently (an IgnoreRequest is
    # "no robots.txt" to Scrapy): the site's rules went unread, with no line and no stat.
    site = clean_site
    site.set_path_fault("/robots.txt", "offsite")
    with robots_elsewhere(site.port) if answered else nullcontext():
        result = crawl(
            "latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "DOWNLOAD_TIMEOUT": "5"}
        )
    assert "Traceback" not in result.log, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert site.counts["/robots.txt"] == 1
    if answered:
        assert result.items
        # The rules were read, and /latest-news, which they disallow, was not fetched.
        assert site.counts["/latest-news"] == 0 and stats.get("robotstxt/forbidden") == 1, result.log[-3000:]
        assert stats.get(stat.source_failed("ignored")) == 1
    else:
        # Nothing answers there: robots.txt cannot be reached, and the run fetches nothing (RFC 9309),
        # one ERROR line and the stat (before round 25, one WARNING and crawled as allowed everything).
        assert sum(site.counts.values()) == 1 and stats.get(stat.ROBOTSTXT_UNREACHABLE) == 1, result.log[-3000:]
        robots = [line for line in result.log.splitlines() if "robots.txt" in line and " ERROR: " in line and not ("Run summary" in line or "Gave up retrying" in line)]
        assert len(robots) == 1 and "could not be reached (connection: " in robots[0], robots
        assert result.status == 1 and not result.items


# --- 206 Partial Content to a request for the whole page ---------------------------------------------


def _partial_content_middleware(spider: Any) -> Any:
    from crawler.middlewares import PartialContentMiddleware

    return PartialContentMiddleware.from_crawler(spider.crawler)


@pytest.mark.parametrize(
    ("spider_class", "path"),
    [(ArticleSpider, ARTICLE_URL.removeprefix(SITE)), (LatestSpider, "/latest-news"), (LatestSpider, "/rss/latest.rss")],
    ids=["article", "listing", "feed"],
)
def test_a_partial_answer_nobody_asked_for_is_retried_then_failed_as_data_loss(tmp_path: Path, spider_class: type, path: str) -> None:
    spider = make_spider(spider_class, tmp_path, **({"url": ARTICLE_URL} if spider_class is ArticleSpider else {}))
    request = spider.article_request(SITE + path) if spider_class is ArticleSpider else spider.root_source(SITE + path)
    middleware = _partial_content_middleware(spider)
    tries = 0
    while True:
        partial = HtmlResponse(request.url, status=206, headers={"Content-Range": "bytes 0-4999/10000"}, body=b"<html>" * 800, request=request)
        try:
            request = _call(middleware, "process_response", request, partial, spider=spider)
        except Exception as error:  # noqa: BLE001 - what the errback gets
            failure = error
            break
        assert isinstance(request, Request)
        tries += 1
    assert tries == spider.crawler.settings.getint("RETRY_TIMES")
    request.errback(failure_of(request, failure))
    reason = "data-loss"
    key = stat.failed(reason) if spider_class is ArticleSpider else stat.source_failed(reason)
    assert spider.crawler.stats.get_value(key) == 1


def test_a_partial_answer_to_a_range_request_and_a_whole_answer_pass(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = _partial_content_middleware(spider)
    ranged = Request(ARTICLE_URL, headers={"Range": "bytes=0-99"})
    partial = HtmlResponse(ARTICLE_URL, status=206, body=b"x" * 100, request=ranged)
    assert _call(middleware, "process_response", ranged, partial, spider=spider) is partial
    whole = HtmlResponse(ARTICLE_URL, status=200, body=b"<html></html>", request=Request(ARTICLE_URL))
    assert _call(middleware, "process_response", whole.request, whole, spider=spider) is whole


def _cached_urls(cache: Path) -> list[str]:
    return [(meta.parent / "meta").read_text() for meta in cache.rglob("pickled_meta")]


def test_an_article_answered_in_part_is_retried_and_never_written_half(clean_site: LoopbackSite, tmp_path: Path) -> None:
    # Scrapy hands any 2xx to the callback: the first half of the page extracted to an item with half
    # its body (and no related links or disclaimer), written as good, and marked seen, so the next run
    # would not fetch it again; the HTTP cache stored the half page for reextract.
    site = clean_site
    always, once, whole = [r for r in site.articles if r.layout == CURRENT][-3:]
    site.set_path_fault(always.path, "partial")
    site.set_path_fault(once.path, "partial", times=1)
    cache = tmp_path / "cache"
    result = crawl(
        "article", tmp_path, "-a", f"urls={always.url},{once.url},{whole.url}",
        settings={"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "True", "HTTPCACHE_DIR": str(cache)},
    )
    assert "Traceback" not in result.log, result.log[-3000:]
    assert sorted(result.ids()) == sorted([once.article_id, whole.article_id]), result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats.get(stat.failed("data-loss")) == 1 and result.status == EXIT_OK, result.log[-3000:]
    # Asked again as a download cut short is (RETRY_TIMES, 3), and the one the edge served whole the second time is read.
    assert site.counts[always.path] == 4 and site.counts[once.path] == 2
    ours = [line for line in result.log.splitlines() if f"Failed <{always.url}>: data-loss (206 Partial Content" in line]
    assert len(ours) == 1, result.log[-3000:]
    assert not any(always.article_id in meta for meta in _cached_urls(cache)) and any(once.article_id in meta for meta in _cached_urls(cache))


# --- a compressed body whose stream was cut short ----------------------------------------------------


def _compressed(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body, mtime=0)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "deflate-raw":
        packer = zlib.compressobj(wbits=-15)
        return packer.compress(body) + packer.flush()
    assert encoding == "br"
    # Scrapy asks for br, and decodes it, only where brotli is installed (not a dependency).
    brotli = pytest.importorskip("brotli")
    return bytes(brotli.compress(body))


ENCODINGS = ["gzip", "deflate", "deflate-raw", "br"]


def _decompress(spider: Any, request: Request, body: bytes, encoding: str) -> Any:
    """What the project's decompression middleware makes of ``body`` sent with ``Content-Encoding: encoding``."""
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import build_from_crawler, load_object

    # The decompression middleware the project's settings enable, whichever it is.
    project = Settings()
    project.setmodule("crawler.settings")
    (path,) = [p for p in build_component_list(project.getwithbase("DOWNLOADER_MIDDLEWARES")) if "Compression" in str(p)]
    middleware = build_from_crawler(load_object(path), spider.crawler)
    header = encoding.removesuffix("-raw")
    response = HtmlResponse(request.url, body=body, headers={"Content-Encoding": header, "Content-Type": "text/html"}, request=request)
    return _call(middleware, "process_response", request, response, spider=spider)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kept", [0.5, 0.9], ids=["half", "most"])
def test_a_compressed_article_cut_short_fails_as_data_loss_not_half_an_item(tmp_path: Path, caplog: pytest.LogCaptureFixture, encoding: str, kept: float) -> None:
    # A CDN edge that stored the compressed page cut short (its Content-Length agreeing): Scrapy
    # decodes "as much as possible", and the first part of the page went to the spider as the page,
    # written as a good item without what the tail holds (__NEXT_DATA__'s dates, the related links).
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    page = SEED_PAGE.read_bytes()
    packed = _compressed(page, encoding)
    response = _decompress(spider, request, packed[: int(len(packed) * kept)], encoding)
    assert isinstance(response, HtmlResponse) and "dataloss" in response.flags, response
    caplog.set_level("ERROR")
    assert list(spider.parse_article(response)) == []
    assert spider.crawler.stats.get_value(stat.failed("data-loss")) == 1
    assert [r.getMessage() for r in caplog.records] == [f"Failed <{ARTICLE_URL}>: data-loss (its body arrived cut short)"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_whole_compressed_article_is_decoded_as_before(tmp_path: Path, encoding: str) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    page = SEED_PAGE.read_bytes()
    response = _decompress(spider, request, _compressed(page, encoding), encoding)
    assert isinstance(response, HtmlResponse) and response.body == page and b"Content-Encoding" not in response.headers
    assert "dataloss" not in response.flags and [a.articleId for a in spider.parse_article(response)] == ["124022800873"]


def test_gzip_members_one_after_another_are_one_whole_body(tmp_path: Path) -> None:
    # Concatenated members are one gzip stream (RFC 1952), as Scrapy reads them.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    page = SEED_PAGE.read_bytes()
    middle = len(page) // 2
    response = _decompress(spider, request, gzip.compress(page[:middle]) + gzip.compress(page[middle:]), "gzip")
    assert isinstance(response, HtmlResponse) and response.body == page and "dataloss" not in response.flags


def test_an_article_whose_gzip_stream_was_cut_gives_no_item_in_a_crawl(clean_site: LoopbackSite, tmp_path: Path) -> None:
    site = clean_site
    cut, whole = [r for r in site.articles if r.layout == CURRENT][-2:]
    site.set_path_fault(cut.path, "gzip-cut")
    result = crawl("article", tmp_path, "-a", f"urls={cut.url},{whole.url}", settings={"BS_BASE_URL": site.base_url})
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.ids() == [whole.article_id], result.log[-3000:]
    assert stats_from_log(result.log).get(stat.failed("data-loss")) == 1
    assert len([line for line in result.log.splitlines() if f"Failed <{cut.url}>: data-loss" in line]) == 1


# --- a zero-filled answer: a copy whose bytes were never written --------------------------------------

ZERO_FILLED = [b"\x00" * 4096, b"\x00", b"\xef\xbb\xbf" + b"\x00" * 100, b"\x00\n\x00\r\n" * 50, b"\xff\xfe\x00\x00" + b"\x00" * 64]


@pytest.mark.parametrize("body", ZERO_FILLED, ids=["zeros", "one-nul", "bom-zeros", "zeros-and-breaks", "utf32-bom-zeros"])
@pytest.mark.parametrize("path", ["/rss/latest.rss", "/sitemap/google-news-sitemap.xml", "/sitemap/sitemap-index.xml"])
def test_a_zero_filled_feed_or_sitemap_is_a_failed_source_not_a_traceback(tmp_path: Path, path: str, body: bytes) -> None:
    # A CDN or origin serving a file whose bytes were never written (its size right, all NUL): the
    # XML parser's recovery found no document at all and raised out of the callback, a traceback
    # and an "error" of the run, the source counted nowhere.
    from scrapy.http import XmlResponse

    spider = make_spider(LatestSpider, tmp_path)
    request = spider.root_source(SITE + path)
    assert list(spider.parse_source(XmlResponse(request.url, body=body, request=request))) == []
    failed = {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("bs/discovery/source_failed/")}
    assert sum(failed.values()) == 1, failed


@pytest.mark.parametrize("body", ZERO_FILLED, ids=["zeros", "one-nul", "bom-zeros", "zeros-and-breaks", "utf32-bom-zeros"])
def test_a_zero_filled_article_page_is_an_empty_answer_not_an_unknown_layout(tmp_path: Path, body: bytes) -> None:
    # As "unknown-layout" it counted towards the redesign verdict (exit 5, "a redesign?").
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    assert list(spider.parse_article(HtmlResponse(ARTICLE_URL, body=body, request=request))) == []
    stats = spider.crawler.stats
    assert stats.get_value(stat.skipped("empty")) == 1 and not stats.get_value(stat.skipped("unknown-layout"))


# --- an answer whose Content-Type says it is no page -----------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("image/png", PIXEL),
        ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8),
        ("Image/WebP", b"RIFF\x00\x10\x00\x00WEBPVP8 " + bytes(range(256)) * 8),
        ("application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 4 >>\nstream\n\x89\x00\x01\x02\nendstream"),
        ("video/mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8),
    ],
    ids=["png", "jpeg", "webp", "pdf", "mp4"],
)
def test_an_image_or_document_answered_at_an_article_url_is_not_html_not_an_unknown_layout(tmp_path: Path, content_type: str, body: bytes) -> None:
    # A CDN that serves another object at the article's URL (a placeholder image, a PDF): Scrapy
    # makes an HtmlResponse of any answer at a ".html" URL whose type it does not map to text, and
    # it counted as a page of no known layout, towards the redesign verdict (exit 5, "a redesign?").
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    response = responsetypes.from_args(headers={"Content-Type": content_type}, url=ARTICLE_URL, body=body)(
        ARTICLE_URL, body=body, headers={"Content-Type": content_type}, request=request
    )
    assert list(spider.parse_article(response)) == []
    stats = spider.crawler.stats
    assert stats.get_value(stat.skipped("not-html")) == 1 and not stats.get_value(stat.skipped("unknown-layout"))


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/plain; charset=utf-8", "binary/octet-stream", None])
def test_an_article_page_served_with_a_vague_content_type_is_still_read(tmp_path: Path, content_type: str | None) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    request = spider.article_request(ARTICLE_URL)
    headers = {"Content-Type": content_type} if content_type else {}
    body = SEED_PAGE.read_bytes()
    response = responsetypes.from_args(headers=headers, url=ARTICLE_URL, body=body)(ARTICLE_URL, body=body, headers=headers, request=request)
    assert [a.articleId for a in spider.parse_article(response)] == ["124022800873"]


# --- an article redirected to a page that names it in its query -------------------------------------------

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Login | Business Standard</title>"
    b'<meta property="og:site_name" content="Business Standard"></head><body><h1>Log in to continue reading</h1>'
    b'<form action="/login" method="post"><input name="email"><input type="password" name="password"></form></body></html>'
)
ARTICLE_PATH = ARTICLE_URL.removeprefix(SITE)


@pytest.mark.parametrize(
    "location",
    [
        "/login?next=" + ARTICLE_PATH,
        "/consent?redirect=" + quote(ARTICLE_URL, safe=""),
        "https://www.business-standard.com/?redirect=" + ARTICLE_PATH,
        "/subscription?ref=" + ARTICLE_PATH + "#paywall",
    ],
    ids=["login-next", "consent-encoded", "home-with-query", "subscription-fragment"],
)
def test_an_article_redirected_to_a_page_naming_it_in_the_query_is_redirected_away(tmp_path: Path, location: str) -> None:
    # A login, consent or subscription wall that sends the reader back afterwards (?next=<the article>):
    # the id found at the end of its query made it the article itself, and the wall was read as the
    # article's page: a page of no known layout, counted towards the redesign verdict.
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    final = redirected_request(spider, spider.article_request(ARTICLE_URL), location)
    assert list(spider.parse_article(HtmlResponse(final.url, body=LOGIN_PAGE, request=final))) == []
    stats = spider.crawler.stats
    assert stats.get_value(stat.skipped("redirected-away")) == 1 and not stats.get_value(stat.skipped("unknown-layout"))


@pytest.mark.parametrize(
    "location",
    [ARTICLE_PATH + "?utm_source=rss&utm_medium=feed", "/amp" + ARTICLE_PATH + "#top", "http://www.business-standard.com" + ARTICLE_PATH],
    ids=["tracking-query", "amp-fragment", "http"],
)
def test_an_article_redirected_to_its_own_url_with_a_query_is_still_read(tmp_path: Path, location: str) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    final = redirected_request(spider, spider.article_request(ARTICLE_URL), location)
    assert [a.articleId for a in spider.parse_article(HtmlResponse(final.url, body=SEED_PAGE.read_bytes(), request=final))] == ["124022800873"]


def test_a_hindi_story_redirected_to_its_mobile_twin_is_still_read(tmp_path: Path) -> None:
    # The Hindi edition's id is in the query (storypage.php?autono=N): it must still count there.
    from crawler.spiders.base import landed_article_id

    assert landed_article_id("https://m.bshindi.com/storypage.php?autono=123456") == "hi-123456"
    assert landed_article_id("https://hindi.business-standard.com/login?next=/storypage.php%3Fautono%3D123456") is None


def test_a_partial_robots_txt_is_left_to_scrapy_to_read_what_arrived(tmp_path: Path) -> None:
    # Scrapy's robots.txt request has no errback: the failure went to its log line, with a traceback.
    spider = make_spider(LatestSpider, tmp_path)
    middleware = _partial_content_middleware(spider)
    robots = Request(SITE + "/robots.txt", meta={"dont_obey_robotstxt": True})
    partial = Response(robots.url, status=206, headers={"Content-Range": "bytes 0-9/20"}, body=b"User-agent", request=robots)
    assert _call(middleware, "process_response", robots, partial, spider=spider) is partial


def test_a_gzip_stream_broken_midway_is_not_taken_for_a_whole_one() -> None:
    from crawler.middlewares import stream_ended

    packed = gzip.compress(SEED_PAGE.read_bytes())
    broken = bytearray(packed)
    broken[len(packed) // 2] ^= 0xFF
    assert not stream_ended(bytes(broken), b"gzip")
    assert stream_ended(packed + b"\0" * 8, b"gzip") and stream_ended(packed + b"<!-- -->", b"gzip")  # padding, trailing bytes
    assert not stream_ended(packed + packed[:100], b"gzip")  # a second member cut short
