"""``scrapy crawl reextract -a source=PATH``: extract articles again from stored responses, fetching nothing.

``PATH`` is a Scrapy HTTP cache directory (``HTTPCACHE_DIR``, filesystem storage), a folder
of saved ``.html`` / ``.html.gz`` / ``.mhtml`` pages, a ``.warc`` / ``.warc.gz`` file (or ARC), or a folder holding
any mix of them. Each stored response becomes a request answered from the store by
``StoredResponseMiddleware`` (``crawler/reextract/``), so it goes through the same middlewares,
callback, pipelines and feed exports as a fetched page: the items are those of a live crawl.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from crawler.extraction import Article
from crawler.extraction.normalize import iso_ist
from crawler.priorities import merge_components, surviving_priority
from crawler.reextract.middleware import (
    DECODING_MIDDLEWARES,
    LIVE_ONLY_MIDDLEWARES,
    DROPPING_SPIDER_MIDDLEWARES,
    STORED_RECORD,
    STORED_RESPONSE_ORDER,
    NOT_ARTICLE_URL,
    StoredResponseMiddleware,
    is_amp_copy,
    skip_reason,
)
from crawler.reextract.sources import (
    FOLDER,
    Record,
    SkippedRecord,
    StoredResponse,
    dbm_cache_files,
    has_records,
    is_page_resource,
    is_page_file,
    iter_records,
    source_kind,
)

from .base import BusinessStandardSpider, require
from crawler import stats as stat

PROGRESS_EVERY = 1000  # default of BS_REEXTRACT_PROGRESS_EVERY
PAUSE_EVERY = 100  # skipped records in a row after which the reactor gets a turn
# Disk the AMP copies waiting for the end may take; past it (an archive of AMP pages mostly) they
# are read in the source's order, the copy read first giving the item.
AMP_SPOOL_LIMIT = 1024 * 1024 * 1024
WAIT_STEP = 0.02  # seconds between looks at what is still being extracted
WAIT_LIMIT = 120  # seconds without any answer after which the wait for them ends
USAGE = "reextract: give -a source=PATH (an HTTP cache directory, a folder of saved .html/.html.gz/.mhtml pages, or a .warc/.warc.gz/.arc/.arc.gz file)"


async def give_the_reactor_a_turn(delay: float = 0) -> None:
    """Let the reactor run what is due (for ``delay`` seconds at least) before the caller goes on."""
    from twisted.internet import reactor  # the installed one; importing it at module level would install one

    await maybe_deferred_to_future(deferLater(cast(IReactorTime, reactor), delay, lambda: None))


class AmpCopies:
    """The AMP copies set aside until the other pages are extracted, in a temporary file (gone however
    the run ends), up to ``limit`` bytes; where the disk refuses them (full, a file-size limit, no
    usable temporary directory), one WARNING, and they are handed over in the source's order."""

    def __init__(self, limit: int, logger: Any) -> None:
        self.limit = limit
        self.logger = logger
        self.file: IO[bytes] | None = None
        self.kept = 0
        self.refused = False

    def __enter__(self) -> AmpCopies:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.file is not None:
            self.file.close()

    def keep(self, record: StoredResponse) -> bool:
        """Set the record aside; False when it is to be handed over now instead."""
        if self.refused:
            return False
        end = 0
        try:
            if self.file is None:
                # Made at the first AMP copy: a source without any needs no temporary file.
                self.file = tempfile.TemporaryFile(prefix="bs-reextract-amp-")
            end = self.file.tell()
            if end >= self.limit:
                return False
            pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.file.flush()  # a disk that is full says so now, for this copy, not for a later one
        except OSError as error:
            self.refused = True
            self.logger.warning(
                "Cannot set AMP copies aside in the temporary directory %s (%s: %s): from %s on they are read in "
                "the source's order (an article stored as AMP and as its page gives the item of the copy read first)",
                tempfile.gettempdir(), type(error).__name__, error, record.url,
            )  # fmt: skip
            self._drop_from(end)
            return False
        self.kept += 1
        return True

    def _drop_from(self, end: int) -> None:
        """Cut what a failed write left after the last whole copy."""
        if self.file is None:
            return
        try:
            self.file.truncate(end)
            self.file.seek(end)
        except OSError:
            pass  # read back by count: whatever is left after the last whole copy is never read

    def __iter__(self) -> Iterator[StoredResponse]:
        if self.file is None:
            return
        self.file.seek(0)
        for _ in range(self.kept):
            yield pickle.load(self.file)  # noqa: S301 - written by this run, above


