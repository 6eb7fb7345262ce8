"""``BS_GC_FREEZE``: the objects of start-up (modules, settings, components, the opened stores) are put
out of the cyclic garbage collector's reach once the engine has started, so that its full collections
during the crawl walk only what the crawl made.

Some 80,000 objects are alive when a crawl starts and stay alive until it ends; each full collection
walked them all again (CPython collects the oldest generation when it has grown by a quarter). Frozen
(``gc.freeze()``), they are still freed by their reference counts as ever; only garbage cycles among
them wait until ``gc.unfreeze()`` when the engine stops. A process that runs several crawls one after
another (tests, ``CrawlerRunner``) gets them back into the collector's reach at each crawl's end.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class GcFreezeExtension:
    """Freezes the garbage collector's view of start-up at ``engine_started``, unfreezes at ``engine_stopped``."""

    def __init__(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreezeExtension:
        if not crawler.settings.getbool("BS_GC_FREEZE", True):
            raise NotConfigured
        return cls(crawler)

    def engine_started(self) -> None:
        # Not gc.collect() first: that is a full collection of its own, the cost this saves; the few
        # garbage cycles of start-up, if any, are freed at the unfreeze instead.
        if not gc.isenabled() or gc.get_freeze_count():
            return  # the collector is off, or frozen by someone else (another crawl of this process): theirs to undo
        gc.freeze()
        self.frozen = True

    def engine_stopped(self) -> None:
        if self.frozen:
            self.frozen = False
            gc.unfreeze()
