"""Rendering with Splash (crawler/splash/): unit tests with Scrapy objects, then whole crawls against a real Splash.

The integration tests need a Splash server: the one named by ``BS_TEST_SPLASH_URL`` (.ci/run starts it),
or one this module starts with ``tests/services/splash/start.sh`` when Splash is installed
(``tests/services/splash/install.sh``). Without either they skip, except under CI (env ``CI``), where
they fail.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, TimeoutError

from crawler import settings as project_settings
from crawler.spiders.article import ArticleSpider
from crawler.splash.compat import import_scrapy_splash
from crawler.splash import (
    BLOCK_RETRY,
    FALLBACK,
    PLAIN,
    RENDER,
    SPLASH_META,
    SplashOnBlockMiddleware,
    SplashRenderer,
    SplashRenderingMiddleware,
)
from crawler.monitoring.verdict import EXIT_OK, EXIT_SPLASH, RunVerdictExtension
from tests.conftest import PAGES, ROOT
from tests.e2e import crawl, stats_from_log
from tests.loopback.pages import render_block_page

SPLASH = "http://127.0.0.1:8050"
ARTICLE_URL = "https://www.business-standard.com/markets/news/sensex-ends-higher-124112500123_1.html"
SPLASH_SERVICE = ROOT / "tests" / "services" / "splash"


# --- helpers ------------------------------------------------------------------------------------


def make_crawler(**settings: Any) -> Crawler:
    """A crawler with the project's rendering settings (the add-on, the BS_SPLASH_* defaults) plus ``settings``."""
    values: dict[str, Any] = {
        name: getattr(project_settings, name)
        for name in dir(project_settings)
        if name == "ADDONS" or name.startswith("BS_SPLASH_")
    }
    values.update(settings)
    crawler = get_crawler(ArticleSpider, values)
    # scrapy-splash's SplashMiddleware asks the engine's downloader for the page's download slot
    # (through the public get_slot_key(): crawler/splash/compat.py).
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(get_slot_key=lambda request: "www.business-standard.com"))  # type: ignore[assignment]
    return crawler


def make_spider(crawler: Crawler) -> ArticleSpider:
    spider = ArticleSpider.from_crawler(crawler, url=ARTICLE_URL)
    assert isinstance(spider, ArticleSpider)
    crawler.spider = spider
    return spider


def to_splash(crawler: Crawler, spider: ArticleSpider, request: Request) -> Request:
    """``request`` as it leaves for Splash: through our middleware, then scrapy-splash's."""
    from crawler.splash.compat import SplashCookiesMiddleware, SplashMiddleware

    build_from_crawler(SplashRenderingMiddleware, crawler).process_request(request)
    assert SplashCookiesMiddleware.from_crawler(crawler).process_request(request) is None
    processed = SplashMiddleware.from_crawler(crawler).process_request(request)
    assert isinstance(processed, Request)
    return processed


def splash_answer(crawler: Crawler, spider: ArticleSpider, request: Request, status: int, data: dict[str, Any]) -> Response:
    """What scrapy-splash's SplashMiddleware makes of Splash's JSON answer to ``request``."""
    from crawler.splash.compat import SplashMiddleware

    raw = TextResponse(
        request.url, status=status, headers={"Content-Type": "application/json"}, body=json.dumps(data).encode(), request=request
    )
    response = SplashMiddleware.from_crawler(crawler).process_response(request, raw)
    assert isinstance(response, Response)
    return response


def offsite_check(offsite: OffsiteMiddleware, request: Request, spider: ArticleSpider) -> None:
    """Scrapy's off-site check of ``request``: 2.13 requires the spider argument, 2.14+ deprecates it."""
    if inspect.signature(offsite.process_request).parameters["spider"].default is inspect.Parameter.empty:
        offsite.process_request(request, spider)
    else:
        offsite.process_request(request)


PAGE_HTML = '<html><body><div class="mktticker"><div class="tickeritem"><span class="tickerval">80,109.85</span></div></div></body></html>'


