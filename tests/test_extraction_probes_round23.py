"""Probes of bylines that draw no bar before the city: an agency's name and its city as one text ("AP
Miami"), a city outside the names' spans, an unlisted city the article JSON names after a reporter."""

from __future__ import annotations

import pytest

from crawler.extraction import Article, extract
from crawler.extraction.layouts.base import name_then_place
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round15 import NEXT, NEXT_BYLINE, _with_data, _with_ld
from tests.test_extraction_probes_round21 import SPAN, _amp, _names


def _next_js(byline: str, place: str | None = None) -> Article:
    """The seed's Next.js page with this byline, its article JSON and JSON-LD naming no author, the
    article JSON's ``placeName`` this place (none where None)."""
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "placeName"):
            data.pop(key)
        if place is not None:
            data["placeName"] = place

    html = _with_data(_once(html, NEXT_BYLINE, byline), change)
    return extract(_with_ld(html, lambda a: a.pop("author")).encode(), url).article


# --- an agency's name and its city with no bar between them ------------------------------------------

AGENCY_AND_CITY = [
    ("AP Miami", ["AP"], "Miami"),
    ("<span>AP Miami</span>", ["AP"], "Miami"),
    ("Press Trust of India New Delhi", ["Press Trust of India"], "New Delhi"),
    ("Reuters Kozhikode", ["Reuters"], "Kozhikode"),
    ("<span>AP</span> Miami", ["AP"], "Miami"),
    ('<a href="/author/search/keyword/press-trust-of-india">Press Trust of India</a> New Delhi', ["Press Trust of India"], "New Delhi"),
]
AGENCY_AND_CITY_IDS = ["bare-text", "one-span", "long-agency-two-word-city", "unlisted-city", "city-outside-the-span", "linked-agency-bare-city"]


@pytest.mark.parametrize(("byline", "authors", "city"), AGENCY_AND_CITY, ids=AGENCY_AND_CITY_IDS)
def test_a_next_js_byline_of_an_agency_and_its_city_as_one_text(byline: str, authors: list[str], city: str) -> None:
    # Before: one author "AP Miami" (or "Press Trust of India New Delhi") and no dateline; with the
    # city outside the agency's span, the city was lost.
    article = _next_js(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), AGENCY_AND_CITY, ids=AGENCY_AND_CITY_IDS)
@pytest.mark.parametrize("form", ["site-span", "byline-div"])
def test_an_amp_byline_of_an_agency_and_its_city_as_one_text(byline: str, authors: list[str], city: str, form: str) -> None:
    # Before: one author "AP Miami" and no dateline; with the city outside the span, a second author
    # "Miami".
    article = _amp(SPAN.format(byline) if form == "site-span" else f'<div class="byline">{byline}</div>')
    assert (_names(article), article.dateline) == (authors, city)


def test_an_agency_s_city_span_beside_another_place_name_in_the_article_json_keeps_the_agency() -> None:
    # Before: the one author "Miami", the agency "AP" in bare text before it lost, where the article
    # JSON's placeName named another city.
    article = _next_js(SPAN.format("AP <span>Miami</span>"), place="Ajmer")
    assert (_names(article), article.dateline) == (["AP"], "Ajmer")


# --- a city the rules do not list, named by the article JSON after a reporter --------------------------


@pytest.mark.parametrize(
    "byline",
    ["<span>Shine Jacob</span> <span>Ajmer</span>", "Shine Jacob Ajmer", "<span>Shine Jacob</span> Ajmer"],
    ids=["spans", "bare-text", "city-outside-the-span"],
)
def test_an_unlisted_city_the_article_json_names_after_a_reporter_is_no_author(byline: str) -> None:
    # Before: authors "Shine Jacob" and "Ajmer" (or the one author "Shine Jacob Ajmer"), where the
    # article JSON's placeName says the story was filed from Ajmer.
    article = _next_js(SPAN.format(byline), place="Ajmer")
    assert (_names(article), article.dateline) == (["Shine Jacob"], "Ajmer")


# --- what stays: names that are no city --------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "place", "authors", "city"),
    [
        # A reporter and a word the story's data does not name as its city: two authors, as before.
        ("<span>Shine Jacob</span> <span>Ajmer</span>", None, ["Shine Jacob", "Ajmer"], None),
        ("<span>Shine Jacob</span> <span>Deepak Patel</span>", "Chennai", ["Shine Jacob", "Deepak Patel"], "Chennai"),
        # After an agency, a name where the article JSON names another city.
        ("<span>PTI</span> <span>Singh</span>", "Ajmer", ["PTI", "Singh"], "Ajmer"),
        # Two agencies; an agency and a lowercase run-on; the story's section linked after the agency.
        ("AP Bloomberg", None, ["AP Bloomberg"], None),
        ("Reuters with AFP", None, ["Reuters", "AFP"], None),
        ('PTI <a href="/india-news">India News</a>', None, ["PTI"], None),
    ],
    ids=["unlisted-word-no-data", "two-reporters", "agency-then-name", "two-agencies", "agency-with-agency", "section-link"],
)
def test_names_that_are_no_city_stay_names(byline: str, place: str | None, authors: list[str], city: str | None) -> None:
    article = _next_js(SPAN.format(byline), place=place)
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(
    ("text", "known", "split"),
    [
        ("AP Miami", None, ("AP", "Miami")),
        ("ap   new delhi", None, None),  # (a place's words are capitalised)
        ("AP Miami", "Ajmer", ("AP", "Miami")),  # (a listed city after an agency, whatever the data says)
        ("PTI Kozhikode", "Ajmer", None),
        ("PTI Singh", None, None),  # (a reporter's surname: no city; round 28)
        ("Reuters Washington and London", None, None),
        ("Reuters www.x.com", None, None),
        ("Shine Jacob Ajmer", "ajmer", ("Shine Jacob", "Ajmer")),
        ("Ajmer", "Ajmer", None),
        ("Shine Jacob", None, None),
    ],
)
def test_name_then_place(text: str, known: str | None, split: tuple[str, str] | None) -> None:
    assert name_then_place(text, known) == split
