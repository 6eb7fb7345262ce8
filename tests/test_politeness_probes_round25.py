"""Probes of how the crawler keeps to what the site's robots.txt asks: rules written with a byte-order mark, and a robots.txt that cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from crawler import stats as stat
from crawler.middlewares import RobotsTxtFailureMiddleware, RobotsTxtMiddleware, RobotsTxtUnreachable
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK
from crawler.spiders.article import ArticleSpider
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.loopback.site import Response as SiteResponse
from tests.test_network_probes_round9 import SITE, _call
from tests.test_politeness_probes_round19 import _article_gaps, _timed_site
from tests.test_spiders_unit import make_spider

BOM = "\ufeff"

# --- robots.txt saved with a byte-order mark (a Windows editor's UTF-8), CRLF line ends or not --------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_crawl_delay_in_a_robots_txt_with_a_byte_order_mark_is_held_to(tmp_path: Path, newline: str) -> None:
    # Before: the Crawl-delay was read from the body with its mark, so the first line, "User-agent: *",
    # was no line Protego knew, the group's Crawl-delay no one's: the articles were asked all at once.
    with LoopbackSite(articles=3, seed=25) as site:
        asked = _timed_site(site, "Crawl-delay: 0.6\n")
        served = site._robots
        site._robots = lambda: (BOM + served()).replace("\n", newline)  # type: ignore[method-assign]
        urls = ",".join(record.url for record in site.articles[:3])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url})
    assert result.status == EXIT_OK and len(result.items) == 3, result.log[-3000:]
    gaps = _article_gaps(asked)
    assert len(gaps) == 2 and min(gaps) >= 0.6 * 0.9, gaps
    assert stats_from_log(result.log).get(stat.ROBOTSTXT_CRAWL_DELAY_MS) == 600


@pytest.mark.parametrize("group", ["*", "bs-crawler"])
def test_a_robots_txt_with_a_byte_order_mark_that_shuts_us_out_is_obeyed(tmp_path: Path, group: str) -> None:
    # Before, on Scrapy 2.13 (which reads robots.txt as UTF-8 with the mark kept): the first group's
    # "User-agent" line was not read, its rules no one's, and every article was fetched from a site
    # whose robots.txt disallowed us. Scrapy 2.14 and later drop the mark themselves.
    with LoopbackSite(articles=2, seed=25) as site:
        site._robots = lambda: f"{BOM}User-agent: {group}\nDisallow: /\n\nUser-agent: Googlebot-News\nDisallow: /stocks/\n"  # type: ignore[method-assign]
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url})
        fetched = site.article_requests()
    assert fetched == 0 and not result.items, result.log[-3000:]
    assert stats_from_log(result.log).get("robotstxt/forbidden") == 2
    assert "Traceback" not in result.log


# --- robots.txt that cannot be reached: RFC 9309 (2.3.1.4) "MUST assume complete disallow" ----------------

LATEST = {"BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "1", "BS_RATE_LIMIT_RETRIES": "1"}


@pytest.mark.parametrize(("fault", "why"), [("500", "HTTP 500"), ("503", "HTTP 503"), ("timeout", "timeout: "), ("reset", "connection: ")])
def test_a_robots_txt_that_cannot_be_reached_fetches_nothing_and_says_so(tmp_path: Path, fault: str, why: str) -> None:
    # Before: one WARNING, and the run went on as if robots.txt allowed everything: a server error or a
    # blip of the site had the run fetch every source and article, those its rules forbid too, exit 0.
    with LoopbackSite(articles=12, seed=25) as site:
        site.set_path_fault("/robots.txt", fault, argument=1)
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **LATEST})
        asked = dict(site.counts)
        site.clear_faults()
        again = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **LATEST})
    assert set(asked) == {"/robots.txt"}, asked
    # Asked again as any request is (RETRY_TIMES; a 503's Retry-After waited out first): a blip is no outage.
    assert asked["/robots.txt"] == (3 if fault == "503" else 2), asked
    assert result.status == EXIT_FAILED and not result.items, result.log[-3000:]
    # (Scrapy 2.13 gives retries up in an ERROR line of its own: it knows no RETRY_GIVE_UP_LOG_LEVEL.)
    errors = [line for line in result.log.splitlines() if " ERROR: " in line and not ("Run summary" in line or "Gave up retrying" in line)]
    assert len(errors) == 1 and f"robots.txt> could not be reached ({why}" in errors[0], errors
    assert "RFC 9309 has a crawler then fetch nothing from the site" in errors[0]
    assert "robots.txt could not be reached" in next(line for line in result.log.splitlines() if "Run summary" in line)
    stats = stats_from_log(result.log)
    assert stats.get(stat.ROBOTSTXT_UNREACHABLE) == 1 and "Traceback" not in result.log
    assert not [name for name in stats if name.startswith(("bs/discovery/source_failed", "bs/failed/"))], stats
    # Nothing was marked seen or failed: the next run, robots.txt back, fetches every article.
    assert again.status == EXIT_OK and len(again.items) == 12, again.log[-3000:]


def test_a_robots_txt_server_error_that_passes_at_the_retry_changes_nothing(tmp_path: Path) -> None:
    with LoopbackSite(articles=6, seed=25) as site:
        site.set_path_fault("/robots.txt", "500", times=1)
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **LATEST})
        asked = site.counts["/robots.txt"]
    assert result.status == EXIT_OK and len(result.items) == 6, result.log[-3000:]
    assert asked == 2 and stat.ROBOTSTXT_UNREACHABLE not in stats_from_log(result.log)


@pytest.mark.parametrize(("status", "body"), [(401, b"Unauthorized"), (403, b"Forbidden"), (404, b""), (418, b"I'm a teapot")])
def test_a_robots_txt_answered_with_a_client_error_is_no_rules_and_the_run_goes_on(tmp_path: Path, status: int, body: bytes) -> None:
    # RFC 9309 (2.3.1.3): a 4xx is "unavailable", and a crawler may access any resource.
    with LoopbackSite(articles=4, seed=25) as site:
        document = site._document
        site._document = lambda path, version: SiteResponse(status, body, "text/plain") if path == "/robots.txt" else document(path, version)  # type: ignore[method-assign]
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **LATEST})
    assert result.status == EXIT_OK and len(result.items) == 4, result.log[-3000:]
    assert not [line for line in result.log.splitlines() if "robots.txt" in line and " ERROR: " in line]


@pytest.mark.parametrize("host", [SITE, "https://mybs.in"], ids=["site", "short-link-host"])
def test_only_the_sites_own_robots_txt_unreachable_closes_the_run(
    tmp_path: Path, host: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another host's (a short link's) robots.txt unreachable keeps its requests from going out, each a
    # failed request, fetched next run; the site's own closes the run, its requests refused unasked.
    stopped: list[str] = []
    monkeypatch.setattr("crawler.middlewares.stop_run", lambda crawler, reason: stopped.append(reason))
    spider = make_spider(ArticleSpider, tmp_path, url=SITE + "/india-news/x-124022800873_1.html")
    failing = RobotsTxtFailureMiddleware(spider.crawler)
    robots = RobotsTxtMiddleware(get_crawler(ArticleSpider, {"ROBOTSTXT_OBEY": True}))
    request = Request(host + "/robots.txt", meta={"dont_obey_robotstxt": True, "retry_times": 3})
    with pytest.raises(IgnoreRequest) as raised:
        _call(failing, "process_response", request, Response(request.url, status=502, request=request), spider=spider)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and f"<{host}/robots.txt> could not be reached (HTTP 502, asked 4 times)" in errors[0], errors
    assert stopped == ([stat.ROBOTSTXT_UNREACHABLE_REASON] if host == SITE else [])
    assert spider.crawler.stats.get_value(stat.ROBOTSTXT_UNREACHABLE) == 1
    # What Scrapy's robots.txt middleware does with it: the parser every waiting request is checked by.
    netloc = host.split("://", 1)[1]
    waiting: Deferred[object] = Deferred()
    robots._parsers[netloc] = waiting
    robots._robots_error(raised.value, netloc)
    parser = robots._parsers[netloc]
    assert parser is not None and waiting.called
    with pytest.raises(IgnoreRequest) as refused:
        parser.allowed(host + "/markets/news/x-124022800874_1.html", "bs-crawler")
    # (RobotsTxtUnreachable: not asked, no failure counted, as the site closes; another host's fail.)
    assert isinstance(refused.value, RobotsTxtUnreachable) == (host == SITE)
    assert "not asked: robots.txt could not be reached (HTTP 502)" in str(refused.value)


def test_a_rate_limit_on_robots_txt_that_does_not_lift_sends_nothing_more(tmp_path: Path) -> None:
    # Before: the run closed as rate limited (exit 4, "backing off"), and then, robots.txt read as no
    # rules ("going on as if it allowed everything"), sent the requests that waited for it to the site
    # that had asked it to stop.
    with LoopbackSite(articles=4, seed=25) as site:
        site.set_path_fault("/robots.txt", "429", argument=1)
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **LATEST})
        asked = dict(site.counts)
    assert asked == {"/robots.txt": 2}, asked
    assert result.status == EXIT_BLOCKED and not result.items, result.log[-3000:]
    errors = [line for line in result.log.splitlines() if " ERROR: " in line and "Run summary" not in line]
    assert len(errors) == 1 and "Closing the run: rate limited at <" in errors[0], errors
    assert "as if it allowed everything" not in result.log and "Traceback" not in result.log


# --- a rate limit on every page: the run backs off in one line ------------------------------------------------


def test_a_429_storm_on_every_article_closes_the_run_in_one_line_and_loses_nothing(tmp_path: Path) -> None:
    # Before: after "Closing the run: rate limited … backing off", every article answered 429 meanwhile
    # was an ERROR line of its own ("Failed <…>: http-429"), counted failed, and each request the
    # closing engine still handed on was sent.
    settings = {"BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "BS_RATE_LIMIT_RETRIES": "1"}
    with LoopbackSite(articles=12, seed=25) as site:
        for record in site.articles:
            site.set_path_fault(record.path, "429", argument=1)
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **settings})
        site.clear_faults()
        again = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, **settings})
    assert result.status == EXIT_BLOCKED and not result.items, result.log[-3000:]
    errors = [line for line in result.log.splitlines() if " ERROR: " in line and "Run summary" not in line]
    assert len(errors) == 1 and "Closing the run: rate limited at <" in errors[0], errors
    stats = stats_from_log(result.log)
    assert not [name for name in stats if name.startswith("bs/failed/")], stats
    assert "rate limited" in next(line for line in result.log.splitlines() if "Run summary" in line)
    # Nothing was marked seen: the next run, the limit lifted, fetches every article.
    assert again.status == EXIT_OK and len(again.items) == 12, again.log[-3000:]
