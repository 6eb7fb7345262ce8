"""scrapy-redis's scheduler and duplicate filter for the workers of a run: JSON requests, a wait for work, a clean stop when Redis is lost."""

from __future__ import annotations

import base64
import itertools
import json
import logging
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError, ResponseError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import FifoQueue, LifoQueue, PriorityQueue
from scrapy_redis.scheduler import Scheduler
from scrapy.utils.misc import load_object
from twisted.internet.task import LoopingCall
from w3lib.url import canonicalize_url

from crawler.distributed import (
    ACCEPT_OLDER_STATE,
    HEARTBEAT_SECONDS,
    OTHER_ARGUMENTS,
    REDIS_LOST,
    WORKER_STALE_SECONDS,
    RunKeys,
    connect,
    enabled,
    epoch_key,
    epochs_file,
    generation_key,
    generations_file,
    key_prefix,
    noted_generation,
    redacted,
    remember_epoch,
    remember_generation,
    run_keys,
    run_name,
    safe_name,
    worker_name,
    write_refusal,
)
from crawler.distributed.pulse import Pulse
from crawler.distributed.store import RedisDataLost, RedisSeenStore, RedisWentBack
from crawler.incremental.extension import seen_store_of
from crawler.monitoring.history import spider_arguments
from crawler import stats as stat
from crawler.runstop import stop_run

logger = logging.getLogger(__name__)

