"""A hostile site against the discovery spiders, in subprocesses: loops, compressed and large sitemaps,
sources that answer nothing readable, rate limits, robots.txt that fails, damaged JOBDIRs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.jobdir import damage
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK
from tests.e2e import CrawlResult, crawl, stats_from_log
from tests.loopback.corpus import CURRENT
from tests.loopback.site import LoopbackSite

INDEX = "/sitemap/sitemap-index.xml"
NEWS_SITEMAP = "/sitemap/google-news-sitemap.xml"
LATEST_RSS = "/rss/latest.rss"
MARKETS_RSS = "/rss/markets-106.rss"
# Three sources of three kinds, so each test can break one or all of them.
SOURCES = f"{LATEST_RSS},{NEWS_SITEMAP},/latest-news"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    # Two calendar months of articles (October and November 2024), all of the current layout.
    with LoopbackSite(articles=50, seed=12, days=45, legacy=0, slow_seconds=3) as running:
        yield running
        assert running.errors == []


@pytest.fixture(autouse=True)
def clean(site: LoopbackSite) -> Iterator[None]:
    site.clear_faults()
    site.set_gzip_monthly(False)
    site.reset_counts()
    yield
    site.clear_faults()
    site.set_gzip_monthly(False)


def months(site: LoopbackSite) -> list[str]:
    return [path for path, _ in site.monthly_sitemaps()]


def archive(site: LoopbackSite, workdir: Path, *args: str, **settings: str) -> CrawlResult:
    first, last = site.articles[0].published.date(), site.articles[-1].published.date()
    return crawl(
        "archive", workdir, "-a", f"since={first}", "-a", f"until={last}", *args,
        settings={"BS_BASE_URL": site.base_url, **settings}, timeout=180,
    )


def latest(site: LoopbackSite, workdir: Path, sources: str = SOURCES, **settings: str) -> CrawlResult:
    return crawl("latest", workdir, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": sources, **settings}, timeout=180)


def every_id(site: LoopbackSite) -> set[str]:
    return {r.article_id for r in site.articles}


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR: " in line or " CRITICAL: " in line]


def summary(log: str) -> str:
    (line,) = [line for line in log.splitlines() if "Run summary:" in line]
    return line


def assert_clean(result: CrawlResult) -> None:
    assert "Traceback" not in result.log, result.log[-4000:]
    # (A component closing the run by Scrapy 2.19's deprecated engine.close_spider() logged a warning.)
    assert "DeprecationWarning" not in result.log, result.log[-4000:]


# --- loops ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["index", "month", "news"])
def test_a_sitemap_that_lists_itself_is_read_once(site: LoopbackSite, tmp_path: Path, which: str) -> None:
    looping = {"index": INDEX, "month": months(site)[0], "news": NEWS_SITEMAP}[which]
    site.set_path_fault(looping, "self-listing")
    result = latest(site, tmp_path, sources=f"{LATEST_RSS},{NEWS_SITEMAP}") if which == "news" else archive(site, tmp_path)
    assert_clean(result)
    assert site.counts[looping] == 1, "fetched once, not for ever"
    stats = stats_from_log(result.log)
    if which == "index":
        # The index still lists every month (archive follows monthly sitemaps only): nothing is lost.
        assert result.status == EXIT_OK and set(result.ids()) == every_id(site)
        return
    # A sitemap that lists nothing but itself: not read again, and a failed source, named.
    assert stats["bs/discovery/source_repeated"] == 1
    assert f"Not reading <{site.base_url}{looping}> again" in result.log
    assert stats["bs/discovery/source_failed/loop"] == 1
    assert "failed=1 (loop=1)" in summary(result.log)
    # `latest` tolerates a failed source; for `archive` a lost month fails the run (BS_MAX_FAILED_SOURCES=0).
    assert result.status == (EXIT_FAILED if which == "month" else EXIT_OK)
    if which == "month":
        lost = {r.article_id for r in site.articles if (r.published.year, r.published.month) == _month_of(looping)}
        assert set(result.ids()) == every_id(site) - lost


def _month_of(path: str) -> tuple[int, int]:
    from crawler.extraction.discovery import monthly_sitemap_month

    month = monthly_sitemap_month(path)
    assert month is not None
    return month


def test_a_looping_index_in_a_resumed_jobdir_run_ends_too(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault(INDEX, "self-listing")
    jobdir = tmp_path / "job"
    first = archive(site, tmp_path, JOBDIR=str(jobdir))
    assert first.status == EXIT_OK, first.log[-3000:]
    site.reset_counts()
    again = archive(site, tmp_path, JOBDIR=str(jobdir))
    assert again.status == EXIT_OK and site.counts[INDEX] == 1
    assert (jobdir / "bs-sources-requested.txt").read_text().count("sitemap-index.xml") == 1


def test_sources_per_run_are_bounded(site: LoopbackSite, tmp_path: Path) -> None:
    # The index and one month at most: the other month is not read, and the log says why.
    result = archive(site, tmp_path, BS_MAX_SOURCES="2")
    assert_clean(result)
    assert sum(site.counts[m] for m in months(site)) == 1
    assert stats_from_log(result.log)["bs/discovery/source_limit"] == 1
    assert "Reached BS_MAX_SOURCES (2" in result.log


def test_nested_indexes_are_bounded_in_depth(site: LoopbackSite, tmp_path: Path) -> None:
    result = archive(site, tmp_path, BS_MAX_SOURCE_DEPTH="0")
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert stats_from_log(result.log)["bs/discovery/source_too_deep"] == len(months(site))
    assert "nested deeper than 0 (BS_MAX_SOURCE_DEPTH)" in result.log


# --- compressed and large sitemaps --------------------------------------------------------------


def test_monthly_sitemaps_as_xml_gz_are_read(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_gzip_monthly(True)
    assert all(m.endswith(".xml.gz") for m in months(site))
    result = archive(site, tmp_path)
    assert_clean(result)
    assert result.status == EXIT_OK and set(result.ids()) == every_id(site)


@pytest.mark.parametrize("kind", ["gzip", "gzip-bare"])
def test_gzip_bodies_with_or_without_the_header_are_read(site: LoopbackSite, tmp_path: Path, kind: str) -> None:
    for month in months(site):
        site.set_path_fault(month, kind)
    site.set_path_fault(LATEST_RSS, kind)
    result = archive(site, tmp_path)
    assert result.status == EXIT_OK and set(result.ids()) == every_id(site), result.log[-3000:]
    feed = latest(site, tmp_path / "latest", sources=LATEST_RSS)
    assert feed.status == EXIT_OK and feed.items, feed.log[-3000:]


@pytest.mark.parametrize(("kind", "reason"), [("gzip-cut", "cut"), ("gzip-bare-cut", "cut-gzip")])
def test_a_cut_gzip_month_is_a_failed_source(site: LoopbackSite, tmp_path: Path, kind: str, reason: str) -> None:
    broken = months(site)[0]
    site.set_path_fault(broken, kind)
    result = archive(site, tmp_path)
    assert_clean(result)
    assert stats_from_log(result.log)[f"bs/discovery/source_failed/{reason}"] == 1
    assert any(f"Discovery source failed <{site.base_url}{broken}>: {reason}" in line for line in error_lines(result.log))
    assert f"failed=1 ({reason}=1)" in summary(result.log)
    # No half month: not one article of it is taken from the cut document.
    lost = {r.article_id for r in site.articles if (r.published.year, r.published.month) == _month_of(broken)}
    assert set(result.ids()) == every_id(site) - lost


@pytest.mark.long
def test_a_50000_url_sitemap_of_11_mb_is_read(site: LoopbackSite, tmp_path: Path) -> None:
    big = months(site)[0]
    site.set_path_fault(big, "huge")
    result = archive(site, tmp_path)
    assert_clean(result)
    assert result.status == EXIT_OK and set(result.ids()) == every_id(site), result.log[-3000:]
    assert "larger than download max size" not in result.log


def test_a_sitemap_over_the_sitemap_limit_is_a_failed_source(site: LoopbackSite, tmp_path: Path) -> None:
    big = months(site)[0]
    site.set_path_fault(big, "huge")
    result = archive(site, tmp_path, BS_SITEMAP_MAX_SIZE=str(1024 * 1024))
    assert_clean(result)
    assert stats_from_log(result.log)["bs/discovery/source_failed/too-large"] == 1
    assert f"<{site.base_url}{big}>: too-large" in result.log


# --- sources that answer nothing readable -----------------------------------------------------


def test_a_run_where_no_source_is_readable_exits_1_naming_each(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault(LATEST_RSS, "offsite")
    site.set_path_fault(NEWS_SITEMAP, "maintenance")
    site.set_path_fault("/latest-news", "no-links")
    result = latest(site, tmp_path)
    assert_clean(result)
    assert result.status == EXIT_FAILED and result.items == []
    (line,) = [line for line in error_lines(result.log) if "Run summary" in line]
    assert "none of the 3 feeds, sitemaps or listings could be fetched and read" in line
    for path, reason in ((LATEST_RSS, "offsite-redirect"), (NEWS_SITEMAP, "not-xml"), ("/latest-news", "no-article-links")):
        assert f"{site.base_url}{path} ({reason})" in line
    assert site.counts[LATEST_RSS] == 1 and "127.0.0.2" not in "".join(site.counts)


def test_partly_failed_sources_show_in_the_summary_and_a_stray_nbsp_is_salvaged(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault(LATEST_RSS, "nbsp")
    site.set_path_fault(NEWS_SITEMAP, "maintenance")
    site.set_path_fault(MARKETS_RSS, "offsite")
    result = latest(site, tmp_path, sources=f"{LATEST_RSS},{NEWS_SITEMAP},{MARKETS_RSS},/latest-news")
    assert_clean(result)
    assert result.status == EXIT_OK, result.log[-3000:]
    assert "sources: read=2 failed=2 (not-xml=1, offsite-redirect=1)" in summary(result.log)
    stats = stats_from_log(result.log)
    assert stats["bs/discovery/source_salvaged"] == 1
    assert f"<{site.base_url}{LATEST_RSS}> is not well-formed XML" in result.log
    # Every article of the salvaged feed is there.
    newest = [r.article_id for r in reversed(site.articles) if r.layout == CURRENT][:50]
    assert set(newest) <= set(result.ids())


def test_a_section_listing_without_article_links_fails_the_run(site: LoopbackSite, tmp_path: Path) -> None:
    site.set_path_fault("/markets/news", "no-links")
    result = crawl("section", tmp_path, "-a", "sections=markets/news", settings={"BS_BASE_URL": site.base_url})
    assert result.status == EXIT_FAILED, result.log[-3000:]
    assert "markets/news (no-article-links)" in summary(result.log)


# --- rate limits, robots.txt -------------------------------------------------------------------------


def test_a_429_with_retry_after_is_waited_out(site: LoopbackSite, tmp_path: Path) -> None:
    record = [r for r in site.articles if r.layout == CURRENT][-1]
    site.set_path_fault(record.path, "429", 1, times=2)
    site.set_path_fault(LATEST_RSS, "429", 1, times=1)
    result = latest(site, tmp_path, sources=LATEST_RSS)
    assert_clean(result)
    assert result.status == EXIT_OK, result.log[-3000:]
    assert record.article_id in result.ids()
    assert stats_from_log(result.log)["bs/rate_limited"] == 3
    assert "rate_limited=3" in summary(result.log)
    assert f"Rate limited (429) at <{site.base_url}{record.path}>: waiting 1 s (Retry-After)" in result.log


@pytest.mark.parametrize(("retry_after", "settings"), [(1, {"BS_RATE_LIMIT_RETRIES": "1"}), (3600, {})])
def test_a_rate_limit_that_does_not_lift_ends_the_run_as_a_block(
    site: LoopbackSite, tmp_path: Path, retry_after: int, settings: dict[str, str]
) -> None:
    site.set_path_fault(LATEST_RSS, "429", retry_after)
    result = latest(site, tmp_path, sources=LATEST_RSS, **settings)
    assert_clean(result)
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "rate limited" in summary(result.log)
    assert site.counts[LATEST_RSS] == (2 if retry_after == 1 else 1)


@pytest.mark.parametrize("kind", ["timeout", "reset"])
def test_robots_txt_that_times_out_or_resets_closes_the_run_in_one_error(site: LoopbackSite, tmp_path: Path, kind: str) -> None:
    # RFC 9309: robots.txt unreachable is "disallow all" (before round 25: one WARNING, and crawled).
    site.set_path_fault("/robots.txt", kind)
    result = latest(site, tmp_path, sources=LATEST_RSS, DOWNLOAD_TIMEOUT="1", RETRY_TIMES="1")
    assert_clean(result)
    assert result.status == EXIT_FAILED and not result.items, result.log[-3000:]
    robots = [line for line in result.log.splitlines() if "robots.txt" in line and " ERROR: " in line and not ("Run summary" in line or "Gave up retrying" in line)]
    assert len(robots) == 1 and "could not be reached" in robots[0], robots
    assert stats_from_log(result.log)["bs/robotstxt/unreachable"] == 1


# --- resumes ----------------------------------------------------------------------------------------------


def test_a_damaged_jobdir_is_refused_in_one_line(site: LoopbackSite, tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    # A run closed early keeps its queue in the JOBDIR, ready to resume.
    first = archive(site, tmp_path, JOBDIR=str(jobdir), CLOSESPIDER_ITEMCOUNT="5", CONCURRENT_REQUESTS="2")
    # Scrapy 2.13 keeps one file per priority; newer ones one folder per download slot holding those.
    queue = [p for p in (jobdir / "requests.queue").rglob("*") if p.is_file() and p.suffix != ".json"]
    assert first.items and queue, first.log[-3000:]
    intact = tmp_path / "intact"
    shutil.copytree(jobdir, intact)
    for path in queue:
        with open(path, "r+b") as file:
            file.truncate(path.stat().st_size // 2)
    assert damage(jobdir, "scrapy.squeues.PickleLifoDiskQueue")
    site.reset_counts()
    result = archive(site, tmp_path, JOBDIR=str(jobdir))
    assert result.status == EXIT_FAILED
    assert result.log.strip().splitlines() == [
        f"error: the JOBDIR at {jobdir} is damaged ({damage(jobdir, 'scrapy.squeues.PickleLifoDiskQueue')}); delete it to start afresh"
    ]
    assert sum(site.counts.values()) == 0
    # The intact copy resumes and finishes the run.
    resumed = archive(site, tmp_path, JOBDIR=str(intact))
    assert resumed.status == EXIT_OK, resumed.log[-3000:]
    assert set(first.ids()) | set(resumed.ids()) == every_id(site)


# --- identity -------------------------------------------------------------------------------------------


def test_a_canonical_link_copied_from_another_story_keeps_the_fetched_story_and_is_counted(site: LoopbackSite, tmp_path: Path) -> None:
    # Only the canonical link names the other story (JSON-LD and the article JSON name the one
    # fetched): a link the CMS copied. The story keeps its own address and id, and the disagreement
    # is counted, as any field's.
    current = [r for r in site.articles if r.layout == CURRENT]
    record, other = current[-2], current[-1]
    site.set_fault(record.article_id, "canonical-other")
    result = crawl("article", tmp_path, "-a", f"urls={record.url},{other.url}", settings={"BS_BASE_URL": site.base_url})
    assert_clean(result)
    assert sorted(result.ids()) == sorted([record.article_id, other.article_id])
    (mismatched,) = [item for item in result.items if item["articleId"] == record.article_id]
    assert mismatched["headline"] == record.headline and mismatched["canonicalUrl"] == record.url
    stats = stats_from_log(result.log)
    assert stats["article/disagree/canonicalUrl"] == 1 and "article/canonical-mismatch" not in stats


def test_an_article_redirected_off_the_site_is_named(site: LoopbackSite, tmp_path: Path) -> None:
    record = [r for r in site.articles if r.layout == CURRENT][-1]
    site.set_path_fault(record.path, "offsite")
    result = crawl("article", tmp_path, "-a", f"url={record.url}", settings={"BS_BASE_URL": site.base_url})
    assert_clean(result)
    assert stats_from_log(result.log)["bs/failed/offsite-redirect"] == 1
    assert f"Failed <{record.url}>: redirected off the site" in result.log


def test_a_section_walked_to_its_end_has_no_failed_source(site: LoopbackSite, tmp_path: Path) -> None:
    result = crawl("section", tmp_path, "-a", "sections=latest-news", "-a", "pages=50", settings={"BS_BASE_URL": site.base_url})
    assert_clean(result)
    assert result.status == EXIT_OK and len(result.items) == len([r for r in site.articles if r.layout == CURRENT]), result.log[-3000:]
    assert stats_from_log(result.log)["bs/discovery/listing_end"] == 1
    assert "sources: read=3 failed=0;" in summary(result.log)
