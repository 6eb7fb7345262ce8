"""A review of round 26's story text and dates: hiding styles as a browser reads them, emoji and raised marks in fields, "12:00 noon"."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from crawler.extraction.layouts.base import element_text
from crawler.extraction.normalize import normalize_date, parse_date
from crawler.extraction.text import block_paragraphs, fragment
from tests.test_date_probes_round25 import LD_PUBLISHED, META_PUBLISHED, NEXT_PUBLISHED, SHOWN_PUBLISHED, _next_js
from tests.test_text_probes_round25 import LAYOUTS, _story_lines

FIRST = "The board met on Monday."


def _lines(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root)


# --- what an inline style hides, as a browser reads it -----------------------------------------------

# Each held text a reader never sees; the body had it as a line of the story.
NOT_DRAWN = {
    # display: none (and the hidden attribute, the browser's own display: none) hides the whole subtree:
    # a descendant styled visible is not drawn either (only visibility is undone so).
    "display-none-child-visible": f"<p>{FIRST}</p><div style='display:none'><p>Email this article</p><p style='visibility:visible'>Send</p></div>",
    "hidden-attribute-child-visible": f"<p>{FIRST}</p><div hidden><p>Email this article</p><span style='visibility: visible'>Send</span></div>",
    # A declaration in a comment is none.
    "comment": f"<p>{FIRST}</p><div style='display:none /* display:block on desktop */'>Keywords: tata motors share price</div>",
    # !important beats a later declaration that is not.
    "important": f"<p>{FIRST}</p><div style='display:none !important; display:block'>Keywords: tata motors share price</div>",
    # An offer whose class names a paywall is not the premium story's rest (.paywall-content).
    "paywall-offer": f"<p>{FIRST}</p><div class='paywall-prompt' style='display:none'><p>Subscribe to read the full story</p></div>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(NOT_DRAWN))
def test_text_a_browser_does_not_draw_is_no_text_of_the_body(layout: str, kind: str) -> None:
    # Before: the hidden block's lines read into the story ("Email this article", "Send", the keywords, the offer).
    assert _story_lines(layout, NOT_DRAWN[kind], FIRST) == [FIRST]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # What a browser draws stays: the later declaration, the later !important one, a declaration in a
        # comment, a visibility undone by a descendant, the premium story's rest.
        ("<p>One.</p><div style='display:none; display:block'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='display:none !important; display:block !important'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='/* display:none */ color:red'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='visibility:hidden'><p style='visibility: visible'>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='display:none !important'><div class='paywall-content'><p>Two.</p></div></div>", ["One.", "Two."]),
        ("<p>One.</p><div class='paywall-content' style='display:none'><p>Two.</p></div>", ["One.", "Two."]),
        # And what it hides, hides: upper case, a collapsed visibility, hidden="false" (still hidden in HTML),
        # the hidden attribute under an inline display (AMP's runtime and CSS resets make it !important).
        ("<p>One.</p><div style='DISPLAY:NONE'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div style='visibility: collapse'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div hidden='false'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div hidden style='display: block'><p>Two.</p></div>", ["One."]),
        # aria-hidden is for screen readers: a drop cap a reader sees stays.
        ("<p><span aria-hidden='true'>T</span>he board met.</p>", ["The board met."]),
    ],
)
def test_what_a_browser_draws_stays(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


# --- emoji and raised marks -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_keycap_emoji_drawn_as_a_picture_is_a_character_of_its_line(layout: str) -> None:
    # Before: "Step file the return." in the Hindi and generic layouts: a keycap holds no pictograph.
    line = "Step 1\ufe0f\u20e3 file the return."
    assert _story_lines(layout, "<p>Step <img class='emoji' alt='1\ufe0f\u20e3'> file the return.</p>", line) == [line]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        # Before: "Markets cheer" (the emoji lost) and "Rs 1,200 1 crore" (a footnote's mark in a link, a figure apart).
        ("<h1>Markets <img class='emoji' alt='\U0001f389'> cheer</h1>", "Markets \U0001f389 cheer"),
        ("<h1>Rs 1,200<sup><a href='#n1'>1</a></sup> crore</h1>", "Rs 1,200\u00b9 crore"),
        ("<figcaption>Rs 1,200<sup><a href='#n1'>1</a></sup> crore <img alt='India USA flags' src='f.jpg'></figcaption>", "Rs 1,200\u00b9 crore"),
        # Unchanged: a picture's description is no text.
        ("<h1>India <img alt='India USA flags' src='f.jpg'> talks</h1>", "India talks"),
    ],
)
def test_a_field_read_from_the_page_draws_emoji_and_raised_marks_as_the_body(markup: str, text: str) -> None:
    assert element_text(lxml_html.fromstring(markup)) == text


# --- "12:00 noon" -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["Sep 12 2024 | 12:00 noon IST", "Sep 12 2024 | 12.00 Noon IST", "Thu, 12 Sep 2024 12:00 noon IST"])
def test_twelve_o_clock_noon_is_read(written: str) -> None:
    # Before: None, where "12 noon" was read: a page, a sitemap or a feed dated so was undated.
    assert normalize_date(written) == "2024-09-12T12:00:00+05:30"


@pytest.mark.parametrize("written", ["Sep 12 2024 | 12:00 midnight IST", "Sep 12 2024 | 12:30 noon IST"])
def test_a_noon_or_midnight_that_cannot_be_read_surely_stays_unread(written: str) -> None:
    assert parse_date(written) is None


def test_a_shown_line_of_twelve_o_clock_noon_dates_the_page() -> None:
    # The structured data gone: before, datePublished null and the article dropped.
    shown = "First Published: Sep 12 2024 | 12:00 noon IST"
    extraction = _next_js((LD_PUBLISHED, ""), (META_PUBLISHED, ""), (NEXT_PUBLISHED, '"publishDate": null'), (SHOWN_PUBLISHED, shown))
    assert extraction.article.datePublished == "2024-09-12T12:00:00+05:30"
