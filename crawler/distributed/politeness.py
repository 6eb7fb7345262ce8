"""Politeness shared by all live workers, counted in Redis: a wait the site asked of one worker, robots.txt's Crawl-delay, and the ``BS_SITE_MAX_*`` budget.

Each worker still applies Scrapy's own limits (``CONCURRENT_REQUESTS_PER_DOMAIN``, AutoThrottle);
what is here is what N workers do together, so that N workers are not N times as hard on the site.
A wait the site asks of one worker (429, or 503 of maintenance, with ``Retry-After``) is a key with
that time to live, which every worker's requests wait out before they go. A request takes a lease
(a member of a sorted set, scored by its expiry) before it is downloaded and gives it back with its
response or error; a worker that dies leaves leases that expire after ``DOWNLOAD_TIMEOUT`` plus a
margin. The rate (``BS_SITE_MAX_RATE``, or the Crawl-delay when longer) is kept by one shared "last
moment a request went": the next goes once the interval held now has passed since (GCRA without
burst), across workers, by Redis's clock. It is the moment that is stored, not the next free one, so
that a worker's strict interval ends with its budget: stored as "next free", that of a worker killed
after one request at BS_SITE_MAX_RATE=0.001 held every later worker 1000 s, the budget long lapsed. The budget held to is the strictest a live worker set, whatever this worker's own.
Within one worker only the request at the head waits on Redis; the others queue behind it. When
nothing is held, a worker asks again at most every ``FREE_SECONDS``, not before each request.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import time
import uuid
from typing import cast
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from crawler import distributed
from crawler import stats as stat
from crawler.distributed.sitewait import not_before_key
from crawler.incremental.sitewait import LONGEST_WAIT
from crawler.middlewares import BackingOff, crawl_delay_read, is_robots_txt_request, site_asked_not_before, site_asked_to_wait
from crawler.runstop import CLOSE_POLL_SECONDS, run_closing, stop_run

logger = logging.getLogger(__name__)

LEASE = "bs_site_lease"
# How long the budget a worker set holds for the others after its last request (milliseconds).
BUDGET_KEEP_MS = 60_000
# How often the head of a worker's queue asks again when every slot is taken (seconds).
POLL_SECONDS = 0.05
# Once Redis said nothing is held (no pause, no budget, no spacing), requests go without asking it for
# this long (seconds): the check was one round trip per request of every distributed run, the reactor
# waiting on each, for what is most often nothing. A pause or budget another worker sets is kept from at
# most this much later, as a request already on its way when the site answers still arrives.
FREE_SECONDS = 0.25
# Returns {0, leased (0/1), the concurrency and interval held to} (go: the moment of the last request
# moved on), {1, ms, who} (the site asked a worker to wait: this long yet; who: the pause's value), {2}
# (no free slot: ask again soon) or {3, ms} (the interval held now ends this far off). The budget held to is the
# strictest a live worker set (KEYS[4], KEYS[5], lapsing BUDGET_KEEP_MS after the last request of a worker
# that set it): a worker started without it, or with a looser one (a cron line missing the setting),
# keeps it too, or it asked the site as if there were none.
ACQUIRE = """
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then
    return {1, paused, redis.call('GET', KEYS[3])}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local max_concurrency = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local keep = tonumber(ARGV[5])
local stored = tonumber(redis.call('GET', KEYS[4]) or '0')
if max_concurrency > 0 and (stored == 0 or max_concurrency <= stored) then
    redis.call('SET', KEYS[4], max_concurrency, 'PX', keep)
elseif stored > 0 then
    max_concurrency = stored
end
stored = tonumber(redis.call('GET', KEYS[5]) or '0')
if interval > 0 and interval >= stored then
    redis.call('SET', KEYS[5], interval, 'PX', keep)
elseif stored > interval then
    interval = stored
end
if max_concurrency > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    if redis.call('ZCARD', KEYS[1]) >= max_concurrency then
        return {2}
    end
