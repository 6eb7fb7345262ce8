"""Settings a spider or add-on adds survive the way ``scrapy crawl`` builds its crawler on every supported Scrapy (crawler/priorities.py).

``scrapy crawl`` (crawler/commands/crawl.py) makes the crawler with ``create_crawler()`` and then
hands it to ``crawl()``; from Scrapy 2.17 on that merges the process's settings into the crawler's
once more (``crawler.settings.update(process.settings)``). The tests make that merge themselves,
so they check the same thing on Scrapy 2.13, which does not merge.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.distributed import LOST_PIPELINE, LOST_PIPELINE_ORDER
from crawler.priorities import merge_components
from crawler.spiders.latest import LatestSpider
from crawler.reextract.middleware import LIVE_ONLY_MIDDLEWARES, StoredResponseMiddleware
from crawler.spiders.reextract import ReextractSpider

STORED = f"{StoredResponseMiddleware.__module__}.{StoredResponseMiddleware.__name__}"


def project_settings(**cmdline: Any) -> Settings:
    """The project's settings, plus ``cmdline`` as ``-s NAME=VALUE`` gives them."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    return settings


def built_as_scrapy_crawl_builds_it(spidercls: type[Spider], settings: Settings) -> Crawler:
    """``create_crawler(spidercls)``, then the settings merge ``crawl(crawler)`` does on Scrapy 2.17+, then the add-ons."""
    crawler = Crawler(spidercls, settings)
    crawler.settings.update(settings)
    crawler.addons.load_settings(crawler.settings)
    return crawler


def test_reextract_keeps_its_stored_response_middleware_and_drops_the_live_ones() -> None:
    crawler = built_as_scrapy_crawl_builds_it(ReextractSpider, project_settings())
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[STORED] == 1000
    assert all(middlewares[name] is None for name in LIVE_ONLY_MIDDLEWARES)


def test_a_command_line_middleware_dict_keeps_both_the_users_entries_and_reextracts() -> None:
    settings = project_settings(DOWNLOADER_MIDDLEWARES={"tests.somewhere.UserMiddleware": 123})
    crawler = built_as_scrapy_crawl_builds_it(ReextractSpider, settings)
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["tests.somewhere.UserMiddleware"] == 123
    assert middlewares[STORED] == 1000


def test_a_distributed_run_keeps_the_redis_lost_pipeline() -> None:
    crawler = built_as_scrapy_crawl_builds_it(LatestSpider, project_settings(REDIS_URL="redis://127.0.0.1:1/0"))
    pipelines = crawler.settings.getdict("ITEM_PIPELINES")
    assert pipelines[LOST_PIPELINE] == LOST_PIPELINE_ORDER
    assert pipelines["crawler.incremental.pipeline.IncrementalPipeline"] == 300  # the project's stay
    assert crawler.settings["SCHEDULER"] == "crawler.distributed.scheduler.RedisScheduler"


def test_splash_components_survive_too() -> None:
    crawler = built_as_scrapy_crawl_builds_it(ReextractSpider, project_settings(SPLASH_URL="http://127.0.0.1:1"))
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.splash.compat.SplashMiddleware"] == 725 and middlewares[STORED] == 1000


@pytest.mark.parametrize("start", ["default", "project", "spider", "cmdline"])
def test_merged_components_outrank_the_settings_they_were_merged_into(start: str) -> None:
    settings = Settings()
    settings.set("ITEM_PIPELINES", {"a.A": 1}, priority=start)
    before = settings.copy()
    merge_components(settings, "ITEM_PIPELINES", {"b.B": 2})
    settings.update(before)  # what Scrapy 2.17+ does with the process's settings
    assert settings.getdict("ITEM_PIPELINES") == {"a.A": 1, "b.B": 2}

