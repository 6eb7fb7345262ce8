"""Cron-grade runs of the discovery spiders against the loopback site, in subprocesses."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE
from crawler.settings import BS_LATEST_SOURCES
from crawler.incremental.lock import RunLock
from tests.conftest import ROOT
from tests.e2e import FAST, crawl
from tests.loopback.site import LoopbackSite

def ids_on(site: LoopbackSite, *paths: str) -> set[str]:
    """Article ids linked from the given pages, read with a regex (independent of the crawler's parsers)."""
    found: set[str] = set()
    for path in paths:
        with urllib.request.urlopen(site.base_url + path) as response:
            text = response.read().decode()
        found.update(m for m in re.findall(r"-(\d{12})_1\.html", text) if not m.endswith("99901"))
    return found


@pytest.fixture(scope="module")
def site() -> LoopbackSite:  # type: ignore[misc]
    with LoopbackSite(articles=300, seed=7) as running:
        yield running


@pytest.mark.long
def test_latest_is_incremental_and_detects_updates(site: LoopbackSite, tmp_path: Path) -> None:
    settings = {"BS_BASE_URL": site.base_url}
    expected = ids_on(site, *BS_LATEST_SOURCES)
    assert len(expected) > 50

    first = crawl("latest", tmp_path, settings=settings)
    assert first.status == 0, first.log[-3000:]
    assert sorted(first.ids()) == sorted(expected), "every new article exactly once"
    assert {item["version"] for item in first.items} == {1}
    assert "Run summary: new=%d" % len(expected) in first.log
    assert " ERROR: " not in first.log, first.log[-3000:]

    site.reset_counts()
    second = crawl("latest", tmp_path, settings=settings)
    assert second.status == 0, second.log[-3000:]
    assert second.items == []
    assert site.article_requests() == 0, "a run over an unchanged site fetches no article page"

    changed = sorted(expected)[3]
    site.modify(changed)
    third = crawl("latest", tmp_path, settings=settings)
    assert third.status == 0, third.log[-3000:]
    assert [(i["articleId"], i["version"]) for i in third.items] == [(changed, 2)]


def test_archive_emits_exactly_one_week(site: LoopbackSite, tmp_path: Path) -> None:
    newest = max(r.published for r in site.articles).date()
    since = date.fromordinal(newest.toordinal() - 10)
    until = date.fromordinal(since.toordinal() + 6)
    week = {r.article_id for r in site.articles if since <= r.published.date() <= until}
    assert len(week) > 20
    result = crawl("archive", tmp_path, "-a", f"since={since}", "-a", f"until={until}", settings={"BS_BASE_URL": site.base_url})
    assert result.status == 0, result.log[-3000:]
    assert sorted(result.ids()) == sorted(week)


def test_section_walks_pages_and_stops_at_seen(site: LoopbackSite, tmp_path: Path) -> None:
    settings = {"BS_BASE_URL": site.base_url}
    expected = ids_on(site, "/markets/news", "/markets/news/page-2")
    first = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=2", settings=settings)
    assert first.status == 0, first.log[-3000:]
    assert sorted(first.ids()) == sorted(expected)
    site.reset_counts()
    second = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=2", settings=settings)
    assert second.status == 0 and second.items == []
    assert site.counts["/markets/news/page-2"] == 0, "stops at a page whose articles were all seen"
    assert site.article_requests() == 0


def test_overlapping_runs_are_refused(site: LoopbackSite, tmp_path: Path) -> None:
    lock = RunLock(tmp_path / ".state" / "latest.lock")
    assert lock.acquire()
    try:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url}, timeout=60)
    finally:
        lock.release()
    assert result.status == EXIT_LOCKED
    assert "still going" in result.log and result.items == []


def test_a_site_that_blocks_everything_fails_the_run(site: LoopbackSite, tmp_path: Path) -> None:
    site.block_all = True
    try:
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url})
    finally:
        site.block_all = False
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert result.items == []
    assert "block pages" in result.log
    assert "DeprecationWarning" not in result.log  # the run is closed by the API Scrapy 2.19 keeps


def test_wrong_arguments_exit_2_before_any_request(site: LoopbackSite, tmp_path: Path) -> None:
    site.reset_counts()
    for spider, args in (("archive", ("-a", "since=yesterday")), ("section", ("-a", "sections=markets/news", "-a", "pages=-1")),
                         ("article", ("-a", "url_file=/no/such/file"))):
        result = crawl(spider, tmp_path, *args, settings={"BS_BASE_URL": site.base_url}, timeout=60)
        assert result.status == EXIT_USAGE, (spider, result.log[-2000:])
        assert result.log.strip().splitlines()[-1].startswith("error: ")
    assert sum(site.counts.values()) == 0


