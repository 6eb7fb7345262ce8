"""Re-extraction's round-11 stores, probed further: AMP copies a full disk refuses, stored bodies decoded
whatever the compression settings, zstd bodies cut short, cache entries a killed crawl was storing again,
and what the HTTP cache keeps of the Hindi edition."""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from warcio.warcwriter import WARCWriter

from crawler.incremental.cachepolicy import ArticlesOnlyPolicy
from crawler.middlewares import stream_ended
from crawler.reextract.sources import BROKEN, SkippedRecord, StoredResponse, iter_records
from tests.test_reextract import ROOT, SEED_PAGE, SEED_URL, html_response, store_in_cache
from tests.test_reextract_probes_round11 import AMP_PAGE, AMP_URL, OTHER_PAGE, other_url, reextract_run, response_record



def zstd_module() -> Any:
    """The zstd module Scrapy 2.14+ decodes with (2.13 decodes zstd only with zstandard installed)."""
    return pytest.importorskip("backports.zstd", reason="Scrapy 2.14+ decodes zstd with backports.zstd")


# --- AMP copies set aside ---------------------------------------------------------------------------


def test_amp_copies_the_disk_refuses_are_read_in_the_sources_order_not_lost(tmp_path: Path) -> None:
    # A full temporary disk (here: a file-size limit) ended the run at the second AMP copy with a
    # traceback, "start_error", and every article after it, and the first one set aside, lost.
    path = tmp_path / "amp.warc"
    ids = [f"12402280087{index}" for index in range(3, 7)]
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        for article in ids[:3]:
            response_record(writer, AMP_URL.replace("124022800873", article), AMP_PAGE.read_bytes(), [])
        response_record(writer, SEED_URL.replace("124022800873", ids[3]), SEED_PAGE.read_bytes(), [])
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings", PYTHONPATH=str(ROOT))
    limit = len(AMP_PAGE.read_bytes()) * 3 // 2  # one copy fits, two do not; the feed goes to stdout

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "reextract", "-a", f"source={path}", "-o", "-:jsonlines", "-s", "LOG_FILE_APPEND=0"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, preexec_fn=limit_files,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    items = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert sorted(item["articleId"] for item in items) == ids
    assert result.stderr.count("Cannot set AMP copies aside in the temporary directory") == 1
    assert result.returncode == 0, result.stderr[-2000:]


# --- stored bodies and their Content-Encoding -----------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    ["COMPRESSION_ENABLED=0", 'DOWNLOADER_MIDDLEWARES={"crawler.middlewares.WholeStreamHttpCompressionMiddleware": null}'],
    ids=["compression-off", "middleware-off"],
)
def test_stored_bodies_are_decoded_whatever_the_compression_settings(tmp_path: Path, option: str) -> None:
    # A live crawl with compression off asks for none; a store holds bodies as they were sent. With it
    # off, every encoded page was "unknown-layout" and the run exit 5, "a redesign?"; with the
    # project's middleware off, Scrapy's read a cut stream as the whole page.
    path = tmp_path / "crawl.warc"
    packed = gzip.compress(SEED_PAGE.read_bytes())
    cut = gzip.compress(OTHER_PAGE.read_bytes())[:-200]
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        response_record(writer, SEED_URL, packed, [("Content-Encoding", "gzip")])
        response_record(writer, other_url(), cut, [("Content-Encoding", "gzip")])
    status, items, stats, log = reextract_run(path, tmp_path, "-s", option)
    assert [item["articleId"] for item in items] == ["124022800873"]
    assert stats["bs/failed/data-loss"] == 1 and "bs/skipped/unknown-layout" not in stats, log[-2000:]


