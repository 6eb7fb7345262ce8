"""A distributed worker's mark of a run that wrote no article, beside where its feed file would be, so ``scrapy merge`` tells it from a failed copy."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.feed_names import EMPTY_RUN_MARK_SUFFIX, ist_time
from crawler.incremental import signals as bs_signals
from crawler.incremental.store import FeedRecord

logger = logging.getLogger(__name__)



def mark_name(spider: str, worker: str) -> str:
    """One a worker name, replaced by each of its runs that writes no article and removed by the next that
    writes one (a file per run, as the feed's name has, would be one every five minutes of a `latest` cron
    line with nothing new; FEED_STORE_EMPTY is off for that reason)."""
    return f"{spider}-{worker}{EMPTY_RUN_MARK_SUFFIX}"


class EmptyRunMark:
    """Without it, a worker that found nothing to take wrote no file, and ``scrapy merge`` of every machine's
    folder refused its folder (exit 2) as a machine's copy that failed: the README's merge line failed after
    a normal run. Only the default feed of a distributed run (``BS_REDIS_DEFAULT_FEED``) is marked: a feed of
    the user's own (``-o``) is theirs to name."""

    def __init__(self, crawler: Crawler, template: str) -> None:
        self.crawler = crawler
        self.template = template
        self.written = False
        crawler.signals.connect(self.feed_file_opened, signal=bs_signals.feed_file_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EmptyRunMark:
        template = str(crawler.settings.get("BS_REDIS_DEFAULT_FEED") or "")
        # (configure() sets BS_DEFAULT_FEED to it; the spider makes FEEDS of it only when none were given.)
        if not crawler.settings.get("REDIS_URL") or not template or template not in crawler.settings.getdict("FEEDS"):
            raise NotConfigured
        if "://" in template and not template.startswith("file://"):
            raise NotConfigured  # (a remote storage: no folder a mark could go in)
        return cls(crawler, template.removeprefix("file://"))

    def feed_file_opened(self, feed: FeedRecord) -> None:
        self.written = True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        folder = self._folder(spider)
        if folder is None:
            return
        mark = folder / mark_name(str(spider.name), str(getattr(spider, "worker", "") or "worker"))
        try:
            if self.written:
                mark.unlink(missing_ok=True)
                return
            folder.mkdir(parents=True, exist_ok=True)
            temporary = mark.with_name(f".{mark.name}.{os.getpid()}.tmp")
            record: dict[str, Any] = {
                "worker": getattr(spider, "worker", ""), "spider": spider.name, "articles": 0, "reason": reason,
                "finished": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            }
            try:
                temporary.write_text(json.dumps(record) + "\n", encoding="utf-8")
                os.replace(temporary, mark)
            finally:
                temporary.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("Could not leave the mark of a run that wrote no article, %s (%s): `scrapy merge` takes a "
                           "copy of this machine's folder without a feed file for a failed copy", mark, error.strerror or error)

    def _folder(self, spider: Spider) -> Path | None:
        """The folder the default feed's file would have been written in (its name's placeholders filled in as
        Scrapy fills them in the file's), None when the name takes one this cannot fill."""
        params = {name: getattr(spider, name) for name in dir(spider) if not name.startswith("_")}
        params.update(name=spider.name, time=ist_time(), batch_time=ist_time(), batch_id=1)
        try:
            return Path(self.template % params).parent
        except (KeyError, ValueError, TypeError):
            return None
