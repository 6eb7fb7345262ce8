"""Probes of the market ticker through a real Splash, round 27: figures drawn a span per digit, and a
ticker still showing its loading placeholder when the render looks at it."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

import pytest

from crawler.splash import SplashRenderer
from tests.test_splash import splash_url  # noqa: F401 (the fixture: a running Splash)
from tests.test_splash_probes_round11 import market_of
from tests.test_splash_probes_round17 import FILLED, _state_in_splash, _ticker

# --- a figure drawn a span per digit ----------------------------------------------------------------


def _spans(figure: str) -> str:
    """``figure`` as a ticker that animates its digits draws it: each character in a span of its own,
    nothing between them (the browser shows "73,158.24")."""
    return "".join(f"<span>{char}</span>" for char in figure)


# (value, change, per cent as the cells hold them) → what the item holds. Before: the text nodes were
# joined with a space, as a byline's words are ("7 3 , 1 5 8 . 2 4"), and the first piece read: Sensex
# 7.0, its change 2.0 and its per cent 5.0, wrong numbers written as good.
SPAN_PER_DIGIT = {
    "value": ((_spans("73,158.24"), "\u2212254.86", "\u22120.35"), (73158.24, -254.86, -0.35)),
    "every-cell": ((_spans("73,158.24"), _spans("\u2212254.86"), _spans("\u22120.35")), (73158.24, -254.86, -0.35)),
    "digits-only-in-spans": (("7<span>3</span>,1<span>5</span>8.24", "254.86", "0.35"), (73158.24, 254.86, 0.35)),
    "decimals-in-a-small": (("73,158<small>.24</small>", "254<small>.86</small>", "0.35"), (73158.24, 254.86, 0.35)),
    "change-with-its-per-cent": ((_spans("73,158.24"), _spans("\u2212254.86") + " " + _spans("(\u22120.35%)"), None), (73158.24, -254.86, -0.35)),
    "indian-grouping": ((_spans("1,23,456.70"), _spans("+1,254.86"), _spans("+1.03")), (123456.70, 1254.86, 1.03)),
}


@pytest.mark.parametrize(("cells", "read"), SPAN_PER_DIGIT.values(), ids=SPAN_PER_DIGIT.keys())
def test_a_figure_drawn_a_span_per_digit_is_read_whole(cells: tuple[str, str, str | None], read: tuple[float, float, float]) -> None:
    market = market_of([("Sensex", *cells), ("Nifty", "22,198.35", "65.8", "0.30")])
    assert market["Sensex"] == read
    assert market["Nifty"] == (22198.35, 65.8, 0.30)


def test_words_in_separate_spans_are_still_words_apart() -> None:
    # What keeps a figure whole must not glue what the markup spaces: "Nifty Bank" in two spans with a
    # space between them, a value and its arrow apart.
    market = market_of([("<span>Nifty</span> <span>Bank</span>", "<span>52,207.50</span> <span>\u25bc</span>", "<span>314.65</span>", "0.60")])
    assert market["Nifty Bank"] == (52207.50, -314.65, -0.60)


# --- a ticker still showing its loading placeholder ---------------------------------------------------

LOADING = {
    "loading-ellipsis": "Loading\u2026",
    "loading-dots": "Loading...",
    "lower-case": "loading",
    "updating": "Updating\u2026",
    "fetching": "Fetching data",
    "please-wait": "Please wait",
    "dots-alone": "...",
    "ellipsis-alone": "\u2026",
    "hindi": "\u0932\u094b\u0921 \u0939\u094b \u0930\u0939\u093e \u0939\u0948...",
}


# Before: a cell of letters counted as written (the script's "NA"), so a ticker whose cells said
# "Loading…" was `filled` at once: the render returned before the script wrote a figure, every number
# null, the stat saying filled, and no WARNING at the end of the run.
@pytest.mark.parametrize("placeholder", LOADING.values(), ids=LOADING.keys())
def test_a_ticker_showing_its_loading_placeholder_is_not_filled_yet(splash_url: str, placeholder: str) -> None:  # noqa: F811
    assert _state_in_splash(splash_url, _ticker(*[placeholder] * 5)) == "empty"
    assert _state_in_splash(splash_url, _ticker(*FILLED[:4], placeholder)) == "empty"


@pytest.mark.parametrize("written", ["NA", "N/A", "\u0909\u092a\u0932\u092c\u094d\u0927 \u0928\u0939\u0940\u0902"])
def test_a_word_the_script_writes_for_a_missing_figure_still_counts_written(splash_url: str, written: str) -> None:  # noqa: F811
    assert _state_in_splash(splash_url, _ticker(*FILLED[:4], written)) == "filled"


_LATE_TICKER = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="mktticker">{items}</div>
<script>
setTimeout(function () {{
  var cells = document.querySelectorAll('.mktticker .tickerval');
  for (var i = 0; i < cells.length; i++) {{ cells[i].textContent = '{value}'; }}
}}, {delay});
</script></body></html>"""


def _render(base: str, page: str, wait: float) -> dict[str, Any]:
    """The project's own render script run by Splash on ``page`` (a data: URL: no server of ours)."""
    args = SplashRenderer(wait=wait, timeout=wait + 10).splash_args()
    args["url"] = "data:text/html;charset=utf-8;base64," + base64.b64encode(page.encode()).decode()
    request = urllib.request.Request(f"{base}/execute", data=json.dumps(args).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return dict(json.loads(answer.read()))


def test_the_render_waits_past_the_loading_placeholder_for_the_figures(splash_url: str) -> None:  # noqa: F811
    # The page's script writes the figures 0.4 s after load; until then each cell says "Loading…".
    # Before: the render returned at once, its page still "Loading…", counted filled.
    names = ["Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]
    items = "".join(f'<div class="tickeritem"><span class="tickername">{n}</span> <span class="tickerval">Loading\u2026</span></div>' for n in names)
    answer = _render(splash_url, _LATE_TICKER.format(items=items, value="73,158.24", delay=400), wait=8.0)
    assert answer["ticker"] == "filled"
    assert answer["html"].count('<span class="tickerval">73,158.24</span>') == 5 and "Loading" not in answer["html"]


def test_a_ticker_loading_past_the_wait_is_counted_empty(splash_url: str) -> None:  # noqa: F811
    # The wait too short for the ticker: `empty`, the state the end-of-run WARNING counts.
    items = '<div class="tickeritem"><span class="tickername">Sensex</span> <span class="tickerval">Loading\u2026</span></div>'
    answer = _render(splash_url, _LATE_TICKER.format(items=items, value="73,158.24", delay=60000), wait=0.3)
    assert answer["ticker"] == "empty"

