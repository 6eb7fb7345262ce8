"""Round 9 of the network probes: what a CDN, an origin or a proxy answers that earlier rounds did not
cover, fed to the spiders and middlewares as the Response objects Scrapy builds, and crawls against
the loopback site where the whole run matters."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import stats as stat
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import SITE
from tests.test_spiders_unit import make_spider

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
