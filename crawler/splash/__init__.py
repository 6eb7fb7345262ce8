"""Rendering article pages with Splash (scrapy-splash) when ``SPLASH_URL`` is set, and fetching them plainly otherwise.

Without ``SPLASH_URL`` every class here switches itself off and nothing of scrapy-splash is imported.
With it:

- :class:`SplashAddon` (in ``ADDONS``) enables the components scrapy-splash's README lists (its two
  downloader middlewares, through the compatibility layer in :mod:`crawler.splash.compat`,
  decompression moved to 810, its request fingerprinter) plus the two middlewares below;
- the spiders' article requests become ``SplashRequest`` s to the ``execute`` endpoint
  (:class:`SplashRenderer`): a small Lua script loads the page and waits, at most ``BS_SPLASH_WAIT``
  seconds, until the market ticker's script has written its numbers;
- :class:`SplashRenderingMiddleware` turns Splash's answer into the page's own ``HtmlResponse``, and when
  Splash fails (down, slow, an error) logs one ERROR line, counts ``bs/splash/failed/<reason>`` and
  fetches the page again without rendering, so the article is still emitted (with null numbers; the
  run verdict fails the run when more than ``BS_SPLASH_MAX_FAILED_SHARE`` of the renders failed);
- :class:`SplashOnBlockMiddleware` (``BS_SPLASH_ON_BLOCK``) gives an article page that came back
  as an Akamai block page one more try through Splash.

Sitemaps, feeds, listings and robots.txt are never rendered: only article requests are.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, cast
from urllib.parse import unquote, urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy import exceptions as scrapy_exceptions
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import ConnectionRefusedError as TwistedConnectionRefused
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater
from w3lib.encoding import resolve_encoding

from crawler.extraction import is_block_page
from crawler.extraction.layouts.nextjs import ITEM_IN_TICKER_CSS, TICKER_CSS, TICKER_NAMES
from crawler.extraction.urls import ARTICLE, url_kind
from crawler.failures import CONNECTION, failure_name
from crawler.incremental.cachepolicy import StoreOnlyHttpCacheMiddleware
from crawler.middlewares import OffsiteRedirect, is_offsite
from crawler.priorities import merge_components
from crawler import stats as stat

logger = logging.getLogger(__name__)

# request.meta key: why a request is (or is no longer) rendered; absent on ordinary requests.
SPLASH_META = "bs_splash"
RENDER = "render"  # an article request sent to Splash
BLOCK_RETRY = "block-retry"  # a plain article response was a block page; sent to Splash once more
FALLBACK = "fallback"  # Splash failed; the page fetched without rendering (never sent to Splash again)

# Added to BS_SPLASH_TIMEOUT for the download timeout of a Splash request, so that Splash's own
# "504 render timeout" answer arrives before Scrapy gives up (scrapy-splash uses the same margin).
DOWNLOAD_TIMEOUT_MARGIN = 5.0

# The ticker's state: "filled" once every index of a ticker shows what the page's script wrote,
# "empty" while none does yet, "absent" on pages without one (pre-2023 and AMP pages: nothing to wait
# for). A page may draw two tickers (one for small screens) and fill only the one shown: one ticker
# written is enough. A value cell (`.tickerval`, the one NextJsV1.market() reads) is written once it
# holds a digit of any script (the Hindi edition's Devanagari ones: JavaScript's \d is ASCII only) or
# a letter (the script's "NA" for a figure it lacks); blank or dashes, as a plain fetch has it, is not
# yet. Only the items named as one of the five indices are waited for (their names reduced as
# ticker_name_key() does): an item the extraction does not read ("Gold" the script leaves blank) made
# every render wait all of BS_SPLASH_WAIT. A ticker none of whose items bears such a name is waited
# for whole (its names changed: the ticker is still the ticker). ES5 only: Splash's default engine is
# an old WebKit (String.prototype.normalize may be missing: the composed nukta letters are mapped here).
# A placeholder a ticker shows until its data comes ("Loading…", "Updating…", "Fetching data", the
# Hindi "लोड हो रहा है…") is letters, and no figure yet: taken for the script's "NA", the render
# returned before any figure was written, every number null and the ticker counted filled.
# A page without a ticker in its own document is "moved" when one is in a frame of the page's origin or
# an open shadow root (splash:html() carries neither: its numbers are null), "missing" when it is a page
# of the current design (`__NEXT_DATA__`), every one of which has drawn a ticker, and "absent" otherwise.
# Splash's WebKit has no shadow DOM and cannot look into another origin's frame: a ticker moved there is
# "missing". Both read "absent" before, no line in the log, run after run of null numbers.
TICKER_STATES = frozenset({"filled", "empty", "absent", "moved", "missing"})
WRITTEN_JS = "/[0-9A-Za-z\\u0660-\\u0669\\u06f0-\\u06f9\\u0900-\\u0dff\\uff10-\\uff19\\uff21-\\uff3a\\uff41-\\uff5a]/"
LOADING_JS = "/loading|updating|fetching|refreshing|please\\s*wait|\\u0932\\u094b\\u0921|\\u2026|\\.\\.\\./i"
_NUKTA_LETTERS = {c: unicodedata.normalize("NFD", c)[0] for c in map(chr, range(0x0900, 0x0980)) if unicodedata.normalize("NFD", c)[1:] == "\u093c"}
TICKER_STATE_JS = (
    "(function () {"
    f" var known = {json.dumps(dict.fromkeys(sorted(TICKER_NAMES), 1))}, nukta = {json.dumps(_NUKTA_LETTERS)};"
    " function key(text) {"
    "  text = text.normalize ? text.normalize('NFD') : text.replace(/[\\u0900-\\u097f]/g, function (c) { return nukta[c] || c; });"
    "  return text.replace(/[^0-9A-Za-z_&\\u00c0-\\u024f\\u0900-\\u0dff]+|\\u093c/g, '').toLowerCase();"
    " }"
    f" var tickers = document.querySelectorAll({TICKER_CSS!r}), seen = false;"
    " for (var t = 0; t < tickers.length; t++) {"
    f"  var all = tickers[t].querySelectorAll({ITEM_IN_TICKER_CSS!r}), items = [];"
    "  for (var n = 0; n < all.length; n++) {"
    "   var name = all[n].querySelector('.tickername');"
    "   if (name && known.hasOwnProperty(key(name.textContent))) { items.push(all[n]); }"
    "  }"
    "  if (!items.length) { items = all; }"
    "  var written = items.length > 0;"
    "  seen = seen || written;"
    "  for (var i = 0; written && i < items.length; i++) {"
    "   var value = items[i].querySelector('.tickerval');"
    f"   written = !!value && {WRITTEN_JS}.test(value.textContent) && !{LOADING_JS}.test(value.textContent);"
    "  }"
    "  if (written) { return 'filled'; }"
    " }"
    " if (seen) { return 'empty'; }"
    " function inside(root, depth) {"
    "  var all = depth < 4 ? root.querySelectorAll('*') : [];"
    "  for (var e = 0; e < all.length; e++) {"
    "   var inner = null;"
    "   try { inner = all[e].shadowRoot || all[e].contentDocument || null; } catch (error) { inner = null; }"
    f"   if (inner && inner.querySelector && (inner.querySelector({TICKER_CSS!r}) || inside(inner, depth + 1))) {{ return true; }}"
    "  }"
    "  return false;"
    " }"
    " if (inside(document, 0)) { return 'moved'; }"
    " return document.getElementById('__NEXT_DATA__') ? 'missing' : 'absent';"
    "})()"
)

# Load the page (its HTTP status is kept: a 404 or a block page comes back as such), then poll
# while the ticker is empty, for at most `wait` seconds. Failing to reach the page at all is an
# error (Splash answers 400), which the fallback handles. Every resource but the page itself
# gets `resource_timeout`, so one stuck ad or tracker cannot eat the whole render budget.
# Cookies go to and from scrapy-splash's SplashCookiesMiddleware, so a session (Akamai's
# cookies, say) carries over from page to page.
LUA_SOURCE = """
function main(splash, args)
  splash.images_enabled = false
  local first = true
  splash:on_request(function(request)
    if first then first = false else request:set_timeout(args.resource_timeout) end
  end)
  splash:init_cookies(args.cookies or {})
  local ok, reason = splash:go{args.url, headers = args.headers}
  if not ok and not string.find(reason, "^http") then
    error("cannot load the page: " .. reason)
  end
  local ticker = "absent"
  if ok then
    local waited = 0
    ticker = splash:evaljs(args.ticker_js)
    while ticker == "empty" and waited < args.wait do
      splash:wait(args.poll)
      waited = waited + args.poll
      ticker = splash:evaljs(args.ticker_js)
    end
  end
  local entries = splash:history()
  local status = 200
  if #entries > 0 then status = entries[#entries].response.status end
  return {
    html = splash:html(),
    url = splash:url(),
    http_status = status,
    cookies = splash:get_cookies(),
    ticker = ticker,
    charset = splash:evaljs("document.characterSet"),
  }
