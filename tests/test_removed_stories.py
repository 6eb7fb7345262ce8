"""Stories the site takes down while its feeds still link them: the first run that gets 404, 410 or a
redirect away from the story fails it as before, a later run that gets the same knows it is removed
(one INFO line, ``bs/gone/again``, no failure); the memory lives in the seen-store (SQLite and Redis)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.settings import Settings

from crawler import stats as stat
from crawler.distributed.store import RedisSeenStore
from crawler.incremental.store import GONE_KEEP_DAYS, SCHEMA_VERSION, SqliteSeenStore, StateError
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_network_probes_round14 import found, judge
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a Redis, or a skip with the reason)

# Sources whose every entry the small loopback site fills (its section feeds can be empty, an ERROR each).
SOURCES = "/rss/latest.rss,/latest-news"
FAULTS = {"404": "http-404", "410": "http-410", "451": "http-451", "redirect-home": "redirected-away"}


def latest(site: LoopbackSite, workdir: Path, **settings: str) -> Any:
    return crawl("latest", workdir, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": SOURCES, **settings})


def errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR: " in line]


def gone_rows(workdir: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(workdir / ".state" / "seen.sqlite3")
    try:
        return db.execute("SELECT article_id, answer FROM gone").fetchall()
    finally:
        db.close()


# --- crawls against the loopback site -------------------------------------------------------------


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_removed_story_fails_the_first_run_and_is_known_removed_by_the_next(tmp_path: Path, fault: str) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        assert latest(site, tmp_path).status == EXIT_OK
        [removed] = site.add_articles(1)
        site.set_fault(removed.article_id, fault)
        first = latest(site, tmp_path)
        second = latest(site, tmp_path)
        third = latest(site, tmp_path)
        asked = site.article_requests(removed.article_id)
    # The first answer may be a story the feeds list before the CDN has it: a failure, as before.
    assert first.status == EXIT_FAILED, first.log[-2000:]
    assert f"none could be fetched ({FAULTS[fault]}=1)" in first.log
    assert stat.GONE_AGAIN not in stats_from_log(first.log)
    assert second.status == EXIT_OK, second.log[-3000:]
    assert not errors(second.log), errors(second.log)
    stats = stats_from_log(second.log)
    assert stats[stat.GONE_AGAIN] == 1
    assert not any(name.startswith(stat.FAILED_PREFIX) or name == stat.skipped("redirected-away") for name in stats)
    assert f"[latest] INFO: Gone <{site.base_url}" in second.log and f"{removed.article_id}" in second.log
    assert " gone=1;" in second.log and "exit=0 (ok)" in second.log
    assert not second.items
    # Known removed, listed with the same date: not asked for again (within BS_GONE_RECHECK_HOURS).
    assert third.status == EXIT_OK and not errors(third.log) and not third.items, third.log[-3000:]
    assert stats_from_log(third.log).get(stat.GONE_KNOWN) == 1
    assert asked == 2, "asked for until known removed, then not while its dates stay"
    assert gone_rows(tmp_path) == [(removed.article_id, FAULTS[fault])]


@pytest.mark.parametrize("gone_runs", [1, 2])
def test_a_story_that_answered_gone_then_a_page_is_emitted_once_and_forgotten(tmp_path: Path, gone_runs: int) -> None:
    # (Asked for at every run, as before BS_GONE_RECHECK_HOURS: a story known removed is otherwise
    # looked at again when its sources' dates move on, or a day later.)
    every_run = {"BS_GONE_RECHECK_HOURS": "0"}
    with LoopbackSite(articles=6, seed=14) as site:
        latest(site, tmp_path, **every_run)
        [story] = site.add_articles(1)
        site.set_fault(story.article_id, "404")
        for _ in range(gone_runs):
            latest(site, tmp_path, **every_run)
        site.set_fault(story.article_id, None)  # live at last, or put back
        back = latest(site, tmp_path, **every_run)
        remembered = gone_rows(tmp_path)
        after = latest(site, tmp_path, **every_run)
        site.set_fault(story.article_id, "404")  # taken down again later: its memory starts afresh
        site.modify(story.article_id)
        removed_again = latest(site, tmp_path, **every_run)
    assert back.status == EXIT_OK, back.log[-2000:]
    assert [(item["articleId"], item["version"]) for item in back.items] == [(story.article_id, 1)]
    assert stats_from_log(back.log)[stat.GONE_BACK] == 1 and "answered a page again" in back.log
    assert remembered == [], "its gone answer is forgotten"
    assert not after.items, "emitted once"
    assert removed_again.status == EXIT_FAILED, "its first gone answer since the page is a failure again"
    assert stat.GONE_AGAIN not in stats_from_log(removed_again.log)


def test_a_story_that_answered_a_page_no_rule_reads_is_not_known_removed_by_a_later_404(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        latest(site, tmp_path)
        [story] = site.add_articles(1)
        site.set_fault(story.article_id, "404")
        latest(site, tmp_path)
        site.set_fault(story.article_id, "paywall-stub")  # a page at its URL, though not one to emit
        stub = latest(site, tmp_path)
        site.set_fault(story.article_id, "404")
        again = latest(site, tmp_path)
    assert "not an article (paywall-stub" in stub.log and stats_from_log(stub.log)[stat.GONE_BACK] == 1
    assert again.status == EXIT_FAILED and "none could be fetched (http-404=1)" in again.log


def test_a_url_scheme_change_fails_every_run_though_earlier_stories_are_known_gone(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        latest(site, tmp_path)
        runs = []
        for _ in range(3):
            # Every new article answers 404 (the site moved its stories); the feeds keep the older ones.
            for record in site.add_articles(3):
                site.set_fault(record.article_id, "404")
            runs.append(latest(site, tmp_path))
    for number, run in enumerate(runs):
        assert run.status == EXIT_FAILED, run.log[-2000:]
        assert "none could be fetched (http-404=3)" in run.log
        # Gone again in the run after their first 404; not asked for after that while their dates stay.
        stats = stats_from_log(run.log)
        assert stats.get(stat.GONE_AGAIN, 0) == (3 if number else 0)
        assert stats.get(stat.GONE_KNOWN, 0) == 3 * max(0, number - 1)


def test_a_removed_story_beside_new_ones_is_no_error_line(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        latest(site, tmp_path)
        [removed] = site.add_articles(1)
        site.set_fault(removed.article_id, "410")
        latest(site, tmp_path)
        site.add_articles(2)
        run = latest(site, tmp_path)
    assert run.status == EXIT_OK and len(run.items) == 2
    assert not errors(run.log), errors(run.log)
    assert stats_from_log(run.log)[stat.GONE_AGAIN] == 1


def test_a_section_walk_stops_at_a_page_whose_only_unseen_story_is_known_removed(tmp_path: Path) -> None:
    with LoopbackSite(articles=300, seed=14) as site:
        [removed] = site.add_articles(1)
        section = removed.section.path
        site.set_fault(removed.article_id, "404")
        pages = []
        for _ in range(3):
            site.reset_counts()
            run = crawl("section", tmp_path, "-a", f"sections={section}", "-a", "pages=4", settings={"BS_BASE_URL": site.base_url})
            assert run.status == EXIT_OK, run.log[-2000:]
            pages.append(sorted(path for path in site.counts if "/page-" in path))
    assert pages[0] == [f"/{section}/page-{n}" for n in (2, 3, 4)]
    # Before, the story on its first page, never seen, had every walk read page 2 to find a page all seen.
    assert pages[1] == pages[2] == [], "the walk ends at its first page"


def test_one_article_asked_for_by_hand_is_loud_every_time(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        record = site.articles[-1]
        site.set_fault(record.article_id, "404")
        url = site.base_url + record.path
        runs = [crawl("article", tmp_path, "-a", f"url={url}", settings={"BS_BASE_URL": site.base_url}) for _ in range(2)]
    for run in runs:
        assert run.status == EXIT_FAILED and f"Failed <{url}>: http-404" in run.log
        assert stat.GONE_AGAIN not in stats_from_log(run.log)


# --- the verdict ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stats", "status"),
    [
        (found(1, **{stat.GONE_AGAIN: 1}), EXIT_OK),
        (found(3, **{stat.GONE_AGAIN: 2, stat.failed("http-404"): 1}), EXIT_FAILED),  # one first 404: loud
        (found(50, **{stat.GONE_AGAIN: 47, stat.failed("http-404"): 3}), EXIT_FAILED),  # not hidden in the share
        (found(5, **{stat.GONE_AGAIN: 1, stat.failed("http-404"): 1, "item_scraped_count": 3, "article/layout/nextjs-2023": 3}), EXIT_OK),
    ],
)
def test_articles_known_removed_are_neither_wanted_nor_failed(stats: dict[str, Any], status: int) -> None:
    assert judge(stats)[0] == status, judge(stats)


# --- the stores ----------------------------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE seen (article_id TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL, date_modified TEXT, source_date TEXT);
CREATE TABLE pending (article_id TEXT NOT NULL, run_id TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
    date_modified TEXT, source_date TEXT, PRIMARY KEY (article_id, run_id));
CREATE TABLE feeds (run_id TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, path));
PRAGMA user_version = 1;
"""


