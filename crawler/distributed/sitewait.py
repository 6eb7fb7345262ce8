"""The site's request, made of one distributed worker, not to be asked again before a moment, kept in Redis for every worker of the prefix."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler import distributed

# (No Twisted here: the crawl command reads it before Scrapy installs its reactor, which Scrapy 2.13 refuses
# to do once another is installed.)


def not_before_key(prefix: str, host: str) -> str:
    """The site's request, made of one worker, not to be asked before a moment (a ``Retry-After`` longer than
    ``BS_RETRY_AFTER_MAX``, as the state dir's ``site-wait.json`` keeps it): a time to live counted by Redis,
    its value who was asked, when and for how long."""
    return f"{prefix}:site:{host}:not-before"


def pause_key(prefix: str, host: str) -> str:
    """The wait the site asked of a worker, held by every worker's requests while it lasts (PAUSE)."""
    return f"{prefix}:site:{host}:pause"


def shared_site_wait_problem(settings: Any, now: float | None = None) -> str | None:
    """Why a distributed run must not start yet: the site asked a worker of the prefix, on any machine, not to
    be asked again before a moment still ahead; None when it did not, or Redis cannot tell (the run's own
    checks of Redis say why)."""
    now = time.time() if now is None else now
    host = urlsplit(str(settings.get("BS_BASE_URL") or "")).hostname or ""
    if not host:
        return None
    prefix = distributed.key_prefix(settings)
    key = not_before_key(prefix, host)
    from redis.exceptions import RedisError

    try:
        client = distributed.connect(settings)
        try:
            raw, left_ms = client.get(key), int(client.pttl(key))
        finally:
            client.close()
    except (RedisError, OSError):
        return None
    if raw is None or left_ms <= 0:
        return None
    try:
        entry = json.loads(raw)
        worker, seconds, asked = str(entry["worker"]), float(entry["seconds"]), float(entry["asked"])
    except (ValueError, KeyError, TypeError):
        worker, seconds, asked = "?", left_ms / 1000, now  # written by another version: still the site's wait
    until = now + left_ms / 1000  # (Redis's time to live: no other machine's clock in it)
    return (
        f"the site asks for nothing before {_local(until)} ({math.ceil(left_ms / 60000)} min from now): {host} answered "
        f"worker {worker} 429 with Retry-After: {seconds:g} s at {_local(asked)}; nothing was sent (every worker of the "
        f"prefix is held; `redis-cli DEL {key} {pause_key(prefix, host)}` to ask it anyway)"
    )


def _local(moment: float) -> str:
    stamp = datetime.fromtimestamp(moment).astimezone()
    return f"{stamp:%Y-%m-%d %H:%M:%S} {stamp.tzname() or f'{stamp:%z}'}"
