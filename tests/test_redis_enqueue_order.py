"""A worker killed while queueing the requests a sitemap gave (between marking one seen and putting it in
the shared queue) lost that request for the run: every later copy was filtered as a duplicate. A request
is marked seen only once it is in the queue."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from scrapy import Request

from crawler.distributed.scheduler import RedisDupeFilter, RedisScheduler
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


class Killed(BaseException):
    """The worker dies here (SIGKILL: nothing after it runs)."""


class DyingQueue:
    def push(self, request: Request) -> None:
        raise Killed


class Queue:
    def __init__(self) -> None:
        self.pushed: list[str] = []

    def push(self, request: Request) -> None:
        self.pushed.append(request.url)


def scheduler(server: redis.Redis, key: str, queue: Any) -> RedisScheduler:
    made = object.__new__(RedisScheduler)
    made.lost = None
    made.df = RedisDupeFilter(server, key)
    made.queue = queue
    made.stats = None
    made.spider = None
    return made


def test_a_request_is_marked_seen_only_once_it_is_in_the_queue(redis_url: str, prefix: str) -> None:  # noqa: F811
    server = redis.Redis.from_url(redis_url)
    key = f"{prefix}:dupefilter"
    request = Request("http://127.0.0.1/article/markets/news/sensex-124101400008_1.html")
    try:
        with pytest.raises(Killed):
            scheduler(server, key, DyingQueue()).enqueue_request(request)
        # The next worker (or the same, restarted) that finds the link queues it.
        queue = Queue()
        survivor = scheduler(server, key, queue)
        assert survivor.enqueue_request(request.copy()) is True
        assert queue.pushed == [request.url]
        # Once queued, a copy is a duplicate.
        assert survivor.enqueue_request(request.copy()) is False
        assert queue.pushed == [request.url]
        # A request that asks not to be filtered is queued every time.
        assert survivor.enqueue_request(request.replace(dont_filter=True)) is True
        assert len(queue.pushed) == 2
    finally:
        server.delete(key)
        server.close()
