"""Probes of bylines and datelines: the Hindi agency credit, two cities, a title before "with", an unstyled city span."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import Article, extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round15 import AMP, AMP_BYLINE, NEXT, NEXT_BYLINE, _with_data, _with_ld

HINDI = "hindi-2020/credited-168031"
HINDI_BYLINE = "अभिषेक कुमार, इनपुट: भाषा"
HINDI_AMP = "amp/hindi-budget-166607"
LD_AUTHOR = re.compile(r'"author": (?:\[[^\]]*\]|\{[^{}]*\}), ')
SPAN = '<span class="MainStory_dtlauthinfo__Pq2Ws">{}</span>'


def _names(article: Article) -> list[str]:
    return [a.name for a in article.authors]


def _next_js(byline: str) -> Article:
    """The seed's Next.js page with this byline, its article JSON and JSON-LD naming no author nor city
    (the byline is then the only word on both)."""
    html, url, _ = _fixture(NEXT)
    html = _with_data(_once(html, NEXT_BYLINE, byline), lambda d: [d.pop(k) for k in ("authorDetails", "articleMappedMultipleAuthors", "placeName")])
    return extract(_with_ld(html, lambda a: a.pop("author")).encode(), url).article


def _amp(byline: str) -> Article:
    """The seed's AMP twin with this byline, its JSON-LD naming no author."""
    html, url, _ = _fixture(AMP)
    return extract(LD_AUTHOR.sub("", _once(html, AMP_BYLINE, byline), count=1).encode(), url).article


# --- the Hindi edition's agency credit in the byline ---------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("अभिषेक कुमार, इनपुट: भाषा", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार (इनपुट: भाषा)", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार [इनपुट - एजेंसियां]", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार | भाषा इनपुट के साथ", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार, एजेंसी के इनपुट के साथ", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार भाषा इनपुट के साथ", ["अभिषेक कुमार"]),
        ("अभिषेक कुमार और सुनील वर्मा, इनपुट: भाषा", ["अभिषेक कुमार", "सुनील वर्मा"]),
        ("Abhishek Kumar with inputs from PTI", ["Abhishek Kumar"]),
    ],
    ids=["comma-input-colon", "bracketed", "square-brackets-dash", "bar-with-inputs", "agency-s-inputs", "no-mark", "two-authors", "english-credit"],
)
def test_a_hindi_byline_s_agency_credit_is_no_author(byline: str, authors: list[str]) -> None:
    # Before: "इनपुट: भाषा" ("input: PTI's Hindi service") was a second author, "अभिषेक कुमार (इनपुट: भाषा)"
    # one author of that name, and the English credit stayed in the name on the Hindi layout.
    html, url, _ = _fixture(HINDI)
    # The byline row, and JSON-LD's Person the CMS copies it into: both read alike, no disagreement.
    html = _once(html, f">{HINDI_BYLINE} / ", f">{byline} / ")
    html = _once(html, f'"name": "{HINDI_BYLINE}"', f'"name": "{byline}"')
    found = extract(html.encode(), url)
    assert _names(found.article) == authors
    assert found.article.dateline == "लखनऊ"
    assert "authors" not in found.provenance.disagreements


def test_a_hindi_amp_page_s_json_ld_credit_is_no_author() -> None:
    html, url, expected = _fixture(HINDI_AMP)
    name = expected["authors"][0]["name"]  # type: ignore[index]
    html = html.replace(f'"name": "{name}"}}', f'"name": "{name}, इनपुट: भाषा"}}', 1)
    assert "इनपुट" in html
    assert _names(extract(html.encode(), url).article) == [name]


# --- a story filed from two cities ("New Delhi/Mumbai") -----------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        (SPAN.format("<span>Shine Jacob | New Delhi/Mumbai</span>"), ["Shine Jacob"]),
        (SPAN.format("<span>Shine Jacob</span> | <span>New Delhi/Mumbai</span>"), ["Shine Jacob"]),
        (SPAN.format("<span>Press Trust of India</span> | <span>New Delhi/Mumbai</span>"), ["Press Trust of India"]),
        (SPAN.format("<span>Shine Jacob &amp; Sohini Das | New Delhi/Mumbai</span>"), ["Shine Jacob", "Sohini Das"]),
    ],
    ids=["bar-in-one-span", "city-span-after-a-bar", "agency-then-city-span", "two-authors"],
)
def test_a_next_js_byline_s_two_cities_are_the_dateline(byline: str, authors: list[str]) -> None:
    # Before: "New Delhi/Mumbai" after the bar was a second author and the story had no dateline (each
    # city alone was read as the dateline).
    article = _next_js(byline)
    assert (_names(article), article.dateline) == (authors, "New Delhi/Mumbai")


