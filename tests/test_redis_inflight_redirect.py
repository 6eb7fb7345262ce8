"""A redirected or retried request (Scrapy copies the original's meta) left the original's in-flight entry
behind, which no callback ever ended: a worker killed later had both put back and the page fetched twice.
The redirect or retry takes the original's entry; a request put back from another worker gets one of its own."""

from __future__ import annotations

import pytest
import redis
from scrapy import Request

from crawler.distributed.scheduler import INFLIGHT, RedisScheduler
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)
from tests.test_redis_stalled_worker import short_beats, worker  # noqa: F401 (fixtures: a worker of the run, opened)

URL = "http://127.0.0.1/article/markets/news/sensex-124101400008_1.html"


def entries(redis_url: str, worker: RedisScheduler) -> dict[bytes, bytes]:  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    try:
        return client.hgetall(worker.inflight_key)  # type: ignore[return-value]
    finally:
        client.close()


def test_a_redirect_or_retry_takes_the_originals_in_flight_entry(worker: RedisScheduler, redis_url: str) -> None:  # noqa: F811
    original = Request(URL, callback=worker.spider.parse_article)  # type: ignore[union-attr]
    worker._hold(original)
    redirected = original.replace(url=URL.replace("http:", "https:"))
    redirected.meta["redirect_urls"] = [URL]
    worker._hold(redirected)
    retried = redirected.copy()
    retried.meta["retry_times"] = 1
    worker._hold(retried)
    held = entries(redis_url, worker)
    assert len(held) == 1, "a kill now would have the page fetched more than once"
    assert redirected.url.encode() in next(iter(held.values()))


def test_a_request_put_back_from_another_worker_gets_an_entry_of_its_own(worker: RedisScheduler, redis_url: str) -> None:  # noqa: F811
    mine = Request(URL, callback=worker.spider.parse_article)  # type: ignore[union-attr]
    worker._hold(mine)
    # Put back from a gone worker (or this worker's previous life), its meta names that one's entry,
    # which may be spelt like one of this worker's.
    adopted = Request(URL.replace("008", "009"), callback=worker.spider.parse_article, meta={INFLIGHT: mine.meta[INFLIGHT].split("-")[-1]})  # type: ignore[union-attr]
    worker._hold(adopted)
    foreign = Request(URL.replace("008", "007"), callback=worker.spider.parse_article, meta={INFLIGHT: "0badc0de-1"})  # type: ignore[union-attr]
    worker._hold(foreign)
    assert len(entries(redis_url, worker)) == 3
    assert len({mine.meta[INFLIGHT], adopted.meta[INFLIGHT], foreign.meta[INFLIGHT]}) == 3


class Killed(BaseException):
    """The worker dies here (SIGKILL: nothing after it runs)."""


def test_a_request_taken_from_the_queue_is_in_flight_before_anything_else_happens(
    worker: RedisScheduler, redis_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # Popped, then noted in flight: a worker killed between the two lost the request for the run (one
    # article in a few hundred, now and then, in the killed-worker test).
    request = Request(URL, callback=worker.spider.parse_article)  # type: ignore[union-attr]
    worker.queue.push(request)

    def killed(data: bytes) -> Request:
        raise Killed

    monkeypatch.setattr(worker.queue, "_decode_request", killed)
    with pytest.raises(Killed):
        worker.next_request()
    assert len(worker.queue) == 0
    held = entries(redis_url, worker)
    assert len(held) == 1 and URL.encode() in next(iter(held.values())), "the request is in no one's hands"


def test_a_redirect_taken_from_the_queue_replaces_the_originals_entry(worker: RedisScheduler, redis_url: str) -> None:  # noqa: F811
    worker.queue.push(Request(URL, callback=worker.spider.parse_article))  # type: ignore[union-attr]
    original = worker.next_request()
    assert original is not None and len(entries(redis_url, worker)) == 1
    redirected = original.replace(url=URL.replace("http:", "https:"))
    worker.queue.push(redirected)
    taken = worker.next_request()
    assert taken is not None and taken.url == redirected.url
    held = entries(redis_url, worker)
    assert len(held) == 1 and redirected.url.encode() in next(iter(held.values()))
    assert held.keys() == {taken.meta[INFLIGHT].encode()}


def test_a_kill_right_after_a_redirect_is_taken_leaves_one_entry_for_the_page(
    worker: RedisScheduler, redis_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # The redirect was noted under a new field and the original's entry deleted after, in a second
    # step: a worker killed between the two had both put back, and the page fetched twice.
    worker.queue.push(Request(URL, callback=worker.spider.parse_article))  # type: ignore[union-attr]
    original = worker.next_request()
    assert original is not None
    worker.queue.push(original.replace(url=URL.replace("http:", "https:")))

    def killed(data: bytes) -> Request:
        raise Killed

    monkeypatch.setattr(worker.queue, "_decode_request", killed)
    with pytest.raises(Killed):
        worker.next_request()
    held = entries(redis_url, worker)
    assert len(held) == 1 and b"https:" in next(iter(held.values())), "a kill now has the page fetched twice"
