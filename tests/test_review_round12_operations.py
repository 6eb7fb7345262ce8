"""Round 12's operations fixes read again: a PID another user's process took, a killed run in a
distributed set-up, a log file opened with LOG_FILE_APPEND=False (its first lines, logrotate's copytruncate)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.liveness import process_start
from crawler.monitoring import history as history_module
from crawler.monitoring.history import RunHistory
from tests.e2e import scrapy
from tests.test_redis import prefix, redis_url  # noqa: F401  (fixtures)


# --- a killed run's PID taken by another user's process ---------------------------------------------


def test_a_dead_runs_pid_taken_by_another_users_process_is_shown_and_recorded_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The crawler runs as its own user; after a reboot (or enough forks) the dead run's PID belongs to a
    # root daemon, and signalling it is refused. Before, that refusal meant "the run still goes on": the
    # dead run was neither shown nor recorded for as long as the daemon lived.
    history = RunHistory(tmp_path / ".state")
    daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        history.write_marker({"run_id": "latest-dead", "spider": "latest", "started": "2026-12-01T10:00:00+00:00",
                              "host": socket.gethostname(), "pid": daemon.pid, "process_start": "1",
                              "checkpoint": "2026-12-01T10:02:00+00:00", "elapsed_s": 120.0})
        real_kill = os.kill

        def refused(pid: int, signal: int) -> None:
            if pid == daemon.pid:
                raise PermissionError(1, "Operation not permitted")
            real_kill(pid, signal)

        with monkeypatch.context() as patched:
            patched.setattr(history_module.os, "kill", refused)
            assert [r["status_words"] for r in history.records_with_killed()] == ["killed"]
            assert [r["run_id"] for r in history.record_killed_runs()] == ["latest-dead"]
    finally:
        daemon.kill()
        daemon.wait()


def test_a_live_run_of_another_user_is_not_taken_for_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = RunHistory(tmp_path / ".state")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        history.write_marker({"run_id": "latest-live", "spider": "latest", "started": "2026-12-01T10:00:00+00:00",
                              "host": socket.gethostname(), "pid": live.pid,
                              "process_start": process_start(live.pid)})
        def refused(pid: int, signal: int) -> None:
            raise PermissionError(1, "Operation not permitted")

        with monkeypatch.context() as patched:
            patched.setattr(history_module.os, "kill", refused)
            assert history.records_with_killed() == [] and history.record_killed_runs() == []
    finally:
        live.kill()
        live.wait()


def test_a_distributed_workers_killed_run_is_shown_killed_at_once(tmp_path: Path, redis_url: str, prefix: str) -> None:  # noqa: F811
    import redis

    client = redis.Redis.from_url(redis_url)
    client.rpush(f"{prefix}:runs", json.dumps({"started": "2026-12-01T09:00:00+00:00", "spider": "latest", "status": 0, "status_words": "ok"}))
    client.close()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    RunHistory(tmp_path / ".state").write_marker({"run_id": "latest-dead", "spider": "latest", "started": "2026-12-01T10:00:00+00:00",
                                                  "host": socket.gethostname(), "pid": gone.pid, "worker": "w1"})
    # Before: with REDIS_URL, `scrapy runs` read Redis alone: "ok" until this host's next run recorded it.
    listed = scrapy(tmp_path, "runs", "--json", "-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert [json.loads(line)["status_words"] for line in listed.stdout.splitlines()] == ["killed", "ok"], listed.stdout


# --- LOG_FILE_APPEND=False: the file emptied once, at the run's start --------------------------------


def _line(handler: logging.Handler, message: str) -> None:
    handler.handle(logging.LogRecord("scrapy.core.engine", logging.INFO, __file__, 1, message, None, None))


@pytest.fixture()
def log_handler(monkeypatch: pytest.MonkeyPatch) -> object:
    """Scrapy's log handler maker as the crawl command sets it up (restored after the test)."""
    from scrapy.utils import log as scrapy_log

    from crawler.commands.crawl import _log_file_that_may_fail

    monkeypatch.setattr(scrapy_log, "_get_handler", scrapy_log._get_handler)
    _log_file_that_may_fail()
    return scrapy_log._get_handler


def test_a_log_file_not_appended_to_and_copytruncated_has_no_hole(tmp_path: Path, log_handler: object) -> None:
    from scrapy.settings import Settings

    path = tmp_path / "latest.log"
    path.write_text("the last run's log\n")
    handler = log_handler(Settings({"LOG_FILE": str(path), "LOG_FILE_APPEND": False}))  # type: ignore[operator]
    try:
        for n in range(50):
            _line(handler, f"before the rotation {n}")
        # logrotate's copytruncate: the file copied, then emptied under the running process.
        (tmp_path / "latest.log.1").write_bytes(path.read_bytes())
        os.truncate(path, 0)
        _line(handler, "after the rotation")
    finally:
        handler.close()
    # Before: the line went at the old offset, after a hole of NUL bytes as long as the old log.
    text = path.read_text()
    assert "\x00" not in text and text.count("\n") == 1 and "after the rotation" in text, repr(text[:200])
    assert "the last run's log" not in (tmp_path / "latest.log.1").read_text()


def test_the_crawlers_log_handler_keeps_the_first_lines_of_a_log_not_appended_to(tmp_path: Path, log_handler: object) -> None:
    from scrapy.settings import Settings

    path = tmp_path / "latest.log"
    path.write_text("the last run's log\n")
    settings = Settings({"LOG_FILE": str(path), "LOG_FILE_APPEND": False})
    first = log_handler(settings)  # type: ignore[operator]
    _line(first, "Scrapy started")
    first.close()
    # The crawler's handler replaces the process's first one; before, it emptied the file again.
    second = log_handler(settings)  # type: ignore[operator]
    _line(second, "Spider opened")
    second.close()
    assert path.read_text().splitlines()[0].endswith("Scrapy started") and "the last run's log" not in path.read_text()
    assert path.read_text().splitlines()[-1].endswith("Spider opened")
