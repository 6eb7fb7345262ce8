"""What feeds, sitemaps and listings may hold that discovery must still read right: the Hindi
edition's stories among the English site's, non-article kinds at any depth of a path, feeds and
sitemaps at URLs that do not say which they are, Atom, other encodings, monthly sitemap names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.http import Request, XmlResponse

from crawler.extraction.discovery import Entry
from crawler.incremental.store import PendingArticle
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE
from tests.test_spiders_unit import make_spider

import pytest

ENGLISH = SITE + "/markets/news/x-124022800873_1.html"
HINDI = "https://hindi.business-standard.com/markets/news/x-124022800873_1.html"


def _feed(items: str, attributes: str = "") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"{attributes}><channel><title>Latest</title>{items}</channel></rss>'.encode()


def _items(*urls: str) -> str:
    return "".join(f"<item><link>{url}</link><pubDate>Wed, 28 Feb 2024 15:42:00 +0530</pubDate></item>" for url in urls)


def _read(spider: Any, url: str, body: bytes) -> list[Request]:
    return list(spider.parse_source(XmlResponse(url, body=body, request=Request(url))))


# --- the Hindi edition's stories -----------------------------------------------------------------


def test_a_hindi_story_numbered_like_an_english_article_is_requested_beside_it(tmp_path: Path) -> None:
    # The item of the Hindi story is hi-124022800873, the English one 124022800873: two articles,
    # and the run must not drop the second as a repeat of the first.
    spider = make_spider(LatestSpider, tmp_path)
    requests = _read(spider, SITE + "/rss/latest.rss", _feed(_items(ENGLISH, HINDI)))
    assert [r.url for r in requests] == [ENGLISH, HINDI]
    assert spider.crawler.stats.get_value("bs/discovery/new") == 2


def test_a_hindi_story_already_emitted_is_not_fetched_again_as_new(tmp_path: Path) -> None:
    # The seen-store knows it by the id its item carried.
    spider = make_spider(LatestSpider, tmp_path)
    spider.seen_store.add_pending(PendingArticle("hi-124022800873", 1, "h", None, "2024-02-28T15:42:00+05:30", "old"))
    spider.seen_store.confirm("hi-124022800873", "old")
    assert _read(spider, SITE + "/rss/latest.rss", _feed(_items(HINDI))) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/unchanged_skipped") == 1 and not stats.get_value("bs/discovery/new")


def test_a_hindi_storys_day_is_still_read_from_its_number(tmp_path: Path) -> None:
    assert Entry(url=HINDI).article_id == "hi-124022800873"
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-02-28", until="2024-02-28")
    assert spider.accepts(Entry(url=HINDI)) and not spider.accepts(Entry(url=HINDI.replace("124022800873", "124022900873")))


# --- pages that are never articles, wherever they sit -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/india-news/photo-gallery/x-124022800873_1.html", "webstory"),
        ("/amp/photo-gallery/x-124022800873_1.html", "webstory"),
        ("/photo-gallery/x-124022800873_1.html", "other"),
        ("/markets/video-gallery/x-124022800873_1.html", "video"),
    ],
)
def test_a_gallery_or_story_under_a_section_is_not_requested_as_an_article(tmp_path: Path, path: str, kind: str) -> None:
    # The article callback skips it (bs/skipped/webstory): requested, a run that listed nothing else
    # "found 1 new article but none could be extracted" and exited 3.
    spider = make_spider(LatestSpider, tmp_path)
    assert [r.url for r in _read(spider, SITE + "/rss/latest.rss", _feed(_items(SITE + path, ENGLISH)))] == [ENGLISH]
    stats = spider.crawler.stats
    assert stats.get_value(f"bs/discovery/not_article/{kind}") == 1 and stats.get_value("bs/discovery/new") == 1
