"""Names of the crawler's own stats: the one vocabulary that writers (spiders, pipelines,
middlewares, add-ons) and readers (the run verdict, the run history, tests) import.

A fixed name is a constant; a family of names is a prefix constant plus a function that builds one
member, so that readers can sum a family by its prefix and writers never spell a name by hand.
Sections follow the features: add a name in the section of the component that writes it.
"""

from __future__ import annotations

# --- run verdict ------------------------------------------------------------
EXIT_STATUS = "bs/exit_status"
EXIT_REASON = "bs/exit_reason"  # the verdict's "why", a string

# --- errors: bugs that lost what they handled -------------------------------------
# Exceptions in callbacks, by type: Scrapy's own stats (also ``spider_exceptions/count``, the total).
SPIDER_EXCEPTION_PREFIX = "spider_exceptions/"
SPIDER_EXCEPTION_COUNT = "spider_exceptions/count"
# Exceptions in item pipelines (Scrapy logs them and drops the item, counting nothing), by type.
PIPELINE_ERROR_PREFIX = "bs/errors/pipeline/"


def pipeline_error(kind: str) -> str:
    """An item an item pipeline raised this exception type on (not ``DropItem``)."""
    return f"{PIPELINE_ERROR_PREFIX}{kind}"


# --- responses: blocked, skipped, failed, recovered ---------------------------
BLOCKED = "bs/blocked"
BLOCKED_PREFIX = "bs/blocked/"
SKIPPED_PREFIX = "bs/skipped/"
FAILED_PREFIX = "bs/failed/"
RECOVERED_ENCODING = "bs/recovered/encoding"


def blocked(status: int) -> str:
    """A block page answered with this HTTP status."""
    return f"{BLOCKED_PREFIX}{status}"


def skipped(reason: str) -> str:
    """A response that was not an article (``reason``: a ``NotAnArticle`` slug or a spider's own)."""
    return f"{SKIPPED_PREFIX}{reason}"


def failed(reason: str) -> str:
    """A request given up (``reason``: a name from :mod:`crawler.failures`, ``timeout``, ``http-503`` …,
    the same on every supported Scrapy and Twisted)."""
    return f"{FAILED_PREFIX}{reason}"


