"""A worker's name held in Redis while its worker runs: a second live worker of one name is refused, a restart after a kill let in."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import datetime, timezone
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crawler.distributed import HEARTBEAT_SECONDS, WORKER_STALE_SECONDS, connect, key_prefix, redacted, safe_name, worker_name
from crawler.liveness import boot_id, process_stat

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# Take the name unless another process holds it; ARGV[2] is the holder this process found gone (its
# machine's process is dead), taken over only if it still holds it. KEYS: the name's key; ARGV: this
# process's identity, the gone holder's ("" for none), seconds. Returns the live holder, or false.
_ACQUIRE_LUA = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] and held ~= ARGV[2] then return held end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
return false
"""
# Keep (or, ARGV[2] = 0, give up) the name, only while this process holds it; a name that lapsed
# meanwhile (the process held up past the staleness, a Redis restarted without its data) and nobody
# took is taken back (2): left free, a second worker of the name was let in beside this live one.
# Returns 0 when another process holds it.
_KEEP_LUA = """
local held = redis.call('GET', KEYS[1])
if ARGV[2] == '0' then
  if held == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return 1
end
if held == ARGV[1] then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) return 1 end
if held then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 2
"""


def identity() -> dict[str, Any]:
    """This process: machine, boot, PID and start (a PID alone may be another process's after a reboot or reuse)."""
    own = process_stat(os.getpid())
    return {
        "host": socket.gethostname(),
        "boot": boot_id() or "",
        "pid": os.getpid(),
        "start": own[1] if own else "",
        "since": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }


def gone_here(holder: dict[str, Any]) -> bool:
    """Whether ``holder`` was a process of this machine that is no longer running. One of another
    machine cannot be told gone from here: its name lapses WORKER_STALE_SECONDS after its last beat."""
    if holder.get("host") != socket.gethostname():
        return False
    boot = boot_id()
    if boot and holder.get("boot") and holder.get("boot") != boot:
        return True  # booted since
    pid = holder.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        pass  # another user's process: alive
    stat = process_stat(pid)
    if stat is None:
        return False
    state, start = stat
    # A zombie (killed, not reaped by its parent yet) runs no more; a later start is another process.
    return state in ("Z", "X") or bool(holder.get("start")) and str(holder.get("start")) != start


class WorkerNameLock:
    """``<prefix>:worker:<spider>:<worker>`` names the process running that spider under that worker
    name, refreshed every HEARTBEAT_SECONDS by a thread while the process lives and lapsing
    WORKER_STALE_SECONDS after its last refresh.

    What the run keeps for a worker in Redis goes by its name (the requests it has in hand, its
    unconfirmed articles): a second worker of a live worker's name took them as its own killed past
    life's, put its requests back in the queue (fetched twice) and settled its articles from files it
    does not have. The local run lock keeps a second one out on one state dir only.
    """

    def __init__(self, settings: BaseSettings, spider_name: str, on_taken: Callable[[], None] | None = None) -> None:
        self.worker = worker_name(settings)
        self.key = f"{key_prefix(settings)}:worker:{safe_name(spider_name, 'spider')}:{self.worker}"
        self.url = redacted(str(settings.get("REDIS_URL")))
        self.spider = spider_name
        self.client: Redis | None = None
        self.mine = json.dumps(identity(), sort_keys=True)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        # Called (from the refresh thread) once another process holds the name: the run stops.
        self.on_taken = on_taken

    def acquire(self, settings: BaseSettings) -> str | None:
        """Hold the name; None when held, else a one-line reason naming the live holder."""
        from redis.exceptions import RedisError

        self.client = connect(settings)
        try:
            raw = self.client.get(self.key)
            holder = _decoded(raw)
            gone = raw.decode(errors="replace") if isinstance(raw, bytes) and holder is not None and gone_here(holder) else ""
            live = self.client.register_script(_ACQUIRE_LUA)(keys=[self.key], args=[self.mine, gone, WORKER_STALE_SECONDS])
        except RedisError as error:
            self.client.close()
            self.client = None
            return f"Redis at {self.url} is unreachable ({' '.join(str(error).split()) or type(error).__name__}); nothing was fetched"
        if live:
            self.client.close()
            self.client = None
            other = _decoded(live) or {}
            return (
                f"a worker named {self.worker} is running '{self.spider}' already (host {other.get('host', '?')}, "
                f"pid {other.get('pid', '?')}, since {other.get('since', '?')}; Redis at {self.url}): not starting a second "
                f"one, which would take its requests in hand and unconfirmed articles as its own; give each worker its "
                f"own BS_WORKER_NAME (a worker killed on another machine frees its name {WORKER_STALE_SECONDS} s after)"
            )
        if gone:
            logger.info("Worker %s's previous process (pid %s) is gone: taking its name over", self.worker, holder.get("pid") if holder else "?")
        self._thread = threading.Thread(target=self._keep, name=f"worker {self.worker} name", daemon=True)
        self._thread.start()
        return None

    def _keep(self) -> None:
        from redis.exceptions import RedisError

        assert self.client is not None
        keep = self.client.register_script(_KEEP_LUA)
        warned = False
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                held = keep(keys=[self.key], args=[self.mine, WORKER_STALE_SECONDS])
            except RedisError:
                continue  # the scheduler reports a lost Redis and stops the worker
            if held == 2:
                logger.info("Worker %s's name had lapsed in Redis at %s: taken back", self.worker, self.url)
            if not held and not warned:
                warned = True
                # Its mark lapsed (the process stopped for longer than the staleness) and another took it:
                # the two would take each other's requests in hand; this one gives way.
                logger.error(
                    "Worker %s no longer holds its name in Redis at %s: another process took it over; stopping this "
                    "one, which would fetch that one's requests beside it (what it wrote is kept)", self.worker, self.url,
                )
                if self.on_taken is not None:
                    self.on_taken()

    def release(self) -> None:
        from redis.exceptions import RedisError

        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None
        if self.client is None:
            return
        try:
            self.client.register_script(_KEEP_LUA)(keys=[self.key], args=[self.mine, 0])
        except RedisError:
            pass  # lapses after WORKER_STALE_SECONDS
        finally:
            self.client.close()
            self.client = None


def _decoded(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, (bytes, str)):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
