"""Probes of the current site's pages (Next.js, Blueprint, AMP) built as a reader of SITE.md's evidence
from 2024-2026 would build them from the live site, each checked against what a reader of the page
writes down."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_nextjs import _with_data

LD_BODY = re.compile(r'"articleBody": "(?:[^"\\]|\\.)*", ')


def _dom_only(html: str) -> str:
    """The page with neither htmlContent nor JSON-LD's articleBody: the story is the page's own markup."""
    return LD_BODY.sub("", _with_data(html, lambda data: data.update(htmlContent="")))


# --- the story's container is named by its id or class, whatever its element ---------------------------

CONTAINERS = {
    "blueprint-section": ("nextjs-blueprint/navy-unmanned-submarines", '<div class="MainStory_storbpcontent__Pe3ys storbpcontent" id="parent_top_div">', "section"),
    "blueprint-article": ("nextjs-blueprint/navy-unmanned-submarines", '<div class="MainStory_storbpcontent__Pe3ys storbpcontent" id="parent_top_div">', "article"),
    "storycontent-section": ("nextjs-2023/seed-syndicated", '<div class="MainStory_storycontent__Pe3ys storycontent" id="parent_top_div">', "section"),
    "storycontent-article": ("nextjs-2023/embeds-dom-europe", '<div class="MainStory_storycontent__Pe3ys storycontent">', "article"),
}


@pytest.mark.parametrize(("folder", "opening", "tag"), CONTAINERS.values(), ids=CONTAINERS.keys())
def test_a_story_container_that_is_no_div_holds_the_story(folder: str, opening: str, tag: str) -> None:
    # SITE.md names the containers by class ([class*=storbpcontent], storycontent) and id
    # (#parent_top_div), not by element: a redesign that draws one as a <section> keeps its story.
    html, url, expected = _fixture(folder)
    start = html.index(opening)
    end = html.index('<div class="storyadsprg"><div id="div-gpt-ad-1700000000000-0">Advertisement</div></div></div>', start) + len(
        '<div class="storyadsprg"><div id="div-gpt-ad-1700000000000-0">Advertisement</div></div></div>'
    )
    block = html[start:end]
    changed = f"<{tag}" + block[len("<div") : -len("</div>")] + f"</{tag}>"
    result = extract(_dom_only(html[:start] + changed + html[end:]).encode(), url)
    assert result.article.articleBody == expected["articleBody"]
    assert result.article.layout == expected["layout"] and result.provenance.sources["articleBody"] == "dom"
