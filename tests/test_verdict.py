"""The exit status and its reason for every branch of the run verdict, each threshold at its edge.

The verdict is a function of the run's stats: it is tested here from stats alone, with the project's
settings, so that each rule (and the order the rules are tried in) is pinned by a case that names it.
"""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler import stats as stat
from crawler.distributed import REDIS_LOST
from crawler.extraction.discovery import CUT
from crawler.monitoring.verdict import (
    EXIT_BLOCKED,
    EXIT_EXTRACTION,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_REDIS,
    EXIT_SPLASH,
    EXIT_STATE,
    UNKNOWN_LAYOUT,
    RunVerdictExtension,
)

PROJECT = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}


def judge(stats: dict[str, Any], reason: str = "finished", **settings: Any) -> tuple[int, str]:
    crawler = get_crawler(settings_dict={**PROJECT, **settings})
    return RunVerdictExtension(crawler).verdict(stats, reason)


# A run that read its one source and found 10 new articles: the stats each case adds to.
def found(articles: int = 10, **more: Any) -> dict[str, Any]:
    return {stat.DISCOVERY_SOURCES_READ: 1, stat.DISCOVERY_NEW: articles, "downloader/response_count": articles + 1, **more}


def emitted(articles: int = 10, **more: Any) -> dict[str, Any]:
    """Every article found was extracted, validated and written."""
    return found(articles, **{"item_scraped_count": articles, stat.layout("nextjs"): articles, **more})


def test_a_run_that_emitted_what_it_found_is_ok() -> None:
    assert judge(emitted()) == (EXIT_OK, "ok")


def test_a_run_that_found_nothing_new_is_ok() -> None:
    assert judge({stat.DISCOVERY_SOURCES_READ: 3, stat.DISCOVERY_UNCHANGED_SKIPPED: 40}) == (EXIT_OK, "ok")


def test_unchanged_articles_count_as_extracted() -> None:
    # Fetched again because a feed said so, and the same as emitted before: nothing to write, nothing lost.
    assert judge(found(4, **{stat.UNCHANGED: 4, stat.layout("nextjs"): 4}))[0] == EXIT_OK


def test_an_output_that_could_not_be_written_outranks_everything() -> None:
    crawler = get_crawler(settings_dict=PROJECT)
    extension = RunVerdictExtension(crawler)
    extension.output_failed = True
    status, why = extension.verdict({stat.BLOCKED: 10, "downloader/response_count": 10}, "blocked")
    assert (status, why) == (EXIT_OUTPUT, "the output could not be written")


@pytest.mark.parametrize(("blocked", "status"), [(5, EXIT_OK), (6, EXIT_BLOCKED)])
def test_block_pages_fail_the_run_above_their_share(blocked: int, status: int) -> None:
    # BS_MAX_BLOCKED_SHARE = 0.5: half the answers blocked is still judged on the rest.
    stats = emitted(9, **{"downloader/response_count": 10, stat.BLOCKED: blocked})
    assert judge(stats)[0] == status
    if status == EXIT_BLOCKED:
        assert judge(stats)[1] == f"{blocked} of 10 responses were block pages"


def test_a_run_stopped_as_blocked_is_blocked_whatever_the_share() -> None:
    assert judge(emitted(**{stat.BLOCKED: 1}), "blocked")[0] == EXIT_BLOCKED


def test_the_blocked_share_is_a_setting() -> None:
    stats = emitted(9, **{"downloader/response_count": 10, stat.BLOCKED: 2})
    assert judge(stats, BS_MAX_BLOCKED_SHARE=0.1)[0] == EXIT_BLOCKED


def test_rate_limiting_that_did_not_lift_is_blocked() -> None:
    status, why = judge(emitted(**{stat.RATE_LIMITED: 7}), stat.RATE_LIMITED_REASON)
    assert status == EXIT_BLOCKED and "7 answers were 429" in why


def test_a_lost_redis_is_its_own_status() -> None:
    assert judge(emitted(), REDIS_LOST)[0] == EXIT_REDIS


