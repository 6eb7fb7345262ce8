"""Videos, podcasts and web stories under article-like URLs are refused by every layout alike, and an AMP
story is a web story wherever it is served (SITE.md, "Other page kinds under article-like URLs")."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.extraction import NotAnArticle, Page, extract, pick_layout
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, OTHER_KINDS, STORY_PATH, Case, render_amp_story
from tests.loopback.pages import SITE

# One article page of each layout, and the layout that must read it.
ARTICLES = {
    "amp": "amp/seed-syndicated",
    "nextjs-2023": "nextjs-2023/seed-syndicated",
    "nextjs-blueprint": "nextjs-blueprint/navy-unmanned-submarines",
    "pre2023": "pre2023/synthetic-premium",
    "hindi-2020": "hindi-2020/budget-166607",
    "generic": "generic/opengraph-article",
}
# The first segment of the path put in front of an article's: (prefix, the reason it must give).
KINDS = {
    "video": ("/video/", "video"),
    "video-gallery": ("/video-gallery/", "video"),
    "podcast": ("/podcast/", "video"),
    "podcasts": ("/podcasts/", "video"),
    "webstories": ("/webstories/", "webstory"),
}


def _case(folder: str) -> Case:
    return next(c for c in CASES if c.folder == folder)


def _moved(url: str, prefix: str) -> str:
    """The URL with ``prefix`` put in front of its path (after ``/amp`` for an AMP URL)."""
    parts = urlsplit(url)
    amp = "/amp" if parts.path.startswith("/amp/") else ""
    path = parts.path[len(amp) :]
    return f"{parts.scheme}://{parts.netloc}{amp}{prefix.rstrip('/')}{path}" + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("layout", sorted(ARTICLES))
def test_every_layout_reads_its_page_as_an_article(layout: str) -> None:
    case = _case(ARTICLES[layout])
    assert extract(page_bytes(case, PAGES / case.folder), case.url).article.layout == layout


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("layout", sorted(ARTICLES))
def test_every_layout_refuses_other_kinds_by_the_fetched_url(layout: str, kind: str) -> None:
    case = _case(ARTICLES[layout])
    prefix, reason = KINDS[kind]
    body, url = page_bytes(case, PAGES / case.folder), _moved(case.url, prefix)
    chosen = pick_layout(Page(body, url))
    assert chosen is not None and chosen.layout == layout, "the page must still be in its layout"
    with pytest.raises(NotAnArticle) as raised:
        extract(body, url)
    assert raised.value.reason == reason


@pytest.mark.parametrize("layout", sorted(ARTICLES))
def test_every_layout_refuses_a_page_whose_canonical_url_is_a_video(layout: str) -> None:
    case = _case(ARTICLES[layout])
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    canonical = Page(html, case.url).canonical
    assert canonical, "every article test page has a canonical link"
    html = html.replace(canonical, _moved(canonical, "/video-gallery/"))
    with pytest.raises(NotAnArticle) as raised:
        extract(html, case.url)
    assert raised.value.reason == "video"


@pytest.mark.parametrize("case", OTHER_KINDS, ids=[c.name for c in OTHER_KINDS])
def test_the_other_kinds_test_pages_are_in_a_layout_that_refuses_them(case: Case) -> None:
    # The refusal comes from a layout's check, not from the page matching no layout.
    assert pick_layout(Page(page_bytes(case, PAGES / case.folder), case.url)) is not None


@pytest.mark.parametrize("marker", ["\u26a1", "amp"])
@pytest.mark.parametrize("path", [STORY_PATH, f"/amp{STORY_PATH}", f"/webstories{STORY_PATH}"])
def test_an_amp_story_is_a_web_story_at_any_url(marker: str, path: str) -> None:
    with pytest.raises(NotAnArticle) as raised:
        extract(render_amp_story(SITE + path, marker), SITE + path)
    assert raised.value.reason == "webstory"


def test_an_article_embedding_a_story_player_stays_an_article() -> None:
    case = _case("amp/seed-syndicated")
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    player = '<amp-story-player layout="fixed" width="360" height="600"><a href="https://www.business-standard.com/webstories/x/y-125020400714_1.html">Story</a></amp-story-player>'
    html = html.replace('<div class="storycontent">', player + '<div class="storycontent">')
    assert player in html
    assert extract(html, case.url).article.layout == "amp"
