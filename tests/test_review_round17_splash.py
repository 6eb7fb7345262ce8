"""Review of round 17's market numbers through Splash: near variants of its probes (the currency's
other spellings, the index names' other spellings, a change and its per cent written "a/b")."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from crawler.extraction.normalize import parse_changes
from crawler.splash import SplashRenderingMiddleware
from tests.test_splash import ARTICLE_URL, assert_fallback, make_crawler, make_spider, splash_answer, to_splash
from tests.test_splash_probes_round11 import market_of
from tests.test_splash_probes_round17 import GOOD_COOKIE, SPLASH

# A fall with the minus before the currency written in another case, with the rupee's other sign or as
# the Hindi edition abbreviates it ("रु."):
# before, only "Rs", "Rs." and "INR" as spelled here were known, so "-RS 254.86" lost its sign and
# the fall was read as a rise (254.86, and its unsigned per cent 0.35).
CURRENCY_SPELLINGS = {
    "upper-case": "-RS 254.86 (0.35%)",
    "upper-case-with-stop": "−RS. 254.86 (0.35%)",
    "lower-case": "-rs. 254.86 (0.35%)",
    "lower-case-glued": "-rs254.86 (0.35%)",
    "inr-lower-case": "-inr 254.86 (0.35%)",
    "rupee-sign-u20a8": "−₨ 254.86 (0.35%)",
    "rupee-sign-u20a8-glued": "–₨254.86 (0.35%)",
    "hindi-ru": "-रु 254.86 (0.35%)",
    "hindi-ru-with-stop-glued": "−रु.254.86 (0.35%)",
}


@pytest.mark.parametrize("change", CURRENCY_SPELLINGS.values(), ids=CURRENCY_SPELLINGS.keys())
def test_a_minus_before_the_currency_in_any_spelling_keeps_the_fall(change: str) -> None:
    assert parse_changes(change) == (-254.86, -0.35)


@pytest.mark.parametrize("change", ["+RS 254.86 (0.35%)", "rs 254.86 (0.35%)", "₨ 254.86 (+0.35%)"])
def test_a_rise_with_the_currency_in_any_spelling_stays_a_rise(change: str) -> None:
    assert parse_changes(change) == (254.86, 0.35)


# The same index in other spellings in use: English without the space ("NIFTY50", "Nifty Small Cap"),
# Hindi with the nukta ("निफ़्टी", composed or not), the half-n ("सेन्सेक्स") or the long a ("स्मालकैप").
# Before, none was known: the index null on a filled ticker.
NAME_SPELLINGS = {
    "NIFTY50": "Nifty",
    "Nifty Small Cap": "Nifty Smallcap",
    "Nifty Mid Cap": "Nifty Midcap",
    "BankNifty": "Nifty Bank",
    "सेन्सेक्स": "Sensex",
    "बीएसई सेन्सेक्स": "Sensex",
    "निफ\u093c्टी": "Nifty",
    "\u0928\u093f\u095e\u094d\u091f\u0940 50": "Nifty",
    "निफ\u093c्टी बैंक": "Nifty Bank",
    "निफ्टी स्मालकैप": "Nifty Smallcap",
    "निफ्टी स्मॉल कैप": "Nifty Smallcap",
    "निफ्टी मिड कैप": "Nifty Midcap",
}


@pytest.mark.parametrize(("written", "name"), NAME_SPELLINGS.items(), ids=[f"{name}-{i}" for i, name in enumerate(NAME_SPELLINGS.values())])
def test_index_names_in_other_spellings_are_read(written: str, name: str) -> None:
    market = market_of([(written, "73,158.24", "−254.86", "0.35")])
    assert market[name] == (73158.24, -254.86, -0.35)
    assert all(numbers == (None, None, None) for other, numbers in market.items() if other != name)


@pytest.mark.parametrize("other", ["NIFTY500", "Nifty Small Cap 250", "निफ़्टी नेक्स्ट 50", "निफ्टी स्मालकैप 100", "Nifty Midcap Select"])
def test_other_series_in_those_spellings_are_none_of_the_five(other: str) -> None:
    market = market_of([(other, "1", "1", "1")])
    assert all(numbers == (None, None, None) for numbers in market.values())


# A change cell writing the change and its per cent glued by a slash or a comma, each with its decimal
# part: round 17's rule for figures glued to more digits took both for pieces of one malformed figure,
# and the cell was null (before that round, (254.86, 0.35) was read). A European figure, a date or a
# time stays null (tests/test_splash_probes_round17.py).
PAIRS = {
    "slash": ("254.86/0.35%", (254.86, 0.35)),
    "comma": ("254.86,0.35%", (254.86, 0.35)),
    "slash-signed-change": ("−254.86/0.35%", (-254.86, -0.35)),
    "slash-in-brackets": ("254.86 (254.86/0.35%)", (254.86, 0.35)),
    "grouped-change": ("1,254.86/1.35%", (1254.86, 1.35)),
}


@pytest.mark.parametrize(("cell", "expected"), PAIRS.values(), ids=PAIRS.keys())
def test_a_change_and_its_per_cent_glued_by_a_slash_or_comma_are_both_read(cell: str, expected: tuple[float, float]) -> None:
    assert parse_changes(cell) == expected


@pytest.mark.parametrize("cell", ["73.158,24%", "254,86%", "04/12", "1.5/2", "254.86/0.35", "7,3158.24/0.35%"])
def test_glued_figures_that_are_no_change_and_per_cent_stay_unread_as_pieces(cell: str) -> None:
    change, percent = parse_changes(cell)
    assert change is None and percent in (None, 0.35)


# --- cookies: an answer whose cookies are no list ----------------------------------------------------

# Before, a "cookies" that is no list (text, null, a dict: an empty Lua table comes out as `{}`) was
# replaced by an empty list, which scrapy-splash reads as "every cookie sent did not come back": the
# session's cookies (Akamai's) were cleared from the jar, and the next pages went without them; `{}`
# was counted and logged as a cookie dropped besides.
NOT_A_LIST = {"text": ("x", 1), "null": (None, 1), "a-dict": ({"name": "x"}, 1), "empty-lua-table": ({}, 0)}


@pytest.mark.parametrize(("cookies", "dropped"), NOT_A_LIST.values(), ids=NOT_A_LIST.keys())
def test_cookies_that_are_no_list_leave_the_session_s_cookies_as_they_were(cookies: Any, dropped: int, caplog: pytest.LogCaptureFixture) -> None:
    from crawler.splash.compat import SplashCookiesMiddleware, SplashMiddleware

    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    cookie_middleware = SplashCookiesMiddleware.from_crawler(crawler)
    rendering = build_from_crawler(SplashRenderingMiddleware, crawler)

    def render(url: str, answer_cookies: Any) -> Any:
        request = spider.article_request(url, source="test")
        rendering.process_request(request)
        assert cookie_middleware.process_request(request) is None
        processed = SplashMiddleware.from_crawler(crawler).process_request(request)
        data = {"html": "<html><body>page</body></html>", "url": url, "http_status": 200, "ticker": "filled", "cookies": answer_cookies}
        answer = cookie_middleware.process_response(processed, splash_answer(crawler, spider, processed, 200, data))
        return processed, rendering.process_response(processed, answer)

    render(ARTICLE_URL, [GOOD_COOKIE])
    second = ARTICLE_URL.replace(".html", "-2.html")
    caplog.clear()
    processed, response = render(second, cookies)
    assert [c["name"] for c in processed.meta["splash"]["args"]["cookies"]] == ["bm_sv"]
    assert isinstance(response, HtmlResponse) and response.url == second
    assert [cookie.name for jar in cookie_middleware.jars.values() for cookie in jar] == ["bm_sv"]
    assert (crawler.stats.get_value("bs/splash/cookies_dropped") or 0) == dropped  # type: ignore[union-attr]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == dropped, [r.getMessage() for r in warnings]


# --- Splash's error document under a 200, its error no error status --------------------------------------

# An error document whose "error" is no HTTP error status (0, 200, a huge number, negative): before, it
# was named "http-<that number>", one new stat per number ("Splash answered HTTP 200" for a failed
# render besides). It is a bad answer, as a page status that is none.
@pytest.mark.parametrize("error", [0, 200, 302, 10**30, -1], ids=["zero", "ok", "redirect", "huge", "negative"])
def test_an_error_document_whose_error_is_no_error_status_is_a_bad_answer(error: int, caplog: pytest.LogCaptureFixture) -> None:
    crawler = make_crawler(SPLASH_URL=SPLASH)
    spider = make_spider(crawler)
    processed = to_splash(crawler, spider, spider.article_request(ARTICLE_URL, source="test"))
    caplog.clear()
    answer = splash_answer(crawler, spider, processed, 200, {"error": error, "type": "Odd", "description": "odd"})
    result = build_from_crawler(SplashRenderingMiddleware, crawler).process_response(processed, answer)
    assert_fallback(crawler, spider, result, "bad-answer", caplog)
    assert not [name for name in crawler.stats.get_stats() if name.startswith("bs/splash/failed/http-")]  # type: ignore[union-attr]
