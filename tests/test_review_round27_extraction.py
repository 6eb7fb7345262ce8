"""Review of round 27's extraction changes: real stories the new rules lost or damaged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.layouts.base import names_of

URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
SECTION = "https://www.business-standard.com/markets/news"
AUTHOR_PAGE = "https://www.business-standard.com/author/search/keyword/anjali-kumari"
HEADLINE = "Rupee ends at record low as importers rush to buy dollars"
STORY = "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs."
LD: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": HEADLINE,
    "datePublished": "2026-05-12T16:20:00+05:30",
    "author": {"@type": "Person", "name": "Anjali Kumari"},
    "articleBody": STORY,
    "mainEntityOfPage": URL,
}


def _page(head: str, body: str) -> str:
    """A page of a layout the rules do not know (read by the generic layout)."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{HEADLINE}</title>'
        f'<link rel="canonical" href="{URL}">{head}</head><body><main class="Redesign_page__Zz9Qq">{body}</main></body></html>'
    )


def _ld(*objects: dict[str, Any]) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(obj)}</script>' for obj in objects)


# --- topics: a comma inside a number is no list's -------------------------------------------------

# Round 27 split every string of a keywords list at its commas (a template's ["Rupee, Forex"]): a tag
# holding an amount was cut in two, "Rs 2,000 notes" read as the topics "Rs 2" and "000 notes".
NUMBER_TAGS = {
    "thousands": (["Rs 2,000 notes", "RBI"], ["Rs 2,000 notes", "RBI"]),
    "indian-grouping": (["Rs 1,00,000 crore", "Budget 2026"], ["Rs 1,00,000 crore", "Budget 2026"]),
    "defined-term": ([{"@type": "DefinedTerm", "name": "Sensex at 80,000"}, {"@type": "DefinedTerm", "name": "Nifty"}], ["Sensex at 80,000", "Nifty"]),
    "number-and-names-in-one-string": (["Rs 2,000 notes, RBI, Currency"], ["Rs 2,000 notes", "RBI", "Currency"]),
    # (Still split where the comma is a list's, next to a digit on one side only.)
    "digit-before-a-name": (["Budget 2026,Nirmala Sitharaman"], ["Budget 2026", "Nirmala Sitharaman"]),
    "names": (["Rupee, Forex, RBI"], ["Rupee", "Forex", "RBI"]),
}


@pytest.mark.parametrize(("keywords", "topics"), NUMBER_TAGS.values(), ids=NUMBER_TAGS.keys())
def test_a_number_in_a_listed_keyword_keeps_its_comma(keywords: list[Any], topics: list[str]) -> None:
    assert names_of(keywords) == topics
    article = extract(_page(_ld(dict(LD, keywords=keywords)), f"<h1>{HEADLINE}</h1><section><p>{STORY}</p></section>"), URL).article
    assert article.topics == topics


# --- a listing's JSON-LD of another page on a story's page ----------------------------------------

OG_STORY = (
    f'<meta property="og:type" content="article"><meta property="og:title" content="{HEADLINE}">'
    '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
)
CRUMBS = {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Markets", "item": SECTION}]}
ITEMS = {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "position": i, "url": f"{SECTION}/story-{i}-12605120050{i}_1.html"} for i in range(1, 4)]}
OWN_PAGE = {"@context": "https://schema.org", "@type": "WebPage", "@id": URL, "url": URL, "name": HEADLINE, "breadcrumb": CRUMBS}
OTHER_PAGES = {
    # The section's page, described by the breadcrumb's widget.
    "section-collection": {"@context": "https://schema.org", "@type": "CollectionPage", "@id": SECTION, "url": SECTION, "name": "Markets News", "mainEntity": ITEMS},
    # The author's page, described by the byline's profile card.
    "author-profile": {"@context": "https://schema.org", "@type": "ProfilePage", "url": AUTHOR_PAGE, "mainEntity": {"@type": "Person", "name": "Anjali Kumari"}},
    # The site's search, described by the header's search box.
    "search-results": {"@context": "https://schema.org", "@type": "SearchResultsPage", "url": "https://www.business-standard.com/search", "name": "Search"},
}


@pytest.mark.parametrize("other", OTHER_PAGES.values(), ids=OTHER_PAGES.keys())
@pytest.mark.parametrize("in_graph", [False, True], ids=["blocks", "graph"])
def test_a_story_whose_own_web_page_is_named_is_no_listing_for_another_pages_object(other: dict[str, Any], in_graph: bool) -> None:
    # Before: skipped as a listing (its og:type article story, no NewsArticle JSON-LD), lost at every run.
    objects = ({"@context": "https://schema.org", "@graph": [OWN_PAGE, other]},) if in_graph else (OWN_PAGE, other)
    html = _page(OG_STORY + _ld(*objects), f"<h1>{HEADLINE}</h1><article><p>{STORY}</p></article>")
    article = extract(html, URL).article
    assert (article.layout, article.headline, article.articleBody) == ("generic", HEADLINE, STORY)


@pytest.mark.parametrize("own", [dict(OWN_PAGE, **{"@type": "CollectionPage"}), dict(OWN_PAGE, mainEntity=ITEMS)], ids=["collection", "main-entity-list"])
def test_a_page_whose_own_object_is_a_listing_is_still_a_listing(own: dict[str, Any]) -> None:
    cards = "".join(f"<article><h2>Story {i}</h2><p>What story {i} says on its card.</p></article>" for i in range(4))
    with pytest.raises(NotAnArticle) as raised:
        extract(_page(OG_STORY + _ld(own, OTHER_PAGES["author-profile"]), f"<h1>Markets News</h1>{cards}"), URL)
    assert raised.value.reason == "listing"


# --- a story in microdata alone, the page's first <h1> its header's logo ---------------------------

LOGO = '<header><h1 class="site-logo"><a href="/">Business Standard</a></h1></header>'
LONG = " ".join([STORY] * 3)


def _microdata_story(headline_tag: str) -> str:
    return (
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><{headline_tag} itemprop="headline">{HEADLINE}</{headline_tag}>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Anjali Kumari</span></span>'
        '<time itemprop="datePublished" datetime="2026-05-12T16:20:00+05:30">May 12, 2026</time>'
        f'<div itemprop="articleBody"><p>{LONG}</p><p>{LONG}</p></div></div>'
    )


@pytest.mark.parametrize("headline_tag", ["h1", "h2"])
def test_a_microdata_story_under_a_logo_h1_is_read(headline_tag: str) -> None:
    # Before: the first <h1> (the logo) was in no article item, so no layout matched: unknown-layout.
    html = f'<!DOCTYPE html><html lang="en"><head><link rel="canonical" href="{URL}"></head><body>{LOGO}{_microdata_story(headline_tag)}</body></html>'
    article = extract(html, URL).article
    assert (article.layout, article.headline, article.datePublished) == ("generic", HEADLINE, "2026-05-12T16:20:00+05:30")
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.articleBody == f"{LONG}\n{LONG}"


def test_a_listing_of_microdata_teasers_under_a_logo_h1_is_still_no_story() -> None:
    teasers = "".join(
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">Story {i}</h2><p itemprop="description">Its card.</p></div>'
        for i in range(3)
    )
    html = f'<!DOCTYPE html><html lang="en"><head><link rel="canonical" href="{SECTION}"></head><body>{LOGO}{teasers}</body></html>'
    with pytest.raises(NotAnArticle) as raised:
        extract(html, SECTION)
    assert raised.value.reason == "unknown-layout"
