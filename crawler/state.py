"""Incremental state: the seen-store (one SQLite file by default) and the per-spider run lock."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol


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

    def close(self) -> None:
        self.db.close()


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
    """Settle articles a killed run handed to its feed: seen if the line is in its file, else forgotten.

    Returns (confirmed, dropped).
    """
    confirmed = dropped = 0
    by_run: dict[str, list[PendingArticle]] = {}
    for entry in store.pending():
        if entry.run_id != current_run:
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


def open_seen_store(settings: Any) -> SeenStore:
    """The seen-store the settings ask for: SQLite in ``BS_STATE_DIR`` (default ``.state``)."""
    state_dir = Path(settings.get("BS_STATE_DIR") or ".state")
    return SqliteSeenStore(state_dir / "seen.sqlite3")


def run_lock(settings: Any, spider_name: str) -> RunLock:
    """The lock that keeps two runs of one spider apart."""
    return RunLock(Path(settings.get("BS_STATE_DIR") or ".state") / f"{spider_name}.lock")
