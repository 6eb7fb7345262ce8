"""Round 24 probes: one state dir under a year of cron runs, and what its seen-store keeps of killed runs' files.

A killed run's output file is recorded in the seen-store until a later run writes over that very path
(it then keeps the killed run's articles at the file's start). The default feed's name holds the run's
time, so no later run ever opens it again, and a file the user deleted or rotated away is opened by none:
each such record was kept for ever and read at every run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler import stats as stat
from crawler.incremental.store import INTERRUPTED_OUTPUTS, FeedRecord, SqliteSeenStore
from tests.conftest import ROOT
from tests.e2e import FAST, crawl, history, scrapy, stats_from_log
from tests.loopback.site import LoopbackSite

# A port of this round's own (17250-17299), not one the system hands out.
PORT = 17262


def interrupted_records(state: Path) -> list[str]:
    """The paths of the killed runs' files the seen-store keeps for a later run to take over."""
    db = sqlite3.connect(state / "seen.sqlite3")
    try:
        rows = db.execute("SELECT path FROM feeds WHERE run_id = ?", (INTERRUPTED_OUTPUTS,)).fetchall()
    finally:
        db.close()
    return sorted(FeedRecord.decode(row[0]).path for row in rows)


def kill_runs(state: Path, files: list[Path]) -> None:
    """Leave in the store what a `latest` killed while writing each of ``files`` leaves (nothing pending:
    killed between two articles), as recorded with the marker a run that ended would have cut off."""
    store = SqliteSeenStore(state / "seen.sqlite3")
    try:
        for number, path in enumerate(files):
            store.record_feed(f"latest:killed{number:04d}", FeedRecord(str(path), "jsonl", feed=str(path), forgotten_at_end=True))
    finally:
        store.close()


def test_killed_runs_files_deleted_or_rotated_away_are_forgotten_and_those_still_there_kept(tmp_path: Path) -> None:
    # Before: every record stayed, 41 of them after the next run and every run after it.
    with LoopbackSite(articles=8, seed=24, port=PORT) as site:
        settings = {"BS_BASE_URL": site.base_url}
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == 0, first.log[-3000:]
        state = tmp_path / ".state"
        folder = tmp_path / "output" / "latest"
        folder.mkdir(parents=True)
        # A year's killed runs of the default feed (`latest-<time>.jsonl`), each file deleted or moved
        # away by a rotation since; one still there; and a remote feed's (its URI template).
        gone = [folder / f"latest-2026-{1 + n // 4:02d}-{1 + n % 28:02d}T03-{n % 60:02d}-00.jsonl" for n in range(39)]
        for path in gone:
            path.write_text('{"articleId": "100000000001", "version": 1}\n')
        rotated = tmp_path / "rotated"
        rotated.mkdir()
        for number, path in enumerate(gone):
            if number % 2:
                path.unlink()
            else:
                path.rename(rotated / path.name)
        there = folder / "latest-2026-11-30T03-00-00.jsonl"
        there.write_text('{"articleId": "100000000002", "version": 1}\n')
        remote = "s3://bucket/latest/%(time)s.jsonl"
        kill_runs(state, [*gone, there])
        store = SqliteSeenStore(state / "seen.sqlite3")
        store.record_feed("latest:killed-remote", FeedRecord(remote, feed=remote, forgotten_at_end=True))
        store.close()

        second = crawl("latest", tmp_path, settings=settings)
        assert second.status == 0, second.log[-3000:]
        assert interrupted_records(state) == [str(there)], "only the file still there is kept for a run to take over"
        assert stats_from_log(second.log).get(stat.STATE_INTERRUPTED_OUTPUTS_FORGOTTEN) == len(gone) + 1
        lines = [line for line in second.log.splitlines() if "no longer there" in line]
        assert len(lines) == 1 and "INFO" in lines[0] and f"Forgot {len(gone) + 1} killed run(s)' output file(s)" in lines[0], lines
        assert "Traceback" not in second.log
        assert there.read_text() == '{"articleId": "100000000002", "version": 1}\n', "a killed run's file still there is left as it is"

        third = crawl("latest", tmp_path, settings=settings)
        assert third.status == 0, third.log[-3000:]
        assert interrupted_records(state) == [str(there)]
        assert stat.STATE_INTERRUPTED_OUTPUTS_FORGOTTEN not in stats_from_log(third.log), "nothing more to forget"
        assert "no longer there" not in third.log


