"""The site's request not to be asked again before a moment (a Retry-After longer than a run waits), kept in the state dir for the runs after."""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler import stats as stat
from crawler.incremental.sharing import ownership_hint
from crawler.incremental.store import state_dir
from crawler.monitoring.lookonly import looking_only
from crawler.middlewares import host_deferred, site_asked_not_before

logger = logging.getLogger(__name__)

SITE_WAIT_FILE = "site-wait.json"
# Held while a run adds its host's wait to the file: two runs on the state dir (`latest` and `section` each
# hold a lock of their own) read it at once, and the second to replace it dropped the first one's host.
SITE_WAIT_LOCK = ".site-wait.lock"
# How long a run waits for another's hold on that lock (held for one small file's write) before it keeps its wait
# without it: it waits in the reactor's thread, and one held by a stopped process or a dead NFS client hung the
# run for ever, its run lock kept and every later run refused.
LOCK_PATIENCE = 5.0
LOCK_POLL = 0.05
# A Retry-After longer than this is read as this long: a typo'd or a CDN's default of a year would stop
# every run for a year, with nobody told but by the refusals.
LONGEST_WAIT = 24 * 3600.0
# How far the clock may have stepped back since a wait was kept (NTP's small corrections) and the wait still
# be trusted: further, it was kept by a clock that ran ahead, and its moment says nothing of the site's.
_CLOCK_STEP = 60.0


