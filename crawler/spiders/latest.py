"""``scrapy crawl latest``: what was published since the last run, from feeds and news sitemaps."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.visited import source_key

from .base import on_hosts, require, site_hosts
from .discovery import DiscoverySpider


def latest_sources(settings: BaseSettings) -> list[str]:
    """``BS_LATEST_SOURCES`` without blank entries ("a,,b" or a trailing comma would read the home page)."""
    return [source.strip() for source in settings.getlist("BS_LATEST_SOURCES") if source.strip()]


# Two sources in one entry: a space, a tab, or a semicolon before a path or a URL.
TWO_SOURCES = re.compile(r"\s|;\s*(?:/|https?://)", re.IGNORECASE)


def source_path_problem(source: str, hosts: set[str]) -> str | None:
    """Why a ``BS_LATEST_SOURCES`` entry is neither a path on the site nor one http(s) URL; None when it is
    one (a URL's host is judged apart).

    Each was a path under ``BS_BASE_URL``, or a URL, that 404s: two sources a space or semicolon apart (after
    a whole URL too), a URL without its ``https://`` (or with ``//`` alone) or of another scheme. With the
    other sources read, the run said ok (exit 0), the source never read, one ERROR line per run.
    """
    if TWO_SOURCES.search(source):
        return "holds two sources; separate the sources with commas (/rss/latest.rss,/latest-news)"
    if source.lower().startswith(("http://", "https://")):
        return None
    if "://" in source:
        return "is neither a path on BS_BASE_URL's site nor an http(s) URL"
    # "//host/path", as a page's href writes a URL without its scheme, began with a slash: a path under it, a 404.
    relative = source.startswith("//")
    first = source.removeprefix("//").split("/", 1)[0]
    if relative or (not source.startswith("/") and (":" in first or on_hosts(f"http://{first}", hosts))):
        return f"names the host {first} without http(s)://; give the whole URL, or the path alone"
    return None


class LatestSpider(DiscoverySpider):
    """Reads every source in ``BS_LATEST_SOURCES``; the seen-store keeps it to new and changed articles."""

    name = "latest"
    # Paths on BS_BASE_URL, read from the setting in from_crawler.
    sources: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> LatestSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, LatestSpider)
        spider.sources = latest_sources(crawler.settings)
        return spider

    @classmethod
    def check_site(cls, arguments: Mapping[str, str], settings: BaseSettings | None) -> None:
        # A blanked setting would be an "ok" run that read nothing, every run. (Absent, outside the
        # project's settings, there is nothing to judge.)
        if settings is None or settings.get("BS_LATEST_SOURCES") is None:
            return
        sources = latest_sources(settings)
        require(bool(sources), "latest: BS_LATEST_SOURCES lists no feed, sitemap or listing to read")
        # A whole URL on another host would be refused at every run, with a WARNING only.
        hosts = site_hosts(settings)
        for source in sources:
            problem = source_path_problem(source, hosts)
            require(problem is None, f"latest: BS_LATEST_SOURCES entry {source!r} {problem}")
            if source.lower().startswith(("http://", "https://")):
                require(on_hosts(source, hosts), f"latest: BS_LATEST_SOURCES entry {source!r} is not on BS_BASE_URL's site ({', '.join(sorted(hosts))})")

    async def start(self) -> AsyncIterator[Request]:
        # Each source once: one given twice (a path and the whole URL, with a slash after it or not)
        # was refused as read already, a WARNING on every run, or read twice.
        urls: dict[str, str] = {}
        for path in self.sources:
            url = self.site_url(path)
            urls.setdefault(source_key(url).rstrip("/"), url)
        for url in urls.values():
            request = self.root_source(url)
            if request is not None:
                yield request
