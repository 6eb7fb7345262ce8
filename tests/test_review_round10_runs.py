"""Review of round 10's run-time changes: distributed checks, commands and discovery, on a real Redis where needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture
def evicting_redis(redis_url: str) -> Iterator[tuple[str, object]]:  # noqa: F811
    import redis

    client = redis.Redis.from_url(redis_url)
    before = {name: client.config_get(name)[name] for name in ("maxmemory", "maxmemory-policy")}
    try:
        yield redis_url, client
    finally:
        for name, value in before.items():
            client.config_set(name, value)
        client.close()


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-ttl", "volatile-random", "volatile-lfu"])
def test_a_volatile_policy_is_refused_for_what_it_evicts_not_for_the_seen_store(
    evicting_redis: tuple[str, object], prefix: str, policy: str  # noqa: F811
) -> None:
    # A volatile-* policy (the default of several hosted Redis services) evicts only keys with an
    # expiry; the refusal said the seen-store, which has none, would be lost.
    from scrapy.settings import Settings

    from crawler.distributed import redis_problem

    url, client = evicting_redis
    client.config_set("maxmemory", "512mb")  # type: ignore[attr-defined]
    client.config_set("maxmemory-policy", policy)  # type: ignore[attr-defined]
    problem = redis_problem(Settings({"REDIS_URL": url, "BS_REDIS_PREFIX": prefix}), run=True)
    assert problem is not None and f"evicts keys when it is full (maxmemory-policy {policy})" in problem
    assert "seen-store" not in problem
    assert "claims" in problem and "expiry" in problem


def test_an_allkeys_policy_still_names_the_seen_store(evicting_redis: tuple[str, object], prefix: str) -> None:  # noqa: F811
    from scrapy.settings import Settings

    from crawler.distributed import redis_problem

    url, client = evicting_redis
    client.config_set("maxmemory", "512mb")  # type: ignore[attr-defined]
    client.config_set("maxmemory-policy", "allkeys-lru")  # type: ignore[attr-defined]
    problem = redis_problem(Settings({"REDIS_URL": url, "BS_REDIS_PREFIX": prefix}), run=True)
    assert problem is not None and "the seen-store and the claims would be lost" in problem