@pytest.mark.parametrize("version", [0, 1])
def test_a_store_of_the_schema_before_is_upgraded_keeping_every_seen_article(tmp_path: Path, version: int) -> None:
    path = tmp_path / "seen.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA.replace("user_version = 1", f"user_version = {version}"))
    db.execute("PRAGMA journal_mode=WAL")
    rows = [(f"12411250{n:04d}", n % 3 + 1, f"h{n}", None, "2024-11-25T10:00:00+05:30") for n in range(500)]
    db.executemany("INSERT INTO seen VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO pending VALUES ('124112500001', 'latest:dead', 2, 'h', NULL, NULL)")
    db.commit()
    db.close()
    settings = {"BS_STATE_DIR": str(tmp_path)}
    SqliteSeenStore.check(Settings(settings))  # as before a run: the file is looked at, then upgraded
    store = SqliteSeenStore(path)
    try:
        assert store.count() == 500
        assert all(store.get(row[0]) is not None and store.get(row[0]).version == row[1] for row in rows)  # type: ignore[union-attr]
        assert [entry.run_id for entry in store.pending()] == ["latest:dead"]
        assert store.answered_gone("124112500001", "http-404", "latest:a") is None
    finally:
        store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    db.close()
    SqliteSeenStore(path).close()  # opened again as it now is


