"""A run disturbed at some point of an article's life, then the next normal run: every article once
across the files a user reads, an exit status and one log line that say what happened."""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.incremental.store import SqliteSeenStore
from crawler.monitoring.verdict import EXIT_STATE
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_delivery_matrix import ids_in

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
# One request at a time, a little apart: a run is caught mid-way whatever the machine's load.
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.05"}
GZIP = "scrapy.extensions.postprocessing.GzipPlugin"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=29, days=20, legacy=0) as running:
        yield running


@pytest.fixture
def wanted(site: LoopbackSite) -> set[str]:
    site.reset_counts()
    return {r.article_id for r in site.articles}


def archive(site: LoopbackSite, workdir: Path, *arguments: str, slow: bool = False) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    for name, value in {**FAST, **(SLOW if slow else {}), "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    return command


def kill_when(process: subprocess.Popen[bytes], ready: object, log: Path) -> None:
    """SIGKILL ``process`` once ``ready()`` holds (a file or a count it waits on, never a fixed time)."""
    deadline = time.monotonic() + 120
    while not ready() and process.poll() is None and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed: " + log.read_text(errors="replace")[-2000:]
    process.send_signal(signal.SIGKILL)
    process.wait()


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def counted(paths: list[Path]) -> Counter[str]:
    """Articles in the files, each member of a gzip file read (what a run appended after another's)."""
    counter: Counter[str] = Counter()
    for path in paths:
        if path.name.endswith(".jsonl.gz"):
            with gzip.open(path) as stream:
                lines = stream.read().split(b"\n")
            assert lines[-1] == b"", f"{path} ends in a cut line"
            counter.update(json.loads(line)["articleId"] for line in lines[:-1])
        else:
            counter.update(ids_in(path))
    return counter


def assert_each_once(counter: Counter[str], wanted: set[str]) -> None:
    assert set(counter) == wanted, f"missing {sorted(wanted - set(counter))[:5]}, extra {sorted(set(counter) - wanted)[:5]}"
    assert [article for article, n in counter.items() if n > 1] == [], "an article twice"


# --- gzip postprocessing: Scrapy's plugin is read back by recovery --------------------------------


def test_scrapys_gzip_plugin_is_recorded_as_gzip() -> None:
    from scrapy.extensions.postprocessing import GzipPlugin

    from crawler.incremental.feedstorage import compression_of

    for plugin in (GZIP, GzipPlugin):
        assert compression_of({"postprocessing": [plugin]}) == "gzip"
    # What a run killed under an earlier version recorded is read as gzip too.
    from crawler.incremental.store import FeedRecord

    assert FeedRecord.decode("a.jsonl.gz\tjsonlines\tGzipPlugin\ta.jsonl.gz\t0\t").compression == "gzip"


@pytest.mark.parametrize("shared", [True, False], ids=["appending", "own-file"])
def test_a_run_killed_while_writing_gzip_is_read_back_and_its_file_mended(
    site: LoopbackSite, wanted: set[str], tmp_path: Path, shared: bool
) -> None:
    # FEEDS={"all.jsonl.gz": {"postprocessing": [GzipPlugin]}}: the plugin was recorded under its class
    # name, which recovery could not read: the killed run's articles in the file were all fetched and
    # emitted again, and its cut member was left for the next run to append after (no reader gets past it).
    def command(name: str) -> list[str]:
        # Level 0: the compressor hands the file a block every 32 KiB, so a kill finds some in it (at
        # level 6 a long run's file fills the same way; these 30 pages would fit one block).
        feeds = {name: {"format": "jsonlines", "postprocessing": [GZIP], "gzip_compresslevel": 0}}
        return archive(site, tmp_path, "-s", "FEEDS=" + json.dumps(feeds), slow=True)

    first_file = tmp_path / "all.jsonl.gz"
    first_log = tmp_path / "first.log"
    with open(first_log, "wb") as log:
        first = subprocess.Popen(command(first_file.name), cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    # Once the compressor has handed a block to the file (a gzip header alone is 10 bytes).
    kill_when(first, lambda: first_file.exists() and first_file.stat().st_size > 1000, first_log)
    second_file = first_file if shared else tmp_path / "second.jsonl.gz"
    second = subprocess.run(command(second_file.name), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "which recovery cannot read" not in second.stderr
    assert "Recovered an interrupted run: " in second.stderr and "Recovered an interrupted run: 0 " not in second.stderr
    # Every file reads whole with Python's gzip (as with zcat): no cut member is left in it.
    counter: Counter[str] = Counter()
    for path in {first_file, second_file}:
        with gzip.open(path) as stream:
            lines = stream.read().split(b"\n")
        assert lines[-1] == b""
        counter.update(json.loads(line)["articleId"] for line in lines[:-1])
    assert_each_once(counter, wanted)


# --- a killed run, then the same command with -O: what the killed run wrote is not overwritten ---------


OVERWRITTEN = {
    # name: (output arguments, file, whether the next run's file keeps the killed run's items itself)
    "jsonlines": (["-O", "items.jsonl"], "items.jsonl", True),
    "jsonlines-jobdir": (["-O", "items.jsonl", "-s", "JOBDIR=job"], "items.jsonl", True),
    # (Level 0: the compressor hands the file a block every 32 KiB, so the killed run's file holds some.)
    "gzip": (["-s", "FEEDS=" + json.dumps({"items.jsonl.gz": {"format": "jsonlines", "overwrite": True, "postprocessing": [GZIP],
                                                               "gzip_compresslevel": 0}})],
             "items.jsonl.gz", True),
    "batches": (["-O", "items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=4"], "items-*.jsonl", True),
    # A document (or CSV rows, which may hold line breaks) cut by the kill cannot be continued: it is moved aside.
    "json": (["-O", "items.json"], "items.json", False),
    # Each item over many lines: recovery read none of them (a line at a time), and the next run wrote
    # the killed run's unconfirmed last article again beside the moved-aside file.
    "json-indented": (["-O", "items.json", "-s", "FEED_EXPORT_INDENT=2"], "items.json", False),
    "csv": (["-O", "items.csv"], "items.csv", False),
}


@pytest.mark.parametrize("name", list(OVERWRITTEN))
def test_a_killed_runs_articles_survive_the_next_run_overwriting_its_file(
    site: LoopbackSite, wanted: set[str], tmp_path: Path, name: str
) -> None:
    # `scrapy crawl archive -O items.jsonl` from cron (or resumed from its JOBDIR) after a kill: the
    # killed run's articles are seen, so the next run does not emit them; its -O used to truncate the
    # file that held them, and they were in no file any more.
    arguments, pattern, kept_in_place = OVERWRITTEN[name]
    first_log = tmp_path / "first.log"
    with open(first_log, "wb") as log:
        first = subprocess.Popen(archive(site, tmp_path, *arguments, slow=True), cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    if pattern.endswith(".jsonl"):
        kill_when(first, lambda: sum(lines_in(p) for p in tmp_path.glob(pattern)) >= 6, first_log)
    elif pattern.endswith(".gz"):  # once a block is in the file (a gzip header alone is 10 bytes)
        kill_when(first, lambda: (tmp_path / pattern).exists() and (tmp_path / pattern).stat().st_size > 1000, first_log)
    else:  # csv and json lines cannot be counted as they are written: the site counts the pages served
        kill_when(first, lambda: site.article_requests() >= 8 and list(tmp_path.glob(pattern)), first_log)
    if pattern.endswith(".gz"):
        # What a reader gets of the killed run's file is its complete lines (recovery cuts the rest).
        with open(tmp_path / pattern, "rb") as cut:
            text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut.read())
        written_by_killed = Counter(json.loads(line)["articleId"] for line in text.split(b"\n")[:-1])
    else:
        written_by_killed = counted(sorted(tmp_path.glob(pattern)))
    assert written_by_killed, "the killed run wrote articles"

    second = subprocess.run(archive(site, tmp_path, *arguments), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    files = sorted(tmp_path.glob(pattern))
    aside = sorted(tmp_path.glob("items.interrupted-*"))
    if kept_in_place:
        assert aside == []
        assert "kept at its start" in second.stderr
    else:
        assert len(aside) == 1, sorted(p.name for p in tmp_path.iterdir())
        assert f"moved to {aside[0]}" in second.stderr
        assert counted(aside) == written_by_killed
    assert_each_once(counted(files + aside), wanted)
    store = SqliteSeenStore(tmp_path / ".state" / "seen.sqlite3")
    try:
        assert store.count() == len(wanted) and store.pending() == []
    finally:
        store.close()

    # A third run, with nothing new, carries nothing over: the interrupted run's output was settled once.
    third = subprocess.run(archive(site, tmp_path, *arguments), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr[-3000:]
    assert "emitted=0 " in third.stderr
    if name != "batches":  # (a name with a placeholder is not written by a run that emits nothing)
        assert counted(sorted(tmp_path.glob(pattern))) == Counter()
    assert "kept at its start" not in third.stderr and "moved to" not in third.stderr


def test_a_run_that_ends_forgets_its_feed_records_and_a_killed_ones_are_told_apart(tmp_path: Path) -> None:
    from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore

    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        # Every cron run recorded its files, and the table grew for ever; an ended run forgets them.
        store.record_feed("latest:ended", FeedRecord(str(tmp_path / "a.jsonl"), forgotten_at_end=True))
        store.record_feed("latest:killed", FeedRecord(str(tmp_path / "b.jsonl"), forgotten_at_end=True))
        store.record_feed("latest:failed", FeedRecord(str(tmp_path / "c.jsonl"), forgotten_at_end=True))
        store.record_feed("latest:older-version", FeedRecord(str(tmp_path / "d.jsonl")))
        store.add_pending(PendingArticle("124022800873", 1, "h", None, None, "latest:failed"))
        store.finish_run("latest:ended")
        store.finish_run("latest:failed")
        assert store.feeds_of("latest:ended") == []
        # A run that ended with articles pending (a feed failed) keeps its records for the next run's
        # recovery, as an ended run's.
        assert [feed.forgotten_at_end for feed in store.feeds_of("latest:failed")] == [False]
        assert store.interrupted_runs() == ["latest:killed"]
    finally:
        store.close()


# --- a seen-store deleted by hand, its write-ahead log left behind ---------------------------------

_KILLED_WRITER = """
import os, sqlite3, sys
from pathlib import Path
from crawler.incremental.store import PendingArticle, SqliteSeenStore
store = SqliteSeenStore(Path(sys.argv[1]))
for number in range(400):
    pending = PendingArticle(f"1240228{number:05d}", 1, "h" * 64, None, None, "latest:killed")
    store.claim(pending, fresh=False, is_live=lambda run: False)
    store.confirm(pending.article_id, "latest:killed")
os.kill(os.getpid(), 9)
"""


def test_a_store_deleted_by_hand_is_made_anew_without_the_log_it_left(tmp_path: Path) -> None:
    # After `error: seen-store … is corrupt; it is left as it is`, a user deletes seen.sqlite3 (the
    # file named) to start afresh; a killed writer's -wal stays beside it. SQLite read it into the new
    # store: the deleted store's last pages came back, whole or as a corrupt mix that every later run
    # refused ("database disk image is malformed", exit 7) although the user had deleted the store.
    from scrapy.settings import Settings

    from crawler.incremental.store import SqliteSeenStore

    path = tmp_path / "seen.sqlite3"
    subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(path)], env=ENV, check=False)
    assert all((tmp_path / name).stat().st_size > 0 for name in ("seen.sqlite3-wal", "seen.sqlite3-shm"))
    path.unlink()

    settings = Settings({"BS_STATE_DIR": str(tmp_path)})
    SqliteSeenStore.check(settings)
    store = SqliteSeenStore.open(settings, "latest")
    try:
        assert store.count() == 0 and store.pending() == []
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


# --- the state dir taken away while a run is going ------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "restored-from-a-copy"])
def test_a_state_dir_taken_away_mid_run_is_exit_7_in_one_line(site: LoopbackSite, wanted: set[str], tmp_path: Path, how: str) -> None:
    # A clean-up script (`rm -rf .state`, a tmp cleaner) or a restore from a copy while cron's run is
    # going: SQLite went on writing to the file it had open, which no later run reads, and the run said
    # "ok" (exit 0); the next one emitted again everything this one had, with nothing to tell why.
    state = tmp_path / ".state"
    output = tmp_path / "items.jsonl"
    log_path = tmp_path / "first.log"
    with open(log_path, "wb") as log:
        run = subprocess.Popen(archive(site, tmp_path, "-O", str(output), slow=True), cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 120
    while lines_in(output) < 3 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run.poll() is None, log_path.read_text(errors="replace")[-2000:]
    if how == "deleted":
        shutil.rmtree(state)
    else:
        state.rename(tmp_path / "moved")
        shutil.copytree(tmp_path / "moved", state)
    assert run.wait(timeout=300) == EXIT_STATE, log_path.read_text(errors="replace")[-3000:]
    text = log_path.read_text(errors="replace")
    assert "was removed or replaced during the run" in text and "Traceback" not in text
    assert "exit=7 (the seen-store could not be used)" in text


# --- two runs appending to one file when one of them fails ---------------------------------------------


class _FailingWrites:
    """A raw file that takes the first half of a write, then fails with ``error`` (the disk filled up
    half-way, an I/O error): the item is half in the file."""

    def __init__(self, raw: Any, error: OSError) -> None:
        self._raw = raw
        self.error = error
        self.taken = False

    def write(self, data: Any) -> int:
        if self.taken:
            raise self.error
        self.taken = True
        return int(self._raw.write(memoryview(data)[: len(data) // 2]))

    def __getattr__(self, name: str) -> object:
        return getattr(self._raw, name)


@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EIO, errno.EDQUOT], ids=["ENOSPC", "EIO", "EDQUOT"])
def test_a_failed_write_never_cuts_what_another_run_appended_to_the_same_file(tmp_path: Path, errno_: int) -> None:
    # `latest -o all.jsonl` and `section -o all.jsonl` from one crontab, at once: each appends its
    # lines. When one run's write fails it cut the file back to where *its* count said its last item
    # ended, which is not the file's size: the other run's articles, confirmed, were cut off with it.
    from scrapy.utils.test import get_crawler

    from crawler.incremental.feedstorage import DurableFile
    from crawler.spiders.latest import LatestSpider

    path = tmp_path / "all.jsonl"
    path.write_bytes(b'{"articleId": "124010100001", "version": 1}\n')
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    ours = DurableFile(path, "ab", crawler)
    ours.write(b'{"articleId": "124010100002", "version": 1}\n')
    assert ours.commit()
    with open(path, "ab", buffering=0) as other:  # the other run's items, between two of ours
        for number in range(3, 6):
            other.write(b'{"articleId": "12401010000%d", "version": 1}\n' % number)
    expected = path.read_bytes()
    ours.raw = _FailingWrites(ours.raw, OSError(errno_, os.strerror(errno_)))  # type: ignore[assignment]
    ours.write(b'{"articleId": "124010100006", "version": 1}\n')
    assert ours.failed is not None and not ours.commit()
    ours.close()
    # The other run's lines are all there; our half item is not glued onto anything (the next run's
    # recovery cuts a partial last line; here it is the last).
    assert path.read_bytes().startswith(expected)
    assert path.read_bytes()[len(expected):] in (b"", b'{"articleId": "124010100006", "version": 1}\n'[:22])


def test_a_killed_runs_file_is_kept_when_a_run_of_another_spider_settled_it_first(
    site: LoopbackSite, wanted: set[str], tmp_path: Path
) -> None:
    # The nightly `section -O section.jsonl` is killed; `latest` (every 15 minutes, same state dir)
    # settles it before the next `section`, which then overwrote the killed run's file all the same.
    first_log = tmp_path / "first.log"
    with open(first_log, "wb") as log:
        first = subprocess.Popen(archive(site, tmp_path, "-O", "items.jsonl", slow=True), cwd=tmp_path, env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=log)
    kill_when(first, lambda: lines_in(tmp_path / "items.jsonl") >= 6, first_log)
    written_by_killed = counted([tmp_path / "items.jsonl"])
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "latest.jsonl", "-s", f"BS_BASE_URL={site.base_url}"]
    other = subprocess.run(command + [f"-s{k}={v}" for k, v in FAST.items()], cwd=tmp_path, env=ENV, capture_output=True,
                           text=True, timeout=300)
    assert other.returncode == 0, other.stderr[-3000:]
    assert "Recovered an interrupted run" in other.stderr or "killed" in other.stderr
    assert counted([tmp_path / "items.jsonl"]) == written_by_killed, "the other spider's run leaves the file as it is"
    again = subprocess.run(archive(site, tmp_path, "-O", "items.jsonl"), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "kept at its start" in again.stderr
    assert_each_once(counted([tmp_path / "items.jsonl", tmp_path / "latest.jsonl"]), wanted)


@pytest.mark.parametrize("mode", ["ab", "wb"], ids=["appending", "overwriting"])
def test_an_output_file_truncated_mid_run_fails_the_feed_as_a_rotated_one_does(tmp_path: Path, mode: str) -> None:
    # logrotate's `copytruncate` empties the file in place (same inode) during a run. Appending, the
    # run went on writing into it: CSV rows with no header line (the copy has it). Overwriting, it went
    # on at its old offset: a file that starts with a run of NUL bytes, a broken first line for every
    # reader. A file renamed away (logrotate's default) already stops the feed (exit 6); so does this.
    from scrapy.utils.test import get_crawler

    from crawler.incremental import signals as bs_signals
    from crawler.incremental.feedstorage import DurableFile
    from crawler.spiders.latest import LatestSpider

    path = tmp_path / "all.csv"
    crawler = get_crawler(LatestSpider, {"BS_STATE_DIR": str(tmp_path / "state")})
    failures: list[BaseException] = []
    crawler.signals.connect(lambda path, error: failures.append(error), signal=bs_signals.feed_write_failed, weak=False)
    ours = DurableFile(path, mode, crawler)
    ours.write(b"articleId,headline\r\n124010100001,One\r\n")
    assert ours.commit()
    os.truncate(path, 0)  # the copy holds what was written
    ours.write(b"124010100002,Two\r\n")
    assert not ours.commit(), "the article is not confirmed"
    ours.close()
    assert path.read_bytes() == b""
    assert len(failures) == 1 and "truncated" in str(failures[0])
