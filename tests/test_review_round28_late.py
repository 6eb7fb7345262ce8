"""Round 28 late review probes: site-wait.json's lock where flock fails or another process holds it."""

from __future__ import annotations

import errno
import fcntl
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.incremental.sitewait import SITE_WAIT_FILE, SITE_WAIT_LOCK, note_site_wait, other_hosts_waits, site_wait_problem

HINDI = "https://hindi.business-standard.com//storypage.php?autono=1"
SITE = "https://www.business-standard.com"


def _settings(state: Path) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(state))
    settings.set("BS_BASE_URL", SITE)
    return settings


# --- a state dir whose file system takes no flock -------------------------------------------------------------
# Round 28 keeps site-wait.json under a flock. On a state dir where flock fails (NFS without its lock daemon:
# ENOLCK; some FUSE, SMB and 9p mounts: EOPNOTSUPP, ENOSYS, EINVAL; an NFS lock server that wants the file
# open for writing: EBADF), the OSError reached the extension: 'could not be kept … they will ask it again',
# and each cron run asked again a host that had asked for an hour's rest (before round 28 the wait was kept).


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, errno.EBADF])
def test_a_wait_is_kept_where_the_file_system_takes_no_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture, code: int) -> None:
    def refused(*_: Any) -> None:
        raise OSError(code, "flock refused")

    monkeypatch.setattr(fcntl, "flock", refused)
    settings = _settings(tmp_path / ".state")
    now = time.time()
    note_site_wait(settings, f"{SITE}/rss/latest.rss", 3600, now)
    note_site_wait(settings, HINDI, 3600, now)
    kept = json.loads((tmp_path / ".state" / SITE_WAIT_FILE).read_text(encoding="utf-8"))
    assert sorted(kept) == ["hindi.business-standard.com", "www.business-standard.com"], kept
    assert site_wait_problem(settings, now + 60) is not None
    assert list(other_hosts_waits(settings, now + 60)) == ["hindi.business-standard.com"]
    said = [r.getMessage() for r in caplog.records if SITE_WAIT_LOCK in r.getMessage()]
    assert len(said) == 2 and "kept without it" in said[0], said


# --- a lock another process holds and does not let go ---------------------------------------------------------
# A run keeps its wait in the reactor's thread: while another process held the lock (one stopped with Ctrl-Z
# or SIGSTOP mid-write, an NFS client that died holding it), the run hung there for ever, no line, its own
# lock kept, every later cron run refused as 'another run holds the lock'.


def test_a_lock_held_elsewhere_delays_keeping_a_wait_a_few_seconds_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / ".state"
    state.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         f"fd = os.open({str(state / SITE_WAIT_LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = threading.Event()
        errors: list[BaseException] = []

        def keep() -> None:
            try:
                note_site_wait(_settings(state), HINDI, 3600)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            done.set()

        threading.Thread(target=keep, daemon=True).start()
        # (Generous: what is asked is that it ends at all, not how fast.)
        assert done.wait(120), "keeping the wait waited for ever for the lock another process holds"
        assert not errors, errors
        kept = json.loads((state / SITE_WAIT_FILE).read_text(encoding="utf-8"))
        assert list(kept) == ["hindi.business-standard.com"], kept
        said = [r.getMessage() for r in caplog.records if SITE_WAIT_LOCK in r.getMessage()]
        assert len(said) == 1 and "held" in said[0], said
    finally:
        holder.kill()
        holder.wait()
