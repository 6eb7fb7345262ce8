"""Discovery: what feeds, sitemaps and listings point at, filtered by URL kind and the seen-store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

from crawler import distributed
from crawler.extraction import Article, block_page_kind, error_page_kind, may_be_block_page
from crawler.incremental.dupefilter import REDISCOVER
from crawler.extraction.discovery import (
    CUT,
    GZIP_LAYERS,
    GZIP_MAGIC,
    SITEMAP_MAX_SIZE,
    EMPTY,
    BrokenDocument,
    Entry,
    NOT_A_SITEMAP,
    NOT_RSS,
    NOT_XML,
    Feed,
    Listing,
    Sitemap,
    is_feed_or_sitemap,
    is_html_page,
    parse_feed_or_sitemap,
    parse_listing,
    source_link,
    unpack,
)
from crawler.extraction.normalize import iso_ist, parse_date, parse_http_date
from crawler.extraction.page import Page
from crawler.extraction.urls import ARTICLE, article_fetch_url, hindi_story_id, is_short_link, is_story_url, non_article_kind, short_link_key, url_kind
from crawler.incremental.extension import SeenStoreExtension, seen_store_extension, seen_store_of
from crawler.incremental.store import Alias, SeenArticle, SeenStore, StateError
from crawler.middlewares import DATALOSS_FLAG, OffsiteRedirect, SiteDown
from crawler.runset import RunSet
from crawler.visited import ATTEMPT_META, Claim, VisitedSources

from crawler.failures import DATA_LOSS, failure_name

from .base import NOT_HTML, OFFSITE_REDIRECT, PAYWALL_STUB, BusinessStandardSpider, asked_url, failure_detail, require, requested_url
from crawler import stats as stat


# request.meta key: the feed or sitemap date of an article request. In a distributed run the worker
# that fetches the article may not be the one that found it, so the date travels with the request.
SOURCE_DATE_META = "bs_source_date"
# request.meta key of a short link's request: the source that listed it and the dates it gave ([url, lastmod, published]).
SHORT_LINK_META = "bs_short_link"
# request.meta key of a short link's request reached by a redirect of another: the short links asked before it.
SHORT_LINK_HOPS_META = "bs_short_link_hops"
# request.meta key: how deep in sitemap indexes a source is (a root source is 0).
SOURCE_DEPTH_META = "bs_source_depth"
# request.meta key: which page of its feed a feed's page is (RFC 5005 paging; the feed's own address is 1).
FEED_PAGE_META = "bs_feed_page"
# An alias target that is no article: the address answered a page of this kind (``other-kind:video``).
OTHER_KIND_TARGET = "other-kind:"
# An alias target of an address asked for at every run all the same, never seen: robots.txt forbade it
# (``unread:robots-forbidden``), or it answered a page no rule reads (``unread:paywall-stub``). It holds
# nothing new for a section's walk.
UNREAD_TARGET = "unread:"
ROBOTS_FORBIDDEN_TARGET = UNREAD_TARGET + "robots-forbidden"
# request.meta key: what the article's page was in an earlier run, one no rule read (``paywall-stub``).
UNREAD_BEFORE_META = "bs_unread_before"
# A short link that led to no story in this many runs in a row is asked for less often: not again
# within 2^(misses - this) hours (a day at most, when its alias lapses).
SHORT_LINK_MISSES_BEFORE_BACKOFF = 3
# Names of feeds and sitemaps besides ``.rss`` (which one a document is, it says itself).
XML_SOURCE_SUFFIXES = (".xml", ".xml.gz", ".atom")
# Why a source that answered could not be read, besides the parser's reasons (crawler/extraction/discovery.py).
NO_ARTICLE_LINKS = "no-article-links"
LOOP = "loop"
OFFSITE = "offsite"
BLOCKED = "blocked"
BLOCK_PAGE_MAX_SIZE = 64 * 1024
# A source the site redirects to its home page: removed (or moved without a redirect to its new place).
REDIRECTED_HOME = "redirected-home"
# Defaults of BS_MAX_SOURCES and BS_MAX_SOURCE_DEPTH (crawler/settings.py).
DEFAULT_MAX_SOURCES = 5000
DEFAULT_MAX_SOURCE_DEPTH = 3
# Default of BS_FEED_MAX_PAGES (crawler/settings.py).
DEFAULT_FEED_MAX_PAGES = 10
# The verdict names this many failed sources at most.
FAILED_SOURCES_NAMED = 10
# What Scrapy's RobotsTxtMiddleware says when it refuses a request (IgnoreRequest), in every version.
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"
# A source whose URL is longer than URLLENGTH_LIMIT: Scrapy's UrlLengthMiddleware drops such a request
# unseen (one INFO line), so it would never answer nor fail.
URL_TOO_LONG = "url-too-long"
URL_LENGTH_MIDDLEWARE = "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware"

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


class DiscoverySpider(BusinessStandardSpider):
    """Base of ``latest``, ``archive`` and ``section``: find article URLs, fetch only new or changed ones."""

    incremental = True
    arguments: tuple[str, ...] | None = ("fresh",)
    # This worker's name (BS_WORKER_NAME, default the host name): `%(worker)s` in output file names.
    worker: str = ""

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        fresh = str(arguments.get("fresh", "")).strip().lower()
        require(fresh in TRUE_WORDS | FALSE_WORDS, f"{cls.name}: fresh={arguments.get('fresh')!r} must be 1 or 0")

    def __init__(self, *args: Any, fresh: str | bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fresh = _truthy(fresh)
        self.fresh_argument = self.fresh  # -a fresh=, before -s BS_FRESH is added in (no spider argument)
        # Article ids requested in this run, on disk (flat memory on long backfills).
        self.requested = RunSet()
        # Article ids found unchanged in this run (counted once, and not requested: see discovered()).
        self.found_unchanged = RunSet()
        # A later feed or sitemap date for an article already requested in this run (another source
        # lists the story with the date of its update): the page, fetched after the run began and
        # dated no earlier, holds that update, so the date stored for it is the latest; stored, the
        # first source's older date had the next run fetch the story once more for the other's.
        # Taken off when the page is read, so it holds only requests still on their way.
        self.later_source_dates: dict[str, datetime] = {}
        # Where this run's answers led stories it remembers (target, the date it was requested with).
        self.story_aliases: dict[str, tuple[str, str | None]] = {}
        self.started = datetime.now(timezone.utc)
        self.visited_sources = VisitedSources(DEFAULT_MAX_SOURCES)
        self.max_source_depth = DEFAULT_MAX_SOURCE_DEPTH
        self.feed_max_pages = DEFAULT_FEED_MAX_PAGES
        self.source_max_size = SITEMAP_MAX_SIZE
        # The longest URL a request may have (URLLENGTH_LIMIT, when its middleware is on); 0: any.
        self.url_length_limit = 0
        self.cdn_stale_seconds = CDN_STALE_SECONDS
        # The short links asked for in this run (scheme and host's case aside): one source or many
        # listing one is one request.
        self.short_links: set[str] = set()
        # The short links whose alias was used in this run (each counted once), the latest date this
        # run's sources gave each short link met, and where those asked for in this run led.
        self.short_links_known: set[str] = set()
        self.short_link_dates: dict[str, datetime] = {}
        self.short_link_targets: dict[str, str] = {}
        # Links not fetched for what an earlier run found (the seen-store's aliases: a story merged
        # into another, one known removed), by article id, with the stat each was counted under: a
        # later listing with a newer date in this run fetches it after all, and takes the count back.
        self.skipped_by_alias: dict[str, str] = {}
        # How many redirects of short links to short links are followed before the story (as Scrapy follows redirects).
        self.short_link_max_hops = 20
        # How long a story known removed is not asked for while its sources' dates stay (BS_GONE_RECHECK_HOURS).
        self.gone_recheck = timedelta(hours=24)

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

    def run_arguments(self) -> dict[str, str]:
        """What this spider was asked for, as a distributed run's workers must agree on it
        (crawler/distributed/scheduler.py): its arguments as read, a default spelled out left out, so a
        restart with them in another order, spelled otherwise or with a default made explicit is the same run;
        settings (-s) are no spider arguments."""
        return {"fresh": "1"} if self.fresh_argument else {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, DiscoverySpider)
        spider.fresh = spider.fresh or crawler.settings.getbool("BS_FRESH")
        spider.worker = distributed.worker_name(crawler.settings)
        if spider.fresh and not crawler.settings.frozen:
            # -a fresh=1 is -s BS_FRESH=1: the seen-store component reads the setting.
            crawler.settings.set("BS_FRESH", True, priority="cmdline")
        settings = crawler.settings
        spider.visited_sources = VisitedSources.for_job(settings.getint("BS_MAX_SOURCES", DEFAULT_MAX_SOURCES), settings.get("JOBDIR"))
        spider.max_source_depth = settings.getint("BS_MAX_SOURCE_DEPTH", DEFAULT_MAX_SOURCE_DEPTH)
        spider.feed_max_pages = settings.getint("BS_FEED_MAX_PAGES", DEFAULT_FEED_MAX_PAGES)
        spider.source_max_size = settings.getint("BS_SITEMAP_MAX_SIZE", SITEMAP_MAX_SIZE)
        spider.cdn_stale_seconds = settings.getfloat("BS_CDN_STALE_SECONDS", CDN_STALE_SECONDS)
        spider.short_link_max_hops = max(0, settings.getint("REDIRECT_MAX_TIMES", spider.short_link_max_hops))
        spider.gone_recheck = timedelta(hours=max(0.0, settings.getfloat("BS_GONE_RECHECK_HOURS", 24.0)))
        if settings.getwithbase("SPIDER_MIDDLEWARES").get(URL_LENGTH_MIDDLEWARE, 0) is not None:
            spider.url_length_limit = max(0, settings.getint("URLLENGTH_LIMIT"))
        return spider

    def too_long(self, request: Request) -> bool:
        """Whether Scrapy would drop ``request`` unsent for the length of its URL (``URLLENGTH_LIMIT``)."""
        return 0 < self.url_length_limit < len(request.url)

    def closed(self, reason: str) -> None:
        self.visited_sources.close(finished=reason == "finished")

    # --- reading sources --------------------------------------------------

    def source_request(self, url: str, **kwargs: Any) -> Request:
        """A request for a feed, sitemap or listing (never rendered, never an article).

        Sitemaps get their own size limit (``BS_SITEMAP_MAX_SIZE``, on the wire and unpacked).
        """
        meta = {
            REDISCOVER: True,
            SOURCE_DEPTH_META: 0,
            "download_maxsize": self.source_max_size,
            "download_warnsize": 0,
            ATTEMPT_META: self.visited_sources.attempt,
            **kwargs.pop("meta", {}),
        }
        return Request(url, callback=kwargs.pop("callback", self.parse_source), errback=self.source_failed, meta=meta, **kwargs)

    def root_source(self, url: str, **kwargs: Any) -> Request | None:
        """The request for a source the run starts from, unless it was requested already."""
        return self.follow_source(url, None, **kwargs)

    def follow_source(self, url: str, parent: Response | None, *, deeper: bool = True, **kwargs: Any) -> Request | None:
        """The request for a source found in ``parent``, or None when it was read already in this
        run (a loop), lies deeper than ``BS_MAX_SOURCE_DEPTH`` or is past ``BS_MAX_SOURCES``.

        ``deeper``: a sitemap listed in an index is one level deeper; a listing's next page is not.
        """
        stats = self.crawler.stats
        assert stats is not None
        if not self.is_on_site(url):
            # Scrapy's off-site filter would drop it unseen (and archive would wait for it for ever).
            stats.inc_value(stat.DISCOVERY_OFFSITE)
            self.logger.warning("Not reading <%s>: not on the site%s", url, f" (listed in <{parent.url}>)" if parent is not None else "")
            return None
        parent_meta = parent.request.meta if parent is not None and parent.request is not None else {}
        depth = int(parent_meta.get(SOURCE_DEPTH_META, 0)) + int(deeper) if parent is not None else 0
        if depth > self.max_source_depth:
            stats.inc_value(stat.DISCOVERY_SOURCE_TOO_DEEP)
            self.logger.warning("Not reading <%s>: sitemap indexes nested deeper than %d (BS_MAX_SOURCE_DEPTH)", url, self.max_source_depth)
            return None
        claim = self.visited_sources.claim(url)
        if claim is Claim.REPEATED:
            stats.inc_value(stat.DISCOVERY_SOURCE_REPEATED)
            where = f" (listed in <{parent.url}>)" if parent is not None else ""
            self.logger.warning("Not reading <%s> again: it was read in this run already%s", url, where)
            return None
        if claim is Claim.QUEUED_BEFORE:
            # A resumed JOBDIR run reads its sources again from their start: the request the attempt
            # before left queued for this one is on its way (no loop, no failure).
            stats.inc_value(stat.JOBDIR_SOURCE_REQUEUED)
            self.logger.info("Not requesting <%s> again: the stopped attempt of this run had queued it, and it is read from there", url)
            return None
        if claim is Claim.LIMIT:
            if not stats.get_value(stat.DISCOVERY_SOURCE_LIMIT):
                self.logger.error(
                    "Reached BS_MAX_SOURCES (%d feeds, sitemaps and listings in this run): not reading <%s> and any further source",
                    self.visited_sources.limit,
                    url,
                )
            stats.inc_value(stat.DISCOVERY_SOURCE_LIMIT)
            return None
        meta = {SOURCE_DEPTH_META: depth, **kwargs.pop("meta", {})}
        request = self.source_request(url, meta=meta, **kwargs)
        if self.too_long(request):
            # Dropped unsent, it would neither answer nor fail: archive waited for it for ever.
            where = f"; listed in <{parent.url}>" if parent is not None else ""
            self.count_source_failed(url[:200] + "…", URL_TOO_LONG)
            self.logger.error(
                "Discovery source failed <%s…>: %s (%d characters, more than URLLENGTH_LIMIT=%d%s)",
                url[:200], URL_TOO_LONG, len(request.url), self.url_length_limit, where,
            )
            return None
        return request

    def first_read(self, response: Response) -> bool:
        """Whether this is the first answer of the source in this run (a request queued twice, say
        by an earlier attempt of a ``JOBDIR`` run and by this one, is read once)."""
        if self.visited_sources.first_read(response.url):
            return True
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SOURCE_REPEATED)
        self.logger.info("Not reading <%s> again: it was read in this run already", response.url)
        return False

    def parse_source(self, response: Response) -> Iterator[Request]:
        """Feed or sitemap (as the document says), or listing, told apart by the URL asked for (not the
        one a redirect led to: a feed or sitemap that answers with an HTML page is a failed source, not
        a listing), else by the document's root element, whatever its Content-Type says (a feed at
        ``/rss/latest`` sent as ``text/html``, a listing page sent as ``text/xml``), and when it has none
        that tells, by an XML Content-Type (XML of another kind is a failed source, not a listing)."""
        if self.answered_otherwise(response) or not self.first_read(response):
            return
        # (In any case: "/sitemap/Google-News-Sitemap.XML" is no listing page.)
        path = requested_url(response).split("?")[0].lower()
        if path.endswith(".rss"):
            yield from self.parse_feed(response)
        elif path.endswith(XML_SOURCE_SUFFIXES):
            yield from self.parse_sitemap(response)
        elif is_feed_or_sitemap(response.body):
            if not isinstance(response, XmlResponse):
                # Read as a listing, its items were no <a href>: a failed source at every run, its
                # stories never found ("the page links to no article").
                self.mislabelled(response, "a feed or sitemap")
            yield from self.parse_sitemap(response)
        elif isinstance(response, XmlResponse) and not is_html_page(response.body):
            yield from self.parse_sitemap(response)  # XML of another kind: said so, a failed source
        else:
            if isinstance(response, XmlResponse):
                # Read as XML, its root <html> was "neither a feed nor a sitemap": a failed source.
                self.mislabelled(response, "an HTML page")
            yield from self.parse_listing_page(response)

    def mislabelled(self, response: Response, kind: str) -> None:
        """A source whose Content-Type says another kind than the document is, at an address naming
        no ``.rss`` or ``.xml``: read as what it is, one WARNING."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_MISLABELLED)
        self.logger.warning(
            "<%s> is %s sent as %s: read as one",
            response.url, kind, (response.headers.get(b"Content-Type") or b"no Content-Type").decode("latin-1"),
        )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Requests for the new or changed articles of an RSS feed (or whatever sitemap answers in its place).

        @page tests/contracts/latest.rss
        @source_read
        @returns items 0 0
        @returns requests 0 3
        """
        yield from self.parse_xml_source(response, NOT_RSS)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Requests for the sitemaps of an index, or the new or changed articles of a sitemap (or feed)."""
        yield from self.parse_xml_source(response, NOT_A_SITEMAP)

    def parse_xml_source(self, response: Response, not_either: str) -> Iterator[Request]:
        """A feed or a sitemap, whichever the document is: a site names its feeds ``.xml`` as often as
        ``.rss`` (``not_either``: the failure's reason for XML of another kind)."""
        try:
            document = parse_feed_or_sitemap(response.body, response.url, not_either)
        except BrokenDocument as error:
            if error.lists_nothing and self.may_list_nothing(response):
                self.count_source_read(response)
                self.logger.info("<%s> lists nothing yet (%s)", response.url, error)
                return
            if error.lists_nothing and feed_page(response) > 1:
                # A pager that links a page past the last (a template's): the end of the feed's pages.
                self.count_source_read(response)
                self.logger.info("<%s> lists nothing: the end of its feed's pages", response.url)
                return
            self.source_unreadable(response, error.reason, self.error_page_said(response, error))
            return
        if isinstance(document, Feed):
            yield from self.read_feed(response, document)
        else:
            yield from self.read_sitemap(response, document)

    def error_page_said(self, response: Response, error: BrokenDocument) -> str:
        """Why a feed or sitemap could not be read, in words: a server's error or maintenance page sent
        with 200 in its place named so, as a listing's is (its line said only "root element <html> is
        neither a feed nor a sitemap", whatever the page said of itself)."""
        if error.reason != NOT_XML or not isinstance(response, TextResponse) or len(response.body) > BLOCK_PAGE_MAX_SIZE:
            return str(error)
        kind = error_page_kind(response.text, Page(response.text, response.url).next_data)
        return f"{kind}, sent with 200 in place of the feed or sitemap" if kind else str(error)

    def read_feed(self, response: Response, feed: Feed) -> Iterator[Request]:
        if feed.cut:
            # A failed source all the same, but the items before the cut are whole and need not wait for the next run.
            self.source_unreadable(response, CUT, f"cut short; reading the {len(feed.entries)} item(s) before the cut ({feed.cut})")
        else:
            self.count_source_read(response, feed.salvaged, feed.unusable_urls)
        self.count_unreadable_dates(response, feed.unreadable_dates)
        self.count_shared_date(response, feed.shared_date, len(feed.entries))
        requests = list(self.discovered(feed.entries, response.url))
        yield from requests
        if feed.next_page is not None:
            yield from self.next_feed_page(response, feed, fetched=bool(requests))

    def next_feed_page(self, response: Response, feed: Feed, *, fetched: bool) -> Iterator[Request]:
        """The request for the page of the feed's older items (RFC 5005), unless this page's stories
        were all seen (the pages after it hold older ones), it is ``BS_FEED_MAX_PAGES`` deep, or it
        was read already (a pager that leads back: see :meth:`follow_source`). Unread, the stories a
        feed moved to its second page while the runs fell behind were lost. (``fetched``: this page
        asked for a story or a short link.)"""
        assert feed.next_page is not None and self.crawler.stats is not None
        page = feed_page(response)
        if not fetched and not self.fresh and all(self.holds_nothing_new(entry.url) for entry in feed.entries):
            return
        if self.feed_max_pages <= 1:
            return  # a feed's first page alone, as asked: no bound cut it short, nothing to warn of at every run
        if page >= self.feed_max_pages:
            self.crawler.stats.inc_value(stat.DISCOVERY_FEED_PAGE_LIMIT)
            self.logger.warning(
                "Not reading <%s>, the page after <%s>: its feed was read %d pages deep (BS_FEED_MAX_PAGES), and its older stories are left",
                feed.next_page, response.url, page,
            )
            return
        request = self.follow_source(feed.next_page, response, deeper=False, meta={FEED_PAGE_META: page + 1})
        if request is not None:
            self.crawler.stats.inc_value(stat.DISCOVERY_FEED_NEXT_PAGE)
            yield request.replace(errback=self.feed_page_failed)

    def feed_page_failed(self, failure: Any) -> None:
        """A 404 or 410 for a feed's later page ends its pages, as past a section's last page; anything
        else is a failed source."""
        response = getattr(failure.value, "response", None)
        if isinstance(response, Response) and response.status in (404, 410):
            self.logger.info("<%s> answered HTTP %d: the end of its feed's pages", asked_url(failure.request), response.status)
            return
        self.source_failed(failure)

    def read_sitemap(self, response: Response, sitemap: Sitemap) -> Iterator[Request]:
        if sitemap.is_index:
            if not self.index_usable(response, sitemap.entries):
                return
            # Only the index the run starts from is chosen from: one it led to (a month's sitemap that
            # is an index) lists the parts of what was chosen, whatever their names.
            nested = response.request is not None and bool(response.request.meta.get(SOURCE_DEPTH_META, 0))
            wanted = [entry for entry in sitemap.entries if nested or self.wants_sitemap(entry)]
            followed = [r for r in (self.follow_source(entry.url, response) for entry in wanted) if r is not None]
            if wanted and not followed:
                if not any(self.is_on_site(entry.url) for entry in wanted):
                    # The site moved its sitemaps to another host (a CDN's): not a loop.
                    self.source_unreadable(response, OFFSITE, f"every sitemap it lists is on another host, e.g. <{wanted[0].url}>")
                else:
                    # Everything it lists was read already (it lists itself) or is out of bounds.
                    self.source_unreadable(response, LOOP, "every sitemap it lists was read already, lies too deep or is on another host")
                return
            self.count_source_read(response, sitemap.salvaged, sitemap.unusable_urls)
            self.count_unreadable_dates(response, sitemap.unreadable_dates)
            yield from followed
        else:
            self.count_source_read(response, sitemap.salvaged, sitemap.unusable_urls)
            self.count_unreadable_dates(response, sitemap.unreadable_dates)
            self.count_shared_date(response, sitemap.shared_date, len(sitemap.entries))
            yield from self.discovered(sitemap.entries, response.url)

    def read_listing(self, response: Response, *, may_end: bool = False) -> Listing | None:
        """A listing page's article links; None (counted as a failed source) when it has none. A page
        that arrived cut short is a failed source too, whose links before the cut are read (``cut``).

        ``may_end``: a later page of a paginated listing, where no article links mean the end of it,
        unless the page is a server's error or maintenance page (a failed source, ``cut``: the walk goes
        on past it) or links a next page (returned without links, for the caller to tell).
        """
        if response.body.startswith(GZIP_MAGIC):
            unpacked = self.unpack_stray_gzip_source(response)
            if unpacked is None:
                return None
            response = unpacked
        if not isinstance(response, TextResponse):
            self.source_unreadable(response, NOT_HTML, f"a {type(response).__name__}, not an HTML page")
            return None
        if not response.body.replace(b"\x00", b"").strip():
            # An empty answer, or a copy whose bytes were never written (all NUL): no page at all, so
            # not a section's end either (its walk ended there, with an INFO line), as a block is none.
            self.source_unreadable(response, EMPTY, f"an empty body ({len(response.body)} bytes)")
            return None
        listing = parse_listing(response.text, response.url)
        if DATALOSS_FLAG in response.flags:
            # Its body arrived cut short (a CDN's copy whose compressed stream ends early): the links
            # before the cut are whole, but the page is not, nor the end of a section. Read as a whole
            # page, it passed for one that lists only those, and a section's walk stopped at it.
            self.source_unreadable(
                response, DATA_LOSS, f"its body arrived cut short; reading the {len(listing.article_urls)} article link(s) before the cut"
            )
            return replace(listing, cut=True)
        kind = error_page_kind(response.text, Page(response.text, response.url).next_data) if not listing.article_urls else None
        if not listing.article_urls and may_end:
            if kind is not None:
                # A server's failure passed on with 200 says nothing of where the listing ends: the
                # walk goes on past it, as past a page cut short (before, its end, the pages after it unread).
                self.source_unreadable(response, NO_ARTICLE_LINKS, f"{kind}, not the section's end; the walk goes on past it")
                return replace(listing, cut=True)
            if listing.next_page is not None:
                return listing  # links a page after it: the caller tells (see SectionSpider.parse_section)
            self.listing_ended(response.url, "no article links")
            return None
        if not listing.article_urls:
            self.source_unreadable(response, NO_ARTICLE_LINKS, f"{kind}, sent with 200" if kind else "the page links to no article")
            return None
        self.count_source_read(response)
        return listing

    def unpack_stray_gzip_source(self, response: Response) -> Response | None:
        """A listing page gzipped with no Content-Encoding saying so (a CDN's stored copy), unpacked
        as feeds, sitemaps and articles are; None (a failed source) when it is cut or too large."""
        body = response.body
        try:
            for _ in range(GZIP_LAYERS):
                if not body.startswith(GZIP_MAGIC):
                    break
                body = unpack(body, self.source_max_size)
        except BrokenDocument as error:
            self.source_unreadable(response, error.reason, str(error))
            return None
        return response.replace(cls=responsetypes.from_args(headers=response.headers, url=response.url, body=body), body=body)

    def parse_listing_page(self, response: Response) -> Iterator[Request]:
        listing = self.read_listing(response)
        if listing is not None:
            yield from self.discovered((Entry(url=u) for u in listing.article_urls), response.url)

    def answered_otherwise(self, response: Response, *, may_end: bool = False) -> bool:
        """Whether the answer is not the source at all (counted): an Akamai block page sent with
        200, or a redirect to the home page. A block page is a failed source even where a page
        without links would end a listing: a block in the middle of a section is not its end."""
        # (A block page is a few hundred bytes: a sitemap's megabytes need not be decoded for it, nor
        # any page whose bytes lack the word.)
        kind = (
            block_page_kind(response.text)
            if isinstance(response, TextResponse) and len(response.body) <= BLOCK_PAGE_MAX_SIZE and may_be_block_page(response.body)
            else None
        )
        if kind is not None:
            self.source_unreadable(response, BLOCKED, f"a block page ({kind})")
            return True
        return self.redirected_home(response, may_end=may_end)

    def redirected_home(self, response: Response, *, may_end: bool = False) -> bool:
        """Whether the source was redirected to the site's home page (counted: a failed source, or the
        end of a paginated listing when ``may_end``). The home page lists articles like any listing,
        so reading it in place of a removed feed, sitemap or section would pass for success."""
        if urlsplit(response.url).path not in ("", "/") or urlsplit(requested_url(response)).path in ("", "/"):
            return False
        why = f"redirected to the home page <{response.url}>"
        if may_end:
            self.listing_ended(requested_url(response), why)
        else:
            self.source_unreadable(response, REDIRECTED_HOME, why)
        return True

    def index_usable(self, response: Response, entries: list[Entry]) -> bool:
        """Whether a sitemap index lists what the spider reads it for (counted as a failed source
        when not); any index by default."""
        return True

    def wants_sitemap(self, entry: Entry) -> bool:
        """Whether to read a sitemap listed in an index; all by default."""
        return True

    def may_list_nothing(self, response: Response) -> bool:
        """Whether a well-formed sitemap that lists nothing at all is read, not a failed source; never by default."""
        return False

    def count_source_read(self, response: Response, salvaged: str = "", unusable_urls: int = 0) -> None:
        """A feed, sitemap or listing gave something readable (a run where none did has failed)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SOURCES_READ)
        if unusable_urls:
            self.crawler.stats.inc_value(stat.DISCOVERY_UNUSABLE_URL, unusable_urls)
            self.logger.warning("<%s>: %d entries have no http(s) URL that can be fetched; left out", response.url, unusable_urls)
        if salvaged:
            self.crawler.stats.inc_value(stat.DISCOVERY_SOURCE_SALVAGED)
            self.logger.warning("<%s> is not well-formed XML (%s); read what could be salvaged", response.url, salvaged)

    def source_unreadable(self, response: Response, reason: str, detail: str) -> None:
        """A source that answered but held nothing readable: a failed source, like one that did not answer.
        Named by the URL asked for (the one in the settings or the index), wherever redirects led."""
        url = requested_url(response)
        if url != response.url and response.url not in detail:
            detail += f"; redirected to <{response.url}>"
        self.count_source_failed(url, reason)
        self.logger.error("Discovery source failed <%s>: %s (%s)", url, reason, detail)

    def count_unreadable_dates(self, response: Response, count: int) -> None:
        if count:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_UNREADABLE_DATE, count)
            self.logger.warning("<%s>: %d date(s) could not be read; those entries count as undated", response.url, count)

    def count_shared_date(self, response: Response, shared: datetime | None, entries: int) -> None:
        if shared is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_SHARED_DATE)
            self.logger.warning(
                "<%s>: all %d entries carry one date (%s), the time it was made, not each story's: read as undated",
                response.url,
                entries,
                iso_ist(shared),
            )

    def listing_ended(self, url: str, why: str) -> None:
        """A later page of a listing that is past its end: the end of the walk, not a failed source."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_LISTING_END)
        self.logger.info("The listing ends before <%s> (%s)", url, why)

    def source_failed(self, failure: Any) -> None:
        """A source that did not answer (after retries), or whose answer was refused."""
        # Named by the URL asked for (the one in the settings or the index), wherever redirects led.
        url = asked_url(failure.request)
        if failure.check(SiteDown):
            return  # not asked: the run closed with the site down (one line said so)
        reason = OFFSITE_REDIRECT if failure.check(OffsiteRedirect) else failure_name(failure)
        self.count_source_failed(url, reason)
        self.logger.error("Discovery source failed <%s>: %s (%s)", url, reason, failure_detail(failure))

    def count_source_failed(self, url: str, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(stat.source_failed(reason))
        named = list(stats.get_value(stat.DISCOVERY_FAILED_SOURCES, []))
        if len(named) < FAILED_SOURCES_NAMED:
            stats.set_value(stat.DISCOVERY_FAILED_SOURCES, [*named, f"{url} ({reason})"])

    # --- deciding what to fetch -----------------------------------------

    def accepts(self, entry: Entry) -> bool:
        """Subclass filter on entries (e.g. a date range); all by default."""
        return True

    def discovered(self, entries: Iterable[Entry], source: str) -> Iterator[Request]:
        """Requests for the new or changed articles among ``entries``."""
        stats = self.crawler.stats
        assert stats is not None
        for entry in entries:
            if is_short_link(entry.url):
                if entry.published is not None and not self.accepts(entry):
                    # Published out of the spider's range (archive's since..until): its story is too.
                    stats.inc_value(stat.DISCOVERY_NOT_ACCEPTED)
                    continue
                alias = self.short_link_alias(entry)
                if alias is not None and alias.target:
                    # Its story is known: handed to discovery by its own address, with the dates this
                    # source gives, and fetched only when they say it changed (no request for the
                    # short link, which led there at every run before).
                    yield from self.discovered([replace(entry, url=alias.target)], source)
                    continue
                if alias is not None:
                    continue  # led nowhere in several runs in a row: backed off (counted)
                short = self.short_link_request(entry, source)
                if short is not None:
                    yield short
                continue
            # A web story or gallery may sit below a section (/india-news/photo-gallery/…) with an
            # article's id: the page would be fetched only to be skipped, and a run that found
            # nothing else would end as one whose articles could not be extracted.
            kind = url_kind(entry.url)
            if kind != ARTICLE and hindi_story_id(entry.url) is not None:
                # A story of the Hindi edition in its own forms (storypage.php?autono=N, AMP, the
                # mobile twin), requested by its desktop URL and known by its hi-<N> id.
                kind = ARTICLE
            kind = (non_article_kind(entry.url) or kind) if kind == ARTICLE else kind
            if kind != ARTICLE:
                stats.inc_value(stat.not_article(kind))
                continue
            if not self.is_on_site(entry.url):
                stats.inc_value(stat.DISCOVERY_OFFSITE)
                continue
            identifier = entry.article_id
            assert identifier is not None
            # accepts() is a pure filter.
            if not self.accepts(entry):
                # Counted: a run whose sources list articles, none in its range, found nothing
                # new as it should; one whose sources list no article at all is broken.
                stats.inc_value(stat.DISCOVERY_NOT_ACCEPTED)
                continue
            if identifier in self.requested:
                # Another link to a story asked for already (another source's, its AMP page, another
                # slug): folded into that request, counted so a run says how much its sources overlap.
                stats.inc_value(stat.SAME_STORY_FOLDED)
                self.note_later_date(identifier, entry.lastmod)
                continue
            store = self.seen_store
            seen = store.get(identifier) if store is not None and not self.fresh else None
            publication = entry.lastmod is not None and entry.lastmod == entry.published
            alias = self.alias_of(identifier) if seen is None and store is not None and not self.fresh else None
            if alias is not None and self.skipped_for_alias(identifier, entry, alias):
                continue
            if seen is not None and not is_newer(entry.lastmod, seen, self._date_limit(), stats, publication=publication):
                # Not marked requested: the same story listed again, in this source or one read
                # later (a feed gives its first date, the news sitemap that of its update), may
                # carry a newer date, and the first answer to arrive must not decide for the run.
                if self.found_unchanged.add(identifier):
                    stats.inc_value(stat.DISCOVERY_UNCHANGED_SKIPPED)
                continue
            meta: dict[str, Any] = {SOURCE_DATE_META: iso_ist(entry.lastmod), REDISCOVER: True}
            if alias is not None and alias.target.startswith(UNREAD_TARGET):
                # (What its page was in an earlier run travels with the request, to whichever worker reads it.)
                meta[UNREAD_BEFORE_META] = alias.target[len(UNREAD_TARGET) :]
            request = self.article_request(article_fetch_url(entry.url), **meta)
            if self.too_long(request):
                # Dropped unsent by Scrapy, it was counted new and asked for again, unseen, at every run
                # (another source may still list the story by a shorter link).
                stats.inc_value(stat.DISCOVERY_UNUSABLE_URL)
                self.logger.warning(
                    "<%s>: the link to article %s is %d characters long, more than URLLENGTH_LIMIT=%d; left out",
                    source, identifier, len(request.url), self.url_length_limit,
                )
                continue
            self.requested.add(identifier)
            skipped_as = self.skipped_by_alias.pop(identifier, None)
            if skipped_as is not None:
                # Counted as a known merged or removed story when first listed; a newer date after all.
                stats.inc_value(skipped_as, -1)
            if seen is not None and identifier in self.found_unchanged:
                # Counted as unchanged when first listed; it has changed after all.
                stats.inc_value(stat.DISCOVERY_UNCHANGED_SKIPPED, -1)
            stats.inc_value(stat.DISCOVERY_CHANGED if seen else stat.DISCOVERY_NEW)
            yield request

    def alias_of(self, identifier: str) -> Alias | None:
        """What an earlier run found at the address of the article ``identifier`` (the seen-store's alias), if anything."""
        extension = seen_store_extension(self.crawler)
        return extension.alias(identifier) if extension is not None else None

    def skipped_for_alias(self, identifier: str, entry: Entry, alias: Alias) -> bool:
        """Whether the article of ``entry``, never emitted under its own id, is left unfetched for what
        an earlier run found at its address and the source gives no later date than then: merged into
        another article (a redirect to it), which is seen; or removed (gone in two runs), looked at less
        than ``BS_GONE_RECHECK_HOURS`` ago; or a page of another kind (a video, a web story, a listing).
        Counted once a run. Before, such a link was fetched at every run while its sources listed it."""
        name = self.alias_skip(alias, entry.lastmod)
        if name is None:
            return False
        if identifier not in self.skipped_by_alias:
            self.skipped_by_alias[identifier] = name
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(name)
            if alias.target.startswith(OTHER_KIND_TARGET):
                self.logger.debug("Not fetching <%s>: it answered a page of another kind (%s) in an earlier run", entry.url, alias.target)
            elif alias.target:
                self.logger.debug("Not fetching <%s>: it redirected to article %s (seen) in an earlier run", entry.url, alias.target)
            else:
                self.logger.debug("Not fetching <%s>: the site removed it (known since %s)", entry.url, alias.recorded_at)
        return True

    def alias_skip(self, alias: Alias, lastmod: datetime | None) -> str | None:
        """Why an article listed with the date ``lastmod`` is not fetched for what an earlier run found
        at its address (``alias``): the stat it is counted under; or None: see
        :meth:`skipped_for_alias`, which counts it."""
        if alias.target.startswith(UNREAD_TARGET) or is_later(lastmod, alias.source_date):
            return None
        if alias.target.startswith(OTHER_KIND_TARGET):
            return stat.DISCOVERY_NOT_ARTICLE_KNOWN
        if alias.target:
            store = self.seen_store
            try:
                if store is None or store.get(alias.target) is None:
                    return None  # the article it led to was never written: fetched, to write it
            except StateError:
                return None
            return stat.DISCOVERY_REDIRECT_KNOWN
        recorded = parse_date(alias.recorded_at)
        if recorded is None or datetime.now(timezone.utc) - recorded >= self.gone_recheck:
            return None  # asked again, in case the site put it back
        return stat.GONE_KNOWN

    def short_link_alias(self, entry: Entry) -> Alias | None:
        """What an earlier run found at a short link: its story (counted once a run), or, for one that
        led to no story in SHORT_LINK_MISSES_BEFORE_BACKOFF runs in a row or more, nowhere, when it was
        asked for too recently to be asked again (counted, once a run); None otherwise: asked for."""
        if self.fresh:
            return None
        extension = seen_store_extension(self.crawler)
        key = short_link_key(entry.url)
        self.note_short_link_date(key, entry.lastmod)
        if key in self.short_links:
            return None  # asked for in this run: its answer decides
        alias = extension.alias(key) if extension is not None else None
        if alias is None:
            return None
        if alias.target and is_later(entry.lastmod, alias.source_date):
            # The source dates it later than when it was last asked for: the site may have given the
            # code to another story (before, the alias was trusted for ALIAS_KEEP_DAYS whatever the
            # dates said, and such a story never asked for: lost once the feed dropped it).
            return None
        if not alias.target:
            recorded = parse_date(alias.recorded_at)
            misses = alias.misses - SHORT_LINK_MISSES_BEFORE_BACKOFF
            if misses < 0 or recorded is None or datetime.now(timezone.utc) - recorded >= timedelta(hours=min(2**misses, 24)):
                return None
        stats = self.crawler.stats
        assert stats is not None
        if key not in self.short_links_known:
            self.short_links_known.add(key)
            if alias.target:
                stats.inc_value(stat.DISCOVERY_SHORT_LINK_KNOWN)
            else:
                stats.inc_value(stat.DISCOVERY_SHORT_LINK_BACKED_OFF)
                self.logger.info(
                    "Not asking for the short link <%s> this run: it led to no story in %d runs in a row, the last at %s",
                    entry.url, alias.misses, alias.recorded_at,
                )
        return alias

    def remember_short_link(self, request: Request, target: str) -> None:
        """Record where the short link the source listed (``target``: a story's URL, or "" for none) led."""
        extension = seen_store_extension(self.crawler)
        hops = request.meta.get(SHORT_LINK_HOPS_META) or []
        _source, lastmod, published = request.meta.get(SHORT_LINK_META, [None, None, None])
        key = short_link_key(hops[0] if hops else request.url)
        self.short_link_targets[key] = target
        if extension is not None:
            listed = parse_date(lastmod or published)
            later = self.short_link_dates.get(key)
            date = iso_ist(later) if later is not None and (listed is None or later > listed) else lastmod or published
            extension.remember_alias(key, target, date)

    def note_short_link_date(self, key: str, lastmod: datetime | None) -> None:
        """Keep the latest date this run's sources give the short link ``key``: the one its alias is
        recorded with (a source read after the short link's answer updates the record), so that two
        sources dating it apart do not have it asked for at every run."""
        if lastmod is None:
            return
        earlier = self.short_link_dates.get(key)
        if earlier is not None and lastmod <= earlier:
            return
        self.short_link_dates[key] = lastmod
        target = self.short_link_targets.get(key)
        extension = seen_store_extension(self.crawler)
        if target and extension is not None:  # (one that led nowhere is not missed twice)
            extension.remember_alias(key, target, iso_ist(lastmod))

    def listed_date(self, identifier: str, meta: Mapping[str, Any]) -> str | None:
        """The latest date this run's sources gave the article requested with ``meta``."""
        return latest_date(meta.get(SOURCE_DATE_META), self.later_source_dates.get(identifier))

    def remember_story_alias(self, extension: SeenStoreExtension, identifier: str, target: str, meta: Mapping[str, Any]) -> None:
        """Remember where the story ``identifier`` led (``target``), with the latest date this run's sources
        gave it; a later date that another source gives it after this (that source read after the
        story's answer came) is remembered too (note_later_date), or the next run, finding that date,
        would take the story for changed and fetch it again."""
        extension.remember_alias(identifier, target, self.listed_date(identifier, meta))
        self.story_aliases[identifier] = (target, meta.get(SOURCE_DATE_META))

    def answered_other_kind(self, requested: str, kind: str, meta: Mapping[str, Any]) -> None:
        """Remember that the address ``requested`` answered a page of another kind (a video, a web story,
        a listing): a later run that finds it listed with no later date does not fetch it again (before,
        it was fetched at every run, and a run whose only new link it was exited 5 each time)."""
        identifier = Entry(url=requested).article_id
        extension = seen_store_extension(self.crawler)
        if identifier and extension is not None and SOURCE_DATE_META in meta:
            self.remember_story_alias(extension, identifier, OTHER_KIND_TARGET + kind, meta)

    def answered_unreadable(self, requested: str, reason: str, meta: Mapping[str, Any]) -> None:
        """Remember that the address ``requested`` answered a page no rule reads (a paywall stub, a layout
        no rule knows): still asked for at every run, in case its story comes, but a section's walk
        counts it as holding nothing new (never seen, it had every walk read the page after it)."""
        identifier = Entry(url=requested).article_id
        extension = seen_store_extension(self.crawler)
        if identifier and extension is not None and SOURCE_DATE_META in meta:
            self.remember_story_alias(extension, identifier, UNREAD_TARGET + reason, meta)
        if reason == PAYWALL_STUB and meta.get(UNREAD_BEFORE_META) == reason:
            # A premium story the site still shows as its stub, as at the run before: asked for at every
            # run while its sources list it, in case its story comes; neither new to the verdict nor a
            # failed extraction (a run whose only new link was one exited 5 at every run).
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_STUB_AGAIN)

    def redirected_to_article(self, requested: str, landed: str, meta: Mapping[str, Any]) -> None:
        """Remember that the story at ``requested`` was merged into article ``landed``: a later run that
        finds it listed with no later date does not fetch it again (that article is seen by its own id)."""
        identifier = Entry(url=requested).article_id
        extension = seen_store_extension(self.crawler)
        if identifier and extension is not None and SOURCE_DATE_META in meta:
            self.remember_story_alias(extension, identifier, landed, meta)

    def short_link_request(self, entry: Entry, source: str) -> Request | None:
        """The request that reads where one of the site's short links leads, the first time it is met in
        the run; its redirect is not followed: the story it names goes through :meth:`discovered` as
        any link does, so a story listed also by its own address, or seen unchanged, is not fetched
        (again). Before, the short link was counted a page of another kind, and its story lost."""
        key = short_link_key(entry.url)
        if key in self.short_links:
            return None
        self.short_links.add(key)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SHORT_LINK)
        return self._short_link_request(entry.url, [source, iso_ist(entry.lastmod), iso_ist(entry.published)], [])

    def _short_link_request(self, url: str, listed: list[str | None], hops: list[str]) -> Request:
        meta = {
            SHORT_LINK_META: listed,
            "dont_redirect": True,
            "handle_httpstatus_all": True,
            # Another host than the site's: asked for by the spider's own choice, as a saved page is.
            "allow_offsite": True,
            REDISCOVER: True,
        }
        if hops:
            meta[SHORT_LINK_HOPS_META] = hops
        return Request(url, callback=self.parse_short_link, errback=self.short_link_failed, meta=meta)

    def parse_short_link(self, response: Response) -> Iterator[Request]:
        """The story a short link leads to (its redirect's ``Location``), handed to discovery with the
        dates its source gave the short link."""
        source, lastmod, published = response.meta[SHORT_LINK_META]
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        target = source_link(response.urljoin(location.decode("latin-1")), response.url) if location else None
        if target is not None and is_short_link(target):
            # A short link's host sends "http://" to its "https://" self, or to its other name, before
            # the story: followed as Scrapy follows redirects (a loop, or too many, lead to no story).
            hops = [*response.meta.get(SHORT_LINK_HOPS_META, []), response.url]
            if target not in hops and len(hops) <= self.short_link_max_hops:
                yield self._short_link_request(target, response.meta[SHORT_LINK_META], hops)
                return
        if target is None or not is_story_url(target):
            why = f"it redirects to <{target}>, no story" if target else f"HTTP {response.status} without a redirect"
            assert response.request is not None  # (response.meta above is the request's)
            self.short_link_unresolved(response.request, why)
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SHORT_LINK_RESOLVED)
        assert response.request is not None
        self.remember_short_link(response.request, target)
        self.logger.debug("The short link <%s> listed in <%s> leads to <%s>", response.url, source, target)
        yield from self.discovered([Entry(url=target, lastmod=parse_date(lastmod), published=parse_date(published))], source)

    def short_link_failed(self, failure: Any) -> None:
        self.short_link_unresolved(failure.request, f"{failure_name(failure)} ({failure_detail(failure)})")

    def short_link_unresolved(self, request: Request, why: str) -> None:
        """A short link that led to no story: its story (if any) is not found by it; no failed source,
        since the source was read (a run of nothing else fails all the same: the verdict counts it).
        The line names the short link the source listed, and the ones it led to before."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat.DISCOVERY_SHORT_LINK_UNRESOLVED)
        self.remember_short_link(request, "")
        source = request.meta.get(SHORT_LINK_META, ["?"])[0]
        hops = request.meta.get(SHORT_LINK_HOPS_META) or []
        if hops:
            why = f"by way of <{'>, <'.join([*hops[1:], request.url])}>, {why}"
        self.logger.warning("The short link <%s> listed in <%s> leads to no story: %s", hops[0] if hops else request.url, source, why)

    def parse_article(self, response: Response) -> Iterator[Article | Request]:
        """The base spider's article callback; the date the source gave goes to the seen-store.

        @page tests/pages/nextjs-2023/no-image
        @returns items 1 1
        @returns requests 0 0
        @scrapes articleId headline datePublished authors articleBody section
        """
        extension = seen_store_extension(self.crawler)
        # (By the id discovery knows the request by: the page may give no article.)
        identifier = Entry(url=requested_url(response)).article_id or ""
        later_date = self.later_source_dates.get(identifier)
        read = False
        try:
            for article in self._dated_articles(response, later_date, extension):
                read = True
                yield article
        finally:
            # (Read until here: a redirect to another article records the latest date.)
            self.later_source_dates.pop(identifier, None)
        if read:
            yield from self.story_read(identifier, response.meta)

    def story_read(self, identifier: str, meta: Mapping[str, Any]) -> Iterator[Request]:
        """The sources to read now that the article ``identifier`` (asked for with ``meta``) gave a
        story: none here (a section walk that stopped for it goes on)."""
        return iter(())

    def _dated_articles(self, response: Response, later_date: datetime | None, extension: Any) -> Iterator[Article]:
        for article in super().read_article(response):
            later = later_date
            if later is not None and not dated_since(article.dateModified, later):
                # A CDN's copy from before the update the later date tells of: the next run looks again.
                later = None
            requested = response.meta.get(SOURCE_DATE_META)
            # (The seen-store is read last: most pages are dated since the date they were fetched for.)
            if requested is not None and copy_before(
                article.dateModified, response, requested, self.cdn_stale_seconds
            ) and self.is_emitted_version(article):
                # The same for the date it was fetched for: stored, an edge's copy of the version
                # emitted (unchanged, so not emitted) had the update it was fetched for lost for good.
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value(stat.STATE_COPY_BEFORE_UPDATE)
                self.logger.info(
                    "<%s> is dated %s, before the date %s it was fetched for: a copy from before the update; fetched again next run",
                    response.url, article.dateModified, requested,
                )
                requested = None
            if SOURCE_DATE_META in response.meta and extension is not None:
                extension.source_dates.setdefault(article.articleId, latest_date(requested, later))
            yield article

    def is_emitted_version(self, article: Article) -> bool:
        """Whether ``article``'s page may be the version the seen-store has emitted (dated no later, to
        the minute): only such a page can be an edge's copy of it. A new story, or a page dated after the
        version emitted (the update itself), is none, whatever its feed or sitemap date: the site's
        sitemaps date a story a little after its page's dateModified, and such a date left unstored had
        every later run fetch the story again."""
        store = self.seen_store
        try:
            seen = store.get(article.articleId) if store is not None else None
        except StateError:
            return False  # the pipeline's claim meets the failure too, and stops the run (exit 7)
        if seen is None:
            return False
        emitted = parse_date(seen.date_modified)
        return emitted is None or not dated_since(article.dateModified, emitted + timedelta(minutes=1))

    def article_failed(self, failure: Any) -> None:
        identifier = Entry(url=asked_url(failure.request)).article_id or ""
        try:
            if failure.check(IgnoreRequest) and ROBOTS_FORBIDDEN in str(failure.value):
                self.robots_forbidden(asked_url(failure.request), identifier, failure.request.meta)
                return
            super().article_failed(failure)
        finally:
            self.later_source_dates.pop(identifier, None)

    def known_removed(self, url: str, answer: str, meta: Mapping[str, Any] | None = None) -> bool:
        """Recorded in the seen-store, so that a later run knows it: the first run that gets the answer
        fails the article as any (a story the feeds list before the CDN has it answers 404 for a
        while; so does every article once the URL scheme changes: both must be loud). A later run that
        gets it again, with no page since, knows the site removed the story (a legal notice, a
        duplicate) while its feeds still link it: one INFO line and ``bs/gone/again``, no failure, or
        every run until the feeds drop it would fail on it. It is still asked for each run, so a
        story put back is read."""
        identifier = Entry(url=url).article_id
        extension = seen_store_extension(self.crawler)
        if not identifier or extension is None:
            return False
        earlier = extension.answered_gone(identifier, answer)
        if earlier is None:
            return False
        if meta is not None and SOURCE_DATE_META in meta:
            # Removed: not asked for again while its sources give no later date (for BS_GONE_RECHECK_HOURS).
            self.remember_story_alias(extension, identifier, "", meta)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(stat.GONE_AGAIN)
        self.logger.info(
            "Gone <%s>: %s, as in earlier runs (gone since %s, no page since): the site removed it; not counted as "
            "failed, asked again while its sources link it", url, answer, earlier.first_at,
        )
        return True

    def answered_page(self, url: str, landed: str) -> None:
        identifier = Entry(url=url).article_id
        extension = seen_store_extension(self.crawler)
        gone = None
        if identifier and extension is not None:
            # A page of its own: whatever its address led to before (another article, nowhere) is past.
            own = identifier == Entry(url=landed).article_id
            gone = extension.answered_own_page(identifier) if own else extension.answered_page(identifier)
        if gone is not None:
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value(stat.GONE_BACK)
            self.logger.info("<%s> answered a page again (it answered %s from %s on): read as any page", landed, gone.answer, gone.first_at)

    def robots_forbidden(self, url: str, identifier: str, meta: Mapping[str, Any] | None = None) -> None:
        """An article the site's robots.txt does not let us fetch (its ``/content/`` press releases are
        listed beside the stories): not fetched by the rules, so no failed download. As one, it was an
        ERROR line at every run, counted towards BS_MAX_FAILED_SHARE, and a run whose only new links
        were such pages exited 1, "none could be fetched". Remembered (an alias), so that a section's
        walk counts it as holding nothing new: never seen, it had every walk read the page after it."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(stat.DISCOVERY_ROBOTS_FORBIDDEN)
        extension = seen_store_extension(self.crawler)
        if identifier and extension is not None and meta is not None and SOURCE_DATE_META in meta:
            self.remember_story_alias(extension, identifier, ROBOTS_FORBIDDEN_TARGET, meta)
        # Not new or changed after all: nothing of it is wanted from the site (counted where it was
        # found; in a distributed run another worker may have found it, and this one taken it).
        if identifier and identifier in self.requested:
            store = self.seen_store
            seen = store.get(identifier) if store is not None and not self.fresh else None
            stats.inc_value(stat.DISCOVERY_CHANGED if seen else stat.DISCOVERY_NEW, -1)
        if stats.get_value(stat.REDIS_ARTICLES_TAKEN):
            stats.inc_value(stat.REDIS_ARTICLES_TAKEN, -1)
        self.logger.info("Not fetching <%s>: robots.txt forbids it", url)

    def note_later_date(self, identifier: str, moment: datetime | None) -> None:
        """Keep ``moment``, a date another source gives an article requested in this run, when it is
        the latest one yet and before the run began (a later one may postdate the page's fetch; the
        page's own date decides when it is read)."""
        if moment is None or moment > self.started:
            return
        known = self.later_source_dates.get(identifier)
        if known is None or moment > known:
            self.later_source_dates[identifier] = moment
            remembered = self.story_aliases.get(identifier)
            extension = seen_store_extension(self.crawler) if remembered is not None else None
            if remembered is not None and extension is not None:
                target, requested = remembered
                extension.remember_alias(identifier, target, latest_date(requested, moment))

    def is_seen(self, url: str) -> bool:
        """Whether the seen-store has the article of ``url``."""
        identifier = Entry(url=url).article_id
        return bool(identifier and self.seen_store is not None and self.seen_store.get(identifier))

    def unread_before(self, url: str) -> bool:
        """Whether the article of ``url``, never seen, answered a page no rule read or was forbidden by
        robots.txt in an earlier run (an ``unread:`` alias): it may be read in this one."""
        identifier = Entry(url=url).article_id
        if not identifier or self.is_seen(url):
            return False
        alias = self.alias_of(identifier)
        return alias is not None and alias.target.startswith(UNREAD_TARGET)

    def holds_nothing_new(self, url: str) -> bool:
        """Whether a listing's undated link to ``url`` is known to hold nothing new: its article is seen,
        known removed, or, never written under its own id, known from an earlier run to lead to a seen
        article (merged into it), to a page of another kind (a video, a web story, a listing), to a page
        no rule reads (a paywall stub), or to be forbidden by robots.txt (those two asked for all the same)."""
        if self.is_seen(url) or self.is_known_removed(url):
            return True
        if is_short_link(url):
            # A card's short link holds what the story an earlier run found behind it holds; one never
            # followed may hold anything (asked for, and the walk goes on).
            extension = seen_store_extension(self.crawler)
            alias = extension.alias(short_link_key(url)) if extension is not None and not self.fresh else None
            return alias is not None and bool(alias.target) and not is_short_link(alias.target) and self.holds_nothing_new(alias.target)
        identifier = Entry(url=url).article_id
        if not identifier:
            return False
        alias = self.alias_of(identifier)
        if alias is None:
            return False
        if alias.target.startswith(UNREAD_TARGET):
            return True  # asked for all the same: robots.txt or the page decide anew at every run
        return self.alias_skip(alias, None) is not None

    def is_known_removed(self, url: str) -> bool:
        """Whether the article of ``url`` answered as a removed story in an earlier run, with no page since."""
        identifier = Entry(url=url).article_id
        extension = seen_store_extension(self.crawler)
        return bool(identifier and extension is not None and extension.known_gone(identifier))

    def _date_limit(self) -> datetime:
        """Dates after this are wrong, not clock skew (``BS_FUTURE_DATE_SKEW``)."""
        skew = self.crawler.settings.getfloat("BS_FUTURE_DATE_SKEW", 600)
        return datetime.now(timezone.utc) + timedelta(seconds=skew)


