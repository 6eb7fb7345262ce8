"""What a live site or CDN can send an article request, fed to the article callback and the pipelines
as Scrapy builds it: a body gzipped without saying so, a JSON error answered with 200, text a reader
never sees in place of the body."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from crawler.extraction import Article
from crawler.pipelines import ArticleValidationPipeline
from crawler.spiders.article import ArticleSpider
from tests.conftest import PAGES, SITE
from tests.pages.specs import SEED
from tests.test_spiders_unit import make_spider

SEED_BODY = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_bytes()
SEED_URL = SITE + SEED.path


def answer(body: bytes, headers: dict[str, str], url: str = SEED_URL, meta: dict[str, Any] | None = None) -> Response:
    """The response Scrapy's download handler makes of these headers and body (its class too)."""
    scrapy_headers = Headers(headers)
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return cls(url, status=200, headers=scrapy_headers, body=body, request=Request(url, meta=meta or {}))


def articles(spider: Any, response: Response) -> list[Article]:
    return list(spider.parse_article(response))


# --- a gzip body the compression middleware did not unpack -------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        # A CDN that stores the page gzipped and serves it without Content-Encoding.
        (gzip.compress(SEED_BODY), {"Content-Type": "text/html; charset=utf-8"}),
        (gzip.compress(SEED_BODY), {"Content-Type": "application/octet-stream"}),
        (gzip.compress(SEED_BODY), {}),
        # Gzipped twice: HttpCompressionMiddleware took off the layer the header announced, one is left.
        (gzip.compress(gzip.compress(SEED_BODY)), {"Content-Type": "text/html"}),
    ],
    ids=["text-html", "octet-stream", "no-content-type", "double-gzip"],
)
def test_an_article_gzipped_without_saying_so_is_unpacked_and_read(tmp_path: Path, body: bytes, headers: dict[str, str]) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    (article,) = articles(spider, answer(body, headers))
    assert article.articleId == "124022800873" and article.headline == SEED.headline
    assert not any(k.startswith("bs/skipped/") for k in spider.crawler.stats.get_stats())


def test_an_article_without_an_html_extension_gzipped_without_saying_so_is_read(tmp_path: Path) -> None:
    # The Hindi edition's story URL has no extension: Scrapy takes the gzip bytes for a binary answer.
    url = "https://hindi.business-standard.com/storypage.php?autono=166607"
    page = (PAGES / "hindi-2020" / "budget-166607" / "page.html").read_bytes()
    spider = make_spider(ArticleSpider, tmp_path, url=url)
    response = answer(gzip.compress(page), {"Content-Type": "application/octet-stream"}, url=url)
    assert type(response) is Response
    (article,) = articles(spider, response)
    assert article.articleId == "hi-166607"


def test_a_cut_gzip_article_is_one_line_and_a_stat_not_half_an_item(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    packed = gzip.compress(SEED_BODY)
    assert articles(spider, answer(packed[: len(packed) // 2], {"Content-Type": "text/html"})) == []
    assert spider.crawler.stats.get_value("bs/skipped/cut-gzip") == 1
    assert [r.levelname for r in caplog.records if SEED.path in r.getMessage()] == ["WARNING"]


def test_a_gzip_article_larger_than_the_download_limit_once_unpacked_is_refused(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    response = answer(gzip.compress(SEED_BODY), {"Content-Type": "text/html"}, meta={"download_maxsize": 10_000})
    assert articles(spider, response) == []
    assert spider.crawler.stats.get_value("bs/failed/too-large") == 1


# --- a 200 that is a JSON error ---------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "text/html", None])
def test_a_json_error_answered_with_200_is_not_html_not_an_unknown_layout(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content_type: str | None
) -> None:
    # An unknown layout is how a redesign shows; an API gateway's error is not one.
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    headers = {"Content-Type": content_type} if content_type else {}
    assert articles(spider, answer(b' {"error": "article not found", "status": 404}\n', headers)) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/skipped/not-html") == 1 and stats.get_value("bs/skipped/unknown-layout") is None
    (line,) = [r.getMessage() for r in caplog.records if SEED.path in r.getMessage()]
    assert "JSON" in line and "article not found" in line


# --- the validation pipeline: a body a reader never sees -------------------------------------------


@pytest.mark.parametrize("body", ["  \n\t ", "\u200b\u200c\ufeff", "\xa0\n\xa0", "\u2060 \u00ad"])
def test_a_body_of_blank_or_invisible_characters_is_no_body(tmp_path: Path, body: str) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    pipeline = ArticleValidationPipeline.from_crawler(spider.crawler)
    (item,) = articles(spider, answer(SEED_BODY, {"Content-Type": "text/html; charset=utf-8"}))
    item.articleBody = body
    with pytest.raises(DropItem, match="articleBody"):
        pipeline.process_item(item, spider)
    assert spider.crawler.stats.get_value("article/dropped/missing_articleBody") == 1


# --- the validation pipeline: a publication date years ahead ----------------------------------------


def test_an_article_dated_years_ahead_is_written_with_a_warning_and_a_stat(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A typo'd year on the site (2031 for 2024) is still the article: dropping it would lose it for
    # good (it is dropped again on every fetch), but a reader sorting by date must be told.
    spider = make_spider(ArticleSpider, tmp_path, url=SEED_URL)
    pipeline = ArticleValidationPipeline.from_crawler(spider.crawler)
    (item,) = articles(spider, answer(SEED_BODY, {"Content-Type": "text/html; charset=utf-8"}))
    item.datePublished = "2031-02-28T15:42:00+05:30"
    assert pipeline.process_item(item, spider).datePublished == "2031-02-28T15:42:00+05:30"
    assert spider.crawler.stats.get_value("article/future_date") == 1
    (line,) = [r for r in caplog.records if "2031-02-28" in r.getMessage()]
    assert line.levelname == "WARNING" and SEED.path in line.getMessage()
    (good,) = articles(spider, answer(SEED_BODY, {"Content-Type": "text/html; charset=utf-8"}))
    pipeline.process_item(good, spider)
    assert spider.crawler.stats.get_value("article/future_date") == 1
