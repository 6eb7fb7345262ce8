"""Round 21's probes of re-extraction and of what reads its output: `scrapy merge` of feeds written in
UTF-16 or UTF-32, and stores the operating system will not let the run read."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.incremental.exporters import ArticleJsonLinesItemExporter
from tests.e2e import scrapy

# --- scrapy merge of a feed written with FEED_EXPORT_ENCODING=utf-16 ---------------------------------------
# Before: merge read its inputs as bytes and split them at b"\n", which in UTF-16 is one byte of two: every
# line of a UTF-16 feed (a run with FEED_EXPORT_ENCODING=utf-16, which the crawl writes and the README
# lists among the encodings it supports) came out no JSON, and the file was refused as "no JSON lines file
# of articles", nothing merged, exit 1.


def _items(*ids_and_versions: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {"articleId": article, "version": version, "dateDownloaded": "2024-01-01T10:00:00+05:30", "headline": f"रुपया ₹83 {article} v{version}"}
        for article, version in ids_and_versions
    ]


def _feed(items: list[dict[str, Any]], encoding: str) -> bytes:
    """A JSON lines feed as the crawl writes it in ``encoding`` (one BOM at the start, for those that write one)."""
    out = io.BytesIO()
    exporter = ArticleJsonLinesItemExporter(out, encoding=encoding)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig", "utf-8"])
def test_merge_reads_feeds_in_every_unicode_encoding(tmp_path: Path, encoding: str, gzipped: bool) -> None:
    first = _feed(_items(("124010100001", 1), ("124010100002", 2)), encoding)
    second = _feed(_items(("124010100001", 2), ("124010100003", 1)), encoding)
    for name, data in (("a.jsonl", first), ("b.jsonl", second)):
        (tmp_path / (name + ".gz" if gzipped else name)).write_bytes(gzip.compress(data) if gzipped else data)
    suffix = ".gz" if gzipped else ""
    done = scrapy(tmp_path, "merge", "all.jsonl", f"a.jsonl{suffix}", f"b.jsonl{suffix}")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(item["articleId"], item["version"], item["headline"]) for item in merged] == [
        ("124010100001", 2, "रुपया ₹83 124010100001 v2"),
        ("124010100002", 2, "रुपया ₹83 124010100002 v2"),
        ("124010100003", 1, "रुपया ₹83 124010100003 v1"),
    ]
    assert "3 articles from 4 lines in 2 files" in done.stdout and "0 unreadable lines skipped" in done.stdout


@pytest.mark.parametrize("cut", [1, 3], ids=["odd-byte", "mid-character"])
def test_merge_of_a_utf16_feed_a_killed_worker_cut_skips_the_cut_line_only(tmp_path: Path, cut: int) -> None:
    whole = _feed(_items(("124010100001", 1), ("124010100002", 1)), "utf-16")
    (tmp_path / "a.jsonl").write_bytes(whole + _feed(_items(("124010100003", 1)), "utf-16-le")[:-cut])
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert merged == ["124010100001", "124010100002"]
    assert "1 unreadable lines skipped" in done.stdout


def test_merge_still_refuses_a_utf16_file_that_is_no_feed_of_articles(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes("articleId,headline\n124010100001,x\n".encode("utf-16"))
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl")
    assert done.returncode == 1 and "is no JSON lines file of articles" in done.stderr
    assert not (tmp_path / "all.jsonl").exists()
