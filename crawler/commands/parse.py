"""``scrapy parse <article URL>``: Scrapy's ``parse``, where the spider defaults to ``article`` and the callback to ``parse_article``."""

from __future__ import annotations

import argparse

from scrapy.commands.parse import Command as ScrapyParseCommand


class Command(ScrapyParseCommand):
    """Every spider of the project parses an article page the same way, so no ``-c``/``--spider`` is needed."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # The spiders learn their domains from BS_BASE_URL when they start, so Scrapy cannot pick one
        # by the URL; `article` is the one meant for a single page.
        if not opts.spider:
            opts.spider = "article"
            if args:
                opts.spargs.setdefault("url", args[0])  # the argument `article` insists on
        if not opts.callback and not opts.rules:
            opts.callback = "parse_article"
        super().run(args, opts)
