"""Receipts: what a run handed to a feed that recovery cannot read back (stdout, remote storages,
postprocessing other than gzip), one JSON line per article in ``<BS_STATE_DIR>/receipts/``.

An article is marked seen once every feed has it, one SQLite transaction (and fsync) per article. A
run killed in between left it pending; with a local file the next run finds it in the file, but what
went down a pipe or was uploaded could not be found, so it was written there a second time. The
receipt line is written the moment a feed has the item, before the seen-store confirms it: recovery
reads it as the feed it stands for (crawler/incremental/recovery.py), then removes it. An article
the feed's ``item_filter`` left out gets a line too: a receipt holds every article its feed is done
with, so one missing from it was taken and not stored (a remote batch a kill cut short), never
one the filter left out.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from scrapy.crawler import Crawler

from crawler.incremental import signals
from crawler.incremental.recovery import RECEIPT_FORMAT
from crawler.incremental.store import FeedRecord, state_dir

RECEIPTS_FOLDER = "receipts"


class Receipt:
    """The receipt of one feed of this run: appended to unbuffered, a line per article the feed has."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        # (The umask decides: a group sharing the state dir reads and settles the other user's receipts.)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
        self.failed: OSError | None = None

    @classmethod
    def open(cls, crawler: Crawler, feed: str) -> Receipt | None:
        """A new receipt for ``feed`` (its URI template), recorded as this run's; None if it cannot be
        made (the feed fails: what it took could not be told apart from what it did not)."""
        path = (state_dir(crawler.settings) / RECEIPTS_FOLDER / f"{uuid.uuid4().hex}.jsonl").absolute()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            receipt = cls(crawler, path)
        except OSError as error:
            crawler.signals.send_catch_log(signal=signals.feed_write_failed, path=str(path), error=error)
            return None
        # Not `filtered`: it holds what the feed's filter left out too.
        record = FeedRecord(str(path), RECEIPT_FORMAT, "", feed)
        crawler.signals.send_catch_log(signal=signals.feed_file_opened, feed=record)
        return receipt

    def write(self, articles: list[tuple[str, int | None]], quietly: bool = False) -> bool:
        """Note ``articles`` (id, version) as in the feed; False if the receipt failed (the feed fails, but
        ``quietly``: from an upload's thread as the reactor stops, where no signal may be sent)."""
        if self.failed is not None:
            return False
        if not articles:
            return True
        data = "".join(json.dumps({"articleId": article_id, "version": version}) + "\n" for article_id, version in articles).encode()
        try:
            while data:
                written = os.write(self.fd, data)
                data = data[written:]
        except OSError as error:
            self.failed = error
            if quietly:
                return False
            self.crawler.signals.send_catch_log(signal=signals.feed_write_failed, path=str(self.path), error=error)
            return False
        return True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