def test_a_killed_runs_file_still_there_is_still_continued_by_the_run_that_writes_over_it(tmp_path: Path) -> None:
    # The records kept are still used: the same `-O` from cron keeps the killed run's articles at its start.
    with LoopbackSite(articles=8, seed=24, port=PORT + 1) as site:
        settings = {"BS_BASE_URL": site.base_url}
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == 0, first.log[-3000:]
        state = tmp_path / ".state"
        # crawl() names a run's file by the count of out-*.jsonl there: with the first run's moved away
        # and a killed run's at out-latest-1.jsonl, the next run writes over that one.
        (tmp_path / "out-latest-0.jsonl").rename(tmp_path / "first.jsonl")
        output = tmp_path / "out-latest-1.jsonl"
        killed_line = '{"articleId": "100000000003", "version": 1}\n'
        output.write_text(killed_line)
        deleted = tmp_path / "out-latest-deleted.jsonl"
        kill_runs(state, [output, deleted])
        second = crawl("latest", tmp_path, settings=settings)
        assert second.status == 0, second.log[-3000:]
        assert output.read_text().startswith(killed_line), "the killed run's articles kept at the file's start"
        assert "holds the articles of a run that was killed" in second.log
        assert interrupted_records(state) == [], "taken over, and the deleted one forgotten"
        assert stats_from_log(second.log).get(stat.STATE_INTERRUPTED_OUTPUTS_FORGOTTEN) == 1


# --- run markers of another host -------------------------------------------------------------------


def marker_of_another_host(state: Path, name: str, *, every: float | None, idle_seconds: float) -> Path:
    """The marker a `latest` run in a container (`docker run --rm`, a Kubernetes CronJob: a host name of
    its own at every run) leaves when it is OOM-killed, last refreshed ``idle_seconds`` ago."""
    started = datetime.now(timezone.utc) - timedelta(seconds=idle_seconds + 120)
    checkpoint = started + timedelta(seconds=120)
    marker = {
        "run_id": name, "spider": "latest", "arguments": {}, "started": started.isoformat(), "host": f"bs-latest-{name}",
        "pid": 7, "process_start": 1234, "versions": {}, "lock": "latest.lock", "boot": "0" * 36,
        "checkpoint": checkpoint.isoformat(), "elapsed_s": 120.0, "new": 3,
        **({"checkpoint_every": every} if every is not None else {}),
    }
    running = state / "running"
    running.mkdir(parents=True, exist_ok=True)
    path = running / f"{name}.json"
    path.write_text(json.dumps(marker))
    moment = time.time() - idle_seconds
    os.utime(path, (moment, moment))
    return path


def test_a_killed_run_of_another_host_is_recorded_once_its_marker_is_long_unrefreshed(tmp_path: Path) -> None:
    # Before: a marker of another host was never recorded nor removed: a container's OOM-killed run was in
    # no history (`scrapy runs` gave the run before it as the latest), and running/ kept one more file per kill.
    state = tmp_path / ".state"
    with LoopbackSite(articles=4, seed=24, port=PORT + 2) as site:
        settings = {"BS_BASE_URL": site.base_url}
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == 0, first.log[-3000:]
        stale = [marker_of_another_host(state, f"pod{n}", every=60.0, idle_seconds=2 * 3600 + n) for n in range(12)]
        fresh = marker_of_another_host(state, "live", every=60.0, idle_seconds=300)  # a live run elsewhere: 5 checkpoints missed
        never = marker_of_another_host(state, "quiet", every=0.0, idle_seconds=5 * 3600)  # refreshed only at its start
        # A run there that ended on a full disk, its record left in its marker for a later run to add.
        ended = marker_of_another_host(state, "ended", every=None, idle_seconds=2 * 3600)
        ended.write_text(json.dumps({**json.loads(ended.read_text()), "unwritten": True, "status": 0, "status_words": "ok"}))
        os.utime(ended, (time.time() - 2 * 3600,) * 2)
        shown = scrapy(tmp_path, "runs", "-n", "0", "--json")
        assert shown.returncode == 0, shown.stderr[-2000:]
        listed = [json.loads(line) for line in shown.stdout.splitlines()]
        assert sum(1 for record in listed if record.get("status_words") == "killed") == len(stale), "shown killed already"
        second = crawl("latest", tmp_path, settings=settings)
        assert second.status == 0, second.log[-3000:]
    assert sorted(p.name for p in (state / "running").iterdir()) == sorted([fresh.name, never.name])
    killed = [record for record in history(tmp_path) if record.get("status_words") == "killed"]
    assert sorted(record["run_id"] for record in killed) == sorted(path.stem for path in stale)
    assert all(record["host"].startswith("bs-latest-pod") and record.get("new") == 3 for record in killed)
    assert all("checkpoint_every" not in record for record in history(tmp_path)), "the marker's own field stays out of records"
    assert [record["status_words"] for record in history(tmp_path) if record["run_id"] == "ended"] == ["ok"]
    assert sum("was killed before its end" in line for line in second.log.splitlines()) == len(stale)
    assert "Traceback" not in second.log