# --- discovery -----------------------------------------------------------------
DISCOVERY_NEW = "bs/discovery/new"
DISCOVERY_CHANGED = "bs/discovery/changed"
# Links to, or addresses given for, a story already asked for in this run (by another source, or under
# another address: its AMP page, a tracking query, another slug): folded into that one request.
SAME_STORY_FOLDED = "bs/discovery/same_story"
# `crawl article` addresses given as pasted (in quotes or brackets, with a sentence's full stop after them,
# through Google's AMP cache): read as the address itself.
ARGUMENT_URL_PASTED = "bs/arguments/url_pasted"
# `crawl article` addresses whose page, fetched, is no story (a section's front, a listing, a video): the user's
# address, not the rules, is wrong.
ARGUMENT_NOT_ARTICLE = "bs/arguments/not_article"
DISCOVERY_UNCHANGED_SKIPPED = "bs/discovery/unchanged_skipped"
DISCOVERY_OFFSITE = "bs/discovery/offsite"
# Article entries the spider's own filter left out (archive: outside since..until).
DISCOVERY_NOT_ACCEPTED = "bs/discovery/not_accepted"
DISCOVERY_UNREADABLE_DATE = "bs/discovery/unreadable_date"
# Feeds and sitemaps whose entries all carry one date (the time the document was made): read as undated.
DISCOVERY_SHARED_DATE = "bs/discovery/shared_date"
DISCOVERY_SOURCES_READ = "bs/discovery/sources_read"
DISCOVERY_SOURCE_FAILED_PREFIX = "bs/discovery/source_failed/"
DISCOVERY_NOT_ARTICLE_PREFIX = "bs/discovery/not_article/"
DISCOVERY_LISTING_ALL_SEEN_STOP = "bs/discovery/listing_all_seen_stop"
# A later page of a section listing past its end (404, 410, or no article links): the walk ends there.
DISCOVERY_LISTING_END = "bs/discovery/listing_end"
# A feed's older pages (RFC 5005: <atom:link rel="next">) read, and feeds whose paging stopped at BS_FEED_MAX_PAGES.
DISCOVERY_FEED_NEXT_PAGE = "bs/discovery/feed_next_page"
DISCOVERY_FEED_PAGE_LIMIT = "bs/discovery/feed_page_limit"
# Section walks whose pager's "next" link led to a page read already under another address (itself, the
# first page, with a query string): the walk went on at <section>/page-N, the pager's links no longer followed.
DISCOVERY_PAGER_LOOP = "bs/discovery/pager_loop"
# Section walks whose pager's "next" link skipped a page number (page-2 linking page-4): the walk went on at
# the page skipped, <section>/page-N, the pager's links no longer followed.
DISCOVERY_PAGER_SKIP = "bs/discovery/pager_skip"
# Sources at an address naming no .rss or .xml whose Content-Type says another kind than the document is: a
# feed or sitemap sent as text/html, text/plain or octet-stream, a listing page sent as text/xml; read as what
# their root element says (before: a failed source, read as a listing page or as XML).
DISCOVERY_MISLABELLED = "bs/discovery/mislabelled"
# Section walks that stopped at a page holding nothing new but stories unread in an earlier run (a paywall
# stub, a layout no rule read, robots.txt's refusal), one of which was read in this run: the walk went on
# past that page (the stories after it, unread alike, would have been lost).
DISCOVERY_LISTING_WALK_ON = "bs/discovery/listing_walk_on"
# Article pages that answered a paywall stub (no story in the page) as in an earlier run: neither new to
# the verdict nor a failed extraction (asked for at every run, in case its story comes).
DISCOVERY_STUB_AGAIN = "bs/discovery/stub_again"
# A feed or sitemap with a local flaw (a stray &nbsp;) whose entries were salvaged.
DISCOVERY_SOURCE_SALVAGED = "bs/discovery/source_salvaged"
# Entries of a feed or sitemap whose URL cannot be fetched (another scheme, a broken host or port): left out.
DISCOVERY_UNUSABLE_URL = "bs/discovery/unusable_url"
# The site's short links (mybs.in) a feed or sitemap gives as a story's only address, asked for to read
# where they lead; those that led to a story (handed to discovery as any link), and those that led to
# none (an error, no redirect, a redirect to no story).
DISCOVERY_SHORT_LINK = "bs/discovery/short_link"
DISCOVERY_SHORT_LINK_RESOLVED = "bs/discovery/short_link_resolved"
DISCOVERY_SHORT_LINK_UNRESOLVED = "bs/discovery/short_link_unresolved"
# Short links whose story an earlier run found (the seen-store's aliases): not asked for, the story
# handed to discovery by its own address; and short links that led to no story in several runs in a
# row, not asked for in this one (asked again later, less and less often).
DISCOVERY_SHORT_LINK_KNOWN = "bs/discovery/short_link_known"
DISCOVERY_SHORT_LINK_BACKED_OFF = "bs/discovery/short_link_backed_off"
# Links to a story an earlier run found merged into another (a redirect to that article, seen), listed
# with no later date than then: not fetched.
DISCOVERY_REDIRECT_KNOWN = "bs/discovery/redirect_known"
# Links to an address that answered a page of another kind in an earlier run (a video, a web story or
# gallery, a listing under an article-like address), listed with no later date than then: not fetched.
DISCOVERY_NOT_ARTICLE_KNOWN = "bs/discovery/not_article_known"
# Article links robots.txt forbids (the site's /content/ press releases): not fetched, no failure.
DISCOVERY_ROBOTS_FORBIDDEN = "bs/discovery/robots_forbidden"
# A source met again in one run (a sitemap that lists itself, a loop of "next" pages): not read again.
DISCOVERY_SOURCE_REPEATED = "bs/discovery/source_repeated"
# Sources not read because a bound was reached (BS_MAX_SOURCE_DEPTH, BS_MAX_SOURCES).
DISCOVERY_SOURCE_TOO_DEEP = "bs/discovery/source_too_deep"
DISCOVERY_SOURCE_LIMIT = "bs/discovery/source_limit"
# archive: months of the asked range that the sitemap index lists no sitemap for.
DISCOVERY_MONTH_NOT_LISTED = "bs/discovery/month_not_listed"
# "url (reason)" of the first failed sources, for the verdict's line (a list, not a count).
DISCOVERY_FAILED_SOURCES = "bs/discovery/failed_sources"
# An article page whose canonical URL carries another id: the fetched URL's id is kept.
ARTICLE_CANONICAL_MISMATCH = "article/canonical-mismatch"
# Article pages that redirected to another article (a story merged into it): read as that article.
REDIRECTED_TO_OTHER_ARTICLE = "bs/redirected/other_article"

