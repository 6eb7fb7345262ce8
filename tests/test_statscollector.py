"""The project's stats collector counts exactly as Scrapy's does, without Scrapy 2.14+'s per-access wrapper."""

from __future__ import annotations

from scrapy import Spider
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.statscollector import PlainStatsCollector


def _use(stats: MemoryStatsCollector) -> dict[str, object]:
    try:
        stats.open_spider()
    except TypeError:  # Scrapy 2.13 requires the spider argument, which 2.14+ deprecates
        stats.open_spider(Spider("x"))
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("b", start=10)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    stats.min_value("n", 3)
    stats.min_value("n", 1)
    stats.set_value("s", [1])
    assert stats.get_value("missing", "d") == "d"
    return dict(stats.get_stats())


def test_it_counts_as_scrapys_collector_does() -> None:
    assert _use(PlainStatsCollector(get_crawler())) == _use(MemoryStatsCollector(get_crawler())) == {
        "a": 3, "b": 11, "m": 3, "n": 1, "s": [1],
    }


def test_the_project_settings_select_it() -> None:
    settings = Settings()
    settings.setmodule(project_settings)
    crawler = get_crawler(settings_dict=settings.copy_to_dict())
    crawler._apply_settings()
    assert type(crawler.stats) is PlainStatsCollector
