"""Scrapy's HTTP cache for article pages only: discovery (feeds, sitemaps, listings, robots.txt) is always live.

A cached feed would show the same articles on every run, so nothing new would ever be found. Article
pages are still cached, so ``scrapy crawl reextract -a source=HTTPCACHE_DIR`` keeps working.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.httpcache import DummyPolicy
from scrapy.http import Request

from crawler.extraction.urls import ARTICLE, url_kind


def _page_url(request: Request) -> str:
    # A Splash request's URL is the render endpoint; the page is in its arguments.
    splash: Any = request.meta.get("splash")
    if isinstance(splash, dict):
        url = (splash.get("args") or {}).get("url")
        if isinstance(url, str):
            return url
    return request.url


class ArticlesOnlyPolicy(DummyPolicy):
    """Scrapy's default policy (cache everything, never expire), for article pages only."""

    def should_cache_request(self, request: Request) -> bool:
        return url_kind(_page_url(request)) == ARTICLE and super().should_cache_request(request)
