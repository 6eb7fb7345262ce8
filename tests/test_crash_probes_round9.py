"""A run disturbed at some point of an article's life, then the next normal run: every article once
across the files a user reads, an exit status and one log line that say what happened."""

from __future__ import annotations

import gzip
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
    counter: Counter[str] = Counter()
    for path in paths:
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
