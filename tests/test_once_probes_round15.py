"""Every article, once per version, over days of runs: what makes a version, an article's identity
across URLs, spiders, fresh runs, recovery and merges."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.commands.merge import Command as MergeCommand
from crawler.distributed.store import RedisSeenStore
from crawler.extraction import Article
from crawler.extraction.normalize import IST
from crawler.incremental.pipeline import IncrementalPipeline, UnchangedArticle
from crawler.incremental.store import PendingArticle, SqliteSeenStore
from crawler.spiders.discovery import SOURCE_DATE_META, is_newer
from crawler.spiders.latest import LatestSpider
from tests.conftest import PAGES, SITE
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.pages.specs import SEED
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)

SEED_PAGE = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
# One of the section's latest stories in the seed's related list ("Also Read" then, "More From This
# Section" on the 2026 site): the list shows the section's newest stories as they are published.
LATEST_CARD = ("Every state, UT saw extreme weather event on at least 1 day in 2023: Report",
               "every-state-ut-saw-extreme-weather-event-on-at-least-1-day-in-2023-report-124022800456_1.html")
NEWER_CARD = ("Sebi tightens norms for SME listings after a surge in small issues",
              "sebi-tightens-norms-for-sme-listings-after-a-surge-in-small-issues-124022800901_1.html")


def page(html: str = SEED_PAGE, url: str = SITE + SEED.path, source_date: str | None = None) -> HtmlResponse:
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    if source_date is not None:
        response.meta[SOURCE_DATE_META] = source_date
    return response


def latest(tmp_path: Path, **arguments: str) -> LatestSpider:
    """A ``latest`` run on ``tmp_path/state`` with ``-a`` arguments (``fresh="1"``), as the crawl command makes it."""
    settings = {"BS_STATE_DIR": str(tmp_path / "state"), "BS_BASE_URL": SITE,
                "EXTENSIONS": {"crawler.incremental.extension.SeenStoreExtension": 100}}
    if arguments.get("fresh"):
        settings["BS_FRESH"] = "1"  # (what the spider sets from -a fresh=1 before the components are made)
    crawler = get_crawler(LatestSpider, settings)
    spider = LatestSpider.from_crawler(crawler, **arguments)
    crawler.spider = spider
    return spider


class Runs:
    """Runs of ``latest`` on one state dir, fed real responses: each run's emitted (id, version)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.emitted: list[tuple[str, int | None]] = []

    def run(self, *responses: HtmlResponse, **arguments: Any) -> list[Article]:
        spider = latest(self.tmp_path, **arguments)
        pipeline = IncrementalPipeline.from_crawler(spider.crawler)
        pipeline.open_spider(spider)
        seen = pipeline.seen
        assert seen is not None and seen.store is not None
        out: list[Article] = []
        try:
            for response in responses:
                for item in spider.parse_article(response):
                    try:
                        kept = pipeline.process_item(item, spider)
                    except UnchangedArticle:
                        continue
                    assert seen.confirm(kept.articleId)
                    out.append(kept)
                    self.emitted.append((kept.articleId, kept.version))
        finally:
            seen.settle()
            seen.engine_stopped()
        return out


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Runs]:
    yield Runs(tmp_path)


# --- what is a new version --------------------------------------------------------------------------


def test_a_story_whose_related_list_moved_on_is_not_a_new_version(runs: Runs) -> None:
    # The CMS saved the story again (its sitemap date moved) or a fresh run read it: the story is the
    # one emitted, but the list after it now shows a story of the section published since. Emitted as
    # version 2, every such fetch was an "update" of a story nobody edited.
    (first,) = runs.run(page(source_date="2024-02-28T15:42:00+05:30"))
    assert first.version == 1
    moved_on = SEED_PAGE.replace(LATEST_CARD[0], NEWER_CARD[0]).replace(LATEST_CARD[1], NEWER_CARD[1])
    assert moved_on != SEED_PAGE
    assert runs.run(page(moved_on, source_date="2024-02-28T18:00:00+05:30")) == []
    # An edit of the story is still one.
    edited = moved_on.replace("sources said.", "sources said on Wednesday.", 1)
    (second,) = runs.run(page(edited, source_date="2024-02-28T19:00:00+05:30"))
    assert second.version == 2
    assert runs.emitted == [(SEED.article_id, 1), (SEED.article_id, 2)]


