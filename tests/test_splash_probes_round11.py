"""Probes of the market numbers and of rendering through Splash: the ticker as real Indian market pages
write it, and the Splash settings, answers and outages a production run meets."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once

# --- the ticker's numbers as the site's script may write them --------------------------------------

TICKER_START = '<div class="Header_mktticker__Hn2Wd mktticker">'


def _ticker_item(name: str, value: str, change: str, percent: str | None) -> str:
    """One index as the page draws it; ``percent=None``: a ticker without a cell of its own for the per cent."""
    pct = "" if percent is None else f' <span class="tickerpct">{percent}</span>%'
    return (
        f'<div class="Header_tickeritem__Tq7Lm tickeritem" data-index="{name}"><span class="tickername">{name}</span> '
        f'<span class="tickerval">{value}</span> (<span class="tickerchg">{change}</span>{pct})</div>'
    )


def market_of(items: list[tuple[str, str, str, str | None]]) -> dict[str, tuple[float | None, float | None, float | None]]:
    """The item's ``market`` for a page whose ticker lists ``items`` (name, value, change, per cent)."""
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    start = html.index(TICKER_START)
    end = html.index("</div></div>", start) + len("</div></div>")
    ticker = TICKER_START + "".join(_ticker_item(*item) for item in items) + "</div>"
    article = extract((html[:start] + ticker + html[end:]).encode(), url).article
    return {quote.name: (quote.value, quote.change, quote.changePercent) for quote in article.market}


# A fall written with another dash than U+2212 or "-": the sign was dropped, and a fall read as a rise.
DASHES = {
    "en-dash": "\u2013",
    "figure-dash": "\u2012",
    "hyphen": "\u2010",
    "non-breaking-hyphen": "\u2011",
    "small-hyphen-minus": "\ufe63",
    "fullwidth-hyphen-minus": "\uff0d",
    "heavy-minus": "\u2796",
}


@pytest.mark.parametrize("dash", DASHES.values(), ids=DASHES.keys())
def test_a_fall_written_with_any_minus_dash_is_negative(dash: str) -> None:
    market = market_of([("Sensex", "73,158.24", f"{dash}254.86", f"{dash}0.35"), ("Nifty", "22,198.35", f"{dash} 65.8", f"{dash}\u20090.30")])
    assert market["Sensex"] == (73158.24, -254.86, -0.35)
    assert market["Nifty"] == (22198.35, -65.8, -0.30)


# Down arrows other than the few listed: a fall drawn so was read as a rise.
DOWN_ARROWS = {
    "white-down-triangle": "\u25bd",
    "small-white-down-triangle": "\u25bf",
    "black-down-arrow": "\u2b07",
    "white-down-arrow": "\u21e9",
    "down-button": "\U0001f53d",
    "heavy-down-arrow": "\u2b9f",
    "down-arrowhead": "\u2304",
}


@pytest.mark.parametrize("arrow", DOWN_ARROWS.values(), ids=DOWN_ARROWS.keys())
def test_a_fall_drawn_with_any_down_arrow_is_negative(arrow: str) -> None:
    market = market_of([("Sensex", "73,158.24", f"{arrow} 254.86", f"0.35 {arrow}")])
    assert market["Sensex"] == (73158.24, -254.86, -0.35)


def test_a_rise_drawn_with_an_up_arrow_stays_positive() -> None:
    market = market_of([("Sensex", "73,158.24", "\u25b3 254.86", "\u2b06 0.35"), ("Nifty", "22,198.35", "\u25b2 65.8", "+0.30")])
    assert market["Sensex"] == (73158.24, 254.86, 0.35) and market["Nifty"] == (22198.35, 65.8, 0.30)


# Change and per cent in one cell, the per cent in parentheses (no cell of its own, or an empty one):
# the two numbers' digits were run together into none.
CHANGE_WITH_PERCENT = {
    "parenthesised": ("\u2212254.86 (\u22120.35%)", None, (-254.86, -0.35)),
    "parenthesised-empty-pct-cell": ("\u2212254.86 (\u22120.35%)", "", (-254.86, -0.35)),
    "arrow-and-nbsp": ("\u25bc\u00a0254.86\u00a0(0.35\u00a0%)", None, (-254.86, -0.35)),
    "percent-sign-only": ("+254.86 +0.35%", None, (254.86, 0.35)),
    "indian-grouping": ("+1,254.86 (+0.35%)", None, (1254.86, 0.35)),
}


@pytest.mark.parametrize(("change", "percent", "expected"), CHANGE_WITH_PERCENT.values(), ids=CHANGE_WITH_PERCENT.keys())
def test_change_and_per_cent_written_in_one_cell_are_both_read(change: str, percent: str | None, expected: tuple[float, float]) -> None:
    market = market_of([("Sensex", "73,158.24", change, percent)])
    assert market["Sensex"] == (73158.24, *expected)


