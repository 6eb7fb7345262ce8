"""The loopback copy of business-standard.com: a threaded HTTP server on 127.0.0.1 serving a generated corpus."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import re
import socket
import socketserver
import struct
import threading
import time
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

from .hindi import HOSTS as HINDI_HOSTS, HindiEdition, tunnel_context
from .corpus import CURRENT, DEFAULT_DAYS, DEFAULT_LEGACY, DEFAULT_NOW, MEDIA_PREFIX, MONTHS, SECTIONS, ArticleRecord, Corpus, make_article_id
from .pages import (
    MARKET_NAMES,
    Card,
    render_amp,
    render_block_page,
    render_block_page_encoded,
    render_current,
    render_legacy,
    render_listing,
    render_nextjs_page,
    render_not_found,
    render_server_error,
    render_video,
)

HOST = "127.0.0.1"  # never anything else: the site must not be reachable from outside
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
LISTING_PAGE_SIZE = 20
LATEST_FEED_SIZE = 50
LATEST_SITEMAP_SIZE = 100
NEWS_SITEMAP_HOURS = 48
GZIP_BOMB_SIZE = 60 * 1024 * 1024  # inflated; deflate packs at most ~1030:1, so ~60 KB on the wire

FAULT_KINDS = frozenset(
    {
        "block403", "block200", "error500-once", "error503-always", "slow", "404", "410", "451", "redirect-home",
        "truncated", "empty", "latin1", "gzip-bomb", "paywall-stub", "canonical-other", "stale-first", "dates-disagree", "redirect-other",
    }
)
# dates-disagree: the article as it is now, whose "Last Updated" line, <meta http-equiv="Last-Modified"> and
# Last-Modified header still give its first modified time, while its JSON-LD dateModified, feeds and sitemaps
# give its latest update (sources of one page that disagree, as the site's are not known to agree).
# stale-first: every form of the article answers with its first copy, as published (no update
# paragraph, its first modified time), while feeds and sitemaps date its latest update: a CDN edge
# that kept the copy it cached first and never revalidated.
# Misbehaviours of any path (feeds, sitemaps, listings, robots.txt, articles), set with set_path_fault():
#   self-listing     a sitemap index, or a monthly sitemap, that lists itself (as a sitemap index)
#   gzip             the body gzipped, with Content-Encoding: gzip
#   gzip-bare        the body gzipped, and no header says so
#   gzip-cut         gzipped with the header, cut after half the compressed bytes
#   gzip-bare-cut    gzipped without the header, cut after half
#   gzip-corrupt     gzipped with the header, 32 bytes in the middle of the stream garbled (a corrupt
#                    object on a CDN edge; no decoder reads past them)
#   offsite          302 to another host (127.0.0.2, which nothing answers)
#   offsite-backslash  the same, its Location written "http:\\127.0.0.2:<port>/…" (browsers and w3lib read
#                    the backslashes as slashes)
#   refresh-offsite  200, a page whose <meta http-equiv="refresh"> sends the reader to 127.0.0.2 at once
#   redirect-home    301 to the home page (a feed, sitemap or section the site removed)
#   redirect-self    302 to the same path with a cookie (a CDN's cookie check), then normal
#   maintenance      200 text/html "down for maintenance" page instead of the document
#   no-links         a 200 HTML listing without one article link
#   nbsp             an RSS feed with one &nbsp; outside CDATA (not well-formed XML)
#   cut              an RSS feed cut short in transit, inside the <link> of its fourth item
#   huge             a monthly sitemap padded to 50,000 URLs (some 11 MB; the padding is dated 2001)
#   429              429 Too Many Requests with Retry-After: <arg> seconds (1.5 as written), <times> times, then normal
#   503              503 Service Unavailable with Retry-After: <arg> seconds (maintenance), <times> times
#   500              500 Internal Server Error, no Retry-After (a server error of the origin's or a CDN's)
#   timeout          no answer for slow_seconds, then the connection closes
#   reset            the connection is reset (RST) without an answer
#   close-cut        the first half of the body with no Content-Length, the connection closed after it (an
#                    HTTP/1.0 server or proxy, where only the closing frames a body, dropping mid-page)
#   partial          206 Partial Content: the first half of the body, with its Content-Range, though no
#                    range was asked for (a CDN edge serving the part of the object it holds)
#   cut-stored       200, the first half of the body with a Content-Length agreeing (a CDN edge that
#                    stored the page cut short serves the part it holds as the whole object)
#   cut-stored-gzip  the same half, gzipped whole as it is sent, with Content-Encoding: gzip (an edge that
#                    compresses the cut copy it stored: the stream ends, the document does not)
#   length-chars     200, the whole body, its Content-Length counting characters, not bytes (an origin
#                    that measures the page as text): the bytes past it dropped by the client
#   cookie-storm     the answer as normal, with 5,000 Set-Cookie headers of new names (a broken or hostile
#                    page); a later request carrying them all is refused, 431, as a front end refuses it
#   redirect-file    302 to file:///etc/passwd (a hostile or broken redirect to no web page)
#   transfer-identity  200, the whole body after "Transfer-Encoding: identity" (a coding RFC 2616's drafts
#                    had, which old servers and proxies still send; Twisted's client reads no such answer)
#   server-error-200  200, Next.js's own error page for a 500 (its _error page), as a CDN or proxy may pass it on
#   static-500-200   200, the static 500 page Next.js builds (its page "/500"), as a CDN or proxy may pass it on
#   not-found-200    200, the site's "page not found" page (a soft 404)
#   empty-next       200, the path's listing template with no story card, its pager still linking the next page
#                    (a listing drawn while its data did not come: a back end that timed out)
#   headers-endless  200, then header lines (new names) for ever: the blank line ending them never comes
#   header-line-endless  200, then one header line that never ends (no line break)
#   header-folded-endless  200, then one header continued on folded lines (each begins with a space) for ever
#   informational-endless  "100 Continue" answers, one after another, for ever: the final answer never comes
#                    (the four above: sent until the client hangs up, or ENDLESS_CAP bytes; then the
#                    connection is held until the client hangs up; what was sent is in header_bytes_sent)
PATH_FAULT_KINDS = frozenset(
    {
        "self-listing", "gzip", "gzip-bare", "gzip-cut", "gzip-bare-cut", "gzip-corrupt", "offsite", "maintenance", "no-links", "offsite-backslash", "refresh-offsite",
        "nbsp", "huge", "429", "timeout", "reset", "cut", "redirect-home", "redirect-self", "503", "500", "partial", "close-cut",
        "cut-stored", "length-chars", "transfer-identity", "cookie-storm", "redirect-file", "cut-stored-gzip",
        *("headers-endless", "header-line-endless", "header-folded-endless", "informational-endless"),
        *("server-error-200", "not-found-200", "empty-next", "static-500-200"),
    }
)
ENDLESS_CAP = 32 * 1024 * 1024  # what an endless fault sends at most: far above any bound a client should have
HUGE_SITEMAP_URLS = 50_000
COOKIE_STORM = 5_000
OFFSITE_HOST = "127.0.0.2"  # loopback, but another host for the crawler; nothing listens there
GZIP = "application/x-gzip"
# RSS feed name → section family (first path component), as on the real site.
SECTION_FEEDS = {
    "markets-106": "markets",
    "companies-101": "companies",
    "economy-102": "economy",
    "finance-103": "finance",
    "opinion-105": "opinion",
}
SECTION_TITLES = {"/latest-news": "Latest News", **{"/" + s.path: s.name for s in SECTIONS}}
# What a page shows once its script has filled the ticker: strings, as printed.
TICKER: dict[str, dict[str, str]] = {
    name: {"value": value, "change": change, "changePercent": percent}
    for name, (value, change, percent) in zip(
        MARKET_NAMES,  # Sensex, Nifty, Nifty Smallcap, Nifty Midcap, Nifty Bank
        (
            ("80,109.85", "+992.74", "+1.25"),
            ("24,221.90", "+314.65", "+1.32"),
            ("17,954.70", "-112.35", "-0.62"),
            ("56,390.15", "+401.20", "+0.72"),
            ("52,207.50", "-790.34", "-1.07"),
        ),
    )
}
ROBOTS_RULES = """User-agent: *
Disallow: /charts
Disallow: /include
Disallow: /request-handler/
Disallow: /core/request-handler/
Disallow: /comment/request-handler/
Disallow: /user/my-page/add-article/item-id/
Disallow: /user/process-api/
Disallow: /common/adclicks.php
Disallow: /common/adclicksTag.php
Disallow: /6516239/
Disallow: /content/
Disallow: /*cache-control/
Disallow: /live-blog/request-handler/
Disallow: /live-market/request-handler/
Disallow: /comment/manager/
Disallow: /poll/manager/
Allow: /content/*.pdf
Allow: /include/_mod/site/images/rss_logo.png
"""
ROBOTS_TAIL = """
User-agent: Googlebot-News
Disallow: /stocks/corporate-announcements/
"""
_ARTICLE_ID = re.compile(r"(?<!\d)(1\d{11})_\d+\.html?$")
_PAGED = re.compile(r"^(?P<base>/.*?)(?:/page-(?P<page>\d+))?/?$")
_MONTHLY = re.compile(r"^/sitemap/(?P<year>\d{4})-(?P<month>[a-z]+)-(?P<page>\d+)\.xml(?:\.gz)?$")


class Response(NamedTuple):
    status: int
    body: bytes
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Video:
    """The one video page, linked from the first page of /latest-news."""

    video_id: str
    title: str
    published: datetime

    @property
    def path(self) -> str:
        return f"/video/markets-wrap-sensex-nifty-end-higher-{self.video_id}_1.html"


def _png_pixel() -> bytes:
    """A 1×1 grey PNG: every hero image, so a renderer's image requests stay on the loopback."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


PIXEL = _png_pixel()


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@lru_cache(maxsize=1)
def _seconds(value: float) -> str:
    """A Retry-After value: whole seconds as digits, a fraction as written (``1.5``)."""
    return str(int(value)) if value == int(value) else str(value)


def gzip_bomb() -> bytes:
    """A gzip stream that inflates to :data:`GZIP_BOMB_SIZE` bytes of HTML-ish white space."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as stream:
        stream.write(b"<!DOCTYPE html><html><body>")
        chunk = b" " * (1024 * 1024)
        for _ in range(GZIP_BOMB_SIZE // len(chunk)):
            stream.write(chunk)
    return buffer.getvalue()


class _Index:
    """Who is listed where, built once per set of articles (modify() changes values, not membership)."""

    def __init__(self, records: list[ArticleRecord]) -> None:
        newest = records[::-1]
        self.newest_all = newest
        self.newest = [r for r in newest if r.layout == CURRENT]
        self.listings: dict[str, list[ArticleRecord]] = {"/latest-news": self.newest}
        self.topics: dict[str, list[ArticleRecord]] = {}
        self.months: dict[tuple[int, int], list[ArticleRecord]] = {}
        for section in SECTIONS:
            self.listings.setdefault("/" + section.path, [])
            self.listings.setdefault("/" + section.family, [])
        for record in self.newest:
            self.listings["/" + record.section.path].append(record)
            if record.section.family != record.section.path:
                self.listings["/" + record.section.family].append(record)
            for topic in record.topics:
                self.topics.setdefault(topic_slug(topic), []).append(record)
        for record in records:
            self.months.setdefault((record.published.year, record.published.month), []).append(record)


def first_modified(record: ArticleRecord) -> datetime:
    """When the article was last modified before :meth:`LoopbackSite.modify` changed it (one hour a revision)."""
    return record.modified - timedelta(hours=record.revision)


def topic_slug(name: str) -> str:
    """The ``/topic/<slug>`` of a topic name, as the article pages link it."""
    return "-".join(name.lower().split())


class LoopbackSite:
    """A copy of business-standard.com on ``http://127.0.0.1:PORT``, for tests, the benchmark and offline tries.

    ``with LoopbackSite(articles=300, seed=1) as site:`` serves until the block ends (or ``start()``/``stop()``).
    Besides the site's own paths it answers ``/_control/…`` for other processes: ``counts``, ``reset``,
    ``modify?id=``, ``fault?id=&kind=`` (empty kind clears), ``path_fault?path=&kind=[&arg=&times=]``,
    ``gzip_monthly?on=1|0``, ``block_all?on=1|0``, ``add?n=``, ``articles``.
    """

    def __init__(
        self,
        articles: int = 2000,
        seed: int = 1,
        *,
        port: int = 0,
        days: float = DEFAULT_DAYS,
        legacy: int = DEFAULT_LEGACY,
        now: datetime = DEFAULT_NOW,
        sitemap_page_size: int = 1000,
        slow_seconds: float = 5.0,
    ) -> None:
        self._server = _Server((HOST, port), _Handler)
        self._server.site = self
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://{HOST}:{self.port}"
        self.now = now
        self.corpus = Corpus(articles=articles, seed=seed, now=now, days=days, legacy=legacy, base_url=self.base_url)
        self.sitemap_page_size = sitemap_page_size
        self.slow_seconds = slow_seconds
        self.block_all = False
        # Akamai writes its page with HTML entities ("Reference&#32;&#35;18&#46;…"); off by default
        # because the crawler's block detection looks for the plain text.
        self.block_page_encoded = False
        self.ticker: dict[str, dict[str, str]] = {name: dict(quote) for name, quote in TICKER.items()}
        self.video = Video(make_article_id(now.date(), 99901), "Markets wrap: Sensex, Nifty end higher", now - timedelta(hours=3))
        self.errors: list[str] = []  # tracebacks of requests that failed inside the site (a bug, not a fault)
        # The Hindi edition's hosts, reached with the site as the crawler's proxy (http_proxy and https_proxy).
        self.hindi = HindiEdition()
        self._faults: dict[str, str] = {}
        self.redirect_targets: dict[str, str] = {}
        # path → [kind, argument, times left (None: always)]
        self._path_faults: dict[str, list[Any]] = {}
        # path → bytes an endless fault sent before the client hung up (or ENDLESS_CAP), one entry per answer
        self.header_bytes_sent: dict[str, list[int]] = {}
        # Monthly sitemaps as .xml.gz files (gzip, no Content-Encoding), listed so in the index.
        self.gzip_monthly = False
        # A rate limit of the whole site (set_storm): [status, Retry-After as sent, answers left (None: all)].
        self._storm: list[Any] | None = None
        # Article GETs the storm answered: requests the site had asked not to get.
        self.storm_answers = 0
        # When (time.monotonic()) each article GET came, in order.
        self.article_times: list[float] = []
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._article_counts: Counter[str] = Counter()
        self._references = itertools.count(0x1A2B3C)
        self._version = 0  # bumped by every change; keys the caches of feeds, sitemaps and listings
        self._index_size = -1
        self._index: _Index | None = None
        self._thread: threading.Thread | None = None
        # Bounded caches: a 20,000-article crawl must not keep every page in memory.
        self._page = lru_cache(maxsize=256)(self._render_article)
        self._document = lru_cache(maxsize=128)(self._render_document)

    # --- lifecycle --------------------------------------------------------------

    def start(self) -> LoopbackSite:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    def __enter__(self) -> LoopbackSite:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()

    # --- the articles -------------------------------------------------------------

    @property
    def articles(self) -> list[ArticleRecord]:
        """Every article, oldest first (the pre-2023 ones lead)."""
        return self.corpus.records

    def article(self, article_id: str) -> ArticleRecord:
        return self.corpus.by_id[article_id]

    def modify(self, article_id: str) -> ArticleRecord:
        """Add a paragraph to the article and move its modified time one hour on."""
        record = self.corpus.modify(article_id)
        self._changed()
        return record

    def add_articles(self, n: int) -> list[ArticleRecord]:
        """Publish ``n`` articles after the newest; they show in feeds, sitemaps and listings."""
        records = self.corpus.add(n)
        self._changed()
        return records

    def _changed(self) -> None:
        with self._lock:
            self._version += 1

    @property
    def index(self) -> _Index:
        with self._lock:
            if self._index is None or self._index_size != len(self.corpus.records):
                self._index = _Index(self.corpus.records)
                self._index_size = len(self._index.newest_all)
            return self._index

    # --- counting and faults --------------------------------------------------------

    @property
    def counts(self) -> Counter[str]:
        """Requests per path (query stripped) since the last reset; a snapshot, safe to read."""
        with self._lock:
            return Counter(self._counts)

    def article_requests(self, article_id: str | None = None) -> int:
        """GETs of article pages in any URL form, for one article or all."""
        with self._lock:
            if article_id is None:
                return sum(self._article_counts.values())
            return self._article_counts[article_id]

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
            self._article_counts.clear()
            self.article_times.clear()

    def set_fault(self, article_id: str, kind: str | None) -> None:
        """Make every URL form of the article misbehave (see :data:`FAULT_KINDS`); None clears."""
        if article_id not in self.corpus.by_id:
            raise KeyError(article_id)
        if kind == "gzip-bomb":
            # Made now, not at the first request: packing 60 MB takes a CPU-second on a busy machine,
            # which would turn the first fetch into a download timeout instead of a refused bomb.
            gzip_bomb()
        with self._lock:
            if kind is None:
                self._faults.pop(article_id, None)
            elif kind in FAULT_KINDS:
                self._faults[article_id] = kind
            else:
                raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")

    def redirect_article(self, article_id: str, target_id: str) -> None:
        """Make every URL form of the article answer a 301 to another article's URL (a story merged into it)."""
        self.redirect_targets[article_id] = self.corpus.by_id[target_id].path
        self.set_fault(article_id, "redirect-other")

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._path_faults.clear()

    def set_path_fault(self, path: str, kind: str | None, argument: float = 1.0, times: int | None = None) -> None:
        """Make one path misbehave (see :data:`PATH_FAULT_KINDS`; ``argument``: Retry-After of ``429``;
        ``times``: how many answers, None for all); ``kind`` None clears."""
        with self._lock:
            if kind is None:
                self._path_faults.pop(path, None)
            elif kind in PATH_FAULT_KINDS:
                self._path_faults[path] = [kind, argument, times]
            else:
                raise ValueError(f"unknown path fault {kind!r}; one of {sorted(PATH_FAULT_KINDS)}")

    def set_storm(self, status: int | None, retry_after: str | None = "1", answers: int | None = None) -> None:
        """Answer every article GET with ``status`` (429 or 503) and ``Retry-After: retry_after`` (seconds or
        an HTTP date; None: no header), for the next ``answers`` of them (None: all); None clears. Counted in
        :attr:`storm_answers`."""
        with self._lock:
            self._storm = None if status is None else [status, retry_after, answers]
            self.storm_answers = 0

    def _take_storm(self) -> tuple[int, str | None] | None:
        with self._lock:
            storm = self._storm
            if storm is None or storm[2] == 0:
                return None
            if storm[2] is not None:
                storm[2] -= 1
            self.storm_answers += 1
            return storm[0], storm[1]

    def set_gzip_monthly(self, on: bool) -> None:
        """Serve the monthly sitemaps as ``.xml.gz`` files (and list them so in the index)."""
        self.gzip_monthly = on
        self._changed()

    def _take_path_fault(self, path: str) -> tuple[str, float] | None:
        with self._lock:
            fault = self._path_faults.get(path)
            if fault is None:
                return None
            kind, argument, times = fault
            if times is not None:
                if times <= 0:
                    return None
                fault[2] = times - 1
            return kind, argument

    def _take_fault(self, article_id: str) -> str | None:
        with self._lock:
            kind = self._faults.get(article_id)
            if kind == "error500-once":
                del self._faults[article_id]
            return kind

    def _count(self, path: str, article_id: str | None) -> None:
        with self._lock:
            self._counts[path] += 1
            if article_id:
                self._article_counts[article_id] += 1
                self.article_times.append(time.monotonic())

    # --- misbehaving paths ----------------------------------------------------------------

    def faulty_response(self, path: str, kind: str, argument: float, normal: Response) -> Response:
        """What a path with a fault answers (``timeout`` and ``reset`` are the handler's: no answer)."""
        if kind == "self-listing":
            itself = f"<sitemap><loc>{self.base_url}{path}</loc><lastmod>{_iso(self.now)}</lastmod></sitemap>\n"
            if path == "/sitemap/sitemap-index.xml":
                return normal._replace(body=normal.body.replace(b"</sitemapindex>", itself.encode() + b"</sitemapindex>"))
            return Response(200, _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{itself}</sitemapindex>'), XML)
        if kind in ("gzip", "gzip-bare", "gzip-cut", "gzip-bare-cut", "gzip-corrupt"):
            packed = gzip.compress(normal.body, mtime=0)
            if kind.endswith("-cut"):
                packed = packed[: len(packed) // 2]
            if kind == "gzip-corrupt":
                # Past the 10-byte header, so that the deflate stream itself breaks (0xFF bytes are no
                # valid run of codes for long).
                middle = max(10, len(packed) // 2 - 16)
                packed = packed[:middle] + b"\xff" * 32 + packed[middle + 32 :]
            headers = normal.headers + ((("Content-Encoding", "gzip"),) if "bare" not in kind else ())
            return normal._replace(body=packed, headers=headers)
        if kind == "offsite":
            return Response(302, b"", HTML, (("Location", f"http://{OFFSITE_HOST}:{self.port}{path}"),))
        if kind == "refresh-offsite":
            target = f"http://{OFFSITE_HOST}:{self.port}{path}"
            return Response(200, f'<html><head><meta http-equiv="refresh" content="0;url={target}"></head><body></body></html>'.encode())
        if kind == "offsite-backslash":
            return Response(302, b"", HTML, (("Location", f"http:\\\\{OFFSITE_HOST}:{self.port}{path}"),))
        if kind == "redirect-home":
            return Response(301, b"", HTML, (("Location", "/"),))
        if kind == "redirect-self":
            # Relative, as servers write it; set `times` to how often it answers so.
            return Response(302, b"", HTML, (("Location", path), ("Set-Cookie", "bm_sv=1; Path=/")))
        if kind == "maintenance":
            return Response(
                200,
                b"<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We'll be back soon</h1>"
                b"<p>Business Standard is down for scheduled maintenance. Please check back in a while.</p></body></html>",
                HTML,
            )
        if kind == "no-links":
            return Response(200, render_listing("Latest News", path, [], None, self.base_url).encode())
        if kind == "server-error-200":
            return Response(200, render_server_error(path).encode())
        if kind == "static-500-200":
            return Response(200, render_server_error(path, page="/500").encode())
        if kind == "not-found-200":
            return Response(200, render_not_found(path, self.base_url).encode())
        if kind == "empty-next":
            match = _PAGED.match(path)
            assert match is not None
            page = int(match.group("page") or 1)
            title = SECTION_TITLES.get(match.group("base")) or "Listing"
            return Response(200, render_listing(f"{title} - Page {page}", path, [], f"{match.group('base')}/page-{page + 1}", self.base_url).encode())
        if kind == "nbsp":
            return normal._replace(body=normal.body.replace(b"<item>\n      <title>", b"<item>\n      <title>Markets&nbsp;", 1))
        if kind == "cut":
            fourth = [m.start() for m in re.finditer(rb"<item>", normal.body)][3]
            return normal._replace(body=normal.body[: normal.body.index(b"<link>", fourth) + len(b"<link>") + 40])
        if kind == "huge":
            return normal._replace(body=normal.body.replace(b"</urlset>", self._padding(path) + b"</urlset>"))
        if kind == "429":
            return Response(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>", HTML, (("Retry-After", _seconds(argument)),))
        if kind == "partial":
            half = len(normal.body) // 2
            content_range = ("Content-Range", f"bytes 0-{half - 1}/{len(normal.body)}")
            return normal._replace(status=206, body=normal.body[:half], headers=normal.headers + (content_range,))
        if kind == "redirect-file":
            return Response(302, b"", HTML, (("Location", "file:///etc/passwd"),))
        if kind == "cookie-storm":
            # (Python's server answers 431 itself to a header line past 64 KB: these 150 KB of cookies.)
            return normal._replace(headers=normal.headers + tuple(("Set-Cookie", f"storm{n}={'x' * 20}; Path=/") for n in range(COOKIE_STORM)))
        if kind == "cut-stored":
            return normal._replace(body=normal.body[: len(normal.body) // 2])
        if kind == "cut-stored-gzip":
            return normal._replace(body=gzip.compress(normal.body[: len(normal.body) // 2], mtime=0), headers=normal.headers + (("Content-Encoding", "gzip"),))
        if kind == "503":
            return Response(503, b"<html><body><h1>Down for maintenance</h1></body></html>", HTML, (("Retry-After", _seconds(argument)),))
        if kind == "500":
            return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", HTML)
        raise ValueError(f"path fault {kind!r} has no response")

    def _padding(self, path: str) -> bytes:
        """URL entries that make a monthly sitemap 50,000 URLs long; articles of 2001, outside any test's range."""
        have = self.respond(path).body.count(b"<url>")
        slug = "sensex-nifty-close-higher-as-banking-and-it-stocks-lead-gains-while-metal-shares-slip-on-weak-global-cues-archive"
        entries = (
            f"<url><loc>{self.base_url}/markets/news/{slug}-{make_article_id(datetime(2001, 1, 1 + i % 28).date(), i % 100000)}_1.html</loc>"
            f"<lastmod>2001-01-{1 + i % 28:02d}T10:00:00+05:30</lastmod></url>\n"
            for i in range(max(0, HUGE_SITEMAP_URLS - have))
        )
        return "".join(entries).encode()

    # --- routing -----------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[ArticleRecord | None, str]:
        """The article a path shows, if any, and its form (``page`` or ``amp``)."""
        if path.startswith("/video/"):
            return None, "page"
        match = _ARTICLE_ID.search(path)
        record = self.corpus.by_id.get(match.group(1)) if match else None
        return record, "amp" if path.startswith(("/amp/", "/article-amp/")) else "page"

    def article_response(self, record: ArticleRecord, form: str, variant: str = "") -> Response:
        body = self._page(record.article_id, record.revision, form, variant)
        modified = first_modified(record) if variant in ("stale-first", "dates-disagree") else record.modified
        return Response(200, body, HTML, (("Last-Modified", format_datetime(modified.astimezone(timezone.utc), usegmt=True)),))

    def _render_article(self, article_id: str, revision: int, form: str, variant: str) -> bytes:
        record = self.corpus.by_id[article_id]
        spec = record.spec
        if variant == "stale-first":
            # The article before its updates: each revision added a paragraph and an hour.
            spec = replace(spec, paragraphs=spec.paragraphs[: len(spec.paragraphs) - record.revision], modified=first_modified(record))
        if variant == "dates-disagree":
            spec = replace(spec, shown_modified=first_modified(record))
        if record.layout != CURRENT:
            return render_legacy(spec, self.base_url).encode()
        if variant == "paywall-stub":
            # What the site serves when the story is withheld: the premium shell, no body anywhere.
            return render_current(replace(spec, premium=True, paragraphs=[], inline_also_read=None), self.base_url).encode()
        renderer = render_amp if form == "amp" else render_current
        return renderer(spec, self.base_url).encode()

    def block_page(self, path: str) -> bytes:
        reference = f"18.5f3c1002.{int(time.time())}.{next(self._references):x}"
        render = render_block_page_encoded if self.block_page_encoded else render_block_page
        return render("www.business-standard.com", path, reference).encode()

    def not_found(self, path: str, status: int = 404) -> Response:
        return Response(status, render_not_found(path, self.base_url).encode())

    def respond(self, path: str) -> Response:
        """The answer for a path that is not an article page (cached per path until the next change)."""
        if path.startswith(MEDIA_PREFIX) and path.endswith(".jpg"):
            return Response(200, PIXEL, "image/png")
        return self._document(path, self._version)

    def _render_document(self, path: str, _version: int) -> Response:
        if path == "/robots.txt":
            return Response(200, self._robots().encode(), TEXT)
        if path == "/market/ticker.json":
            return Response(200, json.dumps(self.ticker).encode(), JSON)
        if path.startswith("/sitemap/"):
            return self._sitemap(path)
        if path.startswith("/rss/"):
            return self._feed(path)
        if path == self.video.path:
            return Response(200, self._video_page().encode())
        if path == "/":
            return Response(200, self._home().encode())
        if path == "/markets/live-market":
            return Response(200, self._live_market().encode())
        return self._listing(path)

    def _robots(self) -> str:
        sitemaps = "".join(
            f"Sitemap: {self.base_url}/sitemap/{name}.xml\n"
            for name in ("sitemap-index", "google-news-sitemap", "latest-news-sitemap")
        )
        return ROBOTS_RULES + sitemaps + ROBOTS_TAIL

    # --- sitemaps -------------------------------------------------------------------------

    def monthly_sitemaps(self) -> list[tuple[str, list[ArticleRecord]]]:
        """(path, articles) of every monthly sitemap file, newest month first."""
        size = self.sitemap_page_size
        found = []
        for (year, month), records in sorted(self.index.months.items(), reverse=True):
            suffix = ".xml.gz" if self.gzip_monthly else ".xml"
            for page in range(0, len(records), size):
                found.append((f"/sitemap/{year}-{MONTHS[month - 1].lower()}-{page // size + 1}{suffix}", records[page : page + size]))
        return found

    def _sitemap(self, path: str) -> Response:
        if path == "/sitemap/sitemap-index.xml":
            entries = "".join(
                f"<sitemap><loc>{self.base_url}{name}</loc><lastmod>{_iso(max(r.modified for r in records))}</lastmod></sitemap>\n"
                for name, records in self.monthly_sitemaps()
            )
            return Response(200, _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>'), XML)
        if path == "/sitemap/google-news-sitemap.xml":
            since = self.now - timedelta(hours=NEWS_SITEMAP_HOURS)
            recent = [r for r in self.index.newest if r.published >= since]
            return Response(200, _xml(self._news_urlset(recent)), XML)
        if path == "/sitemap/latest-news-sitemap.xml":
            return Response(200, _xml(self._urlset(self.index.newest_all[:LATEST_SITEMAP_SIZE])), XML)
        match = _MONTHLY.match(path)
        if match:
            for name, records in self.monthly_sitemaps():
                if name == path:
                    if path.endswith(".gz"):
                        return Response(200, gzip.compress(_xml(self._urlset(records)), mtime=0), GZIP)
                    return Response(200, _xml(self._urlset(records)), XML)
        return self.not_found(path)

    def _urlset(self, records: list[ArticleRecord]) -> str:
        urls = "".join(f"<url><loc>{xml_escape(r.url)}</loc><lastmod>{_iso(r.modified)}</lastmod></url>\n" for r in records)
        return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>'

    def _news_urlset(self, records: list[ArticleRecord]) -> str:
        urls = "".join(
            f"<url><loc>{xml_escape(r.url)}</loc><lastmod>{_iso(r.modified)}</lastmod><news:news><news:publication>"
            "<news:name>Business Standard</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{_iso(r.published)}</news:publication_date>"
            f"<news:title>{xml_escape(r.headline)}</news:title></news:news></url>\n"
            for r in records
        )
        return (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{urls}</urlset>'
        )

    # --- RSS --------------------------------------------------------------------------------

    def _feed(self, path: str) -> Response:
        name = path[len("/rss/") :].removesuffix(".rss")
        if name == "latest":
            records, title = self.index.newest[:LATEST_FEED_SIZE], "Latest News"
        elif name in SECTION_FEEDS:
            family = SECTION_FEEDS[name]
            records, title = self.index.listings["/" + family][:LATEST_FEED_SIZE], family.capitalize()
        else:
            return self.not_found(path)
        return Response(200, _xml(self._rss(path, title, records)), RSS)

    def _rss(self, path: str, title: str, records: list[ArticleRecord]) -> str:
        # Shaped like the real 2021 feed: CDATA text, "+0530" dates, imageThumb, media:group
        # (and its namespaces, https:// as the site writes them).
        items = []
        for record in records:
            spec = record.spec
            image = media = ""
            if spec.image_url:
                image = f"<imageThumb>{_cdata(spec.image_url)}</imageThumb>\n      "
                media = (
                    f'<media:content url="{xml_escape(record.url)}" height="275" width="370" medium="image"/>\n        '
                    f'<media:title type="plain">{_cdata(spec.image_caption or "")}</media:title>\n        '
                    f'<media:thumbnail url="{xml_escape(spec.image_url)}"/>\n        '
                )
            items.append(
                f"""    <item>
      <title>{_cdata(spec.headline)}</title>
      <link>{xml_escape(record.url)}</link>
      <guid>{xml_escape(record.url)}</guid>
      <pubDate>{format_datetime(record.modified)}</pubDate>
      {image}<description>{_cdata(spec.standfirst)}</description>
      <media:group>
        <media:description>{_cdata(spec.standfirst)}</media:description>
        {media}<media:credit></media:credit>
      </media:group>
    </item>
"""
            )
        built = max((r.modified for r in records), default=self.now)
        return f"""<?xml-stylesheet type="text/xsl" href="xsl/xsl.xsl"?>
<rss version="2.0" xmlns:media="https://search.yahoo.com/mrss/" xmlns:atom="https://www.w3.org/2005/Atom">
  <channel>
    <title>{_cdata(title)}</title>
    <link>{self.base_url}</link>
    <description>{_cdata("Business News: Get latest stock share market news, financial news, economy news, company news at Business Standard.")}</description>
    <copyright>Copyright business-standard.com</copyright>
    <lastBuildDate>{format_datetime(built)}</lastBuildDate>
    <language>en-us</language>
    <atom:link href="{self.base_url}{path}" rel="self" type="application/rss+xml"/>
{"".join(items)}  </channel>
</rss>"""

    # --- HTML pages that are not articles --------------------------------------------------

    def _listing(self, path: str) -> Response:
        match = _PAGED.match(path)
        if not match:
            return self.not_found(path)
        base, page = match.group("base"), int(match.group("page") or 1)
        index = self.index
        if base.startswith("/topic/"):
            records = index.topics.get(base[len("/topic/") :])
            title = "Topic: " + base[len("/topic/") :].replace("-", " ").title()
        else:
            records = index.listings.get(base)
            title = SECTION_TITLES.get(base) or base.strip("/").replace("-", " ").title()
        if records is None or page < 1 or (page - 1) * LISTING_PAGE_SIZE >= max(len(records), 1):
            return self.not_found(path)
        shown = records[(page - 1) * LISTING_PAGE_SIZE : page * LISTING_PAGE_SIZE]
        more = page * LISTING_PAGE_SIZE < len(records)
        extra = ""
        if base == "/latest-news" and page == 1:
            extra = f'<div class="Listing_videos__Kc3Pn videos"><h3>Videos</h3><a href="{self.video.path}">{self.video.title}</a></div>'
        html = render_listing(
            title if page == 1 else f"{title} - Page {page}",
            path,
            [Card(r.headline, r.path, r.read_time) for r in shown],
            f"{base}/page-{page + 1}" if more else None,
            self.base_url,
            extra,
        )
        return Response(200, html.encode())

    def _home(self) -> str:
        sections = " ".join(f'<a href="/{s.path}">{s.name}</a>' for s in SECTIONS)
        extra = (
            f'<div class="Home_sections__Mn4Bv">{sections} <a href="/latest-news">Latest News</a> '
            f'<a href="/markets/live-market">Live Market</a> <a href="{self.video.path}">Videos</a></div>'
        )
        cards = [Card(r.headline, r.path, r.read_time) for r in self.index.newest[:30]]
        return render_listing("Business News, Finance News, India News, BSE/NSE News", "/", cards, None, self.base_url, extra)

    def _live_market(self) -> str:
        rows = "".join(
            f'<tr data-index="{name}"><td>{name}</td><td class="tickerval"></td><td class="tickerchg"></td></tr>' for name in MARKET_NAMES
        )
        inner = f'<table class="LiveMarket_table__Gh2Kl">{rows}</table><p>Market data is updated every few seconds.</p>'
        return render_nextjs_page("Stock Market Live Updates: Sensex, Nifty", "/markets/live-market", inner, {"pageTitle": "Live Market"}, self.base_url)

    def _video_page(self) -> str:
        return render_video(
            self.video.title, self.video.path, "Benchmark indices ended higher led by banking and IT stocks.", self.video.published, self.base_url
        )

    # --- control endpoints ---------------------------------------------------------------------

    def control(self, path: str, query: dict[str, list[str]]) -> Response:
        """``/_control/<action>`` for processes that cannot call the methods (see the class docstring)."""
        action = path[len("/_control/") :]
        value = {key: values[-1] for key, values in query.items()}
        try:
            result: Any
            if action == "counts":
                result = {"requests": sum(self.counts.values()), "article_requests": self.article_requests(), "paths": self.counts}
            elif action == "reset":
                self.reset_counts()
                result = {"ok": True}
            elif action == "modify":
                record = self.modify(value["id"])
                result = {"id": record.article_id, "modified": _iso(record.modified)}
            elif action == "fault":
                self.set_fault(value["id"], value.get("kind") or None)
                result = {"id": value["id"], "kind": value.get("kind") or None}
            elif action == "path_fault":
                times = value.get("times")
                self.set_path_fault(value["path"], value.get("kind") or None, float(value.get("arg", "1")), int(times) if times else None)
                result = {"path": value["path"], "kind": value.get("kind") or None}
            elif action == "gzip_monthly":
                self.set_gzip_monthly(value.get("on", "1") not in ("0", "false", ""))
                result = {"gzip_monthly": self.gzip_monthly}
            elif action == "block_all":
                self.block_all = value.get("on", "1") not in ("0", "false", "")
                result = {"block_all": self.block_all}
            elif action == "add":
                result = [{"id": r.article_id, "url": r.url} for r in self.add_articles(int(value.get("n", "1")))]
            elif action == "articles":
                result = [
                    {"id": r.article_id, "url": r.url, "layout": r.layout, "published": _iso(r.published), "modified": _iso(r.modified)}
                    for r in self.articles
                ]
            else:
                return Response(404, json.dumps({"error": f"no control action {action!r}"}).encode(), JSON)
        except KeyError as error:
            return Response(404, json.dumps({"error": f"unknown or missing {error}"}).encode(), JSON)
        except ValueError as error:
            return Response(400, json.dumps({"error": str(error)}).encode(), JSON)
        return Response(200, json.dumps(result).encode(), JSON)


def _xml(document: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + document).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the benchmark opens many connections at once
    site: LoopbackSite

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can wait on DNS; the name is known.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so a stopped site answers nothing."""
        with self._connections_lock:
            for connection in list(self._connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are normal for a crawler; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    server_version = "Apache"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # headers and a small body leave in one write; handle_one_request flushes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    # The host of a CONNECT tunnel this connection became (the site as an HTTPS proxy), else None.
    tunnel_host: str | None = None

    def do_CONNECT(self) -> None:
        # Every tunnel ends here, in TLS with a certificate of the site's own: an https:// request of
        # the crawler never leaves the machine.
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.tunnel_host = self.path.rpartition(":")[0].lower()
        self.connection = tunnel_context().wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        self.wfile = socketserver._SocketWriter(self.connection)  # type: ignore[attr-defined]

    def _target(self) -> tuple[str | None, str, str]:
        """The host a request names (a proxy's absolute URL, a tunnel's host), its path and its query."""
        if self.path.lower().startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            return (parts.hostname or "").lower(), parts.path or "/", parts.query
        # (An origin-form path may begin "//": the Hindi edition's "//storypage.php", no host.)
        parts = urlsplit("http://x" + self.path)
        return self.tunnel_host, parts.path or "/", parts.query

    def _serve(self, head: bool) -> None:
        site = self.server.site
        host, path, query = self._target()
        if host in HINDI_HOSTS:
            try:
                answer = site.hindi.respond(host, path, query)
                self._send(Response(answer.status, answer.body, answer.content_type, answer.headers), head)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception:
                site.errors.append(traceback.format_exc())
                self._send(Response(500, b"internal error in the loopback site", TEXT), head)
            return
        parts = urlsplit(self.path)
        path = parts.path or "/"
        try:
            if path.startswith("/_control/"):
                self._send(site.control(path, parse_qs(parts.query)), head)
                return
            record, form = site.resolve(path)
            site._count(path, record.article_id if record and not head else None)
            fault = site._take_path_fault(path)
            if fault is not None:
                self._serve_path_fault(site, record, form, path, head, *fault)
            elif site.block_all:
                self._send(Response(403, site.block_page(path)), head)
            elif record is None:
                self._send(site.respond(path), head)
            else:
                self._serve_article(site, record, form, path, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            site.errors.append(traceback.format_exc())
            self._send(Response(500, b"internal error in the loopback site", TEXT), head)

    def _serve_path_fault(self, site: LoopbackSite, record: ArticleRecord | None, form: str, path: str, head: bool, kind: str, argument: float) -> None:
        if kind == "timeout":
            time.sleep(site.slow_seconds)
            self.close_connection = True
            return
        if kind == "reset":
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            # The socket closes here, before socketserver's shutdown(SHUT_WR) could send a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.wfile.close()
            self.rfile.close()
            self.connection.close()
            return
        if kind.endswith("-endless"):
            self._serve_endless(site, path, kind)
            return
        normal = site.article_response(record, form) if record is not None else site.respond(path)
        if kind == "close-cut":
            self.send_response(normal.status)
            self.send_header("Content-Type", normal.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            if not head:
                self.wfile.write(normal.body[: len(normal.body) // 2])
            self.close_connection = True
            return
        if kind in ("length-chars", "transfer-identity"):
            self.send_response(normal.status)
            self.send_header("Content-Type", normal.content_type)
            if kind == "length-chars":
                self.send_header("Content-Length", str(len(normal.body.decode("utf-8"))))
            else:
                self.send_header("Transfer-Encoding", "identity")
            self.send_header("Connection", "close")
            self.end_headers()
            if not head:
                self.wfile.write(normal.body)
            self.close_connection = True
            return
        self._send(site.faulty_response(path, kind, argument, normal), head)

    def _serve_endless(self, site: LoopbackSite, path: str, kind: str) -> None:
        self.close_connection = True
        first, piece = {
            "headers-endless": (b"HTTP/1.1 200 OK\r\n", lambda n: b"X-Pad-%d: %s\r\n" % (n, b"p" * 64)),
            "header-line-endless": (b"HTTP/1.1 200 OK\r\nX-Pad: ", lambda n: b"p" * 4096),
            "header-folded-endless": (b"HTTP/1.1 200 OK\r\nX-Pad: p\r\n", lambda n: b" %s\r\n" % (b"p" * 64)),
            "informational-endless": (b"", lambda n: b"HTTP/1.1 100 Continue\r\n\r\n"),
        }[kind]
        sent = 0
        try:
            self.wfile.write(first)
            sent += len(first)
            n = 0
            while sent < ENDLESS_CAP:
                chunk = b"".join(piece(n + i) for i in range(64))
                n += 64
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.flush()
            # Held until the client hangs up: a client with no bound waits for its download timeout.
            self.connection.settimeout(120)
            while self.connection.recv(1 << 16):
                pass
        except OSError:
            pass  # the client hung up: what it took is counted
        with site._lock:
            site.header_bytes_sent.setdefault(path, []).append(sent)

    def _serve_article(self, site: LoopbackSite, record: ArticleRecord, form: str, path: str, head: bool) -> None:
        storm = site._take_storm() if not head else None
        if storm is not None:
            status, retry_after = storm
            headers = (("Retry-After", retry_after),) if retry_after is not None else ()
            self._send(Response(status, b"<html><body><h1>Too Many Requests</h1></body></html>", HTML, headers), head)
            return
        kind = site._take_fault(record.article_id)
        if kind == "slow":
            time.sleep(site.slow_seconds)
        if kind in ("block403", "block200"):
            self._send(Response(403 if kind == "block403" else 200, site.block_page(path)), head)
        elif kind == "error500-once":
            self._send(Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"), head)
        elif kind == "error503-always":
            self._send(Response(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>"), head)
        elif kind in ("404", "410", "451"):
            self._send(site.not_found(path, int(kind)), head)
        elif kind == "redirect-home":
            self._send(Response(302, b"", HTML, (("Location", "/"),)), head)
        elif kind == "empty":
            self._send(Response(200, b""), head)
        elif kind == "gzip-bomb":
            self._send(Response(200, gzip_bomb(), HTML, (("Content-Encoding", "gzip"),)), head)
        elif kind in ("paywall-stub", "stale-first", "dates-disagree"):
            self._send(site.article_response(record, form, kind), head)
        elif kind == "redirect-other":
            # A story merged into another: a 301 to the article set by redirect_article().
            self._send(Response(301, b"", HTML, (("Location", site.redirect_targets[record.article_id]),)), head)
        elif kind == "canonical-other":
            # The page names another article (the next one in the corpus) as its canonical URL.
            records = site.articles
            other = records[(records.index(record) + 1) % len(records)]
            body = re.sub(rb'(<link rel="canonical" href=")[^"]*', lambda m: m.group(1) + other.url.encode(), site.article_response(record, form).body, count=1)
            self._send(site.article_response(record, form)._replace(body=body), head)
        else:
            response = site.article_response(record, form)
            if kind == "latin1":
                # The header still says utf-8: mojibake a crawler must notice.
                response = response._replace(body=response.body.decode().encode("cp1252", errors="replace"))
            self._send(response, head, truncate=kind == "truncated")

    def _send(self, response: Response, head: bool, truncate: bool = False) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            # An HTTP/1.0 client keeps the connection only when told so.
            self.send_header("Connection", "keep-alive")
        self.end_headers()
        if head:
            return
        if truncate:
            # The promised length never arrives: half the bytes, then the connection closes.
            self.wfile.write(response.body[: len(response.body) // 2])
            self.close_connection = True
            return
        self.wfile.write(response.body)
