"""Probes of round 24: every article once in what a reader of the output folder finds after each run, when a run was killed or stopped."""

from __future__ import annotations

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

from crawler import settings as project_settings
from tests.conftest import ROOT
from tests.e2e import FAST, history
from tests.killers import ORDER
from tests.loopback.site import LoopbackSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
KILLER = json.dumps({**project_settings.EXTENSIONS, "tests.killers.KillAtConfirm": ORDER})


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=30, seed=24, days=20, legacy=0) as running:
        yield running


def _command(site: LoopbackSite, feed: list[str], *extra: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *feed, *extra]
    for name, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    return command


def _run(site: LoopbackSite, workdir: Path, feed: list[str], *extra: str, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**ENV, "KILL_AT": str(kill_at)} if kill_at is not None else ENV
    return subprocess.run(_command(site, feed, *extra), cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


def _in_folder(folder: Path, pattern: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for path in folder.glob(pattern):
        found.update(json.loads(line)["articleId"] for line in path.read_text().splitlines())
    return found


# --- a killed run's batches: passed on by the run after it, then gone like any earlier run's --------


def test_a_killed_runs_batches_kept_by_the_next_run_are_gone_after_the_run_after_it(site: LoopbackSite, tmp_path: Path) -> None:
    # Cron writes `-O out/items-%(batch_id)d.jsonl`, the folder read after each run. A run killed
    # after 5 batches; the next writes 2 (its first two continue the killed run's), and keeps the
    # killed run's batches 3 to 5, whose articles no reader had. The reader takes them after that
    # run; the run after it, with nothing new, must leave none of them: before, they were kept at
    # every later run (a killed run's file until some run wrote over it), read again each time.
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=4", "-s", "CONCURRENT_REQUESTS=1"]
    killed = _run(site, tmp_path, feed, "-s", f"EXTENSIONS={KILLER}", kill_at=21)
    assert killed.returncode == -9, killed.stderr[-3000:]
    in_killed = _in_folder(folder, "items-*.jsonl")
    assert len(in_killed) >= 16 and set(in_killed.values()) == {1}, in_killed
    after = _run(site, tmp_path, feed)
    assert after.returncode == 0, after.stderr[-3000:]
    read = _in_folder(folder, "items-*.jsonl")
    assert read == Counter({record.article_id: 1 for record in site.articles}), "every article once, the killed run's included"
    assert (folder / "items-5.jsonl").exists(), "the killed run's last batch was kept for the reader"
    assert "Kept 3 batch file(s) of a killed run" in after.stderr and "items-6.jsonl" in after.stderr, after.stderr[-3000:]
    nothing_new = _run(site, tmp_path, feed)
    assert nothing_new.returncode == 0 and "emitted=0 " in nothing_new.stderr, nothing_new.stderr[-3000:]
    assert _in_folder(folder, "items-*.jsonl") == Counter(), "the reader had these after the run before"
    assert "Traceback" not in after.stderr + nothing_new.stderr


def test_a_killed_runs_batches_stay_when_the_run_passing_them_on_is_killed_as_it_ends(site: LoopbackSite, tmp_path: Path) -> None:
    # The run that passes the killed run's batches on is killed itself after its feeds were closed,
    # before the seen-store recorded its end: no reader had the folder after either run, so the run after them keeps both
    # runs' articles, each once.
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=4", "-s", "CONCURRENT_REQUESTS=1"]
    killed = _run(site, tmp_path, feed, "-s", f"EXTENSIONS={KILLER}", kill_at=21)
    assert killed.returncode == -9, killed.stderr[-3000:]
    at_end = json.dumps({**project_settings.EXTENSIONS, "tests.killers.KillAtSettle": ORDER})
    killed_at_end = _run(site, tmp_path, feed, "-s", f"EXTENSIONS={at_end}")
    assert killed_at_end.returncode == -9 and "Kept 3 batch file(s) of a killed run" in killed_at_end.stderr, killed_at_end.stderr[-3000:]
    nothing_new = _run(site, tmp_path, feed)
    assert nothing_new.returncode == 0 and "emitted=0 " in nothing_new.stderr, nothing_new.stderr[-3000:]
    assert _in_folder(folder, "items-*.jsonl") == Counter({record.article_id: 1 for record in site.articles})
    assert "Traceback" not in killed_at_end.stderr + nothing_new.stderr


# --- a Ctrl-C or SIGTERM as the process exits, its run over and recorded ---------------------------
# Python sets a signal it handled back to the system's default as the interpreter is torn down, some
# tenths of a second before the process ends: a SIGTERM then (systemd's or scrapyd's stop, a second
# Ctrl-C) ended the process with it, exit 143 (130), whatever the run's recorded status. systemd takes
# SIGTERM as a clean end: a run that failed (exit 1, or the run told to stop) was not seen failed.


def _caught_and_ignored(pid: int, signum: int) -> tuple[bool, bool] | None:
    try:
        fields = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":\t" in line)
    except (OSError, ValueError):
        return None
    bit = 1 << (signum - 1)
    return bool(int(fields["SigCgt"], 16) & bit), bool(int(fields["SigIgn"], 16) & bit)


def _signal_as_it_exits(process: subprocess.Popen[str], signum: int) -> None:
    """Sends ``signum`` once the process no longer handles it itself (as it is torn down), unless it
    ended first."""
    handled = False
    while process.poll() is None:
        state = _caught_and_ignored(process.pid, signum)
        if state is None:
            break
        caught, _ = state
        if caught:
            handled = True
        elif handled:
            process.send_signal(signum)
            return
    assert handled or process.returncode is not None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads a process's signal dispositions from /proc")
@pytest.mark.parametrize("first, last", [(None, signal.SIGTERM), (signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT)],
                         ids=["sigterm-at-exit", "sigterm-twice", "ctrl-c-twice"])
def test_a_signal_as_the_process_exits_leaves_the_runs_exit_status(
    site: LoopbackSite, tmp_path: Path, first: signal.Signals | None, last: signal.Signals
) -> None:
    feed = ["-O", str(tmp_path / "out.jsonl"), "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.1"]
    process = subprocess.Popen(_command(site, feed), cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    if first is not None:
        # (Its log until then is far less than a pipe holds.)
        while site.article_requests() < 5 and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(first)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "Spider closed" in line:
            break
    _signal_as_it_exits(process, last)
    lines.append(process.stderr.read())
    status = process.wait(timeout=120)
    log = "".join(lines)
    (record,) = history(tmp_path)
    assert status == record["status"], log[-3000:]
    assert f"exit={status} (" in log, log[-3000:]


# --- `-o` onto a file another program appends to: its line without a line break is no cut line ----


@pytest.mark.parametrize("line", [b'{"source": "other", "n": 1}', b'{"note": "a whole record, no line break", "tags": ["a", "b"]}  '],
                         ids=["object", "trailing-blanks"])
def test_another_programs_line_without_a_line_break_is_not_cut_by_the_recovery_of_a_killed_run(
    site: LoopbackSite, tmp_path: Path, line: bytes
) -> None:
    # `-o all.jsonl` from cron, and another program adding its own records to the same file, the last
    # one without a line break (`printf '%s' "$json" >> all.jsonl`). A run killed before: the next
    # run's recovery took that whole record for the killed run's cut last line and cut it off (the
    # record lost), where a run with no killed run before keeps it and adds a line break after it.
    output = tmp_path / "all.jsonl"
    feed = ["-o", str(output), "-s", "CONCURRENT_REQUESTS=1"]
    killed = _run(site, tmp_path, feed, "-s", f"EXTENSIONS={KILLER}", kill_at=10)
    assert killed.returncode == -9, killed.stderr[-3000:]
    with open(output, "ab") as other:
        other.write(b'{"source": "other", "n": 0}\n' + line)
    after = _run(site, tmp_path, feed)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "Traceback" not in after.stderr
    lines = output.read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(text) for text in lines[:-1]]
    assert json.loads(line) in records, "the other program's record"
    assert "did not end with a line break" in after.stderr and "cut a partial last line" not in after.stderr
    ids = Counter(record["articleId"] for record in records if "articleId" in record)
    assert ids == Counter({record.article_id: 1 for record in site.articles})


def test_a_killed_runs_last_item_whole_but_for_its_line_break_is_written_once(site: LoopbackSite, tmp_path: Path) -> None:
    # The item a kill (or power cut) left without its line break, the 10th, unconfirmed: it is in the
    # file whole, so it counts as written, and the next run puts a line break after it.
    output = tmp_path / "all.jsonl"
    feed = ["-o", str(output), "-s", "CONCURRENT_REQUESTS=1"]
    killed = _run(site, tmp_path, feed, "-s", f"EXTENSIONS={KILLER}", kill_at=10)
    assert killed.returncode == -9, killed.stderr[-3000:]
    data = output.read_bytes()
    assert data.endswith(b"}\n") and data.count(b"\n") == 10
    output.write_bytes(data[:-1])
    after = _run(site, tmp_path, feed)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "Recovered an interrupted run: 1 article(s) were in its output" in after.stderr, after.stderr[-3000:]
    lines = output.read_bytes().split(b"\n")
    assert lines[-1] == b""
    ids = Counter(json.loads(text)["articleId"] for text in lines[:-1])
    assert ids == Counter({record.article_id: 1 for record in site.articles})