class ReextractSpider(BusinessStandardSpider):
    """Read every stored response under ``-a source=PATH`` and extract the articles again."""

    name = "reextract"
    # Checked like every spider's: a misspelt `-a sorce=` beside `-a source=` was taken without a word.
    arguments = ("source",)
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
    in_flight: int = 0  # requests handed over and not yet answered, extracted and judged

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        source = arguments.get("source")
        require(bool(source), USAGE)
        path = Path(str(source)).expanduser()
        try:
            os.stat(path)  # (Path.exists raised a PermissionError under a folder that cannot be searched)
            if path.is_dir():
                os.scandir(path).close()
        except (FileNotFoundError, NotADirectoryError):
            require(False, f"reextract: source {str(source)!r} does not exist")
        except OSError as error:
            # Another user's cache (mode 700): a traceback, or "holds no HTTP cache entries", as if empty.
            require(False, f"reextract: source {str(source)!r} cannot be read ({type(error).__name__}: {error.strerror or error})")
        kind = source_kind(path)
        if kind in (None, FOLDER) and not (kind == FOLDER and has_records(path)):
            dbm = dbm_cache_files(path)
            require(
                not dbm,
                f"reextract: source {str(source)!r} is a DBM HTTP cache ({', '.join(file.name for file in dbm)}): only Scrapy's "
                "filesystem cache storage is read (HTTPCACHE_STORAGE = 'scrapy.extensions.httpcache.FilesystemCacheStorage', "
                "the default); keep the cache with it",
            )
        require(
            kind is not None,
            f"reextract: source {str(source)!r} is not a directory, a .warc/.warc.gz/.arc/.arc.gz file or a saved .html/.html.gz/.mhtml page",
        )
        if kind == FOLDER:
            require(
                has_records(path),
                f"reextract: source {str(source)!r} holds no HTTP cache entries, saved .html/.html.gz/.mhtml pages "
                "or .warc/.warc.gz/.arc/.arc.gz files",
            )

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        middlewares: dict[str, int | None] = dict.fromkeys(LIVE_ONLY_MIDDLEWARES, None)
        middlewares[f"{StoredResponseMiddleware.__module__}.{StoredResponseMiddleware.__name__}"] = STORED_RESPONSE_ORDER
        # Stored bodies are as the server sent them, Content-Encoding included: decoding them is no option
        # here (a live crawl without it asks for none), and its stream check keeps a cut body from the rules.
        middlewares.update(DECODING_MIDDLEWARES)
        settings.set("COMPRESSION_ENABLED", True, priority=surviving_priority(settings, "COMPRESSION_ENABLED"))
        # Merged into the project's dict (not replacing it), at a priority no Scrapy version
        # overwrites: losing it would make re-extraction fetch every page live.
        merge_components(settings, "DOWNLOADER_MIDDLEWARES", dict(middlewares))
        # A stored page is read whatever its URL's length (a WARC's, query and all): Scrapy's limit dropped
        # one in silence, no errback, an article lost (and the AMP copies waited for it 120 s).
        merge_components(settings, "SPIDER_MIDDLEWARES", dict.fromkeys(DROPPING_SPIDER_MIDDLEWARES))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReextractSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ReextractSpider)
        spider.source_path = Path(str(kwargs["source"])).expanduser()
        # 0 is no progress line, the summary at the end alone (it was read as 1: a line for every record).
        spider.progress_every = crawler.settings.getint("BS_REEXTRACT_PROGRESS_EVERY", PROGRESS_EVERY)
        spider.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        return spider

    async def start(self) -> AsyncIterator[Request]:
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        skipped: Counter[str] = Counter()
        records = passed = 0
        started = time.monotonic()
        self.logger.info("Re-extracting from %s (nothing is fetched)", self.source_path)
        stats.set_value(stat.REEXTRACT_RECORDS, 0)  # a re-extraction, also when the source holds no record
        # AMP copies wait on disk until every other page is extracted: an article stored as both
        # gives the item of its page (breadcrumbs, Also Read, its own URL), the AMP copy then
        # dropped as its duplicate; an article stored as AMP only still gives its item.
        with AmpCopies(AMP_SPOOL_LIMIT, self.logger) as amp_copies:
            since_pause = 0
            for record in iter_records(self.source_path, max_size=self.max_size, site=self.base_url):
                records += 1
                stats.inc_value(stat.REEXTRACT_RECORDS)
                reason = skip_reason(record)
                if reason is None:
                    assert isinstance(record, StoredResponse)
                    passed += 1
                    if is_amp_copy(record) and amp_copies.keep(record):
                        since_pause += 1
                    else:
                        await self.wait_for_room()
                        yield self.stored_request(record)
                        since_pause = 0
                else:
                    skipped[reason] += 1
                    stats.inc_value(stat.reextract_skipped(reason))
                    self.log_skipped(record, reason)
                    since_pause += 1
                if since_pause >= PAUSE_EVERY:
                    # A long run of records handed over to nothing yet (a web archive's images, AMP
                    # copies) must not keep the reactor from logging, answering signals, closing the spider.
                    await give_the_reactor_a_turn()
                    since_pause = 0
                if self.progress_every and records % self.progress_every == 0:
                    self.log_progress(records, passed, skipped, started)
            if amp_copies.kept:
                await self.wait_for_extraction()
                for amp_copy in amp_copies:
                    await self.wait_for_room()
                    yield self.stored_request(amp_copy)
        self.log_progress(records, passed, skipped, started, done=True)
        if not records:
            self.logger.warning("No stored responses found in %s", self.source_path)

    async def wait_for_room(self) -> None:
        """Lazy start: hand over a request only when the engine has room for it, so no more than
        about CONCURRENT_REQUESTS records are in memory at a time."""
        assert self.crawler.engine is not None
        if self.crawler.engine.needs_backout():
            await self.crawler.signals.wait_for(signals.scheduler_empty)  # type: ignore[no-untyped-call,unused-ignore]  # typed from Scrapy 2.14

    async def wait_for_extraction(self) -> None:
        """Until every request handed over so far has been answered, extracted and its item judged by
        the pipelines (CONCURRENT_ITEMS is 1: a callback ends after its item went through them)."""
        last, since = self.in_flight, time.monotonic()
        while self.in_flight > 0:
            await give_the_reactor_a_turn(WAIT_STEP)
            if self.in_flight != last:
                last, since = self.in_flight, time.monotonic()
            elif time.monotonic() - since > WAIT_LIMIT:
                # A request lost on a path that neither answers nor fails it: go on rather than hang.
                self.logger.warning("%d stored pages still unanswered after %d s; reading the AMP copies now", self.in_flight, WAIT_LIMIT)
                return

    def stored_request(self, record: StoredResponse) -> Request:
        """The request standing for one stored response; the dupe filter and off-site checks let it through."""
        self.in_flight += 1
        return Request(
            record.url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={STORED_RECORD: record, "allow_offsite": True},
            dont_filter=True,
        )

    def fetched_at(self, response: Response) -> datetime | None:
        record = response.meta.get(STORED_RECORD)
        return record.fetched_at if isinstance(record, StoredResponse) else None

    def parse_article(self, response: Response) -> Iterator[Article]:
        """The live crawl's callback; ``dateDownloaded`` is when the page was stored, where the store knows."""
        record = response.meta.get(STORED_RECORD)
        fetched_at = record.fetched_at if isinstance(record, StoredResponse) else None
        try:
            for article in super().read_article(response):
                if fetched_at is not None:
                    article.dateDownloaded = iso_ist(fetched_at)
                yield article
        finally:
            if isinstance(record, StoredResponse):
                self.in_flight -= 1

    def article_failed(self, failure: Any) -> None:
        super().article_failed(failure)
        if isinstance(getattr(failure, "request", None), Request) and isinstance(failure.request.meta.get(STORED_RECORD), StoredResponse):
            self.in_flight -= 1

    def log_skipped(self, record: Record, reason: str) -> None:
        if reason == NOT_ARTICLE_URL and is_page_file(Path(record.origin)) and not is_page_resource(Path(record.origin)):
            # A page someone saved is meant to be read: say why it was not.
            self.logger.warning(
                "Skipped %s: %s (it names no article URL of the site: canonical link, og:url, JSON-LD or file name; "
                "it gives <%s>)", record.origin, reason, record.url,
            )  # fmt: skip
        elif reason == NOT_ARTICLE_URL:
            # Web archives hold many of these (images, listings, scripts, their revisits): not worth a line each.
            self.logger.debug("Skipped <%s> from %s: %s", record.url, record.origin, reason)
        elif isinstance(record, SkippedRecord):
            self.logger.warning("Skipped %s: %s%s", record.origin, reason, f" ({record.detail})" if record.detail else "")
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
