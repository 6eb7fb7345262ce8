"""The seen-store of distributed runs in Redis, behind the seen-store interface of crawler/incremental/store.py."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.distributed import (
    HEARTBEAT_SECONDS,
    WORKER_STALE_SECONDS,
    connect,
    epoch_key,
    generation_key,
    key_prefix,
    redacted,
    remember_generation,
    safe_name,
    worker_name,
    write_refusal,
)
from crawler.distributed.pulse import Pulse
from crawler.incremental.store import (
    ALIAS_KEEP_DAYS, GONE_KEEP_DAYS, MET_BATCH, SEEN_PRUNE_EVERY, Alias, Claim, FeedRecord, GoneArticle, PendingArticle, SeenArticle, SeenStoreBackend, StateError, fresh_source_date, is_older_copy,
    alias_if_fresh, is_same_content, later_modified, state_dir,
)

if TYPE_CHECKING:
    from redis import Redis
    from twisted.internet.task import LoopingCall

# How long a claim of an article by a run lasts without being confirmed: a killed worker's claims lapse.
CLAIM_SECONDS = 3600
# The format of the seen-store's keys, kept in ``<prefix>:format`` as the SQLite store keeps its schema
# number: bumped whenever a release stores what the releases before would misread, another key or field,
# or another content hash (a worker of before reading a newer release's hash takes every story it fetches
# for changed and emits it again; during a rolling upgrade, at every fetch). A worker refuses a store of a
# newer format before it fetches anything, and stops at its next claim when a newer release marks the
# store while it runs. Stores of before the number (no key) hold what this release reads (their hashes
# are told by crawler.incremental.pipeline.earlier_content_hashes): marked with it when first used.
# 1: the content hash without alsoRead and the Last Updated date (tests pin it with the hashed fields).
FORMAT = 1
# A run that claimed an article marks itself alive (``<prefix>:alive:<run id>``) for this long, every
# HEARTBEAT_SECONDS until its store is closed (after its last confirmation): a claim whose run is no
# longer alive is taken over then, not after CLAIM_SECONDS. Long beside the beat: the beat runs on
# the reactor, which a long parse (a 50 MB sitemap) or a slow Redis may hold up for a while, and a
# live run's claim taken over is an article emitted twice.
ALIVE_SECONDS = 10 * WORKER_STALE_SECONDS

# Confirm one pending entry atomically: copy it to the article's hash, index the id, drop the entry.
# KEYS: pending hash, the article's seen hash, the id set; ARGV: pending field, article id.
_CONFIRM_LUA = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local entry = cjson.decode(raw)
local fields = {}
for _, name in ipairs({'version', 'content_hash', 'date_modified', 'source_date'}) do
    local value = entry[name]
    if value ~= nil and value ~= cjson.null then
        fields[#fields + 1] = name
        fields[#fields + 1] = tostring(value)
    end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[4])
redis.call('ZADD', KEYS[7], tonumber(ARGV[5]), ARGV[2])
if ARGV[3] == '' then return 1 end
return redis.call('HINCRBY', KEYS[6], ARGV[4], 1)
"""
# The confirmation above, unless Redis lost its data since this worker started (see RedisDataLost).
# KEYS[5]: the epoch key; ARGV[3]: this worker's epoch ("" when it has none); KEYS[6], ARGV[4]: the
# workers' counts and this worker's name (crawler/distributed/__init__.py, GENERATIONS_FILE): its count
# is advanced by each confirmation and returned, once the worker has an epoch (the counts go with it).
# KEYS[7], ARGV[5]: the store's last-met times (RETENTION) and now (Unix seconds).
_CONFIRM_CHECKED_LUA = """
if ARGV[3] ~= '' and redis.call('GET', KEYS[5]) ~= ARGV[3] then return -1 end
""" + _CONFIRM_LUA
# Claim an article for one run, atomically: unchanged (the seen hash matches), taken (another run's
# claim has not lapsed and that run is alive), or claimed: the pending entry is written and the claim
# set. A claim of a run that is no longer alive (its worker was killed between claiming and
# confirming) is taken over: kept for CLAIM_SECONDS it lost the article when the sources moved on
# before then (`latest` lists the newest stories only), and the killed worker's recovery confirms
# its own line only if that line is in its file, as with the SQLite store.
# KEYS: the article's seen hash, the pending hash, the claim key, the format key; ARGV: content hash, fresh (0/1),
# run id, pending field, pending JSON without version, claim seconds, the source date ("" for none),
# the prefix of the runs' alive keys, ALIVE_SECONDS, earlier releases' hashes of the content
# (comma-separated, "" for none), the page's dateModified to store for unchanged content saved again
# ("" for none) and the stored one it replaces, FORMAT, now (Unix seconds) and the article id for the
# last-met times (KEYS[5], see RETENTION). Returns {outcome, version}, or {'format', the
# store's format} when a newer release marked the store (-1: a value that is no format number).
_CLAIM_LUA = """
local format = redis.call('GET', KEYS[4])
if format and (not string.match(format, '^%d+$') or tonumber(format) > tonumber(ARGV[13])) then
    return {'format', string.match(format, '^%d+$') and tonumber(format) or -1}
end
local seen_version = redis.call('HGET', KEYS[1], 'version')
local seen_hash = redis.call('HGET', KEYS[1], 'content_hash')
local unchanged = seen_version and seen_hash and (seen_hash == ARGV[1] or (ARGV[10] ~= '' and string.find(',' .. ARGV[10] .. ',', ',' .. seen_hash .. ',', 1, true) ~= nil))
if unchanged and ARGV[2] == '0' then
    -- An earlier release's hash: this one in its place, told at the next fetch too.
    if seen_hash ~= ARGV[1] then redis.call('HSET', KEYS[1], 'content_hash', ARGV[1]) end
    -- Fetched again for a newer feed or sitemap date, the same story: that date is kept, or each
    -- later run would fetch the story again for it.
    if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'source_date', ARGV[7]) end
    -- Saved again unedited, later: that date, unless another run stored another since it was read.
    if ARGV[11] ~= '' and (redis.call('HGET', KEYS[1], 'date_modified') or '') == ARGV[12] then
        redis.call('HSET', KEYS[1], 'date_modified', ARGV[11])
    end
    -- Met again: a source still lists it, so the retention counts from now.
    redis.call('ZADD', KEYS[5], tonumber(ARGV[14]), ARGV[15])
    return {'unchanged', tonumber(seen_version)}
end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[3] and redis.call('EXISTS', ARGV[8] .. holder) == 1 then return {'taken', 0} end
local outcome, version = 'new', 1
if seen_version then
    if unchanged then outcome, version = 'unchanged', tonumber(seen_version)
    else outcome, version = 'updated', tonumber(seen_version) + 1 end
end
local entry = cjson.decode(ARGV[5])
entry['version'] = version
redis.call('HSET', KEYS[2], ARGV[4], cjson.encode(entry))
redis.call('SET', KEYS[3], ARGV[3], 'EX', tonumber(ARGV[6]))
redis.call('SET', ARGV[8] .. ARGV[3], 1, 'EX', tonumber(ARGV[9]))
return {outcome, version}
"""
_SEEN_FIELDS = ("version", "content_hash", "date_modified", "source_date")
# RETENTION: BS_SEEN_RETENTION_DAYS, as in the SQLite store. When each article was last emitted or fetched
# again is its score in the sorted set ``<prefix>:seen-times`` (written by the claim's and the
# confirmation's own scripts: no round trip of their own), so the articles past the retention are a
# range of it, read once a day by one worker, not a scan of every seen hash.
# Whether a prune is due, and if so noted as done now, atomically: of several workers ending together
# one prunes. KEYS: the note of the last prune; ARGV: now (Unix seconds), SEEN_PRUNE_EVERY (seconds).
_PRUNE_DUE_LUA = """
local last = tonumber(redis.call('GET', KEYS[1]) or '')
local now = tonumber(ARGV[1])
if last and now - last >= 0 and now - last < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""
# Forget the articles of ARGV[3..] still last met before ARGV[1] (another worker may have met one since
# they were read) and claimed by no run (a live run is writing it). KEYS: the last-met times, the id
# set; ARGV: the cut-off (Unix seconds), the prefix, article ids. Returns {forgotten, kept for a claim}.
_PRUNE_LUA = """
local forgotten, kept = 0, 0
for i = 3, #ARGV do
    local id = ARGV[i]
    local met = redis.call('ZSCORE', KEYS[1], id)
    if met and tonumber(met) < tonumber(ARGV[1]) then
        if redis.call('EXISTS', ARGV[2] .. ':claim:' .. id) == 1 then
            kept = kept + 1
        else
            redis.call('DEL', ARGV[2] .. ':seen:' .. id)
            forgotten = forgotten + redis.call('SREM', KEYS[2], id)
            redis.call('ZREM', KEYS[1], id)
        end
    end
