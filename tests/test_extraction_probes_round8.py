"""Probes of the pages other than the current Next.js and AMP ones (the Hindi edition's table layout,
the pre-2023 and generic layouts) and of decoding and the structured-data reader: variants the CMS,
a CDN or an older template plausibly produces, each checked against what a careful reader writes down."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import decode_body, extract
from crawler.extraction.page import FALLBACK_ENCODING
from crawler.extraction.urls import page_article_id
from tests.test_extraction_probes_more import _fixture, _once

# --- Hindi 2020 ---------------------------------------------------------------------------------

HINDI = "hindi-2020/budget-166607"
HINDI_BYLINE = "बीएस संवाददाता / नई दिल्ली&nbsp;February  14, 2020"
HINDI_STORY = ["पहला अनुच्छेद बजट के बारे में है।", "दूसरा अनुच्छेद घाटे के बारे में है।", "तीसरा अनुच्छेद खर्च के बारे में है।"]
AD = "<script>googletag.cmd.push(function() { googletag.display('div-gpt-ad-1506515772588-71'); });</script>"
LD_SCRIPT = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def _hindi_with_story(markup: str) -> str:
    """The Hindi fixture whose story (after the ad script, in the headline's cell) is ``markup``."""
    html, _, _ = _fixture(HINDI)
    start = html.index("<p><div>सरकार")
    return html[:start] + markup + html[html.index("</td>", start) :]


HINDI_WRAPPED_STORIES = {
    "div-of-paragraphs": f"<p><div><p>{HINDI_STORY[0]}</p>{AD}<p>{HINDI_STORY[1]}</p><p>{HINDI_STORY[2]}</p></div>",
    "div-of-divs": f"<div><div>{HINDI_STORY[0]}</div>{AD}<div>{HINDI_STORY[1]}</div><div>{HINDI_STORY[2]}</div></div>",
    "justified-in-font": f'<p align="justify"><font size="3">{HINDI_STORY[0]}{AD}<p>{HINDI_STORY[1]}</p><p>{HINDI_STORY[2]}</p></font></p>',
}


@pytest.mark.parametrize("story", HINDI_WRAPPED_STORIES.values(), ids=HINDI_WRAPPED_STORIES.keys())
def test_a_hindi_story_wrapped_around_an_inline_ad_script_gives_each_paragraph_once(story: str) -> None:
    # The story's paragraphs are the blocks after the ad script; one wrapping the rest, with another
    # ad script inside it, made the paragraphs after that script blocks of their own as well.
    _, url, _ = _fixture(HINDI)
    result = extract(_hindi_with_story(story).encode(), url)
    assert result.article.articleBody == "\n".join(HINDI_STORY)
    assert result.provenance.sources["articleBody"] == "dom"


HINDI_BYLINE_DATES = {
    # written: (as the page shows the date, the date it says without JSON-LD)
    "hindi-month-day-first": ("14 फरवरी, 2020", "2020-02-14T00:00:00+05:30"),
    "hindi-month-first": ("फ़रवरी 14, 2020", "2020-02-14T00:00:00+05:30"),
    "devanagari-digits": ("१४ फरवरी, २०२०", "2020-02-14T00:00:00+05:30"),
    "hindi-month-with-time": ("14 सितम्बर, 2020 09:42 PM IST", "2020-09-14T21:42:00+05:30"),
    "english-day-first": ("14 February, 2020", "2020-02-14T00:00:00+05:30"),
    "english-with-time": ("February 14, 2020 09:42 PM IST", "2020-02-14T21:42:00+05:30"),
    "english-after-a-bar": ("| February  14, 2020", "2020-02-14T00:00:00+05:30"),
    "english-after-a-slash": ("/ February  14, 2020", "2020-02-14T00:00:00+05:30"),
}


@pytest.mark.parametrize(("written", "published"), HINDI_BYLINE_DATES.values(), ids=HINDI_BYLINE_DATES.keys())
def test_the_hindi_byline_s_date_in_any_form_is_the_date_and_not_part_of_the_dateline(written: str, published: str) -> None:
    # The byline row is "author / city" and the date: the city is the dateline, whatever way the
    # template writes the date (Hindi months and digits, the day first, a time after it).
    html, url, expected = _fixture(HINDI)
    html = _once(html, HINDI_BYLINE, f"बीएस संवाददाता / नई दिल्ली&nbsp;{written}")
    article = extract(html.encode(), url).article
    assert article.dateline == "नई दिल्ली"
    assert article.datePublishedRaw == " ".join(written.lstrip("|/ ").split())
    # Without JSON-LD, the page's own date is all there is: the article is not lost for want of one.
    # (A time shown that JSON-LD's is not: the shown date breaks the tie of one source against one, round 26.)
    assert article.datePublished == (published if ":" in written else expected["datePublished"])
    result = extract(LD_SCRIPT.sub("", html).encode(), url)
    assert (result.article.dateline, result.article.datePublished) == ("नई दिल्ली", published)
    assert result.provenance.sources["datePublished"] == "dom"


# --- decoding -----------------------------------------------------------------------------------

LATIN_PAGE = "<html><head>{meta}</head><body><h1>India\u2019s GDP grows 8%</h1><p>Caf\u00e9 owners cheered.</p></body></html>{pad}"


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "utf-16be", "utf-32"])
@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("pad", ["", " ", "  ", "   "], ids=["pad0", "pad1", "pad2", "pad3"])
def test_a_page_declaring_an_encoding_its_own_markup_is_not_in_is_read_as_windows_1252(charset: str, where: str, pad: str) -> None:
    # A template or server that says UTF-16 (or UTF-32) of a page whose markup is plain ASCII bytes
    # (a Windows-1252 page): read in that encoding, every two or four bytes became one CJK character
    # whenever the length let them, and the page was no page at all.
    meta = f'<meta charset="{charset}">' if where == "meta" else ""
    text = LATIN_PAGE.format(meta=meta, pad=pad)
    content_type = f"text/html; charset={charset}" if where == "header" else "text/html"
    decoded, note = decode_body(text.encode("cp1252"), content_type)
    assert decoded == text
    assert note is not None and note.kind == FALLBACK_ENCODING


