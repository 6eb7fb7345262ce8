"""Review of round 28's late extraction changes: a bold "also read" of the story's."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from tests.test_text_probes_round25 import LAYOUTS, _page, _story_lines

LINKED = "https://www.business-standard.com/markets/news/nse-revises-lot-sizes-124100200077_1.html"
PROMOTED = "https://www.business-standard.com/markets/news/sebi-tightens-rules-for-f-o-trading-124100100512_1.html"
PROMO = f"<a href='{PROMOTED}'>Sebi tightens rules for F&amp;O trading</a>"


# --- a bold "also read" that is the story's words, not a promo's label ----------------------------------------------

# A sentence that sets "also read" in bold, with a link of the story's beside or inside the bold run.
STORY_BOLD = {
    "label-words-then-link": f"<p>Investors must <b>also read</b> <a href='{LINKED}'>the order</a> before trading.</p>",
    "link-inside": f"<p>Investors must <strong>also read <a href='{LINKED}'>the order</a></strong> before trading.</p>",
    "sentence-in-bold": f"<p>Investors were told. <b>Also read the <a href='{LINKED}'>Sebi order</a> carefully</b>, the broker said.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(STORY_BOLD))
def test_a_bold_also_read_in_a_storys_sentence_keeps_its_words(layout: str, kind: str) -> None:
    # Before: read as an inline promo and dropped with its link, "Investors must before trading." and
    # "Investors were told. , the broker said." (round 28 made the Next.js rule every layout's).
    markup = STORY_BOLD[kind]
    words = "Investors were told. Also read the Sebi order carefully, the broker said." if kind == "sentence-in-bold" else "Investors must also read the order before trading."
    assert _story_lines(layout, markup, words) == [words]
    assert LINKED not in [r.url for r in extract(*_page(layout, markup, "")).article.alsoRead]


# The promos a bold "Also Read" with no separator is written in: still left out, their story related.
BOLD_PROMOS = {
    "capitals": f"<p>Shares fell. <b>ALSO READ {PROMO}</b> Volumes rose.</p>",
    "label-then-link": f"<p>Shares fell. <strong>Also Read</strong> {PROMO} Volumes rose.</p>",
    "sentence-case": f"<p>Shares fell. <b>Also read {PROMO}</b> Volumes rose.</p>",
    "decorated-with-a-stop": f"<p>Shares fell. <b>\u25ba Also Read {PROMO}.</b> Volumes rose.</p>",
    "bracketed": f"<p>Shares fell. <b>(Also Read {PROMO})</b> Volumes rose.</p>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(BOLD_PROMOS))
def test_a_bold_also_read_promo_without_a_separator_still_leaves_the_body(layout: str, kind: str) -> None:
    markup = BOLD_PROMOS[kind]
    assert _story_lines(layout, markup, "Shares fell. Volumes rose.") == ["Shares fell. Volumes rose."]
    assert PROMOTED in [r.url for r in extract(*_page(layout, markup, "")).article.alsoRead]
