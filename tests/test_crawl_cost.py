"""What each response and item costs besides its work: no DEBUG records that the log does not show,
and no Scrapy component that does nothing for these crawls."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.incremental.pipeline import UnchangedArticle
from crawler.logformatter import ArticleLogFormatter

URL = "http://127.0.0.1/a/x-124022800873_1.html"


def _formatter(**settings: Any) -> ArticleLogFormatter:
    return ArticleLogFormatter.from_crawler(get_crawler(Spider, settings_dict=settings))


def _response() -> HtmlResponse:
    return HtmlResponse(URL, body=b"<html></html>", request=Request(URL))


@pytest.mark.parametrize("level", ["INFO", "WARNING", logging.INFO])
def test_no_per_response_or_per_item_records_when_the_log_hides_debug(level: str | int) -> None:
    formatter = _formatter(LOG_LEVEL=level)
    spider = Spider("t")
    item = {"articleId": "124022800873", "url": URL}
    assert formatter.crawled(_response().request, _response(), spider) is None  # type: ignore[arg-type]
    assert formatter.scraped(item, _response(), spider) is None
    assert formatter.dropped(item, UnchangedArticle("unchanged since version 1"), _response(), spider) is None
    # A real drop is a warning whatever the level.
    dropped = formatter.dropped(item, DropItem("missing required field(s): headline"), _response(), spider)
    assert dropped["level"] == logging.WARNING
    assert dropped["msg"] % dropped["args"] == f"Dropped article 124022800873 <{URL}>: missing required field(s): headline"


@pytest.mark.parametrize("settings", [{"LOG_LEVEL": "DEBUG"}, {"LOG_LEVEL": "INFO", "LOG_ENABLED": False}])
def test_debug_lines_are_made_when_they_can_be_seen(settings: dict[str, Any]) -> None:
    # LOG_ENABLED off: Scrapy installs no handler, and whoever attached one may want DEBUG.
    formatter = _formatter(**settings)
    spider = Spider("t")
    item = {"articleId": "124022800873", "url": URL}
    crawled = formatter.crawled(_response().request, _response(), spider)  # type: ignore[arg-type]
    assert crawled is not None and crawled["level"] == logging.DEBUG
    scraped = formatter.scraped(item, _response(), spider)
    assert scraped is not None and scraped["level"] == logging.DEBUG
    unchanged = formatter.dropped(item, UnchangedArticle("unchanged since version 1"), _response(), spider)
    assert unchanged is not None and unchanged["level"] == logging.DEBUG


def _settings() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    return settings


def test_components_that_do_nothing_for_these_crawls_are_off() -> None:
    settings = _settings()
    spider_middlewares = settings.getwithbase("SPIDER_MIDDLEWARES")
    assert spider_middlewares["scrapy.spidermiddlewares.depth.DepthMiddleware"] is None
    assert spider_middlewares["scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware"] is None
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False  # Scrapy 2.19's; a listening port, like telnet
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    # What the crawls do need stays on: HTTP errors filtered, off-site requests refused.
    assert spider_middlewares["scrapy.spidermiddlewares.httperror.HttpErrorMiddleware"] is not None
    assert settings.getwithbase("DOWNLOADER_MIDDLEWARES")["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is not None


def test_a_run_does_not_import_the_remote_control_or_aiohttp() -> None:
    # Scrapy >= 2.19 imports every extension listed, even one set to None, to compare their names:
    # its remote control would bring aiohttp's server into every start of a cron run.
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from scrapy.utils.conf import build_component_list\n"
        "settings = get_project_settings()\n"
        "compose = getattr(settings, 'get_component_priority_dict_with_base', settings.getwithbase)\n"
        "from scrapy.utils.misc import load_object\n"
        "for path in build_component_list(compose('EXTENSIONS')):\n"
        "    load_object(path)  # as Scrapy's extension manager does\n"
        "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'scrapy.extensions.remote_control'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {"PYTHONPATH": str(root), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _ours(crawler: Any, signal: object, middleware: object) -> list[str]:
    from pydispatch.dispatcher import getAllReceivers, liveReceivers

    return [receiver.__name__ for receiver in liveReceivers(getAllReceivers(crawler, signal)) if getattr(receiver, "__self__", None) is middleware]


def test_robots_txt_download_handlers_are_connected_only_while_one_downloads() -> None:
    # bytes_received is sent for every read of every answer, headers_received and response_downloaded
    # for every answer: handlers that matter for robots.txt alone cost each article's answer ~15 us.
    from types import SimpleNamespace

    from scrapy import signals

    from crawler.middlewares import RobotsTxtFailureMiddleware

    crawler = get_crawler(Spider, settings_dict={"ROBOTSTXT_OBEY": True, "BS_BASE_URL": "http://127.0.0.1"})
    middleware = RobotsTxtFailureMiddleware.from_crawler(crawler)
    # No crawl started: the downloader's requests in progress are this test's.
    downloader = SimpleNamespace(active=set(), get_slot_key=lambda request: "127.0.0.1", per_slot_settings={}, slots={})
    middleware.crawler = SimpleNamespace(engine=None, signals=crawler.signals, settings=crawler.settings, stats=crawler.stats)  # type: ignore[assignment]
    download = (signals.headers_received, signals.bytes_received)
    assert [_ours(crawler, s, middleware) for s in (*download, signals.response_downloaded)] == [[], [], []]
    robots = Request("http://127.0.0.1/robots.txt", meta={"dont_obey_robotstxt": True})
    middleware.process_request(robots)
    assert [_ours(crawler, s, middleware) for s in download] == [["unbound_plain_robots_txt"], ["stop_at_bound"]]
    # An article's request while robots.txt downloads leaves them; robots.txt's answer takes them away.
    middleware.process_request(Request(URL))
    assert [_ours(crawler, s, middleware) for s in download] == [["unbound_plain_robots_txt"], ["stop_at_bound"]]
    answer = HtmlResponse(robots.url, body=b"User-agent: *\nCrawl-delay: 1\n", request=robots)
    assert middleware.process_response(robots, answer) is not None
    assert [_ours(crawler, s, middleware) for s in download] == [[], []]
    # Its Crawl-delay is held to from now on: the slot's spacing is kept after each answer.
    assert _ours(crawler, signals.response_downloaded, middleware) == ["hold_crawl_delay"]
    # One retried (or redirected) leaves the downloader without its answer passing here: gone from the
    # downloader's requests in progress, it takes them away at the next request.
    retried = robots.replace(meta={**robots.meta, "retry_times": 1})
    middleware.process_request(retried)
    downloader.active = {retried}
    middleware.crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[attr-defined]
    middleware.process_request(Request(URL))
    assert [_ours(crawler, s, middleware) for s in download] == [["unbound_plain_robots_txt"], ["stop_at_bound"]]
    downloader.active = set()
    middleware.process_request(Request(URL))
    assert [_ours(crawler, s, middleware) for s in download] == [[], []]


def test_the_cookie_bound_walks_a_jar_only_after_it_gained_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bounding walked and sorted every cookie of the jar at every answer (the site's Akamai cookies at
    # each article); a jar gains cookies only from an answer's Set-Cookie or a request's own cookies.
    from scrapy.http import Response

    from crawler import middlewares
    from crawler.middlewares import MAX_COOKIES_PER_DOMAIN, BoundedCookiesMiddleware
    from tests.test_network_probes_round9 import _call

    walks: list[int] = []
    bound = middlewares.bound_cookie_jar
    monkeypatch.setattr(middlewares, "bound_cookie_jar", lambda jar: walks.append(1) or bound(jar))
    crawler = get_crawler(Spider)
    spider = Spider("t")
    cookies = BoundedCookiesMiddleware.from_crawler(crawler)

    def answer(request: Request, headers: dict[bytes, list[bytes]] | None = None) -> None:
        _call(cookies, "process_request", request, spider=spider)
        _call(cookies, "process_response", request, Response(request.url, headers=headers, request=request), spider=spider)

    answer(Request(URL))
    assert walks == []
    answer(Request(URL), {b"Set-Cookie": [f"s{n}=v".encode() for n in range(MAX_COOKIES_PER_DOMAIN + 10)]})
    assert walks == [1] and len(cookies.jars[None].jar) == MAX_COOKIES_PER_DOMAIN
    answer(Request(URL))
    assert walks == [1]
    # A request's own cookies: bounded at the next answer, whichever request's it is.
    grown = Request(URL, cookies={f"r{n}": "v" for n in range(10)})
    _call(cookies, "process_request", grown, spider=spider)
    answer(Request(URL))
    assert walks == [1, 1] and len(cookies.jars[None].jar) == MAX_COOKIES_PER_DOMAIN
    answer(Request(URL))
    assert walks == [1, 1]
