"""Incremental runs and their output, round 12 reviewed: the check before a run on the feed URIs
users give, and a run appending to a file whose last line has no line break."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrapy.extensions.feedexport import FileFeedStorage

from crawler.incremental.feedstorage import unwritable_feeds
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from collections.abc import Iterator

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=7, days=5, legacy=0) as running:
        yield running


def archive(site: LoopbackSite, workdir: Path, *arguments: str, **settings: str) -> tuple[int, str]:
    """One ``archive`` run in ``workdir`` (its state dir shared by the runs there): status and log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    values = {**FAST, "CONCURRENT_REQUESTS": "1", "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", **settings}
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, cwd=workdir, env=ENV, capture_output=True, timeout=300)
    return done.returncode, done.stderr.decode(errors="replace")


# --- appending to a file whose last line has no line break ----------------------------------


@pytest.mark.parametrize("name", ["all.jsonl", "all.csv"])
def test_a_run_that_appends_nothing_leaves_a_file_without_a_final_line_break_as_it_is(
    site: LoopbackSite, tmp_path: Path, name: str
) -> None:
    """The line break went in as the feed opened, not before the run's first item: a cron run with
    nothing new (or one that stops before emitting, exit 7) wrote into a file that was not its own,
    whose last line another program may still be writing."""
    out = tmp_path / name
    status, log = archive(site, tmp_path, "-o", str(out))
    assert status == 0, log[-3000:]
    out.write_bytes(out.read_bytes().rstrip(b"\r\n") + b',"partial')
    before = out.read_bytes()
    status, log = archive(site, tmp_path, "-o", str(out))  # every article seen: nothing to append
    assert status == 0, log[-3000:]
    assert out.read_bytes() == before
    assert "did not end with a line break" not in log


# --- the file the check before a run looks at -----------------------------------------------


def made_folders(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_dir()}


@pytest.mark.parametrize(
    "uri",
    [
        "file:{d}/one-slash/a.jsonl",
        "file://{d}/two-slashes/a.jsonl",
        "file://localhost{d}/local/a.jsonl",
        "file:relative/a.jsonl",
        "{d}/plain/a.jsonl",
        "relative-%(name)s/%(batch_id)05d.jsonl",
    ],
)
def test_the_check_before_a_run_looks_at_the_file_the_installed_scrapy_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uri: str
) -> None:
    """Scrapy before 2.19 reads only ``file://`` URIs as URIs: ``file:/srv/a.jsonl`` is the relative
    path ``file:/srv/a.jsonl`` there. The check read every ``file:`` as a URI, and so looked at (and
    made the folder of) another file than the one the run writes, refusing or passing on the wrong one."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    concrete = uri.format(d=tmp_path)
    assert unwritable_feeds({concrete: {"format": "jsonlines"}}, "latest", batch_item_count=0) == []
    written = (work / FileFeedStorage(concrete.replace("%(name)s", "latest").replace("%(batch_id)05d", "00001")).path).parent
    assert made_folders(tmp_path) == {work, *(folder for folder in [written, *written.parents] if tmp_path in folder.parents)}