@pytest.mark.parametrize("field", ["sourceTitle", "authorName"])
def test_the_article_json_s_byline_ending_in_two_cities_names_no_city_author(field: str) -> None:
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "authorName", "sourceTitle"):
            data.pop(key, None)
        data[field] = "Press Trust of India | New Delhi/Mumbai"
        data["placeName"] = "New Delhi/Mumbai"

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    # Before: one author "Press Trust of India | New Delhi/Mumbai" (sourceTitle), or the cities an
    # author (authorName).
    assert _names(article) == ["Press Trust of India"]
    assert article.dateline == "New Delhi/Mumbai"


def test_an_amp_byline_s_two_cities_are_the_dateline() -> None:
    article = _amp('<div class="byline">Shine Jacob | New Delhi/Mumbai</div>')
    assert (_names(article), article.dateline) == (["Shine Jacob"], "New Delhi/Mumbai")


# --- a column's title of one word before "with" --------------------------------------------------------


@pytest.mark.parametrize("title", ["Lunch with BS", "Coffee with Kotak"])
def test_a_column_s_title_before_with_is_one_byline_in_every_source(title: str) -> None:
    # Before: "Lunch with BS" gave two authors, "Lunch" and "BS"; "Coffee with Kotak", "Coffee" and "Kotak".
    html, url, _ = _fixture(NEXT)
    no_json = _with_data(html, lambda d: [d.pop(k) for k in ("authorDetails", "articleMappedMultipleAuthors")])
    json_name = _with_data(no_json, lambda d: d.__setitem__("authorName", title))
    assert _names(extract(_with_ld(json_name, lambda a: a.pop("author")).encode(), url).article) == [title]
    ld_person = _with_ld(no_json, lambda a: a.__setitem__("author", {"@type": "Person", "name": title}))
    assert _names(extract(ld_person.encode(), url).article) == [title]
    assert _names(_next_js(SPAN.format(f"<span>{title}</span>"))) == [title]
    assert _names(_amp(f'<div class="byline">{title}</div>')) == [title]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [("Shine Jacob with Deepak Patel", ["Shine Jacob", "Deepak Patel"]), ("Reuters with AFP", ["Reuters", "AFP"])],
    ids=["two-people", "two-agencies"],
)
def test_with_between_two_authors_still_names_both(byline: str, authors: list[str]) -> None:
    assert _names(_next_js(SPAN.format(f"<span>{byline}</span>"))) == authors


# --- the city in an unstyled span of its own, no bar before it -----------------------------------------

UNSTYLED = [
    ("<span>AP</span> <span>Miami</span>", ["AP"], "Miami"),
    ("<span>Press Trust of India</span> <span>Kozhikode</span>", ["Press Trust of India"], "Kozhikode"),
    ('<span><a href="/author/search/keyword/shine-jacob">Shine Jacob</a></span> <span>Mumbai</span>', ["Shine Jacob"], "Mumbai"),
    ("<span>Shine Jacob</span> <span>New Delhi/Mumbai</span>", ["Shine Jacob"], "New Delhi/Mumbai"),
    # Names a comma parts, none a city: authors, no dateline, as before.
    ("<span>Shine Jacob</span>, <span>Deepak Patel</span>", ["Shine Jacob", "Deepak Patel"], None),
]
UNSTYLED_IDS = ["agency-city", "agency-unlisted-city", "linked-reporter-city", "reporter-two-cities", "two-reporters"]


@pytest.mark.parametrize(("spans", "authors", "city"), UNSTYLED, ids=UNSTYLED_IDS)
def test_a_next_js_byline_s_unstyled_city_span_is_the_dateline(spans: str, authors: list[str], city: str | None) -> None:
    # Before: the city was a second author ("AP", "Miami"), or, after a linked name, lost: no dateline.
    article = _next_js(SPAN.format(spans))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("spans", "authors", "city"), UNSTYLED, ids=UNSTYLED_IDS)
@pytest.mark.parametrize("form", ["site-span", "byline-div"])
def test_an_amp_byline_s_unstyled_city_span_is_the_dateline(spans: str, authors: list[str], city: str | None, form: str) -> None:
    byline = SPAN.format(spans) if form == "site-span" else f'<div class="byline">{spans}</div>'
    article = _amp(byline)
    assert (_names(article), article.dateline) == (authors, city)
