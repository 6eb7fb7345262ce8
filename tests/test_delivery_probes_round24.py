"""Probes of round 24: every article once in what a reader of the output folder finds after each run, when a run was killed or stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import settings as project_settings
from tests.conftest import ROOT
from tests.e2e import FAST
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
