"""The seen-store, recovery after a killed run, and the run lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.incremental.lock import RunLock
from crawler.incremental.recovery import ids_in_feed, recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore, StateError


def pending(article_id: str, run: str, version: int = 1) -> PendingArticle:
    return PendingArticle(article_id, version, f"hash-{version}", "2024-02-28T15:42:00+05:30", None, run)


def test_an_article_is_seen_only_after_confirmation(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    store.add_pending(pending("124022800873", "run1"))
    assert store.get("124022800873") is None
    store.confirm("124022800873", "run1")
    seen = store.get("124022800873")
    assert seen is not None and seen.version == 1 and seen.content_hash == "hash-1"
    assert store.pending() == [] and store.count() == 1


def test_recovery_marks_what_the_killed_run_wrote_and_forgets_the_rest(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    feed = tmp_path / "out.jsonl"
    feed.write_text(
        json.dumps({"articleId": "124022800873", "version": 1}) + "\n" + '{"articleId": "124022800874", "vers'
    )  # the second line was cut by the kill
    store.record_feed("latest:dead", FeedRecord(str(feed)))
    store.add_pending(pending("124022800873", "latest:dead"))
    store.add_pending(pending("124022800874", "latest:dead"))
    store.add_pending(pending("124022800875", "archive:alive"))
    assert recover_pending(store, "latest:now") == (1, 1)
    assert store.get("124022800873") is not None
    assert store.get("124022800874") is None
    assert [p.article_id for p in store.pending()] == ["124022800875"], "another spider's live run is left alone"
    assert store.feeds_of("latest:dead") == []


def test_a_cut_last_line_does_not_count(tmp_path: Path) -> None:
    feed = tmp_path / "out.jsonl"
    feed.write_bytes(b'{"articleId": "124022800873", "version": 2}\n{"articleId": "124022800874"')
    assert ids_in_feed(FeedRecord(str(feed))) == {"124022800873": 2}


def test_a_corrupt_store_is_an_error_not_a_silent_reset(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="not a SQLite database"):
        SqliteSeenStore(path)
    assert path.read_bytes().startswith(b"this is not a database")


def test_the_lock_keeps_a_second_holder_out_and_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "latest.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from crawler.incremental.lock import RunLock; from pathlib import Path; import time\n"
         f"lock = RunLock(Path({str(path)!r}))\nassert lock.acquire()\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = RunLock(path)
        assert not second.acquire()
        assert second.holder() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()
    third = RunLock(path)
    assert third.acquire(), "the kernel must release the lock of a killed process"
    third.release()
