"""Probes of the incremental machinery: a killed run settled by a run of another spider, feeds that
take only some articles, and other ways an article could be delivered twice or lost."""

from __future__ import annotations

import errno
import fcntl
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.extensions.feedexport import ItemFilter
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.extraction import Article
from crawler.monitoring.verdict import EXIT_OUTPUT, EXIT_STATE
from crawler.incremental.extension import SeenStoreExtension, seen_store_extension
from crawler.incremental import recovery
from crawler.incremental import signals as bs_signals
from crawler.incremental.feedstorage import DurableFileFeedStorage
from crawler.incremental import lock as lock_module
from crawler.incremental.lock import RunLock
from crawler.incremental.pipeline import IncrementalPipeline, UnchangedArticle
from crawler.incremental.recovery import recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore, StateError
from crawler.spiders.discovery import SOURCE_DATE_META, is_newer
from crawler.spiders.latest import LatestSpider
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_faults import env, small_filesystem  # noqa: F401 (a fixture)
from tests.test_spiders_unit import make_spider, seed_response

ARTICLE = "124022800873"


def _pending(run: str, version: int = 1, article_id: str = ARTICLE) -> PendingArticle:
    return PendingArticle(article_id, version, f"hash-{version}", "2024-02-28T15:42:00+05:30", None, run)


def _line(article_id: str = ARTICLE, version: int = 1) -> str:
    return json.dumps({"articleId": article_id, "version": version}) + "\n"


def _latest_extension(tmp_path: Path) -> SeenStoreExtension:
    """The seen-store component of a new ``latest`` run on ``tmp_path/state``, recovery done."""
    spider = make_spider(LatestSpider, tmp_path)
    extension = seen_store_extension(spider.crawler)
    assert extension is not None and extension.store is not None
    extension.recover()
    return extension


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SqliteSeenStore]:
    store = SqliteSeenStore(tmp_path / "state" / "seen.sqlite3")
    yield store
    store.close()


# --- a killed run of one spider, then a run of another on the same state dir ------------------------


def test_a_dead_run_of_another_spider_is_settled_not_emitted_again(tmp_path: Path, state: SqliteSeenStore) -> None:
    # The nightly `section` was killed after writing the article; `latest` (every 15 minutes, same
    # state dir) runs before the next `section`: it must not emit the article a second time.
    out = tmp_path / "section.jsonl"
    out.write_text(_line())
    state.record_feed("section:dead", FeedRecord(str(out)))
    state.add_pending(_pending("section:dead"))
    state.add_pending(_pending("section:dead", article_id="124022800874"))  # claimed, never written
    extension = _latest_extension(tmp_path)
    assert extension.store is not None
    seen = extension.store.get(ARTICLE)
    assert seen is not None and seen.version == 1, "written by the dead run: seen, so not emitted again"
    assert extension.store.get("124022800874") is None
    assert extension.store.pending() == [] and extension.store.feeds_of("section:dead") == []
    assert extension.stats.get_value("bs/state/recovered_written") == 1


