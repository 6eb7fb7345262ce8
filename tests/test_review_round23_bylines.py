"""Review of bylines with no bar before the city: words after an agency that name no place, a date line or read time run on, structured authors."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from crawler.extraction.layouts.base import byline_names, name_then_place, names_and_place
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round15 import AMP, AMP_BYLINE, NEXT, NEXT_BYLINE, _with_data, _with_ld
from tests.test_extraction_probes_round21 import SPAN, _amp, _names
from tests.test_extraction_probes_round23 import _next_js


def _both(byline: str, place: str | None = None) -> list[tuple[list[str], str | None]]:
    """(authors, dateline) of the Next.js page (its article JSON's ``placeName`` this place) and of the
    AMP page in both byline forms, each naming no author in its structured data."""
    pages = [_next_js(SPAN.format(byline), place=place)]
    if place is None:  # (AMP pages carry no article JSON)
        pages += [_amp(SPAN.format(byline)), _amp(f'<div class="byline">{byline}</div>')]
    return [(_names(article), article.dateline) for article in pages]


# --- words after an agency that are no place: its desk, service, medium, a staff role, the page's own words --

NO_PLACE_AFTER_AN_AGENCY = [
    "AP Photo", "PTI Photo", "PTI File Photo", "AFP Photo", "Reuters Staff", "Reuters Breakingviews", "Bloomberg Opinion",
    "Bloomberg News", "Reuters Graphics", "ANI Video", "IANS Hindi", "Reuters Fact Check", "AP Explains",
    "Bloomberg Businessweek", "Bloomberg Intelligence", "Reuters Breakingviews Columnist", "AP Listen",
    "Reuters Premium", "Reuters December", "AP May", "AP Monday", "PTI IST", "ANI Desk", "AP Exclusive",
]


@pytest.mark.parametrize("byline", NO_PLACE_AFTER_AN_AGENCY)
def test_words_after_an_agency_that_name_no_place_are_no_dateline(byline: str) -> None:
    # Before: the agency the author and "Photo", "Staff", "Opinion", "Video", "Hindi", "December",
    # "IST" the story's dateline city, on Next.js and AMP alike.
    assert _both(byline) == [([byline], None)] * 3


def test_a_byline_in_an_uncased_script_after_an_agency_is_no_dateline_unless_the_data_names_it() -> None:
    # Before: "PTI" the author and a Hindi reporter's name "कमल नयन" the dateline (Devanagari has no
    # capitals, so "capitalised words" held for any words written without a vowel sign).
    for names, city in _both("PTI कमल नयन"):
        assert city is None and names == ["PTI कमल नयन"]
    # The city the article JSON names is the dateline, in any script.
    assert _both("PTI नई दिल्ली", place="नई दिल्ली") == [(["PTI"], "नई दिल्ली")]


@pytest.mark.parametrize(("byline", "authors"), [("BS Reporter", ["BS Reporter"]), ("BS Web Team", ["BS Web Team"]), ("Business Standard Editorial Comment", ["Business Standard Editorial Comment"])])
def test_the_site_s_own_staff_credits_stay_one_name(byline: str, authors: list[str]) -> None:
    assert _both(byline) == [(authors, None)] * 3


def test_agencies_then_a_listed_city_is_the_agencies_and_the_city() -> None:
    # Before: one author "Agencies Mumbai" and no dateline, where "Agencies | Mumbai" gave the city.
    assert _both("Agencies Mumbai") == [(["Agencies"], "Mumbai")] * 3
    # A word the rules do not list after "Agencies" is no city: no agency's name precedes it.
    assert _both("Agencies Kozhikode") == [(["Agencies Kozhikode"], None)] * 3


# --- a date line, time or read time after the names with no bar before it ---------------------------------

DATE_TAILS = [
    ("AP 2 min read", ["AP"], None),
    ("PTI Last Updated : Dec 04 2026 | 11:20 PM IST", ["PTI"], None),
    ("Reuters 3 Dec", ["Reuters"], None),
    ("Reuters Dec 3, 2026", ["Reuters"], None),
    ("AP 11:20 PM IST", ["AP"], None),
    ("PTI Updated: Dec 04 2026", ["PTI"], None),
    ("PTI Updated", ["PTI"], None),
    ("PTI First Published: Dec 04 2026", ["PTI"], None),
    ("AP Miami 2 min read", ["AP"], "Miami"),
    ("PTI New Delhi Last Updated : Dec 04 2026 | 11:20 PM IST", ["PTI"], "New Delhi"),
    ("Shine Jacob 3 min read", ["Shine Jacob"], None),
    ("Shine Jacob, Deepak Patel Dec 04 2026 | 11:20 PM IST", ["Shine Jacob", "Deepak Patel"], None),
    ("PTI | New Delhi Last Updated : Dec 04 2026", ["PTI"], "New Delhi"),
    ("PTI | 11:20 PM IST", ["PTI"], None),
]


@pytest.mark.parametrize(("byline", "authors", "city"), DATE_TAILS, ids=[b for b, _, _ in DATE_TAILS])
def test_a_date_line_or_read_time_after_the_names_is_neither_a_name_nor_a_place(byline: str, authors: list[str], city: str | None) -> None:
    # Before: one author "AP 2 min read", "Reuters 3 Dec", "PTI Last Updated : Dec 04 2026" with the
    # dateline "11:20 PM IST"; "AP Miami 2 min read" one author and no dateline.
    assert _both(byline) == [(authors, city)] * 3


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Theresa May", ["Theresa May"]),  # (a month's name is a surname: no figure follows it)
        ("June Kim and Mark Dec", ["June Kim", "Mark Dec"]),
        ("Team 18", ["Team 18"]),
        ("A 2 min read", ["A"]),
        ("A, B Updated: Dec 4", ["A", "B"]),
    ],
)
def test_byline_names_end_at_a_date_line_not_at_a_month_s_name(text: str, names: list[str]) -> None:
    assert byline_names(text) == names


def test_names_and_place_reads_no_time_as_a_place() -> None:
    assert names_and_place("PTI | 11:20 PM IST") == ("PTI", None)
    assert names_and_place("PTI | Mumbai 2 min read") == ("PTI", "Mumbai")


@pytest.mark.parametrize(("text", "split"), [("AP Photo", None), ("AP Miami 2 min read", ("AP", "Miami")), ("PTI कमल नयन", None), ("Agencies Mumbai", ("Agencies", "Mumbai"))])
def test_name_then_place(text: str, split: tuple[str, str] | None) -> None:
    assert name_then_place(text) == split


# --- where structured data names the authors ---------------------------------------------------------------


def test_an_agency_s_desk_the_structured_data_names_as_the_author_is_no_dateline() -> None:
    # Before: JSON-LD and the article JSON name the author "Bloomberg Quint", the byline shows the same,
    # and the dateline read "Quint" (AMP: from the byline, the only source; Next.js: where the article
    # JSON names no place).
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        data.pop("placeName")
        data.pop("articleMappedMultipleAuthors")
        data["authorDetails"] = [{"author_id": 1, "author_name": "Bloomberg Quint", "author_image": ""}]

    html = _with_data(_once(html, NEXT_BYLINE, SPAN.format("Bloomberg Quint")), change)
    html = _with_ld(html, lambda a: a.update(author=[{"@type": "Person", "name": "Bloomberg Quint"}]))
    result = extract(html.encode(), url)
    assert (_names(result.article), result.article.dateline, result.provenance.disagreements) == (["Bloomberg Quint"], None, [])
    amp_html, amp_url, _ = _fixture(AMP)
    amp_html = _once(amp_html, AMP_BYLINE, SPAN.format("Bloomberg Quint")).replace('"name": "Press Trust of India"', '"name": "Bloomberg Quint"', 1)
    amp = extract(amp_html.encode(), amp_url)
    assert (_names(amp.article), amp.article.dateline, amp.provenance.disagreements) == (["Bloomberg Quint"], None, [])


def test_a_good_structured_place_and_author_are_kept_whatever_the_byline_runs_on_into() -> None:
    # The article JSON names the agency and New Delhi: the byline's words are no source then.
    html, url, _ = _fixture(NEXT)
    for byline in ("Press Trust of India Photo", "Press Trust of India 2 min read", "PTI Mumbai"):
        result = extract(_once(html, NEXT_BYLINE, SPAN.format(byline)).encode(), url)
        assert (_names(result.article), result.article.dateline, result.provenance.disagreements) == (["Press Trust of India"], "New Delhi", [])

