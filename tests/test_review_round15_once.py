"""Every article, once, over days of runs: an edge's copy told from the site's own dating, and merge's
ranking of versions written by other tools."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction.normalize import IST
from tests.pages.specs import SEED
from tests.test_once_probes_round15 import SEED_PAGE, Runs, answered, edited, merged, seen_again
from tests.test_once_probes_round15 import runs  # noqa: F401 (fixture)

# --- a sitemap date later than the page's dateModified by design ----------------------------------------


def _dates(hours_ago: float) -> tuple[str, str]:
    """A page's dateModified ``hours_ago`` and the sitemap date two minutes after it (the site's
    sitemap dates a story by when it was written out, a little after the page's own date)."""
    modified = (datetime.now(IST) - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
    return modified.isoformat(), (modified + timedelta(minutes=2)).isoformat()


@pytest.mark.parametrize("header", ["page's date", "none"])
def test_a_new_story_whose_sitemap_date_is_after_its_page_date_is_fetched_once(runs: Runs, header: str) -> None:
    # No version was emitted before: the page can be no edge's copy of it. Its sitemap date not stored,
    # each later run compared that date with the page's own dateModified, found it newer, and fetched
    # the story again (for ever when the answer's Last-Modified is the page's date, as an origin sends it).
    modified, listed = _dates(0.5)
    html = SEED_PAGE.replace("2024-02-28T15:42:00+05:30", modified)
    (first,) = runs.run(answered(html, listed, modified if header == "page's date" else None))
    assert first.version == 1
    assert not seen_again(runs, listed), "a run with no change fetches the story again"


def test_an_update_whose_sitemap_date_is_after_its_page_date_is_not_fetched_again(runs: Runs) -> None:
    # The page is a new version (emitted), not an edge's copy of the one emitted before: the update's
    # sitemap date, a little after its dateModified, is the date to store.
    was, first_listed = _dates(5)
    modified, listed = _dates(0.5)
    html = SEED_PAGE.replace("2024-02-28T15:42:00+05:30", was)
    runs.run(answered(html, first_listed, was))
    (second,) = runs.run(answered(edited(html, modified, was), listed, modified))
    assert (second.version, second.dateModified) == (2, modified)
    assert not seen_again(runs, listed), "a run with no change fetches the update again"


# --- merge: versions written by other tools -------------------------------------------------------------


@pytest.mark.parametrize("written", ["3.0", " 3.00 "])
def test_merge_ranks_a_whole_float_written_as_text_as_its_number(tmp_path: Path, written: Any) -> None:
    # A table library writes a version column with nulls in it (`article`'s lines) as floats, and its CSV
    # output turned into JSON lines gives them as text: "3.0". Ranked 0, the line of version 3 lost to
    # the version 2 beside it, and the merged file went back a version.
    lines = [{"articleId": SEED.article_id, "version": written, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "3"},
             {"articleId": SEED.article_id, "version": 2, "dateDownloaded": "2024-02-28T19:00:00+05:30", "headline": "2"}]
    assert [line["headline"] for line in merged(tmp_path, {"in.jsonl": lines})] == ["3"]


@pytest.mark.parametrize("version", [-1, "-2", -3.0])
def test_merge_ranks_a_negative_version_as_none(tmp_path: Path, version: Any) -> None:
    # Versions start at 1: a negative one is no version, and ranks with null (then by download time),
    # not below it.
    lines = [{"articleId": SEED.article_id, "version": None, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "null"},
             {"articleId": SEED.article_id, "version": version, "dateDownloaded": "2024-02-28T19:00:00+05:30", "headline": "later"}]
    assert [line["headline"] for line in merged(tmp_path, {"in.jsonl": lines})] == ["later"]
