"""More text hazards: characters that show nothing (the whole of Unicode's default-ignorable class),
lone surrogates from JSON escapes, and the item they would reach."""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, decode_body, extract
from crawler.extraction.normalize import clean_text
from crawler.extraction.page import FALLBACK_ENCODING, STRAY_BYTES, loads_lenient
from crawler.extraction.text import block_paragraphs, fragment, is_embedded_post, split_body
from crawler.incremental.exporters import ArticleJsonLinesItemExporter
from crawler.incremental.pipeline import content_hash
from tests.conftest import PAGES

EMBEDS = PAGES / "nextjs-2023" / "embeds"
EMBEDS_HTML = (EMBEDS / "page.html").read_text(encoding="utf-8")
EMBEDS_URL = json.loads((EMBEDS / "meta.json").read_text(encoding="utf-8"))["url"]
EMBEDS_EXPECTED = json.loads((EMBEDS / "expected.json").read_text(encoding="utf-8"))

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15): what a font shows
# nothing for.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]


def test_text_of_default_ignorable_characters_alone_is_none() -> None:
    shown = [
        f"U+{code:04X}"
        for first, last in DEFAULT_IGNORABLE
        for code in range(first, last + 1)
        if clean_text(chr(code) * 3) is not None or clean_text(f" {chr(code)} \u00a0{chr(code)}") is not None
    ]
    assert shown == []


# The Mongolian free variation selectors (U+180F since Unicode 14), unassigned default-ignorable
# code points, and an Egyptian hieroglyph format control.
@pytest.mark.parametrize("character", ["\u180b", "\u180c", "\u180d", "\u180f", "\u2065", "\ufff0", "\U000e0000", "\U000e0080", "\U00013430"], ids=lambda c: f"U+{ord(c):04X}")
def test_a_headline_of_them_is_no_headline(character: str) -> None:
    html = EMBEDS_HTML.replace(EMBEDS_EXPECTED["headline"], character * 3)
    with pytest.raises(NotAnArticle) as raised:
        extract(html, EMBEDS_URL)
    assert raised.value.reason == "no-headline"


def test_mongolian_variation_selectors_stay_inside_words() -> None:
    word = "\u182d\u180b\u1821"  # a selector picks the letter's shape: it is part of the word
    assert clean_text(f"{word} news") == f"{word} news"
    assert clean_text("Sensex\u2065 falls") == "Sensex falls"


@pytest.mark.parametrize("surrogate", ["\ud83d", "\ude80", "\ud800", "\udfff"], ids=lambda c: f"U+{ord(c):04X}")
def test_lone_surrogates_are_dropped(surrogate: str) -> None:
    assert clean_text(f"Rally fuels {surrogate}") == "Rally fuels"
    assert clean_text(f"Sen{surrogate}sex") == "Sensex"
    assert clean_text(surrogate * 2) is None
    assert clean_text("Rally \U0001f680 fuels") == "Rally \U0001f680 fuels"  # a whole pair is one character


def _with_surrogates(value: Any) -> Any:
    """Every string of a JSON value (but the JSON-LD keywords' @type, @context) with a lone high
    surrogate at its end and a lone low one at its first space."""
    if isinstance(value, dict):
        return {key: item if key in ("@type", "@context") else _with_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_surrogates(item) for item in value]
    if isinstance(value, str) and value:
        return value.replace(" ", " \udc00", 1) + "\ud83d"
    return value


