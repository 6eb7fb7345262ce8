"""Probes of round 24: one Ctrl-C or SIGTERM while the run's feed is being stored remotely at its end."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.monitoring.history import RunHistory
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import _wait_for, command, env, run

SLOW = 'FEED_STORAGES={"slow": "tests.remote_storage.SlowFolderFeedStorage", "remote": "tests.remote_storage.FolderFeedStorage"}'


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=20, seed=2410) as running:
        yield running


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["articleId"] for line in path.read_text().splitlines() if line.strip()]


# --- one signal while the feed is uploaded ---------------------------------------------------------
# Before: Scrapy's graceful stop stopped the engine without waiting for the spider's close under way (the
# feed's upload): the reactor stopped, the upload still finished in its thread, but its articles were
# never marked seen; the run exited 1, and the next run fetched and uploaded every one of them again.


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_signal_during_the_final_upload_lets_it_finish_and_the_run_settle(
    tmp_path: Path, site: LoopbackSite, signum: signal.Signals
) -> None:
    remote, state, log = tmp_path / "remote", tmp_path / "state", tmp_path / "run1.log"
    remote.mkdir()
    words = command(site, tmp_path / "unused.jsonl", state, "-s", SLOW)
    words[words.index("-O") + 1] = f"slow://{remote / 'out.jsonl'}"
    with open(log, "w") as stderr:
        process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
        try:
            _wait_for(lambda: (remote / "UPLOADING").exists(), process, "the upload")
            process.send_signal(signum)
            _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
            (remote / "RELEASE").touch()
            status = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    uploaded = _ids(remote / "out.jsonl")
    assert uploaded and len(uploaded) == len(set(uploaded)), text[-3000:]
    # The crawl had finished: the run is judged as it ended, its upload stored.
    assert status == 0 and "Traceback" not in text, text[-3000:]
    assert "exit=0" in text
    recorded = RunHistory(state).records_with_killed()[-1]
    assert recorded["status"] == 0, recorded.get("reason")

    # The next run uploads none of them again.
    (remote / "UPLOADING").unlink()
    again = tmp_path / "remote2"
    again.mkdir()
    words = command(site, tmp_path / "unused.jsonl", state, "-s", SLOW)
    words[words.index("-O") + 1] = f"remote://{again / 'out.jsonl'}"
    then = run(tmp_path, words)
    assert then.returncode == 0, then.stderr[-3000:]
    assert not set(_ids(again / "out.jsonl")) & set(uploaded), then.stderr[-3000:]


# --- one signal, and an upload slower than BS_FEED_CLOSE_TIMEOUT ------------------------------------
# The wait for the close is the one a run without a signal has: bounded by BS_FEED_CLOSE_TIMEOUT, after
# which the run is judged as a feed that failed (exit 6), its articles left pending for the next run.
# Before: the reactor stopped at once; the run was not judged (exit 1, "ended before it was judged").


def test_one_signal_and_an_upload_past_the_close_timeout_is_judged_as_a_failed_feed(tmp_path: Path, site: LoopbackSite) -> None:
    remote, state, log = tmp_path / "remote", tmp_path / "state", tmp_path / "run1.log"
    remote.mkdir()
    words = command(site, tmp_path / "unused.jsonl", state, "-s", SLOW, "-s", "BS_FEED_CLOSE_TIMEOUT=1")
    words[words.index("-O") + 1] = f"slow://{remote / 'out.jsonl'}"
    with open(log, "w") as stderr:
        process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
        try:
            _wait_for(lambda: (remote / "UPLOADING").exists(), process, "the upload")
            process.send_signal(signal.SIGTERM)
            _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
            _wait_for(lambda: "exit=6" in log.read_text(), process, "the run's verdict")
            (remote / "RELEASE").touch()
            status = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert status == 6 and "Traceback" not in text, text[-3000:]
    assert "The feeds were not closed within 1 s" in text
    recorded = RunHistory(state).records_with_killed()[-1]
    assert recorded["status"] == 6 and "forced" not in recorded["reason"], recorded.get("reason")


# --- two signals while the feed is uploaded: the upload ends after the forced stop -------------------
# Before: the process still waited for the upload's thread, which stored the file, but the reactor had
# stopped: none of its articles was noted, and the next run fetched and uploaded every one of them again
# (each in the bucket twice). Now the upload notes them in its feed's receipt, which the next run reads.


@pytest.mark.parametrize("first, second", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM)])
def test_an_upload_that_ends_after_a_forced_stop_is_not_uploaded_again(
    tmp_path: Path, site: LoopbackSite, first: signal.Signals, second: signal.Signals
) -> None:
    uploaded = _forced_stop_during_upload(tmp_path, site, first, second, refused=False)
    assert uploaded
    again, then = _next_run(tmp_path, site)
    assert f"{len(uploaded)} article(s) were in its output and are now seen" in then.stderr, then.stderr[-3000:]
    assert not set(_ids(again)) & set(uploaded), then.stderr[-3000:]


def test_an_upload_refused_after_a_forced_stop_is_uploaded_by_the_next_run(tmp_path: Path, site: LoopbackSite) -> None:
    assert _forced_stop_during_upload(tmp_path, site, signal.SIGTERM, signal.SIGTERM, refused=True) == []
    again, then = _next_run(tmp_path, site)
    assert "0 article(s) were in its output and are now seen" in then.stderr, then.stderr[-3000:]
    assert _ids(again), then.stderr[-3000:]


def _forced_stop_during_upload(tmp_path: Path, site: LoopbackSite, first: signal.Signals, second: signal.Signals, refused: bool) -> list[str]:
    """What the run's upload stored, a second signal having stopped the run during it (refused: the upload fails)."""
    remote, state, log = tmp_path / "remote", tmp_path / "state", tmp_path / "run1.log"
    remote.mkdir()
    words = command(site, tmp_path / "unused.jsonl", state, "-s", SLOW)
    words[words.index("-O") + 1] = f"slow://{remote / 'out.jsonl'}"
    with open(log, "w") as stderr:
        process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
        try:
            _wait_for(lambda: (remote / "UPLOADING").exists(), process, "the upload")
            process.send_signal(first)
            _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
            process.send_signal(second)
            # The run records itself as forced to stop as the reactor stops: the upload ends after that.
            _wait_for(lambda: bool(RunHistory(state).records()), process, "the forced stop's record")
            if refused:
                (remote / "REFUSE").touch()
            (remote / "RELEASE").touch()
            status = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert status == 1 and "Traceback" not in text, text[-3000:]
    assert "forced to stop" in RunHistory(state).records()[-1]["reason"]
    return _ids(remote / "out.jsonl") if (remote / "out.jsonl").exists() else []


def _next_run(tmp_path: Path, site: LoopbackSite) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The next run's uploaded file, and the run."""
    again = tmp_path / "remote2"
    again.mkdir()
    words = command(site, tmp_path / "unused.jsonl", tmp_path / "state", "-s", SLOW)
    words[words.index("-O") + 1] = f"remote://{again / 'out.jsonl'}"
    then = run(tmp_path, words)
    assert then.returncode == 0, then.stderr[-3000:]
    return again / "out.jsonl", then