end
return {forgotten, kept}
"""
_PRUNE_BATCH = 1000
# Articles a source listed again (looked up, found seen) dated as met now, where their time is older than
# ARGV[2] (a day ago: no write at each run of a cron every few minutes). KEYS: the last-met times; ARGV:
# now, the cut-off (Unix seconds), article ids. One script a batch: any Redis, no ZADD GT (6.2).
_MET_LUA = """
for i = 3, #ARGV do
    local met = redis.call('ZSCORE', KEYS[1], ARGV[i])
    if met and tonumber(met) < tonumber(ARGV[2]) then
        redis.call('ZADD', KEYS[1], tonumber(ARGV[1]), ARGV[i])
    end
end
return 0
"""
# The store's format number, and this release's in its place when it has none or an older one
# (atomically: two releases starting together leave the newer's). KEYS: the format key; ARGV: FORMAT.
# Returns the number found (0: none), -1 for a value that is no format number, and that value.
_FORMAT_LUA = """
local raw = redis.call('GET', KEYS[1])
if not raw then
    redis.call('SET', KEYS[1], ARGV[1])
    return {0, ''}
end
if not string.match(raw, '^%d+$') then return {-1, raw} end
local found = tonumber(raw)
if found < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return {found, raw}
"""
# Record a gone answer and return the record from before (nils when none), as the SQLite store's
# gone table; the key lapses GONE_KEEP_DAYS after the last gone answer. KEYS: the article's gone
# hash; ARGV: answer, now (ISO, UTC), run id, seconds to keep.
_GONE_LUA = """
local earlier = redis.call('HMGET', KEYS[1], 'answer', 'first_at', 'last_at', 'run_id')
if earlier[1] and earlier[2] and earlier[4] then
    redis.call('HSET', KEYS[1], 'answer', ARGV[1], 'last_at', ARGV[2])