end
"""

# Meta keys that belong to the trip through Splash, not to the page: dropped from the plain re-fetch.
_SPLASH_ONLY_META = frozenset(
    {
        "splash",
        "_splash_processed",
        "ajax_crawlable",
        "dont_obey_robotstxt",
        "download_slot",
        "download_timeout",
        "download_latency",
        "retry_times",
        "cookiejar",
    }
)
# Why Splash's answer could not be read as JSON (set by crawler.splash.compat.SplashMiddleware).
UNREADABLE_META = "_bs_splash_unreadable"
# Set when this module (not the caller) put allow_offsite on a Splash request.
_OFFSITE_SET = "_bs_splash_allow_offsite"
# How many times a render waited for Splash to come back; the pause before each new try (seconds).
_RESTART_WAITS = "_bs_splash_restart_waits"
_SENT_AT = "_bs_splash_sent_at"  # when the request last left for Splash (monotonic clock)
_LOST_IN_FLIGHT = "_bs_splash_lost"  # Splash went away once while rendering the page
RESTART_POLL = 1.0
# What a proxy in front of Splash answers when no Splash behind it is up (Splash's own answers are JSON).
_NO_SPLASH_BEHIND = frozenset({502, 503})


def page_url(request: Request) -> str:
    """The page a request is for: a request sent to Splash is to its endpoint (``…/execute``), the page
    in its arguments."""
    splash = request.meta.get("splash") if request.meta.get("_splash_processed") else None
    url = (splash.get("args") or {}).get("url") if isinstance(splash, dict) else None
    return url if isinstance(url, str) else request.url


class ArticleRenderer(Protocol):
    """What a spider's ``article_request()`` hands its request to."""

    def render(self, request: Request) -> Request: ...