# --- rate limiting (429 with Retry-After) ------------------------------------------
RATE_LIMITED = "bs/rate_limited"
RATE_LIMITED_WAITED_SECONDS = "bs/rate_limited/waited_seconds"
RATE_LIMITED_GAVE_UP = "bs/rate_limited/gave_up"
# The moment (Unix seconds) before which the next runs on the state dir send the site nothing: a
# Retry-After longer than BS_RETRY_AFTER_MAX, kept (crawler/incremental/sitewait.py).
RATE_LIMITED_NOT_BEFORE = "bs/rate_limited/not_before"
# Hosts other than the site's (the Hindi edition's) whose rate limit did not lift, or that a kept Retry-After
# holds, left for a later run while the run went on at the site; and their names, for the summary line.
RATE_LIMITED_DEFERRED = "bs/rate_limited/deferred"
RATE_LIMITED_DEFERRED_HOSTS = "bs/rate_limited/deferred_hosts"
# The close reason of a run ended by a rate limit that did not lift (judged like a block: exit 4).
RATE_LIMITED_REASON = "rate_limited"
# The run closed because BS_MAX_FAILURES_IN_A_ROW tries in a row at the site failed (1), and its close reason.
SITE_DOWN = "bs/site_down"
SITE_DOWN_REASON = "site_down"
# 503 answers with Retry-After (maintenance) waited out, and the seconds waited.
UNAVAILABLE = "bs/unavailable"
UNAVAILABLE_WAITED_SECONDS = "bs/unavailable/waited_seconds"

# --- robots.txt ----------------------------------------------------------------------
ROBOTSTXT_UNREADABLE = "bs/robotstxt/unreadable"
# robots.txt unreachable (a 5xx after retries, no answer): RFC 9309 has a crawler fetch nothing then;
# the run closes with this reason (1), nothing fetched.
ROBOTSTXT_UNREACHABLE = "bs/robotstxt/unreachable"
ROBOTSTXT_UNREACHABLE_REASON = "robotstxt_unreachable"
# robots.txt larger than its bound (DOWNLOAD_MAXSIZE, at least RFC 9309's 500 KiB): its first part read.
ROBOTSTXT_CUT = "bs/robotstxt/cut"
# Cookies an answer set past what a domain keeps (crawler/middlewares.py BoundedCookiesMiddleware).
COOKIES_REFUSED = "bs/cookies/refused"
# The Crawl-delay robots.txt asks of us, as held to (milliseconds; capped at AUTOTHROTTLE_MAX_DELAY).
ROBOTSTXT_CRAWL_DELAY_MS = "bs/robotstxt/crawl_delay_ms"


def source_failed(reason: str) -> str:
    """A feed, sitemap or listing that could not be read, by reason."""
    return f"{DISCOVERY_SOURCE_FAILED_PREFIX}{reason}"


def not_article(kind: str) -> str:
    """A discovered URL that is not an article page (video, listing …)."""
    return f"{DISCOVERY_NOT_ARTICLE_PREFIX}{kind}"


# --- articles: validation and coverage ------------------------------------------
LAYOUT_PREFIX = "article/layout/"
MISSING_PREFIX = "article/missing/"
DROPPED_MISSING_PREFIX = "article/dropped/missing_"
DROPPED_DUPLICATE = "article/dropped/duplicate"
# An item whose datePublished lies ahead of now by more than BS_FUTURE_DATE_SKEW: written, with a WARNING.
FUTURE_DATE_PUBLISHED = "article/future_date"


def layout(name: str) -> str:
    """An item produced by this layout version."""
    return f"{LAYOUT_PREFIX}{name}"


def missing(field: str) -> str:
    """An item without this field."""
    return f"{MISSING_PREFIX}{field}"


def dropped_missing(field: str) -> str:
    """An item dropped because this required field was missing."""
    return f"{DROPPED_MISSING_PREFIX}{field}"


