"""Politeness shared across workers: three distributed ``latest`` workers stay within one site budget, measured at the loopback site."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite, Response
from tests.test_redis import redis_url  # noqa: F401 (the fixture: a real Redis)

T = TypeVar("T")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
HOLD = 0.3  # every answer takes this long, so that requests overlap and concurrency shows
MAX_CONCURRENCY = 2
MAX_RATE = 8.0


class MeteredSite(LoopbackSite):
    """The loopback site, counting requests in progress and when each began."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meter = threading.Lock()
        self.active = 0
        self.most_active = 0
        self.starts: list[float] = []
        self.ends: list[float] = []

    def reset_meter(self) -> None:
        with self.meter:
            self.active = self.most_active = 0
            self.starts.clear()
            self.ends.clear()

    def _metered(self, answer: Callable[[], T]) -> T:
        with self.meter:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.starts.append(time.monotonic())
        try:
            time.sleep(HOLD)
            return answer()
        finally:
            with self.meter:
                self.active -= 1
                self.ends.append(time.monotonic())

    def article_response(self, *args: Any, **kwargs: Any) -> Response:
        return self._metered(lambda: super(MeteredSite, self).article_response(*args, **kwargs))

    def respond(self, path: str) -> Response:
        return self._metered(lambda: super(MeteredSite, self).respond(path))


@pytest.fixture(scope="module")
def site() -> Iterator[MeteredSite]:
    with MeteredSite(articles=60, seed=23) as running:
        yield running


def run_workers(site: MeteredSite, redis_url: str, workdir: Path, **settings: str) -> list[subprocess.CompletedProcess[bytes]]:
    """Three ``latest`` workers of one distributed run, started together; their results."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    processes = []
    try:
        for name in ("w1", "w2", "w3"):
            folder = workdir / name
            folder.mkdir(parents=True)
            values = {**FAST, "BS_BASE_URL": site.base_url, "REDIS_URL": redis_url, "BS_REDIS_PREFIX": prefix,
                      "BS_WORKER_NAME": name, "BS_REDIS_IDLE_SECONDS": "6", **settings}
            command = [sys.executable, "-m", "scrapy", "crawl", "latest"]
            for setting, value in values.items():
                command += ["-s", f"{setting}={value}"]
            log = open(folder / "log", "wb")
            processes.append((subprocess.Popen(command, cwd=folder, env=ENV, stdout=subprocess.DEVNULL, stderr=log), log))
        return [subprocess.CompletedProcess(p.args, p.wait(timeout=300)) for p, _ in processes]
    finally:
        for process, log in processes:
            if process.poll() is None:
                process.kill()
            log.close()
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def logs(workdir: Path) -> str:
    return "\n".join((workdir / n / "log").read_text(errors="replace")[-2000:] for n in ("w1", "w2", "w3"))


@pytest.mark.long
def test_three_workers_share_one_budget(site: MeteredSite, redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    # Without the budget the three workers together exceed it: the measurement can fail.
    site.reset_meter()
    free = run_workers(site, redis_url, tmp_path / "free")
    assert [r.returncode for r in free] == [0, 0, 0], logs(tmp_path / "free")
    print(f"no budget: most in flight {site.most_active}")
    assert site.most_active > MAX_CONCURRENCY, site.most_active

    site.reset_meter()
    budget = {"BS_SITE_MAX_CONCURRENCY": str(MAX_CONCURRENCY), "BS_SITE_MAX_RATE": str(MAX_RATE)}
    kept = run_workers(site, redis_url, tmp_path / "kept", **budget)
    assert [r.returncode for r in kept] == [0, 0, 0], logs(tmp_path / "kept")
    starts, ends = sorted(site.starts), sorted(site.ends)
    requests = len(starts)
    assert requests > 50
    assert site.most_active <= MAX_CONCURRENCY, site.most_active
    # Requests begun in any one second: the rate, plus one for where the second's edges fall.
    busiest = max(sum(1 for t in starts[i:] if t < start + 1.0) for i, start in enumerate(starts))
    assert busiest <= MAX_RATE + 1, busiest
    # No slower than the budget allows: concurrency 2 with 0.3 s answers bounds it at 6.7/s, below the rate.
    slowest_allowed = requests * max(1 / MAX_RATE, HOLD / MAX_CONCURRENCY)
    elapsed = ends[-1] - starts[0]
    print(f"site budget: {requests} requests in {elapsed:.1f} s (budget allows {slowest_allowed:.1f} s), busiest second {busiest}, most in flight {site.most_active}")
    assert elapsed <= slowest_allowed * 1.25 + 3, (elapsed, slowest_allowed, requests)
    waited = sum(int(line.rsplit(":", 1)[1].strip(" ,")) for line in logs(tmp_path / "kept").splitlines() if "'bs/site_budget/waits'" in line)
    assert waited > 0, "the workers waited for the shared budget"
