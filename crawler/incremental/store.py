"""The seen-store interface and its embedded default, one SQLite file in ``BS_STATE_DIR``; the backend is chosen by ``BS_SEEN_STORE``."""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import os
import sqlite3
import stat as stat_module
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from scrapy.utils.misc import load_object

from crawler.incremental.sharing import file_mode, ownership_hint, unwritable_state_file

logger = logging.getLogger(__name__)

# Bumped whenever the tables change, or what they hold would be misread by the releases before (as the
# Redis store's FORMAT); a file with a higher number was written by a newer crawler.
# 2: the ``gone`` table (articles that answered 404, 410, 451 or a redirect away from the story).
# 3: the ``aliases`` table (short links and merged stories' addresses, and where they led).
# 4: the content hash without the Last Updated date: a release of 3 before it took every story it fetched
#    again, saved unedited, for changed and emitted it twice; it refuses a file of 4. (No table changed.)
SCHEMA_VERSION = 4
SQLITE_HEADER = b"SQLite format 3\x00"
# Below this much free space (or no free inode) the state dir counts as full: SQLite would fail mid-run.
MIN_FREE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SeenArticle:
    """What was last emitted for one article."""

    article_id: str
    version: int
    content_hash: str
    date_modified: str | None
    source_date: str | None


def is_same_content(seen: SeenArticle, pending: PendingArticle) -> bool:
    """Whether ``pending`` has the content stored for ``seen``, by its hash or an earlier release's."""
    return seen.content_hash == pending.content_hash or seen.content_hash in pending.previous_hashes


@dataclass(frozen=True)
class GoneArticle:
    """An article that answered as a story the site removed (``answer``: ``http-404``, ``http-410``,
    ``http-451``, ``redirected-away``), first in run ``run_id`` at ``first_at``, last at ``last_at`` (ISO, UTC), and
    no page since."""

    article_id: str
    answer: str
    first_at: str
    last_at: str
    run_id: str


# How long an article's gone answer is remembered after its last one: a story the feeds stopped
# linking is never asked for again, and its entry would stay for ever.
GONE_KEEP_DAYS = 30
# The seen-store's retention (BS_SEEN_RETENTION_DAYS) is applied at most once in this long: the prune
# reads the whole table, which a run every few minutes need not do each time.
SEEN_PRUNE_EVERY = timedelta(days=1)
# Articles a source listed again (looked up and found seen) are dated in batches of this many, in one
# transaction each: an archive run meets hundreds of thousands, one write apiece would be as many commits.
MET_BATCH = 1000
# How long a write waits for another process's write lock on the SQLite store (seconds).
BUSY_TIMEOUT = 10.0
# How long a batch of articles listed again waits for that lock mid-run (the crawl waits with it); not had,
# the batch is written later.
MET_PATIENCE = 0.05


@dataclass(frozen=True)
class Alias:
    """Where a link that is not a story's own address led when last asked for: a short link (``key``
    its :func:`short_link_key`) to the story at ``target`` (a URL), or a story's id to the article it
    was merged into (``target`` that article's id); ``target`` empty: nowhere (a short link that led to
    no story, ``misses`` runs in a row; a story known removed). ``source_date``: the latest feed or
    sitemap date the link was listed with then (ISO, or None); ``recorded_at``: when (ISO, UTC).

    A later run that meets the link with no later date needs not ask for it: the short link's story
    goes through discovery by its own address, a merged or removed story is not fetched."""

    key: str
    target: str
    source_date: str | None
    misses: int
    recorded_at: str


# How long an alias is trusted after it was recorded: past this the link is asked for once more (and
# recorded again), so a short link the site reused or a story merged and split again is seen within
# that time, and the aliases of links no source lists any more are pruned. (An alias to nowhere is
# trusted for less by the spider: BS_GONE_RECHECK_HOURS, a dead short link's back-off.)
ALIAS_KEEP_DAYS = 30


def alias_if_fresh(alias: Alias | None, now: datetime | None = None, future_skew: float = 600.0) -> Alias | None:
    """``alias`` unless it was recorded ALIAS_KEEP_DAYS ago or more, more than ``future_skew`` seconds
    (``BS_FUTURE_DATE_SKEW``) ahead of now, or when is unreadable."""
    if alias is None:
        return None
    recorded = _moment(alias.recorded_at)
    now = now or datetime.now(timezone.utc)
    keep = timedelta(days=ALIAS_KEEP_DAYS)
    # Recorded ahead of now: by a clock that was ahead then (set back since, as NTP does after a power
    # cut). Trusted, its time counted from then, a story known removed was not asked for again, nor a
    # dead short link, until the clock caught up, weeks maybe: the story lost if the site put it back.
    # Asked for once more, it is recorded again by this clock.
    return alias if recorded is not None and now - keep <= recorded <= now + timedelta(seconds=future_skew) else None


@dataclass(frozen=True)
class PendingArticle:
    """An article handed to the feeds but not yet confirmed written by all of them."""

    article_id: str
    version: int
    content_hash: str
    date_modified: str | None
    source_date: str | None
    run_id: str
    # The function giving the hash (or hashes) earlier releases gave the same content (seen-stores
    # hold their hashes): matching the stored one, the article is unchanged. Never stored. A function,
    # called once at most: more hashes of every article are CPU a crawl spends for the few whose
    # stored hash is not this release's.
    previous_hash_of: Callable[[], str | tuple[str, ...] | None] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def previous_hashes(self) -> tuple[str, ...]:
        """Earlier releases' hashes of this content, if known."""
        given = self.previous_hash_of() if self.previous_hash_of is not None else None
        return (given,) if isinstance(given, str) else tuple(given or ())


