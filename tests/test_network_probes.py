"""What the network and a misbehaving server do to the spiders: redirects, odd status codes, bodies
that are not what their URL promised. Callbacks fed the responses Scrapy builds (its redirect
middleware included), and crawls against the loopback site."""

from __future__ import annotations

import gzip
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Headers, HtmlResponse, Response, XmlResponse
from scrapy.responsetypes import responsetypes
from twisted.python.failure import Failure

from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.conftest import PAGES, SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.corpus import CURRENT
from tests.loopback.pages import render_block_page
from tests.loopback.site import LoopbackSite
from tests.test_redis import prefix, redis_url  # noqa: F401 - fixtures
from tests.test_spiders_unit import make_spider

HOME_PAGE = (
    "<html><body><h1>Business News</h1>"
    + "".join(f'<a href="/markets/news/story-{n}-1240228{n:05d}_1.html">Story {n}</a>' for n in range(30))
    + "</body></html>"
).encode()


def redirected(spider: Any, request: Request, location: str, body: bytes, status: int = 301) -> Response:
    """The response a callback gets for ``request`` after the site answered ``status`` to ``location``:
    the redirected request made by Scrapy's own middleware, then the answer at its URL."""
    middleware = RedirectMiddleware.from_crawler(spider.crawler)
    moved = HtmlResponse(request.url, status=status, headers={"Location": location}, request=request)
    # Scrapy 2.13 wants the spider; later versions deprecate passing it.
    # As the running Scrapy calls it: 2.13 always passes the spider, later versions only where required.
    wants_spider = scrapy.version_info < (2, 14) or inspect.signature(middleware.process_response).parameters["spider"].default is inspect.Parameter.empty
    follow = middleware.process_response(request, moved, spider) if wants_spider else middleware.process_response(request, moved)
    assert isinstance(follow, Request) and follow.meta["redirect_urls"][-1] == request.url
    return HtmlResponse(follow.url, body=body, request=follow)


def bs_stats(spider: Any) -> dict[str, Any]:
    return {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("bs/")}


# --- a source redirected to the home page, or to a page of another kind ---------------------------


