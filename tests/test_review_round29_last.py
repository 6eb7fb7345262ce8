"""The review of round 29's last merges: a byline naming each reporter's own city keeps every city in the dateline."""

from __future__ import annotations

import pytest

from crawler.extraction import Article
from tests.test_bylines_probes_round29 import _next_js_data
from tests.test_extraction_probes_round21 import SPAN, _amp, _names, _next_js
from tests.test_hindi_probes_round28 import _desktop
from tests.test_hindi_probes_round28 import _amp as _hindi_amp


def _readings(text: str) -> list[Article]:
    """The byline ``text`` in one span of the Next.js byline, the AMP byline, and the article JSON's authorName."""
    return [
        _next_js(SPAN.format(f"<span>{text}</span>")),
        _amp(f'<div class="byline">{text}</div>'),
        _next_js_data(SPAN.format(f"<span>{text}</span>"), authorName=text),
    ]


@pytest.mark.parametrize(("text", "names", "dateline"), [
    ("Shine Jacob, New Delhi and Sohini Das, Mumbai", ["Shine Jacob", "Sohini Das"], "New Delhi/Mumbai"),
    ("By Shine Jacob, New Delhi and Sohini Das, Mumbai", ["Shine Jacob", "Sohini Das"], "New Delhi/Mumbai"),
    ("Dev Chatterjee, Mumbai & Sohini Das, Kolkata", ["Dev Chatterjee", "Sohini Das"], "Mumbai/Kolkata"),
    ("Shine Jacob, Mumbai | Sohini Das, Delhi", ["Shine Jacob", "Sohini Das"], "Mumbai/Delhi"),
    ("Shine Jacob, Chennai, Sohini Das, Mumbai and Dev Chatterjee, London", ["Shine Jacob", "Sohini Das", "Dev Chatterjee"], "Chennai/Mumbai/London"),
])
def test_each_reporter_s_own_city_after_a_comma_is_in_the_dateline(text: str, names: list[str], dateline: str) -> None:
    # A story filed from two cities, each after its reporter's name. Before: the dateline the first city alone
    # ("New Delhi"), the second lost (round 29 read a comma's city as the dateline, one city only; before that
    # round, both cities were authors). The site writes such a dateline "New Delhi/Mumbai" (README: dateline).
    for article in _readings(text):
        assert (_names(article), article.dateline) == (names, dateline), (text, article.layout)


@pytest.mark.parametrize(("text", "names", "dateline"), [
    ("Shine Jacob, Mumbai and Sohini Das, Mumbai", ["Shine Jacob", "Sohini Das"], "Mumbai"),
    ("Shine Jacob and Sohini Das, New Delhi", ["Shine Jacob", "Sohini Das"], "New Delhi"),
    ("Shine Jacob, New Delhi/Mumbai", ["Shine Jacob"], "New Delhi/Mumbai"),
    ("Shine Jacob, Mumbai, Sohini Das", ["Shine Jacob", "Sohini Das"], "Mumbai"),
])
def test_one_city_is_written_once(text: str, names: list[str], dateline: str) -> None:
    # The same city twice is one; a city the byline already writes with its slash is kept as written.
    for article in _readings(text):
        assert (_names(article), article.dateline) == (names, dateline), (text, article.layout)


def test_a_city_the_page_draws_apart_stays_the_dateline() -> None:
    # The byline's own dateline span names the story's city: a reporter's city beside a name is not added to it.
    article = _next_js(SPAN.format('<span>Shine Jacob, Mumbai</span> <span style="font-weight:400">New Delhi</span>'))
    assert (_names(article), article.dateline) == (["Shine Jacob"], "New Delhi")


def test_a_city_a_slash_already_names_is_not_written_again() -> None:
    for article in _readings("Shine Jacob, New Delhi/Mumbai and Sohini Das, Mumbai"):
        assert (_names(article), article.dateline) == (["Shine Jacob", "Sohini Das"], "New Delhi/Mumbai"), article.layout


def test_a_hindi_row_s_two_reporters_each_with_a_city_give_both_cities() -> None:
    row = "अभिषेक कुमार, नई दिल्ली और रश्मि शर्मा, मुंबई"
    # Before: the dateline "नई दिल्ली" alone.
    assert _desktop(row) == (["अभिषेक कुमार", "रश्मि शर्मा"], "नई दिल्ली/मुंबई")
    assert _hindi_amp(row) == (["अभिषेक कुमार", "रश्मि शर्मा"], "नई दिल्ली/मुंबई")
