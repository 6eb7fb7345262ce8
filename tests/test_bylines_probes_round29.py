"""Round 29 probes of bylines: a city after a comma, an agency's reporter beside a dateline drawn apart, a Hindi reporter after the slash."""

from __future__ import annotations

import json
from html import escape
from typing import Any

import pytest

from crawler.extraction import Article, extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round15 import AMP, NEXT, NEXT_BYLINE, _with_data, _with_ld
from tests.test_extraction_probes_round21 import LD_AUTHOR, SPAN, _amp, _names, _next_js
from tests.test_hindi_probes_round28 import _desktop
from tests.test_hindi_probes_round28 import _amp as _hindi_amp

AMP_BYLINE = '<div class="byline">Press Trust of India <span class="dateline">New Delhi</span></div>'


def _next_js_data(byline: str, **data: str) -> Article:
    """The seed's Next.js page with this byline, and its article JSON naming the authors only as ``data`` does."""
    html, url, _ = _fixture(NEXT)

    def change(record: dict[str, Any]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "placeName", "authorName", "sourceTitle"):
            record.pop(key, None)
        record.update(data)

    html = _with_data(_once(html, NEXT_BYLINE, byline), change)
    return extract(_with_ld(html, lambda a: a.pop("author")).encode(), url).article


def _amp_ld_author(name: str) -> Article:
    """The AMP twin whose JSON-LD names one Person ``name`` and whose byline names no one."""
    html, url, _ = _fixture(AMP)
    html = _once(html, AMP_BYLINE, '<div class="byline"></div>')
    author = f'"author": {{"@type": "Person", "name": {json.dumps(name, ensure_ascii=False)}}}, '
    html = LD_AUTHOR.sub(lambda _: author, html, count=1)
    return extract(html.encode(), url).article


# --- a listed city after a comma, in one text ----------------------------------------------------------

NAMES = ["Shine Jacob", "Zoë Paris", "Sohini Das", "José Washington"]
CITIES = ["Mumbai", "New Delhi", "Washington", "London"]


@pytest.mark.parametrize("name", NAMES)
def test_a_listed_city_after_a_comma_in_one_byline_text_is_the_dateline(name: str) -> None:
    # Before: "Zoë Paris, Mumbai" (and "Shine Jacob, Mumbai") in one span gave "Mumbai" as a second author and
    # no dateline, on the Next.js byline, the AMP byline and the article JSON's authorName alike.
    for city in CITIES:
        text = f"{name}, {city}"
        for article in (
            _next_js(SPAN.format(f"<span>{text}</span>")),
            _amp(f'<div class="byline">{text}</div>'),
            _next_js_data(SPAN.format(f"<span>{text}</span>"), authorName=text),
        ):
            assert (_names(article), article.dateline) == ([name], city), text


def test_a_city_after_several_names_or_before_them_is_the_dateline_too() -> None:
    for text, names in (("Shine Jacob, Sohini Das, Mumbai", ["Shine Jacob", "Sohini Das"]), ("Shine Jacob and Sohini Das, New Delhi", ["Shine Jacob", "Sohini Das"]), ("Mumbai, Shine Jacob", ["Shine Jacob"])):
        for article in (_next_js(SPAN.format(f"<span>{text}</span>")), _amp(f'<div class="byline">{text}</div>')):
            assert _names(article) == names, text
            assert article.dateline in ("Mumbai", "New Delhi")


def test_the_story_s_own_unlisted_city_after_a_comma_is_no_author() -> None:
    article = _next_js_data(SPAN.format("<span>Shine Jacob, Kozhikode</span>"), authorName="Shine Jacob, Kozhikode", placeName="Kozhikode")
    assert (_names(article), article.dateline) == (["Shine Jacob"], "Kozhikode")


def test_a_structured_data_author_of_a_name_and_a_listed_city_is_the_name() -> None:
    # Before: JSON-LD's Person "Shine Jacob, Mumbai" gave two authors, "Shine Jacob" and "Mumbai".
    for name in ("Shine Jacob", "Zoë Paris"):
        assert _names(_amp_ld_author(f"{name}, Mumbai")) == [name]


