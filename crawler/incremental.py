"""The incremental pipeline: emit new and changed articles with a version, skip unchanged ones,
and mark an article seen only once its JSON line is in the feed file."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import fields
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler import signals as bs_signals
from crawler.extraction import Article
from crawler.extraction.article import plain
from crawler.state import PendingArticle, SeenStore, StateError, recover_pending
from crawler import stats as stat

logger = logging.getLogger(__name__)

# Fields that change without the article changing: fetch time, our own version, the live ticker.
_VOLATILE = frozenset({"url", "dateDownloaded", "version", "market"})
_ARTICLE_ID_IN_LINE = re.compile(rb'"articleId":\s*"(\d{12})"')
_HASHED_FIELDS = tuple(f.name for f in fields(Article) if f.name not in _VOLATILE)


def content_hash(article: Article) -> str:
    """A stable hash of what a reader sees of the article.

    The same JSON as ``json.dumps(asdict(article) without the volatile fields, sort_keys=True,
    ensure_ascii=False)``, so the hashes already in seen-stores stay valid.
    """
    content = {name: plain(getattr(article, name)) for name in _HASHED_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class UnchangedArticle(DropItem):
    """The article was emitted before with the same content."""


def new_run_id(spider_name: str = "") -> str:
    """An id for this run's pending entries and feed files: ``<spider>:<random>``.

    The spider's name scopes recovery: runs of one spider never overlap (the run lock), but runs of
    two spiders may, and one must not settle the other's live entries.
    """
    return f"{spider_name}:{uuid.uuid4().hex}"


class IncrementalPipeline:
    """Versions items against the seen-store of spiders that have one (``spider.seen_store``)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.store: SeenStore | None = None
        self.run_id = new_run_id()
        self.fresh = False
        self.durable_feeds = 0
        crawler.signals.connect(self.feed_file_opened, signal=bs_signals.feed_file_opened)
        crawler.signals.connect(self.feed_line_written, signal=bs_signals.feed_line_written)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalPipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider) -> None:
        self.store = getattr(spider, "seen_store", None)
        self.fresh = bool(getattr(spider, "fresh", False))
        self.run_id = new_run_id(spider.name)
        if self.store is None:
            return
        confirmed, dropped = recover_pending(self.store, self.run_id)
        if confirmed or dropped:
            logger.warning(
                "Recovered an interrupted run: %d article(s) were in its output and are now seen, "
                "%d were not written and will be fetched again",
                confirmed,
                dropped,
            )
            self.stats.set_value(stat.STATE_RECOVERED_WRITTEN, confirmed)
            self.stats.set_value(stat.STATE_RECOVERED_UNWRITTEN, dropped)

    def process_item(self, item: Any, spider: Spider) -> Any:
        if self.store is None or not isinstance(item, Article):
            return item
        digest = content_hash(item)
        seen = self.store.get(item.articleId)
        unchanged = seen is not None and seen.content_hash == digest
        if unchanged and not self.fresh:
            self.stats.inc_value(stat.UNCHANGED)
            raise UnchangedArticle(f"unchanged since version {seen.version}")  # type: ignore[union-attr]
        if seen is None:
            item.version = 1
            self.stats.inc_value(stat.NEW)
        else:
            item.version = seen.version if unchanged else seen.version + 1
            self.stats.inc_value(stat.UNCHANGED if unchanged else stat.UPDATED)
        source_dates: dict[str, str | None] = getattr(spider, "source_dates", {})
        self.store.add_pending(
            PendingArticle(
                article_id=item.articleId,
                version=item.version,
                content_hash=digest,
                date_modified=item.dateModified,
                source_date=source_dates.pop(item.articleId, None),
                run_id=self.run_id,
            )
        )
        return item

    def feed_file_opened(self, path: str) -> None:
        self.durable_feeds += 1
        if self.store is not None:
            self.store.record_feed(self.run_id, path)

    def feed_line_written(self, line: bytes) -> None:
        if self.store is None:
            return
        match = _ARTICLE_ID_IN_LINE.search(line)
        if match:
            self.store.confirm(match.group(1).decode(), self.run_id)
            self.stats.inc_value(stat.STATE_MARKED_SEEN)

    def close_spider(self, spider: Spider) -> None:
        if self.store is None:
            return
        if self.durable_feeds == 0:
            # Items went only to other storages (stdout, S3, …), which cannot tell
            # line by line what was written: they count as written at the end.
            for entry in self.store.pending():
                if entry.run_id == self.run_id:
                    self.store.confirm(entry.article_id, self.run_id)
        # Otherwise what is still pending never reached the file (a write failed);
        # it stays pending and the next run settles it against the file.
        try:
            self.stats.set_value(stat.STATE_SEEN_TOTAL, self.store.count())
        except StateError as error:
            # A distributed worker that lost Redis still closes cleanly; its restart settles the rest.
            logger.warning("Seen-store total not known: %s", error)