class PlainRenderer:
    """Splash is off: article requests go out as they are."""

    def render(self, request: Request) -> Request:
        return request


PLAIN = PlainRenderer()


def _require_splash_url(crawler: Crawler) -> str:
    splash_url = crawler.settings.get("SPLASH_URL")
    if not splash_url:
        raise NotConfigured
    return str(splash_url)


# scrapy-splash's SlotPolicy values (its SPLASH_SLOT_POLICY setting), the default first.
SLOT_POLICIES = ("per_domain", "single_slot", "scrapy_default")


def splash_problem(settings: BaseSettings) -> str | None:
    """What is wrong with the Splash settings, in one line; None when they are right or Splash is off.

    The crawl command refuses the run with it before it starts: a SPLASH_URL without ``http://``
    fails every render (each article falls back to a plain fetch, with one ERROR line), and a wait
    not below the timeout would end the run at start-up in a traceback.
    """
    splash_url = settings.get("SPLASH_URL")
    if not splash_url:
        return None
    # Not the value itself in the line: it may hold a password.
    wrong = "SPLASH_URL is not an http(s) URL like http://127.0.0.1:8050 (a scheme and a host)"
    try:
        parts = urlsplit(str(splash_url))
    except ValueError:
        return wrong  # "http://[::1": it raised, in a traceback after Scrapy's banner
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return wrong
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        # Port 0, 99999 or "abc": every render failed, each article fetched plainly, and exit 9.
        return "SPLASH_URL has no usable port (a number from 1 to 65535, like http://127.0.0.1:8050)"
    # scrapy-splash's own settings, which no check of the project's knows: a boolean that is none
    # ended the run in a traceback, a slot policy it does not know switched its middleware off, so
    # every article was fetched plainly, without a word but one WARNING, and the run said ok.
    for name in ("SPLASH_COOKIES_DEBUG", "SPLASH_LOG_400"):
        try:
            settings.getbool(name)
        except ValueError:
            return f"{name}={settings.get(name)!r} is not true or false (a switch is 1 or 0, true or false)"
    policy = settings.get("SPLASH_SLOT_POLICY", SLOT_POLICIES[0])
    if policy not in SLOT_POLICIES:
        return f"SPLASH_SLOT_POLICY={policy!r} is none of scrapy-splash's slot policies ({', '.join(SLOT_POLICIES)})"
    try:
        wait = settings.getfloat("BS_SPLASH_WAIT", 1.0)
        timeout = settings.getfloat("BS_SPLASH_TIMEOUT", 15.0)
    except ValueError:
        return None  # not a number: the crawl command's setting checks name it
    if wait < 0 or timeout <= wait:
        return f"BS_SPLASH_WAIT ({wait:g}) must be from 0 to below BS_SPLASH_TIMEOUT ({timeout:g})"
    return None


# Splash's endpoints: scrapy-splash joins the one it calls (execute) to SPLASH_URL.
_ENDPOINTS = frozenset({"execute", "run", "render.html", "render.json", "render.png", "render.jpeg", "render.har", "_ping"})


