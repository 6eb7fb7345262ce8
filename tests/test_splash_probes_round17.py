"""Probes of the market numbers through Splash, round 17: figures a ticker writes malformed or beside
other text, the ticker's state as the script sees it in a real browser, and Splash's odd answers."""

from __future__ import annotations

import json
import logging
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from crawler.splash import TICKER_STATE_JS, SplashRenderingMiddleware
from tests.e2e import crawl, stats_from_log
from tests.loopback.site import LoopbackSite
from tests.test_splash import ARTICLE_URL, assert_fallback, make_crawler, make_spider, splash_answer, to_splash
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash_probes_round11 import FakeSplash, crawl_latest, market_of

SPLASH = "http://127.0.0.1:8050"

# --- figures that are no number, or only a piece of one ---------------------------------------------

# A cell whose figure is malformed (a group of the wrong length, European separators) or is part of
# something else (a time, a date, an exponent, a suffix): before, the regular expression read a piece
# of it ("7,3158.24" → 7.0, "73.158,24" → 73.158, "254,86" → 25486.0, "7.3e4" → 7.3, "15:30" → 15.0),
# a wrong number written as good. Now the cell is null.
NOT_A_FIGURE = {
    "short-first-group": "7,3158.24",
    "long-last-group": "73,1582.4",
    "european-separators": "73.158,24",
    "european-decimal-comma": "254,86",
    "two-digit-last-group": "1,23,45",
    "two-decimal-points": "73,158.24.5",
    "exponent": "7.3e4",
    "thousands-suffix": "73.1K",
    "crore-suffix": "7.3Cr",
    "time": "15:30",
    "date": "04/12",
    "digits-glued-to-a-comma-run": "1234,567",
}


@pytest.mark.parametrize("figure", NOT_A_FIGURE.values(), ids=NOT_A_FIGURE.keys())
def test_a_malformed_figure_or_one_that_is_part_of_something_else_is_null(figure: str) -> None:
    market = market_of([("Sensex", figure, figure, figure), ("Nifty", "22,198.35", "\u221265.80", "\u22120.30")])
    assert market["Sensex"] == (None, None, None)
    assert market["Nifty"] == (22198.35, -65.8, -0.3)


# What the site does write keeps being read whole (the class above must not eat it).
STILL_READ = {
    "indian-grouping": ("1,23,456.78", 123456.78),
    "western-grouping": ("73,158.24", 73158.24),
    "ten-lakh": ("12,34,567", 1234567.0),
    "ungrouped": ("73158.24", 73158.24),
    "a-comma-after-it": ("73,158.24, up", 73158.24),
    "a-time-after-it": ("73,158.24 at 15:30", 73158.24),
    "a-time-before-it": ("15:30 73,158.24", 73158.24),
    "a-unit-after-a-space": ("73,158.24 pts", 73158.24),
}


@pytest.mark.parametrize(("value", "expected"), STILL_READ.values(), ids=STILL_READ.keys())
def test_figures_the_site_writes_are_still_read_whole(value: str, expected: float) -> None:
    assert market_of([("Sensex", value, "+254.86", "+0.35")])["Sensex"] == (expected, 254.86, 0.35)


# A fall written with the minus before the currency ("-₹254.86", "−Rs 254.86"): before, the sign
# was dropped and the fall read as a rise (254.86).
CURRENCY_MINUS = {
    "rupee": "-\u20b9254.86",
    "rupee-spaced": "\u2212 \u20b9 254.86",
    "rs": "\u2212Rs 254.86",
    "rs-dot": "\u2013Rs. 254.86",
    "inr": "-INR 254.86",
}


@pytest.mark.parametrize("change", CURRENCY_MINUS.values(), ids=CURRENCY_MINUS.keys())
def test_a_minus_written_before_the_currency_keeps_the_fall(change: str) -> None:
    assert market_of([("Sensex", "\u20b973,158.24", change, "0.35")])["Sensex"] == (73158.24, -254.86, -0.35)


# --- the ticker's state, as the Lua script asks the page in Splash's browser ---------------------------

ITEM = '<div class="tickeritem"><span class="tickername">{name}</span> <span class="tickerval">{value}</span></div>'


