"""Round 28 leftovers: a byline's city after a spaced slash, an agency's city in structured data's author."""

from __future__ import annotations

import pytest

from crawler.extraction import Extraction, extract
from tests.test_extraction_probes_round21 import AMP, AMP_BYLINE, NEXT, SPAN, _amp, _fixture, _names, _next_js, _once, _with_data, _with_ld
from tests.test_hindi_probes_round28 import _amp as _hindi_amp
from tests.test_hindi_probes_round28 import _desktop as _hindi_desktop

# --- a byline's city after a spaced slash, in every layout -------------------------------------------

SLASHED = [
    ("Reuters / New Delhi", ["Reuters"], "New Delhi"),
    ("PTI / Mumbai", ["PTI"], "Mumbai"),
    ("Press Trust of India / New Delhi", ["Press Trust of India"], "New Delhi"),
    ("Shine Jacob / Chennai", ["Shine Jacob"], "Chennai"),
    ("Reuters / Kozhikode", ["Reuters"], "Kozhikode"),
    ("पीटीआई / नई दिल्ली", ["पीटीआई"], "नई दिल्ली"),
    ("भाषा / मुंबई", ["भाषा"], "मुंबई"),
]


@pytest.mark.parametrize("form", ["byline-div", "site-span"])
@pytest.mark.parametrize(("byline", "authors", "city"), SLASHED)
def test_an_amp_byline_s_city_after_a_slash_is_the_dateline(byline: str, authors: list[str], city: str, form: str) -> None:
    # Before: no dateline, and one author "Reuters / New Delhi" (the bar's form alone was read).
    shown = f'<div class="byline">{byline}</div>' if form == "byline-div" else SPAN.format(f"<span>{byline}</span>")
    article = _amp(shown)
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), SLASHED)
def test_a_next_js_byline_s_city_after_a_slash_is_the_dateline(byline: str, authors: list[str], city: str) -> None:
    article = _next_js(SPAN.format(f"<span>{byline}</span>"))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize(("byline", "authors", "city"), [case for case in SLASHED if not case[0].isascii()])
def test_a_hindi_byline_s_city_after_a_slash_is_the_dateline_on_both_pages(byline: str, authors: list[str], city: str) -> None:
    assert _hindi_amp(byline) == (authors, city)
    assert _hindi_desktop(byline) == (authors, city)


@pytest.mark.parametrize("field", ["authorName", "sourceTitle"])
@pytest.mark.parametrize("byline", ["Reuters / New Delhi", "पीटीआई / नई दिल्ली"])
def test_the_article_json_s_byline_ending_in_a_city_after_a_slash_names_no_city_author(field: str, byline: str) -> None:
    # Before: one author "Reuters / New Delhi" (the bar's form alone was read).
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "authorName"):
            data.pop(key, None)
        data[field] = byline

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    assert _names(article) == [byline.split(" / ")[0]]


@pytest.mark.parametrize("layout", ["amp", "nextjs"])
def test_two_reporters_either_side_of_a_slash_set_no_city(layout: str) -> None:
    # (Neither is a place the site dates from, nor follows an agency's name.)
    shown = "Shine Jacob / Sohini Das"
    article = _amp(f'<div class="byline">{shown}</div>') if layout == "amp" else _next_js(SPAN.format(f"<span>{shown}</span>"))
    assert article.dateline is None and "Sohini Das" in " ".join(_names(article))


# --- an agency's city in structured data's author ------------------------------------------------------


def _amp_with(byline: str, ld_author: str) -> Extraction:
    html, url, _ = _fixture(AMP)
    html = _once(html, AMP_BYLINE, f'<div class="byline">{byline}</div>')
    return extract(_with_ld(html, lambda a: a.__setitem__("author", {"@type": "Person", "name": ld_author})).encode(), url)


@pytest.mark.parametrize(
    ("byline", "ld_author", "authors", "city"),
    [
        ("PTI | New Delhi", "New Delhi, PTI", ["PTI"], "New Delhi"),
        ("PTI | New Delhi", "PTI, New Delhi", ["PTI"], "New Delhi"),
        ("PTI / Mumbai", "Mumbai, PTI", ["PTI"], "Mumbai"),
        ("Reuters / New Delhi", "Reuters / New Delhi", ["Reuters"], "New Delhi"),
        ("पीटीआई / नई दिल्ली", "नई दिल्ली, पीटीआई", ["पीटीआई"], "नई दिल्ली"),
        ("पीटीआई | मुंबई", "मुंबई, पीटीआई", ["पीटीआई"], "मुंबई"),
    ],
)
def test_json_ld_s_author_holding_an_agency_s_city_names_the_agency_alone(byline: str, ld_author: str, authors: list[str], city: str) -> None:
    # Before: authors ["New Delhi", "PTI"] (JSON-LD's, read first), and the byline's ["PTI"] counted
    # as a disagreement of the sources (article/disagree/authors) where both say the same.
    extraction = _amp_with(byline, ld_author)
    assert (_names(extraction.article), extraction.article.dateline) == (authors, city)
    assert "authors" not in extraction.provenance.disagreements


@pytest.mark.parametrize("ld_author", ["Shine Jacob, Sohini Das", "PTI Singh"])
def test_json_ld_s_authors_without_an_agency_s_city_read_as_before(ld_author: str) -> None:
    names = _names(_amp_with("Shine Jacob", ld_author).article)
    assert names == {"Shine Jacob, Sohini Das": ["Shine Jacob", "Sohini Das"], "PTI Singh": ["PTI Singh"]}[ld_author]
