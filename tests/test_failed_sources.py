"""``BS_MAX_FAILED_SOURCES``: an ``archive`` run that lost a monthly sitemap exits 1 naming it; ``latest`` tolerates failed sources unless told otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.extraction.discovery import monthly_sitemap_month
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from tests.e2e import CrawlResult, crawl
from tests.loopback.site import LoopbackSite

LATEST_RSS = "/rss/latest.rss"
NEWS_SITEMAP = "/sitemap/google-news-sitemap.xml"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    # Two calendar months of articles (October and November 2024), all of the current layout.
    with LoopbackSite(articles=50, seed=12, days=45, legacy=0) as running:
        yield running
        assert running.errors == []


@pytest.fixture(autouse=True)
def clean(site: LoopbackSite) -> Iterator[None]:
    # Each test counts the requests of its own crawls: the site is shared by the module's tests.
    site.clear_faults()
    site.reset_counts()
    yield
    site.clear_faults()


def archive(site: LoopbackSite, workdir: Path, **settings: str) -> CrawlResult:
    first, last = site.articles[0].published.date(), site.articles[-1].published.date()
    return crawl(
        "archive", workdir, "-a", f"since={first}", "-a", f"until={last}",
        settings={"BS_BASE_URL": site.base_url, **settings}, timeout=180,
    )


def summary(log: str) -> str:
    (line,) = [line for line in log.splitlines() if "Run summary:" in line]
    return line


def test_an_archive_run_that_lost_a_month_exits_1_naming_it(site: LoopbackSite, tmp_path: Path) -> None:
    (broken, _), (kept, _) = site.monthly_sitemaps()[:2]
    site.set_path_fault(broken, "maintenance")
    result = archive(site, tmp_path)
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.status == EXIT_FAILED, result.log[-3000:]
    line = summary(result.log)
    assert " ERROR: " in line and "sources: read=2 failed=1 (not-xml=1)" in line
    assert line.endswith(
        f"exit=1 (1 of the feeds, sitemaps or listings could not be fetched and read (BS_MAX_FAILED_SOURCES=0): "
        f"{site.base_url}{broken} (not-xml))"
    )
    # The other month is still delivered in full.
    month = monthly_sitemap_month(broken)
    assert {r.article_id for r in site.articles if (r.published.year, r.published.month) != month} == set(result.ids())
    assert kept != broken and site.counts[kept] == 1


def test_the_limit_can_be_lifted_for_archive_and_set_for_latest(site: LoopbackSite, tmp_path: Path) -> None:
    broken = site.monthly_sitemaps()[0][0]
    site.set_path_fault(broken, "maintenance")
    lifted = archive(site, tmp_path / "archive", BS_MAX_FAILED_SOURCES="-1")
    assert lifted.status == EXIT_OK and "failed=1 (not-xml=1)" in summary(lifted.log), lifted.log[-3000:]
    site.set_path_fault(NEWS_SITEMAP, "maintenance")
    sources = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"{LATEST_RSS},{NEWS_SITEMAP}"}
    tolerated = crawl("latest", tmp_path / "latest", settings=sources, timeout=180)
    assert tolerated.status == EXIT_OK and tolerated.items, tolerated.log[-3000:]
    assert "sources: read=1 failed=1 (not-xml=1)" in summary(tolerated.log)
    strict = crawl("latest", tmp_path / "strict", settings={**sources, "BS_MAX_FAILED_SOURCES": "0"}, timeout=180)
    assert strict.status == EXIT_FAILED, strict.log[-3000:]
    assert summary(strict.log).endswith(f"(BS_MAX_FAILED_SOURCES=0): {site.base_url}{NEWS_SITEMAP} (not-xml))")


def test_a_cut_feed_is_a_failed_source_whose_whole_items_are_emitted_once(site: LoopbackSite, tmp_path: Path) -> None:
    # The news sitemap lists the feed's articles too: each is still fetched and emitted once.
    site.set_path_fault(LATEST_RSS, "cut")
    whole = [r.article_id for r in site.index.newest[:3]]  # the items closed before the cut
    sources = {"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": f"{LATEST_RSS},{NEWS_SITEMAP}"}
    tolerated = crawl("latest", tmp_path / "latest", settings=sources, timeout=180)
    assert "Traceback" not in tolerated.log, tolerated.log[-3000:]
    assert tolerated.status == EXIT_OK, tolerated.log[-3000:]
    assert "sources: read=1 failed=1 (cut=1)" in summary(tolerated.log)
    assert set(whole) <= set(tolerated.ids()) and len(tolerated.ids()) == len(set(tolerated.ids()))
    alone = crawl("latest", tmp_path / "alone", settings={**sources, "BS_LATEST_SOURCES": LATEST_RSS}, timeout=180)
    # Its whole items are emitted, but the run still says that its one source failed.
    assert sorted(alone.ids()) == sorted(whole), alone.log[-3000:]
    assert alone.status == EXIT_FAILED and "sources: read=0 failed=1 (cut=1)" in summary(alone.log), alone.log[-3000:]
    assert "could be fetched and read whole:" in summary(alone.log), summary(alone.log)
    strict = crawl("latest", tmp_path / "strict", settings={**sources, "BS_MAX_FAILED_SOURCES": "0"}, timeout=180)
    assert strict.status == EXIT_FAILED, strict.log[-3000:]
    assert summary(strict.log).endswith(f"(BS_MAX_FAILED_SOURCES=0): {site.base_url}{LATEST_RSS} (cut))")
