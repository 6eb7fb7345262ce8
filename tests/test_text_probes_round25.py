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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_promo_as_a_numbered_lists_item_stays_out_of_the_body(layout: str) -> None:
    markup = "<ol><li>The ministry said so.</li><li>Click here to follow our WhatsApp channel</li></ol>"
    assert _story_lines(layout, markup, "The ministry said so.") == ["1. The ministry said so."]


@pytest.mark.parametrize("layout", ["nextjs-dom-europe", "amp", "pre2023", "generic"])
def test_stories_an_also_read_label_promotes_in_a_numbered_list_stay_out_of_the_body(layout: str) -> None:
    markup = (
        "<p>Also Read:</p><ol><li><a href='/markets/news/rupee-hits-low-124022800111_1.html'>Rupee hits a record low</a></li>"
        "<li><a href='/markets/news/sensex-falls-124022800112_1.html'>Sensex falls 500 points</a></li></ol><p>The ministry said so.</p>"
    )
    assert _story_lines(layout, markup, "The ministry said so.") == ["The ministry said so."]


# --- a table's cell of several lines --------------------------------------------------------------

# A results table whose name cells run over two lines ("Tata Motors<br>(NSE)", a unit under a heading
# in a paragraph of its own, as a word processor pastes it): the row is one line, its cells apart. The
# body broke the row at the cell's line break, the figures on a line without the name they belong to
# ("Tata", "Motors | 1,200"; "Revenue", "(Rs crore)", "1,00,512"), or a line of one figure alone.
RESULTS = (
    "<table><tr><th><p>Revenue</p><p>(Rs crore)</p></th><th>Q3FY24</th><th>Q3FY23</th></tr>"
    "<tr><td>Tata Motors<br>(NSE)</td><td>1,10,577</td><td>88,489</td></tr>"
    "<tr><td><div>Tata Steel</div><div><i>(BSE)</i></div></td><td><p>55,312</p></td><td>57,084</td></tr></table>"
)
RESULT_LINES = ["Revenue (Rs crore) | Q3FY24 | Q3FY23", "Tata Motors (NSE) | 1,10,577 | 88,489", "Tata Steel (BSE) | 55,312 | 57,084"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_table_cell_of_several_lines_keeps_its_row_one_line(layout: str) -> None:
    plain = "Revenue(Rs crore)Q3FY24Q3FY23\nTata Motors(NSE)1,10,57788,489\nTata Steel(BSE)55,31257,084"
    assert _story_lines(layout, RESULTS, plain) == RESULT_LINES


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # A layout table's cell: the story's paragraphs, longer than a name or a figure, stay paragraphs.
        ("<table><tr><td><p>" + "The board met on Monday and approved the plan. " * 5 + "</p><p>The shares rose.</p></td></tr></table>",
         [("The board met on Monday and approved the plan. " * 5).strip(), "The shares rose."]),
        # So are sentences, however short (the lines of a story beside its picture's credit).
        ("<table><tr><td><p>Photo: PTI</p></td><td><div><p>Story one.</p><p>Story two!</p></div></td></tr></table>",
         ["Photo: PTI", "Story one.", "Story two!"]),
        ("<table><tr><td>पहली पंक्ति।<br>दूसरी पंक्ति।</td></tr></table>", ["पहली पंक्ति।", "दूसरी पंक्ति।"]),
        # A cell holding a table of its own is a layout table's too.
        ("<table><tr><td><p>Prices</p><table><tr><td>Gold</td><td>62,000</td></tr></table></td></tr></table>", ["Prices", "Gold | 62,000"]),
        # A list in a cell: its items one cell; a cell of one line as before.
        ("<table><tr><td><ul><li>Repo</li><li>Reverse repo</li></ul></td><td>6.5%</td></tr></table>", ["Repo Reverse repo | 6.5%"]),
        ("<table><tr><td>Tata Motors</td><td>1,200</td></tr></table>", ["Tata Motors | 1,200"]),
        # A script in a cell (an ad's) adds nothing to its length: the cell is still a cell of figures.
        ("<table><tr><td>Tata<script>" + "x" * 500 + "</script><br>Motors</td><td>1</td></tr></table>", ["Tata Motors | 1"]),
    ],
)
def test_only_a_cell_of_names_or_figures_is_read_as_one(markup: str, lines: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == lines


def test_nested_layout_tables_keep_their_paragraphs() -> None:
    # 600 tables nested, each cell holding ten paragraphs and the next table (the last cell's ten
    # paragraphs longer than a name or a figure): read as their paragraphs, no cell as one line.
    line = "The board approved the plan today."
    root = fragment(("<table><tr><td>" + f"<p>{line}</p>" * 10) * 600 + "<p>end</p>")
    assert root is not None
    paragraphs = block_paragraphs(root)
    assert paragraphs.count(line) == 6000 and paragraphs[-1] == "end"


def test_a_cell_read_as_its_one_paragraph_ends_the_cell() -> None:
    # The row's last cell holding its figure in a paragraph of its own: the lines after the table
    # are lines of their own, not run on into the row.
    root = fragment("<div><table><tr><td><div>Tata</div><div>Steel</div></td><td><p>55,312</p></td></tr></table></div><div>The shares rose.</div>")
    assert root is not None
    assert block_paragraphs(root) == ["Tata Steel | 55,312", "The shares rose."]


# --- a table's empty corner ----------------------------------------------------------------------

# A results table's heading row starts with an empty cell, above the rows' names (blank, or an empty
# paragraph as a word processor pastes it): the body dropped it, so the headings moved one column
# left, each over the figures of the column before ("Q3FY24 | Q3FY23 | YoY" over "Revenue | 1,10,577
# | 88,489 | 25%": Q3FY24 above the names).
CORNER = (
    "<table><tr><td><p>&nbsp;</p></td><td><p>Q3FY24</p></td><td><p>Q3FY23</p></td><td><p>YoY</p></td></tr>"
    "<tr><td><p>Revenue</p></td><td><p>1,10,577</p></td><td><p>88,489</p></td><td><p>25%</p></td></tr>"
    "<tr><th></th><th></th><th>Q2FY24</th></tr></table>"
)
CORNER_LINES = ["| Q3FY24 | Q3FY23 | YoY", "Revenue | 1,10,577 | 88,489 | 25%", "| | Q2FY24"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_tables_empty_corner_keeps_each_heading_over_its_column(layout: str) -> None:
    plain = "Q3FY24Q3FY23YoY\nRevenue1,10,57788,48925%\nQ2FY24"
    assert _story_lines(layout, CORNER, plain) == CORNER_LINES


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # Empty cells at a row's end separate nothing; a row of empty cells is no line.
        ("<table><tr><td>Tata</td><td>5</td><td></td><td> </td></tr><tr><td></td><td>&nbsp;</td></tr></table>", ["Tata | 5"]),
        # An empty cell between two keeps its place, as before.
        ("<table><tr><td>Tata</td><td></td><td>5</td></tr></table>", ["Tata | | 5"]),
        # A layout table's spacer cell before the story's cell (sentences, or paragraphs of their own) adds nothing.
        ("<table><tr><td width='5'></td><td>The board met on Monday.<br>It approved the plan.</td></tr></table>",
         ["The board met on Monday.", "It approved the plan."]),
        ("<table><tr><td width='5'></td><td><p>Para one.</p><p>Para two</p></td></tr></table>", ["Para one.", "Para two"]),
        # A corner holding a picture (a logo column) is still a cell of the row.
        ("<table><tr><td><img src='logo.png'></td><td>Q1</td></tr><tr><td>Tata</td><td>5</td></tr></table>", ["| Q1", "Tata | 5"]),
    ],
)
def test_empty_cells_keep_the_columns_and_add_no_line(markup: str, lines: list[str]) -> None:
    root = fragment(markup)
    assert root is not None
    assert block_paragraphs(root) == lines


