"""Confirmation per item from Scrapy's feed machinery: an article is marked seen once every feed that
takes it has it, whatever the format, batch, postprocessing or storage.

After Scrapy's ``FeedExporter`` handled ``item_scraped`` (it is connected first), this extension looks
at each feed slot: whether its item filter takes the item and whether the slot's item count moved
(a write that raised leaves it where it was). Slots of the durable storages without postprocessing
(crawler/incremental/feedstorage.py) have the item as soon as the write returned; any other slot
(postprocessing such as gzip, remote storages such as S3, GCS or FTP) has it once the slot was stored,
which ``feed_slot_closed`` tells, with Scrapy's ``feedexport/failed_count/<storage>`` stat saying
whether the store failed. An item one feed failed on is taken back from the durable files that had it
(it is fetched and written again next run). A feed recovery cannot read back gets a receipt line per
article before the article is confirmed (crawler/incremental/receipts.py). Only APIs present from
Scrapy 2.13 to 2.19 are used.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import BlockingFeedStorage, FeedExporter
from scrapy.statscollectors import StatsCollector
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import stats as stat
from crawler.extraction import Article
from crawler.incremental import signals as bs_signals
from crawler.incremental.extension import SeenStoreExtension
from crawler.incremental.feedstorage import (
    DurableFileFeedStorage,
    DurableStdoutFeedStorage,
    compression_of,
    earlier_batches,
    is_read_only,
    read_back,
    remove_unless_held,
)
from crawler.incremental.pipeline import claimed_as
from crawler.incremental.receipts import Receipt
from crawler.incremental.store import FeedRecord

logger = logging.getLogger(__name__)


class _Delivery:
    """One item on its way to the feeds."""

    __slots__ = ("article_id", "version", "claimed", "remaining", "broken", "held")

    def __init__(self, article_id: str | None, version: int | None = None, claimed: str | None = None) -> None:
        self.article_id = article_id
        self.version = version
        self.claimed = claimed  # "new", "updated" or None (see crawler.incremental.pipeline.claimed_as)
        self.remaining = 0
        self.broken = False
        # Waiting for a feed that stores at its close: the local files and stdout that have it
        # already, for good (they were committed), named should that feed fail.
        self.held: tuple[str, ...] = ()


# How often the reactor, stopping, looks whether the feeds' uploads under way have ended.
UPLOAD_POLL_SECONDS = 0.05


class UploadGivenUp(TimeoutError):
    """A feed's upload that outlasted BS_FEED_CLOSE_TIMEOUT, given up (its thread may still go on)."""


