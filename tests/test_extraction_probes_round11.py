"""Probes of the pages the main layouts do not cover: the Hindi edition's ids, URLs, dates and hosts,
and the generic last-resort layout, each checked against what a reader of the page writes down."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.normalize import normalize_date
from crawler.extraction.urls import article_fetch_url, page_article_id
from tests.conftest import PAGES

HINDI = "https://hindi.business-standard.com"
STORY = f"{HINDI}//storypage.php?autono=166607"
HINDI_FOLDER = PAGES / "hindi-2020" / "budget-166607"
HINDI_AMP_FOLDER = PAGES / "amp" / "hindi-budget-166607"
BYLINE = "बीएस संवाददाता / नई दिल्ली&nbsp;February  14, 2020"


def _page(folder: Any) -> str:
    return (folder / "page.html").read_text(encoding="utf-8")


# --- Hindi ids: the story's number where each URL form puts it --------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        # autono after another field whose value ends in "-<digits>": a campaign tag, a click id.
        f"{HINDI}/storypage.php?utm_campaign=feed-2024&autono=166607",
        f"{HINDI}/storypage.php?fbclid=IwAR2x-12345678&autono=166607",
        f"https://m.bshindi.com/storypage.php?ref=home-1234&autono=166607&tp=on",
        # One story to the site's PHP, whatever zeros lead its number.
        f"{HINDI}/storypage.php?autono=0166607",
        # The AMP form with a slash after its file, which the site serves alike (as it does the English one's).
        f"{HINDI}/article-amp/economy/section_economy-166607_1.html/",
    ],
)
def test_a_hindi_story_url_in_any_form_gives_its_own_id(url: str) -> None:
    assert page_article_id(None, url) == "hi-166607"


@pytest.mark.parametrize("url", [f"{HINDI}/category/economy-2020", f"{HINDI}/budget-2024", f"{HINDI}/economy/?page=news-1234"])
def test_a_hindi_listing_url_holds_no_story_id(url: str) -> None:
    # A number at the end of a section's or topic's path is no story's: the page would be saved as story 2020.
    assert page_article_id(None, url) is None


def test_a_related_hindi_amp_story_is_listed_by_its_desktop_url() -> None:
    # The Hindi AMP story's page on the desktop is storypage.php (its canonical link, the AMP layout's
    # canonicalUrl), not the English site's /article/ twin of the AMP path, which the Hindi site does not serve.
    # Every other form of a story's link is that canonical URL too (one story, one URL to fetch it by).
    related = (
        '<h2>Also Read</h2><ul><li><a href="https://hindi.business-standard.com/article-amp/markets/section_markets-166712_1.html">'
        "शेयर बाजार में तेजी</a></li>"
        '<li><a href="http://m.bshindi.com/storypage.php?autono=172480&amp;tp=on">कंपनी खबर</a></li></ul>'
    )
    html = _page(HINDI_AMP_FOLDER).replace("</body>", related + "</body>")
    article = extract(html, f"{HINDI}/article-amp/economy/section_economy-166607_1.html").article
    assert [r.url for r in article.alsoRead] == [f"{HINDI}//storypage.php?autono=166712", f"{HINDI}//storypage.php?autono=172480"]
    assert article_fetch_url(f"{HINDI}/article-amp/markets/section_markets-166712_1.html?amp_js_v=0.1") == f"{HINDI}//storypage.php?autono=166712"


def test_a_saved_hindi_page_whose_canonical_host_is_in_capitals_is_read_as_the_hindi_edition() -> None:
    # Host names are case-blind: the id already followed the host so; the layout and the language did not.
    html = _page(HINDI_FOLDER).replace(STORY, "https://Hindi.Business-Standard.com//storypage.php?autono=166607")
    article = extract(html, "file:///tmp/saved.html").article
    assert (article.layout, article.articleId, article.inLanguage) == ("hindi-2020", "hi-166607", "hi")


# --- Hindi dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("शुक्रवार, 14 फरवरी, 2020", "2020-02-14T00:00:00+05:30"),
        ("प्रकाशित: शुक्रवार, 14 फ़रवरी 2020", "2020-02-14T00:00:00+05:30"),
        ("बृहस्पतिवार, 13 फरवरी 2020 09:42 PM IST", "2020-02-13T21:42:00+05:30"),
        ("14 फरवरी, 2020 09:42 अपराह्न", "2020-02-14T21:42:00+05:30"),
        ("१४ फरवरी २०२० ०९:४२ पूर्वाह्न", "2020-02-14T09:42:00+05:30"),
        # Read every way its English twin is: to the second, an offset, "बजे" as "hrs".
        ("14 फ़रवरी 2020 21:42:56", "2020-02-14T21:42:56+05:30"),
        ("शुक्रवार, 14 फ़रवरी 2020 21:42:56 +0530", "2020-02-14T21:42:56+05:30"),
        ("14 फरवरी 2020, 21:42 बजे IST", "2020-02-14T21:42:00+05:30"),
    ],
)
def test_hindi_weekdays_and_clock_halves_are_read(text: str, expected: str) -> None:
    assert normalize_date(text) == expected


@pytest.mark.parametrize("shown", ["शुक्रवार, 14 फरवरी, 2020", "Friday, February 14, 2020", "14 फरवरी 2020 9:42 अपराह्न"])
def test_a_hindi_byline_date_in_another_form_stays_out_of_the_dateline(shown: str) -> None:
    html = _page(HINDI_FOLDER).replace(BYLINE, f"बीएस संवाददाता / नई दिल्ली&nbsp;{shown}")
    article = extract(html, STORY).article
    assert article.dateline == "नई दिल्ली"
    assert article.datePublishedRaw == shown
    assert article.datePublished is not None and article.datePublished.startswith("2020-02-14")


# --- the generic layout ----------------------------------------------------------------------------------

GENERIC_URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
LD_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Rupee ends at record low",
    "datePublished": "2026-05-12T16:20:00+05:30",
    "author": {"@type": "Person", "name": "Anjali Kumari"},
}
OPEN_GRAPH = (
    '<meta property="og:type" content="article"><meta property="og:title" content="Rupee ends at record low">'
    '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
)
STORY_IN_DIVS = (
    '<div class="cookie-banner"><p>We use cookies to improve your experience on our site.</p></div>'
    "<header><nav><a href='/'>Home</a></nav></header><main><h1>Rupee ends at record low</h1>"
    "<div class='story-text'><p>The rupee closed at a record low on Tuesday as importers rushed to buy dollars.</p>"
    "<p>Traders said the central bank sold dollars to slow the fall.</p></div>"
    "<div class='related-stories'><p>Sensex falls 500 points as banks drag, and other stories of the day</p></div></main>"
    "<footer><p>Copyright 2026 Business Standard Private Ltd. All rights reserved.</p></footer>"
)


def _generic_page(head: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Rupee</title>{head}</head><body>{body}</body></html>'


def _ld(data: dict[str, Any]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("head", [OPEN_GRAPH, _ld(LD_ARTICLE)], ids=["opengraph", "json-ld-without-articleBody"])
def test_a_generic_page_without_an_article_element_keeps_its_story(head: str) -> None:
    # A CMS of no known layout that draws the story in <div>s: its paragraphs after the headline are
    # the body, not the cookie notice before it, the related stories or the footer.
    article = extract(_generic_page(head, STORY_IN_DIVS), GENERIC_URL).article
    assert article.layout == "generic"
    assert article.articleBody == (
        "The rupee closed at a record low on Tuesday as importers rushed to buy dollars.\n"
        "Traders said the central bank sold dollars to slow the fall."
    )


def test_a_generic_page_names_its_topics_in_its_keywords_meta() -> None:
    head = OPEN_GRAPH + '<meta name="news_keywords" content="Rupee, Forex, RBI">'
    article = extract(_generic_page(head, STORY_IN_DIVS), GENERIC_URL).article
    assert article.topics == ["Rupee", "Forex", "RBI"]


def test_a_hindi_page_of_no_known_layout_is_read_without_its_json_ld_quirks() -> None:
    # The Hindi edition's JSON-LD prefixes the headline with the site's name, cuts the description at
    # 200 bytes and names a placeholder image (SITE.md); its mobile twin or a redesign, read by the
    # generic layout, carries the same JSON-LD.
    html = _page(HINDI_FOLDER).replace("width='600'", "width='640'").replace('width="600"', 'width="640"')
    article = extract(html, "https://m.bshindi.com/storypage.php?autono=166607").article
    assert (article.layout, article.articleId, article.inLanguage) == ("generic", "hi-166607", "hi")
    assert article.headline == "बजट में राजकोषीय घाटे का लक्ष्य बढ़ा, पूंजीगत खर्च पर जोर"
    expected = json.loads((HINDI_FOLDER / "expected.json").read_text(encoding="utf-8"))
    assert article.description == expected["description"], "the whole meta description, not JSON-LD's 200-byte cut"
    assert article.mainImage is None, "JSON-LD's image is the nopreview placeholder"


LIVE_BLOG = {
    "@context": "https://schema.org",
    "@type": "LiveBlogPosting",
    "headline": "Budget 2026 live: FM presents the Union Budget",
    "datePublished": "2026-02-01T10:00:00+05:30",
    "author": {"@type": "Organization", "name": "BS Web Team"},
    "liveBlogUpdate": [
        {"@type": "BlogPosting", "headline": "FM begins her speech", "articleBody": "The finance minister began her speech at 11 am."},
        {"@type": "BlogPosting", "headline": "Fiscal deficit target", "articleBody": "The deficit target for next year is 4.4 per cent."},
    ],
}
LIVE_UPDATES = "FM begins her speech\nThe finance minister began her speech at 11 am.\nFiscal deficit target\nThe deficit target for next year is 4.4 per cent."


@pytest.mark.parametrize("story", [None, "Follow the live updates of the Budget."], ids=["updates-only", "story-and-updates"])
def test_a_generic_live_blog_carries_its_json_ld_updates(story: str | None) -> None:
    # A live blog of no known layout: its updates, which JSON-LD lists, are its body (without a story
    # of its own it was dropped for a missing body), after its story when it has one.
    data = LIVE_BLOG if story is None else {**LIVE_BLOG, "articleBody": story}
    article = extract(_generic_page(_ld(data), "<h1>Budget 2026 live: FM presents the Union Budget</h1>"), GENERIC_URL).article
    assert (article.layout, article.isLiveBlog) == ("generic", True)
    assert article.articleBody == (LIVE_UPDATES if story is None else f"{story}\n{LIVE_UPDATES}")


@pytest.mark.parametrize("suffix", ["/", "?amp_js_v=0.1", "#top"])
def test_a_hindi_amp_page_naming_itself_fetched_with_a_query_or_slash_gets_the_desktop_url(suffix: str) -> None:
    # Its canonical link names the AMP page itself (no page of its own): the story's is storypage.php,
    # also when the AMP page was fetched with AMP's query or a slash after its file.
    amp = f"{HINDI}/article-amp/economy/section_economy-166607_1.html"
    html = re.sub(r'<link rel="canonical" href="[^"]*">', f'<link rel="canonical" href="{amp}">', _page(HINDI_AMP_FOLDER), count=1)
    html = html.replace(f'<meta property="og:url" content="{STORY}"/>', "").replace(f', "@id": "{STORY}"', "")
    assert STORY not in html
    article = extract(html, amp + suffix).article
    assert (article.articleId, article.canonicalUrl) == ("hi-166607", STORY)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta property="article:author" content="Anjali Kumari">', ["Anjali Kumari"]),
        ('<meta property="article:author" content="https://www.facebook.com/anjali.kumari">', []),
        ('<meta name="author" content="Business Standard">', []),
    ],
    ids=["opengraph-author", "opengraph-author-profile-url", "author-meta-is-the-site"],
)
def test_an_opengraph_page_names_its_authors_as_opengraph_does(meta: str, expected: list[str]) -> None:
    # OpenGraph's own author property names the author; the site's name in the author meta (a story
    # without a byline) is no author, as JSON-LD's publisher named as the author is none.
    head = OPEN_GRAPH + '<meta property="og:site_name" content="Business Standard">' + meta
    article = extract(_generic_page(head, STORY_IN_DIVS), GENERIC_URL).article
    assert [a.name for a in article.authors] == expected


OWN_STORY = {
    **LD_ARTICLE,
    "headline": "Rupee ends at record low",
    "articleBody": "The rupee closed at a record low on Tuesday.",
    # The slug was edited after the feed listed the story: the same story, by its id.
    "mainEntityOfPage": {"@type": "WebPage", "@id": "https://www.business-standard.com/markets/news/rupee-slides-to-new-low-126051200877_1.html"},
}
TEASER = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Sensex falls 500 points as banks drag",
    "datePublished": "2026-05-11T15:40:00+05:30",
    "author": "Press Trust of India",
    "image": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/11/sensex.jpg",
    "articleBody": "The Sensex fell 500 points on Monday.",
    "url": "https://www.business-standard.com/markets/news/sensex-falls-500-points-126051100412_1.html",
}


def test_the_json_ld_article_naming_this_story_under_another_slug_beats_a_fuller_teaser() -> None:
    html = _generic_page(_ld(TEASER) + _ld(OWN_STORY), "<h1>Rupee ends at record low</h1>")
    article = extract(html, GENERIC_URL).article
    assert (article.headline, article.datePublished) == ("Rupee ends at record low", "2026-05-12T16:20:00+05:30")


def test_a_lone_json_ld_teaser_of_another_story_is_not_read_as_this_page() -> None:
    # The related story's headline, date and body under this page's id would be an item of the wrong story.
    with pytest.raises(NotAnArticle) as refused:
        extract(_generic_page(_ld(TEASER), "<h1>Rupee ends at record low</h1>"), GENERIC_URL)
    assert refused.value.reason == "unknown-layout"
    # With OpenGraph's article metadata the page is read, from its own markup only.
    article = extract(_generic_page(OPEN_GRAPH + _ld(TEASER), STORY_IN_DIVS), GENERIC_URL).article
    assert (article.headline, article.datePublished, article.authors) == ("Rupee ends at record low", "2026-05-12T16:20:00+05:30", [])
    assert article.articleBody is not None and "Sensex" not in article.articleBody


def test_a_generic_page_dated_by_microdata_keeps_its_dates_out_of_its_body() -> None:
    # Another CMS's page without JSON-LD or OpenGraph times states them as microdata where it shows
    # them: the item has its dates (it was dropped for a missing datePublished), its body not their text.
    body = (
        '<article><h1>Rupee ends at record low</h1><p class="meta">By <span itemprop="author">Anjali Kumari</span> | '
        '<time itemprop="datePublished" datetime="2026-05-12T16:20:00+05:30">May 12, 2026</time> | Updated '
        '<time itemprop="dateModified" datetime="2026-05-12T18:05:00+05:30">6:05 PM</time></p>'
        "<p>The rupee closed at a record low on Tuesday.</p></article>"
    )
    head = '<meta property="og:type" content="article"><meta property="og:title" content="Rupee ends at record low">'
    article = extract(_generic_page(head, body), GENERIC_URL).article
    assert (article.datePublished, article.dateModified) == ("2026-05-12T16:20:00+05:30", "2026-05-12T18:05:00+05:30")
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.articleBody == "The rupee closed at a record low on Tuesday."
