"""Round 29: a feed's upload that never answers (S3, GCS, FTP at the run's end) no longer keeps the run from ending."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.remote_storage import FolderFeedStorage
from tests.test_interrupt_probes_round17 import _wait_for, command, env, run

STORAGES = f'FEED_STORAGES={{"stalled": "{__name__}.StalledFeedStorage", "remote": "tests.remote_storage.FolderFeedStorage"}}'


class StalledFeedStorage(FolderFeedStorage):
    """An upload that never answers: an FTP server that took the connection and says nothing (Scrapy's FTP
    storage connects with no timeout), a bucket behind a link that drops every packet."""

    def _store_in_thread(self, file: IO[bytes]) -> None:
        (self.target.parent / "UPLOADING").touch()
        threading.Event().wait()


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=2915) as running:
        yield running


def _stalled_run(tmp_path: Path, site: LoopbackSite, *signals: signal.Signals) -> tuple[int, str]:
    """The exit status and log of a run whose feed's upload never answers, sent ``signals`` during it."""
    remote, log = tmp_path / "remote", tmp_path / "run1.log"
    remote.mkdir()
    words = command(site, tmp_path / "unused.jsonl", tmp_path / "state", "-s", STORAGES, "-s", "BS_FEED_CLOSE_TIMEOUT=3")
    words[words.index("-O") + 1] = f"stalled://{remote / 'out.jsonl'}"
    with open(log, "w") as stderr:
        process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
        try:
            _wait_for(lambda: (remote / "UPLOADING").exists(), process, "the upload")
            for number, signum in enumerate(signals):
                process.send_signal(signum)
                if not number:
                    _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
            try:
                status = process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the run did not end: {log.read_text()[-3000:]}")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return status, log.read_text()


def _next_run_uploads(tmp_path: Path, site: LoopbackSite) -> list[str]:
    """The articles the next run uploads (its upload answers)."""
    again = tmp_path / "remote2"
    again.mkdir()
    words = command(site, tmp_path / "unused.jsonl", tmp_path / "state", "-s", STORAGES)
    words[words.index("-O") + 1] = f"remote://{again / 'out.jsonl'}"
    then = run(tmp_path, words)
    assert then.returncode == 0, then.stderr[-3000:]
    return [json.loads(line)["articleId"] for line in (again / "out.jsonl").read_text().splitlines() if line.strip()]


# Before: the run waited for the upload for ever. BS_FEED_CLOSE_TIMEOUT ended the verdict's wait only: the
# spider's close still awaited Scrapy's store, the process's exit joined the upload's thread, SIGTERM (once
# or twice) did not end it, and its lock kept every later cron run out.


@pytest.mark.parametrize("signals", [(), (signal.SIGTERM,)], ids=["no-signal", "one-sigterm"])
def test_an_upload_that_never_answers_is_given_up_at_the_close_timeout(
    tmp_path: Path, site: LoopbackSite, signals: tuple[signal.Signals, ...]
) -> None:
    status, log = _stalled_run(tmp_path, site, *signals)
    assert status == 6, log[-3000:]
    assert log.count("The feeds were not closed within 3 s") == 1, log[-3000:]
    assert "(the upload did not end within 3 s)" in log and "Traceback" not in log, log[-3000:]
    assert "exit=6" in log.splitlines()[-1], log[-3000:]
    assert RunHistory(tmp_path / "state").records()[-1]["status"] == 6
    # Nothing it held was marked seen: the next run uploads every article.
    assert len(_next_run_uploads(tmp_path, site)) == len(site.articles)


def test_a_forced_stop_during_an_upload_that_never_answers_ends_the_run(tmp_path: Path, site: LoopbackSite) -> None:
    status, log = _stalled_run(tmp_path, site, signal.SIGTERM, signal.SIGTERM)
    assert status == 1, log[-3000:]
    assert "1 upload(s) of the feeds did not end within 3 s of the run's end; what they hold stays pending" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert "forced to stop" in RunHistory(tmp_path / "state").records()[-1]["reason"]
    assert len(_next_run_uploads(tmp_path, site)) == len(site.articles)
