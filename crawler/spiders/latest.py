"""``scrapy crawl latest``: what was published since the last run, from feeds and news sitemaps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from .discovery import DiscoverySpider


class LatestSpider(DiscoverySpider):
    """Reads every source in ``BS_LATEST_SOURCES``; the seen-store keeps it to new and changed articles."""

    name = "latest"
    # Paths on BS_BASE_URL, read from the setting in from_crawler.
    sources: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> LatestSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, LatestSpider)
        spider.sources = crawler.settings.getlist("BS_LATEST_SOURCES")
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for path in self.sources:
            request = self.root_source(self.site_url(path))
            if request is not None:
                yield request
