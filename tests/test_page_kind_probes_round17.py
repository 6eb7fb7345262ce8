"""Probes of the kinds of pages the site publishes (live blogs, premium and agency stories, columns,
pages with several JSON-LD objects), built from the synthetic test pages' specs as SITE.md describes
them, one change at a time, and checked against what a reader of the page writes down."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.article import Article
from tests.loopback.pages import SITE, json_ld, render_amp, render_current
from tests.pages import specs

LIVE = specs.LIVE
LIVE_URL = SITE + LIVE.path
LD_SCRIPT = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def _script(obj: object) -> str:
    return '<script type="application/ld+json">' + json.dumps(obj).replace("</", "<\\/") + "</script>"


def _generic_page(objects: list[object]) -> str:
    """A page of no known layout: JSON-LD, a canonical link and the headline (a live blog served by
    another front end, a syndication partner's copy)."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{LIVE.headline}</title>'
        f'{"".join(_script(o) for o in objects)}<link rel="canonical" href="{LIVE_URL}"></head>'
        f"<body><h1>{LIVE.headline}</h1></body></html>"
    )


def _with_ld(html: str, objects: list[object]) -> str:
    """``html`` with its JSON-LD blocks replaced by ``objects`` (one script each)."""
    html = LD_SCRIPT.sub("", html)
    return html.replace("</head>", "".join(_script(o) for o in objects) + "</head>", 1)


def _page(layout: str, objects: list[object]) -> tuple[str, str]:
    """The live blog's page in ``layout`` with ``objects`` as its JSON-LD, and its URL."""
    if layout == "generic":
        return _generic_page(objects), LIVE_URL
    if layout == "amp":
        return _with_ld(render_amp(LIVE), objects), SITE + "/amp" + LIVE.path
    return _with_ld(render_current(LIVE), objects), LIVE_URL


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


def _live_objects() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The organisation, breadcrumbs and LiveBlogPosting objects of the live blog's page."""
    organisation, breadcrumbs, live = json_ld(LIVE, SITE)
    return organisation, breadcrumbs, live


UPDATE_LINES = [line for u in LIVE.live_updates for line in (u.headline, u.body)]


# --- a NewsArticle beside the LiveBlogPosting -----------------------------------------------------


@pytest.mark.parametrize("layout", ["generic", "amp", "nextjs"])
@pytest.mark.parametrize("order", ["news-first", "live-first"])
def test_a_live_blog_with_a_news_article_object_of_the_same_page_is_a_live_blog(layout: str, order: str) -> None:
    """A page with BreadcrumbList + NewsArticle + LiveBlogPosting, both articles about the page (a CMS
    writing its article object for every story and the live one besides). Before: with the NewsArticle
    first (the two as full, the first wins), a generic or AMP page was no live blog, its updates lost
    from the body: whether a live blog was read as one hung on the order of its scripts."""
    organisation, breadcrumbs, live = _live_objects()
    news = {key: value for key, value in live.items() if key != "liveBlogUpdate"} | {"@type": "NewsArticle"}
    articles = [news, live] if order == "news-first" else [live, news]
    article = _read(*_page(layout, [organisation, breadcrumbs, *articles]))
    assert article.isLiveBlog
    assert article.headline == LIVE.headline
    for line in UPDATE_LINES:
        assert article.articleBody.count(line) == 1, line


def test_a_live_story_teaser_beside_a_news_article_does_not_make_it_live() -> None:
    """The other side: a LiveBlogPosting that names another story (a related live blog's teaser) says
    nothing about this page."""
    organisation, breadcrumbs, live = _live_objects()
    news = {key: value for key, value in live.items() if key != "liveBlogUpdate"} | {"@type": "NewsArticle"}
    other = SITE + "/markets/news/stock-market-live-updates-sensex-nifty-tomorrow-124110600018_1.html"
    teaser = live | {"url": other, "mainEntityOfPage": {"@type": "WebPage", "@id": other}, "headline": "Another live blog"}
    article = _read(*_page("generic", [organisation, breadcrumbs, news, teaser]))
    assert not article.isLiveBlog
    assert LIVE.live_updates[0].headline not in article.articleBody


# --- a live blog's updates as nodes of an @graph ---------------------------------------------------