def test_a_store_of_schema_2_without_its_gone_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA.replace("user_version = 1", "user_version = 2"))
    db.close()
    with pytest.raises(StateError, match="not a seen-store"):
        SqliteSeenStore(path)


def sqlite_store(tmp_path: Path) -> SqliteSeenStore:
    return SqliteSeenStore(tmp_path / "seen.sqlite3")


@pytest.fixture
def redis_store(redis_url: str, prefix: str) -> Iterator[RedisSeenStore]:  # noqa: F811
    store = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w1")
    yield store
    store.close()


def check_gone_memory(one: Any, other: Any) -> None:
    """``one`` and ``other`` are two handles on the same store (two runs, or two workers)."""
    article = "124112500001"
    assert one.answered_gone(article, "http-404", "latest:a") is None
    again = other.answered_gone(article, "http-410", "latest:b")
    assert again is not None and (again.answer, again.run_id) == ("http-404", "latest:a")
    third = one.answered_gone(article, "redirected-away", "latest:c")
    assert third is not None and (third.answer, third.run_id, third.first_at) == ("http-410", "latest:a", again.first_at)
    assert other.answered_page("124112500002") is None
    back = other.answered_page(article)
    assert back is not None and back.answer == "redirected-away"
    assert one.answered_page(article) is None
    assert one.answered_gone(article, "http-404", "latest:d") is None, "forgotten: a first answer again"


def test_the_sqlite_store_remembers_gone_answers_until_a_page(tmp_path: Path) -> None:
    one, other = sqlite_store(tmp_path), sqlite_store(tmp_path)
    try:
        check_gone_memory(one, other)
        assert one.count() == 0, "a gone story is not seen"
    finally:
        one.close()
        other.close()


