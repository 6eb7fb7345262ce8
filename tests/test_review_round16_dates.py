"""Review of round 16's dates: an update a news sitemap dates within the minute of a page's own date is fetched."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.extraction.discovery import Entry
from crawler.incremental.pipeline import IncrementalPipeline
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE
from tests.pages.specs import SEED
from tests.test_spiders_unit import make_spider, seed_response

IST = timezone(timedelta(hours=5, minutes=30))


def _emitted_by_a_listing(tmp_path: Path) -> LatestSpider:
    """A spider whose state holds the seed story as a `section` walk emits it: its page's dateModified
    (2024-02-28T15:42:00+05:30, to the second: the site's JSON gives Unix seconds) and no source date."""
    spider = make_spider(LatestSpider, tmp_path)
    pipeline = IncrementalPipeline.from_crawler(spider.crawler)
    pipeline.open_spider(spider)
    assert pipeline.seen is not None and pipeline.seen.store is not None
    (item,) = spider.parse_article(seed_response())
    assert pipeline.process_item(item, spider).version == 1
    assert pipeline.seen.confirm(item.articleId)
    seen = pipeline.seen.store.get(item.articleId)
    assert seen is not None and seen.source_date is None and seen.date_modified == "2024-02-28T15:42:00+05:30"
    return spider


@pytest.mark.parametrize("second", [1, 17, 40, 59])
def test_an_update_a_sitemap_dates_within_the_page_s_minute_is_fetched(tmp_path: Path, second: int) -> None:
    # The story was edited again seconds after the version emitted (a typo fixed at once): the news
    # sitemap's <lastmod> is the edit's, 15:42:ss, its publication 15:30. Before: taken for "that whole
    # minute" of a page dated 15:42:00, it was not fetched, and the edit was lost for good (no later
    # date came to fetch it for).
    spider = _emitted_by_a_listing(tmp_path)
    published = datetime(2024, 2, 28, 15, 30, tzinfo=IST)
    update = Entry(url=SITE + SEED.path, lastmod=datetime(2024, 2, 28, 15, 42, second, tzinfo=IST), published=published)
    assert len(list(spider.discovered([update], SITE + "/sitemap/news.xml"))) == 1


def test_a_feed_s_publication_date_within_the_page_s_minute_is_still_no_update(tmp_path: Path) -> None:
    # What round 16 fixed stays fixed: a feed's pubDate (the publication, its only date) of 15:42:31
    # against a page dated 15:42 is the story as emitted.
    spider = _emitted_by_a_listing(tmp_path)
    moment = datetime(2024, 2, 28, 15, 42, 31, tzinfo=IST)
    assert list(spider.discovered([Entry(url=SITE + SEED.path, lastmod=moment, published=moment)], SITE + "/rss/latest.rss")) == []
    # A sitemap's <lastmod> that is its publication date too, likewise; a later minute is an update.
    later = datetime(2024, 2, 28, 15, 43, 2, tzinfo=IST)
    assert len(list(spider.discovered([Entry(url=SITE + SEED.path, lastmod=later, published=later)], SITE + "/rss/latest.rss"))) == 1
