"""Round 25 probes of the story's text as a reader sees it on the page: lists and tables, in every layout."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.text import block_paragraphs, fragment
from tests.item_contract import contract_problems
from tests.loopback.pages import SITE, render_amp, render_current, render_legacy
from tests.pages.cases import HINDI_BUDGET, HINDI_SITE, render_generic_opengraph, render_hindi
from tests.pages.specs import SEED

LAYOUTS = ["nextjs", "nextjs-dom", "nextjs-dom-europe", "amp", "pre2023", "hindi", "generic"]
PLACEHOLDER = "BODYX"
GENERIC_URL = "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html"
GENERIC_SECOND = "<p>Collections from imports grew faster than domestic collections.</p>"


def _page(layout: str, markup: str, plain: str) -> tuple[str, str]:
    """A page of ``layout`` whose story holds ``markup`` after its first paragraph: as the CMS wrote it
    in ``htmlContent``, as the page draws it, and as ``plain`` text in JSON-LD's ``articleBody`` (the
    story with its tags stripped)."""
    if layout == "hindi":
        story = replace(HINDI_BUDGET, paragraphs=[HINDI_BUDGET.paragraphs[0], PLACEHOLDER, *HINDI_BUDGET.paragraphs[1:]])
        html = render_hindi(story).replace(f"<div>{PLACEHOLDER}&nbsp;</div>", markup).replace(PLACEHOLDER, plain)
        return html, f"{HINDI_SITE}/storypage.php?autono={story.autono}"
    if layout == "generic":
        html = render_generic_opengraph()
        assert GENERIC_SECOND in html
        return html.replace(GENERIC_SECOND, markup + GENERIC_SECOND), GENERIC_URL
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], PLACEHOLDER, *SEED.paragraphs[2:4]])
    url = SITE + spec.path
    html, url = {
        "nextjs": (render_current(spec), url),
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "nextjs-dom-europe": (render_current(replace(spec, region="europe", html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }[layout]

    def in_json(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)[1:-1].replace("</", "<\\/")

    html = re.sub(r'<script id="__NEXT_DATA__".*?</script>', lambda m: m.group().replace(PLACEHOLDER, in_json(markup)), html, flags=re.S)
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', lambda m: m.group().replace(PLACEHOLDER, in_json(plain)), html, flags=re.S)
    return html.replace(PLACEHOLDER, markup), url


def _story_lines(layout: str, markup: str, plain: str) -> list[str]:
    """The body's lines the markup gave (those after the story's first paragraph, before its next)."""
    html, url = _page(layout, markup, plain)
    article = extract(html, url).article
    assert contract_problems(article, future_skew=None) == []
    lines = article.articleBody.split("\n")
    if layout == "hindi":
        first, after = HINDI_BUDGET.paragraphs[0], HINDI_BUDGET.paragraphs[1]
    elif layout == "generic":
        first, after = lines[0], "Collections from imports grew faster than domestic collections."
    else:
        first, after = SEED.paragraphs[0], SEED.paragraphs[2]
    return lines[lines.index(first) + 1 : lines.index(after)]


# --- ordered lists: the numbers a browser draws ---------------------------------------------------

# A story's numbered list ("The three changes: 1. … 2. … 3. …"): the browser draws each item's
# number, which the markup does not hold. The body had the items without them, so "the second of
# these" in the next paragraph named nothing a reader of the item could count.
STEPS = (
    "<ol><li>File the return by July 31</li><li>Pay the tax due with interest</li>"
    "<li><p>Verify it within <b>30</b> days</p></li></ol>"
)
NUMBERED = ["1. File the return by July 31", "2. Pay the tax due with interest", "3. Verify it within 30 days"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_ordered_lists_items_keep_the_numbers_the_page_shows(layout: str) -> None:
    plain = "File the return by July 31\nPay the tax due with interest\nVerify it within 30 days"
    assert _story_lines(layout, STEPS, plain) == NUMBERED


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_unordered_lists_items_are_lines_without_numbers(layout: str) -> None:
    markup = "<ul><li>Sensex fell 1.2 per cent</li><li>Nifty fell <a href='/markets'>0.9</a> per cent</li></ul>"
    assert _story_lines(layout, markup, "Sensex fell 1.2 per cent\nNifty fell 0.9 per cent") == ["Sensex fell 1.2 per cent", "Nifty fell 0.9 per cent"]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        ("<ol start='4'><li>d</li><li>e</li></ol>", ["4. d", "5. e"]),
        ("<ol reversed><li>bronze</li><li>silver</li><li>gold</li></ol>", ["3. bronze", "2. silver", "1. gold"]),
        ("<ol reversed start='10'><li>x</li><li>y</li></ol>", ["10. x", "9. y"]),
        ("<ol><li>a</li><li value='7'>b</li><li>c</li></ol>", ["1. a", "7. b", "8. c"]),
        ("<ol type='a'><li>x</li><li>y</li></ol>", ["a. x", "b. y"]),
        ("<ol type='A' start='27'><li>x</li></ol>", ["AA. x"]),
        ("<ol type='i' start='4'><li>x</li><li>y</li></ol>", ["iv. x", "v. y"]),
        ("<ol type='I'><li>x</li><li type='a'>y</li></ol>", ["I. x", "b. y"]),
        ("<ol type='i' start='0'><li>x</li></ol>", ["0. x"]),
        ("<ol start='three'><li>x</li></ol>", ["1. x"]),
        # An item holding a list of its own: each list numbered by itself; an unordered one not.
        ("<ol><li>Rates<ol><li>repo</li><li>reverse repo</li></ol></li><li>Growth<ul><li>GDP</li></ul></li></ol>",
         ["1. Rates", "1. repo", "2. reverse repo", "2. Growth", "GDP"]),
        # Its text after a line break, or in two paragraphs: the number before the first.
        ("<ol><li><br>After a break</li><li><p>One</p><p>Two</p></li></ol>", ["1. After a break", "2. One", "Two"]),
        # White space between the items (as a CMS writes them), an item left empty (its embed
        # removed): no line of a number alone, and the numbers the browser draws.
        ("<ol>\n  <li>x</li>\n  <li><script>ad()</script></li>\n  <li>z</li>\n</ol>", ["1. x", "3. z"]),
        # A list styled without numbers shows none; an item whose number is typed in its text (the
        # stylesheet hiding the browser's) is numbered once.
        ("<ol style='list-style-type: none'><li>x</li></ol>", ["x"]),
        ("<ol><li style='list-style: none'>x</li><li>y</li></ol>", ["x", "2. y"]),
        ("<ol><li>1. Typed</li><li>2) Typed</li><li>(iii) Typed</li><li><b>(d)</b> Typed</li></ol>",
         ["1. Typed", "2) Typed", "(iii) Typed", "(d) Typed"]),
        # An item starting with an initial or a dotted abbreviation is numbered.
        ("<ol><li>U.S. tariffs rise</li><li>R. Dinesh said</li></ol>", ["1. U.S. tariffs rise", "2. R. Dinesh said"]),
    ],
)
def test_an_ordered_list_is_numbered_as_a_browser_numbers_it(markup: str, lines: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == lines


def test_a_list_of_a_hundred_thousand_items_is_numbered_in_one_pass() -> None:
    # Each item's number is made once, when its list is entered (not by counting the items before it).
    root = fragment("<ol>" + "<li>x</li>" * 100_000 + "</ol>")
    assert root is not None
    paragraphs = block_paragraphs(root)
    assert (len(paragraphs), paragraphs[0], paragraphs[-1]) == (100_000, "1. x", "100000. x")


@pytest.mark.parametrize("layout", ["nextjs-dom-europe", "amp", "pre2023", "generic"])
def test_stories_an_also_read_label_promotes_in_a_numbered_list_stay_out_of_the_body(layout: str) -> None:
    markup = (
        "<p>Also Read:</p><ol><li><a href='/markets/news/rupee-hits-low-124022800111_1.html'>Rupee hits a record low</a></li>"
        "<li><a href='/markets/news/sensex-falls-124022800112_1.html'>Sensex falls 500 points</a></li></ol><p>The ministry said so.</p>"
    )
    assert _story_lines(layout, markup, "The ministry said so.") == ["The ministry said so."]
