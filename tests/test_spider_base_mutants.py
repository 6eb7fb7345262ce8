"""The spiders' shared base: site hosts, URLs on the site, JSON answers, redirects, argument names and the default feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.spiders.archive import ArchiveSpider
from crawler.spiders.article import ArticleSpider
from crawler.spiders.base import BusinessStandardSpider, looks_like_json, on_hosts, requested_url, require, site_hosts
from crawler.spiders.latest import LatestSpider
from tests.conftest import SITE
from tests.test_spiders_unit import make_spider


@pytest.mark.parametrize(
    ("url", "on"),
    [
        ("https://www.business-standard.com/a", True),
        ("https://business-standard.com/a", True),
        ("https://m.bshindi.com/a", True),
        ("https://evilbusiness-standard.com/a", False),
        ("https://business-standard.com.evil.example/a", False),
        ("not a url", False),
    ],
)
def test_on_hosts_takes_a_host_and_those_below_it_only(url: str, on: bool) -> None:
    assert on_hosts(url, ["business-standard.com", "bshindi.com"]) is on


def test_site_hosts_are_the_base_urls_host_and_the_sites_domains() -> None:
    assert site_hosts(Settings({"BS_BASE_URL": "http://127.0.0.1:8080/"})) == {"127.0.0.1", "business-standard.com", "bshindi.com"}
    assert site_hosts(None) == {"www.business-standard.com", "business-standard.com", "bshindi.com"}
    assert site_hosts(Settings({"BS_BASE_URL": ""})) == {"business-standard.com", "bshindi.com"}


@pytest.mark.parametrize(
    ("body", "json"),
    [
        (b'{"error": "gone"}', True),
        (b"\xef\xbb\xbf \r\n [1, 2]", True),
        (b'{"error": ', False),
        (b"<html>{}</html>", False),
        (b"", False),
    ],
)
def test_a_body_is_json_only_when_it_parses_as_an_object_or_array(body: bytes, json: bool) -> None:
    assert looks_like_json(body) is json


def test_the_requested_url_is_the_first_of_a_redirect_chain() -> None:
    first, middle, last = "https://x.example/a", "https://x.example/b", "https://x.example/c"
    request = Request(last, meta={"redirect_urls": [first, middle]})
    assert requested_url(HtmlResponse(last, body=b"", request=request)) == first
    assert requested_url(HtmlResponse(last, body=b"", request=Request(last))) == last
    assert requested_url(HtmlResponse(last, body=b"")) == last


def test_require_raises_a_usage_error_only_when_the_condition_fails() -> None:
    require(True, "never")
    with pytest.raises(UsageError, match="^wrong$"):
        require(False, "wrong")


def test_site_url_joins_paths_to_the_configured_root_and_keeps_whole_urls(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    root = spider.base_url
    assert spider.site_url(" /rss/latest.rss ") == root + "/rss/latest.rss"
    assert spider.site_url("rss/latest.rss") == root + "/rss/latest.rss"
    assert spider.site_url(" HTTPS://Other.example/feed ") == "HTTPS://Other.example/feed"
    assert spider.is_on_site(root + "/x") and not spider.is_on_site("https://other.example/x")


def test_the_base_url_loses_its_trailing_slash_and_its_host_is_allowed(tmp_path: Path) -> None:
    crawler = get_crawler(LatestSpider, {"BS_BASE_URL": "http://127.0.0.1:9/", "BS_STATE_DIR": str(tmp_path)})
    spider = LatestSpider.from_crawler(crawler)
    assert spider.base_url == "http://127.0.0.1:9"
    assert spider.allowed_domains == ["127.0.0.1", "bshindi.com", "business-standard.com"]


def test_known_arguments_gather_the_bases_names_once_and_none_means_unchecked() -> None:
    assert ArchiveSpider.known_arguments() == ("fresh", "since", "until")
    assert BusinessStandardSpider.known_arguments() is None
    BusinessStandardSpider.check_usage({"anything": "goes"})


def test_a_spider_without_arguments_says_so_and_scheduler_arguments_pass() -> None:
    class Bare(BusinessStandardSpider):
        name = "bare"
        arguments = ()

    with pytest.raises(UsageError, match=r"^bare: unknown argument\(s\) a, b; it takes no -a arguments$"):
        Bare.check_usage({"b": "1", "a": "2", "_job": "3"})
    Bare.check_usage({"_job": "3"})


def test_the_default_feed_applies_only_without_feeds_of_the_users() -> None:
    settings = Settings({"BS_DEFAULT_FEED": "out/%(name)s.jsonl"})
    ArticleSpider.update_settings(settings)
    assert settings.getdict("FEEDS") == {"out/%(name)s.jsonl": {"format": "jsonlines", "encoding": "utf8"}}
    mine = Settings({"BS_DEFAULT_FEED": "out/%(name)s.jsonl", "FEEDS": {"mine.jsonl": {"format": "jsonlines"}}})
    ArticleSpider.update_settings(mine)
    assert mine.getdict("FEEDS") == {"mine.jsonl": {"format": "jsonlines"}}
    none = Settings({"BS_DEFAULT_FEED": ""})
    ArticleSpider.update_settings(none)
    assert none.getdict("FEEDS") == {}


# --- the article callback after a redirect, and an article request that failed -----------------------


def redirected(spider_url: str, final_url: str, tmp_path: Path) -> tuple[list[Any], Any]:
    from tests.test_spider_probes import SEED_BODY

    spider = make_spider(ArticleSpider, tmp_path, url=spider_url)
    request = Request(final_url, meta={"redirect_urls": [spider_url]})
    response = HtmlResponse(final_url, body=SEED_BODY, encoding="utf-8", headers={"Content-Type": "text/html; charset=utf-8"}, request=request)
    return list(spider.parse_article(response)), spider.crawler.stats


def test_an_article_redirected_away_from_its_id_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from tests.test_spider_probes import SEED_URL

    items, stats = redirected(SEED_URL, SITE + "/", tmp_path)
    assert items == [] and stats.get_value("bs/skipped/redirected-away") == 1
    assert f"Skipped <{SEED_URL}>: the article redirected to <{SITE}/>" in caplog.messages


def test_an_article_redirected_to_another_address_of_itself_is_read(tmp_path: Path) -> None:
    from tests.test_spider_probes import SEED_URL

    items, stats = redirected(SEED_URL.replace("https://", "http://", 1), SEED_URL, tmp_path)
    assert [item.url for item in items] == [SEED_URL] and stats.get_value("bs/skipped/redirected-away") is None


def test_an_address_without_an_id_redirected_to_an_article_is_read(tmp_path: Path) -> None:
    from tests.test_spider_probes import SEED_URL

    items, stats = redirected(SITE + "/amp-short-link", SEED_URL, tmp_path)
    assert len(items) == 1 and stats.get_value("bs/skipped/redirected-away") is None


def test_a_failed_article_request_is_counted_by_its_kind(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from twisted.internet.error import TimeoutError as ConnectTimeout
    from twisted.python.failure import Failure

    from crawler.middlewares import OffsiteRedirect

    spider = make_spider(ArticleSpider, tmp_path, url=SITE + "/a/x-124022800873_1.html")
    for error in (OffsiteRedirect("https://elsewhere.example/"), ConnectTimeout()):
        failure = Failure(error)
        failure.request = Request(SITE + "/a/x-124022800873_1.html")  # type: ignore[attr-defined]
        spider.article_failed(failure)
    stats = spider.crawler.stats
    assert stats.get_value("bs/failed/offsite-redirect") == 1 and stats.get_value("bs/failed/timeout") == 1
    assert f"Failed <{SITE}/a/x-124022800873_1.html>: redirected off the site to <https://elsewhere.example/>" in caplog.messages
