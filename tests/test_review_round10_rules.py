"""Review of round 10's extraction rules: ordinary pages the new rules must leave as they are."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from crawler.extraction import extract
from crawler.extraction.text import block_paragraphs, fragment
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_nextjs import _with_data
from tests.test_extraction_probes_round10 import AMP_UPDATE, AMP_UPDATE_LINES, HERO_BLOCK, RELATED_BOX

# --- an AMP story beside another blog's update blocks -----------------------------------------------------

OTHER_BLOG = "/markets/news/stock-market-live-updates-125080400021_1.html"
# Blocks of the update classes after the story: a widget of another live blog, drawn as the site
# draws update blocks, with or without a link to that blog.
AMP_WIDGETS = {
    "widget": '<div class="LiveBlog_wrap__a1"><div class="lvblgcont"><h3 class="lvblghdng">Sensex opens 300 points higher</h3><p>The BSE Sensex opened at 78,950.</p></div></div>',
    "widget-linking-its-blog": (
        f'<div class="trending"><div class="lvblgcont"><h3 class="lvblghdng"><a href="{OTHER_BLOG}">Stock Market LIVE Updates</a></h3>'
        "<p>The BSE Sensex opened at 78,950.</p></div></div>"
    ),
}


@pytest.mark.parametrize("widget", AMP_WIDGETS.values(), ids=AMP_WIDGETS.keys())
def test_update_blocks_after_an_ordinary_amp_story_do_not_make_it_a_live_blog(widget: str) -> None:
    # Without the page's own marks of a live blog (JSON-LD's type, a LIVE button by the headline, or
    # update blocks inside the story), blocks after the story are another blog's, as on the Next.js page.
    html, url, expected = _fixture("amp/seed-syndicated")
    article = extract(_once(html, "<div>First Published:", widget + "<div>First Published:").encode(), url).article
    assert article.isLiveBlog is False
    assert article.articleBody == expected["articleBody"]


AMP_MARKED: dict[str, Callable[[str], str]] = {
    "ld-live-blog-posting": lambda html: _once(html, '"@type": "NewsArticle"', '"@type": "LiveBlogPosting"'),
    "live-button": lambda html: _once(html, "<h1>", '<span class="LiveButton_livebtn__Hd6Ks">LIVE</span><h1>'),
    "an-update-in-the-story": lambda html: _once(html, "other activities.</p></div>", f"other activities.</p>{AMP_UPDATE}</div>"),
}


@pytest.mark.parametrize("marked", AMP_MARKED.values(), ids=AMP_MARKED.keys())
def test_an_amp_live_blog_marked_as_one_keeps_its_updates_after_the_story(marked: Callable[[str], str]) -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    second = AMP_UPDATE.replace("4:20 PM", "4:35 PM").replace("Talks end", "Delegates leave").replace("The talks ended without a joint statement.", "The US delegation left for Washington.")
    html = marked(_once(html, "<div>First Published:", second + "<div>First Published:"))
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True
    lines = str(article.articleBody).split("\n")
    assert lines[: len(str(expected["articleBody"]).split("\n"))] == str(expected["articleBody"]).split("\n")
    assert lines[-3:] == ["Feb 28 2024 | 4:35 PM IST", "Delegates leave", "The US delegation left for Washington."]


def test_update_blocks_of_an_amp_story_s_own_container_still_make_a_live_blog() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, "other activities.</p></div>", f"other activities.</p>{AMP_UPDATE}</div>")
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True
    assert article.articleBody == "\n".join([str(expected["articleBody"]), *AMP_UPDATE_LINES])


# --- the hero's caption, not a card's ------------------------------------------------------------------------

CARD = (
    '<div class="MainStory_trending__T1"><div class="card"><img src="https://bsmedia.business-standard.com/_media/bs/img/article/2024-03/05/thumb/1709600000-1111.jpg" alt="Sensex">'
    f'<div class="MainStory_captiontext__Lm2Xc captiontext">Traders at the BSE</div><h3><a href="{OTHER_BLOG}">Stock Market LIVE Updates</a></h3></div></div>'
)
PICTURE_WITHOUT_CAPTION = HERO_BLOCK.split('<div class="MainStory_captiontext')[0] + "</div>"
PICTURE_OUTSIDE_THE_HEAD = {
    # (the hero's block and a card drawn between the headline's block and the story)
    "card-then-hero-with-caption": (CARD + HERO_BLOCK, "The last India-US homeland security dialogue was last held in January 2022"),
    "hero-with-caption-then-card": (HERO_BLOCK + CARD, "The last India-US homeland security dialogue was last held in January 2022"),
    "card-then-hero-without-caption": (CARD + PICTURE_WITHOUT_CAPTION, None),
    "card-and-hero-without-caption-in-one-row": (f'<div class="MainStory_leadrow__R1">{CARD}{PICTURE_WITHOUT_CAPTION}</div>', None),
    "hero-without-caption-then-another-picture": (
        PICTURE_WITHOUT_CAPTION
        + '<div class="MainStory_storyimage__Qa5Mn"><img src="https://bsmedia.business-standard.com/_media/bs/img/article/2024-03/05/thumb/1709600000-2222.jpg" alt="Ajay Bhalla">'
        '<div class="MainStory_captiontext__Lm2Xc captiontext">Union Home Secretary Ajay Bhalla</div></div>',
        None,
    ),
}


@pytest.mark.parametrize(("drawn", "caption"), PICTURE_OUTSIDE_THE_HEAD.values(), ids=PICTURE_OUTSIDE_THE_HEAD.keys())
def test_a_card_s_caption_before_the_story_is_not_the_hero_s(drawn: str, caption: str | None) -> None:
    html, url, expected = _fixture("nextjs-2023/seed-syndicated")
    html = _once(_once(html, HERO_BLOCK, ""), '<div class="MainStory_storycontent__Pe3ys', drawn + '<div class="MainStory_storycontent__Pe3ys')
    html = _with_data(html, lambda data: data.update(featuredImageObj={"url": expected["mainImage"]["url"]}))  # type: ignore[index]
    image = extract(html.encode(), url).article.mainImage
    assert image is not None
    assert (image.url, image.alt, image.caption) == (expected["mainImage"]["url"], "India USA flags", caption)  # type: ignore[index]


# --- a free story whose htmlContent holds more than the story: no cut ----------------------------------------

LIVE_BLOCK = re.compile(r'<div class="MainStory_lvblgcont__Zr4Wq lvblgcont">.*?</p></div>')


def test_a_free_live_blog_whose_html_content_holds_its_updates_is_not_premium() -> None:
    # JSON-LD's flag is wrong on some free pages (SITE.md). The page leaves the update blocks out of
    # the introduction; htmlContent holding them too is no story the page cut short.
    html, url, expected = _fixture("nextjs-2023/live-blog-dom")
    blocks = LIVE_BLOCK.findall(html)
    assert blocks
    intro = "<div>Benchmark indices are expected to open higher tracking gains in Asian markets.</div>"
    html = _once(html, '"isAccessibleForFree": true', '"isAccessibleForFree": false')
    html = _with_data(html, lambda data: data.update(htmlContent=intro + "".join(blocks)))
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True and article.isPremium is False
    assert article.articleBody == expected["articleBody"]


def test_a_free_story_whose_html_content_ends_in_the_related_list_is_not_premium_and_keeps_its_body() -> None:
    # The related list drawn inside the story's container (the page's markup and htmlContent alike):
    # its heading and cards are no story lines in either, and the page shows no less of the story.
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    found = RELATED_BOX.search(html)
    assert found is not None
    box = found.group()
    html = _once(html[: found.start()] + html[found.end() :], '<div class="storyadsprg">', box + '<div class="storyadsprg">')
    html = _once(html, '"isAccessibleForFree": true', '"isAccessibleForFree": false')

    def with_list(data: dict[str, object]) -> None:
        data["htmlContent"] = str(data["htmlContent"]) + box

    article = extract(_with_data(html, with_list).encode(), url).article
    assert article.isPremium is False
    assert article.articleBody == expected["articleBody"]
    assert [(r.headline, r.url) for r in article.alsoRead] == [(r["headline"], r["url"]) for r in expected["alsoRead"]]  # type: ignore[attr-defined]


# --- a live blog's update blocks beside JSON-LD's latest updates ---------------------------------------------

EARLIER_SAME_HEADING = (
    '<div class="MainStory_lvblgcont__Zr4Wq lvblgcont"><span class="livetime">Nov 05 2024 | 9:05 AM IST</span>'
    '<h3 class="lvblghdng">IT stocks lead gains</h3><p>Wipro and HCL Tech were the top gainers in pre-open trade.</p></div>'
)
LATEST = [{"@type": "BlogPosting", "headline": "IT stocks lead gains", "articleBody": "Infosys and TCS rose over 2 per cent each.", "datePublished": "2024-11-05T10:10:00+05:30"}]


def test_an_earlier_update_with_the_heading_of_a_json_ld_update_is_kept() -> None:
    # A blog repeats a heading through the day: the block whose text JSON-LD does not have is an
    # update of its own, not the JSON-LD one with that heading.
    html, url, _ = _fixture("nextjs-2023/live-blog-dom")
    first_block = '<div class="MainStory_lvblgcont__Zr4Wq lvblgcont"><span class="livetime">Nov 05 2024 | 9:20 AM IST</span>'
    html = _once(html, first_block, EARLIER_SAME_HEADING + first_block)
    html = _once(html, '"@type": "LiveBlogPosting", ', f'"@type": "LiveBlogPosting", "liveBlogUpdate": {json.dumps(LATEST)}, ')
    body = str(extract(html.encode(), url).article.articleBody).split("\n")
    for line in ("Wipro and HCL Tech were the top gainers in pre-open trade.", "The BSE Sensex opened at 78,950, up 300 points.", "Infosys and TCS rose over 2 per cent each."):
        assert body.count(line) == 1, line


def test_the_block_of_a_json_ld_update_is_not_written_twice() -> None:
    # The page's block of the update JSON-LD lists, a short text under its time: that update, once.
    html, url, _ = _fixture("nextjs-2023/live-blog-dom")
    html = _once(html, "Infosys and TCS rose over 2 per cent each.</p>", "Up 2%.</p>")
    latest = [{**LATEST[0], "articleBody": "Up 2%."}]
    html = _once(html, '"@type": "LiveBlogPosting", ', f'"@type": "LiveBlogPosting", "liveBlogUpdate": {json.dumps(latest)}, ')
    body = str(extract(html.encode(), url).article.articleBody).split("\n")
    assert body.count("IT stocks lead gains") == 1 and body.count("Up 2%.") == 1
    assert body.count("The BSE Sensex opened at 78,950, up 300 points.") == 1


# --- an inline quotation inside another --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        ("<p>He said <q>the board told me <q>not yet</q> on Monday</q>.</p>", "He said \u201cthe board told me \u2018not yet\u2019 on Monday\u201d."),
        ("<p><q>One <q>two <q>three</q></q></q></p>", "\u201cOne \u2018two \u2018three\u2019\u2019\u201d"),
        ("<p><q>Alone</q> and <q>apart</q></p>", "\u201cAlone\u201d and \u201capart\u201d"),
    ],
    ids=["nested", "three-deep", "side-by-side"],
)
def test_a_quotation_inside_a_quotation_shows_single_marks(markup: str, shown: str) -> None:
    # A browser draws the marks of the page's language by depth: double, then single (and single
    # again deeper: the last pair repeats).
    assert block_paragraphs(fragment(markup), None) == [shown]


# --- an AMP live blog's update blocks after the story, each whole ------------------------------------------

AMP_LATER_UPDATE = '<div class="lvblgcont"><span class="livetime">Feb 28 2024 | 5:05 PM IST</span><h3 class="lvblghdng">Talks end</h3><p>Officials will meet again in June.</p></div>'


def test_an_amp_update_under_a_heading_used_before_keeps_its_heading() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, "other activities.</p></div>", f"other activities.</p></div>{AMP_UPDATE}{AMP_LATER_UPDATE}")
    html = _once(html, '"@type": "NewsArticle"', '"@type": "LiveBlogPosting"')
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True
    later = ["Feb 28 2024 | 5:05 PM IST", "Talks end", "Officials will meet again in June."]
    assert article.articleBody == "\n".join([str(expected["articleBody"]), *AMP_UPDATE_LINES, *later])


# --- a live blog's updates beside the story, never the furniture's -----------------------------------------

RAIL_UPDATE = '<div class="lvblgcont"><span class="livetime">Nov 05 2024 | 9:00 AM IST</span><h3 class="lvblghdng">Gold prices rise</h3><p>Gold rose 1 per cent.</p></div>'


@pytest.mark.parametrize("furniture", ["aside", "footer", "nav"])
def test_another_blog_s_update_blocks_in_the_page_s_furniture_are_not_a_live_blog_s_updates(furniture: str) -> None:
    # A blog just opened (its updates not yet drawn), and a rail or footer widget of another blog:
    # the widget's blocks are no update of this one, as on the AMP twin.
    html, url, _ = _fixture("nextjs-2023/live-blog-dom")
    html = LIVE_BLOCK.sub("", html)
    html = _once(html, '<script id="__NEXT_DATA__"', f'<{furniture} class="RightRail_rail__x">{RAIL_UPDATE}</{furniture}><script id="__NEXT_DATA__"')
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True
    assert article.articleBody == "Benchmark indices are expected to open higher tracking gains in Asian markets."
