"""Rows a run appends to a CSV file of earlier runs go in that file's columns."""

from __future__ import annotations

import csv
import gzip
import io
import logging
from pathlib import Path

import pytest

from crawler.incremental.exporters import ArticleCsvItemExporter
from tests.test_item_serialisation import _odd_article


class AppendedFile(io.BytesIO):
    """What the feed storage hands the exporter when it appends to a file earlier runs wrote."""

    continues_earlier = True

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


def append_rows(path: Path, **options: object) -> list[dict[str, str]]:
    """Export one article after the file's rows; the whole file, as a CSV reader reads it."""
    target = AppendedFile(path)
    exporter = ArticleCsvItemExporter(target, **options)
    exporter.start_exporting()
    exporter.export_item(_odd_article())
    exporter.finish_exporting()
    earlier = path.read_bytes()
    text = (gzip.decompress(earlier) if earlier[:2] == b"\x1f\x8b" else earlier).decode("utf-8") + target.getvalue().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_rows_appended_under_an_earlier_versions_header_go_in_its_columns(tmp_path: Path, gzipped: bool, caplog: pytest.LogCaptureFixture) -> None:
    # The file an earlier version of the crawler (or other `fields`) began: fewer columns, in
    # another order. Written in the item's own order, every value landed under another's name.
    earlier = "articleId,version,url,headline\r\n124010100009,1,https://www.business-standard.com/z-124010100009_1.html,Earlier\r\n"
    path = tmp_path / "all.csv"
    path.write_bytes(gzip.compress(earlier.encode()) if gzipped else earlier.encode())
    with caplog.at_level(logging.WARNING):
        rows = append_rows(path)
    assert [set(row) for row in rows] == [{"articleId", "version", "url", "headline"}] * 2
    assert rows[1]["articleId"] == "124010100001" and rows[1]["version"] == "3"
    assert rows[1]["url"] == "https://www.business-standard.com/markets/news/x-124010100001_1.html"
    assert rows[1]["headline"].startswith('Sensex "jumps" 1.5%')
    assert "articleBody" in caplog.text and str(path) in caplog.text  # what is left out is said


def test_rows_appended_under_the_same_header_say_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = AppendedFile(tmp_path / "none.csv")
    fresh.continues_earlier = False
    exporter = ArticleCsvItemExporter(fresh)
    exporter.start_exporting()
    exporter.export_item(_odd_article())
    path = tmp_path / "all.csv"
    path.write_bytes(fresh.getvalue())
    with caplog.at_level(logging.WARNING):
        rows = append_rows(path)
    assert len(rows) == 2 and rows[0] == rows[1] and caplog.text == ""


def test_rows_of_a_feed_that_renames_its_columns_go_under_the_renamed_columns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # FEEDS {"all.csv": {"fields": {"articleId": "id", "headline": "title"}}}: the header holds the names.
    path = tmp_path / "all.csv"
    path.write_bytes(b"id,title\r\n124010100009,Earlier\r\n")
    with caplog.at_level(logging.WARNING):
        rows = append_rows(path, fields_to_export={"articleId": "id", "headline": "title"})
    assert rows[1]["id"] == "124010100001" and rows[1]["title"].startswith('Sensex "jumps"')
    assert caplog.text == ""
