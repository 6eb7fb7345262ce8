"""Review of round 10's extraction rules: ordinary pages the new rules must leave as they are."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round10 import AMP_UPDATE, AMP_UPDATE_LINES

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
