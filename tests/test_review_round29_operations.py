"""Round 29 review probes of round 28's operations changes: spans of time a run cannot count with, and `scrapy view` as a look."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.commands.crawl import setting_problem, settings_module_problem
from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite
from tests.test_redis import prefix, redis_url  # noqa: F401 (fixtures)
from tests.test_review_round21_distributed import other_prefix  # noqa: F401 (fixture)

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=29, days=10, legacy=0) as running:
        yield running


def _scrapy(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        # (subprocess.run kills the run with SIGKILL at the timeout: a run that hangs is a failure, not a hung test.)
        return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=workdir, env=env or ENV,
                              capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"scrapy {' '.join(args)} never ended: {str(hung.stderr)[-2000:]}") from None


# --- a span of time past what a date holds ----------------------------------------------------------------------
# The settings check took any number up to 1e12 for these, as it does for seconds. Counted in days or hours, or
# added to a date: `-s BS_SEEN_RETENTION_DAYS=800000` (a user's "keep them all") reached back before year 1 in the
# day's seen-store prune at the run's end, an OverflowError traceback in a signal handler, and the run never ended
# (its lock held, every later cron run refused); 1e10 days, or BS_GONE_RECHECK_HOURS=1e11, was exit 1 "the run
# failed before its spider opened (OverflowError …)"; BS_FUTURE_DATE_SKEW=3e11 skipped every article as "not an
# article", exit 5.

TOO_LONG = {
    "BS_SEEN_RETENTION_DAYS=800000": "at most 36,525 days (100 years); 0 keeps every article for ever",
    "BS_SEEN_RETENTION_DAYS=1e10": "at most 36,525 days",
    "BS_GONE_RECHECK_HOURS=1e11": "at most 876,600 hours",
    "BS_FUTURE_DATE_SKEW=3e11": "at most 3,155,760,000 s",
}


@pytest.mark.parametrize("given", sorted(TOO_LONG))
def test_a_span_past_a_century_is_refused_in_one_line(site: LoopbackSite, tmp_path: Path, given: str) -> None:
    done = _scrapy(tmp_path, "crawl", "latest", "-O", "out.jsonl", "-s", given, "-s", f"BS_BASE_URL={site.base_url}",
                   *[f"-s{name}={value}" for name, value in FAST.items()])
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(errors) == 1 and given.split("=")[0] in errors[0] and TOO_LONG[given] in errors[0], errors
    assert sum(site.counts.values()) == 0, "refused before anything was asked of the site"


@pytest.mark.parametrize("name, value", [("BS_SEEN_RETENTION_DAYS", 36_500), ("BS_SEEN_RETENTION_DAYS", 0), ("BS_GONE_RECHECK_HOURS", 876_000),
                                         ("BS_FUTURE_DATE_SKEW", 3_153_600_000)])
def test_a_span_up_to_a_century_is_taken(name: str, value: float) -> None:
    settings = Settings({name: str(value)})
    assert setting_problem(name, 0.0, settings) is None


def test_a_span_too_long_in_the_settings_module_is_refused_as_a_s_value(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("BS_SEEN_RETENTION_DAYS", 800_000, priority="project")
    problem = settings_module_problem(settings, given=())
    assert problem is not None and "BS_SEEN_RETENTION_DAYS" in problem and "too long" in problem, problem


def test_a_long_retention_a_run_takes_ends_and_writes_every_article(site: LoopbackSite, tmp_path: Path) -> None:
    """The other side: the longest retention taken prunes nothing, and the run ends as any does."""
    done = _scrapy(tmp_path, "crawl", "latest", "-O", "out.jsonl", "-s", "BS_SEEN_RETENTION_DAYS=36500",
                   "-s", f"BS_BASE_URL={site.base_url}", *[f"-s{name}={value}" for name, value in FAST.items()])
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == len(site.articles)
    assert "'bs/state/seen_pruned': 0" in done.stderr


# --- scrapy view is a look, as fetch is ------------------------------------------------------------------------
# Round 28 made `scrapy fetch` and `shell` no run; `scrapy view` is Scrapy's fetch, not the project's: each view
# was an `ok` run in the history (and a ping of the cron monitor), and `view --spider latest` made the state dir,
# opened the seen-store and did the day's prune.


@pytest.mark.parametrize("spider", [[], ["--spider", "latest"]], ids=["default", "latest"])
def test_view_is_a_look_that_keeps_nothing_for_the_runs(site: LoopbackSite, tmp_path: Path, spider: list[str]) -> None:
    story = site.base_url + site.articles[0].path
    # The browser: `cat` of the file:// page view saved, so the page is seen to have been shown.
    browser = """sh -c 'cat "${0#*//}"' %s"""  # (no colon: BROWSER is a list split at colons)
    done = _scrapy(tmp_path, "view", *spider, story, "-s", f"BS_BASE_URL={site.base_url}", env={**ENV, "BROWSER": browser})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "</html>" in done.stdout and site.articles[0].article_id in done.stdout, done.stdout[-2000:]
    assert "Run summary" not in done.stderr, done.stderr[-3000:]
    assert not (tmp_path / ".state").exists(), sorted(str(path) for path in (tmp_path / ".state").rglob("*"))
    runs = _scrapy(tmp_path, "runs")
    assert "default" not in runs.stdout and "latest" not in runs.stdout, runs.stdout


# --- two workers' long waits: the longer is kept ----------------------------------------------------------------
# Round 28 keeps a Retry-After longer than BS_RETRY_AFTER_MAX in Redis for every worker. A second worker's 429 met
# meanwhile with a shorter one (a request it had in flight, another of the site's limits) set the shared
# not-before over the first: the hour the site asked for became 5 minutes, and every worker cron started after
# them asked the site again 55 minutes early. The running workers' pause kept the longer one already.


def test_a_shorter_long_wait_of_another_worker_leaves_the_longer_one(redis_url: str, prefix: str, other_prefix: str) -> None:  # noqa: F811
    import redis

    from crawler.distributed.sitewait import not_before_key, shared_site_wait_problem
    from crawler.middlewares import site_asked_not_before
    from tests.test_review_round21_distributed import SITE, _middleware

    first, second = _middleware(redis_url, prefix, "w1"), _middleware(redis_url, prefix, "w2")
    client = redis.Redis.from_url(redis_url)
    try:
        first.crawler.signals.send_catch_log(signal=site_asked_not_before, url=f"{SITE}/a-1.html", seconds=3600.0)
        second.crawler.signals.send_catch_log(signal=site_asked_not_before, url=f"{SITE}/b-2.html", seconds=300.0)
        host = SITE.split("//", 1)[1]
        assert client.pttl(not_before_key(prefix, host)) > 3000 * 1000
        settings = second.crawler.settings
        problem = shared_site_wait_problem(settings)
        assert problem is not None and "worker w1" in problem and "Retry-After: 3600 s" in problem, problem
        # The other way round, the longer one replaces the shorter.
        other = other_prefix
        third, fourth = _middleware(redis_url, other, "w3"), _middleware(redis_url, other, "w4")
        try:
            third.crawler.signals.send_catch_log(signal=site_asked_not_before, url=f"{SITE}/a-1.html", seconds=300.0)
            fourth.crawler.signals.send_catch_log(signal=site_asked_not_before, url=f"{SITE}/b-2.html", seconds=3600.0)
            assert client.pttl(not_before_key(other, host)) > 3000 * 1000
        finally:
            third.client.close()
            fourth.client.close()
    finally:
        client.close()
        first.client.close()
        second.client.close()
