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


def crawl(site: Site, spider: str, workdir: Path, *args: str) -> CrawlRun:
    """``scrapy crawl archive`` (or the null spider) over the whole site, in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{spider}-{len(list(workdir.glob('*.log')))}.log"
    if spider == "null":
        command = [sys.executable, "-m", "scrapy", "runspider", str(NULL_SPIDER)]
    else:
        command = [sys.executable, "-m", "scrapy", "crawl", spider]
    command += ["-a", f"since={SINCE}", *args]
    settings = {**SETTINGS, "BS_BASE_URL": site.base_url, "BS_STATE_DIR": str(workdir / "state"), "LOG_FILE": str(log)}
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    usage = workdir / f"{log.stem}.usage.json"
    launcher = [sys.executable, "-m", "bench.child", str(usage)]
    site.control("reset")
    site_cpu = site.cpu_seconds()
    start = time.perf_counter()
    subprocess.run(launcher + command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
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

    versus: list[CrawlRun] = field(default_factory=list)  # archive and null, back to back
    memory: list[CrawlRun] = field(default_factory=list)  # archive (and null) at each size
    no_change: CrawlRun | None = None
    first_full: CrawlRun | None = None  # the run that filled the seen-store before the no-change run


def measure(crawl_articles: int, memory_sizes: tuple[int, ...], repeats: int, progress: Any = print) -> CrawlResult:
    """Run the crawls; the last memory size is also the site of the no-change run."""
    result = CrawlResult()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as scratch:
        base = Path(scratch)
        with loopback(crawl_articles) as site:
            for round_ in range(repeats):
                # Alternate which goes first, so a machine slowing down hurts both alike.
                order = ("null", "archive") if round_ % 2 == 0 else ("archive", "null")
                for spider in order:
                    run = crawl(site, spider, base / f"versus-{round_}-{spider}")
                    progress(f"  crawl {spider} over {crawl_articles}: {run.wall:.1f} s, {run.requests} requests, exit {run.status}")
                    result.versus.append(run)
        for size in memory_sizes:
            with loopback(size) as site:
                for spider in ("null", "archive"):
                    workdir = base / f"memory-{size}-{spider}"
                    run = crawl(site, spider, workdir)
                    progress(f"  crawl {spider} over {size}: {run.wall:.1f} s, peak RSS {run.max_rss_mib:.0f} MiB, exit {run.status}")
                    result.memory.append(run)
                    if spider == "archive" and size == memory_sizes[-1]:
                        result.first_full = run
                        # The same site again, nothing changed: the seen-store knows every article.
                        result.no_change = crawl(site, "archive", workdir)
                        progress(
                            f"  no-change archive over {size}: {result.no_change.wall:.1f} s, "
                            f"{result.no_change.site_article_requests} article requests"
                        )
    return result
