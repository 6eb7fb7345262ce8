"""Every article, once, over days of runs: an edge's copy told from the site's own dating, and merge's
ranking of versions written by other tools."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.distributed.store import RedisSeenStore
from crawler.extraction import Article
from crawler.incremental.pipeline import content_hash, previous_content_hash
from crawler.incremental.store import PendingArticle, SeenStore, SqliteSeenStore

from crawler.extraction.normalize import IST
from tests.pages.specs import SEED
from tests.test_once_probes_round15 import LATEST_CARD, NEWER_CARD, SEED_PAGE, Runs, answered, edited, merged, with_times, page, seen_again
from tests.test_once_probes_round15 import runs  # noqa: F401 (fixture)
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)

# --- a sitemap date later than the page's dateModified by design ----------------------------------------


def _dates(hours_ago: float) -> tuple[str, str]:
    """A page's dateModified ``hours_ago`` and the sitemap date two minutes after it (the site's
    sitemap dates a story by when it was written out, a little after the page's own date)."""
    modified = (datetime.now(IST) - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
    return modified.isoformat(), (modified + timedelta(minutes=2)).isoformat()


@pytest.mark.parametrize("header", ["page's date", "none"])
def test_a_new_story_whose_sitemap_date_is_after_its_page_date_is_fetched_once(runs: Runs, header: str) -> None:
    # No version was emitted before: the page can be no edge's copy of it. Its sitemap date not stored,
    # each later run compared that date with the page's own dateModified, found it newer, and fetched
    # the story again (for ever when the answer's Last-Modified is the page's date, as an origin sends it).
    modified, listed = _dates(0.5)
    html = with_times(SEED_PAGE, "2024-02-28T15:42:00+05:30", modified)
    (first,) = runs.run(answered(html, listed, modified if header == "page's date" else None))
    assert first.version == 1
    assert not seen_again(runs, listed), "a run with no change fetches the story again"


def test_an_update_whose_sitemap_date_is_after_its_page_date_is_not_fetched_again(runs: Runs) -> None:
    # The page is a new version (emitted), not an edge's copy of the one emitted before: the update's
    # sitemap date, a little after its dateModified, is the date to store.
    was, first_listed = _dates(5)
    modified, listed = _dates(0.5)
    html = with_times(SEED_PAGE, "2024-02-28T15:42:00+05:30", was)
    runs.run(answered(html, first_listed, was))
    (second,) = runs.run(answered(edited(html, modified, was), listed, modified))
    assert (second.version, second.dateModified) == (2, modified)
    assert not seen_again(runs, listed), "a run with no change fetches the update again"


# --- merge: versions written by other tools -------------------------------------------------------------


@pytest.mark.parametrize("written", ["3.0", " 3.00 "])
def test_merge_ranks_a_whole_float_written_as_text_as_its_number(tmp_path: Path, written: Any) -> None:
    # A table library writes a version column with nulls in it (`article`'s lines) as floats, and its CSV
    # output turned into JSON lines gives them as text: "3.0". Ranked 0, the line of version 3 lost to
    # the version 2 beside it, and the merged file went back a version.
    lines = [{"articleId": SEED.article_id, "version": written, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "3"},
             {"articleId": SEED.article_id, "version": 2, "dateDownloaded": "2024-02-28T19:00:00+05:30", "headline": "2"}]
    assert [line["headline"] for line in merged(tmp_path, {"in.jsonl": lines})] == ["3"]


@pytest.mark.parametrize("version", [-1, "-2", -3.0])
def test_merge_ranks_a_negative_version_as_none(tmp_path: Path, version: Any) -> None:
    # Versions start at 1: a negative one is no version, and ranks with null (then by download time),
    # not below it.
    lines = [{"articleId": SEED.article_id, "version": None, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "null"},
             {"articleId": SEED.article_id, "version": version, "dateDownloaded": "2024-02-28T19:00:00+05:30", "headline": "later"}]
    assert [line["headline"] for line in merged(tmp_path, {"in.jsonl": lines})] == ["later"]


# --- the hash of a version emitted before the related list left the content ------------------------------


def _hash_with_related_list(article: Article) -> str:
    """The content hash as the release before wrote it into seen-stores: ``alsoRead`` counted."""
    content = {k: v for k, v in asdict(article).items() if k not in {"url", "dateDownloaded", "version", "market"}}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_the_previous_hash_is_the_one_the_release_before_stored(runs: Runs) -> None:
    (article,) = runs.run(page(source_date="2024-02-28T15:42:00+05:30"))
    assert previous_content_hash(article) == _hash_with_related_list(article) != content_hash(article)


def test_a_story_stored_before_the_related_list_left_the_hash_is_no_new_version_when_fetched_again(runs: Runs) -> None:
    # A seen-store of the release before holds the hash with the related list in it: the story, saved
    # again without a change (its sitemap date moved on), was emitted as version 2, and again whenever
    # its list moved on. Told by that hash, it is unchanged, and its stored hash is made the new one.
    (first,) = runs.run(page(source_date="2024-02-28T15:42:00+05:30"))
    database = sqlite3.connect(runs.tmp_path / "state" / "seen.sqlite3")
    with database:
        database.execute("UPDATE seen SET content_hash = ?", (_hash_with_related_list(first),))
    database.close()
    assert runs.run(page(source_date="2024-02-28T16:00:00+05:30")) == []
    moved_on = SEED_PAGE.replace(LATEST_CARD[0], NEWER_CARD[0]).replace(LATEST_CARD[1], NEWER_CARD[1])
    assert runs.run(page(moved_on, source_date="2024-02-28T17:00:00+05:30")) == []
    assert runs.emitted == [(SEED.article_id, 1)]


def _stored_before(store: SeenStore) -> list[tuple[str, int]]:
    """A story stored with the previous hash, fetched again unchanged, then with its list moved on, then edited."""
    told = []
    for run, (digest, previous) in enumerate([("old", None), ("new", "old"), ("new", "other"), ("edited", "other-2")]):
        pending = PendingArticle(SEED.article_id, 0, digest, "2024-02-28T15:42:00+05:30", f"2024-02-28T1{5 + run}:00:00+05:30",
                                 f"latest:{run}", previous_hash_of=lambda previous=previous: previous)
        claim = store.claim(pending, fresh=False, is_live=lambda _: False)
        if claim.outcome in ("new", "updated"):
            store.confirm(SEED.article_id, f"latest:{run}")
        told.append((claim.outcome, claim.version))
    return told


def test_the_sqlite_and_the_redis_seen_stores_know_the_previous_hash_alike(tmp_path: Path, redis_url: str, prefix: str) -> None:
    sqlite = SqliteSeenStore(tmp_path / "seen.sqlite3")
    in_redis = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w1")
    try:
        told = _stored_before(sqlite)
        assert told == _stored_before(in_redis)
    finally:
        sqlite.close()
        in_redis.close()
    assert told == [("new", 1), ("unchanged", 1), ("unchanged", 1), ("updated", 2)]


def test_a_story_saved_again_without_a_change_hours_ago_is_not_fetched_at_every_run(runs: Runs) -> None:
    # The CMS saved the story again hours ago (its sitemap date moved on, its page's dateModified did
    # not), and the answer's Last-Modified is the page's own date, as an origin sends it. Told an edge's
    # copy from before an update, its date was never stored, and every later run fetched it again, for
    # ever; an edge revalidates within the hour, so after that the page is the story as it is.
    modified, listed = _dates(6)
    html = with_times(SEED_PAGE, "2024-02-28T15:42:00+05:30", modified)
    runs.run(answered(html, listed, modified))
    saved_again = (datetime.fromisoformat(listed) + timedelta(hours=3)).isoformat()
    assert runs.run(answered(html, saved_again, modified)) == []
    assert not seen_again(runs, saved_again), "a run with no change fetches the story again"


def test_the_release_befores_hash_is_computed_only_for_a_story_whose_stored_hash_is_not_this_ones(tmp_path: Path) -> None:
    # A second hash of every article claimed is CPU a crawl spends for nothing: only a stored hash
    # that is not this release's asks for it.
    asked: list[str] = []

    def previous() -> str:
        asked.append("asked")
        return "old"

    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        for run, digest in enumerate(["new", "new", "newer"]):
            pending = PendingArticle(SEED.article_id, 0, digest, None, None, f"latest:{run}", previous_hash_of=previous)
            if store.claim(pending, fresh=False, is_live=lambda _: False).outcome in ("new", "updated"):
                store.confirm(SEED.article_id, f"latest:{run}")
    finally:
        store.close()
    assert asked == ["asked"], "computed for a story new to the store or stored with this release's hash"
