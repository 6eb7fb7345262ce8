"""The run history: one JSON record per run of any spider in ``<BS_STATE_DIR>/runs.jsonl``, killed runs included."""

from __future__ import annotations

import fcntl
import heapq
import json
import logging
import math
import os
import socket
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from importlib import metadata
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.conf import arglist_to_dict
from twisted.internet import task

from crawler import stats as stat
from crawler.liveness import boot_id, process_start
from crawler.monitoring import verdict
from crawler.monitoring.lookonly import looking_only
from crawler.incremental.signals import article_delivered
from crawler.monitoring.signals import run_judged

logger = logging.getLogger(__name__)

RUNS_FILE = "runs.jsonl"
# The file the history's older half is moved to once runs.jsonl reaches BS_RUN_HISTORY_MAX_BYTES (the
# one before it dropped): the history of a cron run every 5 minutes grew ~300 MB a year, for ever.
ROTATED_SUFFIX = ".1"
# Records read from Redis per command.
REDIS_SLICE = 1000
RUNNING_DIR = "running"
# A running run's tally of articles delivered, beside its marker.
TALLY_SUFFIX = ".delivered"
# Its byte for an article delivered as new, as updated ("." for one emitted unchanged, fresh=1).
TALLY_NEW, TALLY_UPDATED = b"n", b"u"
# How far back from its end the verdict reads the history for a small run's earlier items: some 3,000
# records, weeks of runs of every spider; read whole (a spider with no items in them), 0.6 s here.
RECENT_BYTES = 8 * 1024 * 1024
# How long a run waits for another process's lock on runs.jsonl before it writes its record without it:
# appending a record takes milliseconds, so a lock held longer is a stuck process (a backup or rotation
# script holding it), which held the run's end (and its SIGTERM) for as long as it held the lock.
LOCK_WAIT_SECONDS = 10.0
KILLED = "killed"
# Records appended this much out of the order of their ends are no sign of a clock set back (runs
# ending at one moment wait for each other's lock). A killed run's end is its last checkpoint, recorded
# by the next run, so a run of another spider that ended between shifts the records after it: by as
# much for all of them, which keeps their order among themselves and after the records before.
CLOCK_SLACK = timedelta(seconds=60)
# In a marker: the run ended, and this is its record, which could not be added to the history (a full
# disk); the next run adds it as it is, not as a killed run's.
UNWRITTEN = "unwritten"
# Beside it: Redis has the record already (a distributed run), so the next run adds it to the file only.
IN_REDIS = "in_redis"
# A live run's marker: the file name of the run lock it holds (a later run finds the holder by it).
LOCK = "lock"
# And the boot it runs in: a PID with its start tick tells a live run only within one boot.
BOOT = "boot"
# And how often it refreshes the marker (BS_RUN_HISTORY_CHECKPOINT, seconds; 0: only at its start).
EVERY = "checkpoint_every"
# A marker of another host (a container's: `docker run --rm` and a Kubernetes CronJob give each run a host
# name of its own) is a run gone once it missed this many refreshes, and this long at least: its PID
# tells nothing here. (Kept for ever before: the killed run was in no history, running/ grew by a file.)
STALE_CHECKPOINTS = 10
STALE_AT_LEAST = 3600.0
# The exit statuses in words, for `scrapy runs`, the report and the heartbeat.
STATUS_WORDS: dict[int, str] = {
    verdict.EXIT_OK: "ok",
    verdict.EXIT_FAILED: "failed",
    verdict.EXIT_USAGE: "wrong arguments",
    verdict.EXIT_LOCKED: "locked",
    verdict.EXIT_BLOCKED: "blocked",
    verdict.EXIT_EXTRACTION: "extraction failed",
    verdict.EXIT_OUTPUT: "output failed",
    verdict.EXIT_STATE: "state broken",
    verdict.EXIT_REDIS: "Redis lost",
    verdict.EXIT_SPLASH: "Splash failed",
}


def status_words(status: int | None) -> str:
    """``ok``, ``blocked``, … or ``killed`` for a run that never reached its verdict (``status`` None)."""
    if status is None:
        return KILLED
    return STATUS_WORDS.get(status, f"exit {status}")


def history_dir(settings: BaseSettings) -> Path:
    return Path(str(settings.get("BS_STATE_DIR") or ".state"))


def _utf8(record: dict[str, Any]) -> bytes:
    """A record as one line of JSON in UTF-8.

    Text that is no Unicode (an argument naming a file whose bytes are no UTF-8, which Python reads as
    lone surrogates) is replaced: it failed the encoding, and with it the record, the marker or the
    refusal (a traceback, and exit 1 for a refusal).
    """
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    try:
        return text.encode()
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").encode()
        except UnicodeEncodeError:
            return text.encode("utf-8", "replace")


def _lock(handle: Any, seconds: float) -> bool:
    """Take the lock of an open file within ``seconds``; whether it was taken."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_time(value: str) -> datetime:
    """An ISO time from a record or the command line; naive times are UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _alive(marker: dict[str, Any]) -> bool:
    """Whether the process that wrote a marker on this host still runs."""
    pid = marker.get("pid")
    # A live run's marker is this version's, with its PID as a whole number; any other (another
    # program's, one edited by hand) tells no running process: int() of it raised in the next run's
    # handler, which then lost that run's record, and the marker stayed to do it again.
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # Another user's process has the PID now (a daemon after a reboot): its start time tells, as for
        # ours; taken as the run's, the dead run was neither shown nor recorded while that process lived.
        pass
    boot = marker.get(BOOT)
    if isinstance(boot, str) and boot != boot_id():
        # (A run started at boot and killed by a power cut: after the next boot another process may hold
        # its PID with the same start tick; it kept every later run out as "still going".)
        return False
    started = marker.get("process_start")
    return started is None or process_start(pid) in (None, started)


