"""Parts 2–4: whole crawls of a loopback site in subprocesses, timed, with their CPU and peak RSS.

The site runs in its own process (``python -m tests.loopback``), so the crawl process measured is
the crawler alone. CPU time and peak RSS come from the kernel (``wait4``: ``ru_utime``, ``ru_stime``,
``ru_maxrss``, through the small launcher in ``bench/child.py``), so they cover the whole crawl
process from start to exit, sampled by nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NULL_SPIDER = Path(__file__).resolve().parent / "null_spider.py"
# Both spiders run with exactly these settings (on top of crawler/settings.py). AutoThrottle is off
# and there is no delay: the loopback site needs no politeness, and a throttle would time itself.
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}
SINCE = "2000-01-01"  # the archive spider's range covers the whole corpus
_STAT = re.compile(r"'([a-z_/0-9.-]+)': (\d+(?:\.\d+)?)")


@dataclass
class CrawlRun:
    """One crawl process: what it cost and what it did."""

    spider: str
    articles: int
    wall: float  # seconds, process start to exit
    cpu: float  # user + system seconds of the crawl process
    max_rss_mib: float
    status: int
    stats: dict[str, float] = field(default_factory=dict)
    site_requests: int = 0  # requests the site answered during the run
    site_article_requests: int = 0
    site_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return int(self.stats.get("downloader/request_count", 0))

    @property
    def items(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))


class Site:
    """A loopback site in a child process, and its control endpoints."""

    def __init__(self, articles: int) -> None:
        self.articles = articles
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.loopback", "--port", "0", "--articles", str(articles)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", first)
        if not match:
            self.stop()
            raise RuntimeError(f"the loopback site did not start: {first!r}")
        self.base_url = match.group(1)
        for _ in range(200):
            try:
                self.control("counts")
                break
            except OSError:
                time.sleep(0.05)

    def control(self, action: str) -> Any:
        with urllib.request.urlopen(f"{self.base_url}/_control/{action}", timeout=30) as answer:
            return json.loads(answer.read())

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def loopback(articles: int) -> Iterator[Site]:
    site = Site(articles)
    try:
        yield site
    finally:
        site.stop()


BARE_NULL_SPIDER = Path(__file__).resolve().parent / "bare_null_spider.py"
# What each crawl variant is: ``archive`` as users run it (``-O out.jsonl``), the null spider with
# this project's settings, and a null spider of a bare Scrapy project (Scrapy's defaults).
VARIANTS = ("archive", "null-ours", "null-bare")


def crawl(site: Site, spider: str, workdir: Path, *args: str) -> CrawlRun:
    """One crawl of the whole site in ``workdir``: ``spider`` is one of :data:`VARIANTS`."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{spider}-{len(list(workdir.glob('*.log')))}.log"
    settings = {**SETTINGS, "LOG_FILE": str(log)}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    cwd = workdir
    if spider == "null-bare":
        # From an empty folder and without the project's settings module: Scrapy's defaults.
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        cwd = workdir / "bare"
        cwd.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "scrapy", "runspider", str(BARE_NULL_SPIDER), "-a", f"base_url={site.base_url}"]
    else:
        settings.update({"BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(workdir / "state")})
        if spider == "null-ours":
            command = [sys.executable, "-m", "scrapy", "runspider", str(NULL_SPIDER), "-a", f"since={SINCE}"]
        else:
            output = workdir / f"out-{len(list(workdir.glob('out-*.jsonl')))}.jsonl"
            command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"since={SINCE}", "-O", str(output)]
    command += list(args)
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    usage = workdir / f"{log.stem}.usage.json"
    launcher = [sys.executable, "-m", "bench.child", str(usage)]
    site.control("reset")
    site_cpu = site.cpu_seconds()
    start = time.perf_counter()
    subprocess.run(launcher + command, cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    measured = json.loads(usage.read_text())
    counts = site.control("counts")
    text = log.read_text(encoding="utf-8", errors="replace")
    dump = text[text.rfind("Dumping Scrapy stats") :]
    stats = {key: float(value) for key, value in _STAT.findall(dump)}
    return CrawlRun(
        spider=spider,
        articles=site.articles,
        wall=wall,
        cpu=measured["cpu"],
        max_rss_mib=measured["max_rss_kib"] / 1024,  # KiB on Linux
        status=measured["status"],
        stats=stats,
        site_requests=int(counts["requests"]),
        site_article_requests=int(counts["article_requests"]),
        site_cpu=site.cpu_seconds() - site_cpu,
    )


@dataclass
class CrawlResult:
    """Every run of parts 2–4."""

    rounds: list[dict[str, CrawlRun]] = field(default_factory=list)  # one run of each variant per round
    memory: list[CrawlRun] = field(default_factory=list)  # archive and null-ours at each size
    no_change: CrawlRun | None = None
    first_full: CrawlRun | None = None  # the run that filled the seen-store before the no-change run

    def ratios(self, attribute: str, baseline: str) -> list[float]:
        """``archive`` ÷ ``baseline`` for ``attribute`` (cpu, wall), one per round."""
        return [float(getattr(r["archive"], attribute)) / float(getattr(r[baseline], attribute)) for r in self.rounds]


def measure(
    crawl_articles: int, memory_sizes: tuple[int, ...], rounds: int, no_change_size: int, progress: Any = print
) -> CrawlResult:
    """Paired, interleaved rounds of the three variants; then peak memory at each size (the null
    spider only up to ``no_change_size``, for reference); at ``no_change_size`` also a no-change run."""
    result = CrawlResult()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as scratch:
        base = Path(scratch)
        with loopback(crawl_articles) as site:
            for round_ in range(rounds):
                # Rotate which goes first, so a machine slowing down or warming up hurts all alike.
                order = VARIANTS[round_ % len(VARIANTS) :] + VARIANTS[: round_ % len(VARIANTS)]
                runs: dict[str, CrawlRun] = {}
                for spider in order:
                    run = crawl(site, spider, base / f"round-{round_}-{spider}")
                    progress(
                        f"  round {round_ + 1}/{rounds} {spider} over {crawl_articles}: {run.wall:.1f} s wall, "
                        f"{run.cpu:.1f} s CPU, {run.requests} requests, exit {run.status}"
                    )
                    runs[spider] = run
                result.rounds.append(runs)
        for size in memory_sizes:
            with loopback(size) as site:
                for spider in ("null-ours", "archive") if size <= no_change_size else ("archive",):
                    workdir = base / f"memory-{size}-{spider}"
                    run = crawl(site, spider, workdir)
                    progress(f"  crawl {spider} over {size}: {run.wall:.1f} s, peak RSS {run.max_rss_mib:.0f} MiB, exit {run.status}")
                    result.memory.append(run)
                    if spider == "archive" and size == no_change_size:
                        result.first_full = run
                        # The same site again, nothing changed: the seen-store knows every article.
                        result.no_change = crawl(site, "archive", workdir)
                        progress(
                            f"  no-change archive over {size}: {result.no_change.wall:.1f} s, "
                            f"{result.no_change.site_article_requests} article requests"
                        )
    return result
