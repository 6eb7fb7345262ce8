"""Round 23 probes: what makes a new version of a story that cron runs fetch again and again.

A reader of the feeds wants each correction once, and no copy of a story nobody edited. The site's
CMS moves a story's "Last Updated" date whenever it saves the story, edited or not (a live blog's at
every fetch), and its sitemap date with it, so every run fetches such a story again. Before, the date
counted as content: every such save was emitted as the next version, its text as before.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis

from crawler.distributed.store import RedisSeenStore
from crawler.extraction.normalize import IST
from crawler.incremental.pipeline import content_hash, dated_content_hash, earlier_content_hashes, previous_content_hash
from crawler.incremental.store import PendingArticle, SeenStore, SqliteSeenStore
from tests.conftest import PAGES
from tests.pages.specs import SEED
from tests.test_once_probes_round15 import SEED_PAGE, Runs, answered, edited, page, runs, seen_again  # noqa: F401 (fixture)
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures: a Redis, or a skip with the reason)

WAS = "2024-02-28T15:42:00+05:30"
WAS_LABEL = "Feb 28 2024 | 3:42 PM IST"
LIVE = PAGES / "nextjs-2023" / "live-blog"
LIVE_PAGE = (LIVE / "page.html").read_text(encoding="utf-8")
LIVE_URL = json.loads((LIVE / "meta.json").read_text(encoding="utf-8"))["url"]


def label(moment: str) -> str:
    """The page's "Last Updated" line for an ISO date in IST: ``Feb 28 2024 | 5:10 PM IST``."""
    when = datetime.fromisoformat(moment).astimezone(IST)
    return when.strftime("%b %d %Y | ") + f"{when.hour % 12 or 12}:{when:%M %p} IST"


def saved_again(html: str, modified: str, *, was: str = WAS, where: str = "all") -> str:
    """``html`` saved again by the CMS at ``modified``, unedited: its Last Updated date moved, in the
    line the page shows (``where="label"``) or everywhere the page gives it (``"all"``: JSON-LD, the
    Last-Modified meta, the line and its ``data-expandedtime``)."""
    out = html.replace(f"Last Updated : {label(was)}", f"Last Updated : {label(modified)}").replace(
        f'data-expandedtime="{label(was)}"', f'data-expandedtime="{label(modified)}"'
    )
    if where == "all":
        out = out.replace(f'"dateModified": "{was}"', f'"dateModified": "{modified}"').replace(
            f'<meta http-equiv="Last-Modified" content="{was}">', f'<meta http-equiv="Last-Modified" content="{modified}">'
        )
    assert out != html
    return out


def corrected(html: str, at: str, *, was: str = WAS) -> str:
    """``html`` edited at ``at``: a correction appended to a paragraph, its dates moved on."""
    out = saved_again(html, at, was=was).replace("sources said.", "sources said. (Corrected: the dialogue was in 2022.)", 1)
    assert "Corrected:" in out
    return out


# --- a save that edits nothing is no new version -------------------------------------------------------


@pytest.mark.parametrize("where", ["label", "all"])
def test_a_story_saved_again_unedited_is_not_emitted_again_and_each_correction_is(runs: Runs, where: str) -> None:
    # Before: each save was version 2, 3, … with the text of version 1, the date alone moved on.
    (first,) = runs.run(page(source_date=WAS))
    resave = "2024-02-28T17:10:00+05:30"
    assert runs.run(page(saved_again(SEED_PAGE, resave, where=where), source_date=resave)) == []
    assert not seen_again(runs, resave), "the save's sitemap date is stored: the next run fetches nothing"
    # A correction appended, then a headline edit: each emitted once, as the next version.
    corrected_at = "2024-02-28T18:00:00+05:30"
    fixed = corrected(SEED_PAGE, corrected_at)
    (second,) = runs.run(page(fixed, source_date=corrected_at))
    assert "Corrected:" in (second.articleBody or "")
    fixed_saved = saved_again(fixed, "2024-02-28T19:30:00+05:30", was=corrected_at, where=where)
    assert runs.run(page(fixed_saved, source_date="2024-02-28T19:30:00+05:30")) == []
    retitled = saved_again(fixed_saved, "2024-02-28T20:00:00+05:30", was="2024-02-28T19:30:00+05:30" if where == "all" else corrected_at)
    retitled = retitled.replace(first.headline, first.headline + " amid tariff talks")
    (third,) = runs.run(page(retitled, source_date="2024-02-28T20:00:00+05:30"))
    assert (second.version, third.version) == (2, 3)
    assert third.headline.endswith("amid tariff talks")
    assert runs.emitted == [(SEED.article_id, 1), (SEED.article_id, 2), (SEED.article_id, 3)]


def test_a_page_whose_date_went_back_with_the_text_unchanged_is_neither_emitted_nor_fetched_again(runs: Runs) -> None:
    # The CMS (or a clock set back there) dated the same story earlier: before, this was a different
    # hash dated before the version emitted, told a stale copy (a WARNING), its date never stored, and
    # fetched again at every run while the sitemap listed it so.
    runs.run(page(source_date=WAS))
    back, listed = "2024-02-28T15:00:00+05:30", "2024-02-28T16:00:00+05:30"
    assert runs.run(page(saved_again(SEED_PAGE, back), source_date=listed)) == []
    assert not seen_again(runs, listed)


