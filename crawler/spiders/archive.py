"""``scrapy crawl archive -a since=YYYY-MM-DD [-a until=YYYY-MM-DD]``: backfill from the monthly sitemaps."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from crawler import distributed

from crawler.extraction.discovery import Entry, monthly_sitemap_month
from crawler.extraction.normalize import IST, iso_ist

from crawler import stats as stat

from .base import require, requested_url
from .discovery import SOURCE_DEPTH_META, DiscoverySpider

INDEX_PATH = "/sitemap/sitemap-index.xml"
# The next monthly sitemap is requested when fewer articles than this are still to be downloaded:
# enough to keep the downloader busy while the next sitemap is fetched and read (a loopback sitemap
# of 1,000 URLs takes about a second to arrive; 64 left the downloader idle meanwhile).
SITEMAP_LOW_WATER = 256
# A failed index that lists no monthly sitemap, and what one is named like.
NO_MONTHLY_SITEMAPS = "no-monthly-sitemaps"
MONTHLY_EXAMPLE = "/sitemap/2024-february-1.xml"
# The WARNING about months the index does not list names this many of them.
MONTHS_NAMED = 12
# A monthly sitemap whose request vanished unsent (see ArchiveSpider.idle).
DROPPED = "dropped"


def _day(value: str, name: str) -> date:
    try:
        # (Stripped, as every other -a value: "-a 'since=2024-02-01 '" from a cron line is that day.)
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        require(False, f"archive: {name}={value!r} is not a date like 2024-02-28")
        raise AssertionError from None  # unreachable: require raised


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) of every month from ``first``'s to ``last``'s, both included."""
    return [(index // 12, index % 12 + 1) for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)]


def today_ist() -> date:
    """Today in India, the site's calendar."""
    return datetime.now(IST).date()


class ArchiveSpider(DiscoverySpider):
    """Fetches the articles published from ``since`` to ``until`` (inclusive) from the monthly sitemaps.

    An article's day is its publication day: the sitemap's news publication date, else the day
    encoded in its id, else its ``lastmod``.
    """

    name = "archive"
    arguments = ("since", "until")
    # A monthly sitemap that could not be read is a month missing from the backfill: the run fails (exit 1).
    custom_settings = {"BS_MAX_FAILED_SOURCES": 0}

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        super().check_arguments(arguments)
        require("since" in arguments, "archive: give -a since=YYYY-MM-DD (and optionally -a until=YYYY-MM-DD)")
        since = _day(arguments["since"], "since")
        until = _day(arguments["until"], "until") if str(arguments.get("until") or "").strip() else today_ist()
        require(since <= until, f"archive: since={since} is after until={until}")
        # A range wholly after today (a mistyped year) has nothing to backfill: an "ok" run that read nothing.
        require(since <= today_ist(), f"archive: since={since} is after today ({today_ist()}, in India): nothing is published yet")

    def __init__(self, *args: Any, since: str = "", until: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.since = _day(since, "since")
        self.until = _day(until, "until") if str(until).strip() else today_ist()
        self.until_given = bool(str(until).strip())
        # Monthly sitemaps read one after another (see parse_sitemap).
        self.paced = True
        self.sitemaps_ahead: deque[Request] = deque()
        self.sitemap_in_flight = False
        self.sitemap_in_flight_url = ""
        self.articles_ahead = 0

    def run_arguments(self) -> dict[str, str]:
        # An until of today is the default: a run started without one is restarted with it spelled out.
        until = {"until": self.until.isoformat()} if self.until_given and self.until != today_ist() else {}
        return {**super().run_arguments(), "since": self.since.isoformat(), **until}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ArchiveSpider)
        spider.paced = not distributed.enabled(crawler.settings)
        if spider.paced:
            crawler.signals.connect(spider.article_left_downloader, signal=signals.request_left_downloader)
            crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        request = self.root_source(self.site_url(INDEX_PATH))
        if request is not None:
            yield request

    def parse_source(self, response: Response) -> Iterator[Request]:
        """The index, or one monthly sitemap; the monthly sitemaps are read one after another.

        Reading every monthly sitemap at once queues every article of the range before the first
        is fetched (20,000 queued requests hold some 40 MB). So the sitemaps an index lists wait
        in :attr:`sitemaps_ahead`, and the next one is requested when fewer than
        :data:`SITEMAP_LOW_WATER` of the articles found so far are still to be downloaded (or
        when nothing is left to do): the queue holds about one sitemap's articles, whatever the
        size of the archive. A resumed ``JOBDIR`` run reads the index again, as before. In a
        distributed run the queue is in Redis, and every sitemap is requested at once, as before.
        Whatever the answer (read, unreadable, read before), the next sitemap follows.
        """
        for request in super().parse_source(response):
            if not self.paced:
                yield request
            elif request.callback == self.parse_source:  # a sitemap listed in an index
                self.sitemaps_ahead.append(request)
            else:
                self.articles_ahead += 1
                yield request
        if self.paced:
            self.sitemap_in_flight = False
            yield from self.next_sitemap()

    def next_sitemap(self, *, idle: bool = False) -> Iterator[Request]:
        """The request for the next monthly sitemap, when its time has come."""
        if not self.sitemaps_ahead or self.sitemap_in_flight or (self.articles_ahead >= SITEMAP_LOW_WATER and not idle):
            return
        self.sitemap_in_flight = True
        request = self.sitemaps_ahead.popleft().replace(errback=self.sitemap_failed)
        self.sitemap_in_flight_url = request.url
        yield request

    def sitemap_failed(self, failure: Any) -> Iterator[Request]:
        """A monthly sitemap that could not be fetched: counted as any source; the next one follows."""
        self.source_failed(failure)
        self.sitemap_in_flight = False
        yield from self.next_sitemap()

    def parse_short_link(self, response: Response) -> Iterator[Request]:
        """The story a short link of a monthly sitemap leads to, counted ahead as the sitemap's articles are."""
        for request in super().parse_short_link(response):
            if self.paced:
                self.articles_ahead += 1
            yield request

    def article_left_downloader(self, request: Request, spider: Any) -> None:
        """An article request (or a short link's, counted ahead as one) is done downloading (or
        failed): maybe time for the next sitemap."""
        if spider is not self or request.callback not in (self.parse_article, self.parse_short_link):
            return
        self.articles_ahead = max(0, self.articles_ahead - 1)
        for sitemap in self.next_sitemap():
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(sitemap)

    def idle(self, spider: Any) -> None:
        """Nothing left to download: read the next sitemap rather than stop."""
        if spider is not self:
            return
        if self.sitemap_in_flight:
            # Nothing is scheduled, downloading or being read, yet the sitemap never came back: a
            # spider middleware dropped it unsent (DepthMiddleware put back with a DEPTH_LIMIT, one of
            # one's own), or reading it raised. Waited for, the run never ended.
            self.count_source_failed(self.sitemap_in_flight_url, DROPPED)
            self.logger.error(
                "Discovery source failed <%s>: %s (it was neither read nor failed: dropped unsent by a spider middleware, or reading it raised)",
                self.sitemap_in_flight_url,
                DROPPED,
            )
            self.sitemap_in_flight = False
        scheduled = False
        for sitemap in self.next_sitemap(idle=True):
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(sitemap)
            scheduled = True
        if scheduled or self.sitemap_in_flight:
            raise DontCloseSpider

    def index_usable(self, response: Response, entries: list[Entry]) -> bool:
        """The index must list monthly sitemaps (a renamed scheme would backfill nothing, and say
        ok); months of the range it does not list are named, since nothing of them will come.
        Only the index the run starts from: a monthly sitemap may be an index of its own parts."""
        if response.request is not None and response.request.meta.get(SOURCE_DEPTH_META, 0):
            return True
        listed = {month for month in map(monthly_sitemap_month, (entry.url for entry in entries)) if month is not None}
        if not listed:
            self.source_unreadable(
                response, NO_MONTHLY_SITEMAPS, f"none of its {len(entries)} sitemaps is named like a monthly one ({MONTHLY_EXAMPLE})"
            )
            return False
        # (Up to this month: "until=2024-12-31" in June is the end of the year, whose months are no sitemap yet.)
        missing = [month for month in months_between(self.since, min(self.until, today_ist())) if month not in listed]
        if missing:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_MONTH_NOT_LISTED, len(missing))
            named = ", ".join(f"{year}-{month:02d}" for year, month in missing[:MONTHS_NAMED])
            more = f" and {len(missing) - MONTHS_NAMED} more" if len(missing) > MONTHS_NAMED else ""
            self.logger.warning("<%s> lists no sitemap for %d month(s) of the range: %s%s", response.url, len(missing), named, more)
        return True

    def wants_sitemap(self, entry: Entry) -> bool:
        month = monthly_sitemap_month(entry.url)
        if month is None:
            return False
        first = (self.since.year, self.since.month)
        last = (self.until.year, self.until.month)
        return first <= month <= last

    def may_list_nothing(self, response: Response) -> bool:
        """The sitemap of the month that has just begun (in India) may list no article yet: a day with
        no article is no failed backfill. An earlier month's that lists nothing is a month lost."""
        month = monthly_sitemap_month(requested_url(response))
        today = today_ist()
        return month is not None and month >= (today.year, today.month)

    def discovered(self, entries: Iterable[Entry], source: str) -> Iterator[Request]:
        """As any discovery spider's, but a publication date ahead of now (a typo'd year in a news
        sitemap) dates no story: the story's id gives its day. Taken at its word, it put the story out
        of every range, left out in silence with the stories of other months."""
        limit = self._date_limit()
        kept: list[Entry] = []
        ahead: list[Entry] = []
        for entry in entries:
            if entry.published is not None and entry.published > limit:
                ahead.append(entry)
                # (Its lastmod when the sitemap gave none is the same wrong date.)
                entry = replace(entry, published=None, lastmod=None if entry.lastmod == entry.published else entry.lastmod)
            kept.append(entry)
        if ahead:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_FUTURE_DATE, len(ahead))
            first = ahead[0]
            self.logger.warning(
                "<%s>: %d %s a publication date in the future (the first <%s>, %s): dated by their ids",
                source, len(ahead), "entry carries" if len(ahead) == 1 else "entries carry", first.url, iso_ist(first.published),
            )
        yield from super().discovered(kept, source)

    def accepts(self, entry: Entry) -> bool:
        day = entry.publication_day or (entry.lastmod.date() if entry.lastmod else None)
        return day is not None and self.since <= day <= self.until
