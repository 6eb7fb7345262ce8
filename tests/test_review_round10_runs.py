"""Review of round 10's run-time changes: distributed checks, commands and discovery, on a real Redis where needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import crawl, scrapy
from tests.loopback.site import LoopbackSite
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


# --- -s values Scrapy documents -------------------------------------------------------------------------------


def test_a_negative_feed_indent_scrapy_documents_is_taken() -> None:
    # Scrapy: "An indent level of 0 (the default), or negative, will put each item on a new line";
    # -s FEED_EXPORT_INDENT=-1 was refused as "must not be negative", by crawl and every other command.
    from scrapy.settings import Settings

    from crawler.commands.crawl import setting_problems

    settings = Settings()
    settings.set("FEED_EXPORT_INDENT", "-1", priority="cmdline")
    assert setting_problems({"FEED_EXPORT_INDENT": "-1"}, {"FEED_EXPORT_INDENT": 0}, settings) == {}
    # Still refused: what Scrapy cannot read at all.
    settings.set("FEED_EXPORT_INDENT", "None", priority="cmdline")
    assert "is not a whole number" in setting_problems({"FEED_EXPORT_INDENT": "None"}, {"FEED_EXPORT_INDENT": 0}, settings)["FEED_EXPORT_INDENT"]


def test_a_command_takes_the_negative_feed_indent(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "runs", "-n", "1", "-s", "FEED_EXPORT_INDENT=-1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "error:" not in done.stderr


def test_a_crawl_with_a_negative_feed_indent_writes_one_item_a_line(tmp_path: Path) -> None:
    with LoopbackSite(articles=12, seed=5) as site:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "FEED_EXPORT_INDENT": "-1"}, timeout=120)
    assert result.status == 0, result.log[-3000:]
    assert result.items
