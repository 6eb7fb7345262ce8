"""``scrapy crawl`` that checks spider arguments first, keeps runs of one spider apart, and exits
with the run's verdict so that cron can trust the status."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.misc import load_object

from crawler.distributed import redis_problem
from crawler.feeds import unwritable_feeds
from crawler.jobdir import damage as jobdir_damage
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_LOCKED, EXIT_OUTPUT, EXIT_REDIS, EXIT_STATE, EXIT_USAGE
from crawler import stats as stat
from crawler.state import StateError, check_seen_store, run_lock


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, plus argument checks (exit 2), Redis reachable (exit 8), the run lock (exit 3) and the verdict's status."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Wrong -a arguments: one `error:` line and exit 2 here, before Scrapy's process (and its
        # banner) exists, so nothing is fetched or logged first.
        if len(args) == 1:
            assert self.settings is not None
            try:
                loader = load_object(self.settings.get("SPIDER_LOADER_CLASS"))
                spider_class = loader.from_settings(self.settings.frozencopy()).load(args[0])
            except KeyError:
                return  # run() says so
            check = getattr(spider_class, "check_usage", None)
            if check is not None:
                try:
                    check(opts.spargs, self.settings)
                except UsageError as error:
                    print(f"error: {error}", file=sys.stderr)
                    sys.exit(EXIT_USAGE)
        # A resumed run from a damaged JOBDIR would fail on every pop from its queue, for ever.
        assert self.settings is not None
        jobdir = self.settings.get("JOBDIR")
        damaged = jobdir_damage(jobdir, str(self.settings.get("SCHEDULER_DISK_QUEUE") or "")) if jobdir else None
        if damaged:
            print(f"error: the JOBDIR at {jobdir} is damaged ({damaged}); delete it to start afresh", file=sys.stderr)
            sys.exit(EXIT_FAILED)

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
        # Distributed mode (REDIS_URL, incremental spiders only: crawler/distributed/): Redis must
        # answer before anything is fetched.
        problem = redis_problem(self.settings) if getattr(spider_class, "incremental", False) else None
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = EXIT_REDIS
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
        if lock is not None:
            try:
                check_seen_store(self.settings)
            except StateError as error:
                lock.release()
                print(f"error: {error}", file=sys.stderr)
                self.exitcode = EXIT_STATE
                return
        try:
            crawler = self.crawler_process.create_crawler(spider_class)
            feeds = crawler.settings.getdict("FEEDS")
            problems = unwritable_feeds(feeds)
            if problems:
                print(f"error: {problems[0]}", file=sys.stderr)
                self.exitcode = EXIT_OUTPUT
                return
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        if self.crawler_process.bootstrap_failed or getattr(self.crawler_process, "has_exception", False):
            self.exitcode = EXIT_FAILED
            return
        status = crawler.stats.get_value(stat.EXIT_STATUS) if crawler.stats else None
        self.exitcode = EXIT_FAILED if status is None else int(status)