def shown_time(moment: str) -> str:
    """An ISO moment (IST) as the page's meta-info shows it: "Feb 28 2024 | 3:42 PM IST"."""
    at = datetime.fromisoformat(moment)
    return f"{at:%b} {at.day} {at.year} | {at.hour % 12 or 12}:{at:%M} {at:%p} IST"


def with_times(html: str, was: str, now: str) -> str:
    """The page's ``was`` moved to ``now`` everywhere it is written, in ISO and as the page shows it."""
    return _shown_moved(html.replace(was, now), was, now)


def _shown_moved(html: str, was: str, now: str) -> str:
    """The update time the page shows (its meta-info's attribute and its "Last Updated" line) moved on."""
    for before, after in ((f'data-expandedtime="{shown_time(was)}"', f'data-expandedtime="{shown_time(now)}"'),
                          (f"Last Updated : {shown_time(was)}", f"Last Updated : {shown_time(now)}")):
        html = html.replace(before, after)
    return html


def edited(html: str, modified: str, was: str = "2024-02-28T15:42:00+05:30") -> str:
    """The seed page (last modified at ``was``) edited at ``modified`` (ISO, IST): a line added to the
    story, its dates moved on, the update time it shows too (one CMS field wrote them all: the data
    moved on alone would be outvoted by the line the page shows)."""
    return _shown_moved(
        html.replace(f'content="{was}">\n', f'content="{modified}">\n', 2)
        .replace(f'"dateModified": "{was}"', f'"dateModified": "{modified}"')
        .replace("sources said.", "sources said on Wednesday.", 1),
        was,
        modified,
    )


def seen_again(runs: Runs, feed_date: str) -> bool:
    """Whether the next run fetches the seed story again for a feed date of ``feed_date``."""
    spider = latest(runs.tmp_path)
    store = spider.seen_store
    try:
        seen = store.get(SEED.article_id)
        assert seen is not None
        return is_newer(datetime.fromisoformat(feed_date), seen, datetime.now(timezone.utc) + timedelta(minutes=10), spider.crawler.stats)
    finally:
        store.close()


def test_a_fresh_run_that_reads_an_older_copy_leaves_the_story_to_be_fetched_again(runs: Runs) -> None:
    # Version 2 (edited at 17:05) was emitted; a fresh run then met a CDN edge's copy from before the
    # edit. Fresh, it emits the page as it is (version 3, the old text): the update must come back with
    # the next run, not stay lost behind the feed date the fresh run stored for the old copy.
    update = "2024-02-28T17:05:00+05:30"
    runs.run(page(source_date="2024-02-28T15:42:00+05:30"))
    (second,) = runs.run(page(edited(SEED_PAGE, update), source_date=update))
    assert (second.version, second.dateModified) == (2, update)
    (old,) = runs.run(page(source_date=update), fresh="1")
    assert (old.version, old.dateModified) == (3, "2024-02-28T15:42:00+05:30")
    assert seen_again(runs, update), "the next run looks at the story again"
    (back,) = runs.run(page(edited(SEED_PAGE, update), source_date=update))
    assert (back.version, back.dateModified) == (4, update)


def test_a_fresh_run_leaves_the_store_no_older_a_feed_date_than_it_found(runs: Runs) -> None:
    # A fresh `section` walk (listings carry no date) or `archive` (a monthly sitemap's older date)
    # read stories a `latest` run had stored with its news sitemap's date: the store was left with
    # no date or the older one, and the next `latest` fetched every such story again.
    # (The news sitemap dates the update to the second, the page to the minute.)
    update, sitemap = "2024-02-28T17:05:00+05:30", "2024-02-28T17:05:37+05:30"
    runs.run(page(edited(SEED_PAGE, update), source_date=sitemap))
    assert not seen_again(runs, sitemap)
    assert runs.run(page(edited(SEED_PAGE, update)), fresh="1")
    assert not seen_again(runs, sitemap)
    assert runs.run(page(edited(SEED_PAGE, update), source_date="2024-02-28T15:42:00+05:30"), fresh="1")
    assert not seen_again(runs, sitemap)
    assert runs.emitted == [(SEED.article_id, 1)] * 3


