"""A fresh seen-store made by several processes at once: each opens the one store, none sees it half made."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from crawler.incremental.store import SqliteSeenStore, StateError


def _open_and_mark(path: str, start: multiprocessing.synchronize.Event, errors: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start.wait()
    try:
        SqliteSeenStore(Path(path)).close()
    except StateError as error:
        errors.put(str(error))


def _no_hard_links(source: object, target: object) -> None:
    raise PermissionError(1, "Operation not permitted")


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "no-hard-links"])
def test_processes_creating_one_store_at_once_all_open_it(tmp_path: Path, links: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not links:  # a file system without them (vfat, some network mounts): the locked rename
        monkeypatch.setattr(os, "link", _no_hard_links)
    context = multiprocessing.get_context("fork")
    errors: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    for attempt in range(15):
        path = tmp_path / f"state-{attempt}" / "seen.sqlite3"
        path.parent.mkdir()
        start = context.Event()
        workers = [context.Process(target=_open_and_mark, args=(str(path), start, errors)) for _ in range(6)]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(30)
        assert all(worker.exitcode == 0 for worker in workers)
        left = sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("seen.sqlite3"))
        assert left == ([] if links else [".seen.sqlite3.create.lock"])  # no private file stays
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []


def test_a_store_made_by_another_process_is_used_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    first = SqliteSeenStore(path)
    first.close()
    inode = path.stat().st_ino
    SqliteSeenStore(path).close()
    assert path.stat().st_ino == inode


def test_an_empty_file_left_behind_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    path.write_bytes(b"")
    try:
        SqliteSeenStore(path)
    except StateError as error:
        assert "empty (0 bytes)" in str(error)
    else:
        raise AssertionError("an empty store file was accepted")
    assert path.read_bytes() == b""


def test_what_a_killed_creation_left_is_removed_once_stale(tmp_path: Path) -> None:
    stale = tmp_path / ".seen.sqlite3.4242.new"
    fresh = tmp_path / ".seen.sqlite3.4343.new-journal"
    for leftover in (stale, fresh):
        leftover.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(stale, (hour_ago, hour_ago))
    SqliteSeenStore(tmp_path / "seen.sqlite3").close()
    assert not stale.exists()
    assert fresh.exists()  # another process may be creating right now


def test_the_check_before_a_run_reads_the_whole_store_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # PRAGMA quick_check reads every page: a second on a store of a million articles. The check
    # before a run read it twice (and the run's own opening a third time).
    from scrapy.settings import Settings

    from crawler.incremental import store as store_module

    SqliteSeenStore(tmp_path / "seen.sqlite3").close()
    inspected: list[Path] = []
    real = store_module._inspect

    def counting(path: Path) -> None:
        inspected.append(path)
        real(path)

    monkeypatch.setattr(store_module, "_inspect", counting)
    SqliteSeenStore.check(Settings({"BS_STATE_DIR": str(tmp_path)}))
    assert inspected == [tmp_path / "seen.sqlite3"]
