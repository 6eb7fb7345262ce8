"""Short log lines for dropped items and items a pipeline failed on: the article id, URL and reason,
not the whole body; no per-response or per-item DEBUG records when the log does not show DEBUG."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def _shows_debug(crawler: Crawler) -> bool:
    """Whether Scrapy's log handler lets DEBUG records through (LOG_LEVEL); True when Scrapy installs
    none (LOG_ENABLED off), since other handlers may want them."""
    settings = crawler.settings
    if not settings.getbool("LOG_ENABLED", True):
        return True
    level = settings.get("LOG_LEVEL", "DEBUG")
    number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    return not isinstance(number, int) or number <= logging.DEBUG


class ArticleLogFormatter(LogFormatter):
    """Log a dropped article as one line instead of Scrapy's full item dump.

    Scrapy leaves the root logger at every level and filters in its handler (``LOG_LEVEL``), so the
    "Crawled (200)" and "Scraped from" DEBUG lines of every response and item are built (a log record
    with the caller's frame looked up) and then thrown away: with a log that does not show DEBUG they
    are not made at all (Scrapy skips a message its log formatter returns None for).
    """

    def __init__(self, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleLogFormatter:
        return cls(debug=_shows_debug(crawler))

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult:
        if not self.debug:
            return None  # type: ignore[return-value]
        return super().crawled(request, response, spider)

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        if not self.debug:
            return None  # type: ignore[return-value]
        return super().scraped(item, response, spider)

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        # Scrapy's line holds the whole item (the article's body); the id and URL say which one.
        # The traceback follows it (Scrapy logs the exception with it): this is a bug.
        adapter = ItemAdapter(item)
        return {
            "level": logging.ERROR,
            "msg": "Error processing article %(id)s <%(url)s>: %(error)s",
            "args": {"id": adapter.get("articleId"), "url": adapter.get("url"), "error": f"{type(exception).__name__}: {exception}"},
        }

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        # Unchanged articles are the normal case of an incremental run, not a warning.
        unchanged = type(exception).__name__ == "UnchangedArticle"
        if unchanged and not self.debug:
            return None  # type: ignore[return-value]
        adapter = ItemAdapter(item)
        return {
            "level": logging.DEBUG if unchanged else logging.WARNING,
            "msg": "Dropped article %(id)s <%(url)s>: %(reason)s",
            "args": {"id": adapter.get("articleId"), "url": adapter.get("url"), "reason": exception},
        }
