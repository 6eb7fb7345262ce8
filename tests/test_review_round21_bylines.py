"""Review of round 21's bylines and datelines: the Hindi agencies' credit cut a reporter's surname or a
second reporter, a byline of the credit alone named nobody."""

from __future__ import annotations

import pytest

from crawler.extraction import Article, extract
from crawler.extraction.layouts.base import byline_names, without_inputs_credit
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round21 import HINDI, HINDI_BYLINE, _names


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
