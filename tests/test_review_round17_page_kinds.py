"""Review probes of round 17's page kinds: near variants of its live blog and share bar rules."""

from __future__ import annotations

from typing import Any

import pytest

from tests.loopback.pages import render_current
from tests.test_page_kind_probes_round17 import LIVE, LIVE_URL, SEED, SEED_URL, SITE, TEASER, _live_objects, _media_object, _page, _read, _with_data, _with_ld


@pytest.mark.parametrize("layout", ["generic", "amp", "nextjs"])
@pytest.mark.parametrize("updates_first", [False, True], ids=["blog-first", "updates-first"])
@pytest.mark.parametrize("update_url", ["fragment", "page"])
def test_a_live_blog_naming_no_page_beside_its_updates_as_scripts_is_read_from_the_blog(layout: str, updates_first: bool, update_url: str) -> None:
    """The LiveBlogPosting names no page (no ``url`` nor ``mainEntityOfPage``: the page's own, as a
    blog naming another page would be a teaser), its updates a BlogPosting script each, naming the
    page (with a fragment, or not). Before: only a blog naming the page made its BlogPostings updates,
    so an update, naming the page, was taken for the article: the item's headline the update's
    ("Sensex opens 300 points higher"), its datePublished the update's time (9:20 for a blog of 7:45)."""
    _, breadcrumbs, live = _live_objects()
    blog = {key: value for key, value in live.items() if key not in ("url", "mainEntityOfPage")}
    apart: list[dict[str, Any]] = [
        {"@context": "https://schema.org"} | update | {"@type": "BlogPosting", "url": LIVE_URL + (f"#update-{i}" if update_url == "fragment" else "")}
        for i, update in enumerate(live["liveBlogUpdate"])
    ]
    objects: list[object] = [breadcrumbs, *apart, blog] if updates_first else [breadcrumbs, blog, *apart]
    article = _read(*_page(layout, objects))
    assert article.headline == LIVE.headline
    assert article.datePublished == LIVE.published.isoformat()
    assert article.isLiveBlog


LINE = "Users can share the pledge on Twitter until Friday, the ministry said."
TWEET = "https://twitter.com/intent/tweet?text=x"


@pytest.mark.parametrize(
    "markup",
    [
        f'<p><a href="{TWEET}">{LINE}</a></p>',
        f'<blockquote><p><a href="{TWEET}">{LINE}</a></p></blockquote>',
        f'<p><strong><a href="{TWEET}">{LINE}</a></strong></p>',
        f'<p><a href="{TWEET}">{LINE}</a> <a href="https://wa.me/?text=x">WhatsApp</a></p>',
    ],
    ids=["line-a-link", "quote-a-link", "bold-link", "with-a-share-link"],
)
def test_a_story_line_that_is_all_a_share_link_stays(markup: str) -> None:
    """A story's line whose words are all a share link's ("click to tweet" quote boxes: the line, a
    link that tweets it). Before: the line was taken for a share bar (the text around its links being
    share words, none) and left out of the body."""
    first = SEED.paragraphs[0]
    html = _with_data(render_current(SEED), lambda data: data.update(htmlContent=data["htmlContent"].replace(f"{first}</div>", f"{first}</div>{markup}", 1)))
    body = _read(html, SEED_URL).articleBody.split("\n")
    assert body[0] == first
    assert body[1].startswith(LINE)


EMBEDDED = {
    "video-page": SITE + "/video-gallery/markets/sensex-ends-higher-124022800500_1.html",
    "youtube": "https://www.youtube.com/watch?v=abc123",
}


@pytest.mark.parametrize("kind", ["VideoObject", "AudioObject", "PodcastEpisode", "ImageGallery", "VideoGallery"])
@pytest.mark.parametrize("named", sorted(EMBEDDED))
@pytest.mark.parametrize("teaser", [False, True], ids=["alone", "beside-a-teaser"])
def test_a_story_whose_json_ld_describes_only_a_recording_or_gallery_of_another_page_is_an_article(kind: str, named: str, teaser: bool) -> None:
    """A Next.js story (its own JSON-LD article missing, or a related story's teaser the only one)
    that embeds a recording or a gallery whose JSON-LD object names another page (its own video page,
    a YouTube watch page). Before: refused as a video or web story, the story lost (an AudioObject,
    PodcastEpisode or gallery of any page being taken for the page's own since this round; a
    VideoObject before it too)."""
    media = _media_object(kind) | {"url": EMBEDDED[named]}
    html = _with_ld(render_current(SEED), [media, *([TEASER] if teaser else [])])
    article = _read(html, SEED_URL)
    assert article.headline == SEED.headline
    assert article.datePublished == SEED.published.isoformat()