else
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'answer', ARGV[1], 'first_at', ARGV[2], 'last_at', ARGV[2], 'run_id', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return earlier
"""
# Forget a gone record (the article answered a page) and return it. KEYS: the article's gone hash, and
# when the page was the article's own, its alias hash, forgotten in the same call (a DEL of its own was
# one more round trip, with the reactor waiting, for every article page of a distributed run).
_PAGE_LUA = """
local earlier = redis.call('HMGET', KEYS[1], 'answer', 'first_at', 'last_at', 'run_id')
if earlier[1] then redis.call('DEL', KEYS[1]) end
if KEYS[2] then redis.call('DEL', KEYS[2]) end
return earlier
"""
_GONE_FIELDS = ("answer", "first_at", "last_at", "run_id")
# Record where a link led, as the SQLite store's aliases table (a miss in a row more when it led
# nowhere, as it did before); the key lapses ALIAS_KEEP_DAYS after. KEYS: the alias hash; ARGV:
# target ("" for nowhere), source date ("" for none), now (ISO, UTC), seconds to keep. Returns the misses.
_ALIAS_LUA = """
local misses = 0
if ARGV[1] == '' then
    local earlier = redis.call('HMGET', KEYS[1], 'target', 'misses')
    if earlier[1] == '' and earlier[2] then misses = tonumber(earlier[2]) end
    misses = misses + 1
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'target', ARGV[1], 'misses', misses, 'recorded_at', ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'source_date', ARGV[2]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return misses
"""
_ALIAS_FIELDS = ("target", "source_date", "misses", "recorded_at")


logger = logging.getLogger(__name__)

# One article of a machine's own seen-store into Redis, unless Redis has that version or a later one.
# KEYS: the article's seen hash, the id set; ARGV: article id, version, content hash, date modified and
# source date ("" for none).
_CARRY_LUA = """
local seen_version = redis.call('HGET', KEYS[1], 'version')
if seen_version and tonumber(seen_version) >= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'content_hash', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'date_modified', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'source_date', ARGV[5]) end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""


