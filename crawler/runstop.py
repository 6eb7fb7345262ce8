"""Closing the running crawl from a component (a block, a rate limit, a lost store), by the engine API the running Scrapy does not deprecate."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro


def stop_run(crawler: Crawler, reason: str) -> None:
    """Close the crawl's spider with ``reason`` (when it is open): ``close_spider_async`` where Scrapy
    has it (2.19 warns about ``close_spider()``, which 2.13 has alone)."""
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return
    close_async = getattr(engine, "close_spider_async", None)
    if close_async is not None:
        deferred_from_coro(close_async(reason=reason))
    else:
        engine.close_spider(engine.spider, reason)
