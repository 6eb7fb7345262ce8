"""Settings and arguments as people type them: a site root with a path, a query or a port no socket takes,
two URLs in the one-URL argument, a setting given on the command line for a part of the crawler left off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from crawler.monitoring.verdict import EXIT_USAGE
from crawler.spiders.article import ArticleSpider
from tests.e2e import scrapy
from tests.loopback.site import LoopbackSite


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=17) as running:
        yield running


def _refused_before_any_request(done: object, site: LoopbackSite, *words: str) -> str:
    import subprocess

    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]
    assert sum(site.counts.values()) == 0
    return str(lines[0])


# --- BS_BASE_URL: the site's root, nothing else ------------------------------------------------


# (a value, what the one line must hold). Before: a port no socket takes, or a URL that does not parse,
# was Scrapy's "Error while reading start items" traceback, exit 1; a query or fragment made every
# source's URL another (".../?x=1/rss/latest.rss" is the home page with a query): the run read the
# listing alone, 30 of 70 articles, and said ok (exit 0); a path (a page's URL pasted for the root)
# put every source under it, each a 404, exit 1 as if the site had failed.
WRONG_ROOTS = [
    ("http://127.0.0.1:99999", "no usable port"),
    ("http://127.0.0.1:abc", "no usable port"),
    ("http://127.0.0.1:0", "no usable port"),
    ("http://[::1", "is not an http(s) URL"),
    ("https://www.business-standard.com?utm=x", "a query"),
    ("https://www.business-standard.com/?utm=x", "a query"),
    ("https://www.business-standard.com#top", "a fragment"),
    ("https://www.business-standard.com/latest-news", "a path"),
    ("https://www.business-standard.com/markets/news/", "a path"),
]


@pytest.mark.parametrize(("value", "words"), WRONG_ROOTS)
def test_a_site_root_that_is_no_root_is_named(value: str, words: str) -> None:
    from crawler.spiders.base import base_url_problem

    problem = base_url_problem(value)
    assert problem is not None and words in problem and repr(value) in problem and "\n" not in problem


@pytest.mark.parametrize(
    "value",
    ["https://www.business-standard.com", "https://www.business-standard.com/", "HTTPS://WWW.Business-Standard.com",
     "http://127.0.0.1:8000", " https://www.business-standard.com ", "http://[::1]:8000/"],
)
def test_a_site_root_as_people_write_it_is_taken(value: str) -> None:
    from crawler.spiders.base import base_url_problem

    assert base_url_problem(value) is None


@pytest.mark.parametrize("suffix", [":99999", "?x=1", "#top", "/latest-news"])
def test_the_command_refuses_a_site_root_that_is_no_root(site: LoopbackSite, tmp_path: Path, suffix: str) -> None:
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}{suffix}")
    _refused_before_any_request(done, site, "BS_BASE_URL=")


# --- -a url=: one URL ---------------------------------------------------------------------------


# Before: `-a url=A,B` (the -a urls= list given to url=) was one request for the URL "A,B": the site
# served B by the id at its end, and the item of B was written with "A,B" for its url; A was never
# fetched (exit 0). A url_file line of two URLs was the same.
TWO_URLS = [
    "https://www.business-standard.com/markets/news/a-124022800873_1.html,https://www.business-standard.com/markets/news/b-124022800874_1.html",
    "https://www.business-standard.com/markets/news/a-124022800873_1.html, https://www.business-standard.com/markets/news/b-124022800874_1.html",
    "https://www.business-standard.com/markets/news/a-124022800873_1.html,HTTP://www.business-standard.com/markets/news/b-124022800874_1.html",
    "https://www.business-standard.com/markets/news/a-124022800873_1.html;https://www.business-standard.com/markets/news/b-124022800874_1.html",
]


@pytest.mark.parametrize("value", TWO_URLS)
def test_two_urls_in_the_one_url_argument_are_refused(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        ArticleSpider.check_usage({"url": value}, Settings())
    assert "several URLs" in str(caught.value) and "-a urls=" in str(caught.value)


def test_two_urls_on_one_line_of_a_url_file_are_refused(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(TWO_URLS[0] + "\n")
    with pytest.raises(UsageError) as caught:
        ArticleSpider.check_usage({"url_file": str(listing)}, Settings())
    assert "several URLs" in str(caught.value)


def test_a_comma_inside_one_url_is_still_one_url() -> None:
    ArticleSpider.check_usage({"url": "https://www.business-standard.com/markets/news/a,b-124022800873_1.html"}, Settings())


def test_the_command_refuses_two_urls_in_url(site: LoopbackSite, tmp_path: Path) -> None:
    first, second = site.articles[-1], site.articles[-2]
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{first.path},{site.base_url}{second.path}",
                  "-s", f"BS_BASE_URL={site.base_url}")
    _refused_before_any_request(done, site, "several URLs", "-a urls=")


# --- a setting given for a part of the crawler that is off -------------------------------------


# (the -s given, the switch it needs). Before: each was taken without a word and did nothing: no block
# retried through Splash, no shared rate limit on the site, no start ping, no Spidermon action (exit 0).
INERT = [
    ({"BS_SPLASH_ON_BLOCK": "1"}, "SPLASH_URL"),
    ({"BS_SPLASH_WAIT": "3"}, "SPLASH_URL"),
    ({"BS_SPLASH_TIMEOUT": "30"}, "SPLASH_URL"),
    ({"BS_SPLASH_MAX_FAILED_SHARE": "0.1"}, "SPLASH_URL"),
    ({"BS_SPLASH_RESTART_WAIT": "60"}, "SPLASH_URL"),
    ({"BS_SITE_MAX_RATE": "2"}, "REDIS_URL"),
    ({"BS_SITE_MAX_CONCURRENCY": "4"}, "REDIS_URL"),
    ({"BS_REDIS_RUN": "nightly"}, "REDIS_URL"),
    ({"BS_REDIS_PREFIX": "test"}, "REDIS_URL"),
    ({"BS_REDIS_IDLE_SECONDS": "60"}, "REDIS_URL"),
    ({"BS_REDIS_TIMEOUT": "10"}, "REDIS_URL"),
    ({"BS_REDIS_RUNS_KEPT": "10"}, "REDIS_URL"),
    ({"BS_REDIS_DEFAULT_FEED": "out/%(worker)s.jsonl"}, "REDIS_URL"),
    ({"BS_HEARTBEAT_START": "1"}, "BS_HEARTBEAT_URL"),
    ({"BS_HEARTBEAT_TIMEOUT": "3"}, "BS_HEARTBEAT_URL"),
    ({"BS_SPIDERMON_FAILED_ACTIONS": "spidermon.contrib.actions.email.smtp.SendSmtpEmail"}, "SPIDERMON_ENABLED"),
    ({"BS_SPIDERMON_FINISHED_ACTIONS": "spidermon.contrib.actions.email.smtp.SendSmtpEmail"}, "SPIDERMON_ENABLED"),
    ({"BS_SPIDERMON_SMTP_TIMEOUT": "5"}, "SPIDERMON_ENABLED"),
    ({"BS_RUN_HISTORY": "0", "BS_RUN_HISTORY_CHECKPOINT": "5"}, "BS_RUN_HISTORY"),
    ({"HTTPCACHE_DIR": "/data/bs-cache"}, "HTTPCACHE_ENABLED"),
    # A crawl meant to be served from the cache alone fetched every page from the site.
    ({"HTTPCACHE_IGNORE_MISSING": "1"}, "HTTPCACHE_ENABLED"),
    ({"HTTPCACHE_ENABLED": "0", "HTTPCACHE_GZIP": "1"}, "HTTPCACHE_ENABLED"),
]


def _project_settings(given: dict[str, str]) -> tuple[Settings, dict[str, object]]:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    replaced = {name: settings.get(name) for name in given}
    settings.setdict(given, priority="cmdline")
    return settings, replaced


@pytest.mark.parametrize(("given", "switch"), INERT)
def test_a_setting_of_a_part_left_off_is_refused(given: dict[str, str], switch: str) -> None:
    from crawler.commands.crawl import inert_setting_problem

    settings, replaced = _project_settings(given)
    problem = inert_setting_problem(given, replaced, settings)
    assert problem is not None and switch in problem and "\n" not in problem
    assert any(name in problem for name in given)


@pytest.mark.parametrize(
    "given",
    [
        {"BS_SPLASH_ON_BLOCK": "1", "SPLASH_URL": "http://127.0.0.1:8050"},
        {"BS_SITE_MAX_RATE": "2", "REDIS_URL": "redis://127.0.0.1:6379/0"},
        {"BS_HEARTBEAT_START": "1", "BS_HEARTBEAT_URL": "https://hc-ping.example/abc"},
        {"BS_SPIDERMON_SMTP_TIMEOUT": "5", "SPIDERMON_ENABLED": "1"},
        {"BS_RUN_HISTORY_CHECKPOINT": "5"},
        {"HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": "/data/bs-cache", "HTTPCACHE_IGNORE_MISSING": "True"},
        {"HTTPCACHE_IGNORE_MISSING": "0"},
        # What changes nothing asks for nothing (a wrapper that always passes it off).
        {"BS_SPLASH_ON_BLOCK": "0"},
        {"BS_SPLASH_ON_BLOCK": "False"},
        {"BS_SITE_MAX_RATE": "0"},
        {"BS_HEARTBEAT_START": "false"},
        {"BS_SPIDERMON_FAILED_ACTIONS": ""},
        # Names the worker in an -o placeholder of any run.
        {"BS_WORKER_NAME": "box-1"},
    ],
)
def test_a_setting_of_a_part_switched_on_or_changing_nothing_is_taken(given: dict[str, str]) -> None:
    from crawler.commands.crawl import inert_setting_problem

    settings, replaced = _project_settings(given)
    assert inert_setting_problem(given, replaced, settings) is None


@pytest.mark.parametrize(("given", "switch"), [INERT[0], INERT[5], INERT[13]])
def test_the_command_refuses_a_setting_of_a_part_left_off(site: LoopbackSite, tmp_path: Path, given: dict[str, str], switch: str) -> None:
    site.reset_counts()
    options = [part for name, value in given.items() for part in ("-s", f"{name}={value}")]
    done = scrapy(tmp_path, "crawl", "latest", *options, "-s", f"BS_BASE_URL={site.base_url}")
    _refused_before_any_request(done, site, switch, *given)


# --- BS_LATEST_SOURCES: paths on the site, or its URLs ------------------------------------------


# Before: each was a path under BS_BASE_URL ("/rss/markets-106.rss%20/latest-news",
# "/www.business-standard.com/latest-news"), a 404 at every run: with the other sources read, one ERROR
# line and exit 0, the source never read.
WRONG_SOURCES = [
    ("/rss/latest.rss,/rss/markets-106.rss /latest-news", "separate the sources with commas"),
    ("/rss/latest.rss,/rss/markets-106.rss\t/latest-news", "separate the sources with commas"),
    ("/rss/latest.rss;/latest-news", "separate the sources with commas"),
    ("/rss/latest.rss,www.business-standard.com/latest-news", "without http(s)://"),
    ("/rss/latest.rss,business-standard.com/rss/latest.rss", "without http(s)://"),
    ("/rss/latest.rss,127.0.0.1:8000/rss/latest.rss", "without http(s)://"),
    ("/rss/latest.rss,ftp://www.business-standard.com/rss/latest.rss", "nor an http(s) URL"),
]


@pytest.mark.parametrize(("value", "words"), WRONG_SOURCES)
def test_a_source_that_is_no_path_on_the_site_is_refused(value: str, words: str) -> None:
    from crawler.spiders.latest import LatestSpider

    with pytest.raises(UsageError) as caught:
        LatestSpider.check_usage({}, Settings({"BS_BASE_URL": "https://www.business-standard.com", "BS_LATEST_SOURCES": value}))
    assert words in str(caught.value) and "BS_LATEST_SOURCES" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    ["/rss/latest.rss, /latest-news", "rss/latest.rss,latest-news", "https://www.business-standard.com/rss/latest.rss",
     "/rss/latest.rss?x=1", "/rss/latest.rss,", "sitemap/google-news-sitemap.xml"],
)
def test_sources_as_people_write_them_are_taken(value: str) -> None:
    from crawler.spiders.latest import LatestSpider

    LatestSpider.check_usage({}, Settings({"BS_BASE_URL": "https://www.business-standard.com", "BS_LATEST_SOURCES": value}))


def test_the_command_refuses_two_sources_a_space_apart(site: LoopbackSite, tmp_path: Path) -> None:
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "latest", "-s", "BS_LATEST_SOURCES=/rss/latest.rss,/rss/markets-106.rss /latest-news",
                  "-s", f"BS_BASE_URL={site.base_url}")
    _refused_before_any_request(done, site, "BS_LATEST_SOURCES", "commas")


# --- HTTPCACHE_DIR: a folder ----------------------------------------------------------------------


# Before: the cache could not store the page, and so every article failed ("other ([Errno 20] Not a
# directory: …)"), one ERROR line each, exit 1 as if the site had failed; the folder made in the
# project's .scrapy/ for a relative one. Now one error: line before anything is fetched, as for JOBDIR.
@pytest.mark.parametrize("where", ["file", "under-file", "relative"])
def test_a_cache_folder_that_is_a_file_is_refused(site: LoopbackSite, tmp_path: Path, where: str) -> None:
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = crawler.settings\n")  # a project: .scrapy/ is its data folder
    blocker = tmp_path / ".scrapy" / "cache" if where == "relative" else tmp_path / "cache"
    blocker.parent.mkdir(exist_ok=True)
    blocker.write_text("not a folder\n")
    folder = {"file": str(blocker), "under-file": str(blocker / "bs"), "relative": "cache"}[where]
    article = site.articles[-1]
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{article.path}", "-s", f"BS_BASE_URL={site.base_url}",
                  "-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={folder}")
    _refused_before_any_request(done, site, "HTTPCACHE_DIR", str(blocker if where == "relative" else folder), "is a file")


def test_a_cache_folder_in_the_project_is_made_there(site: LoopbackSite, tmp_path: Path) -> None:
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = crawler.settings\n")
    article = site.articles[-1]
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{article.path}", "-s", f"BS_BASE_URL={site.base_url}",
                  "-s", "HTTPCACHE_ENABLED=1", "-s", "HTTPCACHE_DIR=bs-cache", "-O", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr[-2000:]
    # Scrapy keeps a relative one in the project's data folder, where the page is stored.
    assert not (tmp_path / "bs-cache").exists() and any((tmp_path / ".scrapy" / "bs-cache").rglob("response_body"))


# --- the project's settings module: its values are checked as -s values are ---------------------


# (an edit of crawler/settings.py, words of the line). Before: only -s values were checked; each of these,
# written in the settings module, was taken: a share of 20 (meant as 20 %) never failed a run, a
# negative limit or a coverage of 95 (meant as %) was read as it was, a feed close time of 0 failed
# every run's output (exit 6) with no word of the setting (the run itself went on: exit 0 here).
EDITS = [
    ("BS_MAX_INVALID_SHARE = 20", "is a share"),
    ("BS_MAX_BLOCKED_SHARE = 50", "is a share"),
    ("BS_MAX_SOURCES = -5", "must not be negative"),
    ('BS_MIN_FIELD_COVERAGE = {"headline": 95}', "a share from 0 to 1"),
    ("BS_PROGRESS_INTERVAL = float('nan')", "finite"),
    ("BS_REDIS_TIMEOUT = 0", "above 0"),
]


def _own_settings(tmp_path: Path, edit: str) -> dict[str, str]:
    import os

    from tests.conftest import ROOT

    (tmp_path / "mysettings.py").write_text(f"from crawler.settings import *  # noqa: F403\n{edit}\n")
    return {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "SCRAPY_SETTINGS_MODULE": "mysettings"}


@pytest.mark.parametrize(("edit", "words"), EDITS)
def test_a_wrong_value_in_the_settings_module_is_refused(site: LoopbackSite, tmp_path: Path, edit: str, words: str) -> None:
    import subprocess
    import sys

    site.reset_counts()
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}"], cwd=tmp_path,
                          env=_own_settings(tmp_path, edit), capture_output=True, text=True, timeout=120)
    line = _refused_before_any_request(done, site, "mysettings", edit.split(" =")[0], words)
    assert line.startswith("error: in mysettings: ")


def test_the_settings_module_as_it_is_is_taken(site: LoopbackSite, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_MAX_SOURCES=2",
                           "-O", str(tmp_path / "out.jsonl")],
                          cwd=tmp_path, env=_own_settings(tmp_path, "BS_MAX_INVALID_SHARE = 0.3"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


# Before: Scrapy switched AutoThrottle off for it with one WARNING, and the run went at full concurrency
# with no delay between requests to the site (exit 0).
@pytest.mark.parametrize("value", ["0", "0.0"])
def test_an_autothrottle_target_of_zero_is_refused(value: str) -> None:
    from crawler.commands.crawl import setting_problems

    given = {"AUTOTHROTTLE_TARGET_CONCURRENCY": value}
    settings, replaced = _project_settings(given)
    problems = setting_problems(given, replaced, settings)
    assert "above 0" in problems.get("AUTOTHROTTLE_TARGET_CONCURRENCY", "")


# Before: with SCRAPY_SETTINGS_MODULE from the environment and no scrapy.cfg where the run starts (a cron
# line's cd to the output folder), Scrapy's cache found no project folder for a relative HTTPCACHE_DIR
# and switched itself off without a word: the run said ok, no page was stored for reextract.
def test_a_relative_cache_folder_outside_a_project_is_refused(site: LoopbackSite, tmp_path: Path) -> None:
    article = site.articles[-1]
    site.reset_counts()
    done = scrapy(tmp_path, "crawl", "article", "-a", f"url={site.base_url}{article.path}", "-s", f"BS_BASE_URL={site.base_url}",
                  "-s", "HTTPCACHE_ENABLED=1", "-s", "HTTPCACHE_DIR=bs-cache")
    _refused_before_any_request(done, site, "HTTPCACHE_DIR", "scrapy.cfg", "absolute path")