def test_a_killed_run_is_settled_by_one_run_at_a_time(tmp_path: Path, state: SqliteSeenStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # `latest` and `section` may start together and both find the same killed run (its run lock
    # free): each would read, cut or mend its files at once. Settling holds the state dir's
    # recovery lock, which another process trying it now could not take.
    from crawler.incremental import extension as extension_module

    out = tmp_path / "section.jsonl"
    out.write_text(_line())
    state.record_feed("section:dead", FeedRecord(str(out)))
    state.add_pending(_pending("section:dead"))
    taken_elsewhere = []
    real = extension_module.recover_pending

    def settle(*args: Any) -> tuple[int, int]:
        with open(tmp_path / "state" / "recovery.lock", "w") as other:  # as another process would
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken_elsewhere.append(True)
            except BlockingIOError:
                taken_elsewhere.append(False)
        return real(*args)

    monkeypatch.setattr(extension_module, "recover_pending", settle)
    extension = _latest_extension(tmp_path)
    assert taken_elsewhere == [False], "nobody else could settle the run meanwhile"
    assert extension.store is not None and extension.store.pending() == []


def test_a_live_run_of_another_spider_is_left_alone(tmp_path: Path, state: SqliteSeenStore) -> None:
    out = tmp_path / "section.jsonl"
    out.write_text(_line())
    state.record_feed("section:alive", FeedRecord(str(out)))
    state.add_pending(_pending("section:alive"))
    with open(tmp_path / "state" / "section.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the running `section` holds its run lock
        extension = _latest_extension(tmp_path)
        assert extension.store is not None
        assert extension.store.get(ARTICLE) is None
        assert [p.run_id for p in extension.store.pending()] == ["section:alive"]
        assert extension.store.feeds_of("section:alive") != []


def test_settling_a_dead_run_never_takes_an_article_back_to_an_older_version(tmp_path: Path, state: SqliteSeenStore) -> None:
    # `section` was killed with version 1 written; `latest` had meanwhile emitted versions 1 and 2.
    # Whichever run settles the dead one (the next `section` here), version 2 stays the one seen:
    # going back to version 1 would emit "version 2" once more at the next fetch.
    out = tmp_path / "section.jsonl"
    out.write_text(_line(version=1))
    state.record_feed("section:dead", FeedRecord(str(out)))
    state.add_pending(_pending("section:dead", version=1))
    state.add_pending(_pending("latest:earlier", version=2))
    state.confirm(ARTICLE, "latest:earlier")
    assert recover_pending(state, "section:now") == (1, 0)
    seen = state.get(ARTICLE)
    assert seen is not None and (seen.version, seen.content_hash) == (2, "hash-2")
    assert state.pending() == []


# --- the seen-store failing mid-run -------------------------------------------------------------------


def _fill(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_state_dir_that_fills_mid_run_is_exit_7_in_one_line_and_the_next_run_settles_it(
    tmp_path: Path, small_filesystem: Path  # noqa: F811
) -> None:
    state = small_filesystem / "state"
    output = tmp_path / "out.jsonl"
    with LoopbackSite(articles=60, seed=5, days=20, legacy=0) as site:
        wanted = {r.article_id for r in site.articles}
        command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-o", str(output),
                   "-s", f"BS_BASE_URL={site.base_url}", "-s", f"BS_STATE_DIR={state}", "-s", "LOG_LEVEL=INFO",
                   *[f"-s{k}={v}" for k, v in {**FAST, "CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.05"}.items()]]
        with open(tmp_path / "first.log", "wb") as log:
            first = subprocess.Popen(command, cwd=tmp_path, env=env(), stderr=log)
            deadline = time.monotonic() + 120
            while site.article_requests() < 8 and first.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert first.poll() is None, "the run ended before the state dir filled"
            _fill(small_filesystem)
            status = first.wait(timeout=300)
        text = (tmp_path / "first.log").read_text(errors="replace")
        assert status == EXIT_STATE, text[-3000:]
        assert "database or disk is full; stopping the run" in text
        # One error line: no traceback, and no warning about the API that stopped the run.
        assert "Traceback" not in text and "Deprecat" not in text, text[-3000:]
        (small_filesystem / "filler").unlink()
        second = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-3000:]
    ids = Counter(json.loads(line)["articleId"] for line in output.read_text().splitlines())
    assert set(ids) == wanted and max(ids.values()) == 1, "every article exactly once across the two runs"


# --- a killed run's part of a file it appended to ------------------------------------------------------


def test_recovery_reads_a_killed_runs_part_of_an_appended_file_however_long_the_file(
    tmp_path: Path, state: SqliteSeenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `-o all.jsonl` from cron: years of earlier runs before this run's lines. Recovery reads at most
    # MAX_FEED_BYTES of a file; it must read the killed run's lines, which are at the end.
    monkeypatch.setattr(recovery, "MAX_FEED_BYTES", 64 * 1024)
    path = tmp_path / "all.jsonl"
    path.write_text("".join(_line(f"{123000000000 + n}") for n in range(3000)))  # ~150 kB of earlier runs
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    opened: list[FeedRecord] = []
    crawler.signals.connect(lambda feed: opened.append(feed), signal=bs_signals.feed_file_opened, weak=False)
    storage = DurableFileFeedStorage.from_crawler(crawler, str(path), feed_options={"format": "jsonlines"})
    file = storage.open(Spider("latest"))
    file.write(_line().encode())
    file.write(b'{"articleId": "124022800874", "ver')  # killed mid-line
    (record,) = opened
    state.record_feed("latest:dead", record)
    state.add_pending(_pending("latest:dead"))
    state.add_pending(_pending("latest:dead", article_id="124022800874"))
    assert recover_pending(state, "latest:now") == (1, 1)
    seen = state.get(ARTICLE)
    assert seen is not None and seen.version == 1
    assert path.read_text().endswith(_line()), "the cut line is cut off"


@pytest.mark.parametrize(
    ("fmt", "earlier", "killed"),
    [
        ("xml", '<?xml version="1.0" encoding="utf-8"?>\n<items><item><articleId>123000000001</articleId><version>1</version></item></items>',
         f'<?xml version="1.0" encoding="utf-8"?>\n<items><item><articleId>{ARTICLE}</articleId><version>1</version></item><item><articleId>12'),
    ],
)
def test_recovery_reads_a_killed_runs_document_appended_after_an_earlier_one(
    tmp_path: Path, state: SqliteSeenStore, fmt: str, earlier: str, killed: str
) -> None:
    # `-o items.xml` twice: the second run's items are a second document in the file, which a reader
    # of the whole file stops before.
    path = tmp_path / f"items.{fmt}"
    path.write_text(earlier)
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    opened: list[FeedRecord] = []
    crawler.signals.connect(lambda feed: opened.append(feed), signal=bs_signals.feed_file_opened, weak=False)
    storage = DurableFileFeedStorage.from_crawler(crawler, str(path), feed_options={"format": fmt})
    storage.open(Spider("latest")).write(killed.encode())
    (record,) = opened
    state.record_feed("latest:dead", record)
    state.add_pending(_pending("latest:dead"))
    assert recover_pending(state, "latest:now") == (1, 0)


# --- feeds that take only some articles ----------------------------------------------------------------


class EvenIdsOnly(ItemFilter):
    """A feed for some of the articles (as a feed of Hindi stories only would be)."""

    def accepts(self, item: Any) -> bool:
        return int(getattr(item, "articleId", "1")[-1]) % 2 == 0


def _open_feed(tmp_path: Path, name: str, options: dict[str, Any]) -> tuple[Any, FeedRecord]:
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    opened: list[FeedRecord] = []
    crawler.signals.connect(lambda feed: opened.append(feed), signal=bs_signals.feed_file_opened, weak=False)
    storage = DurableFileFeedStorage.from_crawler(crawler, str(tmp_path / name), feed_options={"format": "jsonlines", **options})
    file = storage.open(Spider("latest"))
    (record,) = opened
    return file, record


@pytest.mark.parametrize("everything", [True, False], ids=["with-a-feed-of-everything", "only-filtered-feeds"])
def test_recovery_does_not_ask_a_feed_for_articles_its_filter_never_took(tmp_path: Path, state: SqliteSeenStore, everything: bool) -> None:
    even, odd = "124022800874", "124022800873"
    feeds = [_open_feed(tmp_path, "even.jsonl", {"item_filter": EvenIdsOnly})]
    feeds.append(_open_feed(tmp_path, "all.jsonl", {}) if everything else _open_feed(tmp_path, "rest.jsonl", {"item_classes": [Article]}))
    (even_file, _), (other_file, _) = feeds
    even_file.write(_line(even).encode())
    other_file.write((_line(even) if everything else "").encode() + _line(odd).encode())
    for _, record in feeds:
        state.record_feed("latest:dead", record)
    for article_id in (even, odd, "124022800875"):  # the last one was written nowhere
        state.add_pending(_pending("latest:dead", article_id=article_id))
    assert recover_pending(state, "latest:now") == (2, 1)
    assert state.get(even) is not None and state.get(odd) is not None and state.get("124022800875") is None


# --- a store someone looked after with the sqlite3 shell --------------------------------------------


@pytest.mark.parametrize("upkeep", ["ANALYZE", "ANALYZE seen", "VACUUM; ANALYZE"])
def test_a_store_analyzed_by_hand_is_still_used(tmp_path: Path, state: SqliteSeenStore, upkeep: str) -> None:
    # ANALYZE (run by hand, or by `PRAGMA optimize`) adds SQLite's own statistics table to the file.
    state.add_pending(_pending("latest:a"))
    state.confirm(ARTICLE, "latest:a")
    state.close()
    db = sqlite3.connect(tmp_path / "state" / "seen.sqlite3", isolation_level=None)
    db.executescript(upkeep)
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").fetchone()[0] > 0
    db.close()
    settings = Settings({"BS_STATE_DIR": str(tmp_path / "state")})
    SqliteSeenStore.check(settings)
    store = SqliteSeenStore.open(settings, "latest")
    assert store.get(ARTICLE) is not None
    store.close()


# --- a reader that stops reading -----------------------------------------------------------------------


def test_a_reader_that_closes_the_pipe_is_exit_6_in_one_line(tmp_path: Path) -> None:
    # `scrapy crawl archive -O - | head -1`: the pipe breaks after the first article.
    with LoopbackSite(articles=30, seed=23, days=20, legacy=0) as site:
        command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-o", "-:jsonlines",
                   "-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=INFO",
                   *[f"-s{k}={v}" for k, v in {**FAST, "CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.05"}.items()]]
        with open(tmp_path / "log", "wb") as log:
            run = subprocess.Popen(command, cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=log)
            assert run.stdout is not None
            first = json.loads(run.stdout.readline())
            run.stdout.close()
            status = run.wait(timeout=300)
    text = (tmp_path / "log").read_text(errors="replace")
    assert status == EXIT_OUTPUT, text[-3000:]
    assert "Cannot write the output file stdout ([Errno 32] Broken pipe)" in text
    assert "Traceback" not in text, text[-3000:]
    store = SqliteSeenStore(tmp_path / ".state" / "seen.sqlite3")
    assert store.get(first["articleId"]) is not None, "what the reader took is seen"
    store.close()


# --- a killed run's cut gzip file, which later runs append to --------------------------------------------


@pytest.mark.parametrize("earlier", [0, 300], ids=["its-own-file", "appended-to-earlier-runs"])
def test_a_cut_gzip_part_is_made_whole_so_what_is_appended_after_it_stays_readable(
    tmp_path: Path, state: SqliteSeenStore, earlier: int
) -> None:
    # FEEDS={"all.jsonl.gz": {"postprocessing": [GzipPlugin]}} appends (Scrapy's default for FEEDS):
    # a member cut by a kill left in the file makes every member after it unreadable (CRC error).
    path = tmp_path / "all.jsonl.gz"
    before = "".join(_line(f"{123000000000 + n}") for n in range(earlier)).encode()
    path.write_bytes(gzip.compress(before) if earlier else b"")
    record = FeedRecord(str(path), "jsonlines", "gzip", "all.jsonl.gz", path.stat().st_size)
    killed = _line().encode() + b"".join(_line(f"{124000000000 + n}").encode() for n in range(200)) + b'{"articleId": "12'
    member = gzip.compress(killed)
    with open(path, "ab") as file:
        file.write(member[: len(member) * 2 // 3])  # killed before the member was finished
    written = set(recovery.ids_in_feed(record))
    assert ARTICLE in written and "124022800874" not in written
    state.record_feed("latest:dead", record)
    state.add_pending(_pending("latest:dead"))
    state.add_pending(_pending("latest:dead", article_id="124022800874"))
    assert recover_pending(state, "latest:now") == (1, 1)
    with open(path, "ab") as file:  # the next run appends its own member
        file.write(gzip.compress(_line("124022800874").encode()))
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    ids = [json.loads(line)["articleId"] for line in lines]
    assert ids[:earlier] == [f"{123000000000 + n}" for n in range(earlier)]
    assert set(ids[earlier:-1]) == written, "the killed run's readable part is kept, whole lines only"
    assert ids[-1] == "124022800874"


# --- refetched for a newer sitemap date, content unchanged ------------------------------------------


def test_an_unchanged_article_keeps_the_newer_source_date_it_was_fetched_for(tmp_path: Path) -> None:
    # The sitemap's <lastmod> moved on (the CMS saved the story again) but the story is the same: it
    # is not emitted, and the date it was fetched for is kept, or every later run fetches it again.
    spider = make_spider(LatestSpider, tmp_path)
    pipeline = IncrementalPipeline.from_crawler(spider.crawler)
    pipeline.open_spider(spider)
    assert pipeline.seen is not None and pipeline.seen.store is not None
    first, later = "2024-02-28T15:42:00+05:30", "2024-03-05T09:00:00+05:30"
    for source_date in (first, later):
        response = seed_response()
        response.meta[SOURCE_DATE_META] = source_date
        (item,) = spider.parse_article(response)
        if source_date == first:
            assert pipeline.process_item(item, spider).version == 1
            assert pipeline.seen.confirm(item.articleId)
        else:
            with pytest.raises(UnchangedArticle):
                pipeline.process_item(item, spider)
    seen = pipeline.seen.store.get(item.articleId)
    assert seen is not None and (seen.version, seen.source_date) == (1, later)
    limit = datetime.now(timezone.utc) + timedelta(minutes=10)
    assert not is_newer(datetime.fromisoformat(later), seen, limit, spider.crawler.stats), "not fetched again next run"


# --- a state dir on a file system without flock ----------------------------------------------------------


def test_a_file_system_that_refuses_locks_is_a_state_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Some network and FUSE file systems answer flock() with ENOLCK or EOPNOTSUPP.
    def refuse(fd: Any, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(lock_module.fcntl, "flock", refuse)
    lock = RunLock(tmp_path / "latest.lock")
    with pytest.raises(StateError, match="run lock .* cannot be taken: No locks available"):
        lock.acquire()


# --- a local file and a remote storage at once -----------------------------------------------------------


def test_a_remote_feed_that_failed_beside_a_local_file_gets_its_articles_from_the_next_run(tmp_path: Path) -> None:
    # The upload failed (exit 6) but the local file has every article: the next run must not count
    # them delivered from the local file alone, or the remote feed never gets them.
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    (bucket / "REFUSE").touch()
    with LoopbackSite(articles=12, seed=23, days=20, legacy=0) as site:
        wanted = {r.article_id for r in site.articles}

        def run(name: str) -> subprocess.CompletedProcess[str]:
            feeds = {str(tmp_path / f"{name}.jsonl"): {"format": "jsonlines"}, f"remote://{bucket}/{name}.jsonl": {"format": "jsonlines"}}
            command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-s", "FEEDS=" + json.dumps(feeds),
                       "-s", "FEED_STORAGES=" + json.dumps({"remote": "tests.remote_storage.FolderFeedStorage"}),
                       "-s", f"BS_BASE_URL={site.base_url}",
                       *[f"-s{k}={v}" for k, v in FAST.items()]]
            return subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)

        refused = run("first")
        assert refused.returncode == EXIT_OUTPUT, refused.stderr[-3000:]
        (bucket / "REFUSE").unlink()
        stored = run("second")
        assert stored.returncode == 0, stored.stderr[-3000:]
    uploaded = [json.loads(line)["articleId"] for path in sorted(bucket.glob("*.jsonl")) for line in path.read_text().splitlines()]
    assert sorted(uploaded) == sorted(wanted), "every article reached the remote feed once"


def test_a_run_killed_under_an_older_version_is_settled_after_the_upgrade(tmp_path: Path, state: SqliteSeenStore) -> None:
    # Before run ids named their spider (a bare uuid) and feed records held only the path.
    out = tmp_path / "old.jsonl"
    out.write_text(_line())
    state.db.execute("INSERT INTO feeds (run_id, path) VALUES (?, ?)", ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", str(out)))
    state.add_pending(_pending("9f8e7d6c5b4a39281706f5e4d3c2b1a0"))
    extension = _latest_extension(tmp_path)
    assert extension.store is not None
    assert extension.store.get(ARTICLE) is not None and extension.store.pending() == []
