"""Round 26 probes of the story's text against what a browser draws: hidden parts, corrections, raised digits, emoji."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from crawler.extraction.layouts.base import element_text
from crawler.extraction.text import block_paragraphs, fragment
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round10 import PAYWALL_BOX, PREMIUM_LABEL
from tests.test_text_probes_round25 import LAYOUTS, _story_lines


def _lines(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root)


# --- text in the markup that the page never draws ------------------------------------------------

# A CMS's leftovers hidden in the story (a duplicate line, an SEO keyword run, a dialog), and a
# screen reader's words kept off the screen: a reader sees none of it, the body had it as the story's.
UNSEEN = {
    "hidden-attribute": "<p>The board met on Monday.</p><p hidden>Keywords: tata motors share price</p>",
    "display-none-block": "<p>The board met on Monday.</p><div style='display:none'>Email this article</div>",
    "display-none-inline": "<p>The board met on Monday.<span style='DISPLAY: None !important;'> Tata Motors share price today</span></p>",
    "visibility-hidden": "<p>The board met on Monday.</p><div style='color:red; visibility : hidden'>Copy URL</div>",
    "screen-reader-text": "<p>The board met on <span class='sr-only'>the day of the week</span>Monday.</p>",
    "visually-hidden": "<p>The board met on <span class='note visually-hidden'>the day of the week</span>Monday.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(UNSEEN))
def test_text_the_page_never_draws_is_no_text_of_the_body(layout: str, kind: str) -> None:
    assert _story_lines(layout, UNSEEN[kind], "The board met on Monday.") == ["The board met on Monday."]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # The premium story's rest, hidden until the reader subscribes, however the page hides it.
        ("<p>Free part.</p><div class='paywall-content' style='display:none'><p>Paid part.</p></div>", ["Free part.", "Paid part."]),
        ("<p>Free part.</p><div hidden><div class='paywall-content'><p>Paid part.</p></div></div>", ["Free part.", "Paid part."]),
        # A part shown on a tap (AMP's binding), or by a search of the page.
        ("<p>One.</p><div hidden [hidden]='!more'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div hidden='until-found'><p>Two.</p></div>", ["One.", "Two."]),
        # A later declaration shows it again; a child styled visible is drawn.
        ("<p>One.</p><div style='display:none; display:block'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='visibility:hidden'><p style='visibility: visible'>Two.</p></div>", ["One.", "Two."]),
        # Not a hiding style: a word that holds one, a class a stylesheet gives meaning to.
        ("<p style='mso-display:none'>One.</p><p class='hidden d-none'>Two.</p>", ["One.", "Two."]),
        ("<p style='border: none'>One.</p><p style='overflow: hidden'>Two.</p>", ["One.", "Two."]),
    ],
)
def test_hidden_text_a_reader_is_shown_on_asking_stays(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


@pytest.mark.parametrize("hiding", ['style="display: none;"', "hidden"])
def test_a_premium_story_whose_paywall_part_the_page_hides_inline_is_read_whole(hiding: str) -> None:
    html, url, expected = _fixture("nextjs-2023/premium")
    html = _once(_once(html, PREMIUM_LABEL, ""), PAYWALL_BOX, "")
    rest = "".join(f"<div>{p}</div>" for p in str(expected["articleBody"]).split("\n")[2:])
    html = _once(html, '<div class="paywall-content"></div>', f'<div class="paywall-content" {hiding}>{rest}</div>')
    article = extract(html.encode(), url).article
    assert article.isPremium is True and article.articleBody == expected["articleBody"]


# --- corrections: what the story says now --------------------------------------------------------

# A correction marked up as HTML has it: the figure taken back struck out (<del>, <s>, <strike>), the
# new one inserted (<ins>). The body lost the inserted words (an <ins> was taken for an ad slot) and
# kept the struck ones: "rose 12 per cent" where the page corrects it to 15.
CORRECTIONS = {
    "del-ins": "<p>Profit rose <del>12</del> <ins>15</ins> per cent.</p>",
    "ins-alone": "<p>Profit rose <ins>15</ins> per cent.</p>",
    "s": "<p>Profit rose <s>12</s> 15 per cent.</p>",
    "strike": "<p>Profit rose <strike>12</strike> <ins datetime='2024-02-28'><b>15</b></ins> per cent.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(CORRECTIONS))
def test_a_correction_reads_as_the_page_now_says(layout: str, kind: str) -> None:
    assert _story_lines(layout, CORRECTIONS[kind], "Profit rose 15 per cent.") == ["Profit rose 15 per cent."]


def test_an_ad_slot_ins_adds_no_text() -> None:
    assert _lines("<p>One <ins class='adsbygoogle' style='display:block' data-ad-slot='1'></ins>two.</p>") == ["One two."]


# --- raised digits ---------------------------------------------------------------------------------

# "10<sup>6</sup> tonnes" was "106 tonnes", and a footnote's mark ran into the figure before it,
# "Rs 1,200<sup>1</sup>" read "Rs 1,2001": figures no reader saw.
@pytest.mark.parametrize("layout", LAYOUTS)
def test_raised_digits_are_not_read_into_the_figure_before_them(layout: str) -> None:
    markup = "<p>Output of 10<sup>6</sup> tonnes at Rs 1,200<sup><a href='#fn1'>1</a></sup> a tonne, 5<sup>th</sup> year, CO<sub>2</sub>.</p>"
    assert _story_lines(layout, markup, "Output of 10^6 tonnes at Rs 1,200 a tonne, 5th year, CO2.") == [
        "Output of 10\u2076 tonnes at Rs 1,200\u00b9 a tonne, 5th year, CO2."
    ]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<h1>Output rises to 10<sup>6</sup> tonnes</h1>", "Output rises to 10\u2076 tonnes"),
        ("<figcaption>Area of 40 m<sup>2</sup> (Photo: PTI)</figcaption>", "Area of 40 m\u00b2 (Photo: PTI)"),
        ("<h1>Errors of 10<sup>-3</sup> in the 5<sup>th</sup> test</h1>", "Errors of 10\u207b\u00b3 in the 5th test"),
    ],
)
def test_raised_digits_in_a_field_read_from_the_page_are_drawn_raised(markup: str, text: str) -> None:
    root = fragment(markup)
    assert root is not None
    assert element_text(root[0]) == text


# --- emoji drawn as pictures ---------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_emoji_drawn_as_a_picture_is_a_character_of_its_line(layout: str) -> None:
    markup = "<p>Markets cheer <img class='emoji' alt='\U0001f389' src='/e/1f389.png'> the budget <img alt='\U0001f44d\U0001f3fd' src='x.png'>.</p>"
    assert _story_lines(layout, markup, "Markets cheer the budget.") == ["Markets cheer \U0001f389 the budget \U0001f44d\U0001f3fd."]


def test_a_pictures_description_is_no_text_of_the_line() -> None:
    assert _lines("<p>India <img alt='India USA flags' src='f.png'> and <img alt='\u2605 rating' src='s.png'> the US.</p>") == ["India and the US."]