# --- authors written as a byline in the structured data -----------------------------------------

GENERIC_LD = "generic/jsonld-unknown-layout"
GENERIC_LD_AUTHOR = '"author": [{"@type": "Person", "name": "Anjali Kumari", "url": "https://www.business-standard.com/author/search/keyword/anjali-kumari"}]'
BYLINE_AUTHORS = {
    "string-and": '"author": "Anjali Kumari and Rahul Mehta"',
    "string-by": '"author": "By Anjali Kumari, Rahul Mehta"',
    "list-of-a-joint-string": '"author": ["Anjali Kumari & Rahul Mehta"]',
    "person-and": '"author": {"@type": "Person", "name": "Anjali Kumari and Rahul Mehta"}',
    "person-by": '"author": [{"@type": "Person", "name": "By Anjali Kumari"}, {"@type": "Person", "name": "Rahul Mehta"}]',
    "person-edited-by": '"author": {"@type": "Person", "name": "Anjali Kumari, Rahul Mehta | Edited by Sunil Rao"}',
}


@pytest.mark.parametrize("author", BYLINE_AUTHORS.values(), ids=BYLINE_AUTHORS.keys())
def test_json_ld_authors_written_as_a_byline_are_each_author(author: str) -> None:
    # The CMS copies the byline into JSON-LD (one Person, or one string): "By", "and", "&" and an
    # editor are the byline's words, not names, as they are wherever else a byline is read.
    html, url, _ = _fixture(GENERIC_LD)
    result = extract(_once(html, GENERIC_LD_AUTHOR, author).encode(), url)
    assert [a.name for a in result.article.authors] == ["Anjali Kumari", "Rahul Mehta"]
    assert result.provenance.sources["authors"] == "ld"