def feed_page(response: Response) -> int:
    """Which page of its feed ``response`` is (1: the feed's own address, or no feed's page)."""
    return int(response.request.meta.get(FEED_PAGE_META, 1)) if response.request is not None else 1


def dated_since(modified: str | None, moment: datetime) -> bool:
    """Whether a page last modified at ``modified`` (its ``dateModified``) is of ``moment`` or after,
    to the minute (pages show their time to the minute)."""
    page = parse_date(modified)
    return page is not None and page >= moment.replace(second=0, microsecond=0)


# How long after an update an edge of the site's CDN may still serve the page from before it
# (BS_CDN_STALE_SECONDS).
CDN_STALE_SECONDS = 3600.0


def copy_before(modified: str | None, response: Response, requested: str, stale_seconds: float) -> bool:
    """Whether a page last modified at ``modified`` (its ``dateModified``) may be a CDN edge's copy from
    before the feed or sitemap date ``requested`` it was fetched for: dated before it (to the minute),
    the date recent enough for an edge to hold the older copy still, and its answer's ``Last-Modified``,
    if any, before it too. (A story saved again without a change, its sitemap date moved on hours ago,
    is stored with that date, whatever ``Last-Modified`` says: an origin sends the page's own date, and
    every run fetched the story again, for ever.)"""
    moment = parse_date(requested)
    if moment is None:
        return False
    # dated_since(modified, moment), with the page's date read once (three date readings an article were two).
    page = parse_date(modified)
    if page is None or page >= moment.replace(second=0, microsecond=0):
        return False
    if datetime.now(timezone.utc) - moment >= timedelta(seconds=stale_seconds):
        return False
    header = response.headers.get(b"Last-Modified")
    answered = parse_http_date(header.decode("latin-1")) if header else None
    return answered is None or not dated_since(iso_ist(answered), moment)


