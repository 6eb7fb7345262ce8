"""Round 27 probes of every way a run ends: one exit status, one summary line, one record, and `scrapy runs` all say the same."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawler.incremental.sitewait import note_site_wait
from crawler.monitoring.history import RunHistory, status_words
from crawler.monitoring.verdict import (
    EXIT_BLOCKED, EXIT_EXTRACTION, EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_OUTPUT, EXIT_REDIS, EXIT_SPLASH, EXIT_STATE, EXIT_USAGE,
)
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_interrupt_probes_round17 import env

PORTS = range(17100, 17150)
STORIES = 4
QUICK = {
    "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "2",
    "BS_RATE_LIMIT_RETRIES": "0",
}


def _site() -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=STORIES, seed=27, port=port)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


def _closed_port() -> int:
    """A port of ours that nothing listens on (a Redis or Splash that is down)."""
    for port in reversed(PORTS):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class Ending:
    """One way a run ends: how to make the site or the machine fail so, and the exit status README gives."""

    def __init__(self, status: int, words: tuple[str, ...] = (), prepare: Callable[[LoopbackSite, Path], Any] | None = None,
                 spider: str = "latest", output: str = "out.jsonl") -> None:
        self.status, self.words, self.prepare, self.spider, self.output = status, words, prepare, spider, output


def _block(site: LoopbackSite, state: Path) -> None:
    site.block_all = True


def _articles_down(site: LoopbackSite, state: Path) -> None:
    for record in site.articles:
        site.set_fault(record.article_id, "error503-always")


def _retry_after_kept(site: LoopbackSite, state: Path) -> None:
    note_site_wait({"BS_STATE_DIR": str(state)}, site.base_url, 3600)


def _seen_store_cut(site: LoopbackSite, state: Path) -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / "seen.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 40)


def _seen_store_newer(site: LoopbackSite, state: Path) -> None:
    state.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(state / "seen.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema', '999')")


def _state_a_file(site: LoopbackSite, state: Path) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text("not a folder\n")


def _lock_held(site: LoopbackSite, state: Path) -> Any:
    state.mkdir(parents=True, exist_ok=True)
    handle = open(state / "latest.lock", "a+")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle  # held until the test closes it


def _maintenance_pages(site: LoopbackSite, state: Path) -> None:
    for record in site.articles:
        site.set_path_fault(record.path, "maintenance")


def _sources_down(site: LoopbackSite, state: Path) -> None:
    for path in QUICK["BS_LATEST_SOURCES"].split(","):
        site.set_path_fault(path, "500")


class BrokenPipeline:
    """An item pipeline of one's own with a bug: every item raises."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        raise RuntimeError("a bug")


BROKEN_PIPELINES = json.dumps({"crawler.pipelines.ArticleValidationPipeline": 100, f"{__name__}.BrokenPipeline": 150,
                               "crawler.pipelines.DuplicateArticlePipeline": 200, "crawler.incremental.pipeline.IncrementalPipeline": 300})
ARCHIVE = ("-a", "since=2024-11-01", "-a", "until=2024-11-25")

