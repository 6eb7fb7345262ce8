"""Round 14 of the network probes: block pages in place of every article, bodies their Content-Encoding
cannot decode, bodies cut short where no length framed them, and robots.txt answered with something that
is no robots.txt; fed to the middlewares and the verdict as Scrapy builds them, and crawls against the
loopback site where the whole run matters."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler import stats as stat
from crawler.monitoring.verdict import EXIT_BLOCKED, EXIT_EXTRACTION, EXIT_FAILED, RunVerdictExtension
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite

PROJECT = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}


def judge(stats: dict[str, Any], reason: str = "finished") -> tuple[int, str]:
    return RunVerdictExtension(get_crawler(settings_dict=PROJECT)).verdict(stats, reason)


def found(articles: int, **more: Any) -> dict[str, Any]:
    """A `latest` run whose robots.txt and nine sources answered, and found ``articles`` new ones."""
    return {stat.DISCOVERY_SOURCES_READ: 9, stat.DISCOVERY_NEW: articles, "response_received_count": 10 + articles, **more}


# --- Akamai's page in place of every article, the feeds answered ---------------------------------------


@pytest.mark.parametrize(
    ("more", "named"),
    [
        ({stat.skipped("blocked"): 6, stat.BLOCKED: 6}, "blocked=6"),
        ({stat.failed("http-403"): 6, stat.BLOCKED: 6}, "http-403=6"),
        ({stat.skipped("blocked"): 4, stat.failed("http-403"): 2, stat.BLOCKED: 6}, "blocked=4, http-403=2"),
    ],
    ids=["200", "403", "both"],
)
def test_block_pages_in_place_of_every_article_are_a_block_not_a_redesign_or_an_outage(more: dict[str, int], named: str) -> None:
    # 6 of 16 answers: under BS_MAX_BLOCKED_SHARE, but every article page the site sent was its refusal.
    # It was exit 5 ("none could be extracted": a redesign) for the 200 page, exit 1 (the site down) for 403.
    status, why = judge(found(6, **more))
    assert status == EXIT_BLOCKED
    assert why == f"discovery found 6 new or changed article(s) but every article page fetched was a block page ({named})"


@pytest.mark.parametrize(
    ("more", "status"),
    [
        # One page of no layout beside the blocks: some page came back and was read.
        ({stat.skipped("blocked"): 5, stat.skipped("unknown-layout"): 1}, EXIT_EXTRACTION),
        # A 503 beside them: the site failing too (tests/test_verdict.py keeps this one).
        ({stat.skipped("blocked"): 5, stat.failed("http-503"): 1}, EXIT_FAILED),
    ],
)
def test_block_pages_beside_other_outcomes_are_judged_as_before(more: dict[str, int], status: int) -> None:
    assert judge(found(6, **more))[0] == status


@pytest.mark.parametrize("fault", ["block200", "block403"])
def test_a_latest_run_whose_every_article_is_blocked_exits_4(tmp_path: Path, fault: str) -> None:
    with LoopbackSite(articles=6, seed=14) as site:
        for record in site.articles:
            site.set_fault(record.article_id, fault)
        # The share of all answers that fails a run is raised above what the article pages make of them
        # (the loopback site lists some 16 articles beside its 10 other answers).
        result = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_MAX_BLOCKED_SHARE": "0.7"})
    stats = stats_from_log(result.log)
    assert stats["bs/blocked"] <= 0.7 * stats["response_received_count"], "too few for the share of all answers"
    assert result.status == EXIT_BLOCKED, result.log[-3000:]
    assert "every article page fetched was a block page" in result.log
    assert not result.items and "Traceback" not in result.log
