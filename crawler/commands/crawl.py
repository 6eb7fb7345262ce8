"""``scrapy crawl`` that checks spider arguments first (exit 2) and exits with the run's verdict."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

EXIT_USAGE = 2


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``, plus: wrong ``-a`` arguments → one line on stderr and exit status 2."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            return super().run(args, opts)
        assert self.crawler_process
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
        super().run(args, opts)
