"""Review of the round-19 output-file hold: runs that must not be refused (the one before them ended,
however it ended; feeds of one run to different files; batches; gzip; a resumed JOBDIR)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_delivery_probes_round19 import _crawl, _lines_in, _start, site  # noqa: F401 (fixture)
from tests.loopback.site import LoopbackSite


def _run(site: LoopbackSite, workdir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    return _crawl(site, workdir, *arguments)


def _ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Cannot write the output file" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.json", "out.csv"])
def test_one_run_after_another_overwrites_the_same_file(site: LoopbackSite, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    extra = ["-s", "FEEDS=" + json.dumps({str(out): {"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}})] if name.endswith(".gz") else ["-O", str(out)]
    for _ in range(2):
        _ok(_run(site, tmp_path / "work", *extra))


@pytest.mark.parametrize("jobdir", [False, True], ids=["plain", "jobdir"])
def test_a_run_after_one_killed_with_sigkill_writes_the_same_file(site: LoopbackSite, tmp_path: Path, jobdir: bool) -> None:
    out = tmp_path / "out.jsonl"
    extra = ["-s", f"JOBDIR={tmp_path / 'job'}"] if jobdir else []
    first = _start(site, tmp_path / "work", "-O", str(out), *extra, delay="1")
    deadline = time.monotonic() + 120
    while _lines_in(out) < 1:
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    _ok(_run(site, tmp_path / "work", "-O", str(out), *extra))


def test_two_feeds_of_one_run_to_different_files_and_batches(site: LoopbackSite, tmp_path: Path) -> None:
    feeds = {
        str(tmp_path / "a.jsonl"): {"format": "jsonlines", "overwrite": True},
        str(tmp_path / "b.json"): {"format": "json", "overwrite": True},
        str(tmp_path / "batches" / "%(batch_id)d.jsonl.gz"): {"format": "jsonlines", "batch_item_count": 2, "overwrite": True,
                                                              "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]},
        str(tmp_path / "t" / "%(time)s-%(batch_id)d.jsonl"): {"format": "jsonlines", "batch_item_count": 3, "overwrite": True},
    }
    _ok(_run(site, tmp_path / "work", "-s", "FEEDS=" + json.dumps(feeds)))


@pytest.mark.parametrize("second", [True, False], ids=["both-overwrite", "overwrite-and-append"])
def test_two_feeds_of_one_run_overwriting_one_file_are_refused_as_this_runs_own(site: LoopbackSite, tmp_path: Path, second: bool) -> None:
    """Two spellings of one file, both overwritten by one run: refused (both feeds wrote over each other),
    but the line named "another run" (before: `another run is writing it`), which sent the operator
    looking for a run there was not."""
    out = tmp_path / "out.jsonl"
    feeds = {str(out): {"format": "jsonlines", "overwrite": True}, f"{tmp_path}/./out.jsonl": {"format": "jsonlines", "overwrite": second}}
    done = _run(site, tmp_path / "work", "-s", "FEEDS=" + json.dumps(feeds))
    assert done.returncode == 6 and "Traceback" not in done.stderr
    refused = [line for line in done.stderr.splitlines() if "Cannot write the output file" in line]
    assert refused and all("another feed of this run writes it too" in line for line in refused), refused