ENDINGS: dict[str, Ending] = {
    "ok": Ending(EXIT_OK),
    "wrong-argument": Ending(EXIT_USAGE, ("-a", "since=yesterday")),
    "every-article-503": Ending(EXIT_FAILED, prepare=_articles_down),
    "robots-txt-down": Ending(EXIT_FAILED, prepare=lambda site, state: site.set_path_fault("/robots.txt", "500")),
    "site-unreachable": Ending(EXIT_FAILED, ("-s", "BS_BASE_URL=http://127.0.0.1:{closed}")),
    "every-source-fails": Ending(EXIT_FAILED, prepare=_sources_down),
    "pipeline-bug": Ending(EXIT_FAILED, ("-s", f"ITEM_PIPELINES={BROKEN_PIPELINES}")),
    "item-limit": Ending(EXIT_OK, ("-s", "CLOSESPIDER_ITEMCOUNT=1", "-s", "CONCURRENT_REQUESTS=1")),
    "archive-index-down": Ending(EXIT_FAILED, ARCHIVE, lambda site, state: site.set_path_fault("/sitemap/sitemap-index.xml", "500"), spider="archive"),
    "archive-blocked": Ending(EXIT_BLOCKED, ARCHIVE, _block, spider="archive"),
    # The site's maintenance page, sent with 200, for every story: the site down, not a redesign (5).
    "maintenance-pages": Ending(EXIT_FAILED, prepare=_maintenance_pages),
    "lock-held": Ending(EXIT_LOCKED, prepare=_lock_held),
    "block-pages": Ending(EXIT_BLOCKED, prepare=_block),
    "retry-after-kept": Ending(EXIT_BLOCKED, prepare=_retry_after_kept),
    "redesign-coverage": Ending(EXIT_EXTRACTION, ("-s", 'BS_MIN_FIELD_COVERAGE={"disclaimer": 0.9}', "-s", "BS_COVERAGE_MIN_ITEMS=1")),
    "disk-full-feed": Ending(EXIT_OUTPUT, output="/dev/full:jsonlines"),
    "seen-store-cut": Ending(EXIT_STATE, prepare=_seen_store_cut),
    "seen-store-newer": Ending(EXIT_STATE, prepare=_seen_store_newer),
    "state-dir-a-file": Ending(EXIT_STATE, prepare=_state_a_file),
    "redis-down": Ending(EXIT_REDIS, ("-s", "REDIS_URL=redis://127.0.0.1:{closed}/0", "-s", "BS_REDIS_TIMEOUT=1")),
    "splash-down": Ending(EXIT_SPLASH, ("-s", "SPLASH_URL=http://127.0.0.1:{closed}")),
    "article-splash-down": Ending(EXIT_SPLASH, ("-a", "url={first}", "-s", "SPLASH_URL=http://127.0.0.1:{closed}"), spider="article"),
    "article-every-503": Ending(EXIT_FAILED, ("-a", "url={first}"), prepare=_articles_down, spider="article"),
}


