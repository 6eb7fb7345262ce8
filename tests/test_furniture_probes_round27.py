"""Round 27 probes of a story's furniture inside its body: a pull quote, the page's date line, what stays."""

from __future__ import annotations

import pytest

from crawler.extraction.text import block_paragraphs, fragment, is_date_line, split_body
from crawler.extraction import extract
from tests.pages.cases import render_generic_opengraph
from tests.test_text_probes_round25 import GENERIC_SECOND, GENERIC_URL, LAYOUTS, _story_lines

QUOTE = "The ministry said collections would keep rising through the year."


def _lines(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root)


# --- a pull quote: a line of the story set again beside it ----------------------------------------

# The body had the line twice, once where the story says it and once as the pull quote.
PULL_QUOTES = {
    "blockquote": f"<p>{QUOTE}</p><blockquote class='pullquote'>{QUOTE}</blockquote>",
    "aside-cut-short": f"<p>{QUOTE}</p><aside class='pull-quote'><p>\u201cCollections would keep rising through the year\u201d</p></aside>",
    "with-attribution": f"<p>{QUOTE}</p><figure class='wp-block-pullquote'><blockquote><p>{QUOTE}</p><cite>Finance ministry</cite></blockquote></figure>",
    "before-its-line": f"<blockquote>{QUOTE.upper()}</blockquote><p>{QUOTE}</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(PULL_QUOTES))
def test_a_pull_quote_repeating_a_line_of_the_story_is_read_once(layout: str, kind: str) -> None:
    assert _story_lines(layout, PULL_QUOTES[kind], f"{QUOTE}\n{QUOTE}") == [QUOTE]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # A quotation the story gives once (a letter, a statement) is the story's.
        ("<p>The letter said:</p><blockquote><p>We regret the delay in the payment of dues.</p></blockquote>", ["The letter said:", "We regret the delay in the payment of dues."]),
        # A short quotation whose words the story also uses is no pull quote: too few to tell.
        ("<p>He said yes to the offer.</p><blockquote>Yes to the offer</blockquote>", ["He said yes to the offer.", "Yes to the offer"]),
        # An embedded post stays out as before.
        (f"<p>{QUOTE}</p><blockquote class='twitter-tweet'><p>{QUOTE}</p></blockquote>", [QUOTE]),
    ],
)
def test_a_quotation_the_story_does_not_repeat_stays(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


# A quotation whose words stand only where the body does not read them (the headline above the story, a share
# bar or script the layout skips, a hidden copy, another quotation) is no repeat of a line of the story: the first
# rule compared it with every text of the story's element and dropped it, so the line was nowhere in the body.
HEADLINE_QUOTE = "India will remain the fastest growing major economy this year, says Sitharaman"


def test_a_quotation_the_headline_repeats_stays_in_the_body() -> None:
    html = render_generic_opengraph().replace("<h1>GST collections rise 9% in April</h1>", f"<h1>{HEADLINE_QUOTE}</h1>")
    html = html.replace(GENERIC_SECOND, f"<blockquote>India will remain the fastest growing major economy this year</blockquote>{GENERIC_SECOND}")
    article = extract(html, GENERIC_URL).article
    assert "India will remain the fastest growing major economy this year" in article.articleBody.split("\n")


@pytest.mark.parametrize(
    "elsewhere",
    [
        f"<div class='share'>{QUOTE}</div>",  # a subtree the layout skips
        f"<script type='application/ld+json'>{{\"description\": \"{QUOTE}\"}}</script>",
        f"<p style='display:none'>{QUOTE}</p>",
        f"<blockquote>{QUOTE}</blockquote>",  # the same quotation twice, and nowhere in the story
    ],
)
def test_a_quotation_repeated_only_where_the_body_does_not_read_stays(elsewhere: str) -> None:
    root = fragment(f"<p>The statement came late.</p>{elsewhere}<blockquote>{QUOTE}</blockquote><p>Shares rose.</p>")
    assert root is not None
    lines = block_paragraphs(root, skip=lambda element: "share" in (element.get("class") or ""))
    assert QUOTE in lines and lines[0] == "The statement came late." and lines[-1] == "Shares rose."


# --- the page's date line inside the story's markup -----------------------------------------------

DATE_LINES = [
    "First Published: Feb 28 2024 | 3:42 PM IST",
    "Last Updated : Feb 28 2024 | 3:42 PM IST | First Published : Feb 28 2024 | 1:00 PM IST",
    "First Published: Fri, January 18 2019. 13:00 IST",
    "Last Updated at January 18, 2019 17:18 IST",
]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_pages_date_line_inside_the_story_is_no_line_of_the_body(layout: str) -> None:
    markup = "<p>The ministry said so.</p><p>First Published: Feb 28 2024 | 3:42 PM IST</p>"
    plain = "The ministry said so.\nFirst Published: Feb 28 2024 | 3:42 PM IST"
    assert _story_lines(layout, markup, plain) == ["The ministry said so."]


@pytest.mark.parametrize("line", DATE_LINES)
def test_each_form_of_the_date_line_is_furniture(line: str) -> None:
    assert is_date_line(line) and split_body(["One.", line]) == (["One."], None)


@pytest.mark.parametrize(
    "line",
    [
        "First Published in 1925, the magazine was sold to a trust.",
        "First Published: 1925",
        "First Published: Feb 28 2024 | 3:42 PM IST. The board met later that day.",
        "Published On: 12 Jan 2019",  # a quoted press release's wording, not the site's label
        "This story was updated to correct the GST figure.",
    ],
)
def test_a_line_of_the_story_that_holds_a_date_label_stays(line: str) -> None:
    assert not is_date_line(line) and split_body([line]) == ([line], None)


# --- what a reader copies with the story: it stays ------------------------------------------------

KEPT = {
    "agencies-credit": "<p>(With inputs from agencies)</p>",
    "correction-note": "<p><i>This story was updated to correct the GST figure.</i></p>",
    "faq": "<h3>FAQs</h3><details><summary>What is GST?</summary><p>A tax on goods and services.</p></details>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(KEPT))
def test_a_credit_a_correction_and_an_faq_stay_in_the_body(layout: str, kind: str) -> None:
    lines = _lines(KEPT[kind])
    assert _story_lines(layout, KEPT[kind], "\n".join(lines)) == lines
