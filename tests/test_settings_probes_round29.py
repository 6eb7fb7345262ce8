"""Every setting of the README's table at the edges a user types: a span of time too long for a date, a
socket or a thread to hold, and a whole number past what Redis or a C integer holds."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.monitoring.verdict import EXIT_USAGE
from tests.e2e import history, scrapy
from tests.loopback.site import LoopbackSite
from tests.test_monitoring_probes_round9 import problems_of


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=4, seed=29) as running:
        yield running


def _refused(done: subprocess.CompletedProcess[str], site: LoopbackSite, *words: str) -> None:
    """One `error:` line holding ``words``, exit 2, no traceback, nothing asked of the site."""
    assert done.returncode == EXIT_USAGE, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert sum(site.counts.values()) == 0


# --- a span of time: at most 100 years, in the setting's own unit -------------------------------------


# (setting, unit in the message). Before, each was taken (1e12 s was the bound, and hours and days were
# judged as if they were seconds), and then:
# - BS_SEEN_RETENTION_DAYS=1000000 (meant as "for ever"): the seen-store's pruning at the run's end took
#   `now - retention` before year 1, OverflowError in the feed's close handler, and the run never ended
#   (cron's next run found it holding the lock; SIGTERM left it hanging too);
# - BS_SEEN_RETENTION_DAYS=1e10 and BS_GONE_RECHECK_HOURS=1e11: a traceback before the spider opened, exit 1;
# - BS_FUTURE_DATE_SKEW=9e11: `now + skew` past year 9999, every article "unreadable", exit 5;
# - BS_REDIS_TIMEOUT=3e10: redis-py's socket refused it ("timestamp out of range for platform time_t"),
#   a bare traceback, exit 1, no record.
TOO_LONG = [
    ("BS_SEEN_RETENTION_DAYS=1000000", "36,525 days"),
    ("BS_SEEN_RETENTION_DAYS=10000000000", "36,525 days"),
    ("BS_GONE_RECHECK_HOURS=100000000000", "876,600 hours"),
    ("BS_GONE_RECHECK_HOURS=1000000", "876,600 hours"),
    ("BS_FUTURE_DATE_SKEW=900000000000", "3,155,760,000 s"),
    ("BS_CDN_STALE_SECONDS=99999999999", "3,155,760,000 s"),
    ("BS_REDIS_TIMEOUT=30000000000", "3,155,760,000 s"),
    ("BS_HEARTBEAT_TIMEOUT=30000000000", "3,155,760,000 s"),
    ("BS_REDIS_IDLE_SECONDS=30000000000", "3,155,760,000 s"),
    ("BS_RUN_HISTORY_CHECKPOINT=30000000000", "3,155,760,000 s"),
    ("BS_SPLASH_TIMEOUT=30000000000", "3,155,760,000 s"),
    ("BS_FEED_CLOSE_TIMEOUT=30000000000", "3,155,760,000 s"),
    ("BS_RETRY_AFTER_MAX=30000000000", "3,155,760,000 s"),
    ("BS_RATE_LIMIT_WAIT=30000000000", "3,155,760,000 s"),
    ("BS_PROGRESS_INTERVAL=30000000000", "3,155,760,000 s"),
    ("BS_SPIDERMON_SMTP_TIMEOUT=30000000000", "3,155,760,000 s"),
    ("DOWNLOAD_TIMEOUT=30000000000", "3,155,760,000 s"),
]


@pytest.mark.parametrize(("setting", "unit"), TOO_LONG)
def test_a_span_longer_than_a_date_or_a_socket_holds_is_refused(setting: str, unit: str) -> None:
    name = setting.split("=", 1)[0]
    problem = problems_of(setting).get(name, "")
    assert "too long" in problem and f"at most {unit}" in problem and "100 years" in problem, problem


@pytest.mark.parametrize(
    "setting",
    # A century, and the documented zeros ("0: kept for ever", "0: asked for at every run", "0: none").
    ["BS_SEEN_RETENTION_DAYS=36525", "BS_SEEN_RETENTION_DAYS=3650", "BS_GONE_RECHECK_HOURS=876600", "BS_FUTURE_DATE_SKEW=315360000",
     "BS_REDIS_TIMEOUT=3155760000", "BS_SEEN_RETENTION_DAYS=0", "BS_GONE_RECHECK_HOURS=0", "BS_PROGRESS_INTERVAL=0",
     "BS_SPLASH_RESTART_WAIT=0", "BS_CDN_STALE_SECONDS=0", "DOWNLOAD_TIMEOUT=3600"],
)
def test_a_span_a_user_means_is_taken(setting: str) -> None:
    assert problems_of(setting) == {}


@pytest.mark.parametrize(
    "setting",
    # Not spans of time: a rate and a share keep their own bounds.
    ["BS_SITE_MAX_RATE=100000000000", "BS_MAX_INVALID_SHARE=1", "AUTOTHROTTLE_TARGET_CONCURRENCY=99999999999"],
)
def test_numbers_that_are_no_span_keep_their_bounds(setting: str) -> None:
    assert problems_of(setting) == {}


def test_a_seen_store_kept_for_a_million_days_is_refused_and_nothing_hangs(site: LoopbackSite, tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_SEEN_RETENTION_DAYS=1000000", timeout=60)
    _refused(done, site, "BS_SEEN_RETENTION_DAYS", "1000000", "36,525 days", "0 keeps every article for ever")
    assert not (tmp_path / ".state" / "seen.sqlite3").exists()
    assert not (tmp_path / "output").exists()


def test_a_future_date_skew_past_year_9999_is_refused(site: LoopbackSite, tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", "BS_FUTURE_DATE_SKEW=900000000000", timeout=60)
    _refused(done, site, "BS_FUTURE_DATE_SKEW", "3,155,760,000 s")
    assert not (tmp_path / "output").exists()


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """The test Redis's URL and a key prefix of this test's own, its keys deleted afterwards."""
    url = os.environ.get("BS_TEST_REDIS_URL")
    if not url:
        pytest.skip("BS_TEST_REDIS_URL names no Redis (tests/services/redis/start.sh starts one)")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    name = f"t{uuid.uuid4().hex[:10]}"
    try:
        yield url, name
    finally:
        keys = list(client.scan_iter(match=f"{name}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_a_redis_timeout_no_socket_takes_is_refused_and_recorded(site: LoopbackSite, tmp_path: Path, redis_prefix: tuple[str, str]) -> None:
    # Before: redis-py's socket refused it, OverflowError, a bare traceback, exit 1, no record anywhere.
    url, prefix = redis_prefix
    done = scrapy(
        tmp_path, "crawl", "latest", "-s", f"BS_BASE_URL={site.base_url}", "-s", f"REDIS_URL={url}", "-s", f"BS_REDIS_PREFIX={prefix}",
        "-s", "BS_WORKER_NAME=w1", "-s", "BS_REDIS_TIMEOUT=30000000000", timeout=60,
    )
    _refused(done, site, "BS_REDIS_TIMEOUT", "3,155,760,000 s")
    assert [record["status"] for record in history(tmp_path)] == [EXIT_USAGE]


# --- a whole number: at most what a signed 64-bit integer holds -------------------------------------


@pytest.mark.parametrize(
    "name",
    # Before: BS_REDIS_RUNS_KEPT past 2**63 - 1 made every run's LTRIM fail ("value is not an integer or
    # out of range"): a WARNING at each run's end and no record in Redis, for `scrapy runs` of any worker.
    ["BS_REDIS_RUNS_KEPT", "BS_MAX_SOURCES", "BS_SITE_MAX_CONCURRENCY", "BS_RUN_HISTORY_MAX_BYTES", "BS_SITEMAP_MAX_SIZE",
     "BS_COVERAGE_MIN_ITEMS", "CONCURRENT_REQUESTS"],
)
def test_a_whole_number_past_64_bits_is_refused(name: str) -> None:
    problem = problems_of(f"{name}=99999999999999999999").get(name, "")
    assert "too large" in problem and "9223372036854775807" in problem, problem
    assert problems_of(f"{name}=9223372036854775807") == {}


def test_a_span_past_a_century_in_the_settings_module_is_refused() -> None:
    from crawler.commands.crawl import settings_module_problem

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_SEEN_RETENTION_DAYS", 1000000, priority="project")
    problem = settings_module_problem(settings, given=())
    assert problem is not None and "BS_SEEN_RETENTION_DAYS" in problem and "at most 36,525 days" in problem, problem
    settings.set("BS_SEEN_RETENTION_DAYS", 3650, priority="project")
    assert settings_module_problem(settings, given=()) is None