def _gone(marker: dict[str, Any], path: Path, host: str) -> bool:
    """Whether the run that wrote the marker at ``path`` is gone: on this host, its process; on another,
    the refreshes it missed (a marker refreshed only at its start, or of a release before, is left)."""
    if marker.get("host") == host:
        return not _alive(marker)
    given = marker.get(EVERY)
    if marker.get(UNWRITTEN) is True:
        every = 0.0  # (the record of a run that ended, waiting for any run to add it: an hour is plenty)
    elif isinstance(given, (int, float)) and not isinstance(given, bool) and given > 0:
        every = float(given)
    else:
        return False
    try:
        idle = time.time() - path.stat().st_mtime
    except OSError:
        return False
    return idle > max(STALE_CHECKPOINTS * every, STALE_AT_LEAST)


def spider_arguments(argv: list[str]) -> dict[str, str]:
    """The ``-a NAME=VALUE`` arguments of the command line (cron's, or scrapyd's runner's)."""
    values: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "-a" and i + 1 < len(argv):
            values.append(argv[i + 1])
        elif arg.startswith("-a") and "=" in arg:
            values.append(arg[2:])
    try:
        return {k: v for k, v in arglist_to_dict(values).items() if not k.startswith("_")}
    except ValueError:
        return {}


def versions() -> dict[str, str]:
    try:
        project = metadata.version("bs-crawler")
    except metadata.PackageNotFoundError:
        project = "unknown"
    return {"crawler": project, "scrapy": scrapy.__version__, "python": sys.version.split()[0]}


def _numbers(stats: dict[str, Any]) -> dict[str, int | float]:
    return {k: v for k, v in sorted(stats.items()) if _figure(v)}


def _family(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix) and isinstance(v, (int, float))}


def summarise(stats: dict[str, Any], coverage_fields: list[str]) -> dict[str, Any]:
    """The figures of a run the history keeps, from its Scrapy stats."""
    layouts = _family(stats, stat.LAYOUT_PREFIX)
    missing = _family(stats, stat.MISSING_PREFIX)
    checked = sum(layouts.values())
    fields = sorted(set(coverage_fields) | set(missing))
    failed = _family(stats, stat.FAILED_PREFIX)
    retries = _family(stats, stat.RETRY_REASON_PREFIX)
    counts = {
        "new": int(stats.get(stat.NEW, 0)),
        "updated": int(stats.get(stat.UPDATED, 0)),
        "unchanged": int(stats.get(stat.UNCHANGED, 0)) + int(stats.get(stat.DISCOVERY_UNCHANGED_SKIPPED, 0)),
        # As the summary line counts them: emitted, what reached every feed (not what a failed feed
        # lost); dropped, what was refused for another reason than being unchanged (with fresh=1
        # unchanged articles are emitted, not dropped).
        "emitted": int(stats.get(stat.OUTPUT_DELIVERED, 0)),
        # A killed run's articles this run found written and marked seen: that run's, counted here
        # (it had them in flight, never counted), apart from this run's own.
        "recovered": int(stats.get(stat.STATE_RECOVERED_WRITTEN, 0)),
        "dropped": max(0, int(stats.get(stat.ITEMS_DROPPED, 0)) - int(stats.get(stat.UNCHANGED_DROPPED, 0))),
        "checked": checked,
        "requests": int(stats.get(stat.REQUESTS_SENT, 0)),
        "responses": int(stats.get(stat.RESPONSES_RECEIVED, 0)),
        "blocked": int(stats.get(stat.BLOCKED, 0)),
        "failed": sum(failed.values()),
        "skipped": sum(_family(stats, stat.SKIPPED_PREFIX).values()),
        # 429 answers, retried or given up: the site asking us to slow down.
        "rate_limited": int(stats.get(stat.RATE_LIMITED_RESPONSES, 0)),
        # Exceptions in callbacks and item pipelines (bugs).
        "errors": int(stats.get(stat.SPIDER_EXCEPTION_COUNT, 0)) + sum(_family(stats, stat.PIPELINE_ERROR_PREFIX).values()),
        "retries": sum(retries.values()),
        "sources_read": int(stats.get(stat.DISCOVERY_SOURCES_READ, 0)),
        "sources_failed": sum(_family(stats, stat.DISCOVERY_SOURCE_FAILED_PREFIX).values()),
    }
    return {
        "counts": counts,
        "layouts": layouts,
        "missing": missing,
        "coverage": {f: round(1 - missing.get(f, 0) / checked, 4) for f in fields} if checked else {},
        "failed": failed,
        "blocked_by_status": _family(stats, stat.BLOCKED_PREFIX),
        "splash": {
            "rendered": int(stats.get(stat.SPLASH_RENDERED, 0)),
            "failed": _family(stats, stat.SPLASH_FAILED_PREFIX),
        },
        "redis": {
            "articles_taken": int(stats.get(stat.REDIS_ARTICLES_TAKEN, 0)),
            "lost": int(stats.get(stat.REDIS_LOST, 0)),
            "dropped_unchecked": int(stats.get(stat.REDIS_DROPPED_UNCHECKED, 0)),
        },
        "stats": _numbers(stats),
    }