# --- a comment between two texts of a field read from the page ------------------------------------

# React's server rendering (the Next.js site's) writes "<!-- -->" between two texts it puts side by
# side, "Rs<!-- -->500", "Q<!-- -->3"; a CMS's or a cache's comment may sit there too. A reader sees
# none: the fields read from the page's elements read "Rs 500", "Q 3", where the body (and JSON) has
# "Rs500", "Q3".
SHOWN = "Rs500 crore in Q3FY24"
WITH_COMMENTS = "Rs<!-- -->500 crore in Q<!-- -->3<!--googleoff: all-->FY<?php echo 24 ?>24"


def _fields_page(layout: str, markup: str, text: str) -> tuple[str, str]:
    """A page whose standfirst, caption, related story's headline and topic show ``markup`` in the
    page's elements and ``text`` in its structured data."""
    spec = replace(SEED, standfirst="STANDFIRSTX", image_caption="CAPTIONX", also_read=[("RELATEDX", SEED.also_read[0][1])], topics=["TOPICX"])
    url = SITE + spec.path
    html, url = {
        "nextjs": (render_current(spec), url),
        "nextjs-dom": (render_current(replace(spec, html_content=False)), url),
        "amp": (render_amp(spec), SITE + "/amp" + spec.path),
        "pre2023": (render_legacy(spec), f"{SITE}/article/india-news/{spec.slug}-{spec.article_id}_1.html"),
    }[layout]
    for placeholder in ("STANDFIRSTX", "CAPTIONX", "RELATEDX", "TOPICX"):
        html = html.replace(f">{placeholder}<", f">{placeholder[:3]} {markup}<").replace(placeholder, f"{placeholder[:3]} {text}")
    return html, url