def _script_json_with_surrogates(html: str) -> str:
    def poisoned(found: re.Match[str]) -> str:
        # json.dumps writes a lone surrogate as its escape, "\ud83d", as a careless CMS does.
        data = json.dumps(_with_surrogates(json.loads(found.group(2))), ensure_ascii=True).replace("</", "<\\/")
        assert "\\ud83d" in data
        return found.group(1) + data + found.group(3)

    pattern = re.compile(r"(<script[^>]*(?:application/ld\+json|__NEXT_DATA__)[^>]*>)(.*?)(</script>)", re.S)
    html, count = pattern.subn(poisoned, html)
    assert count >= 1
    return html


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    if hasattr(value, "__dataclass_fields__"):
        return _strings(vars(value))
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(
    "folder",
    ["nextjs-2023/embeds", "nextjs-2023/live-blog", "amp/seed-syndicated", "generic/jsonld-unknown-layout", "hindi-2020/budget-166607"],
)
def test_lone_surrogate_escapes_in_the_page_json_never_reach_the_item_hash_or_feed(folder: str) -> None:
    html = (PAGES / folder / "page.html").read_text(encoding="utf-8")
    url = json.loads((PAGES / folder / "meta.json").read_text(encoding="utf-8"))["url"]
    expected = json.loads((PAGES / folder / "expected.json").read_text(encoding="utf-8"))
    article = extract(_script_json_with_surrogates(html), url).article
    assert [text for text in _strings(article) if re.search("[\ud800-\udfff]", text)] == []
    # Each string is the page's own once the surrogates are gone: nothing else was lost with them.
    assert asdict(article) == expected
    assert content_hash(article) == content_hash(extract(html, url).article)
    out = io.BytesIO()
    exporter = ArticleJsonLinesItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(article)
    exporter.finish_exporting()
    assert json.loads(out.getvalue()) == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('\ufeff{"headline": "Sensex falls"}', {"headline": "Sensex falls"}),
        ('\ufeff  {"headline": "Sensex\tfalls",}', {"headline": "Sensex\tfalls"}),
        (' \ufeff[{"a": 1}]', [{"a": 1}]),
        ('{"@type": "Organization"}{"@type": "NewsArticle", "headline": "X"}', [{"@type": "Organization"}, {"@type": "NewsArticle", "headline": "X"}]),
        ('{"@type": "Organization"}\n{"@type": "NewsArticle", "headline": "}{"}\n', [{"@type": "Organization"}, {"@type": "NewsArticle", "headline": "}{"}]),
        ('{"a": "x\ny"}\r\n\t{"b": 2}', [{"a": "x\ny"}, {"b": 2}]),
        ('[{"a": 1}] {"b": 2}', [[{"a": 1}], {"b": 2}]),
        ('{"a": 1,}{"b": "two ,}",}', [{"a": 1}, {"b": "two ,}"}]),  # each needs the lenient parser
        ('{"headline": "Sensex falls"};', {"headline": "Sensex falls"}),  # one object stays one
    ],
)
def test_lenient_json_reads_a_bom_and_several_objects(raw: str, value: Any) -> None:
    assert loads_lenient(raw) == value


GENERIC = PAGES / "generic" / "jsonld-unknown-layout"
GENERIC_HTML = (GENERIC / "page.html").read_text(encoding="utf-8")
GENERIC_URL = json.loads((GENERIC / "meta.json").read_text(encoding="utf-8"))["url"]
GENERIC_EXPECTED = json.loads((GENERIC / "expected.json").read_text(encoding="utf-8"))
LD_OPEN = '<script type="application/ld+json">'
ORGANIZATION = '{"@context": "https://schema.org", "@type": "Organization", "name": "Business Standard"}'


@pytest.mark.parametrize(
    "prefix",
    ["\ufeff", "\ufeff\n", ORGANIZATION, ORGANIZATION + "\n", ORGANIZATION.replace("}", ",}")],
    ids=["bom", "bom-newline", "concatenated", "concatenated-newline", "concatenated-lenient"],
)
def test_an_article_json_ld_after_a_bom_or_another_object_in_its_script_is_read(prefix: str) -> None:
    assert GENERIC_HTML.count(LD_OPEN) == 1
    html = GENERIC_HTML.replace(LD_OPEN, LD_OPEN + prefix)
    extraction = extract(html, GENERIC_URL)
    assert asdict(extraction.article) == GENERIC_EXPECTED


# --- bytes that are neither all UTF-8 nor what is declared ---------------------------------------

SEED_PAGE = PAGES / "nextjs-2023" / "seed-syndicated"
SEED_HTML = (SEED_PAGE / "page.html").read_text(encoding="utf-8")
SEED_URL = json.loads((SEED_PAGE / "meta.json").read_text(encoding="utf-8"))["url"]
SEED_HEADLINE = json.loads((SEED_PAGE / "expected.json").read_text(encoding="utf-8"))["headline"]
QUOTED = "India\u2019s own"