class RunHistory:
    """``runs.jsonl`` (one line per finished or killed run, appended under a lock) and ``running/`` (one marker per live run)."""

    def __init__(self, directory: Path, max_bytes: int = 0) -> None:
        self.directory = directory
        self.path = directory / RUNS_FILE
        self.rotated = directory / (RUNS_FILE + ROTATED_SUFFIX)
        self.running = directory / RUNNING_DIR
        self.where = str(self.path)
        # 0: never rotated. Only the writers need it; readers read both files whatever it is.
        self.max_bytes = max_bytes

    def _open_locked(self) -> tuple[Any, bool]:
        """``runs.jsonl`` opened for appending, and whether its lock was taken. A run that waited for the lock
        while another rotated the file holds the file moved away: it opens the new one instead."""
        for _ in range(5):
            handle = open(self.path, "a+b")
            # Runs of different spiders may finish at the same moment.
            locked = _lock(handle, LOCK_WAIT_SECONDS)
            if not locked or not _moved_away(handle, self.path):
                return handle, locked
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return open(self.path, "a+b"), False

    def append(self, record: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = _utf8(record) + b"\n"
        handle, locked = self._open_locked()
        with handle:
            if not locked:
                # One write of a line in append mode still lands whole after the others.
                logger.warning(
                    "The run history %s was locked by another process for more than %g s; adding this run's record without the lock",
                    self.path, LOCK_WAIT_SECONDS,
                )
            try:
                # A line cut short (a full disk, a crash mid-write) is ended first: glued onto it,
                # this record would be unreadable too.
                end = handle.seek(0, os.SEEK_END)
                if end:
                    handle.seek(end - 1)
                    if handle.read(1) != b"\n":
                        line = b"\n" + line
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
                if locked and self.max_bytes and handle.tell() >= self.max_bytes:
                    self._rotate()
            finally:
                if locked:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _rotate(self) -> None:
        """Move the full history to ``runs.jsonl.1`` (under the lock, which the runs waiting for it find on
        the moved file: they open the new one). A rotation that fails leaves the history whole and growing."""
        try:
            os.replace(self.path, self.rotated)
        except OSError as error:
            logger.warning("Could not rotate the run history %s to %s: %s", self.path, self.rotated, error)
            return
        logger.info("The run history reached %d bytes: moved to %s (the one before it dropped)", self.max_bytes, self.rotated)

    def records(
        self, *, since: datetime | None = None, spider: str | None = None, last: int = 0, per_spider: bool = False
    ) -> list[dict[str, Any]]:
        """The records, oldest first (the ``last`` ones, of each spider with ``per_spider``; 0: all); a cut or
        unreadable line (a disk that filled up) is skipped."""
        return latest_records((r for r in self._read() if _matches(r, since, spider)), last, per_spider)

    def records_with_killed(
        self, *, since: datetime | None = None, spider: str | None = None, last: int = 0, per_spider: bool = False
    ) -> list[dict[str, Any]]:
        """:meth:`records`, and the runs on this host killed since the last run (their markers, read, not
        turned into records: the next run does that). `scrapy runs` and the report showed the run before
        a killed one as the latest until another run started, and a script reading the latest status
        read "ok" after a run the OOM killer or a second SIGTERM (scrapyd's cancel) had ended."""
        # Chained, not unpacked: a tuple of both held every record of the history at once (765 MB for
        # `scrapy runs -n 1` on half a year of runs every 5 minutes).
        found = (r for r in chain(self._read(), self._unrecorded_killed()) if _matches(r, since, spider))
        return latest_records(found, last, per_spider)

    def _unrecorded_killed(self, *, in_redis: bool = True) -> list[dict[str, Any]]:
        """The records this host's markers of runs gone stand for; ``in_redis`` False: not those whose record
        Redis has already (read beside Redis, they were shown twice)."""
        host = socket.gethostname()
        killed = []
        for path in sorted(self.running.glob("*.json")) if self.running.is_dir() else []:
            try:
                marker = json.loads(path.read_text(encoding="utf-8", errors="replace"))
            except (OSError, ValueError):
                continue
            if not in_redis and isinstance(marker, dict) and marker.get(IN_REDIS) is True:
                continue
            if isinstance(marker, dict) and _gone(marker, path, host):
                record = _readable(_from_marker(marker, self._tallied(marker)))
                if record is not None:
                    killed.append(record)
        return killed

    def _files(self) -> list[Any]:
        """The history's files opened for reading, oldest first: the rotated one, then ``runs.jsonl``. The
        current one is opened first, so that a rotation in between is read once, not missed."""
        opened: list[Any] = []
        for path in (self.path, self.rotated):
            try:
                handle = open(path, "rb")
            except FileNotFoundError:
                continue
            if opened and os.fstat(handle.fileno()).st_ino == os.fstat(opened[0].fileno()).st_ino:
                handle.close()  # rotated since runs.jsonl was opened: the same records
                continue
            opened.append(handle)
        return opened[::-1]

    def _read(self) -> Iterator[dict[str, Any]]:
        files = self._files()
        try:
            for handle in files:
                yield from self._records_of(handle)
        finally:
            for handle in files:
                handle.close()

    def _records_of(self, handle: Any) -> Iterator[dict[str, Any]]:
        for raw in handle:
            try:
                # A byte no UTF-8 holds (a line another program wrote) costs that character, not the run's record.
                record = _readable(json.loads(raw.decode("utf-8", "replace")))
            except ValueError:
                record = None
            if record is None:
                if raw.strip(b"\x00 \t\r\n"):
                    logger.warning("Skipping an unreadable line of the run history %s", handle.name)
                continue
            yield record

    def recent_items(self, spider: str, items: int, arguments: Mapping[str, str] | None = None) -> list[tuple[int, dict[str, int]]]:
        """The items checked and the missing counts per field of the last runs of ``spider`` that had
        items (given ``arguments``: given those, a record without any as given none), newest first, back
        to ``items`` items in all (fewer when the history has fewer).

        Read from the end of the history (``runs.jsonl``, then the rotated file before it), a block at a
        time, and no further back than ``RECENT_BYTES`` in all: the verdict asks at the end of every small
        run, and the history holds months.
        """
        files = self._files()
        try:
            lines = _lines_of_files_backwards(files[::-1], RECENT_BYTES)
            return self._recent_in(lines, spider, items, arguments)
        finally:
            for handle in files:
                handle.close()

    @staticmethod
    def _recent_in(
        lines: Iterator[bytes], spider: str, items: int, arguments: Mapping[str, str] | None
    ) -> list[tuple[int, dict[str, int]]]:
        found: list[tuple[int, dict[str, int]]] = []
        total = 0
        for raw in lines:
            try:
                record = _readable(json.loads(raw.decode("utf-8", "replace")))
            except ValueError:
                continue
            if record is None or record.get("spider") != spider:
                continue
            if arguments is not None and (record.get("arguments") or {}) != dict(arguments):
                continue
            checked = int(sum((record.get("layouts") or {}).values()))
            if checked <= 0:
                continue
            found.append((checked, {k: int(v) for k, v in (record.get("missing") or {}).items()}))
            total += checked
            if total >= items:
                break
        return found

    def marker(self, run_id: str) -> Path:
        return self.running / f"{run_id}.json"

    def tally(self, run_id: str) -> Path:
        """Beside a run's marker: one byte per article the run delivered, written as each is (a killed
        run's count is not its last checkpoint's)."""
        return self.running / f"{run_id}{TALLY_SUFFIX}"

    def _tallied(self, marker: dict[str, Any]) -> dict[str, int]:
        """A run's tally read: its articles delivered (``emitted``), and of them ``new`` and ``updated``."""
        try:
            tally = self.tally(str(marker.get("run_id"))).read_bytes()
        except OSError:
            return {}
        # (An earlier release wrote "." for every article: its new and updated are its checkpoint's.)
        return {"emitted": len(tally), "new": tally.count(TALLY_NEW), "updated": tally.count(TALLY_UPDATED)}

    def write_marker(self, record: dict[str, Any], *, in_place: bool = False) -> None:
        """Write a run's marker whole (aside, then renamed over the old one); ``in_place``: when that
        fails, over the old one's bytes, which a full disk still has room for."""
        self.running.mkdir(parents=True, exist_ok=True)
        path = self.marker(str(record["run_id"]))
        temporary = path.with_suffix(".tmp")
        data = _utf8(record)
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a full disk: no half-written file left for every run
            if not in_place or not path.is_file():
                raise
            # The old marker stays whole until the new one is: a marker that does not read is no run.
            with open(path, "r+b") as handle:
                handle.seek(0, os.SEEK_END)
                handle.write(b" " * max(0, len(data) - handle.tell()))  # room first: ENOSPC leaves it as it was
                handle.flush()
                os.fsync(handle.fileno())
                handle.seek(0)
                handle.write(data)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())

    def remove_marker(self, run_id: str) -> None:
        try:
            self.marker(run_id).unlink(missing_ok=True)
            self.tally(run_id).unlink(missing_ok=True)
        except OSError:
            # Never written (the state dir is a file, read-only, gone): writing it said so, in one WARNING.
            pass

    def live_holder(self, lock_name: str) -> int | None:
        """The PID of a live run on this host (not this process) whose marker names the run lock
        ``lock_name``: that run holds the lock, whatever became of the lock's file."""
        host = socket.gethostname()
        for path in sorted(self.running.glob("*.json")) if self.running.is_dir() else []:
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (
                isinstance(marker, dict)
                and marker.get(LOCK) == lock_name
                and marker.get("host") == host
                and marker.get("pid") != os.getpid()
                and _alive(marker)
            ):
                return int(marker["pid"])
        return None

    def record_killed_runs(self) -> list[dict[str, Any]]:
        """Turn the markers of runs on this host whose process is gone into records: ``killed`` ones, or the
        run's own that it could not add at its end."""
        recorded = []
        host = socket.gethostname()
        for path in sorted(self.running.glob("*.json")) if self.running.is_dir() else []:
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                marker = None
            if not isinstance(marker, dict):
                path.unlink(missing_ok=True)
                continue
            if not _gone(marker, path, host):
                continue
            killed = _from_marker(marker, self._tallied(marker))
            # Claimed first: two runs starting at one moment (latest every 15 minutes, section at 02:30)
            # both found the marker's process gone, and both recorded it.
            claimed = path.with_name(f"{path.name}.{os.getpid()}.recording")
            try:
                os.rename(path, claimed)
            except FileNotFoundError:
                continue  # the other run records it
            try:
                self.append(killed)
            except OSError:
                os.rename(claimed, path)  # left for the next run to record
                raise
            claimed.unlink(missing_ok=True)
            self.tally(str(marker.get("run_id"))).unlink(missing_ok=True)
            if killed.get("status_words") == KILLED:
                logger.warning(
                    "The %s run started at %s (pid %s) was killed before its end; recorded in the run history",
                    marker.get("spider"), marker.get("started"), marker.get("pid"),
                )
            else:
                logger.warning(
                    "The %s run started at %s (pid %s) could not write its record at its end (exit %s); recorded in the run history now",
                    marker.get("spider"), marker.get("started"), marker.get("pid"), killed.get("status"),
                )
            # (The caller adds it to Redis too, unless it is there.)
            recorded.append({**killed, IN_REDIS: True} if marker.get(IN_REDIS) is True else killed)
        return recorded


