"""Review of round 28's merged changes: a person's name that starts like an agency's is no agency and its reporter."""

from __future__ import annotations

import pytest

from crawler.extraction.layouts.base import agency_names, name_then_place
from tests.test_extraction_probes_round21 import SPAN, _amp, _names
from tests.test_extraction_probes_round23 import _next_js

# A reporter whose initials or first name read as an agency's ("AP Singh": A. P. Singh; "Ani Sharma"),
# and an author's page link, which names one person whatever its words.
PEOPLE = [
    ("AP Singh", ["AP Singh"]),
    ("By AP Singh", ["AP Singh"]),
    ("Ani Sharma", ["Ani Sharma"]),
    ("AP Singh and Shine Jacob", ["AP Singh", "Shine Jacob"]),
    ('<a href="/author/search/keyword/ap-singh">AP Singh</a>', ["AP Singh"]),
    ('<a href="/author/search/keyword/pti">PTI</a> and <a href="/author/search/keyword/ani-sharma">Ani Sharma</a>', ["PTI", "Ani Sharma"]),
    ('<a href="/author/search/keyword/aditi-shah">Reuters Aditi Shah</a>', ["Reuters Aditi Shah"]),
]


@pytest.mark.parametrize(("byline", "authors"), PEOPLE)
def test_a_next_js_byline_of_a_person_named_like_an_agency_is_that_person(byline: str, authors: list[str]) -> None:
    # Before (round 28's agency_names): "AP" and "Singh", two authors; a linked author split, its page lost.
    article = _next_js(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, None)
    if "<a " in byline:
        assert all(author.url for author in article.authors)


@pytest.mark.parametrize(("byline", "authors"), PEOPLE[:4])
def test_an_amp_byline_of_a_person_named_like_an_agency_is_that_person(byline: str, authors: list[str]) -> None:
    article = _amp(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, None)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # Guards: the agency's reporter and city as round 28 reads them.
        (["PTI Singh"], (["PTI", "Singh"], None)),
        (["IANS Sharma"], (["IANS", "Sharma"], None)),
        (["Reuters Aditi Shah"], (["Reuters", "Aditi Shah"], None)),
        (["AP Miami"], (["AP"], "Miami")),
        (["AFP Paris"], (["AFP"], "Paris")),
        (["New Delhi", "PTI"], (["PTI"], "New Delhi")),
        # A person's.
        (["AP Singh"], (["AP Singh"], None)),
        (["Ani Sharma"], (["Ani Sharma"], None)),
        (["Ap Kumar"], (["Ap Kumar"], None)),
    ],
)
def test_agency_names_tells_a_person_from_an_agency_s_reporter(names: list[str], expected: tuple[list[str], str | None]) -> None:
    assert agency_names(names, None, None) == expected


def test_a_person_named_like_an_agency_is_no_agency_and_city() -> None:
    # "Ani Kozhikode" (an acronym in title case) is no ANI dateline; "ANI Kozhikode" is.
    assert name_then_place("Ani Kozhikode") is None
    assert name_then_place("ANI Kozhikode") == ("ANI", "Kozhikode")
