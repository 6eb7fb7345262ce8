"""The end-of-run verdict: one summary line, field coverage checks, and the exit status for cron."""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.distributed import OTHER_ARGUMENTS, REDIS_LOST, WORKER_NAME_TAKEN
from crawler.extraction.discovery import CUT, CUT_GZIP
from crawler.extraction.urls import SPONSORED
from crawler.failures import http_status
from crawler.incremental import signals as bs_signals
from crawler.incremental.delivery import DeliveryTracker
from crawler.monitoring.lookonly import looking_only
from crawler.monitoring.signals import run_judged, send_and_wait
from crawler import stats as stat
from crawler.runstop import close_under_way, stop_run

if TYPE_CHECKING:
    from crawler.monitoring.history import RunHistory

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1  # the run did not finish normally
EXIT_USAGE = 2  # wrong arguments; nothing was fetched
EXIT_LOCKED = 3  # another run of the same spider holds the lock
EXIT_BLOCKED = 4  # too many answers were Akamai block pages
EXIT_EXTRACTION = 5  # articles found but none extracted, too many invalid items, or field coverage too low
EXIT_OUTPUT = 6  # the output could not be written
EXIT_STATE = 7  # the seen-store is corrupt, locked or unwritable (never reset silently)
# Distributed runs (REDIS_URL): Redis unreachable at start (nothing was fetched), or lost mid-run
# (the worker stopped cleanly; a restart continues the run). Its own status: retry later, nothing is broken.
EXIT_REDIS = 8
# Runs with Splash (SPLASH_URL): more than BS_SPLASH_MAX_FAILED_SHARE of the renders failed, so most
# articles went out with null market numbers (each was still fetched and emitted without rendering).
EXIT_SPLASH = 9
# Close reasons of the limits a user sets on a run (-s CLOSESPIDER_TIMEOUT=600 to keep a cron run
# within its slot): the run ended where it was asked to, which is no failure; it is judged on what it
# did. (Scrapy's watchdogs, no item for a while or too many errors, are failures.)
LIMIT_REASONS = frozenset({"closespider_timeout", "closespider_itemcount", "closespider_pagecount"})
# Skip reasons of answers that are no page of the site to read (a block page, an empty body, an image or
# a gateway's JSON, a gzip stream cut short, a redirect away from the story): however many, they tell
# nothing of the rules. None of them read, the site failed to give the pages (exit 1), not the rules.
NO_PAGE_SKIPS = frozenset({"blocked", "empty", "not-html", CUT_GZIP, "redirected-away"})
# The failure name of an article answered 403: a refusal, as BlockPageMiddleware counts it.
BLOCKED_STATUS = http_status(403)
# The skip reason of an article page no layout reads (crawler.extraction.extract): how a redesign shows.
UNKNOWN_LAYOUT = "unknown-layout"
# The skip reason of a premium story's page without its story (bs/discovery/stub_again: met before).
PAYWALL_STUB = "paywall-stub"


def _sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix) and isinstance(v, (int, float)))