def test_a_seen_store_that_failed_is_its_own_status() -> None:
    assert judge(emitted(**{stat.STATE_FAILED: 1})) == (EXIT_STATE, "the seen-store could not be used")


@pytest.mark.parametrize("reason", ["shutdown", "cancelled", "closespider_errorcount"])
def test_a_run_that_did_not_finish_failed(reason: str) -> None:
    assert judge(emitted(), reason) == (EXIT_FAILED, f"the run ended with reason {reason!r}")


@pytest.mark.parametrize("reason", ["closespider_timeout", "closespider_itemcount", "closespider_pagecount"])
def test_a_run_stopped_at_its_limit_is_judged_on_what_it_did(reason: str) -> None:
    assert judge(emitted(), reason) == (EXIT_OK, f"ok, stopped at its limit ({reason}); what it did not fetch is fetched next run")
    # Stopped before any article page came back: nothing was lost, the next run fetches them.
    assert judge(found(), reason) == (EXIT_OK, f"ok, stopped at its limit ({reason}); what it did not fetch is fetched next run (no article page was read before it)")
    # Pages that came back and none could be extracted: still a failure.
    assert judge(found(**{stat.skipped(UNKNOWN_LAYOUT): 10}), reason)[0] == EXIT_EXTRACTION


def test_no_source_read_fails_and_names_the_sources() -> None:
    stats = {stat.source_failed("http-404"): 2, stat.DISCOVERY_FAILED_SOURCES: ["/rss/a.rss (http-404)", "/rss/b.rss (http-404)"]}
    status, why = judge(stats)
    assert status == EXIT_FAILED
    assert why == "none of the 2 feeds, sitemaps or listings could be fetched and read: /rss/a.rss (http-404); /rss/b.rss (http-404)"


def test_sources_failed_beyond_those_named_are_counted() -> None:
    stats = {stat.source_failed("http-404"): 3, stat.DISCOVERY_FAILED_SOURCES: ["/rss/a.rss (http-404)"]}
    assert judge(stats)[1].endswith("/rss/a.rss (http-404); and 2 more")


def test_a_source_cut_short_was_fetched_but_not_read_whole() -> None:
    stats = {stat.source_failed(CUT): 1, stat.DISCOVERY_FAILED_SOURCES: ["/sitemap/x.xml (cut)"]}
    assert "could be fetched and read whole" in judge(stats)[1]


def test_some_sources_failing_is_ok_without_a_limit() -> None:
    stats = emitted(**{stat.source_failed("http-500"): 4})
    assert judge(stats)[0] == EXIT_OK  # latest and section: BS_MAX_FAILED_SOURCES = -1


@pytest.mark.parametrize(("limit", "status"), [(0, EXIT_FAILED), (1, EXIT_FAILED), (2, EXIT_OK)])
def test_failed_sources_beyond_the_limit_fail(limit: int, status: int) -> None:
    stats = emitted(**{stat.source_failed("http-500"): 2, stat.DISCOVERY_FAILED_SOURCES: ["a", "b"]})
    status_, why = judge(stats, BS_MAX_FAILED_SOURCES=limit)
    assert status_ == status
    if status == EXIT_FAILED:
        assert f"(BS_MAX_FAILED_SOURCES={limit})" in why


def test_sources_that_list_only_other_pages_fail() -> None:
    stats = {stat.DISCOVERY_SOURCES_READ: 2, stat.not_article("video"): 5, stat.DISCOVERY_OFFSITE: 1}
    status, why = judge(stats)
    assert status == EXIT_FAILED
    assert "list no article URL, only other URLs (not_article/video=5, offsite=1)" in why


def test_sources_that_list_articles_already_seen_and_other_pages_are_ok() -> None:
    stats = {stat.DISCOVERY_SOURCES_READ: 2, stat.not_article("video"): 5, stat.DISCOVERY_UNCHANGED_SKIPPED: 1}
    assert judge(stats)[0] == EXIT_OK