def _live_with_update_objects(*, updates_first: bool, with_body: bool, listed: str) -> list[object]:
    """The LiveBlogPosting and its updates as objects of their own, each a BlogPosting (with its own
    headline, date, author and picture; an ``@id`` and URL of the page's with a fragment): nodes of an
    ``@graph`` that ``liveBlogUpdate`` names by ``@id``, as a graph-writing SEO plugin lays a live blog
    out (``by-id``), or a script each beside the blog, which lists them inline too (``apart``)."""
    _, breadcrumbs, live = _live_objects()
    live = dict(live)
    updates = live.pop("liveBlogUpdate")
    if not with_body:
        live.pop("articleBody")
    nodes = [
        update | {"@id": f"{LIVE_URL}#update-{i}", "url": f"{LIVE_URL}#update-{i}", "author": live["author"], "image": live.get("image")}
        for i, update in enumerate(updates)
    ]
    if listed == "by-id":
        live |= {"@id": LIVE_URL, "liveBlogUpdate": [{"@id": node["@id"]} for node in nodes]}
        graph = [breadcrumbs, *nodes[::-1], live] if updates_first else [breadcrumbs, live, *nodes]
        return [{"@context": "https://schema.org", "@graph": graph}]
    live |= {"liveBlogUpdate": updates}
    apart = [{"@context": "https://schema.org"} | node for node in nodes]
    return [breadcrumbs, *apart[::-1], live] if updates_first else [breadcrumbs, live, *apart]


@pytest.mark.parametrize("layout", ["generic", "amp", "nextjs"])
@pytest.mark.parametrize("listed", ["by-id", "apart"])
@pytest.mark.parametrize("updates_first", [False, True], ids=["blog-first", "updates-first"])
@pytest.mark.parametrize("with_body", [False, True], ids=["no-blog-body", "blog-body"])
def test_a_live_blog_whose_updates_are_objects_of_their_own_is_read_from_the_blog(layout: str, listed: str, updates_first: bool, with_body: bool) -> None:
    """Before: an update's object was taken for the page's article (as full as the blog, or fuller,
    and first, or the blog without a body of its own): the item's headline was an update's ("Sensex
    opens 300 points higher"), its datePublished the update's time (on the Next.js page too: 10:10
    for a blog first published at 7:45), its body the update's one line, and no live blog; the
    blog's updates, named by ``@id``, were never read."""
    objects = _live_with_update_objects(updates_first=updates_first, with_body=with_body, listed=listed)
    article = _read(*_page(layout, objects))
    assert article.headline == LIVE.headline
    assert article.datePublished == LIVE.published.isoformat()
    assert article.isLiveBlog
    for line in UPDATE_LINES:
        assert article.articleBody.count(line) == 1, line


def test_a_blog_post_page_with_several_blog_postings_is_still_read() -> None:
    """The other side: BlogPostings on a page that is no live blog (a blog post and a teaser of
    another) are read as before, the page's own chosen by its URL."""
    _, breadcrumbs, live = _live_objects()
    post = {key: value for key, value in live.items() if key != "liveBlogUpdate"} | {"@type": "BlogPosting"}
    other = SITE + "/markets/news/another-post-124110600018_1.html"
    teaser = post | {"url": other, "mainEntityOfPage": {"@type": "WebPage", "@id": other}, "headline": "Another post"}
    article = _read(*_page("generic", [breadcrumbs, teaser, post]))
    assert article.headline == LIVE.headline and not article.isLiveBlog


# --- videos and podcasts under an article's URL ----------------------------------------------------

SEED = specs.SEED
SEED_URL = SITE + SEED.path
MEDIA_TYPES = ["VideoObject", "AudioObject", "PodcastEpisode", "PodcastSeries"]


def _media_object(kind: str) -> dict[str, Any]:
    """What a video's or a podcast episode's page says of itself in JSON-LD (no article object)."""
    return {
        "@context": "https://schema.org",
        "@type": kind,
        "name": SEED.headline,
        "description": SEED.standfirst,
        "uploadDate": SEED.published.isoformat(),
        "contentUrl": f"https://bsmedia.business-standard.com/media/{SEED.article_id}.mp4",
        "url": SEED_URL,
    }


