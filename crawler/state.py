"""Incremental state: the seen-store (one SQLite file by default, Redis for distributed runs) and the per-spider run lock."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from crawler.distributed import connect, enabled, key_prefix, safe_name, worker_name

if TYPE_CHECKING:
    from redis import Redis


@dataclass(frozen=True)
class SeenArticle:
    """What was last emitted for one article."""

    article_id: str
    version: int
    content_hash: str
    date_modified: str | None
    source_date: str | None


@dataclass(frozen=True)
class PendingArticle:
    """An article handed to the feed but not yet confirmed written."""

    article_id: str
    version: int
    content_hash: str
    date_modified: str | None
    source_date: str | None
    run_id: str


class StateError(RuntimeError):
    """The state cannot be used (corrupt, locked by another writer, unwritable): never reset silently."""


class SeenStore(Protocol):
    """Storage of emitted articles; the SQLite and Redis stores both follow it."""

    def get(self, article_id: str) -> SeenArticle | None: ...
    def add_pending(self, pending: PendingArticle) -> None: ...
    def confirm(self, article_id: str, run_id: str) -> None: ...
    def pending(self) -> list[PendingArticle]: ...
    def drop_pending(self, article_id: str, run_id: str) -> None: ...
    def record_feed(self, run_id: str, path: str) -> None: ...
    def feeds_of(self, run_id: str) -> list[str]: ...
    def forget_run(self, run_id: str) -> None: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


_SCHEMA = """
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
"""


class SqliteSeenStore:
    """The embedded default: ``<BS_STATE_DIR>/seen.sqlite3``; every statement is parameterised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self.db.execute("SELECT count(*) FROM seen").fetchone()
        except (sqlite3.DatabaseError, OSError) as error:
            raise StateError(f"seen-store {path} cannot be opened: {error}") from error

    def _run(self, sql: str, args: Iterable[object] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, tuple(args))
        except sqlite3.DatabaseError as error:
            raise StateError(f"seen-store {self.path}: {error}") from error

    def get(self, article_id: str) -> SeenArticle | None:
        row = self._run(
            "SELECT article_id, version, content_hash, date_modified, source_date FROM seen WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        return SeenArticle(*row) if row else None

    def add_pending(self, pending: PendingArticle) -> None:
        self._run(
            "INSERT OR REPLACE INTO pending (article_id, run_id, version, content_hash, date_modified, source_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (pending.article_id, pending.run_id, pending.version, pending.content_hash, pending.date_modified, pending.source_date),
        )

    def confirm(self, article_id: str, run_id: str) -> None:
        self._run("BEGIN IMMEDIATE")
        try:
            self._run(
                "INSERT OR REPLACE INTO seen (article_id, version, content_hash, date_modified, source_date)"
                " SELECT article_id, version, content_hash, date_modified, source_date FROM pending"
                " WHERE article_id = ? AND run_id = ?",
                (article_id, run_id),
            )
            self._run("DELETE FROM pending WHERE article_id = ? AND run_id = ?", (article_id, run_id))
            self._run("COMMIT")
        except StateError:
            self.db.rollback()
            raise

    def pending(self) -> list[PendingArticle]:
        rows = self._run(
            "SELECT article_id, version, content_hash, date_modified, source_date, run_id FROM pending"
        ).fetchall()
        return [PendingArticle(*row) for row in rows]

    def drop_pending(self, article_id: str, run_id: str) -> None:
        self._run("DELETE FROM pending WHERE article_id = ? AND run_id = ?", (article_id, run_id))

    def record_feed(self, run_id: str, path: str) -> None:
        self._run("INSERT OR IGNORE INTO feeds (run_id, path) VALUES (?, ?)", (run_id, path))

    def feeds_of(self, run_id: str) -> list[str]:
        return [row[0] for row in self._run("SELECT path FROM feeds WHERE run_id = ?", (run_id,)).fetchall()]

    def forget_run(self, run_id: str) -> None:
        self._run("DELETE FROM pending WHERE run_id = ?", (run_id,))
        self._run("DELETE FROM feeds WHERE run_id = ?", (run_id,))

    def count(self) -> int:
        return int(self._run("SELECT count(*) FROM seen").fetchone()[0])

    def check_writable(self) -> None:
        """Raise :class:`StateError` unless a write lock can be had now (another writer may hold it)."""
        self.db.execute("PRAGMA busy_timeout = 2000")
        try:
            self._run("BEGIN IMMEDIATE")
            self._run("ROLLBACK")
        except StateError as error:
            raise StateError(f"seen-store {self.path} is locked by another process or not writable ({error.__cause__})") from error
        finally:
            self.db.execute("PRAGMA busy_timeout = 10000")

    def close(self) -> None:
        self.db.close()


# Confirm one pending entry atomically: copy it to the article's hash, index the id, drop the entry.
# KEYS: pending hash, the article's seen hash, the id set; ARGV: pending field, article id.
_CONFIRM_LUA = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local entry = cjson.decode(raw)
local fields = {}
for _, name in ipairs({'version', 'content_hash', 'date_modified', 'source_date'}) do
    local value = entry[name]
    if value ~= nil and value ~= cjson.null then
        fields[#fields + 1] = name
        fields[#fields + 1] = tostring(value)
    end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""
_SEEN_FIELDS = ("version", "content_hash", "date_modified", "source_date")


class RedisSeenStore:
    """The seen-store of distributed runs, shared by every worker through Redis.

    Keys (``prefix`` is ``BS_REDIS_PREFIX``): ``<prefix>:seen:<article id>`` a hash per article,
    ``<prefix>:seen-ids`` the set of seen ids (for ``count``), ``<prefix>:pending:<spider>:<worker>``
    this worker's unconfirmed articles (field ``<run id>:<article id>``, a JSON value), and
    ``<prefix>:feeds:<run id>`` the feed files of a run. Pending entries are scoped to one worker
    and spider because recovery reads the feed files, which only that worker's machine has, and
    must never settle the entries of a run that is still going elsewhere.

    After a connection error every call raises :class:`StateError` at once (a lost Redis would
    otherwise cost each call its timeout), and ``on_lost`` is told once.
    """

    def __init__(self, client: Redis, prefix: str, scope: str) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        self.client = client
        self.prefix = prefix
        self.pending_key = f"{prefix}:pending:{scope}"
        self.ids_key = f"{prefix}:seen-ids"
        self.lost: Exception | None = None
        self.on_lost: Callable[[Exception], None] | None = None
        self._errors = (RedisError, OSError)
        self._lost_errors = (RedisConnectionError, RedisTimeoutError, OSError)
        self._confirm = client.register_script(_CONFIRM_LUA)

    def _seen_key(self, article_id: str) -> str:
        return f"{self.prefix}:seen:{article_id}"

    def _feeds_key(self, run_id: str) -> str:
        return f"{self.prefix}:feeds:{run_id}"

    def _call(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.lost is not None:
            raise StateError(f"seen-store in Redis is unreachable: {self.lost}")
        try:
            return command(*args, **kwargs)
        except self._errors as error:
            if isinstance(error, self._lost_errors):
                self.mark_lost(error)
            raise StateError(f"seen-store in Redis: {error}") from error

    def mark_lost(self, error: Exception) -> None:
        """Fail every later call at once; tell ``on_lost`` the first time."""
        if self.lost is None:
            self.lost = error
            if self.on_lost is not None:
                self.on_lost(error)

    def get(self, article_id: str) -> SeenArticle | None:
        values = self._call(self.client.hmget, self._seen_key(article_id), _SEEN_FIELDS)
        version, digest, modified, source = (v.decode() if v is not None else None for v in values)
        if version is None or digest is None:
            return None
        return SeenArticle(article_id, int(version), digest, modified, source)

    def add_pending(self, pending: PendingArticle) -> None:
        entry = {
            "version": pending.version,
            "content_hash": pending.content_hash,
            "date_modified": pending.date_modified,
            "source_date": pending.source_date,
        }
        self._call(self.client.hset, self.pending_key, f"{pending.run_id}:{pending.article_id}", json.dumps(entry))

    def confirm(self, article_id: str, run_id: str) -> None:
        self._call(
            self._confirm,
            keys=[self.pending_key, self._seen_key(article_id), self.ids_key],
            args=[f"{run_id}:{article_id}", article_id],
        )

    def pending(self) -> list[PendingArticle]:
        entries = []
        for field, raw in self._call(self.client.hgetall, self.pending_key).items():
            run_id, _, article_id = field.decode().rpartition(":")
            entry = json.loads(raw)
            entries.append(
                PendingArticle(
                    article_id, int(entry["version"]), entry["content_hash"], entry.get("date_modified"),
                    entry.get("source_date"), run_id,
                )
            )
        return entries

    def drop_pending(self, article_id: str, run_id: str) -> None:
        self._call(self.client.hdel, self.pending_key, f"{run_id}:{article_id}")

    def record_feed(self, run_id: str, path: str) -> None:
        self._call(self.client.sadd, self._feeds_key(run_id), path)

    def feeds_of(self, run_id: str) -> list[str]:
        return sorted(p.decode() for p in self._call(self.client.smembers, self._feeds_key(run_id)))

    def forget_run(self, run_id: str) -> None:
        # Only this worker writes its pending hash (the run lock keeps a second one out), so no race here.
        fields = [f for f in self._call(self.client.hkeys, self.pending_key) if f.decode().startswith(f"{run_id}:")]
        if fields:
            self._call(self.client.hdel, self.pending_key, *fields)
        self._call(self.client.delete, self._feeds_key(run_id))

    def count(self) -> int:
        return int(self._call(self.client.scard, self.ids_key))

    def close(self) -> None:
        self.client.close()


def ids_in_feed(path: str) -> dict[str, int]:
    """Article id → version of every complete JSON line in a feed file (a cut last line is ignored)."""
    found: dict[str, int] = {}
    try:
        with open(path, "rb") as feed:
            for line in feed:
                if not line.endswith(b"\n"):
                    break
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and isinstance(item.get("articleId"), str):
                    found[item["articleId"]] = int(item.get("version") or 0)
    except FileNotFoundError:
        pass
    return found


def recover_pending(store: SeenStore, current_run: str) -> tuple[int, int]:
    """Settle articles a killed run of the same spider handed to its feed: seen if the line is in its
    file, else forgotten.

    Returns (confirmed, dropped).
    """
    confirmed = dropped = 0
    by_run: dict[str, list[PendingArticle]] = {}
    spider = current_run.split(":", 1)[0]
    for entry in store.pending():
        # Only earlier runs of the same spider: the run lock says they are over.
        if entry.run_id != current_run and entry.run_id.split(":", 1)[0] == spider:
            by_run.setdefault(entry.run_id, []).append(entry)
    for run_id, entries in by_run.items():
        written: dict[str, int] = {}
        for path in store.feeds_of(run_id):
            written.update(ids_in_feed(path))
        for entry in entries:
            if written.get(entry.article_id) == entry.version:
                store.confirm(entry.article_id, run_id)
                confirmed += 1
            else:
                store.drop_pending(entry.article_id, run_id)
                dropped += 1
        store.forget_run(run_id)
    return confirmed, dropped


class RunLock:
    """An exclusive ``flock`` on ``<state dir>/<name>.lock``; the kernel releases it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        """The PID written by the holder, for the error message."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def open_seen_store(settings: Any, spider_name: str = "") -> SeenStore:
    """The seen-store the settings ask for: Redis when ``REDIS_URL`` is set (crawler/distributed/),
    else SQLite in ``BS_STATE_DIR`` (default ``.state``)."""
    if enabled(settings):
        scope = f"{safe_name(spider_name, 'spider')}:{worker_name(settings)}"
        return RedisSeenStore(connect(settings), key_prefix(settings), scope)
    state_dir = Path(settings.get("BS_STATE_DIR") or ".state")
    return SqliteSeenStore(state_dir / "seen.sqlite3")


def run_lock(settings: Any, spider_name: str) -> RunLock:
    """The lock that keeps two runs of one spider apart; in a distributed run, two runs of one worker."""
    name = spider_name
    if enabled(settings):
        # Several workers may share a machine (and BS_STATE_DIR); each name runs once at a time,
        # because a worker's unconfirmed articles are settled by its name.
        name = f"{spider_name}-{worker_name(settings)}"
    return RunLock(Path(settings.get("BS_STATE_DIR") or ".state") / f"{name}.lock")


def check_seen_store(settings: Any) -> None:
    """Before a run: raise :class:`StateError` when the SQLite seen-store is corrupt, locked or unwritable."""
    if enabled(settings):
        return  # the distributed store checks its connection when it opens
    store = SqliteSeenStore(Path(settings.get("BS_STATE_DIR") or ".state") / "seen.sqlite3")
    try:
        store.check_writable()
    finally:
        store.close()