# --- request construction -----------------------------------------------------------------------


def test_without_splash_url_article_requests_stay_plain() -> None:
    crawler = make_crawler()
    spider = make_spider(crawler)
    request = spider.article_request(ARTICLE_URL)
    assert type(request) is Request
    assert "splash" not in request.meta and SPLASH_META not in request.meta
    assert spider.renderer is PLAIN
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert not any("splash" in str(name).lower() for name in middlewares)
    assert "splash" not in crawler.settings["REQUEST_FINGERPRINTER_CLASS"].lower()


def test_with_splash_url_article_requests_go_to_splash_execute() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH, BS_SPLASH_WAIT=0.5, BS_SPLASH_TIMEOUT=12)
    spider = make_spider(crawler)
    from scrapy_splash import SplashRequest

    request = spider.article_request(ARTICLE_URL, source="test")
    assert isinstance(request, SplashRequest)
    assert request.url == ARTICLE_URL
    assert request.callback == spider.parse_article and request.errback == spider.article_failed
    assert request.meta["source"] == "test"
    assert request.meta[SPLASH_META] == RENDER
    splash = request.meta["splash"]
    assert splash["endpoint"] == "execute"
    args = splash["args"]
    assert args["url"] == ARTICLE_URL
    assert args["wait"] == 0.5 and args["timeout"] == 12.0
    assert "splash:go" in args["lua_source"] and ".tickerval" in args["ticker_js"]
    assert request.meta["download_timeout"] == 17.0


def test_saved_pages_are_never_rendered() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    request = spider.article_request("file:///tmp/page.html")
    assert type(request) is Request
    assert request.meta["allow_offsite"] is True


def test_addon_enables_scrapy_splash_components_only_with_splash_url() -> None:
    # Through the compatibility layer: on Scrapy 2.19 scrapy-splash does not import by itself, and
    # whether another test imported it first depends on how the tests are shared among workers.
    SplashRequestFingerprinter = import_scrapy_splash().SplashRequestFingerprinter

    crawler = make_crawler(SPLASH_URL=SPLASH)
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.splash.compat.SplashCookiesMiddleware"] == 723
    assert middlewares["crawler.splash.compat.SplashMiddleware"] == 725
    assert middlewares["crawler.middlewares.WholeStreamHttpCompressionMiddleware"] == 810
    assert middlewares["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] is None
    assert middlewares["crawler.splash.SplashRenderingMiddleware"] == 722
    assert isinstance(crawler.request_fingerprinter, SplashRequestFingerprinter)
    # Kept off on purpose (see SplashAddon): Scrapy 2.13 refuses our async start() with it.
    assert "scrapy_splash.SplashDeduplicateArgsMiddleware" not in crawler.settings.getdict("SPIDER_MIDDLEWARES")


def test_fingerprints_tell_rendered_and_plain_fetches_apart() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    fingerprint = crawler.request_fingerprinter.fingerprint  # type: ignore[union-attr]
    rendered = spider.article_request(ARTICLE_URL)
    assert fingerprint(rendered) == fingerprint(spider.article_request(ARTICLE_URL))
    assert fingerprint(rendered) != fingerprint(Request(ARTICLE_URL))
    assert fingerprint(rendered) != fingerprint(spider.article_request(ARTICLE_URL.replace("123_1", "124_1")))


def test_splash_requests_pass_the_offsite_filter_the_page_itself_still_meets() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)  # Splash on 127.0.0.1, not one of the allowed domains
    spider = make_spider(crawler)
    offsite = OffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(spider)
    request = spider.article_request(ARTICLE_URL)
    offsite_check(offsite, request, spider)  # the page: on the site
    processed = to_splash(crawler, spider, request)
    assert processed.url == SPLASH + "/execute" and processed.method == "POST"
    assert processed.meta["dont_obey_robotstxt"] is True  # robots.txt is checked for the page, not for Splash
    offsite_check(offsite, processed, spider)  # would raise IgnoreRequest without allow_offsite
    with pytest.raises(IgnoreRequest):
        offsite_check(offsite, spider.article_request("https://elsewhere.example/a-124112500123_1.html"), spider)


