"""Round 28 probes of the text and dates round 27 left: what visibility hides, hidden text in the headline, one CMS field voting twice, shown times, inline "Also Read" links."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from crawler.extraction import extract
from crawler.extraction.layouts.base import element_text
from crawler.extraction.normalize import normalize_date, parse_date
from crawler.extraction.text import block_paragraphs, fragment
from tests.test_date_probes_round25 import LD_MODIFIED, LD_PUBLISHED, META_MODIFIED, META_PUBLISHED, MODIFIED, NEXT_PUBLISHED, PUBLISHED, _next_js
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_text_probes_round25 import LAYOUTS, _page, _story_lines

FIRST = "The board met on Monday."


def _lines(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root)


# --- a block hidden by visibility, a child of it styled visible again ------------------------------------

# A browser draws only the child: the block's own text, its other children and the text after the child
# (all of them the block's) stay hidden. The body read them all as lines of the story.
PARTLY_DRAWN = {
    "own-text": "<div style='visibility:hidden'>Email this article<p style='visibility:visible'>Send</p></div>",
    "sibling": "<div style='visibility:hidden'><p>Email this article</p><p style='visibility: visible'>Send</p></div>",
    "tail": "<div style='visibility:hidden'><span style='visibility:visible'>Send</span> to a friend</div>",
    "deeper": "<div style='visibility:hidden'><div>Share <b>this</b><p style='visibility:visible'>Send</p> now</div></div>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(PARTLY_DRAWN))
def test_a_block_hidden_by_visibility_gives_only_the_child_drawn_again(layout: str, kind: str) -> None:
    # Before: "Email this article", "Send to a friend", "Share this … now" read into the story.
    assert _story_lines(layout, f"<p>{FIRST}</p>{PARTLY_DRAWN[kind]}", f"{FIRST}\nSend") == [FIRST, "Send"]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # The child drawn again ends the line the block stands for; its own hidden parts stay hidden.
        ("<p>One <span style='visibility:hidden'>secret <b style='visibility:visible'>two</b> words</span> three.</p>", ["One two three."]),
        ("<div style='visibility:hidden'>x<p style='visibility:visible'>Two.</p><p style='visibility:visible'>Three.</p>y</div>", ["Two.", "Three."]),
        # Under display: none inside the block nothing is drawn, whatever its style.
        ("<div style='visibility:hidden'><div style='display:none'><p style='visibility:visible'>No.</p></div><p style='visibility:visible'>Two.</p></div>", ["Two."]),
        # A child hidden again inside the one drawn is hidden.
        ("<div style='visibility:hidden'><p style='visibility:visible'>Two.<span style='visibility:hidden'> No.</span></p></div>", ["Two."]),
        # And what is drawn as before stays: a block hidden with nothing drawn again is none.
        ("<p>One.</p><div style='visibility:hidden'><p>No.</p></div><p>Two.</p>", ["One.", "Two."]),
    ],
)
def test_what_visibility_hides_stays_hidden_around_what_it_shows(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


# --- hidden text in a field read from the page ---------------------------------------------------------------

HEADLINE = "Retail inflation eases to 3.65% in August on lower food prices"


@pytest.mark.parametrize(
    "hidden",
    [
        '<span class="sr-only"> (opens in new window)</span>',
        '<span class="visually-hidden">Breaking: </span>',
        '<span style="display:none">Inflation CPI August keywords</span>',
        "<span hidden>CPI</span>",
        '<span style="visibility:hidden">CPI <i style="visibility:visible"></i></span>',
    ],
)
def test_hidden_text_in_the_headlines_h1_is_no_word_of_the_headline(hidden: str) -> None:
    # Before: "Retail inflation … food prices (opens in new window)": the h1 holds more than __NEXT_DATA__'s
    # heading1, and the page's h1 was taken whole, its screen reader's or hidden words with it.
    html, url, _ = _fixture("nextjs-2023/no-image")
    html = _once(html, f'stryhdtp">{HEADLINE}</h1>', f'stryhdtp">{HEADLINE}{hidden}</h1>')
    extraction = extract(html.encode(), url)
    assert extraction.article.headline == HEADLINE
    assert "headline" not in extraction.provenance.disagreements


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<h1>Sensex falls<span class='sr-only'> (opens in new window)</span> 600 points</h1>", "Sensex falls 600 points"),
        ("<h1><span style='display: none'>Top story: </span>Sensex falls</h1>", "Sensex falls"),
        ("<h1>Sensex <span style='visibility:hidden'>x<b style='visibility:visible'>falls</b>y</span></h1>", "Sensex falls"),
        # What is drawn stays: a Tailwind "hidden md:inline" class is the stylesheet's, aria-hidden a screen reader's.
        ("<h1>Sensex <span class='hidden md:inline'>falls</span></h1>", "Sensex falls"),
        ("<h1>Sensex <span aria-hidden='true'>falls</span></h1>", "Sensex falls"),
    ],
)
def test_a_fields_text_is_what_the_page_draws(markup: str, text: str) -> None:
    assert element_text(lxml_html.fragment_fromstring(markup)) == text


# --- one CMS field written twice is one vote ---------------------------------------------------------------


def test_a_typo_in_json_ld_and_its_meta_tag_copy_does_not_outvote_the_shown_publication() -> None:
    # Before: 2023-09-12 (the typo'd year), no disagreement noted: JSON-LD's datePublished and the
    # article:published_time meta tag, one field of the CMS written twice, voted as two sources against the
    # line the page shows ("First Published: Sep 12 2024 | 4:30 PM IST").
    typo = "2023-09-12T16:30:00+05:30"
    extraction = _next_js(
        (LD_PUBLISHED, f'"datePublished": "{typo}"'),
        (META_PUBLISHED, f'<meta property="article:published_time" content="{typo}">'),
        (NEXT_PUBLISHED, '"publishedOn": 1726138800'),  # a page whose data give no publishDate
    )
    assert extraction.article.datePublished == PUBLISHED
    assert extraction.provenance.sources["datePublished"] == "dom"
    assert "datePublished" in extraction.provenance.disagreements


def test_a_typo_in_the_update_written_twice_does_not_outvote_the_shown_update() -> None:
    # Before: 2024-09-13T17:02 (the day typo'd), though the page shows "Last Updated : Sep 12 2024 | 5:02 PM IST".
    typo = "2024-09-13T17:02:00+05:30"
    extraction = _next_js(
        (LD_MODIFIED, f'"dateModified": "{typo}"'),
        (META_MODIFIED, f'<meta http-equiv="Last-Modified" content="{typo}">'),
    )
    assert (extraction.article.datePublished, extraction.article.dateModified) == (PUBLISHED, MODIFIED)
    assert "dateModified" in extraction.provenance.disagreements


def test_two_sources_that_write_one_date_differently_still_vote_apart() -> None:
    # JSON-LD's date and __NEXT_DATA__'s Unix seconds are two writings: with the shown line they still
    # outvote a typo in the third source.
    extraction = _next_js((META_PUBLISHED, '<meta property="article:published_time" content="2023-09-12T16:30:00+05:30">'))
    assert extraction.article.datePublished == PUBLISHED


# --- shown times ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "iso"),
    [
        # Before: no date. 24:00 is the day's end, the next day's midnight (as ISO 8601 reads it).
        ("Feb 28 2024 | 24:00 IST", "2024-02-29T00:00:00+05:30"),
        ("Last Updated : Dec 31 2024 | 24:00 IST", "2025-01-01T00:00:00+05:30"),
        ("Feb 28, 2024 24.00 hrs IST", "2024-02-29T00:00:00+05:30"),
        ("Wed, 28 Feb 2024 24:00:00 +0530", "2024-02-29T00:00:00+05:30"),
        # Before: no date. An offset in hours alone after the shown time, as ISO 8601 writes one.
        ("Feb 28 2024 | 3:42 PM +05", "2024-02-28T16:12:00+05:30"),
        ("Feb 28 2024 | 15:42 +05", "2024-02-28T16:12:00+05:30"),
        # Read before too, and still.
        ("Feb 28 2024 | 00:00 IST", "2024-02-28T00:00:00+05:30"),
        ("Feb 28 2024 | 3:42 PM +0530", "2024-02-28T15:42:00+05:30"),
        ("Feb 28 2024 | 3:42 PM GMT+5:30", "2024-02-28T15:42:00+05:30"),
        ("Feb 28 2024 | 12:30 am", "2024-02-28T00:30:00+05:30"),
        ("Feb 28 2024 | 12:30 AM IST", "2024-02-28T00:30:00+05:30"),
        ("२८ फ़रवरी २०२४ | ३:४२ PM IST", "2024-02-28T15:42:00+05:30"),
        ("१४ फ़रवरी २०२०", "2020-02-14T00:00:00+05:30"),
        ("2024-02-28T24:00:00+05:30", "2024-02-29T00:00:00+05:30"),
    ],
)
def test_a_shown_time_is_read(shown: str, iso: str) -> None:
    assert normalize_date(shown) == iso


@pytest.mark.parametrize("shown", ["Feb 28 2024 | 24:00 PM", "Feb 28 2024 | 24:01 IST", "Feb 28 2024 | 24:00:30 IST", "Feb 28 2024 | 3:42 PM +5", "2024 -2025"])
def test_a_time_past_the_day_or_an_offset_of_one_digit_stays_unread(shown: str) -> None:
    assert parse_date(shown) is None


# --- inline "Also Read" links --------------------------------------------------------------------------------------

PROMOTED = "https://www.business-standard.com/markets/news/sebi-tightens-rules-for-f-o-trading-124100100512_1.html"
PROMOTED_HEADLINE = "Sebi tightens rules for F&O trading"
INLINE_PROMOS = {
    "read_more": f"<p><strong class='read_more'>Also Read: <a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></strong></p>",
    "capitals": f"<p><strong>ALSO READ: <a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></strong></p>",
    "bar": f"<p><b>Also read | </b><a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></p>",
    "hindi": f"<p><strong>यह भी पढ़ें: <a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></strong></p>",
    "in-a-paragraph": f"<p>Shares fell. <b>Also Read: <a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></b> Volumes rose.</p>",
    "label-line": f"<p>Also Read</p><p><a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(INLINE_PROMOS))
def test_an_inline_also_read_link_is_one_of_the_articles_related_links(layout: str, kind: str) -> None:
    # Before: the promo was left out of the body, and its story out of alsoRead too (but where no list
    # followed the story and the label stood on a line of its own): a reader sees it as a related story.
    html, url = _page(layout, INLINE_PROMOS[kind], "")
    article = extract(html, url).article
    assert [r.headline for r in article.alsoRead if r.url == PROMOTED] == [PROMOTED_HEADLINE]
    # (Inside a paragraph too, in every layout: test_body_probes_round28.)
    assert PROMOTED_HEADLINE not in article.articleBody


# (In every layout, also those whose page has no related list after the story: test_body_probes_round28.)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_link_in_a_line_of_the_story_is_no_related_link(layout: str) -> None:
    # A story's own link, also on the line after a promo's, and a promo's link off the site's stories, stay out.
    markup = (
        f"<p>Also Read</p><p><a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a></p>"
        "<p>Sebi's <a href='https://www.business-standard.com/markets/news/nse-revises-lot-sizes-124100200077_1.html'>earlier order</a> "
        "raised lot sizes.</p>"
        "<p><b>Read more: <a href='https://www.sebi.gov.in/legal/circulars/oct-2024/measures.html'>the circular</a></b></p>"
    )
    article = extract(*_page(layout, markup, "")).article
    urls = [r.url for r in article.alsoRead]
    assert PROMOTED in urls
    assert not any("124100200077" in u or "sebi.gov.in" in u for u in urls)
