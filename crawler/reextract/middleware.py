"""Re-extraction's downloader: stored responses answered as if fetched, and the records that are no article page.

Enabled by ``scrapy crawl reextract`` alone, after every other downloader middleware, so a stored
response goes back through the same ``process_response`` chain, callback, pipelines and feeds as a
fetched page.
"""

from __future__ import annotations

import re

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import StatsCollector

from crawler import stats as stat
from crawler.extraction.normalize import strip_amp
from crawler.extraction.urls import page_article_id

from .sources import Record, SkippedRecord, StoredResponse

STORED_RECORD = "stored_record"  # request.meta key of the StoredResponse a request stands for
# Where the network would be: after every other downloader middleware (HttpCacheMiddleware
# is at 900), so a stored response travels back through the whole process_response chain
# (decompression, downloader stats) exactly as a fetched one does.
STORED_RESPONSE_ORDER = 1000
# Middlewares that talk to the live site or back off from it. Stored responses need none
# of them, and some would do harm: redirects and retries would fetch, the HTTP cache would
# write the store into itself, and the block-page back-off would end a re-extraction of a
# blocked crawl after 20 records (its block pages are skipped by extraction as "blocked").
LIVE_ONLY_MIDDLEWARES = (
    # Import paths, not classes: a None entry disables a component only under the same key
    # as the one that enables it (DOWNLOADER_MIDDLEWARES_BASE and our settings use paths).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
    "crawler.middlewares.RobotsTxtMiddleware",
    "scrapy.downloadermiddlewares.retry.RetryMiddleware",
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
    "crawler.middlewares.ReloadIgnoringMetaRefreshMiddleware",
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "crawler.middlewares.BlockPageMiddleware",
)
# Spider middlewares that drop a request without failing it, which a store's record must never be.
DROPPING_SPIDER_MIDDLEWARES = ("scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",)
# The project's decompression (crawler/settings.py), kept on whatever the user's settings switch off.
DECODING_MIDDLEWARES: dict[str, int | None] = {
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.WholeStreamHttpCompressionMiddleware": 590,
}

def is_text(record: StoredResponse) -> bool:
    """Whether the record is text (HTML, XML, …) that extraction can read.

    By its Content-Type where it has one (an image at an ``….html`` URL is an image),
    else as Scrapy's HTTP cache decides: by the URL's extension, then by the body.
    """
    headers = Headers(record.headers)
    content_type = headers.get(b"Content-Type")
    if content_type:
        respcls = responsetypes.from_content_type(content_type)  # of the body once decoded
    else:
        respcls = responsetypes.from_args(headers=headers, url=record.url, body=record.body)
    return issubclass(respcls, TextResponse)


NOT_ARTICLE_URL = "not-article-url"


def is_article_url(url: str) -> bool:
    """Whether a stored URL is an article page's: an English one, or a Hindi-edition story (``hi-<N>``)."""
    return page_article_id(None, url) is not None


def skip_reason(record: Record) -> str | None:
    """Why a record is not handed to extraction (a stats slug), or None when it is."""
    if isinstance(record, SkippedRecord):
        # A web archive's revisits, videos over the size limit, responses its crawler cut short are
        # mostly of images and scripts: those are counted with the other pages that are no article,
        # not as articles unreadable (which would fail the run).
        if record.url and not is_article_url(record.url):
            return NOT_ARTICLE_URL
        return record.reason
    if not is_article_url(record.url):
        return NOT_ARTICLE_URL
    if not 200 <= record.status < 300:
        # HttpErrorMiddleware would drop it before the callback in a live crawl too.
        return f"http-{record.status}"
    if not is_text(record):
        return "not-html"
    return None


# <html amp> or <html ⚡> (UTF-8), among the first bytes of a page.
AMP_HTML = re.compile(rb"<html\b[^>]*?\s(?:amp|\xe2\x9a\xa1)(?=[\s>=/])", re.IGNORECASE)
AMP_SNIFF = 4096


def is_amp_copy(record: StoredResponse) -> bool:
    """Whether a stored page is an article's AMP copy: by its URL, or (a saved page, named by its
    canonical link) by its ``<html amp>`` tag."""
    return strip_amp(record.url) != record.url or AMP_HTML.search(record.body, 0, AMP_SNIFF) is not None


class StoredResponseMiddleware:
    """Downloader middleware of ``reextract``: answers a request with the response stored in its meta.

    A request without one is refused (``IgnoreRequest``): re-extraction fetches nothing.
    It is that spider's whole downloader and is enabled only by it.
    """

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoredResponseMiddleware:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    # `spider` is optional: Scrapy 2.13 passes it, 2.14+ deprecates it and passes it only when required.
    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        record = request.meta.get(STORED_RECORD)
        if not isinstance(record, StoredResponse):
            self.stats.inc_value(stat.REEXTRACT_REFUSED)
            spider = spider or self.crawler.spider
            assert spider is not None
            spider.logger.warning("Refused <%s>: re-extraction reads stored responses and fetches nothing", request.url)
            raise IgnoreRequest(f"no stored response for {request.url}")
        headers = Headers(record.headers)
        # Chosen as Scrapy's HTTP cache chooses it; HttpCompressionMiddleware picks again
        # after decoding a compressed body.
        respcls = responsetypes.from_args(headers=headers, url=record.url, body=record.body)
        return respcls(
            url=record.url, status=record.status, headers=headers, body=record.body, request=request, flags=["stored"]
        )