# --- Splash's answers and failures -----------------------------------------------------------------


def test_a_rendered_page_becomes_the_pages_html_response() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL))
    answer = splash_answer(crawler, spider, processed, 200, {"html": PAGE_HTML, "url": ARTICLE_URL, "http_status": 200, "ticker": "filled", "cookies": []})
    response = middleware.process_response(processed, answer)
    assert isinstance(response, HtmlResponse)
    assert response.url == ARTICLE_URL and response.status == 200
    assert "80,109.85" in response.text
    assert "splash" in response.flags
    assert crawler.stats.get_value("bs/splash/rendered") == 1  # type: ignore[union-attr]
    assert crawler.stats.get_value("bs/splash/ticker/filled") == 1  # type: ignore[union-attr]


def test_the_pages_own_status_is_kept_and_is_no_splash_failure() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL))
    answer = splash_answer(crawler, spider, processed, 200, {"html": "<html>gone</html>", "url": ARTICLE_URL, "http_status": 404, "ticker": "absent"})
    response = middleware.process_response(processed, answer)
    assert isinstance(response, HtmlResponse) and response.status == 404
    assert crawler.stats.get_value("bs/splash/ticker/absent") == 1  # type: ignore[union-attr]
    assert not any(k.startswith("bs/splash/failed") for k in crawler.stats.get_stats())  # type: ignore[union-attr]


def assert_fallback(crawler: Crawler, spider: ArticleSpider, result: Any, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    assert type(result) is Request
    assert result.url == ARTICLE_URL and result.method == "GET"
    assert result.dont_filter
    assert result.callback == spider.parse_article and result.errback == spider.article_failed
    assert result.meta[SPLASH_META] == FALLBACK
    for key in ("splash", "_splash_processed", "dont_obey_robotstxt", "allow_offsite", "download_slot", "download_timeout"):
        assert key not in result.meta, key
    assert result.meta["source"] == "test"
    assert crawler.stats.get_value(f"bs/splash/failed/{reason}") == 1  # type: ignore[union-attr]
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "Splash" in errors[0].getMessage() and ARTICLE_URL in errors[0].getMessage() and reason in errors[0].getMessage()


@pytest.mark.parametrize(
    ("exception", "reason"),
    [
        (ConnectionRefusedError("Connection refused"), "connection"),
        (TimeoutError("Getting http://127.0.0.1:8050/execute took longer than 20.0 seconds."), "timeout"),
    ],
)
def test_splash_unreachable_or_silent_falls_back_to_a_plain_fetch(
    exception: Exception, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    assert_fallback(crawler, spider, middleware.process_exception(processed, exception), reason, caplog)


@pytest.mark.parametrize(
    ("status", "data", "reason"),
    [
        (504, {"error": 504, "type": "GlobalTimeoutError", "description": "Timeout exceeded rendering page", "info": {"timeout": 15}}, "render-timeout"),
        (503, {"error": 503, "description": "Splash is overloaded"}, "http-503"),
        (502, {"error": 502, "type": "RenderError"}, "http-502"),
        (400, {"error": 400, "type": "ScriptError", "info": {"message": "cannot load the page: network3"}}, "render-error"),
    ],
)
def test_splash_errors_fall_back_to_a_plain_fetch(
    status: int, data: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    answer = splash_answer(crawler, spider, processed, status, data)
    assert_fallback(crawler, spider, middleware.process_response(processed, answer), reason, caplog)


def test_plain_requests_and_ignored_requests_are_left_alone() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    plain = Request("https://www.business-standard.com/rss/latest.rss")
    response = TextResponse(plain.url, body=b"<rss/>", request=plain)
    assert middleware.process_response(plain, response) is response
    assert middleware.process_exception(plain, ConnectionRefusedError()) is None
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL))
    assert middleware.process_exception(processed, IgnoreRequest()) is None


def test_rendering_middlewares_switch_off_without_splash_url() -> None:
    crawler = make_crawler(BS_SPLASH_ON_BLOCK=True)
    for middleware in (SplashRenderingMiddleware, SplashOnBlockMiddleware, SplashRenderer):
        with pytest.raises(NotConfigured):
            middleware.from_crawler(crawler)


# --- the run verdict: Splash failing on most pages is a failed run ----------------------------------


@pytest.mark.parametrize(
    ("rendered", "failed", "share", "status"),
    [
        (10, 0, 0.5, EXIT_OK),
        (6, 4, 0.5, EXIT_OK),
        (5, 5, 0.5, EXIT_OK),  # half is not "more than half"
        (4, 6, 0.5, EXIT_SPLASH),
        (0, 1, 0.5, EXIT_SPLASH),
        (0, 10, 1.0, EXIT_OK),
        (9, 1, 0.0, EXIT_SPLASH),
        (0, 0, 0.5, EXIT_OK),  # no Splash in this run
    ],
)
def test_verdict_fails_the_run_when_splash_failed_on_more_than_the_allowed_share(
    rendered: int, failed: int, share: float, status: int
) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH, BS_SPLASH_MAX_FAILED_SHARE=share)
    verdict = RunVerdictExtension.from_crawler(crawler)
    stats: dict[str, Any] = {"item_scraped_count": 10, "bs/discovery/new": 10, "bs/splash/rendered": rendered}
    if failed:
        stats["bs/splash/failed/connection"] = failed - failed // 2
        stats["bs/splash/failed/render-timeout"] = failed // 2
    code, why = verdict.verdict(stats, "finished")
    assert code == status, why
    if status == EXIT_SPLASH:
        assert f"Splash failed on {failed} of {rendered + failed} pages" in why and "connection=" in why


