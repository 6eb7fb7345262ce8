"""``scrapy list``: Scrapy's, whose exit status says so when the list reached nobody (stdout closed or on a full disk)."""

from __future__ import annotations

import argparse

from scrapy.commands.list import Command as ScrapyListCommand

from crawler.commands.settingnames import CheckedSettings


class Command(CheckedSettings, ScrapyListCommand):
    """The spiders' names, one a line; exit 1 with one ``error:`` line when they were lost."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        # A script reads the names (`for spider in $(scrapy list)`): lost, they read as no spider at all.
        self.say_if_output_lost("the spiders were listed but not shown")
