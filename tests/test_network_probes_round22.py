"""Round 22 of the network probes: a hostile or broken site at the HTTP level. Pages whose framing came
whole though their document did not (a copy an edge stored cut short, a Content-Length counted in
characters), and answers that are no valid HTTP; fed to the middlewares as Scrapy builds them, and crawls
against the loopback site (on the ports set aside for these probes) where the whole run matters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, TextResponse
from scrapy.http.cookies import CookieJar
from twisted.internet import error as tx_errors
from twisted.python.failure import Failure
from twisted.web import _newclient
from twisted.web.http import _DataLoss

from crawler import stats as stat
from crawler.failures import BAD_RESPONSE, CONNECTION, DATA_LOSS, OTHER, failure_message, failure_name
from crawler.middlewares import MAX_COOKIE_BYTES_PER_DOMAIN, MAX_COOKIES_PER_DOMAIN, PartialContent, PartialContentMiddleware, bound_cookie_jar
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from crawler.spiders.article import ArticleSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.pages import render_listing
from tests.loopback.site import COOKIE_STORM, LoopbackSite
from tests.test_network_probes_round9 import ARTICLE_URL, SEED_PAGE, _call
from tests.test_spiders_unit import make_spider

# The probes' servers listen on these ports only (the first free one), never on one the system picks.
PORTS = range(16650, 16700)


@contextmanager
def site_on_our_ports(**kwargs: Any) -> Iterator[LoopbackSite]:
    for port in PORTS:
        try:
            site = LoopbackSite(port=port, **kwargs)
        except OSError:
            continue
        with site:
            yield site
        return
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


# --- a page whose Content-Length (or chunks) came whole, its document not ----------------------------------


def _framed(url: str, body: bytes, request: Request, **kwargs: Any) -> HtmlResponse:
    """The answer Scrapy builds for a body its Content-Length framed: no ``partial`` flag."""
    return HtmlResponse(url, body=body, request=request, headers={"Content-Type": "text/html; charset=utf-8"}, **kwargs)


def _listing() -> bytes:
    return render_listing("Markets News", "/markets/news", [], None, SITE).encode()


@pytest.mark.parametrize(
    ("spider_class", "arguments", "url", "page"),
    [
        (ArticleSpider, {"url": ARTICLE_URL}, ARTICLE_URL, SEED_PAGE.read_bytes),
        (SectionSpider, {"sections": "markets/news"}, SITE + "/markets/news", _listing),
    ],
    ids=["article", "listing"],
)
@pytest.mark.parametrize("cut", [0.5, 0.99], ids=["half", "closing-tags"])
def test_a_page_cut_short_with_its_length_whole_is_retried_then_data_loss(
    tmp_path: Path, spider_class: type, arguments: dict[str, str], url: str, page: Callable[[], bytes], cut: float
) -> None:
    # A CDN edge that stored the page cut short serves the part with a Content-Length agreeing; an origin
    # that counts the length in characters frames less than it sends, and Twisted drops the rest. Scrapy
    # hands either to the callback as the page: half an article written as a good item (no Also Read, no
    # syndication note, no raw date), marked seen, never fetched again.
    spider = make_spider(spider_class, tmp_path, **arguments)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    body = page()
    request = Request(url)
    response = _framed(url, body[: int(len(body) * cut)], request)
    again = _call(middleware, "process_response", request, response, spider=spider)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1
    request.meta["dont_retry"] = True
    with pytest.raises(PartialContent) as raised:
        _call(middleware, "process_response", request, response, spider=spider)
    assert failure_name(raised.value) == "data-loss"
    assert "Content-Length or chunks came whole" in str(raised.value)


@pytest.mark.parametrize(
    ("body", "status", "headers"),
    [
        (None, 200, {}),  # the whole page
        (b"<html><body><p>x</p></body></html>\n<script>var tail = 1;</script>\n", 200, {}),
        (b"<html><body><p>x</p></body></html>" + b" \r\n\t" * 20_000, 200, {}),  # blank padding a template left
        (b"<p>a fragment, no document</p>", 200, {}),  # no <html>: not judged
        (b"<html><body><h1>Not Found", 404, {}),  # an error answer is judged by its status
        (b"<html><body><h1>Service Unavail", 503, {}),
        (b"", 200, {}),  # empty: skipped as such downstream
        (b"\x1f\x8b\x08\x00cut", 200, {"Content-Encoding": "gzip"}),  # a compressed one: its stream tells
    ],
    ids=["whole-page", "script-after-html", "blank-padding", "fragment", "404", "503", "empty", "compressed"],
)
def test_framed_answers_that_are_whole_or_no_page_pass(tmp_path: Path, body: bytes | None, status: int, headers: dict[str, str]) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=ARTICLE_URL)
    middleware = PartialContentMiddleware.from_crawler(spider.crawler)
    request = Request(ARTICLE_URL)
    response = HtmlResponse(ARTICLE_URL, body=SEED_PAGE.read_bytes() if body is None else body, request=request, status=status, headers=headers)
    assert _call(middleware, "process_response", request, response, spider=spider) is response
    # A page `reextract` reads from a store is left to the rules (its validation tells a story cut short).
    stored = HtmlResponse(ARTICLE_URL, body=SEED_PAGE.read_bytes()[:5000], request=request, flags=["stored"])
    assert _call(middleware, "process_response", request, stored, spider=spider) is stored
    # A feed sent whole is no page: not judged as one (a cut one is its parser's to tell).
    feed = TextResponse(ARTICLE_URL, body=b"<?xml version='1.0'?><rss><channel><item><link>x</link></item></channel></rss>", request=request)
    assert _call(middleware, "process_response", request, feed, spider=spider) is feed


@pytest.mark.parametrize("fault", ["cut-stored", "cut-stored-gzip", "length-chars"])
def test_an_article_cut_short_with_its_length_whole_is_not_written_and_fetched_next_run(tmp_path: Path, fault: str) -> None:
    with site_on_our_ports(articles=6, seed=22) as site:
        cut = site.articles[-1]
        site.set_path_fault(cut.path, fault)
        settings = {"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1", "BS_LATEST_SOURCES": "/rss/latest.rss"}
        first = crawl("latest", tmp_path, settings=settings)
        asked = site.article_requests(cut.article_id)
        site.set_path_fault(cut.path, None)
        second = crawl("latest", tmp_path, settings=settings)
    assert first.status == EXIT_OK, first.log[-3000:]
    assert first.items and cut.article_id not in first.ids(), "half a page was written as the article"
    assert asked == 2  # asked again once (RETRY_TIMES=1), then given up
    assert stats_from_log(first.log)[stat.failed("data-loss")] == 1
    assert f"Failed <{cut.url}>: data-loss (the page ends before its document does" in first.log
    assert "Traceback" not in first.log
    # Not marked seen: the next run fetches it, and only it.
    assert second.status == EXIT_OK, second.log[-3000:]
    assert second.ids() == [cut.article_id]


def test_a_run_whose_every_article_came_cut_with_its_length_whole_exits_1(tmp_path: Path) -> None:
    with site_on_our_ports(articles=6, seed=22) as site:
        records = site.articles[-3:]
        for record, fault in zip(records, ["cut-stored", "cut-stored-gzip", "length-chars"]):
            site.set_path_fault(record.path, fault)
        result = crawl("article", tmp_path, "-a", "urls=" + ",".join(r.url for r in records), settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert result.items == []
    assert "exit=1 (discovery found 3 new or changed article(s) but none could be fetched (data-loss=3))" in result.log


# --- an answer that is no valid HTTP, and one cut short, said in words -------------------------------------


def caught(error: BaseException, cause: BaseException | None = None) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:  # noqa: BLE001 - the point is to keep it
        return raised


def as_handed(twisted: BaseException) -> list[Failure]:
    """What an errback gets for a Twisted ``ResponseFailed``: itself (Scrapy 2.13), and Scrapy's own
    ``DownloadFailedError`` raised from it (2.14 and later)."""
    failures = [Failure(caught(twisted))]
    own = getattr(scrapy_errors, "DownloadFailedError", None)
    if isinstance(own, type):
        failures.append(Failure(caught(own(str(twisted)), twisted)))
    return failures


MALFORMED = [
    (_newclient.ParseError("non-integer status code", b"HTTP/1.1 abc OK"), "non-integer status code: b'HTTP/1.1 abc OK'"),
    (_newclient.ParseError("non-integer status code", b"<!DOCTYPE html>" + b"x" * 500), "non-integer status code: b'<!DOCTYPE html>xxx"),
    (ValueError("Value contains non-decimal digits: b'abc'"), "Value contains non-decimal digits: b'abc'"),
    (ValueError("Invalid response: conflicting Content-Length headers: b'19105,9552'"), "conflicting Content-Length headers"),
    (KeyError(b"identity"), "a Transfer-Encoding it cannot read: b'identity'"),
    (KeyError(b"gzip, chunked"), "a Transfer-Encoding it cannot read: b'gzip, chunked'"),
]


@pytest.mark.parametrize(("reason", "words"), MALFORMED, ids=["status-line", "no-status-line", "length-no-number", "two-lengths", "identity", "gzip-chunked"])
def test_an_answer_that_is_no_valid_http_is_named_so_in_words(reason: BaseException, words: str) -> None:
    # A status line, Content-Length or Transfer-Encoding Twisted's client cannot read was counted as
    # data loss (a cut connection), its line a list of Failure objects:
    # "data-loss ([<twisted.python.failure.Failure builtins.KeyError: b'identity'>])".
    for failure in as_handed(_newclient.ResponseFailed([Failure(caught(reason))])):
        assert failure_name(failure) == BAD_RESPONSE
        message = failure_message(failure)
        assert message.startswith("the answer is no valid HTTP: ") and words in message, message
        assert "twisted.python.failure" not in message and len(message) < 200
    # A ValueError of our own (a bug, not the server's answer) is still no answer's fault.
    assert failure_name(Failure(caught(ValueError("a bug")))) == OTHER


@pytest.mark.parametrize(
    ("error", "name", "words"),
    [
        (_newclient.ResponseFailed([Failure(tx_errors.ConnectionLost()), Failure(_DataLoss())]), DATA_LOSS, "the answer stopped before its end: the connection was lost (reset); its Content-Length or last chunk never came"),
        (_newclient.ResponseFailed([Failure(tx_errors.ConnectionDone())]), DATA_LOSS, "the answer stopped before its end: the server closed the connection"),
        (_newclient.ResponseNeverReceived([Failure(tx_errors.ConnectionLost())]), CONNECTION, "no answer came: the connection was lost (reset)"),
    ],
    ids=["reset-mid-body", "closed-after-headers", "reset-before-an-answer"],
)
def test_an_answer_cut_short_is_said_in_words_not_as_failure_objects(error: BaseException, name: str, words: str) -> None:
    # Scrapy 2.13 printed these as "[<twisted.python.failure.Failure twisted.internet.error.ConnectionLost: …>]",
    # 2.14 and later as nothing: "Failed <url>: data-loss ()".
    for failure in as_handed(error):
        assert failure_name(failure) == name
        assert failure_message(failure) == words
    # Other failures keep their own message.
    assert failure_message(Failure(caught(IgnoreRequest("Forbidden by robots.txt")))) == "Forbidden by robots.txt"


def test_an_article_answered_with_no_valid_http_fails_as_bad_response_in_a_crawl(tmp_path: Path) -> None:
    with site_on_our_ports(articles=6, seed=22) as site:
        broken, whole = site.articles[-1], site.articles[-2]
        site.set_path_fault(broken.path, "transfer-identity")
        result = crawl("article", tmp_path, "-a", f"urls={broken.url},{whole.url}", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1"})
    assert result.ids() == [whole.article_id], result.log[-3000:]
    assert stats_from_log(result.log)[stat.failed(BAD_RESPONSE)] == 1
    assert f"Failed <{broken.url}>: bad-response (the answer is no valid HTTP: a Transfer-Encoding it cannot read: b'identity')" in result.log
    # (Scrapy 2.13's own "Gave up retrying" line, at ERROR there, still prints Twisted's list.)
    assert "twisted.python.failure.Failure" not in "\n".join(line for line in result.log.splitlines() if "[article] ERROR" in line)
    assert "Traceback" not in result.log


def test_a_feed_answered_with_no_valid_http_is_a_failed_source_named_so(tmp_path: Path) -> None:
    with site_on_our_ports(articles=6, seed=22) as site:
        site.set_path_fault("/rss/latest.rss", "transfer-identity")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0", "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news"})
    assert result.status == EXIT_OK and result.items, result.log[-3000:]
    assert stats_from_log(result.log)[stat.source_failed(BAD_RESPONSE)] == 1
    assert "/rss/latest.rss>: bad-response (the answer is no valid HTTP: a Transfer-Encoding it cannot read: b'identity')" in result.log


# --- a Set-Cookie storm -----------------------------------------------------------------------------------


def test_a_set_cookie_storm_does_not_make_every_later_request_one_the_site_refuses(tmp_path: Path) -> None:
    # Scrapy's jar kept all 5,000 cookies the feed set and sent them with every article request: a Cookie
    # header of 150 KB, refused by the site's front end (431), every article failed, exit 1.
    with site_on_our_ports(articles=6, seed=22) as site:
        site.set_path_fault("/rss/latest.rss", "cookie-storm")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss", "CONCURRENT_REQUESTS": "1"})
    assert result.status == EXIT_OK, result.log[-3000:]
    assert len(result.items) == stats_from_log(result.log)[stat.DISCOVERY_NEW] > 0
    assert stats_from_log(result.log)[stat.COOKIES_REFUSED] == COOKIE_STORM - MAX_COOKIES_PER_DOMAIN
    assert result.log.count("cookie(s) set by <") == 1
    assert "Traceback" not in result.log


def test_a_cookie_jar_keeps_the_first_cookies_of_a_domain_within_the_bounds() -> None:
    jar = CookieJar()
    request = Request("https://www.business-standard.com/")

    def set_cookies(*headers: str) -> None:
        jar.extract_cookies(HtmlResponse(request.url, headers={"Set-Cookie": list(headers)}, request=request), request)

    set_cookies("_abck=" + "a" * 500 + "; Path=/", "bm_sv=1; Path=/")
    set_cookies(*(f"storm{n}=x; Path=/" for n in range(100)))
    assert bound_cookie_jar(jar.jar) == 100 + 2 - MAX_COOKIES_PER_DOMAIN
    names = [cookie.name for cookie in jar.jar]
    assert len(names) == MAX_COOKIES_PER_DOMAIN and {"_abck", "bm_sv", "storm0"} <= set(names) and "storm99" not in names
    # A cookie kept is updated as before; one past the bytes is refused however few there are.
    set_cookies("bm_sv=2; Path=/", "huge=" + "h" * MAX_COOKIE_BYTES_PER_DOMAIN + "; Path=/")
    assert bound_cookie_jar(jar.jar) == 1
    assert {cookie.name: cookie.value for cookie in jar.jar}["bm_sv"] == "2"


# --- a redirect to no web page --------------------------------------------------------------------------


def test_an_article_redirected_to_a_file_url_is_not_followed_and_its_line_says_where(tmp_path: Path) -> None:
    # Scrapy follows no redirect to file: (nor data:, ftp:); the page failed as "http-302 (Ignoring
    # non-200 response)", the reader left to guess where it went.
    with site_on_our_ports(articles=6, seed=22) as site:
        moved = site.articles[-1]
        site.set_path_fault(moved.path, "redirect-file")
        result = crawl("article", tmp_path, "-a", f"url={moved.url}", settings={"BS_BASE_URL": site.base_url})
    assert result.status == EXIT_FAILED and result.items == [], result.log[-3000:]
    assert f"Failed <{moved.url}>: http-302 (Ignoring non-200 response; its Location, not followed: 'file:///etc/passwd')" in result.log
    assert "root:" not in result.log and "Traceback" not in result.log