class _GivenUpInOneLine(logging.Filter):
    """Scrapy's ``Error storing …`` for an upload given up, without the traceback Scrapy logs with every
    failed store: the timeout was told in one line already, and its traceback is only of Scrapy's await."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], UploadGivenUp):
            record.msg = f"{record.msg} ({record.exc_info[1]})"
            record.exc_info, record.exc_text = None, None
        return True


def _one_line_for_given_up_uploads() -> None:
    feeds = logging.getLogger("scrapy.extensions.feedexport")
    if not any(isinstance(known, _GivenUpInOneLine) for known in feeds.filters):
        feeds.addFilter(_GivenUpInOneLine())


class DeliveryTracker:
    """Counts what reached every feed (``bs/output/delivered``), confirms it in the seen-store, and
    reports feeds that failed (``feed_write_failed``: the run verdict makes that exit 6)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.close_timeout = crawler.settings.getfloat("BS_FEED_CLOSE_TIMEOUT", 600.0)
        self.exporter: FeedExporter | None = None
        self.seen: SeenStoreExtension | None = None
        self.slots: list[Any] = []
        # By feed (URI template): the receipt of a feed recovery cannot read back, None for one it reads.
        self.receipts: dict[str, Receipt | None] = {}
        self.counts: dict[Any, int] = {}
        self.waiting: dict[Any, list[_Delivery]] = {}
        self.stored: dict[Any, bool] = {}
        # Of a batch stored inside the FeedExporter's own item_scraped handler: confirmed once the
        # batch's last item, which this tracker has not seen yet, has its receipt lines.
        self.held_back: list[_Delivery] = []
        self.failed_counts: dict[str, int] = {}
        # By feed (URI template): the last batch this run stored.
        self.last_batches: dict[str, int] = {}
        self.settled = False
        self.waiters: list[Deferred[None]] = []
        self.timer: Any = None
        # Uploads (remote storages' threads) that returned, and whether the reactor is stopping before the run
        # settled (Scrapy's forced stop): what an upload stores then is noted in its receipt from its thread.
        self.uploads = threading.Lock()
        self.uploaded: set[Any] = set()
        self.watched: set[Any] = set()
        self.stopping = False
        # Blocking storages' uploads, each in a thread of its own (see _bound_upload): the threads still
        # running (under ``uploads``), and the stores Scrapy awaits that have not answered yet.
        self.bounded: set[Any] = set()
        self.running: set[threading.Thread] = set()
        self.unanswered: list[Deferred[None]] = []
        # When the wait for the feeds at the run's end runs out (time.monotonic()), once the spider closed.
        self.deadline: float | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(self.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeliveryTracker:
        return cls(crawler)

    # --- opening ---------------------------------------------------------------

    def spider_opened(self) -> None:
        # The FeedExporter opened its slots on this signal before us (it is connected first).
        self.exporter = self.crawler.get_extension(FeedExporter)
        self.seen = self.crawler.get_extension(SeenStoreExtension)
        if self.exporter is not None:
            self.slots = list(self.exporter.slots)
            # A feed Scrapy could not open (a placeholder the spider has no value for: `-o out/%(section)s.jsonl`
            # for `latest`; Scrapy logs the error and goes on) would get nothing: every article fetched for
            # it lost, and the run "ok". Nothing may be fetched.
            opened = {slot.uri_template for slot in self.slots}
            for uri in self.exporter.feeds:
                if uri not in opened:
                    self.stats.inc_value(stat.OUTPUT_FEED_FAILED)
                    self.crawler.signals.send_catch_log(
                        signal=bs_signals.feed_write_failed, path=uri, error=OSError("Scrapy could not open it; see the error above")
                    )
            self._record_unreadable_feeds()
            for slot in self.slots:
                self._receipt(slot)
                self._bound_upload(slot)
            from twisted.internet import reactor  # the one the crawler installed

            reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]
        elif self.crawler.settings.getdict("FEEDS"):
            # Scrapy switched its feed exports off (an invalid FEEDS entry, logged above): nothing
            # would be written, so nothing may be fetched.
            self.stats.inc_value(stat.OUTPUT_FEED_FAILED)
            self.crawler.signals.send_catch_log(
                signal=bs_signals.feed_write_failed, path="FEEDS", error=OSError("Scrapy's feed exports are off (invalid FEEDS)")
            )

    def _record_unreadable_feeds(self) -> None:
        """Record for this run, by their URI template, the feeds recovery cannot read back (remote
        storages, or Scrapy's own buffered file when ``FEED_STORAGES`` replaced ours): a killed or
        failed run's articles then count as unwritten unless the feed's receipt has them, not as
        written from the local files alone (the remote feed would never get them)."""
        for slot in self.slots:
            if isinstance(slot.storage, (DurableFileFeedStorage, DurableStdoutFeedStorage)):
                continue  # a local file records itself when opened; stdout has what write() accepted
            template = str(slot.uri_template)
            record = FeedRecord(template, str(slot.format), compression_of(slot.feed_options), template)
            self.crawler.signals.send_catch_log(signal=bs_signals.feed_file_opened, feed=record)

    def _receipt(self, slot: Any) -> Receipt | None:
        """The receipt of the slot's feed (opened with the feed's first slot) when recovery could not
        tell from the feed itself what a killed run handed it: stdout, a remote storage, a local
        file with postprocessing other than gzip. None without a seen-store."""
        feed = str(slot.uri_template)
        if feed not in self.receipts:
            readable = isinstance(slot.storage, DurableFileFeedStorage) and read_back(slot.feed_options)
            seen = self.seen
            if readable or seen is None or seen.store is None or seen.failed is not None:
                self.receipts[feed] = None
            else:
                self.receipts[feed] = Receipt.open(self.crawler, feed)
        return self.receipts[feed]

    # --- each item --------------------------------------------------------------

    def item_scraped(self, item: Any) -> None:
        try:
            self._item_scraped(item)
        finally:
            self._deliver_held_back()

    def _deliver_held_back(self) -> None:
        held_back, self.held_back = self.held_back, []
        for delivery in held_back:
            self._deliver(delivery)

    def _item_scraped(self, item: Any) -> None:
        exporter = self.exporter
        if exporter is None:
            return
        delivery = _Delivery(item.articleId, item.version, claimed_as(item)) if isinstance(item, Article) else _Delivery(None)
        taken = False
        reported = False
        written: list[Any] = []  # the files of immediate slots that have the item, to commit or take back
        stored: list[str] = []  # batches stored with it inside the FeedExporter's own handler: they keep it
        # The slots that have it for good or left it out by their filter: their receipt (a feed recovery
        # cannot read back: stdout, a remote batch) notes it.
        noted: list[Any] = []
        for slot in self.slots:
            if not slot.filter.accepts(item):
                # Left out by the feed's filter: noted as done with, so that recovery can tell it from
                # an article the feed took and had not stored yet (a remote batch).
                noted.append(slot)
                continue
            taken = True
            if slot.itemcount != self.counts.get(slot, 0) + 1:
                # The exporter raised while writing it (the slot's count did not move).
                delivery.broken = True
                if not reported:
                    reported = True
                    self._feed_failed(slot, "writing an item failed")
                continue
            self.counts[slot] = slot.itemcount
            storage = slot.storage
            if getattr(storage, "immediate", False) and not slot.feed_options.get("postprocessing"):
                if self.stored.pop(slot, None) is not None:
                    self.counts.pop(slot, None)
                file = getattr(storage, "file", None)
                if file is None or getattr(file, "failed", None) is not None:
                    delivery.broken = True
                else:
                    written.append(file)
                    noted.append(slot)
                continue
            if slot in self.stored:  # a batch closed and stored inside the FeedExporter's own handler
                if not self.stored.pop(slot):
                    delivery.broken = True
                else:
                    stored.append(str(slot.uri))
                    noted.append(slot)
                self.counts.pop(slot, None)
                continue
            self.waiting.setdefault(slot, []).append(delivery)
            delivery.remaining += 1
            self._watch_upload(slot)
        if exporter.slots is not self.slots:
            self.slots = list(exporter.slots)
        if not taken:
            self.stats.inc_value(stat.OUTPUT_NOT_TAKEN)
            delivery.broken = True
            return
        if delivery.broken:
            # An article is in every feed or in none: the next run writes it again, to all of them.
            self.stats.inc_value(stat.OUTPUT_UNDELIVERED)
            self._take_back(delivery, written, stored)
            return
        for file in written:
            file.commit()
        if delivery.article_id is not None:
            for slot in noted:
                receipt = self._receipt(slot)
                if receipt is not None:
                    receipt.write([(delivery.article_id, delivery.version)])
        if delivery.remaining == 0:
            self._deliver(delivery)
        elif written:
            delivery.held = tuple(_name(file) for file in written)

    def _take_back(self, delivery: _Delivery, written: list[Any], stored: list[str]) -> None:
        left = []
        for file in written:
            if not _taken_back(file):
                # It stays there: the file's next cut must not reach back over it.
                file.commit()
                left.append(_name(file))
        if len(left) < len(written):
            self.stats.inc_value(stat.OUTPUT_TAKEN_BACK)
        # A feed that stores at its close (postprocessing, a remote storage) keeps what it was given.
        left += stored
        left += [str(slot.uri) for slot, deliveries in self.waiting.items() if deliveries and deliveries[-1] is delivery]
        if left and delivery.article_id is not None:
            self.stats.inc_value(stat.OUTPUT_LEFT_UNDELIVERED)
            logger.warning("Article %s is in %s although another feed failed on it: the next run writes it there again",
                           delivery.article_id, ", ".join(left))

    def _deliver(self, delivery: _Delivery) -> None:
        self.stats.inc_value(stat.OUTPUT_DELIVERED)
        # New and updated are what reached the reader: one a feed failed on is neither, and new next run.
        if delivery.claimed is not None:
            self.stats.inc_value(stat.NEW if delivery.claimed == "new" else stat.UPDATED)
        if delivery.article_id is not None and self.seen is not None and self.seen.confirm(delivery.article_id):
            self.stats.inc_value(stat.STATE_MARKED_SEEN)
        # After it is seen: killed in between, it is counted by neither this run nor the one that
        # settles it (an article still pending is counted there, as recovered); before, by both.
        self.crawler.signals.send_catch_log(bs_signals.article_delivered, article_id=delivery.article_id, claimed=delivery.claimed)

    # --- each slot closed (a batch, or every slot at the end) -------------------------

    def feed_slot_closed(self, slot: Any) -> None:
        ok = True
        key = f"feedexport/failed_count/{type(slot.storage).__name__}"
        failed = int(self.stats.get_value(key, 0))
        if failed > self.failed_counts.get(key, 0):
            # Scrapy counts a failed store right before it sends this signal for the slot.
            self.failed_counts[key] = failed
            ok = False
        file = getattr(slot.storage, "file", None)
        if getattr(file, "failed", None) is not None:
            ok = False
        if not ok:
            self._feed_failed(slot, "the feed could not be stored")
        template = str(slot.uri_template)
        self.last_batches[template] = max(self.last_batches.get(template, 0), int(slot.batch_id))
        inside = slot.itemcount != self.counts.get(slot, 0)
        if inside:
            # Closed (a full batch, stored at once) before item_scraped below saw its last item.
            self.stored[slot] = ok
        else:
            self.counts.pop(slot, None)
        left: list[str] = []
        held: dict[str, None] = {}
        deliveries = self.waiting.pop(slot, [])
        receipt = self._receipt(slot) if ok else None
        if receipt is not None:
            # Stored: noted before any of them is confirmed (one write for the batch).
            receipt.write([(d.article_id, d.version) for d in deliveries if d.article_id is not None and not d.broken])
        for delivery in deliveries:
            delivery.remaining -= 1
            if not ok and not delivery.broken:
                delivery.broken = True
                self.stats.inc_value(stat.OUTPUT_UNDELIVERED)
                if delivery.held and delivery.article_id is not None:
                    left.append(delivery.article_id)
                    held.update(dict.fromkeys(delivery.held))
            if delivery.remaining == 0 and not delivery.broken:
                if inside:
                    self.held_back.append(delivery)  # after the last item's receipt lines
                else:
                    self._deliver(delivery)
        if left:
            # Committed as they were written, long before this feed could tell: none can be given
            # back. The next run's recovery cuts them off the files still where they were; a file
            # taken away (a cron job's next step) has them again after the next run.
            self.stats.inc_value(stat.OUTPUT_LEFT_UNDELIVERED, len(left))
            logger.warning("%d article(s) are in %s although %s failed on them: the next run writes them again, and cuts "
                           "them off those files only while the files are still there: %s",
                           len(left), ", ".join(held), slot.uri, " ".join(left))

    # --- an upload that ends after a forced stop -------------------------------------------

    def _watch_upload(self, slot: Any) -> None:
        """Have a blocking storage's upload (S3, GCS, FTP: ``_store_in_thread``, Scrapy 2.13 to 2.19) tell
        when it returned, from its thread.

        Scrapy's forced stop (a second Ctrl-C or SIGTERM) stops the reactor during the upload at the run's
        end; the process still waits for the upload's thread, which stores the file, but the reactor no longer
        runs what follows it (``feed_slot_closed``): none of its articles was noted, and the next run fetched
        and uploaded every one of them again."""
        self._bound_upload(slot)
        upload = getattr(slot.storage, "_store_in_thread", None)
        if slot in self.watched or upload is None or self._receipt(slot) is None:
            return
        self.watched.add(slot)

        def store_in_thread(file: Any) -> None:
            upload(file)  # (an upload that raised stored nothing: nothing noted)
            with self.uploads:
                self.uploaded.add(slot)
                if self.stopping:
                    self._note_stored(slot)

        slot.storage._store_in_thread = store_in_thread

    def reactor_stopping(self) -> Deferred[None] | None:
        """The reactor stops before the run settled (Scrapy's forced stop): an upload that returned already,
        or returns later in its thread, notes its articles in its feed's receipt for the next run's recovery.
        The reactor waits for the uploads under way until the feeds' wait at the run's end runs out."""
        if self.settled:
            return None
        with self.uploads:
            self.stopping = True
            for slot in self.uploaded:
                self._note_stored(slot)
        if self.timer is not None and self.timer.active():
            # Forced to stop, the run is not judged at the timeout as it waits for its uploads below.
            self.timer.cancel()
        if not self.running:
            return None
        from twisted.internet import reactor  # the one the crawler installed

        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.close_timeout
        ended: Deferred[None] = Deferred()

        def look() -> None:
            with self.uploads:
                running = len(self.running)
            if not running:
                ended.callback(None)
            elif time.monotonic() >= deadline:
                logger.error("%d upload(s) of the feeds did not end within %g s of the run's end; what they hold stays pending",
                             running, self.close_timeout)
                ended.callback(None)
            else:
                reactor.callLater(UPLOAD_POLL_SECONDS, look)  # type: ignore[attr-defined,arg-type,unused-ignore]

        look()
        return ended

    def _bound_upload(self, slot: Any) -> None:
        """Run a blocking storage's upload (S3, GCS, FTP: ``BlockingFeedStorage``) in a daemon thread of its
        own, which Scrapy's close stops waiting for when the feeds' wait at the run's end runs out.

        In the reactor's (or asyncio's) pool, an upload that never answered (an FTP server that took the
        connection and said nothing: Scrapy's FTP storage has no timeout) held the run for ever: the spider's
        close awaited the store past BS_FEED_CLOSE_TIMEOUT, the process's exit joined its thread, SIGTERM did
        not end it, and its lock kept every later cron run out. A storage with a ``store`` of its own keeps it."""
        storage = slot.storage
        if slot in self.bounded or getattr(type(storage), "store", None) is not BlockingFeedStorage.store:
            return
        self.bounded.add(slot)
        _one_line_for_given_up_uploads()
        storage.store = lambda file: self._upload(storage, file)

    def _upload(self, storage: Any, file: IO[bytes]) -> Deferred[None]:
        from twisted.internet import reactor  # the one the crawler installed

        stored: Deferred[None] = Deferred()

        def upload() -> None:
            error: BaseException | None = None
            try:
                storage._store_in_thread(file)  # (through _watch_upload's wrapper, which notes a forced stop's)
            except BaseException as raised:  # noqa: BLE001 - handed to Scrapy's store as it is
                error = raised
            with self.uploads:
                self.running.discard(thread)
                # After a forced stop the reactor runs no more of the close: the receipt has what it stored.
                answer = not self.stopping
            if answer:
                reactor.callFromThread(self._answer, stored, error)  # type: ignore[attr-defined,unused-ignore]

        thread = threading.Thread(target=upload, name="feed upload", daemon=True)
        with self.uploads:
            self.running.add(thread)
        self.unanswered.append(stored)
        thread.start()
        return stored

    def _answer(self, stored: Deferred[None], error: BaseException | None) -> None:
        if stored.called:
            return  # (given up at BS_FEED_CLOSE_TIMEOUT: its articles stay pending, as a failed store's)
        self.unanswered.remove(stored)
        if error is None:
            stored.callback(None)
        else:
            stored.errback(Failure(error))  # type: ignore[no-untyped-call,unused-ignore]

    def _note_stored(self, slot: Any) -> None:
        """Note in the receipt of ``slot``'s feed the articles waiting for its upload, which stored them.
        (Called with ``uploads`` held, from the upload's thread or the reactor's as it stops: one write, no
        signal, which the stopping reactor's components would take from another thread.)"""
        receipt = self.receipts.get(str(slot.uri_template))
        articles = [(d.article_id, d.version) for d in list(self.waiting.get(slot, ())) if d.article_id is not None and not d.broken]
        if receipt is not None and articles:
            receipt.write(articles, quietly=True)

    def _feed_failed(self, slot: Any, why: str) -> None:
        self.stats.inc_value(stat.OUTPUT_FEED_FAILED)
        error = getattr(getattr(slot.storage, "file", None), "failed", None) or OSError(why)
        self.crawler.signals.send_catch_log(signal=bs_signals.feed_write_failed, path=slot.uri, error=error)

    # --- the end ---------------------------------------------------------------------

    def feed_exporter_closed(self) -> None:
        # Before the run is settled: a killed run's file passed on becomes this run's, which the
        # seen-store forgets as the run ends, and keeps as a killed run's should it not.
        self._remove_earlier_batches()
        self._settle()

    def _remove_earlier_batches(self) -> None:
        """An overwritten batch feed's files (``-O out/items-%(batch_id)d.jsonl`` from cron) hold this
        run's articles only: an earlier run's batches past this run's last are removed, as ``-O`` empties
        a file of one name (a reader of the folder took their articles after that run). A killed run's
        file this run did not take over holds articles no reader had: it stays, passed on with this run's
        files: once this run ended, the next run removes it as an earlier run's (kept as a killed run's until
        some run wrote over it, its articles were read again after every later run); should this run be killed,
        it is kept again. So does a file another run is writing, and one the user made read-only. Nothing is
        removed after a feed failed (exit 6), nor by a run whose seen-store failed or keeps no record of a
        killed run's files (Redis): a killed run's batch is not told."""
        spider = self.crawler.spider
        if self.exporter is None or spider is None or self.stats.get_value(stat.OUTPUT_FEED_FAILED) or self.stats.get_value(stat.OUTPUT_WRITE_FAILED):
            return
        seen = self.seen
        if seen is not None and (seen.failed is not None or seen.store is None or not hasattr(seen.store, "forget_feed")):
            return
        interrupted = seen.interrupted if seen is not None else {}
        for template, options in self.exporter.feeds.items():
            found = earlier_batches(str(template), options, spider, self.last_batches.get(str(template), 0))
            removed, protected, kept = [], [], []
            for path in found:
                if str(path) in interrupted:
                    kept.append(path)
                elif is_read_only(path):
                    protected.append(path)
                elif remove_unless_held(path):
                    removed.append(path)
            if removed:
                self.stats.inc_value(stat.OUTPUT_EARLIER_BATCHES_REMOVED, len(removed))
                logger.info("Removed %d batch file(s) an earlier run wrote past this run's last batch of %s, whose articles "
                            "were passed on after that run: %s", len(removed), template, " ".join(path.name for path in removed))
            if protected:
                logger.warning("Kept %d read-only batch file(s) an earlier run wrote past this run's last batch of %s "
                               "(a reader of the folder takes their articles again): %s", len(protected), template,
                               " ".join(path.name for path in protected))
            if kept and seen is not None:
                for path in kept:
                    seen.pass_on(str(path))
                self.stats.inc_value(stat.OUTPUT_KILLED_BATCHES_PASSED_ON, len(kept))
                logger.info("Kept %d batch file(s) of a killed run past this run's last batch of %s, passed on with this run's "
                            "(the next run removes them): %s", len(kept), template, " ".join(path.name for path in kept))

    def spider_closed(self) -> None:
        if self.exporter is None:
            self._settle()
        elif not self.settled:
            # The FeedExporter sends feed_exporter_closed once every slot is stored; should it
            # never come (an error inside it), the run must still end.
            from twisted.internet import reactor  # the one the crawler installed

            self.deadline = time.monotonic() + self.close_timeout
            self.timer = reactor.callLater(self.close_timeout, self._settle_late)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def _settle_late(self) -> None:
        if not self.settled:
            logger.error("The feeds were not closed within %g s; what they hold stays pending", self.close_timeout)
            self.stats.inc_value(stat.OUTPUT_FEED_FAILED)
            self.crawler.signals.send_catch_log(
                signal=bs_signals.feed_write_failed, path="(feeds)", error=TimeoutError("feeds not closed")
            )
            self._settle()
            # Scrapy's close awaits every store: one that never answers is given up, as failed (its
            # articles stay pending), so that the run ends.
            unanswered, self.unanswered = self.unanswered, []
            for stored in unanswered:
                if not stored.called:
                    stored.errback(UploadGivenUp(f"the upload did not end within {self.close_timeout:g} s"))

    def _settle(self) -> None:
        if self.settled:
            return
        self.settled = True
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        for deliveries in self.waiting.values():
            for delivery in deliveries:
                if not delivery.broken:
                    delivery.broken = True
                    self.stats.inc_value(stat.OUTPUT_UNDELIVERED)
        self.waiting.clear()
        try:
            self._deliver_held_back()
            for receipt in self.receipts.values():
                if receipt is not None:
                    receipt.close()
            if self.seen is not None:
                self.seen.settle()
        finally:
            # The run's verdict waits for these: whatever went wrong above (logged by the signal's
            # handler), the run must still end, not hang for ever holding its lock.
            waiters, self.waiters = self.waiters, []
            for waiter in waiters:
                waiter.callback(None)

    def when_settled(self) -> Deferred[None]:
        """Fires once every feed is closed and every article it took is confirmed or left pending."""
        waiter: Deferred[None] = Deferred()
        if self.settled:
            waiter.callback(None)
        else:
            self.waiters.append(waiter)
        return waiter


def _name(file: Any) -> str:
    """The path of a local file, ``stdout`` for standard output."""
    return str(getattr(file, "path", "stdout"))


def _taken_back(file: Any) -> bool:
    """Whether the item a file took last was cut back off it (stdout cannot take anything back)."""
    take_back = getattr(file, "take_back", None)
    return bool(take_back()) if take_back is not None else False