def test_a_zstd_body_cut_short_is_no_whole_page(tmp_path: Path) -> None:
    # Scrapy decodes as much of a zstd stream as there is, silently: a page stored cut short (a cache
    # entry, a WARC record, a CDN's copy) was read as the page, the README promising a failed page.
    zstd = zstd_module()
    body = SEED_PAGE.read_bytes()
    packed = zstd.compress(body)
    assert stream_ended(packed, b"zstd") and stream_ended(packed + zstd.compress(b"<!-- -->"), b"zstd")
    assert not stream_ended(packed[:-50], b"zstd") and not stream_ended(packed + zstd.compress(b"<!-- -->")[:-3], b"zstd")
    path = tmp_path / "cut.warc"
    with open(path, "wb") as stream:
        response_record(WARCWriter(stream, gzip=False), SEED_URL, packed[: len(packed) * 9 // 10], [("Content-Encoding", "zstd")])
    status, items, stats, log = reextract_run(path, tmp_path)
    assert items == [] and stats["bs/failed/data-loss"] == 1, log[-2000:]


# --- what the HTTP cache keeps ------------------------------------------------------------------------


def test_the_cache_keeps_no_hindi_videos_galleries_or_web_stories() -> None:
    # Kept for their id alone: the English site's (same paths, same ids) were never stored.
    policy = ArticlesOnlyPolicy(get_crawler(Spider, {}).settings)
    host = "https://hindi.business-standard.com"
    for path in ("/video-gallery/budget-124010100123_1.html", "/photo-gallery/budget-124010100123_1.html",
                 "/webstories/budget-124010100123_1.html", "/markets/live-market/budget-124010100123_1.html"):  # fmt: skip
        assert not policy.should_cache_request(Request(host + path)), path
    for path in ("/storypage.php?autono=166607", "/article-amp/markets/section_markets-166607_1.html", "/markets/news/budget-124010100123_1.html"):
        assert policy.should_cache_request(Request(host + path)), path


# --- Scrapy's HTTP cache ----------------------------------------------------------------------------


def test_a_cache_entry_a_killed_crawl_was_storing_again_is_broken(tmp_path: Path) -> None:
    # The cache stores a changed page over its entry; killed while writing the body, the entry keeps the
    # request's files of the earlier store, and its cut body (no Content-Length, not packed) read whole.
    body = SEED_PAGE.read_bytes()
    entry = store_in_cache(tmp_path / "cache", html_response(SEED_URL, body))
    day_ago = time.time() - 86400
    for name in ("request_headers", "request_body"):
        os.utime(entry / name, (day_ago, day_ago))
    (entry / "response_body").write_bytes(body[: len(body) // 2])
    (record,) = iter_records(tmp_path / "cache")
    assert isinstance(record, SkippedRecord) and record.reason == BROKEN and "stored again, not to the end" in record.detail
    # Copied without its file times (cp -r): the entry's files in any order, moments apart, are whole.
    whole = store_in_cache(tmp_path / "copy", html_response(SEED_URL, body))
    os.utime(whole / "request_headers", (time.time() - 5, time.time() - 5))
    (record,) = iter_records(tmp_path / "copy")
    assert isinstance(record, StoredResponse) and record.body == body


def test_a_stored_page_of_a_long_url_is_read_not_dropped_in_silence(tmp_path: Path) -> None:
    # Scrapy's URLLENGTH_LIMIT (2083) dropped the request standing for it, no errback: the article lost
    # with exit 0 "ok", and the AMP copies waiting for it 120 s.
    path = tmp_path / "long.warc"
    long_url = SEED_URL + "?utm_source=" + "x" * 2100
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=False)
        response_record(writer, long_url, SEED_PAGE.read_bytes(), [])
        response_record(writer, AMP_URL.replace("124022800873", "124022800874"), AMP_PAGE.read_bytes(), [])
    started = time.monotonic()
    status, items, stats, log = reextract_run(path, tmp_path)
    assert sorted(item["articleId"] for item in items) == ["124022800873", "124022800874"], log[-2000:]
    assert "urllength/request_ignored_count" not in stats and time.monotonic() - started < 60 and status == 0
