"""A null spider as a bare Scrapy project has it: Scrapy's own ``SitemapSpider`` over the site's
sitemap index, every article response dropped unread, and none of this project's code or settings.

It is the yardstick of "what a crawl costs before any work is done": ``scrapy runspider`` starts it
from an empty folder (no ``scrapy.cfg``, no ``SCRAPY_SETTINGS_MODULE``), so it runs with Scrapy's
default settings plus only the speed settings every benchmarked crawl gets (``bench/crawl.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response
from scrapy.spiders import SitemapSpider


class BareNullSpider(SitemapSpider):
    """Fetches every URL of every sitemap the index lists, and does nothing with the pages."""

    name = "bare-null"

    def __init__(self, base_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [f"{base_url.rstrip('/')}/sitemap/sitemap-index.xml"]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        return iter(())