def splash_base_url(url: str) -> str:
    """SPLASH_URL as scrapy-splash needs it: the folder its endpoints are joined to, ending in "/".

    scrapy-splash joins ``execute`` to the URL as a link is resolved, so a Splash behind a proxy
    at ``http://proxy/splash`` was asked at ``http://proxy/execute`` (404, every page fetched
    plainly and exit 9). A URL naming an endpoint (``…:8050/render.html``) is its server's.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # splash_problem() names it
    head, _, last = parts.path.rpartition("/")
    path = f"{head}/" if last in _ENDPOINTS else f"{parts.path.rstrip('/')}/"
    # Without its credentials: Scrapy reads them as part of the host name (each render failed with
    # "invalid hostname: user:pass@…", the password in every ERROR line); SplashAddon hands them to
    # scrapy-splash's SPLASH_USER and SPLASH_PASS.
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], path, "", ""))


class SplashRenderer:
    """Turn an article request into a ``SplashRequest`` to the ``execute`` endpoint."""

    def __init__(self, wait: float, timeout: float) -> None:
        # Imported here, not at the top: without SPLASH_URL nothing of scrapy-splash is loaded.
        # (Scrapy 2.13 makes the spider, and so this, before it loads the add-ons.)
        from crawler.splash.compat import import_scrapy_splash

        self._splash_request: Callable[..., Request] = import_scrapy_splash().SplashRequest
        self.wait = wait
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashRenderer:
        _require_splash_url(crawler)
        settings = crawler.settings
        problem = splash_problem(settings)
        if problem:
            raise ValueError(problem)
        return cls(wait=settings.getfloat("BS_SPLASH_WAIT", 1.0), timeout=settings.getfloat("BS_SPLASH_TIMEOUT", 15.0))

    def splash_args(self) -> dict[str, Any]:
        """The arguments of the ``execute`` call (besides the URL)."""
        return {
            "lua_source": LUA_SOURCE,
            "ticker_js": TICKER_STATE_JS,
            "wait": self.wait,
            "poll": 0.05,
            "timeout": self.timeout,
            "resource_timeout": max(1.0, self.timeout / 3),
        }

    def render(self, request: Request, why: str = RENDER) -> Request:
        """The Splash twin of ``request``; saved pages, non-GET and already rendered requests stay as they are."""
        if "splash" in request.meta or request.method != "GET" or urlsplit(request.url).scheme not in {"http", "https"}:
            return request
        meta = dict(request.meta)
        meta[SPLASH_META] = why
        meta["download_timeout"] = self.timeout + DOWNLOAD_TIMEOUT_MARGIN
        return self._splash_request(
            request.url,
            callback=request.callback,
            errback=request.errback,
            endpoint="execute",
            args=self.splash_args(),
            meta=meta,
            headers=request.headers,
            cb_kwargs=request.cb_kwargs,
            priority=request.priority,
            dont_filter=request.dont_filter,
        )


def article_renderer(crawler: Crawler) -> ArticleRenderer:
    """:class:`SplashRenderer` when ``SPLASH_URL`` is set, else :data:`PLAIN`."""
    try:
        return SplashRenderer.from_crawler(crawler)
    except NotConfigured:
        return PLAIN


class SplashAddon:
    """Scrapy add-on: enable scrapy-splash (as its README says) and our two middlewares when SPLASH_URL is set."""

    SPLASH_FINGERPRINTER = "scrapy_splash.SplashRequestFingerprinter"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashAddon:
        _require_splash_url(crawler)
        from crawler.splash.compat import import_scrapy_splash

        import_scrapy_splash()  # before Scrapy loads scrapy-splash's fingerprinter by its path
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        splash_url = str(settings.get("SPLASH_URL"))
        priority = settings.getpriority("SPLASH_URL") or "addon"
        settings.set("SPLASH_URL", splash_base_url(splash_url), priority=priority)
        try:
            user, password = urlsplit(splash_url).username, urlsplit(splash_url).password
        except ValueError:
            user = password = None  # splash_problem() names it
        if (user or password) and not (settings.get("SPLASH_USER") or settings.get("SPLASH_PASS")):
            # A Splash behind HTTP Basic auth (Aquarium's default), written http://user:pass@host:8050.
            settings.set("SPLASH_USER", unquote(user or ""), priority=priority)
            settings.set("SPLASH_PASS", unquote(password or ""), priority=priority)
        # scrapy-splash's WARNING for every 400 answer ("Bad request to Splash: {…}": a Lua error, an
        # argument Splash refused) was a second line per page beside SplashRenderingMiddleware's ERROR,
        # which names the page, the reason and Splash's words.
        settings.set("SPLASH_LOG_400", False, priority="addon")
        # The HTTP cache (HTTPCACHE_ENABLED, for `reextract`) below the rendering middlewares in the
        # response chain: at 900 it stored Splash's JSON answers at <SPLASH_URL>/execute, of which
        # `reextract` reads no article; at 721 it stores the page, at the page's URL.
        cache = "crawler.incremental.cachepolicy.StoreOnlyHttpCacheMiddleware"
        moved_cache: dict[str, int | None] = {}
        if settings.getdict("DOWNLOADER_MIDDLEWARES").get(cache) == 900:
            moved_cache = {cache: None, "crawler.splash.RenderedPageCacheMiddleware": 721}
        merge_components(
            settings,
            "DOWNLOADER_MIDDLEWARES",
            {
                **moved_cache,
                "crawler.splash.SplashOnBlockMiddleware": 555,
                "crawler.splash.SplashRenderingMiddleware": 722,
                # scrapy-splash's two middlewares, made to work on every supported Scrapy.
                "crawler.splash.compat.SplashCookiesMiddleware": 723,
                "crawler.splash.compat.SplashMiddleware": 725,
                # After SplashMiddleware in the response chain: it must see Splash's own encoding.
                # (The project's decompression, crawler/middlewares.py, in place of Scrapy's.)
                "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
                "crawler.middlewares.WholeStreamHttpCompressionMiddleware": 810,
            },
        )
        # scrapy-splash's README also lists its SplashDeduplicateArgsMiddleware (a spider
        # middleware). It stays off: it only matters with `cache_args`, which we do not use, and
        # it defines only the deprecated process_start_requests(), so Scrapy 2.13 refuses to
        # open our spiders (they define `async def start()` only) with it: "ValueError: ...
        # does not define the deprecated start_requests() method".
        base = settings.get("REQUEST_FINGERPRINTER_CLASS")
        if base and base != self.SPLASH_FINGERPRINTER and settings.getpriority("REQUEST_FINGERPRINTER_CLASS") != 0:
            # A project fingerprinter stays the base of the Splash-aware one.
            settings.set("SCRAPY_SPLASH_REQUEST_FINGERPRINTER_BASE_CLASS", base, priority="addon")
        priority = max(settings.getpriority("REQUEST_FINGERPRINTER_CLASS") or 0, 15)
        settings.set("REQUEST_FINGERPRINTER_CLASS", self.SPLASH_FINGERPRINTER, priority=priority)


# A connection Splash refused (it is not listening: restarting), as Twisted and Scrapy 2.14+ name it,
# rather than one lost while it rendered.
_REFUSED: tuple[type[BaseException], ...] = (
    ConnectionRefusedError,
    TwistedConnectionRefused,
    *(c for c in (getattr(scrapy_exceptions, "DownloadConnectionRefusedError", None),) if isinstance(c, type)),
)


def _refused(exception: BaseException) -> bool:
    """Whether Splash refused the connection (the exception, or what caused it)."""
    cause: BaseException | None = exception
    for _ in range(8):
        if cause is None:
            return False
        if isinstance(cause, _REFUSED):
            return True
        cause = cause.__cause__
    return False


def _as_the_browser_read_it(error: UnicodeError) -> tuple[bytes, int]:
    """Encoding error handler for :func:`page_bytes`: a C1 control (U+0080–U+009F) is the byte the
    browser's Windows-1252 has no character for (0x81, 0x8D, 0x8F, 0x90, 0x9D: the third byte of
    common Devanagari letters read as Windows-1252), anything else (text a script wrote) a
    character reference."""
    assert isinstance(error, UnicodeEncodeError)
    chunk = error.object[error.start : error.end]
    return b"".join(bytes([ord(c)]) if 0x80 <= ord(c) <= 0x9F else f"&#{ord(c)};".encode("ascii") for c in chunk), error.end


_AS_READ = "bs-splash-as-read"
codecs.register_error(_AS_READ, _as_the_browser_read_it)


def page_bytes(html: str, charset: object) -> tuple[bytes, str]:
    """The rendered page as bytes and the Content-Type that declares them, for the extraction to decode.

    The browser reads a page in the encoding its header or ``<meta>`` declares, or in Windows-1252
    when neither does: a UTF-8 page declared (or left undeclared) otherwise comes back as mojibake
    ("India’s" as "Indiaâ€™s", every Devanagari letter as three). Encoded back in the browser's
    encoding it is the page's own bytes again, under the page's own declaration, so the extraction
    decodes it as it decodes a plain fetch of the page (valid UTF-8 is read as UTF-8).
    """
    codec = resolve_encoding(charset) if isinstance(charset, str) and charset else None
    if codec is None or codecs.lookup(codec).name == "utf-8":
        return html.encode("utf-8"), "text/html; charset=utf-8"
    return html.encode(codec, errors=_AS_READ), f"text/html; charset={charset}"


def _web_page(url: object) -> bool:
    """Whether ``url`` is a web page's address (http or https, with a host)."""
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:
        return False
    return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)


