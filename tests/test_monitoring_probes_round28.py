"""Round 28 probes of what a cron user reads: a `-s` value no object for an object setting, and a ticker
whose index names or markup a redesign changed."""

from __future__ import annotations

import errno
import html
import json
import logging
import signal
import subprocess
from pathlib import Path

import pytest
from scrapy.utils.misc import build_from_crawler

from crawler import stats as stat
from crawler.monitoring.history import KILLED, RunHistory, summarise
from crawler.monitoring.verdict import RunVerdictExtension
from crawler.splash import SplashRenderingMiddleware
from tests.e2e import history, scrapy, stats_from_log
from tests.loopback import pages
from tests.loopback.site import LoopbackSite
from tests.test_splash import make_crawler
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash_probes_round11 import crawl_latest, market_of
from tests.test_splash_probes_round17 import SPLASH, _state_in_splash, _ticker
from tests.test_interrupt_probes_round17 import _wait_for, command, env, run

# --- a -s value that is no JSON object, for a setting that is one -----------------------------------

NOWHERE = "http://127.0.0.1:16749"  # a port of ours nothing listens on: a run that is not refused fetches nothing

# (setting, value as typed). Before, on Scrapy 2.13: Scrapy's own -s parsing called .items() on the value,
# an AttributeError traceback and exit 1, neither recorded nor pinged; on 2.19 `FEEDS=[1]` and `FEEDS=3`
# were a TypeError traceback, `ITEM_PIPELINES=[]` ran with no pipeline at all (nothing marked seen) and
# `BS_MIN_FIELD_COVERAGE=[]` with no coverage minimum, both exit 0.
NOT_AN_OBJECT = {
    "feeds-array": ("FEEDS", '["out.jsonl"]'),
    "feeds-array-of-number": ("FEEDS", "[1]"),
    "feeds-number": ("FEEDS", "3"),
    "feeds-string": ("FEEDS", '"out.jsonl"'),
    "pipelines-array": ("ITEM_PIPELINES", "[]"),
    "coverage-array": ("BS_MIN_FIELD_COVERAGE", "[]"),
}


@pytest.mark.parametrize(("name", "value"), NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_value_no_json_object_for_an_object_setting_is_one_line_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"{name}={value}", "-s", f"BS_BASE_URL={NOWHERE}", "-s", "CLOSESPIDER_TIMEOUT=1")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"error: -s {name}={value}: {name} takes a JSON object" + (
        ' like {"out.jsonl": {"format": "jsonlines"}}' if name == "FEEDS" else ""
    ) + f", not {'a number' if value == '3' else 'a JSON string' if value.startswith(chr(34)) else 'a JSON array'}"
    # Recorded as any refusal, so `scrapy runs` shows why cron's run did nothing.
    [record] = history(tmp_path)
    assert (record["status"], record["finish_reason"]) == (2, "refused")


@pytest.mark.parametrize("command", ["runs", "report"])
def test_the_other_commands_refuse_it_too(tmp_path: Path, command: str) -> None:
    done = scrapy(tmp_path, command, "-s", "FEEDS=[1]", *(["-o", str(tmp_path / "r.html")] if command == "report" else []))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "FEEDS takes a JSON object" in done.stderr


# (An empty array is no feed too, as round 9 read it: `-s FEEDS=[]` on Scrapy 2.13 was a traceback.)
@pytest.mark.parametrize("value", ["", "null", "{}", "[]"])
def test_no_feed_at_all_is_still_the_no_output_refusal(tmp_path: Path, value: str) -> None:
    done = scrapy(tmp_path, "crawl", "latest", "-s", f"FEEDS={value}", "-s", f"BS_BASE_URL={NOWHERE}")
    assert done.returncode == 6, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1].startswith("error: no output: FEEDS is empty")


# --- index names as exchanges and the Hindi edition write them ------------------------------------

