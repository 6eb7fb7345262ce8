"""What the HTTP cache keeps of an article for re-extraction: its page, never an answer in its place."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings

from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
from tests.loopback.pages import render_block_page

ARTICLE = "https://www.business-standard.com/markets/news/sensex-falls-124022800873_1.html"
PAGE = b"<html><head><title>Sensex falls</title></head><body><h1>Sensex falls</h1>" + b"<p>story</p>" * 200 + b"</body></html>"
BLOCK = render_block_page("www.business-standard.com", "/markets/news/sensex-falls-124022800873_1.html", "18.5f3c1002.1733112000.1a2b3c").encode()


def stored(body: bytes, *, status: int = 200, url: str = ARTICLE, headers: dict[str, str] | None = None) -> bool:
    request = Request(url)
    response: Response = HtmlResponse(url, status=status, body=body, headers=headers or {}, request=request)
    return ArticlesOnlyPolicy(Settings()).should_cache_response(response, request)


def test_an_article_page_is_stored() -> None:
    assert stored(PAGE)
    assert stored(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})


@pytest.mark.parametrize(
    ("body", "status", "headers"),
    [
        (BLOCK, 200, None),  # Akamai's block page sent with 200
        (gzip.compress(BLOCK), 200, {"Content-Encoding": "gzip"}),  # the same, packed
        (BLOCK.decode().encode("utf-16"), 200, None),  # in UTF-16
        (b"", 200, None),
        (b"  \r\n ", 200, None),
        (gzip.compress(b""), 200, {"Content-Encoding": "gzip"}),
        (PAGE, 503, None),
        (PAGE, 404, None),
    ],
    ids=["block-200", "block-200-gzip", "block-200-utf16", "empty", "blank", "empty-gzip", "503", "404"],
)
def test_an_answer_in_place_of_the_page_does_not_replace_it(body: bytes, status: int, headers: dict[str, str] | None) -> None:
    assert not stored(body, status=status, headers=headers)


def test_pages_other_than_articles_are_not_stored() -> None:
    assert not stored(PAGE, url="https://www.business-standard.com/rss/latest.rss")