# --- the SQLite and the Redis seen-stores tell alike --------------------------------------------------

# (run, content hash, the page's dateModified, the feed or sitemap date, fresh): one story over days.
DAYS = [
    ("r1", "h1", "2024-02-28T15:42:00+05:30", "2024-02-28T15:42:00+05:30", False),
    ("r2", "h1", "2024-02-28T15:42:00+05:30", "2024-02-28T16:00:00+05:30", False),  # re-saved: the date kept
    ("r3", "h2", "2024-02-28T15:00:00+05:30", "2024-02-28T17:00:00+05:30", False),  # an older copy
    ("r4", "h2", "2024-02-28T17:05:00+05:30", "2024-02-28T17:05:37+05:30", False),  # the update
    ("r5", "h2", "2024-02-28T17:05:00+05:30", None, True),  # a fresh section walk
    ("r6", "h2", "2024-02-28T17:05:00+05:30", "2024-02-28T15:42:00+05:30", True),  # a fresh archive
    ("r7", "h1", "2024-02-28T15:42:00+05:30", "2024-02-28T17:05:37+05:30", True),  # a fresh run, an older copy
    ("r8", "h3", "2024-02-29T00:10:00+05:30", "2024-02-28T18:41:00Z", False),  # after midnight in India only
]


def _story_over_days(store: Any) -> list[tuple[str, int, Any]]:
    told = []
    for run, digest, modified, source, fresh in DAYS:
        claim = store.claim(PendingArticle(SEED.article_id, 0, digest, modified, source, f"latest:{run}"), fresh=fresh, is_live=lambda run_id: False)
        if claim.outcome in ("new", "updated") or fresh:
            store.confirm(SEED.article_id, f"latest:{run}")
        told.append((claim.outcome, claim.version, store.get(SEED.article_id)))
    return told


def test_the_sqlite_and_the_redis_seen_stores_tell_a_story_over_days_alike(tmp_path: Path, redis_url: str, prefix: str) -> None:
    sqlite = SqliteSeenStore(tmp_path / "seen.sqlite3")
    in_redis = RedisSeenStore(redis.Redis.from_url(redis_url), prefix, "latest:w1")
    try:
        told = _story_over_days(sqlite)
        assert told == _story_over_days(in_redis)
    finally:
        sqlite.close()
        in_redis.close()
    assert [(outcome, version) for outcome, version, _ in told] == [
        ("new", 1), ("unchanged", 1), ("stale", 1), ("updated", 2), ("unchanged", 2), ("unchanged", 2), ("updated", 3), ("updated", 4),
    ]
    source_dates = [seen.source_date for _, _, seen in told]
    assert (source_dates[1], source_dates[3]) == ("2024-02-28T16:00:00+05:30", "2024-02-28T17:05:37+05:30")
    # Fresh runs keep the later date; after the older copy a fresh run emitted, none (looked at again).
    assert source_dates[4:7] == ["2024-02-28T17:05:37+05:30", "2024-02-28T17:05:37+05:30", None]


# --- a CDN edge's copy of the version emitted, read for the update --------------------------------------


def answered(html: str, source_date: str, last_modified: str | None) -> HtmlResponse:
    response = page(html, source_date=source_date)
    if last_modified is not None:
        response = response.replace(headers={"Last-Modified": format_datetime(datetime.fromisoformat(last_modified).astimezone(timezone.utc), usegmt=True)})
        response.meta[SOURCE_DATE_META] = source_date
    return response