@pytest.mark.parametrize(
    ("spider_class", "arguments", "path"),
    [
        (LatestSpider, {}, "/rss/latest.rss"),
        (LatestSpider, {}, "/sitemap/google-news-sitemap.xml"),
        (LatestSpider, {}, "/latest-news"),
        (ArchiveSpider, {"since": "2024-02-01", "until": "2024-02-29"}, "/sitemap/sitemap-index.xml"),
        (SectionSpider, {"sections": "markets/news"}, "/markets/news"),
    ],
)
@pytest.mark.parametrize("location", ["/", "https://www.business-standard.com", "https://www.business-standard.com/?ref=moved"])
def test_a_source_redirected_to_the_home_page_is_a_failed_source_not_a_listing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, spider_class: type, arguments: dict[str, str], path: str, location: str
) -> None:
    # The home page links to articles like any listing: read in place of a removed feed, sitemap
    # index or section, it passed for the source (an archive run "succeeded" with the home page's
    # 30 stories and not one month).
    spider = make_spider(spider_class, tmp_path, **arguments)
    request = spider.root_source(SITE + path)
    if spider_class is SectionSpider:
        request = request.replace(callback=spider.parse_section, cb_kwargs={"section": "markets/news", "page": 1})
    response = redirected(spider, request, location, HOME_PAGE)
    assert list(request.callback(response, **request.cb_kwargs)) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/source_failed/redirected-home") == 1 and not stats.get("bs/discovery/sources_read")
    assert not stats.get("bs/discovery/new")
    assert stats["bs/discovery/failed_sources"] == [f"{SITE}{path} (redirected-home)"]
    (line,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert f"<{SITE}{path}>: redirected-home" in line.getMessage() and response.url in line.getMessage()


def test_a_feed_redirected_to_an_html_page_is_read_as_the_feed_it_was_asked_for(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A section feed the site retired, redirected to the section's listing: "not XML", naming both URLs.
    spider = make_spider(LatestSpider, tmp_path)
    request = spider.root_source(SITE + "/rss/markets-106.rss")
    response = redirected(spider, request, "/markets/news", HOME_PAGE)
    assert list(spider.parse_source(response)) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/source_failed/not-xml") == 1 and not stats.get("bs/discovery/sources_read")
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert f"<{SITE}/rss/markets-106.rss>: not-xml" in line and f"redirected to <{SITE}/markets/news>" in line


def test_a_later_section_page_redirected_to_the_home_page_ends_the_section(tmp_path: Path) -> None:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="9")
    request = Request(SITE + "/markets/news/page-4", callback=spider.parse_section, cb_kwargs={"section": "markets/news", "page": 4})
    assert list(spider.parse_section(redirected(spider, request, "/", HOME_PAGE), section="markets/news", page=4)) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/listing_end") == 1 and not stats.get("bs/discovery/new")
    assert not any(k.startswith("bs/discovery/source_failed/") for k in stats)


def test_a_source_redirected_within_the_site_is_still_read(tmp_path: Path) -> None:
    # http → https, a trailing slash, a moved listing: the redirect is no failure when the answer is the source.
    spider = make_spider(LatestSpider, tmp_path)
    request = spider.root_source(SITE + "/latest-news")
    requests = list(spider.parse_source(redirected(spider, request, "/latest-news/", HOME_PAGE, status=308)))
    assert len(requests) == 30 and bs_stats(spider)["bs/discovery/sources_read"] == 1


# --- against the loopback site --------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=21, days=40, legacy=0) as running:
        yield running
        assert running.errors == []


@pytest.fixture(autouse=True)
def clean(request: pytest.FixtureRequest) -> Iterator[None]:
    if "site" not in request.fixturenames:
        yield
        return
    running: LoopbackSite = request.getfixturevalue("site")
    running.clear_faults()
    running.reset_counts()
    yield
    running.clear_faults()


def test_an_archive_whose_index_redirects_to_the_home_page_fails_not_backfills_the_home_page(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault("/sitemap/sitemap-index.xml", "redirect-home")
    first, last = site.articles[0].published.date(), site.articles[-1].published.date()
    result = crawl("archive", tmp_path, "-a", f"since={first}", "-a", f"until={last}", settings={"BS_BASE_URL": site.base_url})
    assert "Traceback" not in result.log
    assert result.status == EXIT_FAILED and result.items == [], result.log[-3000:]
    assert stats_from_log(result.log)["bs/discovery/source_failed/redirected-home"] == 1
    assert site.article_requests() == 0


# --- an article that redirects to itself -------------------------------------------------------------


def test_an_article_that_redirects_to_itself_once_is_fetched_again_not_dropped_as_a_duplicate(site: LoopbackSite, tmp_path: Path) -> None:
    # A CDN's cookie check answers 302 to the same URL (setting the cookie). Scrapy's duplicate filter
    # took the second request for one already made and dropped it, with a DEBUG line only.
    record, other = [r for r in site.articles if r.layout == CURRENT][-2:]
    site.set_path_fault(record.path, "redirect-self", times=1)
    result = crawl("article", tmp_path, "-a", f"urls={record.url},{other.url}", settings={"BS_BASE_URL": site.base_url})
    assert "Traceback" not in result.log
    assert sorted(result.ids()) == sorted([record.article_id, other.article_id]), result.log[-3000:]
    assert result.status == EXIT_OK and site.article_requests(record.article_id) == 2


# --- sitemap indexes that list no sitemap the spider can read -------------------------------------


def _index(*urls: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def _read_index(spider: Any, body: bytes) -> list[Request]:
    request = spider.root_source(SITE + "/sitemap/sitemap-index.xml")
    return list(spider.parse_source(XmlResponse(request.url, body=body, request=request)))


@pytest.mark.parametrize("spider_class", [LatestSpider, ArchiveSpider])
def test_an_index_whose_sitemaps_all_moved_to_another_host_fails_as_offsite_not_as_a_loop(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, spider_class: type
) -> None:
    spider = make_spider(spider_class, tmp_path, **({"since": "2024-01-01", "until": "2024-02-29"} if spider_class is ArchiveSpider else {}))
    moved = ["https://static.example-cdn.net/bs/sitemap/2024-january-1.xml", "https://static.example-cdn.net/bs/sitemap/2024-february-1.xml"]
    assert _read_index(spider, _index(*moved)) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/source_failed/offsite") == 1 and not stats.get("bs/discovery/source_failed/loop")
    assert any("every sitemap it lists is on another host" in r.getMessage() and moved[0] in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "names",
    [
        # Renamed schemes: the archive read none of them, found nothing and exited 0.
        ["/sitemap/sitemap-2024-01.xml", "/sitemap/sitemap-2024-02.xml"],
        ["/sitemap/2024-jan-1.xml", "/sitemap/2024-feb-1.xml"],
        ["/sitemap/articles-1.xml.gz"],
    ],
)
def test_an_archive_index_that_lists_no_monthly_sitemap_is_a_failed_source(tmp_path: Path, caplog: pytest.LogCaptureFixture, names: list[str]) -> None:
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-01-01", until="2024-02-29")
    assert _read_index(spider, _index(*(SITE + name for name in names))) == []
    spider_stats = bs_stats(spider)
    assert spider_stats.get("bs/discovery/source_failed/no-monthly-sitemaps") == 1 and not spider_stats.get("bs/discovery/sources_read")
    (line,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "named like a monthly one" in line.getMessage()


def test_months_of_the_range_the_index_does_not_list_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(ArchiveSpider, tmp_path, since="2023-12-15", until="2024-03-02")
    listed = [SITE + "/sitemap/2024-january-1.xml", SITE + "/sitemap/2024-march-1.xml", SITE + "/sitemap/2023-november-1.xml"]
    spider.paced = False
    requests = _read_index(spider, _index(*listed))
    assert [r.url for r in requests] == listed[:2]
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/month_not_listed") == 2 and stats.get("bs/discovery/sources_read") == 1
    (line,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "2 month(s) of the range: 2023-12, 2024-02" in line.getMessage()
    # An index listed in the index (deeper) is not held to the range (its parts are read, whatever their names).
    child = requests[0]
    nested = list(spider.parse_source(XmlResponse(child.url, body=_index(SITE + "/sitemap/2024-january-1a.xml"), request=child)))
    assert [r.url for r in nested] == [SITE + "/sitemap/2024-january-1a.xml"] and bs_stats(spider).get("bs/discovery/month_not_listed") == 2
    assert not bs_stats(spider).get("bs/discovery/source_failed/no-monthly-sitemaps")


# --- a listing page gzipped with no header saying so ---------------------------------------------------


def _answer(url: str, body: bytes, headers: dict[str, str], request: Request) -> Response:
    scrapy_headers = Headers(headers)
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return cls(url, headers=scrapy_headers, body=body, request=request)


@pytest.mark.parametrize("headers", [{"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "application/octet-stream"}, {}])
@pytest.mark.parametrize("layers", [1, 2])
def test_a_listing_gzipped_without_saying_so_is_unpacked_like_feeds_and_articles(tmp_path: Path, headers: dict[str, str], layers: int) -> None:
    # It was "no-article-links" (the gzip bytes read as text) or "not-html" (no Content-Type).
    spider = make_spider(LatestSpider, tmp_path)
    request = spider.root_source(SITE + "/latest-news")
    body = HOME_PAGE
    for _ in range(layers):
        body = gzip.compress(body)
    assert len(list(spider.parse_source(_answer(request.url, body, headers, request)))) == 30
    stats = bs_stats(spider)
    assert stats["bs/discovery/sources_read"] == 1 and not any(k.startswith("bs/discovery/source_failed/") for k in stats)


def test_a_section_page_gzipped_without_saying_so_is_walked_on(tmp_path: Path) -> None:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="3")
    request = Request(SITE + "/markets/news", cb_kwargs={"section": "markets/news", "page": 1})
    response = _answer(request.url, gzip.compress(HOME_PAGE), {"Content-Type": "text/html"}, request)
    urls = [r.url for r in spider.parse_section(response, section="markets/news", page=1)]
    assert len(urls) == 31 and urls[-1] == SITE + "/markets/news/page-2"


@pytest.mark.parametrize(("cut", "reason"), [(True, "cut-gzip"), (False, "too-large")])
def test_a_cut_or_oversized_gzip_listing_is_a_failed_source(tmp_path: Path, caplog: pytest.LogCaptureFixture, cut: bool, reason: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    spider.source_max_size = 1000
    request = spider.root_source(SITE + "/latest-news")
    packed = gzip.compress(HOME_PAGE)
    body = packed[: len(packed) // 2] if cut else packed
    if cut:
        spider.source_max_size = 10 * len(HOME_PAGE)
    assert list(spider.parse_source(_answer(request.url, body, {"Content-Type": "text/html"}, request))) == []
    assert bs_stats(spider).get(f"bs/discovery/source_failed/{reason}") == 1
    assert any(f"<{SITE}/latest-news>: {reason}" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_a_gzip_listing_from_the_loopback_site_is_read(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault("/latest-news", "gzip-bare")
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/latest-news"})
    assert "Traceback" not in result.log
    assert result.status == EXIT_OK and len(result.items) == 20, result.log[-3000:]
    assert "sources: read=1 failed=0;" in result.log



# --- a section whose pages past the end repeat a page ---------------------------------------------------


def _section_page(spider: Any, page: int, body: bytes, section: str = "markets/news") -> list[Request]:
    url = f"{SITE}/{section}" + (f"/page-{page}" if page > 1 else "")
    request = Request(url, meta={"bs_source_depth": 0}, cb_kwargs={"section": section, "page": page})
    return list(spider.parse_section(HtmlResponse(url, body=body, request=request), section=section, page=page))


def _cards(first: int, count: int = 20) -> bytes:
    return ("<html><body>" + "".join(f'<a href="/markets/news/s-1240228{n:05d}_1.html">S</a>' for n in range(first, first + count)) + "</body></html>").encode()


@pytest.mark.parametrize("repeated", [1, 3], ids=["first-page", "last-page"])
def test_a_section_page_past_the_end_that_repeats_an_earlier_page_ends_the_walk(tmp_path: Path, repeated: int) -> None:
    # A CMS that clamps the page number serves page 1 (or the last page) for every page past the
    # end: with a large -a pages the walk went on, page after page of the same links, up to
    # BS_MAX_SOURCES (5,000 requests, then an ERROR).
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="10000")
    pages = {1: _cards(0), 2: _cards(20), 3: _cards(40, 7)}
    for page in (1, 2, 3):
        assert _section_page(spider, page, pages[page])[-1].url == f"{SITE}/markets/news/page-{page + 1}"
    assert _section_page(spider, 4, pages[repeated]) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/listing_end") == 1 and stats["bs/discovery/new"] == 47
    assert not any(k.startswith("bs/discovery/source_failed/") for k in stats)


def test_pages_that_list_articles_found_already_are_no_repeat(tmp_path: Path) -> None:
    # Another section's page with the same stories, a page that overlaps the one before it (a story
    # published while walking pushes the rest down): walked on.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news,markets", pages="10")
    assert _section_page(spider, 1, _cards(0))[-1].url.endswith("/markets/news/page-2")
    assert _section_page(spider, 1, _cards(0), section="markets")[-1].url.endswith("/markets/page-2")
    assert _section_page(spider, 2, _cards(10))[-1].url.endswith("/markets/news/page-3")
    assert not bs_stats(spider).get("bs/discovery/listing_end")


# --- 503 with Retry-After (maintenance) -------------------------------------------------------------


def test_a_503_with_retry_after_is_waited_out_not_retried_at_once_and_lost(site: LoopbackSite, tmp_path: Path) -> None:
    # RetryMiddleware asks again at once, three times in a few milliseconds: a minute of maintenance
    # failed every article in flight.
    record = [r for r in site.articles if r.layout == CURRENT][-1]
    site.set_path_fault(record.path, "503", 1, times=5)
    site.set_path_fault("/rss/latest.rss", "503", 1, times=1)
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"})
    assert "Traceback" not in result.log
    assert result.status == EXIT_OK and record.article_id in result.ids(), result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats["bs/unavailable"] == 4 and not stats.get("bs/failed/http-503")
    assert f"Unavailable (503) at <{site.base_url}{record.path}>: waiting 1 s (Retry-After)" in result.log


@pytest.mark.parametrize(("retry_after", "settings"), [(1, {"BS_RATE_LIMIT_RETRIES": "1"}), (3600, {})])
def test_a_503_that_does_not_lift_is_a_failed_article_not_a_closed_run(
    site: LoopbackSite, tmp_path: Path, retry_after: int, settings: dict[str, str]
) -> None:
    record = [r for r in site.articles if r.layout == CURRENT][-1]
    site.set_path_fault(record.path, "503", retry_after)
    result = crawl("article", tmp_path, "-a", f"url={record.url}", settings={"BS_BASE_URL": site.base_url, **settings})
    assert "Traceback" not in result.log and result.items == []
    assert stats_from_log(result.log)["bs/failed/http-503"] == 1
    # The waits allowed, then RetryMiddleware's own three retries.
    assert site.article_requests(record.article_id) == (2 if retry_after == 1 else 1) + 3


# --- distributed runs: the shared duplicate filter and a redirect to the same URL ---------------------


def test_the_shared_duplicate_filter_lets_a_redirect_to_the_same_url_through(redis_url: str, prefix: str, tmp_path: Path) -> None:
    # Every request of a distributed run goes through the Redis filter (discovery's own bypass is the
    # single-machine filter's): an article or feed redirected to itself was dropped there.
    from crawler.distributed.scheduler import RedisDupeFilter

    spider = make_spider(LatestSpider, tmp_path)
    dupefilter = RedisDupeFilter(redis.Redis.from_url(redis_url), f"{prefix}:dupefilter", crawler=spider.crawler)
    url = SITE + "/markets/news/s-124022800001_1.html"
    first = Request(url)
    assert not dupefilter.request_seen(first)
    again = redirected(spider, first, url, b"", status=302).request
    assert not dupefilter.request_seen(again)
    # Through another URL and back: no duplicate either (REDIRECT_MAX_TIMES ends a loop).
    elsewhere = redirected(spider, first, "/a/b-124022800001_1.html", b"", status=302).request
    assert not dupefilter.request_seen(elsewhere)
    assert not dupefilter.request_seen(redirected(spider, elsewhere, url, b"", status=302).request)
    # A second request for a URL requested before, or a redirect to one, still is one.
    assert dupefilter.request_seen(Request(url))
    assert dupefilter.request_seen(redirected(spider, Request(SITE + "/x/y-124022800002_1.html"), url, b"", status=301).request)


# --- redirects the browser followed when Splash rendered the page ------------------------------------


SEED_HTML = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")


def _rendered(final_url: str, body: str = SEED_HTML) -> tuple[Any, Any, Any]:
    """Splash's answer for an article whose page the browser found at ``final_url``, through the
    middleware; the crawler, the spider and what the middleware made of it (or the exception it raised)."""
    from scrapy.utils.misc import build_from_crawler

    from crawler.splash import SplashRenderingMiddleware
    from tests.test_splash import ARTICLE_URL, SPLASH, make_crawler, splash_answer, to_splash
    from tests.test_splash import make_spider as make_splash_spider

    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_splash_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL))
    data = {"html": body, "url": final_url, "http_status": 200, "ticker": "filled", "cookies": []}
    answer = splash_answer(crawler, spider, processed, 200, data)
    try:
        return crawler, spider, middleware.process_response(processed, answer)
    except Exception as error:  # noqa: BLE001 - the test looks at it
        return crawler, spider, error


def test_a_rendered_page_the_browser_found_on_another_host_is_refused_as_without_splash() -> None:
    # Without Splash, OffsiteRedirectMiddleware refuses the redirect; through Splash the page of
    # the other host was extracted and written as the article, its url on that host.
    from crawler.middlewares import OffsiteRedirect

    crawler, spider, result = _rendered("https://phish.example/markets/news/sensex-ends-higher-124112500123_1.html")
    assert isinstance(result, OffsiteRedirect) and result.target.startswith("https://phish.example/")
    failure = Failure(result)
    failure.request = Request("https://www.business-standard.com/markets/news/sensex-ends-higher-124112500123_1.html")  # type: ignore[attr-defined]
    spider.article_failed(failure)
    assert crawler.stats.get_value("bs/failed/offsite-redirect") == 1 and not crawler.stats.get_value("bs/splash/rendered")


@pytest.mark.parametrize(
    "final_url",
    ["https://www.business-standard.com/", "https://www.business-standard.com/markets/news/another-story-124112500999_1.html"],
    ids=["home-page", "another-article"],
)
def test_a_rendered_article_the_browser_was_redirected_away_from_is_skipped_as_without_splash(final_url: str) -> None:
    # Emitted under the home page's URL while discovery asked for this one. Another article is read as
    # that one, by its own id, as without Splash (tests/test_operator_probes_round19.py).
    crawler, spider, response = _rendered(final_url)
    assert isinstance(response, HtmlResponse) and response.url == final_url
    items = list(spider.parse_article(response))
    if final_url.endswith("/"):
        assert items == [] and crawler.stats.get_value("bs/skipped/redirected-away") == 1
    else:
        assert [i.articleId for i in items] == ["124112500999"] and not crawler.stats.get_value("bs/skipped/redirected-away")
        assert crawler.stats.get_value("bs/redirected/other_article") == 1


def test_a_rendered_article_redirected_to_its_own_other_url_is_read() -> None:
    # http → https, another slug, the AMP page: the same id, the same article.
    crawler, spider, response = _rendered("https://www.business-standard.com/amp/markets/news/new-slug-124112500123_1.html")
    (article,) = spider.parse_article(response)
    assert article.articleId == "124112500123"


# --- an Akamai block page answered with 200 in place of a source -------------------------------------


BLOCK_PAGE = render_block_page("www.business-standard.com", "/markets/news/page-2", "18.5f3c1002.1733112000.1a2b3c").encode()


def test_a_block_page_in_the_middle_of_a_section_is_a_failed_source_not_its_end(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A block page links to no article, which on a later page meant "the section ends here": the
    # walk stopped, and the run said the section was read to its end.
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    assert _section_page(spider, 1, _cards(0))[-1].url.endswith("/page-2")
    assert _section_page(spider, 2, BLOCK_PAGE) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/source_failed/blocked") == 1 and not stats.get("bs/discovery/listing_end")
    assert any(f"<{SITE}/markets/news/page-2>: blocked" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.parametrize("path", ["/latest-news", "/rss/latest.rss", "/sitemap/google-news-sitemap.xml"])
def test_a_block_page_in_place_of_a_feed_sitemap_or_listing_is_a_failed_source_named_so(tmp_path: Path, path: str) -> None:
    # It was "no-article-links" or "not-xml": the summary hid that the site was refusing us.
    spider = make_spider(LatestSpider, tmp_path)
    request = spider.root_source(SITE + path)
    assert list(spider.parse_source(HtmlResponse(request.url, body=BLOCK_PAGE, request=request))) == []
    stats = bs_stats(spider)
    assert stats.get("bs/discovery/source_failed/blocked") == 1
    assert not stats.get("bs/discovery/source_failed/not-xml") and not stats.get("bs/discovery/source_failed/no-article-links")


# --- sources given as whole URLs ------------------------------------------------------------------------


def test_latest_sources_given_as_whole_urls_are_read(site: LoopbackSite, tmp_path: Path) -> None:
    # "-s BS_LATEST_SOURCES=https://…/rss/latest.rss": the URL was appended to the site root
    # (<root>/https://…), a 404 named by a URL with the host twice.
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"{site.base_url}/rss/latest.rss,/latest-news"})
    assert "Traceback" not in result.log
    assert result.status == EXIT_OK and result.items, result.log[-3000:]
    assert "sources: read=2 failed=0;" in result.log
    assert site.counts["/rss/latest.rss"] == 1


# --- the article spider's arguments, blank ones -------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"urls": " , ,"}, "article: -a urls=' , ,' lists no URL"),
        ({"url": "   "}, "article: -a url='   ' lists no URL"),
        ({"url": " ", "urls": ","}, "article: -a url=' ' -a urls=',' lists no URL"),
    ],
)
def test_url_arguments_of_only_blanks_and_commas_are_named_in_the_error(arguments: dict[str, str], message: str) -> None:
    # They were "url_file None lists no URL" (no url_file was given) and "not an http(s) URL: ''".
    from scrapy.exceptions import UsageError

    from crawler.spiders.article import ArticleSpider

    with pytest.raises(UsageError) as raised:
        ArticleSpider.check_usage(arguments)
    assert str(raised.value) == message


# --- an article answered through a redirect ------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "status", "kept"),
    [
        ("/amp/india-news/a-new-slug-124022800873_1.html", 308, True),  # to its AMP page, relative
        ("https://www.business-standard.com/article/india-news/old-124022800873_1.html", 301, True),  # its pre-2023 URL
        # Another article (merged stories): read as that one, by its own id, never as the one asked for
        # (tests/test_operator_probes_round19.py).
        ("/india-news/another-story-124022800999_1.html", 301, "124022800999"),
        ("/", 302, False),  # the home page
        ("/latest-news", 307, False),  # a listing
    ],
)
def test_an_article_read_through_a_redirect_is_kept_only_when_it_lands_on_itself(tmp_path: Path, location: str, status: int, kept: bool | str) -> None:
    from crawler.spiders.article import ArticleSpider

    url = SITE + "/india-news/india-us-defence-meet-security-cooperation-intelligence-sharing-discussed-124022800873_1.html"
    spider = make_spider(ArticleSpider, tmp_path, url=url)
    response = redirected(spider, spider.article_request(url), location, SEED_HTML.encode(), status=status)
    items = list(spider.parse_article(response))
    expected = [kept] if isinstance(kept, str) else ["124022800873"] if kept else []
    assert [i.articleId for i in items] == expected
    assert spider.crawler.stats.get_value("bs/skipped/redirected-away") == (None if kept else 1)
    assert spider.crawler.stats.get_value("bs/redirected/other_article") == (1 if isinstance(kept, str) else None)


# --- a page that reloads itself with <meta http-equiv="refresh"> --------------------------------------------


def _refreshing(content: str) -> bytes:
    return (
        f'<html><head><meta http-equiv="refresh" content="{content}"></head><body>'
        '<a href="/markets/news/x-124022800873_1.html">X</a></body></html>'
    ).encode()


def _meta_refresh_answer(tmp_path: Path, content: str) -> tuple[Request, Response, Any]:
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import build_from_crawler, load_object

    # The meta refresh middleware the project's settings enable, whichever it is.
    project = Settings()
    project.setmodule("crawler.settings")
    (path,) = [p for p in build_component_list(project.getwithbase("DOWNLOADER_MIDDLEWARES")) if "MetaRefresh" in str(p)]
    spider = make_spider(LatestSpider, tmp_path)
    middleware = build_from_crawler(load_object(path), spider.crawler)
    request = spider.root_source(SITE + "/latest-news")
    response = HtmlResponse(request.url, body=_refreshing(content), request=request)
    # As the running Scrapy calls it: 2.13 always passes the spider, later versions only where required.
    wants_spider = scrapy.version_info < (2, 14) or inspect.signature(middleware.process_response).parameters["spider"].default is inspect.Parameter.empty
    return request, response, middleware.process_response(request, response, spider) if wants_spider else middleware.process_response(request, response)


@pytest.mark.parametrize("content", ["60;url=https://www.business-standard.com/latest-news", "30; URL=/latest-news", "0;url=/latest-news#top"])
def test_a_page_that_reloads_itself_is_read_not_refetched_until_the_redirect_limit(tmp_path: Path, content: str) -> None:
    # Followed as a redirect, the listing came back with the same refresh each time, and after
    # REDIRECT_MAX_TIMES it was given up ("max redirections reached": failed source "ignored").
    request, response, result = _meta_refresh_answer(tmp_path, content)
    assert result is response


def test_a_meta_refresh_to_another_page_is_still_followed(tmp_path: Path) -> None:
    request, response, result = _meta_refresh_answer(tmp_path, "0;url=/markets/news")
    assert isinstance(result, Request) and result.url == SITE + "/markets/news" and result.meta["redirect_urls"] == [request.url]


def _drain(starts: Any) -> list[Any]:
    """The items of an asynchronous generator that never waits (a spider's start()), without an event loop."""
    items = []
    while True:
        try:
            starts.__anext__().send(None)
        except StopIteration as step:
            items.append(step.value)
        except StopAsyncIteration:
            return items


def test_a_section_given_twice_is_walked_once_without_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # "-a sections=markets/news,markets/news/": the second was refused with "Not reading … again:
    # it was read in this run already" (a WARNING, before anything was read).
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news, markets/news/,/markets/news,economy")
    assert [request.url for request in _drain(spider.start())] == [SITE + "/markets/news", SITE + "/economy"]
    assert not [r for r in caplog.records if r.levelname == "WARNING"] and not bs_stats(spider).get("bs/discovery/source_repeated")
