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
    body = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_bytes()
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
    assert spider.crawler.stats.get_value("bs/discovery/source_failed/cut") == 1


def test_off_site_links_are_never_followed(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    feed = '<rss><channel><item><link>https://evil.example/india-news/x-124022800873_1.html</link></item></channel></rss>'.encode()
    assert list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed))) == []
    assert spider.crawler.stats.get_value("bs/discovery/offsite") == 1


def test_archive_keeps_to_its_months_and_days(tmp_path: Path) -> None:
    spider = make_spider(ArchiveSpider, tmp_path, since="2024-02-26", until="2024-03-03")
    index = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{SITE}/sitemap/2024-january-1.xml</loc></sitemap><sitemap><loc>{SITE}/sitemap/2024-february-1.xml</loc></sitemap>
      <sitemap><loc>{SITE}/sitemap/2024-march-1.xml</loc></sitemap><sitemap><loc>{SITE}/sitemap/2024-april-1.xml</loc></sitemap></sitemapindex>""".encode()
    # The monthly sitemaps are read one after another: the first now, the others when it is done.
    (first,) = spider.parse_source(XmlResponse(SITE + "/sitemap/sitemap-index.xml", body=index))
    wanted = [url.rsplit("/", 1)[1] for url in [first.url, *(r.url for r in spider.sitemaps_ahead)]]
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
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="3")
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


# --- sources that answer nothing readable, loops, identity ---------------------------------------------


def _index(*paths: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{SITE}{p}</loc></sitemap>" for p in paths)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def _response(url: str, body: bytes, depth: int = 0, cls: type = XmlResponse) -> Any:
    return cls(url, body=body, request=Request(url, meta={"bs_source_depth": depth}))


def test_a_sitemap_that_lists_only_itself_is_a_failed_source(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    url = SITE + "/sitemap/google-news-sitemap.xml"
    assert spider.root_source(url) is not None
    assert list(spider.parse_source(_response(url, _index("/sitemap/google-news-sitemap.xml")))) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/source_repeated") == 1
    assert stats.get_value("bs/discovery/source_failed/loop") == 1 and not stats.get_value("bs/discovery/sources_read")
    # The same answer again (queued twice) is not read twice.
    assert list(spider.parse_source(_response(url, _index("/sitemap/other.xml")))) == []
    assert stats.get_value("bs/discovery/source_repeated") == 2


def test_indexes_are_followed_to_a_bounded_depth(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    spider.max_source_depth = 2
    (child,) = spider.parse_source(_response(SITE + "/sitemap/a.xml", _index("/sitemap/b.xml"), depth=1))
    assert child.meta["bs_source_depth"] == 2 and child.meta["download_maxsize"] == 50 * 1024 * 1024
    assert list(spider.parse_source(_response(SITE + "/sitemap/b.xml", _index("/sitemap/c.xml"), depth=2))) == []
    assert spider.crawler.stats.get_value("bs/discovery/source_too_deep") == 1


def test_sources_per_run_are_bounded(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    spider.visited_sources.limit = 3
    requests = list(spider.parse_source(_response(SITE + "/sitemap/i.xml", _index(*(f"/sitemap/{n}.xml" for n in range(5))))))
    assert len(requests) == 3 and spider.crawler.stats.get_value("bs/discovery/source_limit") == 2


@pytest.mark.parametrize(
    ("url", "body", "cls", "reason"),
    [
        (SITE + "/latest-news", b"<html><body><a href='/markets/news'>Markets</a></body></html>", HtmlResponse, "no-article-links"),
        (SITE + "/sitemap/google-news-sitemap.xml", b"<html><body>Down for maintenance</body></html>", HtmlResponse, "not-xml"),
        (SITE + "/rss/latest.rss", b"<html><body>Down for maintenance</body></html>", HtmlResponse, "not-xml"),
    ],
)
def test_a_source_that_answered_nothing_readable_is_a_failed_source(tmp_path: Path, url: str, body: bytes, cls: type, reason: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    assert list(spider.parse_source(_response(url, body, cls=cls))) == []
    stats = spider.crawler.stats
    assert stats.get_value(f"bs/discovery/source_failed/{reason}") == 1 and not stats.get_value("bs/discovery/sources_read")
    assert stats.get_value("bs/discovery/failed_sources") == [f"{url} ({reason})"]


def test_a_salvaged_feed_counts_as_read_and_salvaged(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    feed = _rss(("/india-news/new-124022800875_1.html", "Wed, 28 Feb 2024 19:00:00 +0530")).replace(b"<item>", b"<item><title>a&nbsp;b</title>")
    assert len(list(spider.parse_source(XmlResponse(SITE + "/rss/latest.rss", body=feed)))) == 1
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/source_salvaged") == 1 and stats.get_value("bs/discovery/sources_read") == 1


def test_a_canonical_url_with_another_id_keeps_the_fetched_id(tmp_path: Path) -> None:
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + SEED.path)
    fetched = SITE + "/india-news/a-different-article-124030100001_1.html"
    (article,) = spider.parse_article(seed_response(fetched))
    assert article.articleId == "124030100001" and article.canonicalUrl and "124022800873" in article.canonicalUrl
    assert spider.crawler.stats.get_value("article/canonical-mismatch") == 1
    (same,) = spider.parse_article(seed_response())
    assert same.articleId == "124022800873" and spider.crawler.stats.get_value("article/canonical-mismatch") == 1


@pytest.mark.parametrize("kind", ["urlset", "sitemapindex"])
def test_links_that_cannot_be_fetched_are_left_out_not_raised(tmp_path: Path, kind: str) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    tag = "url" if kind == "urlset" else "sitemap"
    locs = [
        "http://[::1/a/x-124022800873_1.html",
        "http://www.business-standard.com:99999/a/x-124022800874_1.html",
        "ftp://www.business-standard.com/a/x-124022800875_1.html",
        "https://evil.example/a/x-124022800877_1.html" if kind == "urlset" else "https://evil.example/sitemap/2024-february-1.xml",
        f"{SITE}/a/good-124022800876_1.html" if kind == "urlset" else f"{SITE}/sitemap/2024-february-1.xml",
    ]
    entries = "".join(f"<{tag}><loc>{loc}</loc></{tag}>" for loc in locs)
    body = f'<{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{kind}>'.encode()
    requests = list(spider.parse_source(_response(SITE + "/sitemap/mixed.xml", body)))
    assert [r.url for r in requests] == [locs[-1]]
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/unusable_url") == 3 and stats.get_value("bs/discovery/offsite") == 1


def test_a_listing_with_broken_links_keeps_the_good_ones(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    html = f'<html><body><a href="http://[::1/x-124022800873_1.html">x</a><a href="{SITE}/a/good-124022800876_1.html">y</a></body></html>'
    requests = list(spider.parse_source(_response(SITE + "/latest-news", html.encode(), cls=HtmlResponse)))
    assert [r.url for r in requests] == [f"{SITE}/a/good-124022800876_1.html"]


def test_a_section_ends_at_a_page_past_its_end_not_a_failed_source(tmp_path: Path) -> None:
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    empty = b"<html><body><a href='/markets/news'>Markets</a></body></html>"
    assert list(spider.parse_section(_response(SITE + "/markets/news/page-3", empty, cls=HtmlResponse), section="markets/news", page=3)) == []
    stats = spider.crawler.stats
    assert stats.get_value("bs/discovery/listing_end") == 1 and not stats.get_value("bs/discovery/source_failed/no-article-links")
    for status, ended in ((404, 2), (410, 3), (503, 3)):
        request = Request(f"{SITE}/markets/news/page-{status}")
        failure = Failure(HttpError(HtmlResponse(request.url, status=status, request=request), "ignored"))
        failure.request = request  # type: ignore[attr-defined]
        spider.next_page_failed(failure)
        assert stats.get_value("bs/discovery/listing_end") == ended
    assert stats.get_value("bs/discovery/source_failed/http-503") == 1
    # The first page of a section without article links is a failed source.
    assert list(spider.parse_section(_response(SITE + "/markets/news", empty, cls=HtmlResponse), section="markets/news", page=1)) == []
    assert stats.get_value("bs/discovery/source_failed/no-article-links") == 1


def test_a_story_on_the_hindi_edition_keeps_its_own_id_scheme(tmp_path: Path) -> None:
    # An English-style 12-digit URL on the Hindi host: the id is hi-<N>, as the extraction gives it.
    url = "https://hindi.business-standard.com/india-news/a-story-124022800873_1.html"
    spider = make_spider(ArticleSpider, tmp_path, url=url)
    (article,) = spider.parse_article(seed_response(url))
    assert article.articleId == "hi-124022800873"
    assert spider.crawler.stats.get_value("article/canonical-mismatch") is None
