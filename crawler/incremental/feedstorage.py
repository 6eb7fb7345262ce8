"""Feed storages whose writes are on their way to the reader as soon as ``write`` returns, and the
output checks made before anything is fetched.

Scrapy's FileFeedStorage buffers, so after a ``kill -9`` the seen-store could hold articles whose
items never reached the file. Here every write goes to the OS unbuffered, the file is checked to be
still the one opened (a deleted or replaced output folder fails the run), and a failed write is cut
back to the end of the last complete item, so a file never holds half an item.
"""

from __future__ import annotations

import csv
import fcntl
import io
import logging
import os
import sys
import tempfile
import weakref
from dataclasses import fields as dataclass_fields_of
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from scrapy.crawler import Crawler
from scrapy.extensions import feedexport
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage, ItemFilter, StdoutFeedStorage
from scrapy.extensions.postprocessing import GzipPlugin
from scrapy.spiders import Spider
from scrapy.utils.misc import load_object

from crawler.extraction import Article
from crawler import stats as stat
from crawler.incremental import signals
from crawler.incremental.extension import SeenStoreExtension
from crawler.incremental.recovery import LINE_FORMATS, reads_encoding
from crawler.incremental.store import CSV_DIALECT, ITEM_KEYS, FeedRecord
from crawler.stdio import stdout_buffer

logger = logging.getLogger(__name__)


def compression_of(feed_options: dict[str, Any] | None) -> str:
    """``gzip`` for gzip postprocessing, the plugin's name for another, ``""`` for none."""
    plugins = (feed_options or {}).get("postprocessing") or []
    if not plugins:
        return ""
    names = []
    for plugin in plugins:
        cls = load_object(plugin) if isinstance(plugin, str) else plugin
        names.append("gzip" if isinstance(cls, type) and issubclass(cls, GzipPlugin) else getattr(cls, "__name__", str(cls)))
    return "+".join(names)


def read_back(feed_options: dict[str, Any]) -> bool:
    """Whether recovery can read a local file feed's articles back from the file itself (its options as
    Scrapy completes them from the settings); one it cannot keeps a receipt (crawler/incremental/receipts.py)."""
    # (A file whose `fields` leave the id out, or in UTF-16, holds no article recovery could tell.)
    return (
        compression_of(feed_options) in ("", "gzip")
        and item_keys(feed_options) is not None
        and reads_encoding(str(feed_options.get("format") or ""), feed_options.get("encoding"))
    )


def takes_only_some(feed_options: dict[str, Any] | None) -> bool:
    """Whether a feed's ``item_classes`` or ``item_filter`` may leave items out of it."""
    options = feed_options or {}
    item_filter = options.get("item_filter")
    if item_filter is not None and (load_object(item_filter) if isinstance(item_filter, str) else item_filter) is not ItemFilter:
        return True
    return bool(options.get("item_classes"))


def item_keys(feed_options: dict[str, Any] | None) -> tuple[str, str | None] | None:
    """The names a feed's items give the article's id and version under: its ``fields`` (or
    ``FEED_EXPORT_FIELDS``) may rename them (a dict) or leave them out (None; no id: recovery cannot
    tell the feed's articles apart, its receipt does)."""
    given = (feed_options or {}).get("fields")
    if not given:
        return ITEM_KEYS
    id_key, version_key = ITEM_KEYS
    if isinstance(given, dict):
        named = {str(field): str(name) for field, name in given.items()}
    else:
        named = {str(field): str(field) for field in given}
    if id_key not in named:
        return None
    return named[id_key], named.get(str(version_key))


def csv_dialect(feed_options: dict[str, Any] | None) -> tuple[str, str]:
    """A CSV feed's delimiter and quote character: its ``item_export_kwargs`` may give others
    (``{"delimiter": ";"}``, as spreadsheets in much of Europe read CSV), or a dialect that has them
    (``{"dialect": "excel-tab"}``), as Scrapy's exporter hands them to its ``csv.writer``."""
    given = (feed_options or {}).get("item_export_kwargs") or {}
    try:
        chosen = csv.writer(io.StringIO(), **{key: given[key] for key in ("dialect", "delimiter", "quotechar") if given.get(key)}).dialect
    except (csv.Error, TypeError):
        return CSV_DIALECT  # (the exporter fails on it as well: the run writes no row)
    return str(chosen.delimiter), str(chosen.quotechar or CSV_DIALECT[1])