def test_a_run_that_reaches_no_source_fails(tmp_path: Path) -> None:
    # Nothing listens on port 9, which must not look like "nothing new": its robots.txt is the first thing
    # that cannot be reached, and that closes the run (RFC 9309: fetch nothing then).
    result = crawl("latest", tmp_path, settings={"BS_BASE_URL": "http://127.0.0.1:9", "RETRY_TIMES": "0"}, timeout=120)
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert "robots.txt> could not be reached" in result.log and "exit=1 (robots.txt could not be reached" in result.log


@pytest.mark.long
def test_a_cached_run_still_sees_new_articles_and_fresh_counts_stay_real(site: LoopbackSite, tmp_path: Path) -> None:
    # HTTPCACHE_ENABLED, as the README recommends for re-extraction: only article pages are cached.
    settings = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(tmp_path / "cache")}
    first = crawl("latest", tmp_path, settings=settings)
    assert first.status == 0, first.log[-3000:]
    added = {r.article_id for r in site.add_articles(3)}
    second = crawl("latest", tmp_path, settings=settings)
    assert second.status == 0, second.log[-3000:]
    assert set(second.ids()) == added, "feeds and sitemaps are fetched live, so the new articles are found"
    cached = [re.search(r"'url': '([^']+)'", p.read_text()) for p in (tmp_path / "cache").rglob("meta")]
    urls = [m.group(1) for m in cached if m]
    assert urls and all(re.search(r"-\d{12}_1\.html$", url) for url in urls), "only article pages are cached"
    # fresh=1 emits every article again; every count of the summary is a count of something real.
    third = crawl("latest", tmp_path, "-a", "fresh=1", settings=settings)
    assert third.status == 0, third.log[-3000:]
    assert sorted(third.ids()) == sorted(ids_on(site, *BS_LATEST_SOURCES))
    summary = re.search(r"Run summary: (.*?);", third.log)
    assert summary is not None
    counts = dict(part.split("=") for part in summary.group(1).split())
    assert all(int(value) >= 0 for value in counts.values()), counts
    assert counts["dropped"] == "0" and counts["emitted"] == str(len(third.items))


def test_the_crontab_lines_work_on_a_fresh_machine(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [sys.executable, "-m", "scrapy", "crawl", "latest", "--logfile=logs/latest.log", "-s", "LOG_LEVEL=INFO",
               "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", "RETRY_TIMES=0"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_FAILED, done.stderr[-2000:]  # nothing answers on port 9: exit 1, logged
    assert "Run summary:" in (tmp_path / "logs" / "latest.log").read_text()


def test_latest_and_section_together_on_one_state_dir_emit_each_article_once(site: LoopbackSite, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    common = ["-s", f"BS_BASE_URL={site.base_url}", "-s", "LOG_LEVEL=INFO"]
    for name, value in FAST.items():
        common += ["-s", f"{name}={value}"]

    def gzipped(name: str) -> list[str]:
        # A gzip feed is confirmed when the run ends: each run holds its articles unconfirmed all
        # along, so only the claim keeps the other run from emitting the shared ones too.
        feeds = {f"{name}.jsonl.gz": {"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}}
        return ["-s", "FEEDS=" + json.dumps(feeds)]

    runs = {
        "latest": ["latest", *gzipped("latest")],
        "section": ["section", "-a", "sections=markets/news,companies/news,economy/news", "-a", "pages=3", *gzipped("section")],
    }
    processes = {
        name: subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", *args, *common], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for name, args in runs.items()
    }
    logs = {name: process.communicate(timeout=300)[1] for name, process in processes.items()}
    assert all(p.returncode == 0 for p in processes.values()), {n: log[-2000:] for n, log in logs.items()}
    # A run that emitted nothing (the other one had claimed all it found, as a loaded machine may
    # order them) writes no file: empty feeds are not stored.
    files = [tmp_path / f"{name}.jsonl.gz" for name in runs]
    emitted = [json.loads(line)["articleId"] for file in files if file.exists() for line in gzip.decompress(file.read_bytes()).splitlines()]
    assert any(file.exists() for file in files)
    both = set(ids_on(site, *BS_LATEST_SOURCES)) & set(ids_on(site, "/markets/news", "/companies/news", "/economy/news"))
    assert both, "the two spiders' sources overlap"
    assert len(emitted) == len(set(emitted)), "no article emitted by both runs"
