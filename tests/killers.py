"""Extensions and an item filter that the tests' ``scrapy crawl`` subprocesses load to kill themselves
at a chosen point of an article's delivery.

Loaded by those runs, this module imports nothing that installs a Twisted reactor (tests.conftest,
tests.e2e do): a run with ``-s TWISTED_REACTOR=`` must get the reactor it asks for.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import ItemFilter

from crawler.incremental.extension import SeenStoreExtension

# The order that puts an extension between Scrapy's FeedExporter (0) and the delivery tracker (800).
ORDER = 500


def even(article_id: str) -> bool:
    return int(article_id[-1]) % 2 == 0


class EvenIds(ItemFilter):
    """An ``item_filter``: articles whose id ends in an even digit."""

    def accepts(self, item: Any) -> bool:
        return even(item.articleId)


class _KillAtConfirmBase:
    """Kills its own run (SIGKILL) as the seen-store is about to confirm an article, once ``due()``:
    after every feed took the item, where a real kill lands most often (the SQLite commit and its
    fsync are the longest step of an article's delivery)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    def due(self) -> bool:
        raise NotImplementedError

    def engine_started(self) -> None:
        seen = self.crawler.get_extension(SeenStoreExtension)
        confirm = seen.confirm

        def confirm_or_die(article_id: str) -> bool:
            if self.due():
                os.kill(os.getpid(), signal.SIGKILL)
            return confirm(article_id)

        seen.confirm = confirm_or_die  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)


class KillAtConfirm(_KillAtConfirmBase):
    """At the ``KILL_AT``-th confirm (environment)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.left = int(os.environ["KILL_AT"])

    def due(self) -> bool:
        self.left -= 1
        return self.left == 0


class KillOnceEvenHeld(_KillAtConfirmBase):
    """At the first confirm after an article with an even id was scraped: one a feed filtered by
    :class:`EvenIds` took and holds until its store."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.held = False
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    def item_scraped(self, item: Any) -> None:
        if even(item.articleId):
            self.held = True

    def due(self) -> bool:
        return self.held


class FillDiskAtClose:
    """Fills the file system of ``BS_STATE_DIR`` as the spider closes (``<state dir>/../disk-filler``):
    another program took the last free space while the run was ending, before it wrote its record."""

    def __init__(self, crawler: Crawler) -> None:
        self.filler = os.path.join(os.path.dirname(os.path.abspath(str(crawler.settings.get("BS_STATE_DIR")))), "disk-filler")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self) -> None:
        chunk = b"\0" * 4096
        with open(self.filler, "ab", buffering=0) as file:
            try:
                while True:
                    file.write(chunk)
            except OSError:
                pass

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)



class KillAtSettle:
    """Kills its own run (SIGKILL) as the seen-store is about to record the run's end: its feeds were
    closed and stored, and the run is still one a kill interrupted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    def engine_started(self) -> None:
        seen = self.crawler.get_extension(SeenStoreExtension)

        def die() -> None:
            os.kill(os.getpid(), signal.SIGKILL)

        seen.settle = die  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)
