"""Discovery: what feeds, sitemaps and listings point at, filtered by URL kind and the seen-store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler import distributed
from crawler.extraction import Article
from crawler.incremental.dupefilter import REDISCOVER
from crawler.extraction.discovery import BrokenDocument, Entry, parse_listing, parse_rss, parse_sitemap
from crawler.extraction.normalize import iso_ist, parse_date
from crawler.extraction.urls import ARTICLE, article_fetch_url, url_kind
from crawler.incremental.extension import seen_store_extension, seen_store_of
from crawler.incremental.store import SeenArticle, SeenStore

from .base import BusinessStandardSpider, failure_reason
from crawler import stats as stat


# request.meta key: the feed or sitemap date of an article request. In a distributed run the worker
# that fetches the article may not be the one that found it, so the date travels with the request.
SOURCE_DATE_META = "bs_source_date"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class DiscoverySpider(BusinessStandardSpider):
    """Base of ``latest``, ``archive`` and ``section``: find article URLs, fetch only new or changed ones."""

    incremental = True
    # This worker's name (BS_WORKER_NAME, default the host name): `%(worker)s` in output file names.
    worker: str = ""

    def __init__(self, *args: Any, fresh: str | bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fresh = _truthy(fresh)
        self.requested: set[str] = set()

    @property
    def seen_store(self) -> SeenStore | None:
        """The crawl's seen-store (crawler/incremental/extension.py)."""
        return seen_store_of(self.crawler)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        # Distributed mode (REDIS_URL): scrapy-redis's scheduler and dupefilter, and per-worker output
        # files (BS_DEFAULT_FEED, read by the base class), so before super().
        distributed.configure(settings, cls.name or "discovery")
        super().update_settings(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, DiscoverySpider)
        spider.fresh = spider.fresh or crawler.settings.getbool("BS_FRESH")
        spider.worker = distributed.worker_name(crawler.settings)
        if spider.fresh and not crawler.settings.frozen:
            # -a fresh=1 is -s BS_FRESH=1: the seen-store component reads the setting.
            crawler.settings.set("BS_FRESH", True, priority="cmdline")
        return spider

    # --- reading sources --------------------------------------------------

    def source_request(self, url: str, **kwargs: Any) -> Request:
        """A request for a feed, sitemap or listing (never rendered, never an article)."""
        meta = {REDISCOVER: True, **kwargs.pop("meta", {})}
        return Request(url, callback=kwargs.pop("callback", self.parse_source), errback=self.source_failed, meta=meta, **kwargs)

    def parse_source(self, response: Response) -> Iterator[Request]:
        """Feed, sitemap or listing, told apart by URL."""
        self.count_source_read()
        path = response.url.split("?")[0]
        if path.endswith(".rss"):
            yield from self.parse_feed(response)
        elif path.endswith(".xml"):
            yield from self.parse_sitemap(response)
        else:
            yield from self.parse_listing_page(response)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            feed = parse_rss(response.body, response.url)
        except BrokenDocument as error:
            self.source_broken(response, error)
            return
        self.count_unreadable_dates(response, feed.unreadable_dates)
        yield from self.discovered(feed.entries, response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except BrokenDocument as error:
            self.source_broken(response, error)
            return
        self.count_unreadable_dates(response, sitemap.unreadable_dates)
        if sitemap.is_index:
            for entry in sitemap.entries:
                if self.wants_sitemap(entry):
                    yield self.source_request(entry.url)
        else:
            yield from self.discovered(sitemap.entries, response.url)

    def parse_listing_page(self, response: Response) -> Iterator[Request]:
        listing = parse_listing(response.text if hasattr(response, "text") else "", response.url)
        yield from self.discovered((Entry(url=u) for u in listing.article_urls), response.url)

    def wants_sitemap(self, entry: Entry) -> bool:
        """Whether to read a sitemap listed in an index; all by default."""
        return True

    def count_source_read(self) -> None:
        """A feed, sitemap or listing answered (a run where none did has failed)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SOURCES_READ)

    def source_broken(self, response: Response, error: Exception) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.skipped("broken-source"))
        self.logger.error("Skipped <%s>: broken feed or sitemap (%s)", response.url, error)

    def count_unreadable_dates(self, response: Response, count: int) -> None:
        if count:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_UNREADABLE_DATE, count)
            self.logger.warning("<%s>: %d date(s) could not be read; those entries count as undated", response.url, count)

    def source_failed(self, failure: Any) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.source_failed(failure_reason(failure)))
        self.logger.error("Discovery source failed <%s>: %s", failure.request.url, failure.getErrorMessage())

    # --- deciding what to fetch -----------------------------------------

    def accepts(self, entry: Entry) -> bool:
        """Subclass filter on entries (e.g. a date range); all by default."""
        return True

    def discovered(self, entries: Iterable[Entry], source: str) -> Iterator[Request]:
        """Requests for the new or changed articles among ``entries``."""
        stats = self.crawler.stats
        assert stats is not None
        for entry in entries:
            kind = url_kind(entry.url)
            if kind != ARTICLE:
                stats.inc_value(stat.not_article(kind))
                continue
            if not self.is_on_site(entry.url):
                stats.inc_value(stat.DISCOVERY_OFFSITE)
                continue
            identifier = entry.article_id
            assert identifier is not None
            if identifier in self.requested or not self.accepts(entry):
                continue
            self.requested.add(identifier)
            store = self.seen_store
            seen = store.get(identifier) if store is not None and not self.fresh else None
            if seen is not None and not is_newer(entry.lastmod, seen, self._date_limit(), stats):
                stats.inc_value(stat.DISCOVERY_UNCHANGED_SKIPPED)
                continue
            stats.inc_value(stat.DISCOVERY_CHANGED if seen else stat.DISCOVERY_NEW)
            meta = {SOURCE_DATE_META: iso_ist(entry.lastmod), REDISCOVER: True}
            yield self.article_request(article_fetch_url(entry.url), **meta)

    def parse_article(self, response: Response) -> Iterator[Article]:
        extension = seen_store_extension(self.crawler)
        for article in super().parse_article(response):
            if SOURCE_DATE_META in response.meta and extension is not None:
                extension.source_dates.setdefault(article.articleId, response.meta[SOURCE_DATE_META])
            yield article

    def is_seen(self, url: str) -> bool:
        """Whether the seen-store has the article of ``url``."""
        identifier = Entry(url=url).article_id
        return bool(identifier and self.seen_store is not None and self.seen_store.get(identifier))

    def _date_limit(self) -> datetime:
        """Dates after this are wrong, not clock skew (``BS_FUTURE_DATE_SKEW``)."""
        skew = self.crawler.settings.getfloat("BS_FUTURE_DATE_SKEW", 600)
        return datetime.now(timezone.utc) + timedelta(seconds=skew)


def is_newer(source_date: datetime | None, seen: SeenArticle, limit: datetime, stats: Any) -> bool:
    """Whether the discovery date says the article changed since it was emitted.

    Like is compared with like: a feed or sitemap date with the one stored from a feed or sitemap,
    the page's ``dateModified`` only when none was stored. Dates after ``limit`` (now plus the allowed
    skew) are ignored (counted), so a wrong date in the future never hides later updates.
    """
    if source_date is None:
        return False
    stored_source = parse_date(seen.source_date)
    if stored_source is not None:
        if stored_source > limit and source_date != stored_source:
            stats.inc_value(stat.DISCOVERY_FUTURE_DATE)
            return True  # the stored date is wrong; a different one now: look again
        return source_date > stored_source
    modified = parse_date(seen.date_modified)
    if modified is not None and modified > limit:
        stats.inc_value(stat.DISCOVERY_FUTURE_DATE)
        modified = None
    return modified is None or source_date > modified
