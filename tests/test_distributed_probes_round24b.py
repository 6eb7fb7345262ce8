"""Distributed runs on a Redis restarted from an older snapshot than a machine saw: refused, unless accepted for one run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scrapy.settings import Settings

from crawler.distributed import connect
from crawler.distributed.store import RedisSeenStore, RedisWentBack
from crawler.incremental.store import PendingArticle
from crawler.monitoring.verdict import EXIT_REDIS
from tests.e2e import FAST, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_redis import ENV, free_port

PREFIX = "r24b"
GENERATIONS_FILE = "redis-generations.json"  # beside redis-epochs.json in the state dir


def _port() -> int:
    """A free port, from ``BS_TEST_PORTS`` (``17150-17199``) when given: machines that share their ports hand out ranges."""
    given = os.environ.get("BS_TEST_PORTS", "")
    if not given:
        return free_port()
    low, _, high = given.partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in BS_TEST_PORTS={given}")


class SnapshotRedis:
    """A redis-server of the test's own whose data lives in one dump file: SAVE, then a restart reads that file back,
    as a Redis restarted from its last snapshot (or a backup) does."""

    def __init__(self, folder: Path) -> None:
        server = shutil.which("redis-server")
        if server is None:
            if os.environ.get("CI"):
                pytest.fail("no redis-server (tests/services/redis/start.sh installs it)")
            pytest.skip("no redis-server here")
        self.server = server
        self.folder = folder
        folder.mkdir()
        self.port = _port()
        self.process: subprocess.Popen[bytes] | None = None
        self.advanced = 0  # how far the run after the snapshot advanced its machine's count

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> None:
        # No save points: the dump file changes only at the test's SAVE, and a stop writes nothing.
        self.process = subprocess.Popen(
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def restart_from_snapshot(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def snapshot_redis(tmp_path: Path) -> Iterator[SnapshotRedis]:
    server = SnapshotRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=300, seed=24, port=_port(), slow_seconds=8) as running:
        yield running


def _command(machine: Path, site: LoopbackSite, url: str, *settings: str) -> list[str]:
    values = [*(f"{k}={v}" for k, v in FAST.items()), f"REDIS_URL={url}", f"BS_BASE_URL={site.base_url}", f"BS_REDIS_PREFIX={PREFIX}",
              f"BS_WORKER_NAME={machine.name}", "BS_REDIS_IDLE_SECONDS=0", "LOG_LEVEL=INFO", *settings]
    command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
    for value in values:
        command += ["-s", value]
    return command


def _written(machine: Path) -> dict[Path, list[str]]:
    return {path: [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for path in sorted((machine / "output").rglob("*.jsonl"))}


def _emitted(machine: Path, earlier: dict[Path, list[str]]) -> list[str]:
    # By the lines added, not by the files added: two runs in one second share the default feed's name
    # (%(time)s to the second), and the second appends to the first's file.
    return [json.loads(line)["articleId"] for path, lines in _written(machine).items() for line in lines[len(earlier.get(path, [])):]]


def _crawl(machine: Path, site: LoopbackSite, url: str, *settings: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``scrapy crawl latest`` as a cron run on ``machine`` (its own folder and state dir); the ids it emitted."""
    machine.mkdir(exist_ok=True)
    earlier = _written(machine)
    site.reset_counts()
    result = subprocess.run(_command(machine, site, url, *settings), cwd=machine, env=ENV, capture_output=True, text=True, timeout=180)
    return result, _emitted(machine, earlier)


def _restored_after_new_articles(server: SnapshotRedis, site: LoopbackSite, machine: Path) -> list[str]:
    """Run, SAVE, publish and run again, restart Redis from the snapshot: the ids the second run emitted."""
    first, ids = _crawl(machine, site, server.url)
    assert first.returncode == 0, first.stderr[-3000:]
    assert ids
    server.client().save()
    before = int(server.client().hget(f"{PREFIX}:generations", machine.name) or 0)
    site.add_articles(12)
    second, new = _crawl(machine, site, server.url)
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(new) == 12 and not set(new) & set(ids)
    server.advanced = int(server.client().hget(f"{PREFIX}:generations", machine.name) or 0) - before
    server.restart_from_snapshot()
    assert int(server.client().hget(f"{PREFIX}:generations", machine.name) or 0) == before
    return new


