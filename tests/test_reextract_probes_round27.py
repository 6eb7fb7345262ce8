"""Round 27's probes of re-extraction and `scrapy merge`: last month's stored pages read with this round's rules, merged into the old feed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.extraction.normalize import iso_ist
from tests.e2e import scrapy
from tests.test_reextract import SEED_PAGE, SEED_URL
from tests.test_reextract_probes_round11 import reextract_run
from tests.test_review_round27_extraction import HEADLINE, LOGO, URL as MICRODATA_URL, _microdata_story

# --- merging a re-extraction into the feed it reads again ------------------------------------------------
# Before: `scrapy merge` ranked a line by its `version` first, and `reextract` (as `article`) writes none: a
# re-extraction of last month's pages with this round's rules lost to every line of the old feed, topics split
# or body cleaned as they were, and the summary said only "N duplicates dropped". Only the articles the old
# rules read none of came through.

OLD_ID, NEW_ID, UPDATED_ID = "124010100001", "124010100002", "124010100003"


def _lines(path: Path, *items: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")


def _merge(tmp_path: Path, *names: str) -> tuple[dict[str, dict[str, Any]], str]:
    done = scrapy(tmp_path, "merge", "all.jsonl", *names)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    items = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({item["articleId"] for item in items}) == len(items)
    return {item["articleId"]: item for item in items}, done.stdout


def _old_and_reread(tmp_path: Path) -> None:
    _lines(
        tmp_path / "old.jsonl",
        # The crawl dated its item as its callback read the page, seconds after the store dated the answer.
        {"articleId": OLD_ID, "topics": ["Rupee, Dollar"], "version": 2, "dateDownloaded": "2026-11-03T10:00:07+05:30"},
        # Fetched again after the store the re-extraction reads was made: its newer text wins.
        {"articleId": UPDATED_ID, "topics": ["Gold"], "version": 3, "dateDownloaded": "2026-11-20T10:00:00+05:30"},
    )
    _lines(
        tmp_path / "reread.jsonl",
        # The same fetch (the store's time, 04:30 UTC) read with the new rules.
        {"articleId": OLD_ID, "topics": ["Rupee", "Dollar"], "version": None, "dateDownloaded": "2026-11-03T04:30:00+00:00"},
        {"articleId": NEW_ID, "topics": ["Markets"], "version": None, "dateDownloaded": "2026-11-04T10:00:00+05:30"},
        {"articleId": UPDATED_ID, "topics": ["Gold", "Silver"], "version": None, "dateDownloaded": "2026-11-05T10:00:00+05:30"},
    )


def test_merge_takes_a_reextraction_of_a_fetch_over_the_old_feeds_line_of_it_in_either_order(tmp_path: Path) -> None:
    _old_and_reread(tmp_path)
    for order in (("old.jsonl", "reread.jsonl"), ("reread.jsonl", "old.jsonl")):
        merged, stdout = _merge(tmp_path, *order)
        assert merged[OLD_ID]["topics"] == ["Rupee", "Dollar"], order
        assert merged[NEW_ID]["topics"] == ["Markets"]
        assert merged[UPDATED_ID]["topics"] == ["Gold"]  # a later fetch still wins over an earlier one re-read
        assert "3 articles from 5 lines" in stdout
        assert "1 replaced by a later reading of the same fetch or a later fetch without a version (1 changed)" in stdout, stdout


def test_merge_says_a_reextraction_that_changed_nothing_changed_nothing(tmp_path: Path) -> None:
    line = {"articleId": OLD_ID, "topics": ["Rupee"], "headline": "Rupee falls", "dateDownloaded": "2026-11-03T10:00:00+05:30"}
    _lines(tmp_path / "old.jsonl", {**line, "version": 1})
    _lines(tmp_path / "reread.jsonl", {**line, "version": None})
    merged, stdout = _merge(tmp_path, "old.jsonl", "reread.jsonl")
    assert merged[OLD_ID]["version"] is None
    assert "1 replaced by a later reading of the same fetch or a later fetch without a version (0 changed)" in stdout, stdout


def test_merge_of_crawl_lines_alone_still_ranks_by_version_then_download(tmp_path: Path) -> None:
    # Two workers whose clocks disagree: the higher version wins, whatever its time, as before.
    _lines(tmp_path / "a.jsonl", {"articleId": OLD_ID, "headline": "v2", "version": 2, "dateDownloaded": "2026-11-03T10:00:00+05:30"})
    _lines(tmp_path / "b.jsonl", {"articleId": OLD_ID, "headline": "v1", "version": 1, "dateDownloaded": "2026-11-04T10:00:00+05:30"})
    merged, stdout = _merge(tmp_path, "a.jsonl", "b.jsonl")
    assert merged[OLD_ID]["headline"] == "v2"
    assert "replaced" not in stdout


# --- end to end: a WARC of last month re-extracted, merged into last month's feed -----------------------

STORED_AT = datetime(2026, 11, 3, 4, 30, tzinfo=timezone.utc)


def _warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    with open(path, "wb") as file:
        writer = WARCWriter(file, gzip=True)
        for url, body in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http)
            record.rec_headers.replace_header("WARC-Date", "2026-11-03T04:30:00Z")
            writer.write_record(record)


def test_a_warc_reextracted_with_new_rules_merges_into_the_old_feed_once_each_the_new_reading_kept(tmp_path: Path) -> None:
    microdata = f'<!DOCTYPE html><html lang="en"><head><link rel="canonical" href="{MICRODATA_URL}"></head><body>{LOGO}{_microdata_story("h1")}</body></html>'
    _warc(tmp_path / "last-month.warc.gz", [(SEED_URL, SEED_PAGE.read_bytes()), (MICRODATA_URL, microdata.encode())])
    status, items, _, log = reextract_run(tmp_path / "last-month.warc.gz", tmp_path)
    assert status == 0, log[-3000:]
    by_id = {item["articleId"]: item for item in items}
    assert len(items) == len(by_id) == 2
    seed_id = next(i for i in by_id if by_id[i]["url"] == SEED_URL)
    microdata_id = next(i for i in by_id if i != seed_id)
    assert by_id[microdata_id]["headline"] == HEADLINE and by_id[microdata_id]["layout"] == "generic"
    # Dated by the store, not by the re-extraction: the old feed's line of that fetch bears the same time.
    assert {item["dateDownloaded"] for item in items} == {iso_ist(STORED_AT)}
    # The old feed: the seed story as the old rules read it (one topic of two run together), the microdata story missing.
    old = {**by_id[seed_id], "topics": [", ".join(by_id[seed_id]["topics"] or ["Old"])], "articleBody": "Old body", "version": 1}
    # Dated by the crawl as it read the page, the same second as the store or a few after it.
    for seconds in (0, 5, 59):
        _lines(tmp_path / "old.jsonl", {**old, "dateDownloaded": iso_ist(STORED_AT + timedelta(seconds=seconds))})

        merged, stdout = _merge(tmp_path, "old.jsonl", "out.jsonl")

        assert merged == {seed_id: by_id[seed_id], microdata_id: by_id[microdata_id]}, seconds
        assert list(merged[seed_id]) == list(by_id[seed_id])  # the feed's field order, as reextract wrote it
        assert "1 replaced by a later reading of the same fetch or a later fetch without a version (1 changed)" in stdout, stdout
    # A fetch of the story by a later run (cron's next, minutes after) is newer than the page read again.
    _lines(tmp_path / "old.jsonl", {**old, "dateDownloaded": iso_ist(STORED_AT + timedelta(minutes=5))})
    merged, stdout = _merge(tmp_path, "old.jsonl", "out.jsonl")
    assert merged[seed_id]["articleBody"] == "Old body" and "replaced" not in stdout
