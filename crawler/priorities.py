"""Settings that a spider's or an add-on's ``update_settings()`` must win, set at a priority that survives on every supported Scrapy.

From Scrapy 2.17 on, ``CrawlerProcess.crawl(crawler)`` (what ``scrapy crawl`` does with the crawler
it made first, crawler/commands/crawl.py) merges the process's settings into the crawler's again,
and every setting whose priority there is equal or higher is overwritten: a component dict that a
spider merged at the project priority it found (20) went back to the project's dict, so
``reextract`` lost the middleware that answers from the store and fetched pages live, and
distributed runs lost ``RedisLostPipeline``. Scrapy 2.13 … 2.16 did not merge again.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings


def surviving_priority(settings: BaseSettings, name: str) -> int:
    """The priority at which to set ``name`` so that the process's settings cannot overwrite it.

    The spider's priority, or one above the setting's own when that is already higher (a dict
    given with ``-s`` on the command line keeps what the user put in it and gets our entries).
    """
    current = settings.getpriority(name) or 0
    spider = SETTINGS_PRIORITIES["spider"]
    return spider if current < spider else current + 1


def merge_components(settings: BaseSettings, name: str, components: dict[str, Any]) -> None:
    """Add ``components`` (path → order, or None to switch one off) to the dict setting ``name``
    (``DOWNLOADER_MIDDLEWARES``, ``ITEM_PIPELINES`` …), keeping what the project and the user put there."""
    merged = settings.getdict(name)
    merged.update(components)
    settings.set(name, merged, priority=surviving_priority(settings, name))
