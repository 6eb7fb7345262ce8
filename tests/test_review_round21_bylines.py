"""Review of round 21's bylines and datelines: the Hindi agencies' credit cut a reporter's surname or a
second reporter, a byline of the credit alone named nobody; a second agency's name, a link or a poll's
credit after the names was read as the dateline; "Agencies with PTI" was read as a column's title."""

from __future__ import annotations

import pytest

from crawler.extraction import Article, extract
from crawler.extraction.layouts.base import byline_names, is_dateline_city, names_and_place, without_inputs_credit
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round21 import HINDI, HINDI_BYLINE, SPAN, _amp, _names, _next_js


def _hindi(byline: str) -> tuple[Article, list[str]]:
    """The Hindi table page with this byline in its byline row and in JSON-LD's Person."""
    html, url, _ = _fixture(HINDI)
    html = _once(html, f">{HINDI_BYLINE} / ", f">{byline} / ")
    html = _once(html, f'"name": "{HINDI_BYLINE}"', f'"name": "{byline}"')
    found = extract(html.encode(), url)
    return found.article, sorted(found.provenance.disagreements)


# --- the Hindi credit: the names before it whole ---------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("अभिषेक कुमार इनपुट: भाषा", ["अभिषेक कुमार"]),
        ("भाषा सिंह इनपुट: भाषा", ["भाषा सिंह"]),
        ("अभिषेक कुमार, सुधीर सिंह इनपुट: भाषा", ["अभिषेक कुमार", "सुधीर सिंह"]),
        ("अभिषेक कुमार और सुधीर सिंह इनपुट: भाषा", ["अभिषेक कुमार", "सुधीर सिंह"]),
        ("अभिषेक कुमार (भाषा इनपुट्स के साथ)", ["अभिषेक कुमार"]),
    ],
    ids=["label-after-a-name", "reporter-named-bhasha", "second-reporter-then-label", "and-second-reporter-then-label", "plural-inputs"],
)
def test_the_hindi_credit_cuts_no_name_before_it(byline: str, authors: list[str]) -> None:
    # Before: "अभिषेक", "भाषा", "सुधीर": the word before "इनपुट" was taken for the agency's and cut with
    # the credit, a surname lost; after a comma, the whole second reporter was cut.
    article, disagreements = _hindi(byline)
    assert (_names(article), article.dateline, disagreements) == (authors, "लखनऊ", [])


@pytest.mark.parametrize("byline", ["इनपुट: भाषा", "(इनपुट: भाषा)", "भाषा इनपुट के साथ"])
def test_a_hindi_byline_of_the_credit_alone_names_the_agency(byline: str) -> None:
    # Before: no author at all (and, before round 21, "इनपुट: भाषा" one author): the agency's copy is
    # its, as the site names an agency for agency copy.
    article, disagreements = _hindi(byline)
    assert (_names(article), disagreements) == (["भाषा"], [])


@pytest.mark.parametrize("name", ["इनपुटकुमार सिंह", "अभिषेक इनपुटवाला"])
def test_a_name_holding_the_credit_s_letters_is_whole(name: str) -> None:
    # Before: "" (no author): "इनपुट" was cut wherever its letters stood, even inside a word.
    assert without_inputs_credit(name) == name
    assert byline_names(name) == [name]


# --- what follows the names is no city: a second agency, a link, a figure, a poll's credit ----------------


@pytest.mark.parametrize(
    "spans",
    [
        "<span>Reuters</span> <span>Bloomberg</span>",
        "<span>IANS</span> <span>AFP</span>",
        "<span>Reuters</span> | <span>Bloomberg</span>",
        "<span>Reuters | Bloomberg</span>",
    ],
    ids=["spaced", "spaced-acronyms", "bar-between-spans", "bar-in-one-span"],
)
def test_a_second_agency_after_an_agency_is_an_author_not_the_dateline(spans: str) -> None:
    # Before: ["Reuters"] and the dateline "Bloomberg": after an agency's name anything was its city.
    second = "AFP" if "AFP" in spans else "Bloomberg"
    for article in (_next_js(SPAN.format(spans)), _amp(SPAN.format(spans)), _amp(f'<div class="byline">{spans}</div>')):
        assert (_names(article)[1], article.dateline) == (second, None)


@pytest.mark.parametrize(
    "text", ["Shine Jacob | https://x.com/shinejacob", "Shine Jacob | www.business-standard.com/author/shine", "Reuters | Reuters/Ipsos", "Shine Jacob | 24/7"]
)
def test_a_slashed_text_after_the_bar_that_names_no_two_places_is_no_dateline(text: str) -> None:
    # Before: the link, the poll's credit, the figure was the story's dateline (round 21 let an
    # unspaced slash into the place for "New Delhi/Mumbai").
    assert names_and_place(text) == (text, None)
    assert _next_js(SPAN.format(f"<span>{text}</span>")).dateline is None


def test_hyderabad_secunderabad_is_a_reporter_s_two_cities() -> None:
    # Before: "Hyderabad/Secunderabad" in a span of its own was a second author: Secunderabad was no
    # listed city.
    assert is_dateline_city("Hyderabad/Secunderabad")
    article = _next_js(SPAN.format("<span>Shine Jacob</span> <span>Hyderabad/Secunderabad</span>"))
    assert (_names(article), article.dateline) == (["Shine Jacob"], "Hyderabad/Secunderabad")


# --- "with" a news agency is never a column's title --------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [("Agencies with PTI", ["Agencies", "PTI"]), ("Team with Reuters", ["Team", "Reuters"]), ("Lunch with BS", ["Lunch with BS"])],
    ids=["agencies-with-pti", "team-with-reuters", "column-still-one"],
)
def test_a_one_word_byline_with_an_agency_names_the_agency(byline: str, authors: list[str]) -> None:
    # Before: one author "Agencies with PTI": a sponsored series is never a news agency's.
    assert byline_names(byline) == authors
    assert _names(_next_js(SPAN.format(f"<span>{byline}</span>"))) == authors


# --- pins: what round 21 reads right and stays so ----------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "authors", "city"),
    [
        ("<span>PTI</span> <span>New Delhi/Mumbai</span>", ["PTI"], "New Delhi/Mumbai"),
        ("<span>Shine Jacob</span> <span>Ajmer</span>", ["Shine Jacob", "Ajmer"], None),  # (no listed city)
        ("<span>Shine Jacob</span> <span>Deepak Patel</span>", ["Shine Jacob", "Deepak Patel"], None),
    ],
    ids=["agency-two-cities", "unlisted-city-after-a-reporter", "two-reporters-spaced"],
)
def test_round21_readings_that_stay(spans: str, authors: list[str], city: str | None) -> None:
    article = _next_js(SPAN.format(spans))
    assert (_names(article), article.dateline) == (authors, city)
