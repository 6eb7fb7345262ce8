"""The incremental pipeline: emit new and changed articles with a version, skip unchanged ones; the
article is claimed for this run here and marked seen once every feed has it (crawler/incremental/delivery.py)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import fields
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler import stats as stat
from crawler.extraction import Article
from crawler.incremental import signals as bs_signals
from crawler.incremental.exporters import dataclass_fields
from crawler.incremental.extension import SeenStoreExtension
from crawler.incremental.store import PendingArticle, StateError

logger = logging.getLogger(__name__)

# Beside an emitted article's fields, not in them: what its claim found it, "new" or "updated".
_CLAIMED = "_bs_claimed"


def claimed_as(item: Any) -> str | None:
    """Whether this run's pipeline emits ``item`` as ``"new"`` or ``"updated"``; None for an
    unchanged one emitted again (``fresh=1``) or an item it did not claim."""
    found = getattr(item, _CLAIMED, None)
    return found if found in ("new", "updated") else None

# Fields that change without the article changing: fetch time, our own version, the live ticker, the
# related list after the story, which shows the section's newest stories as they are published (half
# of the seed page's "Also Read", all of the 2026 site's "More From This Section"), and the "Last
# Updated" date, which moves whenever the CMS saves the story again, edited or not (a live blog's at
# every fetch): hashed, every fetch of a story nobody edited (its sitemap date moved on a re-save, a
# fresh run) was a new version. An edit moves the date and changes what the rules read besides.
_VOLATILE = frozenset({"url", "dateDownloaded", "version", "market", "alsoRead", "dateModified", "dateModifiedRaw"})
_HASHED_FIELDS = tuple(f.name for f in fields(Article) if f.name not in _VOLATILE)
# The fields earlier releases hashed (seen-stores hold their hashes): the release before counted the
# Last Updated date, the one before it the related list too.
_DATED_HASHED_FIELDS = tuple(f.name for f in fields(Article) if f.name not in _VOLATILE - {"dateModified", "dateModifiedRaw"})
_PREVIOUS_HASHED_FIELDS = tuple(f.name for f in fields(Article) if f.name not in _VOLATILE - {"alsoRead", "dateModified", "dateModifiedRaw"})
# json.dumps(..., sort_keys=True, ensure_ascii=False), nested dataclasses written as asdict() writes them.
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, check_circular=False, default=dataclass_fields).encode


def content_hash(article: Article) -> str:
    """A stable hash of what a reader sees of the article.

    The same JSON as ``json.dumps(asdict(article) without the volatile fields, sort_keys=True,
    ensure_ascii=False)``. (Taking ``alsoRead`` out, then the Last Updated date, changed every hash
    stored before: the stores tell such a hash by :func:`earlier_content_hashes`, and store this one in
    its place.)
    """
    return _hash_of(article, _HASHED_FIELDS)


def dated_content_hash(article: Article) -> str:
    """:func:`content_hash` as the release before wrote it (the Last Updated date counted): a story
    whose stored hash is this one is unchanged, and would be emitted as a version nobody edited."""
    return _hash_of(article, _DATED_HASHED_FIELDS)


def previous_content_hash(article: Article) -> str:
    """:func:`content_hash` as the release before the last wrote it (``alsoRead`` and the Last Updated
    date counted), which stores still hold for stories not fetched since."""
    return _hash_of(article, _PREVIOUS_HASHED_FIELDS)


def earlier_content_hashes(article: Article) -> tuple[str, str]:
    """The hashes earlier releases gave the same content, the latest first."""
    return dated_content_hash(article), previous_content_hash(article)


def _hash_of(article: Article, names: tuple[str, ...]) -> str:
    content = {name: getattr(article, name) for name in names}
    return hashlib.sha256(_HASH_JSON(content).encode()).hexdigest()


class UnchangedArticle(DropItem):
    """The article was emitted before with the same content."""


class ClaimedElsewhere(DropItem):
    """Another run on the same seen-store is emitting this article."""


class StaleCopy(DropItem):
    """The page is an older copy of the article than the version already emitted."""


class StateUnusable(DropItem):
    """The seen-store failed; nothing more is emitted (the run stops with exit 7)."""


class OutputFailed(DropItem):
    """An output feed failed; nothing more is emitted (the run stops with exit 6)."""


class IncrementalPipeline:
    """Versions articles against the crawl's seen-store (:class:`SeenStoreExtension`), when it has one."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.seen = crawler.get_extension(SeenStoreExtension)
        self.output_failed = False
        crawler.signals.connect(self.feed_write_failed, signal=bs_signals.feed_write_failed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalPipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        # Before the feeds open (spider_opened): a cut last line is cut off before this run appends.
        if self.seen is not None:
            self.seen.recover()

    def feed_write_failed(self) -> None:
        self.output_failed = True

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        seen = self.seen
        if seen is None or not isinstance(item, Article):
            return item
        if seen.failed is not None or seen.store is None:
            raise StateUnusable("not emitted: the seen-store cannot be used")
        if self.output_failed:
            # The feeds that still work would have it, unconfirmed, and the next run would write it
            # there a second time (a gzip or remote feed cannot take an item back).
            raise OutputFailed("not emitted: an output feed failed; fetched again next run")
        pending = PendingArticle(
            article_id=item.articleId,
            version=0,
            content_hash=content_hash(item),
            date_modified=item.dateModified,
            source_date=seen.source_dates.pop(item.articleId, None),
            run_id=seen.run_id,
            previous_hash_of=functools.partial(earlier_content_hashes, item),
        )
        try:
            claim = seen.store.claim(pending, fresh=seen.fresh, is_live=seen.is_live)
        except StateError as error:
            seen.fail(error)
            raise StateUnusable("not emitted: the seen-store cannot be used") from None
        if claim.outcome == "taken":
            self.stats.inc_value(stat.STATE_CLAIMED_ELSEWHERE)
            raise ClaimedElsewhere("another run on the same seen-store is emitting it")
        if claim.outcome == "stale":
            # A CDN edge that has not revalidated since an earlier update: emitted, the article
            # would go back in time for the reader (and forward again at the next fetch).
            # For the reader the article is unchanged (the run verdict counts it read, not lost).
            self.stats.inc_value(stat.STATE_STALE_PAGE)
            self.stats.inc_value(stat.UNCHANGED)
            self.stats.inc_value(stat.UNCHANGED_DROPPED)
            raise StaleCopy(
                f"the page (dateModified {item.dateModified}) is older than version {claim.version} already emitted "
                f"(dateModified {claim.date_modified}): a stale copy, not emitted; fetched again next run"
            )
        if claim.outcome == "unchanged":
            self.stats.inc_value(stat.UNCHANGED)
            if not seen.fresh:
                self.stats.inc_value(stat.UNCHANGED_DROPPED)
                raise UnchangedArticle(f"unchanged since version {claim.version}")
        else:
            # Counted new or updated once every feed has it (crawler/incremental/delivery.py): an article a
            # feed failed on is fetched again next run, and new then.
            object.__setattr__(item, _CLAIMED, claim.outcome)
        item.version = claim.version
        return item
