"""Structured data as CMSes and SEO plugins write it, read by the shared reader and the generic layout:
JSON-LD wrapped in a template's JavaScript comments or escaped as HTML text, an article stated in
schema.org microdata alone, and a listing whose template calls every page an article."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.page import loads_lenient

URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
HEADLINE = "Rupee ends at record low as importers rush to buy dollars"
STORY = "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs."
LD: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": HEADLINE,
    "datePublished": "2026-05-12T16:20:00+05:30",
    "author": {"@type": "Person", "name": "Anjali Kumari"},
    "articleBody": f"{STORY}\nTraders said the central bank sold dollars.",
    "image": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg",
    "mainEntityOfPage": URL,
}
JSON = json.dumps(LD)


def _page(head: str = "", body: str = "") -> str:
    """A page of a layout the rules do not know: no OpenGraph, a story in a plain <section>."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{HEADLINE}</title>'
        f'<link rel="canonical" href="{URL}">{head}</head><body><main class="Redesign_page__Zz9Qq">'
        f"{body or f'<h2>{HEADLINE}</h2><section><p>{STORY}</p></section>'}</main></body></html>"
    )


def _ld_page(script_text: str) -> str:
    return _page(f'<script type="application/ld+json">{script_text}</script>')


# --- JSON-LD a template wrapped or escaped ------------------------------------------------------

# Each read as no JSON before: the page's only article data lost, the story dropped as a page of an
# unknown layout (counted towards a redesign).
WRAPPED = {
    "xhtml-cdata-in-js-comments": f"/*<![CDATA[*/{JSON}/*]]>*/",
    "xhtml-cdata-one-line": f"//<![CDATA[{JSON}//]]>",
    "plugin-comment-before": f"/* SEO plugin v21.3 - schema graph */ {JSON}",
    "line-comment-above": f"// Article schema\n{JSON}",
    "comments-both-ends": f"\n/* begin */\n{JSON}\n/* end */\n",
    "line-comment-after": f"{JSON}\n// generated",
    "html-comment-with-js-close": f"<!--\n{JSON}\n//-->",
    # React's server rendering escapes a script's text children (Next.js pages writing JSON-LD so).
    "escaped-as-html-by-react": JSON.replace("&", "&amp;").replace('"', "&quot;"),
    "escaped-as-html-numeric": JSON.replace("&", "&amp;").replace('"', "&#34;"),
}


@pytest.mark.parametrize("script_text", WRAPPED.values(), ids=WRAPPED.keys())
def test_json_ld_a_template_wrapped_in_comments_or_escaped_is_read(script_text: str) -> None:
    assert loads_lenient(script_text) == LD
    extraction = extract(_ld_page(script_text), URL)
    article = extraction.article
    assert article.layout == "generic"
    assert article.headline == HEADLINE
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.datePublished == "2026-05-12T16:20:00+05:30"
    assert article.articleBody == LD["articleBody"]
    assert extraction.provenance.sources["articleBody"] == "ld"


def test_escaped_json_keeps_an_ampersand_the_story_wrote() -> None:
    ld = dict(LD, headline="M&M's profit & loss: a \"record\" quarter")
    escaped = json.dumps(ld).replace("&", "&amp;").replace('"', "&quot;")
    assert extract(_ld_page(escaped), URL).article.headline == "M&M's profit & loss: a \"record\" quarter"


@pytest.mark.parametrize(
    "text",
    [
        '{"headline": "/* not a comment */ a // b", "x": 1}',
        '{"headline": "a &quot;quoted&quot; word", "x": 1}',  # quotes there: not escaped as a whole
        '{"headline": "<!-- kept -->"}',
    ],
    ids=["comment-marks-in-a-string", "entity-in-a-string", "html-comment-in-a-string"],
)
def test_comment_marks_and_entities_inside_strings_are_left_as_written(text: str) -> None:
    assert loads_lenient(text) == json.loads(text)


