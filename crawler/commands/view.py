"""``scrapy view URL``: Scrapy's, a look at one page in a browser that is no run of the crawler (crawler/monitoring/lookonly.py)."""

from __future__ import annotations

import argparse

from scrapy.commands.view import Command as ScrapyViewCommand

from crawler.commands.settingnames import CheckedSettings
from crawler.monitoring.lookonly import looking


class Command(CheckedSettings, ScrapyViewCommand):
    """The page opened in a browser, and nothing recorded, pinged or kept for the runs."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Scrapy's view is its fetch, not the project's: each view was an `ok` run in the history, pinged to the
        # cron monitor, and `--spider latest` opened the seen-store, did the day's prune and settled a killed run.
        with looking("view", self.settings, args[0] if args else None):
            super().run(args, opts)
