"""The seen-store as a crawler component: opened (and a killed run settled) when the crawler is set up,
found by spiders, pipelines and the scheduler with ``crawler.get_extension(SeenStoreExtension)``."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
from datetime import timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred

from crawler import stats as stat
from crawler.runstop import close_under_way, stop_run
from crawler.incremental import signals as bs_signals
from crawler.incremental.lock import recovery_lock
from crawler.incremental.recovery import RECEIPT_FORMAT, recover_pending, remove_receipts
from crawler.incremental.store import INTERRUPTED_OUTPUTS, Alias, FeedRecord, GoneArticle, SeenStore, StateError, backend
from crawler.monitoring.lookonly import looking_only
from crawler.pipelines import DuplicateArticle

logger = logging.getLogger(__name__)

# Close reason of a run whose seen-store failed mid-run (crawler/monitoring/verdict.py: exit 7).
STATE_FAILED_REASON = "state_failed"


def new_run_id(spider_name: str = "") -> str:
    """An id for this run's pending entries and feed files: ``<spider>:<random>``.

    The spider's name scopes recovery: runs of one spider never overlap (the run lock), but runs of
    two spiders may, and one must not settle the other's live entries.
    """
    return f"{spider_name}:{uuid.uuid4().hex}"


class SeenStoreExtension:
    """The seen-store of an incremental spider (class attribute ``incremental``), backend ``BS_SEEN_STORE``."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        name = crawler.spidercls.name or "spider"
        self.fresh = settings.getbool("BS_FRESH")
        # 0 (or less): the seen-store keeps every article for ever.
        self.retention = timedelta(days=max(0.0, settings.getfloat("BS_SEEN_RETENTION_DAYS", 400.0)))
        self.run_id = new_run_id(name)
        # Feed or sitemap date of each article found, until its item is claimed.
        self.source_dates: dict[str, str | None] = {}
        self.failed: StateError | None = None
        self.store: SeenStore | None = None
        # Local files that killed runs were writing, by path, until a feed of this run opens one.
        self.interrupted: dict[str, FeedRecord] = {}
        # This run's receipts (crawler/incremental/receipts.py), removed when it ends settled.
        self.receipts: list[str] = []
        try:
            self.store = backend(settings).open(settings, name)
        except StateError as error:
            self.fail(error)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(self.feed_file_opened, signal=bs_signals.feed_file_opened)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenStoreExtension:
        if not getattr(crawler.spidercls, "incremental", False) or looking_only():
            # (`scrapy check`, `parse`, `shell` with an incremental spider: before, a look made the store, did the
            # day's prune and settled a killed run, whose WARNING the parse printed and the next run's record lacked.)
            raise NotConfigured
        return cls(crawler)

    def is_live(self, run_id: str) -> bool:
        """Whether another run that claimed an article is still going (then it emits the article)."""
        check = getattr(self.store, "is_live", None)
        return bool(check(run_id)) if check is not None else False

    def recover(self) -> None:
        """Settle what killed runs left pending (before this run opens its feeds)."""
        if self.store is None:
            return
        # Only a store that can tell whether another spider's run is still going (the SQLite one, by
        # its run lock) settles that spider's runs; the Redis one keeps each worker's entries apart.
        check = getattr(self.store, "is_live", None)
        outputs: list[FeedRecord] = []
        keeps_outputs = hasattr(self.store, "forget_feed")
        try:
            with recovery_lock(self.crawler.settings):
                confirmed, dropped = recover_pending(self.store, self.run_id, check, outputs)
                if keeps_outputs:
                    # Kept until a run opens them, whichever spider settled the killed run (`latest`
                    # settles a killed `section` long before the next `section` writes its file).
                    for feed in outputs:
                        self.store.record_feed(INTERRUPTED_OUTPUTS, dataclasses.replace(feed, forgotten_at_end=False))
                    self.interrupted = self._interrupted_outputs_still_there()
        except StateError as error:
            self.fail(error)
            return
        if confirmed or dropped:
            logger.warning(
                "Recovered an interrupted run: %d article(s) were in its output and are now seen, "
                "%d were not written and will be fetched again",
                confirmed,
                dropped,
            )
            self.stats.set_value(stat.STATE_RECOVERED_WRITTEN, confirmed)
            self.stats.set_value(stat.STATE_RECOVERED_UNWRITTEN, dropped)

    def _interrupted_outputs_still_there(self) -> dict[str, FeedRecord]:
        """Killed runs' output files that are still there, by path; the records of those that are not
        are forgotten. Only a run that opens the very path takes a record over, and the default feed's
        name holds its time: the record of a file deleted or rotated away was kept for ever, and read
        at every run (a remote feed's, its URI template, too)."""
        assert self.store is not None
        kept: dict[str, FeedRecord] = {}
        missing: list[str] = []
        for feed in self.store.feeds_of(INTERRUPTED_OUTPUTS):
            # (Not a regular file: no run keeps or continues it, and recovery never reads one.)
            if os.path.isfile(feed.path):
                kept[feed.path] = feed
            else:
                missing.append(feed.path)
        forget = getattr(self.store, "forget_feed")  # (called only for a store that keeps such records)
        for path in missing:
            forget(INTERRUPTED_OUTPUTS, path)
        if missing:
            self.stats.inc_value(stat.STATE_INTERRUPTED_OUTPUTS_FORGOTTEN, len(missing))
            logger.info("Forgot %d killed run(s)' output file(s) that are no longer there (deleted or moved away): %s",
                        len(missing), " ".join(missing))
        return kept

    def fail(self, error: StateError) -> None:
        """The store cannot be used: one error line, stat, and the run stops (exit 7)."""
        if self.failed is not None:
            return
        if getattr(self.store, "lost", None) is not None:
            return  # a distributed store that lost Redis: the worker stops on its own (exit 8)
        self.failed = error
        self.stats.set_value(stat.STATE_FAILED, 1)
        logger.error("error: %s; stopping the run (nothing more is emitted)", error)
        stop_run(self.crawler, STATE_FAILED_REASON)

    def spider_opened(self) -> None:
        if self.failed is not None:
            stop_run(self.crawler, STATE_FAILED_REASON)
            return
        from twisted.internet import reactor  # the one the crawler installed

        reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def reactor_stopping(self) -> None:
        """The reactor stops while the run is still open: Scrapy's forced shutdown (Ctrl-C or SIGTERM
        a second time). The run ends (exit 1) as one that says so, not as one killed: its files are
        handed over as they are, not kept at the start of the next run's ``-O`` file, which the
        reader who took them would get twice. What it handed to its feeds and did not confirm stays
        pending; the next run settles it from the files."""
        finish = getattr(self.store, "finish_run", None)
        if finish is None or self.failed is not None:
            return  # (ended already: engine_stopped closed the store)
        try:
            finish(self.run_id)
        except StateError as error:
            logger.warning("The run could not record its end in the seen-store: %s", error)

    def interrupted_output(self, path: str) -> FeedRecord | None:
        """The record of a killed run's file at ``path``, which this run is opening (and so takes
        over: the record is forgotten); None when no killed run's file is there."""
        feed = self.interrupted.pop(path, None)
        forget = getattr(self.store, "forget_feed", None)
        if feed is not None and forget is not None and self.failed is None:
            try:
                forget(INTERRUPTED_OUTPUTS, path)
            except StateError as error:
                self.fail(error)
        return feed

    def pass_on(self, path: str) -> None:
        """Take a killed run's file at ``path`` that this run hands on as it is (an ``-O`` batch past
        this run's last) for one of this run's: once this run ended it is an earlier run's, which the
        next removes; should this run be killed first, a killed run's again, which the next keeps."""
        feed = self.interrupted.get(path)
        if feed is None:
            return
        self.feed_file_opened(feed)
        self.interrupted_output(path)

    def feed_file_opened(self, feed: FeedRecord) -> None:
        if self.store is None or self.failed is not None:
            return
        if hasattr(self.store, "finish_run"):
            # The store forgets it when the run ends (settle()): one left behind is a killed run's.
            feed = dataclasses.replace(feed, forgotten_at_end=True)
        try:
            self.store.record_feed(self.run_id, feed)
        except StateError as error:
            self.fail(error)
            return
        if feed.format == RECEIPT_FORMAT:
            self.receipts.append(feed.path)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        # An item dropped before it was claimed (invalid, cut short) takes its source date along:
        # the map holds only articles on their way, not every one a long run dropped. Not a
        # duplicate's: the date is its twin's, which may still be on its way to its claim.
        article_id = getattr(item, "articleId", None)
        if article_id is not None and not isinstance(exception, DuplicateArticle):
            self.source_dates.pop(article_id, None)

    def _optional(self, method: str, *args: Any) -> Any:
        """The store's ``method`` called with ``args``; None when the store has no such method (a store
        class of before, named by BS_SEEN_STORE, keeps no gone answers nor aliases) or has failed."""
        call = getattr(self.store, method, None)
        if call is None or self.failed is not None:
            return None
        try:
            return call(*args)
        except StateError as error:
            self.fail(error)
            return None

    def answered_gone(self, article_id: str, answer: str) -> GoneArticle | None:
        """Record that an article answered as a story the site removed (404, 410, 451, a redirect away
        from it); its record when it answered so in an earlier run too, with no page since: then the site
        removed it. None the first time (a story not live yet answers so too: it fails, as any) or when
        the store failed."""
        earlier: GoneArticle | None = self._optional("answered_gone", article_id, answer, self.run_id)
        return earlier if earlier is not None and earlier.run_id != self.run_id else None

    def known_gone(self, article_id: str) -> GoneArticle | None:
        """The article's gone record when an earlier run recorded it (nothing is recorded)."""
        earlier: GoneArticle | None = self._optional("gone", article_id)
        return earlier if earlier is not None and earlier.run_id != self.run_id else None

    def answered_page(self, article_id: str) -> GoneArticle | None:
        """Forget that an article answered as removed: it answered a page (put back, or live at last).
        Its record, if it had one."""
        found: GoneArticle | None = self._optional("answered_page", article_id)
        return found

    def answered_own_page(self, article_id: str) -> GoneArticle | None:
        """:meth:`answered_page`, and :meth:`forget_alias` of the article's id: it answered a page of its own,
        so whatever its address led to before (another article, nowhere) is past. In one call where the
        store has one (Redis: a round trip per article page fewer)."""
        if hasattr(self.store, "answered_own_page"):
            found: GoneArticle | None = self._optional("answered_own_page", article_id)
            return found
        found = self.answered_page(article_id)
        self.forget_alias(article_id)
        return found

    def alias(self, key: str) -> Alias | None:
        """Where the link ``key`` (a short link's key, a story's id) led in an earlier run, if the store
        remembers it (a store class of before remembers nothing: every such link is asked for)."""
        found: Alias | None = self._optional("alias", key)
        return found

    def remember_alias(self, key: str, target: str, source_date: str | None) -> Alias | None:
        """Record where the link ``key``, listed with ``source_date``, led (``target`` empty: nowhere)."""
        recorded: Alias | None = self._optional("remember_alias", key, target, source_date)
        return recorded

    def forget_alias(self, key: str) -> None:
        """Forget where the link ``key`` led: its address answered a page of its own."""
        self._optional("forget_alias", key)

    def confirm(self, article_id: str) -> bool:
        """Mark an article of this run seen; False if the store failed."""
        if self.store is None or self.failed is not None:
            return False
        try:
            self.store.confirm(article_id, self.run_id)
        except StateError as error:
            self.fail(error)
            return False
        return True

    def settle(self) -> None:
        """At the end of the run: the store's total, for the stats."""
        if self.store is None or self.failed is not None:
            return
        try:
            self._settle()
        except Exception as error:  # noqa: BLE001 - a store's own fault, not its StateError: one line and exit 7, no hang
            self.fail(StateError(f"the seen-store failed at the run's end ({type(error).__name__}: {error})"))

    def _settle(self) -> None:
        assert self.store is not None
        in_place = getattr(self.store, "check_in_place", None)
        if in_place is not None:
            try:
                in_place()
            except StateError as error:
                self.fail(error)
                return
        finish = getattr(self.store, "finish_run", None)
        if finish is not None:
            try:
                finish(self.run_id)
            except StateError as error:
                # Its feed records still say "killed": the next -O run would keep this run's file at
                # its start and hand its articles over again. Exit 7 tells the reader not to take it.
                self.fail(error)
                return
        try:
            if (self.receipts or finish is None) and not any(entry.run_id == self.run_id for entry in self.store.pending()):
                # Every article the run handed to its feeds is seen: the receipts have told all they could.
                if finish is None:
                    # A store that keeps a run's records past its end (Redis: recovery forgets only
                    # runs with articles pending) would keep them for ever: a key per worker run, with
                    # or without receipts (`latest` from cron: tens of thousands a year).
                    self.store.forget_run(self.run_id)
                remove_receipts(self.receipts)
            # (A store class of before, named by BS_SEEN_STORE, may lack these; the protocol has them, so mypy checks a new one.)
            if hasattr(self.store, "date_met") and self.retention:
                try:
                    self.store.date_met()
                except StateError as error:
                    # Not dated, they count from their last fetch: a prune may forget one a source
                    # still lists, and a later run writes it again as new. Said, not fatal.
                    logger.warning("Seen-store: the articles sources listed again could not be dated: %s", error)
            if hasattr(self.store, "prune_seen") and self.retention:
                pruned = self.store.prune_seen(self.retention)
                if pruned is not None:
                    self.stats.set_value(stat.STATE_SEEN_PRUNED, pruned)
                    if pruned:
                        logger.info("Seen-store: forgot %d article(s) not met for %g days", pruned, self.retention / timedelta(days=1))
            self.stats.set_value(stat.STATE_SEEN_TOTAL, self.store.count())
        except StateError as error:
            # A distributed worker that lost Redis still closes cleanly; its restart settles the rest.
            logger.warning("Seen-store total not known: %s", error)

    def engine_stopped(self) -> Deferred[None] | None:
        # Scrapy's graceful stop sends this while the spider may still be closing (its feeds being
        # uploaded): the store is needed until that close has marked their articles seen.
        closing = close_under_way(self.crawler)
        if closing is None:
            self._close_store()
            return None
        return closing.addBoth(lambda _: self._close_store())

    def _close_store(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except Exception as error:  # noqa: BLE001 (a lost Redis, a closed file: nothing left to do)
                logger.warning("Seen-store not closed cleanly: %s", error)
            self.store = None


def seen_store_extension(crawler: Crawler) -> SeenStoreExtension | None:
    """The crawl's seen-store component, None for spiders without one."""
    if crawler.extensions is None:
        return None
    return crawler.get_extension(SeenStoreExtension)


def seen_store_of(crawler: Crawler) -> SeenStore | None:
    """The crawl's seen-store, None for spiders without one (or when it failed)."""
    extension = seen_store_extension(crawler)
    return extension.store if extension is not None and extension.failed is None else None
