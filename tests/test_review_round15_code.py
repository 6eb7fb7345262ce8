"""Code read of round 15's changes: the cases a refactor's read of them showed they missed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.distributed.store import RedisSeenStore
from crawler.extraction import extract
from crawler.incremental.store import PendingArticle, SeenStore, SqliteSeenStore
from tests.test_extraction_probes_round15 import AMP, AMP_BYLINE, NEXT, NEXT_BYLINE, _fixture, _once, _with_data, _with_ld
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)

# The story's section linked after a bar, the bar inside the link ("PTI <a>| India News</a>").
SECTION_WITH_ITS_BAR = '<span><a href="/india-news">| India News</a></span>'


def test_an_amp_byline_s_section_link_holding_its_bar_is_no_dateline_and_loses_no_article() -> None:
    # Before: the byline's place was "India News" (the link's text, "| India News", was not told the
    # same), and reading the names found no bar outside the link: ValueError, the page unreadable.
    html, url, _ = _fixture(AMP)
    html = _once(html, AMP_BYLINE, f'<div class="byline">Press Trust of India {SECTION_WITH_ITS_BAR}</div>')
    html = _with_ld(html, lambda article: article.pop("author"))
    html = re.sub(r'<meta name="author"[^>]*>', "", html)
    article = extract(html.encode(), url).article
    assert ([a.name for a in article.authors], article.dateline) == (["Press Trust of India"], None)


def test_a_next_js_byline_s_section_link_holding_its_bar_is_no_dateline() -> None:
    # Before: the dateline was "India News", the section's name.
    html, url, _ = _fixture(NEXT)
    byline = f'<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Press Trust of India</span> {SECTION_WITH_ITS_BAR}</span>'

    def change(data: dict[str, Any]) -> None:
        data.pop("placeName")

    html = _with_data(_once(html, NEXT_BYLINE, byline), change)
    assert extract(html.encode(), url).article.dateline is None


@pytest.mark.parametrize("folder", [AMP, NEXT])
def test_a_city_after_a_bar_is_still_the_dateline(folder: str) -> None:
    # The bar before a city in the byline's own text: that city stays the dateline.
    html, url, _ = _fixture(folder)
    if folder == AMP:
        html = _once(html, AMP_BYLINE, '<div class="byline">Press Trust of India | New Delhi</div>')
    else:
        html = _with_data(
            _once(html, NEXT_BYLINE, '<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Press Trust of India | New Delhi</span></span>'),
            lambda data: data.pop("placeName"),
        )
    assert extract(html.encode(), url).article.dateline == "New Delhi"


# --- the release before's hash: asked for only where the stored hash is not this release's -------------


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
def test_each_seen_store_asks_for_the_release_befores_hash_only_where_the_stored_one_is_not_this_release_s(
    kind: str, dated: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Before: the Redis store computed it for every article claimed (a second hash of each, ~33 us),
    # and twice for a dated one stored with the release before's hash.
    stores: dict[str, Callable[[], SeenStore]] = {
        "sqlite": lambda: SqliteSeenStore(tmp_path / "seen.sqlite3"),
        "redis": lambda: RedisSeenStore(redis.Redis.from_url(request.getfixturevalue("redis_url")), request.getfixturevalue("prefix"), "latest:w1"),
    }
    store = stores[kind]()
    asked: list[str] = []

    def previous() -> str:
        asked.append("asked")
        return "old"

    modified = "2024-02-28T15:42:00+05:30" if dated else None
    try:
        for run, digest in enumerate(["new", "new", "newer"]):
            pending = PendingArticle("124022800001", 0, digest, modified, None, f"latest:{run}", previous_hash_of=previous)
            if store.claim(pending, fresh=False, is_live=lambda _: False).outcome in ("new", "updated"):
                store.confirm("124022800001", f"latest:{run}")
    finally:
        store.close()
    # (The Redis store reads a story before its claim only when the page is dated: else it asks in any case.)
    assert asked == (["asked"] if dated or kind == "sqlite" else ["asked"] * 3)