def xml_item_element(feed_options: dict[str, Any] | None) -> str:
    """The element an XML feed writes each item as: ``item``, or its ``item_export_kwargs``'s ``item_element``."""
    given = (feed_options or {}).get("item_export_kwargs") or {}
    return str(given.get("item_element") or "item")


def headerless_columns(feed_options: dict[str, Any] | None) -> tuple[str, ...]:
    """The columns of a CSV feed that writes no header line (``item_export_kwargs``
    ``{"include_headers_line": false}``, so that runs append rows alone), in their order; () for any other feed."""
    options = feed_options or {}
    given = options.get("item_export_kwargs") or {}
    if options.get("format") != "csv" or given.get("include_headers_line", True):
        return ()
    chosen = options.get("fields")
    if isinstance(chosen, dict):
        return tuple(str(name) for name in chosen.values())
    return tuple(str(name) for name in chosen or [field.name for field in dataclass_fields_of(Article)])


class OutputGone(OSError):
    """The output file is not the one opened any more (deleted, or its folder removed or replaced)."""


class FailedFile(io.RawIOBase):
    """The file of a feed that could not be opened: it takes every write and keeps nothing."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.failed: BaseException | None = error

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(memoryview(data))

    def commit(self) -> bool:
        return False

    def take_back(self) -> bool:
        return True  # it kept nothing


class OutputBusy(OSError):
    """The output file is being written by another run."""


# The output files this process has open: a file held by one of them was given to two feeds of this run.
_HELD: weakref.WeakSet[DurableFile] = weakref.WeakSet()


def _claim(fd: int, overwrite: bool) -> None:
    """Hold ``path`` for this run while it writes it: alone to overwrite it (``-O``), beside other
    appending runs to append (``-o`` from two crontab lines keeps both runs' lines). A second run
    given the file a running one overwrites (``-O out.jsonl`` twice, ``%(time)s`` in the same second)
    emptied it and wrote over it from its start: lines of both runs cut into one another, articles
    of the first lost, and both runs exited 0 with every article marked seen. The kernel lets go of
    the hold when the run ends, however it ends."""
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if overwrite else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError as error:
        info = os.fstat(fd)
        if any(not held.raw.closed and held.identity == (info.st_dev, info.st_ino) for held in list(_HELD)):
            # (A flock is per open file, so this run's own feeds refuse each other as two runs would:
            # naming "another run" sent the operator looking for a run there was not.)
            raise OutputBusy("another feed of this run writes it too; give each feed a file of its own") from error
        raise OutputBusy("another run is writing it; give each run a file of its own "
                         "(%(name)s and %(time)s in the name, or -o to add to one file)") from error
    except OSError:
        pass  # a file system without flock (some network or FUSE ones): runs are not kept apart, as before


class DurableFile(io.RawIOBase):
    """A binary file whose ``write`` hands every byte to the OS before it returns.

    ``commit()`` marks the end of a complete item; after a failed write the file is cut back to the
    last such mark and takes no more bytes (the feed has failed; the run stops with exit 6).
    """

    def __init__(self, path: Path, mode: str, crawler: Crawler) -> None:
        super().__init__()
        self.path = path
        self.crawler = crawler
        if "w" in mode:
            # Emptied only once it is this run's (below): another run may be writing it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
            self.raw = open(fd, mode, buffering=0, closefd=True)  # noqa: SIM115 (closed by store())
        else:
            self.raw = open(path, mode, buffering=0)  # noqa: SIM115 (closed by store())
        info = os.fstat(self.raw.fileno())
        self.identity = (info.st_dev, info.st_ino)
        self.regular = (info.st_mode & 0o170000) == 0o100000
        if self.regular:
            try:
                _claim(self.raw.fileno(), overwrite="w" in mode)
                if "w" in mode:
                    os.ftruncate(self.raw.fileno(), 0)
            except OSError:
                self.raw.close()
                raise
            _HELD.add(self)
        self.committed = info.st_size if "a" in mode else 0
        self.size = self.committed
        # Appending after what earlier runs wrote (-o): a CSV feed then writes no second header line.
        self.continues_earlier = self.committed > 0
        self.failed: BaseException | None = None
        # Where this run's last write ended: the file is never shorter while it is the run's. (A FIFO
        # or a device has no position.)
        self.end = self.raw.tell() if self.regular else 0
        # A JSON or XML document (keep_opening): its closing follows the last item once stored.
        self.document = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        length = len(view)
        if self.failed is not None:
            return length  # the feed has failed: what follows is not written, and nothing more is confirmed
        try:
            if self.regular and os.fstat(self.raw.fileno()).st_size < self.end:
                # Emptied in place (logrotate's copytruncate): appended, CSV rows would follow with
                # no header line; overwritten, after a run of NUL bytes up to the old offset. As for
                # a file renamed away, the feed stops here and the next run writes the rest.
                raise OutputGone(f"{self.path} was truncated during the run (rotated with copytruncate?)")
            while view:
                written = self.raw.write(view)
                if not written:
                    raise OSError("short write")
                self.size += written
                view = view[written:]
            if self.regular:
                self.end = self.raw.tell()
            self._check_identity()
        except OSError as error:
            # Not raised on: the feed has failed (the run stops, exit 6) and nothing more of it is
            # confirmed (commit() says so); raising would only add Scrapy's traceback to that line.
            self._fail(error)
        return length

    def _check_identity(self) -> None:
        if not self.regular:
            return
        try:
            info = os.stat(self.path)
        except OSError as error:
            raise OutputGone(f"{self.path} disappeared ({error.strerror})") from error
        if (info.st_dev, info.st_ino) != self.identity:
            raise OutputGone(f"{self.path} was replaced by another file")

    def _fail(self, error: BaseException) -> None:
        self.failed = error
        self._cut_uncommitted()  # else the next run's recovery cuts the partial line
        self.crawler.signals.send_catch_log(signal=signals.feed_write_failed, path=str(self.path), error=error)

    def _cut_uncommitted(self) -> bool:
        """Cut what was written since the last commit off the file; False if it could not be."""
        if self.size == self.committed:
            return True
        if not self.regular:
            return False
        if self.raw.closed:
            return self._cut_stored()
        # The part written ends where the last write left the file offset (appending, the end of
        # the file then), which is past `committed` when another run appends to the same file
        # (`-o all.jsonl` in two crontab lines). Only that part is cut, and only while it is still
        # the end of the file: the other run's items are never cut with it.
        try:
            end = self.raw.tell()
            if os.fstat(self.raw.fileno()).st_size != end:
                return False
            start = end - (self.size - self.committed)
            os.ftruncate(self.raw.fileno(), start)
            self.raw.seek(start)  # overwriting (-O), the next write would leave a hole of NUL bytes
        except OSError:
            return False
        self.size = self.committed
        self.end = start
        return True

    def _cut_stored(self) -> bool:
        """:meth:`_cut_uncommitted` for a file already closed: a full batch that Scrapy stores inside its
        own ``item_scraped`` handler (any reactor but asyncio's), before the delivery tracker can tell
        that another feed failed on its last item. Cut through the path only while that is still this
        file and ends where this run's last write did."""
        if self.document:
            return False  # the closing written after the item would go with it, the document left open
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)  # another file there may be a FIFO
        except OSError:
            return False
        try:
            info = os.fstat(fd)
            if (info.st_dev, info.st_ino) != self.identity or info.st_size != self.end:
                return False
            start = self.end - (self.size - self.committed)
            os.ftruncate(fd, start)
            os.fsync(fd)  # stored files are fsynced (close())
        except OSError:
            return False
        finally:
            os.close(fd)
        self.size = self.committed
        self.end = start
        return True

    def take_back(self) -> bool:
        """Cut the item written since the last commit, which another feed could not take: it is
        not confirmed, so the next run writes it again, and this file would have it twice."""
        if self.failed is not None:
            return True  # cut when the file failed
        return self._cut_uncommitted()

    def commit(self) -> bool:
        """Mark what was written so far as complete items; False if the feed has failed."""
        if self.failed is not None:
            return False
        self.committed = self.size
        return True

    def end_earlier_line(self) -> None:
        """Appending to a file of lines (JSON lines, CSV) whose last one has no line break: add one,
        which nobody's item is, so that this run's first item does not go on that line (both would
        be unreadable, the run's marked seen all the same). Nothing of the file is cut: it is not this run's."""
        if not self.regular or self.committed == 0:
            return
        try:
            # (Opened again to read it: the run's own handle only writes.)
            with open(self.path, "rb") as earlier:
                info = os.fstat(earlier.fileno())
                if (info.st_dev, info.st_ino) != self.identity:
                    return
                last = os.pread(earlier.fileno(), 1, self.committed - 1)
        except OSError:
            return
        if last == b"\n":
            return
        self.write(b"\n")
        if self.failed is None:
            self.commit()
            self.crawler.stats.inc_value(stat.OUTPUT_LINE_BREAK_ADDED)  # type: ignore[union-attr,unused-ignore]
            logger.warning("%s did not end with a line break (a line written by something else, or cut); one was added "
                           "before this run's items", self.path)

    def keep_opening(self) -> None:
        """A document's exporter wrote its opening (crawler/incremental/exporters.py): no item's, it
        stays when the first item is taken back."""
        self.commit()
        self.document = True

    def fileno(self) -> int:
        return self.raw.fileno()

    def flush(self) -> None:
        pass  # unbuffered

    def close(self) -> None:
        if self.raw.closed:
            return
        try:
            if self.failed is None:
                try:
                    if self.regular:
                        os.fsync(self.raw.fileno())
                    self._check_identity()
                except OSError as error:
                    self._fail(error)
        finally:
            self.raw.close()
            super().close()


# The folders this run's output files went to, with their identity, per crawler: a batch of a feed
# checks that the folder of the batches before it is still the same one.
_OUTPUT_FOLDERS: weakref.WeakKeyDictionary[Crawler, dict[str, tuple[int, int] | None]] = weakref.WeakKeyDictionary()


def _folder_identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


class DurableFileFeedStorage(FileFeedStorage):
    """Local files (``path`` or ``file://``) written unbuffered, checked after each write, fsynced at the end."""

    immediate = True  # what write() accepted is in the file (without postprocessing)

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.feed_options = feed_options or {}
        self.file: DurableFile | FailedFile | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> DurableFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        assert self.crawler is not None
        path = Path(self.path).absolute()
        try:
            folder = _folder_identity(path.parent)
            known = _OUTPUT_FOLDERS.setdefault(self.crawler, {}).get(str(path.parent))
            if known is not None and folder != known:
                # A later batch of this run: the folder the earlier ones went to was taken away (or
                # replaced). Making it again would hide that, as a single file's check would not.
                raise OutputGone(f"the output folder {path.parent} was removed or replaced during the run")
            path.parent.mkdir(parents=True, exist_ok=True)
            _OUTPUT_FOLDERS[self.crawler][str(path.parent)] = _folder_identity(path.parent)
            mode = self._keep_interrupted(path)
            self.file = DurableFile(path, mode, self.crawler)
            fmt = str(self.feed_options.get("format") or "jsonlines")
            if (
                "a" in mode
                and (fmt in LINE_FORMATS or fmt == "csv")
                and not compression_of(self.feed_options)
                and reads_encoding(fmt, self.feed_options.get("encoding"))  # (a UTF-16 line break is two bytes)
            ):
                self.file.end_earlier_line()
        except OSError as error:
            # A later batch that cannot be opened: the feed has failed (the run stops, exit 6). A
            # file that takes nothing keeps Scrapy's exporter going without a traceback.
            self.crawler.signals.send_catch_log(signal=signals.feed_write_failed, path=str(path), error=error)
            self.file = FailedFile(error)
            return self.file  # type: ignore[return-value]
        # Appending (-o): the run's part starts at the size the file had; recovery reads from there.
        record = FeedRecord(str(path), str(self.feed_options.get("format") or "jsonlines"), compression_of(self.feed_options),
                            self._feed_template(), self.file.committed, takes_only_some(self.feed_options),
                            keys=item_keys(self.feed_options), encoding=str(self.feed_options.get("encoding") or ""),
                            csv=csv_dialect(self.feed_options), xml_item=xml_item_element(self.feed_options),
                            csv_columns=headerless_columns(self.feed_options))
        self.crawler.signals.send_catch_log(signal=signals.feed_file_opened, feed=record)
        return self.file  # type: ignore[return-value]

    def _keep_interrupted(self, path: Path) -> str:
        """The mode to open the file in; a killed run's file there is this run's to take over. Over-
        written, it would lose articles now seen, which the reader never had from a run that ended
        (cron's ``&&`` skipped it, a resumed ``JOBDIR`` run continues it): JSON lines (plain or gzip,
        as recovery left them: whole lines, whole members) are continued; a document or CSV rows,
        which a kill leaves cut, are moved aside."""
        assert self.crawler is not None
        seen = self.crawler.get_extension(SeenStoreExtension)
        record = seen.interrupted_output(str(path)) if seen is not None else None
        if self.write_mode != "wb":
            return self.write_mode  # appended to: nothing is overwritten
        if record is None or not path.is_file() or path.stat().st_size == 0:
            return "wb"
        fmt, compression = str(self.feed_options.get("format") or "jsonlines"), compression_of(self.feed_options)
        if fmt in LINE_FORMATS and (record.format, record.compression) == (fmt, compression) and compression in ("", "gzip"):
            logger.warning("%s holds the articles of a run that was killed, which it has not yet passed on: they are "
                           "kept at its start, this run's follow", path)
            return "ab"
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y%m%dT%H%M%S")
        base, _, extension = path.name.partition(".")
        aside = path.with_name(f"{base}.interrupted-{stamp}.{extension}" if extension else f"{base}.interrupted-{stamp}")
        if aside.exists():
            raise FileExistsError(f"{path} holds a killed run's articles and {aside} is taken")
        os.rename(path, aside)
        logger.warning("%s holds the articles of a run that was killed, which this run would overwrite: moved to %s", path, aside)
        return "wb"

    def store(self, file: IO[bytes]) -> None:
        # A failed file was reported when it failed, and the delivery tracker reads `failed`.
        file.close()

    def _feed_template(self) -> str:
        """The feed (``FEEDS`` key) this file belongs to: the batches of one feed share it."""
        assert self.crawler is not None
        exporter = self.crawler.get_extension(FeedExporter)
        for template, options in (exporter.feeds if exporter is not None else {}).items():
            if options is self.feed_options:
                return str(template)
        return str(self.path)


# Batch ids looked at past a run's last batch for an earlier run's files: far more than any run writes.
_MOST_BATCHES = 100_000


def earlier_batches(template: str, options: dict[str, Any], spider: Spider, last: int) -> list[Path]:
    """The files of an overwritten batch feed (``-O out/items-%(batch_id)d.jsonl``) after this run's
    ``last`` batch that are there still, from an earlier run that wrote more batches (its names are
    this run's: no ``%(time)s`` or ``%(batch_time)s`` in them), in order, up to the first missing one.
    Scrapy overwrites the batches a run writes and leaves the rest: read after a run with one article,
    the folder gave the run before's other batches again, and after a run with none, all of them."""
    if not options.get("overwrite") or "%(batch_id)" not in template or "%(time)" in template or "%(batch_time)" in template:
        return []
    if local_path(template) is None:
        return []
    # The names as Scrapy fills them in (FeedExporter._get_uri_params): the spider's attributes, the time, the batch.
    params: dict[str, Any] = {name: getattr(spider, name, None) for name in dir(spider)}
    function = options.get("uri_params")
    found: list[Path] = []
    for batch in range(last + 1, last + 1 + _MOST_BATCHES):
        filled = {**params, "batch_id": batch}
        try:
            if function:
                # (Given no time, which only Scrapy's run knows: a function that reads it fails, and
                # such a name is left alone, as one with %(time)s is.)
                filled = (load_object(function) if isinstance(function, str) else function)(filled, spider) or filled
            path = local_path(with_params(template, filled))
        except Exception:  # the user's function, or a name that takes what it was not given
            return found
        if path is None or not os.path.isfile(path):
            return found
        found.append(Path(path).absolute())
    return found


def is_read_only(path: Path) -> bool:
    """Whether nobody may write ``path`` by its mode (``chmod a-w``: kept by the user, whoever runs the crawler)."""
    try:
        return os.stat(path).st_mode & 0o222 == 0
    except OSError:
        return False


def remove_unless_held(path: Path) -> bool:
    """Remove ``path`` unless a run holds it (writing it: :func:`_claim`); whether it was removed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if (info.st_mode & 0o170000) != 0o100000:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:
            pass  # no flock on this file system: nothing tells, as for the run's own files
        # (Removed under the hold, and only while the path is still the file that was looked at.)
        now = os.stat(path)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            return False
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


class _FlushingStdout(io.RawIOBase):
    """Standard output, flushed after every write: what ``write`` accepted is in the pipe or terminal."""

    def __init__(self, stream: IO[bytes], crawler: Crawler) -> None:
        super().__init__()
        self.stream = stream
        self.crawler = crawler
        self.failed: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        length = len(memoryview(data))
        if self.failed is not None:
            return length
        try:
            self.stream.write(data)
            self.stream.flush()
        except OSError as error:
            self.failed = error
            self.crawler.signals.send_catch_log(signal=signals.feed_write_failed, path="stdout", error=error)
        return length

    def commit(self) -> bool:
        return self.failed is None

    def close(self) -> None:
        super().close()  # never closes the process's stdout


class DurableStdoutFeedStorage(StdoutFeedStorage):
    """``-O -``: standard output, flushed after every write."""

    immediate = True

    def __init__(self, uri: str, _stdout: IO[bytes] | None = None, *, feed_options: dict[str, Any] | None = None,
                 crawler: Crawler | None = None) -> None:
        if _stdout is None and not hasattr(sys.stdout, "buffer"):
            # LOG_STDOUT=True made sys.stdout Scrapy's logger, which has no bytes to write to: the run
            # failed before its spider opened (AttributeError, exit 1). The feed is the process's stdout.
            _stdout = stdout_buffer()
        super().__init__(uri, _stdout, feed_options=feed_options)
        self.crawler = crawler
        self.feed_options = feed_options or {}
        self.file: _FlushingStdout | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> DurableStdoutFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        assert self.crawler is not None
        self.file = _FlushingStdout(self._stdout, self.crawler)
        fmt = str(self.feed_options.get("format") or "jsonlines")
        if fmt in LINE_FORMATS and not compression_of(self.feed_options) and reads_encoding(fmt, self.feed_options.get("encoding")):
            self._end_earlier_line()
        return self.file  # type: ignore[return-value]

    def _end_earlier_line(self) -> None:
        """Standard output appended to a file (``-O - >> all.jsonl``) whose last line has no line break (the
        disk filled up mid-line, a kill): add one, as :meth:`DurableFile.end_earlier_line` does for ``-o``,
        or the run's first item goes on that line, both unreadable, the article marked seen all the same."""
        assert self.file is not None
        try:
            fd = self._stdout.fileno()
            info = os.fstat(fd)
            if (info.st_mode & 0o170000) != 0o100000:
                return  # a pipe or terminal: its reader had whatever came before
            # (Appending, the file's end is where the first write goes; the offset says so only once written.)
            end = info.st_size if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND else os.lseek(fd, 0, os.SEEK_CUR)
            if end == 0:
                return
            # Read through another handle: the shell opened stdout to write only.
            reader = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
            try:
                last = os.pread(reader, 1, end - 1)
            finally:
                os.close(reader)
        except (OSError, ValueError, io.UnsupportedOperation):
            return
        if last in (b"\n", b""):
            return
        self.file.write(b"\n")
        if self.file.commit():
            assert self.crawler is not None and self.crawler.stats is not None
            self.crawler.stats.inc_value(stat.OUTPUT_LINE_BREAK_ADDED)
            logger.warning("Standard output (a file) did not end with a line break (a line written by something else, or cut); "
                           "one was added before this run's items")

    def store(self, file: IO[bytes]) -> None:
        # Not raised again: a broken pipe (`| head`) was reported when it broke, and the delivery
        # tracker reads `failed`; raising would add Scrapy's traceback to that one line.
        pass


class _Params(dict[str, Any]):
    """URI parameters for a check before the run: the spider's name, now, batch 1, anything else ``x``."""

    def __init__(self, spider_name: str, extra: dict[str, Any]) -> None:
        now = datetime.now(timezone.utc)
        # (As Scrapy's: the spider's attributes, then the time and batch, which they do not override.)
        super().__init__({"name": spider_name, **extra, "time": now.replace(microsecond=0).isoformat().replace(":", "-"),
                          "batch_time": now.isoformat().replace(":", "-"), "batch_id": 1})

    def __missing__(self, key: str) -> str:
        return "x"


def local_path(uri: str) -> str | None:
    """The local file a feed URI names, as the installed Scrapy's file storage reads it (a ``file:`` URI's
    path percent-decoded: ``file:///srv/bs%20data/a.jsonl``), None for stdout and remote storages."""
    if uri in {"-", "stdout:"} or uri.startswith("stdout:"):
        return None
    if uri.startswith("file:"):
        # Its own reading: Scrapy 2.13 takes only `file://` for a URI, `file:/srv/a.jsonl` being a
        # relative path there, which the run writes and so the check must look at.
        return str(FileFeedStorage(uri).path)
    if "://" in uri:
        return None
    return uri


def with_params(template: str, params: dict[str, Any]) -> str:
    """A feed URI template with its placeholders filled in as Scrapy fills them: from Scrapy 2.19 a
    ``%`` that is no placeholder (a ``%20`` in a path with spaces) is left as it is; before, the
    template is a %-format as a whole (such a ``%`` written ``%%``)."""
    apply = getattr(feedexport, "apply_uri_params", None)
    return str(apply(template, params)) if apply is not None else template % params


def destination_problem(path: Path) -> str | None:
    """Why a feed file cannot be written at ``path``: its folder is made (as Scrapy would) and a file
    created and removed in it; None if it can be written."""
    if path.is_dir():
        return f"{path} is a directory"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is not a directory"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"its folder {path.parent} cannot be created ({error.strerror or error})"
    if not path.parent.is_dir():
        return f"{path.parent} is not a directory"
    try:
        fd, probe = tempfile.mkstemp(prefix=".bs-probe-", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        return f"no file can be created in {path.parent} ({error.strerror or error})"
    return None


def unwritable_feeds(
    feeds: dict[str, Any], spider_name: str, extra: dict[str, Any] | None = None, batch_item_count: int = 0
) -> list[str]:
    """Problems with the feeds of ``FEEDS`` (URI templates), found before anything is fetched."""
    problems = []
    params = _Params(spider_name, extra or {})
    for uri, options in feeds.items():
        batches = (options or {}).get("batch_item_count", batch_item_count) if isinstance(options, dict) else batch_item_count
        if batches and "%(batch_time)s" not in str(uri) and "%(batch_id)" not in str(uri):
            problems.append(f"the output {uri} needs %(batch_time)s or %(batch_id)d in its name: it is written in batches")
            continue
        if local_path(str(uri)) is None:
            continue
        try:
            filled = with_params(str(uri), params)
            concrete = local_path(filled)
        except (TypeError, ValueError, KeyError) as error:
            problems.append(f"the output {uri} is not a valid feed URI template ({error})")
            continue
        if concrete is None:
            continue
        if filled.endswith(("/", os.sep)):
            # Scrapy writes one file named as the folder (`out/` is the file `out`).
            problems.append(f"the output {uri} names a folder, not a file; give the file's name in it, like {str(uri).rstrip('/' + os.sep)}/%(name)s-%(time)s.jsonl")
            continue
        problem = destination_problem(Path(concrete)) or _appended_document(Path(concrete), options)
        if problem:
            problems.append(f"cannot write the output {uri}: {problem}")
    return problems


# Formats whose file is one document: a second run appending to it (`-o all.json` from cron) wrote a
# second array or XML declaration after the first, a file no JSON or XML reader takes, its articles seen.
ONE_DOCUMENT_FORMATS = frozenset({"json", "xml"})


def _appended_document(path: Path, options: Any) -> str | None:
    """Why a feed appending to ``path`` would leave it unreadable; None when it would not."""
    get = getattr(options, "get", None)
    if get is None or get("overwrite") or str(get("format") or "") not in ONE_DOCUMENT_FORMATS:
        return None
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
    except OSError:
        return None
    return (
        f"{path} is a whole {str(get('format')).upper()} document already, and -o would append a second one after it, "
        "which no reader takes; use -O to replace it, or JSON lines (-o all.jsonl) or CSV to add to one file run after run"
    )
