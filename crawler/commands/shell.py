"""``scrapy shell [URL]``: Scrapy's, a look at pages that is no run of the crawler (crawler/monitoring/lookonly.py)."""

from __future__ import annotations

import argparse

from scrapy.commands.shell import Command as ScrapyShellCommand

from crawler.commands.settingnames import CheckedSettings
from crawler.monitoring.lookonly import looking


class Command(CheckedSettings, ScrapyShellCommand):
    """Scrapy's shell, with nothing recorded, pinged or kept for the runs."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # The shell's spider is never closed: its run stayed "running" until `scrapy runs` called it killed
        # ("the run was killed or crashed before its end"), and a spider given with --spider opened the seen-store.
        with looking("shell", self.settings, args[0] if args else None):
            super().run(args, opts)
