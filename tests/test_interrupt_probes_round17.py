"""Runs stopped part-way or ending in trouble, then the next run, round 17: what the run history keeps
of them, each run as cron runs it (``scrapy crawl`` in a subprocess against the loopback site)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import settings as project_settings
from crawler.monitoring.history import KILLED, RUNS_FILE, RunHistory
from tests.conftest import ROOT
from tests.e2e import FAST, history
from tests.loopback.site import LoopbackSite


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=40, seed=17) as running:
        yield running


def command(site: LoopbackSite, output: Path, state: Path, *extra: str, spider: str = "latest") -> list[str]:
    words = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(output), "-s", f"BS_STATE_DIR={state}",
             "-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=INFO"]
    for name, value in FAST.items():
        words += ["-s", f"{name}={value}"]
    # After FAST, so that a test's own -s wins (the last -s of a name is Scrapy's): the full-disk test's
    # DOWNLOAD_DELAY was overridden by FAST's 0, its 300 articles written in a second, before the disk filled.
    return words + list(extra)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def run(cwd: Path, words: list[str], preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(words, cwd=cwd, env=env(), capture_output=True, text=True, timeout=300, preexec_fn=preexec)


def records(state: Path) -> list[dict[str, Any]]:
    return RunHistory(state).records()


# --- a run whose record cannot be written at its end -----------------------------------------------
# Before: the run logged "Could not write the run history …" and removed its marker all the same, so no
# later run had anything to record: the run was missing from `scrapy runs`, the report and the cron
# scripts reading the latest status (which read the run before it). Now its record waits in its marker
# (written in place when the disk has no room for a new file) and the next run adds it as it was.


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB file system of its own (tmpfs: root only)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _disk_full(tmp_path: Path, small_disk: Path) -> tuple[Path, list[str], Callable[[], None] | None, Callable[[], None]]:
    state = small_disk / "state"
    extra = ["-s", "EXTENSIONS=" + json.dumps({**project_settings.EXTENSIONS, "tests.killers.FillDiskAtClose": 500})]
    return state, extra, None, lambda: (small_disk / "disk-filler").unlink()


def _history_too_big(tmp_path: Path, small_disk: Path | None) -> tuple[Path, list[str], Callable[[], None] | None, Callable[[], None]]:
    # The history has grown to the largest file the process may write (ulimit -f): its append fails
    # with EFBIG as a full disk's with ENOSPC, while the output, the store and the marker stay smaller.
    state = tmp_path / "state"
    state.mkdir()
    limit = 2 * 1024 * 1024
    with open(state / RUNS_FILE, "wb") as file:
        file.write(b" " * (limit - 1) + b"\n")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return state, [], cap, lambda: None


CASES = {"disk full as the run ends": _disk_full, "history at the size limit": _history_too_big}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_run_that_could_not_write_its_record_is_recorded_by_the_next(
    site: LoopbackSite, tmp_path: Path, request: pytest.FixtureRequest, case: str
) -> None:
    small = request.getfixturevalue("small_disk") if case == "disk full as the run ends" else None
    state, extra, preexec, free = CASES[case](tmp_path, small)  # type: ignore[arg-type]
    first = run(tmp_path, command(site, tmp_path / "run1.jsonl", state, *extra), preexec)
    assert "Could not write the run history" in first.stderr, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    emitted = len((tmp_path / "run1.jsonl").read_text().splitlines())
    first_status = first.returncode
    free()

    second = run(tmp_path, command(site, tmp_path / "run2.jsonl", state))
    assert second.returncode == 0, second.stderr[-3000:]
    older, newer = records(state)[-2:]
    assert older["status"] == first_status and older["status_words"] != KILLED, older.get("reason")
    assert older["counts"]["emitted"] == emitted and older.get("summary", "").startswith("Run summary:")
    assert newer["status"] == 0 and newer["run_id"] != older["run_id"]
    assert not list((state / "running").glob("*.json")), "no marker left to be recorded again"
    assert "could not write its record" in second.stderr


# --- a run forced to stop (Ctrl-C or SIGTERM a second time) --------------------------------------
# Before: its marker was left as a killed run's, so the history had it as `killed`, with the figures of
# its last checkpoint (none at all in a run shorter than BS_RUN_HISTORY_CHECKPOINT: emitted=0 for a run
# that wrote 18 articles), though the process was alive as it stopped, knew them and exited 1. Now it
# adds its own record as the reactor stops: exit 1, the reason, its figures; no run records it as killed.


def _wait_for(predicate: Callable[[], bool], process: subprocess.Popen[str], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert process.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"no {what} in {seconds} s"
        time.sleep(0.02)


@pytest.mark.parametrize("first, second", [(signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT), (signal.SIGINT, signal.SIGTERM)])
def test_a_run_forced_to_stop_records_itself_with_its_figures(tmp_path: Path, first: signal.Signals, second: signal.Signals) -> None:
    with LoopbackSite(articles=40, seed=17, slow_seconds=30) as slow_site:
        articles = [r.article_id for r in slow_site.articles]
        for article_id in articles[: len(articles) // 2]:
            slow_site.set_fault(article_id, "slow")  # in flight for 30 s: the graceful stop waits for them
        state, output, log = tmp_path / "state", tmp_path / "run1.jsonl", tmp_path / "run1.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(command(slow_site, output, state), cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= 5, process, "5 articles written")
                process.send_signal(first)
                _wait_for(lambda: "shutting down gracefully" in log.read_text(), process, "graceful shutdown")
                process.send_signal(second)
                status = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        written = len(output.read_bytes().splitlines())
        assert status == 1 and "Traceback" not in log.read_text()
        shown = RunHistory(state).records_with_killed()[-1]  # as `scrapy runs` shows it before another run
        assert shown["status"] == 1 and shown["status_words"] != KILLED, shown.get("reason")
        # (Emitted: confirmed in the seen-store; what the file holds beyond them the next run settles.)
        assert "forced" in shown["reason"] and 0 < shown["counts"]["emitted"] <= written

        then = run(tmp_path, command(slow_site, tmp_path / "run2.jsonl", state, "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_ENABLED=False"))
    assert "was killed before its end" not in then.stderr
    ids = [json.loads(line)["articleId"] for name in ("run1.jsonl", "run2.jsonl") for line in (tmp_path / name).read_bytes().splitlines()]
    assert len(ids) == len(set(ids)), "no article in both runs' files"
    older, newer = records(state)[-2:]
    assert older["run_id"] == shown["run_id"] and older["status"] == 1 and older["counts"] == shown["counts"]
    assert newer["run_id"] != older["run_id"]



def test_a_run_ending_normally_without_the_verdict_is_not_recorded_as_forced_to_stop(tmp_path: Path, site: LoopbackSite) -> None:
    """The record written as the reactor stops is a forced stop's only: a run that reached its end with the
    verdict extension switched off (no judgement, so no record at its end) was recorded as "forced to stop",
    exit 1, by the first version of that record."""
    extensions = json.dumps({**project_settings.EXTENSIONS, "crawler.monitoring.verdict.RunVerdictExtension": None})
    state = tmp_path / "state"
    done = run(tmp_path, command(site, tmp_path / "out.jsonl", state, "-s", f"EXTENSIONS={extensions}"))
    assert "Traceback" not in done.stderr and "Spider closed (finished)" in done.stderr, done.stderr[-3000:]
    assert RunHistory(state).running.exists()  # the history extension was on
    assert not any("forced" in str(record.get("reason")) for record in RunHistory(state).records_with_killed())

# --- a JOBDIR on a disk that fills up mid-run ------------------------------------------------------
# Before: the LIFO queue file's write failed in its buffer, and every later pop raised OSError: an
# asyncio traceback every 5 s, for ever. The run never ended, and its run lock kept every later cron
# run of the spider out (exit 3). Now: one ERROR line naming the JOBDIR, the run stops, exit 1; freed,
# the JOBDIR resumes (or is refused in one line, and a fresh one finishes): every article once.

ARCHIVE = ("-a", "since=2024-01-01", "-a", "until=2024-11-30")


@pytest.mark.parametrize("after", [10, 60])
def test_a_jobdir_on_a_disk_that_fills_up_stops_the_run(tmp_path: Path, small_disk: Path, after: int) -> None:
    jobdir, state = small_disk / "job", tmp_path / "state"
    with LoopbackSite(articles=300, seed=11, days=300, legacy=0) as big:
        wanted = {r.article_id for r in big.articles if r.published.year == 2024}
        output, log = tmp_path / "run1.jsonl", tmp_path / "run1.log"
        # At a page every 50 ms or so, the run is still going when the disk fills (at full speed its 300
        # articles could all be written before the filler was done: the run ended "finished", exit 0).
        words = command(big, output, state, *ARCHIVE, "-s", f"JOBDIR={jobdir}", "-s", "DOWNLOAD_DELAY=0.05", spider="archive")
        words[words.index("-O")] = "-o"
        with open(log, "w") as stderr:
            process = subprocess.Popen(words, cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: output.exists() and len(output.read_bytes().splitlines()) >= after, process, f"{after} articles")
                with open(small_disk / "disk-filler", "wb", buffering=0) as filler:
                    try:
                        while True:
                            filler.write(b"\0" * 4096)
                    except OSError:
                        pass
                status = process.wait(timeout=90)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        text = log.read_text()
        assert status == 1 and "Traceback" not in text, text[-3000:]
        assert f"Cannot use the JOBDIR {jobdir}" in text and "the JOBDIR could not be written" in text
        (small_disk / "disk-filler").unlink()

        files = [output]
        for attempt in (2, 3):
            files.append(tmp_path / f"run{attempt}.jsonl")
            words = command(big, files[-1], state, *ARCHIVE, "-s", f"JOBDIR={jobdir}", spider="archive")
            again = run(tmp_path, words)
            if again.returncode == 0:
                break
            assert again.returncode == 1 and "is damaged" in again.stderr.strip().splitlines()[-1], again.stderr[-3000:]
            shutil.rmtree(jobdir)
    assert again.returncode == 0, again.stderr[-3000:]
    ids = [json.loads(line)["articleId"] for path in files if path.exists() for line in path.read_bytes().splitlines()]
    assert len(ids) == len(set(ids)) and set(ids) == wanted


def test_the_jobdirs_list_of_sources_on_a_full_disk_is_no_traceback(tmp_path: Path) -> None:
    """Before: the spider's claim of a source raised OSError as the list in the JOBDIR failed to grow (a
    traceback in the callback, the source lost); now the list is kept in memory for the attempt."""
    from crawler.visited import Claim, VisitedSources

    sources = VisitedSources(3, Path("/dev/full"))
    assert [sources.claim(f"http://a.test/{n}") for n in range(4)] == [Claim.NEW] * 3 + [Claim.LIMIT]
    sources.close(finished=True)


# --- the wall clock set back between runs ----------------------------------------------------------
# Before: runs were ordered by their start alone; after the clock was set back (a machine without a
# battery-backed clock back from a power cut before NTP answered, a hand correction), the run before
# stayed "the latest": `scrapy runs -n 1` said ok while the runs since were blocked. A record is
# appended when its run ends, so a run recorded later that ended earlier tells the clock went back;
# the runs recorded since are ordered after it.


def _record(run_id: str, started: str, finished: str, status: int | None) -> dict[str, Any]:
    from crawler.monitoring.history import status_words

    return {"run_id": run_id, "spider": "latest", "started": f"2026-12-01T{started}:00+00:00",
            "finished": f"2026-12-01T{finished}:00+00:00", "status": status, "status_words": status_words(status)}


@pytest.mark.parametrize("back", ["00:30", "11:59"])
def test_runs_after_the_clock_was_set_back_are_the_latest(tmp_path: Path, back: str) -> None:
    history = RunHistory(tmp_path / ".state")
    history.append(_record("before", "12:00", "12:01", 0))
    history.append(_record("after-1", back, back, 4))
    history.append(_record("after-2", back, back, 4))
    assert [r["run_id"] for r in history.records()] == ["before", "after-1", "after-2"]
    assert [r["run_id"] for r in history.records(last=1)] == ["after-2"]
    from tests.e2e import scrapy

    listed = scrapy(tmp_path, "runs", "-n", "1", "--json")
    assert json.loads(listed.stdout.splitlines()[0])["run_id"] == "after-2", listed.stdout + listed.stderr


def test_a_run_that_began_before_others_and_ended_after_them_is_still_ordered_by_its_start(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / ".state")
    history.append(_record("latest-1", "02:45", "02:46", 0))
    history.append(_record("latest-2", "03:00", "03:01", 0))
    history.append(_record("section", "02:30", "04:30", 0))
    history.append(_record("killed", "04:31", "04:40", None))
    history.append(_record("latest-3", "05:00", "05:01", 0))
    assert [r["run_id"] for r in history.records()] == ["section", "latest-1", "latest-2", "killed", "latest-3"]
