"""The downloader middlewares' checks of every answer (a meta refresh, an Akamai block page) read the
page's bytes, not its decoded text, wherever the bytes show what the text would: the answers found by
the text are the same."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler

from crawler import stats as stat
from crawler.extraction import is_block_page, may_be_block_page
from crawler.middlewares import BlockPageMiddleware, ReloadIgnoringMetaRefreshMiddleware, may_refresh
from tests.conftest import PAGES, SITE
from tests.loopback.pages import render_block_page, render_block_page_encoded
from tests.test_spiders_unit import make_spider
from crawler.spiders.latest import LatestSpider

ARTICLE = PAGES / "nextjs-2023" / "seed-syndicated" / "page.html"
URL = SITE + "/india-news/a-124022800873_1.html"


class UndecodedResponse(HtmlResponse):
    """An answer whose text must not be asked for: the check reads the bytes."""

    @property
    def text(self) -> str:
        raise AssertionError("the page's whole text was decoded")


def _process(middleware: Any, request: Request, response: Response, spider: Any) -> Any:
    # As the running Scrapy calls it: 2.13 always passes the spider, later versions only where required.
    wants_spider = SCRAPY_2_13 or inspect.signature(middleware.process_response).parameters["spider"].default is inspect.Parameter.empty
    return middleware.process_response(request, response, spider) if wants_spider else middleware.process_response(request, response)


SCRAPY_2_13 = scrapy.version_info < (2, 14)


@pytest.fixture
def spider(tmp_path: Path) -> Any:
    return make_spider(LatestSpider, tmp_path)


def test_an_article_is_passed_on_by_both_checks_without_its_text_decoded(spider: Any) -> None:
    request = Request(URL)
    response = UndecodedResponse(URL, body=ARTICLE.read_bytes(), request=request)
    for middleware_class in (ReloadIgnoringMetaRefreshMiddleware, BlockPageMiddleware):
        assert _process(build_from_crawler(middleware_class, spider.crawler), request, response, spider) is response
    assert not spider.crawler.stats.get_value(stat.BLOCKED)


def _refreshing(content: str, http_equiv: str = "refresh") -> str:
    return f'<html><head><meta http-equiv="{http_equiv}" content="{content}"><title>x</title></head><body><p>x</p></body></html>'


@pytest.mark.parametrize("http_equiv", ["refresh", "Refresh", "REFRESH", "ReFresh"])
def test_a_refresh_to_another_page_is_followed_however_the_word_is_written(spider: Any, http_equiv: str) -> None:
    request = Request(URL)
    response = HtmlResponse(URL, body=_refreshing("0;url=/markets/news", http_equiv).encode(), request=request, encoding="utf-8")
    result = _process(build_from_crawler(ReloadIgnoringMetaRefreshMiddleware, spider.crawler), request, response, spider)
    assert isinstance(result, Request) and result.url == SITE + "/markets/news"


def test_a_refresh_in_a_utf16_page_is_followed(spider: Any) -> None:
    request = Request(URL)
    body = _refreshing("0;url=/markets/news").encode("utf-16")  # with its byte order mark
    response = HtmlResponse(URL, body=body, request=request)
    result = _process(build_from_crawler(ReloadIgnoringMetaRefreshMiddleware, spider.crawler), request, response, spider)
    assert isinstance(result, Request) and result.url == SITE + "/markets/news"


def test_a_refresh_past_the_head_scrapy_reads_is_not_looked_for() -> None:
    # w3lib reads the first 4,096 characters: a refresh after them was never followed.
    body = ("<html><head><title>x</title></head><body>" + "é" * 4096 + _refreshing("0;url=/x")).encode()
    assert may_refresh(body)  # within the bytes of 4,096 characters (é is two)
    assert not may_refresh(b"<html><head></head><body>" + b"x" * 20000 + _refreshing("0;url=/x").encode())


@pytest.mark.parametrize("render", [render_block_page, render_block_page_encoded])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_a_block_page_in_any_encoding_is_still_counted(spider: Any, render: Any, encoding: str) -> None:
    text = render("www.business-standard.com", "/india-news/a-124022800873_1.html", "18.2a3c1002.1700000000.5e6f7a8b")
    body = text.encode(encoding)
    assert is_block_page(text) and may_be_block_page(body)
    request = Request(URL)
    response = HtmlResponse(URL, status=403, body=body, request=request, encoding=encoding)
    middleware = BlockPageMiddleware(spider.crawler, max_share=1.0, min_responses=1000)  # counts, never closes the run
    assert _process(middleware, request, response, spider) is response
    assert spider.crawler.stats.get_value(stat.BLOCKED) == 1 and spider.crawler.stats.get_value(stat.blocked(403)) == 1


def test_the_bytes_check_never_rules_out_a_page_the_text_check_calls_a_block_page() -> None:
    # Every fixture page and the Akamai pages: where the text says "block page", the bytes say "may be".
    pages = [p.read_bytes() for p in PAGES.glob("*/*/page.html")]
    assert len(pages) > 20
    for body in pages:
        if is_block_page(body.decode("utf-8", "replace")):
            assert may_be_block_page(body)
    assert not may_be_block_page(ARTICLE.read_bytes())


def test_a_site_that_sets_a_cookie_sends_the_crawler_nowhere_else(tmp_path: Path) -> None:
    # Scrapy's cookie middleware looks the cookie's domain up in the Public Suffix List, which
    # tldextract downloaded from publicsuffix.org on a machine that had no copy cached yet (offline:
    # a traceback in the log, and the run's first cookie-setting answer took its timeout).
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.loopback.corpus import CURRENT
    from tests.loopback.site import LoopbackSite

    cache = tmp_path / "tldextract"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "TLDEXTRACT_CACHE": str(cache)}
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    with LoopbackSite(articles=6, seed=5) as site:
        record = [r for r in site.articles if r.layout == CURRENT][-1]
        site.set_path_fault(record.path, "redirect-self", times=1)  # answers with a Set-Cookie
        output = tmp_path / "out.jsonl"
        command = [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={record.url}", "-O", str(output),
                   "-s", f"BS_BASE_URL={site.base_url}", "-s", f"BS_STATE_DIR={tmp_path / 'state'}"]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [json.loads(line)["articleId"] for line in output.read_text().splitlines()] == [record.article_id]
    assert "publicsuffix" not in done.stderr and "Traceback" not in done.stderr
    assert not list(cache.glob("**/urls")), "nothing was downloaded"
