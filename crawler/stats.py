"""Names of the crawler's own stats: the one vocabulary that writers (spiders, pipelines,
middlewares, add-ons) and readers (the run verdict, the run history, tests) import.

A fixed name is a constant; a family of names is a prefix constant plus a function that builds one
member, so that readers can sum a family by its prefix and writers never spell a name by hand.
Sections follow the features: add a name in the section of the component that writes it.
"""

from __future__ import annotations

# --- run verdict ------------------------------------------------------------
EXIT_STATUS = "bs/exit_status"

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
    """A request given up (``reason``: a stable failure name such as ``timeout`` or ``http-503``)."""
    return f"{FAILED_PREFIX}{reason}"


# --- discovery -----------------------------------------------------------------
DISCOVERY_NEW = "bs/discovery/new"
DISCOVERY_CHANGED = "bs/discovery/changed"
DISCOVERY_UNCHANGED_SKIPPED = "bs/discovery/unchanged_skipped"
DISCOVERY_OFFSITE = "bs/discovery/offsite"
DISCOVERY_UNREADABLE_DATE = "bs/discovery/unreadable_date"
DISCOVERY_SOURCES_READ = "bs/discovery/sources_read"
DISCOVERY_SOURCE_FAILED_PREFIX = "bs/discovery/source_failed/"
DISCOVERY_NOT_ARTICLE_PREFIX = "bs/discovery/not_article/"
DISCOVERY_LISTING_ALL_SEEN_STOP = "bs/discovery/listing_all_seen_stop"


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


def layout(name: str) -> str:
    """An item produced by this layout version."""
    return f"{LAYOUT_PREFIX}{name}"


def missing(field: str) -> str:
    """An item without this field."""
    return f"{MISSING_PREFIX}{field}"


def dropped_missing(field: str) -> str:
    """An item dropped because this required field was missing."""
    return f"{DROPPED_MISSING_PREFIX}{field}"


# --- incremental state ------------------------------------------------------------
NEW = "bs/new"
UPDATED = "bs/updated"
UNCHANGED = "bs/unchanged"
STATE_MARKED_SEEN = "bs/state/marked_seen"
STATE_SEEN_TOTAL = "bs/state/seen_total"
STATE_RECOVERED_WRITTEN = "bs/state/recovered_written"
STATE_RECOVERED_UNWRITTEN = "bs/state/recovered_unwritten"
# Unchanged articles that were not emitted (with fresh=1 unchanged ones are emitted again).
UNCHANGED_DROPPED = "bs/state/unchanged_dropped"
# Articles another live run on the same store had already claimed (it emits them).
STATE_CLAIMED_ELSEWHERE = "bs/state/claimed_elsewhere"
# The seen-store failed mid-run (disk full, file replaced …): the run stops, exit 7.
STATE_FAILED = "bs/state/failed"
# Feed or page dates further ahead of now than the allowed skew, ignored when deciding what changed.
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

# --- Splash --------------------------------------------------------------------------
SPLASH_RENDERED = "bs/splash/rendered"
SPLASH_BLOCK_RETRY = "bs/splash/block_retry"
SPLASH_FAILED_PREFIX = "bs/splash/failed/"
SPLASH_TICKER_PREFIX = "bs/splash/ticker/"


def splash_failed(reason: str) -> str:
    """A render that failed, by reason (the page was fetched again without Splash)."""
    return f"{SPLASH_FAILED_PREFIX}{reason}"


def splash_ticker(state: str) -> str:
    """What a rendered page's ticker held (``full``, ``empty`` …)."""
    return f"{SPLASH_TICKER_PREFIX}{state}"


# --- Redis (distributed runs) ------------------------------------------------------
REDIS_ARTICLES_TAKEN = "bs/redis/articles_taken"
REDIS_LOST = "bs/redis/lost"
REDIS_DROPPED_UNCHECKED = "bs/redis/dropped_unchecked"

# --- re-extraction -------------------------------------------------------------------
REEXTRACT_RECORDS = "bs/reextract/records"
REEXTRACT_REFUSED = "bs/reextract/refused"
REEXTRACT_SKIPPED_PREFIX = "bs/reextract/skipped/"


def reextract_skipped(reason: str) -> str:
    """A stored record that was not re-extracted, by reason."""
    return f"{REEXTRACT_SKIPPED_PREFIX}{reason}"
