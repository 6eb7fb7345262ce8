"""``scrapy crawl article -a url=… | -a urls=…,… | -a url_file=PATH``: fetch the given article pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request

from .base import BusinessStandardSpider, require
from crawler import stats as stat

URL_ARGUMENTS = ("url", "urls", "url_file")


def _given_urls(arguments: Mapping[str, Any]) -> list[str]:
    urls: list[str] = []
    if arguments.get("url"):
        urls.append(str(arguments["url"]).strip())
    if arguments.get("urls"):
        urls.extend(u.strip() for u in str(arguments["urls"]).split(",") if u.strip())
    if arguments.get("url_file"):
        lines = Path(arguments["url_file"]).read_text(encoding="utf-8").splitlines()
        urls.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return list(dict.fromkeys(urls))


class ArticleSpider(BusinessStandardSpider):
    """Fetch article URLs given on the command line, in a file, or saved pages as ``file://`` URLs."""

    name = "article"

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        require(any(arguments.get(k) for k in URL_ARGUMENTS), "article: give -a url=URL, -a urls=URL,URL or -a url_file=PATH")
        url_file = arguments.get("url_file")
        if url_file:
            require(Path(url_file).is_file(), f"article: url_file {url_file!r} does not exist or is not a file")
        for url in _given_urls(arguments):
            require(urlsplit(url).scheme in {"http", "https", "file"}, f"article: not an http(s) or file:// URL: {url!r}")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = _given_urls(kwargs)

    async def start(self) -> AsyncIterator[Request]:
        assert self.crawler.stats is not None
        for url in self.start_urls:
            # Counted like discovered articles, so a run that extracts none of them fails (exit 5).
            self.crawler.stats.inc_value(stat.DISCOVERY_NEW)
            yield self.article_request(url)
