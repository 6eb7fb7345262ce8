"""``scrapy check``: Scrapy's, where a spider that refuses its ``-a`` arguments says why in one line."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.check import Command as ScrapyCheckCommand
from scrapy.contracts import ContractsManager
from scrapy.exceptions import UsageError
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from crawler.commands.settingnames import CheckedSettings, spider_usage_problem
from crawler.monitoring.verdict import EXIT_USAGE


class Command(CheckedSettings, ScrapyCheckCommand):
    """Contracts of the spiders that take the ``-a`` arguments given; the others named, not crashed."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.list:
            return super().run(args, opts)
        assert self.crawler_process and self.settings is not None
        loader = self.crawler_process.spider_loader
        # As Scrapy's run() reads them (getwithbase before Scrapy 2.13's name for it).
        with_base = getattr(self.settings, "get_component_priority_dict_with_base", None) or self.settings.getwithbase
        contracts = ContractsManager(load_object(path) for path in build_component_list(with_base("SPIDER_CONTRACTS")))
        # A spider refuses wrong -a arguments when it is made, inside the contracts' crawl: with logging
        # off (check's default) that was "Ran 0 contracts ... OK" and exit 1, without a word of why.
        refused: dict[str, str] = {}
        for name in args or loader.list():
            if not args and not contracts.tested_methods_from_spidercls(loader.load(name)):
                continue  # no contracts (reextract): nothing to check, so nothing left unchecked
            # (Scrapy 2.13's check takes no -a arguments: every spider is checked without any.)
            problem = spider_usage_problem(loader, name, getattr(opts, "spargs", None) or {}, self.settings)
            if problem:
                refused[name] = problem
        if args and refused:
            # A spider named on the command line is checked as given, or not at all: exit 2, as crawl.
            print(f"error: {next(iter(refused.values()))}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return None
        runnable = [name for name in loader.list() if name not in refused]
        for problem in refused.values():
            # `scrapy check` alone: `article`, `archive` and `section` need -a arguments of their own.
            print(f"not checked: {problem}", file=sys.stderr)
        if not runnable:
            raise UsageError("no spider takes these -a arguments")
        return super().run(runnable if refused else args, opts)
