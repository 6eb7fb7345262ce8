"""Probes of the incremental machinery: a killed run settled by a run of another spider, feeds that
take only some articles, and other ways an article could be delivered twice or lost."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.incremental.extension import SeenStoreExtension, seen_store_extension
from crawler.incremental.recovery import recover_pending
from crawler.incremental.store import FeedRecord, PendingArticle, SqliteSeenStore
from crawler.spiders.latest import LatestSpider
from tests.test_spiders_unit import make_spider

ARTICLE = "124022800873"


def _pending(run: str, version: int = 1, article_id: str = ARTICLE) -> PendingArticle:
    return PendingArticle(article_id, version, f"hash-{version}", "2024-02-28T15:42:00+05:30", None, run)


def _line(article_id: str = ARTICLE, version: int = 1) -> str:
    return json.dumps({"articleId": article_id, "version": version}) + "\n"


def _latest_extension(tmp_path: Path) -> SeenStoreExtension:
    """The seen-store component of a new ``latest`` run on ``tmp_path/state``, recovery done."""
    spider = make_spider(LatestSpider, tmp_path)
    extension = seen_store_extension(spider.crawler)
    assert extension is not None and extension.store is not None
    extension.recover()
    return extension


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SqliteSeenStore]:
    store = SqliteSeenStore(tmp_path / "state" / "seen.sqlite3")
    yield store
    store.close()


# --- a killed run of one spider, then a run of another on the same state dir ------------------------


def test_a_dead_run_of_another_spider_is_settled_not_emitted_again(tmp_path: Path, state: SqliteSeenStore) -> None:
    # The nightly `section` was killed after writing the article; `latest` (every 15 minutes, same
    # state dir) runs before the next `section`: it must not emit the article a second time.
    out = tmp_path / "section.jsonl"
    out.write_text(_line())
    state.record_feed("section:dead", FeedRecord(str(out)))
    state.add_pending(_pending("section:dead"))
    state.add_pending(_pending("section:dead", article_id="124022800874"))  # claimed, never written
    extension = _latest_extension(tmp_path)
    assert extension.store is not None
    seen = extension.store.get(ARTICLE)
    assert seen is not None and seen.version == 1, "written by the dead run: seen, so not emitted again"
    assert extension.store.get("124022800874") is None
    assert extension.store.pending() == [] and extension.store.feeds_of("section:dead") == []
    assert extension.stats.get_value("bs/state/recovered_written") == 1


def test_a_live_run_of_another_spider_is_left_alone(tmp_path: Path, state: SqliteSeenStore) -> None:
    out = tmp_path / "section.jsonl"
    out.write_text(_line())
    state.record_feed("section:alive", FeedRecord(str(out)))
    state.add_pending(_pending("section:alive"))
    with open(tmp_path / "state" / "section.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the running `section` holds its run lock
        extension = _latest_extension(tmp_path)
        assert extension.store is not None
        assert extension.store.get(ARTICLE) is None
        assert [p.run_id for p in extension.store.pending()] == ["section:alive"]
        assert extension.store.feeds_of("section:alive") != []


def test_settling_a_dead_run_never_takes_an_article_back_to_an_older_version(tmp_path: Path, state: SqliteSeenStore) -> None:
    # `section` was killed with version 1 written; `latest` had meanwhile emitted versions 1 and 2.
    # Whichever run settles the dead one (the next `section` here), version 2 stays the one seen:
    # going back to version 1 would emit "version 2" once more at the next fetch.
    out = tmp_path / "section.jsonl"
    out.write_text(_line(version=1))
    state.record_feed("section:dead", FeedRecord(str(out)))
    state.add_pending(_pending("section:dead", version=1))
    state.add_pending(_pending("latest:earlier", version=2))
    state.confirm(ARTICLE, "latest:earlier")
    assert recover_pending(state, "section:now") == (1, 0)
    seen = state.get(ARTICLE)
    assert seen is not None and (seen.version, seen.content_hash) == (2, "hash-2")
    assert state.pending() == []
