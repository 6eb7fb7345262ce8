"""Distributed runs: once Redis is lost, articles still in the pipeline are dropped with one line each, never emitted."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler import stats as stat
from crawler.distributed import enabled
from crawler.incremental.extension import SeenStoreExtension


class RedisLostPipeline:
    """Before the incremental pipeline: an article that cannot be checked against the seen-store is not emitted.

    It is not marked seen either, so a later run fetches it again. Without this the incremental
    pipeline would fail on each such article with a traceback while the worker stops.
    """

    def __init__(self, stats: StatsCollector, seen: SeenStoreExtension | None) -> None:
        self.stats = stats
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisLostPipeline:
        if not enabled(crawler.settings):
            raise NotConfigured
        assert crawler.stats is not None
        return cls(crawler.stats, crawler.get_extension(SeenStoreExtension))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        store = self.seen.store if self.seen is not None else None
        if getattr(store, "lost", None) is not None:
            self.stats.inc_value(stat.REDIS_DROPPED_UNCHECKED)
            raise DropItem("not emitted: Redis was lost, so the seen-store could not be asked (a later run fetches it)")
        return item