@pytest.mark.parametrize("text", ["/* never closed {\"a\": 1}", "<!-- -->", "//", "/**/", "&quot;a&quot;"])
def test_comments_around_nothing_are_still_no_json(text: str) -> None:
    assert loads_lenient(text) is None


# --- an article in microdata alone ----------------------------------------------------------------


def _microdata(itemtype: str = "https://schema.org/NewsArticle", headline: str = "", image: str = "") -> str:
    headline = headline or f'<h1 itemprop="headline">{HEADLINE}</h1>'
    image = image or '<meta itemprop="image" content="https://bsmedia.business-standard.com/img/md.jpg">'
    return (
        f'<div itemscope itemtype="{itemtype}">{headline}'
        '<p itemprop="description">The currency fell 0.3 per cent against the dollar</p>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Anjali Kumari</span></span>'
        '<time itemprop="datePublished" datetime="2026-05-12T16:20:00+05:30">May 12, 2026</time>'
        f'{image}<div itemprop="articleBody"><p>{STORY}</p><p>Traders said the central bank sold dollars.</p></div></div>'
    )


MICRODATA = {
    "news-article": _microdata(),
    "article-http": _microdata("http://schema.org/Article"),
    "blog-posting": _microdata("https://schema.org/BlogPosting"),
    "reportage": _microdata("https://schema.org/ReportageNewsArticle"),
    "headline-as-name": _microdata(headline=f'<h1 itemprop="name">{HEADLINE}</h1>'),
    "headline-in-meta": _microdata(headline=f'<meta itemprop="headline" content="{HEADLINE}"><h2>{HEADLINE}</h2>'),
    "image-object-meta-url": _microdata(
        image='<div itemprop="image" itemscope itemtype="https://schema.org/ImageObject"><meta itemprop="url" content="https://bsmedia.business-standard.com/img/md.jpg"></div>'
    ),
    "image-object-img-url": _microdata(
        image='<div itemprop="image" itemscope itemtype="https://schema.org/ImageObject"><img itemprop="url" src="https://bsmedia.business-standard.com/img/md.jpg"></div>'
    ),
    "img-element": _microdata(image='<img itemprop="image" src="https://bsmedia.business-standard.com/img/md.jpg" alt="">'),
}


@pytest.mark.parametrize("body", MICRODATA.values(), ids=MICRODATA.keys())
def test_an_article_stated_in_microdata_alone_is_read(body: str) -> None:
    # (Before: no JSON-LD and no OpenGraph, so "no article metadata": dropped as a page of an unknown layout.)
    article = extract(_page(body=body), URL).article
    assert article.layout == "generic"
    assert article.headline == HEADLINE
    assert article.description == "The currency fell 0.3 per cent against the dollar"
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.datePublished == "2026-05-12T16:20:00+05:30"
    assert article.mainImage is not None and article.mainImage.url == "https://bsmedia.business-standard.com/img/md.jpg"
    assert article.articleBody == f"{STORY}\nTraders said the central bank sold dollars."


def test_the_authors_name_is_no_headline_of_a_microdata_article() -> None:
    # A nested item's name (the author's) is not the article's: without a headline of its own, no article.
    body = _microdata(headline="<h2>Rupee</h2>").replace('<h2>Rupee</h2>', '', 1)
    with pytest.raises(NotAnArticle) as raised:
        extract(_page(body=body), URL)
    assert raised.value.reason == "unknown-layout"


@pytest.mark.parametrize("teasers", [1, 3])
def test_microdata_teasers_of_other_stories_make_no_article(teasers: int) -> None:
    cards = "".join(
        f'<div itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline"><a href="/markets/news/s-12605120050{i}_1.html">Story {i}</a></h2>'
        f'<p itemprop="description">What story {i} says, in a line of the card.</p></div>'
        for i in range(teasers)
    )
    with pytest.raises(NotAnArticle) as raised:
        extract(_page(body=f"<h1>Markets news</h1>{cards}"), URL)
    assert raised.value.reason == "unknown-layout"