def test_articles_found_and_none_extracted_is_an_extraction_failure() -> None:
    stats = found(3, **{stat.skipped(UNKNOWN_LAYOUT): 3})
    status, why = judge(stats)
    assert status == EXIT_EXTRACTION
    assert why == f"discovery found 3 new or changed article(s) but none could be extracted (skipped: {UNKNOWN_LAYOUT}=3)"


def test_articles_found_and_none_fetched_is_a_failure_of_the_site() -> None:
    stats = found(3, **{stat.failed("http-503"): 3})
    assert judge(stats) == (EXIT_FAILED, "discovery found 3 new or changed article(s) but none could be fetched (http-503=3)")


def test_articles_lost_to_errors_name_the_errors() -> None:
    stats = found(2, **{stat.layout("nextjs"): 2, stat.pipeline_error("KeyError"): 2})
    status, why = judge(stats)
    assert status == EXIT_FAILED and why.startswith("2 page(s) or item(s) lost to errors") and "pipeline: KeyError=2" in why


def test_a_worker_is_judged_by_the_articles_it_took() -> None:
    # Another worker fetched what this one discovered: nothing taken, nothing to extract, ok.
    assert judge(found(5, **{stat.REDIS_ARTICLES_TAKEN: 0}))[0] == EXIT_OK
    assert judge(found(5, **{stat.REDIS_ARTICLES_TAKEN: 2}))[0] == EXIT_EXTRACTION


def test_a_reextraction_is_judged_by_the_records_it_read() -> None:
    stats = {stat.REEXTRACT_RECORDS: 4, stat.reextract_skipped("not-html"): 1}
    status, why = judge(stats)
    assert status == EXIT_EXTRACTION and why.startswith("3 stored article page(s) were read but none")
    # A store none of whose records is an article page gave nothing: an empty output is no "ok".
    assert judge({stat.REEXTRACT_RECORDS: 2, stat.reextract_skipped("not-html"): 2})[0] == EXIT_FAILED


@pytest.mark.parametrize(("invalid", "status"), [(2, EXIT_OK), (3, EXIT_EXTRACTION)])
def test_invalid_items_fail_the_run_above_their_share(invalid: int, status: int) -> None:
    # BS_MAX_INVALID_SHARE = 0.2 of the items checked.
    stats = emitted(**{"item_scraped_count": 10 - invalid, stat.dropped_missing("headline"): invalid})
    assert judge(stats)[0] == status


@pytest.mark.parametrize(("unknown", "status"), [(2, EXIT_OK), (3, EXIT_EXTRACTION)])
def test_pages_of_no_known_layout_fail_the_run_above_their_share(unknown: int, status: int) -> None:
    # 8 read and 2 unknown is 20%, not above; 8 and 3 is 27%.
    stats = emitted(8, **{stat.skipped(UNKNOWN_LAYOUT): unknown})
    status_, why = judge(stats)
    assert status_ == status
    if status == EXIT_EXTRACTION:
        assert why == f"{unknown} of {8 + unknown} article pages were of no layout the rules know ({UNKNOWN_LAYOUT}={unknown}): a redesign?"


def test_low_field_coverage_fails_from_enough_items() -> None:
    # authors: at least 80% of the items; 2 of 5 without is 60%.
    stats = emitted(5, **{stat.missing("authors"): 2})
    assert judge(stats) == (EXIT_EXTRACTION, "field coverage too low (a site redesign?): authors 60% < 80%")
    assert judge(emitted(5, **{stat.missing("authors"): 1}))[0] == EXIT_OK  # 80%: not below
    assert judge(emitted(4, **{stat.missing("authors"): 4}))[0] == EXIT_OK  # under BS_COVERAGE_MIN_ITEMS


@pytest.mark.parametrize(("failed", "status"), [(5, EXIT_OK), (6, EXIT_FAILED)])
def test_article_pages_that_could_not_be_fetched_fail_the_run_above_their_share(failed: int, status: int) -> None:
    stats = emitted(10 - failed, **{stat.DISCOVERY_NEW: 10, stat.failed("timeout"): failed})
    status_, why = judge(stats)
    assert status_ == status
    if status == EXIT_FAILED:
        assert why == f"{failed} of 10 new or changed article pages could not be fetched (timeout={failed})"


