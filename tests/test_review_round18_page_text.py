"""Review of round 18's page kinds and story text: a premium story the page holds whole is no paywall
stub for its last line lacking a full stop."""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape

import pytest

from crawler.extraction import extract
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

