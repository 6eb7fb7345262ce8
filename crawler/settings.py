"""Scrapy settings of the Business Standard crawler; every project setting is prefixed ``BS_``."""

from __future__ import annotations

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# --- the site --------------------------------------------------------------
# Site root; tests and the loopback copy point it at http://127.0.0.1:PORT.
BS_BASE_URL = "https://www.business-standard.com"

# --- politeness and limits -------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = "Mozilla/5.0 (compatible; bs-crawler/0.1; +https://www.business-standard.com/robots.txt)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # an article page is ~250 KB; also caps gzip bombs (checked unpacked)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5

# --- output: one JSON lines file per run under output/<spider>/ ------------
# Used when no FEEDS are given; -o/-O (or FEEDS) replace it instead of adding to it.
BS_DEFAULT_FEED = "output/%(name)s/%(name)s-%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = False

ITEM_PIPELINES = {
    "crawler.pipelines.ArticleValidationPipeline": 100,
    "crawler.pipelines.DuplicateArticlePipeline": 200,
}
LOG_FORMATTER = "crawler.logformatter.ArticleLogFormatter"
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
