"""Review of round 16's clean text: the neighbours of its probes (escaped void tags, long references)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.extraction import extract
from crawler.extraction.normalize import clean_text
from tests.loopback.pages import SITE, render_amp, render_current, render_legacy
from tests.pages.cases import HINDI_BUDGET, HINDI_SITE, render_hindi
from tests.pages.specs import SEED

LAYOUTS = ["nextjs", "nextjs-dom", "amp", "pre2023"]


def _page(spec: object, layout: str) -> tuple[str, str]:
    s = spec
    return {
        "nextjs": lambda: (render_current(s), SITE + s.path),  # type: ignore[attr-defined]
        "nextjs-dom": lambda: (render_current(replace(s, html_content=False)), SITE + s.path),  # type: ignore[attr-defined, type-var]
        "amp": lambda: (render_amp(s), SITE + "/amp" + s.path),  # type: ignore[attr-defined]
        "pre2023": lambda: (render_legacy(s), f"{SITE}/article/india-news/{s.slug}-{s.article_id}_1.html"),  # type: ignore[attr-defined]
    }[layout]()


# --- markup escaped into the text without a closing tag: a line break, a picture, a cut <p> -----
# Round 16 read escaped markup as its text only where a closing tag ("</") was in it, so that a
# reader's "a<b holds when b>a" stays; a void tag (<br>, <img>) never has one, and a pasted piece
# cut before its end has none: the tags were the story's text ("First line<br />Second line").
VOID = [
    ("The order was signed.<br />It takes effect on Monday.", ["The order was signed.", "It takes effect on Monday."]),
    ("The order was signed.<br>It takes effect on Monday.", ["The order was signed.", "It takes effect on Monday."]),
    ('See the chart <img src="chart.jpg" alt="chart"> for the trend.', ["See the chart for the trend."]),
    ("<p>The board approved the plan on Friday.", ["The board approved the plan on Friday."]),
    ('<p class="x">The board approved the plan on Friday.', ["The board approved the plan on Friday."]),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("escaped", "text"), VOID)
def test_a_void_or_unclosed_tag_escaped_into_the_story_gives_its_text(layout: str, escaped: str, text: list[str]) -> None:
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], escaped, *SEED.paragraphs[2:4]])
    html, url = _page(spec, layout)
    body = extract(html, url).article.articleBody.split("\n")
    assert body[1 : 1 + len(text)] == text
    assert body[1 + len(text)] == SEED.paragraphs[2]


def test_a_void_tag_escaped_into_a_hindi_story_gives_its_text() -> None:
    escaped, text = VOID[0]
    story = replace(HINDI_BUDGET, paragraphs=[HINDI_BUDGET.paragraphs[0], escaped, *HINDI_BUDGET.paragraphs[1:]])
    body = extract(render_hindi(story), f"{HINDI_SITE}/storypage.php?autono={story.autono}").article.articleBody
    assert body.split("\n")[1:3] == text


@pytest.mark.parametrize("layout", ["amp", "pre2023", "nextjs"])
def test_a_void_tag_escaped_into_a_field_the_page_shows_gives_its_text(layout: str) -> None:
    spec = replace(SEED, image_caption="Caption<br />of the picture", also_read=[("Rana<br>on the dialogue", SEED.also_read[0][1])])
    html, url = _page(spec, layout)
    article = extract(html, url).article
    assert article.mainImage is not None and article.mainImage.caption == "Caption of the picture"
    assert [a.headline for a in article.alsoRead][:1] in ([], ["Rana on the dialogue"])


@pytest.mark.parametrize(
    "text",
    [
        "The ratio a<b holds when b>a.",
        "Inflation stayed <5% and the repo rate >6%.",
        "Use the <bs> tag in the form.",
        "The spread <p and q> is small.",
        "Returns of <br 5 per cent> were seen.",
        # A letter in angle brackets is a reader's (a rating, a variable), not a tag with its name alone.
        "The bonds were rated <A> by the agency.",
        "The vector <i> and the set <s> were named.",
    ],
)
def test_angle_brackets_of_no_markup_stay_in_the_story(text: str) -> None:
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], text, *SEED.paragraphs[2:4]])
    html, url = _page(spec, "pre2023")
    assert extract(html, url).article.articleBody.split("\n")[1] == text


# --- a decimal character reference too long for int(): no article lost ---------------------------
# Python refuses to read more than 4300 decimal digits as a number (a ValueError), which html.unescape
# does not guard against: one such reference anywhere in the text made the article "unreadable" and
# dropped it. A reference beyond U+10FFFF is U+FFFD, as html.unescape makes any out-of-range one.
LONG = "&#" + "1" * 5000 + ";"


def test_a_long_decimal_reference_is_a_replacement_character() -> None:
    assert clean_text(f"Code {LONG} here") == "Code \ufffd here"
    assert clean_text("Code &#" + "0" * 5000 + "39; here") == "Code ' here"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_long_decimal_reference_in_the_story_loses_no_article(layout: str) -> None:
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], f"Code {LONG} here.", *SEED.paragraphs[2:4]])
    html, url = _page(spec, layout)
    assert extract(html, url).article.articleBody.split("\n")[1] == "Code \ufffd here."


def test_a_long_decimal_reference_in_story_markup_escaped_once_more() -> None:
    from crawler.extraction.layouts.base import story_markup

    assert story_markup(f"&lt;p&gt;Code &amp;{LONG[1:]} here&lt;/p&gt;") == f"<p>Code &{LONG[1:]} here</p>"
    assert story_markup(f"&lt;p&gt;Code {LONG} here&lt;/p&gt;") == "<p>Code \ufffd here</p>"


# --- a feed's own encoding that names no encoding ---------------------------------------------------
# FEED_EXPORT_ENCODING is checked by name before the run (exit 2), a feed's own "encoding" option was
# not: a CSV feed was refused as one that "cannot write every character" (not what was wrong), and a
# JSON lines or JSON feed failed at its first article (LookupError, a traceback, no article written).


@pytest.mark.parametrize("fmt", ["csv", "jsonlines", "json", "xml"])
def test_a_feed_whose_own_encoding_names_no_encoding_is_refused_by_name(fmt: str) -> None:
    from crawler.commands.crawl import feeds_problem

    problem = feeds_problem({"out.jsonl": {"format": "jsonlines"}, "out.x": {"format": fmt, "encoding": "utf8x"}}, "utf-8")
    assert problem is not None and "out.x" in problem and "utf8x" in problem and "not a known text encoding" in problem
    assert feeds_problem({"out.x": {"format": fmt, "encoding": "UTF8"}}, "utf-8") is None


def test_a_feed_whose_own_encoding_names_no_encoding_is_exit_6_before_anything_is_fetched(tmp_path: Path) -> None:
    from crawler.monitoring.verdict import EXIT_OUTPUT
    from tests.e2e import scrapy

    feeds = json.dumps({"out.jsonl": {"format": "jsonlines", "encoding": "utf8x"}})
    done = scrapy(tmp_path, "crawl", "latest", "-s", "BS_BASE_URL=http://127.0.0.1:9", "-s", f"FEEDS={feeds}")
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "utf8x" in done.stderr and "Traceback" not in done.stderr
    assert "Crawled" not in done.stderr and "GET " not in done.stderr


# A decimal character reference of thousands of digits in an address: html.unescape's int() refuses
# over 4,300 digits (ValueError), as in the text (above) — a feed's link lost the whole feed, a
# related link or image address the whole article.
_LONG_REFERENCE = "&#" + "1" * 5000 + ";"


def test_a_long_decimal_reference_in_an_address_is_no_traceback() -> None:
    from crawler.extraction.normalize import absolute_url

    assert absolute_url("/markets/news/a-124022800001_1.html?x=" + _LONG_REFERENCE, "https://www.business-standard.com/") is not None


def test_a_feed_whose_link_holds_a_long_decimal_reference_keeps_its_other_stories() -> None:
    from crawler.extraction.discovery import parse_rss

    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>a</title><link>https://www.business-standard.com/markets/news/a-124022800001_1.html?x=&amp;"
        + _LONG_REFERENCE[1:]
        + "</link></item>"
        "<item><title>b</title><link>https://www.business-standard.com/markets/news/b-124022800002_1.html</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_rss(body, "https://www.business-standard.com/")
    assert any("124022800002" in entry.url for entry in feed.entries)


def test_an_access_denied_head_holding_a_long_decimal_reference_is_no_traceback() -> None:
    from crawler.extraction.blocking import is_block_page

    assert is_block_page("<html><head><title>Access Denied</title></head><body>" + _LONG_REFERENCE + "</body></html>") is False