@pytest.mark.parametrize("kind", MEDIA_TYPES)
@pytest.mark.parametrize("layout", ["nextjs", "amp", "plain"])
def test_a_video_or_podcast_page_under_an_article_url_is_refused_as_one(layout: str, kind: str) -> None:
    """A video's or podcast's page served under an article-like URL (SITE.md: "Live blogs and
    video/podcast pages exist under the same sections"), known by its JSON-LD, which describes the
    recording and no article. Before: a Next.js podcast page (an AudioObject or PodcastEpisode, its
    show notes in ``htmlContent``) was written as an article, only a VideoObject being looked for; on
    an AMP page, or one of no known layout, it was refused as ``unknown-layout``, which the run's
    verdict counts towards a redesign."""
    media = _media_object(kind)
    if layout == "nextjs":
        html, url = _with_ld(render_current(SEED), [media]), SEED_URL
    elif layout == "amp":
        html, url = _with_ld(render_amp(SEED), [media]), SITE + "/amp" + SEED.path
    else:
        html, url = f'<html><head><title>{SEED.headline}</title>{_script(media)}</head><body><h1>{SEED.headline}</h1><video src="{media["contentUrl"]}"></video></body></html>', SEED_URL
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), url)
    assert raised.value.reason == "video"


@pytest.mark.parametrize("kind", MEDIA_TYPES)
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_an_article_with_an_embedded_video_or_podcast_is_still_an_article(layout: str, kind: str) -> None:
    """The other side: a story's page describing the recording it embeds beside its own article object."""
    organisation, breadcrumbs, news = json_ld(SEED, SITE)
    objects = [organisation, breadcrumbs, _media_object(kind), news]
    if layout == "nextjs":
        html, url = _with_ld(render_current(SEED), objects), SEED_URL
    else:
        html, url = _with_ld(render_amp(SEED), objects), SITE + "/amp" + SEED.path
    assert _read(html, url).headline == SEED.headline


@pytest.mark.parametrize("prefix", ["/video-gallery", "/podcasts", "/webstories"])
def test_a_video_or_web_story_url_whose_page_is_of_no_known_layout_is_refused_by_its_kind(prefix: str) -> None:
    """Before: a page at a video's, podcast's or web story's address whose markup no layout knows (such
    pages carry no article metadata) was refused as ``unknown-layout``, counted towards a redesign,
    rather than as the kind its address names."""
    html = f"<html><head><title>{SEED.headline}</title></head><body><h1>{SEED.headline}</h1><p>{SEED.standfirst}</p></body></html>"
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), SITE + prefix + SEED.path)
    assert raised.value.reason == ("webstory" if prefix == "/webstories" else "video")


# --- a share bar in a live update or in the story -------------------------------------------------

SHARE_BARS = {
    "labelled": (
        '<div class="MainStory_lvblgshare__Ab1Cd"><span>Share</span> <a href="https://twitter.com/intent/tweet?url=x">Twitter</a> '
        '<a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a> <a href="https://api.whatsapp.com/send?text=x">WhatsApp</a>'
        " <button>Copy Link</button></div>"
    ),
    "icons-and-names": (
        '<ul class="socialicons"><li><a href="https://x.com/intent/post?url=x"><img alt="X" src="/x.svg"> X</a></li>'
        '<li><a href="https://www.linkedin.com/shareArticle?mini=true&amp;url=x">LinkedIn</a></li>'
        '<li><a href="https://t.me/share/url?url=x">Telegram</a></li><li><a href="mailto:?subject=x&amp;body=y">Email</a></li></ul>'
    ),
    "bare-links": '<p><a href="https://wa.me/?text=x">Share on WhatsApp</a> | <a href="https://www.facebook.com/sharer.php?u=x">Share on Facebook</a></p>',
}


