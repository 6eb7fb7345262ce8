"""Downloader middlewares for a site that pushes back: Akamai block pages, 429 rate limits, robots.txt that fails, partial answers."""

from __future__ import annotations

import importlib
from http.cookiejar import Cookie, CookieJar
import inspect
import logging
import re
import time
import weakref
import zlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.robotstxt import RobotParser
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.web.http import PotentialDataLoss
from w3lib.url import canonicalize_url, safe_url_string

from crawler.extraction import block_page_kind, is_block_page, may_be_block_page
from crawler.extraction.urls import page_article_id
from crawler.monitoring.lookonly import looking_only
from crawler.failures import BAD_RESPONSE, CONNECTION, DATA_LOSS, DNS, TIMEOUT, UndecodableBody, failure_message, failure_name
from crawler import stats as stat
from crawler.runstop import CLOSE_POLL_SECONDS, run_closing, run_stopping, stop_run

logger = logging.getLogger(__name__)

# request.meta key: how many 429 answers this request has met.
RATE_LIMITED_META = "bs_rate_limited"
# request.meta key scrapy-splash sets on the request it sends to Splash in the page's place.
SPLASH_SENT_META = "_splash_processed"
# request.meta key: how many 503 answers with Retry-After this request has waited out.
UNAVAILABLE_META = "bs_unavailable"
# What a Windows editor puts before UTF-8 text, robots.txt too.
UTF8_BOM = b"\xef\xbb\xbf"
# RFC 9309 (2.5): a crawler "MUST" parse at least the first 500 KiB of robots.txt. Read as far as
# DOWNLOAD_MAXSIZE, when that is larger; past either, what came first is read and the rest is not.
ROBOTS_TXT_MIN_BYTES = 500 * 1024
# request.meta key: bytes of an uncompressed robots.txt received so far, counted against that bound.
ROBOTS_TXT_RECEIVED_META = "bs_robotstxt_received"
# Signals for the distributed workers' shared politeness (crawler/distributed/politeness.py), which
# tells the other workers: sent with ``seconds`` and ``reason`` ("429", "503") as the crawl pauses
# because the site asked it to wait, and with ``host`` and ``delay`` (seconds, as held to) once
# robots.txt's Crawl-delay is read. Without them the wait and the spacing were each worker's own.
site_asked_to_wait = object()
crawl_delay_read = object()
# Signal from RateLimitMiddleware to RateLimitGateMiddleware: the download slot ``key`` is held a wait
# apart (``held`` True) or let go.
host_held = object()
# Signal from RateLimitMiddleware as it closes the run for a Retry-After longer than it waits, with the
# ``url`` answered and the ``seconds`` asked: kept for the next runs (crawler/incremental/sitewait.py).
site_asked_not_before = object()
# Signal that another host than the site's (``host``, as a URL's netloc names it: the Hindi edition's) is
# asked nothing more in this run, its requests left for a run after it: sent by RateLimitMiddleware as the
# host's rate limit does not lift, and by SiteWaitExtension as the run opens within a wait a run before kept.
host_deferred = object()


