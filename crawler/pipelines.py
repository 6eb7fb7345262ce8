"""Item pipelines: normalise and validate with the extraction rules' own code, drop duplicates."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.extraction import Article, missing_fields, missing_required, provenance_of
from crawler.extraction.normalize import clean_text, normalize_date, parse_date
from crawler import stats as stat
from crawler.runset import RunSet

logger = logging.getLogger(__name__)


class ArticleValidationPipeline:
    """Normalise an article again, drop it when a required field is empty or its body was cut
    short; count missing fields, the source each field came from and the fields whose sources
    disagreed."""

    def __init__(self, stats: StatsCollector, future_skew: float = 600.0) -> None:
        self.stats = stats
        self.future_skew = timedelta(seconds=future_skew)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleValidationPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, crawler.settings.getfloat("BS_FUTURE_DATE_SKEW", 600))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        provenance = provenance_of(item)
        # Same normalisers as the rules (zero-width and control characters go): idempotent on
        # good items, and they catch anything a spider or a future rule put in by hand.
        headline = clean_text(item.headline) or ""
        description = clean_text(item.description)
        published = normalize_date(item.datePublished)
        modified = normalize_date(item.dateModified)
        # The body keeps its paragraphs as they are; one of only blank or invisible characters is none,
        # as for the headline (the rules never give one, a spider or a future rule might).
        body = None if item.articleBody is not None and _blank(item.articleBody) else item.articleBody
        article = item
        if (headline, description, published, modified, body) != (
            item.headline, item.description, item.datePublished, item.dateModified, item.articleBody
        ):
            # Only a changed item is copied: a rule's output is already normal (the copy cost as much as the checks).
            article = replace(
                item, headline=headline, description=description, datePublished=published, dateModified=modified, articleBody=body
            )
        self.stats.inc_value(stat.layout(article.layout))
        if provenance is not None:
            for name, source in provenance.sources.items():
                self.stats.inc_value(stat.source(name, source))
            for name in provenance.disagreements:
                self.stats.inc_value(stat.disagree(name))
            if "truncated-dom" in provenance.flags:
                self.stats.inc_value(stat.BODY_TRUNCATED_DOM)
            if "body-cut" in provenance.flags:
                self.stats.inc_value(stat.BODY_CUT)
                self.stats.inc_value(stat.DROPPED_CUT_BODY)
                raise DropItem(f"the body of <{article.url}> is cut short (the document ends inside the story)")
        for name in missing_fields(article):
            self.stats.inc_value(stat.missing(name))
        missing = missing_required(article)
        if missing:
            for name in missing:
                self.stats.inc_value(stat.dropped_missing(name))
            raise DropItem(f"missing required field(s): {', '.join(missing)}")
        self.check_not_ahead(article)
        return article

    def check_not_ahead(self, article: Article) -> None:
        """Say so when the publication date lies ahead (a typo'd year on the site): the item is still
        the article, and dropping it would lose it on every fetch, but a reader sorting by date must know."""
        published = parse_date(article.datePublished)
        # Ahead of the fetch (a stored page's, re-extracted: dateDownloaded), as the rules read it.
        fetched = parse_date(article.dateDownloaded) or datetime.now(timezone.utc)
        if published is not None and published > fetched + self.future_skew:
            self.stats.inc_value(stat.FUTURE_DATE_PUBLISHED)
            logger.warning("<%s>: datePublished %s lies in the future; written as the page gives it", article.url, article.datePublished)


def _blank(text: str) -> bool:
    """Whether ``text`` is only blank or invisible characters. A body shows a letter within its first
    characters: only then is the whole of it cleaned (50 µs for a short story's)."""
    return not clean_text(text[:200]) and not clean_text(text)


class DuplicateArticle(DropItem):
    """Another item of the same article was emitted in this run (or is on its way)."""


class DuplicateArticlePipeline:
    """Drop a second item with an ``articleId`` already emitted in this run (two slugs, AMP, …)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        # On disk, not a Python set: memory stays flat on million-article runs (crawler/runset.py).
        self.seen = RunSet()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicateArticlePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Article):
            return item
        if not self.seen.add(item.articleId):
            self.stats.inc_value(stat.DROPPED_DUPLICATE)
            raise DuplicateArticle(f"duplicate of article {item.articleId} already emitted in this run")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        self.seen.close()
