"""The null spider: ``archive``'s discovery and requests, with nothing done to the article pages.

Run with ``scrapy runspider bench/null_spider.py`` under the project's settings module, so it is not
one of the product's spiders (``scrapy list``) yet runs with exactly the same settings, middlewares,
pipelines and feed export as ``scrapy crawl archive``. It yields no items, so pipelines and the feed
have nothing to do: the difference between the two runs is what extraction, validation, the seen-store
and writing the output cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders.archive import ArchiveSpider


class NullArchiveSpider(ArchiveSpider):
    """Fetches what ``archive`` fetches and drops every article response unread."""

    name = "null-archive"

    def parse_article(self, response: Response) -> Iterator[Any]:
        return iter(())
