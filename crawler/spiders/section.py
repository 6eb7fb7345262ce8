"""``scrapy crawl section -a sections=markets/news,companies/news -a pages=N``: walk section listings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.extraction.discovery import Entry, parse_listing

from .base import require
from .discovery import DiscoverySpider
from crawler import stats as stat

DEFAULT_PAGES = 5


def _sections(value: str) -> list[str]:
    return [s.strip().strip("/") for s in value.split(",") if s.strip().strip("/")]


class SectionSpider(DiscoverySpider):
    """Up to ``pages`` listing pages per section, stopping at a page whose articles were all seen."""

    name = "section"

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        sections = _sections(arguments.get("sections", ""))
        require(bool(sections), "section: give -a sections=markets/news,companies/news")
        for section in sections:
            require(
                all(part.replace("-", "").isalnum() for part in section.split("/")),
                f"section: {section!r} is not a section path like markets/news",
            )
        pages = arguments.get("pages", str(DEFAULT_PAGES))
        require(str(pages).isdigit() and int(pages) >= 1, f"section: pages={pages!r} must be a whole number >= 1")

    def __init__(self, *args: Any, sections: str = "", pages: str = str(DEFAULT_PAGES), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = _sections(sections)
        self.max_pages = int(pages)

    async def start(self) -> AsyncIterator[Request]:
        for section in self.sections:
            yield self.source_request(self.site_url(section), callback=self.parse_section, cb_kwargs={"section": section, "page": 1})

    def parse_section(self, response: Response, section: str, page: int) -> Iterator[Request]:
        self.count_source_read()
        listing = parse_listing(response.text if hasattr(response, "text") else "", response.url)
        all_seen = bool(listing.article_urls) and not self.fresh and all(self.is_seen(u) for u in listing.article_urls)
        yield from self.discovered((Entry(url=u) for u in listing.article_urls), response.url)
        if all_seen:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP)
            self.logger.info("Stopping at <%s>: every article on it was seen before", response.url)
            return
        if listing.article_urls and page < self.max_pages:
            # The site paginates as /<section>/page-N; a "next" link wins when there is one.
            next_page = listing.next_page or self.site_url(f"{section}/page-{page + 1}")
            yield self.source_request(
                next_page, callback=self.parse_section, cb_kwargs={"section": section, "page": page + 1}
            )