_MARKUP = re.compile(r"<[^>]*>")
_QUOTED = 200  # characters of a text answer quoted in the line


def _splash_error(response: Response, status: int | None = None) -> tuple[str, str]:
    """Reason slug and Splash's own description of a failed render (``status``: the error's, when not the answer's)."""
    if status is None:
        status = int(getattr(response, "splash_response_status", response.status))
    detail = ""
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        info = data.get("info")
        detail = str((info.get("message") if isinstance(info, dict) else None) or data.get("description") or "")
        if data.get("type") == "BadOption" and isinstance(info, dict):
            # Splash refused an argument: "Incorrect HTTP API arguments" alone says not which, nor why.
            # The timeout is the one a user sets (BS_SPLASH_TIMEOUT), above the server's --max-timeout.
            value, most = info.get("value"), info.get("max")
            if info.get("argument") == "timeout" and isinstance(value, (int, float)) and isinstance(most, (int, float)):
                detail = f"BS_SPLASH_TIMEOUT ({value:g} s) is above the {most:g} s this Splash allows (its --max-timeout)"
            else:
                detail = f"{detail}: {info.get('argument')}: {info.get('description')}"
    elif response.body:
        # A proxy's answer or an overloaded server's, in text or HTML ("the render queue is full",
        # "No server is available"): what it says, without its markup, in the line.
        text = _MARKUP.sub(" ", response.body[:_QUOTED * 4].decode("utf-8", "replace"))
        detail = " ".join(text.split())[:_QUOTED]
    if status == 504:
        return "render-timeout", detail or "Splash gave up rendering within BS_SPLASH_TIMEOUT"
    if status == 400 and isinstance(data, dict) and data.get("type") == "ScriptError":
        return "render-error", detail
    return f"http-{status}", detail or f"Splash answered HTTP {status}"


