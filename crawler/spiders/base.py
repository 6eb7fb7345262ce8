"""What every spider shares: the site root from ``BS_BASE_URL``, argument checks, the article callback."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.extraction import Article, NotAnArticle, extract
from crawler.extraction.layouts.base import FUTURE_SKEW
from crawler.extraction.blocking import ERROR_PAGE, NOT_FOUND
# GZIP_LAYERS: layers of gzip taken off a body whose headers did not announce them (a CDN that gzips
# what it stores and serves it without Content-Encoding, and once more with the header: two).
from crawler.extraction.discovery import GZIP_LAYERS, GZIP_MAGIC, TOO_LARGE, BrokenDocument, unpack
from crawler.failures import DATA_LOSS, failure_message, failure_name, http_status
from crawler.extraction.normalize import iso_ist
from crawler.extraction.urls import LISTING, SPONSORED, VIDEO, WEBSTORY, is_story_url, on_hindi_edition, page_article_id
from crawler.middlewares import DATALOSS_FLAG, OffsiteRedirect, SiteDown
from crawler.splash import PLAIN, ArticleRenderer, article_renderer, page_url
from crawler import stats as stat

# The site and the Hindi edition's mobile twin (m.bshindi.com; hindi.business-standard.com is a subdomain).
SITE_DOMAINS = ("business-standard.com", "bshindi.com")
# Arguments a scheduler adds to the spiders it starts, never the user's: scrapyd's job id, and the
# deployed version a job was scheduled with (`-d _version=r1`: every such job was refused, exit 2).
SCHEDULER_ARGUMENTS = frozenset({"_job", "_version"})
OFFSITE_REDIRECT = "offsite-redirect"
NOT_HTML = "not-html"
# Kinds of page that an article-like address answers for good (a recording, a gallery or web story, a paid story, a
# listing), unlike a paywall stub or a layout no rule reads: a later run that finds the address with
# no later date need not fetch it again (NotAnArticle reasons).
SETTLED_KINDS = frozenset({VIDEO, WEBSTORY, LISTING, SPONSORED})
# The story's own page, which no rule reads (yet): asked for again at every run, in case it comes
# (NotAnArticle reasons).
PAYWALL_STUB = "paywall-stub"
UNREADABLE_STORIES = frozenset({PAYWALL_STUB, "unknown-layout"})
# An article that redirected to the home page or a listing (a skip reason).
REDIRECTED_AWAY = "redirected-away"
# What a story the site took down answers (while its feeds may link it for days; 451: taken down on a
# legal notice); so does a story the feeds list before the CDN has it, and every article after a
# change of the URL scheme.
GONE_ANSWERS = frozenset({http_status(404), http_status(410), http_status(451), REDIRECTED_AWAY})


def overwrite_stores_empty(settings: BaseSettings) -> None:
    """Feeds that overwrite their file (``-O out.jsonl``) write it also when the run emits nothing,
    unless they say otherwise (``store_empty``). The project does not store empty feeds (a file per
    cron run under ``output/`` would mostly be empty), but an overwritten file left as it was still
    holds the previous run's articles: whoever reads it after each run would take them twice. (A name
    with placeholders, ``-O out/%(time)s.jsonl``, is a new file every run: nothing to replace.) ``-O -``, standard
    output, is written as ``-o -`` is."""

    def to_stdout(uri: object, options: object) -> bool:
        return isinstance(options, dict) and bool(options.get("overwrite")) and (str(uri) == "-" or str(uri).startswith("stdout:"))

    def replaces(uri: object, options: object) -> bool:
        return isinstance(options, dict) and bool(options.get("overwrite")) and "store_empty" not in options and "%(" not in str(uri)

    def settled(uri: object, options: Any) -> Any:
        if to_stdout(uri, options):
            # `-O -`: a stream has nothing to replace, and Scrapy said so in a WARNING (twice) at every run,
            # which `-L WARNING` from cron mailed after each run that worked.
            return {**options, "overwrite": False}
        return {**options, "store_empty": True} if replaces(uri, options) else options

    feeds = settings.getdict("FEEDS")
    if not any(replaces(uri, options) or to_stdout(uri, options) for uri, options in feeds.items()):
        return
    changed = {uri: settled(uri, options) for uri, options in feeds.items()}
    settings.set("FEEDS", changed, priority=settings.getpriority("FEEDS") or "spider")


# Settings one spider alone reads, and that spider. Given with -s to another, each did nothing without a word
# (`crawl archive -s BS_LATEST_SOURCES=…`, a feed list meant for `latest`). Warned of, not refused: a wrapper
# script passing one set of -s to every spider is no mistake.
SPIDER_OWN_SETTINGS = {"BS_LATEST_SOURCES": "latest", "BS_REEXTRACT_PROGRESS_EVERY": "reextract"}


def settings_not_read(spider_name: str, settings: BaseSettings) -> list[str]:
    """The ``-s`` settings (command-line priority) that only another spider than ``spider_name`` reads."""
    return [
        name
        for name, owner in SPIDER_OWN_SETTINGS.items()
        if owner != spider_name and settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
    ]


class BusinessStandardSpider(Spider):
    """Base spider: knows the site root and turns article responses into items."""

    base_url: str = "https://www.business-standard.com"
    # Spiders that keep a seen-store (and so take the run lock) say so.
    incremental: bool = False
    allowed_domains: list[str] = []
    # Article requests pass through it: rendered by Splash when SPLASH_URL is set (crawler/splash.py).
    renderer: ArticleRenderer = PLAIN
    # How far ahead of the fetch a page's date is a typo, not clock skew (BS_FUTURE_DATE_SKEW).
    future_skew: timedelta = FUTURE_SKEW
    # The -a names the spider takes; any other is refused. None: not checked.
    arguments: tuple[str, ...] | None = None

    @classmethod
    def check_usage(cls, arguments: Mapping[str, str], settings: BaseSettings | None = None) -> None:
        """Raise a one-line :class:`UsageError` for any wrong ``-a`` argument, before anything is fetched:
        unknown names (with the list of known ones), then the spider's own checks."""
        known = cls.known_arguments()
        if known is not None:
            unknown = sorted(set(arguments) - set(known) - SCHEDULER_ARGUMENTS)
            require(
                not unknown,
                f"{cls.name}: unknown argument(s) {', '.join(unknown)}; it takes "
                + (", ".join(f"-a {name}=…" for name in known) or "no -a arguments"),
            )
        cls.check_arguments(arguments)
        cls.check_site(arguments, settings)

    @classmethod
    def known_arguments(cls) -> tuple[str, ...] | None:
        """Every -a name of the spider, those of its bases included."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            declared = klass.__dict__.get("arguments")
            if declared:
                names.extend(declared)
        return tuple(dict.fromkeys(names)) if cls.arguments is not None else None

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        """Raise :class:`UsageError` for wrong ``-a`` arguments, before anything is fetched."""

    @classmethod
    def check_site(cls, arguments: Mapping[str, str], settings: BaseSettings | None) -> None:
        """Checks of ``-a`` arguments that need the settings (``BS_BASE_URL``); none by default."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        default_feed = settings.get("BS_DEFAULT_FEED")
        if default_feed and not settings.getdict("FEEDS"):
            settings.set("FEEDS", {default_feed: {"format": "jsonlines", "encoding": "utf8"}}, priority="spider")
        overwrite_stores_empty(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BusinessStandardSpider:
        cls.check_usage(kwargs, crawler.settings)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base_url = str(crawler.settings.get("BS_BASE_URL", cls.base_url)).strip().rstrip("/")
        host = urlsplit(spider.base_url).hostname or ""
        spider.allowed_domains = sorted({host, *SITE_DOMAINS})
        spider.renderer = article_renderer(crawler)
        spider.future_skew = timedelta(seconds=crawler.settings.getfloat("BS_FUTURE_DATE_SKEW", FUTURE_SKEW.total_seconds()))
        if settings_not_read(cls.name, crawler.settings):
            # Said once the run's stats exist (they do not yet, as the spider is made).
            crawler.signals.connect(spider.warn_settings_not_read, signal=signals.spider_opened)
        return spider

    def warn_settings_not_read(self) -> None:
        """One WARNING (and a stat) for the ``-s`` settings only another spider reads."""
        names = settings_not_read(self.name, self.crawler.settings)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(stat.SETTINGS_NOT_READ, len(names))
        self.logger.warning(
            "%s: the %s spider does not read %s (only %s does); the run goes on without %s",
            ", ".join(f"-s {name}" for name in names),
            self.name,
            "it" if len(names) == 1 else "them",
            ", ".join(sorted({f"`{SPIDER_OWN_SETTINGS[name]}`" for name in names})),
            "it" if len(names) == 1 else "them",
        )

    def is_on_site(self, url: str) -> bool:
        """Whether ``url`` is on one of the allowed domains."""
        return on_hosts(url, self.allowed_domains)

    def site_url(self, path: str) -> str:
        """An absolute URL on the configured site; an http(s) URL given whole (a source in the
        settings written as the browser shows it) is kept as it is (``latest`` refuses off-site ones before
        the run, crawler/spiders/latest.py)."""
        path = path.strip()
        if path.lower().startswith(("http://", "https://")):
            return path
        return self.base_url + "/" + path.lstrip("/")

    def article_request(self, url: str, *, dont_filter: bool = False, **meta: Any) -> Request:
        """The request for one article page (a Splash one when SPLASH_URL is set); saved pages
        (``file://``) bypass the off-site filter and are never rendered."""
        if url.startswith("file:"):
            meta["allow_offsite"] = True
        request = Request(url, callback=self.parse_article, errback=self.article_failed, meta=meta, dont_filter=dont_filter)
        return self.renderer.render(request)

    def parse_article(self, response: Response) -> Iterator[Article | Request]:
        """Extract the article, or log and count why the page is not one.

        @page tests/pages/nextjs-2023/no-image
        @returns items 1 1
        @returns requests 0 0
        @scrapes articleId headline datePublished authors articleBody section
        """
        yield from self.read_article(response)

    def read_article(self, response: Response) -> Iterator[Article]:
        """The article of an article request's answer (see :meth:`parse_article`), which a spider may
        follow with requests (a section walk that goes on once a story unread before is read)."""
        stats = self.crawler.stats
        assert stats is not None
        if DATALOSS_FLAG in response.flags:
            # Part of the page (a compressed stream cut short, or a download with
            # DOWNLOAD_FAIL_ON_DATALOSS off): read as a whole one, an item without what the tail holds.
            stats.inc_value(stat.failed(DATA_LOSS))
            self.logger.error("Failed <%s>: %s (its body arrived cut short)", requested_url(response), DATA_LOSS)
            return
        if response.body.startswith(GZIP_MAGIC):
            unpacked = self.unpack_stray_gzip(response)
            if unpacked is None:
                return
            response = unpacked
        if not isinstance(response, TextResponse) or declares_no_page(response):
            stats.inc_value(stat.skipped(NOT_HTML))
            declared = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            self.logger.warning("Skipped <%s>: not an HTML page (%s)", response.url, declared or type(response).__name__)
            return
        requested = requested_url(response)
        # The id scheme follows the host (hi-<N> on the Hindi edition), as the extraction's does.
        fetched = page_article_id(None, requested)
        landed = landed_article_id(response.url)
        if fetched and requested != response.url and fetched != landed:
            if landed is None or not is_story_url(response.url):
                # An article redirected to the home page, a listing, or a video, podcast, web story or
                # gallery (whose URLs carry an id too: read as a story, refused, a run of them exited 5,
                # a redesign): gone or moved, not readable here.
                if self.known_removed(requested, REDIRECTED_AWAY, response.meta):
                    return
                stats.inc_value(stat.skipped(REDIRECTED_AWAY))
                self.logger.warning("Skipped <%s>: the article redirected to <%s>", requested, response.url)
                return
            # A story merged into another (a duplicate taken down, a live blog folded into the day's
            # story): the page is that other article's, read by its own id, so that the seen-store
            # claims and versions it, and a run that fetches it by its own URL too writes it once. As
            # a skip, a run whose every new article was one failed, "none could be fetched".
            stats.inc_value(stat.REDIRECTED_TO_OTHER_ARTICLE)
            self.logger.info("<%s> redirected to another article <%s>: read as that one", requested, response.url)
            self.redirected_to_article(requested, landed, response.meta)
            requested, fetched = response.url, landed
        if looks_like_json(response.body):
            # An API gateway's or CDN's error answered with 200 ({"error": …}): not a page of an
            # unknown layout, which is how a redesign shows.
            stats.inc_value(stat.skipped(NOT_HTML))
            self.logger.warning("Skipped <%s>: a JSON answer, not an HTML page: %s", response.url, response.body[:200].decode("utf-8", "replace").strip())
            return
        # Decoded per page by the extraction (valid UTF-8 over a contradicting header, stray bytes
        # kept as U+FFFD, Windows-1252 only for pages with no UTF-8 in them).
        content_type = response.headers.get("Content-Type")
        try:
            extraction = extract(response.body, response.url, content_type.decode("latin-1") if content_type else None, read_at=self.fetched_at(response), future_skew=self.future_skew)
        except NotAnArticle as error:
            if error.reason == NOT_FOUND:
                # As the site's 404 is (a story it removed while its feeds link it, a URL scheme
                # change): not a page of the story, which would also forget that it was gone.
                gone = http_status(404)
                if not self.known_removed(requested, gone, response.meta):
                    stats.inc_value(stat.failed(gone))
                    self.logger.error("Failed <%s>: %s (a 'page not found' page, sent with 200)", requested, gone)
                return
            if error.reason == ERROR_PAGE:
                # The page did not come: a failure, not a page of the story (nor marked seen: the next run asks again).
                stats.inc_value(stat.failed(ERROR_PAGE))
                self.logger.error("Failed <%s>: %s (%s)", requested, ERROR_PAGE, error.detail)
                return
            stats.inc_value(stat.skipped(error.reason))
            self.logger.warning("Skipped <%s>: not an article (%s)", response.url, error)
            # A page at the story's URL all the same (a paywall stub, a layout no rule reads): it is
            # there, so a later 404 is loud again.
            self.answered_page(requested, response.url)
            if error.reason in SETTLED_KINDS:
                self.answered_other_kind(requested, error.reason, response.meta)
            elif error.reason in UNREADABLE_STORIES and response.request is not None:
                self.answered_unreadable(requested, error.reason, response.request.meta)
            return
        note = extraction.encoding_note
        if note:
            stats.inc_value(stat.RECOVERED_ENCODING)
            stats.inc_value(stat.encoding(note.kind))
            self.logger.warning("Encoding of <%s> fixed: %s", response.url, note)
        article = extraction.article
        if fetched and fetched != article.articleId:
            # The id is the URL's (it is what discovery and the seen-store know): a page whose
            # canonical link names another article must not show up as that one.
            stats.inc_value(stat.ARTICLE_CANONICAL_MISMATCH)
            self.logger.warning(
                "<%s>: its canonical URL <%s> carries the id %s; keeping the fetched URL's id %s",
                response.url,
                article.canonicalUrl,
                article.articleId,
                fetched,
            )
            article.articleId = fetched
        article.dateDownloaded = iso_ist(datetime.now(timezone.utc))
        self.answered_page(requested, response.url)
        yield article

    def fetched_at(self, response: Response) -> datetime | None:
        """When the page was fetched, where that is not now (a stored page): its dates are read as of it."""
        return None

    def unpack_stray_gzip(self, response: Response) -> Response | None:
        """The response with its gzip body unpacked, or None (counted, logged) when it cannot be.

        HttpCompressionMiddleware unpacks only what Content-Encoding announces; what is left is still
        the article, bounded like any download (``DOWNLOAD_MAXSIZE``, checked unpacked)."""
        stats = self.crawler.stats
        assert stats is not None
        limit = int(response.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")))
        body = response.body
        try:
            for _ in range(GZIP_LAYERS):
                if not body.startswith(GZIP_MAGIC):
                    break
                body = unpack(body, limit)
        except BrokenDocument as error:
            if error.reason == TOO_LARGE:
                stats.inc_value(stat.failed(TOO_LARGE))
                self.logger.error("Failed <%s>: its gzip body unpacks to more than %d bytes (DOWNLOAD_MAXSIZE)", response.url, limit)
            else:
                # Half a page read as a whole one would be a half-empty item.
                stats.inc_value(stat.skipped(error.reason))
                self.logger.warning("Skipped <%s>: its gzip body (no Content-Encoding said so) is unreadable: %s", response.url, error)
            return None
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        return response.replace(cls=cls, body=body)

    def known_removed(self, url: str, answer: str, meta: Mapping[str, Any] | None = None) -> bool:
        """Whether the article at ``url``, which answered as a removed story does (``answer``: one of
        GONE_ANSWERS; ``meta``: its request's), is known to be removed (counted and logged so by the
        spider); when not, it fails as any answer without a page. Spiders without a seen-store know of
        no earlier run: never."""
        return False

    def answered_other_kind(self, requested: str, kind: str, meta: Mapping[str, Any]) -> None:
        """The address ``requested`` answered a page of another kind (``kind``: one of SETTLED_KINDS;
        ``meta``: its request's): remembered by spiders with a seen-store."""

    def answered_unreadable(self, requested: str, reason: str, meta: Mapping[str, Any]) -> None:
        """The address ``requested`` answered the story's page, which no rule reads (``reason``: one of
        UNREADABLE_STORIES; ``meta``: its request's): remembered by spiders with a seen-store."""

    def redirected_to_article(self, requested: str, landed: str, meta: Mapping[str, Any]) -> None:
        """The story at ``requested`` redirected to another article, of id ``landed`` (its request's
        ``meta``): remembered by spiders with a seen-store."""

    def answered_page(self, url: str, landed: str) -> None:
        """The article at ``url`` answered a page (at ``landed``, after any redirect): whatever it
        answered as a removed story before is forgotten (spiders with a seen-store)."""

    def article_failed(self, failure: Any) -> None:
        """Count and log an article request that failed for good (after retries), by the URL asked for."""
        stats = self.crawler.stats
        assert stats is not None
        url = asked_url(failure.request)
        if failure.check(SiteDown):
            return  # not asked: the run closed with the site down (one line said so); asked next run
        if failure.check(OffsiteRedirect):
            stats.inc_value(stat.failed(OFFSITE_REDIRECT))
            self.logger.error("Failed <%s>: %s", url, failure.getErrorMessage())
            return
        reason = failure_name(failure)
        if reason in GONE_ANSWERS and self.known_removed(url, reason, failure.request.meta):
            return
        stats.inc_value(stat.failed(reason))
        # The name says what Scrapy's message does not ("Ignoring non-200 response": which status?).
        self.logger.error("Failed <%s>: %s (%s)", url, reason, failure_detail(failure))


def requested_url(response: Response) -> str:
    """The URL the spider asked for, before any redirect (``response.url`` is where they led)."""
    request = response.request
    return str(request.meta.get("redirect_urls", [response.url])[0]) if request is not None else response.url


def landed_article_id(url: str) -> str | None:
    """The id of the story a redirect landed on, read from the URL's path: a login, consent or
    subscription page that names the article in its query (``/login?next=<the article>``) holds none.
    (The Hindi edition's stories are named by their query, ``storypage.php?autono=N``.)"""
    if on_hindi_edition(url):
        return page_article_id(None, url)
    return page_article_id(None, urlsplit(url)._replace(query="", fragment="").geturl())


def asked_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect, of a request that failed (``request.url``
    is where the redirects led: a URL found in no feed, setting or seed list; for a page rendered by
    Splash, Splash's endpoint)."""
    return str(request.meta.get("redirect_urls", [page_url(request)])[0])


def failure_detail(failure: Any) -> str:
    """A failure's message, and where redirects led its request when that is not the URL asked for."""
    request = failure.request
    message = failure_message(failure)
    landed = request.url
    if page_url(request) != request.url:
        # Rendered by Splash: where the browser's redirects led is the answer's URL.
        response = getattr(failure.value, "response", None)
        landed = response.url if isinstance(response, Response) else page_url(request)
    if asked_url(request) != landed and landed not in message:
        message += f"; redirected to <{landed}>"
    response = getattr(failure.value, "response", None)
    location = response.headers.get(b"Location") if isinstance(response, Response) and 300 <= response.status < 400 else None
    if location:
        # A redirect Scrapy does not follow (to file:, data: or ftp:, to no URL at all): "Ignoring
        # non-200 response" alone left the reader to guess where the page went.
        message += f"; its Location, not followed: {location.decode('latin-1')[:200]!r}"
    return message


# Media types no page of the site comes as. Scrapy makes an HtmlResponse of them all the same at a
# ".html" URL (the URL decides when the type maps to no response class): a CDN serving another object
# there (a placeholder image, a PDF) was read as a page of no known layout, counted towards a redesign.
# (A page sent as application/octet-stream or text/plain is still read.)
NOT_PAGE_TYPES = (b"image/", b"audio/", b"video/", b"font/", b"application/pdf", b"application/zip")


def declares_no_page(response: Response) -> bool:
    """Whether the answer's Content-Type names a kind of file that is no page."""
    content_type = response.headers.get(b"Content-Type")
    return content_type is not None and content_type.lstrip().lower().startswith(NOT_PAGE_TYPES)


def looks_like_json(body: bytes) -> bool:
    """Whether a body is a JSON object or array rather than a page (whatever its Content-Type)."""
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith((b"{", b"[")):
        return False
    try:
        # (Its numbers are not kept: digits beyond int()'s 4,300 are a number all the same.)
        json.loads(body, parse_int=float)
    except RecursionError:
        return True  # nested deeper than the decoder goes: no page either
    except ValueError:
        return False
    return True


def base_url_problem(value: object) -> str | None:
    """What keeps ``BS_BASE_URL`` from being the site's root, in one line; None when it is one.

    Every source's URL is the root and a path: a port no socket takes was a traceback as the run
    began; a query or fragment (``…/?utm=x``) made each source's URL the home page's, the run reading
    one listing and saying ok; a path (a page's URL pasted) put every source under it, each a 404.
    """
    text = str(value or "").strip()
    wrong = f"BS_BASE_URL={value!r} is not an http(s) URL like https://www.business-standard.com"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        if "port" not in str(error).lower():
            return wrong  # "http://[::1"
        port = 0
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return wrong
    if port == 0:
        return f"BS_BASE_URL={value!r} has no usable port (a number from 1 to 65535, like http://127.0.0.1:8000)"
    extra = [what for what, part in (("a path", parts.path.strip("/")), ("a query", parts.query), ("a fragment", parts.fragment)) if part]
    if extra or "?" in text or "#" in text:
        what = " and ".join(extra) or ("a query" if "?" in text.partition("#")[0] else "a fragment")  # empty: "…/?"
        root = f"{parts.scheme}://{parts.netloc}"
        return f"BS_BASE_URL={value!r} has {what}: give the site's root, like {root}"
    return None


def site_hosts(settings: BaseSettings | None) -> set[str]:
    """The hosts of the site: ``BS_BASE_URL``'s and the site's own domains (``allowed_domains``)."""
    base = settings.get("BS_BASE_URL") if settings is not None else BusinessStandardSpider.base_url
    return {host for host in (urlsplit(str(base)).hostname or "", *SITE_DOMAINS) if host}


def on_hosts(url: str, hosts: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``hosts`` or below one (a fully qualified name's closing dot or
    not: ``www.business-standard.com.`` is the site)."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


def require(condition: bool, message: str) -> None:
    """Raise a one-line :class:`UsageError` unless ``condition``."""
    if not condition:
        raise UsageError(message)
