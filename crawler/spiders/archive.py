"""``scrapy crawl archive -a since=YYYY-MM-DD [-a until=YYYY-MM-DD]``: backfill from the monthly sitemaps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import date, datetime
from typing import Any

from scrapy import Request

from crawler.extraction.discovery import Entry, monthly_sitemap_month
from crawler.extraction.normalize import IST

from .base import require
from .discovery import DiscoverySpider

INDEX_PATH = "/sitemap/sitemap-index.xml"


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        require(False, f"archive: {name}={value!r} is not a date like 2024-02-28")
        raise AssertionError from None  # unreachable: require raised


def today_ist() -> date:
    """Today in India, the site's calendar."""
    return datetime.now(IST).date()


class ArchiveSpider(DiscoverySpider):
    """Fetches the articles published from ``since`` to ``until`` (inclusive) from the monthly sitemaps.

    An article's day is its publication day: the sitemap's news publication date, else the day
    encoded in its id, else its ``lastmod``.
    """

    name = "archive"

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        require("since" in arguments, "archive: give -a since=YYYY-MM-DD (and optionally -a until=YYYY-MM-DD)")
        since = _day(arguments["since"], "since")
        until = _day(arguments["until"], "until") if arguments.get("until") else today_ist()
        require(since <= until, f"archive: since={since} is after until={until}")

    def __init__(self, *args: Any, since: str = "", until: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.since = _day(since, "since")
        self.until = _day(until, "until") if until else today_ist()

    async def start(self) -> AsyncIterator[Request]:
        yield self.source_request(self.site_url(INDEX_PATH))

    def wants_sitemap(self, entry: Entry) -> bool:
        month = monthly_sitemap_month(entry.url)
        if month is None:
            return False
        first = (self.since.year, self.since.month)
        last = (self.until.year, self.until.month)
        return first <= month <= last

    def accepts(self, entry: Entry) -> bool:
        day = entry.publication_day or (entry.lastmod.date() if entry.lastmod else None)
        return day is not None and self.since <= day <= self.until