class SplashRenderingMiddleware:
    """Downloader middleware beside scrapy-splash's: our Splash requests in, the page out, or a plain fetch.

    Sits at 722, just before SplashCookiesMiddleware (723) and SplashMiddleware (725):

    - request: the page URL has passed the off-site and robots.txt checks by now; the request
      SplashMiddleware makes of it goes to the Splash host, which is not on the site, so it is
      let past the off-site filter (scrapy-splash itself already exempts it from robots.txt);
    - response: Splash's JSON (read by scrapy-splash) becomes the page's ``HtmlResponse``, so the
      spider, the block-page counter and the rest see the page as a browser showed it;
    - failure (refused, timed out, a Splash error status): one ERROR line, a stat, and the same
      page again without rendering. Scrapy's RetryMiddleware (550) never sees these: retrying a
      Splash that is down or overloaded would only delay the article. Only a Splash that answered
      earlier in the run and now cannot be reached (restarting) is waited for, a bounded time.
    """

    def __init__(self, stats: StatsCollector, crawler: Crawler | None = None, restart_wait: float = 0.0) -> None:
        self.stats = stats
        self.crawler = crawler
        self.restart_wait = restart_wait
        # Whether Splash has answered in this run, and since when it has not been reachable.
        self.answered = False
        self.unreachable_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashRenderingMiddleware:
        _require_splash_url(crawler)
        assert crawler.stats is not None
        middleware = cls(crawler.stats, crawler, restart_wait=crawler.settings.getfloat("BS_SPLASH_RESTART_WAIT", 30.0))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        """Warn when no rendered page's ticker was filled in the whole run, though some showed one.

        Each empty ticker is only a stat: a ticker whose markup or script changed left every article's
        market numbers null, run after run, and the run said ok, with no line for cron to mail.
        """
        stats = self.stats.get_stats()
        states = {state: int(stats.get(stat.splash_ticker(state), 0)) for state in (*sorted(TICKER_STATES), "unknown")}
        lost = states["moved"] + states["missing"]
        if states["moved"] or (lost and not states["filled"]):
            # One line for the run (a page of the current design without its ticker now and then, an
            # error page, is only its stat): a ticker moved into a frame or a shadow DOM.
            self.stats.set_value(stat.SPLASH_TICKER_NOT_IN_PAGE, lost)
            logger.warning(
                "%d of the %d rendered pages of the current design had no market ticker in their HTML (%s): their market "
                "numbers are null; the ticker may have moved into an iframe or a shadow DOM, or its markup changed "
                "(see bs/splash/ticker/*)",
                lost,
                int(stats.get(stat.SPLASH_RENDERED, 0)),
                ", ".join(f"{state}={count}" for state, count in states.items() if count),
            )
            return
        if states["filled"] or not (states["empty"] or states["unknown"]):
            return
        self.stats.set_value(stat.SPLASH_TICKER_NEVER_FILLED, 1)
        logger.warning(
            "Not one of the %d rendered pages had its market ticker filled within BS_SPLASH_WAIT (%s): every article's "
            "market numbers are null; the ticker's markup or script may have changed (see bs/splash/ticker/*)",
            int(stats.get(stat.SPLASH_RENDERED, 0)),
            ", ".join(f"{state}={count}" for state, count in states.items() if count),
        )

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        meta = request.meta
        if SPLASH_META in meta and "splash" in meta and not meta.get("_splash_processed") and not meta.get("allow_offsite"):
            meta["allow_offsite"] = True
            meta[_OFFSITE_SET] = True
        if meta.get("_splash_processed"):
            meta[_SENT_AT] = time.monotonic()  # on its way to Splash, now

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response | Coroutine[Any, Any, Request]:
        if not self._is_ours(request):
            return response
        status = int(getattr(response, "splash_response_status", response.status))
        data = getattr(response, "data", None)
        if status in _NO_SPLASH_BEHIND and not isinstance(data, dict) and "cached" not in response.flags:
            # A proxy in front of Splash (Aquarium's HAProxy) answering for it while it restarts ("503 No
            # server is available"): Splash cannot be reached, as when it refuses connections itself.
            reason, detail = _splash_error(response)
            if self._may_wait(request, detail, refused=True):
                return self._when_back(request)
            return self.fallback(request, reason, detail)
        self._reached(request)
        if "cached" in response.flags and not isinstance(data, dict):
            # A crawl from the HTTP cache alone: the page RenderedPageCacheMiddleware stored, served.
            return HtmlResponse(url=response.url, status=response.status, headers=response.headers, body=response.body, request=request, flags=[*response.flags, "splash"])
        if status != 200:
            reason, detail = _splash_error(response)
            return self.fallback(request, reason, detail)
        error = data.get("error") if isinstance(data, dict) and "html" not in data else None
        if type(error) is int and 400 <= error <= 599:
            # Splash's error document under a 200 (a proxy's rewrite): the error it names, in its words.
            # One whose error is no error status (0, 200, a huge number) is a bad answer below, not a
            # stat of its own per number.
            reason, detail = _splash_error(response, status=error)
            return self.fallback(request, reason, detail)
        if not isinstance(data, dict) or not isinstance(data.get("html"), str):
            detail = request.meta.get(UNREADABLE_META) or type(response).__name__
            return self.fallback(request, "bad-answer", f"not the script's JSON ({detail})")
        if not 100 <= response.status <= 599:
            # The page's status as the script returned it is none (0, 1000): not the page's answer.
            return self.fallback(request, "bad-answer", f"the page's status {response.status} is no HTTP status")
        page_url = request.meta["splash"]["args"]["url"]
        landed: object = response.url
        if not _web_page(landed):
            # The browser ended on no web page (about:blank, Chromium's error page after the page's
            # script navigated to a URL that failed): not the article redirected away, a failed render.
            return self.fallback(request, "bad-answer", f"the browser ended on no web page ({str(landed)[:_QUOTED]!r})")
        if response.url != page_url:
            # The browser followed redirects, which RedirectMiddleware and OffsiteRedirectMiddleware
            # never saw: the same checks here. A page on another host is refused (the errback names
            # it); the URL asked for goes where RedirectMiddleware puts it, so the spider tells an
            # article that redirected to another one, or to the home page, from the article itself.
            if self.crawler is not None and is_offsite(self.crawler, response.url):
                raise OffsiteRedirect(response.url)
            request.meta["redirect_urls"] = [page_url]
        self.stats.inc_value(stat.SPLASH_RENDERED)
        # filled / empty (no numbers within BS_SPLASH_WAIT: a slow ticker, or changed markup)
        # / absent (a page without a ticker, or one whose markup changed).
        ticker = data.get("ticker")
        if ticker == "missing" and response.status != 200:
            ticker = "absent"  # an error page of the current design: no article, no ticker to miss
        self.stats.inc_value(stat.splash_ticker(ticker if isinstance(ticker, str) and ticker in TICKER_STATES else "unknown"))
        body, content_type = page_bytes(data["html"], data.get("charset"))
        return HtmlResponse(
            url=response.url,
            status=response.status,
            headers={"Content-Type": content_type},
            body=body,
            request=request,
            flags=[*response.flags, "splash"],
        )

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Coroutine[Any, Any, Request] | None:
        if not self._is_ours(request) or isinstance(exception, IgnoreRequest):
            return None
        reason, detail = failure_name(exception), str(exception) or type(exception).__name__
        if reason == CONNECTION and self._may_wait(request, detail, _refused(exception)):
            return self._when_back(request)
        return self.fallback(request, reason, detail)

    def _reached(self, request: Request) -> None:
        """Splash answered (whatever it said): it is up, unless it was asked before it went away."""
        self.answered = True
        if self.unreachable_since is not None and request.meta.get(_SENT_AT, self.unreachable_since) >= self.unreachable_since:
            logger.info("Splash answers again, after %.0f s", time.monotonic() - self.unreachable_since)
            self.unreachable_since = None

    def _may_wait(self, request: Request, detail: str, refused: bool) -> bool:
        """Whether to send ``request`` to Splash again once it is back, rather than fetch the page plainly.

        Only a Splash that answered earlier in the run is waited for: refusing now, it is restarting
        (--maxrss recycles it every few thousand pages), and every render queued meanwhile fell back,
        their numbers null and the run failed (exit 9) for a routine restart. A Splash never reached
        (down, a wrong SPLASH_URL) is not: each page is fetched plainly at once. The wait is bounded
        for the outage (BS_SPLASH_RESTART_WAIT, then every page falls back) and for each page: a
        render lost in flight (Splash went away while rendering it) is sent once more, a second
        loss is the page bringing Splash down, and it is fetched plainly rather than kill it again.
        """
        if not self.answered or self.restart_wait <= 0:
            return False
        if not refused:
            if request.meta.get(_LOST_IN_FLIGHT):
                return False
            request.meta[_LOST_IN_FLIGHT] = True
        now = time.monotonic()
        if self.unreachable_since is None:
            self.unreachable_since = now
            # INFO: a restart is routine (--maxrss); pages it fails are ERRORs of their own.
            logger.info(
                "Splash cannot be reached (%s); waiting up to %g s (BS_SPLASH_RESTART_WAIT) for it to come back "
                "before fetching article pages without it",
                detail,
                self.restart_wait,
            )
        tries = int(request.meta.get(_RESTART_WAITS, 0))
        return now - self.unreachable_since < self.restart_wait and tries * RESTART_POLL < self.restart_wait

    async def _when_back(self, request: Request) -> Request:
        """``request`` again after a pause, for Splash once it has come back."""
        from twisted.internet import reactor  # the one Scrapy installed (importing it earlier would install another)

        self.stats.inc_value(stat.SPLASH_RETRIED)
        await maybe_deferred_to_future(deferLater(cast(IReactorTime, reactor), RESTART_POLL, lambda: None))
        again = request.replace(dont_filter=True)
        again.meta[_RESTART_WAITS] = int(request.meta.get(_RESTART_WAITS, 0)) + 1
        return again

    @staticmethod
    def _is_ours(request: Request) -> bool:
        return bool(request.meta.get(SPLASH_META) in {RENDER, BLOCK_RETRY} and request.meta.get("_splash_processed"))

    def fallback(self, request: Request, reason: str, detail: str) -> Request:
        """Count and log the failed render; the plain request for the same page."""
        url = request.meta["splash"]["args"]["url"]
        self.stats.inc_value(stat.splash_failed(reason))
        logger.error(
            "Splash could not render <%s> (%s: %s); fetching it without rendering, so its market numbers stay null",
            url,
            reason,
            detail,
        )
        meta = {k: v for k, v in request.meta.items() if k not in _SPLASH_ONLY_META}
        if meta.pop(_OFFSITE_SET, False):
            meta.pop("allow_offsite", None)
        meta.pop(_RESTART_WAITS, None)
        meta.pop(_SENT_AT, None)
        meta.pop(_LOST_IN_FLIGHT, None)
        meta[SPLASH_META] = FALLBACK
        return Request(
            url,
            callback=request.callback,
            errback=request.errback,
            meta=meta,
            cb_kwargs=request.cb_kwargs,
            dont_filter=True,
        )