def test_a_real_runs_marker_killed_on_another_host_is_recorded_by_a_run_here(tmp_path: Path) -> None:
    # The marker a run writes says how often it refreshes it, which the later run judges it by.
    state = tmp_path / ".state"
    with LoopbackSite(articles=30, seed=24, port=PORT + 3) as site:
        command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-O", str(tmp_path / "killed.jsonl")]
        for name, value in {**FAST, "BS_BASE_URL": site.base_url, "DOWNLOAD_DELAY": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not list((state / "running").glob("*.json")) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            process.kill()
            process.wait()
        (path,) = (state / "running").glob("*.json")
        marker = json.loads(path.read_text())
        assert marker["checkpoint_every"] == 60.0
        # As if the container it ran in were gone: another host name, not refreshed for two hours.
        path.write_text(json.dumps({**marker, "host": "bs-latest-29417-x2k9p"}))
        moment = time.time() - 2 * 3600
        os.utime(path, (moment, moment))
        after = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    assert after.status == 0, after.log[-3000:]
    assert not list((state / "running").glob("*.json"))
    (killed,) = [record for record in history(tmp_path) if record.get("status_words") == "killed"]
    assert killed["run_id"] == marker["run_id"] and killed["host"] == "bs-latest-29417-x2k9p"
    assert "checkpoint_every" not in killed


# --- the HTTP cache over a year --------------------------------------------------------------------


def readme_prune_command() -> str:
    """The README's command that keeps a year of the HTTP cache."""
    (line,) = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("find ") and "pickled_meta" in line]
    return line


def test_the_readmes_command_bounds_the_http_cache_to_what_was_stored_within_the_year(tmp_path: Path) -> None:
    # Before: no way to bound it was told; Scrapy's HTTPCACHE_EXPIRATION_SECS removes nothing from the disk.
    cache = tmp_path / "bs-cache"
    with LoopbackSite(articles=24, seed=24, port=PORT + 4) as site:
        settings = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache)}
        done = crawl("latest", tmp_path / "cron", settings=settings)
    assert done.status == 0, done.log[-3000:]
    entries = sorted(path.parent for path in cache.glob("latest/*/*/pickled_meta"))
    assert len(entries) == len(done.items) >= 20
    # Stored 400 days ago: the older half; the newer half stored now (or fetched again since, which
    # writes pickled_meta anew: only that file's time counts, not the folder's).
    old, recent = entries[: len(entries) // 2], entries[len(entries) // 2 :]
    moment = time.time() - 400 * 86400
    for entry in old:
        for name in ("pickled_meta", "meta", "response_body"):
            os.utime(entry / name, (moment, moment))
    for entry in recent:
        os.utime(entry, (moment, moment))
    command = readme_prune_command().replace("/data/bs-cache", str(cache))
    pruned = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert pruned.returncode == 0, pruned.stderr
    assert sorted(path.parent for path in cache.glob("latest/*/*/pickled_meta")) == recent
    assert all(not entry.exists() for entry in old)
    reread = crawl("reextract", tmp_path / "later", "-a", f"source={cache}")
    assert reread.status == 0, reread.log[-3000:]
    assert len(reread.items) == len(recent) and "Traceback" not in reread.log
