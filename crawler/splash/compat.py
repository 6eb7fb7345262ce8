"""What scrapy-splash 0.11.1 needs to run on every supported Scrapy (2.13 … 2.19), in one place.

scrapy-splash 0.11.1 (February 2025) is its newest release; nothing upstream fixes these yet:

1. ``scrapy_splash.request`` and ``scrapy_splash.dupefilter`` import ``canonicalize_url`` from
   ``scrapy.utils.url``: deprecated in Scrapy 2.13 (a warning at import), gone in 2.19 (the import
   fails, so ``import scrapy_splash`` fails). :func:`import_scrapy_splash` lends that module w3lib's
   ``canonicalize_url`` (the function Scrapy's name pointed at) for the length of the import only.
2. ``SplashMiddleware._get_slot_key()`` calls the downloader's protected ``_get_slot_key()``:
   deprecated in 2.13, gone in 2.14 (every render fails with ``'Downloader' object has no attribute
   '_get_slot_key'``). :class:`SplashMiddleware` below asks the public ``get_slot_key()`` (in every
   supported Scrapy) instead.
3. Its downloader middlewares require the ``spider`` argument, deprecated in Scrapy 2.14. The
   subclasses below take it as optional: Scrapy 2.13 passes it (by keyword), 2.14+ leaves it out
   and the spider comes from the crawler.
4. Its spider middleware ``SplashDeduplicateArgsMiddleware`` defines only ``process_start_requests()``
   (rejected since 2.13 next to an ``async def start()``, removed in 2.16) and returns synchronous
   output: it is not enabled (see ``SplashAddon``); nothing here replaces it.

Drop this module, and enable ``scrapy_splash.SplashCookiesMiddleware`` and
``scrapy_splash.SplashMiddleware`` directly, once a scrapy-splash release imports
``canonicalize_url`` from w3lib, calls ``get_slot_key()`` and takes no ``spider`` argument, and
the oldest Scrapy the project supports is one that release supports.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from types import ModuleType
from http.cookiejar import CookieJar
from typing import Any

import scrapy.utils.url
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from w3lib.url import canonicalize_url

from crawler import stats as stat
from crawler.splash import UNREADABLE_META, page_url

logger = logging.getLogger(__name__)

_import_lock = threading.Lock()


def import_scrapy_splash() -> ModuleType:
    """``scrapy_splash``, imported so that it loads on every supported Scrapy (item 1 above).

    ``scrapy.utils.url`` holds ``canonicalize_url`` only while scrapy-splash's modules import it;
    afterwards that module is as Scrapy made it.
    """
    loaded = sys.modules.get("scrapy_splash")
    if loaded is not None:
        return loaded
    with _import_lock:
        namespace = vars(scrapy.utils.url)
        lent = "canonicalize_url" not in namespace
        if lent:
            namespace["canonicalize_url"] = canonicalize_url
        try:
            return importlib.import_module("scrapy_splash")
        finally:
            if lent:
                namespace.pop("canonicalize_url", None)


_splash = import_scrapy_splash()


class SplashCookiesMiddleware(_splash.SplashCookiesMiddleware):  # type: ignore[misc,name-defined]
    """scrapy-splash's ``SplashCookiesMiddleware`` without the required ``spider`` argument (item 3)."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashCookiesMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware  # type: ignore[no-any-return]

    def _spider(self, spider: Spider | None) -> Spider | None:
        return spider if spider is not None else (self.crawler.spider if self.crawler else None)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        return super().process_request(request, self._spider(spider))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        data = getattr(response, "data", None)
        if isinstance(data, dict) and data.get("cookies") == {}:
            # An empty Lua table comes out of Splash as an empty object: no cookie, nothing to say.
            del data["cookies"]
        if isinstance(data, dict) and "cookies" in data:
            kept, dropped, why = readable_cookies(data["cookies"])
            if dropped:
                # What scrapy-splash cannot take raised in its middleware, after Splash had answered:
                # the download failed past every fallback, the article lost. The page stands without them.
                # Cookies that are no list at all tell nothing: the session's are kept as they were (an
                # empty list would be read as every cookie sent gone, Akamai's cleared from the jar).
                if isinstance(data["cookies"], list):
                    data["cookies"] = kept
                else:
                    del data["cookies"]
                if self.crawler is not None and self.crawler.stats is not None:
                    self.crawler.stats.inc_value(stat.SPLASH_COOKIES_DROPPED, dropped)
                logger.warning(
                    "Splash's answer for <%s> held %d cookie(s) scrapy-splash cannot read (%s); the page is kept, "
                    "those cookies are not sent with the next pages",
                    page_url(request),
                    dropped,
                    why,
                )
        return super().process_response(request, response, self._spider(spider))


def readable_cookies(cookies: object) -> tuple[list[Any], int, str]:
    """The cookies of Splash's answer scrapy-splash can put in a cookie jar, how many others there were,
    and why the first of them could not be (the error's words: never a cookie's value)."""
    if not isinstance(cookies, list):
        return [], 1, f"not a list but {type(cookies).__name__}"
    from scrapy_splash.cookies import har_to_cookie

    kept: list[Any] = []
    why = ""
    for cookie in cookies:
        try:
            CookieJar().set_cookie(har_to_cookie(cookie))
        except Exception as error:  # (KeyError, TypeError, ValueError, AttributeError: whatever a malformed one raises)
            why = why or f"{type(error).__name__}: {error}"[:200]
            continue
        kept.append(cookie)
    return kept, len(cookies) - len(kept), why


class SplashMiddleware(_splash.SplashMiddleware):  # type: ignore[misc,name-defined]
    """scrapy-splash's ``SplashMiddleware`` on the public download-slot API (item 2), ``spider`` optional (item 3)."""

    crawler: Crawler

    def _get_slot_key(self, request_or_response: Request | Response) -> str:
        assert self.crawler.engine is not None
        request = request_or_response if isinstance(request_or_response, Request) else request_or_response.request
        assert request is not None
        return str(self.crawler.engine.downloader.get_slot_key(request))

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        return super().process_request(request, spider if spider is not None else self.crawler.spider)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        try:
            return super().process_response(request, response, spider if spider is not None else self.crawler.spider)
        except (ValueError, TypeError) as error:
            # An answer labelled JSON that is none (cut by a proxy or a Splash restart, an error page),
            # or whose page status is no number (null, a list: TypeError in scrapy-splash's int()):
            # raised here, it failed the article with the download, past every fallback. Handed on as
            # it came, crawler.splash's middleware counts a bad answer and fetches the page plainly.
            request.meta[UNREADABLE_META] = " ".join(str(error).split()) or type(error).__name__
            return response
