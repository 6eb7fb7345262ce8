"""Review of the receipts (crawler/incremental/receipts.py): cases the first version got wrong."""

from __future__ import annotations

import bz2
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import settings as project_settings
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.killers import ORDER, even
from tests.loopback.site import LoopbackSite
from tests.test_delivery_matrix import ids_in
from tests.test_redis import redis_url  # noqa: F401 (a fixture)

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
REMOTE = json.dumps({"remote": "tests.remote_storage.FolderFeedStorage"})


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=31, days=6, legacy=0) as running:
        yield running


def run(site: LoopbackSite, workdir: Path, name: str, feeds: dict[str, Any], *arguments: str, killer: str = "",
        kill_at: int = 0) -> tuple[int, str]:
    """One ``archive`` run in ``workdir`` (the state dir is shared by its runs): status and log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    values = {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO",
              "FEED_STORAGES": REMOTE, "FEEDS": json.dumps(feeds)}
    if killer:
        values["EXTENSIONS"] = json.dumps({**project_settings.EXTENSIONS, f"tests.killers.{killer}": ORDER})
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    with open(workdir / f"{name}.stdout", "wb") as out:
        done = subprocess.run(command, cwd=workdir, env={**ENV, "KILL_AT": str(kill_at)}, stdout=out, stderr=subprocess.PIPE, timeout=300)
    return done.returncode, done.stderr.decode(errors="replace")


def receipts(workdir: Path) -> list[Path]:
    return sorted((workdir / ".state" / "receipts").glob("*"))


def test_an_article_a_filtered_remote_feed_took_but_never_stored_is_not_lost(site: LoopbackSite, tmp_path: Path) -> None:
    """The receipt of a feed with an item filter said "filtered", so recovery took an article missing
    from it for one the filter had left out: the article the remote feed took, killed before its
    upload, was confirmed from the local file alone and never reached the remote feed."""
    out = tmp_path / "out"
    out.mkdir()

    def feeds(name: str) -> dict[str, Any]:
        return {f"remote://{out}/{name}.jsonl": {"format": "jsonlines", "item_filter": "tests.killers.EvenIds"},
                str(tmp_path / f"{name}.jsonl"): {"format": "jsonlines"}}

    status, log = run(site, tmp_path, "first", feeds("first"), killer="KillOnceEvenHeld")
    assert status == -signal.SIGKILL, log[-3000:]
    assert list(out.iterdir()) == []  # killed before the upload at the end
    status, log = run(site, tmp_path, "second", feeds("second"))
    assert status == 0, log[-3000:]
    wanted = {record.article_id for record in site.articles}
    remote = Counter(article for path in sorted(out.iterdir()) for article in ids_in(path))
    assert set(remote) == {article for article in wanted if even(article)}
    assert [article for article, n in remote.items() if n > 1] == []
    # The local feed has every article (one the remote feed lacked is written to it again).
    assert {article for path in tmp_path.glob("*.jsonl") for article in ids_in(path)} == wanted
    assert receipts(tmp_path) == []


def test_the_last_item_of_a_batch_stored_inside_scrapys_handler_has_its_receipt_before_any_confirm(
    site: LoopbackSite, tmp_path: Path
) -> None:
    """With Twisted's default reactor Scrapy stores a full batch of a local file inside its own
    item_scraped handler, before the delivery tracker sees the batch's last item: the batch's other
    articles were confirmed (a commit each) before that item had its receipt line, and a kill among
    those confirms had the next run write it again."""
    out = tmp_path / "out"
    out.mkdir()

    def feeds(name: str) -> dict[str, Any]:
        return {f"{out}/{name}-%(batch_id)d.jsonl.bz2": {
            "format": "jsonlines", "batch_item_count": 5, "postprocessing": ["scrapy.extensions.postprocessing.Bz2Plugin"]}}

    status, log = run(site, tmp_path, "first", feeds("first"), "-s", "TWISTED_REACTOR=", killer="KillAtConfirm", kill_at=2)
    assert status == -signal.SIGKILL, log[-3000:]
    assert [path.name for path in out.iterdir()] == ["first-1.jsonl.bz2"]
    status, log = run(site, tmp_path, "second", feeds("second"), "-s", "TWISTED_REACTOR=")
    assert status == 0, log[-3000:]
    counts = Counter(json.loads(line)["articleId"] for path in out.iterdir() for line in bz2.decompress(path.read_bytes()).splitlines())
    assert set(counts) == {record.article_id for record in site.articles}
    assert [article for article, n in counts.items() if n > 1] == []
    assert receipts(tmp_path) == []


def test_a_distributed_run_to_stdout_leaves_no_receipt_record_in_redis(site: LoopbackSite, tmp_path: Path, redis_url: str) -> None:
    """The Redis seen-store keeps a run's feed records until recovery forgets them, which it does only
    for a run that left articles pending: every run that ended with all its articles seen left its
    receipt's record (``<prefix>:feeds:<run id>``) in Redis for ever, naming a file long removed."""
    import redis

    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings = ("-s", f"REDIS_URL={redis_url}", "-s", f"BS_REDIS_PREFIX={prefix}", "-s", "BS_REDIS_IDLE_SECONDS=0", "-O", "-:jsonlines")
    client = redis.Redis.from_url(redis_url)
    try:
        for name in ("first", "second"):
            status, log = run(site, tmp_path, name, {}, *settings)
            assert status == 0, log[-3000:]
            assert receipts(tmp_path) == []
            assert list(client.scan_iter(match=f"{prefix}:feeds:*")) == []
        assert len((tmp_path / "first.stdout").read_bytes().splitlines()) == len(site.articles)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