class RenderedPageCacheMiddleware(StoreOnlyHttpCacheMiddleware):
    """The project's HTTP cache with Splash on, at 721: below the rendering middlewares in the response
    chain, so it stores the rendered page at its URL (at 900 it stored Splash's JSON answers at
    ``…/execute``, of which ``reextract`` reads no article). In a crawl from the cache alone
    (``HTTPCACHE_IGNORE_MISSING``) a page is looked up once scrapy-splash has made its Splash request,
    under whose fingerprint it was stored, and SplashRenderingMiddleware takes it as the page."""

    # Of the render's arguments, only the page's URL is in the cache key. Not the session's state that
    # scrapy-splash sends (the cookies the site set, Akamai's on every answer, and the headers): a crawl
    # from the cache alone, which receives no cookies, found none of the pages stored after the first
    # that set one. Nor the script, the ticker's JavaScript, the wait and the timeouts, nor Splash's
    # address: a crawl from the cache alone by a newer crawler (its script changed) or with another
    # BS_SPLASH_WAIT found none of the rendered pages, every article lost.
    KEY_ARGS = frozenset({"url"})

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderedPageCacheMiddleware:
        middleware = super().from_crawler(crawler)
        assert isinstance(middleware, RenderedPageCacheMiddleware)
        middleware.owner = crawler  # Scrapy's own keeps no crawler before 2.14
        return middleware

    owner: Crawler

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | Response | None:
        if SPLASH_META in request.meta and "splash" in request.meta and not request.meta.get("_splash_processed"):
            return None
        key = self.cache_key(request)
        if key is request or not self.ignore_missing:
            return super().process_request(key, spider)
        try:
            return super().process_request(key, spider)
        except IgnoreRequest:
            # A page Splash failed to render was fetched and stored plainly (its item emitted, numbers
            # null): a crawl from the cache alone is served that page rather than losing the article.
            plain: Response | None = self.storage.retrieve_response(spider or self.owner.spider, Request(page_url(request)))
            if plain is None:
                raise
            for name, change in (("httpcache/miss", -1), ("httpcache/ignore", -1), ("httpcache/hit", 1)):
                self.stats.inc_value(name, change)  # a hit after all
            plain.flags.append("cached")
            return plain

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        return super().process_response(self.cache_key(request), response, spider)

    def cache_key(self, request: Request) -> Request:
        """What a rendered page is stored and looked up as: its URL, rendered (stored at the page's URL,
        not Splash's endpoint, apart from its plain fetch); other requests as they are."""
        splash = request.meta.get("splash")
        if not request.meta.get("_splash_processed") or not isinstance(splash, dict):
            return request
        args = {name: value for name, value in (splash.get("args") or {}).items() if name in self.KEY_ARGS}
        meta: dict[str, Any] = {"splash": {"endpoint": splash.get("endpoint"), "args": args}}
        if request.meta.get("dont_cache"):
            meta["dont_cache"] = True
        return Request(page_url(request), meta=meta)


