"""The seen-store's retention counts from the last time a source listed an article, not only from its last fetch."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import redis

from crawler import stats as stat
from crawler.incremental.extension import seen_store_extension
from crawler.incremental.store import MET_BATCH, SqliteSeenStore
from tests.conftest import SITE
from tests.pages.specs import SEED
from tests.test_carried_probes_round28 import DAY, _ids, _store_with
from tests.test_distributed_probes_round28 import _store as _redis_store
from tests.test_distributed_probes_round28 import _stored as _redis_stored
from tests.test_distributed_probes_round28 import client  # noqa: F401 (fixture)
from tests.test_once_probes_round15 import latest
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)


def _stored_at(path: Path, article_id: str) -> datetime:
    db = sqlite3.connect(path)
    try:
        value = db.execute("SELECT stored_at FROM seen WHERE article_id = ?", (article_id,)).fetchone()[0]
    finally:
        db.close()
    return datetime.fromisoformat(value)


def test_an_article_a_source_still_lists_is_kept_past_the_retention(tmp_path: Path) -> None:
    # Before: only a fetch dated an article; a story an archive sitemap (or a feed) still listed, seen and
    # unchanged so never fetched again, was forgotten 400 days after its last fetch, and the next run
    # that met it in the sitemap fetched it and wrote it again as version 1: a duplicate in the feed.
    path = tmp_path / "state" / "seen.sqlite3"
    _store_with(path, {SEED.article_id: 500 * DAY, "123010100001": 500 * DAY})
    spider = latest(tmp_path)
    assert spider.is_seen(SITE + SEED.path)  # discovery's question of a listed link
    extension = seen_store_extension(spider.crawler)
    assert extension is not None
    extension.settle()
    extension.engine_stopped()
    assert _ids(path) == {SEED.article_id}
    assert spider.crawler.stats.get_value(stat.STATE_SEEN_PRUNED) == 1
    assert datetime.now(timezone.utc) - _stored_at(path, SEED.article_id) < timedelta(minutes=5)


def test_articles_listed_again_are_dated_in_batches_and_not_rewritten_within_a_day(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    old = {f"1230101{n:05d}": 300 * DAY for n in range(MET_BATCH)}
    _store_with(path, {**old, "124010100001": timedelta(hours=2)})
    recent_before = _stored_at(path, "124010100001")
    store = SqliteSeenStore(path)
    try:
        for article_id in list(old)[:-1]:
            assert store.get(article_id) is not None
        # One short of a batch: nothing written yet (an archive run's lookups are not a commit apiece).
        assert datetime.now(timezone.utc) - _stored_at(path, "123010100000") > 299 * DAY
        assert store.get(list(old)[-1]) is not None
        now = datetime.now(timezone.utc)
        assert all(now - _stored_at(path, article_id) < timedelta(minutes=5) for article_id in old)
        # Dated two hours ago: left as it was (a cron run every few minutes writes nothing for it).
        assert store.get("124010100001") is not None
        store.date_met()
        assert _stored_at(path, "124010100001") == recent_before
        assert store.get("999999999999") is None
    finally:
        store.close()


def test_a_lookup_inside_a_claim_waits_for_the_batch_or_the_runs_end(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    _store_with(path, {"123010100001": 401 * DAY, "123010100002": 401 * DAY})
    store = SqliteSeenStore(path)
    try:
        assert store.get("123010100001") is not None
        assert store.prune_seen(400 * DAY) == 1  # the one looked up is dated first, then kept
        assert _ids(path) == {"123010100001"}
    finally:
        store.close()


def test_the_redis_store_keeps_an_article_a_source_still_lists_past_the_retention(
    redis_url: str, prefix: str, client: redis.Redis  # noqa: F811
) -> None:
    # The same for the distributed run's store: dated only by its claims, a story still listed was
    # forgotten and written again as version 1 by the next worker that met it.
    store = _redis_store(redis_url, prefix)
    try:
        _redis_stored(store, {SEED.article_id: 500 * DAY, "123010100001": 500 * DAY, "124010100001": timedelta(hours=2)}, client)
        recent = client.zscore(f"{prefix}:seen-times", "124010100001")
        assert store.get(SEED.article_id) is not None and store.get("124010100001") is not None
        assert store.prune_seen(400 * DAY) == 1
        assert {m.decode() for m in client.smembers(f"{prefix}:seen-ids")} == {SEED.article_id, "124010100001"}
        assert client.zscore(f"{prefix}:seen-times", "124010100001") == recent  # dated two hours ago: left
    finally:
        store.close()
