"""Every article, once per version, over days of runs: what makes a version, an article's identity
across URLs, spiders, fresh runs, recovery and merges."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.extraction import Article
from crawler.incremental.pipeline import IncrementalPipeline, UnchangedArticle
from crawler.spiders.discovery import SOURCE_DATE_META
from crawler.spiders.latest import LatestSpider
from tests.conftest import PAGES, SITE
from tests.pages.specs import SEED
from tests.test_spiders_unit import make_spider

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


class Runs:
    """Runs of ``latest`` on one state dir, fed real responses: each run's emitted (id, version)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.emitted: list[tuple[str, int | None]] = []

    def run(self, *responses: HtmlResponse, **arguments: Any) -> list[Article]:
        spider = make_spider(LatestSpider, self.tmp_path, **arguments)
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
