"""The per-spider run lock (two runs of one spider never overlap: ``<BS_STATE_DIR>/<name>.lock``) and the
recovery lock (two runs never settle a killed run at once: ``<BS_STATE_DIR>/recovery.lock``)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.incremental.sharing import ownership_hint
from crawler.incremental.store import StateError, backend, state_dir


class RunLock:
    """An exclusive ``flock`` on ``<state dir>/<name>.lock``; the kernel releases it when the process dies."""

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
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the PID is only for the message (a full disk); the lock is what counts
        self._fd = fd
        return True

    def holder(self) -> str:
        """The PID written by the holder, for the error message."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


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