FILLED = ("80,109.85", "24,221.90", "17,954.70", "56,390.15", "52,207.50")
# (the five names as a ticker writes them) → each read as its index. Before: a name with its number of
# shares or its series ("BSE SENSEX 30", "NIFTY SMALLCAP 100") was none of the five, its figures null
# on a filled ticker, and the render did not wait for it.
NAMED = {
    "exchange-names": ("BSE SENSEX 30", "NIFTY 50", "NIFTY SMALLCAP 100", "NIFTY MIDCAP 100", "NIFTY BANK"),
    "title-case": ("Sensex 30", "Nifty", "Nifty Smallcap 100", "Nifty Midcap 100", "Nifty Bank"),
    "s-and-p": ("S&P BSE Sensex 30", "Nifty 50", "Nifty Small Cap 100", "Nifty Mid Cap 100", "Bank Nifty"),
    "hindi": ("सेंसेक्स", "निफ्टी", "निफ्टी स्मॉलकैप 100", "निफ्टी मिडकैप 100", "निफ्टी बैंक"),
    "hindi-with-their-numbers": ("बीएसई सेंसेक्स 30", "निफ्टी 50", "निफ्टी स्मॉलकैप", "निफ्टी मिडकैप", "बैंक निफ्टी"),
    "hindi-devanagari-numbers": ("सेंसेक्स ३०", "निफ्टी ५०", "निफ्टी स्मॉलकैप १००", "निफ्टी मिडकैप १००", "बैंक निफ्टी"),
}
INDICES = ("Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank")


@pytest.mark.parametrize("names", NAMED.values(), ids=NAMED.keys())
def test_each_index_is_read_by_any_of_its_names(names: tuple[str, ...]) -> None:
    market = market_of([(name, value, "+12.50", "0.05") for name, value in zip(names, FILLED)])
    assert {index: market[index][0] for index in INDICES} == {
        index: float(value.replace(",", "")) for index, value in zip(INDICES, FILLED)
    }


@pytest.mark.parametrize("other", ["Nifty Smallcap 250", "NIFTY SMALLCAP 50", "Nifty Midcap 150", "Nifty Midcap 50", "Nifty Next 50", "निफ्टी स्मॉलकैप 250"])
def test_another_series_is_still_none_of_the_five(other: str) -> None:
    market = market_of([(other, "17,954.70", "+12.50", "0.05")])
    assert all(figures == (None, None, None) for figures in market.values())


def test_the_render_waits_for_an_index_named_with_its_number(splash_url: str) -> None:  # noqa: F811
    # Before: only the items of known names were waited for ("NIFTY 50", "NIFTY BANK"): one named
    # "NIFTY SMALLCAP 100" still blank, the ticker counted filled and the render returned, its figure null.
    names = NAMED["exchange-names"]
    blank_smallcap = "".join(
        f'<div class="tickeritem"><span class="tickername">{name}</span> <span class="tickerval">{value}</span></div>'
        for name, value in zip(names, (*FILLED[:2], "", *FILLED[3:]))
    )
    assert _state_in_splash(splash_url, f'<div class="mktticker">{blank_smallcap}</div>') == "empty"


# --- a ticker moved out of the page's own document ------------------------------------------------

NEXT_DATA = '<script id="__NEXT_DATA__" type="application/json">{"props": {}}</script>'
FILLED_TICKER = _ticker("80,109.85", "24,221.90", "17,954.70", "56,390.15", "52,207.50")
# (page body, the state the script reports). Before: every one of these read "absent", as a page of
# 2015 does: no stat apart, no WARNING, every article's numbers null run after run.
MOVED = {
    "in-an-iframe": (f'<iframe srcdoc="{html.escape(FILLED_TICKER)}"></iframe>' + NEXT_DATA, "moved"),
    "in-an-iframe-in-an-iframe": (
        f'<iframe srcdoc="{html.escape(chr(60) + "iframe srcdoc=" + chr(34) + html.escape(FILLED_TICKER) + chr(34) + "></iframe>")}"></iframe>', "moved"
    ),
    "in-an-iframe-without-next-data": (f'<iframe srcdoc="{html.escape(FILLED_TICKER)}"></iframe>', "moved"),
    # Splash's WebKit has no shadow DOM: the page's script that builds the ticker there fails.
    "in-a-shadow-root": (
        '<bs-ticker id="t"></bs-ticker><script>document.getElementById("t").attachShadow({mode: "open"}).innerHTML = '
        f"{FILLED_TICKER!r};</script>" + NEXT_DATA,
        "missing",
    ),
    # A frame of another origin (a data: URL is one) cannot be looked into.
    "in-another-origins-iframe": ('<iframe src="data:text/html,%3Cdiv%20class%3Dmktticker%3E%3C/div%3E"></iframe>' + NEXT_DATA, "missing"),
    "renamed-class": (FILLED_TICKER.replace("mktticker", "marketStrip") + NEXT_DATA, "missing"),
    # Not moved: a page of another design without a ticker, and one with it in its own document.
    "older-design": ("<table><tr><td>No ticker here</td></tr></table>", "absent"),
    "in-the-page": (FILLED_TICKER + NEXT_DATA, "filled"),
}