# --- a listing whose template calls every page an article -----------------------------------------

OG_ARTICLE = '<meta property="og:type" content="article"><meta property="og:title" content="Markets News">'
CARDS = "<h1>Markets News</h1>" + "".join(
    f'<article><h2><a href="/markets/news/story-{i}-12605120050{i}_1.html">Story {i} of the section</a></h2>'
    f"<p>What story {i} says, in a line or two of its card on the section's page.</p></article>"
    for i in range(5)
)
ITEMS = {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "position": i, "url": f"https://www.business-standard.com/markets/news/story-{i}-12605120050{i}_1.html"} for i in range(1, 4)]}
SECTION = "https://www.business-standard.com/markets/news"
LISTINGS = {
    "collection-page": {"@context": "https://schema.org", "@type": "CollectionPage", "name": "Markets News", "url": SECTION, "mainEntity": ITEMS},
    "collection-page-in-graph": {"@context": "https://schema.org", "@graph": [{"@type": "CollectionPage", "@id": SECTION, "name": "Markets News"}, {"@type": "Organization", "name": "Business Standard"}]},
    "search-results": {"@context": "https://schema.org", "@type": "SearchResultsPage", "name": "Search: rupee"},
    "author-profile": {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": {"@type": "Person", "name": "Anjali Kumari"}},
    "web-page-of-a-list": {"@context": "https://schema.org", "@type": "WebPage", "name": "Markets News", "mainEntity": ITEMS},
}


@pytest.mark.parametrize("ld", LISTINGS.values(), ids=LISTINGS.keys())
def test_a_listing_at_a_story_address_with_og_type_article_is_a_listing(ld: dict[str, Any]) -> None:
    # (Before: an item headlined "Markets News" whose body was the first teaser's card.)
    html = _page(OG_ARTICLE + f'<script type="application/ld+json">{json.dumps(ld)}</script>', CARDS)
    with pytest.raises(NotAnArticle) as raised:
        extract(html, URL)
    assert raised.value.reason == "listing"


def test_an_article_beside_a_collection_page_object_is_still_the_article() -> None:
    ld = {"@context": "https://schema.org", "@graph": [LISTINGS["collection-page"], LD]}
    html = _page(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    assert extract(html, URL).article.headline == HEADLINE


def test_an_opengraph_story_with_a_related_list_and_breadcrumbs_is_still_a_story() -> None:
    crumbs = {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Markets", "item": SECTION}]}
    page_ld = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "@id": URL, "breadcrumb": crumbs}, dict(ITEMS, name="Related stories")]}
    head = (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{HEADLINE}">'
        '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
        f'<script type="application/ld+json">{json.dumps(page_ld)}</script>'
    )
    article = extract(_page(head, f"<h1>{HEADLINE}</h1><article><p>{STORY}</p></article>"), URL).article
    assert (article.layout, article.headline, article.articleBody) == ("generic", HEADLINE, STORY)


# --- keywords as CMSes list them ------------------------------------------------------------------

KEYWORDS = {
    "one-string-in-a-list": ["Rupee, Forex, RBI"],
    "list-of-a-name-and-a-string-of-two": ["Rupee", "Forex, RBI"],
    "defined-terms": [{"@type": "DefinedTerm", "name": "Rupee"}, {"@type": "DefinedTerm", "name": "Forex"}, {"@type": "DefinedTerm", "name": "RBI"}],
}


@pytest.mark.parametrize("keywords", KEYWORDS.values(), ids=KEYWORDS.keys())
def test_keywords_in_a_list_are_one_topic_each(keywords: list[Any]) -> None:
    # (Before: "Rupee, Forex, RBI" one topic; DefinedTerm objects none.)
    article = extract(_ld_page(json.dumps(dict(LD, keywords=keywords))), URL).article
    assert article.topics == ["Rupee", "Forex", "RBI"]