def _by_suffix(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


def _counts(counts: dict[str, int]) -> str:
    """``http-503=27, timeout=3``."""
    return ", ".join(f"{k}={v}" for k, v in counts.items())


def _errors(stats: dict[str, Any]) -> dict[str, int]:
    """Exceptions in callbacks and item pipelines (bugs), by where and type: ``{"callback: KeyError": 3}``."""
    callbacks = {
        f"callback: {k}": v for k, v in _by_suffix(stats, stat.SPIDER_EXCEPTION_PREFIX).items() if k != "count"
    }
    return {**callbacks, **{f"pipeline: {k}": v for k, v in _by_suffix(stats, stat.PIPELINE_ERROR_PREFIX).items()}}


def _lost_to_errors(errors: dict[str, int]) -> str:
    return f"{sum(errors.values())} page(s) or item(s) lost to errors in callbacks or pipelines ({_counts(errors)}); see their ERROR lines"


class RunVerdictExtension:
    """At the end of a run: log one summary line, then set ``bs/exit_status`` from the thresholds."""

    # Failed sources a run may have; negative: no limit (`latest`, `section`). `archive` allows none:
    # a monthly sitemap it could not read is a month missing from the backfill.
    max_failed_sources: int = -1
    # Items checked and missing per field of this spider's runs before this one, newest first, back to
    # BS_COVERAGE_MIN_ITEMS items: a run with fewer items is judged with them (read in spider_closed).
    earlier_items: tuple[tuple[int, dict[str, int]], ...] = ()
    history: RunHistory | None = None

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        settings = crawler.settings
        self.stats: StatsCollector = crawler.stats
        self.max_blocked_share = settings.getfloat("BS_MAX_BLOCKED_SHARE")
        self.max_failures_in_a_row = settings.getint("BS_MAX_FAILURES_IN_A_ROW")
        self.max_invalid_share = settings.getfloat("BS_MAX_INVALID_SHARE")
        self.max_failed_share = settings.getfloat("BS_MAX_FAILED_SHARE", 0.5)
        self.min_coverage: dict[str, float] = {k: float(v) for k, v in settings.getdict("BS_MIN_FIELD_COVERAGE").items()}
        self.coverage_min_items = settings.getint("BS_COVERAGE_MIN_ITEMS")
        self.max_splash_failed_share = settings.getfloat("BS_SPLASH_MAX_FAILED_SHARE", 0.5)
        self.max_failed_sources = settings.getint("BS_MAX_FAILED_SOURCES", -1)
        self.output_failed = False
        level = settings.get("LOG_LEVEL")
        number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        # --nolog or -L CRITICAL: the summary line of a failed run, logged at ERROR, is written nowhere.
        self.log_unheard = not settings.getbool("LOG_ENABLED") or (isinstance(number, int) and number > logging.ERROR)
        from crawler.monitoring.history import local_history  # (the history imports this module's statuses)

        # Where a small run finds the items of the runs before it: none with the run history off, nor in
        # `scrapy check`, whose contracts' sample items are no run's.
        recorded = settings.getbool("BS_RUN_HISTORY") and not looking_only()
        self.history = local_history(settings) if recorded else None
        self.crawler = crawler
        # The summary line was logged (the run judged), or the spider never opened: no line is owed.
        self.said = True
        # The line of a judged run, kept until the engine has stopped: logged as the run was judged, the
        # stats dump and Scrapy's "Spider closed" came after it, and a log's last line (`tail -1`) was
        # never the summary. None once said, or while a spider has not opened (logged at once).
        self.line_owed: tuple[str, bool] | None = None
        self.opened = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.feed_write_failed, signal=bs_signals.feed_write_failed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunVerdictExtension:
        if looking_only():
            # `scrapy check` and `scrapy parse` fetch sample pages, not a run: judged as one, the feed
            # contract's sample links, never fetched, printed `exit=5` beside the check's "OK".
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.said = False
        self.opened = True
        from twisted.internet import reactor  # the one the crawler installed

        reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def reactor_stopping(self) -> None:
        """The reactor stops before the run was judged (a second Ctrl-C or SIGTERM, an error as it closed):
        the run's one summary line, as its record and ping give it. Without it the log ended on Scrapy's
        "forcing unclean shutdown" and a run under --nolog printed nothing, exit 1 seen by nobody."""
        if self.said:
            self.say_owed()
            return
        self.said = True
        self.say(forced_stop(self.stats.get_stats())[3], failed=True)

    def say_owed(self) -> None:
        """The judged run's summary line, once, as the last line the run logs."""
        owed, self.line_owed = self.line_owed, None
        if owed is not None:
            self.say(*owed)

    def say(self, line: str, failed: bool) -> None:
        """The summary line, at ERROR for a failed run (and then on stderr too when the log is off)."""
        (logger.error if failed else logger.info)("%s", line)
        if failed and self.log_unheard:
            # Cron mails what a job prints, not its exit status: a failed run kept quiet (to keep the mail
            # of runs that worked away) printed nothing at all. Its one line on stderr, as a refusal's.
            try:
                print(line, file=sys.stderr, flush=True)
            except (OSError, ValueError):
                pass  # (stderr that cannot be written: the record and the exit status still say it)

    def engine_stopped(self) -> Deferred[None] | None:
        # One Ctrl-C or SIGTERM as the run's feeds are stored at its end: the run is judged once they are
        # (before, the reactor stopped first: exit 1, "ended before it was judged", for a run that ended well).
        waiting = close_under_way(self.crawler)
        if waiting is None:
            self.say_owed()
            return None

        def said(result: None) -> None:
            self.say_owed()
            return result

        return waiting.addBoth(said)

    def feed_write_failed(self, path: str, error: Exception) -> None:
        self.stats.inc_value(stat.OUTPUT_WRITE_FAILED)
        if self.output_failed:
            return
        self.output_failed = True
        # Fetching on while nothing can be written would only lose articles: stop now.
        logger.error("Cannot write the output file %s (%s); stopping the run", path, error)
        stop_run(self.crawler, "output_failed")

    def item_error(self, failure: Failure, **kwargs: Any) -> None:
        # Scrapy logs an exception in an item pipeline and drops the item, but counts nothing: an
        # article lost to a bug would leave no trace in the summary or the exit status.
        self.stats.inc_value(stat.pipeline_error(type(failure.value).__name__))

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        # Judged once every feed was stored and its articles confirmed (a batch or a remote
        # storage can still fail at the end).
        tracker = self.crawler.get_extension(DeliveryTracker)
        if tracker is not None:
            await maybe_deferred_to_future(tracker.when_settled())
        self.earlier_items = self._earlier_items(spider.name)
        status, why, summary = self.judge(reason)
        await send_and_wait(
            self.crawler.signals, run_judged, spider=spider, finish_reason=reason, status=status, why=why, summary=summary
        )

    def _earlier_items(self, spider: str) -> tuple[tuple[int, dict[str, int]], ...]:
        """The items of the spider's runs before this one, when this one has fewer than BS_COVERAGE_MIN_ITEMS."""
        checked = _sum(self.stats.get_stats(), stat.LAYOUT_PREFIX)
        if self.history is None or not self.min_coverage or not 0 < checked < self.coverage_min_items:
            return ()
        from crawler.monitoring.history import spider_arguments

        try:
            # Only the runs given the same arguments, as the run's record names them: the stories a user
            # named (`article -a url=…`) or the pages of one store (`reextract -a source=…`) are no sample
            # of the runs of other ones (an editorial has no byline), nor one section of another.
            return tuple(self.history.recent_items(spider, self.coverage_min_items - checked, spider_arguments(sys.argv)))
        except OSError as error:
            logger.warning("Could not read the run history for the items of the runs before this one (%s); field coverage is judged on this run's alone", error)
            return ()

    def judge(self, reason: str) -> tuple[int, str, str]:
        """Set the exit status, owe the summary line (logged as the engine stops); the status, why, and the line."""
        stats = self.stats.get_stats()
        try:
            status, why = self.verdict(stats, reason)
        except Exception as error:  # noqa: BLE001 - a bug in a rule must not take the line, the record and the ping with it
            logger.exception("The run verdict failed")
            status, why = EXIT_FAILED, f"the run verdict failed ({type(error).__name__}: {error}); see its traceback in the log"
        self.stats.set_value(stat.EXIT_STATUS, status)
        self.stats.set_value(stat.EXIT_REASON, why)  # for the run history and the heartbeat
        line = self.summary(stats, reason, status, why)
        self.said = True
        if self.opened:
            # Said once the engine stopped (or the reactor, whichever comes first): after the stats dump
            # and "Spider closed", so that the run's log ends with it.
            self.line_owed = (line, bool(status))
        else:
            self.say(line, failed=bool(status))
        return status, why, line

    def verdict(self, stats: dict[str, Any], reason: str) -> tuple[int, str]:
        """The exit status and why."""
        status, why = self._verdict(stats, reason)
        if stats.get(stat.STATE_FAILED) and status != EXIT_STATE:
            # Whatever else went wrong, the run could not record what it emitted: 7 is the status that
            # tells a script not to hand its -O file on (its articles come again next run). A failed
            # output or a block outranked it, and the file was handed on.
            return EXIT_STATE, f"the seen-store could not be used; also: {why}"
        return status, why

    def _verdict(self, stats: dict[str, Any], reason: str) -> tuple[int, str]:
        if self.output_failed:
            return EXIT_OUTPUT, "the output could not be written"
        responses = int(stats.get(stat.RESPONSES_RECEIVED, 0))
        blocked = int(stats.get(stat.BLOCKED, 0))
        if reason == "blocked" or (responses and blocked / responses > self.max_blocked_share):
            return EXIT_BLOCKED, f"{blocked} of {responses} responses were block pages"
        if reason == stat.RATE_LIMITED_REASON:
            return EXIT_BLOCKED, f"rate limited: {int(stats.get(stat.RATE_LIMITED, 0))} answers were 429 and the limit did not lift"
        if reason == stat.SITE_DOWN_REASON:
            # What it did before, judged as any run (what failed, by reason), and at least a failure:
            # it closed early, and what it did not fetch is fetched next run.
            status, why = self._verdict(stats, "finished")
            down = f"the site is down: {self.max_failures_in_a_row} tries in a row at it failed (BS_MAX_FAILURES_IN_A_ROW)"
            return status or EXIT_FAILED, down if status == EXIT_OK else f"{down}; {why}"
        if reason == stat.ROBOTSTXT_UNREACHABLE_REASON:
            return EXIT_FAILED, "robots.txt could not be reached (a server error or no answer): RFC 9309 has a crawler fetch nothing then; nothing was, it is asked for next run"
        if reason == REDIS_LOST:
            if stats.get(stat.REDIS_WRITES_REFUSED):
                return EXIT_REDIS, "Redis took no writes (full, a read-only replica or unable to save); restart the worker once it does"
            return EXIT_REDIS, "Redis was lost; restart the worker to continue the run"
        if reason == WORKER_NAME_TAKEN:
            return EXIT_LOCKED, "another process took this worker's name mid-run; it stopped (what it wrote is kept): give each worker its own BS_WORKER_NAME"
        if reason == OTHER_ARGUMENTS:
            return EXIT_USAGE, "the distributed run is going with another spider or other arguments; nothing was fetched"
        if stats.get(stat.STATE_FAILED):
            return EXIT_STATE, "the seen-store could not be used"
        if reason == stat.JOBDIR_FAILED_REASON:
            return EXIT_FAILED, "the JOBDIR could not be written or read (a full disk?); free space and run again to resume"
        if reason != "finished" and reason not in LIMIT_REASONS:
            return EXIT_FAILED, f"the run ended with reason {reason!r}"
        sources_failed = _sum(stats, stat.DISCOVERY_SOURCE_FAILED_PREFIX)
        named = "; ".join(stats.get(stat.DISCOVERY_FAILED_SOURCES) or [])
        more = sources_failed - len(stats.get(stat.DISCOVERY_FAILED_SOURCES) or [])
        named += f"; and {more} more" if more > 0 else ""
        if sources_failed and not stats.get(stat.DISCOVERY_SOURCES_READ):
            # A feed cut short in transit was fetched, and the items it closed were read.
            read = "fetched and read whole" if stats.get(stat.source_failed(CUT)) else "fetched and read"
            return EXIT_FAILED, f"none of the {sources_failed} feeds, sitemaps or listings could be {read}: {named}"
        if 0 <= self.max_failed_sources < sources_failed:
            return EXIT_FAILED, (
                f"{sources_failed} of the feeds, sitemaps or listings could not be fetched and read "
                f"(BS_MAX_FAILED_SOURCES={self.max_failed_sources}): {named}"
            )
        wanted = int(stats.get(stat.DISCOVERY_NEW, 0)) + int(stats.get(stat.DISCOVERY_CHANGED, 0))
        listed = wanted + int(stats.get(stat.DISCOVERY_UNCHANGED_SKIPPED, 0)) + int(stats.get(stat.DISCOVERY_NOT_ACCEPTED, 0))
        # Article links the seen-store's aliases settled (a story merged, removed, a page of another
        # kind, as an earlier run found): listed articles, not fetched (before, they were, and counted).
        listed += sum(int(stats.get(name, 0)) for name in (stat.DISCOVERY_REDIRECT_KNOWN, stat.DISCOVERY_NOT_ARTICLE_KNOWN, stat.GONE_KNOWN))
        others = {
            **{f"not_article/{k}": v for k, v in _by_suffix(stats, stat.DISCOVERY_NOT_ARTICLE_PREFIX).items()},
            "offsite": int(stats.get(stat.DISCOVERY_OFFSITE, 0)),
            # (Short links that led to no story: the stories they stood for were not found.)
            "short_link_unresolved": int(stats.get(stat.DISCOVERY_SHORT_LINK_UNRESOLVED, 0)),
            # (Articles robots.txt forbids, every one of them: the site shut its stories to crawlers.)
            "robots_forbidden": int(stats.get(stat.DISCOVERY_ROBOTS_FORBIDDEN, 0)),
        }
        if stats.get(stat.DISCOVERY_SOURCES_READ) and not listed and any(others.values()):
            # Sources that list pages, none of them an article: the site's article URLs changed (or
            # moved to another host). Nothing new, but not because nothing was published.
            if others["robots_forbidden"]:
                return EXIT_FAILED, (
                    f"robots.txt forbids every article the {int(stats[stat.DISCOVERY_SOURCES_READ])} feeds, sitemaps or listings read "
                    f"list ({_counts({k: v for k, v in others.items() if v})}): nothing was fetched"
                )
            if others["short_link_unresolved"] and not any(v for k, v in others.items() if k != "short_link_unresolved"):
                # Only short links, none of which led to a story: the short-link host failed us, not the
                # site's article URLs (each short link's line names why).
                return EXIT_FAILED, (
                    f"the {int(stats[stat.DISCOVERY_SOURCES_READ])} feeds, sitemaps or listings read list stories by "
                    f"short link alone, and none of the {others['short_link_unresolved']} led to a story "
                    "(short_link_unresolved): is the short-link host reachable?"
                )
            return EXIT_FAILED, (
                f"the {int(stats[stat.DISCOVERY_SOURCES_READ])} feeds, sitemaps or listings read list no article URL, "
                f"only other URLs ({_counts({k: v for k, v in others.items() if v})}): have the site's article URLs changed?"
            )
        # A distributed worker is judged by the article requests it took from the shared queue:
        # what it found, another worker may have fetched (crawler/distributed/scheduler.py).
        wanted = int(stats.get(stat.REDIS_ARTICLES_TAKEN, wanted))
        # Articles that answered gone as in an earlier run: stories the site removed while its feeds
        # still link them, neither wanted nor failed (a run whose only new link is one would fail every
        # run until the feeds drop it). An article answering gone the first time still fails: a URL
        # scheme change (every new article 404) stays loud.
        gone = int(stats.get(stat.GONE_AGAIN, 0))
        # So are premium stories shown as their stub as at the run before (asked for again in case
        # their story comes): a run whose only new link was one exited 5 at every run. The first
        # run that meets a stub still weighs it (every premium page a stub stays loud).
        stubs = int(stats.get(stat.DISCOVERY_STUB_AGAIN, 0))
        wanted = max(0, wanted - gone - stubs)
        # (Named beside what was found: counted among the skipped, they made the line's figures disagree.)
        besides = [f"{gone} answering gone as in an earlier run"] * bool(gone) + [f"{stubs} shown as their paywall stub as in an earlier run"] * bool(stubs)
        found = f"discovery found {wanted} new or changed article(s)" + (f" besides {' and '.join(besides)}" if besides else "")
        if stat.REEXTRACT_RECORDS in stats:
            # Re-extraction: the stored article pages handed to the rules (new rules that read none
            # of them are a redesign of our own).
            records = int(stats[stat.REEXTRACT_RECORDS])
            passed_over = _by_suffix(stats, stat.REEXTRACT_SKIPPED_PREFIX)
            wanted = records - sum(passed_over.values())
            found = f"{wanted} stored article page(s) were read"
            if not records:
                return EXIT_FAILED, "the source holds no stored response (a WARC of requests, metadata or DNS records only?)"
            if not wanted:
                # Every record broken, or none an article page (saved pages that name no URL of the
                # site, a store of another site's pages): an empty output is no "ok".
                return EXIT_FAILED, f"none of the {records} stored record(s) is an article page that could be read ({_counts(passed_over)})"
            unreadable = int(stats.get(stat.REEXTRACT_UNREADABLE, 0))
            if unreadable:
                # Unlike a broken record (a cut copy beside a whole one), what such a folder holds is unknown:
                # the output lacks it, which an exit 0 hid behind one WARNING line a folder.
                return EXIT_FAILED, (
                    f"{unreadable} folder(s) or file(s) of the source could not be read (the log's WARNING lines name them: "
                    f"permissions?), the pages in them not re-extracted; {wanted} stored article page(s) were read"
                )
        # Extracted: written, unchanged since emitted, or claimed by another live run on the same
        # seen-store (which emits it): none of them is lost.
        extracted = int(stats.get(stat.ITEMS_SCRAPED, 0)) + int(stats.get(stat.UNCHANGED, 0)) + int(stats.get(stat.STATE_CLAIMED_ELSEWHERE, 0))
        # A paid story or press release at a story's address, read and left out of the feed as such:
        # no failure of the rules (a run whose only new link was one exited 5, a redesign).
        extracted += int(stats.get(stat.skipped(SPONSORED), 0))
        errors = _errors(stats)
        failed = _by_suffix(stats, stat.FAILED_PREFIX)  # article requests given up
        limited = f"stopped at its limit ({reason}); what it did not fetch is fetched next run" if reason in LIMIT_REASONS else ""
        if wanted and not extracted:
            skipped = _by_suffix(stats, stat.SKIPPED_PREFIX)
            # Nor are their pages the run's answers: counted, a stub met before beside a new article the
            # site answered 503 for made the run a redesign (exit 5), where the site failed (exit 1).
            skipped[PAYWALL_STUB] = skipped.get(PAYWALL_STUB, 0) - stubs
            skipped = {k: v for k, v in skipped.items() if v > 0}
            # Pages that came back and were read (block pages are no page of the site): only those can
            # tell a redesign. When every article request failed (5xx after retries, timeouts, refused
            # connections), the site is down; when none was refused as no article, a bug lost them.
            extracted_items = _sum(stats, stat.LAYOUT_PREFIX)
            no_page = {k: v for k, v in skipped.items() if k in NO_PAGE_SKIPS}
            answered = extracted_items + sum(skipped.values()) - sum(no_page.values())
            if errors and answered == extracted_items:
                return EXIT_FAILED, _lost_to_errors(errors)
            # Akamai's page in place of every article (200: skipped as blocked; 403: given up), with the
            # feeds and robots.txt answered: too few of all the answers to pass BS_MAX_BLOCKED_SHARE, and
            # it read as a redesign (exit 5) or the site down (exit 1) where the site refused us.
            blocks = {k: v for k, v in (("blocked", skipped.get("blocked", 0)), (BLOCKED_STATUS, failed.get(BLOCKED_STATUS, 0))) if v}
            if blocks and not answered and set(failed) <= {BLOCKED_STATUS} and set(no_page) <= {"blocked"} and not errors:
                return EXIT_BLOCKED, f"{found} but every article page fetched was a block page ({_counts(blocks)})"
            # `crawl article` given addresses whose pages are no story (a section's front, a listing): the
            # addresses are wrong, not the rules (it was exit 5, the alarm of a redesign).
            given_other = int(stats.get(stat.ARGUMENT_NOT_ARTICLE, 0))
            if given_other and given_other == answered and not failed and not no_page and not errors:
                return EXIT_USAGE, (
                    f"not an article: the {given_other} address(es) given are pages of another kind "
                    f"({_counts(skipped)}); give a story's address"
                )
            if limited and not answered and not failed and not no_page and not errors:
                return EXIT_OK, f"ok, {limited} (no article page was read before it)"
            if (failed or no_page) and not answered:
                return EXIT_FAILED, (
                    f"{found} but none could be fetched ({_counts({**failed, **skipped})})"
                )
            why = "; ".join(
                f"{kind}: {_counts(counts)}" for kind, counts in (("skipped", skipped), ("failed", failed), ("errors", errors)) if counts
            )
            return EXIT_EXTRACTION, f"{found} but none could be extracted" + (
                f" ({why})" if why else ""
            )
        checked = _sum(stats, stat.LAYOUT_PREFIX)
        invalid = _sum(stats, stat.DROPPED_MISSING_PREFIX)
        if checked and invalid / checked > self.max_invalid_share:
            return EXIT_EXTRACTION, f"{invalid} of {checked} items failed validation"
        # Pages no rule reads give no item to validate: a redesign rolled out to part of the site
        # (an A/B test) would lose those articles on every run, the rest going out as if all were well.
        unknown = int(stats.get(stat.skipped(UNKNOWN_LAYOUT), 0))
        if unknown and unknown / (checked + unknown) > self.max_invalid_share:
            return EXIT_EXTRACTION, (
                f"{unknown} of {checked + unknown} article pages were of no layout the rules know "
                f"({UNKNOWN_LAYOUT}={unknown}): a redesign?"
            )
        # A run without items has no coverage (BS_COVERAGE_MIN_ITEMS=0 divided by it). A run with fewer
        # than BS_COVERAGE_MIN_ITEMS is judged with the items of the spider's runs before it: judged
        # alone, never, and a redesign that dropped a field went out as "ok" for as long as cron ran
        # `latest` often enough to find a few articles a run.
        missing: dict[str, float] = {field: int(stats.get(stat.missing(field), 0)) for field in self.min_coverage}
        pooled, runs = checked, 0
        for items, earlier in self.earlier_items if 0 < checked < self.coverage_min_items else ():
            if pooled >= self.coverage_min_items:
                break
            # Of the oldest run, only the items the window still needs, with its share of the missing:
            # whole, a big good run before a redesign (a morning's 40 items) outweighed the small runs
            # after it, each going out as "ok" until they were enough to judge without it.
            share = min(items, self.coverage_min_items - pooled)
            pooled, runs = pooled + share, runs + 1
            missing = {field: count + int(earlier.get(field, 0)) * share / items for field, count in missing.items()}
        if checked and pooled >= self.coverage_min_items:
            low = []
            for field, minimum in self.min_coverage.items():
                coverage = 1 - missing[field] / pooled
                # A field this run's own items meet the minimum of is no failure of this run, whatever the
                # runs before it lacked: after a rules fix, every small run failed on the items of the runs
                # before the fix until enough good ones had pushed them out of the window.
                if coverage < minimum and (not runs or 1 - int(stats.get(stat.missing(field), 0)) / checked < minimum):
                    low.append(f"{field} {coverage:.0%} < {minimum:.0%}")
            if low:
                over = f" over the last {pooled} items ({checked} of this run, {pooled - checked} of the {runs} run(s) before it)" if runs else ""
                return EXIT_EXTRACTION, "field coverage too low (a site redesign?): " + ", ".join(low) + over
        if wanted and sum(failed.values()) / wanted > self.max_failed_share:
            # A few pages failing is a normal run (they are fetched again next time); most of
            # them is the site mostly down, which an "ok" would hide.
            return EXIT_FAILED, (
                f"{sum(failed.values())} of {wanted} new or changed article pages could not be fetched ({_counts(failed)})"
            )
        if errors:
            return EXIT_FAILED, _lost_to_errors(errors)
        splash_failed = _sum(stats, stat.SPLASH_FAILED_PREFIX)
        renders = int(stats.get(stat.SPLASH_RENDERED, 0)) + splash_failed
        if renders and splash_failed / renders > self.max_splash_failed_share:
            reasons = ", ".join(f"{k}={v}" for k, v in _by_suffix(stats, stat.SPLASH_FAILED_PREFIX).items())
            return EXIT_SPLASH, f"Splash failed on {splash_failed} of {renders} pages ({reasons}); their market numbers are null"
        deferred = stats.get(stat.RATE_LIMITED_DEFERRED_HOSTS) or []
        if deferred:
            # An exit 0 that says what it left: a host's pages wait for a run after its Retry-After.
            left = f"{', '.join(str(host) for host in deferred)} rate limited: its pages are left for a later run"
            limited = f"{limited}; {left}" if limited else left
        return EXIT_OK, f"ok, {limited}" if limited else "ok"

    @staticmethod
    def summary(stats: dict[str, Any], reason: str, status: int, why: str) -> str:
        """The one summary line."""
        layouts = ", ".join(f"{k}={v}" for k, v in _by_suffix(stats, stat.LAYOUT_PREFIX).items()) or "none"
        missing = ", ".join(f"{k}={v}" for k, v in _by_suffix(stats, stat.MISSING_PREFIX).items()) or "none"
        unchanged = int(stats.get(stat.UNCHANGED, 0)) + int(stats.get(stat.DISCOVERY_UNCHANGED_SKIPPED, 0))
        # Emitted: items that reached every feed that takes them; dropped: items refused for a
        # reason other than being unchanged.
        emitted = int(stats.get(stat.OUTPUT_DELIVERED, 0))
        dropped = max(0, int(stats.get(stat.ITEMS_DROPPED, 0)) - int(stats.get(stat.UNCHANGED_DROPPED, 0)))
        return (
            f"Run summary: new={int(stats.get(stat.NEW, 0))} updated={int(stats.get(stat.UPDATED, 0))} "
            f"unchanged={unchanged} emitted={emitted}{_recovered(stats)} "
            f"skipped={_sum(stats, 'bs/skipped/')} failed={_sum(stats, 'bs/failed/')} "
            f"dropped={dropped} "
            f"blocked={int(stats.get('bs/blocked', 0))}{_gone(stats)}{_splash(stats)}{_rate_limited(stats)}{_deferred(stats)}{_error_count(stats)}; {_sources(stats)}{_records(stats)}"
            f"layouts: {layouts}; missing: {missing}; "
            f"finish={reason}; exit={status} ({why})"
        )


def _splash(stats: dict[str, Any]) -> str:
    """`` rendered=N splash_failed=N`` for runs with Splash; nothing otherwise."""
    rendered = int(stats.get(stat.SPLASH_RENDERED, 0))
    failed = _sum(stats, stat.SPLASH_FAILED_PREFIX)
    return f" rendered={rendered} splash_failed={failed}" if rendered or failed else ""


def _rate_limited(stats: dict[str, Any]) -> str:
    """`` rate_limited=N`` (429 answers) when there were any."""
    count = int(stats.get(stat.RATE_LIMITED, 0))
    return f" rate_limited={count}" if count else ""


def _deferred(stats: dict[str, Any]) -> str:
    """`` deferred=HOST,…`` (hosts whose rate limit left them to a later run) when there were any."""
    hosts = stats.get(stat.RATE_LIMITED_DEFERRED_HOSTS) or []
    return f" deferred={','.join(str(host) for host in hosts)}" if hosts else ""


def _recovered(stats: dict[str, Any]) -> str:
    """`` recovered=N`` (a killed run's articles found written at the start, counted here) when there were any."""
    count = int(stats.get(stat.STATE_RECOVERED_WRITTEN, 0))
    return f" recovered={count}" if count else ""


def _gone(stats: dict[str, Any]) -> str:
    """`` gone=N`` (articles known to be removed by the site, answering gone again) when there were any."""
    count = int(stats.get(stat.GONE_AGAIN, 0))
    return f" gone={count}" if count else ""


def _error_count(stats: dict[str, Any]) -> str:
    """`` errors=N`` (exceptions in callbacks and item pipelines) when there were any."""
    count = sum(_errors(stats).values())
    return f" errors={count}" if count else ""


def _records(stats: dict[str, Any]) -> str:
    """``records: read=9 passed over=3 (broken=1, not-article-url=2); `` for re-extraction runs; nothing otherwise."""
    if stat.REEXTRACT_RECORDS not in stats:
        return ""
    read = int(stats[stat.REEXTRACT_RECORDS])
    passed_over = _by_suffix(stats, stat.REEXTRACT_SKIPPED_PREFIX)
    reasons = f" ({_counts(passed_over)})" if passed_over else ""
    return f"records: read={read} passed over={sum(passed_over.values())}{reasons}; "


def _sources(stats: dict[str, Any]) -> str:
    """``sources: read=7 failed=2 (not-xml=1, offsite-redirect=1); `` for discovery runs; nothing otherwise."""
    read = int(stats.get(stat.DISCOVERY_SOURCES_READ, 0))
    failed = _by_suffix(stats, stat.DISCOVERY_SOURCE_FAILED_PREFIX)
    if not read and not failed:
        return ""
    reasons = f" ({', '.join(f'{k}={v}' for k, v in failed.items())})" if failed else ""
    return f"sources: read={read} failed={sum(failed.values())}{reasons}; "


FORCED_STOP = "the run was forced to stop (Ctrl-C or SIGTERM a second time) before its end"
# One Ctrl-C or SIGTERM, and the reactor stopped before the run was judged: an error in the close path ended
# it (the graceful stop itself waits for a close under way: crawler/runstop.py).
STOPPED_AFTER_SIGNAL = (
    "the run was told to stop (Ctrl-C or SIGTERM) and ended before it was judged (an error as it closed: "
    "see the log's ERROR lines)"
)
# A reactor that stops before the run was judged with no signal at all: an error in the close path
# (a spider_closed handler of the verdict's wait, a storage of one's own) ended the crawl first.
STOPPED_UNJUDGED = "the run stopped before it was judged, on an error as it closed (no Ctrl-C or SIGTERM); see the log's ERROR lines"


def shutdown_signals() -> int:
    """How many of Scrapy's shutdown signals (Ctrl-C, SIGTERM) the process took, as its handlers tell: none
    (its first handler), one (the forced shutdown's handler, ``_signal_kill``, waits for a second) or two
    (both left ignored: ``install_shutdown_handlers(signal.SIG_IGN)``), in every Scrapy version this
    project runs on."""
    handler = signal.getsignal(signal.SIGTERM)
    if handler == signal.SIG_IGN:
        return 2
    return 1 if getattr(handler, "__name__", "") == "_signal_kill" else 0


def forced_stop(stats: dict[str, Any]) -> tuple[str, int, str, str]:
    """Finish reason, exit status, reason and summary line of a run stopped before it was judged, by
    Scrapy's forced shutdown or an error as it closed: exit 1, or the verdict's status when it judged
    the run already."""
    judged = stats.get(stat.EXIT_STATUS)
    finish_reason = str(stats.get("finish_reason") or "shutdown")
    stopped = (STOPPED_UNJUDGED, STOPPED_AFTER_SIGNAL, FORCED_STOP)[shutdown_signals()]
    if judged is None:
        status, why = EXIT_FAILED, stopped
    else:
        status, why = int(judged), f"{stats.get(stat.EXIT_REASON)}; {stopped}"
    return finish_reason, status, why, RunVerdictExtension.summary(stats, finish_reason, status, why)