@pytest.mark.parametrize(("body", "state"), MOVED.values(), ids=MOVED.keys())
def test_a_ticker_out_of_the_pages_document_is_told_from_none(splash_url: str, body: str, state: str) -> None:  # noqa: F811
    assert _state_in_splash(splash_url, body) == state


# (the ticker states of a run's renders, whether the run warns). A page of the current design now and
# then without a ticker (an error page's twin) is only its stat; any found moved, or none in the page
# with none filled, is the one WARNING.
RUNS = {
    "every-ticker-moved": ({"moved": 5}, True),
    "every-ticker-missing": ({"missing": 5}, True),
    "missing-and-absent": ({"missing": 2, "absent": 3}, True),
    "missing-and-empty": ({"missing": 2, "empty": 3}, True),
    "one-moved-among-filled": ({"moved": 1, "filled": 9}, True),
    "one-missing-among-filled": ({"missing": 1, "filled": 9}, False),
    "absent-only": ({"absent": 4}, False),
}


@pytest.mark.parametrize(("states", "warns"), RUNS.values(), ids=RUNS.keys())
def test_a_run_whose_tickers_left_the_page_warns_once(states: dict[str, int], warns: bool, caplog: pytest.LogCaptureFixture) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    middleware = build_from_crawler(SplashRenderingMiddleware, crawler)
    assert crawler.stats is not None
    crawler.stats.set_value("bs/splash/rendered", sum(states.values()))
    for state, count in states.items():
        crawler.stats.set_value(f"bs/splash/ticker/{state}", count)
    with caplog.at_level(logging.WARNING, logger="crawler.splash"):
        middleware.spider_closed()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    lost = states.get("moved", 0) + states.get("missing", 0)
    assert crawler.stats.get_value("bs/splash/ticker_not_in_page") == (lost if warns else None)
    assert len(lines) == (1 if warns else 0), lines
    if warns:
        assert lines[0].startswith(f"{lost} of the {sum(states.values())} rendered pages of the current design had no market ticker")


def _in_an_iframe() -> str:
    return f'<iframe srcdoc="{html.escape(ORIGINAL_TICKER())}"></iframe>'


def _in_a_shadow_root() -> str:
    return f'<bs-ticker id="bs-ticker"></bs-ticker><script>document.getElementById("bs-ticker").attachShadow({{mode: "open"}}).innerHTML = {ORIGINAL_TICKER()!r};</script>'


ORIGINAL_TICKER = pages._ticker


