"""Near variants of round 17's settings and argument checks: a second URL without its scheme run on after
the first, a protocol-relative source, a number written as text in the settings module."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from crawler.spiders.article import ArticleSpider
from crawler.spiders.latest import LatestSpider

FIRST = "https://www.business-standard.com/markets/news/a-124022800873_1.html"
SECOND = "www.business-standard.com/markets/news/b-124022800874_1.html"


# --- -a url=A,B with B as the address bar shows it ----------------------------------------------


# Before: taken, one request for "A,www…/b-…_1.html" (a path under A's host): the site served B by the id
# at its end, written with "A,B" for its url, A never fetched, exit 0. Only a second URL beginning
# http(s):// or file: was refused.
RUN_ON = [
    f"{FIRST},{SECOND}",
    f"{FIRST}, {SECOND}",
    f"{FIRST};{SECOND}",
    f"{FIRST},business-standard.com/markets/news/b-124022800874_1.html",
    "http://127.0.0.1:8000/markets/news/a-124022800873_1.html,127.0.0.1:8000/markets/news/b-124022800874_1.html",
    "http://localhost:8000/markets/news/a-124022800873_1.html,localhost:8000/markets/news/b-124022800874_1.html",
]


@pytest.mark.parametrize("value", RUN_ON)
def test_a_second_url_without_its_scheme_is_refused(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        ArticleSpider.check_usage({"url": value}, Settings())
    assert "several URLs" in str(caught.value)


def test_a_url_file_line_of_two_urls_without_the_second_scheme_is_refused(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{FIRST},{SECOND}\n")
    with pytest.raises(UsageError) as caught:
        ArticleSpider.check_usage({"url_file": str(listing)}, Settings())
    assert "several URLs" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        "https://www.business-standard.com/markets/news/a,b-124022800873_1.html",
        "https://www.business-standard.com/markets/news/q3,fy24.results-124022800873_1.html",
        f"{FIRST}?utm_source=a,b",
    ],
)
def test_a_comma_inside_one_url_is_still_one_url(value: str) -> None:
    ArticleSpider.check_usage({"url": value}, Settings())


def test_the_command_refuses_a_second_url_without_its_scheme(tmp_path: Path) -> None:
    from crawler.monitoring.verdict import EXIT_USAGE
    from tests.e2e import scrapy
    from tests.loopback.site import LoopbackSite

    with LoopbackSite(articles=3, seed=7) as site:
        first, second = site.articles[-1], site.articles[-2]
        host = site.base_url.split("://", 1)[1]
        done = scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{first.path},{host}{second.path}", "-s", f"BS_BASE_URL={site.base_url}")
        assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
        assert done.stderr.startswith("error: ") and "several URLs" in done.stderr and "Traceback" not in done.stderr
        assert sum(site.counts.values()) == 0


# --- BS_LATEST_SOURCES: a URL as an href writes it ------------------------------------------------


# Before: "//www.business-standard.com/rss/latest.rss" (a page's href, protocol-relative) began with a
# slash and was taken as a path: ".../www.business-standard.com/rss/latest.rss" under BS_BASE_URL, a 404
# at every run, one ERROR line, exit 0 with the other sources read.
@pytest.mark.parametrize(
    "value",
    ["/latest-news,//www.business-standard.com/rss/latest.rss", "//hindi.business-standard.com/rss/latest.rss", "//127.0.0.1:8000/rss/latest.rss"],
)
def test_a_protocol_relative_source_is_refused(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        LatestSpider.check_usage({}, Settings({"BS_BASE_URL": "https://www.business-standard.com", "BS_LATEST_SOURCES": value}))
    assert "BS_LATEST_SOURCES" in str(caught.value) and "http(s)://" in str(caught.value)


# Before: an entry beginning https:// was judged by its host alone, so a second source run on after it
# (a space, a tab or a semicolon apart) was taken: one URL with "%20/latest-news" in its path, a 404 at
# every run, exit 0, neither source read. A path then a whole URL a semicolon apart was named as "neither
# a path nor an http(s) URL".
@pytest.mark.parametrize(
    "value",
    [
        "https://www.business-standard.com/rss/latest.rss /latest-news",
        "https://www.business-standard.com/rss/latest.rss\t/latest-news",
        "https://www.business-standard.com/rss/latest.rss;/latest-news",
        "https://www.business-standard.com/rss/latest.rss https://www.business-standard.com/latest-news",
        "https://www.business-standard.com/rss/latest.rss;https://www.business-standard.com/latest-news",
        "/rss/latest.rss;https://www.business-standard.com/latest-news",
    ],
)
def test_two_sources_beside_a_whole_url_are_refused(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        LatestSpider.check_usage({}, Settings({"BS_BASE_URL": "https://www.business-standard.com", "BS_LATEST_SOURCES": value}))
    assert "separate the sources with commas" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    ["https://www.business-standard.com/rss/latest.rss", "https://www.business-standard.com/rss/latest.rss;jsessionid=1",
     "HTTPS://www.business-standard.com/latest-news, /rss/latest.rss"],
)
def test_whole_urls_as_people_write_them_are_taken(value: str) -> None:
    LatestSpider.check_usage({}, Settings({"BS_BASE_URL": "https://www.business-standard.com", "BS_LATEST_SOURCES": value}))


# --- the settings module: a number written as text --------------------------------------------------


def _module_settings(name: str, value: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set(name, value, priority="project")
    return settings


# Before: a value of the settings module was judged as its own kind, so text (a module of one's own
# reading os.environ, as a container sets it; Scrapy's SCRAPY_BS_… environment settings) was judged as
# text: "20" for a share never failed a run, "-5" sources was read as -5, "0" a non-blocking Redis socket.
@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("BS_MAX_INVALID_SHARE", "20", "is a share"),
        ("BS_MAX_SOURCES", "-5", "must not be negative"),
        ("BS_REDIS_TIMEOUT", "0", "above 0"),
        ("BS_PROGRESS_INTERVAL", "nan", "finite"),
        ("BS_FRESH", "maybe", "true or false"),
        ("BS_MIN_FIELD_COVERAGE", '{"headline": 95}', "a share from 0 to 1"),
    ],
)
def test_a_wrong_value_written_as_text_in_the_settings_module_is_refused(name: str, value: str, words: str) -> None:
    from crawler.commands.crawl import settings_module_problem

    problem = settings_module_problem(_module_settings(name, value), set())
    assert problem is not None and name in problem and words in problem


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BS_MAX_INVALID_SHARE", "0.3"),
        ("BS_MAX_FAILED_SOURCES", "-1"),
        ("BS_MAX_FAILED_SOURCES", -1),
        ("BS_MAX_SOURCES", "0"),
        ("BS_FRESH", "0"),
        ("BS_LATEST_SOURCES", "/rss/latest.rss,/latest-news"),
        ("BS_STATE_DIR", Path("/var/lib/bs")),
        ("BS_WORKER_NAME", "box-1"),
    ],
)
def test_a_right_value_written_as_text_in_the_settings_module_is_taken(name: str, value: object) -> None:
    from crawler.commands.crawl import settings_module_problem

    assert settings_module_problem(_module_settings(name, value), set()) is None
