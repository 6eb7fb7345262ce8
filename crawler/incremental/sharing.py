"""A state dir shared by a group (two users' cron runs in turn) and one left to another user (a first run as root)."""

from __future__ import annotations

import grp
import os
import pwd
import stat as stat_module
from pathlib import Path

# The files and folders of the state dir every run writes to when they are there already (the SQLite
# store's own in its check); each must be writable by this run's user, or the run fetches everything
# and then cannot record it.
# (receipts/: a run to stdout or a remote store writes there, and was stopped at its first article, exit 6.)
WRITTEN_IN_STATE_DIR = ("recovery.lock", "runs.jsonl", "running", "receipts")


def current_umask() -> int:
    """The process's umask, read without setting it (``os.umask`` sets it, for every thread, meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def file_mode() -> int:
    """The mode a file made with ``open()`` gets: what the umask leaves of 0666 (SQLite's own default
    is 0644, whatever the umask, which no other user of a shared state dir can write)."""
    return 0o666 & ~current_umask()


def share_with_group(directory: Path) -> bool:
    """When ``directory`` is writable by its group, open this process's umask to the group, as git's
    ``core.sharedRepository=group`` does: the seen-store, locks and history this run makes are then the
    group's to write too, whatever umask cron gave the run (077 made them its user's alone, and the
    other user's next run was refused, exit 7). Whether it did."""
    try:
        info = os.stat(directory)
    except OSError:
        return False
    if not stat_module.S_ISDIR(info.st_mode) or not info.st_mode & stat_module.S_IWGRP:
        return False
    # (Before the crawl starts its threads: os.umask is the only way to set it.)
    os.umask(current_umask() & ~0o070)
    return True


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def ownership_hint(path: Path, directory: Path) -> str:
    """What to do about ``path`` in the state dir ``directory`` that this run may not write: whose it
    is and the command that gives it to this run's user; empty when it is this user's own."""
    try:
        info = os.stat(path)
    except OSError:
        try:
            path, info = directory, os.stat(directory)  # (a file it cannot make: the folder is whose)
        except OSError:
            return _maker_hint(directory)
    me = os.geteuid()
    if info.st_uid == me:
        return f" (its mode is {stat_module.S_IMODE(info.st_mode):o}: `chmod -R u+rw {directory}`)"
    return (
        f" (it belongs to {_user(info.st_uid)}:{_group(info.st_gid)}, mode {stat_module.S_IMODE(info.st_mode):o}, and this run's "
        f"user is {_user(me)}: `chown -R {_user(me)} {directory}`, or for users sharing it a group-writable "
        "state dir, as the README's Cron section shows)"
    )


def _maker_hint(directory: Path) -> str:
    """What to do about a state dir ``directory`` that is not there and cannot be made: whose the folder
    it would be made in is; empty when there is none to tell (it is not the permissions)."""
    for parent in directory.absolute().parents:
        try:
            info = os.stat(parent)
        except OSError:
            continue
        if os.access(parent, os.W_OK | os.X_OK):
            return ""
        me = _user(os.geteuid())
        return (
            f" (the folder {parent} it is made in belongs to {_user(info.st_uid)}:{_group(info.st_gid)}, mode "
            f"{stat_module.S_IMODE(info.st_mode):o}, and this run's user is {me}: make it for the user, "
            f"`install -d -o {me} {directory.absolute()}`, or give BS_STATE_DIR a folder the user may write)"
        )
    return ""


def unwritable_state_file(directory: Path, names: tuple[str, ...] = WRITTEN_IN_STATE_DIR) -> str | None:
    """The first of ``names`` in the state dir that this run's user cannot write, as a line naming it
    and what to do; None when there is none."""
    for name in names:
        path = directory / name
        try:
            is_dir = stat_module.S_ISDIR(os.stat(path).st_mode)
        except OSError:
            continue  # not there: made by the run (the folder's own check covers it)
        if not os.access(path, os.W_OK | (os.X_OK if is_dir else 0)):
            return f"state dir {directory}: {path} cannot be written by this run{ownership_hint(path, directory)}"
    return None
