"""Probes of what round 17 left over, round 18: falls the ticker writes in an accountant's or a table's way,
a ticker whose every page came out empty, an extra ticker item the render waited for, and settings the
checks let through (the settings module's own Scrapy names, a decimal for a whole number, a timeout of 0)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler

from crawler.monitoring.verdict import EXIT_STATE, EXIT_USAGE
from crawler.splash import SplashRenderingMiddleware
from tests.conftest import ROOT
from tests.e2e import crawl, scrapy, stats_from_log
from tests.loopback.site import LoopbackSite

from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash import make_crawler
from tests.test_splash_probes_round11 import crawl_latest, market_of
from tests.test_splash_probes_round17 import SPLASH, _state_in_splash

# --- falls written after the figure or in parentheses -----------------------------------------------------

# A fall written as accounts write it, "(254.86)", or with the minus after the figure, "254.86-": before,
# both read as a rise (254.86, 0.35), a wrong number written as good.
FALLS = {
    "parentheses": ("(254.86)", "0.35"),
    "parentheses-spaced": ("( 254.86 )", "0.35"),
    "parentheses-with-the-rupee": ("(\u20b9254.86)", "0.35"),
    "parentheses-per-cent-too": ("(254.86)", "(0.35)"),
    "trailing-minus": ("254.86-", "0.35"),
    "trailing-minus-on-both": ("254.86-", "0.35-"),
    "trailing-minus-with-the-rupee": ("\u20b9254.86-", "0.35"),
}


@pytest.mark.parametrize(("change", "percent"), FALLS.values(), ids=FALLS.keys())
def test_a_fall_in_parentheses_or_with_a_trailing_minus_is_negative(change: str, percent: str) -> None:
    assert market_of([("Sensex", "73,158.24", change, percent)])["Sensex"] == (73158.24, -254.86, -0.35)


# Parentheses and dashes that mark no fall keep the figures as they were.
NOT_FALLS = {
    "per-cent-in-parentheses": ("254.86 (0.35%)", None, (254.86, 0.35)),
    "change-and-per-cent-dash-apart": ("254.86 - 0.35%", None, (254.86, 0.35)),
    "signed-in-parentheses": ("(+254.86)", "(+0.35)", (254.86, 0.35)),
    "minus-inside-parentheses": ("(-254.86)", "(-0.35)", (-254.86, -0.35)),
    "a-figure-before-the-parentheses": ("254.86 (12)", None, (254.86, 12.0)),
}


@pytest.mark.parametrize(("change", "percent", "expected"), NOT_FALLS.values(), ids=NOT_FALLS.keys())
def test_parentheses_and_dashes_that_mark_no_fall_change_nothing(change: str, percent: str | None, expected: tuple[float, float]) -> None:
    assert market_of([("Sensex", "73,158.24", change, percent)])["Sensex"] == (73158.24, *expected)


# --- the items of the ticker a render waits for ------------------------------------------------------------

FIVE = ("Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank")
FILLED = ("80,109.85", "24,221.90", "17,954.70", "56,390.15", "52,207.50")


def _ticker(items: list[tuple[str, str]]) -> str:
    cells = '<div class="tickeritem"><span class="tickername">{}</span> <span class="tickerval">{}</span></div>'
    return '<div class="mktticker">' + "".join(cells.format(name, value) for name, value in items) + "</div>"


# (page body, the state the script must report). Before: a ticker with an item the extraction does not read
# ("Gold", a commodity the page's script leaves blank, a heading item) read "empty" though the five indices
# were written: each render waited all of BS_SPLASH_WAIT and was counted bs/splash/ticker/empty.
EXTRA_ITEMS = {
    "gold-left-blank": (_ticker([*zip(FIVE, FILLED), ("Gold", "")]), "filled"),
    "gold-and-crude-left-blank-first": (_ticker([("Gold", ""), ("Crude Oil", "--"), *zip(FIVE, FILLED)]), "filled"),
    "another-series-left-blank": (_ticker([*zip(FIVE, FILLED), ("Nifty Next 50", "")]), "filled"),
    "names-in-capitals-and-arrows": (_ticker([(f"{n.upper()} \u25b2", v) for n, v in zip(FIVE, FILLED)] + [("GOLD", "")]), "filled"),
    "hindi-names-composed-nukta": (
        _ticker([("\u0938\u0947\u0902\u0938\u0947\u0915\u094d\u0938", FILLED[0]), ("\u0928\u093f\u095e\u094d\u091f\u0940", FILLED[1]), ("\u0938\u094b\u0928\u093e", "")]),
        "filled",
    ),
    # Still waited for: an index not written yet, and a ticker whose names are none the extraction knows.
    "an-index-blank-beside-gold": (_ticker([*zip(FIVE[:4], FILLED[:4]), ("Nifty Bank", ""), ("Gold", "")]), "empty"),
    "unknown-names-blank": (_ticker([("Index A", ""), ("Index B", "")]), "empty"),
    "unknown-names-written": (_ticker([("Index A", "1,234.5"), ("Index B", "2,345.6")]), "filled"),
}


@pytest.mark.parametrize(("body", "state"), EXTRA_ITEMS.values(), ids=EXTRA_ITEMS.keys())
def test_a_ticker_item_the_extraction_does_not_read_is_not_waited_for(splash_url: str, body: str, state: str) -> None:  # noqa: F811
    assert _state_in_splash(splash_url, body) == state


# --- a run in which no ticker was ever filled ----------------------------------------------------------------

# (the ticker states of a run's renders, whether the run warns). Before: a run whose every ticker came out
# empty (a changed ticker markup or script: every article's market numbers null) logged no WARNING and
# exited 0, each page only a bs/splash/ticker/empty stat; cron mailed nothing, run after run.
RUNS = {
    "every-ticker-empty": ({"empty": 12}, True),
    "every-ticker-in-no-known-state": ({"unknown": 3}, True),
    "empty-and-absent": ({"empty": 2, "absent": 5}, True),
    "one-filled": ({"empty": 11, "filled": 1}, False),
    "every-page-without-a-ticker": ({"absent": 4}, False),
    "nothing-rendered": ({}, False),
}


@pytest.mark.parametrize(("states", "warns"), RUNS.values(), ids=RUNS.keys())
def test_a_run_in_which_no_ticker_was_filled_warns(states: dict[str, int], warns: bool, caplog: pytest.LogCaptureFixture) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    assert crawler.stats is not None
    crawler.stats.set_value("bs/splash/rendered", sum(states.values()))
    for state, count in states.items():
        crawler.stats.set_value(f"bs/splash/ticker/{state}", count)
    with caplog.at_level(logging.WARNING, logger="crawler.splash"):
        middleware.spider_closed()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert (crawler.stats.get_value("bs/splash/ticker_never_filled") == 1) is warns
    assert len(lines) == (1 if warns else 0), lines
    if warns:
        assert "BS_SPLASH_WAIT" in lines[0] and f"of the {sum(states.values())} rendered pages" in lines[0]


def test_a_crawl_whose_ticker_script_writes_nothing_warns_once_and_still_exits_0(tmp_path: Path, splash_url: str) -> None:  # noqa: F811
    with LoopbackSite(articles=3, seed=5, legacy=0) as site:
        site.ticker.clear()  # the page's script finds no quote for any index: every cell stays blank
        run = crawl_latest(tmp_path, site, splash_url, BS_LATEST_SOURCES="/rss/latest.rss", BS_SPLASH_WAIT="0.5")
    stats = stats_from_log(run.log)
    assert run.status == 0 and len(run.items) == 3, run.log[-3000:]
    assert stats.get("bs/splash/ticker/empty") == 3 and stats.get("bs/splash/ticker_never_filled") == 1, stats
    warnings = [line for line in run.log.splitlines() if " WARNING: " in line and "ticker filled" in line]
    assert len(warnings) == 1, run.log[-3000:]


# --- settings the checks let through ---------------------------------------------------------------------


def _module_settings(name: str, value: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set(name, value, priority="project")
    return settings


# (a setting, a value written in the settings module, what the line must say). Before: only the BS_ names of
# the module were checked (Scrapy's own were checked on -s only: AUTOTHROTTLE_TARGET_CONCURRENCY = 0 in
# crawler/settings.py switched AutoThrottle off in one WARNING, CONCURRENT_REQUESTS = 0 sent no request), a
# decimal for a whole number was cut down by int() in silence (1.5 read as 1), and DOWNLOAD_TIMEOUT = 0
# was taken (no "no timeout" in Scrapy: the download handler's own 10 s instead).
MODULE_VALUES = {
    "autothrottle-target-zero": ("AUTOTHROTTLE_TARGET_CONCURRENCY", 0, "must be above 0"),
    "autothrottle-target-negative": ("AUTOTHROTTLE_TARGET_CONCURRENCY", -1.0, "must not be negative"),
    "concurrent-requests-zero": ("CONCURRENT_REQUESTS", 0, "must be at least 1"),
    "retry-times-negative": ("RETRY_TIMES", -1, "must not be negative"),
    "download-delay-negative": ("DOWNLOAD_DELAY", -0.5, "must not be negative"),
    "autothrottle-enabled-not-a-switch": ("AUTOTHROTTLE_ENABLED", "maybe", "true or false"),
    "scrapy-whole-number-decimal": ("CONCURRENT_REQUESTS_PER_DOMAIN", 1.5, "not a whole number"),
    "project-whole-number-decimal": ("BS_COVERAGE_MIN_ITEMS", 2.5, "not a whole number"),
    "download-timeout-zero": ("DOWNLOAD_TIMEOUT", 0, "must be above 0"),
}


@pytest.mark.parametrize(("name", "value", "words"), MODULE_VALUES.values(), ids=MODULE_VALUES.keys())
def test_a_wrong_value_of_the_settings_module_is_refused_whoever_reads_it(name: str, value: object, words: str) -> None:
    from crawler.commands.crawl import settings_module_problem

    problem = settings_module_problem(_module_settings(name, value), set())
    assert problem is not None and f"{name}={value!r}" in problem and words in problem, problem


@pytest.mark.parametrize(
    ("name", "value"),
    [("DOWNLOAD_TIMEOUT", 2.5), ("CONCURRENT_REQUESTS", 8.0), ("AUTOTHROTTLE_TARGET_CONCURRENCY", 0.5), ("RETRY_TIMES", 0), ("BS_COVERAGE_MIN_ITEMS", 5.0)],
)
def test_a_right_value_of_the_settings_module_is_taken(name: str, value: object) -> None:
    from crawler.commands.crawl import settings_module_problem

    assert settings_module_problem(_module_settings(name, value), set()) is None


def test_the_project_s_own_settings_module_passes_its_checks() -> None:
    from crawler.commands.crawl import settings_module_problem

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settings_module_problem(settings, set()) is None


def _one_error_line(done: subprocess.CompletedProcess[str], *words: str, status: int = EXIT_USAGE) -> str:
    assert done.returncode == status, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and all(word in last for word in words), done.stderr[-3000:]
    return last


def test_a_crawl_with_a_wrong_scrapy_value_in_one_s_own_settings_module_is_refused(tmp_path: Path) -> None:
    (tmp_path / "my_settings.py").write_text("from crawler.settings import *  # noqa: F403\nAUTOTHROTTLE_TARGET_CONCURRENCY = 0\n")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}", "SCRAPY_SETTINGS_MODULE": "my_settings"}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:16452", "-O", "out.jsonl"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    _one_error_line(done, "in my_settings", "AUTOTHROTTLE_TARGET_CONCURRENCY=0", "must be above 0")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_download_timeout_of_zero_given_with_s_is_refused(tmp_path: Path) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", "DOWNLOAD_TIMEOUT=0", "-s", "BS_BASE_URL=http://127.0.0.1:16453", "-O", "out.jsonl")
    _one_error_line(done, "DOWNLOAD_TIMEOUT=", "must be above 0")


# Before: "error: run lock …/latest.lock cannot be created: File exists" (or "Not a directory"): the lock file
# named, not the setting, nor what it takes. (Exit 7 as before: the README's table gives it to the state dir.)
@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_a_state_dir_that_is_a_file_is_named_as_the_setting(tmp_path: Path, where: str) -> None:
    (tmp_path / "state").write_text("not a folder\n")
    state = tmp_path / "state" if where == "a-file" else tmp_path / "state" / "latest"
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"BS_STATE_DIR={state}", "-s", "BS_BASE_URL=http://127.0.0.1:16454", "-O", "out.jsonl")
    last = _one_error_line(done, "BS_STATE_DIR=", str(state), "give a folder", status=EXIT_STATE)
    assert "lock" not in last.split(":")[0]
    assert (tmp_path / "state").read_text() == "not a folder\n" and not (tmp_path / "out.jsonl").exists()


def test_a_state_dir_not_there_yet_is_still_made(tmp_path: Path) -> None:
    with LoopbackSite(articles=2, seed=3, legacy=0) as site:
        done = scrapy(
            tmp_path, "crawl", "latest", "-s", f"BS_STATE_DIR={tmp_path / 'new' / 'state'}", "-s", f"BS_BASE_URL={site.base_url}",
            "-s", "BS_LATEST_SOURCES=/rss/latest.rss", "-O", "out.jsonl", timeout=180,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "new" / "state").is_dir()


# Before: `scrapy parse -s BS_BASE_URL=http://127.0.0.1:99999 URL` was taken (exit 0), as `crawl` refuses it.
@pytest.mark.parametrize(("value", "words"), [("http://127.0.0.1:99999", "no usable port"), ("127.0.0.1:8000", "not an http(s) URL"), ("https://www.business-standard.com/latest-news", "a path")])
def test_parse_refuses_a_site_root_crawl_refuses(tmp_path: Path, value: str, words: str) -> None:
    done = scrapy(tmp_path, "parse", "-s", f"BS_BASE_URL={value}", "http://127.0.0.1:16455/article/economy/x-124010100001_1.html")
    _one_error_line(done, "BS_BASE_URL=", words)


# --- a setting only another spider reads ------------------------------------------------------------------

# Before: `crawl article -s BS_LATEST_SOURCES=…` (a feed list meant for `latest`) did nothing, without a word.
# A WARNING and a stat, not a refusal: a wrapper script may pass one set of -s to every spider.
@pytest.mark.parametrize(("given", "named"), [(("BS_LATEST_SOURCES=/rss/latest.rss",), "-s BS_LATEST_SOURCES"), (("BS_LATEST_SOURCES=/rss/latest.rss", "BS_REEXTRACT_PROGRESS_EVERY=5"), "-s BS_LATEST_SOURCES, -s BS_REEXTRACT_PROGRESS_EVERY")])
def test_a_setting_only_another_spider_reads_is_warned_of(tmp_path: Path, given: tuple[str, ...], named: str) -> None:
    with LoopbackSite(articles=2, seed=3, legacy=0) as site:
        url = site.articles[0].url
        settings = {"BS_BASE_URL": site.base_url, **dict(value.split("=", 1) for value in given)}
        run = crawl("article", tmp_path, "-a", f"url={url}", settings=settings, timeout=120)
    assert run.status == 0 and len(run.items) == 1, run.log[-3000:]
    warnings = [line for line in run.log.splitlines() if " WARNING: " in line and "does not read" in line]
    assert len(warnings) == 1 and named in warnings[0] and "the article spider" in warnings[0], run.log[-3000:]
    assert stats_from_log(run.log).get("bs/settings/not_read") == len(given)


def test_a_setting_the_spider_reads_is_not_warned_of(tmp_path: Path) -> None:
    with LoopbackSite(articles=2, seed=3, legacy=0) as site:
        run = crawl("latest", tmp_path, settings={"BS_BASE_URL": site.base_url, "BS_LATEST_SOURCES": "/rss/latest.rss"}, timeout=120)
    assert run.status == 0 and run.items, run.log[-3000:]
    assert "does not read" not in run.log and "bs/settings/not_read" not in stats_from_log(run.log)