end
if interval > 0 then
    local next_free = tonumber(redis.call('GET', KEYS[2]) or '0') + interval
    if next_free > now then
        return {3, next_free - now}
    end
    redis.call('SET', KEYS[2], now, 'PX', interval + 60000)
end
local leased = 0
if max_concurrency > 0 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + 60000)
    leased = 1
end
return {0, leased, max_concurrency, interval}
"""
# A wait the site asked of this worker, for all: unless a longer one is already set. KEYS: the pause key (or the not-before key);
# ARGV: milliseconds, the pause's value. Returns 1 when set.
PAUSE = """
if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[1]))
return 1
"""




def _pause_of(raw: bytes | None) -> tuple[str, str, str]:
    """A shared pause's worker, reason and process (\"?\" each for a value written by another version: still a pause)."""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    try:
        pause = json.loads(text)
        return str(pause["worker"]), str(pause["reason"]), str(pause.get("process"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "?", "?", "?"


class SiteBudgetMiddleware:
    """Downloader middleware: before each request to the site, waits out a wait the site asked of any
    worker, then for a slot of the shared budget and spacing; tells the other workers when the site
    asks this one to wait, and the Crawl-delay its robots.txt asks for."""

    def __init__(self, crawler: Crawler, max_concurrency: int, max_rate: float) -> None:
        assert crawler.stats is not None
        settings = crawler.settings
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.max_concurrency = max_concurrency
        self.rate_interval_ms = int(round(1000 / max_rate)) if max_rate > 0 else 0
        self.interval_ms = self.rate_interval_ms
        self.lease_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)
        # A wait another worker was asked longer than this worker waits closes it as that worker's closed.
        self.max_wait = settings.getfloat("BS_RETRY_AFTER_MAX", 120.0)
        self.closing = False
        self.site_host = urlsplit(str(settings.get("BS_BASE_URL"))).hostname or ""
        self.client = distributed.connect(settings)
        prefix = self.prefix = distributed.key_prefix(settings)
        site = f"{prefix}:site:{self.site_host}"
        self.keys = [f"{site}:leases", f"{site}:last", f"{site}:pause", f"{site}:budget:concurrency", f"{site}:budget:interval"]
        self.acquire_script = self.client.register_script(ACQUIRE)
        self.pause_script = self.client.register_script(PAUSE)
        self.worker = distributed.worker_name(settings)
        # This process, in the pauses it shares: its own pause is its engine's, but one its name's run
        # before a kill -9 left is another's to this run (by name alone, the restarted worker held every
        # request for the rest of that wait without a line).
        self.process = uuid.uuid4().hex[:12]
        self.numbers = itertools.count(1)
        self.queue = defer.DeferredLock()
        # The pauses of other workers already told in the log (their values), so each is told once.
        self.told: set[str] = set()
        # The stricter budget of another worker, once told in the log.
        self.told_budget: tuple[int, int] | None = None
        # Set once Redis fails: the worker is stopping (its scheduler noticed too), and each request would
        # otherwise wait out the client's timeout and fail with a traceback.
        self.lost = False
        # Until when (time.monotonic()) requests go without asking Redis: see FREE_SECONDS.
        self.free_until = 0.0
        from redis.exceptions import RedisError

        self.errors = (RedisError, OSError)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.site_asked_to_wait, signal=site_asked_to_wait)
        crawler.signals.connect(self.site_asked_not_before, signal=site_asked_not_before)
        crawler.signals.connect(self.crawl_delay_read, signal=crawl_delay_read)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBudgetMiddleware:
        settings = crawler.settings
        if not distributed.enabled(settings):
            raise NotConfigured
        max_concurrency = settings.getint("BS_SITE_MAX_CONCURRENCY")
        max_rate = settings.getfloat("BS_SITE_MAX_RATE")
        if max_concurrency > 0 or max_rate > 0:
            logger.info(
                "Site budget shared by all workers: %s requests in flight, %s requests/s",
                max_concurrency if max_concurrency > 0 else "any", max_rate if max_rate > 0 else "any",
            )
        return cls(crawler, max_concurrency, max_rate)

    def counts(self, request: Request) -> bool:
        """A request that reaches the site: to its host, or rendered by Splash (which fetches it)."""
        return urlsplit(request.url).hostname == self.site_host or "splash" in request.meta

    def _lose(self, error: Exception) -> None:
        if not self.lost:
            self.lost = True
            logger.warning("Politeness shared with the other workers is off for the rest of this run: Redis failed (%s)", error)

    def site_asked_to_wait(self, seconds: float, reason: str) -> None:
        """This worker pauses (429 or 503 with Retry-After): the others' requests wait as long."""
        self.free_until = 0.0
        if self.lost or seconds <= 0:
            return
        value = json.dumps({"worker": self.worker, "reason": reason, "id": uuid.uuid4().hex[:12], "process": self.process})
        try:
            shared = int(self.pause_script(keys=[self.keys[2]], args=[int(seconds * 1000), value]))
        except self.errors as error:
            self._lose(error)
            return
        if shared:
            self.stats.inc_value(stat.SITE_PAUSE_SHARED)

    def site_asked_not_before(self, url: str, seconds: float) -> None:
        """The site asked this worker for a wait longer than it waits (it closes, and its state dir keeps the
        moment): every worker of the prefix keeps it too, those running (the pause) and those starting after
        (the not-before key, read by the crawl command), on any machine."""
        if self.lost or seconds <= 0 or urlsplit(url).hostname != self.site_host:
            return
        wait = min(seconds, LONGEST_WAIT)
        milliseconds = int(math.ceil(wait * 1000))
        value = json.dumps({"worker": self.worker, "reason": "429", "id": uuid.uuid4().hex[:12], "process": self.process})
        entry = json.dumps({"worker": self.worker, "seconds": wait, "asked": time.time()})
        try:
            self.pause_script(keys=[self.keys[2]], args=[milliseconds, value])
            # Unless a longer one is kept, as the pause: another worker's shorter wait set over it made the hour
            # the site asked for five minutes, and the workers started after them asked it again early.
            self.pause_script(keys=[not_before_key(self.prefix, self.site_host)], args=[milliseconds, entry])
        except self.errors as error:
            self._lose(error)
            return
        self.stats.set_value(stat.SITE_PAUSE_NOT_BEFORE_SHARED, 1)
        logger.warning("Every worker of prefix %s sends the site nothing for %g s, as its Retry-After asks", self.prefix, wait)

    def crawl_delay_read(self, host: str, delay: float) -> bool:
        """robots.txt's Crawl-delay, as held to, spaces the requests of all workers together, not each
        worker's; True (this holds to it) for the site's host."""
        if host != self.site_host:
            return False
        self.interval_ms = max(self.rate_interval_ms, int(round(delay * 1000)))
        self.free_until = 0.0
        return True

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.lost or not self.counts(request) or LEASE in request.meta or time.monotonic() < self.free_until:
            return
        lease = f"{self.worker}:{next(self.numbers)}"
        await maybe_deferred_to_future(self.queue.acquire())
        try:
            waited = paused = 0.0
            leased = False
            while not self.lost:
                try:
                    answer = self.acquire_script(keys=self.keys, args=[self.max_concurrency, self.interval_ms, lease, self.lease_ms, BUDGET_KEEP_MS])
                except self.errors as error:
                    self._lose(error)
                    return
                kind = int(answer[0])
                if kind == 0:
                    leased = bool(int(answer[1]))
                    concurrency, interval_ms = int(answer[2]), int(answer[3])
                    self._tell_budget(concurrency, interval_ms)
                    if not leased and concurrency <= 0 and interval_ms <= 0:
                        self.free_until = time.monotonic() + FREE_SECONDS
                    break
                if run_closing(self.crawler):
                    # The close waits for every request in the downloader: held here, each was sent as the
                    # pause ended, the run closing a pause (up to BS_RETRY_AFTER_MAX) past its limit or stop.
                    why = "not asked: the run is closing while the site asked to wait; asked next run"
                    # robots.txt's a plain IgnoreRequest, which Scrapy's robots.txt middleware takes for no rules
                    # without a word (2.13 logs a subclass as an ERROR with a traceback).
                    raise IgnoreRequest(why) if is_robots_txt_request(request) else BackingOff(why)
                delay = POLL_SECONDS if kind == 2 else int(answer[1]) / 1000
                if kind == 1 and delay > self.max_wait and _pause_of(answer[2])[2] != self.process:
                    # Another worker was asked for longer than this one waits: it closed, and so does this one, as
                    # it would at the site's own answer (before: it asked on until the site told it too).
                    self._close_for_wait(answer[2], delay)
                    why = "not asked: the site asked another worker not to be asked for longer than BS_RETRY_AFTER_MAX"
                    raise IgnoreRequest(why) if is_robots_txt_request(request) else BackingOff(why)
                if kind == 1:
                    paused += self._held_for(answer[2], delay)
                else:
                    waited += delay
                await self._wait(delay)
        finally:
            self.queue.release()
        if leased and not self.lost:
            request.meta[LEASE] = lease
        if waited:
            self.stats.inc_value(stat.SITE_BUDGET_WAITS)
            self.stats.inc_value(stat.SITE_BUDGET_WAIT_MS, int(waited * 1000))
        if paused:
            self.stats.inc_value(stat.SITE_PAUSE_WAITS)
            self.stats.inc_value(stat.SITE_PAUSE_WAIT_MS, int(paused * 1000))

    async def _wait(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the run begins to close meanwhile (looked at every CLOSE_POLL_SECONDS)."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0 and not run_closing(self.crawler):
            await maybe_deferred_to_future(deferLater(cast(IReactorTime, reactor), min(left, CLOSE_POLL_SECONDS), lambda: None))

    def _tell_budget(self, concurrency: int, interval_ms: int) -> None:
        """One line when another worker's budget, stricter than this one's own, is held to (and again if it changes)."""
        stricter = (concurrency > 0 and (self.max_concurrency <= 0 or concurrency < self.max_concurrency)) or interval_ms > self.interval_ms
        if stricter and self.told_budget != (concurrency, interval_ms):
            self.told_budget = (concurrency, interval_ms)
            logger.info(
                "Holding to the site budget (or Crawl-delay) another worker set, stricter than this worker's own: %s requests in flight, %s requests/s",
                concurrency if concurrency > 0 else "any", f"{1000 / interval_ms:g}" if interval_ms > 0 else "any",
            )

    def _close_for_wait(self, raw: bytes | None, seconds: float) -> None:
        """Close the run, once, for a wait the site asked of another worker that is longer than this one waits."""
        if self.closing:
            return
        self.closing = True
        worker, reason, _ = _pause_of(raw)
        logger.error("Closing the run: the site asked worker %s to wait %.0f s more (%s with Retry-After), more than "
                     "BS_RETRY_AFTER_MAX (%g s); backing off", worker, seconds, reason, self.max_wait)
        self.stats.inc_value(stat.SITE_PAUSE_NOT_BEFORE_MET)
        stop_run(self.crawler, stat.RATE_LIMITED_REASON)

    def _held_for(self, raw: bytes | None, seconds: float) -> float:
        """How long of ``seconds`` this request is held for another worker's pause (its own pause is its
        engine's: nothing more to say); the first time, one line saying who the site asked to wait."""
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        worker, reason, process = _pause_of(raw)
        if process == self.process:
            return 0.0
        if text not in self.told:
            self.told.add(text)
            logger.info(
                "Holding requests to %s for %.1f s: the site asked worker %s to wait (%s with Retry-After)",
                self.site_host, seconds, worker, reason,
            )
        return seconds

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE, None)
        if lease is not None and not self.lost:
            try:
                self.client.zrem(self.keys[0], lease)
            except self.errors as error:
                self._lose(error)  # the lease lapses after DOWNLOAD_TIMEOUT + 30 s

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._release(request)

    def spider_closed(self, spider: Spider) -> None:
        self.client.close()