def test_an_author_meta_written_as_a_byline_gives_each_author() -> None:
    html, url, _ = _fixture("generic/opengraph-article")
    html = _once(html, '<meta name="author" content="BS Reporter">', '<meta name="author" content="By Anjali Kumari and Rahul Mehta">')
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == ["Anjali Kumari", "Rahul Mehta"]
    assert result.provenance.sources["authors"] == "meta"


def test_an_organization_author_with_an_ampersand_in_its_name_is_one_author() -> None:
    html, url, _ = _fixture(GENERIC_LD)
    html = _once(html, GENERIC_LD_AUTHOR, '"author": {"@type": "Organization", "name": "Standard & Poor\'s"}')
    assert [a.name for a in extract(html.encode(), url).article.authors] == ["Standard & Poor's"]


# --- a JSON-LD body escaped twice -----------------------------------------------------------------

ESCAPED_TWICE = {
    # how the line break between paragraphs reads in the script, once its JSON escape is undone
    "crlf": "\\\\r\\\\n\\\\r\\\\n",
    "lf": "\\\\n\\\\n",
    "single-lf": "\\\\n",
}


@pytest.mark.parametrize("folder", ["pre2023/synthetic-premium", GENERIC_LD])
@pytest.mark.parametrize("breaks", ESCAPED_TWICE.values(), ids=ESCAPED_TWICE.keys())
def test_a_json_ld_body_whose_line_breaks_were_escaped_twice_gives_its_paragraphs(folder: str, breaks: str) -> None:
    # A CMS that escapes the story again before writing the JSON ("…schemes.\\r\\nMarket…" in the
    # script): the reader sees paragraphs, not one run of text with backslashes in it.
    html, url, expected = _fixture(folder)
    body = re.search(r'"articleBody": "((?:[^"\\]|\\.)*)"', html)
    assert body is not None and "\\n" in body.group(1)
    twice = re.sub(r"(?:\\n)+", lambda _: breaks, body.group(1)).replace("'", "\\\\'")
    result = extract((html[: body.start(1)] + twice + html[body.end(1) :]).encode(), url)
    assert result.article.articleBody == expected["articleBody"]
    assert result.provenance.sources["articleBody"] == "ld"


# --- the Hindi edition's "Also Read" ----------------------------------------------------------------

HINDI_LINK = '<a href="https://hindi.business-standard.com/storypage.php?autono=166600">सेंसेक्स में गिरावट जारी</a>'
HINDI_PROMOS = {
    "bold-label-and-link": f"<div><b>यह भी पढ़ें:</b> {HINDI_LINK}</div>",
    "plain-label-and-link": f"<div>यह भी पढ़ें: {HINDI_LINK}</div>",
    "precomposed-nukta": f"<div>ये भी \u092a\u095d\u0947\u0902 - {HINDI_LINK}</div>",
    "label-alone-then-link": f"<div><strong>इसे भी पढ़ें</strong></div><div>{HINDI_LINK}</div>",
    "read-more": f"<div>और पढ़ें: {HINDI_LINK}</div>",
}


@pytest.mark.parametrize("promo", HINDI_PROMOS.values(), ids=HINDI_PROMOS.keys())
def test_the_hindi_edition_s_also_read_promo_in_the_story_is_no_story(promo: str) -> None:
    # "यह भी पढ़ें" is the Hindi "Also Read": a promoted story's link, as the English one is.
    _, url, _ = _fixture(HINDI)
    story = f"<p><div>{HINDI_STORY[0]}</div>{promo}<div>{HINDI_STORY[1]}</div>"
    assert extract(_hindi_with_story(story).encode(), url).article.articleBody == "\n".join(HINDI_STORY[:2])