def test_a_redis_restarted_from_an_older_snapshot_is_refused_in_one_line_exit_8_nothing_fetched(
    snapshot_redis: SnapshotRedis, site: LoopbackSite, tmp_path: Path
) -> None:
    # Before: the third run emitted the second run's 12 articles again, exit 0, not a word.
    machine = tmp_path / "m1"
    _restored_after_new_articles(snapshot_redis, site, machine)
    third, again = _crawl(machine, site, snapshot_redis.url)
    assert third.returncode == EXIT_REDIS, third.stderr[-3000:]
    assert again == []
    assert sum(site.counts.values()) == 0, "nothing fetched"
    last = third.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Redis at {snapshot_redis.url} (prefix {PREFIX}) went back to an older state since this machine's last run"), last
    assert f"of worker m1 in {PREFIX}:generations, this machine counted " in last
    assert "-s BS_REDIS_ACCEPT_OLDER_STATE=1" in last and last.endswith("nothing was fetched")
    assert "Traceback" not in third.stderr
    # Refused again at the next cron run, until the user decides.
    fourth, again = _crawl(machine, site, snapshot_redis.url)
    assert fourth.returncode == EXIT_REDIS and again == []


def test_accepting_the_older_state_for_one_run_emits_the_forgotten_articles_counted_and_the_next_run_goes_on(
    snapshot_redis: SnapshotRedis, site: LoopbackSite, tmp_path: Path
) -> None:
    machine = tmp_path / "m1"
    new = _restored_after_new_articles(snapshot_redis, site, machine)
    accepted, again = _crawl(machine, site, snapshot_redis.url, "BS_REDIS_ACCEPT_OLDER_STATE=1")
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    assert Counter(again) == Counter(new), "the forgotten articles, each once"
    stats = stats_from_log(accepted.stderr)
    assert stats.get("bs/redis/older_state_accepted", 0) >= len(new)
    warnings = [line for line in accepted.stderr.splitlines() if "is at an older state than this machine saw" in line]
    assert len(warnings) == 1 and " WARNING: " in warnings[0] and "BS_REDIS_ACCEPT_OLDER_STATE" in warnings[0]
    # The machine's note went back with Redis: the next run, without the setting, is an ordinary one.
    after, more = _crawl(machine, site, snapshot_redis.url)
    assert after.returncode == 0, after.stderr[-3000:]
    assert more == []


