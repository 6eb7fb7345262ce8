"""Probes of what is left of robots.txt's edge cases: one larger than the download bound, one whose redirects do not end, and a Retry-After in decimals."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import stats as stat
from crawler.middlewares import retry_after_seconds
from crawler.monitoring.verdict import EXIT_FAILED, EXIT_OK
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite

# --- robots.txt larger than DOWNLOAD_MAXSIZE: RFC 9309 (2.5) "MUST be at least 500 kibibytes" parsed ---------

# The rules for us first, as the site writes them, and after them more than the bound holds.
SHUT_OUT = "User-agent: *\nDisallow: /\n"


def _padding(size: int) -> str:
    line = "# " + "x" * 77 + "\n"
    return line * (size // len(line) + 1)


@pytest.mark.parametrize(
    ("maxsize", "size", "fault"),
    [
        (None, 9 * 1024 * 1024, None),  # the project's 8 MB bound, announced by its Content-Length
        # No length, the connection closed after half of it (600 KiB): known too large as it arrives.
        ("100000", 1200 * 1024, "close-cut"),
        ("100000", 600 * 1024, None),  # a bound set below RFC 9309's 500 KiB
        # Gzipped, as an edge sends text: 2 KB on the wire, past the bound as it decodes.
        (None, 9 * 1024 * 1024, "gzip"),
        ("100000", 600 * 1024, "gzip"),
    ],
    ids=["content-length", "no-length", "maxsize-below-500-kib", "gzip", "gzip-maxsize-below-500-kib"],
)
def test_a_robots_txt_larger_than_the_download_bound_is_read_as_far_as_it_goes(tmp_path: Path, maxsize: str | None, size: int, fault: str | None) -> None:
    # Before: its download was cancelled ("larger than download max size"), and robots.txt read as no
    # rules, one WARNING "going on as if it allowed everything": a Disallow: / for us at its start unobeyed.
    settings = {"DOWNLOAD_MAXSIZE": maxsize} if maxsize else {}
    with LoopbackSite(articles=2, seed=25) as site:
        site._robots = lambda: SHUT_OUT + _padding(size)  # type: ignore[method-assign]
        if fault:
            site.set_path_fault("/robots.txt", fault)
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url, **settings})
        fetched = site.article_requests()
    assert fetched == 0 and not result.items, result.log[-3000:]
    assert result.status == EXIT_FAILED
    stats = stats_from_log(result.log)
    assert stats.get("robotstxt/forbidden") == 2 and stat.ROBOTSTXT_UNREADABLE not in stats, stats
    assert stats.get(stat.ROBOTSTXT_CUT) == 1, stats
    warnings = [line for line in result.log.splitlines() if "robots.txt" in line and " WARNING: " in line]
    assert len(warnings) == 1 and "rules past them are not read" in warnings[0], warnings
    assert "Traceback" not in result.log


def test_a_gzipped_robots_txt_within_500_kib_is_read_whole_under_a_lower_download_maxsize(tmp_path: Path) -> None:
    # Before: it decoded past DOWNLOAD_MAXSIZE (100,000 bytes), was refused, and read as no rules.
    with LoopbackSite(articles=2, seed=25) as site:
        site._robots = lambda: SHUT_OUT + _padding(400 * 1024)  # type: ignore[method-assign]
        site.set_path_fault("/robots.txt", "gzip")
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url, "DOWNLOAD_MAXSIZE": "100000"})
        fetched = site.article_requests()
    assert fetched == 0 and not result.items, result.log[-3000:]
    stats = stats_from_log(result.log)
    assert stats.get("robotstxt/forbidden") == 2 and stat.ROBOTSTXT_CUT not in stats, stats
    assert not [line for line in result.log.splitlines() if " WARNING: " in line and "robots.txt" in line]


def test_a_robots_txt_larger_than_the_bound_keeps_its_rules_before_the_cut_and_none_after(tmp_path: Path) -> None:
    # The line the cut falls in is no rule: half a "Disallow: /markets" would be "Disallow: /m".
    with LoopbackSite(articles=2, seed=25) as site:
        pad = _padding(600 * 1024)
        site._robots = lambda: "User-agent: *\nDisallow: /charts\n" + pad + "Disallow: /\n"  # type: ignore[method-assign]
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url, "DOWNLOAD_MAXSIZE": "100000"})
    assert len(result.items) == 2, result.log[-3000:]
    assert stats_from_log(result.log).get(stat.ROBOTSTXT_CUT) == 1


# --- robots.txt whose redirects do not end: RFC 9309 (2.3.1.2) follows five, then "MAY assume ... unavailable" --


@pytest.mark.parametrize("redirects", [None, 6], ids=["loop", "six"])
def test_a_robots_txt_redirected_more_than_five_times_is_no_rules_in_one_line(tmp_path: Path, redirects: int | None) -> None:
    # Before: Scrapy gave the redirects up at a DEBUG line ("max redirections reached"), and robots.txt was
    # read as no rules without a word: a site whose robots.txt went missing behind a loop looked obeyed.
    with LoopbackSite(articles=3, seed=25) as site:
        site._robots = lambda: SHUT_OUT  # type: ignore[method-assign]
        site.set_path_fault("/robots.txt", "redirect-self", times=redirects)
        urls = ",".join(record.url for record in site.articles[:3])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url})
        asked = site.counts["/robots.txt"]
    # Five redirects followed, the sixth not: unavailable, which RFC 9309 (2.3.1.3) lets a crawler crawl.
    assert asked == 6, asked
    assert result.status == EXIT_OK and len(result.items) == 3, result.log[-3000:]
    warnings = [line for line in result.log.splitlines() if "robots.txt" in line and " WARNING: " in line]
    assert len(warnings) == 1 and "redirected more than 5 times" in warnings[0], warnings
    assert "RFC 9309" in warnings[0] and "as if it had no rules" in warnings[0]
    assert stats_from_log(result.log).get(stat.ROBOTSTXT_UNREADABLE) == 1
    assert "Traceback" not in result.log


def test_a_robots_txt_reached_within_five_redirects_is_obeyed(tmp_path: Path) -> None:
    # RFC 9309 (2.3.1.2): reached within five redirects, its rules "MUST be ... followed".
    with LoopbackSite(articles=2, seed=25) as site:
        site._robots = lambda: SHUT_OUT  # type: ignore[method-assign]
        site.set_path_fault("/robots.txt", "redirect-self", times=5)
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url})
        fetched = site.article_requests()
    assert fetched == 0 and not result.items, result.log[-3000:]
    assert stats_from_log(result.log).get("robotstxt/forbidden") == 2


# --- Retry-After in seconds with a fraction: the wait the site asks for, not another ----------------------


@pytest.mark.parametrize("value", ["1.5", "0.25"])
def test_retry_after_in_decimal_seconds_is_read_as_written(value: str) -> None:
    # RFC 9110 writes delay-seconds as whole digits; servers that send "1.5" mean one and a half.
    assert retry_after_seconds(value) == float(value) and retry_after_seconds(f" {value} ".encode()) == float(value)


@pytest.mark.parametrize("value", ["-1", "1.", ".5", "1.5s", "1,5", "nan", "inf", "1e3", "١.٥"])
def test_a_retry_after_that_is_no_number_of_seconds_is_unread(value: str) -> None:
    assert retry_after_seconds(value) is None


@pytest.mark.parametrize(("status", "line"), [("429", "Rate limited (429) at <"), ("503", "Unavailable (503) at <")])
def test_a_429_or_503_whose_retry_after_has_a_fraction_is_waited_out_as_it_says(tmp_path: Path, status: str, line: str) -> None:
    # Before: "Retry-After: 1.5" was no value: a 429 waited BS_RATE_LIMIT_WAIT (here 5 s) instead, and a
    # 503 was not waited out at all, its retries sent at once to a site that had asked for a second and a half.
    with LoopbackSite(articles=2, seed=25) as site:
        record = site.articles[0]
        site.set_path_fault(record.path, status, argument=1.5, times=1)
        urls = ",".join(record.url for record in site.articles[:2])
        result = crawl("article", tmp_path, "-a", f"urls={urls}", settings={"BS_BASE_URL": site.base_url, "BS_RATE_LIMIT_WAIT": "5"})
        asked = site.article_requests(record.article_id)
    assert result.status == EXIT_OK and len(result.items) == 2, result.log[-3000:]
    assert asked == 2
    assert f"{line}{site.base_url}{record.path}>: waiting 1.5 s (Retry-After)" in result.log, result.log[-3000:]