def _utf8_page(real: int, stray: int, charset: str = "utf-8") -> bytes:
    """The seed page in UTF-8 with ``real`` curly apostrophes (three bytes each in UTF-8) and
    ``stray`` Windows-1252 quotes (one byte each, not UTF-8), its <meta> declaring ``charset``."""
    assert SEED_HTML.isascii() and "<p>" in SEED_HTML
    html = SEED_HTML.replace("<p>", f"<p>{QUOTED} " * real + "<p>", 1)
    for declaration in ('<meta charset="utf-8">', 'charset=utf-8'):
        html = html.replace(declaration, declaration.replace("utf-8", charset))
    body = html.encode("utf-8")
    return body.replace(b"<p>", b"<p>\x93quoted\x94 " * (stray // 2) + b"<p>\x92 " * (stray % 2) + b"<p>", 1)


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("text/html; charset=ISO-8859-1", "utf-8"),
        ("text/html; charset=windows-1252", "utf-8"),
        (None, "iso-8859-1"),
        (None, "windows-1252"),
        ("text/html", "windows-1252"),
        ("text/html; charset=utf-8", "utf-8"),
        (None, "utf-8"),
    ],
)
@pytest.mark.parametrize(("real", "stray"), [(1, 1), (3, 3), (2, 1), (5, 4)])
def test_a_utf8_page_with_stray_bytes_stays_utf8_whatever_is_declared(content_type: str | None, charset: str, real: int, stray: int) -> None:
    body = _utf8_page(real, stray, charset)
    assert body.count("\u2019".encode()) == real
    text, note = decode_body(body, content_type)
    assert note is not None and note.kind == STRAY_BYTES and note.startswith(f"{stray} byte(s) not UTF-8")
    assert text.count("\ufffd") == stray and text.count(QUOTED) == real and "\u00e2\u20ac" not in text


def test_the_item_of_such_a_page_has_no_mojibake_and_a_note() -> None:
    body = _utf8_page(1, 1, "iso-8859-1").replace(SEED_HEADLINE.encode(), f"{QUOTED} {SEED_HEADLINE}".encode())
    extraction = extract(body, SEED_URL, "text/html; charset=ISO-8859-1")
    assert extraction.article.headline == f"{QUOTED} {SEED_HEADLINE}"
    assert extraction.encoding_note is not None and extraction.encoding_note.kind == STRAY_BYTES


@pytest.mark.parametrize("content_type", ["text/html; charset=ISO-8859-1", "text/html; charset=windows-1252"])
def test_a_page_with_more_stray_bytes_than_utf8_is_read_as_declared(content_type: str) -> None:
    body = _utf8_page(1, 2)
    assert decode_body(body, content_type) == (body.decode("cp1252"), None)
    latin = "<p>caf\u00e9 \u201cquoted\u201d na\u00efve</p>".encode("cp1252")
    assert decode_body(latin, content_type) == ("<p>caf\u00e9 \u201cquoted\u201d na\u00efve</p>", None)


def test_a_page_with_no_utf8_and_a_utf8_declaration_is_read_as_windows_1252() -> None:
    text, note = decode_body("<p>caf\u00e9 \u201cquoted\u201d</p>".encode("cp1252"), "text/html; charset=utf-8")
    assert text == "<p>caf\u00e9 \u201cquoted\u201d</p>" and note is not None and note.kind == FALLBACK_ENCODING


# --- posts embedded from other sites, and promos, in the body ------------------------------------

STORY = ["India and the US held their annual dialogue on Wednesday.", "The next round will be held in Washington."]
EMBEDS = {
    "reddit-card": '<blockquote class="reddit-card"><a href="https://www.reddit.com/r/india/comments/1/x/">A post on Reddit</a> from <a href="https://www.reddit.com/r/india/">r/india</a></blockquote>',
    "twitter-timeline": '<a class="twitter-timeline" href="https://twitter.com/bsindia?ref_src=twsrc%5Etfw">Tweets by bsindia</a>',
    "rendered-tweet": '<div class="twitter-tweet twitter-tweet-rendered" style="display: flex;"><p>Held productive talks today.</p>&mdash; Embassy (@embassy)</div>',
    "mastodon": '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@x/1/embed"><a href="https://mastodon.social/@x/1">Post by @x@mastodon.social</a></blockquote>',
    "koo": '<blockquote class="koo-media" data-koo-permalink="https://embed.kooapp.com/embedKoo?kooId=1"><div><a href="https://www.kooapp.com/koo/x/1">Koo post text</a></div></blockquote>',
    "linkedin": '<blockquote class="linkedin-post"><p>A post on LinkedIn about the dialogue</p></blockquote>',
    "facebook-div": '<div class="fb-post" data-href="https://www.facebook.com/x/posts/1"><div>A post on Facebook</div></div>',
    "tumblr": '<div class="tumblr-post" data-href="https://embed.tumblr.com/embed/post/1"><a href="https://x.tumblr.com/post/1">A post on Tumblr</a></div>',
    "tweet-among-other-classes": '<blockquote class="embed twitter-tweet" data-lang="en"><p>Tweet text</p>&mdash; Someone</blockquote>',
    "wrapped-instagram": '<div class="embed-instagram"><blockquote class="instagram-media"><p>Post text on Instagram</p></blockquote></div>',
}