class SplashOnBlockMiddleware:
    """With ``BS_SPLASH_ON_BLOCK``: an article page fetched plainly that came back as an Akamai block page
    gets one more try through Splash (a browser may pass where a plain client is refused).

    At 555: after BlockPageMiddleware (560) has counted the block, before RetryMiddleware (550).
    Only article pages (never sitemaps, feeds, listings or robots.txt), only plain fetches: a page
    rendered already, or fetched plainly because Splash failed on it, is not sent again.
    """

    def __init__(self, stats: StatsCollector, renderer: SplashRenderer) -> None:
        self.stats = stats
        self.renderer = renderer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashOnBlockMiddleware:
        _require_splash_url(crawler)
        if not crawler.settings.getbool("BS_SPLASH_ON_BLOCK"):
            raise NotConfigured
        assert crawler.stats is not None
        return cls(crawler.stats, SplashRenderer.from_crawler(crawler))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        if SPLASH_META in request.meta or "splash" in request.meta or request.method != "GET":
            return response
        if url_kind(request.url) != ARTICLE:
            return response
        if not (isinstance(response, TextResponse) and is_block_page(response.text)):
            return response
        self.stats.inc_value(stat.SPLASH_BLOCK_RETRY)
        logger.warning("Blocked at <%s> (status %d); trying it once more through Splash", request.url, response.status)
        return self.renderer.render(request.replace(dont_filter=True), why=BLOCK_RETRY)
