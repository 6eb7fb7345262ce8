"""Review of round 25's standard streams, `-O -`, feed checks and Hindi rules, as a cron user meets them."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.extraction import NOT_FOUND, extract
from crawler.extraction.errors import NotAnArticle
from tests.conftest import ROOT
from tests.loopback.site import LoopbackSite
from tests.pages.cases import HINDI_BUDGET, render_hindi

ARTICLES = 6
F_SETPIPE_SZ = 1031  # Linux's fcntl: a pipe's capacity


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=ARTICLES, seed=2511, legacy=0) as running:
        yield running


def cron_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


def crawl_command(site: LoopbackSite, *args: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"BS_BASE_URL={site.base_url}"]


def last_record(workdir: Path) -> dict[str, object]:
    record = json.loads((workdir / ".state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert isinstance(record, dict)
    return record


def _small_nonblocking_pipe() -> tuple[int, int, int]:
    """A pipe whose writing end is non-blocking (as a CI runner or a Node.js parent leaves it) and holds one
    page: a write it cannot take at once is EAGAIN, not a wait. Its reading end, writing end, capacity."""
    reader, writer = os.pipe()
    try:
        fcntl.fcntl(writer, F_SETPIPE_SZ, 4096)
    except OSError:
        pass  # (the capacity stays 64 KiB: the reader below waits for it to fill all the same)
    os.set_blocking(writer, False)
    return reader, writer, int(fcntl.fcntl(writer, 1032))  # F_GETPIPE_SZ


def _slow_reader(reader: int, run: subprocess.Popen[bytes], into: bytearray) -> threading.Thread:
    """Reads nothing while the run writes into the pipe, then everything: a reader that is slow, not gone.

    It starts once the pipe has held the same bytes for a second (the run waiting for room, or between
    pages) or the run ended; on a slow machine it may start early, and the run must work all the same."""

    def read() -> None:
        waiting, held, since = bytearray(4), -1, time.monotonic()
        while run.poll() is None:
            fcntl.ioctl(reader, termios.FIONREAD, waiting)
            now = int.from_bytes(waiting, sys.byteorder)
            if now != held:
                held, since = now, time.monotonic()
            elif now and time.monotonic() - since >= 1:
                break
            time.sleep(0.02)
        while chunk := os.read(reader, 65536):
            into.extend(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _finish(run: subprocess.Popen[bytes], thread: threading.Thread) -> int:
    try:
        status = run.wait(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    thread.join(60)
    return status


# --- A standard stream that is a non-blocking pipe with a slow reader --------------------------------------
# A CI runner, a Docker log driver or a Node.js parent can hand a job a stdout or stderr with O_NONBLOCK set:
# a write the pipe cannot take at once is EAGAIN (BlockingIOError), not a wait. Round 25's streams took it for
# a reader gone: `-O -` stopped at the first full pipe, exit 6, the reader alive and holding part of an
# article's line; a full stderr went to /dev/null for the rest of the run, the run's summary line with it.


@pytest.mark.parametrize("extra", [(), ("-s", "LOG_STDOUT=True")], ids=["plain", "log-stdout"])
def test_items_to_a_slow_reader_on_a_non_blocking_pipe_all_arrive(site: LoopbackSite, tmp_path: Path, extra: tuple[str, ...]) -> None:
    reader, writer, capacity = _small_nonblocking_pipe()
    got = bytearray()
    try:
        with open(tmp_path / "log", "wb") as log:
            run = subprocess.Popen(crawl_command(site, "latest", "-O", "-", *extra), cwd=tmp_path, env=cron_env(tmp_path),
                                   stdout=writer, stderr=log)
            os.close(writer)
            status = _finish(run, _slow_reader(reader, run, got))
    finally:
        os.close(reader)
    text = (tmp_path / "log").read_text(encoding="utf-8", errors="replace")
    assert status == 0, text[-2000:]
    lines = got.decode("utf-8").splitlines()
    assert len(got) > capacity and got.endswith(b"\n"), len(got)
    written = [json.loads(line)["articleId"] for line in lines]
    assert len(written) == len(set(written)) == ARTICLES
    assert last_record(tmp_path)["status"] == 0


def test_a_log_to_a_slow_reader_on_a_non_blocking_pipe_keeps_its_summary(site: LoopbackSite, tmp_path: Path) -> None:
    reader, writer, capacity = _small_nonblocking_pipe()
    got = bytearray()
    try:
        run = subprocess.Popen(crawl_command(site, "latest", "-O", "out.jsonl", "-L", "DEBUG"), cwd=tmp_path,
                               env=cron_env(tmp_path), stdout=subprocess.DEVNULL, stderr=writer)
        os.close(writer)
        status = _finish(run, _slow_reader(reader, run, got))
    finally:
        os.close(reader)
    text = got.decode("utf-8", errors="replace")
    assert status == 0, text[-2000:]
    assert len(got) > capacity
    assert "Run summary:" in text, text[-2000:]


# --- The Hindi edition's story template with no headline ----------------------------------------------
# Round 25 took a Hindi page titled with the site's name alone and no headline for the template the site
# answers for a story it does not have: a 404, the story remembered as gone and, answered so twice, not
# failed nor asked for a day at a time, the run exit 0. A story whose headline alone did not come (its
# body all there: a CMS's empty headline field, a template that failed to fill it) was taken for one too.


def _hindi_page(**changes: object) -> str:
    return render_hindi(replace(HINDI_BUDGET, **changes))  # type: ignore[arg-type]


HINDI_URL = "https://hindi.business-standard.com/storypage.php?autono=123456"


def test_a_hindi_story_with_its_body_but_no_headline_is_no_page_not_found() -> None:
    with pytest.raises(NotAnArticle) as raised:
        extract(_hindi_page(headline=""), HINDI_URL)
    assert raised.value.reason == "no-headline", raised.value


@pytest.mark.parametrize("title", ["बिजनेस स्टैंडर्ड - ", "पेज नहीं मिला | बिजनेस स्टैंडर्ड"], ids=["site-name", "not-found"])
def test_the_hindi_story_template_with_nothing_in_it_is_still_a_page_not_found(title: str) -> None:
    html = _hindi_page(headline="", paragraphs=[], keywords=[], author="", city="")
    html = re.sub(r"<title>.*?</title>", f"<title>{title}</title>", html, count=1, flags=re.S)
    with pytest.raises(NotAnArticle) as raised:
        extract(html, HINDI_URL)
    assert raised.value.reason == NOT_FOUND, raised.value
