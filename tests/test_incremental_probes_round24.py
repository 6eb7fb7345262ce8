"""Round 24 probes: the seen-store over months of cron runs, and the format of the Redis one.

A distributed store is shared by machines that are upgraded one at a time: a worker of one release
reading what a newer release wrote (its content hashes) took every story it fetched for changed and
emitted it again, without a word. And a store outlives the clock that wrote it: times recorded by a
clock that was ahead (set back by NTP after a power cut) held a removed story's recheck off for as long.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.distributed import connect
from crawler.distributed import store as redis_store_module
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.pipeline import _HASHED_FIELDS
from crawler.incremental.store import PendingArticle, SqliteSeenStore, StateError
from crawler.monitoring.verdict import EXIT_OK, EXIT_STATE
from tests.e2e import FAST, crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_redis import ENV, prefix, redis_url  # noqa: F401 (fixtures: a Redis, or a skip with the reason)
from tests.test_removed_stories import SOURCES, latest

# (getattr: the probes also ran on the release before, which had no format number.)
FORMAT: int = getattr(redis_store_module, "FORMAT", 1)
STORY = "124022800873"


def format_key(prefix: str) -> str:  # noqa: F811
    return f"{prefix}:format"


def store(redis_url: str, prefix: str, scope: str = "latest:w1") -> RedisSeenStore:  # noqa: F811
    return RedisSeenStore(connect(Settings({"REDIS_URL": redis_url})), prefix, scope)


def check(redis_url: str, prefix: str) -> None:  # noqa: F811
    RedisSeenStore.check(Settings({"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix}))


def stored_by_a_newer_release(seen: RedisSeenStore) -> None:
    """Story STORY as a newer release stores it: its hash of the story (one this release cannot make)."""
    seen.add_pending(PendingArticle(STORY, 1, "hash-of-a-newer-release", "2024-02-28T15:42:00+05:30", None, "run0"))
    seen.confirm(STORY, "run0")


def fetched_again(run: str) -> PendingArticle:
    """The same story fetched by this release (its own hash; a newer release's is none it knows)."""
    return PendingArticle(STORY, 0, "hash-of-this-release", "2024-02-28T15:42:00+05:30", "2024-03-01T09:00:00+05:30", run)


# --- the Redis seen-store's format ------------------------------------------------------------------


def test_a_store_a_newer_release_marked_is_refused_before_anything_is_fetched(
    redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # Before: no format at all; the worker went on, and every story it fetched again was emitted as the next version.
    client = redis.Redis.from_url(redis_url)
    client.set(format_key(prefix), FORMAT + 1)
    with LoopbackSite(articles=6, seed=14) as site:
        command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
        settings = {**FAST, "BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": SOURCES, "REDIS_URL": redis_url,
                    "BS_REDIS_PREFIX": prefix, "BS_WORKER_NAME": "w1", "BS_REDIS_IDLE_SECONDS": "0"}
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        done = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
        asked = sum(site.counts.values())
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the seen-store in Redis at ") and f"(prefix {prefix})" in last, last
    assert f"is of format {FORMAT + 1}, written by a newer release" in last and "upgrade the crawler" in last, last
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [last]
    assert "Traceback" not in done.stderr
    assert asked == 0, "nothing fetched"
    assert not (tmp_path / "output").exists(), "nothing written"
    assert client.get(format_key(prefix)) == str(FORMAT + 1).encode(), "left as it is"
    client.close()


def test_a_newer_release_marking_the_store_mid_run_stops_this_workers_next_claim(redis_url: str, prefix: str) -> None:  # noqa: F811
    # A rolling upgrade: machine 1 runs the newer release, machine 2 this one, still going. Before,
    # machine 2 took each story the newer release had stored for changed: emitted again, version 2.
    check(redis_url, prefix)  # this worker started on a store of its own format
    seen = store(redis_url, prefix)
    try:
        stored_by_a_newer_release(seen)
        redis.Redis.from_url(redis_url).set(format_key(prefix), FORMAT + 1)  # the newer release's worker started
        with pytest.raises(StateError, match=f"marked format {FORMAT + 1} by a newer release .* upgrade the crawler"):
            seen.claim(fetched_again("run1"), fresh=False, is_live=lambda run: False)
        assert seen.pending() == [], "nothing claimed, nothing to emit"
        kept = seen.get(STORY)
        assert kept is not None and (kept.version, kept.content_hash) == (1, "hash-of-a-newer-release")
    finally:
        seen.close()


def test_a_store_of_this_format_or_of_before_the_number_is_read_and_marked(redis_url: str, prefix: str) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    # Written by a release before the format number: no key. Read, and marked with this release's.
    seen = store(redis_url, prefix)
    try:
        seen.add_pending(PendingArticle(STORY, 1, "hash-before", None, "2024-02-28T15:42:00+05:30", "run0"))
        seen.confirm(STORY, "run0")
        assert client.get(format_key(prefix)) is None
        check(redis_url, prefix)
        assert client.get(format_key(prefix)) == str(FORMAT).encode()
        # The release before's hash is told as this one's (earlier_content_hashes), so not emitted again.
        again = PendingArticle(STORY, 0, "hash-now", None, "2024-03-01T09:00:00+05:30", "run1",
                               previous_hash_of=lambda: ("hash-before",))
        assert seen.claim(again, fresh=False, is_live=lambda run: False).outcome == "unchanged"
        check(redis_url, prefix)  # its own format: as it was
        assert client.get(format_key(prefix)) == str(FORMAT).encode()
        # An older format number than this release's: marked with this one's.
        client.set(format_key(prefix), 0)
        check(redis_url, prefix)
        assert client.get(format_key(prefix)) == str(FORMAT).encode()
    finally:
        seen.close()
        client.close()


@pytest.mark.parametrize("value", ["two", "1.5", "-1", ""])
def test_a_format_key_that_is_no_number_is_refused_and_left(redis_url: str, prefix: str, value: str) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    client.set(format_key(prefix), value)
    with pytest.raises(StateError, match="which is no format number"):
        check(redis_url, prefix)
    assert client.get(format_key(prefix)) == value.encode()
    seen = store(redis_url, prefix)
    try:
        with pytest.raises(StateError, match="that is no format number"):
            seen.claim(fetched_again("run1"), fresh=False, is_live=lambda run: False)
    finally:
        seen.close()
        client.close()


def test_redisclear_seen_takes_the_format_with_the_store(redis_url: str, prefix: str, tmp_path: Path) -> None:  # noqa: F811
    check(redis_url, prefix)
    client = redis.Redis.from_url(redis_url)
    assert client.exists(format_key(prefix))
    done = subprocess.run([sys.executable, "-m", "scrapy", "redisclear", "--seen", "--prefix", prefix, "-s", f"REDIS_URL={redis_url}"],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not client.exists(format_key(prefix))
    client.close()


def test_the_format_number_moves_with_the_content_hash() -> None:
    # A release that hashes other fields must bump FORMAT (an older worker would take every story a
    # newer one stored for changed), then pin its fields here.
    assert (FORMAT, _HASHED_FIELDS) == (1, (
        "canonicalUrl", "articleId", "section", "breadcrumbs", "headline", "description", "authors", "dateline",
        "datePublished", "datePublishedRaw", "readTimeMinutes", "mainImage", "articleBody", "topics", "disclaimer",
        "isSyndicated", "isPremium", "isLiveBlog", "inLanguage", "layout",
    )), "the content hash changed: bump crawler.distributed.store.FORMAT (and the README's Redis format line)"


# --- a clock set back between runs --------------------------------------------------------------


def test_a_removed_story_recorded_by_a_clock_ahead_is_asked_for_again_when_put_back(tmp_path: Path) -> None:
    # Before: known removed "since" a time in the future, it was not asked for until the clock caught
    # up (a week here); the site put it back meanwhile and the feeds dropped it: lost.
    recheck = {"BS_GONE_RECHECK_HOURS": "1"}
    with LoopbackSite(articles=6, seed=14) as site:
        latest(site, tmp_path, **recheck)
        [story] = site.add_articles(1)
        site.set_fault(story.article_id, "404")
        latest(site, tmp_path, **recheck)
        latest(site, tmp_path, **recheck)  # known removed
        site.set_fault(story.article_id, None)  # put back
        within = latest(site, tmp_path, **recheck)  # (within the hour: not asked, as before)
        ahead = (datetime.now(timezone.utc) + timedelta(days=7)).replace(microsecond=0).isoformat()
        db = sqlite3.connect(tmp_path / ".state" / "seen.sqlite3")
        with db:
            changed = db.execute("UPDATE aliases SET recorded_at = ? WHERE key = ?", (ahead, story.article_id)).rowcount
        db.close()
        assert changed == 1
        back = latest(site, tmp_path, **recheck)
    assert stats_from_log(within.log).get(stat.GONE_KNOWN) == 1 and not within.items
    assert back.status == EXIT_OK, back.log[-3000:]
    assert [(item["articleId"], item["version"]) for item in back.items] == [(story.article_id, 1)]
    assert stat.GONE_KNOWN not in stats_from_log(back.log)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_an_alias_recorded_ahead_of_now_is_not_trusted(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        seen: SqliteSeenStore | RedisSeenStore = SqliteSeenStore(tmp_path / "seen.sqlite3")
    else:
        seen = store(request.getfixturevalue("redis_url"), request.getfixturevalue("prefix"))
    try:
        # Recorded now (and a few minutes ahead, another machine's clock): trusted, as before.
        recorded = seen.remember_alias("s:abc", f"https://www.business-standard.com/x-{STORY}_1.html", None)
        assert seen.alias("s:abc") == recorded
        ahead = (datetime.now(timezone.utc) + timedelta(days=7)).replace(microsecond=0).isoformat()
        slightly = (datetime.now(timezone.utc) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
        for when, trusted in ((slightly, True), (ahead, False)):
            if isinstance(seen, SqliteSeenStore):
                seen.db.execute("UPDATE aliases SET recorded_at = ? WHERE key = ?", (when, "s:abc"))
            else:
                seen.client.hset(seen._alias_key("s:abc"), "recorded_at", when)
            assert (seen.alias("s:abc") is not None) is trusted, when
    finally:
        seen.close()
