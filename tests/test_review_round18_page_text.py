"""Review of round 18's page kinds and story text: a premium story the page holds whole is no paywall
stub for its last line lacking a full stop."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from html import escape

import pytest

from crawler.extraction import extract
from crawler.extraction.text import split_body
from tests.loopback.pages import SITE, render_current
from tests.pages import specs

PREMIUM = specs.PREMIUM
# Last lines of a whole story that end in no full stop: a columnist's bio, a credit line.
LAST_LINES = [
    "The writer is a former chief economist of the State Bank of India",
    "With inputs from PTI",
    "Views expressed are those of the writer \u2014 S Sethuraman",
]


def _whole_premium_page(last_line: str, *, split: bool, html_content: bool) -> tuple[str, list[str]]:
    """A premium page (its label and paywall box drawn) whose DOM holds the whole story: the part a
    reader without a subscription is not shown in ``.paywall-content`` (or no such split at all),
    ``htmlContent`` the whole story or absent, JSON-LD's ``articleBody`` left out."""
    paragraphs = [*PREMIUM.paragraphs, last_line]
    html = render_current(replace(PREMIUM, paragraphs=paragraphs, html_content=html_content))
    free = "".join(f"<div>{escape(p, quote=False)}</div>" for p in paragraphs[:2])
    rest = "".join(f"<div>{escape(p, quote=False)}</div>" for p in paragraphs[2:])
    inner = f'<div class="non-paywall-content">{free}</div><div class="paywall-content">{rest}</div>' if split else f'<div class="non-paywall-content">{free}{rest}</div>'
    html, count = re.subn(r'<div class="non-paywall-content">.*?</div><div class="paywall-content"></div>', lambda _: inner, html, flags=re.S)
    html, emptied = re.subn(r'("articleBody": )"(?:[^"\\]|\\.)*"', r'\1""', html)
    assert count == 1 and emptied
    return html, paragraphs


@pytest.mark.parametrize("last_line", LAST_LINES)
@pytest.mark.parametrize(
    ("split", "html_content"),
    [(True, True), (False, True), (True, False)],
    ids=["story-in-paywall-content+htmlContent", "no-split+htmlContent", "story-in-paywall-content-alone"],
)
def test_a_premium_story_the_page_holds_whole_is_no_paywall_stub_for_its_last_line(last_line: str, split: bool, html_content: bool) -> None:
    """A premium column held whole (in ``htmlContent``, or in the DOM's hidden ``.paywall-content``)
    whose last line ends in no full stop (the writer's bio, "With inputs from PTI"). Before: skipped
    as a paywall stub ("showing its free part alone (6 paragraphs)"), the whole story lost at every
    run, because the last line "stops short"; a line that stops short speaks of a cut only where the
    body is the page's visible part and the page holds no more of the story."""
    html, paragraphs = _whole_premium_page(last_line, split=split, html_content=html_content)
    article = extract(html.encode("utf-8"), SITE + PREMIUM.path).article
    assert article.isPremium
    assert article.articleBody == "\n".join(paragraphs)


# --- the disclaimer line: the site's label, not any line starting with the word ----------------------

STORY_LINES = {
    # The word without the label's colon, in a story about disclaimers.
    "word-in-a-story": "Disclaimer requirements for finfluencers, which Sebi says shape retail investors' views, take effect on Monday, Business Standard has learnt.",
    "plural-in-a-story": "Disclaimers on opinion pieces, including views published by Business Standard, were discussed at the meeting.",
    # The site's line run into the story's own text in one paragraph (a CMS that joined them, or
    # JSON-LD's articleBody without line breaks): the story's words must not go with it.
    "run-into-the-story": (
        "Disclaimer: These are personal views of the writer. They do not necessarily reflect the opinion of "
        "www.business-standard.com or the Business Standard newspaper. The Nifty closed at 22,000 on Friday, and "
        "analysts expect the index to rise further as foreign funds return to Indian equities after three months "
        "of selling, the strongest run of inflows since the general election was called, brokers said on Saturday."
    ),
}


@pytest.mark.parametrize("line", STORY_LINES.values(), ids=STORY_LINES.keys())
def test_a_story_line_that_starts_with_the_word_disclaimer_is_kept(line: str) -> None:
    """Before: each was dropped from the body as the site's disclaimer line (the pattern wanted the word
    "disclaimer" at the start, then "views" and "Business Standard" anywhere after), the story's own
    words lost with it."""
    body, _ = split_body(["The regulator issued its circular on Friday.", line, "The rules apply from April."])
    assert line in body


SITE_LINES = {
    "labelled-views-personal": "Disclaimer: Views are personal",
    "labelled-views-expressed": "Disclaimer: The views expressed are personal.",
    "dash-label": "DISCLAIMER \u2014 These are personal views of the writer. They do not necessarily reflect the opinion of Business Standard.",
    "analysts": (
        "Disclaimer: The views and investment tips expressed by investment experts on Business Standard are their own and not "
        "those of the website or its management. Business Standard advises users to check with certified experts before "
        "taking any investment decisions."
    ),
}


@pytest.mark.parametrize("line", SITE_LINES.values(), ids=SITE_LINES.keys())
def test_the_sites_disclaimer_line_is_no_line_of_the_story(line: str) -> None:
    """The line under a column in its other spellings. Before: "Disclaimer: Views are personal" stayed
    in the body while "(Views are personal)" alone went."""
    body, disclaimer = split_body(["The regulator issued its circular on Friday.", line])
    assert body == ["The regulator issued its circular on Friday."] and disclaimer is None


@pytest.mark.parametrize("tail", ["", " Business Standard. The end. The end."], ids=["no-site-named", "runs-on"])
def test_a_long_paragraph_after_a_disclaimer_label_costs_no_backtracking(tail: str) -> None:
    """A paragraph of 96,000 characters (JSON-LD's whole story in one line) that starts with the label
    and names views over and over. Before: the disclaimer's pattern backtracked over it, 40 seconds a
    pass (2.7 at 24,000 characters), and the body is split several times a page; now it is kept at
    once."""
    line = "Disclaimer: " + "the views of the writer " * 4000 + tail
    started = time.perf_counter()
    body, _ = split_body([line])
    assert body == [line]
    assert time.perf_counter() - started < 0.5
