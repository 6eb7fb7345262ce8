"""State that grows with a run lives on disk, not in Python sets: each article requested once and
emitted once per run, however many sources list it and however long the run."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.http import XmlResponse

from crawler.incremental.extension import seen_store_extension
from crawler.pipelines import DuplicateArticle, DuplicateArticlePipeline
from crawler.runset import RunSet
from crawler.spiders.discovery import SOURCE_DATE_META
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE
from tests.test_spiders_unit import make_spider, seed_response


def test_a_run_set_says_whether_a_key_is_new() -> None:
    keys = RunSet()
    assert keys.add("124022800873") and "124022800873" in keys
    assert not keys.add("124022800873") and len(keys) == 1
    assert "124022800874" not in keys and 124022800873 not in keys
    keys.close()


def test_a_run_set_holds_many_keys_outside_python_memory() -> None:
    keys = RunSet()
    tracemalloc.start()
    try:
        assert all(keys.add(f"{123000000000 + n}") for n in range(100_000))
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A set of these 100,000 strings holds ~10 MB of Python objects; the run set keeps them in SQLite.
    assert held < 1_000_000
    assert len(keys) == 100_000 and "123000099999" in keys and not keys.add("123000050000")
    keys.close()


def _rss(ids: range, prefix: str = "/india-news/story") -> bytes:
    body = "".join(f"<item><link>{SITE}{prefix}-{i}_1.html</link></item>" for i in ids)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()


def test_discovery_requests_each_article_once_across_sources(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    first = list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=_rss(range(124022810000, 124022812000)))))
    # The same articles again, under other slugs and as AMP pages, with 1,000 new ones.
    again = _rss(range(124022810000, 124022813000), "/amp/markets/other-slug")
    second = list(spider.parse_source(XmlResponse(SITE + "/rss/markets-106.rss", body=again)))
    assert len(first) == 2000 and len(second) == 1000
    assert {r.url.rsplit("-", 1)[1] for r in second} == {f"{i}_1.html" for i in range(124022812000, 124022813000)}
    assert not isinstance(spider.requested, (set, frozenset)) and len(spider.requested) == 3000


def test_duplicates_are_dropped_after_many_other_articles(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    pipeline = DuplicateArticlePipeline.from_crawler(spider.crawler)
    (article,) = spider.parse_article(seed_response())
    pipeline.process_item(article, spider)
    for n in range(5000):
        pipeline.seen.add(f"{125000000000 + n}")  # as other articles of the run would
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item(article, spider)
    assert spider.crawler.stats.get_value("article/dropped/duplicate") == 1
    pipeline.close_spider(spider)


def test_a_dropped_article_leaves_no_source_date_behind(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    extension = seen_store_extension(spider.crawler)
    assert extension is not None
    response = seed_response()
    response.meta[SOURCE_DATE_META] = "2024-02-28T15:42:00+05:30"
    (article,) = spider.parse_article(response)
    assert extension.source_dates == {article.articleId: "2024-02-28T15:42:00+05:30"}
    # A duplicate's date is its twin's, which may not be claimed yet: it stays.
    spider.crawler.signals.send_catch_log(signals.item_dropped, item=article, response=response, exception=DuplicateArticle("twin"), spider=spider)
    assert extension.source_dates == {article.articleId: "2024-02-28T15:42:00+05:30"}
    # Dropped before it was claimed (here as invalid): its date goes with it.
    spider.crawler.signals.send_catch_log(signals.item_dropped, item=article, response=response, exception=DropItem("missing headline"), spider=spider)
    assert extension.source_dates == {}