@pytest.mark.parametrize(("markup", "state"), [(_in_an_iframe, "moved"), (_in_a_shadow_root, "missing")], ids=["iframe", "shadow-root"])
def test_a_crawl_whose_ticker_moved_says_so_once_and_counts_it(
    tmp_path: Path, splash_url: str, monkeypatch: pytest.MonkeyPatch, markup: object, state: str  # noqa: F811
) -> None:
    monkeypatch.setattr(pages, "_ticker", markup)  # the site's redesign: every article page's ticker moved
    with LoopbackSite(articles=3, seed=28, legacy=0) as site:
        run = crawl_latest(tmp_path, site, splash_url, BS_LATEST_SOURCES="/rss/latest.rss", BS_SPLASH_WAIT="0.5")
    stats = stats_from_log(run.log)
    assert run.status == 0 and len(run.items) == 3, run.log[-3000:]
    assert stats.get(f"bs/splash/ticker/{state}") == 3 and stats.get("bs/splash/ticker_not_in_page") == 3, stats
    warnings = [line for line in run.log.splitlines() if " WARNING: " in line and "no market ticker in their HTML" in line]
    assert len(warnings) == 1, run.log[-3000:]


# --- a killed run's articles, counted once ------------------------------------------------------

PORTS = range(16720, 16740)


def _site(articles: int, **kwargs: float) -> LoopbackSite:
    for port in PORTS:
        try:
            return LoopbackSite(articles=articles, seed=28, port=port, **kwargs)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
    raise RuntimeError(f"no free port in {PORTS}")


def _ids(path: Path) -> list[str]:
    ids = []
    for line in path.read_bytes().splitlines() if path.exists() else []:
        try:
            ids.append(json.loads(line)["articleId"])
        except ValueError:
            pass  # a line the kill cut (the next run cuts it off)
    return ids


def test_a_killed_runs_articles_are_each_counted_once_across_the_history(tmp_path: Path) -> None:
    # Before: a run killed (kill -9, the OOM killer) had the figures of its last checkpoint (a minute
    # apart; none but its start in a shorter run: emitted=0), and the run after it counted only what it
    # fetched itself: every article the killed run wrote was in no run's count, in `scrapy runs`, the
    # history or the report, and a newsroom's count of articles a day came out short.
    with _site(40, slow_seconds=30) as site:
        articles = [r.article_id for r in site.articles]
        for article_id in articles[: len(articles) // 2]:
            site.set_fault(article_id, "slow")  # still in flight when the run is killed
        state, first, log = tmp_path / "state", tmp_path / "run1.jsonl", tmp_path / "run1.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(command(site, first, state), cwd=tmp_path, env=env(), stderr=stderr, text=True)
            try:
                _wait_for(lambda: len(_ids(first)) >= 5, process, "5 articles written")
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        for article_id in articles:
            site.set_fault(article_id, None)
        then = run(tmp_path, command(site, tmp_path / "run2.jsonl", state))
    assert then.returncode == 0, then.stderr[-3000:]
    ids = _ids(first) + _ids(tmp_path / "run2.jsonl")
    assert len(ids) == len(set(ids)) == len(articles), ("every article written once", then.stderr[-3000:])
    killed, after = RunHistory(state).records()[-2:]
    assert killed["status_words"] == KILLED and after["status"] == 0, (killed["counts"], after["counts"])
    # Counted once in all: by the killed run (what it delivered), and by the run after it, its own
    # apart from what it found the killed run had written (in flight at the kill).
    assert killed["counts"]["emitted"] + after["counts"]["emitted"] + after["counts"]["recovered"] == len(articles), (
        killed["counts"], after["counts"], len(_ids(first))
    )
    assert after["counts"]["emitted"] == len(_ids(tmp_path / "run2.jsonl"))
    shown = scrapy(tmp_path, "runs", "-s", f"BS_STATE_DIR={state}")
    assert shown.returncode == 0 and "killed" in shown.stdout, shown.stderr[-2000:]


def test_the_run_that_settles_a_killed_run_counts_what_it_found_written() -> None:
    stats = {stat.NEW: 4, stat.OUTPUT_DELIVERED: 4, stat.STATE_RECOVERED_WRITTEN: 2, stat.STATE_RECOVERED_UNWRITTEN: 1}
    assert summarise(stats, [])["counts"]["recovered"] == 2
    line = RunVerdictExtension.summary(stats, "finished", 0, "ok")
    assert " emitted=4 recovered=2 " in line
    assert " recovered=" not in RunVerdictExtension.summary({stat.OUTPUT_DELIVERED: 4}, "finished", 0, "ok")