class BlockPageMiddleware:
    """Count Akamai "Access Denied" answers (403, or 200) and close the run when most answers are blocks.

    Closing early is the back-off: hammering a site that blocks us only prolongs the block.
    """

    def __init__(self, crawler: Crawler, max_share: float, min_responses: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.max_share = max_share
        self.min_responses = min_responses
        self.responses = 0
        self.blocked = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockPageMiddleware:
        return cls(
            crawler,
            max_share=crawler.settings.getfloat("BS_MAX_BLOCKED_SHARE"),
            min_responses=crawler.settings.getint("BS_BLOCKED_MIN_RESPONSES"),
        )

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self.responses += 1
        # (An article's text is not decoded here for this: most bytes show they cannot be a block page.)
        kind = (
            block_page_kind(response.text)
            if response.status in (200, 403) and isinstance(response, TextResponse) and may_be_block_page(response.body)
            else None
        )
        if kind is not None:
            self.blocked += 1
            self.stats.inc_value(stat.BLOCKED)
            self.stats.inc_value(stat.blocked(response.status))
            logger.warning("Blocked (%s, status %d) at <%s>", kind, response.status, response.url)
            self._maybe_close()
        elif response.status == 403:
            # A 403 without Akamai's page: still a refusal.
            self.blocked += 1
            self.stats.inc_value(stat.BLOCKED)
            self.stats.inc_value(stat.blocked(403))
            self._maybe_close()
        return response

    def _maybe_close(self) -> None:
        if self.closing or self.responses < self.min_responses:
            return
        if self.blocked / self.responses > self.max_share:
            self.closing = True
            logger.error(
                "Closing the run: %d of %d responses were block pages (more than %.0f%%); backing off",
                self.blocked,
                self.responses,
                self.max_share * 100,
            )
            stop_run(self.crawler, "blocked")


class SiteDownMiddleware:
    """Close the run once ``BS_MAX_FAILURES_IN_A_ROW`` tries in a row at the site failed (5xx,
    timeouts, refused or reset connections), with no answer between them.

    RetryMiddleware's cap is per request: a site that is down was asked RETRY_TIMES + 1 times for every
    article the run had found (with timeouts, for hours). Placed between it (550) and the 429/503
    waits (555) in the answer's way, it sees every try that failed. Only first tries count: a retry
    waits until every first try queued has gone (RETRY_PRIORITY_ADJUST), so on a healthy site the
    retries of a few broken pages come one after another at the end of the run, and counted, seven
    pages answering 500 among thousands that answered closed it as "the site is down". A down site's
    first tries fail in a row on their own. (Not before first tries a source's answer has not handed
    on yet: the articles that failed before the close may each be asked up to RETRY_TIMES times more.) Any other answer (a page, a 404, a block, a 429), a
    retry's too, shows the site is there and starts the count again. Robots.txt and Splash's own
    answers are not the site's pages: not counted. Once closing, no request is retried or sent any more.
    """

    def __init__(self, crawler: Crawler, limit: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.limit = limit
        self.in_a_row = 0
        self.closing = False
        # Requests on their way to the site (queued in its download slot), not retried once it closes.
        self.on_their_way: weakref.WeakSet[Request] = weakref.WeakSet()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteDownMiddleware:
        limit = crawler.settings.getint("BS_MAX_FAILURES_IN_A_ROW")
        if limit <= 0:
            raise NotConfigured
        return cls(crawler, limit)

    @staticmethod
    def _counted(request: Request) -> bool:
        return not is_robots_txt_request(request) and "splash" not in request.meta

    @staticmethod
    def _retried(request: Request) -> bool:
        return bool(request.meta.get("retry_times"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self._counted(request):
            return
        if self.closing:
            # A retry, or a request the closing engine still hands on: the site is down, and it is asked
            # again next run (nothing it would have found is marked seen).
            raise SiteDown("not asked: the run is closing, the site is down")
        self.on_their_way.add(request)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if not self._counted(request):
            return response
        if response.status >= 500 or response.status == 408:
            if not self._retried(request):
                self._failed(request, f"HTTP {response.status}")
        else:
            self.in_a_row = 0
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if self._counted(request) and not self._retried(request) and not isinstance(exception, IgnoreRequest):
            self._failed(request, type(exception).__name__)

    def _failed(self, request: Request, why: str) -> None:
        self.in_a_row += 1
        if self.closing or self.in_a_row < self.limit:
            return
        self.closing = True
        self.stats.set_value(stat.SITE_DOWN, 1)
        logger.error(
            "Closing the run: %d tries in a row at the site failed, the last <%s> (%s), with no answer "
            "between them (BS_MAX_FAILURES_IN_A_ROW): the site is down; backing off",
            self.in_a_row,
            request.url,
            why,
        )
        stop_run(self.crawler, stat.SITE_DOWN_REASON)
        # Those queued in the slot still go out as the engine closes: once each, not RETRY_TIMES + 1 times.
        for waiting in list(self.on_their_way):
            waiting.meta["dont_retry"] = True


class SiteDown(IgnoreRequest):
    """A request not sent because the run is closing with the site down (SiteDownMiddleware)."""


class BackingOff(SiteDown):
    """A request not sent, or whose 429 is let go unlogged, because the run is closing as the site's rate
    limit did not lift (RateLimitMiddleware), or its host's did: asked for next run."""


class RobotsTxtUnreachable(SiteDown):
    """A request not sent because the site's robots.txt could not be reached (RobotsTxtFailureMiddleware):
    the run is closing, and it is asked for next run."""


# What the IgnoreRequest raised for an unreachable robots.txt begins with, the site's (the run closes)
# or another host's (a short link's: its requests fail): Scrapy's robots.txt middleware hands it on to
# RobotsTxtMiddleware._robots_error as it is (a subclass, 2.13 would log with a traceback).
ROBOTSTXT_UNREACHABLE = "robots.txt unreachable: "
ROBOTSTXT_UNREACHABLE_ELSEWHERE = "robots.txt of another host unreachable: "
# What Scrapy's RedirectMiddleware raises past REDIRECT_MAX_TIMES redirects (2.13 to 2.19 alike).
MAX_REDIRECTIONS = "max redirections reached"
# Failures of robots.txt that leave it unreachable, as RFC 9309 (2.3.1.4) means it: "server or network
# errors". An answer too large or whose body does not decode came, with no rules to read: as Scrapy does.
UNREACHABLE_FAILURES = frozenset({TIMEOUT, DNS, CONNECTION, DATA_LOSS, BAD_RESPONSE})


_RETRY_AFTER_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (a number of seconds, a fraction too, or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if _RETRY_AFTER_SECONDS.fullmatch(text):
        # RFC 9110 writes whole seconds; "1.5" from a server means what it says. Unread, it was
        # BS_RATE_LIMIT_WAIT after a 429 (10 s), and no wait at all after a 503: its retries went at once.
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def site_retry_after(response: Response, now: float | None = None) -> float | None:
    """Seconds a response's ``Retry-After`` asks to wait; a date is read by this machine's clock and by the
    response's own ``Date``, and the shorter reading is the wait."""
    header = response.headers.get("Retry-After")
    wait = retry_after_seconds(header, now)
    if not wait:
        return wait
    date = response.headers.get("Date")
    if date is None:
        return wait
    try:
        sent = parsedate_to_datetime(date.decode("latin-1").strip())
    except (TypeError, ValueError, IndexError):
        return wait
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=timezone.utc)
    # A clock behind the site's read "in a minute" as hours, past BS_RETRY_AFTER_MAX: the run closed, and
    # the runs after it were refused that long. (A seconds value is the same by either clock.)
    by_site = retry_after_seconds(header, sent.timestamp())
    return wait if by_site is None else min(wait, by_site)


class RateLimitMiddleware:
    """Wait out a 429 answer for as long as its ``Retry-After`` says, then ask again.

    The wait is the host's: its download slot is held that long apart (its ``delay``, as AutoThrottle
    sets it, with no random part), so it sends at most one request a wait whatever its concurrency, and
    the answered request is asked again behind it; the host's first other answer to a request sent
    since puts the slot back as it was. The host's other requests wait in RateLimitGateMiddleware,
    one let go on to the slot at a time; other hosts go on (those waiting are not counted against
    ``CONCURRENT_REQUESTS``). The wait is bounded by
    ``BS_RETRY_AFTER_MAX``; a longer one, or more than ``BS_RATE_LIMIT_RETRIES`` waits in a row at
    the host (or of one request), ends the run as a block does (exit 4): a limit that does not lift
    is a refusal, not a redesign.

    A 503 with ``Retry-After`` (maintenance) is waited out the same way, within the same bounds;
    past them it goes on to RetryMiddleware, which asks again at once and then gives the request
    up (``bs/failed/http-503``): an outage is no refusal, and the run goes on. A 503 without the
    header is RetryMiddleware's alone.

    Another host than ``BS_BASE_URL``'s (the Hindi edition's) whose limit does not lift, in a run of an
    incremental spider, is deferred instead: it is asked nothing more in this run (its requests refused
    unsent, ``BackingOff``, and fetched by a later run, which finds them again), and the run goes on at
    the site. Before, the whole run closed, the English edition's stories with it.
    """

    def __init__(self, crawler: Crawler, max_wait: float, retries: int, default_wait: float) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.max_wait = max_wait
        self.retries = retries
        self.default_wait = default_wait
        self.gave_up = False
        # The site's host: its limit closes the run. Another's is deferred where a later run fetches what
        # this one leaves (an incremental spider's); `article`'s pages, asked for by hand, are not.
        self.site = host_of(str(crawler.settings.get("BS_BASE_URL") or ""))
        self.defers = bool(getattr(crawler.spidercls, "incremental", False))
        self.deferred: set[str] = set()
        crawler.signals.connect(self.host_deferred, signal=host_deferred)
        # Download slot (host) → its waits in a row, and the slot as it was while one holds it.
        self.streaks: dict[str, _Streak] = {}
        self.held: dict[str, _HeldSlot] = {}
        # What the slot's hold made of an answer, for process_response (which comes after it).
        self.judged: weakref.WeakKeyDictionary[Request, _Judged] = weakref.WeakKeyDictionary()
        # After AutoThrottle's handler (extensions connect first), which may have lowered the delay, and
        # before the slot sends its next request.
        crawler.signals.connect(self.hold_slot, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            max_wait=settings.getfloat("BS_RETRY_AFTER_MAX"),
            retries=settings.getint("BS_RATE_LIMIT_RETRIES"),
            default_wait=settings.getfloat("BS_RATE_LIMIT_WAIT"),
        )

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.deferred and requested_host(request) in self.deferred:
            if is_robots_txt_request(request):
                # A plain IgnoreRequest is "no rules" to Scrapy's robots.txt middleware, without a line: the
                # requests that waited for it come here, and are refused as the host's.
                raise IgnoreRequest("not asked: its host is deferred to a later run")
            raise BackingOff("not asked: its host asked to wait longer than this run does; asked by a later run")
        if self.gave_up and not is_robots_txt_request(request):
            # Before, every request the engine still handed on as it closed was sent: "backing off" from
            # a site that rate-limited every page, the run asked it for each article found once more.
            raise BackingOff("not asked: the run is closing, the site's rate limit did not lift")

    def host_deferred(self, host: str) -> None:
        if host in self.deferred:
            return
        self.deferred.add(host)
        self.stats.inc_value(stat.RATE_LIMITED_DEFERRED)
        self.stats.set_value(stat.RATE_LIMITED_DEFERRED_HOSTS, [*(self.stats.get_value(stat.RATE_LIMITED_DEFERRED_HOSTS) or []), host])

    def hold_slot(self, response: Response, request: Request, **_: Any) -> None:
        """Hold the answer's download slot apart for the wait it asks for, or let it go on the host's
        first other answer to a request sent since the last wait began."""
        key = request.meta.get("download_slot")
        engine = _running_engine(self.crawler)
        if key is None or engine is None or request.meta.get(SPLASH_SENT_META):
            # Sent to Splash (in the page's slot): its status is Splash's own, a 429 its render queue full.
            # Judged as the site's, a busy Splash held the site's requests, closed the run and kept a wait
            # that refused the next runs. (The page's own 429 through Splash comes to process_response.)
            return
        slot: Any = engine.downloader.slots.get(key)
        if self.deferred and requested_host(request) in self.deferred:
            return  # (an answer on its way as its host was deferred: let go in process_response)
        judged = self._judge(request, response, str(key))
        if judged is None:
            streak = self.streaks.get(key)
            if streak is not None and _sent_at(request) >= streak.since:
                del self.streaks[key]
                self._let_go(key, slot)
            elif key in self.held and slot is not None:
                # A late answer of a request sent before the wait: AutoThrottle may have lowered the delay.
                slot.delay = max(slot.delay, self.held[key].wait)
            return
        self.judged[request] = judged
        if judged.new:
            self.streaks[key] = _Streak(judged.waits, time.time())
        if judged.past and response.status == 429:
            # Here, before the gate lets the next request go on to the slot; the slot stays held (the
            # site's), or is let go once no request of its host is sent (another's, deferred).
            if self._defer(request, judged):
                self._let_go(key, slot)
                self.streaks.pop(key, None)
            else:
                self._close(request, judged)
            return
        if judged.past or slot is None:
            self._let_go(key, slot)
            return
        held = self.held.get(key)
        if held is None:
            self.held[key] = held = _HeldSlot(slot.delay, getattr(slot, _JITTER), judged.wait)
            self.crawler.signals.send_catch_log(signal=host_held, key=key, held=True)
        held.wait = judged.wait
        slot.delay = judged.wait
        slot.lastseen = _SLOT_CLOCK()
        # The random part would halve the wait at times.
        setattr(slot, _JITTER, 0.0 if _JITTER == "jitter" else False)

    def _let_go(self, key: str, slot: Any) -> None:
        held = self.held.pop(key, None)
        if held is None:
            return
        if slot is not None:
            slot.delay = held.delay
            setattr(slot, _JITTER, held.jitter)
        self.crawler.signals.send_catch_log(signal=host_held, key=key, held=False)

    def _judge(self, request: Request, response: Response, key: str) -> _Judged | None:
        """What a 429, or a 503 with a readable ``Retry-After``, asks for; None for any other answer."""
        if response.status not in (429, 503):
            return None
        announced = site_retry_after(response)
        if response.status == 503 and announced is None:
            return None
        tries = int(request.meta.get(RATE_LIMITED_META if response.status == 429 else UNAVAILABLE_META, 0)) + 1
        streak = self.streaks.get(key)
        if streak is None:
            new, waits = True, 1
        elif _sent_at(request) >= streak.since:
            new, waits = True, streak.waits + 1
        else:
            # Sent before the last wait began: that wait's answer, not a wait of its own.
            new, waits = False, streak.waits
        if announced is None:
            # No Retry-After: BS_RATE_LIMIT_WAIT, doubled at each 429 in a row (10, 20, 40 s), as a limit
            # that did not lift in one wait may need longer; never beyond what the run waits at most.
            wait = min(self.default_wait * 2.0 ** (max(tries, waits) - 1), max(self.default_wait, self.max_wait))
        else:
            wait = announced
        past = self.gave_up or wait > self.max_wait or max(tries, waits) > self.retries
        return _Judged(announced, wait, tries, waits, new, past)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        judged = self.judged.pop(request, None)
        if response.status in (429, 503) and self.deferred and requested_host(request) in self.deferred:
            # Its host is left for a later run: one line said so, and this answer says nothing new.
            if response.status == 429:
                self.stats.inc_value(stat.RATE_LIMITED)
            if is_robots_txt_request(request):
                raise IgnoreRequest("not asked: its host is deferred to a later run")
            raise BackingOff(f"rate limited ({response.status}): its host is deferred, <{request.url}> is asked by a later run")
        if judged is None and response.status in (429, 503):
            # An answer the downloader's signal did not bring (a cached one): judged alone, its slot not held.
            judged = self._judge(request, response, str(request.meta.get("download_slot")))
        if judged is None:
            return response
        if response.status == 503:
            return self._wait_out_unavailable(request, response, judged)
        self.stats.inc_value(stat.RATE_LIMITED)
        if judged.past and self._defer(request, judged):
            if is_robots_txt_request(request):
                raise IgnoreRequest("not asked: its host is deferred to a later run")
            raise BackingOff(f"rate limited (429): its host is deferred, <{request.url}> is asked by a later run")
        if judged.past:
            self._give_up(request, judged)
            if is_robots_txt_request(request):
                return response  # for RobotsTxtFailureMiddleware: no rules, and nothing more sent
            # One line said the run closes; an ERROR per page asked meanwhile ("Failed …: http-429",
            # each counted failed) said it again. Not seen, it is asked for next run.
            raise BackingOff(f"rate limited (429): the run is closing, <{request.url}> is asked next run")
        if judged.new:
            logger.warning(
                "Rate limited (429) at <%s>: waiting %g s (%s), then asking again (%d of %d)",
                request.url,
                judged.wait,
                "Retry-After" if judged.announced is not None else "no Retry-After; BS_RATE_LIMIT_WAIT, doubled at each 429 in a row",
                max(judged.tries, judged.waits),
                self.retries,
            )
            self.stats.inc_value(stat.RATE_LIMITED_WAITED_SECONDS, round(judged.wait))
        else:
            logger.debug("Rate limited (429) at <%s>, sent before the wait began: asked again after it", request.url)
        self._tell(judged, "429")
        again = request.replace(dont_filter=True)
        again.meta[RATE_LIMITED_META] = judged.tries
        return again

    def _wait_out_unavailable(self, request: Request, response: Response, judged: _Judged) -> Request | Response:
        if judged.past:
            return response
        if judged.new:
            logger.warning(
                "Unavailable (503) at <%s>: waiting %g s (Retry-After), then asking again (%d of %d)",
                request.url, judged.wait, max(judged.tries, judged.waits), self.retries,
            )
            self.stats.inc_value(stat.UNAVAILABLE_WAITED_SECONDS, round(judged.wait))
        self.stats.inc_value(stat.UNAVAILABLE)
        self._tell(judged, "503")
        again = request.replace(dont_filter=True)
        again.meta[UNAVAILABLE_META] = judged.tries
        return again

    def _tell(self, judged: _Judged, reason: str) -> None:
        # The distributed workers' shared politeness holds the other workers' requests as long.
        self.crawler.signals.send_catch_log(signal=site_asked_to_wait, seconds=judged.wait, reason=reason)

    def _defer(self, request: Request, judged: _Judged) -> bool:
        """Leave another host than the site's, whose limit does not lift, to a later run; False for the
        site's own, or where no later run would ask again what this one leaves (``article``)."""
        host = requested_host(request)
        if not self.defers or self.gave_up or not host or host == self.site:
            return False
        if host in self.deferred:
            return True
        logger.warning(
            "Rate limited at <%s> (%s): %s is asked nothing more in this run, its pages are left for a later run; "
            "the run goes on at the site",
            request.url, self._why(judged), host,
        )
        self.crawler.signals.send_catch_log(signal=host_deferred, host=host)
        if judged.announced is not None and judged.wait > self.max_wait:
            self.crawler.signals.send_catch_log(signal=site_asked_not_before, url=request.url, seconds=judged.wait)
        return True

    def _why(self, judged: _Judged) -> str:
        return (
            f"Retry-After asks for {judged.wait:g} s, more than BS_RETRY_AFTER_MAX ({self.max_wait:g} s)"
            if judged.wait > self.max_wait
            else f"still 429 after {max(judged.tries, judged.waits) - 1} waits"
        )

    def _give_up(self, request: Request, judged: _Judged) -> None:
        self.stats.inc_value(stat.RATE_LIMITED_GAVE_UP)
        self._close(request, judged)

    def _close(self, request: Request, judged: _Judged) -> None:
        """Close the run, once. Its hosts stay held: a request still queued in a slot goes a wait apart."""
        if self.gave_up:
            return
        self.gave_up = True
        logger.error("Closing the run: rate limited at <%s> (%s); backing off", request.url, self._why(judged))
        if judged.announced is not None and judged.wait > self.max_wait:
            self.crawler.signals.send_catch_log(signal=site_asked_not_before, url=request.url, seconds=judged.wait)
        stop_run(self.crawler, stat.RATE_LIMITED_REASON)


# Scrapy 2.14 and later name a slot's random part jitter; 2.13, randomize_delay.
_JITTER = "jitter" if hasattr(Slot, "jitter") else "randomize_delay"
# The clock of a slot's lastseen: monotonic from Scrapy 2.14 on, the wall clock in 2.13.
_SLOT_CLOCK: Any = getattr(importlib.import_module("scrapy.core.downloader"), "monotonic", time.time)


@dataclass
class _Streak:
    """A host's waits in a row, and when (time.time()) the last began."""

    waits: int
    since: float


@dataclass
class _HeldSlot:
    """A held download slot as it was (its delay and random part), and the wait it is held to."""

    delay: float
    jitter: Any
    wait: float


@dataclass(frozen=True)
class _Judged:
    """What a 429 or 503 answer asks for: the wait, this request's tries, the host's waits in a row,
    whether it began a wait (not an answer of a request sent before the last one began), and whether
    that is past the bounds."""

    announced: float | None
    wait: float
    tries: int
    waits: int
    new: bool
    past: bool


def host_of(url: str) -> str:
    """The host (and port) a URL names, lower case; empty when it names none."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def requested_host(request: Request) -> str:
    """The host a request asks: for a page Splash renders, the page's, not Splash's."""
    splash = request.meta.get("splash")
    page = splash.get("args", {}).get("url") if isinstance(splash, dict) else None
    return host_of(str(page) if page else request.url)


def _sent_at(request: Request) -> float:
    """When (time.time()) the answered request was sent: as the download handler measured its latency."""
    latency = request.meta.get("download_latency")
    return time.time() - float(latency) if isinstance(latency, (int, float)) else time.time()


class RateLimitGateMiddleware:
    """Let one request at a time go on to the download slot of a host that asked us to wait
    (RateLimitMiddleware holds the slot a wait apart); the others wait here until it is answered.

    Queued in the slot, they were all sent as the run closed (Scrapy's close waits for every request
    in the downloader): when the limit did not lift, at once, up to ``CONCURRENT_REQUESTS`` more
    requests to a site that had just asked for none; on Ctrl-C or SIGTERM, one a wait, for minutes.
    Here they are not sent then (``BackingOff``), and are asked next run. Placed last but the
    distributed workers' budget (950), whose lease is not held meanwhile: nothing after it replaces
    or answers a request (Splash's, the HTTP cache's), so the one let go is downloaded, and leaves
    the downloader.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # Held download slot (host) → its gate.
        self.gates: dict[str, _Gate] = {}
        # How many requests a host's slot sends at once where the slot does not say (its gate let go).
        self.per_domain = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        # Hosts asked nothing more in this run (RateLimitMiddleware's host_deferred): those waiting for one are refused.
        self.deferred: set[str] = set()
        # Places in the downloader lent to the requests waiting here (see _lend).
        self.lent = 0
        self.stopping = False
        # Looks, while requests wait here, whether the spider began to close by a way that sends no
        # run_stopping (CLOSESPIDER_TIMEOUT and its kin, SIGTERM): no signal tells it before the close
        # is over, and the close waits for the requests waiting here.
        self.watch: LoopingCall | None = None
        crawler.signals.connect(self.host_held, signal=host_held)
        crawler.signals.connect(self.host_deferred, signal=host_deferred)
        crawler.signals.connect(self.run_stopping, signal=run_stopping)
        # (request_left_downloader is connected only while a host is held: it is sent for every request.)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitGateMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Coroutine[Any, Any, None] | None:
        if not self.gates or is_robots_txt_request(request):
            return None
        self._refuse_deferred(request)
        # A coroutine only while a host is held: every other request goes on without one.
        return self._admit(request)

    async def _admit(self, request: Request) -> None:
        engine = _running_engine(self.crawler)
        key = engine.downloader.get_slot_key(request) if engine is not None else ""
        waited = False
        while (gate := self.gates.get(key)) is not None or waited:
            if self.stopping or not self.crawler.crawling or run_closing(self.crawler):
                # (Ctrl-C, SIGTERM or CLOSESPIDER_*, which close the spider without stop_run.)
                self.run_stopping()
                raise BackingOff("not asked: the run is closing while the site asked to wait; asked next run")
            if self.deferred and requested_host(request) in self.deferred:
                if gate is not None and gate.waiting:
                    gate.waiting.pop(0).callback(None)  # (the next, refused as well: none is left waiting)
                self._refuse_deferred(request)
            if gate is None:
                return
            if len(gate.admitted) < gate.capacity:
                gate.admitted.add(request)
                return
            waiter: Deferred[None] = Deferred()
            gate.waiting.append(waiter)
            self._watch_for_close()
            lent = self._lend(engine)
            try:
                await maybe_deferred_to_future(waiter)
            finally:
                if lent:
                    self._give_back(engine)
            waited = True

    def _lend(self, engine: Any) -> bool:
        """Let the downloader take one more request while this one waits here: it is in the downloader's
        ``active``, which CONCURRENT_REQUESTS bounds, though nothing is sent for it. Counted, the requests
        waiting for a held host filled it, and another host's requests, found meanwhile, waited for the end
        of the held host's wait (up to BS_RETRY_AFTER_MAX) with no request on its way to their host."""
        downloader = engine.downloader if engine is not None else None
        if downloader is None or downloader.total_concurrency <= 0 or self.lent >= LENT_AT_MOST:
            return False
        downloader.total_concurrency += 1
        self.lent += 1
        return True

    def _give_back(self, engine: Any) -> None:
        engine.downloader.total_concurrency -= 1
        self.lent -= 1

    def _refuse_deferred(self, request: Request) -> None:
        if self.deferred and requested_host(request) in self.deferred:
            # Let go of the gate as its host was deferred: sent, it would be the 429 that host's wait is about.
            raise BackingOff("not asked: its host asked to wait longer than this run does; asked by a later run")

    def host_deferred(self, host: str) -> None:
        self.deferred.add(host)

    def host_held(self, key: str, held: bool) -> None:
        if held:
            if not self.gates:
                self.crawler.signals.connect(self.request_left_downloader, signal=signals.request_left_downloader)
            holding = self.gates.setdefault(key, _Gate())
            holding.capacity, holding.released = 1, False
            return
        gate = self.gates.get(key)
        if gate is None:
            return
        if not gate.waiting:
            self._drop(key)
            return
        # Let go as many as the host's slot sends at once, the next as each leaves the downloader: the
        # requests waiting here (more than CONCURRENT_REQUESTS, as they are lent places) all queued in the
        # slot would all be sent as a closing run waits for the downloader.
        engine = _running_engine(self.crawler)
        slot: Any = engine.downloader.slots.get(key) if engine is not None else None
        gate.capacity = max(1, int(getattr(slot, "concurrency", 0) or self.per_domain))
        gate.released = True
        for _ in range(min(len(gate.waiting), gate.capacity - len(gate.admitted))):
            gate.waiting.pop(0).callback(None)

    def _drop(self, key: str) -> None:
        self.gates.pop(key, None)
        if not self.gates:
            self.crawler.signals.disconnect(self.request_left_downloader, signal=signals.request_left_downloader)

    def _watch_for_close(self) -> None:
        if self.watch is None:
            self.watch = LoopingCall(self._look_for_close)
            self.watch.start(CLOSE_POLL_SECONDS, now=False)

    def _look_for_close(self) -> None:
        if not any(gate.waiting for gate in self.gates.values()):
            self._unwatch()
        elif not self.crawler.crawling or run_closing(self.crawler):
            self.run_stopping()

    def _unwatch(self) -> None:
        if self.watch is not None:
            if self.watch.running:
                self.watch.stop()
            self.watch = None

    def run_stopping(self, **_: Any) -> None:
        """The run closes: the requests waiting for a held host go unsent (asked next run)."""
        self.stopping = True
        self._unwatch()
        for gate in self.gates.values():
            waiting, gate.waiting = gate.waiting, []
            for waiter in waiting:
                waiter.callback(None)

    def request_left_downloader(self, request: Request, **_: Any) -> None:
        self._went(request)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._went(request)  # (one the budget's middleware refused: it never reached the slot)

    def _went(self, request: Request) -> None:
        """The request let go on to a held host is answered or failed: the next one may go."""
        for key, gate in list(self.gates.items()):
            if request in gate.admitted:
                gate.admitted.discard(request)
                if gate.waiting:
                    gate.waiting.pop(0).callback(None)
                elif gate.released and not gate.admitted:
                    self._drop(key)  # (let go, and none waits: the host's requests go on to its slot as any)


# At most this many requests wait for held hosts beyond CONCURRENT_REQUESTS: each is taken from the scheduler
# (a JOBDIR's disk queue too) into memory while it waits.
LENT_AT_MOST = 2000


@dataclass
class _Gate:
    """The requests let go on to a held host's slot (one while it is held, as many as the slot sends at
    once after), and those waiting to be."""

    admitted: set[Request] = field(default_factory=set)
    waiting: list[Deferred[None]] = field(default_factory=list)
    capacity: int = 1
    # Let go (its wait over): dropped once none waits and none admitted is out. Not told by the capacity,
    # which a slot sending one at a time (CONCURRENT_REQUESTS_PER_DOMAIN=1) also gives: the gate stayed,
    # and a closing run refused that host's later requests "while the site asked to wait".
    released: bool = False


class RobotsTxtFailureMiddleware:
    """A robots.txt answered with no rules (an HTML page: the home page, Akamai's block page) is one
    WARNING line and a stat, not an ERROR with a traceback; the crawl then goes on as Scrapy's robots.txt
    middleware lets it: as if robots.txt allowed everything. One that redirects to another host is
    followed there (the off-site checks let it through).

    One that cannot be reached, a server error (5xx), a rate limit that did not lift (429) or no answer
    (a timeout, a refused or reset connection) after the usual retries, is what RFC 9309 (2.3.1.4) has a crawler take as "disallow
    all": one ERROR line, and the run closes without a request to the site; the requests that waited
    for robots.txt are refused (RobotsTxtMiddleware), and asked for next run. Another host's (a short
    link's) is one ERROR line too, and its requests fail; the run goes on at the site.

    It works on the robots.txt request itself, which Scrapy's middleware sends through the downloader
    with ``dont_obey_robotstxt``: the failure is turned into a plain ``IgnoreRequest``, which that
    middleware (on every supported Scrapy version) treats as "no rules" without logging anything.
    Placed just before it (100), so its ``process_request`` runs first and its ``process_exception`` last.

    The rules' ``Crawl-delay`` for our user agent, which Scrapy reads nowhere, is held to: requests to
    the host are spaced that far apart (at most ``AUTOTHROTTLE_MAX_DELAY``), whatever AutoThrottle
    or ``DOWNLOAD_DELAY`` would make of it.

    One larger than ``DOWNLOAD_MAXSIZE`` (and than RFC 9309's 500 KiB) is read as far as that goes,
    one WARNING line saying so: Scrapy cancelled its download, and a ``Disallow: /`` at its start was
    not obeyed.
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        settings = crawler.settings
        self.user_agent = str(settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "")
        self.max_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
        self.site = urlsplit(str(settings.get("BS_BASE_URL") or "")).netloc.lower()
        maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.read_bound = max(maxsize, ROBOTS_TXT_MIN_BYTES) if maxsize > 0 else 0
        # A crawl from Scrapy's HTTP cache alone (HTTPCACHE_IGNORE_MISSING) reads stored article pages and asks
        # the site for none of them: its robots.txt, which the cache never stores, cannot close that run.
        # A look (`parse`, `fetch`, `shell`) has no cache whatever the settings: it asks the site for its
        # page, which an unreachable robots.txt forbids, as in any run.
        self.from_cache_alone = settings.getbool("HTTPCACHE_ENABLED") and settings.getbool("HTTPCACHE_IGNORE_MISSING") and not looking_only()
        # Download slot (host) → the Crawl-delay its robots.txt asks for.
        self.crawl_delays: dict[str, float] = {}
        # The robots.txt requests that may be downloading: the handlers of the download's signals are
        # connected only while there are any (bytes_received is sent for every read of every answer,
        # and each receiver costs ~5 µs a call for nothing on an article's).
        self.robots_txt_downloads: set[Request] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtFailureMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        # (hold_crawl_delay is connected to response_downloaded once a Crawl-delay is read; the
        # robots.txt download's handlers while it downloads.)
        return cls(crawler)

    @staticmethod
    def _is_robots_txt(request: Request) -> bool:
        return is_robots_txt_request(request)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self._is_robots_txt(request):
            # RFC 9309 (2.3.1.2): a robots.txt redirect is followed, to another host too, and what is
            # found there is the site's rules. Refused as off-site, it was "no robots.txt" to Scrapy,
            # without a word: the site's rules went unread.
            request.meta.setdefault("allow_offsite", True)
            if request.meta.pop(ROBOTS_TXT_RECEIVED_META, None) is not None:
                # A redirect or retry of one whose plain answer was let past the bound: its unbounded meta
                # came along, and a gzipped answer here was decoded whole (50 MB of 48 kB, a bomb's GBs).
                request.meta.pop("download_warnsize", None)
                request.meta["download_maxsize"] = self.read_bound
            # A compressed one is bounded so as it decodes (HttpCompressionMiddleware reads the meta).
            request.meta.setdefault("download_maxsize", self.read_bound)
            self._downloading(request)
            return
        if self.robots_txt_downloads:
            self._downloaded(None)
        if self.crawl_delays:
            self.hold_crawl_delay(request)

    def _downloading(self, request: Request) -> None:
        if not self.robots_txt_downloads:
            self.crawler.signals.connect(self.unbound_plain_robots_txt, signal=signals.headers_received)
            self.crawler.signals.connect(self.stop_at_bound, signal=signals.bytes_received)
        self.robots_txt_downloads.add(request)

    def _downloaded(self, request: Request | None) -> None:
        """The request's download is over (None: look which are); the handlers go with the last one."""
        if request is not None:
            self.robots_txt_downloads.discard(request)
        # A retry or a redirect leaves the downloader without this middleware seeing the answer: the
        # downloader's requests in progress tell which downloads may still be going on.
        engine = _running_engine(self.crawler)
        if engine is not None:
            self.robots_txt_downloads &= engine.downloader.active
        if not self.robots_txt_downloads:
            self.crawler.signals.disconnect(self.unbound_plain_robots_txt, signal=signals.headers_received)
            self.crawler.signals.disconnect(self.stop_at_bound, signal=signals.bytes_received)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if self.robots_txt_downloads:
            self._downloaded(request)
        if not self._is_robots_txt(request):
            return response
        why = robots_txt_unreadable(response)
        if why is None:
            response = self._cut_to_bound(request, response)
            if response.body.startswith(UTF8_BOM):
                # A byte-order mark (a Windows editor's UTF-8) left on made the first line, the first
                # group's "User-agent", no line of rules: its Crawl-delay was no one's, and Scrapy 2.13
                # (which keeps the mark) left its rules no one's, a "Disallow: /" for us unobeyed.
                response = response.replace(body=response.body[len(UTF8_BOM) :])
            self._read_crawl_delay(request, response)
            return response
        if response.status == 429 and self.stats.get_value(stat.RATE_LIMITED_GAVE_UP):
            # RateLimitMiddleware gave up on it and closes the run, in a line of its own: read as no rules,
            # the requests that waited for it were sent to the site that had asked us to stop.
            self.stats.inc_value(stat.ROBOTSTXT_UNREACHABLE)
            raise IgnoreRequest(ROBOTSTXT_UNREACHABLE + "HTTP 429")
        if response.status >= 500 or response.status == 429:
            self._unreachable(request, f"HTTP {response.status}")
        # Scrapy reads any body as rules: a 500 page, the home page or Akamai's page, none of them
        # rules, all "allow everything" without a word, where the site's own went unread.
        self.stats.inc_value(stat.ROBOTSTXT_UNREADABLE)
        logger.warning("Could not read <%s> (%s); going on as if it allowed everything", request.url, why)
        raise IgnoreRequest(f"robots.txt unreadable: {why}")

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if self.robots_txt_downloads:
            self._downloaded(request)
        if not self._is_robots_txt(request) or isinstance(exception, IgnoreRequest):
            return
        name = failure_name(exception)
        if name in UNREACHABLE_FAILURES:
            self._unreachable(request, f"{name}: {failure_message(exception).rstrip('.')}")  # (Twisted ends its own with one)
        self.stats.inc_value(stat.ROBOTSTXT_UNREADABLE)
        logger.warning(
            "Could not read <%s> (%s: %s); going on as if it allowed everything",
            request.url,
            type(exception).__name__,
            exception,
        )
        raise IgnoreRequest(f"robots.txt unreadable: {type(exception).__name__}")

    def unbound_plain_robots_txt(self, headers: Any, request: Request, **_: Any) -> None:
        """Let an uncompressed robots.txt larger than the bound come (its first part is read), where
        Scrapy cancels a download whose Content-Length, or whose bytes as they come, pass
        ``DOWNLOAD_MAXSIZE``: nothing was read, and a ``Disallow: /`` for us at its start went unobeyed."""
        if not self.read_bound or not self._is_robots_txt(request) or content_encodings_of(headers):
            return
        # Read before the handler judges the Content-Length; the one line of its size is ours.
        request.meta["download_maxsize"] = request.meta["download_warnsize"] = 0
        request.meta[ROBOTS_TXT_RECEIVED_META] = 0

    def stop_at_bound(self, data: bytes, request: Request, **_: Any) -> None:
        """Stop an uncompressed robots.txt's download once past the bound, keeping what came."""
        received = request.meta.get(ROBOTS_TXT_RECEIVED_META)
        if received is None:
            return
        received += len(data)
        request.meta[ROBOTS_TXT_RECEIVED_META] = received
        if received > self.read_bound:
            raise StopDownload(fail=False)

    def _cut_to_bound(self, request: Request, response: Response) -> Response:
        if not self.read_bound or len(response.body) <= self.read_bound:
            return response
        # At the last line end within it: half a "Disallow: /markets" line would be "Disallow: /m".
        kept = response.body[: response.body.rfind(b"\n", 0, self.read_bound) + 1]
        self.stats.inc_value(stat.ROBOTSTXT_CUT)
        logger.warning(
            "<%s> is larger than %s bytes: its first %s bytes of rules are read and obeyed, the rules past them are not read (RFC 9309)",
            response.url,
            f"{self.read_bound:,}",
            f"{len(kept):,}",
        )
        return response.replace(body=kept)

    def _unreachable(self, request: Request, why: str) -> None:
        # Before, crawled as if it allowed everything: a blip of the site's server had a run fetch what
        # its rules forbid (the /content/ press releases, or all of it), against RFC 9309's "disallow all".
        self.stats.inc_value(stat.ROBOTSTXT_UNREACHABLE)
        asked = request.meta.get("redirect_urls")
        host = urlsplit(str(asked[0]) if asked else request.url).netloc.lower()
        tries = f", asked {request.meta['retry_times'] + 1} times" if request.meta.get("retry_times") else ""
        if self.from_cache_alone:
            logger.warning(
                "<%s> could not be reached (%s%s); a crawl from the HTTP cache alone (HTTPCACHE_IGNORE_MISSING) asks "
                "the site for no article page, so it goes on as if robots.txt allowed everything",
                request.url, why, tries,
            )
            raise IgnoreRequest(f"robots.txt unreadable: {why}")
        if host != self.site:
            logger.error(
                "<%s> could not be reached (%s%s); RFC 9309 has a crawler then fetch nothing from %s: its requests fail in this run",
                request.url, why, tries, host,
            )
            raise IgnoreRequest(ROBOTSTXT_UNREACHABLE_ELSEWHERE + why)
        if looking_only():
            # A look keeps nothing for a next run: "it is all asked for next run" promised what it does not do.
            logger.error(
                "Closing the look: <%s> could not be reached (%s%s); RFC 9309 has a crawler then fetch nothing "
                "from the site: the page was not fetched; look again once robots.txt answers",
                request.url, why, tries,
            )
        else:
            logger.error(
                "Closing the run: <%s> could not be reached (%s%s); RFC 9309 has a crawler then fetch nothing "
                "from the site: nothing was, and it is all asked for next run",
                request.url, why, tries,
            )
        stop_run(self.crawler, stat.ROBOTSTXT_UNREACHABLE_REASON)
        raise IgnoreRequest(ROBOTSTXT_UNREACHABLE + why)

    def _read_crawl_delay(self, request: Request, response: Response) -> None:
        if not 200 <= response.status < 300:
            return  # a 404 or 410: no rules, no delay
        # Scrapy's default parser, read for the one value Scrapy's middleware never asks it for.
        delay = Protego.parse(response.body.decode("utf-8", "ignore")).crawl_delay(self.user_agent)
        if delay is None or not 0 < delay < float("inf"):
            return
        asked = request.meta.get("redirect_urls")
        # The site's slot: the host robots.txt was asked of, not where a redirect led.
        key = urlsplit(str(asked[0])).hostname if asked else urlparse_cached(request).hostname
        held = min(float(delay), self.max_delay)
        self.stats.set_value(stat.ROBOTSTXT_CRAWL_DELAY_MS, round(held * 1000))
        # A distributed worker's shared politeness answers True: it spaces the requests of all workers
        # together, and a slot of this worker held apart as well would put off a request the shared
        # spacing let go, next to another worker's.
        answers = self.crawler.signals.send_catch_log(signal=crawl_delay_read, host=key or "", delay=held)
        shared = any(answer is True for _, answer in answers)
        if not shared:
            if not self.crawl_delays:
                # After AutoThrottle's handler (extensions connect first), which may have lowered the delay.
                self.crawler.signals.connect(self.hold_crawl_delay, signal=signals.response_downloaded)
            self.crawl_delays[key or ""] = held
            # Now: the requests held back until robots.txt was read go to the slot as soon as it is.
            self._hold(key or "")
        if held < delay:
            logger.warning(
                "<%s> asks for a Crawl-delay of %g s; holding to AUTOTHROTTLE_MAX_DELAY (%g s) between requests to %s",
                request.url,
                delay,
                held,
                key,
            )
        else:
            logger.info(
                "<%s> asks for a Crawl-delay of %g s: requests to %s are spaced that far apart%s",
                request.url, delay, key, " by all workers together" if shared else "",
            )

    def hold_crawl_delay(self, request: Request, **_: Any) -> None:
        """Keep the request's download slot at least the Crawl-delay apart, without the random part
        (which would halve it at times)."""
        engine = self.crawler.engine if self.crawl_delays else None
        if engine is not None:
            self._hold(engine.downloader.get_slot_key(request))

    def _hold(self, key: str) -> None:
        delay = self.crawl_delays.get(key)
        engine = self.crawler.engine
        if delay is None or engine is None:
            return
        downloader = engine.downloader
        # Scrapy 2.14 and later name the random part jitter; 2.13, randomize_delay.
        jitter = "jitter" if hasattr(Slot, "jitter") else "randomize_delay"
        # For the slot made again after Scrapy dropped it as idle.
        floor = max(delay, self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
        downloader.per_slot_settings[key] = {**downloader.per_slot_settings.get(key, {}), "delay": floor, jitter: 0.0 if jitter == "jitter" else False}
        slot: Any = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay)
            setattr(slot, jitter, 0.0 if jitter == "jitter" else False)


def _running_engine(crawler: Any) -> Any:
    """The crawler's engine, or None before the crawl has one (Scrapy 2.14 and later raise on reading it then)."""
    try:
        return crawler.engine
    except RuntimeError:
        return None


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, whose rules reach every request that waited for them.

    From Scrapy 2.14 on, the requests that arrive while robots.txt is on its way await one Twisted
    Deferred together; awaiting a Deferred takes its result (the next waiter gets None), so the
    first waiter was checked and every other one went out as if the site had no robots.txt: seven of
    `latest`'s nine sources were fetched from a site whose robots.txt disallowed us. Here each waiter
    has a Deferred of its own, fired with the parser. Scrapy 2.13 chained them so itself.
    """

    if inspect.iscoroutinefunction(ScrapyRobotsTxtMiddleware.robot_parser):

        async def robot_parser(self, request: Request) -> Any:  # type: ignore[override,unused-ignore]
            pending = self._parsers.get(urlparse_cached(request).netloc)
            if not isinstance(pending, Deferred):
                return await super().robot_parser(request)  # type: ignore[call-arg,misc,unused-ignore]
            own: Deferred[Any] = Deferred()

            def hand_on(result: Any) -> Any:
                own.callback(result)
                return result  # for the next waiter

            pending.addBoth(hand_on)
            return await maybe_deferred_to_future(own)

    def _robots_error(self, exc: Any, netloc: str) -> None:
        # Scrapy 2.13 hands on a Failure, later ones the exception.
        error = getattr(exc, "value", exc)
        said = str(error) if isinstance(error, IgnoreRequest) else ""
        pending = self._parsers.get(netloc)
        if said == MAX_REDIRECTIONS and isinstance(pending, Deferred):
            # RFC 9309 (2.3.1.2): past five redirects a crawler "MAY assume that the robots.txt file is
            # unavailable", and may then crawl all of the site (2.3.1.3), as after a 404. Scrapy gave the
            # redirects up at a DEBUG line, and the rules went unread without a word.
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.ROBOTSTXT_UNREADABLE)
            logger.warning(
                "robots.txt of %s was redirected more than %d times (REDIRECT_MAX_TIMES: a loop, or a chain that does not end); "
                "RFC 9309 takes it as unavailable, as a 404: going on as if it had no rules",
                netloc,
                self.crawler.settings.getint("REDIRECT_MAX_TIMES"),
            )
        if not (said.startswith((ROBOTSTXT_UNREACHABLE, ROBOTSTXT_UNREACHABLE_ELSEWHERE)) and isinstance(pending, Deferred)):
            super()._robots_error(exc, netloc)
            return
        # Scrapy's own takes it as no rules: every request that waited went out, the run closing or not.
        site = said.startswith(ROBOTSTXT_UNREACHABLE)
        refusing = UnreachableRobots(said.removeprefix(ROBOTSTXT_UNREACHABLE if site else ROBOTSTXT_UNREACHABLE_ELSEWHERE), closing=site)
        self._parsers[netloc] = refusing
        pending.callback(refusing)


class UnreachableRobots(RobotParser):
    """The rules of a host whose robots.txt could not be reached: no request is sent (RFC 9309's
    "disallow all"). The site's are refused as not asked, as the run closes (RobotsTxtUnreachable);
    another host's fail (an IgnoreRequest, ``ignored``), their articles fetched next run."""

    def __init__(self, why: str, closing: bool) -> None:
        self.why = why
        self.closing = closing

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> UnreachableRobots:
        return cls("", closing=False)

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        refused = RobotsTxtUnreachable if self.closing else IgnoreRequest
        raise refused(f"not asked: robots.txt could not be reached ({self.why})")


def robots_txt_unreadable(response: Response) -> str | None:
    """Why an answer to robots.txt holds no rules to read (a server error, an HTML page), or None.

    A 404 or 410 (any 4xx without a page) is the site saying it has none: RFC 9309 crawls on.
    """
    status = response.status
    if status >= 500:
        return f"HTTP {status}"
    if status in (404, 410):
        return None
    # Rules are lines of "name: value" and comments: no line of them begins with "<".
    if response.body.removeprefix(UTF8_BOM).lstrip(b" \t\r\n").startswith(b"<"):
        return f"an HTML page, not rules (HTTP {status})"
    if response.body and not response.body.strip(b"\0"):
        # A stored copy whose bytes were never written (labelled with a Content-Encoding or not).
        return f"NUL bytes only, not rules (HTTP {status})"
    return None


class PartialContent(PotentialDataLoss):
    """A 206 answer to a request that asked for no range: a part of the document (failures.py names it data loss)."""


class PartialContentMiddleware:
    """A 206 (Partial Content) answer to a request that sent no ``Range`` is retried like a download
    cut short, then failed as one (``data-loss``), through the request's errback; so is an HTML page
    whose body had no length (no ``Content-Length``, not chunked: it ends where the connection does)
    and stops before its document does, and one whose length came whole but whose document stops all
    the same (a copy an edge stored cut short; a ``Content-Length`` short of the body). A feed or sitemap so cut is asked again too, and the last one
    read: its parser tells the cut, and a feed's items before it are fetched.

    A CDN edge may serve the part of an object it holds; Scrapy passes any 2xx to the callback, and
    half an article page extracts to a half-empty item written as good (half a listing reads as a
    whole one). A connection that drops mid-page, where only its closing frames the body (an HTTP/1.0
    server or proxy), is the same half page to Scrapy, flagged ``partial`` like every such body.
    Placed before the HTTP cache (900) in the answer's way, so the part is not stored over the page
    ``reextract`` reads, and after the site budget (950), which counts every answer.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PartialContentMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        if response.status == 206 and b"Range" not in request.headers:
            content_range = (response.headers.get(b"Content-Range") or b"no Content-Range").decode("latin-1")
            # Counted by Scrapy under retry/reason_count/<reason>: one name, not one per Content-Range.
            retry_reason, reason = "206 Partial Content", f"206 Partial Content ({content_range}) to a request for the whole page"
        elif PARTIAL_FLAG in response.flags and 200 <= response.status < 300 and page_cut_short(response):
            retry_reason = reason = "the connection closed before the end of the page (no Content-Length)"
        elif 200 <= response.status < 300 and STORED_FLAG not in response.flags and page_cut_short(response):
            # Its Content-Length (or its chunks) came whole, yet the page stops: a CDN edge that stored
            # the page cut short serves the part with a length agreeing, and an origin that counts the
            # length in characters (or a proxy that adds to the page) frames a length short of the body,
            # the rest dropped by Twisted. Either way half a page, written as a good item and marked seen.
            # (A page `reextract` reads from a store was judged when it was fetched; the rules read it.)
            retry_reason, reason = CUT_PAGE_RETRY_REASON, CUT_PAGE_REASON
        elif PARTIAL_FLAG in response.flags and 200 <= response.status < 300 and document_cut_short(response):
            # A feed or sitemap: asked again, as the same drop with a Content-Length is; the last one is
            # read, and its parser tells the cut (a feed's items closed before it are fetched).
            reason = "the connection closed before the end of the document (no Content-Length)"
            if not request.meta.get("dont_retry") and not is_robots_txt_request(request):
                assert self.crawler.spider is not None
                again = get_retry_request(request, spider=self.crawler.spider, reason=reason)
                if again is not None:
                    return again
            return response
        else:
            return response
        if is_robots_txt_request(request):
            # Scrapy's robots.txt middleware has no errback (it logged the failure with a traceback):
            # the rules that arrived are read, which keeps the crawl to more of them than none would.
            return response
        if not request.meta.get("dont_retry"):
            assert self.crawler.spider is not None
            again = get_retry_request(request, spider=self.crawler.spider, reason=retry_reason)
            if again is not None:
                return again
        raise PartialContent(reason)


# Scrapy's flag of a body whose end only the connection's closing marked (no Content-Length, not chunked).
PARTIAL_FLAG = "partial"
# The flag of an answer `reextract` reads from a store (crawler/reextract/middleware.py).
STORED_FLAG = "stored"
# An HTML page whose framing (Content-Length, chunks, a compressed stream) came whole, its document not.
CUT_PAGE_RETRY_REASON = "the page ends before its document does (its length whole)"
CUT_PAGE_REASON = (
    "the page ends before its document does, though its Content-Length or chunks came whole (a copy stored cut short, or a length short of the body)"
)
# An HTML document ends with these; they are looked for in its last bytes (scripts and comments may follow).
_DOCUMENT_ENDS = (b"</html", b"</body")
_DOCUMENT_TAIL = 16 * 1024
# What a page may carry after its end and still be judged whole: its size, and how many blocks.
_TRAILER_MAX = 256 * 1024
_TRAILER_BLOCKS = 64
# Blank and NUL bytes a page may end in; the quick look at a page's end reads its last bytes past these.
_PADDING = b" \t\r\n\f\v\0"
_QUICK_TAIL = 64


def page_cut_short(response: Response) -> bool:
    """Whether an HTML page stops before its document's end (it opens ``<html>``, and its last bytes,
    past the comments, scripts and padding that may follow its end, close neither ``<body>`` nor ``<html>``). Answers of other kinds (a feed sent as text/html), and
    compressed ones (their stream tells), are not judged."""
    if not isinstance(response, HtmlResponse):
        return False
    # Most pages end in their end tag: whole, whatever else is true of them (the search below copies
    # and lowers the whole head and tail of every page, ~20 µs a 13 kB page).
    if response.body[-_QUICK_TAIL:].rstrip(_PADDING)[-len(b"</html>") :].lower() == b"</html>":
        return False
    if response.headers.get(b"Content-Encoding"):
        return False
    if b"<html" not in response.body[:_DOCUMENT_TAIL].lower():
        return False
    tail = response.body.rstrip(_PADDING)[-(_DOCUMENT_TAIL + _TRAILER_MAX) :].lower()
    # Past what a whole page may carry after its end: blank or NUL padding a template leaves (64 KB of it
    # was taken for a cut), and comments and scripts (a cache's note, a tracker a proxy adds; 16 KB of them
    # failed a whole page at every run). A cut page ending in such a block still has no end before it.
    for _ in range(_TRAILER_BLOCKS):
        tail = tail.rstrip(_PADDING)
        opens = tail.rfind(b"<!--") if tail.endswith(b"-->") else tail.rfind(b"<script") if tail.endswith(b"</script>") else -1
        if opens < 0:
            break
        tail = tail[:opens]
    return not any(end in tail[-_DOCUMENT_TAIL:] for end in _DOCUMENT_ENDS)


# An XML document's root element (the first element after its declaration and comments).
# (A comment left open runs to the end: matched once, not again from each "<!--" inside it.)
_XML_COMMENTS = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def document_cut_short(response: Response) -> bool:
    """Whether an XML document (a feed, a sitemap) stops before its root element's end tag, looked for
    in its last bytes. Answers that are no XML document, and compressed ones, are not judged."""
    if not isinstance(response, TextResponse) or response.headers.get(b"Content-Encoding"):
        return False
    head = response.body[:_DOCUMENT_TAIL]
    if not (isinstance(response, XmlResponse) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")):
        return False
    root = _XML_ROOT.search(_XML_COMMENTS.sub(b"", head))
    if root is None or root.group(1).lower() == b"html":
        return False
    return b"</" + root.group(1) not in response.body[-_DOCUMENT_TAIL:]


# Scrapy's flag of a response whose body arrived in part (with DOWNLOAD_FAIL_ON_DATALOSS off).
DATALOSS_FLAG = "dataloss"
_STREAM_CHUNK = 64 * 1024
# Compressed bytes handed to zlib at a time: it copies what follows a member's end (unused_data), and
# a body of 100,000 empty gzip members, fed whole, was copied once per member (5 s; Scrapy decodes it in 0.4).
_STREAM_INPUT = 4096


class WholeStreamHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, with a compressed body whose stream ends early flagged ``dataloss``,
    and one that does not decode at all retried, then failed as ``undecodable``.

    Scrapy decodes "as much data as possible" of a gzip, deflate or brotli stream cut short: a CDN
    edge that stored the compressed page cut short (its Content-Length agreeing) handed the first
    part of the page to the spider as the page, which wrote it as a good item lacking what the tail
    holds, and marked it seen. The spiders treat the flag as Scrapy's own: a body received in part.

    A stream broken midway (a corrupt object on an edge, bytes flipped by a proxy) made Scrapy raise
    zlib's, brotli's or zstd's own error from here: never retried (RetryMiddleware retries download
    errors only), counted as ``other``, and for robots.txt an ERROR with a traceback naming the
    article that waited for it.
    """

    def __init__(self, stats: StatsCollector | None = None, *, crawler: Crawler | None = None) -> None:
        super().__init__(stats, crawler=crawler)
        self.crawler = crawler

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        lines = response.headers.getlist(b"Content-Encoding")
        if not lines:
            return response  # (most answers: nothing to decode, and Scrapy's decoding passes them on as they are)
        encodings = _codings(lines)
        if lines != encodings:
            # Scrapy's decoding reads the header as written (and stops at a coding it does not know).
            if encodings:
                response.headers.setlist(b"Content-Encoding", encodings)
            else:
                del response.headers[b"Content-Encoding"]
        if encodings and request.method != "HEAD" and not response.body.strip(b"\0"):
            # No stream at all, not one cut short or broken: an empty answer that names an encoding (a
            # server that labels every answer so), or a stored copy whose bytes were never written (NULs,
            # which every decoder rejects). Passed on as the bytes they are: skipped as empty downstream.
            del response.headers[b"Content-Encoding"]
            return response
        if len(encodings) == 1 and is_robots_txt_request(request):
            bound = int(request.meta.get("download_maxsize", self._max_size))
            first = _first_decoded(response.body, encodings[0], bound + 1) if bound > 0 else None
            if first is not None and len(first) > bound:
                # Scrapy refuses a body that decodes past the bound, and robots.txt was no rules: an edge
                # gzips text, so a robots.txt too large came so. RobotsTxtFailureMiddleware reads its first part.
                del response.headers[b"Content-Encoding"]
                return response.replace(body=first)
        try:
            # Scrapy 2.13 wants the spider (and always passes it); later versions deprecate passing it.
            if spider is not None:
                decoded = super().process_response(request, response, spider)
            else:
                decoded = super().process_response(request, response)  # type: ignore[call-arg,unused-ignore]
        except IgnoreRequest:
            raise  # larger than DOWNLOAD_MAXSIZE once decoded: Scrapy's own refusal
        except Exception as error:  # noqa: BLE001 - zlib.error, brotli.error, ZstdError, OSError, EOFError, struct.error
            cut = encodings in ([b"gzip"], [b"x-gzip"]) and _zlib_stream_state(response.body, 31) == _CUT
            if not cut or is_robots_txt_request(request):  # (robots.txt: no rules came, one WARNING says so)
                return self._undecodable(request, response, b", ".join(encodings).decode("latin-1"), f"{type(error).__name__}: {error}")
            # gzip's decoder raises on a stream that ends before it gave a byte (its header, a block's
            # code tables), where it hands over what it read of one cut later: a cut, not a corrupt body.
            del response.headers[b"Content-Encoding"]
            decoded = response.replace(body=b"")
        if not encodings or not isinstance(decoded, Response) or decoded is response or request.method == "HEAD":
            return decoded
        # The last encoding was applied last: its stream is the body's. Its size is known when it is the only one.
        size = len(decoded.body) if len(encodings) == 1 else None
        crc = zlib.crc32(decoded.body) if size is not None and encodings[-1] in GZIP_ENCODINGS else None
        if not stream_ended(response.body, encodings[-1], size, crc):
            if stream_broken(response.body, encodings[-1]):
                # Scrapy's gunzip keeps what it decoded before an error, garbled bytes or a check that
                # does not match included: that would be read as the page.
                return self._undecodable(request, response, encodings[-1].decode("latin-1"), "garbled data, or a check that does not match")
            decoded.flags.append(DATALOSS_FLAG)
            if 200 <= decoded.status < 300 and page_article_id(None, request.url) is None and not is_robots_txt_request(request):
                # A listing page, feed or sitemap, asked again while retries last (a CDN's copy cut short
                # is often whole the next time: a monthly sitemap so cut was a month lost from the
                # backfill). The last one is read flagged: a listing is a failed source whose links
                # before the cut are fetched, a feed or sitemap tells a cut document by parsing it.
                # (Article pages read the flag.)
                return self._retried(request, response) or decoded
        elif 200 <= decoded.status < 300 and STORED_FLAG not in decoded.flags and page_cut_short(decoded):
            # A whole stream of a page cut short: an edge that compresses, as it sends it, the copy it
            # stored cut short (PartialContentMiddleware judges the answers that come uncompressed).
            fetched = "cached" not in decoded.flags
            if fetched and not request.meta.get("dont_retry") and self.crawler is not None and self.crawler.spider is not None:
                again = get_retry_request(request, spider=self.crawler.spider, reason=CUT_PAGE_RETRY_REASON)
                if again is not None:
                    return again
            raise PartialContent(CUT_PAGE_REASON)
        return decoded

    def _retried(self, request: Request, response: Response) -> Request | None:
        fetched = not {"stored", "cached"} & set(response.flags)
        if fetched and not request.meta.get("dont_retry") and self.crawler is not None and self.crawler.spider is not None:
            return get_retry_request(request, spider=self.crawler.spider, reason="compressed body cut short")
        return None


    def _undecodable(self, request: Request, response: Response, encoding: str, why: str) -> Request:
        reason = f"its body does not decode as {encoding} ({why})"
        if is_robots_txt_request(request):
            # Scrapy's robots.txt middleware reads an IgnoreRequest as "no rules", without a word.
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value(stat.ROBOTSTXT_UNREADABLE)
            logger.warning("Could not read <%s> (%s); going on as if it allowed everything", request.url, reason)
            raise IgnoreRequest(f"robots.txt unreadable: {reason}")
        # A stored or cached answer is the same bytes however often it is asked for.
        fetched = not {"stored", "cached"} & set(response.flags)
        if fetched and not request.meta.get("dont_retry") and self.crawler is not None and self.crawler.spider is not None:
            # Counted by Scrapy under retry/reason_count/<reason>: one name, not one per decoder message.
            again = get_retry_request(request, spider=self.crawler.spider, reason="undecodable body")
            if again is not None:
                return again
        raise UndecodableBody(reason)


GZIP_ENCODINGS = (b"gzip", b"x-gzip")


def _first_decoded(body: bytes, encoding: bytes, size: int) -> bytes | None:
    """The first ``size`` bytes a gzip or deflate body decodes to (fewer when it ends first), or None
    for other encodings and a body that does not decode (Scrapy's decoding judges those)."""
    windows = {b"gzip": (31,), b"x-gzip": (31,), b"deflate": (15, -15)}.get(encoding, ())
    for wbits in windows:
        try:
            return zlib.decompressobj(wbits).decompress(body, size)  # bounded: a bomb stops at size
        except zlib.error:
            continue
    return None


def content_encodings_of(headers: Any) -> list[bytes]:
    """:func:`content_encodings` of a set of headers (as the ``headers_received`` signal hands them)."""
    return content_encodings(Response("about:blank", headers=headers))


def content_encodings(response: Response) -> list[bytes]:
    """The codings of a body, in the order applied, from every ``Content-Encoding`` line: ``identity``
    (no coding, RFC 9110 8.4.1) and empty entries left out. ``gzip, identity`` is a gzip body: read
    whole, Scrapy's decompression stopped at ``identity`` and passed the body on packed, and the cache
    judged no stream of it."""
    return _codings(response.headers.getlist(b"Content-Encoding"))


def _codings(lines: list[bytes]) -> list[bytes]:
    return [coding for line in lines for coding in (part.strip().lower() for part in line.split(b",")) if coding and coding != b"identity"]
# What decoding a zlib stream again finds: its end, the bytes running out first, or an error before its end.
_ENDED, _CUT, _BROKEN = "ended", "cut", "broken"


def stream_ended(body: bytes, encoding: bytes, decoded_size: int | None = None, decoded_crc: int | None = None) -> bool:
    """Whether a gzip, deflate, brotli or zstd body holds its stream to the end (other encodings: True).

    ``decoded_size``: the size it decodes to, when known (``decoded_crc``: its CRC-32); a whole gzip
    stream ends with both (the size mod 2**32), so most bodies are judged by one comparison, the rest
    by decoding once more.
    """
    if encoding in GZIP_ENCODINGS:
        if (
            decoded_size is not None
            and len(body) >= 18
            and int.from_bytes(body[-4:], "little") == decoded_size & 0xFFFFFFFF
            and (decoded_crc is None or int.from_bytes(body[-8:-4], "little") == decoded_crc)
        ):
            return True
        return _zlib_stream_state(body, 31) == _ENDED
    if encoding == b"deflate":
        # zlib-wrapped, as the standard says, or raw deflate, as some servers send it (Scrapy reads both).
        return _zlib_stream_ended(body, 15) or _zlib_stream_ended(body, -15)
    if encoding == b"br":
        return _brotli_stream_ended(body)
    if encoding == b"zstd":
        return _zstd_stream_ended(body)
    return True


def stream_broken(body: bytes, encoding: bytes) -> bool:
    """Whether a gzip body's first member is broken before its end (garbled data, a check that does not
    match), rather than cut short; other encodings' decoders raise on such a body, gzip's keeps what it read."""
    return encoding in GZIP_ENCODINGS and _zlib_stream_state(body, 31) == _BROKEN


def _zlib_stream_ended(body: bytes, wbits: int) -> bool:
    return _zlib_stream_state(body, wbits) == _ENDED


def _zlib_stream_state(body: bytes, wbits: int) -> str:
    view = memoryview(body)
    at = 0
    padded = len(body.rstrip(b"\0"))  # (where the zero padding a server may add after the last member begins)
    members = 0
    while True:
        stream = zlib.decompressobj(wbits)
        try:
            while not stream.eof and at < len(body):
                piece = view[at : at + _STREAM_INPUT]
                pending: bytes | memoryview = piece
                while True:
                    produced = stream.decompress(pending, _STREAM_CHUNK)  # bounded; the output is not kept
                    if stream.eof:
                        break
                    pending = stream.unconsumed_tail
                    # Output that filled the bound may not be all of it though the input is taken: a raw
                    # deflate stream (no trailer) whose last match spans the bound was judged cut.
                    if not pending and len(produced) < _STREAM_CHUNK:
                        break
                at += len(piece) - len(stream.unused_data)
        except zlib.error:
            # Not a stream at all, or broken midway; after a whole gzip member, trailing bytes.
            return _ENDED if members > 0 else _BROKEN
        if not stream.eof:
            return _CUT
        members += 1
        # gzip members may follow one another (RFC 1952); zero padding after the last is common.
        if wbits != 31 or at >= padded:
            return _ENDED
        if not b"\x1f\x8b".startswith(body[at : at + 2]):
            # Bytes that begin no member (a line break a page script printed after its output): Scrapy
            # reads the body whole. Too few for zlib to reject, they were taken for a member cut short.
            return _ENDED


def _brotli_stream_ended(body: bytes) -> bool:
    try:
        brotli: Any = importlib.import_module("brotli")
    except ImportError:
        try:
            brotli = importlib.import_module("brotlicffi")
        except ImportError:
            return True  # Scrapy could not have decoded it either
    decompressor = brotli.Decompressor()
    try:
        # As large as what Scrapy decoded already, within DOWNLOAD_MAXSIZE.
        decompressor.process(body)
    except brotli.error:
        return False
    return bool(decompressor.is_finished())


def _zstd_stream_ended(body: bytes) -> bool:
    # Scrapy 2.14+ decodes zstd with compression.zstd (Python 3.14) or its backport, 2.13 with zstandard:
    # each reads a stream cut short as far as it goes, without a word.
    for name in ("compression.zstd", "backports.zstd"):
        try:
            zstd: Any = importlib.import_module(name)
        except ImportError:
            continue
        return _frames_ended(body, zstd.ZstdDecompressor, zstd.ZstdError)
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        return True  # Scrapy could not have decoded it either
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    try:
        decompressor.decompress(body)  # as large as what Scrapy decoded already, within DOWNLOAD_MAXSIZE
    except zstandard.ZstdError:
        return False
    return bool(getattr(decompressor, "eof", True))


def _frames_ended(body: bytes, decompressor_class: Any, error: type[Exception]) -> bool:
    """Whether a zstd body ends with its last frame whole (frames may follow one another, as gzip members)."""
    # Fed a few KB at a time, as gzip's members (_STREAM_INPUT): what follows a frame's end is a copy.
    view = memoryview(body)
    at = 0
    padded = len(body.rstrip(b"\0"))
    frames = 0
    while True:
        decompressor = decompressor_class()
        try:
            while not decompressor.eof and at < len(body):
                piece = view[at : at + _STREAM_INPUT]
                decompressor.decompress(piece, _STREAM_CHUNK)  # bounded; the output is not kept
                while not decompressor.eof and not decompressor.needs_input:
                    decompressor.decompress(b"", _STREAM_CHUNK)
                at += len(piece) - len(decompressor.unused_data)
        except error:
            return frames > 0
        if not decompressor.eof:
            return False
        frames += 1
        if at >= padded:
            return True


def is_robots_txt_request(request: Request) -> bool:
    """Whether the request is the one Scrapy's robots.txt middleware makes (or a redirect of it)."""
    meta = request.meta
    if not meta.get("dont_obey_robotstxt"):
        return False  # (every other request: the URL is not read)
    # By the URL asked for: a robots.txt redirected elsewhere may have another name there.
    asked = meta.get("redirect_urls")
    path = urlsplit(str(asked[0])).path if asked else urlparse_cached(request).path
    return path == "/robots.txt"


class OffsiteRedirect(IgnoreRequest):
    """A request the site redirected to another host; ``target`` is where."""

    def __init__(self, target: str) -> None:
        super().__init__(f"redirected off the site to <{target}>")
        self.target = target


class OffsiteRedirectMiddleware:
    """Refuse a redirect to another host where it happens, through the request's errback.

    Scrapy's off-site filter drops the redirected request when it is scheduled, with no errback
    and no log line above DEBUG: a feed that moved elsewhere, or an article that did, would be
    lost in silence. Here the request fails with :class:`OffsiteRedirect`, which the spiders
    count and log by name. Placed after RedirectMiddleware (it sees the 3xx answer first).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if not 300 <= response.status < 400 or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect") or request.meta.get("allow_offsite"):
            return response
        target = redirect_target(request, response.headers[b"Location"] or b"")
        if is_offsite(self.crawler, target):
            raise OffsiteRedirect(target)
        return response


def redirect_target(request: Request, location: bytes) -> str:
    """Where Scrapy's RedirectMiddleware sends a request answered with this ``Location``: read as it
    reads it (w3lib's ``safe_url_string``, which takes ``https:\\host/`` for ``https://host/``), so that
    a Location it follows to another host is judged as one."""
    try:
        url = safe_url_string(location)
    except (UnicodeDecodeError, ValueError):
        url = location.decode("latin-1")
    if location.startswith(b"//"):
        url = urlsplit(request.url).scheme + "://" + url.lstrip("/")
    return urljoin(request.url, url)


def is_offsite(crawler: Crawler, url: str) -> bool:
    """Whether ``url`` is an http(s) URL off the spider's allowed domains (none: nothing is off-site)."""
    domains = [d.lower() for d in getattr(crawler.spider, "allowed_domains", None) or [] if d]
    return bool(domains) and url.startswith(("http://", "https://")) and not _on_domains(url, domains)


def _on_domains(url: str, domains: list[str]) -> bool:
    # By host name, port aside, as Scrapy's OffsiteMiddleware judges (the loopback site has a port).
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in domains)


class ReloadIgnoringMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, except a refresh to the page itself, and one
    to another host, which fails the request as :class:`OffsiteRedirect` (as a 3xx there does).

    Listings and live pages reload themselves every minute or so (``content="60;url=<the page>"``):
    that is a reload for a reader, not a move. Followed, the page was fetched again and again until
    ``REDIRECT_MAX_TIMES``, then given up ("max redirections reached"), never read. It is read as it
    came instead. A refresh to another URL is followed as before.
    """

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReloadIgnoringMetaRefreshMiddleware:
        middleware = super().from_crawler(crawler)
        # Scrapy 2.13's redirect middlewares keep no crawler (later ones do): the off-site check
        # below reads the spider's allowed domains through it.
        middleware.crawler = crawler
        return middleware

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_refresh(response.body):
            # Scrapy decodes the whole page and runs three expressions over its head to find a
            # refresh, for every page: 4% of a crawl's CPU, spared where the word is not there.
            return response
        # Scrapy 2.13 wants the spider (and always passes it); later versions deprecate passing it.
        if spider is not None:
            result = super().process_response(request, response, spider)
        else:
            result = super().process_response(request, response)  # type: ignore[call-arg,unused-ignore]
        if isinstance(result, Request) and result is not request and _same_page(result.url, response.url):
            return response
        if isinstance(result, Request) and result is not request and isinstance(response, TextResponse) and is_block_page(response.text):
            # A bot challenge's refresh (Akamai's interstitial reloads the page with `bm-verify` in its
            # query): followed, it answered the challenge again until REDIRECT_MAX_TIMES, a failure no
            # one counted as a block. Read as it came, it is one.
            return response
        if isinstance(result, Request) and result is not request and not request.meta.get("allow_offsite") and is_offsite(self.crawler, result.url):
            # As a 3xx to another host (OffsiteRedirectMiddleware): the spiders' requests that are not
            # duplicate-filtered (`article`'s) skip Scrapy's off-site filter too, and went there.
            raise OffsiteRedirect(result.url)
        return result


# w3lib reads a refresh from the first 4,096 characters of the page's text: at most four bytes each
# in any encoding whose letters are ASCII bytes.
_REFRESH_HEAD_BYTES = 4 * 4096


def may_refresh(body: bytes) -> bool:
    """Whether a page's head may hold a ``<meta http-equiv="refresh">`` (False only when it cannot;
    UTF-16 and UTF-32 text, with NUL bytes between its letters, always may)."""
    head = body[:_REFRESH_HEAD_BYTES]
    # (bytes.lower() folds ASCII letters alone, as a case-blind search of the word needs; a case-blind
    # expression is several times slower.)
    return b"refresh" in head.lower() or b"\x00" in head


def _same_page(url: str, other: str) -> bool:
    try:
        return canonicalize_url(url) == canonicalize_url(other)
    except ValueError:
        return False


# What a domain of a cookie jar keeps: browsers keep some 50 to 180 cookies a site (RFC 6265 asks at
# least 50), and front ends refuse a Cookie header much past 8 KB (nginx's default buffer; 400 or 431).
MAX_COOKIES_PER_DOMAIN = 50
MAX_COOKIE_BYTES_PER_DOMAIN = 8 * 1024


# Akamai Bot Manager's cookies (the site sits behind Akamai): an edge adds its Set-Cookie lines after the
# origin's, and a request sent without them is one it takes for a bot's. Kept before any other.
_EDGE_COOKIE = re.compile(r"_abck|ak_bmsc|bm_\w+|akavpau_\w+|sbsd\w*")


def bound_cookie_jar(jar: CookieJar) -> int:
    """Refuse the cookies past :data:`MAX_COOKIES_PER_DOMAIN` or :data:`MAX_COOKIE_BYTES_PER_DOMAIN` (as the
    Cookie header counts them) of what a request to a host carries: its own and those of every domain
    above it. Akamai's bot-manager cookies are kept first, then the first set; how many were refused."""
    # The jar's own mapping (domain → path → name → cookie) keeps the order they were first set in;
    # iterating the jar sorts them by name.
    domains: dict[str, dict[str, dict[str, Cookie]]] = getattr(jar, "_cookies")
    refused = 0
    # A domain's cookies are judged after those of the domains above it (Domain=.business-standard.com
    # goes with every request to www., m. and hindi.), in what they leave; siblings do not share.
    held: dict[str, tuple[int, int]] = {}
    for domain in sorted(domains, key=lambda name: (name.lstrip(".").count("."), not name.startswith("."))):
        host = domain.lstrip(".")
        above = [held[parent] for parent in held if parent.startswith(".") and (host == parent[1:] or host.endswith(parent))]
        kept, size = sum(count for count, _ in above), sum(length for _, length in above)
        own_kept, own_size = kept, size
        cookies = [(path, name, cookie) for path, names in list(domains[domain].items()) for name, cookie in list(names.items())]
        cookies.sort(key=lambda entry: _EDGE_COOKIE.fullmatch(entry[1]) is None)  # (stable: the first set next)
        for path, name, cookie in cookies:
            length = len(name) + len(cookie.value or "") + 2  # "name=value; "
            if own_kept < MAX_COOKIES_PER_DOMAIN and own_size + length <= MAX_COOKIE_BYTES_PER_DOMAIN:
                own_kept, own_size = own_kept + 1, own_size + length
            else:
                jar.clear(domain, path, name)
                refused += 1
        held[domain] = (own_kept - kept, own_size - size)
    return refused


class BoundedCookiesMiddleware(CookiesMiddleware):
    """Scrapy's cookies, with no more kept a domain than a browser keeps and a front end takes back.

    Scrapy's jar keeps every cookie an answer sets and sends them all with every later request: one
    answer setting thousands (a broken or hostile page, a site naming a cookie after each page read)
    made every request after it carry a Cookie header of hundreds of KB, which the site's front end
    refuses (400, 431): every article after it failed, and the run exited 1. Cookies past the bound are
    refused as they come, the first ones kept (a CDN's own, set first, stay); one WARNING a run, counted.
    """

    crawler: Crawler

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._warned = False
        # The jars (by their ``cookiejar`` key) a request's own cookies went into since they were last
        # bounded. A jar gains cookies only so and by an answer's Set-Cookie: one that gained none is
        # within the bound still, and is not walked again for every answer.
        self._grown: set[Any] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedCookiesMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler  # (Scrapy 2.13 does not set it)
        return middleware

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | Response | None:
        if request.cookies and not request.meta.get("dont_merge_cookies", False):
            self._grown.add(request.meta.get("cookiejar"))
        # Scrapy 2.13 wants the spider (and always passes it); later versions deprecate passing it.
        if spider is not None:
            return super().process_request(request, spider)
        return super().process_request(request)  # type: ignore[call-arg,unused-ignore]

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        # Scrapy 2.13 wants the spider (and always passes it); later versions deprecate passing it.
        if spider is not None:
            result = super().process_response(request, response, spider)
        else:
            result = super().process_response(request, response)  # type: ignore[call-arg,unused-ignore]
        if request.meta.get("dont_merge_cookies", False):
            return result
        key = request.meta.get("cookiejar")
        if key not in self._grown and b"Set-Cookie" not in response.headers and b"Set-Cookie2" not in response.headers:
            return result
        self._grown.discard(key)
        refused = bound_cookie_jar(self.jars[key].jar)
        if refused:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(stat.COOKIES_REFUSED, refused)
            if not self._warned:
                self._warned = True
                logger.warning(
                    "Refused %d cookie(s) set by <%s>: a domain keeps at most %d cookies, %d bytes in all (as a "
                    "browser does; a longer Cookie header is refused by the site); said once a run, counted in %s",
                    refused, response.url, MAX_COOKIES_PER_DOMAIN, MAX_COOKIE_BYTES_PER_DOMAIN, stat.COOKIES_REFUSED,
                )
        return result
