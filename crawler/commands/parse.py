"""``scrapy parse <article URL>``: Scrapy's ``parse``, where the spider defaults to ``article`` and the callback to ``parse_article``."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

from scrapy import Request, Spider
from scrapy.commands.parse import Command as ScrapyParseCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object

from crawler.commands.settingnames import CheckedSettings, spider_usage_problem
from crawler.extraction.urls import pasted_url
from crawler.monitoring.lookonly import looking
from crawler.monitoring.verdict import EXIT_USAGE
from crawler.splash import article_renderer

# The callback the spiders render through Splash (SPLASH_URL), as BusinessStandardSpider.article_request() does.
ARTICLE_CALLBACK = "parse_article"


class Command(CheckedSettings, ScrapyParseCommand):
    """Every spider of the project parses an article page the same way, so no ``-c``/``--spider`` is needed."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if args:
            # An address pasted in <>, quotes or brackets, with a full stop after it or through Google's AMP
            # cache, as `crawl article` reads it: taken by the check below, Scrapy fetched it as given and
            # printed its usage text. (Scrapy's run() reads the same list.)
            args[0] = pasted_url(args[0])
        # The spiders learn their domains from BS_BASE_URL when they start, so Scrapy cannot pick one
        # by the URL; `article` is the one meant for a single page.
        if not opts.spider:
            opts.spider = "article"
            if args:
                opts.spargs.setdefault("url", args[0])  # the argument `article` insists on
        if not opts.callback and not opts.rules:
            opts.callback = ARTICLE_CALLBACK
        if len(args) == 1:
            # The spider checks its arguments when it is made, inside the crawl: a URL off BS_BASE_URL's
            # site (the loopback's, without -s BS_BASE_URL) was a logged traceback and an empty result.
            # Checked here, before Scrapy's process exists, so the refusal is one line, as `crawl` gives it
            # (after the run had begun, it came below Scrapy's banner).
            assert self.settings is not None
            loader = load_object(self.settings.get("SPIDER_LOADER_CLASS")).from_settings(self.settings.frozencopy())
            try:
                problem = spider_usage_problem(loader, opts.spider, opts.spargs, self.settings)
            except UsageError:
                problem = None  # no such spider: Scrapy's own message
            if problem:
                print(f"error: {problem}", file=sys.stderr)
                sys.exit(EXIT_USAGE)
            if args[0].lower().startswith("file:"):
                # A saved page, as `crawl article` reads it: past the off-site filter, which dropped the
                # request without a word ("No response downloaded"), as the spider's own requests for
                # file:// pages are.
                opts.meta = {**(opts.meta or {}), "allow_offsite": True}

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # A look at one page, not a run: no verdict, run record, heartbeat or Spidermon suite (before, each
        # parse was an `article` run, `ok` whether the page came or not, pinged to the cron monitor).
        with looking("parse", self.settings, args[0] if args else None):
            super().run(args, opts)

    def prepare_request(self, spider: Spider, request: Request, opts: argparse.Namespace) -> Request:
        """Scrapy's request for the page, its callback a coroutine, and rendered through Splash as the
        spiders' article requests are.

        Scrapy's callback returns a Deferred, which Scrapy 2.14 and later warn about at every ``parse``
        ("Returning Deferreds from spider callbacks is deprecated"); awaited in a coroutine, it is the
        same list on every supported Scrapy. With ``SPLASH_URL`` the page was fetched plainly: the
        item's market numbers were null, where a crawl of the same page has them.
        """
        prepared = super().prepare_request(spider, request, opts)
        scrapys = prepared.callback
        assert callable(scrapys)

        async def callback(response: Response, **cb_kwargs: Any) -> Any:
            return await maybe_deferred_to_future(scrapys(response, **cb_kwargs))

        functools.update_wrapper(callback, scrapys)
        prepared.callback = callback
        if opts.callback != ARTICLE_CALLBACK or spider.crawler is None:
            return prepared
        return article_renderer(spider.crawler).render(prepared)
