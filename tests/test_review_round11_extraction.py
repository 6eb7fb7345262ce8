"""Second look at the Hindi dates and the generic layout's new fallbacks (a body from the paragraphs
after the headline, microdata dates, OpenGraph authors): inputs of real pages they read wrongly."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from crawler.extraction.normalize import normalize_date
from tests.conftest import PAGES

URL = "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html"
HEAD = '<meta property="og:type" content="article"><meta property="og:title" content="Rupee ends at record low">'
PUBLISHED = '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
P1 = "The rupee closed at a record low on Tuesday as importers rushed to buy dollars amid heavy outflows."
P2 = "Traders said the central bank sold dollars to slow the fall, but the pressure remained intense."
P3 = "Analysts expect further weakness in the coming weeks as the dollar index stays firm globally."
LONG = (
    "This is a long block of text that is not part of the story at all, though it is longer than the story's"
    " own paragraphs, as a page's comments, its cookie notice or its footer often are on a short story."
)


def _page(head: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Rupee</title>{head}</head><body>{body}</body></html>'


# --- Hindi dates: a time whose half of the day is not known is no instant -----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "शाम" (evening) and "रात" (night) after the time: 17:30 and 21:42, never 05:30 and 09:42.
        ("14 फरवरी 2020, 5:30 शाम", None),
        ("14 फरवरी 2020 9:42 रात", None),
        # "बजे" (o'clock) after an hour either half of the day has: the evening's as often as the morning's.
        ("14 फरवरी 2020 9:42 बजे", None),
        ("14 फरवरी 2020 12:30 बजे", None),
        # An hour only a 24-hour clock shows is one instant.
        ("14 फरवरी 2020 21:42 बजे", "2020-02-14T21:42:00+05:30"),
        ("14 फरवरी 2020 00:30 बजे", "2020-02-14T00:30:00+05:30"),
    ],
)
def test_a_hindi_time_of_an_unknown_half_of_the_day_is_not_read_at_a_wrong_hour(text: str, expected: str | None) -> None:
    assert normalize_date(text) == expected


# --- the generic layout's body from the paragraphs after the headline -----------------------------------------

STORY = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>"
WHOLE_STORY = f"{P1}\n{P2}\n{P3}"


@pytest.mark.parametrize(
    "body",
    [
        # Each paragraph in a block of its own (a CMS's "paragraph" components): all of them, not the longest.
        f"<h1>Rupee ends at record low</h1><div class='content'><div><p>{P1}</p></div><div><p>{P2}</p></div><div><p>{P3}</p></div></div>",
        # An older CMS's page of <div>s: its header, sidebar and footer named in ids, around the story's paragraphs.
        f"<div id='wrapper' class='has-sidebar'><div id='header'><p>{LONG}</p></div><h1>Rupee ends at record low</h1>{STORY}"
        f"<div id='sidebar'><p>{LONG}</p></div><div id='footer'><p>{LONG}</p><p>{LONG}</p></div></div>",
        # Blocks after the story longer than it: a cookie notice, comments (Disqus, microdata Comments), lists of other stories.
        f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='cookie-consent'><p>{LONG} {LONG} {LONG}</p></div>",
        f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div id='disqus_thread'><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div>",
        f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='c'><div itemscope itemtype='https://schema.org/Comment'>"
        f"<p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div>",
        f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='more-from-section'><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div>",
        f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='trending-news'><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div>",
        # A layout's state in the story's own class ("has-sidebar") does not make it the sidebar.
        f"<div class='title'><h1>Rupee ends at record low</h1></div><div class='content has-sidebar'>{STORY}</div>",
    ],
    ids=["paragraph-blocks", "html4-chrome", "cookie-notice", "disqus", "comment-items", "more-from", "trending", "has-sidebar"],
)
def test_a_generic_page_without_article_element_reads_its_whole_story_and_nothing_else(body: str) -> None:
    article = extract(_page(HEAD + PUBLISHED, body), URL).article
    assert article.layout == "generic"
    assert article.articleBody == WHOLE_STORY


# --- the generic layout's microdata dates: the story's own ------------------------------------------------------

TEASER_ITEM = (
    "<div class='trending'><div itemscope itemtype='https://schema.org/NewsArticle'><a href='/markets/news/x-126051000100_1.html'>"
    "Sensex falls</a> <time itemprop='datePublished' datetime='2026-05-10T09:00:00+05:30'>May 10</time></div></div>"
)
COMMENT_ITEM = (
    "<div class='c'><div itemscope itemtype='https://schema.org/Comment'><span itemprop='author'>Ravi</span> "
    "<time itemprop='datePublished' datetime='2026-05-20T09:00:00+05:30'>May 20</time><p>Great article.</p></div></div>"
)
OWN_ITEM = (
    "<div itemscope itemtype='https://schema.org/NewsArticle'><h1 itemprop='headline'>Rupee ends at record low</h1>"
    f"<time itemprop='datePublished' datetime='2026-05-12T16:20:00+05:30'>May 12</time><div class='story'>{STORY}</div></div>"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Another story's teaser before the story: its date is not the story's.
        (f"{TEASER_ITEM}<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div>", None),
        (f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div>{TEASER_ITEM}", None),
        # A reader's comment is dated too.
        (f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div>{COMMENT_ITEM}", None),
        # The story's own item after a teaser's.
        (f"<aside>{TEASER_ITEM}</aside>{OWN_ITEM}{COMMENT_ITEM}", "2026-05-12T16:20:00+05:30"),
    ],
    ids=["teaser-before", "teaser-after", "comment", "own-item-after-a-teaser"],
)
def test_a_generic_page_takes_only_its_own_microdata_date(body: str, expected: str | None) -> None:
    article = extract(_page(HEAD, body), URL).article
    assert article.datePublished == expected


# --- the generic layout's OpenGraph authors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # A profile written without its scheme, as a path on the site, or as a handle names nobody.
        ('<meta property="article:author" content="www.facebook.com/anjali.kumari">', []),
        ('<meta property="article:author" content="facebook.com/anjali.kumari">', []),
        ('<meta property="article:author" content="/author/anjali-kumari">', []),
        ('<meta property="article:author" content="@anjalikumari">', []),
        # The site's name in the author meta is none: OpenGraph's author is then the author, as without it.
        ('<meta name="author" content="Business Standard"><meta property="article:author" content="Anjali Kumari">', ["Anjali Kumari"]),
    ],
    ids=["www", "host", "path", "handle", "site-name-meta"],
)
def test_an_opengraph_author_is_a_name(meta: str, expected: list[str]) -> None:
    head = HEAD + PUBLISHED + '<meta property="og:site_name" content="Business Standard">' + meta
    article = extract(_page(head, f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div>"), URL).article
    assert [a.name for a in article.authors] == expected


def test_a_story_whose_rest_is_behind_a_read_more_toggle_is_read_whole() -> None:
    # "more" alone names no list of other stories: a CMS's "more-text" block is the story's rest.
    body = f"<h1>Rupee ends at record low</h1><div class='story'><p>{P1}</p><div class='more-text'><p>{P2}</p><p>{P3}</p></div></div>"
    assert extract(_page(HEAD + PUBLISHED, body), URL).article.articleBody == WHOLE_STORY


# --- the Hindi layout's byline: the clock words are the date's ----------------------------------------------

HINDI_FOLDER = PAGES / "hindi-2020" / "budget-166607"
HINDI_STORY = "https://hindi.business-standard.com//storypage.php?autono=166607"
HINDI_BYLINE = "बीएस संवाददाता / नई दिल्ली&nbsp;February  14, 2020"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # Read at 09:42 from the date cut before "बजे" (the city then "नई दिल्ली बजे"): its half of the day is not known.
        ("14 फरवरी 2020 9:42 बजे", "2020-02-14T00:00:00+05:30"),
        ("14 फरवरी 2020, 5:30 शाम", "2020-02-14T00:00:00+05:30"),
        ("14 फरवरी 2020 21:42 बजे IST", "2020-02-14T21:42:00+05:30"),
    ],
)
def test_a_hindi_byline_time_keeps_its_clock_words_out_of_the_dateline(shown: str, expected: str) -> None:
    # JSON-LD's date without its time, so the byline's time is the one the page gives.
    html = (HINDI_FOLDER / "page.html").read_text(encoding="utf-8").replace(HINDI_BYLINE, f"बीएस संवाददाता / नई दिल्ली&nbsp;{shown}")
    html = html.replace('"datePublished": "2020-02-14 20:15:08"', '"datePublished": "2020-02-14"')
    article = extract(html, HINDI_STORY).article
    assert (article.dateline, article.datePublishedRaw) == ("नई दिल्ली", shown)
    assert article.datePublished == expected


def test_an_author_named_in_two_opengraph_metas_is_one_author() -> None:
    metas = "".join(f'<meta property="article:author" content="{value}">' for value in ("Anjali Kumari", "anjali kumari", "Anjali Kumari and Ravi Shankar"))
    article = extract(_page(HEAD + PUBLISHED + metas, f"<h1>Rupee ends at record low</h1><div class='story'>{STORY}</div>"), URL).article
    assert [a.name for a in article.authors] == ["Anjali Kumari", "Ravi Shankar"]


def test_cards_of_other_stories_after_a_story_without_article_element_are_not_its_body() -> None:
    # Each card (a linked title and a summary) holds one paragraph, as a story's paragraph blocks do; together
    # they hold more text than the story, but a card holds more than its paragraph: they are no story's blocks.
    card = "<div class='card'><h3><a href='/markets/news/x-126051100412_1.html'>Sensex falls 500 points</a></h3><p>{}</p></div>"
    cards = "".join(card.format(P2) for _ in range(8))
    body = f"<main><h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='cards'>{cards}</div></main>"
    assert extract(_page(HEAD + PUBLISHED, body), URL).article.articleBody == WHOLE_STORY


def test_a_stray_paragraph_of_the_page_does_not_make_the_page_the_story() -> None:
    body = f"<p>Subscribe</p><h1>Rupee ends at record low</h1><div class='story'>{STORY}</div><div class='x'><div class='card'><p>{LONG}</p></div></div><p>Tip</p>"
    assert extract(_page(HEAD + PUBLISHED, body), URL).article.articleBody == WHOLE_STORY