# The names a feed writes an article's id and version under, unless its ``fields`` rename them.
ITEM_KEYS: tuple[str, str | None] = ("articleId", "version")
# A CSV feed's delimiter and quote character, unless its ``item_export_kwargs`` give others.
CSV_DIALECT = (",", '"')


@dataclass(frozen=True)
class FeedRecord:
    """A local feed file a run wrote (for a feed recovery cannot read, a remote one, its URI template),
    with what recovery needs to read it (``format``, ``compression``),
    the feed (URI template) it belongs to (the batches of one feed share it), where the run's part
    of it starts (``offset``: the size of a file it appended to), whether the feed takes only some
    items (``filtered``: an ``item_filter`` or ``item_classes``), whether the run forgets the record
    when it ends (``forgotten_at_end``: one left behind is then an interrupted run's output; older
    versions kept every record), the names its items give the id and the version under
    (``keys``: a ``fields`` dict renames them, a list may leave the version out; None: no id at all)
    the encoding it is written in (``encoding``: ``FEED_EXPORT_ENCODING``; empty: UTF-8), a CSV
    feed's delimiter and quote character (``csv``) and its columns when it writes no header line
    (``csv_columns``), and an XML feed's element of an item (``xml_item``). ``before_offsets``: read
    from a record of a release of before the offset, which kept every record, its run's ended or not."""

    path: str
    format: str = "jsonlines"
    compression: str = ""
    feed: str = ""
    offset: int = 0
    filtered: bool = False
    forgotten_at_end: bool = False
    keys: tuple[str, str | None] | None = ITEM_KEYS
    encoding: str = ""
    csv: tuple[str, str] = CSV_DIALECT
    xml_item: str = "item"
    csv_columns: tuple[str, ...] = ()
    before_offsets: bool = field(default=False, compare=False)

    def encode(self) -> str:
        filtered = "filtered" if self.filtered else ""
        forgotten = FORGOTTEN_AT_END if self.forgotten_at_end else ""
        # What is not as most feeds have it, as one JSON object (which holds no tab); the marker stays
        # last, where finish_run() cuts it off.
        given: dict[str, Any] = {}
        if self.keys != ITEM_KEYS:
            given["keys"] = self.keys
        if self.encoding:
            given["encoding"] = self.encoding
        if self.csv != CSV_DIALECT:
            given["csv"] = self.csv
        if self.xml_item != "item":
            given["xml_item"] = self.xml_item
        if self.csv_columns:
            given["csv_columns"] = self.csv_columns
        # (A record with nothing more is as earlier versions write and read it.)
        extra = (json.dumps(given),) if given else ()
        return "\t".join((self.path, self.format, self.compression, self.feed, str(self.offset), filtered, *extra, forgotten))

    @classmethod
    def decode(cls, value: str) -> FeedRecord:
        # Records of older versions have four, six or seven fields (no offset, no filter, kept for
        # ever, nothing more); the marker is the last field of a record that has it.
        fields = value.split("\t")
        path, fmt, compression, feed, offset, filtered, *rest = fields + [""] * 6
        start = int(offset) if offset.isdigit() else 0
        if compression == "GzipPlugin":
            # Scrapy's gzip plugin as earlier versions recorded it (by its class name): recovery reads it.
            compression = "gzip"
        given = json.loads(next((part for part in rest if part.startswith("{")), "{}"))
        keys: tuple[str, str | None] | None = ITEM_KEYS
        if "keys" in given:
            names = given["keys"]
            keys = None if names is None else (str(names[0]), None if names[1] is None else str(names[1]))
        return cls(
            path, fmt or "jsonlines", compression, feed or path, start, filtered == "filtered", FORGOTTEN_AT_END in rest, keys,
            str(given.get("encoding") or ""),
            (str(given["csv"][0]), str(given["csv"][1])) if "csv" in given else CSV_DIALECT,
            str(given.get("xml_item") or "item"),
            tuple(str(column) for column in given.get("csv_columns") or ()),
            # (Every release since writes the offset, so only such a release's records have four fields.)
            len(fields) <= 4,
        )


FORGOTTEN_AT_END = "forgotten-at-end"
# The run id under which the files of settled killed runs wait for the next run that opens them.
INTERRUPTED_OUTPUTS = "interrupted-outputs"


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an article for emission: ``new``, ``updated``, ``unchanged``, ``taken``
    (another live run has it pending) or ``stale`` (the page is an older copy than the version emitted,
    whose ``date_modified`` it gives), and the version to emit."""

    outcome: str
    version: int
    date_modified: str | None = None


def _minute(value: str | None) -> datetime | None:
    """An item's ISO date, to the minute (a page may give the time without seconds); None if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(second=0, microsecond=0) if moment.tzinfo is not None else None


def is_older_copy(page_modified: str | None, emitted_modified: str | None, future_skew: float) -> bool:
    """Whether a page last modified at ``page_modified`` is an older copy of an article already emitted
    as last modified at ``emitted_modified`` (a CDN edge that has not revalidated). A stored date ahead
    of now by more than ``future_skew`` seconds is wrong, not newer: it never holds later pages back."""
    page, emitted = _minute(page_modified), _minute(emitted_modified)
    if page is None or emitted is None:
        return False
    return page < emitted <= datetime.now(timezone.utc) + timedelta(seconds=future_skew)


