"""A feed storage that stands for S3, GCS or FTP in tests: the file is uploaded, here copied into a
folder, only when the slot is stored; it refuses when a file named ``REFUSE`` is in the folder.

``FEED_STORAGES={"remote": "tests.remote_storage.FolderFeedStorage"}`` and ``-O remote:///path/out.jsonl``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import BlockingFeedStorage


class FolderFeedStorage(BlockingFeedStorage):
    """Scrapy's blocking storages' way: a temporary file while the run writes, one upload at the end."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        self.target = Path(uri.split("://", 1)[1])

    def _store_in_thread(self, file: IO[bytes]) -> None:
        try:
            if (self.target.parent / "REFUSE").exists():
                raise ConnectionError(f"upload of {self.target.name} refused")
            file.seek(0)
            with open(self.target, "wb") as uploaded:
                shutil.copyfileobj(file, uploaded)
        finally:
            file.close()


class SlowFolderFeedStorage(FolderFeedStorage):
    """An upload that takes a while (a slow link to S3 or FTP): it touches ``UPLOADING`` in the folder as it
    starts, then waits until ``RELEASE`` is there (at most 20 s)."""

    def _store_in_thread(self, file: IO[bytes]) -> None:
        (self.target.parent / "UPLOADING").touch()
        deadline = time.monotonic() + 20
        while not (self.target.parent / "RELEASE").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        super()._store_in_thread(file)