def _with_data(html: str, change: Any) -> str:
    found = re.search(r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', html, re.S)
    assert found is not None
    data = json.loads(found.group(2))
    change(data["props"]["pageProps"]["data"])
    return html[: found.start(2)] + json.dumps(data).replace("</", "<\\/") + html[found.end(2) :]


@pytest.mark.parametrize("bar", sorted(SHARE_BARS))
@pytest.mark.parametrize("in_ld", [False, True], ids=["blocks-only", "json-ld-too"])
def test_a_live_updates_share_bar_is_no_line_of_the_body(bar: str, in_ld: bool) -> None:
    """Each update of a live blog drawn with its own share bar (links to the networks' share
    endpoints, "Share", "Copy Link"). Before: "Share Twitter Facebook WhatsApp" was a line of the
    body after every update read from the page's blocks."""
    spec = replace(LIVE, live_in_ld=in_ld)
    html = render_current(spec).replace("</p></div>", "</p>" + SHARE_BARS[bar] + "</div>")
    body = _read(html, LIVE_URL).articleBody
    for line in UPDATE_LINES:
        assert body.count(line) == 1, line
    for word in ("Twitter", "Facebook", "WhatsApp", "LinkedIn", "Telegram", "Email", "Share"):
        assert word not in body, word


@pytest.mark.parametrize("bar", sorted(SHARE_BARS))
@pytest.mark.parametrize("where", ["html-content", "page-india", "page-europe"])
def test_a_share_bar_in_the_story_is_no_line_of_the_body(bar: str, where: str) -> None:
    """The same bar drawn in the story (after its first paragraph), in ``htmlContent`` or in the page's
    container of either region (``htmlContent`` empty). Before: its words were a line of the story."""
    spec = replace(SEED, region="europe" if where == "page-europe" else "india")
    html = render_current(spec)
    first = SEED.paragraphs[0]
    if where == "html-content":
        html = _with_data(html, lambda data: data.update(htmlContent=data["htmlContent"].replace(f"{first}</div>", f"{first}</div>{SHARE_BARS[bar]}", 1)))
    else:
        tag = "p" if where == "page-europe" else "div"
        html = _with_data(html, lambda data: data.update(htmlContent=""))
        marker = f"{first}</{tag}>"
        assert marker in html
        html = html.replace(marker, marker + SHARE_BARS[bar], 1)
    article = _read(html, SEED_URL)
    assert article.articleBody.split("\n")[:2] == SEED.paragraphs[:2]


@pytest.mark.parametrize(
    "line",
    [
        # The story's own words around a share link, and links to posts (not to a share endpoint).
        '<p>Users can <a href="https://twitter.com/intent/tweet?text=x">share the pledge on Twitter</a> until Friday, the ministry said.</p>',
        '<p><a href="https://twitter.com/embassy/status/1">Twitter</a> <a href="https://www.facebook.com/embassy">Facebook</a></p>',
    ],
    ids=["story-words", "profile-links"],
)
def test_a_story_line_with_a_share_link_or_network_links_stays(line: str) -> None:
    html = _with_data(render_current(SEED), lambda data: data.update(htmlContent=data["htmlContent"].replace(f"{SEED.paragraphs[0]}</div>", f"{SEED.paragraphs[0]}</div>{line}", 1)))
    body = _read(html, SEED_URL).articleBody.split("\n")
    assert body[1] in {"Users can share the pledge on Twitter until Friday, the ministry said.", "Twitter Facebook"}


@pytest.mark.parametrize("key", ["contentUrl", "url"])
def test_a_story_whose_json_ld_describes_its_narration_alone_is_still_an_article(key: str) -> None:
    """The other side of the podcast rule: a story's page whose JSON-LD has no article object but an
    AudioObject of the story read aloud ("Listen to This Article": the article JSON's ``contentMp3``)
    is the story, not a podcast."""
    narration = f"https://bsmedia.business-standard.com/audio/{SEED.article_id}.mp3"
    audio = {"@context": "https://schema.org", "@type": "AudioObject", "name": SEED.headline, key: narration}
    html = _with_ld(render_current(SEED), [audio])
    assert narration in html
    assert _read(html, SEED_URL).headline == SEED.headline


@pytest.mark.parametrize(("kind", "reason"), [("ImageGallery", "webstory"), ("MediaGallery", "webstory"), ("VideoGallery", "video")])
@pytest.mark.parametrize("layout", ["nextjs", "plain"])
def test_a_gallery_page_under_an_article_url_is_refused_as_its_kind(layout: str, kind: str, reason: str) -> None:
    """A photo or video gallery's page under an article-like URL (its pictures' captions in
    ``htmlContent``), known by its JSON-LD, which describes the gallery and no article; refused as a
    ``/photo-gallery/`` address is. Before: written as an article on a Next.js page (its captions as
    the story), and as ``unknown-layout`` in no known layout."""
    gallery = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": SEED.headline,
        "url": SEED_URL,
        "associatedMedia": [{"@type": "ImageObject", "contentUrl": f"https://bsmedia.business-standard.com/gallery/{n}.jpg", "caption": f"Picture {n}"} for n in range(3)],
    }
    if layout == "nextjs":
        html = _with_ld(render_current(SEED), [gallery])
    else:
        html = f"<html><head><title>{SEED.headline}</title>{_script(gallery)}</head><body><h1>{SEED.headline}</h1></body></html>"
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), SEED_URL)
    assert raised.value.reason == reason


