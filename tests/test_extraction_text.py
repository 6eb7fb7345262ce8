"""Text hazards: decoding by the bytes, invisible characters, lenient JSON, a body cut short; and the
validation pipeline's counts of sources, disagreements and cut bodies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from crawler import stats as stat
from crawler.extraction import NotAnArticle, decode_body, extract
from crawler.extraction.normalize import clean_text
from crawler.extraction.page import FALLBACK_ENCODING, STRAY_BYTES, UTF8_OVER_DECLARED, loads_lenient
from crawler.pipelines import ArticleValidationPipeline
from tests.conftest import PAGES, SITE
from tests.pages.specs import SEED

SEED_HTML = (PAGES / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
SEED_URL = SITE + SEED.path


def test_a_stray_latin1_byte_stays_one_replacement_character() -> None:
    body = SEED_HTML.replace("Cooperation in the field", "Cooperation\u00a0in the field", 1).encode()
    body = body.replace("in the field".encode(), b"in the \xe9field", 1)  # one byte that is not UTF-8
    body = body.replace(b"</body>", "<p>\u20b9 5,000 crore \u2014 \u0928\u0908 \u0926\u093f\u0932\u094d\u0932\u0940</p></body>".encode())
    text, note = decode_body(body, "text/html; charset=utf-8")
    assert note is not None and note.kind == STRAY_BYTES
    assert text.count("\ufffd") == 1 and "\u20b9 5,000 crore \u2014 \u0928\u0908" in text


def test_valid_utf8_wins_over_a_contradicting_header_and_is_counted() -> None:
    body = "<html><body><p>\u20b9 \u0928\u0908 \u0926\u093f\u0932\u094d\u0932\u0940</p></body></html>".encode()
    text, note = decode_body(body, "text/html; charset=iso-8859-1")
    assert "\u20b9 \u0928\u0908" in text and note is not None and note.kind == UTF8_OVER_DECLARED
    assert decode_body(b"<html>plain ascii</html>", "text/html; charset=iso-8859-1")[1] is None


def test_a_windows_1252_page_is_read_as_such() -> None:
    text, note = decode_body("<p>caf\u00e9 \u201cquoted\u201d</p>".encode("cp1252"), "text/html; charset=utf-8")
    assert text == "<p>caf\u00e9 \u201cquoted\u201d</p>" and note is not None and note.kind == FALLBACK_ENCODING


def test_invisible_characters_go_before_validation() -> None:
    assert clean_text("\u200b\u200c\u200d\ufeff\u2060") is None
    assert clean_text("Sensex\u0007 falls\u200b") == "Sensex falls"
    hindi = "\u0915\u094d\u200d\u0937"  # a joiner inside a word shapes the conjunct: it stays
    assert clean_text(hindi) == hindi
    html = SEED_HTML
    for headline in (SEED.headline,):
        html = html.replace(headline, "\u200b\u200d\u200b")
    html = html.replace("India-US defence meet: Security cooperation, intelligence sharing discussed", "\u200b\u200d")
    with pytest.raises(NotAnArticle) as raised:
        extract(html, SEED_URL)
    assert raised.value.reason == "no-headline"


# One of each family a reader never sees: format characters that only steer layout (dropped
# wherever they are), and characters that show nothing on their own (kept inside text).
DROPPED = ["\u200b", "\u2060", "\u2061", "\u2063", "\u00ad", "\ufeff", "\u200e", "\u061c", "\u202e", "\u2066", "\u206a", "\u180e", "\ufffa", "\U0001bca1", "\U0001d173", "\U000e0001", "\x07", "\x9f"]
BLANK = ["\u200c", "\u200d", "\u034f", "\u115f", "\u1160", "\u17b4", "\u2800", "\u3164", "\uffa0", "\ufe0f", "\U000e0041", "\U000e0100"]


@pytest.mark.parametrize("character", DROPPED + BLANK, ids=lambda c: f"U+{ord(c):04X}")
def test_a_headline_of_invisible_characters_alone_is_no_headline(character: str) -> None:
    assert clean_text(character) is None and clean_text(f" {character}{character} \u00a0{character} ") is None
    html = SEED_HTML.replace(SEED.headline, character * 3)
    html = html.replace("India-US defence meet: Security cooperation, intelligence sharing discussed", f"{character} {character}")
    with pytest.raises(NotAnArticle) as raised:
        extract(html, SEED_URL)
    assert raised.value.reason == "no-headline"
    # Put in by hand past the rules, the validation pipeline still refuses it.
    pipeline, spider = _pipeline()
    article = replace(extract(SEED_HTML, SEED_URL).article, headline=f"{character}\u2062{character}")
    with pytest.raises(DropItem, match="headline"):
        pipeline.process_item(article, spider)


@pytest.mark.parametrize("character", DROPPED, ids=lambda c: f"U+{ord(c):04X}")
def test_layout_characters_go_from_inside_text(character: str) -> None:
    assert clean_text(f"Sensex{character} falls{character}{character}") == "Sensex falls"


@pytest.mark.parametrize("character", BLANK, ids=lambda c: f"U+{ord(c):04X}")
def test_characters_that_show_nothing_alone_stay_inside_text(character: str) -> None:
    assert clean_text(f"Sen{character}sex falls") == f"Sen{character}sex falls"


def test_an_emoji_flag_keeps_its_tag_characters() -> None:
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_text(f"{scotland} Scotland votes") == f"{scotland} Scotland votes"


def test_lenient_json_reads_what_is_not_strict_json_without_editing_strings() -> None:
    assert loads_lenient('{"headline": "Sensex ,} falls",}') == {"headline": "Sensex ,} falls"}
    assert loads_lenient('{"articleBody": "one\ntwo"}') == {"articleBody": "one\ntwo"}
    assert loads_lenient('[{"a": 1,},]') == [{"a": 1}]
    assert loads_lenient("not json") is None and loads_lenient("{broken") is None


def _pipeline() -> tuple[ArticleValidationPipeline, Spider]:
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    try:
        crawler.stats.open_spider()
    except TypeError:  # Scrapy 2.13 requires the spider argument, which 2.14+ deprecates
        crawler.stats.open_spider(Spider("t"))
    return ArticleValidationPipeline.from_crawler(crawler), Spider("t")


def test_pipeline_counts_sources_and_disagreements() -> None:
    # The DOM headline says something else than the JSON: a redesign or a bad guess shows as a stat.
    html = SEED_HTML.replace(f'stryhdtp">{SEED.headline}</h1>', 'stryhdtp">Another headline</h1>')
    extraction = extract(html, SEED_URL)
    assert "headline" in extraction.provenance.disagreements
    pipeline, spider = _pipeline()
    pipeline.process_item(extraction.article, spider)
    values = pipeline.stats.get_stats()
    assert values[stat.source("headline", "next")] == 1 and values[stat.source("articleBody", "next")] == 1
    assert values[stat.disagree("headline")] == 1
    assert stat.BODY_TRUNCATED_DOM not in values


def test_a_page_cut_short_inside_the_story_is_flagged_and_dropped() -> None:
    # The page ends inside the story: no __NEXT_DATA__, JSON-LD without articleBody; the DOM is all.
    story = SEED_HTML.index('id="parent_top_div"')
    cut = SEED_HTML[: SEED_HTML.index("The US has been demanding", story)]
    cut = cut.replace('"articleBody"', '"articleBodyX"')
    extraction = extract(cut, SEED_URL)
    assert "body-cut" in extraction.provenance.flags and extraction.provenance.sources["articleBody"] == "dom"
    pipeline, spider = _pipeline()
    with pytest.raises(DropItem):
        pipeline.process_item(extraction.article, spider)
    assert pipeline.stats.get_value(stat.DROPPED_CUT_BODY) == 1


def test_a_whole_page_is_not_flagged() -> None:
    assert not extract(SEED_HTML, SEED_URL).provenance.flags


def test_a_whole_page_with_scripts_appended_after_its_end_is_not_taken_for_a_cut_one() -> None:
    # A CDN's or a tag manager's scripts written after </html> (more than the last 4,000 characters
    # searched first): the story read from the DOM is whole, and the article must not be dropped.
    story = SEED_HTML.index('id="parent_top_div"')
    whole = SEED_HTML.replace('"articleBody"', '"articleBodyX"').replace('"htmlContent"', '"htmlContentX"')
    whole += "<script>window.dataLayer=window.dataLayer||[];" + "dataLayer.push({'event':'pageview'});" * 200 + "</script>\n"
    assert len(whole) - whole.rindex("</html>") > 4000 and story > 0
    extraction = extract(whole, SEED_URL)
    assert extraction.provenance.sources["articleBody"] == "dom" and "body-cut" not in extraction.provenance.flags
    pipeline, spider = _pipeline()
    assert pipeline.process_item(extraction.article, spider) is extraction.article
