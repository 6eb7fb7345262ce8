"""``scrapy crawl article -a url=… | -a urls=…,… | -a url_file=PATH``: fetch the given article pages."""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from .base import BusinessStandardSpider, landed_article_id, on_hosts, require, site_hosts
from crawler import stats as stat
from crawler.extraction.urls import SHORT_LINK_HOSTS, article_fetch_url, known_non_story, pasted_url

URL_ARGUMENTS = ("url", "urls", "url_file")
# A URL file is a short text file; anything larger is not one (a log, a dump, a binary).
URL_FILE_MAX_SIZE = 16 * 1024 * 1024


# Byte order marks of the Unicode files a Windows editor or shell writes a list of URLs in (Notepad's
# "Unicode", PowerShell 5's `>`: UTF-16 LE); UTF-32's first, as its little-endian mark begins as UTF-16's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _bom_encoding(data: bytes) -> str:
    """The encoding a URL file's byte order mark names; UTF-8 (its mark or none) otherwise."""
    return next((encoding for bom, encoding in BOMS if data.startswith(bom)), "utf-8-sig")


def _url_file_lines(path: str) -> list[str]:
    # `-a url_file=~/urls.txt` from cron's /bin/sh, which leaves the ~ as it is.
    file = Path(path).expanduser()
    require(file.is_file(), f"article: url_file {path!r} does not exist or is not a file")
    try:
        size = file.stat().st_size
        require(size <= URL_FILE_MAX_SIZE, f"article: url_file {path!r} is {size} bytes, not a list of URLs")
        data = file.read_bytes()
    except OSError as error:
        require(False, f"article: url_file {path!r} cannot be read ({error.strerror or error})")
        raise AssertionError from None  # unreachable: require raised
    try:
        text = data.decode(_bom_encoding(data))
    except UnicodeDecodeError:
        text = ""
    require(bool(text) or not data, f"article: url_file {path!r} is not a UTF-8 text file of URLs (nor UTF-16 or UTF-32 with a byte order mark)")
    require("\x00" not in text, f"article: url_file {path!r} is a binary file, not a text file of URLs")
    return text.splitlines()


