"""Round-28 review probes of round 27's operations changes, met as a cron user meets them: the receipts/ check's feeds, the kept Retry-After's refusal."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.incremental.sitewait import note_site_wait
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_OK, EXIT_STATE
from tests.conftest import ROOT
from tests.e2e import scrapy
from tests.loopback.site import LoopbackSite
from tests.test_distributed_probes_round24b import _port
from tests.test_operations_probes_round26 import crawl, error_lines, needs_setpriv

ARTICLES = 4
# A user of no account on the machine (setpriv takes numbers), apart from the other rounds' users.
CRON_USER = 16571


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=ARTICLES, seed=28, legacy=0, port=_port()) as running:
        yield running


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder every user can reach (pytest's own are root's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bs-round28-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def receipts_left_by_root(site: LoopbackSite, workdir: Path) -> Path:
    """`sudo scrapy crawl latest -o -:jsonl` once, then the state dir given to the cron user but its empty receipts/."""
    first = crawl(site, workdir, "-o", "-:jsonl")
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    state = workdir / ".state"
    assert (state / "receipts").is_dir() and not any((state / "receipts").iterdir())
    for path in [workdir, state, *state.rglob("*")]:
        if path.name != "receipts":
            os.chown(path, CRON_USER, CRON_USER)
    return state


# --- The receipts/ check and the feeds that keep a receipt --------------------------------------------------
# Round 27 checked receipts/ only for a feed to stdout, a remote store or with postprocessing. What keeps a
# receipt is another list: a local file whose items recovery cannot read back (`fields` that leave the id out,
# UTF-16, a csv of a few columns) keeps one, and a gzipped file does not. The first kind passed the check and
# stopped at its first article, `Cannot write the output file .state/receipts/….jsonl (Permission denied)`, exit
# 6 after the site was asked for every source, as round 26 had it; the second was refused, exit 7, for a folder
# it never writes.

RECEIPT_KEEPING = {
    "fields-without-id": ["-O", "out.jsonl", "-s", "FEED_EXPORT_FIELDS=headline,url"],
    "utf-16": ["-O", "out.jsonl", "-s", "FEED_EXPORT_ENCODING=utf-16"],
    "csv-of-a-few-columns": ["-O", "out.csv", "-s", "FEED_EXPORT_FIELDS=headline"],
}


@needs_setpriv
@pytest.mark.parametrize("feed", sorted(RECEIPT_KEEPING))
def test_a_file_feed_that_keeps_a_receipt_is_refused_before_anything_is_fetched_when_receipts_is_roots(
    site: LoopbackSite, workdir: Path, feed: str
) -> None:
    receipts_left_by_root(site, workdir)
    site.add_articles(1)
    site.reset_counts()
    done = crawl(site, workdir, *RECEIPT_KEEPING[feed], user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_STATE, done.stderr[-3000:]  # (before: exit 6 at the first article)
    assert "Traceback" not in done.stderr and "Cannot write the output file" not in done.stderr, done.stderr[-3000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and ".state/receipts" in lines[0] and "belongs to root" in lines[0], done.stderr[-3000:]
    assert sum(site.counts.values()) == 0, site.counts


@needs_setpriv
def test_a_gzipped_file_feed_keeps_no_receipt_and_is_not_held_back_by_roots_empty_receipts(site: LoopbackSite, workdir: Path) -> None:
    receipts_left_by_root(site, workdir)
    site.add_articles(1)
    gzipped = '{"out.jsonl.gz": {"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}}'
    done = crawl(site, workdir, "-s", f"FEEDS={gzipped}", user=(CRON_USER, CRON_USER))
    assert done.returncode == EXIT_OK, done.stderr[-3000:]  # (before: refused, exit 7)
    assert len(gzip.decompress((workdir / "out.jsonl.gz").read_bytes()).splitlines()) == 1


# --- The refusal of a run the site asked to wait ---------------------------------------------------------------
# A server on UTC (or New York) read "not asked again before 2026-12-05 22:20:38 IST" beside `date` and a log at
# 16:50, and did the sum; `scrapy runs`, which shows a reason's first 70 characters, showed "the site (…) answered
# 429 with Retry-After: 3600 s at 2…", never until when.


def _refused(site: LoopbackSite, workdir: Path, zone: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "TZ": zone}
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not Path("/usr/share/zoneinfo/America/New_York").exists(), reason="needs the system's time zone data")
@pytest.mark.parametrize(("zone", "name"), [("UTC", "UTC"), ("America/New_York", "E[SD]T"), ("Asia/Kolkata", "IST")])
def test_a_run_the_site_asked_to_wait_says_until_when_in_the_machines_time_first(
    site: LoopbackSite, tmp_path: Path, zone: str, name: str
) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(tmp_path / ".state"))
    asked = time.time()
    note_site_wait(settings, f"{site.base_url}/rss/latest.rss", 3600, asked)
    site.reset_counts()
    done = _refused(site, tmp_path, zone)
    assert done.returncode == EXIT_BLOCKED and sum(site.counts.values()) == 0, done.stderr[-3000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1, done.stderr[-3000:]
    until = subprocess.run(["date", "-d", f"@{int(asked + 3600)}", "+%Y-%m-%d %H:%M:%S"], env={"TZ": zone}, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert re.match(rf"error: the site asks for nothing before {until} {name} \(60 min from now\): ", lines[0]), lines[0]
    assert "(remove .state/site-wait.json to ask it anyway)" in lines[0], lines[0]
    shown = scrapy(tmp_path, "runs").stdout.splitlines()[-1]
    assert " blocked " in shown and f"before {until}" in shown, shown


# --- A kept wait that cannot be read ----------------------------------------------------------------------------
# site-wait.json root's alone (a run by hand under umask 077), a folder, cut to nothing, or no JSON object: the run
# went on and asked the site, which may have asked to be left alone for the hour, without a word of the file.

DAMAGED = {"empty": "", "cut": '{"127.0.0.1": {"until": 17', "not-json": "wait\n", "a-list": "[]\n"}


def _kept_wait_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " WARNING: " in line and "site-wait.json" in line]


@pytest.mark.parametrize("damage", [*sorted(DAMAGED), "a-folder"])
def test_a_kept_wait_that_cannot_be_read_is_said_and_the_run_goes_on(site: LoopbackSite, workdir: Path, damage: str) -> None:
    state = workdir / ".state"
    state.mkdir()
    if damage == "a-folder":
        (state / "site-wait.json").mkdir()
    else:
        (state / "site-wait.json").write_text(DAMAGED[damage], encoding="utf-8")
    done = crawl(site, workdir, "-O", "out.jsonl")
    assert done.returncode == EXIT_OK and "Traceback" not in done.stderr, done.stderr[-3000:]
    warned = _kept_wait_warnings(done.stderr)
    assert len(warned) == 1 and "cannot be read" in warned[0] and "not waited for" in warned[0], done.stderr[-3000:]


def _without_reading_all(command: list[str]) -> list[str]:
    """``command`` as the cron user, without round 26's right to read what root alone may (which reads a root's
    0600 file as well as the interpreter under /root)."""
    return ["setpriv", f"--reuid={CRON_USER}", f"--regid={CRON_USER}", "--clear-groups", *command]


def _python_runs_without_reading_all() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    done = subprocess.run(_without_reading_all([sys.executable, "-c", "import scrapy"]), capture_output=True, timeout=60)
    return done.returncode == 0


@pytest.mark.skipif(not _python_runs_without_reading_all(), reason="needs root, setpriv, and an interpreter every user may run")
def test_a_kept_wait_only_root_may_read_is_said_with_whose_it_is(site: LoopbackSite, workdir: Path) -> None:
    first = crawl(site, workdir, "-O", "first.jsonl", user=(CRON_USER, CRON_USER))
    assert first.returncode == EXIT_OK, first.stderr[-3000:]
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_STATE_DIR", str(workdir / ".state"))
    path, _ = note_site_wait(settings, f"{site.base_url}/rss/latest.rss", 3600)
    path.chmod(0o600)  # root's alone
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-O", "out.jsonl"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    done = subprocess.run(_without_reading_all(command), cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_OK and "Traceback" not in done.stderr, done.stderr[-3000:]
    warned = _kept_wait_warnings(done.stderr)
    assert len(warned) == 1 and "cannot be read" in warned[0] and "belongs to root" in warned[0], done.stderr[-3000:]