@pytest.mark.parametrize("layout", ["nextjs", "nextjs-dom", "amp", "pre2023"])
def test_a_comment_between_two_texts_adds_no_space_to_a_field_read_from_the_page(layout: str) -> None:
    result = extract(*_fields_page(layout, WITH_COMMENTS, SHOWN))
    article = result.article
    assert article.mainImage is not None and article.mainImage.caption == f"CAP {SHOWN}"
    assert article.description == f"STA {SHOWN}"
    assert [a.headline for a in article.alsoRead][:1] in ([], [f"REL {SHOWN}"])
    assert article.topics == [f"TOP {SHOWN}"]
    assert "mainImage.caption" not in result.provenance.disagreements


def test_a_comment_inside_a_hindi_headline_adds_no_space() -> None:
    story = replace(HINDI_BUDGET, headline=f"बजट में {SHOWN}")
    html = render_hindi(story)
    h1 = f">{story.headline}</h1>"
    assert h1 in html
    html = html.replace(h1, f">बजट में {WITH_COMMENTS}</h1>")
    result = extract(html, f"{HINDI_SITE}/storypage.php?autono={story.autono}")
    assert result.article.headline == f"बजट में {SHOWN}"
    assert "headline" not in result.provenance.disagreements


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<h1>Rs<!-- -->500</h1>", "Rs500"),
        # A comment between words keeps the spaces around it; between two elements of their own, as before.
        ("<h1>Sensex <!-- x --> falls</h1>", "Sensex falls"),
        ("<p><span>AP</span><!-- --><span>Miami</span></p>", "AP Miami"),
        ("<p>Tata<!-- a --><!-- b -->Motors<sup>1</sup></p>", "TataMotors\u00b9"),  # (a raised digit drawn raised: round 26)
    ],
)
def test_a_comment_is_no_text_of_an_element(markup: str, text: str) -> None:
    from crawler.extraction.layouts.base import element_text

    root = fragment(markup)
    assert root is not None
    assert element_text(root[0]) == text


# An empty <sup></sup> or <sub></sub> (an editor's leftover) between two elements of such a field, or
# a <wbr> there: the article was lost as unreadable ("IndexError: string index out of range").
@pytest.mark.parametrize("markup", ["<b>Rs</b><sup></sup><b>500</b>", "<b>Rs</b><sub></sub><b>500</b>", "<b>Rs</b><!----><b>500</b>", "Rs<sup></sup>500"])
@pytest.mark.parametrize("layout", ["nextjs-dom", "amp", "pre2023"])
def test_an_empty_inline_element_between_two_of_a_field_loses_no_article(layout: str, markup: str) -> None:
    article = extract(*_fields_page(layout, markup, "Rs500" if markup.startswith("Rs") else "Rs 500")).article
    shown = "Rs500" if markup.startswith("Rs") else "Rs 500"
    assert article.mainImage is not None and article.mainImage.caption == f"CAP {shown}"
    assert article.topics == [f"TOP {shown}"]
    assert contract_problems(article, future_skew=None) == []
