"""``scrapy crawl reextract -a source=PATH``: extract articles again from stored responses, fetching nothing.

``PATH`` is a Scrapy HTTP cache directory (``HTTPCACHE_DIR``, filesystem storage), a folder
of saved ``.html`` / ``.html.gz`` pages, a ``.warc`` / ``.warc.gz`` file, or a folder holding
any mix of them. Each stored response becomes a request answered from the store by
``StoredResponseMiddleware`` (``crawler/reextract/``), so it goes through the same middlewares,
callback, pipelines and feed exports as a fetched page: the items are those of a live crawl.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from crawler.extraction import Article
from crawler.extraction.normalize import iso_ist
from crawler.priorities import merge_components
from crawler.reextract.middleware import (
    LIVE_ONLY_MIDDLEWARES,
    STORED_RECORD,
    STORED_RESPONSE_ORDER,
    StoredResponseMiddleware,
    skip_reason,
)
from crawler.reextract.sources import FOLDER, Record, SkippedRecord, StoredResponse, has_records, iter_records, source_kind

from .base import BusinessStandardSpider, require
from crawler import stats as stat

PROGRESS_EVERY = 1000  # default of BS_REEXTRACT_PROGRESS_EVERY
PAUSE_EVERY = 100  # skipped records in a row after which the reactor gets a turn
USAGE = "reextract: give -a source=PATH (an HTTP cache directory, a folder of saved .html/.html.gz pages, or a .warc/.warc.gz file)"


async def give_the_reactor_a_turn() -> None:
    """Let the reactor run what is due before the caller goes on."""
    from twisted.internet import reactor  # the installed one; importing it at module level would install one

    await maybe_deferred_to_future(deferLater(cast(IReactorTime, reactor), 0, lambda: None))


class ReextractSpider(BusinessStandardSpider):
    """Read every stored response under ``-a source=PATH`` and extract the articles again."""

    name = "reextract"
    custom_settings = {
        # Nothing is fetched, so there is nothing to be polite to.
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        # A page gives one article at most; Scrapy's default of 100 parallel item slots
        # per response costs more than the extraction here (measured: 220 vs 110 records/s).
        "CONCURRENT_ITEMS": 1,
    }

    source_path: Path
    progress_every: int = PROGRESS_EVERY
    max_size: int = 0

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        source = arguments.get("source")
        require(bool(source), USAGE)
        path = Path(str(source)).expanduser()
        require(path.exists(), f"reextract: source {str(source)!r} does not exist")
        kind = source_kind(path)
        require(
            kind is not None,
            f"reextract: source {str(source)!r} is not a directory, a .warc/.warc.gz file or a saved .html/.html.gz page",
        )
        if kind == FOLDER:
            require(
                has_records(path),
                f"reextract: source {str(source)!r} holds no HTTP cache entries, saved .html/.html.gz pages "
                "or .warc/.warc.gz files",
            )

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        middlewares: dict[str, int | None] = dict.fromkeys(LIVE_ONLY_MIDDLEWARES, None)
        middlewares[f"{StoredResponseMiddleware.__module__}.{StoredResponseMiddleware.__name__}"] = STORED_RESPONSE_ORDER
        # Merged into the project's dict (not replacing it), at a priority no Scrapy version
        # overwrites: losing it would make re-extraction fetch every page live.
        merge_components(settings, "DOWNLOADER_MIDDLEWARES", dict(middlewares))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReextractSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ReextractSpider)
        spider.source_path = Path(str(kwargs["source"])).expanduser()
        spider.progress_every = max(1, crawler.settings.getint("BS_REEXTRACT_PROGRESS_EVERY", PROGRESS_EVERY))
        spider.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        return spider

    async def start(self) -> AsyncIterator[Request]:
        assert self.crawler.engine is not None and self.crawler.stats is not None
        engine, stats = self.crawler.engine, self.crawler.stats
        skipped: Counter[str] = Counter()
        records = passed = since_pause = 0
        started = time.monotonic()
        self.logger.info("Re-extracting from %s (nothing is fetched)", self.source_path)
        for record in iter_records(self.source_path, max_size=self.max_size, site=self.base_url):
            records += 1
            stats.inc_value(stat.REEXTRACT_RECORDS)
            reason = skip_reason(record)
            if reason is None:
                assert isinstance(record, StoredResponse)
                passed += 1
                # Lazy start: hand over a request only when the engine has room for it, so
                # no more than about CONCURRENT_REQUESTS records are in memory at a time.
                if engine.needs_backout():
                    await self.crawler.signals.wait_for(signals.scheduler_empty)  # type: ignore[no-untyped-call,unused-ignore]  # typed from Scrapy 2.14
                yield self.stored_request(record)
                since_pause = 0
            else:
                skipped[reason] += 1
                stats.inc_value(stat.reextract_skipped(reason))
                self.log_skipped(record, reason)
                since_pause += 1
                if since_pause >= PAUSE_EVERY:
                    # A long run of skipped records (a web archive's images) must not keep
                    # the reactor from logging, answering signals, closing the spider.
                    await give_the_reactor_a_turn()
                    since_pause = 0
            if records % self.progress_every == 0:
                self.log_progress(records, passed, skipped, started)
        self.log_progress(records, passed, skipped, started, done=True)
        if not records:
            self.logger.warning("No stored responses found in %s", self.source_path)

    def stored_request(self, record: StoredResponse) -> Request:
        """The request standing for one stored response; the dupe filter and off-site checks let it through."""
        return Request(
            record.url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={STORED_RECORD: record, "allow_offsite": True},
            dont_filter=True,
        )

    def parse_article(self, response: Response) -> Iterator[Article]:
        """The live crawl's callback; ``dateDownloaded`` is when the page was stored, where the store knows."""
        record = response.meta.get(STORED_RECORD)
        fetched_at = record.fetched_at if isinstance(record, StoredResponse) else None
        for article in super().parse_article(response):
            if fetched_at is not None:
                article.dateDownloaded = iso_ist(fetched_at)
            yield article

    def log_skipped(self, record: Record, reason: str) -> None:
        if isinstance(record, SkippedRecord):
            self.logger.warning("Skipped %s: %s%s", record.origin, reason, f" ({record.detail})" if record.detail else "")
        elif reason == "not-article-url":
            # Web archives hold many of these (images, listings, scripts): not worth a line each.
            self.logger.debug("Skipped <%s> from %s: %s", record.url, record.origin, reason)
        else:
            self.logger.info("Skipped <%s> from %s: %s", record.url, record.origin, reason)

    def log_progress(self, records: int, passed: int, skipped: Counter[str], started: float, done: bool = False) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        reasons = ", ".join(f"{reason}={count}" for reason, count in sorted(skipped.items())) or "none"
        self.logger.info(
            "%s %d stored records in %.1f s (%.0f records/s): %d handed to extraction; skipped: %s",
            "Read all" if done else "Read",
            records,
            elapsed,
            records / elapsed,
            passed,
            reasons,
        )
