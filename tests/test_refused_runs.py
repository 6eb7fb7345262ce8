"""Runs refused before they start (exit 1, 2, 3, 6, 7, 8) are in the run history and pinged to the cron monitor, through the real ``scrapy crawl``."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.incremental.lock import RunLock
from crawler.monitoring.history import RUNS_FILE
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_LOCKED, EXIT_OUTPUT, EXIT_REDIS, EXIT_STATE, EXIT_USAGE
from tests.e2e import scrapy, history
from tests.test_heartbeat import Monitor, monitor  # noqa: F401 (the fixture: a loopback cron monitor)

NOWHERE = "http://127.0.0.1:9"  # nothing is fetched by a refused run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])



def crawl_latest(workdir: Path, monitor_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return scrapy(workdir, "crawl", "latest", "-s", f"BS_BASE_URL={NOWHERE}", "-s", f"BS_HEARTBEAT_URL={monitor_url}", *args)



# Each case: what the test prepares in the working directory, and returns as extra command-line words.
def usage(tmp: Path) -> list[str]:
    return ["-a", "colour=red"]


def damaged_jobdir(tmp: Path) -> list[str]:
    queue = tmp / "job" / "requests.queue"
    queue.mkdir(parents=True)
    (queue / "active.json").write_text("[1, 2")  # cut short
    return ["-s", f"JOBDIR={tmp / 'job'}"]


def unwritable_output(tmp: Path) -> list[str]:
    (tmp / "a-file").write_text("")
    return ["-O", str(tmp / "a-file" / "out.jsonl")]


def redis_unreachable(tmp: Path) -> list[str]:
    return ["-s", f"REDIS_URL=redis://127.0.0.1:{free_port()}/0"]


CASES: dict[str, tuple[Callable[[Path], list[str]], int, str]] = {
    "wrong arguments": (usage, EXIT_USAGE, "latest: unknown argument(s) colour"),
    "damaged JOBDIR": (damaged_jobdir, EXIT_FAILED, "the JOBDIR at "),
    "unwritable output": (unwritable_output, EXIT_OUTPUT, ""),
    "Redis unreachable": (redis_unreachable, EXIT_REDIS, "Redis at redis://127.0.0.1:"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_refused_run_is_recorded_and_pinged(case: str, monitor: Monitor, tmp_path: Path) -> None:  # noqa: F811
    prepare, status, reason_start = CASES[case]
    done = crawl_latest(tmp_path, monitor.url, *prepare(tmp_path))
    assert done.returncode == status, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr
    # The refusal's own line is the last: recording and pinging add nothing when they work.
    error = lines[-1]
    assert error.startswith(f"error: {reason_start}"), done.stderr[-3000:]
    if status in (EXIT_USAGE, EXIT_FAILED):
        assert lines == [error], "refused before Scrapy starts: no banner, no other line"
    [record] = history(tmp_path)
    assert record["spider"] == "latest" and record["status"] == status
    assert record["reason"] == error.removeprefix("error: ")
    assert record["finish_reason"] == "refused" and "counts" not in record
    assert record["arguments"] == ({"colour": "red"} if case == "wrong arguments" else {})
    assert [(method, path) for method, path, _ in monitor.pings] == [("POST", "/ping/0f1e2d3c/fail")]
    assert monitor.pings[0][2] == f"latest: refused before it started: exit={status} ({record['reason']})"


def test_a_locked_run_is_recorded_and_shown_by_scrapy_runs(monitor: Monitor, tmp_path: Path) -> None:  # noqa: F811
    lock = RunLock(tmp_path / ".state" / "latest.lock")
    assert lock.acquire()
    try:
        done = crawl_latest(tmp_path, monitor.url)
    finally:
        lock.release()
    assert done.returncode == EXIT_LOCKED, done.stderr[-3000:]
    assert done.stderr.strip().splitlines()[-1].startswith("error: another 'latest' run (pid ")
    [record] = history(tmp_path)
    assert record["status"] == EXIT_LOCKED and record["status_words"] == "locked"
    assert [path for _, path, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]
    table = scrapy(tmp_path, "runs")
    assert table.returncode == 0, table.stderr[-3000:]
    [row] = [line for line in table.stdout.splitlines() if "latest" in line]
    assert "locked" in row and "still going" in row
    report = scrapy(tmp_path, "report", "-o", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr[-3000:]
    assert "still going" in (tmp_path / "report.html").read_text()


def test_an_unusable_state_dir_says_the_refusal_is_unrecorded_and_still_pings(monitor: Monitor, tmp_path: Path) -> None:  # noqa: F811
    state = tmp_path / "state-is-a-file"
    state.write_text("")
    done = crawl_latest(tmp_path, monitor.url, "-s", f"BS_STATE_DIR={state}")
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    warning, error = done.stderr.strip().splitlines()[-2:]
    assert error.startswith("error: ")
    assert warning == f"warning: the refusal is not in the run history: {state / RUNS_FILE}: its folder is not a directory", warning
    assert state.read_text() == ""
    assert [path for _, path, _ in monitor.pings] == ["/ping/0f1e2d3c/fail"]


def test_a_dead_monitor_is_one_line_and_keeps_the_status(tmp_path: Path) -> None:
    port = free_port()
    done = crawl_latest(tmp_path, f"http://127.0.0.1:{port}/ping/x", "-a", "colour=red")
    assert done.returncode == EXIT_USAGE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("error: latest: unknown argument(s) colour"), done.stderr
    assert lines[0].startswith(f"warning: heartbeat to 127.0.0.1:{port} failed ("), lines[0]
    assert [record["status"] for record in history(tmp_path)] == [EXIT_USAGE]