def _lines_backwards(path: Path, limit: int, block: int = 65536) -> Iterator[bytes]:
    """The lines of a file, last first, from its last ``limit`` bytes (a line cut at that bound is left out)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        yield from _handle_lines_backwards(handle, limit, block)


def _lines_of_files_backwards(handles: list[Any], limit: int, block: int = 65536) -> Iterator[bytes]:
    """The lines of several open files read as one, the last file's last line first, from their last
    ``limit`` bytes in all."""
    for handle in handles:
        if limit <= 0:
            return
        size = handle.seek(0, os.SEEK_END)
        yield from _handle_lines_backwards(handle, limit, block)
        limit -= size


def _handle_lines_backwards(handle: Any, limit: int, block: int = 65536) -> Iterator[bytes]:
    position = handle.seek(0, os.SEEK_END)
    floor = max(0, position - limit)
    rest = b""
    while position > floor:
        size = min(block, position - floor)
        position -= size
        handle.seek(position)
        lines = (handle.read(size) + rest).split(b"\n")
        # The first piece may be the end of a line that began before this block.
        rest = lines.pop(0)
        for line in reversed(lines):
            if line.strip():
                yield line
    if floor == 0 and rest.strip():
        yield rest


def _moved_away(handle: Any, path: Path) -> bool:
    """Whether the file ``handle`` has open is no longer the one at ``path`` (rotated, or removed)."""
    try:
        return os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino
    except FileNotFoundError:
        return True


def _from_marker(marker: dict[str, Any], tallied: dict[str, int] | None = None) -> dict[str, Any]:
    """The record a marker left behind stands for: the run's own when it ended and could not add it,
    else a killed run's (``tallied``: the articles its tally counts delivered, new and updated)."""
    if marker.get(UNWRITTEN) is True:
        return {key: value for key, value in marker.items() if key not in (UNWRITTEN, IN_REDIS)}
    killed = _killed(marker)
    counts = killed.get("counts")
    if tallied and isinstance(counts, dict):
        # Its articles written since its last checkpoint: counted by no run before (BS_RUN_HISTORY_CHECKPOINT
        # is a minute), as those it had in flight were counted by none (the run settling them counts them).
        # New and updated are counted as each is delivered too, so all three agree.
        killed["counts"] = {**counts, **{name: max(value, _count_of(counts.get(name))) for name, value in tallied.items()}}
    return killed