@pytest.mark.parametrize("text", ["Shine Jacob, Sohini Das", "Shine Jacob, Kozhikode", "New Delhi, Mumbai", "Paris Hilton, Alan Washington"])
def test_names_and_unlisted_words_after_a_comma_stay_names(text: str) -> None:
    # What the rule must not take: a second reporter, a place no list holds and the story does not name (read as
    # before), a byline of cities alone (no one left to keep), a surname that is a city's in a longer name.
    for article in (_next_js(SPAN.format(f"<span>{text}</span>")), _amp(f'<div class="byline">{text}</div>')):
        assert (_names(article), article.dateline) == ([part.strip() for part in text.split(",")], None)


# --- an agency's reporter beside a dateline the page draws apart ---------------------------------------


@pytest.mark.parametrize(("field", "text", "names"), [
    ("authorName", "Shreya Jai (PTI)", ["PTI", "Shreya Jai"]),
    ("authorName", "(PTI) Aditi Sagar", ["PTI", "Aditi Sagar"]),
    ("sourceTitle", "PTI Aditi Sagar", ["PTI", "Aditi Sagar"]),
    ("sourceTitle", "Reuters Meera Jai", ["Reuters", "Meera Jai"]),
])
def test_the_article_json_s_reporter_beside_an_agency_is_an_author_where_the_byline_draws_the_city(field: str, text: str, names: list[str]) -> None:
    # The article JSON names no placeName; the byline draws the city in its own span. Before: a surname no list
    # holds ("Jai", "Sagar") was read as the agency's city, and the reporter lost: authors ["PTI"].
    byline = SPAN.format(f'<span>{escape(text)}</span> <span style="font-weight:400">New Delhi</span>')
    article = _next_js_data(byline, **{field: text})
    assert (_names(article), article.dateline) == (names, "New Delhi")


@pytest.mark.parametrize(("text", "names"), [
    ("Shreya Jai (PTI)", ["PTI", "Shreya Jai"]),
    ("(PTI) Shreya Jai", ["PTI", "Shreya Jai"]),
    ("PTI Aditi Sagar", ["PTI", "Aditi Sagar"]),
    ("New Delhi (PTI)", ["PTI"]),
    ("PTI", ["PTI"]),
])
def test_the_amp_byline_s_reporter_beside_an_agency_is_an_author_where_the_dateline_is_drawn_apart(text: str, names: list[str]) -> None:
    # Before: "Shreya Jai (PTI) <span class=dateline>New Delhi</span>" gave the author "PTI" alone.
    article = _amp(f'<div class="byline">{escape(text)} <span class="dateline">New Delhi</span></div>')
    assert (_names(article), article.dateline) == (names, "New Delhi")


@pytest.mark.parametrize("text", ["PTI Kozhikode", "Kozhikode (PTI)"])
def test_an_agency_s_unlisted_city_with_no_dateline_elsewhere_is_still_its_city(text: str) -> None:
    # Never a real city made an author: with no dateline drawn apart, a word beside the agency is read as before.
    for article in (_next_js(SPAN.format(f"<span>{text}</span>")), _amp(f'<div class="byline">{text}</div>')):
        assert (_names(article), article.dateline) == (["PTI"], "Kozhikode")


# --- the Hindi edition: a reporter after the row's slash -------------------------------------------------


@pytest.mark.parametrize(("row", "names"), [
    ("भाषा / अभिषेक कुमार", ["भाषा", "अभिषेक कुमार"]),
    ("पीटीआई / सुधीर सिंह", ["पीटीआई", "सुधीर सिंह"]),
    ("भाषा / रश्मि शर्मा", ["भाषा", "रश्मि शर्मा"]),
    ("PTI / Abhishek Kumar", ["PTI", "Abhishek Kumar"]),
])
def test_a_hindi_row_s_reporter_after_the_slash_is_an_author_not_the_dateline(row: str, names: list[str]) -> None:
    # The row is "author / city"; a name after the slash that ends in a listed surname is a reporter, as after a
    # bar. Before: "भाषा / अभिषेक कुमार" gave the author "भाषा" filed from "अभिषेक कुमार" (the AMP page read it right).
    assert _desktop(row) == (names, None)
    assert _hindi_amp(row) == (names, None)


@pytest.mark.parametrize(("row", "names", "city"), [("भाषा / कोटा", ["भाषा"], "कोटा"), ("भाषा / नई दिल्ली", ["भाषा"], "नई दिल्ली"), ("अभिषेक कुमार / मुंबई", ["अभिषेक कुमार"], "मुंबई")])
def test_a_hindi_row_s_city_after_the_slash_is_still_the_dateline(row: str, names: list[str], city: str) -> None:
    assert _desktop(row) == (names, city)
