"""Round 19's audit of article pages read as a reader would: each layout's byline when it names a
second author after "with", or credits the agencies' inputs after the names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.article import Article
from tests.conftest import PAGES
from tests.loopback.pages import SITE, Author, render_amp, render_current, render_legacy
from tests.pages import specs
from tests.pages.build import page_bytes
from tests.pages.cases import CASES


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


# --- a byline's "with": a second author, or the wires' inputs --------------------------------------

# The byline as the CMS writes it, in every place the page names the authors (the article JSON's
# records or authorName, JSON-LD's Person or string, the byline's links or spans, the author meta),
# and the names a reader writes down.
BYLINES = {
    "with-a-second-author": ("Shine Jacob with Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "by-with": ("By Shine Jacob with Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "with-inputs-from": ("Shine Jacob with inputs from PTI", ["Shine Jacob"]),
    "comma-with-inputs": ("Shine Jacob, with inputs from Reuters", ["Shine Jacob"]),
    "with-agency-inputs": ("Shine Jacob with agency inputs", ["Shine Jacob"]),
    "with-agencies": ("Shine Jacob with agencies", ["Shine Jacob"]),
    "with-pti-inputs-in-brackets": ("Shine Jacob (With PTI inputs)", ["Shine Jacob"]),
    "two-with-inputs": ("Shine Jacob and Deepak Patel with inputs from agencies", ["Shine Jacob", "Deepak Patel"]),
    "bar-inputs-from": ("Shine Jacob | Inputs from PTI", ["Shine Jacob"]),
}
# Where the names come from on a Next.js page: (article JSON's authors, JSON-LD's authors, byline links).
NEXT_SOURCES = {
    "json-records": ("details", True, True),
    "json-authorName": ("authorName", False, False),
    "json-ld": ("none", True, False),
    "byline-links": ("none", False, True),
    "byline-spans": ("none", False, False),
}


def _spec(byline: str) -> specs.PageSpec:
    return replace(specs.STAFF, authors=[Author(byline, "shine-jacob", 301)], dateline="Chennai")


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
@pytest.mark.parametrize("source", NEXT_SOURCES, ids=list(NEXT_SOURCES))
def test_nextjs_byline_with_a_second_author_or_the_agencies_inputs(byline: str, source: str) -> None:
    """Before: "A with B" was one author named "A with B", and "A with inputs from PTI" one named so
    (the credit for the wires' copy kept in the name); "A | Inputs from PTI" gave two authors, or the
    credit as the story's dateline. A reader writes A and B, or A alone."""
    text, names = BYLINES[byline]
    json_authors, ld_authors, links = NEXT_SOURCES[source]
    spec = replace(_spec(text), json_authors=json_authors, ld_authors=ld_authors, byline_links=links)
    article = _read(render_current(spec), SITE + spec.path)
    assert [a.name for a in article.authors] == names
    assert article.dateline == "Chennai"


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
@pytest.mark.parametrize("layout", ["amp", "amp-byline-only", "pre2023"])
def test_amp_and_older_byline_with_a_second_author_or_the_agencies_inputs(byline: str, layout: str) -> None:
    """Before: as on the Next.js page, the AMP page's JSON-LD Person or byline text and the pre-2023
    page's author link and JSON-LD string kept "with …" in one author's name."""
    text, names = BYLINES[byline]
    spec = _spec(text)
    if layout == "pre2023":
        html = render_legacy(spec)
        url = f"{SITE}/article/companies/{spec.slug}-{spec.article_id}_1.html"
    else:
        html = render_amp(replace(spec, ld_authors=layout == "amp"))
        url = SITE + "/amp" + spec.path
    article = _read(html, url)
    assert [a.name for a in article.authors] == names
    assert article.dateline == "Chennai"


@pytest.mark.parametrize("byline", BYLINES, ids=list(BYLINES))
def test_generic_author_meta_with_a_second_author_or_the_agencies_inputs(byline: str) -> None:
    """Before: a page of no known layout whose author meta holds such a byline kept it as one name."""
    text, names = BYLINES[byline]
    case = next(c for c in CASES if c.folder == "generic/opengraph-article")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    assert '<meta name="author" content="BS Reporter">' in html
    html = html.replace('content="BS Reporter"', f'content="{text}"')
    assert [a.name for a in _read(html, case.url).authors] == names
