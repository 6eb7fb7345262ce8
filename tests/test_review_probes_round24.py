"""Review of round 23's removal of an earlier run's `-O` batch files: every article once across cron runs after a kill, and files the user protected."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.test_delivery_probes_round23 import ENV, _command, _ids, _in_folder, _run, site  # noqa: F401 (the fixture)
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)
from tests.loopback.site import LoopbackSite


def _kill_after(site: LoopbackSite, workdir: Path, feed: list[str], requests: int) -> None:  # noqa: F811
    """A run killed (SIGKILL) once it asked for ``requests`` article pages."""
    site.reset_counts()
    with open(workdir / "killed.log", "wb") as log:
        killed = subprocess.Popen(_command(site, feed, slow=True), cwd=workdir, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 120
    while site.article_requests() < requests and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert killed.poll() is None, (workdir / "killed.log").read_text()[-3000:]
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)


def test_a_killed_runs_batches_the_next_run_handed_over_are_not_read_again_after_the_run_after(site: LoopbackSite, tmp_path: Path) -> None:  # noqa: F811
    # A killed run's batches past the next run's last stay beside that run's (no reader had them). The
    # next run hands them over with its own; the run after it left them there still, every run after
    # (each taking them for a killed run's), so a reader of the folder took those articles after every run.
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=3"]
    _run(site, tmp_path, feed)
    new = {record.article_id for record in site.add_articles(21)}
    _kill_after(site, tmp_path, feed, 17)
    done = _run(site, tmp_path, feed)
    assert _in_folder(folder, "items-*.jsonl") == Counter({article: 1 for article in new})
    last = max(int(name) for name in re.findall(r"Stored jsonl feed \(\d+ items\) in: \S*items-(\d+)\.jsonl", done.stderr))
    assert len(list(folder.glob("items-*.jsonl"))) > last, "the killed run wrote no batch past the next run's last"
    changed = site.modify(site.articles[3].article_id).article_id
    done = _run(site, tmp_path, feed)
    assert _in_folder(folder, "items-*.jsonl") == Counter({changed: 1}), done.stderr[-3000:]
    _run(site, tmp_path, feed)
    assert _in_folder(folder, "items-*.jsonl") == Counter()


def test_a_batch_file_the_user_made_read_only_is_kept(site: LoopbackSite, tmp_path: Path) -> None:  # noqa: F811
    # `chmod a-w out/items-3.jsonl` to keep it: a run that would write a third batch cannot overwrite
    # it (exit 6), and one writing fewer removed it all the same, as `rm -f` does.
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7"]
    _run(site, tmp_path, feed)
    kept = folder / "items-3.jsonl"
    before = kept.read_bytes()
    kept.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    site.modify(site.articles[3].article_id)
    done = _run(site, tmp_path, feed)
    assert kept.read_bytes() == before
    assert sorted(path.name for path in folder.glob("items-*.jsonl")) == ["items-1.jsonl", "items-3.jsonl"]
    assert "items-3.jsonl" in done.stderr and "read-only" in done.stderr


def test_a_killed_distributed_workers_batches_stay_for_the_reader(site: LoopbackSite, tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    # The Redis seen-store keeps no record of a killed worker's files, so its next run could not tell
    # them from an ended run's: it removed the killed run's batches past its own last, whose articles
    # were marked seen and in no other file.
    prefix = f"t{uuid.uuid4().hex[:10]}"
    folder = tmp_path / "out"
    feed = ["-O", f"{folder}/items-%(batch_id)d.jsonl", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=3", "-s", f"REDIS_URL={redis_url}",
            "-s", f"BS_REDIS_PREFIX={prefix}", "-s", "BS_WORKER_NAME=w1", "-s", "BS_REDIS_IDLE_SECONDS=0"]
    try:
        _run(site, tmp_path, feed)
        new = {record.article_id for record in site.add_articles(21)}
        _kill_after(site, tmp_path, feed, 17)
        killed = {path.name: _ids(path) for path in folder.glob("items-*.jsonl")}
        done = _run(site, tmp_path, feed)
        last = max(int(name) for name in re.findall(r"Stored jsonl feed \(\d+ items\) in: \S*items-(\d+)\.jsonl", done.stderr))
        # The killed run's articles in its batches past the next run's last (the first run's files
        # beyond them hold none of the new ones). Those it wrote over are a loss of their own, left.
        beyond = {article for name, ids in killed.items() if int(name[6:-6]) > last for article in ids if article in new}
        assert beyond, f"the killed run wrote no batch past the next run's last ({last})"
        assert beyond <= set(_in_folder(folder, "items-*.jsonl"))
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def day_folder(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """A feed's ``uri_params`` as a user writes one: the run's day, from the time Scrapy gives."""
    return {**params, "day": params["time"][:10]}


def test_a_feeds_own_uri_params_function_is_no_traceback_at_the_end(site: LoopbackSite, tmp_path: Path) -> None:  # noqa: F811
    # The look for an earlier run's batches called the feed's function without the time Scrapy gives
    # it: a KeyError traceback at the end of every run. Such a name is left alone, as `%(time)s` is.
    folder = tmp_path / "out"
    feed = ["-s", "FEED_EXPORT_BATCH_ITEM_COUNT=7", "-s", "FEEDS=" + json.dumps({f"{folder}/%(day)s/items-%(batch_id)d.jsonl": {
        "format": "jsonlines", "overwrite": True, "uri_params": f"{__name__}.day_folder"}})]
    _run(site, tmp_path, feed)
    assert sorted(_in_folder(folder, "*/items-*.jsonl").elements()) == sorted(r.article_id for r in site.articles)
