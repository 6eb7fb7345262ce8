"""Review of round 27's extraction changes: hiding styles, pull quotes, microdata, JSON-LD and the label look."""

from __future__ import annotations

import pytest

from crawler.extraction import NotAnArticle, Page, extract
from crawler.extraction.layouts.base import _ALL_TEXTS, LABELS, ArticlePage, holder_of, names_of
from crawler.extraction.page import loads_lenient
from crawler.extraction.text import block_paragraphs, fragment
from tests.conftest import SITE, shared_file
from tests.test_text_probes_round25 import LAYOUTS, _page, _story_lines

LINE = "The meeting was held in Gandhinagar on Friday."


def _lines(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root)


# --- hiding styles a browser drops as invalid ---------------------------------------------------------

# The old hacks for Internet Explorer alone: every other browser drops the declaration as invalid and
# draws the line. Round 27's reader took each for display: none (or visibility: hidden), and the line
# a reader sees was missing from the body.
IE_HACKS = {
    "backslash-9": "display:none\\9",
    "backslash-0": "display:none\\0/",
    "bang-ie": "display:none !ie",
    "star-property": "*display:none",
    "visibility-backslash-9": "visibility:hidden\\9",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("hack", list(IE_HACKS))
def test_a_line_under_a_style_hack_a_browser_drops_is_read(layout: str, hack: str) -> None:
    markup = f'<p style="{IE_HACKS[hack]}">{LINE}</p>'
    assert _story_lines(layout, markup, LINE) == [LINE]


def test_a_line_under_a_style_hack_on_the_real_2019_page_is_read() -> None:
    html = shared_file("real/article-2019-01-18-119011800410.html").read_text(encoding="utf-8", errors="replace")
    anchor = "by Indians.</p>\n<p>\n Invoking"
    assert html.count(anchor) == 1
    html = html.replace(anchor, f'by Indians.</p>\n<p style="display:none\\9">{LINE}</p>\n<p>\n Invoking')
    url = SITE + "/article/companies/indian-data-must-be-owned-by-indians-not-global-companies-mukesh-ambani-119011800410_1.html"
    lines = extract(html, url).article.articleBody.split("\n")
    assert lines[1:3] == [LINE, "Invoking Mahatma Gandhi's movement against political colonisation, Ambani said India now needs a new movement against data colonisation."]


def test_a_block_hidden_by_visibility_is_not_shown_again_by_another_visible_word() -> None:
    # Before: any descendant style holding the word "visible" (overflow: visible) counted as the block
    # drawn again, and the hidden promo's line was read into the story.
    markup = "<p>One.</p><div style='visibility:hidden'><p style='overflow:visible'>Subscribe for Rs 99</p></div>"
    assert _lines(markup) == ["One."]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # What a browser hides, hides: any case and spacing, an entity in the attribute, a trailing
        # semicolon, "! important" spaced, the hidden attribute written empty.
        ("<p>One.</p><div style='DISPLAY : NONE'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div style='display&#58;none'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div style='color: red; display: none;'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div style='display:none ! IMPORTANT; display:block'><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><div hidden=''><p>Two.</p></div>", ["One."]),
        ("<p>One.</p><template><p>Two.</p></template>", ["One."]),
        # What it draws stays: the later declaration (one of several keywords too), until-found,
        # aria-hidden (for screen readers alone), a style's text in a quoted value, visibility undone.
        ("<p>One.</p><div style='display:none; display: inline flex'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div hidden=' Until-Found '><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div aria-hidden='true'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='font-family: \"display:none\"'><p>Two.</p></div>", ["One.", "Two."]),
        ("<p>One.</p><div style='visibility:hidden'><p style='VISIBILITY: visible'>Two.</p></div>", ["One.", "Two."]),
    ],
)
def test_what_a_browser_hides_or_draws(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


def test_a_style_on_the_story_element_itself_hides_no_story() -> None:
    # A template hiding the whole story until its script shows it: the story is still the page's.
    html, url = _page("generic", "", "")
    html = html.replace("<article>", "<article style='display:none'>")
    assert "Collections from imports grew faster" in extract(html, url).article.articleBody


# --- pull quotes --------------------------------------------------------------------------------------

QUOTE = "We will not cut rates until inflation is durably at 4 per cent"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_quotation_whose_other_copy_is_a_promo_line_stays(layout: str) -> None:
    # Before: its words stood in an "Also Read" line, which the body then drops: the quotation was
    # taken for a pull quote, and was nowhere in the body.
    markup = f"<p>ALSO READ: {QUOTE}: Das</p><blockquote><p>{QUOTE}</p></blockquote>"
    assert _story_lines(layout, markup, QUOTE) == [QUOTE]


@pytest.mark.parametrize(
    "attribution", ["<p>— Shaktikanta Das, RBI Governor</p>", "<br>- Shaktikanta Das", "<p>~ Das</p>", "<cite>Shaktikanta Das</cite>"]
)
def test_a_pull_quote_with_its_speaker_on_its_last_line_is_read_once(attribution: str) -> None:
    # Before: the speaker's line written as text (no <cite>) made its words no line of the story: the
    # quotation stood twice in the body, with "— Shaktikanta Das" after it.
    said = f"Das said: “{QUOTE}.”"
    assert _lines(f"<p>{said}</p><blockquote><p>“{QUOTE}”</p>{attribution}</blockquote><p>Shares rose.</p>") == [said, "Shares rose."]


SAID = f"Das said: “{QUOTE}, and we will watch food prices closely.”"


@pytest.mark.parametrize(
    "trimmed",
    [
        "“We will not cut rates … and we will watch food prices closely”",
        "“We will not cut rates... we will watch food prices closely”",
        "“[The RBI] will not cut rates until inflation is durably at 4 per cent”",
    ],
)
def test_a_pull_quote_with_words_left_out_is_read_once(trimmed: str) -> None:
    # Before: an ellipsis or an editor's brackets made its words no run of the story's: the line stood twice.
    assert _lines(f"<p>{SAID}</p><blockquote><p>{trimmed}</p></blockquote>") == [SAID]


@pytest.mark.parametrize(
    "quotation",
    [
        # Its pieces not all in the story, or not in its order: a quotation of its own, kept.
        "“We will not cut rates … but growth will stay strong this year”",
        "“And we will watch food prices closely … we will not cut rates”",
    ],
)
def test_a_quotation_with_an_ellipsis_the_story_does_not_hold_stays(quotation: str) -> None:
    assert _lines(f"<p>{SAID}</p><blockquote><p>{quotation}</p></blockquote>") == [SAID, quotation]


@pytest.mark.parametrize(
    ("markup", "lines"),
    [
        # A real quotation, no repeat: stays.
        (f"<p>The RBI held rates.</p><blockquote><p>{QUOTE}</p></blockquote>", ["The RBI held rates.", QUOTE]),
        # A repeat that differs by case, dashes, quotes and spacing: read once.
        (f"<p>Das: “{QUOTE.upper()} — and not before.”</p><blockquote>{QUOTE} – and not  before</blockquote>", [f"Das: “{QUOTE.upper()} — and not before.”"]),
        # The story repeating its own sentence, no quote: both stay.
        (f"<p>{QUOTE}.</p><p>Other.</p><p>{QUOTE}.</p>", [f"{QUOTE}.", "Other.", f"{QUOTE}."]),
        # A quotation whose words are in a picture's caption alone: stays.
        (f"<p>The RBI held rates.</p><figure><img src='a.jpg'><figcaption>“{QUOTE},” says Das</figcaption></figure><blockquote><p>{QUOTE}</p></blockquote>", ["The RBI held rates.", QUOTE]),
        # The last line of a real quotation beginning with a dash is not taken for its speaker's.
        (f"<p>The RBI held rates.</p><blockquote><p>{QUOTE}</p><p>- and the MPC agreed</p></blockquote>", ["The RBI held rates.", QUOTE, "- and the MPC agreed"]),
    ],
)
def test_quotations_that_are_no_repeat_stay(markup: str, lines: list[str]) -> None:
    assert _lines(markup) == lines


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_date_line_run_into_the_first_paragraph_loses_no_story(layout: str) -> None:
    # The page's date line is dropped only as a line of its own: run into a line of the story, the line stays.
    line = f"First Published: Feb 28 2024 | 3:42 PM IST {LINE}"
    assert _story_lines(layout, f"<p>{line}</p>", line) == [line]


# --- microdata ----------------------------------------------------------------------------------------

URL = SITE + "/markets/news/rupee-ends-at-record-low-126051200877_1.html"
SECTION = SITE + "/markets/news"
HEADLINE = "Rupee ends at record low as importers rush to buy dollars"
STORY = "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs. " * 3
ITEM = '<div itemscope itemtype="https://schema.org/NewsArticle">'
PERSON = '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Anjali Kumari</span></span>'
BODY = f'<div itemprop="articleBody"><p>{STORY.strip()}</p></div>'


def _html(body: str, url: str = URL) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><link rel="canonical" href="{url}"></head><body><header><a href="/">Business Standard</a></header>{body}</body></html>'


@pytest.mark.parametrize(
    ("headline", "date", "body"),
    [
        ('itemprop="headline name"', 'itemprop="datePublished"', 'itemprop="articleBody"'),
        ('itemprop="name headline"', 'itemprop="datePublished dateCreated"', 'itemprop="text articleBody"'),
        ('itemprop="headline"', 'itemprop=" dateCreated\tdatePublished "', 'itemprop="articleBody"'),
    ],
)
def test_a_microdata_property_named_among_several_is_read(headline: str, date: str, body: str) -> None:
    # Before: an itemprop naming two properties, as microdata allows, was none: the page's headline
    # was none (dropped as unknown-layout, counted towards a redesign), or its date null.
    html = _html(f'{ITEM}<h1 {headline}>{HEADLINE}</h1>{PERSON}<time {date} datetime="2026-05-12T16:20:00+05:30">May 12</time><div {body}><p>{STORY.strip()}</p></div></div>')
    article = extract(html, URL).article
    assert (article.layout, article.headline, article.datePublished) == ("generic", HEADLINE, "2026-05-12T16:20:00+05:30")
    assert [a.name for a in article.authors] == ["Anjali Kumari"]
    assert article.articleBody == STORY.strip()


TEASERS_HEADED = "".join(
    f'{ITEM}<h1 itemprop="headline"><a href="/markets/news/story-{i}-12605120087{i}_1.html">Markets story number {i} of the day</a></h1>'
    f'<p itemprop="description">Its card {i}.</p><time itemprop="datePublished" datetime="2026-05-12T16:2{i}:00+05:30">May 12</time></div>'
    for i in range(4)
)
TEASERS_WITH_BODIES = "<h1>Markets News</h1>" + "".join(
    f'{ITEM}<h2 itemprop="headline"><a href="/markets/news/story-{i}-12605120087{i}_1.html">Markets story number {i} of the day</a></h2>'
    f'<div itemprop="articleBody"><p>Its card {i}. {STORY}</p></div></div>'
    for i in range(4)
)


@pytest.mark.parametrize("teasers", [TEASERS_HEADED, TEASERS_WITH_BODIES], ids=["each-an-h1", "each-an-articleBody"])
def test_a_listing_of_microdata_teasers_at_a_storys_address_is_no_article(teasers: str) -> None:
    # Before: its section's listing answered at a story's address was written as the first teaser's
    # article (headline "Markets story number 0 of the day", its card the body), as good.
    with pytest.raises(NotAnArticle) as raised:
        extract(_html(teasers), URL)
    assert raised.value.reason == "unknown-layout"


@pytest.mark.parametrize("teasers", [TEASERS_HEADED, TEASERS_WITH_BODIES], ids=["each-an-h1", "each-an-articleBody"])
def test_a_listing_of_microdata_teasers_whose_template_says_article_is_skipped_as_a_listing(teasers: str) -> None:
    # The template writes og:type article on every page, and no JSON-LD says what the page is. Before:
    # an article headlined "Markets News", the first teaser's card its body (round 27 told such a
    # listing by its JSON-LD alone).
    head = '<meta property="og:type" content="article"><meta property="og:title" content="Markets News">'
    with pytest.raises(NotAnArticle) as raised:
        extract(_html(teasers).replace("</head>", head + "</head>"), URL)
    assert raised.value.reason == "listing"


def test_an_opengraph_story_below_teaser_items_headed_by_h1s_is_still_read() -> None:
    head = f'<meta property="og:type" content="article"><meta property="og:title" content="{HEADLINE}">'
    html = _html(f'<div class="trending">{TEASERS_HEADED}</div><main><h1>{HEADLINE}</h1><p>{STORY}</p><p>{STORY}</p></main>')
    article = extract(html.replace("</head>", head + "</head>"), URL).article
    assert (article.headline, article.articleBody) == (HEADLINE, f"{STORY.strip()}\n{STORY.strip()}")


@pytest.mark.parametrize(
    "related",
    [
        f'{ITEM}<h2 itemprop="headline"><a href="/markets/news/other-126051200870_1.html">Another story</a></h2></div>',
        f'{ITEM}<h1 itemprop="headline"><a href="/markets/news/other-126051200870_1.html">Another story</a></h1></div>',
    ],
    ids=["h2", "h1"],
)
def test_a_microdata_story_beside_related_teaser_items_is_read(related: str) -> None:
    html = _html(f'{ITEM}<h1 itemprop="headline">{HEADLINE}</h1>{PERSON}{BODY}</div><aside>{related * 3}</aside>')
    article = extract(html, URL).article
    assert (article.headline, article.articleBody) == (HEADLINE, STORY.strip())


def test_an_authors_name_in_a_nested_item_is_no_headline() -> None:
    html = _html(f'{ITEM}<h2>{HEADLINE}</h2>{PERSON}<meta itemprop="datePublished" content="2026-05-12T16:20:00+05:30">{BODY}</div>')
    with pytest.raises(NotAnArticle) as raised:
        extract(html, URL)
    assert raised.value.reason == "unknown-layout"
    # Its own headline in a <meta content>, its date in one: read.
    html = html.replace("<h2>", f'<meta itemprop="headline" content="{HEADLINE}"><h2>')
    article = extract(html, URL).article
    assert (article.headline, article.datePublished) == (HEADLINE, "2026-05-12T16:20:00+05:30")


# --- JSON-LD a template wrapped, and topics ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '// Schema markup\n{"@type": "NewsArticle", "url": "https://www.business-standard.com/a"}',
        '{"@type": "NewsArticle", "url": "https://www.business-standard.com/a"} // schema',
        '{"@type": "NewsArticle",\n "url": "https://www.business-standard.com/a"}\n// https://schema.org',
        '<!--\n{"@type": "NewsArticle", "url": "https://www.business-standard.com/a"}\n//-->',
    ],
)
def test_a_url_in_json_ld_beside_a_line_comment_is_read(text: str) -> None:
    assert loads_lenient(text) == {"@type": "NewsArticle", "url": "https://www.business-standard.com/a"}


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ('/* yoast */ {"@type": "NewsArticle", "description": "Use */ and /* marks"}', "Use */ and /* marks"),
        ('{"@type": "NewsArticle", "description": "a /* b"} /* end */', "a /* b"),
        ('/*<![CDATA[*/{"@type": "NewsArticle", "description": "x */"}/*]]>*/', "x */"),
    ],
)
def test_comment_marks_inside_a_json_ld_string_stay(text: str, description: str) -> None:
    assert loads_lenient(text) == {"@type": "NewsArticle", "description": description}


