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
# Scrapy's jsonlines, byte for byte, written faster for articles (crawler/incremental/exporters.py).
FEED_EXPORTERS = {
    "jsonlines": "crawler.incremental.exporters.ArticleJsonLinesItemExporter",
    "jsonl": "crawler.incremental.exporters.ArticleJsonLinesItemExporter",
    "jl": "crawler.incremental.exporters.ArticleJsonLinesItemExporter",
}
FEED_STORE_EMPTY = False

# Local files and stdout are written unbuffered and checked after each write, so an article is
# marked seen as soon as every feed that takes it has it (crawler/incremental/feedstorage.py,
# crawler/incremental/delivery.py); other storages (S3, GCS, FTP) once the file was stored.
FEED_STORAGES = {
    "": "crawler.incremental.feedstorage.DurableFileFeedStorage",
    "file": "crawler.incremental.feedstorage.DurableFileFeedStorage",
    "stdout": "crawler.incremental.feedstorage.DurableStdoutFeedStorage",
}

ITEM_PIPELINES = {
    "crawler.pipelines.ArticleValidationPipeline": 100,
    "crawler.pipelines.DuplicateArticlePipeline": 200,
    "crawler.incremental.pipeline.IncrementalPipeline": 300,
}
# Resumed JOBDIR runs must be able to fetch again what a killed run had in flight.
DUPEFILTER_CLASS = "crawler.incremental.dupefilter.RediscoveringDupeFilter"
DOWNLOADER_MIDDLEWARES = {
    # Before RetryMiddleware (550) sees the response, so every block answer is counted.
    "crawler.middlewares.BlockPageMiddleware": 560,
}
EXTENSIONS = {
    # The seen-store (incremental spiders) and the per-item delivery to the feeds (after
    # Scrapy's FeedExporter, order 0): crawler/incremental/.
    "crawler.incremental.extension.SeenStoreExtension": 100,
    "crawler.incremental.delivery.DeliveryTracker": 800,
    "crawler.monitoring.verdict.RunVerdictExtension": 900,
}

# --- incremental state -----------------------------------------------------
# The seen-store (SQLite) and the run locks live here; relative to the working directory.
BS_STATE_DIR = ".state"
# Ignore the seen-store for one run (same as -a fresh=1): fetch and emit everything found.
BS_FRESH = False
# The seen-store's backend: SQLite in BS_STATE_DIR; a distributed run (REDIS_URL) switches it to
# crawler.distributed.store.RedisSeenStore.
BS_SEEN_STORE = "crawler.incremental.store.SqliteSeenStore"
# Dates of a feed, sitemap or page further ahead of now than this (seconds) are ignored when
# deciding whether a seen article changed (stat bs/discovery/future_date).
BS_FUTURE_DATE_SKEW = 600
# How long the end of a run waits for the feeds to be stored (remote storages upload then).
BS_FEED_CLOSE_TIMEOUT = 600
# Only article pages go to Scrapy's HTTP cache (HTTPCACHE_ENABLED); feeds, sitemaps, listings and
# robots.txt are always fetched live, so a cached run still sees what is new.
HTTPCACHE_POLICY = "crawler.incremental.cachepolicy.ArticlesOnlyPolicy"

# --- discovery ---------------------------------------------------------------
# Sources of the `latest` spider, as paths on BS_BASE_URL: RSS feeds, news sitemaps, listings.
BS_LATEST_SOURCES = [
    "/rss/latest.rss",
    "/rss/markets-106.rss",
    "/rss/companies-101.rss",
    "/rss/economy-102.rss",
    "/rss/finance-103.rss",
    "/rss/opinion-105.rss",
    "/sitemap/google-news-sitemap.xml",
    "/sitemap/latest-news-sitemap.xml",
    "/latest-news",
]

# --- run verdict (exit status) -------------------------------------------------
# Share of responses that may be block pages before the run fails (exit 4).
BS_MAX_BLOCKED_SHARE = 0.5
# The run is closed early once this many responses were seen and the share is exceeded.
BS_BLOCKED_MIN_RESPONSES = 20
# Share of items that may fail validation before the run fails (exit 5).
BS_MAX_INVALID_SHARE = 0.2
# Minimum share of items that must have each field, checked from BS_COVERAGE_MIN_ITEMS items on (exit 5).
BS_MIN_FIELD_COVERAGE = {
    "headline": 0.95,
    "articleBody": 0.95,
    "datePublished": 0.95,
    "authors": 0.8,
    "section": 0.8,
    "canonicalUrl": 0.9,
}
BS_COVERAGE_MIN_ITEMS = 5

# --- rendering (Splash) ----------------------------------------------------
# Off unless SPLASH_URL (scrapy-splash's own setting) is given, e.g.
# `-s SPLASH_URL=http://127.0.0.1:8050`: then article pages are rendered by Splash, so
# `market` carries the ticker's numbers, and this add-on switches scrapy-splash's
# middlewares and fingerprinter on (crawler/splash.py). Without SPLASH_URL nothing of
# scrapy-splash is loaded. Sitemaps, feeds and listings are never rendered; when Splash
# fails, the page is fetched without rendering (stat bs/splash/failed/<reason>).
ADDONS = {"crawler.splash.SplashAddon": 0}
# Give an article page that came back as an Akamai block page one more try through Splash.
BS_SPLASH_ON_BLOCK = False
# Splash's render time limit per page (seconds); Scrapy gives up 5 s later.
BS_SPLASH_TIMEOUT = 15.0
# Longest wait after the page loaded for its script to fill the ticker (seconds).
BS_SPLASH_WAIT = 1.0

# --- distributed crawling (Redis) ----------------------------------------------
# Off unless REDIS_URL (scrapy-redis's own setting) is given, e.g.
# `-s REDIS_URL=redis://10.0.0.5:6379/0`: then `latest`, `archive` and `section` share one
# request queue, duplicate filter and seen-store in Redis (crawler/distributed/), so workers on
# several machines fetch each article once. Without REDIS_URL nothing of Redis is imported.
REDIS_URL = None
# Output of a distributed worker: one file per worker; `scrapy merge` joins a run's files.
BS_REDIS_DEFAULT_FEED = "output/%(name)s/%(name)s-%(worker)s-%(time)s.jsonl"
# How long an idle worker waits for work queued by the others before it closes (seconds).
# Scrapy looks at the queue every 5 s, so less than that means "close at the first look".
BS_REDIS_IDLE_SECONDS = 30
# Prefix of every key in Redis: one prefix, one seen-store.
BS_REDIS_PREFIX = "bs"
# The run whose queue and duplicate filter the workers share; empty: the spider's name.
BS_REDIS_RUN = ""
# Time limit of one Redis command or connection attempt (seconds); a lost Redis stops the worker.
BS_REDIS_TIMEOUT = 5.0
# This worker's name, in its output file name and its Redis entries; empty: the host name. Keep it
# the same across restarts of one worker, and different for workers on one machine.
BS_WORKER_NAME = ""

LOG_FORMATTER = "crawler.logformatter.ArticleLogFormatter"
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- re-extraction -------------------------------------------------------------
# Log the re-extraction's progress every this many stored records.
BS_REEXTRACT_PROGRESS_EVERY = 1000
