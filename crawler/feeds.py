"""A local feed storage that writes each JSON line with one unbuffered write and reports it.

Scrapy's FileFeedStorage buffers, so after a ``kill -9`` the seen-store could hold articles whose
lines never reached the file. Here a line is on disk (in the OS) before anyone is told it was written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.spiders import Spider

from crawler import signals


class DurableFile:
    """A binary file object whose ``write`` finishes the whole buffer, then sends ``feed_line_written``."""

    def __init__(self, path: Path, mode: str, crawler: Crawler) -> None:
        self.path = path
        self.crawler = crawler
        self.raw = open(path, mode, buffering=0)  # noqa: SIM115 (closed by store())

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        try:
            while view:
                written = self.raw.write(view)
                if written is None:  # non-blocking file: cannot happen for regular files
                    raise OSError("short write")
                view = view[written:]
        except OSError as error:
            self.crawler.signals.send_catch_log(signal=signals.feed_write_failed, path=str(self.path), error=error)
            raise
        self.crawler.signals.send_catch_log(signal=signals.feed_line_written, line=data)
        return len(data)

    def fileno(self) -> int:
        return self.raw.fileno()

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        if not self.raw.closed:
            try:
                os.fsync(self.raw.fileno())
            finally:
                self.raw.close()

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def writable(self) -> bool:
        return True


def unwritable(path: Path) -> str | None:
    """Why a file cannot be created or appended at ``path``, or None if it can."""
    if path.is_dir():
        return f"{path} is a directory"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    return None if os.access(parent, os.W_OK | os.X_OK) else f"{parent} is not writable"


class _AnyParam(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "x"


def unwritable_feeds(feeds: dict[str, Any]) -> list[str]:
    """Problems with the local feed files of ``FEEDS`` (URI templates), found before anything is fetched."""
    problems = []
    for uri in feeds:
        if "://" in uri and not uri.startswith("file://"):
            continue
        path = uri[len("file://") :] if uri.startswith("file://") else uri
        problem = unwritable(Path(path % _AnyParam()))
        if problem:
            problems.append(f"cannot write the output {uri}: {problem}")
    return problems


class DurableFileFeedStorage(FileFeedStorage):
    """Local files (``path`` or ``file://``) written line by line, unbuffered, fsynced at the end."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> DurableFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        assert self.crawler is not None
        path = Path(self.path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        durable = DurableFile(path, self.write_mode, self.crawler)
        self.crawler.signals.send_catch_log(signal=signals.feed_file_opened, path=str(path))
        return durable  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        file.close()
