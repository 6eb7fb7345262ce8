"""Edges of the pure extraction code every article passes through: text cleaning, dates, ids, URLs,
decoding, lenient JSON, the JSON-LD article, paragraphs, promos and block pages. Each test pins one
behaviour a small slip in the code (a flipped comparison, a swapped ``and``) would change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from lxml.etree import _Element

from crawler.extraction.article import Article, Image, Link, RelatedArticle
from crawler.extraction.blocking import is_block_page, may_be_block_page
from crawler.extraction.normalize import absolute_url, clean_text, date_after_label, normalize_date, parse_change
from crawler.extraction.text import DATE_LABELS
from crawler.extraction.page import FALLBACK_ENCODING, STRAY_BYTES, UTF8_OVER_DECLARED, Page, decode_body, dig, loads_lenient
from crawler.extraction.text import block_paragraphs, fragment, is_code, is_promo_label, is_promo_run, split_body, without_promoted_links
from crawler.extraction.urls import VIDEO, non_article_kind, on_hindi_edition, url_kind
from crawler.extraction.validate import missing_fields, missing_required


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
def test_clean_text_drops_a_lone_joiner_kind_at_a_word_edge(joiner: str) -> None:
    # Text with only one of the two joiners, at the start and the end of words, loses them there.
    assert clean_text(f"{joiner}India{joiner} rises") == "India rises"
    assert clean_text(f"Sensex {joiner}falls") == "Sensex falls"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # The largest minutes an offset has, and the largest offset below a day.
        ("Wed, 28 Feb 2024 15:42:00 +0559", "2024-02-28T15:13:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 +2359", "2024-02-27T21:13:00+05:30"),
        # West of UTC by IST's own amount: not IST.
        ("Wed, 28 Feb 2024 15:42:00 -0530", "2024-02-29T02:42:00+05:30"),
        ("Wed, 28 Feb 2024 15:42:00 GMT+0800", "2024-02-28T13:12:00+05:30"),
        # Offsets a date cannot have, and a zone name other than UTC's with an offset: no date.
        ("Wed, 28 Feb 2024 15:42:00 +0575", None),
        ("Wed, 28 Feb 2024 15:42:00 +0560", None),
        ("Wed, 28 Feb 2024 15:42:00 +2400", None),
        ("Wed, 28 Feb 2024 15:42:00 PST+0800", None),
    ],
)
def test_rfc822_offsets_at_their_limits(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("14 फ़रवरी, 2020", "2020-02-14T00:00:00+05:30"),
        ("१४ सितम्बर २०२०", "2020-09-14T00:00:00+05:30"),
        ("फरवरी 14, 2020 15:42", "2020-02-14T15:42:00+05:30"),
    ],
)
def test_hindi_month_names_and_devanagari_digits_are_read(raw: str, iso: str) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        # A 12-hour clock's hours outside 1-12 in the current site's form: no date, not 01:42 or 13:42;
        # but a 24-hour clock's hour with the half of the day it is in is that hour (round 26).
        ("Feb 28 2024 | 13:42 PM", "2024-02-28T13:42:00+05:30"),
        ("Feb 28 2024 | 13:42 AM", None),
        ("Feb 28 2024 | 00:42 AM", "2024-02-28T00:42:00+05:30"),
        ("Feb 28 2024 | 00:42 PM", None),
        ("Feb 28 2024 | 12:05 PM", "2024-02-28T12:05:00+05:30"),
        ("Feb 28 2024 | 1:05 PM", "2024-02-28T13:05:00+05:30"),
        # The first and the last year of the range dates are kept in.
        ("1990-06-01", "1990-06-01T00:00:00+05:30"),
        ("2100-06-01", "2100-06-01T00:00:00+05:30"),
    ],
)
def test_display_date_hours_and_years_at_their_limits(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


@pytest.mark.parametrize("raw", ["Foo 28 2024 | 3:42 PM IST", "Fri, Janvier 18 2019. 13:00 IST", "Janvier 18, 2019 17:18"])
def test_display_dates_with_an_unknown_month_are_none(raw: str) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "label", "shown"),
    [
        ("Last Updated: Feb 28 2024 | 3:42 PM IST", "Last Updated", "Feb 28 2024 | 3:42 PM IST"),
        ("Last Updated at January 18, 2019 17:18 IST", "Last Updated", "January 18, 2019 17:18 IST"),
        ("Last Updated at: January 18, 2019 17:18 IST", "Last Updated", "January 18, 2019 17:18 IST"),
        ("2 min read Last Updated : Feb 28 2024", "Last Updated", "Feb 28 2024"),
        # The date ends where the other date's label begins, in either order.
        ("Last Updated : Feb 28 2024 | First Published : Feb 27 2024", "Last Updated", "Feb 28 2024"),
        ("Last Updated : Feb 28 2024 | First Published : Feb 27 2024", "First Published", "Feb 27 2024"),
        # "at" is the label's own word only as a word of its own.
        ("First Published attached", "First Published", "attached"),
        # A label with nothing after it shows no date; a text without it, none either.
        ("Last Updated :", "Last Updated", None),
        ("First Published", "First Published", None),
        ("Feb 28 2024", "Last Updated", None),
    ],
)
def test_date_after_label_takes_the_label_and_only_the_label_away(raw: str, label: str, shown: str | None) -> None:
    assert date_after_label(raw, label, DATE_LABELS) == shown


@pytest.mark.parametrize("href", ["#top", "javascript:void(0)", "mailto:editor@business-standard.com", "   ", "", None])
def test_absolute_url_refuses_anchors_scripts_mail_and_blanks(href: str | None) -> None:
    assert absolute_url(href, "https://www.business-standard.com/markets/news") is None


@pytest.mark.parametrize(
    ("text", "change"),
    [("▼ 254.86", -254.86), ("▲ 254.86", 254.86), ("+1.2%", 1.2), ("-0.45%", -0.45), ("▼ -0.45%", -0.45), ("", None)],
)
def test_parse_change_negates_only_a_rise_a_down_arrow_marks(text: str, change: float | None) -> None:
    assert parse_change(text) == change


def test_parse_change_of_an_unchanged_figure_is_no_negative_zero() -> None:
    # (-0.0 == 0.0, but a feed would write "-0.0")
    assert str(parse_change("▼ 0.00")) == "0.0"


@pytest.mark.parametrize("text", ["42", "null", '"NewsArticle"', "", "   ", "<!--{\"a\": 1}"])
def test_loads_lenient_reads_only_objects_and_arrays(text: str) -> None:
    # A block that is no object or array (or a comment left open) is no structured data.
    assert loads_lenient(text) is None


def test_loads_lenient_keeps_json_before_a_stray_comment_end() -> None:
    assert loads_lenient('{"headline": "x"}\n-->') == {"headline": "x"}


def test_loads_lenient_keeps_every_value_written_one_after_another() -> None:
    # Read as JSON: the values after the first are kept whatever they are.
    assert loads_lenient('{"a": 1}\n"b" 3') == [{"a": 1}, "b", 3]


def test_decode_body_reads_utf8_when_real_characters_equal_stray_bytes() -> None:
    # One real UTF-8 character and one stray Windows-1252 byte: UTF-8, the stray byte one U+FFFD.
    text, note = decode_body(b"caf\xc3\xa9 India\x92s")
    assert text == "caf\u00e9 India\ufffds"
    assert note == "1 byte(s) not UTF-8; kept as U+FFFD" and note.kind == STRAY_BYTES


def test_decode_body_reads_windows_1252_when_stray_bytes_outnumber_real_characters() -> None:
    text, note = decode_body(b"India\x92s caf\xc3\xa9 \x93x\x94")
    assert text == "India\u2019s caf\u00c3\u00a9 \u201cx\u201d"
    assert note == "bytes are not UTF-8; read as cp1252" and note.kind == FALLBACK_ENCODING


def test_decode_body_reads_a_declared_single_byte_encoding_without_a_note() -> None:
    assert decode_body(b"India\x92s", "text/html; charset=windows-1252") == ("India\u2019s", None)


def test_decode_body_refuses_a_utf16_declaration_for_ascii_markup() -> None:
    text, note = decode_body(b"<p>India\x92s</p>", "text/html; charset=utf-16")
    assert text == "<p>India\u2019s</p>"
    assert note == "bytes are not utf-16; read as cp1252" and note.kind == FALLBACK_ENCODING


def test_decode_body_notes_valid_utf8_over_a_declared_encoding_only_when_one_is_declared() -> None:
    text, note = decode_body(b"caf\xc3\xa9", "text/html; charset=cp1252")
    assert text == "caf\u00e9" and note is not None and note.kind == UTF8_OVER_DECLARED
    assert decode_body(b"caf\xc3\xa9", "text/html; charset=utf8") == ("caf\u00e9", None)
    assert decode_body(b"caf\xc3\xa9") == ("caf\u00e9", None)
    # A byte order mark wins over the header.
    assert decode_body(b"\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=cp1252") == ("caf\u00e9", None)


URL = "https://www.business-standard.com/markets/news/sensex-rises-124022800873_1.html"
OTHER_URL = "https://www.business-standard.com/markets/news/nifty-falls-124022800874_1.html"


def _ld_page(*objects: str, url: str = URL, head: str = "") -> Page:
    scripts = "".join(f'<script type="application/ld+json">{obj}</script>' for obj in objects)
    return Page(f"<html><head>{head}{scripts}</head><body><p>x</p></body></html>", url)


FULL_OTHER = f'{{"@type": "NewsArticle", "url": "{OTHER_URL}", "headline": "Other", "datePublished": "2024-02-28", "author": "A", "articleBody": "B", "image": "I"}}'


def test_ld_article_about_this_page_wins_over_a_fuller_one_about_another() -> None:
    here = f'{{"@type": "NewsArticle", "url": "{URL}", "headline": "Here"}}'
    assert _ld_page(FULL_OTHER, here).ld_article["headline"] == "Here"
    # Named by the AMP form or a trailing slash of the page's URL, or by mainEntityOfPage's @id.
    amp = f'{{"@type": "NewsArticle", "mainEntityOfPage": {{"@id": "{URL.replace(".com/", ".com/amp/")}/"}}, "headline": "Amp"}}'
    assert _ld_page(FULL_OTHER, amp).ld_article["headline"] == "Amp"


def test_ld_article_naming_no_page_wins_over_one_about_another_page() -> None:
    nameless = '{"@type": "NewsArticle", "headline": "Nameless"}'
    assert _ld_page(FULL_OTHER, nameless).ld_article["headline"] == "Nameless"
    assert _ld_page(nameless, FULL_OTHER).ld_article["headline"] == "Nameless"


def test_ld_article_about_the_canonical_page_wins_when_fetched_by_another_url() -> None:
    canonical = f'<link rel="canonical" href="{OTHER_URL}">'
    here = f'{{"@type": "NewsArticle", "url": "{URL}", "headline": "Here"}}'
    page = _ld_page(here, f'{{"@type": "NewsArticle", "url": "{OTHER_URL}", "headline": "Canonical"}}', url=URL + "?utm=x", head=canonical)
    # The fetched URL with a query names no page the objects name; the canonical one does.
    assert page.ld_article["headline"] == "Canonical"


def test_ld_article_among_equals_the_fullest_then_the_first() -> None:
    stub = f'{{"@type": "NewsArticle", "url": "{URL}", "headline": "Stub"}}'
    full = f'{{"@type": "NewsArticle", "url": "{URL}", "headline": "Full", "datePublished": "2024-02-28", "articleBody": "B"}}'
    assert _ld_page(stub, full).ld_article["headline"] == "Full"
    assert _ld_page(full, stub).ld_article["headline"] == "Full"
    twin = f'{{"@type": "NewsArticle", "url": "{URL}", "headline": "Twin", "datePublished": "2024-02-28", "articleBody": "B"}}'
    assert _ld_page(full, twin).ld_article["headline"] == "Full"


def test_ld_article_of_a_page_with_one_or_no_article() -> None:
    assert _ld_page(FULL_OTHER).ld_article["headline"] == "Other"
    assert _ld_page('{"@type": "Organization", "name": "BS"}').ld_article == {}
    assert _ld_page('{"@type": "https://schema.org/NewsArticle", "headline": "Iri"}').ld_article["headline"] == "Iri"


def test_dig_steps_into_lists_only_by_an_index_they_have() -> None:
    data = {"items": [{"name": "first"}, {"name": "last"}]}
    assert dig(data, "items", 0, "name") == "first"
    assert dig(data, "items", -2, "name") == "first"
    assert dig(data, "items", -1, "name") == "last"
    assert dig(data, "items", 2) is None
    assert dig(data, "items", -3) is None
    assert dig(data, 0) is None
    assert dig("text", 0) is None
    assert dig(data, "items", "name") is None


def _paragraphs(markup: str, skip: Callable[[_Element], bool] | None = None) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return block_paragraphs(root, skip)


def test_block_paragraphs_split_at_blocks_and_line_breaks_and_keep_tails() -> None:
    markup = "Lead <b>bold</b> tail<p>One</p>after<br>line two<div>D<span>s</span></div>"
    assert _paragraphs(markup) == ["Lead bold tail", "One", "after", "line two", "Ds"]


def test_block_paragraphs_read_a_table_row_as_one_line_without_a_dangling_separator() -> None:
    markup = "<table><tr><td>Tata</td><td>1,200</td><td> </td></tr><tr><th>A</th><td></td></tr></table>"
    assert _paragraphs(markup) == ["Tata | 1,200", "A"]


def test_block_paragraphs_leave_out_code_frames_embeds_picture_captions_and_skipped_subtrees() -> None:
    markup = (
        '<p>Keep</p><script>x()</script><p>a<iframe>f</iframe>b</p><blockquote class="twitter-tweet x"><p>tweet</p>'
        '</blockquote><blockquote class="pullquote">quote</blockquote>'
    )
    assert _paragraphs(markup) == ["Keep", "ab", "quote"]
    markup = (
        "<figure><img src=x><figcaption>Photo</figcaption></figure>"
        "<figure><blockquote>Q</blockquote><figcaption>Said X</figcaption></figure><p class=ad>Ad</p><p>Body</p>"
    )
    assert _paragraphs(markup, lambda element: element.get("class") == "ad") == ["Q", "Said X", "Body"]


SYNDICATED = (
    "(Only the headline and picture of this report may have been reworked by the Business Standard staff; "
    "the rest of the content is auto-generated from a syndicated feed.)"
)


def test_split_body_joins_a_disclaimer_cut_by_a_line_break() -> None:
    first, rest = SYNDICATED.split(" from ")
    assert split_body([first, f"from {rest}", "next"]) == (["next"], SYNDICATED)


def test_split_body_leaves_the_line_after_a_cut_disclaimer_in_the_story_when_it_is_not_the_rest() -> None:
    cut = "(Only the headline and picture of this report may have been reworked"
    assert split_body([cut, "Story goes on"]) == (["Story goes on"], cut)


def test_split_body_keeps_the_first_disclaimer_and_drops_promos() -> None:
    again = "(Only the headline and picture of this report again)"
    assert split_body([SYNDICATED, again, "Story", "Also Read: Nifty falls", "ADVERTISEMENT"]) == (["Story"], SYNDICATED)


def test_split_body_takes_a_disclaimer_run_into_the_last_line_out_of_it() -> None:
    assert split_body(["Story.", f"More story. {SYNDICATED}"]) == (["Story.", "More story."], SYNDICATED)
    # Only from the last line, and only when the note is the syndication one.
    assert split_body([f"More story. {SYNDICATED}", "End."]) == ([f"More story. {SYNDICATED}", "End."], None)


def _article(**fields: object) -> Article:
    values: dict[str, object] = {
        "url": URL, "articleId": "124022800873", "headline": "Sensex rises", "layout": "nextjs-2023",
        "datePublished": "2024-02-28T15:42:00+05:30", "articleBody": "Body.",
    }
    return Article(**{**values, **fields})  # type: ignore[arg-type]


def test_missing_required_names_each_empty_required_field_and_nothing_else() -> None:
    assert missing_required(_article()) == []
    assert missing_required(_article(headline="", articleBody=None)) == ["headline", "articleBody"]
    assert missing_required(_article(description=None, topics=[])) == []


def test_missing_fields_counts_empty_reader_fields_but_not_the_bookkeeping_ones() -> None:
    full = _article(
        canonicalUrl=URL, section="Markets", breadcrumbs=[Link(name="Markets", url=URL)], description="D",
        authors=[Link(name="A", url=URL)], dateline="Mumbai", datePublishedRaw="Feb 28 2024 | 3:42 PM IST",
        dateModified="2024-02-28T15:42:00+05:30", dateModifiedRaw="Feb 28 2024 | 3:42 PM IST", readTimeMinutes=2,
        mainImage=Image(url=URL), alsoRead=[RelatedArticle(headline="H", url=URL)], topics=["RBI"], disclaimer="N",
        market=[],
    )
    assert missing_fields(full) == []
    emptied = replace(full, description=None, topics=[], inLanguage="", dateDownloaded=None, version=None)
    assert missing_fields(emptied) == ["description", "topics", "inLanguage"]


AKAMAI = (
    "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission. "
    "Reference #18.6f2d3e17.1709115120.1a2b3c4d<P>https://errors.edgesuite.net/18.6f2d3e17</P></BODY></HTML>"
)


def test_is_block_page_needs_both_the_denial_and_akamai_s_reference() -> None:
    assert is_block_page(AKAMAI)
    encoded = AKAMAI.replace("Reference #18.", "Reference&#32;&#35;18&#46;").replace("errors.edgesuite.net", "errors&#46;edgesuite&#46;net")
    assert is_block_page(encoded)
    assert is_block_page(encoded.replace("Reference&#32;", "Ref "))  # the link alone names Akamai
    assert is_block_page(encoded.replace("<H1>Access Denied</H1>", "<H1>ACCESS DENIED</H1>"))
    assert not is_block_page(AKAMAI.replace("Reference #18.6f2d3e17.1709115120.1a2b3c4d", "").replace("errors.edgesuite.net", "example.org"))
    assert not is_block_page("<html><title>Sensex &amp; Nifty</title> Reference #18.6f2d</html>")
    assert not is_block_page("<p>Access Denied</p> errors.edgesuite.net")
    # An article that quotes the words far below its head is no block page.
    assert not is_block_page("<html>" + "x" * 20000 + AKAMAI)


def test_may_be_block_page_only_when_the_head_has_the_word_or_is_utf16() -> None:
    assert may_be_block_page(AKAMAI.encode())
    assert may_be_block_page(b"<title>ACCESS DENIED</title>")
    assert may_be_block_page("<title>Access Denied</title>".encode("utf-16-le"))
    assert not may_be_block_page(b"<html>Sensex rises</html>")
    assert may_be_block_page(b"x" * 79990 + b"Denied")
    assert not may_be_block_page(b"x" * 80000 + b"Denied")


def test_decode_body_says_which_declaration_stray_bytes_overruled() -> None:
    text, note = decode_body(b"caf\xc3\xa9 India\x92s", "text/html; charset=windows-1252")
    assert text == "caf\u00e9 India\ufffds"
    assert note == "1 byte(s) not UTF-8 although cp1252 is declared; kept as U+FFFD" and note.kind == STRAY_BYTES


def test_a_video_under_a_section_is_a_video_whatever_its_id() -> None:
    url = "https://www.business-standard.com/markets/video/sensex-rises-124022800873_1.html"
    assert url_kind(url) == VIDEO and non_article_kind(url) == VIDEO
    # A slug holding every word the quick test looks for is read by its path all the same.
    url = "https://www.business-standard.com/video/photo-gallery-podcast-stories-124022800873_1.html"
    assert non_article_kind(url) == VIDEO


def test_hindi_edition_is_its_hosts_not_the_word_in_a_path() -> None:
    assert not on_hindi_edition("https://www.business-standard.com/topic/hindi-news")
    assert on_hindi_edition("https://hindi.business-standard.com/storypage.php?autono=123456")


def test_promo_run_needs_a_separator_unless_bold() -> None:
    assert is_promo_run("Read more: Sensex falls", bold=False)
    assert is_promo_run("ALSO READ | Nifty ends lower", bold=False)
    assert not is_promo_run("read more about the scheme", bold=False)
    assert is_promo_run("Also Read Sensex falls", bold=True)
    assert not is_promo_run("Also Read Sensex falls", bold=False)


@pytest.mark.parametrize(
    "label",
    [
        "READ MORE",
        "इन्हें भी पढ़ें:",  # 16 characters, the nukta apart
        "इन्हें भी पढ़िये:",  # 17
        "► इन्हें भी पढ़िये :",
    ],
)
def test_promo_label_alone_drops_the_promoted_links_after_it(label: str) -> None:
    paragraphs = ["Body", label, "Nifty falls", "Gold rises", "More body", "Nifty falls"]
    assert without_promoted_links(paragraphs, lambda: {"Nifty falls", "Gold rises"}) == ["Body", "More body", "Nifty falls"]


def test_short_paragraphs_that_are_no_label_keep_the_links_after_them() -> None:
    paragraphs = ["Sensex rises", "Nifty falls", "Body"]
    assert without_promoted_links(paragraphs, lambda: {"Nifty falls"}) == paragraphs
    assert not is_promo_label("Also Read: more")


def test_ld_resolved_follows_a_bare_id_reference_to_the_fuller_object() -> None:
    graph = (
        '{"@graph": [{"@type": "NewsArticle", "headline": "H", "author": {"@id": "#a"}},'
        ' {"@id": "#a"}, {"@id": "#a", "@type": "Person", "name": "Reporter"}]}'
    )
    page = _ld_page(graph)
    author = page.ld_article["author"]
    assert page.ld_resolved(author) == {"@id": "#a", "@type": "Person", "name": "Reporter"}
    # An object with more than an id and a type is no reference; an id nothing fuller has stays.
    named = {"@id": "#a", "name": "Desk"}
    assert page.ld_resolved(named) is named
    assert page.ld_resolved({"@id": "#b"}) == {"@id": "#b"}
    assert page.ld_resolved("#a") == "#a"


@pytest.mark.parametrize("markup", ["", "   ", "\n\t"])
def test_fragment_of_nothing_is_none(markup: str) -> None:
    assert fragment(markup) is None


def _head_page(head: str, html_attributes: str = "") -> Page:
    return Page(f"<html{html_attributes}><head>{head}</head><body><p>x</p></body></html>", URL)


def test_meta_reads_the_first_filled_tag_of_the_first_name_that_has_one() -> None:
    page = _head_page(
        '<meta name="description" content=" "><meta name="description" content="Filled &amp; clean">'
        '<meta property="og:title" content="OG"><meta http-equiv="Content-Language" content="hi">'
        '<meta itemprop=" headline " content="Item">'
    )
    assert page.meta("description") == "Filled & clean"
    assert page.meta("twitter:title", "og:title") == "OG"
    assert page.meta("content-language") == "hi"
    assert page.meta("headline") == "Item"
    assert page.meta("keywords") is None


def test_meta_values_reads_every_tag_of_a_property_or_name() -> None:
    page = _head_page(
        '<meta property="article:tag" content="RBI"><meta property=" article:tag " content=" Repo rate ">'
        '<meta name="article:tag" content="Inflation"><meta property="article:tag" content="  ">'
        '<meta property="article:section" content="Economy">'
    )
    assert page.meta_values("article:tag") == ["RBI", "Repo rate", "Inflation"]
    assert page.meta_values("news_keywords") == []


def test_canonical_is_the_canonical_link_else_og_url() -> None:
    page = _head_page(f'<link rel="stylesheet" href="/a.css"><link rel="canonical"><link rel=" Canonical " href=" {URL} ">')
    assert page.canonical == URL
    assert _head_page(f'<meta property="og:url" content="{OTHER_URL}">').canonical == OTHER_URL
    assert _head_page("").canonical is None


def test_lang_is_the_two_letters_of_the_html_lang() -> None:
    assert _head_page("", ' lang="hi-IN"').lang == "hi"
    assert _head_page("", ' lang="EN"').lang == "en"
    assert _head_page("").lang is None


def test_is_amp_by_attribute_or_lightning_bolt() -> None:
    assert _head_page("", " amp").is_amp
    assert Page("<!doctype html><html \u26a1 lang=en><body>x</body></html>", URL).is_amp
    assert not _head_page("").is_amp


@pytest.mark.parametrize(
    ("markup", "paragraphs"),
    [
        ("Lead <p>A</p>tail", ["Lead", "A", "tail"]),
        ("<html><body><p>A</p><p>B</p></body></html>", ["A", "B"]),
        ("<!DOCTYPE html><html><head><title>T</title></head><body>Lead<p>A</p></body></html>", ["Lead", "A"]),
    ],
)
def test_fragment_of_a_snippet_or_a_whole_document_is_its_body_under_a_div(markup: str, paragraphs: list[str]) -> None:
    root = fragment(markup)
    assert root is not None and root.tag == "div" and not root.attrib
    assert block_paragraphs(root) == paragraphs


def _next_data_page(*blocks: str) -> Page:
    scripts = "".join(f'<script id="__NEXT_DATA__" type="application/json">{block}</script>' for block in blocks)
    return Page(f"<html><head></head><body><p>x</p>{scripts}</body></html>", URL)


def test_next_data_is_the_first_readable_block_with_the_page_props() -> None:
    first = '{"props": {"pageProps": {"data": {"heading1": "First"}}}}'
    second = '{"props": {"pageProps": {"data": {"heading1": "Second"}}}}'
    assert _next_data_page("{broken", first, second).next_article == {"heading1": "First"}
    # A damaged block read as several objects: the one holding the props.
    assert _next_data_page('{"buildId": "x"}' + first).next_article == {"heading1": "First"}
    assert _next_data_page('{"props": {"pageProps": {"data": ["not", "an", "object"]}}}').next_article == {}
    assert not _next_data_page().has_next_data and _next_data_page().next_data is None
    assert _next_data_page("{broken").has_next_data


@pytest.mark.parametrize("markup", ["<html></html>", "<!doctype html><html><head><title>T</title></head></html>"])
def test_fragment_of_a_whole_document_without_a_body_is_none_not_an_error(markup: str) -> None:
    assert fragment(markup) is None


def test_fragment_of_a_whole_document_with_an_empty_body_is_an_empty_div() -> None:
    root = fragment("<html><body></body></html>")
    assert root is not None and root.tag == "div" and len(root) == 0 and block_paragraphs(root) == []


@pytest.mark.parametrize(
    "line",
    [
        "window.dataLayer = window.dataLayer || [];",
        "googletag.cmd.push(function() { googletag.display('div-1'); });",
        ".ad-slot { display: none; }",
        "});",
        "@media (max-width: 600px) {",
        "var slot = 1;",
        "function () {",
    ],
)
def test_is_code_knows_script_and_style_lines(line: str) -> None:
    assert is_code(line)


@pytest.mark.parametrize("line", ["Profit {sic} rose 2%.", "The ratio x = y held.", "Sensex rose 300 points.", "A rule { of thumb }"])
def test_is_code_leaves_prose_with_braces_or_equals_signs(line: str) -> None:
    assert not is_code(line)