# Numbers a ticker writes with spaces for grouping, or beside a currency sign: read whole, as before.
GROUPED = {
    "indian-commas": ("1,23,456.78", 123456.78),
    "nbsp-grouping": ("73\u00a0158.24", 73158.24),
    "thin-space-grouping": ("1\u200923\u2009456.78", 123456.78),
    "narrow-nbsp-grouping": ("73\u202f158.24", 73158.24),
    "rupee-sign": ("\u20b973,158.24", 73158.24),
}


@pytest.mark.parametrize(("value", "expected"), GROUPED.values(), ids=GROUPED.keys())
def test_grouped_values_are_read_whole(value: str, expected: float) -> None:
    assert market_of([("Sensex", value, "+254.86", "+0.35")])["Sensex"] == (expected, 254.86, 0.35)


MISSING = ["\u2014", "\u2013", "-", "--", "NA", "N/A", "n.a.", "", "\u00a0", "NaN", "Infinity"]


@pytest.mark.parametrize("missing", MISSING, ids=[repr(m) for m in MISSING])
def test_a_missing_figure_is_null_and_its_neighbours_are_read(missing: str) -> None:
    market = market_of([("Sensex", "73,158.24", missing, "+0.35"), ("Nifty", missing, "+65.8", missing)])
    assert market["Sensex"] == (73158.24, None, 0.35)
    assert market["Nifty"] == (None, 65.8, None)


# The index listed twice (a marquee repeats its items to scroll without a gap): the copy the script
# has not filled, or filled with dashes, took the place of the numbers read first.
@pytest.mark.parametrize("copy", [("", "", ""), ("\u2014", "\u2014", "\u2014"), ("NA", "NA", "NA")], ids=["empty", "dashes", "na"])
def test_an_index_listed_twice_keeps_the_numbers_of_the_copy_that_has_them(copy: tuple[str, str, str]) -> None:
    filled = ("Sensex", "73,158.24", "\u2212254.86", "\u22120.35")
    market = market_of([filled, ("Nifty", "22,198.35", "+65.8", "+0.30"), ("Sensex", *copy)])
    assert market["Sensex"] == (73158.24, -254.86, -0.35)
    market = market_of([("Sensex", *copy), ("Nifty", "22,198.35", "+65.8", "+0.30"), filled])
    assert market["Sensex"] == (73158.24, -254.86, -0.35)


# The index names as exchanges and other tickers write them: in capitals, with the series' number,
# or the exchange's name; each is the index the item names, never a neighbour.
NAMES = {
    "capitals": ("SENSEX", "NIFTY", "NIFTY SMALLCAP", "NIFTY MIDCAP", "NIFTY BANK"),
    "exchange-names": ("BSE Sensex", "Nifty 50", "Nifty Smallcap", "Nifty Midcap", "Bank Nifty"),
    "sp-bse": ("S&amp;P BSE SENSEX", "NIFTY 50", "Nifty Smallcap", "Nifty Midcap", "NIFTY BANK"),
    "spaced": ("Sensex\u00a0", " Nifty", "Nifty\u00a0 Smallcap", "Nifty  Midcap", "Nifty\tBank"),
}


@pytest.mark.parametrize("names", NAMES.values(), ids=NAMES.keys())
def test_index_names_in_the_forms_tickers_write_them_are_read(names: tuple[str, ...]) -> None:
    figures = [("73,158.24", "-254.86", "-0.35"), ("22,198.35", "+65.8", "+0.30"), ("16,100.1", "+1", "+0.01"), ("48,000.5", "-2", "-0.02"), ("47,286.9", "+3", "+0.03")]
    market = market_of([(name, *numbers) for name, numbers in zip(names, figures)])
    assert list(market) == ["Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]
    assert [market[name][0] for name in market] == [73158.24, 22198.35, 16100.1, 48000.5, 47286.9]


def test_extra_indices_and_another_order_give_each_index_its_own_numbers_and_a_missing_one_null() -> None:
    market = market_of(
        [
            ("Nifty Bank", "47,286.90", "+3", "+0.03"),
            ("Nifty Next 50", "60,000.00", "+9", "+0.9"),
            ("Nifty Midcap 150", "18,000.00", "+8", "+0.8"),
            ("Nifty Smallcap 250", "15,000.00", "+7", "+0.7"),
            ("India VIX", "14.20", "\u22120.4", "\u22122.7"),
            ("Sensex", "73,158.24", "\u2212254.86", "\u22120.35"),
            ("Nifty", "22,198.35", "+65.8", "+0.30"),
        ]
    )
    assert market == {
        "Sensex": (73158.24, -254.86, -0.35),
        "Nifty": (22198.35, 65.8, 0.30),
        "Nifty Smallcap": (None, None, None),
        "Nifty Midcap": (None, None, None),
        "Nifty Bank": (47286.90, 3.0, 0.03),
    }
