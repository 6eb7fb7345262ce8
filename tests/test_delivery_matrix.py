"""Every article exactly once in every output configuration, through ``scrapy crawl`` against the loopback site.

Each output configuration (formats, gzip, batches, stdout, several feeds, appending to one file) is
run: normally then again; killed at a random point then again; with its output folder taken away
mid-run then again (csv, xml and json killed or faulted with ``BS_FULL_MATRIX=1``). Across the files that are readable, every article is there exactly once (per
feed), no JSON line is cut, and the exit statuses are the documented ones.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_OUTPUT
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
# The kill and fault runs of csv, xml and json take the same path as jsonlines (unbuffered file,
# confirmed at each write), and recovery's reading of those formats is tested on its own
# (tests/test_state.py); BS_FULL_MATRIX=1 runs them too.
FULL = os.environ.get("BS_FULL_MATRIX") == "1"
SAME_PATH_AS_JSONLINES = {"csv", "xml", "json"}
# Slow enough to be caught mid-run, fast enough for a test: one article at a time, ~0.1 s apart, so after
# the fault point (5 articles) a run has ~2.5 s left (at 0.03 s a loaded machine let it end before the
# test moved a feed's folder away: exit 0, not 6).
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.1"}
GZIP = "scrapy.extensions.postprocessing.GzipPlugin"


@dataclass(frozen=True)
class Output:
    """One output configuration: the arguments for a run writing into ``folder``, and the feeds to read."""

    name: str
    arguments: Callable[[Path], list[str]]
    feeds: tuple[str, ...]  # file name patterns, one per feed
    stdout: bool = False
    shared: bool = False  # every run writes the same file (-o appends)


OUTPUTS = [
    Output("jsonlines", lambda d: ["-O", f"{d}/items.jsonl"], ("items.jsonl",)),
    Output("csv", lambda d: ["-O", f"{d}/items.csv"], ("items.csv",)),
    Output("xml", lambda d: ["-O", f"{d}/items.xml"], ("items.xml",)),
    Output("json", lambda d: ["-O", f"{d}/items.json"], ("items.json",)),
    Output("gzip", lambda d: ["-s", "FEEDS=" + json.dumps({f"{d}/items.jsonl.gz": {"format": "jsonlines", "postprocessing": [GZIP]}})],
           ("items.jsonl.gz",)),
    Output("batches", lambda d: ["-O", f"{d}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7"], ("items-*.jsonl",)),
    Output("two-feeds", lambda d: ["-o", f"{d}/items.jsonl", "-o", f"{d}/items.csv"], ("items.jsonl", "items.csv")),
    Output("stdout", lambda d: ["-O", "-:jsonlines"], ("stdout.jsonl",), stdout=True),
    Output("append", lambda d: ["-o", f"{d.parent}/all/items.jsonl"], ("items.jsonl",), shared=True),
]


# --- reading what a run left, independently of the crawler's own readers -------------------


def _gunzip_prefix(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data)
    except zlib.error:
        return b""


def ids_in(path: Path) -> list[str]:
    """Article ids of the complete items in one file (a file cut by a kill counts up to the cut)."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        data, name = _gunzip_prefix(data), name[:-3]
    if name.endswith(".jsonl"):
        lines = data.split(b"\n")
        assert lines[-1] == b"", f"{path} ends in a cut line"
        return [json.loads(line)["articleId"] for line in lines[:-1]]
    if name.endswith(".csv"):
        return [row["articleId"] for row in csv.DictReader(io.StringIO(data.decode(), newline=""))]
    if name.endswith(".xml"):
        found = []
        try:
            for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
                if element.tag == "item":
                    found.append(element.findtext("articleId") or "")
        except ET.ParseError:
            pass
        return found
    if name.endswith(".json"):
        try:
            return [item["articleId"] for item in json.loads(data)]
        except ValueError:  # a run that was stopped: its whole items, one value after another
            found, text, at = [], data.decode(), 0
            decoder = json.JSONDecoder()
            while True:
                while at < len(text) and text[at] in " \t\r\n,[]":
                    at += 1
                if at == len(text):
                    return found
                try:
                    item, at = decoder.raw_decode(text, at)
                except ValueError:  # the item the stop cut
                    return found
                found.append(item["articleId"])
    raise AssertionError(f"unknown output {path}")


def feed_counts(output: Output, folders: list[Path]) -> list[Counter[str]]:
    """Per feed of ``output``: how many times each article is in the readable files of ``folders``."""
    counts = []
    for pattern in output.feeds:
        counter: Counter[str] = Counter()
        for folder in folders:
            for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
                counter.update(ids_in(path))
        counts.append(counter)
    return counts


def assert_exactly_once(output: Output, folders: list[Path], wanted: set[str]) -> None:
    for counter in feed_counts(output, folders):
        assert set(counter) == wanted, f"missing {sorted(wanted - set(counter))[:5]}, extra {sorted(set(counter) - wanted)[:5]}"
        assert [i for i, n in counter.items() if n > 1] == [], "an article twice"


# --- runs --------------------------------------------------------------------------------


