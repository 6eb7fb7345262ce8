"""``scrapy crawl`` that checks spider arguments first, keeps runs of one spider apart, and exits
with the run's verdict so that cron can trust the status."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.health import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, STAT_EXIT
from crawler.state import run_lock


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, plus argument checks (exit 2), the run lock (exit 3) and the verdict's status."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            return super().run(args, opts)
        assert self.crawler_process and self.settings is not None
        try:
            spider_class = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"Spider not found: {args[0]}") from None
        check = getattr(spider_class, "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs)
            except UsageError as error:
                print(f"error: {error}", file=sys.stderr)
                self.exitcode = EXIT_USAGE
                return
        lock = run_lock(self.settings, spider_class.name) if getattr(spider_class, "incremental", False) else None
        if lock is not None and not lock.acquire():
            print(
                f"error: another '{spider_class.name}' run (pid {lock.holder()}) is still going; "
                f"not starting a second one ({lock.path})",
                file=sys.stderr,
            )
            self.exitcode = EXIT_LOCKED
            return
        try:
            crawler = self.crawler_process.create_crawler(spider_class)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        if self.crawler_process.bootstrap_failed or getattr(self.crawler_process, "has_exception", False):
            self.exitcode = EXIT_FAILED
            return
        status = crawler.stats.get_value(STAT_EXIT) if crawler.stats else None
        self.exitcode = EXIT_FAILED if status is None else int(status)
