"""Downloader middleware that recognises Akamai block pages, counts them and stops a hopeless run."""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector

from crawler.extraction import is_block_page
from crawler import stats as stat

logger = logging.getLogger(__name__)


class BlockPageMiddleware:
    """Count Akamai "Access Denied" answers (403, or 200) and close the run when most answers are blocks.

    Closing early is the back-off: hammering a site that blocks us only prolongs the block.
    """

    def __init__(self, crawler: Crawler, max_share: float, min_responses: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.max_share = max_share
        self.min_responses = min_responses
        self.responses = 0
        self.blocked = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockPageMiddleware:
        return cls(
            crawler,
            max_share=crawler.settings.getfloat("BS_MAX_BLOCKED_SHARE"),
            min_responses=crawler.settings.getint("BS_BLOCKED_MIN_RESPONSES"),
        )

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        self.responses += 1
        if response.status in (200, 403) and isinstance(response, TextResponse) and is_block_page(response.text):
            self.blocked += 1
            self.stats.inc_value(stat.BLOCKED)
            self.stats.inc_value(stat.blocked(response.status))
            logger.warning("Blocked by Akamai (status %d) at <%s>", response.status, response.url)
            self._maybe_close(spider)
        elif response.status == 403:
            # A 403 without Akamai's page: still a refusal.
            self.blocked += 1
            self.stats.inc_value(stat.BLOCKED)
            self.stats.inc_value(stat.blocked(403))
            self._maybe_close(spider)
        return response

    def _maybe_close(self, spider: Spider) -> None:
        if self.closing or self.responses < self.min_responses:
            return
        if self.blocked / self.responses > self.max_share:
            self.closing = True
            logger.error(
                "Closing the run: %d of %d responses were block pages (more than %.0f%%); backing off",
                self.blocked,
                self.responses,
                self.max_share * 100,
            )
            assert self.crawler.engine is not None
            self.crawler.engine.close_spider(spider, "blocked")