def fresh_source_date(seen: SeenArticle | None, pending: PendingArticle, unchanged: bool, future_skew: float) -> str | None:
    """The feed or sitemap date to store for an article a fresh run (``-a fresh=1``) emits: never older
    than the one stored (a listing gives none, a monthly sitemap an older one than the news sitemap's:
    the next run fetched every such story again), and none for an older copy than the version emitted,
    which a fresh run emits as it is: its page's ``dateModified`` is then what the next run's dates are
    compared with, so it fetches the story again rather than keep the old text as the last version."""
    if seen is None:
        return pending.source_date
    if not unchanged and is_older_copy(pending.date_modified, seen.date_modified, future_skew):
        return None
    stored, given = _moment(seen.source_date), _moment(pending.source_date)
    return seen.source_date if stored is not None and (given is None or stored > given) else pending.source_date


def later_modified(seen: SeenArticle, pending: PendingArticle) -> str | None:
    """The page's ``dateModified`` when it is later than the one stored for the same content (the CMS
    saved the story again, unedited), else None. Stored, it tells the pages of before that save from
    the version emitted, as an edit's date would: an edge's copy of the save, read for a later edit's
    sitemap date, is then a copy from before that edit, not the edit."""
    page, stored = _moment(pending.date_modified), _moment(seen.date_modified)
    return pending.date_modified if page is not None and (stored is None or page > stored) else None


