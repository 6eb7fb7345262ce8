"""Progress of long runs: log lines at an interval in logs, one updating tqdm line on a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.monitoring.progress import Progress, archive_months
from tests.conftest import ROOT
from tests.e2e import FAST, crawl
from tests.loopback.site import LoopbackSite


def test_archive_line_with_months_rate_and_eta() -> None:
    progress = Progress("archive", months_total=4)
    progress.months_done.update({(2026, 1)})
    stats = {stat.DISCOVERY_NEW: 100, stat.DISCOVERY_SOURCES_READ: 2, "downloader/response_count": 52, "item_scraped_count": 48}
    line = progress.line(stats, elapsed=60.0)
    assert line == "months 1/4 done, found 100, fetched 50, emitted 48 (48/min), elapsed 1m00s, ETA 7m00s"


def test_reextract_line_and_archive_months() -> None:
    line = Progress("reextract", None).line({stat.REEXTRACT_RECORDS: 3000, "item_scraped_count": 2400}, elapsed=30.0)
    assert line == "records 3000, items 2400 (100 records/s, 4800 items/min), elapsed 0m30s"
    assert archive_months({"since": "2025-11-20", "until": "2026-02-01"}) == 4
    assert archive_months({"since": "not a date"}) is None


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=600, seed=5, days=120, sitemap_page_size=50) as running:
        yield running


def _range(site: LoopbackSite) -> tuple[date, date]:
    newest = max(r.published for r in site.articles).date()
    return date.fromordinal(newest.toordinal() - 100), newest


def test_progress_lines_in_a_log(site: LoopbackSite, tmp_path: Path) -> None:
    since, until = _range(site)
    months = archive_months({"since": str(since), "until": str(until)})
    result = crawl(
        "archive", tmp_path, "-a", f"since={since}", "-a", f"until={until}",
        settings={"BS_BASE_URL": site.base_url, "BS_PROGRESS_INTERVAL": "0.2", "CONCURRENT_REQUESTS": "2"},
    )
    assert result.status == 0, result.log[-3000:]
    lines = re.findall(r"Progress \(archive\): (.*)", result.log)
    assert lines, result.log[-3000:]
    assert all(re.match(rf"months \d+/{months} done, found \d+, fetched \d+, emitted \d+ \(\d+/min\), elapsed \d+m\d\ds", line) for line in lines), lines
    assert "\r" not in result.log, "no terminal line in a log"


@pytest.mark.long
def test_one_updating_line_on_a_terminal(site: LoopbackSite, tmp_path: Path) -> None:
    since, until = _range(site)
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", f"since={since}", "-a", f"until={until}",
               "-O", str(tmp_path / "out.jsonl"), "-s", f"BS_BASE_URL={site.base_url}", "-s", "CONCURRENT_REQUESTS=2"]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "COLUMNS": "200"}
    primary, secondary = pty.openpty()
    # A new pseudo-terminal is 0×0; a real one has a size (tqdm draws nothing in 0 columns).
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = subprocess.run(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=secondary, timeout=300)
    finally:
        os.close(secondary)
        reader.join(timeout=10)
        os.close(primary)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0, text[-3000:]
    assert "Progress (archive)" not in text, "the bar replaces the log lines"
    months = archive_months({"since": str(since), "until": str(until)})
    assert re.search(rf"\rarchive: 100%\|.*\| {months}/{months} ", text), text[-3000:]
    assert re.search(r"found \d+, fetched \d+, emitted [1-9]\d*", text)
