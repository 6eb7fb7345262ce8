"""Structured-data authors, dates and bodies as a careful reader takes them, where a CMS's byline
conventions and a reader's text meet: names kept whole, titles and cities left out, real backslashes
kept."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round8 import GENERIC_LD, GENERIC_LD_AUTHOR

AUTHORS = {
    # One Person whose name is written "Last, First" is that person, with the page of that person.
    "person-last-first": ('"author": {"@type": "Person", "name": "Kumar, Rajesh", "url": "https://www.business-standard.com/author/search/keyword/rajesh-kumar"}', ["Kumar, Rajesh"]),
    # A job title after the name, or a city after a bar, is no author.
    "person-with-title": ('"author": {"@type": "Person", "name": "Rajesh Kumar, Senior Editor"}', ["Rajesh Kumar"]),
    "string-with-title": ('"author": "By Rajesh Kumar, Special Correspondent"', ["Rajesh Kumar"]),
    "person-with-city": ('"author": {"@type": "Person", "name": "A K Bhattacharya | New Delhi"}', ["A K Bhattacharya"]),
    # A thing of no stated type, like an organisation, keeps its "and".
    "untyped": ('"author": {"name": "Ernst and Young"}', ["Ernst and Young"]),
    # The site's own staff byline is a title alone: it is the name.
    "staff-byline": ('"author": {"@type": "Person", "name": "BS Reporter"}', ["BS Reporter"]),
    # A list of agencies as one string: each.
    "agencies": ('"author": "PTI, Reuters"', ["PTI", "Reuters"]),
}


@pytest.mark.parametrize(("written", "names"), AUTHORS.values(), ids=AUTHORS.keys())
def test_structured_data_authors_are_the_people_named(written: str, names: list[str]) -> None:
    html, url, _ = _fixture(GENERIC_LD)
    article = extract(_once(html, GENERIC_LD_AUTHOR, written).encode(), url).article
    assert [a.name for a in article.authors] == names


def test_one_person_keeps_the_page_of_that_person() -> None:
    html, url, _ = _fixture(GENERIC_LD)
    article = extract(_once(html, GENERIC_LD_AUTHOR, AUTHORS["person-last-first"][0]).encode(), url).article
    assert article.authors[0].url == "https://www.business-standard.com/author/search/keyword/rajesh-kumar"


@pytest.mark.parametrize(
    "written",
    ['"datePublished": [1778583000]', '"datePublished": ["", "2026-05-12T16:20:00+05:30"]', '"datePublished": [null, 1778583000000]'],
    ids=["list-of-unix-seconds", "blank-first", "null-then-milliseconds"],
)
def test_a_json_ld_date_in_a_list_is_its_first_date_whatever_its_form(written: str) -> None:
    html, url, _ = _fixture(GENERIC_LD)
    result = extract(_once(html, '"datePublished": "2026-05-12T16:20:00+05:30"', written).encode(), url)
    assert result.article.datePublished == "2026-05-12T16:20:00+05:30" and result.provenance.sources["datePublished"] == "ld"


def test_backslashes_a_story_shows_are_not_taken_for_escaped_line_breaks() -> None:
    # One paragraph whose text holds "\n" and "\r" as a reader sees them (a Windows path, a pattern):
    # no full stop before them, so no paragraph break escaped twice.
    html, url, _ = _fixture(GENERIC_LD)
    start = html.index('"articleBody": "') + len('"articleBody": "')
    end = html.index('"', start)
    shown = r"Save the file to C:\\new\\reports and use \\n in the pattern, the guide says."
    article = extract((html[:start] + shown + html[end:]).encode(), url).article
    assert article.articleBody is not None
    assert r"C:\new\reports and use \n in the pattern" in article.articleBody
