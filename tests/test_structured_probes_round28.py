"""Structured data and page kinds round 27 left: a listing stating itself by a top-level ItemList or by
OpenGraph's ``website``, a CollectionPage of no known layout, a microdata story found by its body, and
a JSON-LD ``@graph`` whose WebPage names its article by ``@id``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.layouts import Generic
from crawler.extraction.page import Page
from crawler.spiders.base import SETTLED_KINDS, UNREADABLE_STORIES

URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
SECTION = "https://www.business-standard.com/markets/news"
HEADLINE = "Rupee ends at record low as importers rush to buy dollars"
STORY = "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs."
MORE = "Traders said the central bank sold dollars through state-run banks to slow the fall."


def _page(head: str = "", body: str = "") -> str:
    """A page of a layout the rules do not know (no Next.js data, no story classes of the site's)."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Business Standard</title>'
        f'<link rel="canonical" href="{URL}">{head}</head><body><main class="Redesign_page__Zz9Qq">{body}</main></body></html>'
    )


def _ld(obj: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def _story_url(i: int) -> str:
    return f"https://www.business-standard.com/markets/news/story-{i}-12605120050{i}_1.html"


# A section's page as a CMS draws it: a heading, then a card per story (a linked title, a line of it).
CARDS = "<h1>Markets News</h1>" + "".join(
    f'<article class="card"><h2><a href="{_story_url(i)[len("https://www.business-standard.com"):]}">Story {i} of the section</a></h2>'
    f"<p>What story {i} says, in a line or two of its card on the section's page.</p></article>"
    for i in range(1, 6)
)
ITEM_LIST = {
    "@context": "https://schema.org",
    "@type": "ItemList",
    "itemListElement": [{"@type": "ListItem", "position": i, "url": _story_url(i)} for i in range(1, 6)],
}
OG_ARTICLE = '<meta property="og:type" content="article"><meta property="og:title" content="Markets News">'
OG_WEBSITE = '<meta property="og:type" content="website"><meta property="og:title" content="Markets News - Business Standard">'


def _reason(html: str) -> str:
    with pytest.raises(NotAnArticle) as raised:
        extract(html, URL)
    return raised.value.reason


# --- a listing at a story's address, stating itself ------------------------------------------------

LISTINGS = {
    # Google's summary-page markup: the list alone, at the top level (before: read as an article
    # headlined "Markets News", its body the first card; with og:type article).
    "top-level-item-list-og-article": OG_ARTICLE + _ld(ITEM_LIST),
    "item-list-naming-the-page-og-article": OG_ARTICLE + _ld(dict(ITEM_LIST, url=URL)),
    "item-list-in-a-graph-og-article": OG_ARTICLE + _ld({"@context": "https://schema.org", "@graph": [{"@type": "Organization", "name": "Business Standard"}, ITEM_LIST]}),
    # No og:type article (before: each a page of an unknown layout, counted towards a redesign and asked
    # for again at every run).
    "top-level-item-list": _ld(ITEM_LIST),
    "collection-page": _ld({"@context": "https://schema.org", "@type": "CollectionPage", "name": "Markets News", "url": SECTION}),
    "collection-page-naming-the-page": _ld({"@context": "https://schema.org", "@type": "CollectionPage", "name": "Markets News", "url": URL}),
    "collection-page-in-a-graph": _ld({"@context": "https://schema.org", "@graph": [{"@type": "CollectionPage", "@id": URL, "name": "Markets News"}, {"@type": "WebSite", "name": "Business Standard"}]}),
    "search-results": _ld({"@context": "https://schema.org", "@type": "SearchResultsPage", "name": "Search: rupee"}),
    "web-page-of-a-list": _ld({"@context": "https://schema.org", "@type": "WebPage", "url": URL, "mainEntity": ITEM_LIST}),
    "og-website-alone": OG_WEBSITE,
    "og-website-and-collection": OG_WEBSITE + _ld({"@context": "https://schema.org", "@type": "CollectionPage", "name": "Markets News"}),
}


@pytest.mark.parametrize("head", LISTINGS.values(), ids=LISTINGS.keys())
def test_a_listing_at_a_story_address_is_a_listing(head: str) -> None:
    assert _reason(_page(head, CARDS)) == "listing"


def test_a_listing_of_a_known_kind_is_not_counted_as_a_page_no_rule_reads() -> None:
    # A listing is settled (not asked for again without a later date) and is no redesign's page.
    reason = _reason(_page(LISTINGS["collection-page"], CARDS))
    assert reason in SETTLED_KINDS and reason not in UNREADABLE_STORIES


STORY_BODY = f"<h1>{HEADLINE}</h1><article><p>{STORY}</p><p>{MORE}</p></article>"
RELATED = "<aside><h3>Related</h3>" + "".join(f'<a href="{_story_url(i)}">Story {i}</a>' for i in range(1, 6)) + "</aside>"
STORIES = {
    # An OpenGraph story whose JSON-LD lists its related stories: its published time says it is a story.
    "og-story-with-a-related-item-list": (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{HEADLINE}">'
        '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">' + _ld(dict(ITEM_LIST, name="Related stories"))
    ),
    # A story's page naming itself as a WebPage beside a related list.
    "web-page-naming-itself-and-a-list": (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{HEADLINE}">'
        + _ld({"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "@id": URL}, dict(ITEM_LIST, name="Related stories")]})
    ),
    # The article in JSON-LD beside a list and a site-wide og:type website.
    "ld-article-beside-a-list-og-website": OG_WEBSITE
    + _ld({"@context": "https://schema.org", "@graph": [ITEM_LIST, {"@type": "NewsArticle", "headline": HEADLINE, "datePublished": "2026-05-12T16:20:00+05:30", "mainEntityOfPage": URL}]}),
}


@pytest.mark.parametrize("head", STORIES.values(), ids=STORIES.keys())
def test_a_story_with_a_list_beside_it_is_still_read(head: str) -> None:
    article = extract(_page(head, STORY_BODY + RELATED), URL).article
    assert (article.layout, article.headline, article.articleBody) == ("generic", HEADLINE, f"{STORY}\n{MORE}")


@pytest.mark.parametrize(
    "head",
    [OG_WEBSITE, _ld({"@context": "https://schema.org", "@type": "WebPage", "url": URL, "name": HEADLINE})],
    ids=["og-website-story-of-no-known-layout", "web-page-alone"],
)
def test_a_page_of_no_known_layout_that_lists_no_stories_is_still_unknown(head: str) -> None:
    # A story of a redesign stating nothing of itself still counts towards a redesign: og:type website
    # makes a listing only of a page that links stories, and a bare WebPage says nothing.
    assert _reason(_page(head, f"<h1>{HEADLINE}</h1><div><p>{STORY}</p><p>{MORE}</p></div>")) == "unknown-layout"


# --- a story in microdata, found by its body ------------------------------------------------------

LOGO = '<header><h1 class="logo"><a href="/">Business Standard</a></h1></header>'
AUTHOR = '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Anjali Kumari</span></span>'
DATE = '<time itemprop="datePublished" datetime="2026-05-12T16:20:00+05:30">May 12, 2026</time>'
MICRODATA_STORIES = {
    "div-item-paragraphs": f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">{HEADLINE}</h2>{AUTHOR}{DATE}<div class="story"><p>{STORY}</p><p>{MORE}</p></div></div>',
    "article-item": f'<article itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">{HEADLINE}</h2>{AUTHOR}{DATE}<p>{STORY}</p><p>{MORE}</p></article>',
    "headline-linking-itself": f'<article itemscope itemtype="https://schema.org/Article"><h2 itemprop="headline"><a href="{URL}">{HEADLINE}</a></h2>{AUTHOR}{DATE}<p>{STORY}</p><p>{MORE}</p></article>',
    "blog-posting-with-a-teaser-after-it": (
        f'<div itemscope itemtype="https://schema.org/BlogPosting"><h2 itemprop="headline">{HEADLINE}</h2>{AUTHOR}{DATE}<div><p>{STORY}</p><p>{MORE}</p></div></div>'
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><h3 itemprop="headline"><a href="{_story_url(1)}">Story 1</a></h3></div>'
    ),
}


@pytest.mark.parametrize("body", MICRODATA_STORIES.values(), ids=MICRODATA_STORIES.keys())
def test_a_microdata_story_under_a_logo_without_an_article_body_is_read(body: str) -> None:
    # (Before: the layout's test looked for the item around the logo's <h1> or an articleBody only,
    # while the reader found it by its paragraphs: unknown-layout, counted towards a redesign.)
    page_html = _page(body=LOGO + body)
    article = extract(page_html, URL).article
    assert article.layout == "generic"
    assert article.headline == HEADLINE
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.datePublished == "2026-05-12T16:20:00+05:30"
    assert article.articleBody is not None and article.articleBody.endswith(f"{STORY}\n{MORE}")


TEASERS = {
    "lone-teaser": f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline"><a href="{_story_url(1)}">Story 1</a></h2></div>',
    "lone-teaser-with-a-line": (
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline"><a href="{_story_url(1)}">Story 1</a></h2>'
        '<p itemprop="description">What story 1 says, in a line of its card.</p></div>'
    ),
    "lone-teaser-link-around": (
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><a href="/markets/news/story-1-126051200501_1.html"><h2 itemprop="headline">Story 1</h2>'
        "<p>What story 1 says, in a line of its card.</p></a></div>"
    ),
    # Cards with no link in their title: several items of one kind side by side are a listing's.
    "unlinked-cards": "".join(
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">Story {i}</h2><p>What story {i} says, in a line of its card.</p></div>'
        for i in range(1, 4)
    ),
    "teasers-in-articles": "".join(
        f'<article itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline"><a href="{_story_url(i)}">Story {i}</a></h2><p>What story {i} says.</p></article>'
        for i in range(1, 4)
    ),
}


@pytest.mark.parametrize("body", TEASERS.values(), ids=TEASERS.keys())
def test_a_teaser_item_under_a_logo_is_no_story(body: str) -> None:
    html = _page(body=LOGO + body)
    assert _reason(html) == "unknown-layout"
    # The layout's test and its reader agree on where the story's item is.
    page = Page(html, URL)
    assert not Generic.matches(page) and Generic(page).article_item is None


@pytest.mark.parametrize("body", list(MICRODATA_STORIES.values()) + list(TEASERS.values()), ids=list(MICRODATA_STORIES) + list(TEASERS))
def test_the_layouts_test_and_its_reader_find_the_same_item(body: str) -> None:
    page = Page(_page(body=LOGO + body), URL)
    assert Generic.matches(page) == (Generic(page).article_item is not None)


# --- a JSON-LD graph whose page names its article by @id ---------------------------------------------

PERSON = "https://www.business-standard.com/#/schema/person/anjali-kumari"
ORGANIZATION = "https://www.business-standard.com/#organization"


def _graph(article_id: str, *, teaser: bool = True, types: Any = "NewsArticle") -> dict[str, Any]:
    """A Yoast- or Rank Math-style graph: the WebPage names its article by ``@id``; the article names
    its author, publisher and image by ``@id`` too, and not its page."""
    nodes: list[dict[str, Any]] = [
        {"@type": "WebPage", "@id": URL, "url": URL, "name": HEADLINE, "mainEntity": {"@id": article_id}},
        {"@type": "Person", "@id": PERSON, "name": "Anjali Kumari", "url": "https://www.business-standard.com/author/search/keyword/anjali-kumari"},
        {"@type": "Organization", "@id": ORGANIZATION, "name": "Business Standard"},
        {"@type": "ImageObject", "@id": "#primaryimage", "url": "https://bsmedia.business-standard.com/img/rupee.jpg", "caption": "Rupee notes"},
        {
            "@type": types,
            "@id": article_id,
            "headline": HEADLINE,
            "datePublished": "2026-05-12T16:20:00+05:30",
            "author": [{"@id": PERSON}],
            "publisher": {"@id": ORGANIZATION},
            "image": {"@id": "#primaryimage"},
            "articleBody": f"{STORY}\n{MORE}",
        },
    ]
    if teaser:
        # A widget's teaser of another story, fuller than the article's node and naming no page.
        nodes.insert(
            1,
            {
                "@type": "NewsArticle",
                "headline": "Sensex falls 500 points as IT stocks drag",
                "datePublished": "2026-05-11T10:00:00+05:30",
                "author": {"@type": "Person", "name": "Someone Else"},
                "articleBody": "Another story.",
                "image": "https://bsmedia.business-standard.com/img/sensex.jpg",
                "description": "The other story's line.",
                "keywords": "Sensex",
            },
        )
    return {"@context": "https://schema.org", "@graph": nodes}


@pytest.mark.parametrize("article_id", ["#article", "article-126051200877", f"{URL}#article"])
@pytest.mark.parametrize("teaser", [True, False], ids=["beside-a-teaser", "alone"])
def test_the_article_the_web_page_names_by_id_is_the_page_s(article_id: str, teaser: bool) -> None:
    # (Before: with a fuller teaser of another story beside it, naming no page, the teaser was read as
    # the page's story: its headline, byline, date and body.)
    article = extract(_page(_ld(_graph(article_id, teaser=teaser)), f"<h2>{HEADLINE}</h2><section><p>{STORY}</p></section>"), URL).article
    assert article.headline == HEADLINE
    assert [(a.name, a.url) for a in article.authors] == [("Anjali Kumari", "https://www.business-standard.com/author/search/keyword/anjali-kumari")]
    assert article.datePublished == "2026-05-12T16:20:00+05:30"
    assert article.articleBody == f"{STORY}\n{MORE}"
    assert article.mainImage is not None and (article.mainImage.url, article.mainImage.caption) == ("https://bsmedia.business-standard.com/img/rupee.jpg", "Rupee notes")


def test_a_publisher_named_by_reference_as_the_author_is_no_byline() -> None:
    graph = _graph("#article", teaser=False)
    graph["@graph"][-1]["author"] = {"@id": ORGANIZATION}
    head = _ld(graph) + '<meta name="author" content="Anjali Kumari">'
    article = extract(_page(head, f"<h2>{HEADLINE}</h2><section><p>{STORY}</p></section>"), URL).article
    assert [a.name for a in article.authors] == ["Anjali Kumari"]


# --- the kinds of article a CMS names ------------------------------------------------------------

KINDS: dict[str, Any] = {
    "type-list": ["NewsArticle", "ReportageNewsArticle"],
    "analysis": "AnalysisNewsArticle",
    "opinion": "OpinionNewsArticle",
    "blog-posting": "BlogPosting",
    "type-list-of-iris": ["https://schema.org/Article", "https://schema.org/OpinionNewsArticle"],
}


@pytest.mark.parametrize("types", KINDS.values(), ids=KINDS.keys())
def test_every_kind_of_news_article_is_read_by_reference_too(types: Any) -> None:
    article = extract(_page(_ld(_graph("#article", types=types))), URL).article
    assert (article.headline, article.datePublished, article.isLiveBlog) == (HEADLINE, "2026-05-12T16:20:00+05:30", False)
    assert [a.name for a in article.authors] == ["Anjali Kumari"]


def test_a_live_blog_posting_at_an_address_naming_no_live_blog_is_a_live_blog() -> None:
    graph = _graph("#article", teaser=False, types="LiveBlogPosting")
    graph["@graph"][-1]["liveBlogUpdate"] = [
        {"@type": "BlogPosting", "headline": "RBI steps in", "articleBody": "The central bank sold dollars at 84.10.", "datePublished": "2026-05-12T15:00:00+05:30"}
    ]
    article = extract(_page(_ld(graph)), URL).article
    assert (article.headline, article.isLiveBlog) == (HEADLINE, True)
    assert article.articleBody is not None and article.articleBody.startswith(f"{STORY}\n{MORE}") and "The central bank sold dollars at 84.10." in article.articleBody
