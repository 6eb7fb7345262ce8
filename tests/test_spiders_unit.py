"""Spiders fed with Scrapy response objects: arguments, callbacks, discovery decisions, pipelines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem, UsageError
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.extraction import Article
from crawler.incremental.pipeline import IncrementalPipeline, UnchangedArticle
from crawler.pipelines import ArticleValidationPipeline, DuplicateArticlePipeline
from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from crawler.incremental.store import PendingArticle
from tests.conftest import PAGES, SITE
from tests.pages.specs import SEED


def make_spider(spider_class: type, tmp_path: Path, **kwargs: Any) -> Any:
    settings = {"BS_STATE_DIR": str(tmp_path / "state"), "BS_BASE_URL": SITE,
                "EXTENSIONS": {"crawler.incremental.extension.SeenStoreExtension": 100}}
    crawler = get_crawler(spider_class, settings)
    spider = spider_class.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def seed_response(url: str = SITE + SEED.path) -> HtmlResponse:
    body = (PAGES / "current" / "seed-syndicated.html").read_bytes()
    return HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))


@pytest.mark.parametrize(
    ("spider_class", "arguments", "message"),
    [
        (ArticleSpider, {}, "give -a url"),
        (ArticleSpider, {"url_file": "/no/such/file"}, "does not exist"),
        (ArticleSpider, {"url": "ftp://x/y"}, "not an http"),
        (ArchiveSpider, {}, "since"),
        (ArchiveSpider, {"since": "yesterday"}, "is not a date"),
        (ArchiveSpider, {"since": "2024-03-01", "until": "2024-02-01"}, "after"),
        (SectionSpider, {"sections": "markets/news", "pages": "-1"}, "whole number"),
        (SectionSpider, {}, "sections"),
        (SectionSpider, {"sections": "../../etc"}, "not a section path"),
    ],
)
def test_wrong_arguments_are_refused_before_any_request(spider_class: type, arguments: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        spider_class.check_arguments(arguments)


def test_article_spider_reads_urls_from_every_argument(tmp_path: Path) -> None:
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# comment\nhttps://www.business-standard.com/a/a-124070800259_1.html\n\n")
    spider = make_spider(
        ArticleSpider, tmp_path, url=SITE + SEED.path, urls=f"{SITE}/b/b-124070800260_1.html,{SITE + SEED.path}", url_file=str(url_file)
    )
    assert spider.start_urls == [SITE + SEED.path, f"{SITE}/b/b-124070800260_1.html", f"{SITE}/a/a-124070800259_1.html"]


def test_the_article_callback_yields_one_complete_item(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + SEED.path)
    items = list(spider.parse_article(seed_response()))
    assert len(items) == 1 and isinstance(items[0], Article)
    assert items[0].articleId == "124022800873" and items[0].dateDownloaded


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>Reference #18.5c3b1402.1709115120.1a2b3c "
         b"https://errors.edgesuite.net/18.5c3b1402</body></html>", "blocked"),
        (b"<html><body><h1>Latest news</h1><a href='/a/a-124070800259_1.html'>x</a></body></html>", "unknown-layout"),
    ],
)
def test_pages_that_are_not_articles_give_a_stat_and_no_item(tmp_path: Path, body: bytes, reason: str) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + SEED.path)
    response = HtmlResponse(SITE + SEED.path, body=body, encoding="utf-8")
    assert list(spider.parse_article(response)) == []
    assert spider.crawler.stats.get_value(f"bs/skipped/{reason}") == 1


def test_validation_drops_items_without_required_fields(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + SEED.path)
    pipeline = ArticleValidationPipeline.from_crawler(spider.crawler)
    (item,) = spider.parse_article(seed_response())
    assert pipeline.process_item(item, spider).headline == item.headline
    item.articleBody = None
    with pytest.raises(DropItem, match="articleBody"):
        pipeline.process_item(item, spider)
    stats = spider.crawler.stats
    assert stats.get_value("article/missing/articleBody") == 1 and stats.get_value("article/layout/nextjs-2023") == 2


def test_duplicates_of_an_article_id_are_dropped(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + SEED.path)
    pipeline = DuplicateArticlePipeline.from_crawler(spider.crawler)
    (first,) = spider.parse_article(seed_response())
    (amp_twin,) = spider.parse_article(seed_response(SITE + "/other/slug-124022800873_1.html"))
    pipeline.process_item(first, spider)
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item(amp_twin, spider)


def _rss(*items: tuple[str, str]) -> bytes:
    body = "".join(f"<item><link>{SITE}{path}</link><pubDate>{date}</pubDate></item>" for path, date in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()


def test_discovery_fetches_new_skips_seen_and_refetches_changed(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    store = spider.seen_store
    store.add_pending(PendingArticle("124022800873", 1, "h", "2024-02-28T15:42:00+05:30", None, "old"))
    store.confirm("124022800873", "old")
    store.add_pending(PendingArticle("124022800874", 1, "h", "2024-02-28T15:42:00+05:30", None, "old"))
    store.confirm("124022800874", "old")
    feed = _rss(
        ("/india-news/seen-124022800873_1.html", "Wed, 28 Feb 2024 15:42:00 +0530"),
        ("/india-news/changed-124022800874_1.html", "Wed, 28 Feb 2024 18:00:00 +0530"),
        ("/india-news/new-124022800875_1.html", "Wed, 28 Feb 2024 19:00:00 +0530"),
        ("/amp/india-news/new-124022800875_1.html", "Wed, 28 Feb 2024 19:00:00 +0530"),
        ("/topic/khalistan-movement", "Wed, 28 Feb 2024 19:00:00 +0530"),
        ("/video/clip-124022800876_1.html", "Wed, 28 Feb 2024 19:00:00 +0530"),
    )
    requests = list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed)))
    assert [r.url for r in requests] == [SITE + "/india-news/changed-124022800874_1.html", SITE + "/india-news/new-124022800875_1.html"]
    assert all(r.callback == spider.parse_article for r in requests)
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/unchanged_skipped") == 1
    assert stats.get_value("bs/discovery/changed") == 1 and stats.get_value("bs/discovery/new") == 1
    assert stats.get_value("bs/discovery/not_article/topic") == 1 and stats.get_value("bs/discovery/not_article/video") == 1


def test_fresh_ignores_the_store(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path, fresh="1")
    spider.seen_store.add_pending(PendingArticle("124022800873", 1, "h", "2024-02-28T15:42:00+05:30", None, "old"))
    spider.seen_store.confirm("124022800873", "old")
    feed = _rss(("/india-news/seen-124022800873_1.html", "Wed, 28 Feb 2024 15:42:00 +0530"))
    assert len(list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed)))) == 1


def test_a_broken_feed_is_counted_not_raised(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    assert list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=b"<rss><channel><item>"))) == []
    assert spider.crawler.stats.get_value("bs/skipped/broken-source") == 1


def test_off_site_links_are_never_followed(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    feed = f'<rss><channel><item><link>https://evil.example/india-news/x-124022800873_1.html</link></item></channel></rss>'.encode()
    assert list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed))) == []
    assert spider.crawler.stats.get_value("bs/discovery/offsite") == 1


def test_archive_keeps_to_its_months_and_days(tmp_path: Path) -> None:
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-02-26", until="2024-03-03")
    index = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{SITE}/sitemap/2024-january-1.xml</loc></sitemap><sitemap><loc>{SITE}/sitemap/2024-february-1.xml</loc></sitemap>
      <sitemap><loc>{SITE}/sitemap/2024-march-1.xml</loc></sitemap><sitemap><loc>{SITE}/sitemap/2024-april-1.xml</loc></sitemap></sitemapindex>""".encode()
    # The monthly sitemaps are read one after another: the first now, the others when it is done.
    (first,) = spider.parse_source(XmlResponse(SITE + "/sitemap/sitemap-index.xml", body=index))
    wanted = [url.rsplit("/", 1)[1] for url in [first.url, *spider.sitemaps_ahead]]
    assert wanted == ["2024-february-1.xml", "2024-march-1.xml"]
    month = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{SITE}/a/x-124022500001_1.html</loc><lastmod>2024-02-25T10:00:00+05:30</lastmod></url>
      <url><loc>{SITE}/a/x-124022600001_1.html</loc><lastmod>2024-02-26T10:00:00+05:30</lastmod></url>
      <url><loc>{SITE}/a/x-124022900002_1.html</loc></url></urlset>""".encode()
    # (The next sitemap, march, comes with them: few articles are left to download.)
    fetched = [r.url for r in spider.parse_source(XmlResponse(SITE + "/sitemap/2024-february-1.xml", body=month)) if r.callback == spider.parse_article]
    assert fetched == [f"{SITE}/a/x-124022600001_1.html", f"{SITE}/a/x-124022900002_1.html"]


def test_incremental_pipeline_versions_and_skips_unchanged(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    pipeline = IncrementalPipeline.from_crawler(spider.crawler)
    pipeline.open_spider(spider)
    (item,) = spider.parse_article(seed_response())
    assert pipeline.process_item(item, spider).version == 1
    assert pipeline.seen is not None and pipeline.seen.confirm("124022800873")  # as the feeds would, once written
    (again,) = spider.parse_article(seed_response())
    with pytest.raises(UnchangedArticle):
        pipeline.process_item(again, spider)
    (changed,) = spider.parse_article(seed_response())
    changed.articleBody = (changed.articleBody or "") + "\nA new paragraph."
    assert pipeline.process_item(changed, spider).version == 2


def test_section_stops_at_a_page_of_seen_articles(tmp_path: Path) -> None:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="3")
    spider.seen_store.add_pending(PendingArticle("124022800873", 1, "h", None, None, "old"))
    spider.seen_store.confirm("124022800873", "old")
    html = b'<html><body><a href="/markets/news/x-124022800873_1.html">x</a></body></html>'
    response = HtmlResponse(SITE + "/markets/news", body=html, request=Request(SITE + "/markets/news"))
    assert list(spider.parse_section(response, section="markets/news", page=1)) == []
    assert spider.crawler.stats.get_value("bs/discovery/listing_all_seen_stop") == 1
    html2 = b'<html><body><a href="/markets/news/y-124022800875_1.html">y</a></body></html>'
    response2 = HtmlResponse(SITE + "/markets/news", body=html2, request=Request(SITE + "/markets/news"))
    urls = [r.url for r in spider.parse_section(response2, section="markets/news", page=1)]
    assert urls == [SITE + "/markets/news/y-124022800875_1.html", SITE + "/markets/news/page-2"]


def test_redirects_to_other_domains_are_refused(tmp_path: Path) -> None:
    from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
    from scrapy.exceptions import IgnoreRequest

    spider = make_spider(LatestSpider, tmp_path)
    offsite = OffsiteMiddleware.from_crawler(spider.crawler)
    offsite.spider_opened(spider)
    redirect = RedirectMiddleware.from_crawler(spider.crawler)
    feed = list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=_rss(("/india-news/new-124022800875_1.html", "Wed, 28 Feb 2024 19:00:00 +0530")))))
    (request,) = feed
    assert offsite.process_request(request, spider) is None
    moved = HtmlResponse(request.url, status=302, headers={"Location": "https://evil.example/phish-124022800875_1.html"}, request=request)
    followed = redirect.process_response(request, moved, spider)
    assert isinstance(followed, Request) and followed.url.startswith("https://evil.example/")
    with pytest.raises(IgnoreRequest):
        offsite.process_request(followed, spider)
