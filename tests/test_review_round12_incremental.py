"""Incremental runs and their output, round 12 reviewed: the check before a run on the feed URIs
users give, and a run appending to a file whose last line has no line break."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scrapy.extensions.feedexport import FileFeedStorage

from crawler.incremental.feedstorage import csv_dialect, unwritable_feeds
from crawler.incremental.recovery import ids_in_feed, recover_pending
from crawler.incremental.store import FeedRecord
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.test_incremental_probes_round12 import TWO_FEEDS_ARTICLES, killed_run_of_two_feeds
from tests.loopback.site import LoopbackSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=7, days=5, legacy=0) as running:
        yield running


def archive(site: LoopbackSite, workdir: Path, *arguments: str, **settings: str) -> tuple[int, str]:
    """One ``archive`` run in ``workdir`` (its state dir shared by the runs there): status and log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    values = {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", **settings}
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, cwd=workdir, env=ENV, capture_output=True, timeout=300)
    return done.returncode, done.stderr.decode(errors="replace")


# --- appending to a file whose last line has no line break ----------------------------------


@pytest.mark.parametrize("name", ["all.jsonl", "all.csv"])
def test_a_run_that_appends_nothing_leaves_a_file_without_a_final_line_break_as_it_is(
    site: LoopbackSite, tmp_path: Path, name: str
) -> None:
    """The line break went in as the feed opened, not before the run's first item: a cron run with
    nothing new (or one that stops before emitting, exit 7) wrote into a file that was not its own,
    whose last line another program may still be writing."""
    out = tmp_path / name
    status, log = archive(site, tmp_path, "-o", str(out))
    assert status == 0, log[-3000:]
    out.write_bytes(out.read_bytes().rstrip(b"\r\n") + b',"partial')
    before = out.read_bytes()
    status, log = archive(site, tmp_path, "-o", str(out))  # every article seen: nothing to append
    assert status == 0, log[-3000:]
    assert out.read_bytes() == before
    assert "did not end with a line break" not in log


# --- the file the check before a run looks at -----------------------------------------------


def made_folders(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_dir()}


@pytest.mark.parametrize(
    "uri",
    [
        "file:{d}/one-slash/a.jsonl",
        "file://{d}/two-slashes/a.jsonl",
        "file://localhost{d}/local/a.jsonl",
        "file:relative/a.jsonl",
        "{d}/plain/a.jsonl",
        "relative-%(name)s/%(batch_id)05d.jsonl",
    ],
)
def test_the_check_before_a_run_looks_at_the_file_the_installed_scrapy_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uri: str
) -> None:
    """Scrapy before 2.19 reads only ``file://`` URIs as URIs: ``file:/srv/a.jsonl`` is the relative
    path ``file:/srv/a.jsonl`` there. The check read every ``file:`` as a URI, and so looked at (and
    made the folder of) another file than the one the run writes, refusing or passing on the wrong one."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    concrete = uri.format(d=tmp_path)
    assert unwritable_feeds({concrete: {"format": "jsonlines"}}, "latest", batch_item_count=0) == []
    written = (work / FileFeedStorage(concrete.replace("%(name)s", "latest").replace("%(batch_id)05d", "00001")).path).parent
    assert made_folders(tmp_path) == {work, *(folder for folder in [written, *written.parents] if tmp_path in folder.parents)}


# --- recovery: a cut that fails, then settling ----------------------------------------------


def test_a_gzip_part_that_fails_to_be_written_again_leaves_no_article_in_the_other_feed_unseen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed run had handed one article to both its feeds and the next only to the gzip one.
    Recovery cut the second off the gzip part; the disk full as that part was written again, the
    part was lost with the first in it: the first, read again, was in the plain feed only and so
    forgotten, but left in that file: the next run wrote it there a second time."""
    first, second = TWO_FEEDS_ARTICLES
    store, gz, plain = killed_run_of_two_feeds(tmp_path)
    try:

        def full(*_: Any) -> None:
            raise OSError(28, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr("crawler.incremental.recovery.shutil.copyfileobj", full)
            recover_pending(store, "archive:next")
        recover_pending(store, "archive:after")
        assert store.pending() == []
        held = [ids_in_feed(FeedRecord(str(gz), compression="gzip")), ids_in_feed(FeedRecord(str(plain)))]
        for article in (first, second):
            # Seen: in every feed (its reader has it); not seen: in none (the next run writes it once).
            assert [article in found for found in held] == [store.get(article) is not None] * 2, article
    finally:
        store.close()


def test_the_check_before_a_run_fills_a_placeholder_from_the_spiders_arguments(site: LoopbackSite, tmp_path: Path) -> None:
    """Scrapy fills ``%(since)s`` from the spider's ``-a since=...``; the check filled every name it did
    not know with ``x``: it made the folder ``out/x`` beside the one the run writes, and checked that
    one instead."""
    status, log = archive(site, tmp_path, "-o", "out/%(since)s/all.jsonl")
    assert status == 0, log[-3000:]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["2000-01-01"]


# --- a CSV feed in a named dialect ----------------------------------------------------------


@pytest.mark.parametrize("dialect", ["excel-tab", "unix"])
def test_recovery_reads_a_killed_runs_rows_in_the_csv_feeds_named_dialect(tmp_path: Path, dialect: str) -> None:
    """Recovery read a feed's rows with its ``delimiter`` only: a tab-separated one (``dialect:
    excel-tab``) had no article in it, and the killed run's last article was written a second time."""
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, dialect=dialect)
        writer.writerow(["articleId", "version", "headline"])
        writer.writerow(["124010100001", "1", "Markets, today"])
    options = {"format": "csv", "item_export_kwargs": {"dialect": dialect}}
    record = FeedRecord(str(path), "csv", csv=csv_dialect(options))
    assert FeedRecord.decode(record.encode()).csv == record.csv  # (a tab in the seen-store's tab-separated record)
    assert ids_in_feed(record) == {"124010100001": 1}


@pytest.mark.parametrize("dialect", ["excel-tab", "unix"])
def test_runs_appending_to_a_csv_file_in_a_named_dialect_write_their_rows_in_its_columns(
    site: LoopbackSite, tmp_path: Path, dialect: str
) -> None:
    """``item_export_kwargs: {"dialect": "excel-tab"}`` (tab-separated, as ``delimiter: "\\t"`` is):
    the next run read the file's header with commas, found one column, and wrote each of its rows
    as one empty cell; its articles were marked seen, lost to the reader."""
    name = tmp_path / "a.csv"
    feeds = "FEEDS=" + json.dumps({str(name): {"format": "csv", "item_export_kwargs": {"dialect": dialect}}})
    for _ in range(2):
        status, log = archive(site, tmp_path, "-s", feeds, BS_FRESH="1")
        assert status == 0, log[-3000:]
    found = list(csv.DictReader(io.StringIO(name.read_text(encoding="utf-8"), newline=""), dialect=dialect))
    assert Counter(row["articleId"] for row in found) == Counter({record.article_id: 2 for record in site.articles})
    assert all(row["headline"] and row["url"] for row in found)