def test_an_article_whose_page_is_typed_as_a_gallery_beside_its_own_article_object_is_an_article() -> None:
    organisation, breadcrumbs, news = json_ld(SEED, SITE)
    gallery = {"@context": "https://schema.org", "@type": "ImageGallery", "name": SEED.headline, "url": SEED_URL}
    assert _read(_with_ld(render_current(SEED), [organisation, gallery, breadcrumbs, news]), SEED_URL).headline == SEED.headline


# --- another live blog's widget in a story ------------------------------------------------------------

OTHER_LIVE = "/markets/news/stock-market-live-updates-sensex-nifty-today-124110500018_1.html"
LIVE_WIDGETS = {
    "heading-link": (
        '<div class="MainStory_lvblgcont__Zr4Wq lvblgcont"><span class="livetime">Feb 28 2024 | 3:30 PM IST</span>'
        f'<h3 class="lvblghdng"><a href="{SITE}{OTHER_LIVE}">Stock Market LIVE: Sensex ends 300 points higher</a></h3>'
        "<p>Follow the day's market action.</p></div>"
    ),
    "heading-in-link": (
        f'<div class="lvblgcont"><a href="{OTHER_LIVE}"><h4 class="MainStory_lvblghdng__Qq1Aa">Stock Market LIVE: Sensex ends 300 points higher</h4></a>'
        "<p>Follow the day's market action.</p></div>"
    ),
}


@pytest.mark.parametrize("widget", sorted(LIVE_WIDGETS))
@pytest.mark.parametrize("where", ["in-story", "after-story"])
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_another_live_blogs_widget_in_a_story_does_not_make_it_live(layout: str, where: str, widget: str) -> None:
    """A story that shows another live blog's latest update in a block of the update class, its
    heading a link to that blog (inside the story's container, or after it). Before: the story was a
    live blog, and the widget's lines were appended to its body as its updates."""
    block = LIVE_WIDGETS[widget]
    first = SEED.paragraphs[0]
    if layout == "nextjs":
        html, url = render_current(SEED), SEED_URL
        anchor = f"{first}</div>" if where == "in-story" else '<div class="MainStory_alsoreadbox'
        html = html.replace(anchor, f"{first}</div>{block}" if where == "in-story" else block + anchor, 1)
    else:
        html, url = render_amp(SEED), SITE + "/amp" + SEED.path
        anchor = f"{first}</p>" if where == "in-story" else "<div>First Published"
        html = html.replace(anchor, f"{first}</p>{block}" if where == "in-story" else block + anchor, 1)
    assert block in html
    article = _read(html, url)
    assert not article.isLiveBlog
    assert "Sensex ends 300 points higher" not in article.articleBody
    assert article.articleBody.split("\n")[:2] == SEED.paragraphs[:2]


def test_a_live_blogs_own_update_whose_heading_links_a_full_story_is_still_its_update() -> None:
    """The other side: on a live blog (its LIVE button, its JSON-LD), an update whose heading links the
    full story of that update is the blog's update."""
    story = "/markets/news/sensex-opens-300-points-higher-124110500031_1.html"
    html = render_current(replace(LIVE, live_in_ld=False))
    heading = f'<h3 class="lvblghdng">{LIVE.live_updates[0].headline}</h3>'
    assert heading in html
    html = html.replace(heading, f'<h3 class="lvblghdng"><a href="{story}">{LIVE.live_updates[0].headline}</a></h3>')
    article = _read(html, LIVE_URL)
    assert article.isLiveBlog
    for line in UPDATE_LINES:
        assert article.articleBody.count(line) == 1, line