# --- BS_SPLASH_ON_BLOCK --------------------------------------------------------------------------------


def block_response(request: Request, status: int = 403) -> HtmlResponse:
    body = render_block_page("www.business-standard.com", "/markets/news/x-124112500123_1.html", "18.5f3c1002.1732500000.1a2b3c")
    return HtmlResponse(request.url, status=status, body=body.encode(), request=request)


def test_on_block_is_off_by_default() -> None:
    with pytest.raises(NotConfigured):
        SplashOnBlockMiddleware.from_crawler(make_crawler(SPLASH_URL=SPLASH))


def test_on_block_retries_a_blocked_plain_article_once_through_splash() -> None:
    SplashRequest = import_scrapy_splash().SplashRequest

    crawler = make_crawler(SPLASH_URL=SPLASH, BS_SPLASH_ON_BLOCK=True)
    spider = make_spider(crawler)
    middleware = SplashOnBlockMiddleware.from_crawler(crawler)
    plain = Request(ARTICLE_URL, callback=spider.parse_article, errback=spider.article_failed)
    retry = middleware.process_response(plain, block_response(plain))
    assert isinstance(retry, SplashRequest)
    assert retry.meta[SPLASH_META] == BLOCK_RETRY and retry.dont_filter
    assert retry.callback == spider.parse_article
    assert crawler.stats.get_value("bs/splash/block_retry") == 1  # type: ignore[union-attr]
    # The retry's answer, even if blocked again, is not sent once more.
    assert middleware.process_response(retry, block_response(retry)).__class__ is HtmlResponse


