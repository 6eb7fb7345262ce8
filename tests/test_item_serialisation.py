"""An article's feed line and content hash: the bytes Scrapy's exporter writes, the hash seen-stores hold."""

from __future__ import annotations

import gc
import hashlib
import io
import json
from dataclasses import asdict
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter

from crawler.extraction import Article, Image, Link, MarketQuote, RelatedArticle, extract
from crawler.incremental.exporters import ArticleJsonLinesItemExporter, dataclass_fields
from crawler.incremental.pipeline import content_hash, earlier_content_hashes
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES

_VOLATILE = {"url", "dateDownloaded", "version", "market", "alsoRead", "dateModified", "dateModifiedRaw"}


def _odd_article() -> Article:
    """Every kind of value a field can hold: nested dataclasses, None, non-ASCII, escapes, numbers."""
    return Article(
        url="https://www.business-standard.com/markets/news/x-124010100001_1.html",
        canonicalUrl=None,
        articleId="124010100001",
        section="Markets",
        breadcrumbs=[Link(name="Home", url="https://www.business-standard.com"), Link(name="Markets")],
        headline='Sensex "jumps" 1.5% — रुपया ₹83\\/$ \u2028 ok',
        description=None,
        authors=[Link(name="Ananya Rao", url=None)],
        dateline="Mumbai",
        datePublished="2024-01-01T09:15:00+05:30",
        dateModified=None,
        readTimeMinutes=4,
        mainImage=Image(url="https://bsmedia.example/x.jpg", alt=None, caption="Photo: \tReuters"),
        articleBody="Line one.\nLine two, with \x7f and \ufeff.",
        alsoRead=[RelatedArticle(headline="Next", url="https://www.business-standard.com/y-124010100002_1.html")],
        topics=["Sensex", "निफ्टी"],
        isPremium=True,
        market=[MarketQuote(name="Sensex", value=71234.5, change=-12.25, changePercent=-0.017), MarketQuote(name="Nifty")],
        layout="nextjs-2023",
        dateDownloaded="2024-01-01T10:00:00+05:30",
        version=3,
    )


def _page_articles() -> list[Article]:
    return [extract(page_bytes(case, PAGES / case.folder), case.url).article for case in CASES
            if case.not_article is None and not case.shared]


def _scrapy_line(item: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    JsonLinesItemExporter(out, **options).export_item(item)
    return out.getvalue()


def _ours_line(item: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    ArticleJsonLinesItemExporter(out, **options).export_item(item)
    return out.getvalue()


@pytest.mark.parametrize("options", [{"encoding": "utf-8", "ensure_ascii": False}, {"ensure_ascii": True}, {}])
def test_an_article_line_is_scrapys_byte_for_byte(options: dict[str, Any]) -> None:
    articles = [_odd_article(), *_page_articles()]
    assert len(articles) > 10
    for article in articles:
        assert _ours_line(article, **options) == _scrapy_line(article, **options)


def test_the_content_hash_is_the_documented_json() -> None:
    for article in [_odd_article(), *_page_articles()]:
        content = {name: value for name, value in asdict(article).items() if name not in _VOLATILE}
        expected = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        assert content_hash(article) == expected


def test_the_content_hash_of_an_article_never_changes() -> None:
    # Hashes are stored in users' seen-stores: a new value emits every article again when it is next
    # fetched, unless the stores tell the old one (earlier_content_hashes). Changed twice: when the
    # related list, the section's newest stories, left the hash, and when the Last Updated date did.
    assert content_hash(_odd_article()) == "3ada4dee2305b8ede4ce67f571d920b7f93ddbdc7d8098d0a8d93be8687e2786"
    assert earlier_content_hashes(_odd_article())[0] == "25ac6a82f28ea7c328d706191fffedaf892cbeb9ed86868081898149e02b2a66"


def test_a_value_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps({"a": {1, 2}}, default=dataclass_fields)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(Article, default=dataclass_fields)


def test_validation_normalises_what_a_spider_put_in_by_hand_and_keeps_normal_items_as_they_are() -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.pipelines import ArticleValidationPipeline

    pipeline = ArticleValidationPipeline.from_crawler(get_crawler(Spider))
    normal = _odd_article()
    normal.headline = "Sensex jumps"
    assert pipeline.process_item(normal) is normal
    raw = _odd_article()
    raw.headline, raw.description = " Sensex\u200b  jumps &amp; more ", "\u00a0"
    raw.datePublished, raw.dateModified = "Feb 28 2024 | 3:42 PM", "2024-02-28T10:12:00Z"
    article = pipeline.process_item(raw)
    assert (article.headline, article.description) == ("Sensex jumps & more", None)
    assert (article.datePublished, article.dateModified) == ("2024-02-28T15:42:00+05:30", "2024-02-28T15:42:00+05:30")
    assert _ours_line(article) == _scrapy_line(article)
    assert {name: value for name, value in asdict(article).items() if name not in
            {"headline", "description", "datePublished", "dateModified"}} == \
        {name: value for name, value in asdict(_odd_article()).items() if name not in
         {"headline", "description", "datePublished", "dateModified"}}


def test_an_item_that_holds_itself_is_refused_as_before() -> None:
    article = _odd_article()
    article.topics = [article]  # type: ignore[list-item]
    # The collector is kept from running at the recursion's depth: the dicts made on the way down
    # could start it there, and the finalizers of what earlier tests of this worker left behind
    # (a Deferred's, a generator's) then failed for want of stack, an "unraisable" RecursionError
    # that pytest charged to this test.
    gc.collect()
    gc.disable()
    try:
        with pytest.raises(RecursionError):
            content_hash(article)
        with pytest.raises(RecursionError):
            _ours_line(article)
    finally:
        gc.enable()