def test_only_machines_that_saw_the_newer_state_refuse_and_redisclear_keeps_the_counter(
    snapshot_redis: SnapshotRedis, site: LoopbackSite, tmp_path: Path
) -> None:
    _restored_after_new_articles(snapshot_redis, site, tmp_path / "m1")
    # Advanced at each confirmation, in its own script: a snapshot taken at any time during that
    # run is older than what the machine noted at its end.
    assert snapshot_redis.advanced == 12, "one step per article confirmed (a run's start is none: it leaves nothing to emit again)"
    # A new machine has no note: it runs (its articles are in no file of its own yet).
    fresh, emitted = _crawl(tmp_path / "m2", site, snapshot_redis.url)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert len(emitted) == 12
    assert (tmp_path / "m2" / ".state" / GENERATIONS_FILE).is_file()
    # The restored counter went on from where the snapshot left it, and m1 saw more: still refused there.
    refused, _ = _crawl(tmp_path / "m1", site, snapshot_redis.url)
    assert refused.returncode == EXIT_REDIS, refused.stderr[-3000:]
    # `redisclear --seen` empties the seen-store on purpose and leaves the counter: no machine refuses the
    # next run for it, which emits every listed article again, as asked.
    client = snapshot_redis.client()
    generation = int(client.hget(f"{PREFIX}:generations", "m1") or 0)
    cleared = subprocess.run(
        [sys.executable, "-m", "scrapy", "redisclear", "latest", "--seen", "-s", f"REDIS_URL={snapshot_redis.url}", "-s", f"BS_REDIS_PREFIX={PREFIX}"],
        cwd=tmp_path / "m2", env=ENV, capture_output=True, text=True, timeout=60,
    )
    assert cleared.returncode == 0, cleared.stderr
    assert int(client.hget(f"{PREFIX}:generations", "m1") or 0) == generation
    again, emitted = _crawl(tmp_path / "m2", site, snapshot_redis.url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(emitted) == len(set(emitted)) > 12



def test_a_snapshot_taken_mid_run_is_older_than_the_runs_end_and_the_next_run_is_refused(
    snapshot_redis: SnapshotRedis, site: LoopbackSite, tmp_path: Path
) -> None:
    # Before: the snapshot, taken once the run had confirmed 10 of its 12 new articles, was restored after the run;
    # the next run emitted the other 2 a second time, exit 0. Counted at the run's start alone, it would be too.
    machine = tmp_path / "m1"
    first, _ = _crawl(machine, site, snapshot_redis.url)
    assert first.returncode == 0, first.stderr[-3000:]
    client = snapshot_redis.client()
    seen = int(client.scard(f"{PREFIX}:seen-ids"))
    new = site.add_articles(12)
    for record in new[:2]:
        site.set_fault(record.article_id, "slow")  # 8 s before it answers
    earlier = _written(machine)
    with open(tmp_path / "second.log", "wb") as log:
        second = subprocess.Popen(_command(machine, site, snapshot_redis.url), cwd=machine, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while int(client.scard(f"{PREFIX}:seen-ids")) < seen + 10 and second.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            client.save()
            saved = int(client.scard(f"{PREFIX}:seen-ids"))
            second.wait(timeout=120)
        finally:
            if second.poll() is None:
                second.kill()
                second.wait()
    log_text = (tmp_path / "second.log").read_text(encoding="utf-8", errors="replace")
    assert second.returncode == 0, log_text[-3000:]
    assert saved == seen + 10, f"the snapshot holds {saved - seen} of the 12 new articles; it must come mid-run"
    assert sorted(_emitted(machine, earlier)) == sorted(r.article_id for r in new)
    snapshot_redis.restart_from_snapshot()
    site.clear_faults()
    third, again = _crawl(machine, site, snapshot_redis.url)
    assert third.returncode == EXIT_REDIS, third.stderr[-3000:]
    assert again == [] and sum(site.counts.values()) == 0
    assert "went back to an older state since this machine's last run" in third.stderr.strip().splitlines()[-1]


def test_a_worker_whose_redis_goes_back_under_it_stops_at_its_next_confirmation(snapshot_redis: SnapshotRedis, tmp_path: Path) -> None:
    # Restarted from an older snapshot while the worker ran and reconnected: before, it went on, each article the
    # snapshot had forgotten emitted again by the rest of the run and later ones.
    store = RedisSeenStore(connect(Settings({"REDIS_URL": snapshot_redis.url})), PREFIX, "latest:w1")
    told: list[Exception] = []
    store.on_lost = told.append
    snapshot_redis.client().set(f"{PREFIX}:epoch", "e1")
    store.epoch = "e1"
    for number in range(3):
        store.add_pending(PendingArticle(f"12411250{number:04d}", 1, "hash", None, None, "run1"))
    store.confirm("124112500000", "run1")
    snapshot_redis.client().save()
    store.confirm("124112500001", "run1")
    assert told == []
    snapshot_redis.restart_from_snapshot()
    store.confirm("124112500002", "run1")
    assert len(told) == 1 and isinstance(told[0], RedisWentBack)
    assert (told[0].seen, told[0].found) == (2, 1)
    store.client.close()