def test_one_error_among_good_items_fails_the_run() -> None:
    status, why = judge(emitted(**{"spider_exceptions/ValueError": 1, "spider_exceptions/count": 1}))
    assert status == EXIT_FAILED and "callback: ValueError=1" in why and "count" not in why


@pytest.mark.parametrize(("failed", "status"), [(5, EXIT_OK), (6, EXIT_SPLASH)])
def test_splash_renders_that_failed_fail_the_run_above_their_share(failed: int, status: int) -> None:
    stats = emitted(**{stat.SPLASH_RENDERED: 10 - failed, stat.splash_failed("timeout"): failed})
    status_, why = judge(stats)
    assert status_ == status
    if status == EXIT_SPLASH:
        assert why == f"Splash failed on {failed} of 10 pages (timeout={failed}); their market numbers are null"


def test_a_failure_of_the_run_outranks_the_failures_of_its_articles() -> None:
    # Blocked and, because of it, nothing extracted: the cause is what the status says.
    stats = found(10, **{"downloader/response_count": 10, stat.BLOCKED: 10})
    assert judge(stats)[0] == EXIT_BLOCKED
    assert judge({**stats, stat.STATE_FAILED: 1, stat.BLOCKED: 0})[0] == EXIT_STATE


def test_articles_that_changed_are_wanted_as_new_ones_are() -> None:
    stats = {stat.DISCOVERY_SOURCES_READ: 1, stat.DISCOVERY_NEW: 1, stat.DISCOVERY_CHANGED: 2, stat.skipped(UNKNOWN_LAYOUT): 3}
    assert judge(stats)[1].startswith("discovery found 3 new or changed article(s) but none could be extracted")


def test_articles_written_and_articles_unchanged_together_are_extracted() -> None:
    assert judge(found(4, **{"item_scraped_count": 2, stat.UNCHANGED: 2, stat.layout("nextjs"): 4}))[0] == EXIT_OK


def test_articles_seen_or_not_accepted_are_listed_articles() -> None:
    stats = {
        stat.DISCOVERY_SOURCES_READ: 1, stat.not_article("video"): 5,
        stat.DISCOVERY_UNCHANGED_SKIPPED: 1, stat.DISCOVERY_NOT_ACCEPTED: 1,
    }
    assert judge(stats)[0] == EXIT_OK


def test_block_pages_in_place_of_articles_are_no_page_of_the_site() -> None:
    # Two articles answered with a block page (too few to call the run blocked), one with 503s: none
    # came back, so the site failed, not the rules.
    stats = found(3, **{stat.skipped("blocked"): 2, stat.failed("http-503"): 1})
    assert judge(stats) == (EXIT_FAILED, "discovery found 3 new or changed article(s) but none could be fetched (http-503=1, blocked=2)")


def test_the_summary_line_counts_what_the_run_did() -> None:
    stats = {
        stat.NEW: 3, stat.UPDATED: 1, stat.UNCHANGED: 2, stat.DISCOVERY_UNCHANGED_SKIPPED: 5, stat.OUTPUT_DELIVERED: 4,
        "item_dropped_count": 3, stat.UNCHANGED_DROPPED: 2, stat.layout("nextjs"): 6, stat.missing("authors"): 1,
    }
    line = RunVerdictExtension.summary(stats, "finished", 0, "ok")
    assert line.startswith("Run summary: new=3 updated=1 unchanged=7 emitted=4 skipped=0 failed=0 dropped=1 blocked=0; ")
    assert "layouts: nextjs=6; missing: authors=1; finish=finished; exit=0 (ok)" in line
    assert "layouts: none; missing: none;" in RunVerdictExtension.summary({}, "finished", 0, "ok")


def test_articles_another_live_run_is_emitting_are_not_lost() -> None:
    # `latest` overlapping the nightly `section` on one seen-store: the other run claimed and emits them.
    stats = found(3, **{stat.layout("nextjs"): 3, stat.STATE_CLAIMED_ELSEWHERE: 3, "item_dropped_count": 3})
    assert judge(stats) == (EXIT_OK, "ok")
