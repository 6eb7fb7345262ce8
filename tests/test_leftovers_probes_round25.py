"""Probes of round 25's leftovers: the commands besides `crawl` with their standard streams closed or full."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)

FULL = Path("/dev/full")
RECORD = {"spider": "latest", "status": 0, "started": "2026-12-01T06:00:00+00:00", "finished": "2026-12-01T06:01:00+00:00",
          "counts": {"new": 3, "emitted": 3}}


def cron_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def shell(workdir: Path, arguments: list[str], redirections: str) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGUMENTS`` run by ``/bin/sh`` with ``redirections`` after it, as a crontab line runs it."""
    line = f"{shlex.join([sys.executable, '-m', 'scrapy', *arguments])} {redirections}"
    return subprocess.run(["/bin/sh", "-c", line], cwd=workdir, env=cron_env(workdir), capture_output=True, text=True,
                          timeout=300)


def with_history(workdir: Path) -> Path:
    (workdir / ".state").mkdir()
    (workdir / ".state" / "runs.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    (workdir / "in.jsonl").write_text('{"articleId": "a1", "version": 1}\n', encoding="utf-8")
    return workdir


# --- Standard output closed or on a full disk, in every command ------------------------------------------
# `scrapy runs >&-` was an AttributeError traceback ('NoneType' object has no attribute 'flush'), and `scrapy
# runs`, `merge`, `report` or `redisclear` with stdout on a full disk an OSError traceback, exit 1 after the
# work was done: `crawl`'s guard of the standard streams was in `crawl` alone.

needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full: a file every write to fails as on a full disk")


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full", ">/dev/full 2>/dev/full", ">&- 2>&-"])
@pytest.mark.parametrize("json_lines", [False, True], ids=["table", "json"])
def test_runs_whose_table_is_lost_says_so_and_exits_1(tmp_path: Path, redirections: str, json_lines: bool) -> None:
    # The table is what `runs` is run for: lost, it is no run that worked.
    done = shell(with_history(tmp_path), ["runs", *(["--json"] if json_lines else [])], redirections)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    if "2>" not in redirections:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "standard output" in lines[0], lines


def test_runs_to_a_reader_that_took_what_it_wanted_is_still_exit_0(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-m", "scrapy", "runs", "--json"], cwd=with_history(tmp_path),
                              env=cron_env(tmp_path), stdout=writer, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(writer)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full", ">/dev/full 2>/dev/full"])
@pytest.mark.parametrize("command", ["merge", "report", "check"])
def test_a_command_whose_work_is_a_file_keeps_its_status_with_stdout_lost(tmp_path: Path, redirections: str, command: str) -> None:
    # Their line on stdout only says what was done: the work done, exit 0, and the file there.
    if command == "report":
        pytest.importorskip("matplotlib")
    arguments = {"merge": ["merge", "merged.jsonl", "in.jsonl"], "report": ["report", "-o", "report.html"],
                 "check": ["check", "-l"]}[command]
    done = shell(with_history(tmp_path), arguments, redirections)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    if command == "merge":
        assert json.loads((tmp_path / "merged.jsonl").read_text(encoding="utf-8"))["articleId"] == "a1"
    if command == "report":
        assert (tmp_path / "report.html").stat().st_size > 0


@needs_full
@pytest.mark.parametrize("redirections", [">&-", ">/dev/full"])
def test_redisclear_with_stdout_lost_deletes_and_exits_0(tmp_path: Path, redis_url: str, prefix: str, redirections: str) -> None:  # noqa: F811
    import redis

    client = redis.Redis.from_url(redis_url)
    key = f"{prefix}:run:latest:requests"
    client.rpush(key, "x")
    done = shell(tmp_path, ["redisclear", "latest", "-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}"], redirections)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert client.exists(key) == 0
