"""``scrapy fetch URL``: Scrapy's, a look at one page that is no run of the crawler (crawler/monitoring/lookonly.py)."""

from __future__ import annotations

import argparse

from scrapy.commands.fetch import Command as ScrapyFetchCommand

from crawler.commands.settingnames import CheckedSettings
from crawler.monitoring.lookonly import looking


class Command(CheckedSettings, ScrapyFetchCommand):
    """The page printed, and nothing recorded, pinged or kept for the runs."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Before, each fetch was an `ok` run of the `default` spider in the history, pinged to the cron monitor.
        with looking("fetch", self.settings, args[0] if args else None):
            super().run(args, opts)