# --- extraction: which source answered each field, disagreements, text hazards ---------------------
SOURCE_PREFIX = "article/source/"
DISAGREE_PREFIX = "article/disagree/"
BODY_TRUNCATED_DOM = "article/body/truncated-dom"
BODY_CUT = "article/body/cut"
DROPPED_CUT_BODY = "article/dropped/cut_body"
ENCODING_PREFIX = "bs/encoding/"


def source(field: str, source: str) -> str:
    """An item whose ``field`` came from ``source`` (``next``, ``ld``, ``meta``, ``dom``)."""
    return f"{SOURCE_PREFIX}{field}/{source}"


def disagree(field: str) -> str:
    """An item where two present sources of ``field`` said different things."""
    return f"{DISAGREE_PREFIX}{field}"


def encoding(kind: str) -> str:
    """A page whose bytes were not read as declared (``utf8-over-declared``, ``stray-bytes``, ``cp1252``)."""
    return f"{ENCODING_PREFIX}{kind}"


# --- incremental state ------------------------------------------------------------
NEW = "bs/new"
UPDATED = "bs/updated"
UNCHANGED = "bs/unchanged"
STATE_MARKED_SEEN = "bs/state/marked_seen"
STATE_SEEN_TOTAL = "bs/state/seen_total"
# Articles the seen-store forgot at this run's end, not emitted nor fetched again for BS_SEEN_RETENTION_DAYS
# (set only by a run that pruned: at most one a day).
STATE_SEEN_PRUNED = "bs/state/seen_pruned"
STATE_RECOVERED_WRITTEN = "bs/state/recovered_written"
STATE_RECOVERED_UNWRITTEN = "bs/state/recovered_unwritten"
# Records of killed runs' output files (kept for the run that writes over them) whose file was
# deleted or moved away: forgotten, as nothing is left to keep.
STATE_INTERRUPTED_OUTPUTS_FORGOTTEN = "bs/state/interrupted_outputs_forgotten"
# Unchanged articles that were not emitted (with fresh=1 unchanged ones are emitted again).
UNCHANGED_DROPPED = "bs/state/unchanged_dropped"
# Articles another live run on the same store had already claimed (it emits them).
STATE_CLAIMED_ELSEWHERE = "bs/state/claimed_elsewhere"
# Article pages older than the version already emitted (a CDN edge's stale copy): not emitted, fetched again next run.
STATE_STALE_PAGE = "bs/state/stale_page"
# Article pages dated before the feed or sitemap date they were fetched for, by their dateModified
# and their answer (a CDN edge's copy from before the update): that date is not stored, so the next
# run fetches them again (the same as the version emitted, they were lost updates).
STATE_COPY_BEFORE_UPDATE = "bs/state/copy_before_update"
# The seen-store failed mid-run (disk full, file replaced …): the run stops, exit 7.
STATE_FAILED = "bs/state/failed"
# The JOBDIR's request queue could not be written or read mid-run (a full disk): the run stops, exit 1.
JOBDIR_FAILED = "bs/jobdir/failed"
JOBDIR_FAILED_REASON = "jobdir_failed"
# A resumed JOBDIR run's source request queued by the attempt before, dropped as this attempt asked for
# the source already (it reads its sources again from their start).
JOBDIR_SOURCE_REQUEUED = "bs/jobdir/source_requeued"
# Articles that answered 404, 410 or a redirect away from the story, as they did in an earlier run
# and with no page since: removed by the site (while its feeds still link them), not failed.
GONE_AGAIN = "bs/gone/again"
# Articles that answered a page after answering as removed: their gone record is forgotten.
GONE_BACK = "bs/gone/back"
# Links to articles known removed (gone again in an earlier run), listed with no later date than then
# and looked at within the last day: not fetched.
GONE_KNOWN = "bs/gone/known"
# Feed or page dates further ahead of now than the allowed skew, ignored when deciding what changed; in
# archive, publication dates so far ahead, the story dated by its id instead.
DISCOVERY_FUTURE_DATE = "bs/discovery/future_date"

