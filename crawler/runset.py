"""A set of strings that lives as long as one run, kept on disk so memory stays flat however long the run.

Discovery remembers every article it requested and the duplicate pipeline every article it emitted,
so that neither happens twice in a run. In Python sets that costs ~100 B per article (~200 MB for a
million-article backfill). Here the keys go to a private temporary SQLite database (``""``: an
anonymous file SQLite deletes when it is closed): its page cache is bounded (``cache_size``) and the
rest spills to disk. Nothing of it outlives the process, as with the sets it replaces.
"""

from __future__ import annotations

import sqlite3

# Page cache of the temporary database, in KiB (negative cache_size): enough to keep the index's
# upper levels in memory for millions of keys.
CACHE_KIB = 4096


class RunSet:
    """``add`` and ``in`` of a set of strings, on disk; for one process and one run."""

    def __init__(self) -> None:
        # No journal and no syncs: the file is private to this process and deleted on close. Used by one
        # thread at a time, though not always the one that made it: `scrapy shell` makes the crawler in its
        # own thread and runs it in the reactor's (a spider closed there, the site down, was a traceback).
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE keys (key TEXT PRIMARY KEY) WITHOUT ROWID")
        # One transaction for the whole life of the set: no commit per key.
        self._db.execute("BEGIN")
        self._count = 0

    def add(self, key: str) -> bool:
        """Add ``key``; whether it was new."""
        added = self._db.execute("INSERT OR IGNORE INTO keys (key) VALUES (?)", (key,)).rowcount == 1
        self._count += added
        return added

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return self._db.execute("SELECT 1 FROM keys WHERE key = ?", (key,)).fetchone() is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()