def test_a_live_blog_dated_anew_at_every_fetch_is_emitted_once_per_change_of_its_updates(runs: Runs) -> None:
    # A live blog's Last Updated is the time of the fetch; every run of cron fetched it and emitted it again.
    was = "2024-11-05T10:15:00+05:30"
    blog = lambda html, at: page(saved_again(html, at, was=was), url=LIVE_URL, source_date=at)  # noqa: E731
    (first,) = runs.run(page(LIVE_PAGE, url=LIVE_URL, source_date=was))
    assert first.isLiveBlog
    for minutes in (5, 10, 15):
        assert runs.run(blog(LIVE_PAGE, f"2024-11-05T10:{15 + minutes}:00+05:30")) == []
    # An update's text changed (a correction): emitted once.
    line = "Infosys and TCS rose over 2 per cent each."
    corrected = LIVE_PAGE.replace(line, "Infosys and TCS rose over 3 per cent each.")
    assert corrected.count("over 3 per cent") == 2
    (second,) = runs.run(blog(corrected, "2024-11-05T10:35:00+05:30"))
    assert second.version == 2 and "over 3 per cent" in (second.articleBody or "")
    assert runs.run(blog(corrected, "2024-11-05T10:40:00+05:30")) == []


# --- seen-stores written by the releases before ------------------------------------------------------------


@pytest.mark.parametrize("earlier", ["the release before (date counted)", "the one before it (related list counted)"])
def test_a_story_stored_by_an_earlier_release_and_saved_again_unedited_is_no_new_version(runs: Runs, earlier: str) -> None:
    (first,) = runs.run(page(source_date=WAS))
    stored = dated_content_hash(first) if "date" in earlier else previous_content_hash(first)
    assert stored != content_hash(first) and stored in earlier_content_hashes(first)
    database = sqlite3.connect(runs.tmp_path / "state" / "seen.sqlite3")
    with database:
        database.execute("UPDATE seen SET content_hash = ?", (stored,))
    database.close()
    # Fetched again as it was (its sitemap date moved on): unchanged, and this release's hash stored in
    # its place, so that a later save that moves the date alone is told unchanged too. (A save that
    # moved the date before that fetch is one version more, once: the earlier hash holds the date.)
    assert runs.run(page(source_date="2024-02-28T16:00:00+05:30")) == []
    database = sqlite3.connect(runs.tmp_path / "state" / "seen.sqlite3")
    try:
        assert database.execute("SELECT content_hash FROM seen").fetchall() == [(content_hash(first),)]
    finally:
        database.close()
    resave = "2024-02-28T17:10:00+05:30"
    assert runs.run(page(saved_again(SEED_PAGE, resave), source_date=resave)) == []
    assert runs.emitted == [(SEED.article_id, 1)]


def _saves(store: SeenStore) -> list[tuple[str, int, str | None, str | None]]:
    """A story stored by the release before (hash ``dated``), saved again unedited, its date moving on,
    then back, then edited: each claim's outcome, version, and the stored hash and dateModified."""
    told = []
    steps = [  # (content hash, earlier releases' hashes, the page's dateModified)
        ("dated", (), "2024-02-28T15:42:00+05:30"),
        ("undated", ("dated", "related"), "2024-02-28T17:10:00+05:30"),
        ("undated", ("dated", "related"), "2024-02-28T16:00:00+05:30"),
        ("edited", ("dated-2", "related-2"), "2024-02-28T18:00:00+05:30"),
    ]
    for run, (digest, previous, modified) in enumerate(steps):
        pending = PendingArticle(SEED.article_id, 0, digest, modified, None, f"latest:{run}", previous_hash_of=lambda p=previous: p)
        claim = store.claim(pending, fresh=False, is_live=lambda _: False)
        if claim.outcome in ("new", "updated"):
            store.confirm(SEED.article_id, f"latest:{run}")
        seen = store.get(SEED.article_id)
        assert seen is not None
        told.append((claim.outcome, claim.version, seen.content_hash, seen.date_modified))
    return told


def test_the_sqlite_and_the_redis_seen_stores_tell_a_save_without_an_edit_alike(tmp_path: Path, redis_url: str, prefix: str) -> None:
    sqlite = SqliteSeenStore(tmp_path / "seen.sqlite3")
    in_redis = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w1")
    try:
        told = _saves(sqlite)
        assert told == _saves(in_redis)
    finally:
        sqlite.close()
        in_redis.close()
    assert told == [
        ("new", 1, "dated", "2024-02-28T15:42:00+05:30"),
        # The earlier release's hash is replaced, the save's later date kept; an earlier one is not.
        ("unchanged", 1, "undated", "2024-02-28T17:10:00+05:30"),
        ("unchanged", 1, "undated", "2024-02-28T17:10:00+05:30"),
        ("updated", 2, "edited", "2024-02-28T18:00:00+05:30"),
    ]


def test_an_edges_copy_of_a_save_read_for_a_later_edit_leaves_the_edit_to_the_next_run(runs: Runs) -> None:
    # The save's date is kept with the version emitted: an edge's copy of that save, read for a later
    # edit's sitemap date, is told a copy from before the edit (not stored), as a copy of the version
    # emitted is. Kept at the first version's date, the save's copy was taken for the edit itself, the
    # edit's date stored with it, and the edit never fetched.
    now = datetime.now(IST).replace(second=0, microsecond=0)
    emitted, resave, update = ((now - timedelta(hours=h)).isoformat() for h in (3, 2, 0.1))
    first_page = SEED_PAGE.replace(WAS, emitted).replace(WAS_LABEL, label(emitted))
    runs.run(page(first_page, source_date=emitted))
    resaved_page = saved_again(first_page, resave, was=emitted)
    assert runs.run(answered(resaved_page, resave, resave)) == []
    assert runs.run(answered(resaved_page, update, resave)) == []
    assert seen_again(runs, update), "the next run fetches the story again for its edit"
    (second,) = runs.run(answered(corrected(resaved_page, update, was=resave), update, update))
    assert second.version == 2
    assert runs.emitted == [(SEED.article_id, 1), (SEED.article_id, 2)]