# Register a worker in its run, atomically, so two workers starting together agree on whether the
# run is new. New means: no other live worker and nothing queued; then the duplicate filter left by
# the last run is dropped, so a run repeated later (the next `latest`) reads its sources again and
# the seen-store, not the filter, skips what was fetched before.
# A run keeps the spider arguments of the worker that started it: a worker started with others (a
# wider archive range) joins nothing, as its identical start request is a duplicate and the run's
# queue holds the others' work: it ended "ok" with what it was asked for never fetched.
# KEYS: workers (sorted set, score = last beat), requests, dupefilter, arguments; ARGV: worker, stale
# seconds, this worker's arguments (JSON).
# Returns {new run (0/1), other live workers, seconds since this name last beat or -1, the run's
# arguments when they are not this worker's (it is then not registered) or false}.
_JOIN_LUA = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local mine = redis.call('ZSCORE', KEYS[1], ARGV[1])
local others = {}
for _, worker in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if worker ~= ARGV[1] then others[#others + 1] = worker end
end
local new = 0
if #others == 0 and redis.call('EXISTS', KEYS[2]) == 0 then new = 1 end
local age = -1
if mine then age = now - tonumber(mine) end
local given = redis.call('GET', KEYS[4])
if new == 0 and given and given ~= ARGV[3] then return {new, others, age, given} end
if new == 1 then redis.call('DEL', KEYS[3]) end
redis.call('SET', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
return {new, others, age, false}
"""
# Sign a worker off its run; the last one out of a run that is over (no other live worker, nothing
# queued or in flight) drops its duplicate filter and arguments, as the next run's join would: kept,
# every finished run (each backfill under its own BS_REDIS_RUN) held its filter in Redis for good,
# tens of MB for a long backfill, in a Redis that refuses writes when it is full.
# KEYS: workers, busy, requests, in-flight owners, dupefilter, arguments; ARGV: worker, stale seconds.
_LEAVE_LUA = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[2]), '+inf') > 0 then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('SCARD', KEYS[4]) > 0 then return 0 end
redis.call('DEL', KEYS[5], KEYS[6])
return 1
"""
# Mark this worker busy (it has work in hand, which may queue more) for ARGV[3] seconds, or not busy;
# returns how many other workers are busy. KEYS: the run's busy set (sorted, score = until when);
# ARGV: worker, 1/0, seconds. An idle worker waits while another is busy: that one may still queue
# work (the first worker reads the sitemaps while the second has nothing yet).
_BUSY_LUA = """
local now = tonumber(redis.call('TIME')[1])
if ARGV[2] == '1' then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
else
    redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = 0
for _, worker in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if worker ~= ARGV[1] then others = others + 1 end
end
return others
"""
# A busy mark lasts a few heartbeats: a killed worker stops counting as busy soon.
BUSY_SECONDS = 3 * HEARTBEAT_SECONDS
# Take the in-flight requests of workers that are gone, atomically (two workers never both take them):
# a request is popped from the shared queue for good, so a worker killed (or stopped) while it held
# requests would lose them for the run; the dupe filter keeps them from being queued again.
# Gone: not beating for WORKER_STALE_SECONDS (or signed off), or this worker's own previous life.
# KEYS: workers, in-flight owners; ARGV: worker, stale seconds, in-flight key prefix, take own (0/1),
# the prefix of the workers' pending hashes (crawler/distributed/store.py), that of the runs' alive keys.
# Returns {live other workers holding in-flight requests, the requests taken}.
_ADOPT_LUA = """
local now = tonumber(redis.call('TIME')[1])
local taken, holding = {}, 0
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local key = ARGV[3] .. owner
    local gone
    if owner == ARGV[1] then
        gone = ARGV[4] == '1'
    else
        local beat = redis.call('ZSCORE', KEYS[1], owner)
        gone = (not beat) or tonumber(beat) < now - tonumber(ARGV[2])
    end
    if gone then
        -- Its runs hold their claims while alive (ALIVE_SECONDS, long beside this staleness): the
        -- articles put back would be dropped as claimed by a run that is gone. Its pending
        -- entries name those runs; its restart still settles them as usual.
        for _, field in ipairs(redis.call('HKEYS', ARGV[5] .. owner)) do
            local run = string.match(field, '^(.*):[^:]*$')
            if run then redis.call('DEL', ARGV[6] .. run) end
        end
        for _, value in ipairs(redis.call('HVALS', key)) do taken[#taken + 1] = value end
        redis.call('DEL', key)
        redis.call('SREM', KEYS[2], owner)
    elseif redis.call('HLEN', key) == 0 then
        if owner ~= ARGV[1] then redis.call('SREM', KEYS[2], owner) end
    elseif owner ~= ARGV[1] then
        holding = holding + 1
    end
end
return {holding, taken}
"""
# Unreadable requests one call for the next request passes over before it lets the engine go on.
UNREADABLE_PER_CALL = 100


class _Unreadable(Exception):
    """A request of the shared queue that this version cannot read back: written by another version (a
    pickled request, a callback renamed or gone: ValueError, ImportError, NameError, ...). Raised into the
    engine it was a traceback at every take, and the request was held in flight for nobody to read."""

    def __init__(self, error: Exception, field: bytes | str | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.field = field


INFLIGHT = "bs_inflight"  # request.meta: the field of this request in its worker's in-flight hash
# Redis's clock, not the worker's: the machines' clocks may disagree.
_BEAT_LUA = """
redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]), ARGV[1])
return 1
"""


# Take the next request from the shared queue and note it in flight here, in one step: a worker
# killed between the two lost the request for the run (gone from the queue, in no worker's hands).
# A redirect or retry of a request this worker holds (Scrapy copies the meta, and with it the entry's
# field, which starts with this process's token) takes the original's entry, which no callback will
# ever end: a kill puts back one request, not two. The same rule as _hold's.
# KEYS: the queue (scrapy-redis's priority queue: a sorted set; its FIFO and LIFO queues: lists), this
# worker's in-flight hash, the in-flight owners; ARGV: a new entry's field, the worker, "lifo" or "fifo",
# this process's token and its separator. Returns {the encoded request, its entry's field}, or false
# when the queue is empty.
_TAKE_LUA = """
local data
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'zset' then
    data = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
    if data then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0) end
elseif kind == 'list' then
    if ARGV[3] == 'lifo' then data = redis.call('LPOP', KEYS[1]) else data = redis.call('RPOP', KEYS[1]) end
end
if not data then return false end
local field = ARGV[1]
local ok, request = pcall(cjson.decode, data)
if ok and type(request) == 'table' and type(request['meta']) == 'table' then
    local held = request['meta']['""" + INFLIGHT + """']
    if type(held) == 'string' and string.sub(held, 1, #ARGV[4]) == ARGV[4] then field = held end
end
redis.call('HSET', KEYS[2], field, data)
redis.call('SADD', KEYS[3], ARGV[2])
return {data, field}
"""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot queue a request carrying a {type(value).__name__} in Redis (JSON data only)")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$b" in value:
            return base64.b64decode(value["$b"])
        if len(value) == 1 and "$d" in value:
            return {_decode(k): _decode(v) for k, v in value["$d"]}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class JsonSerializer:
    """Requests in Redis as JSON (bytes as base64), never pickle: whoever can write to the Redis could
    otherwise run code on every worker. A request carrying anything else fails when it is queued."""

    @staticmethod
    def dumps(request_dict: dict[str, Any]) -> str:
        return json.dumps(_encode(request_dict), separators=(",", ":"))

    @staticmethod
    def loads(data: bytes | str) -> Any:
        return _decode(json.loads(data))


class RedisDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """The run's shared duplicate filter, with the crawler's request fingerprints (Splash-aware when
    Splash is on) instead of scrapy-redis's own, so both agree on what a duplicate is."""

    def __init__(self, server: Redis, key: str, debug: bool = False, crawler: Crawler | None = None) -> None:
        super().__init__(server, key, debug)
        self.crawler = crawler

    def request_fingerprint(self, request: Request) -> str:
        if self.crawler is None or self.crawler.request_fingerprinter is None:
            return str(super().request_fingerprint(request))
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def request_seen(self, request: Request) -> bool:
        # A redirect back to a URL of its own chain (a CDN's cookie check answers 302 to the same
        # URL) is no duplicate: filtered, the article or source was lost with a DEBUG line only.
        # A loop ends at REDIRECT_MAX_TIMES.
        if _redirected_to_itself(request):
            return False
        return bool(super().request_seen(request))

    def seen_before(self, request: Request) -> bool:
        """Whether the request is a duplicate, without marking it seen (:meth:`mark_seen` does)."""
        if _redirected_to_itself(request):
            return False
        return bool(self.server.sismember(self.key, self.request_fingerprint(request)))

    def mark_seen(self, request: Request) -> None:
        self.server.sadd(self.key, self.request_fingerprint(request))


def _redirected_to_itself(request: Request) -> bool:
    earlier = request.meta.get("redirect_urls")
    if not earlier:
        return False
    here = canonicalize_url(request.url)
    return any(canonicalize_url(str(url)) == here for url in earlier)


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler for one worker of a run (keys: crawler/distributed/__init__.py).

    Besides the shared queue and duplicate filter it registers the worker in the run (a beat every
    5 s; see ``_JOIN_LUA`` for how a new run starts), keeps an idle worker open for
    ``BS_REDIS_IDLE_SECONDS`` because other workers may still queue work, and on a Redis error closes
    the spider with reason ``redis-lost`` (the queue stays in Redis, so a restart continues) instead
    of failing inside the engine.
    """

    refused = False  # started with other spider arguments than its run's (set by open)
    queued_at_open = 0

    def __init__(
        self, server: Redis, *, crawler: Crawler, keys: RunKeys, worker: str, idle_seconds: float, **kwargs: Any
    ) -> None:
        super().__init__(server, **kwargs)
        self.crawler = crawler
        self.keys = keys
        self.worker = worker
        self.idle_seconds = idle_seconds
        self.idle_since: float | None = None
        self.lost: Exception | None = None
        self.spider: Spider | None = None
        self.store: RedisSeenStore | None = None
        self.url = redacted(str(crawler.settings.get("REDIS_URL")))
        self.heartbeat = LoopingCall(self._beat)
        # Only the place in the worker set: taking over gone workers' requests is the reactor's job.
        self.pulse = Pulse(self._stand_in_beat, interval=HEARTBEAT_SECONDS, name=f"worker {worker} beat")
        self._join = server.register_script(_JOIN_LUA)
        self._leave = server.register_script(_LEAVE_LUA)
        self._beat_script = server.register_script(_BEAT_LUA)
        self._busy_script = server.register_script(_BUSY_LUA)
        self.busy_key = f"{keys.base}:busy"
        self.busy_marked = 0.0
        self._adopt = server.register_script(_ADOPT_LUA)
        self._take = server.register_script(_TAKE_LUA)
        self.inflight_key = keys.inflight(worker)
        self.inflight_prefix = keys.inflight("")
        self.inflight_numbers = itertools.count(1)
        # This process's fields: a request put back from a gone worker (or this worker's previous life)
        # carries that one's field in its meta, which must not name an entry of this one.
        self.inflight_token = uuid.uuid4().hex[:8]
        self.epoch_key = epoch_key(key_prefix(crawler.settings))
        self.epochs_file = epochs_file(crawler.settings)
        self.store_prefix = key_prefix(crawler.settings)
        self.pending_prefix = f"{self.store_prefix}:pending:{safe_name(crawler.spidercls.name or '', 'spider')}:"
        self.epoch: bytes | None = None
        self.generation_key = generation_key(self.store_prefix)
        self.generations_file = generations_file(crawler.settings)
        self.accept_older_state = crawler.settings.getbool(ACCEPT_OLDER_STATE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        assert crawler.spidercls.name is not None
        server = connect(settings)
        keys = run_keys(key_prefix(settings), run_name(settings, crawler.spidercls.name))
        # The keys configure() set, unless given on the command line.
        keys = RunKeys(settings["SCHEDULER_QUEUE_KEY"], settings["SCHEDULER_DUPEFILTER_KEY"], keys.workers)
        scheduler = cls(
            server,
            crawler=crawler,
            keys=keys,
            worker=worker_name(settings),
            idle_seconds=settings.getfloat("BS_REDIS_IDLE_SECONDS"),
            persist=settings.getbool("SCHEDULER_PERSIST"),
            flush_on_start=settings.getbool("SCHEDULER_FLUSH_ON_START"),
            queue_key=keys.requests,
            queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or "scrapy_redis.queue.PriorityQueue",
            dupefilter=RedisDupeFilter(server, keys.dupefilter, settings.getbool("DUPEFILTER_DEBUG"), crawler),
            dupefilter_key=keys.dupefilter,
            # Never a blocking pop: it would stop the reactor. The idle wait is spider_idle() below.
            idle_before_close=0,
            serializer=JsonSerializer,
        )
        scheduler.stats = crawler.stats
        return scheduler

    @property
    def _stats(self) -> StatsCollector:
        assert self.stats is not None
        return self.stats  # type: ignore[no-any-return]

    def open(self, spider: Spider) -> None:
        self.spider = spider
        store = seen_store_of(self.crawler)
        if isinstance(store, RedisSeenStore):
            self.store = store
            store.on_lost = self._lost
            store.on_notes_set_aside = self._notes_set_aside
        self._stats.set_value(stat.REDIS_ARTICLES_TAKEN, 0)
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        # The spider too: a run name given to two spiders (-s BS_REDIS_RUN=news) mixes their requests.
        # As the spider read them, not as written: a restart with the same ones in another order, spelled
        # otherwise or with a default spelled out is the same run.
        read = getattr(spider, "run_arguments", None)  # the discovery spiders' (crawler/spiders/discovery.py)
        given = read() if callable(read) else spider_arguments(sys.argv)
        arguments = json.dumps({"spider": spider.name, "arguments": given}, sort_keys=True)
        try:
            self._open_queue(spider)
            new, others, age, theirs = self._join(
                keys=[self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.arguments],
                args=[self.worker, WORKER_STALE_SECONDS, arguments],
            )
            if theirs:
                self._refuse(arguments, theirs, [o.decode() for o in others])
                return
            queued = self.queued_at_open
            self.server.set(self.epoch_key, uuid.uuid4().hex, nx=True)
            self.epoch = self.server.get(self.epoch_key)
            if self.epoch is not None:
                if self.store is not None:
                    self.store.epoch = self.epoch.decode()
                if remember_epoch(self.epochs_file, self.epoch.decode()) is not None:
                    self._notes_set_aside(self.epochs_file[0])
                self._read_generation(self.epoch.decode())
            # Before this worker takes anything: what its killed previous life held, and what gone workers held.
            self._adopt_gone(own=True)
        except RedisError as error:
            self._lost(error)
            return
        others = sorted(o.decode() for o in others)
        if new:
            logger.info("Worker %s starts a new run (%s): nothing queued and no other worker", self.worker, self.keys.pattern)
        else:
            logger.info("Worker %s joins run %s: %d request(s) queued, other workers: %s",
                        self.worker, self.keys.pattern, queued, ", ".join(others) or "none")
        if 0 <= age < WORKER_STALE_SECONDS:
            # A second live worker of this name is refused before this (crawler/distributed/namelock.py).
            logger.info("Worker %s restarts: its previous process beat %d s ago", self.worker, age)
        self._mark_busy(True)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)
        self.pulse.start()

    def _read_generation(self, epoch: str) -> None:
        """Read this worker's count of confirmations in Redis and note it on this machine (GENERATIONS_FILE); a
        Redis gone back to an older state is refused before the run starts (crawler/distributed/__init__.py) unless
        the user accepted it: then said and counted here, and this machine's note goes back with it."""
        generation = int(self.server.hget(self.generation_key, self.worker) or 0)
        noted = noted_generation(self.generations_file, epoch)
        accepted = noted is not None and generation < noted and self.accept_older_state
        if accepted and noted is not None:
            forgotten = noted - generation
            self._stats.set_value(stat.REDIS_OLDER_STATE_ACCEPTED, forgotten)
            logger.warning(
                "Redis at %s (prefix %s) is at an older state than this machine saw (it counted %d confirmed "
                "article(s) of worker %s, this machine %d): going on as %s asks; up to %d article(s) it "
                "has forgotten are emitted again",
                self.url, self.store_prefix, generation, self.worker, noted, ACCEPT_OLDER_STATE, forgotten,
            )
        if remember_generation(self.generations_file, epoch, generation, lower=accepted) is not None:
            self._notes_set_aside(self.generations_file[0])
        if self.store is not None:
            self.store.generations = self.generations_file
            self.store.generation = max(self.store.generation, generation)
            self.store.noted_generation = generation

    def _notes_set_aside(self, path: Path) -> None:
        """Count a damaged notes file of this machine's, set aside (crawler/distributed/__init__.py said so)."""
        self._stats.inc_value(stat.REDIS_NOTES_SET_ASIDE)

    def _open_queue(self, spider: Spider) -> None:
        """scrapy-redis's ``open`` without its closing "Resuming crawl" line: that goes through
        ``Spider.log``, deprecated by Scrapy 2.19 (a WARNING at every start on a queue left by others, an
        AttributeError once it is gone), and the join's own line says how much is queued."""
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name}, serializer=self.serializer
        )
        if self.flush_on_start:
            self.flush()
        # Before the join, as scrapy-redis's own look at the queue was: a queue key of the wrong type
        # (WRONGTYPE) stops the worker before it is registered, so `redisclear` does not find it alive.
        self.queued_at_open = len(self.queue)

    def _refuse(self, mine: str, theirs: bytes, others: list[str]) -> None:
        """Stop a worker whose spider arguments are not its run's, before it queues or takes anything."""
        self.refused = True
        prefix, _, run = self.keys.pattern.removesuffix(":*").rpartition(":run:")

        def shown(identity: str | bytes) -> str:
            try:
                given = json.loads(identity)
                words = [f"crawl {given['spider']}", *(f"-a {name}={value}" for name, value in given["arguments"].items())]
            except (ValueError, KeyError, TypeError, AttributeError):
                return repr(identity)
            return " ".join(words)

        logger.error(
            "Worker %s was started as `%s`, but run %s at %s is going as `%s` (workers: %s, or requests still queued): "
            "it would fetch only what the run's spider and arguments ask for; nothing was fetched; start it with the "
            "same ones, or as a run of its own (-s BS_REDIS_RUN=NAME), or clear the run's keys once it is over "
            "(`scrapy redisclear %s --prefix %s`)",
            self.worker, shown(mine), run, self.url, shown(theirs), ", ".join(sorted(others)) or "none alive", run, prefix,
        )
        from twisted.internet import reactor

        reactor.callLater(0, stop_run, self.crawler, OTHER_ARGUMENTS)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def close(self, reason: str) -> None:
        self.pulse.stop()
        if self.heartbeat.running:
            self.heartbeat.stop()
        if self.lost is not None or self.refused:
            return  # nothing can reach Redis, or never joined; what is queued there stays for the restart
        try:
            if reason == "finished":
                # Closed idle: every request it took was handled. Any other close (a shutdown, a
                # limit) may leave some unhandled: the others take them once it has signed off.
                self._clear_inflight()
            self._leave(
                keys=[self.keys.workers, self.busy_key, self.keys.requests, self.keys.inflight_owners,
                      self.keys.dupefilter, self.keys.arguments],
                args=[self.worker, WORKER_STALE_SECONDS],
            )
            super().close(reason)  # flushes only when SCHEDULER_PERSIST is off
        except RedisError as error:
            logger.error("Could not sign worker %s off at %s: %s", self.worker, self.url, _one_line(error))

    def enqueue_request(self, request: Request) -> bool:
        if self.lost is not None or self.refused:
            return False
        try:
            if not isinstance(self.df, RedisDupeFilter):
                return bool(super().enqueue_request(request))
            # scrapy-redis marks a request seen, then queues it: a worker killed between the two (while
            # queueing a sitemap's links) lost it for the run, every later copy filtered. Queued
            # first, a kill between costs at most a second fetch of it, which the seen-store's claims
            # keep from a second item.
            if not request.dont_filter and self.df.seen_before(request):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value(stat.REDIS_ENQUEUED)
            self.queue.push(request)
            if not request.dont_filter:
                self.df.mark_seen(request)
            return True
        except RedisError as error:
            self._lost(error)
            return False

    def next_request(self) -> Request | None:
        if self.lost is not None or self.refused:
            return None
        try:
            request = self._take_request()
        except RedisError as error:
            self._lost(error)
            return None
        if request is not None:
            self.idle_since = None
            if time.monotonic() - self.busy_marked > 1.0:
                self._mark_busy(True)
            # The run verdict judges a worker by the articles it took, not by the ones it found:
            # another worker may fetch those (crawler/monitoring/verdict.py).
            if self.spider is not None and request.callback == getattr(self.spider, "parse_article", None):
                self._stats.inc_value(stat.REDIS_ARTICLES_TAKEN)
        return request

    def has_pending_requests(self) -> bool:
        if self.lost is not None or self.refused:
            return False
        try:
            return bool(super().has_pending_requests())
        except RedisError as error:
            self._lost(error)
            return False

    def spider_idle(self, spider: Spider) -> None:
        """Keep an idle worker open for ``BS_REDIS_IDLE_SECONDS``: Scrapy looks at the queue every 5 s meanwhile."""
        if self.lost is not None:
            raise CloseSpider(REDIS_LOST)
        if self.refused:
            raise CloseSpider(OTHER_ARGUMENTS)
        now = time.monotonic()
        try:
            # Idle: nothing is in flight here any more.
            self._clear_inflight()
            holding, requeued = self._adopt_gone(own=False)
        except RedisError as error:
            self._lost(error)
            raise CloseSpider(REDIS_LOST) from error
        if requeued:
            self.idle_since = None
            raise DontCloseSpider
        others_busy = self._mark_busy(False)
        if holding:
            # A worker that stopped beating may have been killed with requests in hand: wait until
            # it beats again or counts as gone, and its requests are taken over.
            others_busy = max(others_busy, holding)
        if self.idle_since is None:
            self.idle_since = now
            logger.info("Worker %s is idle; waiting up to %g s for work from other workers", self.worker, self.idle_seconds)
        if others_busy:
            # Another worker still has work in hand and may queue more: the wait starts when it is done.
            self.idle_since = now
            raise DontCloseSpider
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider

    def _beat(self) -> None:
        if self.lost is not None:
            return
        try:
            if self.server.get(self.epoch_key) != self.epoch:
                self._lost(RedisDataLost("its epoch key changed"))
                return
            self._beat_script(keys=[self.keys.workers], args=[self.worker])
            self.pulse.beaten()
            if self.store is not None:
                self.store.note_generation()
            self._adopt_gone(own=False)
        except RedisError as error:
            self._lost(error)
            return
        if self.idle_since is None:
            self._mark_busy(True)

    def _stand_in_beat(self) -> None:
        """The worker's beat from the pulse thread while the reactor is held up: alive, nothing more."""
        if self.lost is None:
            self._beat_script(keys=[self.keys.workers], args=[self.worker])

    def _take_request(self) -> Request | None:
        """The next request of the shared queue that this version can read, noted in flight here in the
        same step (scrapy-redis's own queues; another queue class is popped, then noted)."""
        for _ in range(UNREADABLE_PER_CALL):
            try:
                return self._take_one()
            except _Unreadable as unreadable:
                self._drop_unreadable(unreadable)
        return None

    def _take_one(self) -> Request | None:
        if not isinstance(self.queue, (PriorityQueue, FifoQueue, LifoQueue)):
            try:
                popped: Request | None = super().next_request()
            except RedisError:
                raise
            except Exception as error:  # noqa: BLE001 - see _Unreadable
                raise _Unreadable(error, None) from error
            if popped is not None:
                self._hold(popped)
            return popped
        taken = self._take(
            keys=[self.queue.key, self.inflight_key, self.keys.inflight_owners],
            args=[f"{self.inflight_token}-{next(self.inflight_numbers)}", self.worker,
                  "lifo" if isinstance(self.queue, LifoQueue) else "fifo", f"{self.inflight_token}-"],
        )
        if not taken:
            return None
        data, field = taken
        try:
            request: Request = self.queue._decode_request(data)
        except Exception as error:  # noqa: BLE001 - see _Unreadable
            raise _Unreadable(error, field) from error
        self._stats.inc_value(stat.REDIS_DEQUEUED)
        request.meta[INFLIGHT] = field.decode() if isinstance(field, bytes) else str(field)
        return request

    def _drop_unreadable(self, unreadable: _Unreadable) -> None:
        """A request of the queue this version cannot read back: dropped with a stat, one ERROR line per worker."""
        if unreadable.field is not None:
            # Noted in flight by the take: left there, a restart or another worker would put it back in vain.
            self.server.hdel(self.inflight_key, unreadable.field)
        self._stats.inc_value(stat.REDIS_QUEUE_UNREADABLE)
        if self._stats.get_value(stat.REDIS_QUEUE_UNREADABLE) == 1:
            logger.error(
                "Worker %s dropped a request of the shared queue that this version cannot read back (%s; written by "
                "another version of the crawler?); later ones are counted in stat %s: their pages are fetched "
                "again only by a later run",
                self.worker, _one_line(unreadable.error), stat.REDIS_QUEUE_UNREADABLE,
            )

    def _hold(self, request: Request) -> None:
        """Note a request taken from the queue as in flight here until its callback is done (or this worker idles)."""
        field = request.meta.get(INFLIGHT)
        if not (isinstance(field, str) and field.startswith(f"{self.inflight_token}-")):
            field = f"{self.inflight_token}-{next(self.inflight_numbers)}"
            request.meta[INFLIGHT] = field
        # Else a redirect or retry of a request this worker holds (Scrapy copies the meta): it takes the
        # original's entry, which no callback will ever end, so a kill puts back one request, not two.
        pipe = self.server.pipeline(transaction=False)
        pipe.hset(self.inflight_key, field, self.queue._encode_request(request))
        pipe.sadd(self.keys.inflight_owners, self.worker)
        pipe.execute()

    def _clear_inflight(self) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.delete(self.inflight_key)
        pipe.srem(self.keys.inflight_owners, self.worker)
        pipe.execute()

    def _adopt_gone(self, *, own: bool) -> tuple[int, int]:
        """Put back in the queue the requests gone workers had taken; (live workers holding some, requests put back)."""
        holding, taken = self._adopt(
            keys=[self.keys.workers, self.keys.inflight_owners],
            args=[self.worker, WORKER_STALE_SECONDS, self.inflight_prefix, "1" if own else "0",
                  self.pending_prefix, f"{self.store_prefix}:alive:"],
        )
        requeued, unreadable, first_error = 0, 0, ""
        for data in taken:
            try:
                request = self.queue._decode_request(data)
            except Exception as error:  # noqa: BLE001 - whatever fails one must not stop the beat
                # Written by another version of the crawler (a callback renamed or gone, a request class
                # it lacks: ImportError, NameError): one that cannot be read must not stop the beat
                # that calls this, nor the others behind it.
                unreadable += 1
                first_error = first_error or _one_line(error)
                continue
            self.queue.push(request)
            # In the filter too (a new run dropped it): the copy its sources give again is no second fetch.
            self.df.request_seen(request)
            requeued += 1
        if unreadable:
            self._stats.inc_value(stat.REDIS_REQUEUE_UNREADABLE, unreadable)
            logger.error(
                "Worker %s dropped %d request(s) a gone worker had taken that this version cannot read back "
                "(first: %s; stat %s): their pages are fetched again only by a later run",
                self.worker, unreadable, first_error, stat.REDIS_REQUEUE_UNREADABLE,
            )
        if requeued:
            self._stats.inc_value(stat.REDIS_REQUEUED, requeued)
            logger.warning(
                "Worker %s put back in the queue %d request(s) that a worker which stopped without finishing them "
                "had taken (stat %s)", self.worker, requeued, stat.REDIS_REQUEUED,
            )
        return int(holding), requeued

    def _mark_busy(self, busy: bool) -> int:
        """Mark this worker busy or not in the run; how many other workers are busy (0 once Redis is lost)."""
        if self.lost is not None:
            return 0
        try:
            others = self._busy_script(keys=[self.busy_key], args=[self.worker, "1" if busy else "0", BUSY_SECONDS])
        except RedisError as error:
            self._lost(error)
            return 0
        if busy:
            self.busy_marked = time.monotonic()
        return int(others)

    def _lost(self, error: Exception) -> None:
        """Stop this worker cleanly: one error line, then close the spider with reason ``redis-lost``."""
        if self.lost is not None:
            return
        self.lost = error
        if isinstance(error, RedisDataLost):
            self._stats.set_value(stat.REDIS_DATA_LOST, 1)
            logger.error(
                "Redis at %s lost its data while worker %s ran (restarted without persistence, flushed, or keys "
                "evicted): the seen-store and the run's queue are gone; stopping; articles emitted before may be "
                "emitted again by later runs, and the run's sources must be read again",
                self.url, self.worker,
            )
        elif isinstance(error, RedisWentBack):
            self._stats.set_value(stat.REDIS_DATA_LOST, 1)
            logger.error(
                "Redis at %s went back to an older state while worker %s ran (restarted from an older snapshot or "
                "backup: it counted %d confirmed article(s) of the worker, then %d): stopping, as the "
                "rest of the run would emit the articles it forgot again; the next run here is refused until Redis's "
                "newer data is back, or %s is set for one run",
                self.url, self.worker, error.seen, error.found, ACCEPT_OLDER_STATE,
            )
        elif isinstance(error, ResponseError) and str(error).startswith("WRONGTYPE"):
            # Redis answered, with an error a restart gets again: a key of the run holds what this
            # version does not keep there (another SCHEDULER_QUEUE_CLASS, another program's data).
            prefix, _, run = self.keys.pattern.removesuffix(":*").rpartition(":run:")
            logger.error(
                "Redis at %s refused a command of worker %s (%s): a key of run %s is not what this crawler "
                "keeps there; stopping; `scrapy redisclear %s --prefix %s` deletes the run's keys (its queue, too)",
                self.url, self.worker, _one_line(error), run, run, prefix,
            )
        elif (refused := write_refusal(error)) is not None:
            # Not lost: Redis answers, and a restart before it takes writes again stops at once the same way.
            self._stats.set_value(stat.REDIS_WRITES_REFUSED, 1)
            logger.error(
                "Redis at %s %s; stopping worker %s; what it wrote is kept, and once Redis takes writes again "
                "a restart continues the run",
                self.url, refused, self.worker,
            )
        else:
            logger.error(
                "Lost Redis at %s (%s): stopping worker %s; what it wrote is kept, and a restart continues the run",
                self.url, _one_line(error), self.worker,
            )
        self._stats.set_value(stat.REDIS_LOST, 1)
        if self.store is not None:
            self.store.mark_lost(error)
        from twisted.internet import reactor

        # Not from inside the engine's own call into the scheduler.
        reactor.callLater(0, self._close_spider)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def _close_spider(self) -> None:
        stop_run(self.crawler, REDIS_LOST)


class InflightDoneMiddleware:
    """Spider middleware of distributed runs: a request's in-flight entry goes once its callback's output
    went where it goes (every request it yielded is in the queue, every item it yielded was written or
    dropped), so a worker killed later does not have it fetched again by the others, and one killed
    earlier has it fetched by them. What it misses (errbacks of failed downloads) goes when the worker idles."""

    def __init__(self, crawler: Crawler, server: Redis, key: str) -> None:
        self.server = server
        self.key = key
        self.items: Counter[str] = Counter()  # items of a response still in the item pipelines
        self.ended: set[str] = set()  # responses whose callback output was all taken
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightDoneMiddleware:
        settings = crawler.settings
        if not enabled(settings):
            raise NotConfigured
        assert crawler.spidercls.name is not None
        keys = run_keys(key_prefix(settings), run_name(settings, crawler.spidercls.name))
        return cls(crawler, connect(settings), keys.inflight(worker_name(settings)))

    @staticmethod
    def _field(response: Response | None) -> str | None:
        if response is None or response.request is None:
            return None
        field = response.meta.get(INFLIGHT)
        return field if isinstance(field, str) else None

    def _passing(self, field: str | None, value: Any) -> None:
        if field is not None and not isinstance(value, Request):
            self.items[field] += 1

    def _ended(self, field: str | None) -> None:
        if field is not None:
            self.ended.add(field)
            self._maybe_done(field)

    def item_done(self, response: Response | None = None, **kwargs: Any) -> None:
        field = self._field(response)
        if field is not None and self.items[field] > 0:
            self.items[field] -= 1
            self._maybe_done(field)

    def _maybe_done(self, field: str) -> None:
        if field not in self.ended or self.items[field] > 0:
            return
        self.ended.discard(field)
        del self.items[field]
        try:
            self.server.hdel(self.key, field)
        except RedisError:
            pass  # the scheduler notices a lost Redis and stops the worker; the entry costs a fetch at most

    def process_spider_output(self, response: Response, result: Iterable[Any], spider: Spider | None = None) -> Iterator[Any]:
        field = self._field(response)
        for value in result:
            self._passing(field, value)
            yield value
        self._ended(field)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        field = self._field(response)
        async for value in result:
            self._passing(field, value)
            yield value
        self._ended(field)

    def process_spider_exception(self, response: Response, exception: Exception, spider: Spider | None = None) -> None:
        self._ended(self._field(response))
