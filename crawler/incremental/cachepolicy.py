"""Scrapy's HTTP cache as an archive of the article pages fetched, for re-extraction: each article page
is stored as it was last fetched (a 2xx answer), and none is served from the cache; discovery (feeds, sitemaps,
listings, robots.txt) is neither stored nor served.

A crawl fetches an article page only when it is new or changed: a cached copy is by then the page
before the change. Served, it reads as "unchanged" (the update is lost, its date settled), and
Scrapy's cache also stands in with it for a page that failed to download. Article pages are still
stored, so ``scrapy crawl reextract -a source=HTTPCACHE_DIR`` has the page of every item emitted.
"""

from __future__ import annotations

import importlib
import zlib
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.extensions.httpcache import DummyPolicy
from scrapy.http import Request, Response
from scrapy.spiders import Spider

from crawler.extraction import decode_body
from crawler.extraction.blocking import is_block_page, may_be_block_page
from crawler.extraction.normalize import hindi_article_id
from crawler.extraction.urls import ARTICLE, VIDEO, non_article_kind, url_kind
from crawler.monitoring.lookonly import looking_only
from crawler.middlewares import GZIP_ENCODINGS, DATALOSS_FLAG, content_encodings, page_cut_short, stream_broken, stream_ended


def _page_url(request: Request) -> str:
    # A Splash request's URL is the render endpoint; the page is in its arguments.
    splash: Any = request.meta.get("splash")
    if isinstance(splash, dict):
        url = (splash.get("args") or {}).get("url")
        if isinstance(url, str):
            return url
    return request.url


class ArticlesOnlyPolicy(DummyPolicy):
    """Scrapy's default policy (cache everything, never expire), for article pages only."""

    def should_cache_request(self, request: Request) -> bool:
        # A Hindi-edition story in its own forms (``storypage.php?autono=N``, AMP ``section_…-N_1.html``;
        # ``article`` reads them, discovery lists none) is an article page too. One with an English-style
        # id is judged as the English site's: its videos, photo galleries and web stories are none.
        url = _page_url(request)
        kind = url_kind(url)
        hindi_story = kind != VIDEO and hindi_article_id(url) is not None and non_article_kind(url) is None
        return (kind == ARTICLE or hindi_story) and super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        # Asked on its own by the store-only middleware, which never looks a request up. Only a page
        # (2xx) of the site: a later 503 or 404 of the article, an empty 200 or Akamai's block page
        # sent with 200 would replace the page reextract reads with an answer it skips.
        return (
            200 <= response.status < 300
            and self.should_cache_request(request)
            and super().should_cache_response(response, request)
            and not _no_page(response)
            and not _received_in_part(response)
        )


# A block page is well under this, packed or not; an article is many times it.
_SMALL = 16 * 1024


def _no_page(response: Response) -> bool:
    """Whether a 2xx answer is no page of the site: empty, or Akamai's block page. The cache sees the
    body as sent, so a small packed one is unpacked to be read (a large one is an article)."""
    body = response.body
    encodings = content_encodings(response)
    if len(body) <= _SMALL and len(encodings) == 1 and encodings[0] in (b"gzip", b"x-gzip", b"deflate"):
        try:
            body = zlib.decompress(body, wbits=47, bufsize=_SMALL)  # gzip or zlib, told by the header bytes
        except zlib.error:
            return False
    if not body.strip():
        return True
    return may_be_block_page(body) and is_block_page(decode_body(body)[0])


def _received_in_part(response: Response) -> bool:
    """Whether a 2xx answer holds only part of its page: flagged so by Scrapy (a download cut short,
    with DOWNLOAD_FAIL_ON_DATALOSS off), or a compressed body whose stream stops early or breaks
    midway. The cache sees the body before Scrapy's decompression (590) does, which tells these apart
    only after the answer was stored: over the whole page ``reextract`` reads, a part it fails on."""
    if DATALOSS_FLAG in response.flags:
        return True
    encodings = content_encodings(response)
    if not encodings or not response.body.strip(b"\0"):
        return False  # (an empty body naming an encoding is judged empty, above)
    # The last encoding was applied last: its stream is the body's (as the decompression judges it).
    try:
        if not stream_ended(response.body, encodings[-1]) or stream_broken(response.body, encodings[-1]):
            return True
    except Exception:  # noqa: BLE001 - a decoder's own error (brotli, zstd): a body no reader takes
        return True
    # A whole stream of a page whose document stops (an edge compressing the copy it stored cut short):
    # the decompression fails it as data loss, after this stored it. (Uncompressed, it is failed before.)
    decoded = _decoded(response.body, encodings)
    return decoded is not None and page_cut_short(response.replace(body=decoded, headers=_without_coding(response)))


def _decoded(body: bytes, encodings: list[bytes]) -> bytes | None:
    """A body of one gzip, deflate or brotli stream decoded (its stream judged whole), or None."""
    if len(encodings) != 1:
        return None
    try:
        if encodings[0] in GZIP_ENCODINGS:
            return zlib.decompressobj(31).decompress(body)
        if encodings[0] == b"deflate":
            # zlib-wrapped, as the standard says, or raw deflate, as some servers send it (Scrapy reads both).
            try:
                return zlib.decompressobj(15).decompress(body)
            except zlib.error:
                return zlib.decompressobj(-15).decompress(body)
        if encodings[0] == b"br":
            try:
                brotli: Any = importlib.import_module("brotli")
            except ImportError:
                brotli = importlib.import_module("brotlicffi")
            return bytes(brotli.decompress(body))
    except Exception:  # noqa: BLE001 - zlib.error, brotli.error, ImportError: not judged (its stream was)
        return None
    return None


def _without_coding(response: Response) -> dict[bytes, list[bytes]]:
    return {name: values for name, values in response.headers.items() if name.lower() != b"content-encoding"}


class StoreOnlyHttpCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's HTTP cache middleware that stores responses (as its policy says) and serves none,
    unless ``HTTPCACHE_IGNORE_MISSING`` asks for a crawl from the cache alone. Responses re-read
    from a store of pages (``reextract``'s, flagged ``stored``) are not stored again."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreOnlyHttpCacheMiddleware:
        if looking_only():
            # A look (`parse`, `fetch`, `shell`) sees the live page and leaves the cache alone: it stored the page in
            # the archive `reextract` reads as the page of the item emitted, and a cache-only setting
            # (HTTPCACHE_IGNORE_MISSING) left it no page at all.
            raise NotConfigured
        middleware = super().from_crawler(crawler)
        assert isinstance(middleware, StoreOnlyHttpCacheMiddleware)
        return middleware

    # Scrapy before 2.14 passes the spider to these methods; later ones warn when a middleware is given it.

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | Response | None:
        if self.ignore_missing:
            return super().process_request(request) if spider is None else super().process_request(request, spider)  # type: ignore[call-arg,unused-ignore]
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        if "stored" in response.flags:
            return response
        if spider is None:
            return super().process_response(request, response)  # type: ignore[call-arg,unused-ignore]
        return super().process_response(request, response, spider)  # type: ignore[call-arg,unused-ignore]