@pytest.mark.parametrize("header", [True, False])
def test_an_edges_copy_of_the_version_emitted_read_for_an_update_leaves_the_update_to_the_next_run(
    runs: Runs, header: bool
) -> None:
    # The story was updated; the run that fetched it for the update's sitemap date got an edge's copy
    # of the version already emitted: unchanged, so not emitted, and the update's date was stored with
    # it. No later run fetched it again: the update was lost for good. (Dated by the answer's
    # Last-Modified if any, and an update so recent that an edge may still hold the older copy.)
    now = datetime.now(IST).replace(microsecond=0)
    emitted, update = (now - timedelta(hours=2)).isoformat(), (now - timedelta(minutes=5)).isoformat()
    last_modified = emitted if header else None
    first_page = with_times(SEED_PAGE, "2024-02-28T15:42:00+05:30", emitted)
    (first,) = runs.run(page(first_page, source_date=emitted))
    assert runs.run(answered(first_page, update, last_modified)) == []
    assert seen_again(runs, update), "the next run fetches the story again for its update"
    (second,) = runs.run(answered(edited(first_page, update, emitted), update, update if last_modified else None))
    assert (first.version, second.version) == (1, 2)
    assert not seen_again(runs, update)


def test_latest_gets_an_update_an_edge_answered_with_the_version_emitted_at_the_next_run(tmp_path: Path) -> None:
    with LoopbackSite(articles=12, seed=8, days=3, legacy=0) as site:
        article = site.articles[-2].article_id
        # The loopback site is dated years back: an edge that holds its copies that long.
        settings = {"BS_BASE_URL": site.base_url, "BS_CDN_STALE_SECONDS": str(20 * 365 * 86400)}
        first = crawl("latest", tmp_path, settings=settings)
        assert first.status == 0 and (article, 1) in [(i["articleId"], i["version"]) for i in first.items], first.log[-3000:]
        site.modify(article)
        site.set_fault(article, "stale-first")  # the edge still holds version 1
        stale = crawl("latest", tmp_path, settings=settings)
        assert stale.status == 0 and stale.items == [], stale.log[-3000:]
        assert stats_from_log(stale.log).get("bs/state/copy_before_update") == 1
        site.set_fault(article, None)
        site.reset_counts()
        later = crawl("latest", tmp_path, settings=settings)
        assert [(i["articleId"], i["version"]) for i in later.items] == [(article, 2)], later.log[-3000:]
        assert "Update 1:" in later.items[0]["articleBody"]
        assert site.article_requests() == 1
        assert crawl("latest", tmp_path, settings=settings).items == []


# --- merge ---------------------------------------------------------------------------------------------


def merged(tmp_path: Path, files: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    for name, lines in files.items():
        (tmp_path / name).write_text("".join(json.dumps(line) + "\n" for line in lines))
    command = MergeCommand()
    command.run([str(tmp_path / "merged.jsonl"), *(str(tmp_path / name) for name in files)], argparse.Namespace())
    assert command.exitcode == 0
    return [json.loads(line) for line in (tmp_path / "merged.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("written", ["3", " 3", 3.0])
@pytest.mark.parametrize("order", ["text first", "numbers first"])
def test_merge_ranks_a_version_written_as_text_or_a_whole_float_as_its_number(tmp_path: Path, written: Any, order: str) -> None:
    # A CSV output turned into JSON lines writes every value as text; a table library writes a column
    # that has nulls (`article`'s versions) as floats. Ranked 0, such a line of version 3 lost to the
    # version 2 of the crawler's own file beside it, in either order: the merged file went back a version.
    ours = [{"articleId": SEED.article_id, "version": 2, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "2"}]
    theirs = [{"articleId": SEED.article_id, "version": written, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "3"}]
    files = {"ours.jsonl": ours, "theirs.jsonl": theirs}
    if order == "text first":
        files = {"theirs.jsonl": theirs, "ours.jsonl": ours}
    assert [line["headline"] for line in merged(tmp_path, files)] == ["3"]


# (A null version, `article`'s and `reextract`'s, is weighed by its download since: tests/test_reextract_probes_round27.py.)
@pytest.mark.parametrize("version", [True, "3a", "", 2.5])
def test_merge_ranks_what_is_no_version_as_none(tmp_path: Path, version: Any) -> None:
    lines = [{"articleId": SEED.article_id, "version": version, "dateDownloaded": "2024-02-28T19:00:00+05:30", "headline": "odd"},
             {"articleId": SEED.article_id, "version": 1, "dateDownloaded": "2024-02-28T18:00:00+05:30", "headline": "1"}]
    assert [line["headline"] for line in merged(tmp_path, {"in.jsonl": lines})] == ["1"]
