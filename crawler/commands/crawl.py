"""``scrapy crawl`` that checks spider arguments, the output and the seen-store first, keeps runs of one
spider apart, and exits with the run's verdict so that cron can trust the status."""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler import stats as stat
from crawler.distributed import redis_problem, worker_name
from crawler.jobdir import damage as jobdir_damage
from crawler.jobdir import settle as jobdir_settle
from crawler.incremental.feedstorage import unwritable_feeds
from crawler.incremental.lock import run_lock
from crawler.incremental.store import StateError, backend
from crawler.monitoring.heartbeat import ping_refused
from crawler.monitoring.history import record_refused
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_LOCKED, EXIT_OUTPUT, EXIT_REDIS, EXIT_STATE, EXIT_USAGE


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, plus argument checks (exit 2), Redis reachable (exit 8), the output writable
    (exit 6), the run lock (exit 3), the seen-store usable (exit 7) and the verdict's status."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Every request is built on BS_BASE_URL: an empty or scheme-less one would fail at start-up
        # with Scrapy's traceback.
        base = urlsplit(str(self.settings.get("BS_BASE_URL") or ""))
        if base.scheme not in ("http", "https") or not base.hostname:
            print(f"error: BS_BASE_URL={self.settings.get('BS_BASE_URL')!r} is not an http(s) URL "
                  "like https://www.business-standard.com", file=sys.stderr)
            sys.exit(EXIT_USAGE)
        # Wrong -a arguments: one `error:` line and exit 2 here, before Scrapy's process (and its
        # banner) exists, so nothing is fetched, logged or created first.
        if len(args) == 1:
            loader = load_object(self.settings.get("SPIDER_LOADER_CLASS"))
            try:
                spider_class = loader.from_settings(self.settings.frozencopy()).load(args[0])
            except KeyError:
                spider_class = None  # run() says so
            check = getattr(spider_class, "check_usage", None)
            if check is not None:
                try:
                    check(opts.spargs, self.settings)
                except UsageError as error:
                    self.refuse(self.settings, args[0], opts, EXIT_USAGE, str(error))
                    sys.exit(EXIT_USAGE)
        # `--logfile=logs/latest.log` in a crontab must work on a fresh machine: make its folder
        # (the log file is opened after this, when the crawler process is made).
        logfile = self.settings.get("LOG_FILE")
        if logfile:
            try:
                Path(str(logfile)).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise UsageError(f"cannot create the folder of the log file {logfile}: {error.strerror or error}") from None
        # A resumed run from a damaged JOBDIR would fail on every pop from its queue, for ever.
        jobdir = self.settings.get("JOBDIR")
        disk_queue = str(self.settings.get("SCHEDULER_DISK_QUEUE") or "")
        try:
            jobdir_settle(jobdir, disk_queue)
        except OSError:
            pass  # damage() names what is wrong with it
        damaged = jobdir_damage(jobdir, disk_queue) if jobdir else None
        if damaged:
            message = f"the JOBDIR at {jobdir} is damaged ({damaged}); delete it to start afresh"
            self.refuse(self.settings, args[0] if len(args) == 1 else "?", opts, EXIT_FAILED, message)
            sys.exit(EXIT_FAILED)

    def refuse(self, settings: BaseSettings, spider: str, opts: argparse.Namespace, status: int, message: str) -> None:
        """The refusal recorded in the run history and pinged to the cron monitor, then one ``error:`` line.

        Nothing more is printed unless the record or the ping failed: then one ``warning:`` line says
        so, before the error line (which stays the last, as cron's mail and scripts expect).
        """
        arguments = {str(k): str(v) for k, v in (getattr(opts, "spargs", None) or {}).items()}
        problems = [p for p in (record_refused(settings, spider, arguments, status, message), ping_refused(settings, spider, status, message)) if p]
        if problems:
            print(f"warning: {'; '.join(problems)}", file=sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = status

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
                return self.refuse(self.settings, spider_class.name, opts, EXIT_USAGE, str(error))
        incremental = bool(getattr(spider_class, "incremental", False))
        # Distributed mode (REDIS_URL, incremental spiders only: crawler/distributed/): Redis must
        # answer before anything is fetched.
        problem = redis_problem(self.settings) if incremental else None
        if problem:
            return self.refuse(self.settings, spider_class.name, opts, EXIT_REDIS, problem)
        # The crawler's settings have the spider's own (a distributed run's store, its default feed).
        crawler = self.crawler_process.create_crawler(spider_class)
        lock = None
        if incremental:
            lock = run_lock(crawler.settings, spider_class.name)
            try:
                acquired = lock.acquire()
            except StateError as error:
                return self.refuse(crawler.settings, spider_class.name, opts, EXIT_STATE, str(error))
            if not acquired:
                return self.refuse(
                    crawler.settings,
                    spider_class.name,
                    opts,
                    EXIT_LOCKED,
                    f"another '{spider_class.name}' run (pid {lock.holder()}) is still going; "
                    f"not starting a second one ({lock.path})",
                )
        try:
            if incremental:
                try:
                    backend(crawler.settings).check(crawler.settings)
                except StateError as error:
                    return self.refuse(crawler.settings, spider_class.name, opts, EXIT_STATE, str(error))
            extra = {"worker": worker_name(crawler.settings)}
            problems = unwritable_feeds(
                crawler.settings.getdict("FEEDS"), spider_class.name, extra, crawler.settings.getint("FEED_EXPORT_BATCH_ITEM_COUNT")
            )
            if problems:
                return self.refuse(crawler.settings, spider_class.name, opts, EXIT_OUTPUT, problems[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        if self.crawler_process.bootstrap_failed or getattr(self.crawler_process, "has_exception", False):
            self.exitcode = EXIT_FAILED
            return None
        status = crawler.stats.get_value(stat.EXIT_STATUS) if crawler.stats else None
        self.exitcode = EXIT_FAILED if status is None else int(status)
        return None
