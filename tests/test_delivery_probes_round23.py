"""Probes of round 23: every article once across cron runs writing ``-O`` batches into one folder, and CSV list cells a reader takes apart."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.extraction.article import Link
from crawler.incremental.exporters import ArticleCsvItemExporter
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_item_serialisation import _odd_article

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
GZIP = "scrapy.extensions.postprocessing.GzipPlugin"
# Slow enough for a kill to land after a few batches (one article at a time, 0.1 s apart).
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.1"}


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=23, days=20, legacy=0) as running:
        yield running


def _command(site: LoopbackSite, feed: list[str], slow: bool = False) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *feed]
    for name, value in {**FAST, **(SLOW if slow else {}), "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    return command


def _run(site: LoopbackSite, workdir: Path, feed: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(_command(site, feed), cwd=workdir, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done


def _ids(path: Path) -> list[str]:
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        data, name = gzip.decompress(data), name[:-3]  # as `gzip -dc` reads it: a cut or garbled file fails here
    if name.endswith(".csv"):
        return [row["articleId"] for row in csv.DictReader(io.StringIO(data.decode(), newline=""))]
    return [json.loads(line)["articleId"] for line in data.decode().splitlines()]


def _in_folder(folder: Path, pattern: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for path in folder.glob(pattern):
        found.update(_ids(path))
    return found


# --- `-O` batch files from cron: what a reader of the folder finds after each run ---------------

BATCHES = {
    "jsonl": (lambda folder: ["-O", f"{folder}/items-%(batch_id)d.jsonl"], "items-*.jsonl"),
    "csv": (lambda folder: ["-O", f"{folder}/items-%(batch_id)d.csv"], "items-*.csv"),
    "gzip": (lambda folder: ["-s", "FEEDS=" + json.dumps({f"{folder}/items-%(batch_id)d.jsonl.gz": {
        "format": "jsonlines", "overwrite": True, "postprocessing": [GZIP]}})], "items-*.jsonl.gz"),
}


@pytest.mark.parametrize("kind", list(BATCHES))
def test_an_overwritten_batch_feed_holds_only_the_runs_own_articles_after_each_run(site: LoopbackSite, tmp_path: Path, kind: str) -> None:
    # `-O out/items-%(batch_id)d.jsonl` from cron, the folder read after each run as `-O out.jsonl` is.
    # A run writing fewer batches than the one before left that run's later batches there: read
    # again after every later run (a run with nothing new left every file of the run before).
    arguments, pattern = BATCHES[kind]
    folder = tmp_path / "out"
    feed = arguments(folder) + ["-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7"]
    _run(site, tmp_path, feed)
    assert sorted(_in_folder(folder, pattern)) == sorted(r.article_id for r in site.articles)
    changed = site.modify(site.articles[3].article_id).article_id
    done = _run(site, tmp_path, feed)
    assert _in_folder(folder, pattern) == Counter({changed: 1})
    assert "Removed 4 batch file(s)" in done.stderr and "items-2." in done.stderr
    done = _run(site, tmp_path, feed)
    assert _in_folder(folder, pattern) == Counter()
    assert "emitted=0 " in done.stderr


def test_a_killed_runs_batches_stay_beside_the_next_runs_and_an_earlier_runs_go(site: LoopbackSite, tmp_path: Path) -> None:
    # A run that ended (its 5 batches taken), then 21 new articles: a run killed after 2 or more of
    # its batches, and the next run, which settles it. The killed run's batches that the next one does
    # not write over hold articles no reader had: they stay; the first run's, beyond both, go.
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=3"]
    _run(site, tmp_path, feed)
    assert len(list(folder.glob("items-*.jsonl"))) == 10
    new = {record.article_id for record in site.add_articles(21)}
    site.reset_counts()
    with open(tmp_path / "killed.log", "wb") as log:
        killed = subprocess.Popen(_command(site, feed, slow=True), cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 120
    while site.article_requests() < 8 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert killed.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    _run(site, tmp_path, feed)
    assert _in_folder(folder, "items-*.jsonl") == Counter({article: 1 for article in new})


def test_a_batch_file_another_run_holds_is_left_to_it(site: LoopbackSite, tmp_path: Path) -> None:
    # Two crontab lines given one -O batch name: the file the other run writes is its own.
    import fcntl

    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7"]
    _run(site, tmp_path, feed)
    site.modify(site.articles[3].article_id)
    with open(folder / "items-5.jsonl", "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        _run(site, tmp_path, feed)
    assert sorted(path.name for path in folder.glob("items-*.jsonl")) == ["items-1.jsonl", "items-5.jsonl"]


def test_batches_named_by_their_time_and_appended_batches_are_left_as_they_were(site: LoopbackSite, tmp_path: Path) -> None:
    # A name that changes every run (%(batch_time)s) is a new file each time, and `-o` adds to files.
    folder = tmp_path / "out"
    timed = ["-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7", "-s", "FEEDS=" + json.dumps({
        f"{folder}/t-%(batch_time)s-%(batch_id)d.jsonl": {"format": "jsonlines", "overwrite": True},
        f"{folder}/a-%(batch_id)d.jsonl": {"format": "jsonlines"}})]
    _run(site, tmp_path, timed)
    site.modify(site.articles[3].article_id)
    _run(site, tmp_path, timed)
    assert len(list(folder.glob("t-*.jsonl"))) == 6
    assert sum(_in_folder(folder, "a-*.jsonl").values()) == 31


# --- CSV: list cells a reader takes apart into the lists they were -------------------------------


TOPICS = [
    ["Tata Sons, Cyrus Mistry", "RBI"],  # a comma inside a topic
    ['Say "no"', "Budget 2024"],  # quotes
    ["[Exclusive]"],  # what looks like the cell's own brackets
    ["निफ्टी, सेंसेक्स"],
    ["One"],
]


def _csv_row(**values: object) -> dict[str, str]:
    article = _odd_article()
    for name, value in values.items():
        setattr(article, name, value)
    out = io.BytesIO()
    exporter = ArticleCsvItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(article)
    exporter.finish_exporting()
    (row,) = csv.DictReader(io.StringIO(out.getvalue().decode(), newline=""))
    return row


@pytest.mark.parametrize("topics", TOPICS)
def test_a_csv_readers_topics_are_the_articles_topics(topics: list[str]) -> None:
    # Joined by commas, "Tata Sons, Cyrus Mistry,RBI" read back as three topics.
    assert json.loads(_csv_row(topics=topics)["topics"]) == topics


def test_a_csv_readers_authors_with_commas_and_quotes_are_the_articles_authors() -> None:
    authors = [Link(name='Ruchika Chitravanshi, "RC"', url=None), Link(name="PTI", url="https://example.com/a,b")]
    cell = _csv_row(authors=authors)["authors"]
    assert json.loads(cell) == [{"name": 'Ruchika Chitravanshi, "RC"', "url": None}, {"name": "PTI", "url": "https://example.com/a,b"}]


def test_empty_lists_stay_empty_cells_in_csv() -> None:
    row = _csv_row(topics=[], authors=[])
    assert row["topics"] == "" and row["authors"] == ""
