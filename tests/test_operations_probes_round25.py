"""Probes of round 25 on cron's environment and the output plumbing: a crawl with its standard streams
closed, on a full disk or a pipe nobody reads, in cron's bare environment."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OUTPUT, EXIT_USAGE
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite

ARTICLES = 6


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=ARTICLES, seed=25, legacy=0) as running:
        yield running


def cron_env(home: Path, **extra: str) -> dict[str, str]:
    """What cron gives a job: a PATH, HOME and SHELL, no LANG or LC_ALL (plus what finds the project)."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "crawler.settings", **extra}


def crawl_command(site: LoopbackSite, *args: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"BS_BASE_URL={site.base_url}"]


def shell(workdir: Path, command: list[str], redirections: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """``command`` run by ``/bin/sh`` with ``redirections`` after it, as a crontab line runs it."""
    line = f"{shlex.join(command)} {redirections}"
    return subprocess.run(["/bin/sh", "-c", line], cwd=workdir, env=cron_env(workdir, **extra), capture_output=True,
                          text=True, timeout=300)


def last_record(workdir: Path) -> dict[str, Any]:
    lines = (workdir / ".state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    assert isinstance(record, dict)
    return record


def ids(path: Path) -> list[str]:
    return [json.loads(line)["articleId"] for line in path.read_text(encoding="utf-8").splitlines()]


# --- Standard streams closed ---------------------------------------------------------------------------
# `scrapy crawl latest -O out.jsonl >/dev/null 2>&-` (or a wrapper that closes them): with stderr closed
# Python has no sys.stderr, and Scrapy's logging failed as it was set up (AttributeError: 'NoneType' object
# has no attribute 'isatty'): exit 1, nothing fetched, nothing recorded, no line anywhere; with --logfile too
# (the run recorded as failed before it started). A file the run opens with a standard descriptor closed
# takes its number, where whatever writes to that stream would write into it.


@pytest.mark.parametrize(
    ("redirections", "extra"),
    [
        ("<&-", ()),
        (">&-", ()),
        ("2>&-", ()),
        ("<&- >&- 2>&-", ()),
        (">&- 2>&-", ("--logfile", "logs/latest.log")),
    ],
    ids=["stdin", "stdout", "stderr", "all-three", "stdout-stderr-with-logfile"],
)
def test_a_run_with_standard_streams_closed_works_and_is_recorded(
    site: LoopbackSite, tmp_path: Path, redirections: str, extra: tuple[str, ...]
) -> None:
    done = shell(tmp_path, crawl_command(site, "latest", "-O", "out.jsonl", *extra), redirections)
    assert done.returncode == 0, (done.stderr[-2000:], sorted(p.name for p in tmp_path.iterdir()))
    written = ids(tmp_path / "out.jsonl")
    assert len(written) == len(set(written)) == ARTICLES
    record = last_record(tmp_path)
    assert record["status"] == 0 and record["counts"]["emitted"] == ARTICLES, record
    if extra:
        log = (tmp_path / "logs" / "latest.log").read_text(encoding="utf-8")
        assert "Run summary:" in log and "Traceback" not in log, log[-2000:]


def test_items_to_a_closed_stdout_are_refused_before_anything_is_fetched(site: LoopbackSite, tmp_path: Path) -> None:
    # `-O -` with stdout closed: an AttributeError traceback ("'NoneType' object has no attribute
    # 'buffer'"), exit 1, as if the crawler had a bug; the articles had nowhere to go.
    site.reset_counts()
    done = shell(tmp_path, crawl_command(site, "latest", "-O", "-"), ">&-")
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "standard output is closed" in lines[0], lines
    assert sum(site.counts.values()) == 0
    assert last_record(tmp_path)["status"] == EXIT_OUTPUT


# --- Standard error that cannot be written -------------------------------------------------------------
# `2>/dev/full` (a log partition full), or stderr a pipe whose reader went away (`2>&1 | head`, a logger
# process that died): Python could not flush stderr as it exited and ended the process with status 120,
# whatever the run did (0 for a run that worked, 2 for a refusal, 1 for a failed run, each recorded so).


def _down_base_url() -> str:
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize("case", ["worked", "refused", "failed"])
def test_stderr_on_a_full_disk_keeps_the_runs_exit_status(site: LoopbackSite, tmp_path: Path, case: str) -> None:
    command = crawl_command(site, "latest", "-O", "out.jsonl")
    expected = {"worked": 0, "refused": EXIT_USAGE, "failed": EXIT_FAILED}[case]
    if case == "refused":
        command += ["-s", "BS_MAX_BLOCKED_SHARE=abc"]
    elif case == "failed":
        command += ["-s", f"BS_BASE_URL={_down_base_url()}", "-s", "RETRY_TIMES=0"]
    done = shell(tmp_path, command, "2>/dev/full")
    assert done.returncode == expected, done.stderr[-2000:]
    assert last_record(tmp_path)["status"] == expected
    if case == "worked":
        assert len(ids(tmp_path / "out.jsonl")) == ARTICLES


def _closed_pipe() -> int:
    """The writing end of a pipe whose reading end is closed already: every write to it fails (EPIPE)."""
    reader, writer = os.pipe()
    os.close(reader)
    return writer


def test_stderr_a_pipe_nobody_reads_keeps_the_runs_exit_status(site: LoopbackSite, tmp_path: Path) -> None:
    writer = _closed_pipe()
    try:
        done = subprocess.run(crawl_command(site, "latest", "-O", "out.jsonl"), cwd=tmp_path, env=cron_env(tmp_path),
                              stdout=subprocess.DEVNULL, stderr=writer, timeout=300)
    finally:
        os.close(writer)
    assert done.returncode == 0
    assert len(ids(tmp_path / "out.jsonl")) == ARTICLES
    assert last_record(tmp_path)["status"] == 0


def test_items_to_a_reader_that_stops_are_exit_6_without_a_python_error(
    site: LoopbackSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `scrapy crawl latest -O - | head -1`: the first write after the reader left failed, the run said so in
    # one line and was recorded with exit 6, but the process ended with status 120 and "Exception ignored
    # … BrokenPipeError" on stderr (stdout is block-buffered without PYTHONUNBUFFERED, as under cron).
    # One article's page is held back until the reader has left, so the run writes after that.
    held, gate = site.articles[0].article_id, threading.Event()
    answer = site.article_response

    def held_back(record: Any, form: str, variant: str = "") -> Any:
        if record.article_id == held:
            gate.wait(120)
        return answer(record, form, variant)

    monkeypatch.setattr(site, "article_response", held_back)
    try:
        with open(tmp_path / "log", "wb") as log:
            run = subprocess.Popen(crawl_command(site, "latest", "-O", "-"), cwd=tmp_path, env=cron_env(tmp_path),
                                   stdout=subprocess.PIPE, stderr=log)
            assert run.stdout is not None
            first = json.loads(run.stdout.readline())
            run.stdout.close()
            gate.set()
            status = run.wait(timeout=300)
    finally:
        gate.set()
    text = (tmp_path / "log").read_text(encoding="utf-8", errors="replace")
    assert first["articleId"] != held
    assert status == EXIT_OUTPUT, text[-2000:]
    assert "Cannot write the output file stdout ([Errno 32] Broken pipe)" in text
    assert "BrokenPipeError" not in text and "Exception ignored" not in text, text[-2000:]
    assert last_record(tmp_path)["status"] == EXIT_OUTPUT


# --- A log switched off ------------------------------------------------------------------------------
# `--nolog` (or `-L CRITICAL`) to keep cron's mail quiet: a run that failed (the site down, exit 1) printed
# nothing at all, so cron, which mails what a job prints and not its exit status, said nothing either; a
# refusal's `error:` line was printed all the same.


@pytest.mark.parametrize("quiet", [("--nolog",), ("-L", "CRITICAL"), ("-s", "LOG_ENABLED=False")], ids=["nolog", "critical", "log-enabled-off"])
def test_a_failed_run_with_its_log_switched_off_still_prints_its_summary_line(tmp_path: Path, quiet: tuple[str, ...]) -> None:
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "out.jsonl", *quiet,
               "-s", f"BS_BASE_URL={_down_base_url()}", "-s", "RETRY_TIMES=0"]
    done = subprocess.run(command, cwd=tmp_path, env=cron_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_FAILED, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    # (The site down: its robots.txt is the first thing that cannot be reached, which closes the run.)
    assert len(lines) == 1 and lines[0].startswith("Run summary: ") and "exit=1 (robots.txt" in lines[0], lines
    assert last_record(tmp_path)["summary"] == lines[0]


def test_a_run_that_worked_with_its_log_switched_off_prints_nothing(site: LoopbackSite, tmp_path: Path) -> None:
    done = subprocess.run(crawl_command(site, "latest", "-O", "out.jsonl", "--nolog"), cwd=tmp_path, env=cron_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "" and done.stdout == "", done.stderr[-2000:]
    assert len(ids(tmp_path / "out.jsonl")) == ARTICLES


# --- `-O -` under -L WARNING -----------------------------------------------------------------------------
# Scrapy warned, twice, at every run given `-O -` that stdout "does not support overwriting", so a crontab
# line `scrapy crawl latest -O - -L WARNING >> all.jsonl` mailed two lines after every run that worked,
# where the README promises only the failed runs' lines at that level.


@pytest.mark.parametrize("output", [("-O", "-"), ("-O", "-:csv"), ("-O", "stdout::jsonlines"), ("-o", "-"),
     ("-s", 'FEEDS={"stdout:": {"format": "jsonlines", "overwrite": true, "store_empty": false}}')])
def test_items_to_stdout_under_log_level_warning_print_nothing_for_a_run_that_worked(
    site: LoopbackSite, tmp_path: Path, output: tuple[str, ...]
) -> None:
    done = subprocess.run(crawl_command(site, "latest", *output, "-L", "WARNING", "-s", "BS_LATEST_SOURCES=/rss/latest.rss"), cwd=tmp_path, env=cron_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    rows = list(csv.DictReader(io.StringIO(done.stdout))) if output[1] == "-:csv" else done.stdout.splitlines()
    assert len(rows) == ARTICLES


# --- A locale that is not UTF-8 ------------------------------------------------------------------------
# Run markers are written in UTF-8 and were read in the locale's encoding: under an ASCII one (cron with
# `LC_ALL=C` and `PYTHONUTF8=0`, or a legacy locale) a killed run's marker holding a name beyond ASCII (an
# `-a url_file=सूची.txt`) did not read, and was removed as garbage: the killed run was in no history.


def test_a_killed_runs_marker_beyond_ascii_is_recorded_under_an_ascii_locale(
    site: LoopbackSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = site.articles[-1]
    (tmp_path / "सूची.txt").write_text(site.base_url + record.path + "\n", encoding="utf-8")
    gate = threading.Event()
    answer = site.article_response

    def held_back(page: Any, form: str, variant: str = "") -> Any:
        if page.article_id == record.article_id:
            gate.wait(120)
        return answer(page, form, variant)

    monkeypatch.setattr(site, "article_response", held_back)
    command = crawl_command(site, "article", "-a", "url_file=सूची.txt", "-O", "out.jsonl")
    try:
        first = subprocess.Popen(command, cwd=tmp_path, env=cron_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running = tmp_path / ".state" / "running"
        while not (running.is_dir() and any(running.glob("article-*.json"))):
            assert first.poll() is None, "the run ended before its page was answered"
            time.sleep(0.05)
        first.kill()
        first.wait(timeout=60)
    finally:
        gate.set()
    done = subprocess.run(command, cwd=tmp_path, env=cron_env(tmp_path, LC_ALL="C", PYTHONUTF8="0"), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in (tmp_path / ".state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["status_words"], r["arguments"]) for r in records] == [
        ("killed", {"url_file": "सूची.txt"}), ("ok", {"url_file": "सूची.txt"})
    ], records