def test_a_hindi_story_sentence_that_speaks_of_reading_stays() -> None:
    _, url, _ = _fixture(HINDI)
    sentence = "यह भी पढ़ें कि बजट में किसानों के लिए क्या है, सरकार ने कहा।"
    story = f"<p><div>{HINDI_STORY[0]}</div><div>{sentence}</div><div>{HINDI_STORY[1]}</div>"
    assert extract(_hindi_with_story(story).encode(), url).article.articleBody == "\n".join([HINDI_STORY[0], sentence, HINDI_STORY[1]])


# --- a structured date of the day alone -------------------------------------------------------------

DAY_ALONE = {
    # folder: (the JSON-LD dates as the fixture writes them, the dates the page states elsewhere with their time)
    "pre2023/real-2019-01-18": (('"datePublished": "2019-01-18T13:00:00+05:30"', '"dateModified": "2019-01-18T17:18:47+05:30"'), ""),
    "amp/seed-syndicated": (('"datePublished": "2024-02-28T15:42:00+05:30"', '"dateModified": "2024-02-28T15:42:00+05:30"'), ""),
    GENERIC_LD: (
        ('"datePublished": "2026-05-12T16:20:00+05:30"', '"dateModified": "2026-05-12T17:02:45+05:30"'),
        '<meta property="article:published_time" content="2026-05-12T16:20:00+05:30">'
        '<meta property="article:modified_time" content="2026-05-12T17:02:45+05:30">',
    ),
}


@pytest.mark.parametrize("folder", DAY_ALONE.keys())
def test_a_json_ld_date_of_the_day_alone_does_not_beat_the_time_the_page_states(folder: str) -> None:
    # "2019-01-18" is that day at any time: the meta tags' or the page's "First Published" time of
    # that day is the date, and no disagreement (the Next.js layout does so already).
    html, url, expected = _fixture(folder)
    written, metas = DAY_ALONE[folder]
    for date in written:
        html = _once(html, date, re.sub(r"T[\d:]+\+05:30", "", date))
    html = _once(html, "</head>", metas + "</head>")
    result = extract(html.encode(), url)
    assert (result.article.datePublished, result.article.dateModified) == (expected["datePublished"], expected["dateModified"])
    assert not {"datePublished", "dateModified"} & set(result.provenance.disagreements)


def test_a_json_ld_date_of_another_day_still_disagrees() -> None:
    html, url, expected = _fixture("pre2023/real-2019-01-18")
    html = _once(html, '"datePublished": "2019-01-18T13:00:00+05:30"', '"datePublished": "2019-01-17"')
    result = extract(html.encode(), url)
    assert result.article.datePublished == expected["datePublished"] and "datePublished" in result.provenance.disagreements


HINDI_STORY_BLOCKS = {
    "table": (
        "<table><tr><td>कंपनी</td><td>लाभ (करोड़ रुपये)</td></tr><tr><td>टाटा मोटर्स</td><td>1,200</td></tr></table>",
        ["कंपनी | लाभ (करोड़ रुपये)", "टाटा मोटर्स | 1,200"],
    ),
    "list": ("<ul><li>राजकोषीय घाटा 3.5 प्रतिशत</li><li>पूंजीगत खर्च 12 प्रतिशत अधिक</li></ul>", ["राजकोषीय घाटा 3.5 प्रतिशत", "पूंजीगत खर्च 12 प्रतिशत अधिक"]),
    "quotation": ("<blockquote>कर संग्रह धीमा रहा तो उधारी का बोझ बढ़ सकता है।</blockquote>", ["कर संग्रह धीमा रहा तो उधारी का बोझ बढ़ सकता है।"]),
}


@pytest.mark.parametrize(("block", "lines"), HINDI_STORY_BLOCKS.values(), ids=HINDI_STORY_BLOCKS.keys())
def test_a_table_list_or_quotation_in_a_hindi_story_is_part_of_it(block: str, lines: list[str]) -> None:
    # The story is every block after the ad script in the headline's cell, not its paragraphs alone:
    # a results table between two paragraphs is what the reader reads there.
    _, url, _ = _fixture(HINDI)
    story = f"<p><div>{HINDI_STORY[0]}</div>{block}<div>{HINDI_STORY[1]}</div>"
    assert extract(_hindi_with_story(story).encode(), url).article.articleBody == "\n".join([HINDI_STORY[0], *lines, HINDI_STORY[1]])