def test_on_block_leaves_other_pages_alone() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH, BS_SPLASH_ON_BLOCK=True)
    spider = make_spider(crawler)
    middleware = SplashOnBlockMiddleware.from_crawler(crawler)
    for url in (
        "https://www.business-standard.com/sitemap/google-news-sitemap.xml",
        "https://www.business-standard.com/rss/latest.rss",
        "https://www.business-standard.com/robots.txt",
        "https://www.business-standard.com/latest-news",
    ):
        request = Request(url)
        response = block_response(request)
        assert middleware.process_response(request, response) is response, url
    fallback = Request(ARTICLE_URL, meta={SPLASH_META: FALLBACK})  # Splash just failed on it
    response = block_response(fallback)
    assert middleware.process_response(fallback, response) is response
    plain = Request(ARTICLE_URL)
    page = HtmlResponse(ARTICLE_URL, body=PAGE_HTML.encode(), request=plain)
    assert middleware.process_response(plain, page) is page
    assert crawler.stats.get_value("bs/splash/block_retry") is None  # type: ignore[union-attr]


# --- the compatibility layer (crawler/splash/compat.py) -----------------------------------------------


def test_scrapy_splash_loads_without_warnings_and_leaves_scrapy_as_it_was() -> None:
    script = (
        "import scrapy.utils.url, crawler.splash.compat as compat, scrapy_splash\n"
        "assert 'canonicalize_url' not in vars(scrapy.utils.url), 'scrapy.utils.url was left changed'\n"
        "assert compat.SplashMiddleware.__mro__[1] is scrapy_splash.SplashMiddleware\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_compat_middlewares_take_no_required_spider_argument() -> None:
    from crawler.splash.compat import SplashCookiesMiddleware, SplashMiddleware

    for cls in (SplashCookiesMiddleware, SplashMiddleware, SplashRenderingMiddleware, SplashOnBlockMiddleware):
        for name in ("process_request", "process_response", "process_exception"):
            method = getattr(cls, name, None)
            if method is not None and name in vars(cls):
                assert inspect.signature(method).parameters["spider"].default is None, f"{cls.__name__}.{name}"


def test_the_download_slot_is_the_pages_own_from_the_public_api() -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL))
    assert processed.meta["download_slot"] == "www.business-standard.com"


# --- no scrapy-splash without SPLASH_URL (a whole crawl, in its own process) ------------------------

# Crawls run in the test's folder (their seen-store and run lock are its own, so tests can run in
# parallel); the project is found through PYTHONPATH and SCRAPY_SETTINGS_MODULE.
CRAWL_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}

CRAWL_SCRIPT = """
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

url, out = sys.argv[1:3]
settings = get_project_settings()
for pair in sys.argv[3:]:
    name, value = pair.split("=", 1)
    settings.set(name, value, priority="cmdline")
settings.set("FEEDS", {out: {"format": "jsonlines"}}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl("article", url=url)
process.start()
print(json.dumps({"scrapy_splash_loaded": "scrapy_splash" in sys.modules}))
"""


def run_script_crawl(url: str, out: Path, *settings: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, url, str(out), *settings],
        cwd=out.parent,  # the run's state dir (.state) is the test's own, not the project's
        env=CRAWL_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return json.loads(result.stdout.strip().splitlines()[-1]), items


def test_a_crawl_without_splash_url_never_imports_scrapy_splash(tmp_path: Path) -> None:
    page = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").as_uri()
    loaded, items = run_script_crawl(page, tmp_path / "out.jsonl")
    assert loaded == {"scrapy_splash_loaded": False}
    assert len(items) == 1 and all(quote["value"] is None for quote in items[0]["market"])
    loaded, _ = run_script_crawl(page, tmp_path / "out2.jsonl", f"SPLASH_URL={SPLASH}")
    assert loaded == {"scrapy_splash_loaded": True}  # the check above can tell