def _crawl(tmp_path: Path, ending: Ending, *log: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    state = tmp_path / "state"
    with _site() as site:
        held = ending.prepare(site, state) if ending.prepare else None
        settings = {**FAST, **QUICK, "BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(state), "LOG_LEVEL": "INFO"}
        fill = {"closed": str(_closed_port()), "first": site.base_url + site.articles[-1].path}
        words = [sys.executable, "-m", "scrapy", "crawl", ending.spider, "-O", ending.output]
        for name, value in settings.items():
            words += ["-s", f"{name}={value}"]
        words += [word.replace("{closed}", fill["closed"]).replace("{first}", fill["first"]) for word in ending.words] + list(log)
        try:
            done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=240)
        finally:
            if held is not None:
                held.close()
    return done, state


def _runs(tmp_path: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    words = [sys.executable, "-m", "scrapy", "runs", "-s", f"BS_STATE_DIR={state}", *args]
    return subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)


def _records(state: Path) -> list[dict[str, Any]]:
    return RunHistory(state if state.is_dir() else state.parent / "none").records()


@pytest.mark.parametrize("name", list(ENDINGS))
def test_each_ending_says_one_thing_in_its_status_last_line_record_and_runs(tmp_path: Path, name: str) -> None:
    ending = ENDINGS[name]
    done, state = _crawl(tmp_path, ending)
    tail = done.stderr[-4000:]
    assert done.returncode == ending.status, tail
    # (A bug in one's own pipeline is logged with its traceback, once per item: it is what to fix.)
    assert ("Traceback" not in done.stderr) is (name != "pipeline-bug"), tail
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if name == "state-dir-a-file":
        # No state dir to write the history in: the line before the refusal says so.
        assert lines[-1].startswith("error: ") and "warning: the refusal is not in the run history" in done.stderr, tail
        return
    records = _records(state)
    assert records, tail
    record = records[-1]
    assert record["status"] == ending.status and record["status_words"] == status_words(ending.status), record
    listed = json.loads(_runs(tmp_path, state, "--json", "-n", "1").stdout.splitlines()[0])
    assert (listed["run_id"], listed["status"], listed["reason"]) == (record["run_id"], record["status"], record["reason"])
    table = _runs(tmp_path, state, "-n", "1").stdout.splitlines()
    assert status_words(ending.status) in table[1] and record["reason"][:30] in table[1], table
    if record["finish_reason"] == "refused":
        assert lines[-1] == f"error: {record['reason']}", tail
    else:
        assert "Run summary: " in lines[-1] and lines[-1].endswith(record["summary"]), tail
        assert f"exit={ending.status} ({record['reason']})" in lines[-1], (lines[-1], record["reason"])
        summaries = [line for line in lines if "Run summary: " in line]
        assert len(summaries) == 1, tail


@pytest.mark.parametrize("name", list(ENDINGS))
def test_each_failed_ending_reaches_stderr_under_nolog_and_a_run_that_worked_prints_nothing(tmp_path: Path, name: str) -> None:
    ending = ENDINGS[name]
    done, state = _crawl(tmp_path, ending, "--nolog")
    tail = done.stderr[-4000:]
    assert done.returncode == ending.status, tail
    if ending.status == EXIT_OK:
        assert done.stderr == "", tail  # (cron mails what a job prints)
        return
    assert "Traceback" not in done.stderr, tail
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, f"{name}: nothing on stderr under --nolog"
    if name == "state-dir-a-file":
        assert lines[-1].startswith("error: "), tail
        return
    record = _records(state)[-1]
    if record["finish_reason"] == "refused":
        assert lines[-1] == f"error: {record['reason']}", tail
    else:
        assert lines[-1].endswith(record["summary"]) and f"exit={ending.status} (" in lines[-1], tail


def test_a_killed_run_is_recorded_killed_by_the_next_whose_log_ends_with_its_own_summary(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with _site() as site:
        site.slow_seconds = 60
        for record in site.articles:
            site.set_fault(record.article_id, "slow")  # in flight when it is killed
        settings = {**FAST, **QUICK, "BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(state), "LOG_LEVEL": "INFO"}
        words = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "out.jsonl"]
        for name, value in settings.items():
            words += ["-s", f"{name}={value}"]
        killed = subprocess.Popen(words + ["-s", "DOWNLOAD_TIMEOUT=120"], cwd=tmp_path, env=env(), stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                if site.article_requests() or killed.poll() is not None:
                    break
                time.sleep(0.1)
            assert killed.poll() is None and list((state / "running").glob("*")), "the run to kill did not start"
        finally:
            killed.kill()
            killed.wait()
        site.clear_faults()
        done = subprocess.run(words, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=240)
    assert done.returncode == EXIT_OK and "Traceback" not in done.stderr, done.stderr[-4000:]
    before, last = _records(state)[-2:]
    assert before["status"] is None and before["status_words"] == "killed", before
    assert (last["status"], last["reason"]) == (EXIT_OK, "ok")
    listed = [json.loads(line) for line in _runs(tmp_path, state, "--json", "-n", "2").stdout.splitlines()]
    assert [(run["run_id"], run["status_words"]) for run in listed] == [(last["run_id"], "ok"), (before["run_id"], "killed")]
    table = _runs(tmp_path, state, "-n", "2").stdout.splitlines()
    assert " ok " in table[1] and " killed " in table[2] and before["reason"] in table[2], table
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Run summary: " in lines[-1] and lines[-1].endswith(last["summary"]), done.stderr[-4000:]


def test_the_matrix_has_an_ending_for_each_status_of_the_readme_table_and_the_words_runs_gives() -> None:
    from crawler.monitoring.history import STATUS_WORDS
    from tests.conftest import ROOT

    text = (Path(ROOT) / "README.md").read_text(encoding="utf-8")
    table = text.split("| exit status | meaning |", 1)[1].split("\n\n", 1)[0]
    documented = {int(row.split("|")[1]) for row in table.splitlines()[2:] if row.startswith("| ")}
    assert documented == set(STATUS_WORDS) == {ending.status for ending in ENDINGS.values()}
    assert len(set(STATUS_WORDS.values())) == len(STATUS_WORDS)  # distinct statuses, distinct words in `scrapy runs`