@pytest.mark.parametrize(
    ("keywords", "topics"),
    [
        (["1,00,000 jobs", "Budget 2026, 1,00,000 crore"], ["1,00,000 jobs", "Budget 2026", "1,00,000 crore"]),
        (["Rs 2,000-crore deal", "RBI"], ["Rs 2,000-crore deal", "RBI"]),
        (["Rupee, Forex,"], ["Rupee", "Forex"]),
        ("Rupee, Forex,", ["Rupee", "Forex"]),
    ],
)
def test_topics_with_numbers_and_trailing_commas(keywords: list[str] | str, topics: list[str]) -> None:
    assert names_of(keywords) == topics


# --- the label look -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        # A label ending one text node and another beginning the next; the same label twice in a node
        # and in nodes side by side; emoji outside the BMP (two UTF-16 units each) before a label.
        "<p>Updated: x <b>First Published</b>First Published: Feb 28 2024</p>",
        "<p>First Published First Published</p><p>First Published</p><span>First Published</span>",
        "<p>\U0001f680\U0001f4c8 Markets \U0001f389</p><p>\U0001f680First Published: Feb 28 2024 | 3:42 PM IST</p><p>3 min read</p>",
        "<p>First <b>Published</b>: split</p><p></p><p>Last Updated: Feb 29 2024 | 1:00 PM IST</p>",
    ],
)
def test_the_label_look_finds_every_node_holding_a_label(markup: str) -> None:
    reader = ArticlePage(Page(f"<html><body><div><h1>{HEADLINE}</h1>{markup}<script>var s = 'First Published';</script></div></body></html>", URL))
    long_way = [t for t in _ALL_TEXTS(reader.scope) if any(label in t for label in LABELS) and holder_of(t) is not None]
    assert long_way and list(reader.label_texts) == long_way
