"""Short log lines for dropped items: the article id, URL and reason, not the whole body."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult


class ArticleLogFormatter(LogFormatter):
    """Log a dropped article as one line instead of Scrapy's full item dump."""

    def dropped(
        self, item: Any, exception: BaseException, response: Response | None, spider: Spider
    ) -> LogFormatterResult:
        adapter = ItemAdapter(item)
        return {
            "level": logging.WARNING,
            "msg": "Dropped article %(id)s <%(url)s>: %(reason)s",
            "args": {"id": adapter.get("articleId"), "url": adapter.get("url"), "reason": exception},
        }
