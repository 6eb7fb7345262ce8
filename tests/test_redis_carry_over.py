"""Switching a machine's cron runs to a distributed run: the articles its SQLite seen-store has are
carried into the empty Redis seen-store, not emitted a second time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.e2e import crawl
from tests.loopback.site import LoopbackSite
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=43, legacy=0) as running:
        yield running


def test_a_first_distributed_run_takes_over_the_local_seen_store(site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    settings = {"BS_BASE_URL": site.base_url}
    alone = crawl("latest", tmp_path, settings=settings)
    assert alone.status == 0, alone.log[-3000:]
    assert alone.items
    distributed = {**settings, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"}
    switched = crawl("latest", tmp_path, settings=distributed)
    assert switched.status == 0, switched.log[-3000:]
    # Every article the machine's own runs delivered stays delivered.
    assert switched.items == []
    assert f"carried {len(alone.items)} seen article(s) over from the local seen-store" in switched.log
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.scard(f"{prefix}:seen-ids") == len(alone.items)
    finally:
        client.close()
    # Once the Redis store is in use, a machine's local store is not read again (it may be old).
    again = crawl("latest", tmp_path, settings=distributed)
    assert again.status == 0 and again.items == []
    assert "carried" not in again.log


def test_only_a_redis_seen_store_never_used_takes_a_local_one(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    from crawler.distributed.store import carry_over

    local = tmp_path / "seen.sqlite3"
    with sqlite3.connect(local) as db:
        db.execute("CREATE TABLE seen (article_id TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL, date_modified TEXT, source_date TEXT)")
        db.execute("INSERT INTO seen VALUES ('124022800873', 2, 'h2', '2024-02-28T15:42:00+05:30', NULL)")
    db.close()
    client = redis.Redis.from_url(redis_url)
    try:
        # Another machine's runs got there first with a newer version: it is kept, the rest added.
        client.hset(f"{prefix}:seen:124022800873", mapping={"version": 3, "content_hash": "h3"})
        client.sadd(f"{prefix}:seen-ids", "124022800873")
        assert carry_over(client, prefix, local) == 0  # the store is in use (it has an article)
        client.delete(f"{prefix}:seen:124022800873", f"{prefix}:seen-ids")
        assert carry_over(client, prefix, local) == 1
        assert client.hgetall(f"{prefix}:seen:124022800873") == {
            b"version": b"2", b"content_hash": b"h2", b"date_modified": b"2024-02-28T15:42:00+05:30"
        }
        client.delete(f"{prefix}:seen:124022800873", f"{prefix}:seen-ids")
        assert carry_over(client, prefix, tmp_path / "none.sqlite3") == 0
    finally:
        client.close()
