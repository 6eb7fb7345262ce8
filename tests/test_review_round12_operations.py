"""Round 12's operations fixes read again: a PID another user's process took, a log file opened
with LOG_FILE_APPEND=False (its first lines, and logrotate's copytruncate)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.monitoring import history as history_module
from crawler.monitoring.history import RunHistory


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
                              "process_start": history_module._process_start(live.pid)})
        def refused(pid: int, signal: int) -> None:
            raise PermissionError(1, "Operation not permitted")

        with monkeypatch.context() as patched:
            patched.setattr(history_module.os, "kill", refused)
            assert history.records_with_killed() == [] and history.record_killed_runs() == []
    finally:
        live.kill()
        live.wait()