def _count_of(value: Any) -> int:
    """A checkpoint's count, 0 where it is none (a hand edit, NaN)."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and _figure(value) else 0


def _killed(marker: dict[str, Any]) -> dict[str, Any]:
    """The record of a run whose marker outlived its process."""
    killed = {**marker, "status": None, "status_words": KILLED, "reason": "the run was killed or crashed before its end"}
    killed["finished"] = marker.get("checkpoint") or marker.get("started")
    killed.pop(LOCK, None)  # (the marker's, for live runs)
    killed.pop(BOOT, None)
    killed.pop(EVERY, None)
    elapsed = killed.pop("elapsed_s", None)
    if _figure(elapsed):
        # By the run's own clock: the wall clock may have been set back (NTP) since it started.
        killed["duration_s"] = elapsed
    else:
        try:
            killed["duration_s"] = max(0.0, (parse_time(str(killed["finished"])) - parse_time(str(marker["started"]))).total_seconds())
        except (KeyError, ValueError):
            pass
    return killed


def latest_records(records: Iterable[dict[str, Any]], last: int, per_spider: bool) -> list[dict[str, Any]]:
    """The ``last`` records started latest (of each spider with ``per_spider``; 0: all), oldest first.

    Kept as they stream by, never all at once: a year of cron runs every 15 minutes is some 35,000
    records of 3 KB or more, which `scrapy runs` held in memory (600 MB) to print the last 20.
    """
    # (start, position in the history): runs started at the same second keep the history's order,
    # and two records are never compared themselves.
    heaps: dict[str, list[tuple[tuple[datetime, int], dict[str, Any]]]] = {}
    # A record is appended as its run ends: one that ended more than CLOCK_SLACK before a record appended
    # earlier tells the wall clock was set back (a power cut, a hand correction), and the runs recorded
    # since are moved on by that much. By their start alone, the run before the change stayed the
    # latest, its status what `scrapy runs -n 1` gave, for as long as the clock was behind.
    # A run that ended before it started saw the clock go back while it went on: its start was on the
    # clock before, and is not moved on (moved on, it stayed ahead of every run since); its end is, to
    # its start at least, so the runs since still come after it.
    shift, latest_end = timedelta(0), None
    for position, record in enumerate(records):
        started = parse_time(str(record.get("started"))) + shift
        try:
            ended: datetime | None = parse_time(str(record.get("finished"))) + shift
        except ValueError:
            ended = None
        during = ended is not None and ended < started - CLOCK_SLACK
        bound = started if during else latest_end
        if latest_end is not None and bound is not None:
            bound = max(bound, latest_end)
        if ended is not None and bound is not None and ended < bound - CLOCK_SLACK:
            shift += bound - ended
            ended = bound
            if not during:
                started = parse_time(str(record.get("started"))) + shift
        if ended is not None and (latest_end is None or ended > latest_end):
            latest_end = ended
        entry = ((started, position), record)
        heap = heaps.setdefault(str(record.get("spider")) if per_spider else "", [])
        if last <= 0 or len(heap) < last:
            heapq.heappush(heap, entry)
        else:
            heapq.heappushpop(heap, entry)
    return [record for _, record in sorted(entry for heap in heaps.values() for entry in heap)]


def _matches(record: dict[str, Any], since: datetime | None, spider: str | None) -> bool:
    if spider and record.get("spider") != spider:
        return False
    return not (since and parse_time(str(record.get("started"))) < since)


# The parts of a record that are objects, of numbers for the first ones; `scrapy runs` and the report read them as such.
_FIGURES = ("counts", "layouts", "missing", "coverage", "failed", "blocked_by_status")
_OBJECTS = (*_FIGURES, "splash", "redis", "arguments", "versions")


def _figure(value: Any) -> bool:
    """A number a record can hold: JSON has no NaN or infinity (``jq`` refuses the line, and with it
    ``scrapy runs --json | jq``), and `scrapy runs` and the report ended in a traceback on one
    (``int(nan)``), read from a record edited by hand or a stat a component set to ``inf``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _readable(record: Any) -> dict[str, Any] | None:
    """A record as `scrapy runs` and the report can read it, or None for a line that is no record.

    A file edited by hand or by another program, or one whose blocks a crash zeroed, may hold JSON
    that is no run: one without a start time is left out (a run is placed and filtered by it), and
    parts of the wrong kind (a list for the counts, a coverage that is no number) are dropped.
    """
    if not isinstance(record, dict) or not isinstance(record.get("started"), str):
        return None
    try:
        parse_time(record["started"])
    except ValueError:
        return None
    readable = {k: v for k, v in record.items() if k not in _OBJECTS or isinstance(v, dict)}
    if "duration_s" in readable and not _figure(readable["duration_s"]):
        del readable["duration_s"]  # the report charts it as a number
    status = readable.get("status")
    if "status" in readable and (status is None or (isinstance(status, int) and not isinstance(status, bool))):
        # In this version's words: an older one wrote none, or "exit 9" for a status it had no words for.
        readable["status_words"] = status_words(status)
    for name in (*_FIGURES, "stats"):
        if isinstance(readable.get(name), dict):
            readable[name] = {k: v for k, v in readable[name].items() if _figure(v)}
    return readable


