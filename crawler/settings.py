"""Scrapy settings of the Business Standard crawler; every project setting is prefixed ``BS_``."""

from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy_defaults
from scrapy.settings.default_settings import FEED_EXPORTERS_BASE

# Scrapy's cookie middleware tells public suffixes with tldextract, which downloads the Public Suffix
# List from publicsuffix.org the first time a site sets a cookie: a host the crawler has no business
# with (and, offline, a traceback in the log). tldextract's own snapshot of the list does: an empty
# list of URLs is its documented way to fetch nothing. Read when Scrapy loads the middleware, after
# these settings; a value of the user's own is kept.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

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
# HTTP(S) through Scrapy's HTTP/1.1 handler with a bound on an answer's headers (crawler/downloadhandlers.py).
# In the _BASE dict, so that a DOWNLOAD_HANDLERS of one's own (-s 'DOWNLOAD_HANDLERS={"ftp": null}') keeps it.
DOWNLOAD_HANDLERS_BASE = {
    **_scrapy_defaults.DOWNLOAD_HANDLERS_BASE,
    "http": "crawler.downloadhandlers.HeaderBoundHTTP11DownloadHandler",
    "https": "crawler.downloadhandlers.HeaderBoundHTTP11DownloadHandler",
}
RETRY_ENABLED = True
RETRY_TIMES = 3
# 429 is not retried here but waited out (crawler.middlewares.RateLimitMiddleware).
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
# Scrapy's "Gave up retrying" line, which came at ERROR beside the spider's own "Failed <url>: <reason>"
# for the same request: two ERROR lines (and log_count/ERROR) per page given up. Scrapy 2.14 and later
# read it; 2.13 knows no such setting and still logs it at ERROR.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# A response gives at most one article, so items need no concurrency of their own. Scrapy's default
# (100) builds 100 cooperative tasks per response to process that one item; their garbage drove about a
# third of the crawl's CPU into the collector (see README, Performance).
CONCURRENT_ITEMS = 1
# Scrapy's stats collector without the per-attribute wrapper of Scrapy >= 2.14 (about 15 stats change
# per article; the wrapper cost more than the counting): crawler/statscollector.py.
STATS_CLASS = "crawler.statscollector.PlainStatsCollector"
# No telnet console: nobody attaches to a cron run, and it is one listening port less.
TELNETCONSOLE_ENABLED = False
# Nor Scrapy 2.19's remote control (on by default there): an HTTP server on a local port, started
# with every run, that runs the Python code it is sent. Unknown to older Scrapy, and harmless there.
REMOTE_CONTROL_ENABLED = False
# ... and not even imported: its module imports aiohttp's server, ~0.2 CPU seconds at every start of
# a cron run, and Scrapy 2.19 imports every extension listed, None or not, to compare their names.
EXTENSIONS_BASE = {
    path: order
    for path, order in getattr(_scrapy_defaults, "EXTENSIONS_BASE", {}).items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
# Scrapy reads the source of every generator callback (inspect + ast) to warn about a `return value`
# in it, cached per bound method, which dies with the last queued request of it: `archive` re-read
# parse_article's source some 350 times in a 2,000-article run (2% of its CPU). Tests cover our callbacks.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Once the engine has started, the objects of start-up (some 80,000) are frozen out of the garbage
# collector's full collections (gc.freeze; unfrozen when the engine stops): crawler/gcfreeze.py.
BS_GC_FREEZE = True

# --- output: one JSON lines file per run under output/<spider>/ ------------
# Used when no FEEDS are given; -o/-O (or FEEDS) replace it instead of adding to it.
BS_DEFAULT_FEED = "output/%(name)s/%(name)s-%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy's jsonlines, byte for byte, written faster for articles (crawler/incremental/exporters.py),
# under every name Scrapy gives JSON lines: `-O out.jsonl` is "jsonl", FEEDS often say "jsonlines", some "jl".
FEED_EXPORTERS = {
    name: "crawler.incremental.exporters.ArticleJsonLinesItemExporter"
    for name, exporter in FEED_EXPORTERS_BASE.items()
    if exporter == "scrapy.exporters.JsonLinesItemExporter"
}
# The other formats with the nested fields (authors, picture, Also Read, ticker) as values: not as
# Python's repr of them (JSON in a CSV cell, elements in XML, where a null is an empty element), nor
# as dataclasses that marshal refuses and a pickle's reader must import.
FEED_EXPORTERS["csv"] = "crawler.incremental.exporters.ArticleCsvItemExporter"
FEED_EXPORTERS["xml"] = "crawler.incremental.exporters.ArticleXmlItemExporter"
# Scrapy's JSON, whose opening `[` stays when an item another feed failed on is taken back off the file.
FEED_EXPORTERS["json"] = "crawler.incremental.exporters.ArticleJsonItemExporter"
FEED_EXPORTERS["marshal"] = "crawler.incremental.exporters.ArticleMarshalItemExporter"
FEED_EXPORTERS["pickle"] = "crawler.incremental.exporters.ArticlePickleItemExporter"
FEED_STORE_EMPTY = False

# Local files and stdout are written unbuffered and checked after each write, so an article is
# marked seen as soon as every feed that takes it has it (crawler/incremental/feedstorage.py,
# crawler/incremental/delivery.py); other storages (S3, GCS, FTP) once the file was stored.
# In the base dict, so that a FEED_STORAGES of the user's (a storage for another scheme) adds to
# these instead of putting Scrapy's buffered file storage back, which recovery cannot trust.
FEED_STORAGES_BASE = {
    **getattr(_scrapy_defaults, "FEED_STORAGES_BASE", {}),
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
# A JOBDIR on a disk that fills up mid-run stops the run (Scrapy's looped on its traceback for ever).
SCHEDULER = "crawler.jobdir.JobdirScheduler"
DOWNLOADER_MIDDLEWARES = {
    # Before RetryMiddleware (550) sees the response, so every block answer is counted.
    "crawler.middlewares.BlockPageMiddleware": 560,
    # Between RetryMiddleware (550) and the 429/503 waits (555): it sees every failed try, and closes
    # a run whose tries all fail (the site down) before each article is asked RETRY_TIMES + 1 times.
    "crawler.middlewares.SiteDownMiddleware": 552,
    # Between the block count and RetryMiddleware: a 429 is waited out before RetryMiddleware would retry it at once.
    "crawler.middlewares.RateLimitMiddleware": 555,
    # Last before the distributed budget (950): the requests to a host that asked us to wait wait here,
    # one at a time let go on to its download slot, not queued there (the slot sends all it queues as
    # the run closes).
    "crawler.middlewares.RateLimitGateMiddleware": 940,
    # Just before Scrapy's robots.txt middleware (100): a robots.txt that times out or resets is one
    # WARNING, not a traceback.
    "crawler.middlewares.RobotsTxtFailureMiddleware": 99,
    # Scrapy's (100), whose rules reached only the first of the requests that waited for robots.txt.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # Scrapy's cookies (700), with no more kept a domain than a browser keeps (a Set-Cookie storm made
    # every later request one the site refuses).
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.BoundedCookiesMiddleware": 700,
    # Before the HTTP cache (900) sees the answer: a 206 nobody asked for is retried, then failed as data loss.
    "crawler.middlewares.PartialContentMiddleware": 925,
    # After RedirectMiddleware (600): a redirect to another host fails the request, by name.
    "crawler.middlewares.OffsiteRedirectMiddleware": 610,
    # Scrapy's decompression (590), flagging a compressed body whose stream was cut short.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.WholeStreamHttpCompressionMiddleware": 590,
    # Scrapy's meta refresh (580), except a refresh to the page itself (a listing reloading itself).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.ReloadIgnoringMetaRefreshMiddleware": 580,
    # Scrapy's HTTP cache (900, HTTPCACHE_ENABLED), storing article pages and serving none.
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "crawler.incremental.cachepolicy.StoreOnlyHttpCacheMiddleware": 900,
}
EXTENSIONS = {
    # The seen-store (incremental spiders) and the per-item delivery to the feeds (after
    # Scrapy's FeedExporter, order 0): crawler/incremental/.
    "crawler.incremental.extension.SeenStoreExtension": 100,
    # A Retry-After longer than a run waits, kept for the next runs (incremental spiders).
    "crawler.incremental.sitewait.SiteWaitExtension": 110,
    "crawler.incremental.delivery.DeliveryTracker": 800,
    "crawler.monitoring.verdict.RunVerdictExtension": 900,
    # After the verdict: its handlers of spider_closed run after the verdict's.
    "crawler.monitoring.history.RunHistoryExtension": 950,
    "crawler.monitoring.heartbeat.HeartbeatExtension": 960,
    "crawler.monitoring.progress.ProgressExtension": 970,
    # Last: start-up's objects out of the garbage collector's full collections (BS_GC_FREEZE).
    "crawler.gcfreeze.GcFreezeExtension": 990,
    # Scrapy's, except that spider.state is written aside and renamed, and a full disk is one ERROR
    # line (a traceback, and a cut file the next run refused as a damaged JOBDIR).
    "scrapy.extensions.spiderstate.SpiderState": None,
    "crawler.jobdir.JobdirSpiderState": 0,
}
# Scrapy components that do nothing for these crawls, off for what they cost (README, Performance):
# the depth middleware only counts (no DEPTH_LIMIT; its one product is the stat request_depth_max),
# and Scrapy 2.19's meta-copy check only warns about spider code; each is one more asynchronous
# generator around every callback's output.
SPIDER_MIDDLEWARES: dict[str, int | None] = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
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
BS_FUTURE_DATE_SKEW = 600.0
# How long after a feed or sitemap date (seconds) a page dated before it may be a CDN edge's copy from
# before that update (stat bs/state/copy_before_update): fetched again next run until then.
BS_CDN_STALE_SECONDS = 3600.0
# Hours a story known removed (gone in two runs) is not asked for while its sources give it no later
# date: a story the site puts back is read within this time (crawler/spiders/discovery.py); 0: asked
# for at every run.
BS_GONE_RECHECK_HOURS = 24.0
# Days an article stays in the seen-store (SQLite, or Redis for all workers) after it was last emitted or
# fetched again: older ones are forgotten, once a day at a run's end (stat bs/state/seen_pruned), so the store and each run's
# start check stay bounded. Far longer than any feed, sitemap or listing page lists a story; an
# `archive` of a month whose stories were stored longer ago emits them again. 0: kept for ever.
BS_SEEN_RETENTION_DAYS = 400.0
# How long the end of a run waits for the feeds to be stored (remote storages upload then).
BS_FEED_CLOSE_TIMEOUT = 600.0
# Only article pages go to Scrapy's HTTP cache (HTTPCACHE_ENABLED); feeds, sitemaps, listings and
# robots.txt are always fetched live, so a cached run still sees what is new.
HTTPCACHE_POLICY = "crawler.incremental.cachepolicy.ArticlesOnlyPolicy"
# ... and the cache keeps the article pages for `reextract` without answering for them: a crawl
# fetches a page because it is new or changed, when a cached copy is the page before the change.

# --- discovery ---------------------------------------------------------------
# Sources of the `latest` spider, as paths on BS_BASE_URL (or whole URLs on its site): RSS feeds, news sitemaps, listings.
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
# Size limit of one feed or sitemap, unpacked: sitemaps.org allows 50,000 URLs and 50 MB (some
# 11 MB for 50,000 article URLs). Article pages keep DOWNLOAD_MAXSIZE.
BS_SITEMAP_MAX_SIZE = 50 * 1024 * 1024
# Sitemap indexes are followed this deep (index → monthly sitemap is 1); deeper ones are not read.
BS_MAX_SOURCE_DEPTH = 3
# A feed that pages its older items (RFC 5005: <atom:link rel="next">) is read this many pages deep at
# most, the first one included, and no further than its first page of stories all seen.
BS_FEED_MAX_PAGES = 10
# At most this many feeds, sitemaps and listing pages per run, every JOBDIR attempt included (a
# sitemap that lists itself, or "next" pages that never end, stop here at the latest).
BS_MAX_SOURCES = 5000
# A 429 answer is waited out as its Retry-After says (seconds or a date), up to this long; a
# longer wait, or a request that meets 429 more than BS_RATE_LIMIT_RETRIES times, ends the run
# like a block (exit 4). Without Retry-After, BS_RATE_LIMIT_WAIT seconds,
# doubled at each 429 in a row (at most BS_RETRY_AFTER_MAX). A 503 with Retry-After
# (maintenance) is waited out within the same bounds; past them it is retried as any 503.
BS_RETRY_AFTER_MAX = 120.0
BS_RATE_LIMIT_RETRIES = 3
BS_RATE_LIMIT_WAIT = 10.0
# First tries at the site that failed in a row (5xx, timeouts, refused connections; not retries, which
# wait for every first try, so that a few broken pages' retries come in a row at a run's end), with
# no answer between them, after which the run closes (exit 1: the site is down) instead of asking
# every article RETRY_TIMES + 1 times; 0: never.
BS_MAX_FAILURES_IN_A_ROW = 20

# --- run verdict (exit status) -------------------------------------------------
# Failed feeds, sitemaps and listings a run may have before it fails (exit 1, naming them); -1: no
# limit (a run where none was readable fails anyway). `archive` sets 0 (a lost month is a lost backfill).
BS_MAX_FAILED_SOURCES = -1
# Share of responses that may be block pages before the run fails (exit 4).
BS_MAX_BLOCKED_SHARE = 0.5
# The run is closed early once this many responses were seen and the share is exceeded.
BS_BLOCKED_MIN_RESPONSES = 20
# Share of items that may fail validation before the run fails (exit 5).
BS_MAX_INVALID_SHARE = 0.2
# Share of the new or changed article pages that may fail to download for good (5xx after retries,
# timeouts, refused connections) before the run fails (exit 1): the site is mostly down.
BS_MAX_FAILED_SHARE = 0.5
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
# middlewares and fingerprinter on (crawler/splash/). Without SPLASH_URL nothing of
# scrapy-splash is loaded. Sitemaps, feeds and listings are never rendered; when Splash
# fails, the page is fetched without rendering (stat bs/splash/failed/<reason>).
ADDONS = {"crawler.splash.SplashAddon": 0}
# Give an article page that came back as an Akamai block page one more try through Splash.
BS_SPLASH_ON_BLOCK = False
# Splash's render time limit per page (seconds); Scrapy gives up 5 s later.
BS_SPLASH_TIMEOUT = 15.0
# Longest wait after the page loaded for its script to fill the ticker (seconds).
BS_SPLASH_WAIT = 1.0
# Share of article pages Splash may fail to render (each is then fetched without it, numbers null)
# before the run fails (exit 9).
BS_SPLASH_MAX_FAILED_SHARE = 0.5
# Longest wait for a Splash that answered earlier in the run and now refuses connections (restarting,
# recycled by --maxrss) to come back, before article pages are fetched without it (seconds; 0: none).
BS_SPLASH_RESTART_WAIT = 30.0

# --- run history, report, heartbeat, progress (crawler/monitoring/) ---------------
# One record per run in <BS_STATE_DIR>/runs.jsonl (read by `scrapy runs` and `scrapy report`).
BS_RUN_HISTORY = True
# Once runs.jsonl reaches this size (bytes) it is moved to runs.jsonl.1, the one before dropped, so the
# history takes at most twice this on disk (64 MiB: some 20,000 runs, ~70 days of a cron run every 5
# minutes); `scrapy runs` and `scrapy report` read both files. 0: never rotated.
BS_RUN_HISTORY_MAX_BYTES = 64 * 1024 * 1024
# A running run refreshes its marker (<BS_STATE_DIR>/running/) this often (seconds), so that a
# killed run is recorded, by the next run, with its figures up to then; 0: only at the start.
BS_RUN_HISTORY_CHECKPOINT = 60.0
# A cron monitor's ping URL (healthchecks.io style): POSTed the summary line at the end of a run that
# ended ok, <url>/fail when it did not (killed runs send nothing: the monitor's grace time catches them).
BS_HEARTBEAT_URL = ""
# Also ping <url>/start when a run opens (the monitor then measures run times and spots hung runs).
BS_HEARTBEAT_START = False
# Time limit of one ping (seconds); a failed ping is logged, never fails the run.
BS_HEARTBEAT_TIMEOUT = 10.0
# A progress line (archive: months done/to do, found, fetched, emitted, rate, ETA; reextract:
# records, items, rate) every this many seconds; 0: none.
BS_PROGRESS_INTERVAL = 60.0
# When stderr is a terminal (not cron), one updating progress line (tqdm, the [progress] extra) instead.
BS_PROGRESS_BAR = True
# `%(time)s` in output file names is India's time, like the items' dates (Scrapy's own is UTC).
FEED_URI_PARAMS = "crawler.feed_names.uri_params"
# Spidermon (the [monitoring] extra), off unless -s SPIDERMON_ENABLED=True: then our suite (passes
# exactly when the exit status is 0; items checked against crawler/schema/article.schema.json) runs
# at the end, and these Spidermon actions with it, e.g.
# ["spidermon.contrib.actions.email.smtp.SendSmtpEmail"] with Spidermon's SPIDERMON_SMTP_* settings.
BS_SPIDERMON_FAILED_ACTIONS: list[str] = []
BS_SPIDERMON_FINISHED_ACTIONS: list[str] = []
# Time limit (seconds) of Spidermon's SMTP email action, retries included: the run waits for its mail
# before it ends, and an SMTP server that never answers would hold it (and its run lock) for ever.
BS_SPIDERMON_SMTP_TIMEOUT = 60.0
ADDONS = {**ADDONS, "crawler.monitoring.spidermon.SpidermonAddon": 10}

# --- scrapy check ------------------------------------------------------------------
# Contracts that read saved pages of the project (@page), never the site (crawler/contracts.py).
SPIDER_CONTRACTS = {"crawler.contracts.SavedPageContract": 10, "crawler.contracts.SourceReadContract": 10}

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
BS_REDIS_IDLE_SECONDS = 30.0
# Prefix of every key in Redis: one prefix, one seen-store.
BS_REDIS_PREFIX = "bs"
# The run whose queue and duplicate filter the workers share; empty: the spider's name.
BS_REDIS_RUN = ""
# Set for one run (-s BS_REDIS_ACCEPT_OLDER_STATE=1) to crawl on a Redis restarted from an older snapshot or
# backup than this machine saw, which is refused otherwise (exit 8): the articles it forgot are emitted again.
BS_REDIS_ACCEPT_OLDER_STATE = False
# Time limit of one Redis command or connection attempt (seconds); a lost Redis stops the worker.
BS_REDIS_TIMEOUT = 5.0
# Run records kept in Redis (<BS_REDIS_PREFIX>:runs, every worker's; the oldest go first); 0: all.
# Each machine keeps its own records in its state dir as well. About 1 KB a record.
BS_REDIS_RUNS_KEPT = 50000
# This worker's name, in its output file name and its Redis entries; empty: the host name. Keep it
# the same across restarts of one worker, and different for workers on one machine.
BS_WORKER_NAME = ""

# --- politeness shared by distributed workers (crawler/distributed/politeness.py) -------
# With REDIS_URL: at most this many requests in flight to the site, and this many per second, for all
# live workers together (each worker's own CONCURRENT_REQUESTS_PER_DOMAIN and AutoThrottle still
# apply). 0: no shared limit. Requests rendered by Splash count too.
BS_SITE_MAX_CONCURRENCY = 0
BS_SITE_MAX_RATE = 0.0
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "crawler.distributed.politeness.SiteBudgetMiddleware": 950}

LOG_FORMATTER = "crawler.logformatter.ArticleLogFormatter"
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- re-extraction -------------------------------------------------------------
# Log the re-extraction's progress every this many stored records.
BS_REEXTRACT_PROGRESS_EVERY = 1000
