"""Article URLs in the forms links carry besides the canonical one: a slash after ``.html`` (the site serves it
alike) was no article, and a media section written in capitals (``/Video-Gallery/``) was one."""

from __future__ import annotations

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.discovery import parse_listing
from crawler.extraction.normalize import article_id
from crawler.extraction.urls import ARTICLE, OTHER, VIDEO, WEBSTORY, non_article_kind, url_kind
from tests.conftest import ROOT

SITE = "https://www.business-standard.com"
STORY = f"{SITE}/markets/news/sensex-ends-higher-124101400008_1.html"


@pytest.mark.parametrize("url", [STORY + "/", STORY + "/?utm_source=x", STORY.replace(".html", ".HTML"), STORY + "/#comments"])
def test_an_article_link_with_a_slash_after_html_or_in_capitals_is_an_article(url: str) -> None:
    assert article_id(url) == "124101400008"
    assert url_kind(url) == ARTICLE


@pytest.mark.parametrize("url", [STORY + "/amp", STORY + "x", STORY.replace("_1.html", "_1.htmlx")])
def test_more_after_the_html_is_still_no_article(url: str) -> None:
    assert article_id(url) is None


@pytest.mark.parametrize(
    ("path", "kind", "never"),
    [
        ("/Video-Gallery/markets/sensex-124101400008_1.html", VIDEO, VIDEO),
        ("/VIDEO/markets/sensex-124101400008_1.html", VIDEO, VIDEO),
        ("/Podcasts/markets/sensex-124101400008_1.html", VIDEO, VIDEO),
        ("/WebStories/markets/sensex-124101400008_1.html", OTHER, WEBSTORY),
        ("/Web-Stories/sensex-124101400008_1.html", OTHER, WEBSTORY),
        ("/Photo-Gallery/sensex-124101400008_1.html", OTHER, WEBSTORY),
    ],
)
def test_a_media_section_in_capitals_is_no_article(path: str, kind: str, never: str) -> None:
    assert url_kind(SITE + path) == kind
    assert non_article_kind(SITE + path) == never


def test_a_listing_takes_slash_forms_and_leaves_galleries_in_capitals() -> None:
    html = f"""<html><body>
      <a href="{STORY}/">Sensex ends higher</a>
      <a href="/Video-Gallery/markets/sensex-video-124101400009_1.html">Video</a>
      <a href="/WebStories/markets/sensex-story-124101400010_1.html">Web story</a>
    </body></html>"""
    assert parse_listing(html, f"{SITE}/markets/news").article_urls == [STORY + "/"]


def test_a_page_fetched_at_a_video_gallery_url_in_capitals_is_no_article() -> None:
    html = (ROOT / "tests" / "pages" / "nextjs-2023" / "seed-syndicated" / "page.html").read_text(encoding="utf-8")
    with pytest.raises(NotAnArticle) as raised:
        extract(html, f"{SITE}/Video-Gallery/markets/sensex-124101400008_1.html")
    assert raised.value.reason == VIDEO


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        (STORY + "/", STORY),
        (STORY + "/#comments", STORY),
        (STORY + "/?utm_source=x", STORY),  # (tracking parameters go too: tests/test_identity_probes_round18.py)
        (STORY.replace(SITE, SITE + "/amp") + "/", STORY),
        (STORY, STORY),
    ],
)
def test_a_story_is_fetched_by_one_url_whichever_form_a_link_gives(url: str, fetched: str) -> None:
    # Two spellings of one story were two requests (by two workers, even: the shared filter tells them apart).
    from crawler.extraction.urls import article_fetch_url

    assert article_fetch_url(url) == fetched


_HREF_PIECES = (
    "http://", "https://", "HTTPS://", "/", "//", "_", "-", ".", ":", "?", "#", "=", "1", "7", "124101400008", "_1.html", ".HTM",
    "/markets/news/sensex-ends", "/author/", "hindi.business-standard.com", "m.bshindi.com", "www.business-standard.com",
    "127.0.0.1:16550", "x_124101400008_1.html", "storypage.php?autono=", "166607", "/article-amp/", "section_x-", "-166607_1.html",
    "%20", "%31", "&#49;", "&amp;", " ", "\t", "\n", "\xa0", "\u200b", "\u0967", "javascript:", "mailto:", "undefined", "@", "[",
)
_BASES = (
    STORY,
    "http://127.0.0.1:16550/markets/news/sensex-ends-higher-124101400008_1.html",
    "https://hindi.business-standard.com//storypage.php?autono=166607",
    "http://x-124101400008_1.html/markets/news/a.html",
    "http://x-124101400008_1.html",
)


def test_an_href_told_to_name_no_story_names_none_wherever_it_is_read() -> None:
    """The look at an href before its address is read (``may_name_story``, which spares reading most of a
    story's links for its inline promos) is exact: no href it rules out reads as a story's link."""
    import random
    from types import SimpleNamespace

    from crawler.extraction.layouts.base import ArticlePage
    from crawler.extraction.urls import may_name_story, page_article_id

    rng = random.Random(29)
    ruled_out = 0
    for _ in range(40_000):
        href = "".join(rng.choice(_HREF_PIECES) for _ in range(rng.randint(1, 6)))
        base = rng.choice(_BASES)
        if not may_name_story(href, base):
            ruled_out += 1
            url = ArticlePage.link(SimpleNamespace(base_url=base), href)  # type: ignore[arg-type]
            assert url is None or page_article_id(None, url) is None, (href, base, url)
    assert ruled_out > 1_000  # (the look rules out a share of them: a test of it, not of nothing)