def test_the_redis_store_remembers_gone_answers_until_a_page(redis_store: RedisSeenStore, redis_url: str, prefix: str) -> None:  # noqa: F811
    other = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w2")
    try:
        check_gone_memory(redis_store, other)
        assert redis_store.count() == 0
    finally:
        other.close()


def test_sqlite_gone_records_are_pruned_after_their_keep(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    try:
        store.answered_gone("124112500001", "http-404", "latest:a")
        store.answered_gone("124112500002", "http-404", "latest:a")
        old = (datetime.now(timezone.utc) - timedelta(days=GONE_KEEP_DAYS, hours=1)).replace(microsecond=0).isoformat()
        store.db.execute("UPDATE gone SET last_at = ?, first_at = ? WHERE article_id = '124112500001'", (old, old))
    finally:
        store.close()
    later = sqlite_store(tmp_path)
    try:
        assert later.answered_gone("124112500003", "http-410", "latest:b") is None
        assert [row[0] for row in later.db.execute("SELECT article_id FROM gone ORDER BY article_id")] == ["124112500002", "124112500003"]
        assert later.answered_gone("124112500001", "http-404", "latest:b") is None, "pruned: a first answer again"
    finally:
        later.close()


def test_redis_gone_records_lapse_after_their_keep(redis_store: RedisSeenStore, prefix: str) -> None:  # noqa: F811
    redis_store.answered_gone("124112500001", "http-404", "latest:a")
    ttl = redis_store.client.ttl(f"{prefix}:gone:124112500001")
    assert GONE_KEEP_DAYS * 86400 - 60 < ttl <= GONE_KEEP_DAYS * 86400


def test_workers_of_distributed_runs_share_what_answered_gone(tmp_path: Path, redis_url: str, prefix: str) -> None:  # noqa: F811
    with LoopbackSite(articles=6, seed=14) as site:
        shared = {"REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix, "BS_REDIS_IDLE_SECONDS": "6"}
        latest(site, tmp_path / "w0", BS_WORKER_NAME="w0", **shared)
        [removed] = site.add_articles(1)
        site.set_fault(removed.article_id, "404")
        # Each run on another machine (its own state dir): what answered gone is known from Redis.
        first = latest(site, tmp_path / "w1", BS_WORKER_NAME="w1", **shared)
        second = latest(site, tmp_path / "w2", BS_WORKER_NAME="w2", **shared)
        site.set_fault(removed.article_id, None)
        # Known removed by the workers before, its sources' dates the same: not asked for (round 20).
        unasked = latest(site, tmp_path / "w3", BS_WORKER_NAME="w3", **shared)
        site.modify(removed.article_id)  # put back, with a later date in the feeds
        back = latest(site, tmp_path / "w4", BS_WORKER_NAME="w4", **shared)
        client = redis.Redis.from_url(redis_url)
        left = client.exists(f"{prefix}:gone:{removed.article_id}") + client.exists(f"{prefix}:alias:{removed.article_id}")
        client.close()
    assert first.status == EXIT_FAILED and "none could be fetched (http-404=1)" in first.log
    assert second.status == EXIT_OK and stats_from_log(second.log)[stat.GONE_AGAIN] == 1 and not errors(second.log)
    assert unasked.status == EXIT_OK and not unasked.items and stats_from_log(unasked.log).get(stat.GONE_KNOWN) == 1
    assert [item["articleId"] for item in back.items] == [removed.article_id] and not left


class StoreOfBefore(SqliteSeenStore):
    """A seen-store class written before gone answers were kept (``BS_SEEN_STORE`` may name one)."""

    gone = answered_gone = answered_page = None  # type: ignore[assignment]


def test_a_store_class_that_keeps_no_gone_answers_fails_them_as_before(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        store = {"BS_SEEN_STORE": f"{__name__}.StoreOfBefore"}
        latest(site, tmp_path, **store)
        [removed] = site.add_articles(1)
        site.set_fault(removed.article_id, "404")
        runs = [latest(site, tmp_path, **store) for _ in range(2)]
    for run in runs:
        assert run.status == EXIT_FAILED and "none could be fetched (http-404=1)" in run.log
        assert "Traceback" not in run.log