@dataclass
class Run:
    process: subprocess.Popen[bytes]
    folder: Path
    log: Path

    def wait(self, timeout: float = 300) -> int:
        return self.process.wait(timeout=timeout)

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def start(site: LoopbackSite, workdir: Path, output: Output, folder: Path, slow: bool = False) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    (workdir / "all").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *output.arguments(folder)]
    for name, value in {**FAST, **(SLOW if slow else {}), "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    log = folder / "log"
    with open(log, "wb") as err, open(folder / "stdout.jsonl", "wb") as out:
        process = subprocess.Popen(command, cwd=workdir, env=ENV, stdout=out if output.stdout else subprocess.DEVNULL, stderr=err)
    return Run(process, folder, log)


def folders_of(output: Output, workdir: Path, *runs: Path) -> list[Path]:
    """Where the runs' items are: their folders (and what was moved away), or the shared one."""
    found = [workdir / "all"] if output.shared else []
    for folder in runs:
        found += [folder, folder.with_name(folder.name + ".moved")]
    return found


def wait_for_articles(site: LoopbackSite, run: Run, count: int) -> None:
    deadline = time.monotonic() + 120
    while site.article_requests() < count and run.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run.process.poll() is None, "the run ended before the fault: " + run.text()[-2000:]


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=23, days=20, legacy=0) as running:
        yield running


@pytest.fixture
def wanted(site: LoopbackSite) -> set[str]:
    site.reset_counts()
    return {r.article_id for r in site.articles}


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.name)
def test_a_run_then_another(site: LoopbackSite, wanted: set[str], output: Output, tmp_path: Path) -> None:
    first = start(site, tmp_path, output, tmp_path / "run1")
    assert first.wait() == 0, first.text()[-3000:]
    assert_exactly_once(output, folders_of(output, tmp_path, first.folder), wanted)
    assert f"emitted={len(wanted)} " in first.text()
    site.reset_counts()
    second = start(site, tmp_path, output, tmp_path / "run2")
    assert second.wait() == 0, second.text()[-3000:]
    assert site.article_requests() == 0
    assert "emitted=0 " in second.text()
    assert_exactly_once(output, folders_of(output, tmp_path, first.folder, second.folder), wanted)


def _faulted(outputs: list[Output]) -> list[Output]:
    return [o for o in outputs if FULL or o.name not in SAME_PATH_AS_JSONLINES]


@pytest.mark.parametrize("output", _faulted(OUTPUTS), ids=lambda o: o.name)
def test_a_killed_run_is_settled_by_the_next(site: LoopbackSite, wanted: set[str], output: Output, tmp_path: Path) -> None:
    first = start(site, tmp_path, output, tmp_path / "run1", slow=True)
    wait_for_articles(site, first, random.randint(3, len(wanted) - 10))
    first.process.send_signal(signal.SIGKILL)
    first.wait()
    second = start(site, tmp_path, output, tmp_path / "run2")
    assert second.wait() == 0, second.text()[-3000:]
    assert_exactly_once(output, folders_of(output, tmp_path, first.folder, second.folder), wanted)


@pytest.mark.parametrize("output", _faulted([o for o in OUTPUTS if not o.stdout]), ids=lambda o: o.name)
def test_an_output_folder_taken_away_mid_run_fails_the_run_and_loses_nothing(
    site: LoopbackSite, wanted: set[str], output: Output, tmp_path: Path
) -> None:
    first = start(site, tmp_path, output, tmp_path / "run1", slow=True)
    target = (tmp_path / "all") if output.shared else first.folder
    wait_for_articles(site, first, random.randint(3, len(wanted) - 10))
    # Once the run has its output open: a folder taken away before that is simply made again.
    deadline = time.monotonic() + 60
    while not list(target.glob(output.feeds[0])) and first.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    target.rename(target.with_name(target.name + ".moved"))
    status = first.wait()
    log = (target.with_name(target.name + ".moved") / "log") if target == first.folder else first.log
    text = log.read_text(errors="replace")
    assert status == EXIT_OUTPUT, text[-3000:]
    assert "Cannot write the output file" in text
    assert "Traceback" not in text, text[-3000:]
    second = start(site, tmp_path, output, tmp_path / "run2")
    assert second.wait() == 0, second.text()[-3000:]
    folders = folders_of(output, tmp_path, first.folder, second.folder)
    if output.shared:
        folders.append(tmp_path / "all.moved")
    assert_exactly_once(output, folders, wanted)


def test_stdout_gets_every_article_once(site: LoopbackSite, wanted: set[str], tmp_path: Path) -> None:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-O", "-:jsonlines",
               "-s", f"BS_BASE_URL={site.base_url}", *[f"-s{k}={v}" for k, v in FAST.items()]]
    done = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    ids = [json.loads(line)["articleId"] for line in done.stdout.splitlines()]
    assert sorted(ids) == sorted(wanted)


def test_a_remote_storage_confirms_at_upload_and_a_failed_upload_marks_nothing(site: LoopbackSite, wanted: set[str], tmp_path: Path) -> None:
    remote = tmp_path / "bucket"
    remote.mkdir()
    (remote / "REFUSE").touch()

    def run(name: str) -> subprocess.CompletedProcess[str]:
        feeds = {f"remote://{remote}/{name}-%(batch_id)d.jsonl": {"format": "jsonlines", "batch_item_count": 20}}
        command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-s", "FEEDS=" + json.dumps(feeds),
                   "-s", 'FEED_STORAGES={"remote": "tests.remote_storage.FolderFeedStorage"}', "-s", f"BS_BASE_URL={site.base_url}",
                   *[f"-s{k}={v}" for k, v in FAST.items()]]
        return subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)

    refused = run("first")
    assert refused.returncode == EXIT_OUTPUT, refused.stderr[-3000:]
    assert "emitted=0 " in refused.stderr
    assert list(remote.glob("*.jsonl")) == []
    (remote / "REFUSE").unlink()
    stored = run("second")
    assert stored.returncode == 0, stored.stderr[-3000:]
    assert f"emitted={len(wanted)} " in stored.stderr
    assert_exactly_once(Output("remote", lambda d: [], ("*.jsonl",)), [remote], wanted)
    again = run("third")
    assert again.returncode == 0 and "emitted=0 " in again.stderr
