"""``scrapy version``: Scrapy's, whose exit status says so when the versions reached nobody (stdout closed or on a full disk)."""

from __future__ import annotations

import argparse

from scrapy.commands.version import Command as ScrapyVersionCommand

from crawler.commands.settingnames import CheckedSettings


class Command(CheckedSettings, ScrapyVersionCommand):
    """Scrapy's version (``-v``: its libraries' too); exit 1 with one ``error:`` line when it was lost."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        # A bug report's or an upgrade script's look at the versions: lost, it read as nothing installed.
        self.say_if_output_lost("the versions were read but not shown")