# --- output (delivery to the feeds) ------------------------------------------------
OUTPUT_WRITE_FAILED = "bs/output/write_failed"
# Items that reached every feed that takes them (the summary's "emitted").
OUTPUT_DELIVERED = "bs/output/delivered"
# Items that did not reach every feed that takes them (a write or store failed); never marked seen.
OUTPUT_UNDELIVERED = "bs/output/undelivered"
# Items no feed takes (every feed's item filter refused them); never marked seen.
OUTPUT_NOT_TAKEN = "bs/output/not_taken"
# Feed slots (files, batches, remote uploads) that could not be written or stored.
OUTPUT_FEED_FAILED = "bs/output/feed_failed"
# Undelivered items cut back off the local files that had them, so the next run writes them once.
OUTPUT_TAKEN_BACK = "bs/output/taken_back"
# Undelivered items left where they could not be taken back (stdout, gzip or another postprocessing,
# a remote storage, a file another run appended to since), or left in the local files and stdout
# beside a gzip or remote feed that failed when stored: the next run writes them there again.
OUTPUT_LEFT_UNDELIVERED = "bs/output/left_undelivered"
# Files appended to (-o) whose last line had no line break (written by something else, or cut while
# no seen-store knew of it): one was added, or the run's first item would have been glued onto it.
OUTPUT_LINE_BREAK_ADDED = "bs/output/line_break_added"
# Files of an overwritten batch feed (-O items-%(batch_id)d.jsonl) that an earlier run wrote beyond
# this run's last batch, removed: read after this run, their articles would be read a second time.
OUTPUT_EARLIER_BATCHES_REMOVED = "bs/output/earlier_batches_removed"
# A killed run's files of such a feed past this run's last batch, which no reader had: kept, and
# passed on with this run's (the next run removes them as an earlier run's).
OUTPUT_KILLED_BATCHES_PASSED_ON = "bs/output/killed_batches_passed_on"

# --- Splash --------------------------------------------------------------------------
SPLASH_RENDERED = "bs/splash/rendered"
SPLASH_BLOCK_RETRY = "bs/splash/block_retry"
SPLASH_FAILED_PREFIX = "bs/splash/failed/"
SPLASH_TICKER_PREFIX = "bs/splash/ticker/"
# 1 when Splash rendered pages in the run and not one page's ticker was filled, some of them empty or
# in no known state: a changed ticker markup or script, every article's market numbers null (a WARNING).
SPLASH_TICKER_NEVER_FILLED = "bs/splash/ticker_never_filled"
# Rendered pages of the current design whose ticker is not in their HTML (found in an iframe or a shadow
# root, or not at all), set with the run's one WARNING: the ticker moved, every such page's numbers null.
SPLASH_TICKER_NOT_IN_PAGE = "bs/splash/ticker_not_in_page"
# Renders sent to Splash again after it could not be reached, having answered before in the run
# (restarting: recycled by --maxrss), within BS_SPLASH_RESTART_WAIT.
SPLASH_RETRIED = "bs/splash/retried"
# Cookies in Splash's answers scrapy-splash cannot read (malformed: no name or value, a date in another
# format), left out of the session; the rendered pages kept.
SPLASH_COOKIES_DROPPED = "bs/splash/cookies_dropped"


def splash_failed(reason: str) -> str:
    """A render that failed, by reason (the page was fetched again without Splash): Splash's own
    (``render-timeout``, ``render-error``, ``http-<status>``, ``bad-answer``) or, when Splash was not
    reached, a name from :mod:`crawler.failures` (``connection``, ``timeout`` …). The run verdict
    sums the family against ``SPLASH_RENDERED`` (``BS_SPLASH_MAX_FAILED_SHARE``, exit 9)."""
    return f"{SPLASH_FAILED_PREFIX}{reason}"


def splash_ticker(state: str) -> str:
    """What a rendered page's ticker held (``filled``, ``empty``, ``absent``, ``moved``, ``missing``)."""
    return f"{SPLASH_TICKER_PREFIX}{state}"


# --- Scrapy's own stats, as our components read them -------------------------------------------
ITEMS_SCRAPED = "item_scraped_count"
ITEMS_DROPPED = "item_dropped_count"
REQUESTS_SENT = "downloader/request_count"
RESPONSES_RECEIVED = "downloader/response_count"
RATE_LIMITED_RESPONSES = "downloader/response_status_count/429"
RETRY_REASON_PREFIX = "retry/reason_count/"


