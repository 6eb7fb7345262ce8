"""Short log lines for dropped items: the article id, URL and reason, not the whole body."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class ArticleLogFormatter(LogFormatter):
    """Log a dropped article as one line instead of Scrapy's full item dump."""

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        adapter = ItemAdapter(item)
        # Unchanged articles are the normal case of an incremental run, not a warning.
        unchanged = type(exception).__name__ == "UnchangedArticle"
        return {
            "level": logging.DEBUG if unchanged else logging.WARNING,
            "msg": "Dropped article %(id)s <%(url)s>: %(reason)s",
            "args": {"id": adapter.get("articleId"), "url": adapter.get("url"), "reason": exception},
        }
