"""The extraction's shortcuts answer exactly what the long way answers: the UTF-8 bytes parsed as they
came, selectors answered once per page, the text gate before the label and heading walks, the noise
expression cut to the noise the markup can hold, and the lock-free lazy fields."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from lxml import etree

from crawler.extraction import NotAnArticle, Page, decode_body, extract, pick_layout
from crawler.extraction.layouts.base import _ALL_TEXTS, LABELS, ArticlePage, holder_of
from crawler.extraction.layouts.nextjs import NextJsV1
from crawler.extraction.layouts.story import class_test
from crawler.extraction.lazy import cached_property
from crawler.extraction.page import parse_html
from crawler.extraction.text import fragment
from tests.conftest import PAGES, SITE, shared_file
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, Case

CASE_PARAMS = [pytest.param(c, id=c.folder) for c in CASES]


def _body(case: Case) -> bytes:
    if case.shared:
        shared_file(case.shared)  # skips with the reason when ../shared is absent
    return page_bytes(case, PAGES / case.folder)


def _reader(html: str | bytes, url: str = SITE + "/markets/news/a-story-124082900014_1.html") -> ArticlePage:
    page = Page(html, url)
    layout = pick_layout(page)
    assert layout is not None
    return layout(page)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_utf8_bytes_parse_to_the_tree_their_text_parses_to(case: Case) -> None:
    body = _body(case)
    text, _ = decode_body(body)
    long_way = etree.tostring(parse_html(text)[0])
    if text.encode("utf-8") == body:
        assert etree.tostring(parse_html(text, utf8=body)[0]) == long_way
    # White space around the page and NUL characters are still taken off when the bytes are given.
    padded = "\n  " + text.replace("</head>", "\x00</head>", 1) + " \n"
    assert etree.tostring(parse_html(padded, utf8=padded.encode("utf-8"))[0]) == long_way


@pytest.mark.parametrize(
    ("before", "after"),
    [("", "\n"), ("\r\n\t", "\n\x0c "), ("\xa0", "\n"), ("\n\u2028", ""), ("\x1c\n", "\n\x1f"), ("", "\n\x85\u3000\n"), (" ", "\xa0<p>x</p>\n")],
)
def test_bytes_with_white_space_around_parse_as_the_stripped_text(before: str, after: str) -> None:
    # bytes.strip() takes ASCII white space only; what else str.strip() takes must go as well.
    text = before + "<html><head><title>Ünïcode</title></head><body><p>Ab’c</p></body></html>" + after
    assert etree.tostring(parse_html(text, utf8=text.encode("utf-8"))[0]) == etree.tostring(parse_html(text)[0])


def test_an_ascii_page_needs_no_declaration_and_gets_no_note() -> None:
    body = b'<html><head><meta charset="windows-1252"></head><body><p>plain</p></body></html>'
    assert decode_body(body, "text/html; charset=iso-8859-1") == (body.decode(), None)


def test_a_selector_is_answered_once_per_page() -> None:
    page = Page("<html><body><h1 class='stryhdtp x'>A</h1><h1 class='stryhdtp'>B</h1></body></html>", SITE + "/")
    found = page.find(NextJsV1.HEADLINE)
    assert [h.text for h in found] == ["A", "B"] and page.find(NextJsV1.HEADLINE) is found
    assert page.find_first(NextJsV1.HEADLINE) is found[0] and page.find_first(NextJsV1.STANDFIRST) is None


def _label_texts_the_long_way(reader: ArticlePage) -> list[str]:
    return [t for t in _ALL_TEXTS(reader.scope) if any(label in t for label in LABELS) and holder_of(t) is not None]


@pytest.mark.parametrize("case", [p for p in CASE_PARAMS if p.values[0].not_article is None])  # type: ignore[attr-defined]
def test_label_texts_are_every_text_node_holding_a_label(case: Case) -> None:
    page = Page(_body(case), case.url)
    layout = pick_layout(page)
    assert layout is not None
    reader = layout(page)
    assert list(reader.label_texts) == _label_texts_the_long_way(reader)


def test_labels_in_scripts_or_split_across_elements_are_not_label_texts() -> None:
    html = (
        "<html><body><div><h1>Headline</h1>"
        "<script>var s = 'First Published: x';</script>"
        "<span>First <b>Published</b>: Feb 28 2024 | 3:42 PM IST</span>"
        "<p>Last Updated: Feb 29 2024 | 1:00 PM IST <i>and</i> 3 min read</p>"
        "</div></body></html>"
    )
    reader = ArticlePage(Page(html, SITE + "/"))
    assert [str(t) for t in reader.label_texts] == ["Last Updated: Feb 29 2024 | 1:00 PM IST ", " 3 min read"]
    assert reader.label_texts == _label_texts_the_long_way(reader)
    assert ArticlePage(Page("<html><body><p>No dates here</p></body></html>", SITE + "/")).label_texts == []


@pytest.mark.parametrize(
    ("heading", "found"),
    [("Also Read", True), ("  ALSO\n   READ ", True), ("More From This Section", True), ("Also Read:", True), ("More From This Section -", True),
     ("Also <b>Read</b>", False), ("Read also", False)],
)
def test_related_heading_is_found_however_it_is_cased_and_spaced(heading: str, found: bool) -> None:
    html = f"<html><body><div><h3>{heading}</h3><ul><li><a href='/a/story-124082900014_1.html'>A story</a></li></ul></div></body></html>"
    anchors = ArticlePage(Page(html, SITE + "/")).related_anchors()
    assert [a.get("href") for a in anchors] == (["/a/story-124082900014_1.html"] if found else [])


def test_an_inline_also_read_line_is_no_heading_and_a_heading_without_links_is_passed_by() -> None:
    story = "<div><p><strong>Also Read:</strong> <a href='/a/inline-124082900001_1.html'>Inline</a></p><h3>Also Read</h3></div>"
    related = "<div><h3>More From This Section</h3><ul><li><a href='/a/story-124082900014_1.html'>A story</a></li></ul></div>"
    html = f"<html><body><div>{story}{related}</div></body></html>"
    anchors = ArticlePage(Page(html, SITE + "/")).related_anchors()
    assert [a.get("href") for a in anchors] == ["/a/story-124082900014_1.html"]


def _markups() -> list[str]:
    markups = []
    for case in CASES:
        if case.layout.startswith("nextjs") and case.not_article is None:
            data = Page(page_bytes(case, PAGES / case.folder), case.url).next_article.get("htmlContent")
            if isinstance(data, str) and data.strip():
                markups.append(data)
    every_kind = (
        "<p>one</p><blockquote class='twitter-tweet'>t</blockquote><blockquote class='instagram-media x'>i</blockquote>"
        "<div class='advertisement-bg'>ad</div><div id='between_article_content_1'>b</div><p class='whtsclick'>w</p>"
        "<div class='storyadsprg'><div id='div-gpt-ad-1'>g</div></div><div class='recommendsection'>r</div>"
        "<p><strong class='read_more'>Also Read: x</strong></p><img class='imgCont' src='a.jpg'><div style='x'>caption</div>"
        "<img class='zoomimg' src='b.jpg'><div style='y'>caption 2</div><span class='read_more_not'>kept</span><p>two</p>"
    )
    return [*markups, every_kind, "<p>" + every_kind.replace("class=", "data-class=") + "</p>"]


@pytest.mark.parametrize("markup", _markups())
def test_the_noise_expression_of_a_page_finds_what_the_whole_one_finds(markup: str) -> None:
    # The one expression every page ran before.
    whole = etree.XPath(
        "descendant::*[@class or @id]["
        f"(self::div and ({class_test('advertisement-bg')} or starts-with(@id, 'between_article_content_')))"
        f" or (self::p and {class_test('whtsclick')})"
        f" or {class_test('storyadsprg')} or {class_test('recommendsection')} or {class_test('read_more')}"
        " or starts-with(@id, 'div-gpt')]"
        f" | descendant::img[{class_test('imgCont')} or {class_test('zoomimg')}]/following-sibling::*[1][self::div[@style]]"
    )
    root = fragment(markup)
    assert root is not None
    parts = frozenset(part for part in NextJsV1.NOISE_PARTS if part in markup)
    expected: list[Any] = whole(root)  # type: ignore[assignment]
    found: list[Any] = NextJsV1.noise_xpath(parts)(root) if parts else []  # type: ignore[assignment]
    assert found == expected


_NEXTJS_CASES = [pytest.param(c, id=c.folder) for c in CASES if c.layout.startswith("nextjs")]


@pytest.mark.parametrize("case", _NEXTJS_CASES)
def test_the_markers_expression_of_a_page_finds_what_the_whole_one_finds(case: Case) -> None:
    # The one expression every page that named any marker ran before.
    whole = etree.XPath(
        "descendant::*[@class][contains(@class, 'strlabel') or contains(@class, 'LiveButton') or contains(@class, 'lvblg')"
        " or contains(@class, 'BPstoryPaywall') or starts-with(@class, 'subscription_subscriptionPlan_')"
        f" or (self::div and {class_test('subscribe-page')})]"
    )
    reader = _reader(_body(case), case.url)
    assert isinstance(reader, NextJsV1)
    expected: list[Any] = whole(reader.scope) if reader.page.mentions(*NextJsV1.MARKER_PARTS) else []  # type: ignore[assignment]
    assert reader.markers == expected


def test_the_markers_expression_holds_only_the_markers_the_page_names() -> None:
    page = "<html><body><h1 class='stryhdtp'>H</h1><div class='x lvblg'>u</div><div class='a strlabel'>Premium</div>"
    reader = _reader(page + "<div class='storycontent'><p>b</p></div></body></html>")
    assert isinstance(reader, NextJsV1)
    assert [m.get("class") for m in reader.markers] == ["x lvblg", "a strlabel"]
    assert "LiveButton" not in reader.markers_xpath(("strlabel", "lvblg")).path


def test_a_lazy_field_is_computed_once_per_instance() -> None:
    calls: list[int] = []

    class Reader:
        def __init__(self, n: int) -> None:
            self.n = n

        @cached_property
        def twice(self) -> int:
            """Twice n."""
            calls.append(self.n)
            return 2 * self.n

    first, second = Reader(1), Reader(2)
    assert (first.twice, first.twice, second.twice) == (2, 2, 4) and calls == [1, 2]
    assert isinstance(Reader.__dict__["twice"], cached_property) and Reader.__dict__["twice"].__doc__ == "Twice n."


def _fragment_the_long_way(markup: str) -> tuple[str | None, list[bytes]] | None:
    from lxml import html as lxml_html

    try:
        elements = lxml_html.fragments_fromstring(markup, no_leading_text=False, parser=etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return None
    text = elements.pop(0) if elements and isinstance(elements[0], str) else None
    return text, [etree.tostring(e) for e in elements]


@pytest.mark.parametrize(
    "markup",
    [
        *_markups(),
        "  \n <p>leading white space</p>",
        "Leading text <b>bold</b> tail<p>para</p> trailing",
        "<body class='x'><p>a body in the fragment</p></body><p>after</p>",
        "<!-- a comment --><p>after a comment</p>",
        "<style>p {}</style><p>styled</p>",
        "<p>unclosed <div>block in a paragraph",
        "<html><body><p>a whole document</p></body></html>",
        " ",
    ],
)
def test_a_fragment_is_parsed_as_lxml_html_parses_it(markup: str) -> None:
    root = fragment(markup)
    expected = _fragment_the_long_way(markup) if markup.strip() else None
    if expected is None:
        assert root is None
        return
    assert root is not None and root.tag == "div" and not root.attrib
    assert (root.text, [etree.tostring(child) for child in root]) == expected


def test_the_characters_folding_to_ascii_letters_are_all_listed() -> None:
    import sys

    from crawler.extraction.layouts.base import FOLDING_TO_ASCII

    found = {chr(c) for c in range(128, sys.maxunicode + 1) if any(ch.isascii() and ch.isalpha() for ch in chr(c).casefold())}
    assert set(FOLDING_TO_ASCII) == found


@pytest.mark.parametrize(
    "text",
    [
        "Also Read", "ALSO\u00a0READ", "\u201cquoted\u201d also   read", "MORE FROM THIS SECTION \u20b9",
        "al\u017fo read \u2014", "\ufb01 more from thi\u017f \u017fection", "nothing here \u2014 \u00e9t\u00e9",
        "also \u00e9 rea\u00dfd", "al\u00e9so read", "More From This \u0130 Section",
    ],
)
def test_the_heading_gate_is_the_case_folded_words_test_or_wider(text: str) -> None:
    from crawler.extraction.layouts.base import may_hold_heading
    from crawler.extraction.text import RELATED_HEADINGS

    folded = text.casefold()
    the_long_way = any(all(word in folded for word in heading.split()) for heading in RELATED_HEADINGS)
    # Never closed where the case-folded text holds a heading's words (it may open more often:
    # the walk behind it decides).
    assert may_hold_heading(text) or not the_long_way
    assert may_hold_heading(text) == the_long_way or text == "al\u00e9so read"


@pytest.mark.parametrize(
    "text",
    [
        "Feb 28 2024 | 3:42 PM", "Feb 28 2024 | 3:42 PM IST", "Feb 29 2023 | 3:42 PM", "Feb 28 2024 | 12:05 AM",
        "Feb 28 2024 | 12:05 PM IST", "Feb 28 2024 | 00:05 AM", "Feb 28 2024 | 13:05 PM", "Foo 28 2024 | 3:42 PM",
        "Feb 00 2024 | 3:42 PM", "Feb 28 2024 | 3:60 PM", "Feb 28 1989 | 3:42 PM", "feb 28 2024 | 3:42 pm",
        "Fri, January 18 2019. 13:00 IST", "Fri, January 18 2019. 13:00", "Fri, May 18 2019. 13:00", "Fri, February 30 2019. 13:00",
        "Fry, January 18 2019. 13:00", "Fri, January 18 2019. 24:00", "Fri, January 8 2019. 09:05 IST", "Fri, January 00 2019. 13:00",
        "January 18, 2019 17:18 IST", "May 18, 2019 17:18", "May 18, 2019 17:18 IST", "Jan 18, 2019 17:18", "January 18, 2019 17:61",
        # Digits of other scripts: strptime refuses them, int() would not.
        "Feb २८ 2024 | 3:42 PM", "Fri, January १८ 2019. 13:00", "January १८, 2019 17:18", "Feb 28 2024 | ३:42 PM",
    ],
)
def test_the_site_display_date_reads_as_strptime_reads_it(text: str) -> None:
    from crawler.extraction import normalize

    fast = normalize.parse_date(text)
    saved = normalize._site_display_date
    normalize._site_display_date = lambda _: None  # type: ignore[assignment]
    try:
        long_way = normalize.parse_date(text)
    finally:
        normalize._site_display_date = saved
    assert fast == long_way and (fast is None or fast.isoformat() == long_way.isoformat())  # type: ignore[union-attr]


def _with_ticker(case_folder: str, *tickers: str) -> bytes:
    """A Next.js test page whose ticker is replaced by ``tickers`` (each a whole ticker ``div``)."""
    html = (PAGES / case_folder / "page.html").read_text(encoding="utf-8")
    start = html.index('<div class="Header_mktticker__Hn2Wd mktticker">')
    end = html.index("</div></div>", start) + len("</div></div>")
    return (html[:start] + "".join(tickers) + html[end:]).encode("utf-8")


def _ticker(*rows: tuple[str, str, str, str]) -> str:
    items = "".join(
        f'<div class="Header_tickeritem__Tq7Lm tickeritem"><span class="tickername">{name}</span> '
        f'<span class="tickerval">{value}</span> (<span class="tickerchg">{change}</span> '
        f'<span class="tickerpct">{percent}</span>%)</div>'
        for name, value, change, percent in rows
    )
    return f'<div class="Header_mktticker__Hn2Wd mktticker">{items}</div>'


def _market(body: bytes) -> list[tuple[str, float | None, float | None, float | None]]:
    return [(q.name, q.value, q.change, q.changePercent) for q in _reader(body).market()]


def test_an_unrendered_ticker_gives_every_index_with_null_numbers() -> None:
    # As a plain fetch sees it: names, brackets and per-cent signs, not one digit.
    body = _with_ticker("nextjs-2023/premium", _ticker(("Sensex", "", "", ""), ("Nifty", " ", "\u2212", "")))
    assert _market(body) == [(name, None, None, None) for name in ("Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank")]


def test_a_rendered_ticker_gives_its_numbers_and_the_first_ticker_wins() -> None:
    rendered = _ticker(("Sensex", "73,158.24", "\u2212330.12", "-0.45"), ("Nifty Bank", "46,576.50", "+12.1", "0.03"), ("Dow", "1", "2", "3"))
    later = _ticker(("Sensex", "1.00", "1.00", "1.00"))
    market = _market(_with_ticker("nextjs-2023/premium", rendered, later))
    assert market[0] == ("Sensex", 73158.24, -330.12, -0.45)
    assert market[4] == ("Nifty Bank", 46576.5, 12.1, 0.03)
    assert [row[1:] for row in market[1:4]] == [(None, None, None)] * 3


def test_a_ticker_in_other_digits_is_read() -> None:
    # Digits of any script count as figures (the long way reads them as numbers too).
    market = _market(_with_ticker("nextjs-2023/premium", _ticker(("Sensex", "\u096d\u0969,\u0967\u096b\u096e.\u0968\u0966", "", ""))))
    assert market[0] == ("Sensex", 73158.2, None, None)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_reading_a_page_leaves_no_reference_cycle_behind(case: Case) -> None:
    # A cycle holding an element keeps the page's whole tree alive until the cyclic collector runs:
    # everything read from a page is freed as soon as the item is made.
    body = _body(case)

    def read() -> None:
        try:
            extract(body, case.url)
        except NotAnArticle:
            pass

    read()  # first use: lazy imports and compiled expressions hold cycles of their own, once
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        read()
        gc.collect()
        # Only what the reading left: other threads of the test process may leave garbage of their own.
        left = [o for o in gc.garbage if type(o).__module__ == "lxml.etree" or str(getattr(o, "__module__", "")).startswith("crawler")]
        assert not left
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