def _body_of(markup: str) -> list[str]:
    root = fragment(markup)
    assert root is not None
    return split_body(block_paragraphs(root))[0]


@pytest.mark.parametrize("embed", EMBEDS.values(), ids=EMBEDS.keys())
def test_posts_embedded_from_other_sites_are_left_out_of_the_body(embed: str) -> None:
    wrapper = fragment(embed)
    assert wrapper is not None and any(is_embedded_post(element) for element in wrapper.iterdescendants())
    assert _body_of(f"<p>{STORY[0]}</p>{embed}<p>{STORY[1]}</p>") == STORY
    assert _body_of(f"<div>{STORY[0]}</div><div>{embed}</div><div>{STORY[1]}</div>") == STORY


@pytest.mark.parametrize(
    "quotation",
    [
        "<blockquote><p>We will not allow our soil to be used for terror.</p></blockquote>",
        '<blockquote class="pullquote twitter-tweet-like"><p>We will not allow our soil to be used for terror.</p></blockquote>',
        '<div class="quote-twitter-tweet">We will not allow our soil to be used for terror.</div>',
        '<a class="twitter-timelines" href="/x">We will not allow our soil to be used for terror.</a>',
    ],
)
def test_quotations_and_look_alike_classes_stay(quotation: str) -> None:
    assert _body_of(f"<p>{STORY[0]}</p>{quotation}<p>{STORY[1]}</p>") == [STORY[0], "We will not allow our soil to be used for terror.", STORY[1]]


@pytest.mark.parametrize(
    "promo",
    ["Follow us on Google News", "Follow us on Google News for the latest updates.", "FOLLOW BUSINESS STANDARD ON GOOGLE NEWS", "Follow us on WhatsApp"],
)
def test_the_follow_us_promo_goes(promo: str) -> None:
    assert _body_of(f"<p>{STORY[0]}</p><p><a href='https://news.google.com/x'>{promo}</a></p><p>{STORY[1]}</p>") == STORY
    # A sentence of the story that only mentions it stays.
    story = "Publishers who ask readers to follow us on Google News saw more traffic."
    assert _body_of(f"<p>{story}</p>") == [story]


def test_an_embed_in_the_page_htmlcontent_stays_out_of_the_item() -> None:
    found = re.search(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', EMBEDS_HTML, re.S)
    assert found is not None
    data = json.loads(found.group(2))
    story = data["props"]["pageProps"]["data"]
    first = "officials said.</div>"  # the end of the first paragraph
    assert story["htmlContent"].count(first) == 1
    story["htmlContent"] = story["htmlContent"].replace(first, first + "".join(EMBEDS.values()) + "<p>Follow us on Google News</p>")
    html = EMBEDS_HTML.replace(found.group(2), json.dumps(data).replace("</", "<\\/"))
    extraction = extract(html, EMBEDS_URL)
    assert extraction.provenance.sources["articleBody"] == "next"
    assert extraction.article.articleBody == EMBEDS_EXPECTED["articleBody"]


def test_a_lone_surrogate_in_a_page_given_as_text_does_not_stop_the_parse() -> None:
    from crawler.extraction.page import Page

    page = Page("<html><body><p>India \ud83d and the US</p><p>held talks</p></body></html>", "https://www.business-standard.com/")
    assert [p.text for p in page.root.iter("p")] == ["India ? and the US", "held talks"]


def test_a_damaged_next_data_read_as_two_objects_still_gives_the_page_s_props() -> None:
    from crawler.extraction.page import Page

    html = '<html><head><script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"data": {"heading1": "H"}}}} {"x": 1}</script></head></html>'
    assert Page(html, "https://www.business-standard.com/").next_article == {"heading1": "H"}


@pytest.mark.parametrize("label", ["Also Read", "ALSO READ", "Read more", "Also Read:"])
def test_an_inline_also_read_label_alone_goes(label: str) -> None:
    assert _body_of(f"<p>{STORY[0]}</p><p><strong>{label}</strong></p><p>{STORY[1]}</p>") == STORY
    # A sentence of the story that starts with the words stays.
    story = "Read more carefully, the order says the opposite."
    assert _body_of(f"<p>{story}</p>") == [story]
