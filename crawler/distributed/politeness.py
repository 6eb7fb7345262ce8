"""Politeness shared by all live workers: at most ``BS_SITE_MAX_CONCURRENCY`` requests in flight and ``BS_SITE_MAX_RATE`` per second to the site, counted in Redis.

Each worker still applies Scrapy's own limits (``CONCURRENT_REQUESTS_PER_DOMAIN``, AutoThrottle);
this budget caps what N workers do together, so that N workers are not N times as hard on the site.
A request takes a lease (a member of a sorted set, scored by its expiry) before it is downloaded and
gives it back with its response or error; a worker that dies leaves leases that expire after
``DOWNLOAD_TIMEOUT`` plus a margin. The rate is kept by one shared "next free moment" (GCRA without
burst): requests are spaced at least 1 / ``BS_SITE_MAX_RATE`` seconds apart, across workers, by
Redis's clock. Within one worker only the request at the head waits on Redis; the others queue behind it.
"""

from __future__ import annotations

import itertools
import logging
from typing import cast
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from crawler import distributed
from crawler import stats as stat

logger = logging.getLogger(__name__)

LEASE = "bs_site_lease"
# How often the head of a worker's queue asks again when every slot is taken (seconds).
POLL_SECONDS = 0.05
# Returns 0 (go: a lease was taken and the next free moment moved on), -1 (no free slot: ask
# again soon) or the milliseconds until the next free moment.
ACQUIRE = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local max_concurrency = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
if max_concurrency > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    if redis.call('ZCARD', KEYS[1]) >= max_concurrency then
        return -1
    end
end
if interval > 0 then
    local next_free = tonumber(redis.call('GET', KEYS[2]) or '0')
    if next_free > now then
        return next_free - now
    end
    redis.call('SET', KEYS[2], now + interval, 'PX', interval + 60000)
end
if max_concurrency > 0 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + 60000)
end
return 0
"""


class SiteBudgetMiddleware:
    """Downloader middleware: waits for a slot of the shared budget before each request to the site."""

    def __init__(self, crawler: Crawler, max_concurrency: int, max_rate: float) -> None:
        assert crawler.stats is not None
        settings = crawler.settings
        self.stats: StatsCollector = crawler.stats
        self.max_concurrency = max_concurrency
        self.interval_ms = int(round(1000 / max_rate)) if max_rate > 0 else 0
        self.lease_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)
        self.site_host = urlsplit(str(settings.get("BS_BASE_URL"))).hostname or ""
        self.client = distributed.connect(settings)
        prefix = distributed.key_prefix(settings)
        self.keys = [f"{prefix}:site:{self.site_host}:leases", f"{prefix}:site:{self.site_host}:next"]
        self.acquire_script = self.client.register_script(ACQUIRE)
        self.worker = distributed.worker_name(settings)
        self.numbers = itertools.count(1)
        self.queue = defer.DeferredLock()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBudgetMiddleware:
        settings = crawler.settings
        max_concurrency = settings.getint("BS_SITE_MAX_CONCURRENCY")
        max_rate = settings.getfloat("BS_SITE_MAX_RATE")
        if not distributed.enabled(settings) or (max_concurrency <= 0 and max_rate <= 0):
            raise NotConfigured
        logger.info(
            "Site budget shared by all workers: %s requests in flight, %s requests/s",
            max_concurrency if max_concurrency > 0 else "any", max_rate if max_rate > 0 else "any",
        )
        return cls(crawler, max_concurrency, max_rate)

    def counts(self, request: Request) -> bool:
        """A request that reaches the site: to its host, or rendered by Splash (which fetches it)."""
        return urlsplit(request.url).hostname == self.site_host or "splash" in request.meta

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self.counts(request) or LEASE in request.meta:
            return
        lease = f"{self.worker}:{next(self.numbers)}"
        await maybe_deferred_to_future(self.queue.acquire())
        try:
            waited = 0.0
            while True:
                answer = int(self.acquire_script(keys=self.keys, args=[self.max_concurrency, self.interval_ms, lease, self.lease_ms]))
                if answer == 0:
                    break
                delay = POLL_SECONDS if answer < 0 else answer / 1000
                waited += delay
                await maybe_deferred_to_future(deferLater(cast(IReactorTime, reactor), delay, lambda: None))
        finally:
            self.queue.release()
        if self.max_concurrency > 0:
            request.meta[LEASE] = lease
        if waited:
            self.stats.inc_value(stat.SITE_BUDGET_WAITS)
            self.stats.inc_value(stat.SITE_BUDGET_WAIT_MS, int(waited * 1000))

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE, None)
        if lease is not None:
            self.client.zrem(self.keys[0], lease)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._release(request)

    def spider_closed(self, spider: Spider) -> None:
        self.client.close()