# --- integration: a real Splash, the loopback site, `scrapy crawl article` --------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_ping", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the Splash tests, not skip them)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def splash_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running Splash: BS_TEST_SPLASH_URL's, or one started here for the session."""
    given = os.environ.get("BS_TEST_SPLASH_URL")
    if given:
        if not _answers(given):
            pytest.fail(f"BS_TEST_SPLASH_URL={given} does not answer {given}/_ping")
        yield given.rstrip("/")
        return
    venv = Path(os.environ.get("SPLASH_VENV", "/opt/bs-splash-venv"))
    if not (venv / ".bs-splash-installed").is_file():
        _skip_or_fail(f"Splash is not installed in {venv}: run tests/services/splash/install.sh, or set BS_TEST_SPLASH_URL")
    env = dict(os.environ, SPLASH_RUN_DIR=str(tmp_path_factory.mktemp("splash-run")), SPLASH_VENV=str(venv))
    started = subprocess.run(
        ["bash", str(SPLASH_SERVICE / "start.sh"), str(_free_port())], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"Splash is installed but did not start:\n{started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SPLASH_SERVICE / "stop.sh")], env=env, capture_output=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def site() -> Iterator[Any]:
    from tests.loopback.site import LoopbackSite

    with LoopbackSite(articles=60, seed=1, slow_seconds=4.0) as running:
        yield running


def a_current_article(site: Any, skip: int = 0) -> Any:
    """A current-layout (Next.js) article: the one layout with the ticker."""
    from tests.loopback.corpus import CURRENT

    return [a for a in site.articles if a.layout == CURRENT][skip]


class Run:
    def __init__(self, result: subprocess.CompletedProcess[str], items: list[dict[str, Any]]) -> None:
        self.returncode = result.returncode
        self.log = result.stderr
        self.items = items

    @property
    def verdict(self) -> int:
        """The exit status the run's summary line announced."""
        found = re.findall(r"Run summary: .*exit=(\d+)", self.log)
        assert found, self.log[-3000:]
        return int(found[-1])

    def stat(self, name: str) -> Any:
        found = re.search(rf"'{re.escape(name)}': (\d+)", self.log)
        return int(found.group(1)) if found else None


def crawl_article(tmp_path: Path, site: Any, url: str, *settings: str) -> Run:
    """``scrapy crawl article -a url=URL -O out.jsonl -s BS_BASE_URL=<loopback> [-s …]`` in the test's own folder."""
    out = tmp_path / f"out-{time.monotonic_ns()}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={url}", "-O", str(out), "-s", f"BS_BASE_URL={site.base_url}"]
    for setting in settings:
        command += ["-s", setting]
    result = subprocess.run(command, cwd=tmp_path, env=CRAWL_ENV, capture_output=True, text=True, timeout=180, check=False)
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return Run(result, items)


def expected_market(site: Any) -> dict[str, dict[str, float]]:
    return {
        name: {key: float(quote[key].replace(",", "")) for key in ("value", "change", "changePercent")}
        for name, quote in site.ticker.items()
    }


def market_of(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["name"]: {k: q[k] for k in ("value", "change", "changePercent")} for q in item["market"]}


def assert_null_numbers(item: dict[str, Any], site: Any) -> None:
    market = market_of(item)
    assert set(market) == set(site.ticker)
    assert all(v is None for quote in market.values() for v in quote.values()), market


def test_rendered_article_carries_the_numbers_the_pages_script_wrote(tmp_path: Path, site: Any, splash_url: str) -> None:
    article = a_current_article(site)
    run = crawl_article(tmp_path, site, article.url, f"SPLASH_URL={splash_url}")
    assert run.returncode == 0 == run.verdict, run.log[-3000:]
    assert len(run.items) == 1 and run.items[0]["articleId"] == article.article_id
    assert market_of(run.items[0]) == expected_market(site)
    assert run.stat("bs/splash/rendered") == 1 and run.stat("bs/splash/ticker/filled") == 1
    assert run.stat("robotstxt/response_status_count/200") == 1  # robots.txt obeyed for the page, not asked of Splash
    assert "Forbidden by robots.txt" not in run.log and "ERROR" not in run.log


