"""Review of round 28's late extraction changes: a bold "also read" of the story's, a reporter beside a bracketed agency, names parted by a spaced slash."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from crawler.extraction.layouts.base import agency_names
from tests.test_extraction_probes_more import _fixture
from tests.test_extraction_probes_round15 import NEXT, _with_data, _with_ld
from tests.test_extraction_probes_round21 import SPAN, _amp, _names
from tests.test_extraction_probes_round23 import _next_js
from tests.test_hindi_probes_round28 import _amp as _hindi_amp
from tests.test_hindi_probes_round28 import _desktop as _hindi_desktop
from tests.test_text_probes_round25 import LAYOUTS, _page, _story_lines

LINKED = "https://www.business-standard.com/markets/news/nse-revises-lot-sizes-124100200077_1.html"
PROMOTED = "https://www.business-standard.com/markets/news/sebi-tightens-rules-for-f-o-trading-124100100512_1.html"
PROMO = f"<a href='{PROMOTED}'>Sebi tightens rules for F&amp;O trading</a>"


# --- a bold "also read" that is the story's words, not a promo's label ----------------------------------------------

# A sentence that sets "also read" in bold, with a link of the story's beside or inside the bold run.
STORY_BOLD = {
    "label-words-then-link": f"<p>Investors must <b>also read</b> <a href='{LINKED}'>the order</a> before trading.</p>",
    "link-inside": f"<p>Investors must <strong>also read <a href='{LINKED}'>the order</a></strong> before trading.</p>",
    "sentence-in-bold": f"<p>Investors were told. <b>Also read the <a href='{LINKED}'>Sebi order</a> carefully</b>, the broker said.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(STORY_BOLD))
def test_a_bold_also_read_in_a_storys_sentence_keeps_its_words(layout: str, kind: str) -> None:
    # Before: read as an inline promo and dropped with its link, "Investors must before trading." and
    # "Investors were told. , the broker said." (round 28 made the Next.js rule every layout's).
    markup = STORY_BOLD[kind]
    words = "Investors were told. Also read the Sebi order carefully, the broker said." if kind == "sentence-in-bold" else "Investors must also read the order before trading."
    assert _story_lines(layout, markup, words) == [words]
    assert LINKED not in [r.url for r in extract(*_page(layout, markup, "")).article.alsoRead]


# The promos a bold "Also Read" with no separator is written in: still left out, their story related.
BOLD_PROMOS = {
    "capitals": f"<p>Shares fell. <b>ALSO READ {PROMO}</b> Volumes rose.</p>",
    "label-then-link": f"<p>Shares fell. <strong>Also Read</strong> {PROMO} Volumes rose.</p>",
    "sentence-case": f"<p>Shares fell. <b>Also read {PROMO}</b> Volumes rose.</p>",
    "decorated-with-a-stop": f"<p>Shares fell. <b>\u25ba Also Read {PROMO}.</b> Volumes rose.</p>",
    "bracketed": f"<p>Shares fell. <b>(Also Read {PROMO})</b> Volumes rose.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(BOLD_PROMOS))
def test_a_bold_also_read_promo_without_a_separator_still_leaves_the_body(layout: str, kind: str) -> None:
    markup = BOLD_PROMOS[kind]
    assert _story_lines(layout, markup, "Shares fell. Volumes rose.") == ["Shares fell. Volumes rose."]
    assert PROMOTED in [r.url for r in extract(*_page(layout, markup, "")).article.alsoRead]


# --- a reporter beside a bracketed agency ---------------------------------------------------------------------------

# Words beside "(PTI)" that name no place a rule can tell (initials with dots, Devanagari without capitals).
BRACKETED_REPORTERS = [
    ("T.E. Narasimhan (PTI)", ["PTI", "T.E. Narasimhan"]),
    ("V. Keshavdev (Reuters)", ["Reuters", "V. Keshavdev"]),
    ("(PTI) T.E. Narasimhan", ["PTI", "T.E. Narasimhan"]),
    ("अभिषेक कुमार (पीटीआई)", ["पीटीआई", "अभिषेक कुमार"]),
    ("अभिषेक कुमार (भाषा)", ["भाषा", "अभिषेक कुमार"]),
]


@pytest.mark.parametrize(("byline", "authors"), BRACKETED_REPORTERS)
def test_agency_names_keeps_a_reporter_beside_a_bracketed_agency(byline: str, authors: list[str]) -> None:
    # Before: the agency alone, the reporter's name lost (neither an author nor the dateline).
    assert agency_names([byline], None, None) == (authors, None)


@pytest.mark.parametrize(("byline", "authors"), BRACKETED_REPORTERS)
@pytest.mark.parametrize("layout", ["nextjs", "amp", "hindi", "hindi-amp"])
def test_a_reporter_beside_a_bracketed_agency_is_an_author_in_every_layout(byline: str, authors: list[str], layout: str) -> None:
    if layout == "nextjs":
        article = _next_js(SPAN.format(byline))
        found = (_names(article), article.dateline)
    elif layout == "amp":
        article = _amp(SPAN.format(byline))
        found = (_names(article), article.dateline)
    else:
        found = (_hindi_desktop if layout == "hindi" else _hindi_amp)(byline)
    assert found == (authors, None)


def test_a_place_beside_a_bracketed_agency_is_still_its_dateline() -> None:
    # Guards: the agency's own dateline form, and a figure beside it, which is no name.
    assert agency_names(["New Delhi (PTI)"], None, None) == (["PTI"], "New Delhi")
    assert agency_names(["Kozhikode (PTI)"], None, None) == (["PTI"], "Kozhikode")
    assert agency_names(["Singh (PTI)"], None, None) == (["PTI", "Singh"], None)
    assert agency_names(["(PTI) 11:20"], None, None) == (["PTI"], None)


# --- names parted by a spaced slash ---------------------------------------------------------------------------------

SLASHED_NAMES = [
    ("Reuters / Bloomberg", ["Reuters", "Bloomberg"]),
    ("Staff / PTI", ["Staff", "PTI"]),
    ("BS Reporter / PTI", ["BS Reporter", "PTI"]),
    ("Shine Jacob / Sohini Das", ["Shine Jacob", "Sohini Das"]),
    ("<span>Reuters</span> / <span>Bloomberg</span>", ["Reuters", "Bloomberg"]),
]
# A city then an agency, parted by a spaced slash: the agency the author and the city its dateline.
CITY_THEN_AGENCY = [("Mumbai / PTI", ["PTI"], "Mumbai"), ("New Delhi / Reuters", ["Reuters"], "New Delhi")]


@pytest.mark.parametrize(("byline", "authors"), SLASHED_NAMES)
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_names_parted_by_a_spaced_slash_are_two_authors(byline: str, authors: list[str], layout: str) -> None:
    # Before: one author "Reuters / Bloomberg" or "Shine Jacob / Sohini Das", and on AMP a third author "/"
    # between two spans.
    article = (_next_js if layout == "nextjs" else _amp)(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, None)


@pytest.mark.parametrize(("byline", "authors", "city"), CITY_THEN_AGENCY)
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_a_city_then_an_agency_parted_by_a_spaced_slash_is_the_agency_and_its_dateline(byline: str, authors: list[str], city: str, layout: str) -> None:
    # Before: one author "Mumbai / PTI", no dateline.
    article = (_next_js if layout == "nextjs" else _amp)(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, city)


@pytest.mark.parametrize("key", ["authorName", "sourceTitle"])
def test_the_article_json_s_two_agencies_parted_by_a_slash_are_two_authors(key: str) -> None:
    # Before: one author "Reuters / Bloomberg".
    html, url, _ = _fixture(NEXT)

    def change(data: dict[str, object]) -> None:
        for name in ("authorDetails", "articleMappedMultipleAuthors", "authorName", "sourceTitle", "placeName"):
            data.pop(name, None)
        data[key] = "Reuters / Bloomberg"

    article = extract(_with_ld(_with_data(html, change), lambda a: a.pop("author")).encode(), url).article
    assert _names(article) == ["Reuters", "Bloomberg"]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Reuters / AFP", ["Reuters", "AFP"]),
        ("Sohini Das / PTI", ["Sohini Das", "PTI"]),
        ("रॉयटर्स / ब्लूमबर्ग", ["रॉयटर्स", "ब्लूमबर्ग"]),
        ("अभिषेक कुमार / पीटीआई", ["अभिषेक कुमार", "पीटीआई"]),
    ],
)
@pytest.mark.parametrize("layout", ["hindi", "hindi-amp"])
def test_an_agency_after_the_hindi_rows_slash_is_an_author_not_its_city(byline: str, authors: list[str], layout: str) -> None:
    # Before: on the 2020 row ("author / city") the agency after the slash was the dateline ("AFP",
    # "पीटीआई"), and on AMP one author "Reuters / AFP".
    assert (_hindi_desktop if layout == "hindi" else _hindi_amp)(byline) == (authors, None)


@pytest.mark.parametrize(
    ("byline", "authors", "city"),
    [
        # Guards: a city after a spaced slash is the dateline; a slash inside a word parts nothing.
        ("Reuters / Mumbai", ["Reuters"], "Mumbai"),
        ("By Priya Singh / Mumbai", ["Priya Singh"], "Mumbai"),
        ("Dev Chatterjee &amp; Reuters / Mumbai", ["Dev Chatterjee", "Reuters"], "Mumbai"),
        ("Hyderabad/Secunderabad Bureau", ["Hyderabad/Secunderabad Bureau"], None),
    ],
)
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_a_city_after_a_spaced_slash_is_still_the_dateline(byline: str, authors: list[str], city: str | None, layout: str) -> None:
    article = (_next_js if layout == "nextjs" else _amp)(SPAN.format(byline))
    assert (_names(article), article.dateline) == (authors, city)