# --- the Hindi edition's story URLs with a query -----------------------------------------------------

HINDI_URLS_WITH_A_QUERY = [
    "https://hindi.business-standard.com/article-amp/economy/section_economy-166607_1.html?amp_js_v=0.1",
    "https://m.bshindi.com/article/economy/section_economy-166607_1.html?ref=home",
    "https://hindi.business-standard.com/article-amp/economy/section_economy-166607_1.html?ref=rss#top",
]


@pytest.mark.parametrize("url", HINDI_URLS_WITH_A_QUERY)
def test_a_hindi_story_url_with_a_query_keeps_its_id(url: str) -> None:
    # A query after the story's file (AMP's own, a referrer tag) is not the story: as with the
    # English ids, the number before "_1.html" is.
    assert page_article_id(None, url) == "hi-166607"


def test_a_hindi_amp_page_fetched_with_a_query_and_no_canonical_link_is_its_story() -> None:
    from tests.test_extraction_hindi_ids import AMP_URL, CANONICAL_LINK, STORY_URL, _html

    html = CANONICAL_LINK.sub("", _html("amp/hindi-budget-166607"), count=1)
    html = html.replace(f'<meta property="og:url" content="{STORY_URL}"/>', "").replace(f', "@id": "{STORY_URL}"', "")
    assert STORY_URL not in html
    article = extract(html.encode(), AMP_URL + "?amp_js_v=0.1").article
    assert (article.articleId, article.canonicalUrl) == ("hi-166607", STORY_URL)


# --- JSON-LD's image written as several -----------------------------------------------------------

GENERIC_LD_IMAGE = '"image": {"@type": "ImageObject", "url": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"}'
HERO = "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"
SEVERAL_IMAGES = {
    "empty-string-first": f'"image": ["", "{HERO}"]',
    "empty-object-first": f'"image": [{{"@type": "ImageObject", "url": ""}}, {{"@type": "ImageObject", "url": "{HERO}"}}]',
    "url-list": f'"image": {{"@type": "ImageObject", "url": ["{HERO}", "{HERO}?w=400"]}}',
}


@pytest.mark.parametrize("image", SEVERAL_IMAGES.values(), ids=SEVERAL_IMAGES.keys())
def test_the_json_ld_image_is_the_first_that_names_a_file(image: str) -> None:
    # schema.org allows several values wherever it allows one: an empty first one is no picture.
    html, url, _ = _fixture(GENERIC_LD)
    result = extract(_once(html, GENERIC_LD_IMAGE, image).encode(), url)
    assert result.article.mainImage is not None and result.article.mainImage.url == HERO
    assert result.provenance.sources["mainImage"] == "ld"


LD_DATES = {
    "list": ('"datePublished": ["2026-05-12T16:20:00+05:30"]', "2026-05-12T16:20:00+05:30"),
    "unix-seconds": ('"datePublished": 1778583000', "2026-05-12T16:20:00+05:30"),
    "unix-milliseconds": ('"datePublished": 1778583000000', "2026-05-12T16:20:00+05:30"),
}


@pytest.mark.parametrize(("written", "published"), LD_DATES.values(), ids=LD_DATES.keys())
def test_a_json_ld_date_written_as_a_list_or_a_unix_time_is_the_date(written: str, published: str) -> None:
    # The site's own data gives Unix seconds (the article JSON's publishDate): a template that writes
    # it into JSON-LD as it is, or a list of one date, still dates the article (or it is dropped).
    html, url, _ = _fixture(GENERIC_LD)
    result = extract(_once(html, '"datePublished": "2026-05-12T16:20:00+05:30"', written).encode(), url)
    assert result.article.datePublished == published and result.provenance.sources["datePublished"] == "ld"