def site_key(url: str) -> str:
    """The host (and port) a wait is the site's for, as a URL names it."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _path(settings: Any) -> Path:
    return state_dir(settings) / SITE_WAIT_FILE


def _read(path: Path, said: bool = False) -> dict[str, dict[str, float]]:
    """The waits kept in ``path``: none when there is none, or it is damaged (the site answers 429 again if it
    still wants it); ``said``: a file there that cannot be read is one WARNING (it was ignored without a word)."""
    why = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as error:
        data = None
        why = f"{error.strerror or error}{ownership_hint(path, path.parent) if isinstance(error, PermissionError) else ''}"
    except ValueError:
        data = None
        why = "no JSON"
    if not isinstance(data, dict):
        if said:
            logger.warning("The site's Retry-After kept in %s cannot be read (%s); not waited for: the run goes on "
                           "(remove the file, or give it to this run's user)", path, why or "no JSON object")
        return {}
    waits: dict[str, dict[str, float]] = {}
    for host, entry in data.items():
        try:
            if isinstance(entry, dict) and all(isinstance(entry.get(k), (int, float)) and math.isfinite(entry[k]) for k in ("until", "asked", "seconds")):
                waits[str(host)] = {k: float(entry[k]) for k in ("until", "asked", "seconds")}
        except OverflowError:
            continue  # an integer no float holds (an edited file): no moment, nothing to wait for
    return waits


def _local(moment: float) -> str:
    """The moment in this machine's time zone, named: the one cron, `date` and the log's lines go by (in
    IST, a server on UTC read "not before 22:20 IST" beside a log at 16:50, and did the sum)."""
    stamp = datetime.fromtimestamp(moment).astimezone()
    return f"{stamp:%Y-%m-%d %H:%M:%S} {stamp.tzname() or f'{stamp:%z}'}"


def _local_or_number(moment: float) -> str:
    """The moment in local time, or as written when no date has it (year 59009: a moment in milliseconds)."""
    try:
        return _local(moment)
    except (ValueError, OverflowError, OSError):
        return f"{moment:g}"


def _waited_for(path: Path, host: str | None, entry: dict[str, float] | None, now: float) -> bool:
    """Whether a kept wait holds ``host`` (None: the site) back now: its moment ahead, kept by this clock as a Retry-After is."""
    if entry is None or entry["until"] <= now:
        return False
    if entry["asked"] > now + _CLOCK_STEP or entry["until"] > entry["asked"] + LONGEST_WAIT + 1:
        # Kept by a clock set back since (a machine that booted hours or a year ahead, then NTP), or a
        # moment no Retry-After was kept as (edited, in milliseconds): it held every run back that long.
        whose = "the site's" if host is None else f"{host}'s"
        logger.warning("Not waiting for %s Retry-After kept in %s: it was asked at %s by this machine's clock, "
                       "not before %s; the clock was set back since, or the file was edited", whose, path,
                       _local_or_number(entry["asked"]), _local_or_number(entry["until"]))
        return False
    return True


def site_wait_problem(settings: Any, now: float | None = None) -> str | None:
    """Why a run must not start yet: the site (``BS_BASE_URL``'s host) asked an earlier run on this state
    dir not to be asked again before a moment still ahead; None when it did not, or that moment is past."""
    now = time.time() if now is None else now
    host = site_key(str(settings.get("BS_BASE_URL") or ""))
    path = _path(settings)
    entry = _read(path, said=True).get(host) if host else None
    if entry is None or not _waited_for(path, None, entry, now):
        return None
    # When first: `scrapy runs` shows a reason's first 70 characters, and "answered 429 with Retry-After: 3600 s
    # at 2…" was all it showed of this one.
    return (
        f"the site asks for nothing before {_local(entry['until'])} ({math.ceil((entry['until'] - now) / 60)} min from now): "
        f"{host} answered 429 with Retry-After: {entry['seconds']:g} s at {_local(entry['asked'])}; nothing was sent "
        f"(remove {path} to ask it anyway)"
    )


def look_wait_warning(settings: Any, url: str, now: float | None = None) -> str | None:
    """For a look at ``url`` (``scrapy parse``, ``fetch``, ``shell``), which keeps no wait and is refused none:
    the wait its host asked the runs on this state dir for, when still ahead; None when there is none."""
    now = time.time() if now is None else now
    host = site_key(url)
    path = _path(settings)
    entry = _read(path).get(host) if host else None
    if entry is None or not _waited_for(path, host, entry, now):
        return None
    return (
        f"{host} asks for nothing before {_local(entry['until'])} (it answered 429 with Retry-After: {entry['seconds']:g} s "
        f"at {_local(entry['asked'])}, kept in {path}; the runs wait for it): this look asks it all the same"
    )


def other_hosts_waits(settings: Any, now: float | None = None) -> dict[str, dict[str, float]]:
    """The waits still ahead that hosts other than ``BS_BASE_URL``'s (the Hindi edition's) asked earlier runs
    on this state dir for: a run leaves those hosts alone and goes on at the site. Before, only the site's was
    read, and the next run asked the others again at once."""
    now = time.time() if now is None else now
    site = site_key(str(settings.get("BS_BASE_URL") or ""))
    path = _path(settings)
    return {host: entry for host, entry in _read(path).items() if host and host != site and _waited_for(path, host, entry, now)}


def note_site_wait(settings: Any, url: str, seconds: float, now: float | None = None) -> tuple[Path, float]:
    """Keep the site's wait (``seconds`` from ``now``, at most :data:`LONGEST_WAIT`) for the runs after;
    the file and the moment. Raises OSError when the state dir cannot be written."""
    now = time.time() if now is None else now
    wait = min(seconds, LONGEST_WAIT)
    path = _path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock, unlocked = _lock(path.with_name(SITE_WAIT_LOCK))
    try:
        # Read under the lock: what another run kept meanwhile stays.
        waits = {host: entry for host, entry in _read(path).items() if entry["until"] > now}
        waits[site_key(url)] = {"until": now + wait, "asked": now, "seconds": wait}
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(waits, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    finally:
        if lock is not None:
            os.close(lock)  # (which releases the lock)
    if unlocked is not None:
        # Said once the wait is kept: a state dir that cannot be written says so in the caller's one line.
        logger.warning("%s could not be locked (%s): the wait was kept without it, and a run on this state dir keeping its "
                       "own at this moment may have dropped it", path.with_name(SITE_WAIT_LOCK), unlocked)
    return path, now + wait


def _lock(path: Path) -> tuple[int | None, str | None]:
    """The lock file's descriptor, its lock taken, and why it is not (None: taken). Where no lock can be had,
    the wait is kept without one: a wait lost to a failed lock was every next run asking the host again."""
    try:
        try:
            lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:
            # Another user's (a first run by hand as root): flock takes a descriptor open for reading as well.
            lock = os.open(path, os.O_RDONLY)
    except OSError as error:
        return None, error.strerror or str(error)
    deadline = time.monotonic() + LOCK_PATIENCE
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock, None
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return lock, f"another process has held it for {LOCK_PATIENCE:g} s"
            time.sleep(LOCK_POLL)
        except OSError as error:
            # A file system that takes no flock (NFS without its lock daemon, some FUSE, SMB and 9p mounts).
            return lock, error.strerror or str(error)


class SiteWaitExtension:
    """Keeps a Retry-After the run could not wait out (longer than ``BS_RETRY_AFTER_MAX``) in the state dir,
    so that the next cron runs of any incremental spider on it send the site nothing before it is over
    (``crawl`` refuses them, exit 4); before, each asked again and met the same 429. Another host's (the
    Hindi edition's) is kept too: the runs within it ask that host nothing (its pages are left for a run
    after it) and go on at the site."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.site = site_key(str(crawler.settings.get("BS_BASE_URL") or ""))
        crawler.signals.connect(self.site_asked_not_before, signal=site_asked_not_before)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteWaitExtension:
        if not getattr(crawler.spidercls, "incremental", False) or looking_only():
            raise NotConfigured  # (`article`, `parse`, `shell` keep no state dir: run by hand, for pages one asks for)
        return cls(crawler)

    def spider_opened(self, **_: Any) -> None:
        """Leave alone the other hosts whose kept waits are not over (before the first request is sent)."""
        for host, entry in sorted(other_hosts_waits(self.crawler.settings).items()):
            logger.warning(
                "Not asking %s anything before %s: it answered 429 with Retry-After: %g s at %s (kept in %s); its pages are "
                "left for a run after that, and the run goes on at the site",
                host, _local(entry["until"]), entry["seconds"], _local(entry["asked"]), _path(self.crawler.settings),
            )
            self.crawler.signals.send_catch_log(signal=host_deferred, host=host)

    def site_asked_not_before(self, url: str, seconds: float) -> None:
        try:
            path, until = note_site_wait(self.crawler.settings, url, seconds)
        except OSError as error:
            logger.warning("The site's Retry-After (%g s) could not be kept for the next runs (%s): they will ask it again",
                           seconds, error.strerror or error)
            return
        self.stats.set_value(stat.RATE_LIMITED_NOT_BEFORE, int(until))
        host = site_key(url)
        whom = "the site" if host == self.site else host
        logger.warning("The next runs on this state dir send %s nothing before %s, as its Retry-After asks (%s)", whom, _local(until), path)
