"""A standard stream closed when a command starts is still known closed after the project's modules are imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Closes the descriptor, imports the commands' package (as Scrapy does first), then every module of the
# project, as a command's run may: SQLite puts /dev/null on a closed descriptor 0-2 as it starts, and
# Twisted's reactor takes one for its waker. The check of the streams must still say it was closed.
PROBE = r"""
import importlib, os, pkgutil, sys
fd = int(sys.argv[1])
os.close(fd)
import crawler.commands
import crawler
for info in pkgutil.walk_packages(crawler.__path__, "crawler."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
from crawler.stdio import guard_standard_streams
closed = guard_standard_streams()
os.write(2 if fd != 2 else 1, repr(sorted(closed)).encode())
"""


@pytest.mark.parametrize("fd", [0, 1, 2])
def test_a_stream_closed_at_start_is_known_closed_after_every_module_is_imported(fd: int) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(fd)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    told = done.stdout if fd == 2 else done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
    assert told.strip().endswith(f"[{fd}]"), told[-2000:]