@pytest.mark.parametrize("layout", ["generic", "amp"])
@pytest.mark.parametrize("entity", ["inline", "by-id"])
def test_a_live_blog_that_is_its_web_page_s_main_entity_beside_a_news_article_is_a_live_blog(layout: str, entity: str) -> None:
    """The LiveBlogPosting as the ``mainEntity`` of the page's WebPage (which names the page; the blog
    itself names none), beside a NewsArticle of the page. Before: a blog naming no page was not taken
    for this page's: no live blog, its updates lost."""
    organisation, breadcrumbs, live = _live_objects()
    news = {key: value for key, value in live.items() if key != "liveBlogUpdate"} | {"@type": "NewsArticle"}
    blog = {key: value for key, value in live.items() if key not in ("url", "mainEntityOfPage", "articleBody")}
    web_page: dict[str, Any] = {"@context": "https://schema.org", "@type": "WebPage", "url": LIVE_URL, "name": LIVE.headline}
    if entity == "inline":
        objects: list[object] = [breadcrumbs, news, web_page | {"mainEntity": blog}]
    else:
        graph = [web_page | {"@id": LIVE_URL, "mainEntity": {"@id": "#liveblog"}}, blog | {"@id": "#liveblog"}, breadcrumbs]
        objects = [news, {"@context": "https://schema.org", "@graph": graph}]
    article = _read(*_page(layout, objects))
    assert article.isLiveBlog
    for line in UPDATE_LINES:
        assert article.articleBody.count(line) == 1, line


# --- a related story's teaser as the page's only JSON-LD article -----------------------------------------

OTHER_STORY = SITE + "/india-news/india-canada-row-hardeep-singh-nijjar-not-religious-figure-but-terrorist-123092500734_1.html"
TEASER = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "url": OTHER_STORY,
    "mainEntityOfPage": {"@type": "WebPage", "@id": OTHER_STORY},
    "headline": "India-Canada row: Hardeep Singh Nijjar not religious figure but terrorist",
    "datePublished": "2023-09-25T18:02:00+05:30",
    "dateModified": "2023-09-26T09:10:00+05:30",
    "author": [{"@type": "Person", "name": "Archis Mohan"}],
    "image": {"@type": "ImageObject", "url": "https://bsmedia.business-standard.com/_media/bs/img/article/2023-09/25/full/other.jpg"},
    "keywords": "India-Canada,Khalistan",
}


@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_a_related_storys_teaser_as_the_only_json_ld_article_gives_none_of_its_fields(layout: str) -> None:
    """The page's own NewsArticle missing (left out by the CMS, or unreadable), a related story's
    teaser the only JSON-LD article on it. Before: the item took the teaser's dates (datePublished
    2023-09-25 for a story of 2024-02-28, JSON-LD being read first for dates), and on AMP its
    authors and picture too; the generic layout already passed such a teaser over."""
    organisation, breadcrumbs, _ = json_ld(SEED, SITE)
    if layout == "nextjs":
        html, url = _with_ld(render_current(SEED), [organisation, breadcrumbs, TEASER]), SEED_URL
    else:
        html, url = _with_ld(render_amp(SEED), [TEASER]), SITE + "/amp" + SEED.path
    article = _read(html, url)
    assert article.headline == SEED.headline
    assert article.datePublished == SEED.published.isoformat()
    assert article.dateModified in (None, SEED.modified.isoformat())
    assert [a.name for a in article.authors] == [a.name for a in SEED.authors]
    assert article.mainImage is None or "other.jpg" not in article.mainImage.url
    assert "Khalistan" not in " ".join(article.topics) or "Khalistan movement" in article.topics
    assert article.articleId == SEED.article_id


def test_a_video_page_whose_only_json_ld_article_is_a_related_storys_teaser_is_a_video() -> None:
    """Before: the teaser, taken for the page's article, hid the VideoObject of the page: the video's
    page under an article URL was written as an article, dated as the teaser."""
    video = _media_object("VideoObject")
    html = _with_ld(render_current(SEED), [video, TEASER])
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), SEED_URL)
    assert raised.value.reason == "video"


@pytest.mark.parametrize("layout", ["generic", "amp"])
@pytest.mark.parametrize("keys", ["from-0", "with-gaps"])
def test_live_updates_written_as_an_object_by_index_are_read(layout: str, keys: str) -> None:
    """``liveBlogUpdate`` written as a PHP back end writes a list (an object of the updates by their
    index: ``{"0": {…}, "1": {…}}``, with gaps where some were deleted), as the article JSON's author
    records are. Before: the object was read as one update with no text: every update lost."""
    organisation, breadcrumbs, live = _live_objects()
    updates = live["liveBlogUpdate"]
    indices = range(0, 2 * len(updates), 2) if keys == "with-gaps" else range(len(updates))
    live = live | {"liveBlogUpdate": {str(i): update for i, update in zip(indices, updates)}}
    article = _read(*_page(layout, [organisation, breadcrumbs, live]))
    assert article.isLiveBlog
    for line in UPDATE_LINES:
        assert article.articleBody.count(line) == 1, line