def carry_over(client: Redis, prefix: str, local: Path) -> int:
    """Copy the articles of a machine's SQLite seen-store (``local``) into a Redis seen-store never used
    (no article, no epoch): a machine switched from its own cron runs to distributed ones would emit
    every article its runs delivered a second time. Returns how many were copied.

    A store in use is left alone: it knows better than a machine's store, which may be old. Two workers
    starting together on an unused store both copy theirs: the union, the later version of each.
    """
    if not local.is_file() or client.exists(epoch_key(prefix)) or client.scard(f"{prefix}:seen-ids"):
        return 0
    script = client.register_script(_CARRY_LUA)
    carried = 0
    database = sqlite3.connect(f"{local.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = database.execute("SELECT article_id, version, content_hash, date_modified, source_date FROM seen")
        while batch := rows.fetchmany(1000):
            pipe = client.pipeline(transaction=False)
            for article_id, version, content_hash, date_modified, source_date in batch:
                script(
                    keys=[f"{prefix}:seen:{article_id}", f"{prefix}:seen-ids"],
                    args=[article_id, version, content_hash, date_modified or "", source_date or ""],
                    client=pipe,
                )
            carried += sum(int(done) for done in pipe.execute())
    finally:
        database.close()
    return carried


def seen_times_key(prefix: str) -> str:
    """The sorted set of when each seen article was last emitted or fetched again (RETENTION)."""
    return f"{prefix}:seen-times"


def seen_pruned_key(prefix: str) -> str:
    """When the seen-store was last pruned (RETENTION), as Unix seconds."""
    return f"{prefix}:seen-pruned"


def format_key(prefix: str) -> str:
    """The key of the seen-store's format number (:data:`FORMAT`)."""
    return f"{prefix}:format"


def check_format(client: Redis, prefix: str, where: str) -> None:
    """Raise :class:`StateError` when the seen-store at ``prefix`` is of a newer format than this release's
    (or its format key holds no number); else mark it with this release's, if it has none or an older one."""
    found, raw = client.register_script(_FORMAT_LUA)(keys=[format_key(prefix)], args=[FORMAT])
    found = int(found)
    if found > FORMAT:
        raise StateError(
            f"the seen-store in Redis at {where} is of format {found}, written by a newer release of the crawler "
            f"than this one (format {FORMAT}), which would take its stories for changed and emit them again: "
            "upgrade the crawler on this machine (every worker of the store runs one release)"
        )
    if found < 0:
        value = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        raise StateError(
            f"the seen-store in Redis at {where} has {format_key(prefix)} = {value[:40]!r}, which is no format number "
            f"(this release writes {FORMAT}); it is left as it is"
        )


def _gone_record(article_id: str, values: Any) -> GoneArticle | None:
    """A gone record from the values of its hash (``_GONE_FIELDS``), None when it has none (or they
    are not what this version writes)."""
    if not isinstance(values, list) or len(values) != len(_GONE_FIELDS):
        return None
    answer, first_at, last_at, run_id = (v.decode(errors="replace") if isinstance(v, bytes) else v for v in values)
    if not (answer and first_at and run_id):
        return None
    return GoneArticle(article_id, answer, first_at, last_at or first_at, run_id)


class RedisDataLost(Exception):
    """Redis lost what it held while a worker ran (restarted without persistence, flushed, keys evicted).

    Told by ``<prefix>:epoch``, a token set once and never deleted by the crawler: gone or another,
    the seen-store and the run's queue are gone with it.
    """


class RedisWentBack(Exception):
    """Redis went back to an older state while a worker ran (restarted from an older snapshot or backup): its
    count of the worker's confirmations went back from ``seen`` to ``found``."""

    def __init__(self, seen: int, found: int) -> None:
        super().__init__(f"its count of this worker went back from {seen} to {found}")
        self.seen = seen
        self.found = found


class RedisSeenStore:
    """The seen-store of distributed runs, shared by every worker through Redis.

    Keys (``prefix`` is ``BS_REDIS_PREFIX``): ``<prefix>:seen:<article id>`` a hash per article,
    ``<prefix>:gone:<article id>`` a hash per article that answered as removed (it lapses
    GONE_KEEP_DAYS after its last such answer),
    ``<prefix>:seen-ids`` the set of seen ids (for ``count``), ``<prefix>:seen-times`` when each was last
    emitted or fetched again (RETENTION), ``<prefix>:pending:<spider>:<worker>``
    this worker's unconfirmed articles (field ``<run id>:<article id>``, a JSON value),
    ``<prefix>:feeds:<run id>`` the feed files of a run, and ``<prefix>:claim:<article id>`` the run
    emitting an article (it lapses after CLAIM_SECONDS). Pending entries are scoped to one worker
    and spider because recovery reads the feed files, which only that worker's machine has, and
    must never settle the entries of a run that is still going elsewhere.

    After a connection error every call raises :class:`StateError` at once (a lost Redis would
    otherwise cost each call its timeout), and ``on_lost`` is told once.
    """

    def __init__(self, client: Redis, prefix: str, scope: str, *, future_skew: float = 600.0) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        self.client = client
        self.future_skew = future_skew  # BS_FUTURE_DATE_SKEW
        self.prefix = prefix
        self.pending_key = f"{prefix}:pending:{scope}"
        self.worker = scope.rpartition(":")[2]  # (scope is <spider>:<worker>, both safe names)
        self.ids_key = f"{prefix}:seen-ids"
        self.times_key = seen_times_key(prefix)
        self.lost: Exception | None = None
        self.on_lost: Callable[[Exception], None] | None = None
        self._errors = (RedisError, OSError)
        self._lost_errors = (RedisConnectionError, RedisTimeoutError, OSError)
        self._confirm = client.register_script(_CONFIRM_CHECKED_LUA)
        self.epoch_key = epoch_key(prefix)
        self.epoch = ""  # set by the scheduler when the worker joins its run
        # The highest count of this worker's confirmations it saw (GENERATIONS_FILE), and where
        # and up to which it noted it (the scheduler sets both when the worker joins its run): noted at each
        # beat and at the end, not at each article.
        self.generation = 0
        self.generations: tuple[Path, str] | None = None
        self.noted_generation = 0
        self.on_notes_set_aside: Callable[[Path], None] | None = None  # the scheduler's, which counts them
        self._claim = client.register_script(_CLAIM_LUA)
        self._gone = client.register_script(_GONE_LUA)
        self._alias = client.register_script(_ALIAS_LUA)
        self._page = client.register_script(_PAGE_LUA)
        self._prune_due = client.register_script(_PRUNE_DUE_LUA)
        self._prune = client.register_script(_PRUNE_LUA)
        self._met_script = client.register_script(_MET_LUA)
        self._met: set[str] = set()  # seen articles looked up since the last date_met (see get)
        self._alive: LoopingCall | None = None
        self._alive_run = ""
        self._pulse: Pulse | None = None

    @classmethod
    def open(cls, settings: Any, spider_name: str) -> RedisSeenStore:
        scope = f"{safe_name(spider_name, 'spider')}:{worker_name(settings)}"
        store = cls(connect(settings), key_prefix(settings), scope, future_skew=settings.getfloat("BS_FUTURE_DATE_SKEW", 600.0))
        local = state_dir(settings) / "seen.sqlite3"
        try:
            carried = carry_over(store.client, store.prefix, local)
        except sqlite3.Error as error:
            logger.warning("Could not read the local seen-store %s (%s): the articles it holds are emitted again", local, error)
        except store._errors as error:
            store.client.close()
            raise StateError(f"Redis at {redacted(str(settings.get('REDIS_URL')))}: {error}") from error
        else:
            if carried:
                logger.warning(
                    "A first distributed run: carried %d seen article(s) over from the local seen-store %s into Redis; "
                    "they are not emitted again", carried, local,
                )
        return store

    @classmethod
    def check(cls, settings: Any) -> None:
        """Before a run (the crawl command has asked Redis to answer): raise :class:`StateError` when the
        store is of a newer format than this release's; a store without one is marked with it."""
        from redis.exceptions import RedisError

        prefix = key_prefix(settings)
        where = f"{redacted(str(settings.get('REDIS_URL')))} (prefix {prefix})"
        client = connect(settings)
        try:
            check_format(client, prefix, where)
        except (RedisError, OSError) as error:
            raise StateError(f"seen-store in Redis at {where}: {error}") from error
        finally:
            client.close()

    @classmethod
    def lock_name(cls, settings: Any, spider_name: str) -> str:
        # Several workers may share a machine (and BS_STATE_DIR); each name runs once at a time,
        # because a worker's unconfirmed articles are settled by its name.
        return f"{spider_name}-{worker_name(settings)}"

    def _claim_key(self, article_id: str) -> str:
        return f"{self.prefix}:claim:{article_id}"

    def _seen_key(self, article_id: str) -> str:
        return f"{self.prefix}:seen:{article_id}"

    def _feeds_key(self, run_id: str) -> str:
        return f"{self.prefix}:feeds:{run_id}"

    @property
    def _alive_prefix(self) -> str:
        return f"{self.prefix}:alive:"

    def _keep_alive(self, run_id: str) -> None:
        """From this run's first claim to :meth:`close`, keep its claims holding against other runs."""
        if self._alive is not None:
            return
        from twisted.internet.task import LoopingCall

        self._alive_run = run_id
        self._alive = LoopingCall(self._beat, run_id)
        self._alive.start(HEARTBEAT_SECONDS, now=False)
        # A reactor held up past ALIVE_SECONDS would let the run's claims lapse under it.
        self._pulse = Pulse(lambda: self._stand_in_beat(run_id), interval=HEARTBEAT_SECONDS, name=f"run {run_id} alive")
        self._pulse.start()

    def _beat(self, run_id: str) -> None:
        try:
            self._call(self._mark_alive, run_id)
        except StateError:
            pass  # a lost Redis: on_lost was told, the worker stops
        else:
            if self._pulse is not None:
                self._pulse.beaten()

    def _stand_in_beat(self, run_id: str) -> None:
        """The run's beat from the pulse thread: none once Redis is lost (the reactor's beat then fails
        too, which the pulse takes for a held-up reactor), or the worker's alive key, deleted by the
        worker that takes it over, would come back and hold its claims again."""
        if self.lost is None:
            self._mark_alive(run_id)

    def _mark_alive(self, run_id: str) -> None:
        self.client.set(self._alive_prefix + run_id, 1, ex=ALIVE_SECONDS)

    def _call(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.lost is not None:
            refused = write_refusal(self.lost)
            raise StateError(f"seen-store in Redis {refused}" if refused else f"seen-store in Redis is unreachable: {self.lost}")
        try:
            return command(*args, **kwargs)
        except self._errors as error:
            # A Redis that takes no writes stops the worker as a lost one does: every later write would fail.
            if isinstance(error, self._lost_errors) or write_refusal(error) is not None:
                self.mark_lost(error)
            raise StateError(f"seen-store in Redis: {error}") from error

    def mark_lost(self, error: Exception) -> None:
        """Fail every later call at once; tell ``on_lost`` the first time."""
        if self.lost is None:
            self.lost = error
            if self.on_lost is not None:
                self.on_lost(error)

    def get(self, article_id: str) -> SeenArticle | None:
        if self.lost is not None:
            # The worker is stopping: its scheduler queues nothing more and no item is emitted
            # (RedisLostPipeline), so a source's callback still going through its entries asks in
            # vain; failing each would end it in a traceback.
            return None
        values = self._call(self.client.hmget, self._seen_key(article_id), _SEEN_FIELDS)
        version, digest, modified, source = (v.decode() if v is not None else None for v in values)
        if version is None or digest is None:
            return None
        # Looked up, it was listed again: the retention counts from now, as in the SQLite store (an
        # archive over a sitemap still listing a story stored 400 days ago would write it again as new).
        self._met.add(article_id)
        if len(self._met) >= MET_BATCH:
            try:
                self.date_met()
            except StateError as error:
                logger.debug("Seen-store: articles listed again not dated yet: %s", error)
        return SeenArticle(article_id, int(version), digest, modified, source)

    def date_met(self, now: datetime | None = None) -> None:
        """Date the articles looked up since the last call as met now (those met less than a day ago are left)."""
        if not self._met:
            return
        met, self._met = sorted(self._met), set()
        moment = (now or datetime.now(timezone.utc)).timestamp()
        try:
            self._call(self._met_script, keys=[self.times_key], args=[moment, moment - SEEN_PRUNE_EVERY.total_seconds(), *met])
        except StateError:
            self._met.update(met)  # asked again at the next batch or the run's end
            raise

    def add_pending(self, pending: PendingArticle) -> None:
        entry = {
            "version": pending.version,
            "content_hash": pending.content_hash,
            "date_modified": pending.date_modified,
            "source_date": pending.source_date,
        }
        self._call(self.client.hset, self.pending_key, f"{pending.run_id}:{pending.article_id}", json.dumps(entry))

    def claim(self, pending: PendingArticle, *, fresh: bool, is_live: Callable[[str], bool]) -> Claim:
        """As the SQLite store's: another run's claim holds while that run is alive (from its first
        claim until its store is closed, see ALIVE_SECONDS), and lapses after CLAIM_SECONDS in any case."""
        source_date = pending.source_date
        read, seen = False, None
        if pending.date_modified and not fresh:
            # As the SQLite store: a page older than the version emitted (a CDN edge's stale copy) is not
            # the next version. Read before the claim: a newer version emitted in between is not held
            # back by this, only an older page let through, as without the check.
            read, seen = True, self.get(pending.article_id)
            if seen is not None and not is_same_content(seen, pending) and is_older_copy(pending.date_modified, seen.date_modified, self.future_skew):
                return Claim("stale", seen.version, seen.date_modified)
        elif fresh:
            # As the SQLite store: a fresh run stores no older feed or sitemap date than the one there.
            read, seen = True, self.get(pending.article_id)
            unchanged = seen is not None and is_same_content(seen, pending)
            source_date = fresh_source_date(seen, pending, unchanged, self.future_skew)
        entry = {"content_hash": pending.content_hash, "date_modified": pending.date_modified, "source_date": source_date}
        # Earlier releases' hashes, as the SQLite store asks for them: only for a story stored with
        # another hash than this one's (where the story was read first; else in any case).
        # (Read, unchanged content saved again later keeps that later date, as in the SQLite store.)
        modified = later_modified(seen, pending) if seen is not None and not fresh and is_same_content(seen, pending) else None
        previous = pending.previous_hashes if not read or (seen is not None and seen.content_hash != pending.content_hash) else ()
        outcome, version = self._call(
            self._claim,
            keys=[self._seen_key(pending.article_id), self.pending_key, self._claim_key(pending.article_id), format_key(self.prefix),
                  self.times_key],
            args=[pending.content_hash, "1" if fresh else "0", pending.run_id, f"{pending.run_id}:{pending.article_id}",
                  json.dumps(entry), CLAIM_SECONDS, pending.source_date or "", self._alive_prefix, ALIVE_SECONDS,
                  ",".join(previous), modified or "", (seen.date_modified or "") if seen is not None else "", FORMAT,
                  int(datetime.now(timezone.utc).timestamp()), pending.article_id],
        )
        if outcome in (b"format", "format"):
            # A newer release marked the store while this worker ran (a rolling upgrade): what this
            # release decides from its hashes would emit the newer release's stories again.
            raise StateError(
                f"the seen-store in Redis (prefix {self.prefix}) was marked format {version} by a newer release of the "
                f"crawler while this worker ran (this one reads format {FORMAT}): upgrade the crawler on this machine"
                if int(version) > FORMAT
                else f"the seen-store in Redis (prefix {self.prefix}) has a {format_key(self.prefix)} that is no format number"
            )
        self._keep_alive(pending.run_id)
        return Claim(outcome.decode() if isinstance(outcome, bytes) else str(outcome), int(version))

    def confirm(self, article_id: str, run_id: str) -> None:
        done = self._call(
            self._confirm,
            keys=[self.pending_key, self._seen_key(article_id), self.ids_key, self._claim_key(article_id), self.epoch_key,
                  generation_key(self.prefix), self.times_key],
            args=[f"{run_id}:{article_id}", article_id, self.epoch, self.worker, int(datetime.now(timezone.utc).timestamp())],
        )
        if self.epoch and isinstance(done, int) and done > 0:
            if done <= self.generation:
                # Only this worker advances its count: a step back is Redis restarted from an older
                # snapshot under it, whose forgotten articles the rest of the run would emit again.
                self.mark_lost(RedisWentBack(self.generation, done - 1))
            self.generation = max(self.generation, done)
        if done == -1:
            # Marked seen in an emptied store, the article would be emitted again by the next run, unsaid.
            self.mark_lost(RedisDataLost("its epoch key changed"))
            raise StateError(f"seen-store in Redis lost its data; article {article_id} is not marked seen")

    def pending(self) -> list[PendingArticle]:
        entries, unreadable = [], []
        for field, raw in self._call(self.client.hgetall, self.pending_key).items():
            try:
                run_id, _, article_id = field.decode().rpartition(":")
                entry = json.loads(raw)
                entries.append(
                    PendingArticle(
                        article_id, int(entry["version"]), str(entry["content_hash"]), entry.get("date_modified"),
                        entry.get("source_date"), run_id,
                    )
                )
            except (ValueError, KeyError, TypeError):
                unreadable.append(field)
        if unreadable:
            # Written by another version of the crawler, or by hand: failing on it, every start of this
            # worker failed before its spider opened. Without a version and hash it cannot be confirmed;
            # its article, if its line is in a file, is emitted once more by a later run.
            self._call(self.client.hdel, self.pending_key, *unreadable)
            logger.warning(
                "Dropped %d unconfirmed article(s) in %s that this version cannot read (first: %r): if they were "
                "written to a file before the worker stopped, a later run emits them again",
                len(unreadable), self.pending_key, unreadable[0].decode(errors="replace"),
            )
        return entries

    def drop_pending(self, article_id: str, run_id: str) -> None:
        self._call(self.client.hdel, self.pending_key, f"{run_id}:{article_id}")
        self._call(self.client.delete, self._claim_key(article_id))

    def record_feed(self, run_id: str, feed: FeedRecord) -> None:
        self._call(self.client.sadd, self._feeds_key(run_id), feed.encode())

    def feeds_of(self, run_id: str) -> list[FeedRecord]:
        members = self._call(self.client.smembers, self._feeds_key(run_id))
        return sorted((FeedRecord.decode(p.decode()) for p in members), key=lambda feed: feed.path)

    def forget_run(self, run_id: str) -> None:
        # Only this worker writes its pending hash (the run lock keeps a second one out), so no race here.
        fields = [f for f in self._call(self.client.hkeys, self.pending_key) if f.decode().startswith(f"{run_id}:")]
        if fields:
            self._call(self.client.hdel, self.pending_key, *fields)
        self._call(self.client.delete, self._feeds_key(run_id))

    def count(self) -> int:
        return int(self._call(self.client.scard, self.ids_key))

    def prune_seen(self, retention: timedelta, now: datetime | None = None) -> int | None:
        """As the SQLite store's: forget the articles neither emitted nor fetched again for ``retention``,
        claimed by no run; how many, or None when any worker of the store pruned it less than
        SEEN_PRUNE_EVERY ago (``<prefix>:seen-pruned`` says when).

        Each batch is one script, so a worker killed mid-prune leaves whole articles (their hash, id and
        time go together); the next day's prune goes on from there."""
        self.date_met(now)
        moment = (now or datetime.now(timezone.utc)).timestamp()
        if not int(self._call(self._prune_due, keys=[seen_pruned_key(self.prefix)], args=[moment, SEEN_PRUNE_EVERY.total_seconds()])):
            return None
        if int(self._call(self.client.zcard, self.times_key)) < self.count():
            # Articles a release of before (or a carry-over) stored keep no time: counted from now.
            cursor = None
            while cursor != 0:
                cursor, batch = self._call(self.client.sscan, self.ids_key, cursor or 0, count=_PRUNE_BATCH)
                if batch:
                    self._call(self.client.zadd, self.times_key, dict.fromkeys(batch, moment), nx=True)
        cut = moment - retention.total_seconds()
        forgotten = kept = 0
        while ids := self._call(self.client.zrangebyscore, self.times_key, "-inf", f"({cut}", start=kept, num=_PRUNE_BATCH):
            gone, held = self._call(self._prune, keys=[self.times_key, self.ids_key], args=[cut, self.prefix, *ids])
            forgotten += int(gone)
            kept += int(held)
        return forgotten

    def _gone_key(self, article_id: str) -> str:
        return f"{self.prefix}:gone:{article_id}"

    def gone(self, article_id: str) -> GoneArticle | None:
        """As the SQLite store's."""
        if self.lost is not None:
            return None  # (as get(): the worker is stopping)
        return _gone_record(article_id, self._call(self.client.hmget, self._gone_key(article_id), _GONE_FIELDS))

    def answered_gone(self, article_id: str, answer: str, run_id: str) -> GoneArticle | None:
        """As the SQLite store's; every worker sees what the others recorded."""
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        earlier = self._call(self._gone, keys=[self._gone_key(article_id)], args=[answer, now, run_id, GONE_KEEP_DAYS * 86400])
        return _gone_record(article_id, earlier)

    def answered_page(self, article_id: str) -> GoneArticle | None:
        """As the SQLite store's."""
        return _gone_record(article_id, self._call(self._page, keys=[self._gone_key(article_id)]))

    def answered_own_page(self, article_id: str) -> GoneArticle | None:
        """:meth:`answered_page` and :meth:`forget_alias` of the article, in one call."""
        return _gone_record(article_id, self._call(self._page, keys=[self._gone_key(article_id), self._alias_key(article_id)]))

    def _alias_key(self, key: str) -> str:
        return f"{self.prefix}:alias:{key}"

    def alias(self, key: str) -> Alias | None:
        """As the SQLite store's; every worker sees what the others recorded."""
        if self.lost is not None:
            return None  # (as get(): the worker is stopping)
        values = self._call(self.client.hmget, self._alias_key(key), _ALIAS_FIELDS)
        target, source_date, misses, recorded_at = (v.decode(errors="replace") if isinstance(v, bytes) else v for v in values)
        if target is None or not recorded_at:
            return None
        return alias_if_fresh(Alias(key, target, source_date or None, int(misses or 0), recorded_at), future_skew=self.future_skew)

    def remember_alias(self, key: str, target: str, source_date: str | None) -> Alias:
        """As the SQLite store's."""
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        misses = self._call(self._alias, keys=[self._alias_key(key)], args=[target, source_date or "", now, ALIAS_KEEP_DAYS * 86400])
        return Alias(key, target, source_date, int(misses), now)

    def forget_alias(self, key: str) -> None:
        """As the SQLite store's."""
        self._call(self.client.delete, self._alias_key(key))

    def note_generation(self) -> None:
        """Note on this machine the highest count of this worker it saw, if it grew since last noted."""
        if self.generations is not None and self.epoch and self.generation > self.noted_generation:
            aside = remember_generation(self.generations, self.epoch, self.generation)
            self.noted_generation = self.generation
            if aside is not None and self.on_notes_set_aside is not None:
                self.on_notes_set_aside(aside)

    def close(self) -> None:
        self.note_generation()
        if self._pulse is not None:
            self._pulse.stop()
            self._pulse = None
        if self._alive is not None:
            if self._alive.running:
                self._alive.stop()
            self._alive = None
            try:
                # Every article the run claimed is confirmed or dropped by now.
                self._call(self.client.delete, self._alive_prefix + self._alive_run)
            except StateError:
                pass  # lapses after ALIVE_SECONDS
        self.client.close()


# Checked by mypy: the class gives every method of the backend's protocol, and its stores those of SeenStore.
_CHECKED_BACKEND: SeenStoreBackend = RedisSeenStore