def _moment(value: str | None) -> datetime | None:
    """An ISO date with its zone, None if there is none or it cannot be read."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


class StateError(RuntimeError):
    """The state cannot be used (corrupt, locked by another writer, unwritable): never reset silently."""


class SeenStore(Protocol):
    """Storage of emitted articles; the SQLite store here and the Redis one (crawler/distributed/store.py) follow it."""

    def get(self, article_id: str) -> SeenArticle | None: ...
    def claim(self, pending: PendingArticle, *, fresh: bool, is_live: Callable[[str], bool]) -> Claim: ...
    def confirm(self, article_id: str, run_id: str) -> None: ...
    def pending(self) -> list[PendingArticle]: ...
    def drop_pending(self, article_id: str, run_id: str) -> None: ...
    def record_feed(self, run_id: str, feed: FeedRecord) -> None: ...
    def feeds_of(self, run_id: str) -> list[FeedRecord]: ...
    def forget_run(self, run_id: str) -> None: ...
    def count(self) -> int: ...
    def gone(self, article_id: str) -> GoneArticle | None: ...
    def answered_gone(self, article_id: str, answer: str, run_id: str) -> GoneArticle | None: ...
    def answered_page(self, article_id: str) -> GoneArticle | None: ...
    def alias(self, key: str) -> Alias | None: ...
    def remember_alias(self, key: str, target: str, source_date: str | None) -> Alias: ...
    def forget_alias(self, key: str) -> None: ...
    def date_met(self, now: datetime | None = None) -> None: ...
    def prune_seen(self, retention: timedelta, now: datetime | None = None) -> int | None: ...
    def close(self) -> None: ...


class SeenStoreBackend(Protocol):
    """What the crawl command and the seen-store extension need of a store class."""

    @classmethod
    def open(cls, settings: Any, spider_name: str) -> SeenStore: ...
    @classmethod
    def check(cls, settings: Any) -> None: ...
    @classmethod
    def lock_name(cls, settings: Any, spider_name: str) -> str: ...


def backend(settings: Any) -> SeenStoreBackend:
    """The store class ``BS_SEEN_STORE`` names (SQLite by default; Redis in distributed runs)."""
    cls: SeenStoreBackend = load_object(settings.get("BS_SEEN_STORE") or "crawler.incremental.store.SqliteSeenStore")
    return cls


def state_dir(settings: Any) -> Path:
    return Path(settings.get("BS_STATE_DIR") or ".state")


_GONE_TABLE = """
CREATE TABLE IF NOT EXISTS gone (
    article_id TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
"""
_ALIASES_TABLE = """
CREATE TABLE IF NOT EXISTS aliases (
    key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    source_date TEXT,
    misses INTEGER NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL
);
"""
_SCHEMA = f"""
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS seen (
    article_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    date_modified TEXT,
    source_date TEXT
);
CREATE TABLE IF NOT EXISTS pending (
    article_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    date_modified TEXT,
    source_date TEXT,
    PRIMARY KEY (article_id, run_id)
);
CREATE TABLE IF NOT EXISTS feeds (run_id TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, path));
{_GONE_TABLE}
{_ALIASES_TABLE}
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""
# Schema 2 added the gone table to what 0 (before the schema had a number) and 1 hold, 3 the aliases
# table, 4 no table: a file of any of them is upgraded in place when opened, every seen article kept.
_TABLES = frozenset({"seen", "pending", "feeds", "gone", "aliases"})
_TABLES_BEFORE_ALIASES = frozenset({"seen", "pending", "feeds", "gone"})
_TABLES_BEFORE_GONE = frozenset({"seen", "pending", "feeds"})
_UPGRADE = f"""
BEGIN IMMEDIATE;
{_GONE_TABLE}
{_ALIASES_TABLE}
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""


@functools.cache
def _columns() -> dict[str, frozenset[str]]:
    """Each table's columns, as the schema makes them (every schema version has the same ones).

    Made on first use, not at import: SQLite opens a file as it starts, and at import (before the
    command's check of its standard streams) that file took a closed stdout's descriptor, so a run
    with stdout closed no longer saw it closed."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.executescript(_SCHEMA)
        return {table: frozenset(row[1] for row in db.execute(f"PRAGMA table_info({table})")) for table in _TABLES}
    finally:
        db.close()



def _inspect(path: Path) -> None:
    """Raise :class:`StateError` unless ``path`` is a seen-store this code can use; reads only."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise StateError(f"seen-store {path} cannot be read: {error.strerror or error}") from error
    if not stat_module.S_ISREG(info.st_mode):
        raise StateError(f"seen-store {path} is not a regular file")
    if info.st_size == 0:
        raise StateError(f"seen-store {path} is empty (0 bytes): a truncated or foreign file; it is left as it is")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StateError(f"seen-store {path} cannot be read: {error.strerror or error}") from error
    if header != SQLITE_HEADER:
        raise StateError(f"seen-store {path} is not a SQLite database (corrupt or foreign); it is left as it is")
    # Read without writing anything: immutable (no lock, no shared-memory file) unless a write-ahead
    # log is there to be read too (a killed run's).
    wal = path.with_name(path.name + "-wal").exists()
    query = "mode=ro" if wal else "mode=ro&immutable=1"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, timeout=10, isolation_level=None)
    except sqlite3.Error as error:
        raise StateError(f"seen-store {path} cannot be opened: {error}") from error
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        # Not SQLite's own tables: ANALYZE (by hand, or `PRAGMA optimize`) adds sqlite_stat1.
        tables = frozenset(
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        )
        if version > SCHEMA_VERSION:
            raise StateError(f"seen-store {path} has schema version {version}, newer than this crawler's {SCHEMA_VERSION}")
        # (A file of 0 or 1 whose upgrade was interrupted may hold the gone table; one of 2 its aliases table.)
        allowed = {
            0: (_TABLES_BEFORE_GONE, _TABLES_BEFORE_ALIASES, _TABLES),
            1: (_TABLES_BEFORE_GONE, _TABLES_BEFORE_ALIASES, _TABLES),
            2: (_TABLES_BEFORE_ALIASES, _TABLES),
        }.get(version, (_TABLES,))
        if tables not in allowed:
            raise StateError(f"seen-store {path} is not a seen-store (tables: {', '.join(sorted(tables)) or 'none'})")
        # A table without a column the store reads (a hand edit, a tool's own migration) failed each source
        # mid-run with a traceback, exit 1, after every feed was fetched.
        for table in sorted(tables):
            missing = _columns()[table] - {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if missing:
                raise StateError(
                    f"seen-store {path} is damaged: its table {table} has no column {', '.join(sorted(missing))}; it is left as it is"
                )
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StateError(f"seen-store {path} is corrupt ({check})")
    except sqlite3.Error as error:
        raise StateError(f"seen-store {path} cannot be opened: {error}") from error
    finally:
        db.close()


def _create(path: Path) -> bool:
    """Make an empty store at ``path`` without another process ever seeing it half made.

    Two runs starting on one fresh state dir (``latest`` and ``section`` from the same cron minute)
    both find no store: the schema is written to a private file and linked into place, so the other
    finds either nothing or a whole store, never the 0-byte file ``sqlite3.connect`` leaves before
    the schema is in. False when another process linked its store first: that one is used.
    """
    private = path.with_name(f".{path.name}.{os.getpid()}.new")
    _remove_stale_private_files(path)
    try:
        db = sqlite3.connect(private, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            # SQLite makes a database 0644 whatever the umask (and its -wal and -shm as the database):
            # a group sharing the state dir could not write the store its other user's run made.
            os.chmod(private, file_mode())
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()
        # (Looked for before the store: a log seen while another process made its store is that
        # store's, which is then there.)
        if _orphaned_logs(path) and not path.exists():
            # The log of a store deleted by hand (a killed writer's -wal and -shm stay when only
            # seen.sqlite3 is removed) would be read into the new store as its own last pages: the
            # deleted store back, or a corrupt mix. Removed under the creation lock, the store not
            # yet there: no other process has the new store's log open.
            with open(path.with_name(f".{path.name}.create.lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if path.exists():
                    return False
                for orphan in _orphaned_logs(path):
                    orphan.unlink()
                    logger.warning("Removed %s, left by a seen-store that was deleted: it is no part of the new one", orphan)
                os.replace(private, path)
            return True
        try:
            os.link(private, path)
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links: rename, with the check and the rename under a lock
            # of their own (the run lock is per spider, and two spiders may start together).
            with open(path.with_name(f".{path.name}.create.lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if path.exists():
                    return False
                os.replace(private, path)
        return True
    except (sqlite3.Error, OSError) as error:
        raise StateError(f"seen-store {path} cannot be created: {error}") from error
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                private.with_name(private.name + suffix).unlink()
            except OSError:
                pass


def _orphaned_logs(path: Path) -> list[Path]:
    """SQLite's files beside a store that is not there (``-wal``, ``-shm``, ``-journal``)."""
    return [log for log in (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")) if log.exists()]


def _remove_stale_private_files(path: Path) -> None:
    """Remove what a creation killed half-way left behind (a creation takes milliseconds)."""
    now = time.time()
    for leftover in path.parent.glob(f".{path.name}.*.new*"):
        try:
            if now - leftover.stat().st_mtime > 3600:
                leftover.unlink()
        except OSError:
            pass


def _iso(moment: datetime) -> str:
    """A UTC time as the gone records keep it (ISO, to the second: they compare as text)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return (info.st_dev, info.st_ino)


def _check_space(directory: Path) -> None:
    try:
        fs = os.statvfs(directory)
    except OSError as error:
        raise StateError(f"state dir {directory} cannot be used: {error.strerror or error}") from error
    if fs.f_bavail * fs.f_frsize < MIN_FREE_BYTES or (fs.f_files and fs.f_favail == 0):
        raise StateError(f"state dir {directory} is full")


class SqliteSeenStore:
    """The embedded default: ``<BS_STATE_DIR>/seen.sqlite3``; every statement is parameterised.

    Opening checks the file first and never changes a file it cannot use: an empty, truncated,
    foreign or newer-schema file is a :class:`StateError`.
    """

    def __init__(self, path: Path, lock_dir: Path | None = None, *, inspected: bool = False, future_skew: float = 600.0) -> None:
        """Open (or make) the store at ``path``; ``inspected``: the caller has just checked the file
        (:func:`_inspect` reads every page of it, a second on a store of a million articles);
        ``future_skew``: ``BS_FUTURE_DATE_SKEW``."""
        self.path = path
        self.future_skew = future_skew
        self.lock_dir = lock_dir or path.parent
        self._pruned = False  # gone records past GONE_KEEP_DAYS, pruned at the first gone answer
        self._aliases_pruned = False  # aliases past ALIAS_KEEP_DAYS, pruned at the first one recorded
        self._stored_at = False  # whether the seen table has its stored_at column (see _with_stored_at)
        self._met: set[str] = set()  # seen articles looked up since the last date_met (see get)
        self._met_due = MET_BATCH  # how many of them are dated in passing (more after a try that found the store locked)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(f"state dir {path.parent} cannot be created: {error.strerror or error}") from error
        if not path.parent.is_dir():
            raise StateError(f"state dir {path.parent} is not a directory")
        made_here = False
        if not path.exists():
            made_here = _create(path)
        if not made_here and not inspected:
            _inspect(path)
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
            if not made_here:
                version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
                if version < SCHEMA_VERSION:
                    # Files from before the schema had a number hold the tables of 1; 1 lacks the gone
                    # table, 2 the aliases table; 3 holds the tables of 4, its hashes told by the
                    # pipeline's earlier ones. (Two runs upgrading at once: the second finds them there.)
                    self.db.executescript(_UPGRADE)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("SELECT count(*) FROM seen").fetchone()
            self.identity = _identity(path)
        except (sqlite3.Error, OSError) as error:
            raise StateError(f"seen-store {path} cannot be opened: {error}") from error

    # --- the backend's class methods --------------------------------------------

    @classmethod
    def open(cls, settings: Any, spider_name: str) -> SqliteSeenStore:
        return cls(state_dir(settings) / "seen.sqlite3", future_skew=settings.getfloat("BS_FUTURE_DATE_SKEW", 600.0))

    @classmethod
    def check(cls, settings: Any) -> None:
        """Before a run: raise :class:`StateError` when the store or its folder cannot be used."""
        directory = state_dir(settings)
        if directory.exists() and not directory.is_dir():
            raise StateError(f"state dir {directory} is not a directory")
        path = directory / "seen.sqlite3"
        inspected = path.exists()
        if inspected:
            _inspect(path)
        if directory.exists():
            if not os.access(directory, os.W_OK | os.X_OK):
                raise StateError(f"state dir {directory} is not writable{ownership_hint(directory, directory)}")
            # A store this run's user may only read (a first run by hand as root) opens read-only
            # without a word: every page was fetched, and the first article failed the run.
            problem = unwritable_state_file(directory, (path.name, f"{path.name}-wal", f"{path.name}-shm"))
            if problem:
                raise StateError(problem)
            _check_space(directory)
        store = cls(path, inspected=inspected)
        try:
            store.check_writable()
        finally:
            store.close()

    @classmethod
    def lock_name(cls, settings: Any, spider_name: str) -> str:
        return spider_name

    # --- the store --------------------------------------------------------------

    def _run(self, sql: str, args: Iterable[object] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, tuple(args))
        except sqlite3.Error as error:
            raise StateError(f"seen-store {self.path}: {error}") from error

    def _rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def get(self, article_id: str) -> SeenArticle | None:
        row = self._run(
            "SELECT article_id, version, content_hash, date_modified, source_date FROM seen WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        # Looked up, it was listed again (a feed, sitemap or listing still links it): the retention
        # counts from now, or an archive run over a sitemap still listing a story stored 400 days ago
        # would find it forgotten and write it again as version 1.
        self._met.add(article_id)
        if len(self._met) >= self._met_due and not self.db.in_transaction:
            self._date_met_in_passing()
        return SeenArticle(*row)

    def _date_met_in_passing(self) -> None:
        """:meth:`date_met` mid-run, waiting at most MET_PATIENCE for another process's write lock: the
        store is used on the reactor's thread, and waiting the busy timeout there stood the whole crawl
        still (at every look-up after, until the lock was free). Not had, the batch is kept and tried
        again after MET_BATCH more articles, and at the run's end (the extension's date_met)."""
        self.db.execute(f"PRAGMA busy_timeout = {int(MET_PATIENCE * 1000)}")
        try:
            self.date_met()
        except StateError as error:
            self._met_due = len(self._met) + MET_BATCH
            logger.debug("Seen-store: articles listed again not dated yet: %s", error)
        else:
            self._met_due = MET_BATCH
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")

    def date_met(self, now: datetime | None = None) -> None:
        """Date the articles looked up since the last call as met now (those dated less than a day ago
        are left: no write at each run of a cron every few minutes), in one transaction."""
        if not self._met:
            return
        met, self._met = sorted(self._met), set()
        moment = now or datetime.now(timezone.utc)
        stamp, recent = _iso(moment), _iso(moment - SEEN_PRUNE_EVERY)
        try:
            self._with_stored_at()
            self._run("BEGIN IMMEDIATE")
            self.db.executemany(
                "UPDATE seen SET stored_at = ? WHERE article_id = ? AND (stored_at IS NULL OR stored_at < ?)",
                ((stamp, article_id, recent) for article_id in met),
            )
            self._run("COMMIT")
        except StateError:
            self._rollback()
            self._met.update(met)  # asked again at the next batch or the run's end
            raise
        except sqlite3.Error as error:
            self._rollback()
            self._met.update(met)
            raise StateError(f"seen-store {self.path}: {error}") from error

    def claim(self, pending: PendingArticle, *, fresh: bool, is_live: Callable[[str], bool]) -> Claim:
        """Atomically decide what to emit and take the article for this run: two runs on one store
        never both emit it (the other's live pending entry makes it ``taken``)."""
        self._with_stored_at()
        self._run("BEGIN IMMEDIATE")
        try:
            seen = self.get(pending.article_id)
            unchanged = seen is not None and is_same_content(seen, pending)
            if unchanged and not fresh:
                assert seen is not None
                if seen.content_hash != pending.content_hash:
                    # An earlier release's hash: this one in its place, told at the next fetch too.
                    self._run("UPDATE seen SET content_hash = ? WHERE article_id = ?", (pending.content_hash, pending.article_id))
                modified = later_modified(seen, pending)
                if modified is not None:
                    self._run("UPDATE seen SET date_modified = ? WHERE article_id = ?", (modified, pending.article_id))
                if pending.source_date is not None and pending.source_date != seen.source_date:
                    # Fetched again for a newer feed or sitemap date, the same story: that date is
                    # kept, or each later run would fetch the story again for it.
                    self._run("UPDATE seen SET source_date = ? WHERE article_id = ?", (pending.source_date, pending.article_id))
                # Met again: a source still lists it, so the retention counts from now.
                self._run("UPDATE seen SET stored_at = ? WHERE article_id = ?", (_iso(datetime.now(timezone.utc)), pending.article_id))
                self._run("COMMIT")
                return Claim("unchanged", seen.version)
            if seen is not None and not unchanged and not fresh and is_older_copy(pending.date_modified, seen.date_modified, self.future_skew):
                # Emitted, it would be the next version with older text: nothing is stored, so the
                # feed or sitemap date it was fetched for still says "changed" to the next run.
                self._run("ROLLBACK")
                return Claim("stale", seen.version, seen.date_modified)
            others = self._run(
                "SELECT run_id FROM pending WHERE article_id = ? AND run_id != ?", (pending.article_id, pending.run_id)
            ).fetchall()
            if any(is_live(row[0]) for row in others):
                self._run("ROLLBACK")
                return Claim("taken", 0)
            if seen is None:
                claim = Claim("new", 1)
            else:
                claim = Claim("unchanged" if unchanged else "updated", seen.version if unchanged else seen.version + 1)
            source_date = fresh_source_date(seen, pending, unchanged, self.future_skew) if fresh else pending.source_date
            self._run(
                "INSERT OR REPLACE INTO pending (article_id, run_id, version, content_hash, date_modified, source_date)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (pending.article_id, pending.run_id, claim.version, pending.content_hash, pending.date_modified, source_date),
            )
            self._run("COMMIT")
            return claim
        except StateError:
            self._rollback()
            raise

    def add_pending(self, pending: PendingArticle) -> None:
        self._run(
            "INSERT OR REPLACE INTO pending (article_id, run_id, version, content_hash, date_modified, source_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (pending.article_id, pending.run_id, pending.version, pending.content_hash, pending.date_modified, pending.source_date),
        )

    def confirm(self, article_id: str, run_id: str) -> None:
        self._with_stored_at()
        self._run("BEGIN IMMEDIATE")
        try:
            self._run(
                "INSERT OR REPLACE INTO seen (article_id, version, content_hash, date_modified, source_date, stored_at)"
                " SELECT article_id, version, content_hash, date_modified, source_date, ? FROM pending"
                " WHERE article_id = ? AND run_id = ?",
                (_iso(datetime.now(timezone.utc)), article_id, run_id),
            )
            self._run("DELETE FROM pending WHERE article_id = ? AND run_id = ?", (article_id, run_id))
            self._run("COMMIT")
        except StateError:
            self._rollback()
            raise

    def pending(self) -> list[PendingArticle]:
        rows = self._run(
            "SELECT article_id, version, content_hash, date_modified, source_date, run_id FROM pending"
        ).fetchall()
        return [PendingArticle(*row) for row in rows]

    def drop_pending(self, article_id: str, run_id: str) -> None:
        self._run("DELETE FROM pending WHERE article_id = ? AND run_id = ?", (article_id, run_id))

    def record_feed(self, run_id: str, feed: FeedRecord) -> None:
        self._run("INSERT OR IGNORE INTO feeds (run_id, path) VALUES (?, ?)", (run_id, feed.encode()))

    def feeds_of(self, run_id: str) -> list[FeedRecord]:
        rows = self._run("SELECT path FROM feeds WHERE run_id = ?", (run_id,)).fetchall()
        return [FeedRecord.decode(row[0]) for row in rows]

    def forget_run(self, run_id: str) -> None:
        self._run("DELETE FROM pending WHERE run_id = ?", (run_id,))
        self._run("DELETE FROM feeds WHERE run_id = ?", (run_id,))

    def finish_run(self, run_id: str) -> None:
        """At the end of a run: its feed records are forgotten, or, while articles of it are still
        pending (a feed failed: the next run settles them from its files), kept as those of a run
        that ended."""
        self._run("BEGIN IMMEDIATE")
        try:
            self._run(
                "DELETE FROM feeds WHERE run_id = ? AND NOT EXISTS (SELECT 1 FROM pending WHERE run_id = ?)", (run_id, run_id)
            )
            marker = f"\t{FORGOTTEN_AT_END}"
            self._run(
                "UPDATE OR IGNORE feeds SET path = substr(path, 1, length(path) - ?) WHERE run_id = ? AND path LIKE ?",
                (len(marker), run_id, f"%{marker}"),
            )
            self._run("COMMIT")
        except StateError:
            self._rollback()
            raise

    def forget_feed(self, run_id: str, path: str) -> None:
        """Forget the records of ``run_id`` for the file at ``path``."""
        for (value,) in self._run("SELECT path FROM feeds WHERE run_id = ?", (run_id,)).fetchall():
            if FeedRecord.decode(value).path == path:
                self._run("DELETE FROM feeds WHERE run_id = ? AND path = ?", (run_id, value))

    def interrupted_runs(self) -> list[str]:
        """Runs that never reached their end (killed, or still going for another spider), whether or
        not articles of them are pending: their feed records still carry the marker."""
        rows = self._run("SELECT DISTINCT run_id FROM feeds WHERE path LIKE ?", (f"%\t{FORGOTTEN_AT_END}",)).fetchall()
        return [row[0] for row in rows]

    def count(self) -> int:
        return int(self._run("SELECT count(*) FROM seen").fetchone()[0])

    def _with_stored_at(self) -> None:
        """Add the seen table's ``stored_at`` column (when each article was last emitted or fetched
        again), once, outside any transaction.

        A column no release reads but those that prune: it is added by the first write, not by a
        schema upgrade, so a release of before still opens the store (its rows get no time, and the
        next prune counts theirs from then). Two runs adding it at once: the second finds it there."""
        if self._stored_at:
            return
        columns = {row[1] for row in self._run("PRAGMA table_info(seen)").fetchall()}
        if "stored_at" not in columns:
            try:
                self.db.execute("ALTER TABLE seen ADD COLUMN stored_at TEXT")
            except sqlite3.OperationalError as error:
                if "duplicate column" not in str(error):
                    raise StateError(f"seen-store {self.path}: {error}") from error
            except sqlite3.Error as error:
                raise StateError(f"seen-store {self.path}: {error}") from error
        self._stored_at = True

    def prune_seen(self, retention: timedelta, now: datetime | None = None) -> int | None:
        """Forget the articles neither emitted nor fetched again for ``retention``, in one transaction
        (a run killed mid-prune leaves the store as it was); how many, or None when the store was
        pruned less than SEEN_PRUNE_EVERY ago (its ``seen.pruned`` file's time says when)."""
        # The marker's time set to now by the clock (utime without times) asks only that the file be
        # writable; a time of one's own choosing, that it be one's own: in a state dir two users share,
        # the other's marker was left undated, a WARNING and another prune at every run of theirs.
        dated = None if now is None else (now.timestamp(), now.timestamp())
        now = now or datetime.now(timezone.utc)
        marker = self.path.with_name("seen.pruned")
        try:
            last: float | None = marker.stat().st_mtime
        except OSError:
            last = None
        if last is not None and 0 <= now.timestamp() - last < SEEN_PRUNE_EVERY.total_seconds():
            return None
        self.date_met(now)
        self._with_stored_at()
        self._run("BEGIN IMMEDIATE")
        try:
            # Rows of a release of before (or of before the column) have no time: counted from now.
            self._run("UPDATE seen SET stored_at = ? WHERE stored_at IS NULL", (_iso(now),))
            pruned = self._run(
                "DELETE FROM seen WHERE stored_at < ?"
                " AND NOT EXISTS (SELECT 1 FROM pending WHERE pending.article_id = seen.article_id)",
                (_iso(now - retention),),
            ).rowcount
            self._run("COMMIT")
        except StateError:
            self._rollback()
            raise
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, file_mode())
            os.close(fd)
            os.utime(marker, dated)
        except OSError as error:
            # Pruned all the same; the next run prunes again (nothing left to find), and says why.
            logger.warning("Seen-store pruned, but %s could not be written: %s", marker, error.strerror or error)
        return int(pruned)

    def gone(self, article_id: str) -> GoneArticle | None:
        """The article's gone record: it answered as removed, and no page since."""
        row = self._run(
            "SELECT article_id, answer, first_at, last_at, run_id FROM gone WHERE article_id = ?", (article_id,)
        ).fetchone()
        return GoneArticle(*row) if row else None

    def answered_gone(self, article_id: str, answer: str, run_id: str) -> GoneArticle | None:
        """Record that the article answered as removed (``answer``) in run ``run_id``; its record from
        before, if any (the first run that answered so, and when). Records not answered again for
        GONE_KEEP_DAYS are pruned (once per opened store: gone answers are few)."""
        now = datetime.now(timezone.utc)
        self._run("BEGIN IMMEDIATE")
        try:
            if not self._pruned:
                self._run("DELETE FROM gone WHERE last_at < ?", (_iso(now - timedelta(days=GONE_KEEP_DAYS)),))
            earlier = self.gone(article_id)
            self._run(
                "INSERT INTO gone (article_id, answer, first_at, last_at, run_id) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET answer = excluded.answer, last_at = excluded.last_at",
                (article_id, answer, _iso(now), _iso(now), run_id),
            )
            self._run("COMMIT")
        except StateError:
            self._rollback()
            raise
        self._pruned = True
        return earlier

    def answered_page(self, article_id: str) -> GoneArticle | None:
        """Forget that the article answered as removed: it answered a page. Its record, if it had one."""
        # Read first: nearly every article has none, and a read takes no write lock.
        earlier = self.gone(article_id)
        if earlier is not None:
            self._run("DELETE FROM gone WHERE article_id = ?", (article_id,))
        return earlier

    def alias(self, key: str) -> Alias | None:
        """Where the link ``key`` led when last asked for, unless that was ALIAS_KEEP_DAYS ago or more."""
        row = self._run("SELECT key, target, source_date, misses, recorded_at FROM aliases WHERE key = ?", (key,)).fetchone()
        return alias_if_fresh(Alias(*row) if row else None, future_skew=self.future_skew)

    def remember_alias(self, key: str, target: str, source_date: str | None) -> Alias:
        """Record that the link ``key``, listed with ``source_date``, led to ``target`` ("" for
        nowhere: counted as a miss in a row); the record kept, with its misses. Aliases past
        ALIAS_KEEP_DAYS are pruned (once per opened store)."""
        now = datetime.now(timezone.utc)
        self._run("BEGIN IMMEDIATE")
        try:
            if not self._aliases_pruned:
                self._run("DELETE FROM aliases WHERE recorded_at < ?", (_iso(now - timedelta(days=ALIAS_KEEP_DAYS)),))
            earlier = self._run("SELECT misses FROM aliases WHERE key = ? AND target = ''", (key,)).fetchone()
            misses = (int(earlier[0]) + 1 if earlier else 1) if not target else 0
            self._run(
                "INSERT OR REPLACE INTO aliases (key, target, source_date, misses, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (key, target, source_date, misses, _iso(now)),
            )
            self._run("COMMIT")
        except StateError:
            self._rollback()
            raise
        self._aliases_pruned = True
        return Alias(key, target, source_date, misses, _iso(now))

    def forget_alias(self, key: str) -> None:
        """Forget where the link ``key`` led (its address answered a page of its own)."""
        # Read first: nearly every article has none, and a read takes no write lock.
        if self._run("SELECT 1 FROM aliases WHERE key = ?", (key,)).fetchone():
            self._run("DELETE FROM aliases WHERE key = ?", (key,))

    def is_live(self, run_id: str) -> bool:
        """Whether the run that wrote ``run_id``'s entries still holds its spider's run lock."""
        spider = run_id.split(":", 1)[0]
        try:
            handle = open(self.lock_dir / f"{spider}.lock", "rb")  # noqa: SIM115
        except OSError:
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
        finally:
            handle.close()

    def check_in_place(self) -> None:
        """Raise :class:`StateError` when the file at the store's path is not the one this run wrote
        to (deleted with its state dir, or replaced by a copy): what the run recorded is not there."""
        try:
            same = _identity(self.path) == self.identity
        except OSError:
            same = False
        if not same:
            raise StateError(
                f"seen-store {self.path} was removed or replaced during the run: what this run emitted is not "
                "recorded in it, so the next run emits it again"
            )

    def check_writable(self) -> None:
        """Raise :class:`StateError` unless a write lock can be had now (another writer may hold it)."""
        self.db.execute("PRAGMA busy_timeout = 2000")
        try:
            self._run("BEGIN IMMEDIATE")
            try:
                # A write, taken back: SQLite grants BEGIN IMMEDIATE on a file it opened read-only.
                version = int(self._run("PRAGMA user_version").fetchone()[0])
                self._run(f"PRAGMA user_version = {version}")
            finally:
                self._rollback()
        except StateError as error:
            raise StateError(f"seen-store {self.path} is locked by another process or not writable ({error.__cause__})") from error
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")

    def close(self) -> None:
        self.db.close()


# Checked by mypy: the class gives every method of the backend's protocol, and its stores those of SeenStore.
_CHECKED_BACKEND: SeenStoreBackend = SqliteSeenStore