class RedisRunHistory:
    """Distributed runs (REDIS_URL): the records of every worker in one Redis list, ``<BS_REDIS_PREFIX>:runs``, beside the seen-store."""

    def __init__(self, settings: BaseSettings) -> None:
        from crawler import distributed

        self.client = distributed.connect(settings)
        self.key = f"{distributed.key_prefix(settings)}:runs"
        self.where = f"Redis ({self.key})"
        self.kept = max(settings.getint("BS_REDIS_RUNS_KEPT", 50000), 0)
        # This host's runs keep their markers in its state dir, as without Redis.
        self.here = local_history(settings)

    def append(self, record: dict[str, Any]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.rpush(self.key, _utf8(record))
        if self.kept:
            # Every worker's every run, for ever, filled the Redis (which then refuses the runs' writes):
            # `latest` every 15 minutes on three machines is 100,000 records a year.
            pipe.ltrim(self.key, -self.kept, -1)
        pipe.execute()

    def records(
        self, *, since: datetime | None = None, spider: str | None = None, last: int = 0, per_spider: bool = False
    ) -> list[dict[str, Any]]:
        return latest_records((r for r in self._read() if _matches(r, since, spider)), last, per_spider)

    def records_with_killed(
        self, *, since: datetime | None = None, spider: str | None = None, last: int = 0, per_spider: bool = False
    ) -> list[dict[str, Any]]:
        """:meth:`records`, and the runs on this host killed since its last run (see :meth:`RunHistory.records_with_killed`)."""
        found = (r for r in chain(self._read(), self.here._unrecorded_killed(in_redis=False)) if _matches(r, since, spider))
        return latest_records(found, last, per_spider)

    def _read(self) -> Iterator[dict[str, Any]]:
        # In slices: every worker's records, for months, are more than one answer should hold.
        for start in range(0, int(self.client.llen(self.key)), REDIS_SLICE):
            for raw in self.client.lrange(self.key, start, start + REDIS_SLICE - 1):
                try:
                    record = _readable(json.loads(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw))
                except ValueError:
                    continue
                if record is not None:
                    yield record

    def close(self) -> None:
        self.client.close()


def local_history(settings: BaseSettings) -> RunHistory:
    """This host's run history in its state dir, rotated at ``BS_RUN_HISTORY_MAX_BYTES``."""
    return RunHistory(history_dir(settings), max(settings.getint("BS_RUN_HISTORY_MAX_BYTES", 64 * 1024 * 1024), 0))


def history_store(settings: BaseSettings) -> RunHistory | RedisRunHistory:
    """Where `scrapy runs` and `scrapy report` read: Redis in distributed mode, else the state dir."""
    if settings.get("REDIS_URL"):
        return RedisRunHistory(settings)
    return local_history(settings)


def record_refused(
    settings: BaseSettings, spider: str, arguments: dict[str, str], status: int, reason: str, finish_reason: str = "refused"
) -> str | None:
    """Record a run refused before it started (no counts: nothing ran); why it could not be recorded, or None.

    Written by the ``crawl`` command, where the run history extension never runs. In distributed
    mode the record also goes to Redis, unless Redis itself is why the run was refused.
    """
    if not settings.getbool("BS_RUN_HISTORY"):
        return None
    now = _iso(_now())
    pid = os.getpid()
    record: dict[str, Any] = {
        "run_id": f"{spider}-{_now().strftime('%Y%m%dT%H%M%S')}-{pid}",
        "spider": spider,
        "arguments": {k: v for k, v in arguments.items() if not k.startswith("_")},
        "started": now,
        "finished": now,
        "duration_s": 0.0,
        "host": socket.gethostname(),
        "pid": pid,
        "versions": versions(),
        "finish_reason": finish_reason,
        "status": status,
        "status_words": status_words(status),
        "reason": reason,
        "summary": f"{'refused' if finish_reason == 'refused' else 'failed'} before it started: exit={status} ({reason})",
    }
    history = local_history(settings)
    try:
        history.append(record)
    except OSError as error:
        why = "its folder is not a directory" if isinstance(error, (FileExistsError, NotADirectoryError)) else error.strerror or str(error)
        return f"the refusal is not in the run history: {history.path}: {why}"
    if settings.get("REDIS_URL") and status != verdict.EXIT_REDIS:
        from redis.exceptions import RedisError

        from crawler import distributed

        try:
            distributed.redis_params(settings)
        except ValueError:
            return None  # refused for its REDIS_PARAMS, with which no client can be made to record it
        if distributed.url_problem(str(settings.get("REDIS_URL"))):
            return None  # refused for its REDIS_URL, which names no Redis to record it in (or the wrong one)
        try:
            remote = RedisRunHistory(settings)
            try:
                remote.append(record)
            finally:
                remote.close()
        except (RedisError, OSError) as error:
            return f"the refusal is in {history.path} but not in Redis ({' '.join(str(error).split())})"
    return None


class RunHistoryExtension:
    """Writes each run's record when it closes (after the verdict), and a marker while it runs so a killed run is recorded by the next."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        # `scrapy check` runs the contracts' sample requests, not a run; `scrapy parse` one page (before,
        # each parse was an `article` run of the history, `ok` with nothing emitted, fetched or not).
        if not settings.getbool("BS_RUN_HISTORY") or looking_only():
            raise NotConfigured  # no message: Scrapy would log it as a warning
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.history = local_history(settings)
        # Distributed runs also keep every record in Redis, where `scrapy runs` reads all workers'.
        self.remote = RedisRunHistory(settings) if settings.get("REDIS_URL") else None
        self.coverage_fields = sorted(settings.getdict("BS_MIN_FIELD_COVERAGE"))
        self.checkpoint_seconds = settings.getfloat("BS_RUN_HISTORY_CHECKPOINT")
        self.record: dict[str, Any] = {}
        self.started_clock = 0.0
        self.checkpoint: task.LoopingCall | None = None
        self.opened = False
        # The run's record was written (or left in its marker for the next run to add).
        self.ended = False
        # The spider closed, and no verdict will judge the run: it reached its end, and the reactor stops
        # with no record to write.
        self.closed = False
        # The verdict extension is on: it judges the run once its feeds are stored, which may be long
        # after the spider closed (an upload at the end).
        self.judged_later = False
        # The name of the run lock the run holds (incremental spiders), kept in its marker.
        self.lock_name: str | None = None
        # The run's tally of articles delivered (None: not open, or it failed).
        self.tally: BinaryIO | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.run_judged, signal=run_judged)
        crawler.signals.connect(self.article_delivered, signal=article_delivered)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunHistoryExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.opened = True
        self.judged_later = self.crawler.get_extension(verdict.RunVerdictExtension) is not None
        try:
            for killed in self.history.record_killed_runs():
                if not killed.get(IN_REDIS):
                    self._append_remote(killed)
        except OSError as error:
            logger.warning("Could not look for killed runs in %s: %s", self.history.running, error)
        started = _now()
        self.started_clock = time.monotonic()
        pid = os.getpid()
        self.record = {
            "run_id": f"{spider.name}-{started.strftime('%Y%m%dT%H%M%S')}-{pid}",
            "spider": spider.name,
            "arguments": spider_arguments(sys.argv),
            "started": _iso(started),
            "host": socket.gethostname(),
            "pid": pid,
            "process_start": process_start(pid),
            "versions": versions(),
        }
        if self.crawler.settings.get("REDIS_URL"):
            self.record["worker"] = str(self.crawler.settings.get("BS_WORKER_NAME") or socket.gethostname())
        if getattr(spider, "incremental", False):
            from crawler.incremental.lock import run_lock

            # The lock this run holds: a later run finds it here too, should the lock's file be removed.
            self.lock_name = run_lock(self.crawler.settings, spider.name).path.name
        self._write_marker()
        try:
            self.tally = open(self.history.tally(str(self.record["run_id"])), "ab", buffering=0)  # noqa: SIM115 (open for the run)
        except OSError:
            self.tally = None  # the marker's WARNING said why; a killed run then has its checkpoint's count
        if self.checkpoint_seconds > 0:
            self.checkpoint = task.LoopingCall(self._write_marker)
            self.checkpoint.start(self.checkpoint_seconds, now=False)
        from twisted.internet import reactor  # the one the crawler installed

        reactor.addSystemEventTrigger("before", "shutdown", self.reactor_stopping)  # type: ignore[attr-defined,arg-type,unused-ignore]

    def article_delivered(self, article_id: str | None, claimed: str | None = None) -> None:
        if self.tally is None or self.ended:
            return
        try:
            self.tally.write(TALLY_NEW if claimed == "new" else TALLY_UPDATED if claimed == "updated" else b".")
        except OSError:
            self._close_tally()

    def _close_tally(self) -> None:
        if self.tally is not None:
            try:
                self.tally.close()
            except OSError:
                pass
            self.tally = None

    def _write_marker(self) -> None:
        """The marker, with the figures so far: what a killed run's record will show."""
        marker = {
            **self.record,
            **({LOCK: self.lock_name} if self.lock_name else {}),
            **({BOOT: boot} if (boot := boot_id()) else {}),
            EVERY: self.checkpoint_seconds,
            "checkpoint": _iso(_now()),
            "elapsed_s": round(time.monotonic() - self.started_clock, 1),
            **summarise(self.stats.get_stats(), self.coverage_fields),
        }
        try:
            self.history.write_marker(marker)
        except OSError as error:
            logger.warning("Could not write the run marker in %s: %s", self.history.running, error)

    def run_judged(self, spider: Spider, finish_reason: str, status: int, why: str, summary: str) -> None:
        if self.checkpoint is not None and self.checkpoint.running:
            self.checkpoint.stop()
        if not self.opened or self.ended:
            # The spider never opened (a pipeline's open_spider raised, Scrapy closed the engine): a record
            # here had no spider, run id nor start, and a duration of the machine's uptime. The crawl
            # command records the run, as one that failed to start, naming the exception.
            if self.remote is not None:
                self.remote.close()
            return
        self._end(finish_reason, status, why, summary)
        if self.remote is not None:
            self.remote.close()

    def spider_closed(self, spider: Spider) -> None:
        self.closed = not self.judged_later

    def reactor_stopping(self) -> None:
        """The reactor stops before the run was judged and recorded: Scrapy's forced shutdown (Ctrl-C or
        SIGTERM a second time). The run records itself as it stands, exit 1 (the verdict's status when it
        judged the run already): left to the next run, it was a killed run's record with the figures of
        its last checkpoint, none at all in a short run, though the process knew them as it stopped."""
        if not self.opened or self.ended or self.closed:
            # Closed with the verdict extension switched off: the run's end is not a forced stop, and its
            # record is left to the next run, as it was. With the verdict on, a run closed but not yet
            # judged (its feeds being stored) was forced to stop: skipped, it was left as killed.
            return
        if self.checkpoint is not None and self.checkpoint.running:
            self.checkpoint.stop()
        self._end(*verdict.forced_stop(self.stats.get_stats()))
        if self.remote is not None:
            self.remote.close()

    def _end(self, finish_reason: str, status: int, why: str, summary: str) -> None:
        """Add the run's record to the history (and Redis), once."""
        self.ended = True
        self._close_tally()
        stats = self.stats.get_stats()
        record = {
            **self.record,
            "finished": _iso(_now()),
            "duration_s": round(time.monotonic() - self.started_clock, 1),
            "finish_reason": finish_reason,
            "status": status,
            "status_words": status_words(status),
            "reason": why,
            "summary": summary,
            **summarise(stats, self.coverage_fields),
        }
        try:
            self.history.append(record)
        except OSError as error:
            # Its marker keeps the record for the next run to add: removed, the run was in no history.
            kept = self._keep_for_next_run({**record, IN_REDIS: self._append_remote(record)})
            logger.error("Could not write the run history %s: %s; %s", self.history.path, error,
                         "the next run adds this run's record" if kept else "the next run records this run as killed")
        else:
            try:
                self.history.remove_marker(str(self.record.get("run_id")))
            except OSError as error:
                # A state dir gone read-only: a traceback here lost the record's copy in Redis too.
                logger.warning("Could not remove the run marker in %s: %s", self.history.running, error)
            self._append_remote(record)

    def _keep_for_next_run(self, record: dict[str, Any]) -> bool:
        """Put the run's record in its marker, for the next run to add; False when only the marker of
        the last checkpoint is left (read as a killed run's)."""
        try:
            self.history.write_marker({**record, UNWRITTEN: True}, in_place=True)
        except OSError:
            return False
        return True

    def _append_remote(self, record: dict[str, Any]) -> bool:
        """Add the record to Redis (a distributed run); whether it is there now."""
        if self.remote is None:
            return False
        from redis.exceptions import RedisError

        try:
            self.remote.append(record)
        except (RedisError, OSError) as error:
            # A run that lost Redis still has its record in the state dir.
            logger.warning("Could not add the run record to Redis (%s); it is in %s", " ".join(str(error).split()), self.history.path)
            return False
        return True
