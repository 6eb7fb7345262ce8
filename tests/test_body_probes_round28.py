"""Round 28 probes of the body text's leftovers: inline promos in every layout, the promo's own related links, drop caps."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from crawler.extraction import extract
from crawler.extraction.layouts.base import element_text
from crawler.extraction.text import block_paragraphs, fragment
from tests.test_text_probes_round25 import LAYOUTS, _page, _story_lines

PROMOTED = "https://www.business-standard.com/markets/news/sebi-tightens-rules-for-f-o-trading-124100100512_1.html"
PROMOTED_HEADLINE = "Sebi tightens rules for F&O trading"
# A story the story's own line links (not promoted), and a page of another site.
LINKED = "https://www.business-standard.com/markets/news/nse-revises-lot-sizes-124100200077_1.html"
OFF_SITE = "https://www.sebi.gov.in/legal/circulars/oct-2024/measures.html"


# --- an inline promo run inside a story's paragraph, in every layout -----------------------------------------------

PROMO = f"<a href='{PROMOTED}'>{PROMOTED_HEADLINE}</a>"
# The promo's run inside a line of the story, the story's words before and after it.
INLINE_RUNS = {
    "bold": f"<b>Also Read: {PROMO}</b>",
    "strong-capitals": f"<strong>ALSO READ | {PROMO}</strong>",
    "italic": f"<i>Read more: {PROMO}</i>",
    "the-link-itself": f"<a href='{PROMOTED}'>Also Read: {PROMOTED_HEADLINE}</a>",
    "hindi": f"<strong>यह भी पढ़ें: {PROMO}</strong>",
    "bold-label-then-link": f"<b>Also read | </b>{PROMO}",
    "bold-label-in-link": f"<b><a href='/latest-news'>Also Read</a>: {PROMO}</b>",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(INLINE_RUNS))
def test_an_inline_promo_run_leaves_the_body_of_every_layout_and_no_story_words(layout: str, kind: str) -> None:
    # Before: on pre-2023, Hindi and generic pages the run stayed in the line, "Shares fell. Also Read:
    # Sebi tightens rules for F&O trading Volumes rose." (the Next.js and AMP layouts dropped it), and a
    # bold label with the link after it stayed in every layout.
    markup = f"<p>Shares fell 2 per cent. {INLINE_RUNS[kind]} Volumes rose.</p>"
    assert _story_lines(layout, markup, "Shares fell 2 per cent. Volumes rose.") == ["Shares fell 2 per cent. Volumes rose."]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(INLINE_RUNS))
def test_an_inline_promo_runs_story_is_a_related_link(layout: str, kind: str) -> None:
    html, url = _page(layout, f"<p>Shares fell 2 per cent. {INLINE_RUNS[kind]} Volumes rose.</p>", "")
    assert [r.headline for r in extract(html, url).article.alsoRead if r.url == PROMOTED] == [PROMOTED_HEADLINE]


# A run that holds "read" and a link, but is no promo: the story's words stay.
STORY_RUNS = [
    f"<p>Shares fell. <b>Investors should <a href='{LINKED}'>read more</a> of the order</b> before Monday.</p>",
    f"<p>Shares fell. <i>Also read the <a href='{OFF_SITE}'>circular</a></i> before Monday.</p>",
    f"<p>Shares fell. <b>Read</b> <a href='{LINKED}'>the order</a> before Monday.</p>",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("markup", STORY_RUNS)
def test_a_run_of_the_storys_words_with_a_link_stays(layout: str, markup: str) -> None:
    line = lxml_html.fragment_fromstring(markup).text_content()
    assert _story_lines(layout, markup, line) == [" ".join(line.split())]


# --- only the promo's own links are related links ------------------------------------------------------------------

# A label's line, its link's line, then lines of the story with links in them.
AFTER_A_LABEL = {
    "label-line": f"<p>Also Read</p><p>{PROMO}</p>",
    "bold-label-line": f"<p><strong>Also Read</strong></p><p>{PROMO}</p>",
    "heading-label": f"<h3>Also Read</h3><p>{PROMO}</p>",
    "inline": f"<p><b>Also Read: {PROMO}</b></p>",
    "label-then-list": f"<p>Also Read</p><ul><li>{PROMO}</li></ul>",
    "label-then-numbered-list": f"<p><b>Also Read:</b></p><ol><li>{PROMO}</li></ol>",
}
STORY_AFTER = (
    f"<p>Sebi's <a href='{LINKED}'>earlier order</a> raised lot sizes.</p>"
    f"<p>The <a href='{OFF_SITE}'>circular</a> takes effect in November.</p>"
)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", list(AFTER_A_LABEL))
def test_links_in_the_storys_lines_after_a_promo_are_no_related_links(layout: str, kind: str) -> None:
    # Before: on AMP, Hindi and generic pages (no related list after the story), every link after an
    # "Also Read" line was taken as the related list: the story's own links too.
    article = extract(*_page(layout, AFTER_A_LABEL[kind] + STORY_AFTER, "")).article
    urls = [r.url for r in article.alsoRead]
    assert PROMOTED in urls
    assert LINKED not in urls and OFF_SITE not in urls
    assert "Sebi's earlier order raised lot sizes." in article.articleBody


# --- drop caps: an element inside a word ---------------------------------------------------------------------------

DROP_CAPS = [
    ('<span class="dropcap" aria-hidden="true">S</span>ensex fell 1.2 per cent', "Sensex fell 1.2 per cent"),
    ('<span class="first-letter">S</span>ensex fell 1.2 per cent', "Sensex fell 1.2 per cent"),
    ('<span style="float:left;font-size:3em">T</span>he index fell', "The index fell"),
    ("<b>\u201cW</b>e will not cut rates,\u201d Das said", "\u201cWe will not cut rates,\u201d Das said"),
    ("<big>I</big>ndia's exports rose", "India's exports rose"),
    ("<span>ब</span>ाजार गिरा", "बाजार गिरा"),
]


@pytest.mark.parametrize(("markup", "text"), DROP_CAPS)
@pytest.mark.parametrize("holder", ["p", "h1", "figcaption", "a"])
def test_a_drop_cap_is_no_word_of_its_own_in_a_field(markup: str, text: str, holder: str) -> None:
    # Before: "S ensex fell 1.2 per cent" in a headline, caption or related story's headline.
    root = fragment(f"<{holder}>{markup}</{holder}>")
    assert root is not None
    assert element_text(root[0]) == text
    assert block_paragraphs(root) == [text]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        # Elements between two words, or blocks, still part them.
        ("<span>AP</span><span>Miami</span>", "AP Miami"),
        ("<div>Sensex</div><div>falls</div>", "Sensex falls"),
        ("<p>Markets</p><p>rally</p>", "Markets rally"),
        ("<span>Mumbai</span><br>the city", "Mumbai the city"),
        ("<b>Sensex</b> <i>falls</i>", "Sensex falls"),
    ],
)
def test_elements_between_words_or_blocks_still_part_them(markup: str, text: str) -> None:
    root = fragment(f"<div>{markup}</div>")
    assert root is not None and element_text(root[0]) == text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_drop_cap_in_a_promoted_storys_headline(layout: str) -> None:
    # Before: "S ebi tightens rules for F&O trading" as the related story's headline.
    promo = f"<p><b>Also Read: <a href='{PROMOTED}'><span class='dropcap'>S</span>ebi tightens rules for F&amp;O trading</a></b></p>"
    article = extract(*_page(layout, promo, "")).article
    assert [r.headline for r in article.alsoRead if r.url == PROMOTED] == [PROMOTED_HEADLINE]