def is_later(source_date: datetime | None, recorded: str | None) -> bool:
    """Whether a source's date for a link is later than the one recorded with its alias (to the second,
    as dates are stored); an undated listing is no later than anything."""
    if source_date is None:
        return False
    stored = parse_date(recorded)
    return stored is None or source_date.replace(microsecond=0) > stored


def latest_date(requested: str | None, later: datetime | None) -> str | None:
    """The date to store for a page fetched for the source date ``requested`` (ISO text, or None),
    when another source of the run gave ``later``."""
    if later is None:
        return requested
    first = parse_date(requested)
    return iso_ist(later) if first is None or later > first else requested


def is_newer(source_date: datetime | None, seen: SeenArticle, limit: datetime, stats: Any, *, publication: bool = False) -> bool:
    """Whether the discovery date says the article changed since it was emitted.

    Like is compared with like: a feed or sitemap date with the one stored from a feed or sitemap,
    the page's ``dateModified`` only when none was stored. Dates after ``limit`` (now plus the allowed
    skew) are ignored (counted), so a wrong date in the future never hides later updates.
    ``publication``: the source dates the story's publication alone (a feed's pubDate), no update.
    """
    if source_date is None:
        return False
    # To the second, as dates are stored (iso_ist): a sitemap written to the millisecond
    # ("…T10:12:00.532Z") was newer than its own stored date at every run, every story fetched again.
    source_date = source_date.replace(microsecond=0)
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
    if publication and modified is not None and modified.second == 0:
        # A page's date to the minute (as pages show it) is that whole minute: a feed's pubDate of
        # 15:42:31, the second the story went out, is no update of a page last modified at 15:42 (a
        # story a listing found, stored without a feed date, was fetched again for it). Not an
        # update's date (a sitemap's <lastmod>, Atom's <updated>): a page dated 15:42:00 may be so to
        # the second, and an edit at 15:42:40 would be lost for good.
        return source_date >= modified + timedelta(minutes=1)
    return modified is None or source_date > modified
