"""Probes of what distributed runs leave behind: the Redis seen-store's retention, a worker that got no work, a kept wait, a killed worker."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis

from crawler import stats as stat
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.store import PendingArticle
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_redis import ENV, prefix, redis_url, scrapy, start_worker  # noqa: F401 (fixtures)

DAY = timedelta(days=1)


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:  # noqa: F811
    made = redis.Redis.from_url(redis_url)
    yield made
    made.close()


def _store(redis_url: str, prefix: str, worker: str = "w1") -> RedisSeenStore:  # noqa: F811
    return RedisSeenStore(redis.Redis.from_url(redis_url), prefix, f"latest:{worker}")


def _stored(store: RedisSeenStore, ages: dict[str, timedelta | None], client: redis.Redis) -> None:
    """One article per id, emitted ``age`` ago (None: by a release that kept no such time)."""
    for article_id in ages:
        pending = PendingArticle(article_id, 1, "h", None, None, "latest:earlier")
        assert store.claim(pending, fresh=False, is_live=lambda run: False).outcome == "new"
        store.confirm(article_id, "latest:earlier")
    now = datetime.now(timezone.utc).timestamp()
    times = f"{store.prefix}:seen-times"
    for article_id, age in ages.items():
        if age is None:
            client.zrem(times, article_id)
        else:
            client.zadd(times, {article_id: now - age.total_seconds()})


def _seen_ids(client: redis.Redis, prefix: str) -> set[str]:  # noqa: F811
    return {member.decode() for member in client.smembers(f"{prefix}:seen-ids")}


# --- the Redis seen-store is pruned as the SQLite one ------------------------------------------------


def test_the_redis_seen_store_forgets_only_articles_not_met_within_the_retention(
    redis_url: str, prefix: str, client: redis.Redis  # noqa: F811
) -> None:
    # Before: the SQLite store forgot after BS_SEEN_RETENTION_DAYS, the Redis one never: a hash per
    # article ever emitted by any worker, until the Redis was full and refused the runs.
    store = _store(redis_url, prefix)
    try:
        _stored(store, {"119011800410": 500 * DAY, "123010100001": 401 * DAY, "123060100001": 399 * DAY,
                        "124010100001": 2 * DAY, "120010100001": None}, client)
        assert store.prune_seen(400 * DAY) == 2
        assert _seen_ids(client, prefix) == {"123060100001", "124010100001", "120010100001"}
        assert store.get("119011800410") is None and store.get("123010100001") is None
        assert not client.exists(f"{prefix}:seen:119011800410", f"{prefix}:seen:123010100001")
        assert store.count() == 3
        # Forgotten and listed again: new, version 1, as in the SQLite store.
        again = PendingArticle("123010100001", 1, "h", None, None, "latest:now")
        assert store.claim(again, fresh=False, is_live=lambda run: False).outcome == "new"
    finally:
        store.close()


def test_one_worker_prunes_a_day_and_a_store_of_before_counts_from_then(
    redis_url: str, prefix: str, client: redis.Redis  # noqa: F811
) -> None:
    first, second = _store(redis_url, prefix, "w1"), _store(redis_url, prefix, "w2")
    try:
        _stored(first, {"123010100001": 401 * DAY, "123010100002": 300 * DAY, "110010100001": None}, client)
        now = datetime.now(timezone.utc)
        # Several workers ending together: one prunes, the others find it done.
        assert first.prune_seen(400 * DAY, now) == 1
        assert second.prune_seen(400 * DAY, now + timedelta(hours=23)) is None, "pruned less than a day ago"
        assert second.prune_seen(400 * DAY, now + 101 * DAY) == 1  # 300 days then, 401 now
        # The one a release of before stored (no time) counts from the first prune.
        assert _seen_ids(client, prefix) == {"110010100001"}
        assert first.prune_seen(400 * DAY, now + 401 * DAY) == 1
        assert _seen_ids(client, prefix) == set()
    finally:
        first.close()
        second.close()


def test_an_article_a_live_run_holds_or_met_again_is_kept(redis_url: str, prefix: str, client: redis.Redis) -> None:  # noqa: F811
    store, other = _store(redis_url, prefix, "w1"), _store(redis_url, prefix, "w2")
    try:
        _stored(store, {"123010100001": 401 * DAY, "123010100002": 401 * DAY}, client)
        # Fetched again, unchanged, by another worker: a source still lists it.
        again = PendingArticle("123010100001", 1, "h", None, None, "latest:w2run")
        assert other.claim(again, fresh=False, is_live=lambda run: True).outcome == "unchanged"
        # Updated by a run still writing it: kept until that run confirms.
        update = PendingArticle("123010100002", 2, "h2", None, None, "latest:w2run")
        assert other.claim(update, fresh=False, is_live=lambda run: True).outcome == "updated"
        assert store.prune_seen(400 * DAY) == 0
        other.confirm("123010100002", "latest:w2run")
        seen = store.get("123010100002")
        assert seen is not None and seen.version == 2
    finally:
        store.close()
        other.close()


def test_a_store_of_thousands_is_pruned_in_batches_around_the_held_ones(
    redis_url: str, prefix: str, client: redis.Redis  # noqa: F811
) -> None:
    store = _store(redis_url, prefix)
    try:
        ids = [f"1230101{n:05d}" for n in range(2500)]
        pipe = client.pipeline(transaction=False)
        old = datetime.now(timezone.utc).timestamp() - 401 * 86400
        for n, article_id in enumerate(ids):
            pipe.hset(f"{prefix}:seen:{article_id}", mapping={"version": 1, "content_hash": "h"})
            pipe.sadd(f"{prefix}:seen-ids", article_id)
            pipe.zadd(f"{prefix}:seen-times", {article_id: old + n})
            if n % 7 == 0:
                pipe.set(f"{prefix}:claim:{article_id}", "latest:live", ex=600)  # a live run writes it
        pipe.execute()
        held = {article_id for n, article_id in enumerate(ids) if n % 7 == 0}
        assert store.prune_seen(400 * DAY) == len(ids) - len(held)
        assert _seen_ids(client, prefix) == held
    finally:
        store.close()


def test_a_distributed_run_prunes_at_its_end_counted_as_the_sqlite_one(
    redis_url: str, prefix: str, client: redis.Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    from crawler.incremental.extension import SeenStoreExtension
    from tests.test_once_probes_round15 import latest

    store = _store(redis_url, prefix)
    try:
        _stored(store, {"119011800410": 500 * DAY, "124010100001": 2 * DAY}, client)
    finally:
        store.close()
    spider = latest(tmp_path)
    spider.crawler.settings.frozen = False
    spider.crawler.settings.set("BS_SEEN_STORE", "crawler.distributed.store.RedisSeenStore")
    spider.crawler.settings.set("REDIS_URL", redis_url)
    spider.crawler.settings.set("BS_REDIS_PREFIX", prefix)
    spider.crawler.settings.set("BS_WORKER_NAME", "w1")
    caplog.set_level(logging.INFO, logger="crawler.incremental.extension")
    extension = SeenStoreExtension(spider.crawler)
    try:
        extension.settle()
    finally:
        extension.engine_stopped()
    assert spider.crawler.stats.get_value(stat.STATE_SEEN_PRUNED) == 1
    assert "Seen-store: forgot 1 article(s) not met for 400 days" in caplog.text
    assert _seen_ids(client, prefix) == {"124010100001"}


def test_redisclear_seen_deletes_the_times_and_the_prune_note(
    redis_url: str, prefix: str, client: redis.Redis, tmp_path: Path  # noqa: F811
) -> None:
    store = _store(redis_url, prefix)
    try:
        _stored(store, {"123010100001": 401 * DAY, "124010100001": DAY}, client)
        assert store.prune_seen(400 * DAY) == 1
    finally:
        store.close()
    cleared = subprocess.run(
        [sys.executable, "-m", "scrapy", "redisclear", "--seen", "--prefix", prefix, "-s", f"REDIS_URL={redis_url}"],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120,
    )
    assert cleared.returncode == 0, cleared.stderr
    assert not client.exists(f"{prefix}:seen-times", f"{prefix}:seen-pruned", f"{prefix}:seen-ids")


# --- a worker that got no work leaves a mark, so merge tells it from a copy that failed --------------


@pytest.fixture(scope="module")
def small_site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=28) as running:
        yield running


@pytest.mark.long
def test_merge_after_a_run_where_one_worker_got_no_work_takes_its_folder_and_still_refuses_a_failed_copy(
    small_site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # Before: the worker that found nothing to take wrote no file, and the README's own merge line,
    # `scrapy merge archive.jsonl from-machine-1/ from-machine-2/`, exited 2 ("no .jsonl file in the
    # folder"), as for a machine's copy that failed: every run's merge failed, or was left without it.
    since = min(r.published for r in small_site.articles).date()
    until = max(r.published for r in small_site.articles).date()
    first = start_worker("w1", tmp_path / "m1", small_site, redis_url, prefix, since, until)
    assert first.wait() == 0, first.log[-3000:]
    # The run is over: w2 reads the sources again, and every article is seen. No article, no feed file.
    second = start_worker("w2", tmp_path / "m2", small_site, redis_url, prefix, since, until)
    assert second.wait() == 0, second.log[-3000:]
    assert len(first.ids()) == len(small_site.articles) and second.ids() == []
    folders = [tmp_path / name / "output" / "archive" for name in ("m1", "m2")]
    merged = scrapy("merge", str(tmp_path / "all.jsonl"), *map(str, folders), cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert [p.name for p in folders[1].iterdir()] == ["archive-w2.empty"], "its mark of a run that wrote no article"
    assert "w2" in merged.stdout and "wrote no article" in merged.stdout
    assert sorted(json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text().splitlines()) == sorted(first.ids())
    # A machine's copy that failed (an empty folder) is still exit 2, nothing written.
    (tmp_path / "m3").mkdir()
    failed = scrapy("merge", str(tmp_path / "again.jsonl"), str(folders[0]), str(tmp_path / "m3"), cwd=tmp_path)
    assert failed.returncode == 2 and "no .jsonl or .jsonl.gz file" in failed.stderr
    assert not (tmp_path / "again.jsonl").exists()
    # The next run of w2 that writes articles takes its mark away: a copy of its folder without its
    # feed is a failed copy again, not an empty run.
    (tmp_path / "m1" / "output").rename(tmp_path / "m1" / "taken")
    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(*client.scan_iter(match=f"{prefix}:seen*"))  # (this test's own keys only)
    finally:
        client.close()
    third = start_worker("w2", tmp_path / "m2", small_site, redis_url, prefix, since, until)
    assert third.wait() == 0, third.log[-3000:]
    assert third.ids() and [p.suffix for p in folders[1].iterdir()] == [".jsonl"]


# --- a Retry-After longer than a run waits is kept for every worker ------------------------------------


@pytest.mark.long
def test_a_long_retry_after_met_by_one_worker_holds_the_runs_of_every_machine_until_it_is_over(
    redis_url: str, prefix: str, client: redis.Redis, tmp_path: Path  # noqa: F811
) -> None:
    # Before: the wait was kept in the asked machine's state dir alone; the other machines' cron runs asked
    # the site again (robots.txt, the feeds, the articles), met the same 429 and exit 4, all through the wait.
    with LoopbackSite(articles=6, seed=281) as site:
        settings = {"BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix}
        site.set_storm(429, "3600")
        first = crawl("latest", tmp_path / "m1", settings={**settings, "BS_WORKER_NAME": "w1"})
        assert first.status == EXIT_BLOCKED and not first.items, first.log[-3000:]

        site.reset_counts()
        second = crawl("latest", tmp_path / "m2", settings={**settings, "BS_WORKER_NAME": "w2"})
        assert sum(site.counts.values()) == 0, site.counts
        assert second.status == EXIT_BLOCKED, second.log[-3000:]
        assert stats_from_log(first.log)["bs/site_pause/not_before_shared"] == 1
        host = site.base_url.split("://")[1]
        key = f"{prefix}:site:{host.split(':')[0]}:not-before"
        assert 3500_000 < client.pttl(key) <= 3600_000, "a time to live counted by Redis, the wait asked"
        last = second.log.strip().splitlines()[-1]
        assert last.startswith("error: the site asks for nothing before ") and "worker w1 429 with Retry-After: 3600 s" in last, last
        pause = f"{prefix}:site:{host.split(':')[0]}:pause"
        assert "nothing was sent" in last and f"`redis-cli DEL {key} {pause}` to ask it anyway" in last, last

        # The wait over (its keys gone, as Redis lets them lapse), the site well again: the run goes on.
        client.delete(key, pause)
        site.set_storm(None)
        third = crawl("latest", tmp_path / "m2", settings={**settings, "BS_WORKER_NAME": "w2"})
        assert third.status == EXIT_OK, third.log[-3000:]
        assert sorted(third.ids()) == sorted(record.article_id for record in site.articles)


def test_a_live_worker_closes_for_another_workers_long_wait_instead_of_asking_on(
    redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    from scrapy.http import Request
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    from crawler.middlewares import BackingOff, site_asked_not_before
    from tests.test_review_round21_distributed import SITE, _middleware

    asked, other = _middleware(redis_url, prefix, "w1"), _middleware(redis_url, prefix, "w2")
    try:
        asked.crawler.signals.send_catch_log(signal=site_asked_not_before, url=f"{SITE}/a-1.html", seconds=3600.0)
        outcome: list[object] = []
        with caplog.at_level(logging.INFO, logger="crawler.distributed.politeness"):
            Deferred.fromCoroutine(other.process_request(Request(f"{SITE}/b-2.html"))).addBoth(outcome.append)
        assert len(outcome) == 1 and isinstance(outcome[0], Failure) and outcome[0].check(BackingOff), outcome
        assert other.crawler.stats.get_value(stat.SITE_PAUSE_NOT_BEFORE_MET) == 1
        closing = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(closing) == 1 and "the site asked worker w1 to wait" in closing[0].getMessage(), closing
        # Another site's wait is not this site's: a robots.txt elsewhere (a short link's host) asks nothing.
        asked.crawler.signals.send_catch_log(signal=site_asked_not_before, url="https://mybs.in/robots.txt", seconds=3600.0)
    finally:
        asked.client.close()
        other.client.close()


# --- a worker killed mid-run -----------------------------------------------------------------------------


@pytest.mark.long
def test_a_worker_killed_mid_run_loses_no_article_and_only_what_it_had_taken_is_fetched_again(
    redis_url: str, prefix: str, client: redis.Redis, tmp_path: Path  # noqa: F811
) -> None:
    # Checked, not changed: the pages a SIGKILLed worker had taken from the queue go back to it once it has
    # been silent for WORKER_STALE_SECONDS, and another worker fetches them; nothing else is fetched twice.
    with LoopbackSite(articles=60, seed=282, slow_seconds=0.5) as site:
        for record in site.articles:
            site.set_fault(record.article_id, "slow")  # (so that the kill finds pages in flight)
        since = min(r.published for r in site.articles).date()
        until = max(r.published for r in site.articles).date()
        expected = {r.article_id for r in site.articles}
        first = start_worker("w1", tmp_path / "m1", site, redis_url, prefix, since, until)
        deadline = time.monotonic() + 120
        while first.written() < 1 and first.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        first.process.send_signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL, first.log[-3000:]
        taken = client.hvals(f"{prefix}:run:archive:inflight:w1")
        assert taken, "the kill found pages in flight"
        taken_ids = {article_id for article_id in expected if any(article_id.encode() in raw for raw in taken)}

        second = start_worker("w2", tmp_path / "m2", site, redis_url, prefix, since, until)
        assert second.wait(timeout=300) == 0, second.log[-3000:]
        assert "bs/redis/requeued" in second.log
        written = [json.loads(line)["articleId"] for path in first.files()
                   for line in path.read_text().splitlines(keepends=True) if line.endswith("\n")]
        assert set(written) | set(second.ids()) == expected, "no article lost"
        assert len(second.ids()) == len(set(second.ids()))
        again = {article_id for article_id in expected if site.article_requests(article_id) > 1}
        assert again <= taken_ids, "only the pages the killed worker had taken are fetched a second time"
        assert max(site.article_requests(article_id) for article_id in expected) <= 2
        # An article emitted by both is one the killed worker wrote but had not confirmed (merge keeps one).
        assert set(written) & set(second.ids()) <= taken_ids
