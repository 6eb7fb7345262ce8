"""Round 23 of the network probes: a hostile site at the HTTP level; answers whose headers never end, and listings that answer 200 with no links."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.failures import BAD_RESPONSE
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import ENDLESS_CAP, LoopbackSite

# The probes' servers listen on these ports only (the first free one), never on one the system picks.
PORTS = range(16550, 16600)


@contextmanager
def site_on_our_ports(**kwargs: Any) -> Iterator[LoopbackSite]:
    for port in PORTS:
        try:
            site = LoopbackSite(port=port, **kwargs)
        except OSError:
            continue
        with site:
            yield site
        return
    raise RuntimeError(f"no free port in {PORTS}")


# --- an answer whose headers never end -----------------------------------------------------------------------


ENDLESS = ["headers-endless", "header-line-endless", "header-folded-endless", "informational-endless"]


@pytest.mark.parametrize("fault", ENDLESS)
def test_an_article_whose_headers_never_end_is_given_up_as_bad_response_not_read_for_ever(tmp_path: Path, fault: str) -> None:
    with site_on_our_ports(articles=6, seed=23) as site:
        endless, whole = site.articles[-1], site.articles[-2]
        site.set_path_fault(endless.path, fault)
        result = crawl(
            "article", tmp_path, "-a", f"urls={endless.url},{whole.url}",
            settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "20"},
        )
        sent = site.header_bytes_sent.get(endless.path, [])
    assert result.ids() == [whole.article_id], result.log[-3000:]
    # Asked twice (one retry), each answer cut off by the client well before the server's cap: the
    # client holds a bound, not all it is sent until its download timeout.
    assert len(sent) == 2 and max(sent) < ENDLESS_CAP // 2, sent
    assert stats_from_log(result.log)[stat.failed(BAD_RESPONSE)] == 1
    assert f"Failed <{endless.url}>: bad-response (the answer is no valid HTTP: " in result.log
    assert "Traceback" not in result.log



@pytest.mark.parametrize("fault", ["headers-endless", "informational-endless"])
def test_a_feed_and_robots_txt_whose_headers_never_end_are_a_failed_source_and_robots_txt_unreachable(tmp_path: Path, fault: str) -> None:
    settings = {"RETRY_TIMES": "0", "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news", "DOWNLOAD_TIMEOUT": "20"}
    with site_on_our_ports(articles=30, seed=23) as site:
        site.set_path_fault("/rss/latest.rss", fault)
        result = crawl("latest", tmp_path / "feed", settings={"BS_BASE_URL": site.base_url, **settings})
        site.clear_faults()
        site.set_path_fault("/robots.txt", fault)
        shut = crawl("latest", tmp_path / "robots", settings={"BS_BASE_URL": site.base_url, **settings})
        sent = [n for path in ("/rss/latest.rss", "/robots.txt") for n in site.header_bytes_sent.get(path, [])]
    assert result.status == EXIT_OK and result.items, result.log[-3000:]
    assert len(sent) == 2 and max(sent) < ENDLESS_CAP // 2, sent
    assert stats_from_log(result.log)[stat.source_failed(BAD_RESPONSE)] == 1
    assert "/rss/latest.rss>: bad-response (the answer is no valid HTTP: its status line and headers passed 1 MB without ending" in result.log
    # No valid HTTP from robots.txt is its server's error: unreachable, nothing fetched (RFC 9309; before
    # round 25, one WARNING and crawled as if it allowed everything).
    assert shut.status == 1 and not shut.items and stats_from_log(shut.log)["bs/robotstxt/unreachable"] == 1, shut.log[-3000:]
    assert "robots.txt> could not be reached (bad-response: the answer is no valid HTTP" in shut.log
    assert "Traceback" not in result.log + shut.log


# --- a later listing page that answers 200 with no story links ---------------------------------------------


@pytest.mark.parametrize(
    "fault, said",
    [
        ("maintenance", "a maintenance page ('Down for maintenance'), not the section's end; the walk goes on past it"),
        ("server-error-200", "a server's error page (Next.js's error page, status 500), not the section's end; the walk goes on past it"),
        ("empty-next", "a listing with no story that links a next page, not the section's end: the page after it lists 20 stories"),
    ],
)
def test_a_later_section_page_that_is_no_listing_end_is_a_failed_source_and_the_walk_goes_on(tmp_path: Path, fault: str, said: str) -> None:
    # Page 2 answered 200 with no story link: taken for the page past the section's end, the walk
    # stopped there with an INFO line, the stories of every page after it never found, exit 0.
    with site_on_our_ports(articles=400, seed=23) as site:
        site.set_path_fault("/markets/news/page-2", fault)
        result = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=3", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
        assert site.counts["/markets/news/page-3"] == 1, "the walk goes on past the page"
    stats = stats_from_log(result.log)
    assert stats[stat.source_failed("no-article-links")] == 1, result.log[-3000:]
    assert "bs/discovery/listing_end" not in stats
    assert f"/markets/news/page-2>: no-article-links ({said})" in result.log
    assert len(result.items) == 40  # pages 1 and 3, 20 stories each
    assert "Traceback" not in result.log


def test_a_first_listing_page_that_is_a_maintenance_page_is_a_failed_source_that_says_so(tmp_path: Path) -> None:
    with site_on_our_ports(articles=30, seed=23) as site:
        site.set_path_fault("/latest-news", "maintenance")
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0", "BS_LATEST_SOURCES": "/rss/latest.rss,/latest-news"})
    assert result.status == EXIT_OK and result.items, result.log[-3000:]
    assert stats_from_log(result.log)[stat.source_failed("no-article-links")] == 1
    # (Before: "the page links to no article", as for a listing the site emptied.)
    assert "/latest-news>: no-article-links (a maintenance page ('Down for maintenance'), sent with 200)" in result.log


@pytest.mark.parametrize("fault", ["no-links", "not-found-200"])
def test_a_later_section_page_that_is_an_empty_listing_or_the_sites_not_found_page_still_ends_the_walk(tmp_path: Path, fault: str) -> None:
    with site_on_our_ports(articles=400, seed=23) as site:
        site.set_path_fault("/markets/news/page-2", fault)
        result = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=3", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
        assert site.counts["/markets/news/page-3"] == 0
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/listing_end"] == 1 and stat.source_failed("no-article-links") not in stats, result.log[-3000:]
    assert result.status == EXIT_OK and len(result.items) == 20


def test_a_later_section_page_with_no_story_that_links_a_next_page_past_the_end_ends_the_walk(tmp_path: Path) -> None:
    # A template that always draws its pager: the page after it answers 404, so it was the end after all.
    with site_on_our_ports(articles=60, seed=23) as site:
        site.set_path_fault("/markets/news/page-2", "empty-next")
        result = crawl("section", tmp_path, "-a", "sections=markets/news", "-a", "pages=5", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
        assert site.counts["/markets/news/page-3"] == 1 and site.counts["/markets/news/page-4"] == 0
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/listing_end"] == 1 and stat.source_failed("no-article-links") not in stats, result.log[-3000:]
    assert result.status == EXIT_OK and "ERROR" not in result.log


# --- an article URL that answers a server's error or maintenance page with 200 --------------------------------


@pytest.mark.parametrize(
    "fault, said",
    [
        ("maintenance", "a maintenance page ('Down for maintenance'), sent with 200"),
        ("server-error-200", "a server's error page (Next.js's error page, status 500), sent with 200"),
    ],
)
def test_an_article_answered_with_an_error_or_maintenance_page_is_a_failed_fetch_asked_again_next_run(tmp_path: Path, fault: str, said: str) -> None:
    # Before: the maintenance page was a page of an unknown layout (a run of them exit 5, a redesign);
    # Next.js's error page for a 500 a soft 404, the story taken for removed when it came twice, and
    # then not asked for again for a day, while the site had only failed.
    with site_on_our_ports(articles=30, seed=23) as site:
        record = site.articles[-1]
        site.set_path_fault(record.path, fault)
        settings = {"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0", "BS_LATEST_SOURCES": "/rss/latest.rss"}
        first = crawl("latest", tmp_path, settings=settings)
        second = crawl("latest", tmp_path, settings=settings)
        site.set_path_fault(record.path, None)
        third = crawl("latest", tmp_path, settings=settings)
    for run in (first, second):
        assert record.article_id not in run.ids(), run.log[-3000:]
        stats = stats_from_log(run.log)
        assert stats[stat.failed("error-page")] == 1, run.log[-3000:]
        assert not any(key.startswith(("bs/skipped/", "bs/gone/")) or key == stat.failed("http-404") for key in stats), stats
        assert f"Failed <{record.url}>: error-page ({said})" in run.log
    assert third.ids() == [record.article_id], third.log[-3000:]


def test_articles_all_answered_with_a_maintenance_page_are_the_site_failing_not_a_redesign(tmp_path: Path) -> None:
    with site_on_our_ports(articles=6, seed=23) as site:
        records = site.articles[-3:]
        for record in records:
            site.set_path_fault(record.path, "maintenance")
        result = crawl("article", tmp_path, "-a", "urls=" + ",".join(r.url for r in records), settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert "none could be fetched (error-page=3)" in result.log


def test_the_sites_not_found_page_sent_with_200_is_still_a_404(tmp_path: Path) -> None:
    with site_on_our_ports(articles=6, seed=23) as site:
        record = site.articles[-1]
        site.set_path_fault(record.path, "not-found-200")
        result = crawl("article", tmp_path, "-a", f"url={record.url}", settings={"BS_BASE_URL": site.base_url, "RETRY_TIMES": "0"})
    assert stats_from_log(result.log)[stat.failed("http-404")] == 1, result.log[-3000:]


@pytest.mark.parametrize(
    "page, kind",
    [
        ("<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>", "a server's error page ('503 Service Unavailable')"),
        ("<html><head><title>Site Maintenance</title></head><body>We&rsquo;ll be back soon.</body></html>", "a maintenance page ('Site Maintenance')"),
        ("<html><head><title>We&#39;ll be back soon!</title></head><body></body></html>", "a maintenance page (\"We'll be back soon!\")"),
        ("<html><head><title>Something went wrong</title></head><body></body></html>", "a server's error page ('Something went wrong')"),
        # The site's own pages (its Next.js data) titled so are topics and listings, not error pages.
        ('<html><head><title>Maintenance: Latest News | Business Standard</title></head><body><script id="__NEXT_DATA__">{}</script></body></html>', None),
        ("<html><head><title>500 companies that lead India's exports, and what they make of the tariffs</title></head></html>", None),
        ("<html><head><title>Markets News</title></head><body></body></html>", None),
    ],
)
def test_error_and_maintenance_pages_are_told_by_their_title_only_off_the_sites_own_pages(page: str, kind: str | None) -> None:
    from crawler.extraction import error_page_kind
    from crawler.extraction.page import Page

    assert error_page_kind(page, Page(page, "https://www.business-standard.com/markets/news/page-2").next_data) == kind
