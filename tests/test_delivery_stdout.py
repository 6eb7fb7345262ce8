"""Feeds recovery cannot read back, across a kill: what stdout, a remote storage or a bz2 file took is
not written there again by the next run.

A run killed after a feed took an item and before the seen-store confirmed it (a SQLite commit with
its fsync, milliseconds per article, a whole batch's worth after an upload) left the article pending,
and the next run wrote it again. Each item such a feed took now gets a receipt line in the state dir;
recovery reads the receipt as the feed it stands for, and removes it once the run is settled.
"""

from __future__ import annotations

import bz2
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import settings as project_settings
from crawler.incremental.recovery import RECEIPT_FORMAT, recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.killers import ORDER
from tests.loopback.site import LoopbackSite
from tests.test_delivery_matrix import ids_in

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


KILLER = json.dumps({**project_settings.EXTENSIONS, "tests.killers.KillAtConfirm": ORDER})


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=31, days=6, legacy=0) as running:
        yield running


def run(site: LoopbackSite, workdir: Path, name: str, *arguments: str, kill_at: int = 0) -> tuple[int, Path, str]:
    """One ``archive`` run in ``workdir`` (the state dir is shared by its runs): status, stdout file, log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    values = {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}
    if kill_at:
        values["EXTENSIONS"] = KILLER
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    stdout = workdir / f"{name}.jsonl"
    with open(stdout, "wb") as out:
        done = subprocess.run(command, cwd=workdir, env={**ENV, "KILL_AT": str(kill_at)}, stdout=out, stderr=subprocess.PIPE, timeout=300)
    return done.returncode, stdout, done.stderr.decode(errors="replace")


def receipts(workdir: Path) -> list[Path]:
    return sorted((workdir / ".state" / "receipts").glob("*"))


def test_an_article_the_pipe_took_before_a_kill_is_not_written_again(site: LoopbackSite, tmp_path: Path) -> None:
    wanted = {record.article_id for record in site.articles}
    status, first, log = run(site, tmp_path, "first", "-O", "-:jsonlines", kill_at=3)
    assert status == -signal.SIGKILL, log[-3000:]
    # The third item is on stdout, its article still pending in the seen-store.
    assert len(ids_in(first)) == 3
    left_by_the_kill = receipts(tmp_path)
    status, second, log = run(site, tmp_path, "second", "-O", "-:jsonlines")
    assert status == 0, log[-3000:]
    counts = Counter(ids_in(first) + ids_in(second))
    assert set(counts) == wanted
    assert [article for article, n in counts.items() if n > 1] == []
    assert "1 article(s) were in its output and are now seen" in log
    # Settled: the killed run's receipt is gone, and the second run's too (it ended, all seen).
    assert len(left_by_the_kill) == 1
    assert receipts(tmp_path) == []


def test_beside_a_file_feed_the_receipt_and_the_file_both_count(site: LoopbackSite, tmp_path: Path) -> None:
    wanted = {record.article_id for record in site.articles}
    arguments = ("-O", "-:jsonlines", "-O", "items.csv")
    status, first, log = run(site, tmp_path, "first", *arguments, kill_at=4)
    assert status == -signal.SIGKILL, log[-3000:]
    status, second, log = run(site, tmp_path, "second", *arguments)
    assert status == 0, log[-3000:]
    # The second run moved the killed run's CSV file aside (items.interrupted-<time>.csv).
    for feed in ([first, second], sorted(tmp_path.glob("items*.csv"))):
        counts = Counter(article for path in feed for article in ids_in(path))
        assert set(counts) == wanted
        assert [article for article, n in counts.items() if n > 1] == []
    assert receipts(tmp_path) == []


def test_a_run_to_stdout_that_ends_leaves_no_receipt_and_the_next_emits_nothing(site: LoopbackSite, tmp_path: Path) -> None:
    status, first, log = run(site, tmp_path, "first", "-O", "-:csv")
    assert status == 0, log[-3000:]
    assert sorted(ids_in(first.rename(tmp_path / "first.csv"))) == sorted(r.article_id for r in site.articles)
    assert receipts(tmp_path) == []
    status, second, log = run(site, tmp_path, "second", "-O", "-:jsonlines")
    assert status == 0, log[-3000:]
    assert ids_in(second) == []


def test_recovery_settles_a_killed_run_from_its_receipt_and_removes_it(tmp_path: Path) -> None:
    receipt = tmp_path / "receipts" / "stdout-1.jsonl"
    receipt.parent.mkdir()
    receipt.write_text('{"articleId": "124010100001", "version": 1}\n{"articleId": "124010100002", "version": 2}\n')
    store = SqliteSeenStore(tmp_path / "seen.sqlite3")
    try:
        store.record_feed("archive:killed", FeedRecord(str(receipt), RECEIPT_FORMAT, "", "stdout:", forgotten_at_end=True))
        for number, version in (("124010100001", 1), ("124010100002", 1), ("124010100003", 1)):
            store.add_pending(PendingArticle(number, version, "h", None, None, "archive:killed"))
        outputs: list[FeedRecord] = []
        assert recover_pending(store, "archive:now", None, outputs) == (1, 2)
        # The one on stdout at its version is seen; one at another version, and one never written, are not.
        assert store.get("124010100001") is not None
        assert store.get("124010100002") is None and store.get("124010100003") is None
        # A receipt is not an output a later run takes over, and it is gone with its run.
        assert outputs == []
        assert not receipt.exists()
        assert store.feeds_of("archive:killed") == []
    finally:
        store.close()


def remote_ids(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.glob("*")):
        data = bz2.decompress(path.read_bytes()) if path.suffix == ".bz2" else path.read_bytes()
        found += [json.loads(line)["articleId"] for line in data.splitlines()]
    return found


@pytest.mark.parametrize("feed", ["remote", "bz2"])
def test_a_batch_stored_before_a_kill_is_not_written_again(site: LoopbackSite, tmp_path: Path, feed: str) -> None:
    """Killed while the seen-store confirms a stored batch, one article after another."""
    out = tmp_path / "out"
    out.mkdir()

    def arguments(name: str) -> list[str]:
        if feed == "remote":
            # One upload, at the end: a later batch's upload, in a thread, may end beside the first's
            # confirms, and a kill then catches it uploaded and not yet acknowledged (a duplicate no
            # receipt can prevent: the process never learnt of it).
            feeds = {f"remote://{out}/{name}.jsonl": {"format": "jsonlines"}}
        else:
            feeds = {f"{out}/{name}-%(batch_id)d.jsonl.bz2": {
                "format": "jsonlines", "batch_item_count": 5, "postprocessing": ["scrapy.extensions.postprocessing.Bz2Plugin"]}}
        return ["-s", "FEEDS=" + json.dumps(feeds), "-s", 'FEED_STORAGES={"remote": "tests.remote_storage.FolderFeedStorage"}']

    status, _, log = run(site, tmp_path, "first", *arguments("first"), kill_at=2)
    assert status == -signal.SIGKILL, log[-3000:]
    # The first batch (the remote file: all of them) stored; one of its articles confirmed.
    assert len(remote_ids(out)) == (len(site.articles) if feed == "remote" else 5)
    status, _, log = run(site, tmp_path, "second", *arguments("second"))
    assert status == 0, log[-3000:]
    assert "recovery cannot read" not in log  # the bz2 file's receipt stands for it
    counts = Counter(remote_ids(out))
    assert set(counts) == {record.article_id for record in site.articles}
    assert [article for article, n in counts.items() if n > 1] == []
    assert receipts(tmp_path) == []
