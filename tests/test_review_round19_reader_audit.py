"""Review of round 19's reader audit: a byline's "with" and the agencies' credit in the spellings and
places the audit did not try, and the generic page's hero caption in a <figure> that wraps its picture."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crawler.extraction.layouts.base import author_names, byline_names, names_and_place
from tests.loopback.pages import SITE, render_amp, render_current, render_legacy
from tests.test_reader_audit_round19 import ALT, CAPTION, GENERIC, NAMED_BY, NEXT_SOURCES, PICTURE, _generic_page, _read, _spec

README = Path(__file__).resolve().parents[1] / "README.md"

# --- a byline's "with" and the credit: the spellings the audit left out -----------------------------

# (byline, the names a reader writes down.)
BYLINES = {
    # "with" after a dash or inside brackets: before, "Shine Jacob —" / "Shine Jacob (" and "PTI)".
    "dash-with-agency": ("Shine Jacob \u2014 with PTI", ["Shine Jacob", "PTI"]),
    "hyphen-with-agency": ("Shine Jacob - with PTI", ["Shine Jacob", "PTI"]),
    "bracketed-with-agency": ("Shine Jacob (with PTI)", ["Shine Jacob", "PTI"]),
    "bracketed-with-a-person": ("Shine Jacob [With Deepak Patel]", ["Shine Jacob", "Deepak Patel"]),
    # The credit written "Inputs: PTI": before, an author "Inputs: PTI" (or the story's dateline).
    "bar-inputs-colon": ("Shine Jacob | Inputs: PTI", ["Shine Jacob"]),
    "bracketed-input-colon": ("Shine Jacob (Input: Reuters)", ["Shine Jacob"]),
    "comma-inputs-dash": ("Shine Jacob, Inputs - Agencies", ["Shine Jacob"]),
    # Title case, as a CMS may write the whole credit (the audit's own class, kept).
    "title-case-credit": ("Shine Jacob With Inputs From Agencies", ["Shine Jacob"]),
}

# "with" that joins no two authors: a lead-in before the one person named ("Interview with …"), or a
# headline-like line whose "with" runs on into lowercase words. Before: "Interview", "In conversation",
# "Q&A" or "Talking" an author of its own, beside the person interviewed. The text stays as it was
# before "with" was a separator; names holding the letters "with" are one name.
NOT_SPLIT = [
    "Interview with Uday Kotak",
    "An interview with Uday Kotak",
    "In conversation with Uday Kotak",
    "Q&A with Nirmala Sitharaman",
    "In association with Deloitte",
    "Talking with the Taliban",
    "Bill Withers",
    "Peter Smithwick",
    "Jane Witherspoon",
]


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
def test_byline_with_after_punctuation_and_the_credit_in_other_spellings(byline: str) -> None:
    """Before: a name ending in a dash or a bracket ("Shine Jacob (", "PTI)"), and "Inputs: PTI" an
    author, or the dateline city."""
    text, names = BYLINES[byline]
    assert byline_names(text) == names
    assert author_names(text) == names
    assert names_and_place(text)[1] is None


@pytest.mark.parametrize("text", NOT_SPLIT)
def test_with_that_joins_no_two_authors_is_no_separator(text: str) -> None:
    """Before: "Interview with Uday Kotak" gave two authors, "Interview" and "Uday Kotak"."""
    assert byline_names(text) == [text]
    assert author_names(text) == [text]
    assert names_and_place(text) == (text, None)


@pytest.mark.parametrize("byline", [*BYLINES, "interview"], ids=[*BYLINES, "interview"])
@pytest.mark.parametrize("source", [*NEXT_SOURCES, "amp", "amp-byline-only", "pre2023"])
def test_every_layout_and_name_source_reads_them_alike(byline: str, source: str) -> None:
    """The rule is written once: every layout and source of the names gives the same authors."""
    text, names = BYLINES[byline] if byline in BYLINES else ("Interview with Uday Kotak", ["Interview with Uday Kotak"])
    spec = _spec(text)
    if source in NEXT_SOURCES:
        json_authors, ld_authors, links = NEXT_SOURCES[source]
        spec = replace(spec, json_authors=json_authors, ld_authors=ld_authors, byline_links=links)
        html, url = render_current(spec), SITE + spec.path
    elif source == "pre2023":
        html, url = render_legacy(spec), f"{SITE}/article/companies/{spec.slug}-{spec.article_id}_1.html"
    else:
        html, url = render_amp(replace(spec, ld_authors=source == "amp")), SITE + "/amp" + spec.path
    article = _read(html, url)
    assert [a.name for a in article.authors] == names
    assert article.dateline == "Chennai"


# --- a page of no known layout: a <figure> that wraps its picture -----------------------------------

WRAPPED = {
    "picture": f'<figure><picture><source srcset="{PICTURE}?w=400 400w"><img src="{PICTURE}" alt="{ALT}"></picture><figcaption>{CAPTION}</figcaption></figure>',
    "link": f'<figure><a href="{PICTURE}"><img src="{PICTURE}" alt="{ALT}"></a><figcaption>{CAPTION}</figcaption></figure>',
    "div": f'<figure class="hero"><div class="img-wrap"><img src="{PICTURE}" alt="{ALT}"></div><figcaption>{CAPTION}</figcaption></figure>',
    "link-in-picture": f'<figure><a href="/photo"><picture><img src="{PICTURE}" alt="{ALT}"></picture></a><figcaption>{CAPTION}</figcaption></figure>',
}


@pytest.mark.parametrize("figure", WRAPPED)
def test_generic_hero_caption_when_the_figure_wraps_its_picture(figure: str) -> None:
    """Before: the caption was read only from a <figure> whose child is the <img>: a <picture>, a link
    or a box around the picture (as responsive and linked pictures are drawn) lost it."""
    article = _read(_generic_page(NAMED_BY["og:image"], WRAPPED[figure]), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.url, article.mainImage.alt, article.mainImage.caption) == (PICTURE, ALT, CAPTION)
    assert CAPTION not in (article.articleBody or "")


def test_generic_figure_caption_of_a_story_box_around_many_pictures_is_no_heros() -> None:
    """A figure holding a box with other pictures too (a gallery) gives its caption to none of them
    singly: the hero found inside it is one of several."""
    figure = (
        f'<figure><div><img src="{PICTURE}" alt="{ALT}"><img src="https://bsmedia.business-standard.com/b.jpg" alt="b"></div>'
        f"<figcaption>{CAPTION}</figcaption></figure>"
    )
    article = _read(_generic_page(NAMED_BY["og:image"], figure), GENERIC.url)
    assert article.mainImage is not None
    assert (article.mainImage.alt, article.mainImage.caption) == (ALT, None)


# --- the README's table ------------------------------------------------------------------------------


def test_readme_bad_input_table_lists_each_row_once() -> None:
    """Before: the audit's README change added the AMP premium stub's row a second time (an older
    wording of the row above it)."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| AMP premium page drawn for a reader without a subscription:")]
    assert len(rows) == 1
