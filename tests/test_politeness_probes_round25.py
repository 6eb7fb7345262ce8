"""Probes of how the crawler keeps to what the site's robots.txt asks: rules written with a byte-order mark, and a robots.txt that cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.monitoring.verdict import EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_politeness_probes_round19 import _article_gaps, _timed_site

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