def _ticker(*values: str, hidden: bool = False) -> str:
    names = ["Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]
    style = ' style="display:none"' if hidden else ""
    return f'<div class="mktticker"{style}>' + "".join(ITEM.format(name=n, value=v) for n, v in zip(names, values)) + "</div>"


FILLED = ("80,109.85", "24,221.90", "17,954.70", "56,390.15", "52,207.50")
BLANK = ("", " ", "", "", "")
# (page body, the state the script must report). Before: Devanagari digits (the Hindi edition) and an
# index the script wrote as "NA" read "empty" (JavaScript's \d is ASCII only; a cell of letters has
# none), and so did a page with a second ticker the script left blank (the one for small screens):
# each page waited all of BS_SPLASH_WAIT and counted bs/splash/ticker/empty, its numbers there.
STATES = {
    "ascii-digits": (_ticker(*FILLED), "filled"),
    "devanagari-digits": (_ticker("\u096e\u0966,\u0967\u0966\u096f.\u096e\u096b", *FILLED[1:]), "filled"),
    "one-index-written-na": (_ticker(*FILLED[:2], "NA", *FILLED[3:]), "filled"),
    "one-index-written-in-hindi": (_ticker(*FILLED[:2], "\u0909\u092a\u0932\u092c\u094d\u0927 \u0928\u0939\u0940\u0902", *FILLED[3:]), "filled"),
    "second-ticker-left-blank": (_ticker(*FILLED) + _ticker(*BLANK, hidden=True), "filled"),
    "first-ticker-left-blank": (_ticker(*BLANK, hidden=True) + _ticker(*FILLED), "filled"),
    "not-written-yet": (_ticker(*BLANK), "empty"),
    "dashes-only-yet": (_ticker("--", "\u2014", "-", "--", "--"), "empty"),
    "one-index-not-written-yet": (_ticker(*FILLED[:4], ""), "empty"),
    "both-tickers-blank": (_ticker(*BLANK) + _ticker(*BLANK, hidden=True), "empty"),
    "no-ticker": ("<p>An article from 2019</p>", "absent"),
}


def _state_in_splash(splash_url: str, body: str) -> Any:
    lua = "function main(splash, args) assert(splash:set_content(args.html)) return {state = splash:evaljs(args.js)} end"
    html = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    request = urllib.request.Request(
        f"{splash_url}/execute",
        data=json.dumps({"lua_source": lua, "html": html, "js": TICKER_STATE_JS}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())["state"]


@pytest.mark.parametrize(("body", "state"), STATES.values(), ids=STATES.keys())
def test_the_ticker_state_the_script_reports_in_a_real_browser(splash_url: str, body: str, state: str) -> None:  # noqa: F811
    assert _state_in_splash(splash_url, body) == state


DEVANAGARI = str.maketrans("0123456789", "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f")


def test_a_hindi_ticker_rendered_through_splash_is_counted_filled_and_read(tmp_path: Path, splash_url: str) -> None:  # noqa: F811
    # Before: each page waited all of BS_SPLASH_WAIT (here 4 s) and was counted bs/splash/ticker/empty.
    with LoopbackSite(articles=3, seed=5, legacy=0) as site:
        expected = {}
        for name, quote in site.ticker.items():
            expected[name] = tuple(float(quote[key].replace(",", "")) for key in ("value", "change", "changePercent"))
            site.ticker[name] = {key: text.translate(DEVANAGARI) for key, text in quote.items()}
        site.ticker["Nifty Bank"] = {"value": "NA", "change": "NA", "changePercent": "NA"}
        expected["Nifty Bank"] = (None, None, None)
        run = crawl_latest(tmp_path, site, splash_url, BS_LATEST_SOURCES="/rss/latest.rss", BS_SPLASH_WAIT="4")
    stats = stats_from_log(run.log)
    assert run.status == 0 and len(run.items) == 3, run.log[-3000:]
    assert stats.get("bs/splash/ticker/filled") == 3 and "bs/splash/ticker/empty" not in stats, stats
    for item in run.items:
        assert {q["name"]: (q["value"], q["change"], q["changePercent"]) for q in item["market"]} == expected


# --- Splash's answers that are not what the script returns ----------------------------------------------

# Splash's error document with a 200 status (a proxy that rewrote the status, a Splash behind one): before,
# "bad-answer: not the script's JSON (SplashJsonResponse)", Splash's own words lost.
ERRORS_AS_200 = {
    "lua-error": ({"error": 400, "type": "ScriptError", "description": "Error happened while executing Lua script",
                   "info": {"type": "LUA_ERROR", "message": "[string \"...\"]:9: cannot load the page: network5"}},
                  "render-error", "cannot load the page: network5"),
    "render-timeout": ({"error": 504, "type": "GlobalTimeoutError", "description": "Timeout exceeded rendering page", "info": {"timeout": 15}},
                       "render-timeout", "Timeout exceeded rendering page"),
    "overloaded": ({"error": 503, "type": "ServiceUnavailable", "description": "Splash is overloaded"}, "http-503", "Splash is overloaded"),
}


@pytest.mark.parametrize(("data", "reason", "says"), ERRORS_AS_200.values(), ids=ERRORS_AS_200.keys())
def test_splash_s_error_document_with_status_200_is_named_as_the_error_it_is(
    data: dict[str, Any], reason: str, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    caplog.clear()
    answer = splash_answer(crawler, spider, processed, 200, data)
    result = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    assert_fallback(crawler, spider, result, reason, caplog)
    assert says in [r for r in caplog.records if r.levelname == "ERROR"][0].getMessage()


# The page's status as the script returned it, when it is no HTTP status (a history entry without a
# response: null; a proxy's rewrite: text): before, null raised TypeError in scrapy-splash past every
# fallback (the article lost, a traceback), and 0 or 1000 went on as the page's status.
ODD_STATUSES = {"null": None, "text": "OK", "zero": 0, "past-599": 1000, "negative": -1, "list": [200]}


@pytest.mark.parametrize("status", ODD_STATUSES.values(), ids=ODD_STATUSES.keys())
def test_a_page_status_that_is_no_http_status_is_a_bad_answer_and_the_page_fetched_plainly(
    status: Any, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    caplog.clear()
    data = {"html": "<html><body>page</body></html>", "url": ARTICLE_URL, "http_status": status, "ticker": "filled", "cookies": []}
    answer = splash_answer(crawler, spider, processed, 200, data)
    result = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    assert_fallback(crawler, spider, result, "bad-answer", caplog)


# The ticker's state as the answer gives it, when it is none of the script's three: before, any text
# became a stat's name (a megabyte of it, a dict's repr), one new stat per answer.
@pytest.mark.parametrize("ticker", ["x" * 5000, {"state": "filled"}, ["filled"], 1, "Filled", "filled\n"], ids=["long", "dict", "list", "number", "case", "newline"])
def test_a_ticker_state_that_is_none_of_the_scripts_is_counted_unknown(ticker: Any) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    data = {"html": "<html><body>page</body></html>", "url": ARTICLE_URL, "http_status": 200, "ticker": ticker, "cookies": []}
    response = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, splash_answer(crawler, spider, processed, 200, data))
    assert isinstance(response, HtmlResponse)
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert [name for name in stats if name.startswith("bs/splash/ticker/")] == ["bs/splash/ticker/unknown"]



# --- a crawl from the HTTP cache alone, with other render settings than the crawl that filled it ---------


@pytest.mark.parametrize(
    "changed", [{"BS_SPLASH_WAIT": "2"}, {"BS_SPLASH_TIMEOUT": "30"}, {"SPLASH_URL": "http://127.0.0.1:9/"}], ids=["wait", "timeout", "splash-moved"]
)
def test_a_crawl_from_the_cache_alone_with_other_render_settings_is_served_the_rendered_pages(tmp_path: Path, changed: dict[str, str]) -> None:
    # Rendered pages were stored under a key holding every render argument but the session's: the Lua
    # script and the ticker's JavaScript (changed by any release that touches them), the wait and the
    # timeouts, Splash's address. A crawl from the cache alone with another BS_SPLASH_WAIT, or by a newer crawler, found
    # none of them: every article lost (httpcache/ignore), where a plain fetch would have been served.
    fake = FakeSplash()
    fake.start()
    cache = tmp_path / "cache"
    try:
        with LoopbackSite(articles=4, seed=5, legacy=0) as site:
            urls = tmp_path / "urls.txt"
            urls.write_text("".join(f"{article.url}\n" for article in site.articles[:3]))
            arguments = ("-a", f"url_file={urls}")
            common = {"BS_BASE_URL": site.base_url, "HTTPCACHE_ENABLED": "1", "HTTPCACHE_DIR": str(cache), "SPLASH_URL": fake.url}
            first = crawl("article", tmp_path / "first", *arguments, settings=common, timeout=240)
    finally:
        fake.stop()
    again = crawl("article", tmp_path / "again", *arguments, settings={**common, "HTTPCACHE_IGNORE_MISSING": "1", **changed}, timeout=240)
    assert first.status == 0 and len(first.items) == 3, first.log[-3000:]
    assert sorted(again.ids()) == sorted(first.ids()), again.log[-3000:]
    assert stats_from_log(again.log)["httpcache/hit"] == 3
    assert {item["url"]: item["market"] for item in again.items} == {item["url"]: item["market"] for item in first.items}


# --- the page the browser ended on is no web page ---------------------------------------------------------

# The browser's address once the script returned, when it is no http(s) page: the page's script navigated
# to about:blank or to a URL that failed to load (Chromium's error page), or a proxy rewrote the answer.
# Before, the rendered page went on as the article "redirected" there: skipped as redirected-away (a
# gone signal for the next run), the article lost though its plain fetch was never tried; a number
# raised AttributeError past every fallback.
NOT_A_WEB_PAGE = {
    "about-blank": "about:blank",
    "empty": "",
    "data-url": "data:text/html,hi",
    "chromium-error-page": "chrome-error://chromewebdata/",
    "javascript-url": "javascript:void(0)",
    "a-number": 5,
    "a-list": ["https://www.business-standard.com/"],
    "no-host": "https:///markets/news/x_1.html",
    "unparsable": "http://[::1",
}


@pytest.mark.parametrize("landed", NOT_A_WEB_PAGE.values(), ids=NOT_A_WEB_PAGE.keys())
def test_a_render_that_ended_on_no_web_page_falls_back_to_a_plain_fetch(landed: Any, caplog: pytest.LogCaptureFixture) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    caplog.clear()
    data = {"html": "<html><body>page</body></html>", "url": landed, "http_status": 200, "ticker": "filled", "cookies": []}
    answer = splash_answer(crawler, spider, processed, 200, data)
    result = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    assert_fallback(crawler, spider, result, "bad-answer", caplog)
    assert "no web page" in [r for r in caplog.records if r.levelname == "ERROR"][0].getMessage()


# --- cookies in Splash's answer that scrapy-splash cannot take --------------------------------------------

GOOD_COOKIE = {"name": "bm_sv", "value": "abc", "path": "/", "domain": ".business-standard.com", "expires": "2027-01-01T00:00:00Z"}
# Before: each raised in scrapy-splash's SplashCookiesMiddleware, after Splash had answered: the
# download failed past every fallback (no plain fetch), the article lost with a traceback.
BAD_COOKIES = {
    "not-a-list": ("x", 1),
    "null": (None, 1),
    "a-number-among-them": ([1, GOOD_COOKIE], 1),
    "without-a-value": ([{"name": "a"}, GOOD_COOKIE], 1),
    "without-a-name": ([{"value": "b"}, GOOD_COOKIE], 1),
    "expiry-in-another-format": ([{**GOOD_COOKIE, "name": "x", "expires": "2027-01-01T00:00:00.000+05:30"}, GOOD_COOKIE], 1),
    "expiry-a-number": ([{**GOOD_COOKIE, "name": "x", "expires": 1e30}, GOOD_COOKIE], 1),
    "domain-a-number": ([{**GOOD_COOKIE, "name": "x", "domain": 5}, GOOD_COOKIE], 1),
}


@pytest.mark.parametrize(("cookies", "dropped"), BAD_COOKIES.values(), ids=BAD_COOKIES.keys())
def test_cookies_scrapy_splash_cannot_take_are_dropped_and_the_rendered_page_kept(
    cookies: Any, dropped: int, caplog: pytest.LogCaptureFixture
) -> None:
    from crawler.splash.compat import SplashCookiesMiddleware

    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    caplog.clear()
    data = {"html": "<html><body>page</body></html>", "url": ARTICLE_URL, "http_status": 200, "ticker": "filled", "cookies": cookies}
    cookie_middleware = SplashCookiesMiddleware.from_crawler(crawler)
    answer = cookie_middleware.process_response(processed, splash_answer(crawler, spider, processed, 200, data))
    response = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    assert isinstance(response, HtmlResponse) and response.url == ARTICLE_URL
    assert crawler.stats.get_value("bs/splash/cookies_dropped") == dropped  # type: ignore[union-attr]
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].levelname == "WARNING" and ARTICLE_URL in lines[0].getMessage(), [r.getMessage() for r in lines]
    kept = [cookie.name for jar in cookie_middleware.jars.values() for cookie in jar]
    assert kept == (["bm_sv"] if isinstance(cookies, list) else [])


class OddSplash(FakeSplash):
    """A fake Splash whose answers carry ``odd`` in place of what the script returns (cookies, the address)."""

    def __init__(self, odd: dict[str, Any]) -> None:
        super().__init__()
        self.odd = odd

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Answer(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                args = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with urllib.request.urlopen(args["url"], timeout=10) as page:
                    html = page.read().decode("utf-8")
                data = {"html": html, "url": args["url"], "http_status": 200, "cookies": [], "ticker": "filled", "charset": "UTF-8", **fake.odd}
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                fake.answered += 1

            def log_message(self, *args: object) -> None:
                pass

        return Answer


@pytest.mark.parametrize(
    ("odd", "stat", "level"),
    [({"cookies": [{"name": "bm_sv"}]}, "bs/splash/cookies_dropped", " WARNING: "), ({"url": "about:blank"}, "bs/splash/failed/bad-answer", " ERROR: ")],
    ids=["cookie-without-a-value", "ended-on-about-blank"],
)
def test_a_crawl_whose_splash_answers_oddly_emits_every_article_once(tmp_path: Path, odd: dict[str, Any], stat: str, level: str) -> None:
    # Before: the cookie raised in scrapy-splash's middleware (every article failed, "Failed <…>: other"),
    # and about:blank was taken for the article redirected away (every article skipped as gone).
    fake = OddSplash(odd)
    fake.start()
    try:
        with LoopbackSite(articles=3, seed=5, legacy=0) as site:
            run = crawl_latest(tmp_path, site, fake.url, BS_LATEST_SOURCES="/rss/latest.rss")
    finally:
        fake.stop()
    ids = run.ids()
    stats = stats_from_log(run.log)
    assert len(ids) == len(set(ids)) == 3 == fake.answered, run.log[-3000:]
    assert stats[stat] == 3 and "bs/skipped/redirected-away" not in stats and not any(name.startswith("bs/failed/") for name in stats)
    lines = [line for line in run.log.splitlines() if (" WARNING: " in line or " ERROR: " in line) and "Run summary:" not in line]
    assert len(lines) == 3 and all(level in line for line in lines), lines


# --- the Hindi edition's ticker ------------------------------------------------------------------------

# Index names as the Hindi edition writes them (Devanagari, its vowel signs and virama included),
# with figures in Devanagari digits: before, no name was known (the vowel signs were taken for
# punctuation besides), so every index was null on a ticker the page had filled.
HINDI_NAMES = {
    "सेंसेक्स": "Sensex",
    "बीएसई सेंसेक्स": "Sensex",
    "निफ्टी": "Nifty",
    "निफ्टी 50": "Nifty",
    "निफ्टी स्मॉलकैप": "Nifty Smallcap",
    "निफ्टी मिडकैप": "Nifty Midcap",
    "निफ्टी बैंक": "Nifty Bank",
    "बैंक निफ्टी": "Nifty Bank",
}


@pytest.mark.parametrize(("written", "name"), HINDI_NAMES.items(), ids=HINDI_NAMES.values())
def test_index_names_the_hindi_edition_writes_are_read(written: str, name: str) -> None:
    market = market_of([(written, "७३,१५८.२४", "−२५४.८६", "०.३५")])
    assert market[name] == (73158.24, -254.86, -0.35)
    assert all(numbers == (None, None, None) for other, numbers in market.items() if other != name)


def test_hindi_names_of_other_series_are_none_of_the_five() -> None:
    market = market_of([("निफ्टी स्मॉलकैप 250", "1", "1", "1"), ("निफ्टी नेक्स्ट 50", "2", "2", "2"), ("सेंसेक्स", "3", "3", "3")])
    assert market == {"Sensex": (3.0, 3.0, 3.0), **{n: (None, None, None) for n in ["Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]}}
