"""Progress of long runs from the stats: a log line at a steady interval, or one updating line (tqdm) when stderr is a terminal."""

from __future__ import annotations

import logging
import sys
import time
from datetime import date, datetime
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from crawler import stats as stat
from crawler.extraction.discovery import monthly_sitemap_month
from crawler.extraction.normalize import IST
from crawler.monitoring.history import spider_arguments

logger = logging.getLogger(__name__)


def months_between(since: date, until: date) -> int:
    return (until.year - since.year) * 12 + until.month - since.month + 1


def archive_months(arguments: dict[str, str]) -> int | None:
    """How many months an ``archive`` run covers, from its ``since``/``until`` arguments."""
    try:
        since = date.fromisoformat(arguments["since"])
        until = date.fromisoformat(arguments["until"]) if arguments.get("until") else datetime.now(IST).date()
    except (KeyError, ValueError):
        return None
    return max(0, months_between(since, until))


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _have_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:  # the [progress] extra is not installed: log lines on terminals too
        return False
    return True


class Progress:
    """The figures of one moment of a run, and how to say them."""

    def __init__(self, spider: str, months_total: int | None) -> None:
        self.spider = spider
        self.months_total = months_total
        self.months_done: set[tuple[int, int]] = set()

    def line(self, stats: dict[str, Any], elapsed: float) -> str:
        emitted = int(stats.get(stat.ITEMS_SCRAPED, 0))
        rate = emitted / elapsed * 60 if elapsed > 0 else 0.0
        if self.spider == "reextract":
            records = int(stats.get(stat.REEXTRACT_RECORDS, 0))
            return (
                f"records {records}, items {emitted} ({records / max(elapsed, 1e-6):.0f} records/s, "
                f"{rate:.0f} items/min), elapsed {duration(elapsed)}"
            )
        found = int(stats.get(stat.DISCOVERY_NEW, 0)) + int(stats.get(stat.DISCOVERY_CHANGED, 0))
        fetched = max(0, int(stats.get(stat.RESPONSES_RECEIVED, 0)) - int(stats.get(stat.DISCOVERY_SOURCES_READ, 0)))
        parts = []
        if self.months_total is not None:
            done = len(self.months_done)
            parts.append(f"months {done}/{self.months_total} done")
        parts.append(f"found {found}, fetched {fetched}, emitted {emitted} ({rate:.0f}/min)")
        parts.append(f"elapsed {duration(elapsed)}")
        eta = self.eta(elapsed, found, fetched)
        if eta is not None:
            parts.append(f"ETA {duration(eta)}")
        return ", ".join(parts)

    def eta(self, elapsed: float, found: int, fetched: int) -> float | None:
        """Time left: by months read when the run covers months, else by articles found but not yet fetched."""
        if self.months_total and self.months_done:
            # A month counts as done once its sitemap was read; its articles are still to fetch,
            # so scale by how much of what was found has been fetched.
            # Fetched counts every answer but the sources' (robots.txt, retries, redirects), so it
            # passes found near the end: the share above 1 gave an ETA below zero ("ETA -1h59m").
            share = min(1.0, len(self.months_done) / self.months_total * (min(1.0, fetched / found) if found else 1.0))
            return elapsed / share - elapsed if share > 0 else None
        if found and fetched:
            return elapsed / fetched * max(0, found - fetched)
        return None


class ProgressExtension:
    """Every ``BS_PROGRESS_INTERVAL`` seconds: ``Progress (archive): months 3/12 done, found …, ETA …``;
    on a terminal a tqdm line instead (never in cron's logs, where stderr is a file)."""

    def __init__(self, crawler: Crawler, interval: float, stream: TextIO) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.interval = interval
        self.stream = stream
        self.terminal = crawler.settings.getbool("BS_PROGRESS_BAR") and stream.isatty() and _have_tqdm()
        self.progress: Progress | None = None
        self.started = 0.0
        self.loop: task.LoopingCall | None = None
        self.bar: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        interval = crawler.settings.getfloat("BS_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured  # no message: Scrapy would log it as a warning
        return cls(crawler, interval, sys.stderr)

    def spider_opened(self, spider: Spider) -> None:
        months = archive_months(spider_arguments(sys.argv)) if spider.name == "archive" else None
        self.progress = Progress(spider.name, months)
        self.started = time.monotonic()
        if self.terminal:
            from tqdm import tqdm

            self.bar = tqdm(total=months, unit="month", desc=spider.name, file=self.stream, dynamic_ncols=True, leave=True)
        # The bar redraws often; the log line only at the interval.
        self.loop = task.LoopingCall(self.report)
        self.loop.start(1.0 if self.terminal else self.interval, now=False)

    def response_received(self, response: Response, request: Any, spider: Spider) -> None:
        month = monthly_sitemap_month(response.url)
        if month is not None and self.progress is not None:
            self.progress.months_done.add(month)

    def report(self) -> None:
        if self.progress is None:
            return
        elapsed = time.monotonic() - self.started
        line = self.progress.line(self.stats.get_stats(), elapsed)
        if self.bar is not None:
            self.bar.n = len(self.progress.months_done)
            self.bar.set_postfix_str(line, refresh=False)
            self.bar.refresh()
        else:
            logger.info("Progress (%s): %s", self.progress.spider, line)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.bar is not None:
            self.report()
            self.bar.close()
            self.bar = None
