"""Round 10 probes of the server-backed parts: distributed runs on a real Redis, re-extraction, Splash."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.loopback.site import LoopbackSite
from tests.test_redis import ids_between, prefix, redis_url, start_worker  # noqa: F401 (fixtures: a running Redis, a key prefix of the test's own)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=1100, seed=17) as running:
        yield running


# --- Redis: a worker killed mid-run -------------------------------------------------------------------


@pytest.mark.long
def test_what_a_killed_worker_had_taken_from_the_queue_is_fetched_by_the_survivor(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    # scrapy-redis pops a request from the shared queue for good and its fingerprint stays in the
    # shared filter: a worker killed with requests in hand (up to CONCURRENT_REQUESTS of them, or a
    # month's sitemap) lost them for the run, which the survivor ended with exit 0 and nothing said.
    since, until = date(2024, 10, 1), date(2024, 10, 31)
    expected = ids_between(site, since, until)
    slow = {"DOWNLOAD_DELAY": "0.05"}  # requests wait in the downloader: some are in hand at the kill
    survivor = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, since, until, **slow)
    killed = start_worker("w2", tmp_path / "w2", site, redis_url, prefix, since, until, **slow)
    deadline = time.monotonic() + 120
    while killed.written() < 20 and killed.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert killed.process.poll() is None and killed.written() >= 20, killed.log[-3000:]
    os.kill(killed.process.pid, signal.SIGKILL)
    killed.wait()

    assert survivor.wait() == 0, survivor.log[-3000:]
    emitted = Counter(survivor.ids() + killed.ids())
    assert set(emitted) == expected, f"lost: {sorted(expected - set(emitted))}"
    assert [i for i, n in emitted.items() if n > 1] == []
    assert "put back in the queue" in survivor.log and "'bs/redis/requeued':" in survivor.log


@pytest.mark.long
def test_a_worker_that_stopped_cleanly_leaves_nothing_to_put_back(
    site: LoopbackSite, redis_url: str, prefix: str, tmp_path: Path  # noqa: F811
) -> None:
    import redis

    since, until = date(2024, 11, 1), date(2024, 11, 10)
    expected = ids_between(site, since, until)
    worker = start_worker("w1", tmp_path / "w1", site, redis_url, prefix, since, until)
    assert worker.wait() == 0, worker.log[-3000:]
    assert sorted(worker.ids()) == sorted(expected)
    assert "put back in the queue" not in worker.log
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=f"{prefix}:run:*:inflight*")) == []