def _given_addresses(arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each address given, as given and as read (:func:`pasted_url`: without the quotes, brackets or full
    stop it was pasted with, out of Google's AMP cache)."""
    given: list[str] = []
    if str(arguments.get("url") or "").strip():
        given.append(str(arguments["url"]).strip())
    if arguments.get("urls"):
        given.extend(u.strip() for u in str(arguments["urls"]).split(",") if u.strip())
    if arguments.get("url_file"):
        lines = _url_file_lines(str(arguments["url_file"]))
        given.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return [(address, pasted_url(address)) for address in given if pasted_url(address)]


def _given_urls(arguments: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(read for _, read in _given_addresses(arguments)))


# A second URL run on after the first (`-a url=A,B`, a url_file line "A;B"): one request for "A,B",
# which the site answered with B's page by the id at its end, A never fetched and B written with "A,B".
# B as the address bar shows it too: its host (a dotted name, or one with a port) and a slash.
RUN_ON_URL = re.compile(r"[,;]\s*(?:(?:https?|file):|(?:[\w-]+\.)+[\w-]+(?::\d+)?/|[\w-]+:\d+/)", re.IGNORECASE)


def _check_url(url: str) -> None:
    """A URL the spider can fetch: http(s) with a host, or a ``file://`` page that exists."""
    require(
        RUN_ON_URL.search(url) is None,
        f"article: {url!r} holds several URLs; give them separated by commas with -a urls=URL,URL, or one a line in -a url_file=PATH",
    )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        require(False, f"article: not a valid URL: {url!r} ({error})")
        raise AssertionError from None  # unreachable: require raised
    require(parts.scheme in {"http", "https", "file"}, f"article: not an http(s) or file:// URL: {url!r}")
    if parts.scheme == "file":
        require(parts.netloc in ("", "localhost"), f"article: a file:// URL names a file on this machine: {url!r}")
        path = Path(url2pathname(parts.path))
        require(path.is_file(), f"article: no such saved page: {str(path)!r} (from {url!r})")
    else:
        require(bool(host), f"article: no host in URL {url!r}")
        # Two URLs a space or tab apart ("-a urls='A B'") are one to Scrapy, which quotes the space
        # (and drops the tab): a page that does not exist, and both articles lost.
        require(
            not any(character.isspace() for character in url),
            f"article: {url!r} holds white space; give several URLs separated by commas (-a urls=URL,URL) or one a line (-a url_file=PATH)",
        )


class ArticleSpider(BusinessStandardSpider):
    """Fetch article URLs given on the command line, in a file, or saved pages as ``file://`` URLs."""

    name = "article"
    arguments = URL_ARGUMENTS

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, str]) -> None:
        require(any(arguments.get(k) for k in URL_ARGUMENTS), "article: give -a url=URL, -a urls=URL,URL or -a url_file=PATH")
        urls = _given_urls(arguments)
        given = " ".join(f"-a {name}={arguments[name]!r}" for name in URL_ARGUMENTS if arguments.get(name))
        require(bool(urls), f"article: {given} lists no URL")
        for url in urls:
            _check_url(url)

    @classmethod
    def check_site(cls, arguments: Mapping[str, str], settings: BaseSettings | None) -> None:
        hosts = site_hosts(settings) | set(SHORT_LINK_HOSTS)
        for url in _given_urls(arguments):
            if urlsplit(url).scheme != "file":
                require(on_hosts(url, hosts), f"article: {url!r} is not on BS_BASE_URL's site ({', '.join(sorted(hosts))})")
                # Fetched, it was skipped as no article and the run ended exit 5, the alarm for a redesign.
                # (A short link names no page of its own: it leads to one.)
                kind = None if on_hosts(url, set(SHORT_LINK_HOSTS)) else known_non_story(url)
                require(kind is None, f"article: {url!r} is {kind}, not a story; give a story's address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = _given_urls(kwargs)
        # The addresses read otherwise than given (said as the run starts, once its stats exist).
        self.pasted = {given: read for given, read in _given_addresses(kwargs) if read != given}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ArticleSpider)
        # A short link is fetched to follow its redirect to the story (no id in it: the story's page
        # names it, and a story given twice so is dropped as a duplicate after its fetch).
        spider.allowed_domains = sorted({*spider.allowed_domains, *SHORT_LINK_HOSTS})
        return spider

    def answered_other_kind(self, requested: str, kind: str, meta: Mapping[str, Any]) -> None:
        """An address given that is a page of another kind (a listing, a video): counted, for the verdict to
        say so (crawler/monitoring/verdict.py), where it was the alarm of a redesign."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(stat.ARGUMENT_NOT_ARTICLE)

    async def start(self) -> AsyncIterator[Request]:
        stats = self.crawler.stats
        assert stats is not None
        asked: set[str] = set()
        for given, read in self.pasted.items():
            stats.inc_value(stat.ARGUMENT_URL_PASTED)
            self.logger.info("%r read as <%s>: what stood around it is no part of the address", given, read)
        for given in self.start_urls:
            # One story, one request, by the address discovery would fetch it by (its AMP page, a
            # fragment, a host in capitals or ending in a dot are the story's canonical address): a
            # story given twice, under two slugs or as its AMP page, was fetched twice and written
            # under the address given. (Saved pages are files, each read as given.)
            url = given if given.startswith("file:") else article_fetch_url(given)
            # (By its path: a login or share link naming the story in its query is no address of it.)
            story = landed_article_id(url) if not given.startswith("file:") else None
            if story is not None and story in asked:
                stats.inc_value(stat.SAME_STORY_FOLDED)
                self.logger.info("<%s> is article %s, asked for already; fetched once", given, story)
                continue
            if story is not None:
                asked.add(story)
            # Counted like discovered articles, so a run that extracts none of them fails (exit 5).
            stats.inc_value(stat.DISCOVERY_NEW)
            # Not filtered, as Scrapy's own start requests are not: the URLs are unique already,
            # and a redirect inherits the flag. A redirect back to the same URL (a CDN's cookie
            # check) was otherwise dropped as a duplicate, logged at DEBUG only.
            yield self.article_request(url, dont_filter=True)
