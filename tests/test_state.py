"""The seen-store, recovery after a killed run, and the run lock."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.incremental.lock import RunLock
from crawler import stats as stat
from crawler.incremental.recovery import cut_partial_line, ids_in_feed, recover_pending
from crawler.incremental.store import SCHEMA_VERSION, Claim, FeedRecord, PendingArticle, SeenArticle, SqliteSeenStore, StateError
from crawler.spiders.discovery import is_newer


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


# --- recovery reads only regular files, bounded, in every built-in format ---------------------


def test_recovery_never_reads_a_fifo_or_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert ids_in_feed(FeedRecord(str(fifo))) == {}, "returns at once instead of blocking"
    assert ids_in_feed(FeedRecord("/dev/zero")) == {}, "a device is never read (it would never end)"
    assert ids_in_feed(FeedRecord(str(tmp_path / "missing.jsonl"))) == {}


def test_recovery_reads_every_format_up_to_a_cut(tmp_path: Path) -> None:
    items = [{"articleId": f"12402280087{n}", "version": n} for n in range(1, 4)]
    (tmp_path / "a.json").write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + ',\n{"articleId": "1240')
    (tmp_path / "a.csv").write_text("articleId,headline,version\n" + "".join(f'{i["articleId"]},"two\nlines",{i["version"]}\n' for i in items))
    (tmp_path / "a.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<items>' + "".join(
        f"<item><articleId>{i['articleId']}</articleId><version>{i['version']}</version></item>" for i in items) + "<item><articleId>12")
    whole = b"".join(json.dumps(i).encode() + b"\n" for i in items)
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(whole)[:-8])  # cut before the gzip trailer
    expected = {i["articleId"]: i["version"] for i in items}
    assert ids_in_feed(FeedRecord(str(tmp_path / "a.json"), "json")) == expected
    assert ids_in_feed(FeedRecord(str(tmp_path / "a.csv"), "csv")) == expected
    assert ids_in_feed(FeedRecord(str(tmp_path / "a.xml"), "xml")) == expected
    assert ids_in_feed(FeedRecord(str(tmp_path / "a.jsonl.gz"), "jsonlines", "gzip")) == expected


def test_recovery_cuts_a_half_line_so_the_next_run_never_glues_onto_it(tmp_path: Path) -> None:
    feed = tmp_path / "out.jsonl"
    feed.write_bytes(b'{"articleId": "124022800873", "version": 1}\n{"articleId": "12402')
    assert cut_partial_line(FeedRecord(str(feed)))
    assert feed.read_bytes() == b'{"articleId": "124022800873", "version": 1}\n'
    assert not cut_partial_line(FeedRecord(str(feed)))


def test_recovery_needs_the_article_in_every_feed_of_the_run(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    line = json.dumps({"articleId": "124022800873", "version": 1}) + "\n"
    (tmp_path / "a.jsonl").write_text(line)
    (tmp_path / "b.jsonl").write_text("")  # killed before the second feed got it
    store.record_feed("latest:dead", FeedRecord(str(tmp_path / "a.jsonl"), feed="a.jsonl"))
    store.record_feed("latest:dead", FeedRecord(str(tmp_path / "b.jsonl"), feed="b.jsonl"))
    store.add_pending(pending("124022800873", "latest:dead"))
    assert recover_pending(store, "latest:now") == (0, 1)


# --- claims: two runs on one store never both emit an article -----------------------------------


def test_a_claim_by_a_live_run_keeps_another_run_from_emitting(tmp_path: Path) -> None:
    first, second = SqliteSeenStore(tmp_path / "seen.sqlite3"), SqliteSeenStore(tmp_path / "seen.sqlite3")
    article = PendingArticle("124022800873", 0, "h1", None, None, "latest:a")
    assert first.claim(article, fresh=False, is_live=lambda run: True) == Claim("new", 1)
    theirs = PendingArticle("124022800873", 0, "h1", None, None, "section:b")
    assert second.claim(theirs, fresh=False, is_live=lambda run: True) == Claim("taken", 0)
    assert second.claim(theirs, fresh=False, is_live=lambda run: False).outcome == "new", "a dead run's claim lapses"
    first.confirm("124022800873", "latest:a")
    again = PendingArticle("124022800873", 0, "h1", None, None, "section:c")
    assert second.claim(again, fresh=False, is_live=lambda run: True) == Claim("unchanged", 1)


def test_a_store_from_before_schema_numbers_is_upgraded_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    SqliteSeenStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    SqliteSeenStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


# --- dates from the future never hide updates -------------------------------------------------------


def test_a_future_date_never_hides_later_updates() -> None:
    now = datetime(2024, 11, 25, 12, 0, tzinfo=timezone.utc)
    limit = now + timedelta(minutes=10)
    stats: Counter[str] = Counter()

    class Stats:
        def inc_value(self, key: str, count: int = 1) -> None:
            stats[key] += count

    future_page = SeenArticle("124112500001", 1, "h", "2031-01-01T00:00:00+05:30", None)
    assert is_newer(now - timedelta(hours=1), future_page, limit, Stats()), "a page date in the future is ignored"
    assert stats[stat.DISCOVERY_FUTURE_DATE] == 1
    with_source = SeenArticle("124112500001", 1, "h", "2031-01-01T00:00:00+05:30", "2024-11-25T10:00:00+05:30")
    assert is_newer(datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc), with_source, limit, Stats()), "feed date against feed date"
    assert not is_newer(datetime(2024, 11, 25, 4, 30, tzinfo=timezone.utc), with_source, limit, Stats())
    future_source = SeenArticle("124112500001", 1, "h", None, "2031-01-01T00:00:00+05:30")
    same = datetime(2030, 12, 31, 18, 30, tzinfo=timezone.utc)
    assert not is_newer(same, future_source, limit, Stats()), "the same wrong date again: nothing changed"
    assert is_newer(now - timedelta(hours=1), future_source, limit, Stats()), "a different date after a wrong one: look again"
