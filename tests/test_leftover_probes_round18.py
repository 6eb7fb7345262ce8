"""Probes of what round 17 left over, round 18: falls the ticker writes in an accountant's or a table's way,
a ticker whose every page came out empty, an extra ticker item the render waited for, and settings the
checks let through (the settings module's own Scrapy names, a decimal for a whole number, a timeout of 0)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.utils.misc import build_from_crawler

from crawler.splash import SplashRenderingMiddleware
from tests.e2e import stats_from_log
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
