"""The per-spider run lock (two runs of one spider never overlap: ``<BS_STATE_DIR>/<name>.lock``) and the
recovery lock (two runs never settle a killed run at once: ``<BS_STATE_DIR>/recovery.lock``)."""

from __future__ import annotations

import fcntl
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.incremental.sharing import ownership_hint
from crawler.incremental.store import StateError, backend, state_dir


# How far ahead of the clock the last run's end may be and still be waited out: further, the clock was
# set back (NTP, by hand), and the run goes on rather than wait for it.
_MOST_WAIT = 2.0


class RunLock:
    """An exclusive ``flock`` on ``<state dir>/<name>.lock``; the kernel releases it when the process dies.

    It keeps two runs of one spider apart in time to the second as well: ``%(time)s`` in an output's name
    (the default feed's) is to the second, and a run started in the second the run before it ended
    appended to that run's file. The holder writes its PID; as it lets go, the moment it did; the next
    holder waits for the second after it (less than a second, and only then)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it.

        Raises :class:`StateError` when the lock file cannot be made (state dir a file, read-only, full)
        or locked (a file system without ``flock``).
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            # Named as the lock file alone ("run lock /proc/nope/latest.lock cannot be created"), the setting
            # at fault was left to guess.
            hint = ownership_hint(self.path, self.path.parent) if isinstance(error, PermissionError) else ""
            raise StateError(
                f"the state dir BS_STATE_DIR={str(self.path.parent)!r} cannot be made: {error.strerror or error}{hint}"
            ) from error
        try:
            # (The umask decides, as for every file: a group sharing the state dir opens it to the group.)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            hint = ownership_hint(self.path, self.path.parent) if isinstance(error, PermissionError) else ""
            raise StateError(f"run lock {self.path} cannot be created: {error.strerror or error}{hint}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError as error:
            # A file system without flock (some network or FUSE ones): runs could not be kept apart.
            os.close(fd)
            raise StateError(f"run lock {self.path} cannot be taken: {error.strerror or error}") from error
        ended = _ended(fd)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the PID is only for the message (a full disk); the lock is what counts
        self._fd = fd
        if ended is not None:
            _wait_past_second(ended)
        return True

    def holder(self) -> str:
        """The PID written by the holder, for the error message."""
        try:
            return self.path.read_text(encoding="utf-8").strip().partition("\n")[0] or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.pwrite(self._fd, f"{os.getpid()}\nended {time.time():.6f}\n".encode(), 0)
            except OSError:
                pass  # (a full disk: the next run does not wait, as before)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _ended(fd: int) -> float | None:
    """When the lock's last holder let go of it (Unix time), as it wrote; None if it did not (killed)."""
    try:
        text = os.pread(fd, 200, 0).decode("ascii", "replace")
    except OSError:
        return None
    for line in text.splitlines():
        word, _, moment = line.partition(" ")
        if word == "ended":
            try:
                ended = float(moment)
            except ValueError:
                return None
            return ended if math.isfinite(ended) else None
    return None


def _wait_past_second(ended: float) -> None:
    """Sleep until the clock is past the second ``ended`` falls in (at most a little over a second)."""
    deadline = math.floor(ended) + 1
    now = time.time()
    # (Asked again at each wake: a clock stepped back meanwhile would otherwise hold the lock for hours.)
    while now < deadline and deadline - now <= _MOST_WAIT:
        time.sleep(deadline - now)
        now = time.time()


def run_lock(settings: Any, spider_name: str) -> RunLock:
    """The lock that keeps two runs of one spider apart; the store backend names it (a distributed
    worker's includes the worker's name)."""
    return RunLock(state_dir(settings) / f"{backend(settings).lock_name(settings, spider_name)}.lock")


RECOVERY_LOCK = "recovery.lock"


@contextmanager
def recovery_lock(settings: Any) -> Iterator[None]:
    """Hold ``<state dir>/recovery.lock`` while a killed run is settled, waiting for another holder.

    Runs of different spiders may each find the same killed run (its run lock free) and settle it:
    both would read, cut or mend its files at once, and one could take a part of a file the other is
    rewriting for cut. The second waits and then finds nothing left to settle.
    """
    path = state_dir(settings) / RECOVERY_LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        hint = ownership_hint(path, path.parent) if isinstance(error, PermissionError) else ""
        raise StateError(f"recovery lock {path} cannot be created: {error.strerror or error}{hint}") from error
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as error:
            raise StateError(f"recovery lock {path} cannot be taken: {error.strerror or error}") from error
        yield
    finally:
        os.close(fd)  # (which releases the lock)