def test_splash_on_another_host_than_the_site_is_not_filtered_as_off_site(tmp_path: Path, site: Any, splash_url: str) -> None:
    # The site is 127.0.0.1; Splash reached as "localhost" is off the allowed domains, like a
    # production Splash beside a crawler of business-standard.com.
    other_host = splash_url.replace("127.0.0.1", "localhost")
    if other_host == splash_url:
        pytest.skip(f"{splash_url} is not on 127.0.0.1")
    run = crawl_article(tmp_path, site, a_current_article(site, 1).url, f"SPLASH_URL={other_host}")
    assert run.returncode == 0, run.log[-3000:]
    assert run.stat("bs/splash/rendered") == 1 and run.stat("offsite/filtered") is None
    assert market_of(run.items[0]) == expected_market(site)


def test_without_splash_url_the_same_run_has_null_numbers(tmp_path: Path, site: Any) -> None:
    run = crawl_article(tmp_path, site, a_current_article(site).url)
    assert run.returncode == 0 == run.verdict, run.log[-3000:]
    assert len(run.items) == 1
    assert_null_numbers(run.items[0], site)
    assert "bs/splash" not in run.log and "scrapy_splash" not in run.log


def test_splash_down_the_article_is_still_emitted(tmp_path: Path, site: Any) -> None:
    article = a_current_article(site, 2)
    run = crawl_article(tmp_path, site, article.url, f"SPLASH_URL=http://127.0.0.1:{_free_port()}")
    assert len(run.items) == 1 and run.items[0]["articleId"] == article.article_id
    assert_null_numbers(run.items[0], site)
    errors = [line for line in run.log.splitlines() if " ERROR: " in line and "Run summary:" not in line]
    assert len(errors) == 1 and "Splash could not render" in errors[0] and article.url in errors[0], errors
    assert run.stat("bs/splash/failed/connection") == 1
    # The article is out, but Splash failed on every page it was given: the run says so.
    assert run.returncode == run.verdict == EXIT_SPLASH


@pytest.mark.long
def test_splash_too_slow_the_article_is_still_emitted(tmp_path: Path, site: Any, splash_url: str) -> None:
    article = a_current_article(site, 3)
    site.set_fault(article.article_id, "slow")  # every fetch of the page takes slow_seconds (4 s)
    try:
        run = crawl_article(tmp_path, site, article.url, f"SPLASH_URL={splash_url}", "BS_SPLASH_TIMEOUT=2", "BS_SPLASH_WAIT=0.5")
    finally:
        site.set_fault(article.article_id, None)
    assert len(run.items) == 1, run.log[-3000:]
    assert_null_numbers(run.items[0], site)
    assert run.stat("bs/splash/failed/render-timeout") == 1
    assert "Splash could not render" in run.log
    assert run.returncode == run.verdict == EXIT_SPLASH  # 1 of 1 renders failed
    # With a share the user allows, the same run is ok.
    site.set_fault(article.article_id, "slow")
    try:
        run = crawl_article(
            tmp_path, site, article.url, f"SPLASH_URL={splash_url}", "BS_SPLASH_TIMEOUT=2", "BS_SPLASH_WAIT=0.5", "BS_SPLASH_MAX_FAILED_SHARE=1"
        )
    finally:
        site.set_fault(article.article_id, None)
    assert run.returncode == run.verdict == 0, run.log[-3000:]


def test_latest_with_splash_fills_the_ticker_of_every_article_that_has_one(tmp_path: Path, splash_url: str) -> None:
    from tests.loopback.corpus import CURRENT
    from tests.loopback.site import LoopbackSite

    with LoopbackSite(articles=16, legacy=3, seed=7) as small:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": small.base_url, "SPLASH_URL": splash_url})
        current = {a.article_id for a in small.articles if a.layout == CURRENT}
        expected = expected_market(small)
    assert result.status == 0, result.log[-3000:]
    stats = stats_from_log(result.log)
    with_ticker = [item for item in result.items if item["articleId"] in current]
    assert len(with_ticker) == len(current) == 16 and len(result.items) == 19
    for item in with_ticker:
        assert market_of(item) == expected, item["url"]
    assert stats["bs/splash/rendered"] == 19 and stats["bs/splash/ticker/filled"] == 16
    assert not any(name.startswith("bs/splash/failed/") for name in stats)