# --- Redis (distributed runs) ------------------------------------------------------
REDIS_ARTICLES_TAKEN = "bs/redis/articles_taken"
REDIS_LOST = "bs/redis/lost"
# 1 when another process took this worker's name mid-run and the worker stopped.
REDIS_NAME_TAKEN = "bs/redis/name_taken"
REDIS_DROPPED_UNCHECKED = "bs/redis/dropped_unchecked"
# Requests a gone worker (killed, or stopped before it finished them) had taken from the queue, put back.
REDIS_REQUEUED = "bs/redis/requeued"
# Of those, requests that could not be read back (written by another version: a callback renamed), dropped.
REDIS_REQUEUE_UNREADABLE = "bs/redis/requeue_unreadable"
# Requests taken from the shared queue that this version cannot read back (left by another version:
# a pickled request, a callback renamed), dropped.
REDIS_QUEUE_UNREADABLE = "bs/redis/queue_unreadable"
# Redis lost what it held mid-run (restarted without persistence, flushed, or from an older snapshot): the worker stopped.
REDIS_DATA_LOST = "bs/redis/data_lost"
# 1 when Redis answered mid-run that it takes no writes (full at its maxmemory, a read-only replica, unable
# to save to disk): the worker stopped (REDIS_LOST is 1 too).
REDIS_WRITES_REFUSED = "bs/redis/writes_refused"
# Redis found at an older state than this machine saw (restarted from an older snapshot), taken as it is
# because BS_REDIS_ACCEPT_OLDER_STATE was set: how far its generation counter went back, an upper bound of
# the articles it forgot, which this run and later ones emit again.
REDIS_OLDER_STATE_ACCEPTED = "bs/redis/older_state_accepted"
# This machine's notes of the epochs and counts it saw (redis-epochs.json, redis-generations.json) found
# damaged, set aside as <name>.corrupt-<time>, their readable entries kept.
REDIS_NOTES_SET_ASIDE = "bs/redis/notes_set_aside"
# Scrapy-redis's own names for the shared queue's traffic, kept so its dashboards read our runs too.
REDIS_ENQUEUED = "scheduler/enqueued/redis"
REDIS_DEQUEUED = "scheduler/dequeued/redis"

# --- monitoring: heartbeat, progress ---------------------------------------------------
HEARTBEAT_SENT = "bs/monitoring/heartbeat_sent"
HEARTBEAT_FAILED = "bs/monitoring/heartbeat_failed"

# --- site budget shared by distributed workers (crawler/distributed/politeness.py) ---
SITE_BUDGET_WAITS = "bs/site_budget/waits"  # requests that waited for the shared budget
SITE_BUDGET_WAIT_MS = "bs/site_budget/wait_ms"  # how long, in total
# Waits the site asked of this worker (429 or 503 with Retry-After) that it passed on to the others; the
# requests this worker held back for a wait the site asked of another worker, and how long, in total.
SITE_PAUSE_SHARED = "bs/site_pause/shared"
SITE_PAUSE_WAITS = "bs/site_pause/waits"
SITE_PAUSE_WAIT_MS = "bs/site_pause/wait_ms"
# A Retry-After longer than BS_RETRY_AFTER_MAX met by this worker and kept in Redis for every worker of the
# prefix (1); the runs this worker closed for such a wait the site asked of another worker.
SITE_PAUSE_NOT_BEFORE_SHARED = "bs/site_pause/not_before_shared"
SITE_PAUSE_NOT_BEFORE_MET = "bs/site_pause/not_before_met"

# --- re-extraction -------------------------------------------------------------------
REEXTRACT_RECORDS = "bs/reextract/records"
REEXTRACT_REFUSED = "bs/reextract/refused"
REEXTRACT_SKIPPED_PREFIX = "bs/reextract/skipped/"


def reextract_skipped(reason: str) -> str:
    """A stored record that was not re-extracted, by reason."""
    return f"{REEXTRACT_SKIPPED_PREFIX}{reason}"


# Folders and files of the source the system refused to read (crawler/reextract/sources.py's UNREADABLE).
REEXTRACT_UNREADABLE = reextract_skipped("unreadable")


# --- settings --------------------------------------------------------------------------
# -s settings given to a spider that never reads them (each another spider's own: BS_LATEST_SOURCES to
# `archive`), one WARNING naming them.
SETTINGS_NOT_READ = "bs/settings/not_read"
