"""Faults around a run: killed mid-crawl and resumed, output that cannot be written, unusable state."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_OUTPUT, EXIT_STATE
from crawler.incremental.store import PendingArticle, SqliteSeenStore
from tests.conftest import ROOT
from tests.e2e import FAST, crawl
from tests.loopback.site import LoopbackSite

KILL_TRIALS = int(os.environ.get("BS_KILL_TRIALS", "3"))
# Enough for a kill at a random point well inside the crawl, with months of sitemaps and a queue in
# the JOBDIR; BS_KILL_ARTICLES=3000 (or more) for a longer crawl.
KILL_ARTICLES = int(os.environ.get("BS_KILL_ARTICLES", "600"))
ARCHIVE_ARGS = ("-a", "since=2024-01-01", "-a", "until=2024-11-30")


def archive_command(site: LoopbackSite, output: Path, jobdir: Path) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", *ARCHIVE_ARGS, "-o", str(output)]
    for name, value in {**FAST, "BS_BASE_URL": site.base_url, "JOBDIR": str(jobdir), "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{name}={value}"]
    return command


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


@pytest.fixture(scope="module")
def big_site():  # type: ignore[no-untyped-def]
    with LoopbackSite(articles=KILL_ARTICLES, seed=11, days=300, legacy=0) as site:
        yield site


@pytest.mark.long
@pytest.mark.parametrize("trial", range(KILL_TRIALS))
def test_kill_9_then_resume_gives_every_article_exactly_once(big_site: LoopbackSite, tmp_path: Path, trial: int) -> None:
    wanted = {r.article_id for r in big_site.articles if r.published.year == 2024}
    assert len(wanted) >= KILL_ARTICLES * 5 // 6
    jobdir = tmp_path / "job"
    first_out, second_out = tmp_path / "run1.jsonl", tmp_path / "run2.jsonl"
    first = subprocess.Popen(archive_command(big_site, first_out, jobdir), cwd=tmp_path, env=env(), stderr=subprocess.DEVNULL)
    # Kill at a random point once some articles were written (between 2% and 2/3 of them: the crawl
    # takes several seconds).
    deadline = time.monotonic() + 120
    threshold = random.Random(trial).randint(len(wanted) // 50, len(wanted) * 2 // 3)
    while time.monotonic() < deadline and first.poll() is None:
        if first_out.exists() and first_out.read_bytes().count(b"\n") >= threshold:
            break
        time.sleep(0.02)
    assert first.poll() is None, "the first run ended before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()

    second = subprocess.run(archive_command(big_site, second_out, jobdir), cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]

    lines = first_out.read_bytes().splitlines(keepends=True) + second_out.read_bytes().splitlines(keepends=True)
    assert all(line.endswith(b"\n") for line in lines), "no line is cut in half"
    ids = [json.loads(line)["articleId"] for line in lines]
    assert len(ids) == len(set(ids)), "no article twice across the two runs' files"
    assert set(ids) == wanted, "no article lost"
    store = SqliteSeenStore(tmp_path / ".state" / "seen.sqlite3")
    try:
        assert store.count() == len(wanted) and store.pending() == [], "the seen-store agrees with the files"
    finally:
        store.close()


def test_disk_full_stops_the_run_and_marks_nothing(tmp_path: Path) -> None:
    with LoopbackSite(articles=40, seed=3) as site:
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "/dev/full:jsonlines", "-s", f"BS_BASE_URL={site.base_url}"]
        for name, value in FAST.items():
            command += ["-s", f"{name}={value}"]
        done = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_OUTPUT, done.stderr[-3000:]
    assert "Cannot write the output file /dev/full" in done.stderr
    assert "DeprecationWarning" not in done.stderr  # the run is closed by the API Scrapy 2.19 keeps
    store = SqliteSeenStore(tmp_path / ".state" / "seen.sqlite3")
    try:
        assert store.count() == 0, "nothing that was not written may be marked seen"
    finally:
        store.close()


def test_an_unwritable_output_path_fails_at_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    with LoopbackSite(articles=10, seed=3) as site:
        site.reset_counts()
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(blocker / "out.jsonl"), "-s", f"BS_BASE_URL={site.base_url}"]
        done = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
        assert site.article_requests() == 0
    assert done.returncode == EXIT_OUTPUT, done.stderr[-3000:]
    assert "is not a directory" in done.stderr and "Traceback" not in done.stderr


def test_a_corrupt_state_file_is_a_clear_error_not_a_reset(tmp_path: Path) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    (state / "seen.sqlite3").write_bytes(b"garbage" * 1000)
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": "http://127.0.0.1:9"}, timeout=60)
    assert result.status == EXIT_STATE
    assert result.log.strip().splitlines()[-1].startswith("error: seen-store")
    assert (state / "seen.sqlite3").read_bytes() == b"garbage" * 1000


def test_a_locked_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / ".state"
    SqliteSeenStore(state / "seen.sqlite3").close()
    holder = sqlite3.connect(state / "seen.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": "http://127.0.0.1:9"}, timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.status == EXIT_STATE
    assert "locked by another process" in result.log.strip().splitlines()[-1]


# --- the seen-store protects itself: exit 7, one error line, the file untouched ------------------


def _run_on_state(tmp_path: Path, state_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(tmp_path / "out.jsonl"),
               "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"BS_STATE_DIR={state_dir}"]
    return subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)


def _assert_state_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), last
    assert all(word in last for word in words), last
    assert "Traceback" not in done.stderr


def _store_with_articles(path: Path, count: int = 300) -> None:
    store = SqliteSeenStore(path)
    for number in range(count):
        article_id = f"1240228{number:05d}"
        store.add_pending(PendingArticle(article_id, 1, "h" * 64, "2024-02-28T15:42:00+05:30", None, "latest:old"))
        store.confirm(article_id, "latest:old")
    store.close()


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """The seen-store's files (the database and any journal), bytes and modification times."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.glob("seen.sqlite3*"))}


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("empty", ("empty",)),
        ("truncated", ("seen-store",)),
        ("foreign", ("not a seen-store",)),
        ("newer", ("newer",)),
    ],
)
def test_an_unusable_store_file_is_exit_7_and_left_as_it_is(tmp_path: Path, fault: str, words: tuple[str, ...]) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    path = state / "seen.sqlite3"
    if fault == "empty":
        path.write_bytes(b"")
    elif fault == "truncated":
        _store_with_articles(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif fault == "foreign":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.commit()
        db.close()
    else:
        _store_with_articles(path, 3)
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
    before = _snapshot(state)
    done = _run_on_state(tmp_path, state)
    _assert_state_error(done, *words)
    assert _snapshot(state) == before, "the state files are untouched"
    assert not (tmp_path / "out.jsonl").exists()


def test_a_state_dir_that_is_a_file_is_exit_7(tmp_path: Path) -> None:
    state = tmp_path / "state-file"
    state.write_text("not a folder")
    done = _run_on_state(tmp_path, state)
    _assert_state_error(done)
    assert state.read_text() == "not a folder"


@pytest.fixture
def small_filesystem(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 2 MiB tmpfs at ``tmp_path/fs`` (needs root; skipped otherwise)."""
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_a_full_state_dir_is_exit_7_and_the_store_untouched(tmp_path: Path, small_filesystem: Path) -> None:
    state = small_filesystem / "state"
    state.mkdir()
    _store_with_articles(state / "seen.sqlite3", 50)
    with open(small_filesystem / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    before = _snapshot(state)
    done = _run_on_state(tmp_path, state)
    _assert_state_error(done, "full")
    assert _snapshot(state) == before


def test_a_read_only_state_dir_is_exit_7_and_the_store_untouched(tmp_path: Path, small_filesystem: Path) -> None:
    state = small_filesystem / "state"
    state.mkdir()
    _store_with_articles(state / "seen.sqlite3", 50)
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(small_filesystem)], capture_output=True, text=True)
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
    before = _snapshot(state)
    done = _run_on_state(tmp_path, state)
    _assert_state_error(done)
    assert _snapshot(state) == before


def test_a_folder_that_cannot_be_made_fails_before_any_request(tmp_path: Path) -> None:
    with LoopbackSite(articles=10, seed=3) as site:
        site.reset_counts()
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", "/proc/no-such-folder/out.jsonl", "-s", f"BS_BASE_URL={site.base_url}"]
        done = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
        assert sum(site.counts.values()) == 0
    assert done.returncode == EXIT_OUTPUT, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot write the output /proc/no-such-folder/out.jsonl") and "Traceback" not in done.stderr


def test_a_disk_that_fills_mid_run_leaves_no_half_line_and_the_next_run_settles_it(tmp_path: Path, small_filesystem: Path) -> None:
    output = small_filesystem / "out.jsonl"
    with LoopbackSite(articles=60, seed=5, days=20, legacy=0) as site:
        wanted = {r.article_id for r in site.articles}
        # Leave room for a few articles only (a line is a few kB).
        with open(small_filesystem / "filler", "wb") as filler:
            filler.write(b"\0" * (2 * 1024 * 1024 - 24 * 1024))
        command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-o", str(output),
                   "-s", f"BS_BASE_URL={site.base_url}", *[f"-s{k}={v}" for k, v in FAST.items()]]
        first = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
        assert first.returncode == EXIT_OUTPUT, first.stderr[-3000:]
        written = output.read_bytes()
        assert written and written.endswith(b"\n"), "the failed write was cut back to the last complete line"
        kept = [json.loads(line)["articleId"] for line in written.splitlines()]
        (small_filesystem / "filler").unlink()
        second = subprocess.run(command, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-3000:]
    lines = output.read_bytes().splitlines()
    ids = [json.loads(line)["articleId"] for line in lines]
    assert ids[: len(kept)] == kept
    assert sorted(ids) == sorted(wanted), "every article exactly once in the file"
