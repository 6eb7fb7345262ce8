"""The probes of SITE.md's "Evidence from 2024-2026", checked against the page specs they were rendered
from (what a reader of the page sees), not against the rules' own output."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from crawler.extraction import Extraction, NotAnArticle, extract
from crawler.extraction.text import block_paragraphs, fragment
from crawler.extraction.urls import VIDEO, non_article_kind, url_kind
from tests.loopback import pages as loopback_pages
from tests.loopback.pages import PageSpec, _body_html, render_current
from tests.pages import specs
from tests.conftest import PAGES, SITE, load_json
from tests.pages.build import page_bytes
from tests.pages.cases import CASES


def read(spec: PageSpec) -> Extraction:
    return extract(render_current(spec).encode(), SITE + spec.path)


def test_premium_page_without_html_content_takes_the_whole_json_ld_body() -> None:
    spec = specs.PREMIUM_NO_HTML
    words = sum(len(p.split()) for p in spec.paragraphs)
    assert (words, sum(len(p.split()) for p in spec.paragraphs[: spec.free_paragraphs])) == (118, 45)
    result = read(spec)
    assert result.article.articleBody == "\n".join(spec.paragraphs)
    assert result.article.isPremium
    assert result.provenance.sources["articleBody"] == "ld" and "truncated-dom" in result.provenance.flags


def _tags_stripped(markup: str) -> str:
    """The story as the site's JSON-LD ``articleBody`` holds it: the CMS markup with its tags
    stripped, a line per block, embedded posts and captions included (as on the real 2019 page,
    whose articleBody keeps the inline "ALSO READ" line the page shows)."""
    root = fragment(markup)
    assert root is not None
    for element in root.iter("script", "style"):
        element.text = None
    return "\n".join(" ".join("".join(block.itertext()).split()) for block in root)


@pytest.mark.parametrize("spec", [specs.EMBEDS, specs.EMBEDS_DOM_EUROPE], ids=["htmlContent", "dom-europe"])
def test_embeds_in_the_json_ld_body_do_not_make_the_page_body_look_cut(spec: PageSpec) -> None:
    page = render_current(spec)
    markup = _tags_stripped(_body_html(spec, SITE))
    assert "Embassy (@embassy)" in markup and "(Photo: PTI)" in markup and "A post shared by" in markup
    ld_body = json.dumps("\n".join(spec.paragraphs))[1:-1]
    assert page.count(ld_body) == 1
    # The JSON-LD body holds the tweet, the caption and the Instagram post; the site says "not free".
    page = page.replace(ld_body, json.dumps(markup)[1:-1]).replace('"isAccessibleForFree": true', '"isAccessibleForFree": false')
    result = extract(page.encode(), SITE + spec.path)
    assert result.article.articleBody == "\n".join(spec.paragraphs)
    assert result.provenance.sources["articleBody"] == ("next" if spec.html_content else "dom")
    assert "truncated-dom" not in result.provenance.flags and not result.article.isPremium


IMAGE = '<img class="imgCont" src="https://bsmedia.business-standard.com/_media/bs/img/article/inline.jpg" alt="Inline picture">'
CAPTION = "Delegates at the meeting on Wednesday (Photo: PTI)"


@pytest.mark.parametrize(
    "inline_image",
    [
        f'<p>{IMAGE}</p><div class="img-caption">{CAPTION}</div>',
        f'<a href="/x.jpg">{IMAGE}</a><p class="caption">{CAPTION}</p>',
        f'{IMAGE}<br><div class="imgcaption">{CAPTION}</div>',
        f'{IMAGE.replace("imgCont", "zoomimg")}<span class="captiontext">{CAPTION}</span>',
        f'{IMAGE}<div style="font-size:12px">{CAPTION}</div>',
    ],
    ids=["img-in-p", "img-in-link", "after-br", "caption-span", "styled-div-after"],
)
def test_inline_image_captions_stay_out_of_the_body_however_they_are_wrapped(inline_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopback_pages, "INLINE_IMAGE", inline_image)
    for spec in (specs.EMBEDS, specs.EMBEDS_DOM_EUROPE):
        page = render_current(spec)
        assert CAPTION in page
        assert extract(page.encode(), SITE + spec.path).article.articleBody == "\n".join(spec.paragraphs)


@pytest.mark.parametrize(
    "after_image",
    [
        f'{IMAGE}<p style="text-align:justify">A paragraph of the story.</p>',
        f'<p>{IMAGE}</p><div style="text-align:justify">A paragraph of the story.</div>',
        f'<a href="/x.jpg">{IMAGE}</a><div style="text-align:justify">A paragraph of the story.</div>',
        f'{IMAGE}<br><div style="text-align:justify">A paragraph of the story.</div>',
        f'<div>Before {IMAGE}<span style="font-weight:bold">A paragraph of the story.</span></div>',
    ],
    ids=["styled-p", "styled-div-after-wrapped-picture", "styled-div-after-linked-picture", "styled-div-after-br", "styled-span-in-a-line"],
)
def test_a_styled_paragraph_after_an_inline_image_is_the_story(after_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopback_pages, "INLINE_IMAGE", after_image)
    body = extract(render_current(specs.EMBEDS).encode(), SITE + specs.EMBEDS.path).article.articleBody
    assert body is not None and "A paragraph of the story." in body


def test_embeds_in_the_json_ld_body_are_found_on_the_page_in_any_order() -> None:
    spec = specs.EMBEDS
    page = render_current(spec)
    lines = _tags_stripped(_body_html(spec, SITE)).split("\n")
    ld_body = json.dumps("\n".join(spec.paragraphs))[1:-1]
    page = page.replace(ld_body, json.dumps("\n".join(reversed(lines)))[1:-1])
    result = extract(page.encode(), SITE + spec.path)
    assert result.article.articleBody == "\n".join(spec.paragraphs) and "truncated-dom" not in result.provenance.flags


def test_a_body_cut_short_still_loses_to_the_json_ld_body_that_holds_embeds_too() -> None:
    spec = specs.PREMIUM_NO_HTML
    page = render_current(spec)
    ld_body = json.dumps("\n".join(spec.paragraphs))[1:-1]
    assert page.count(ld_body) == 1
    with_embed = "\n".join([spec.paragraphs[0], "Held productive talks today. \u2014 Embassy (@embassy) February 28, 2024", *spec.paragraphs[1:]])
    result = extract(page.replace(ld_body, json.dumps(with_embed)[1:-1]).encode(), SITE + spec.path)
    assert result.provenance.sources["articleBody"] == "ld" and "truncated-dom" in result.provenance.flags
    assert result.article.isPremium and result.article.articleBody and spec.paragraphs[-1] in result.article.articleBody


def test_byline_in_span_form_gives_agency_and_dateline() -> None:
    spec = specs.AGENCY_SPAN
    result = read(spec)
    assert [a.name for a in result.article.authors] == ["AP"] and result.article.dateline == "Miami"
    assert result.provenance.sources["authors"] == "dom" and result.provenance.sources["dateline"] == "dom"
    # Only <meta http-equiv="Last-Modified"> has the modification time to the second.
    assert result.article.dateModified == spec.modified.isoformat()
    assert result.provenance.sources["dateModified"] == "meta"
    assert result.article.mainImage and result.article.mainImage.caption == spec.image_caption


BYLINE = '<span class="MainStory_dtlauthinfo__Pq2Ws"><span>AP</span> <span style="font-weight:400">Miami</span></span>'


@pytest.mark.parametrize(
    ("byline", "names", "city"),
    [
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Shine Jacob &amp; Deepak Patel</span> <span style="font-weight:400">Chennai</span></span>', ["Shine Jacob", "Deepak Patel"], "Chennai"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Shine Jacob and Deepak Patel</span> <span style="font-weight:400">Chennai</span></span>', ["Shine Jacob", "Deepak Patel"], "Chennai"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>PTI; Reuters</span></span>', ["PTI", "Reuters"], None),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Reuters / New Delhi</span></span>', ["Reuters"], "New Delhi"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>By AP</span> <span style="font-weight:400">Miami,</span></span>', ["AP"], "Miami"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span style="color:#000">AP</span> <span style="font-weight:400">| Miami</span></span>', ["AP"], "Miami"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws">AP <span style="font-weight:400">Miami</span></span>', ["AP"], "Miami"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>AP</span> <span style="font-weight:400">Miami</span><span>Updated</span></span>', ["AP"], "Miami"),
        ('<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Vinay Anand</span> <span style="font-weight:400">Pune</span></span>', ["Vinay Anand"], "Pune"),
    ],
    ids=["ampersand", "and", "semicolon", "agency-slash-city", "by-and-comma", "styled-name-and-bar", "bare-text", "updated-label", "and-inside-a-name"],
)
def test_bylines_as_the_page_writes_them_give_names_and_city(byline: str, names: list[str], city: str | None) -> None:
    spec = specs.AGENCY_SPAN
    page = render_current(spec)
    assert page.count(BYLINE) == 1
    result = extract(page.replace(BYLINE, byline).encode(), SITE + spec.path)
    assert [a.name for a in result.article.authors] == names and result.provenance.sources["authors"] == "dom"
    assert result.article.dateline == city


@pytest.mark.parametrize("proxied", ["/_next/image?url={quoted}&amp;w=1080&amp;q=75", "{url}?im=FitAndFill=(826,465)"], ids=["next-image", "resized"])
def test_the_hero_alt_is_found_when_the_page_shows_the_picture_through_a_proxy_or_resized(proxied: str) -> None:
    html, url = _fixture("nextjs-2023/seed-syndicated")
    expected = load_json(PAGES / "nextjs-2023/seed-syndicated" / "expected.json")["mainImage"]
    assert html.count('"alt_text": "India USA flags", ') == 1 and html.count(f'<img src="{expected["url"]}"') == 1
    html = html.replace('"alt_text": "India USA flags", ', "").replace(f'<img src="{expected["url"]}"', f'<img src="{proxied.format(url=expected["url"], quoted=quote(expected["url"], safe=""))}"')
    image = extract(html.encode(), url).article.mainImage
    assert image is not None and (image.url, image.alt, image.caption) == (expected["url"], "India USA flags", expected["caption"])


def test_a_caption_given_as_markup_in_the_article_json_is_its_text() -> None:
    html, url = _fixture("nextjs-2023/seed-syndicated")
    expected = load_json(PAGES / "nextjs-2023/seed-syndicated" / "expected.json")["mainImage"]
    html = re.sub(r'<div class="MainStory_captiontext[^>]*>.*?</div>', "", html)
    caption = json.dumps(expected["caption"])
    assert html.count(caption) == 1
    html = html.replace(caption, json.dumps(f"<p>{expected['caption']}</p>"))
    image = extract(html.encode(), url).article.mainImage
    assert image is not None and image.caption == expected["caption"]


PAYWALL_BOX = '<div class="subscription_subscriptionPlan__Yt6Gh">Already subscribed? <a href="/login">Log in</a> Subscribe to read the full story</div>'
PREMIUM_LABEL = '<div class="MainStory_strlabel__Lk8Mn strlabel">Premium</div>'


@pytest.mark.parametrize(
    "variant",
    ["headline-wrapped", "label-links-to-the-offer", "label-drawn-as-a-picture", "box-class-not-first"],
)
def test_a_premium_story_is_premium_whichever_way_the_page_marks_it(variant: str) -> None:
    html, url = _fixture("nextjs-2023/premium")
    assert html.count(PAYWALL_BOX) == 1 and html.count(PREMIUM_LABEL) == 1
    headline = re.search(r'<h1 class="MainStory_stryhdtp.*?</h1>', html)
    assert headline is not None
    if variant == "box-class-not-first":
        html = html.replace(PREMIUM_LABEL, "").replace(PAYWALL_BOX, PAYWALL_BOX.replace('class="subscription', 'class="paywall subscription'))
    else:
        html = html.replace(PAYWALL_BOX, "")  # only the label says it
        if variant == "headline-wrapped":
            html = html.replace(headline.group(0), f'<div class="MainStory_hdwrap__A1">{headline.group(0)}</div>')
        elif variant == "label-links-to-the-offer":
            html = html.replace(PREMIUM_LABEL, f'<a href="/premium">{PREMIUM_LABEL}</a>')
        else:
            html = html.replace(PREMIUM_LABEL, '<div class="MainStory_strlabel__Lk8Mn strlabel"><img src="/premium.svg" alt="Premium"></div>')
    assert extract(html.encode(), url).article.isPremium


def test_agency_copy_from_source_title_and_modification_date() -> None:
    spec = specs.AGENCY_SOURCE_TITLE
    result = read(spec)
    assert [a.name for a in result.article.authors] == ["Reuters"] and result.provenance.sources["authors"] == "next"
    assert result.article.dateModified == spec.modified.isoformat() and result.provenance.sources["dateModified"] == "next"


@pytest.mark.parametrize("spec", [specs.EMBEDS, specs.EMBEDS_DOM_EUROPE], ids=["htmlContent", "dom-europe"])
def test_embeds_captions_ads_and_promos_stay_out_of_the_body(spec: PageSpec) -> None:
    result = read(spec)
    # Exactly the story: the paragraph inside ".mb-20" kept, the tweet, the Instagram post, the
    # inline image's caption, the ad slots and the WhatsApp promo left out, the disclaimer apart.
    assert result.article.articleBody == "\n".join(spec.paragraphs)
    assert result.article.isSyndicated and result.article.disclaimer
    assert result.provenance.sources["articleBody"] == ("next" if spec.html_content else "dom")


def test_premium_card_in_more_from_this_section_does_not_make_a_free_story_premium() -> None:
    spec = specs.MORE_FROM_SECTION
    result = read(spec)
    assert not result.article.isPremium
    assert [(r.headline, r.url) for r in result.article.alsoRead] == [(t, SITE + p) for t, p in spec.also_read]


def test_live_blog_with_empty_html_content() -> None:
    spec = specs.LIVE_DOM
    article = read(spec).article
    assert article.isLiveBlog and article.articleBody
    for text in [*spec.paragraphs, *(u.headline for u in spec.live_updates), *(u.body for u in spec.live_updates)]:
        assert text in article.articleBody


def test_seed_caption_is_the_line_under_the_image_and_alt_apart() -> None:
    image = read(specs.SEED).article.mainImage
    assert image is not None
    assert image.alt == "India USA flags"
    assert image.caption == "The last India-US homeland security dialogue was last held in January 2022"


def test_blueprint_story_is_extracted() -> None:
    spec = specs.BLUEPRINT
    article = read(spec).article
    assert article.layout == "nextjs-blueprint" and article.articleBody == "\n".join(spec.paragraphs)


@pytest.mark.parametrize("name", sorted(specs.NOT_ARTICLES))
def test_non_article_kinds_under_article_urls(name: str) -> None:
    spec, reason = specs.NOT_ARTICLES[name]
    assert url_kind(SITE + spec.path) != "article"
    assert non_article_kind(SITE + spec.path) == reason
    with pytest.raises(NotAnArticle) as raised:
        read(spec)
    assert raised.value.reason == reason


def test_url_kinds_of_the_evidence() -> None:
    assert url_kind(f"{SITE}/video-gallery/news/x-125020400712_1.html") == VIDEO
    assert url_kind(f"{SITE}/podcasts/x/y-125020400713_1.html") == VIDEO
    assert url_kind(f"{SITE}/webstories/x/y-125020400714_1.html") == "other"
    assert url_kind(f"{SITE}/blueprint-defence-magazine/x-125091500310_1.html") == "article"


@pytest.mark.parametrize("folder", ["generic/jsonld-unknown-layout", "generic/unclosed-divs", "generic/opengraph-article"])
def test_unknown_layouts_with_article_metadata_become_generic_items(folder: str) -> None:
    case = next(c for c in CASES if c.folder == folder)
    article = extract(page_bytes(case, PAGES / folder), case.url).article
    assert article.layout == "generic" and article.headline and article.articleBody and article.datePublished


# Embed code as each platform hands it out, and inline image captions: none of it is the story.
EMBEDS = {
    "tweet": '<blockquote class="twitter-tweet"><p lang="en">Tweet text</p>&mdash; X (@x) <a href="https://x.com/x/status/1">Jan 1</a></blockquote>',
    "tweet-video": '<blockquote class="twitter-video" data-status="hidden"><p>Video tweet text</p><a href="https://twitter.com/x/status/2">Jan 2</a></blockquote>',
    "instagram": '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/x/"><div><a href="https://www.instagram.com/p/x/">A post shared by x</a></div></blockquote>',
    "facebook": '<div class="fb-post" data-href="https://www.facebook.com/x/posts/1"><blockquote cite="https://www.facebook.com/x/posts/1" class="fb-xfbml-parse-ignore"><p>Facebook post text</p></blockquote></div>',
    "tiktok": '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@x/video/1"><section><a href="https://www.tiktok.com/@x">@x</a> TikTok text</section></blockquote>',
    "threads": '<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.net/@x/post/1"><a href="https://www.threads.net/@x/post/1">Threads text</a></blockquote>',
    "reddit": '<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/x/comments/1/">Reddit text</a></blockquote>',
    "imgur": '<blockquote class="imgur-embed-pub" data-id="a"><a href="//imgur.com/a">Imgur text</a></blockquote>',
    "youtube": '<iframe src="https://www.youtube.com/embed/x" title="YouTube video player"></iframe>',
    "figure": '<figure><img src="/x.jpg" alt="Alt text"><figcaption>Inline photo caption (Photo: PTI)</figcaption></figure>',
    "amp-twitter": '<amp-twitter width="375" height="472" data-tweetid="1"><blockquote placeholder class="twitter-tweet"><p>AMP tweet text</p></blockquote></amp-twitter>',
    "amp-instagram": '<amp-instagram data-shortcode="x" width="1" height="1"><div placeholder>AMP Instagram text</div></amp-instagram>',
    "amp-ad": '<amp-ad width="300" height="250" type="doubleclick"><div fallback>Advertisement text</div></amp-ad>',
}
QUOTE = "<blockquote><p>A quoted statement by the finance minister.</p></blockquote>"


@pytest.mark.parametrize("embed", EMBEDS.values(), ids=EMBEDS.keys())
def test_embeds_and_inline_captions_stay_out_of_the_body_and_quotations_in(embed: str) -> None:
    root = fragment(f"<p>First paragraph.</p>{embed}{QUOTE}<p>Last paragraph.</p>")
    assert root is not None
    assert block_paragraphs(root) == ["First paragraph.", "A quoted statement by the finance minister.", "Last paragraph."]


# Story text that looks like the above: a quotation's attribution and a table's title in <figcaption>,
# a pull-quote whose class only contains an embed's class name.
KEPT = {
    "quote-attribution": ('<figure><blockquote><p>We will not raise rates.</p></blockquote><figcaption>Shaktikanta Das, RBI Governor</figcaption></figure>',
                          ["We will not raise rates.", "Shaktikanta Das, RBI Governor"]),
    "table-title": ("<figure><figcaption>Table 1: GDP growth</figcaption><table><tr><td>7.2%</td></tr></table></figure>", ["Table 1: GDP growth", "7.2%"]),
    "pull-quote": ('<blockquote class="pullquote instagram-media-style"><p>Story text in a pull-quote.</p></blockquote>', ["Story text in a pull-quote."]),
}


@pytest.mark.parametrize(("markup", "story"), KEPT.values(), ids=KEPT.keys())
def test_story_text_that_looks_like_an_embed_or_a_caption_stays(markup: str, story: list[str]) -> None:
    root = fragment(f"<p>First paragraph.</p>{markup}<p>Last paragraph.</p>")
    assert root is not None
    assert block_paragraphs(root) == ["First paragraph.", *story, "Last paragraph."]


def _with_embeds(folder: str, marker: str) -> tuple[str, str]:
    case = next(c for c in CASES if c.folder == folder)
    html = page_bytes(case, PAGES / folder).decode("utf-8")
    at = html.index(marker) + len(marker)
    return html[:at] + "".join(EMBEDS.values()) + html[at:], case.url


@pytest.mark.parametrize(
    ("folder", "marker"),
    [("amp/seed-syndicated", '<div class="storycontent">'), ("pre2023/synthetic-premium", '<span class="p-content">'),
     ("nextjs-2023/embeds-dom-europe", '<div class="non-paywall-content">')],
)
def test_every_layout_leaves_embeds_out_of_its_dom_body(folder: str, marker: str) -> None:
    html, url = _with_embeds(folder, marker)
    expected = load_json(PAGES / folder / "expected.json")
    assert extract(html, url).article.articleBody == expected["articleBody"]


def _fixture(folder: str) -> tuple[str, str]:
    case = next(c for c in CASES if c.folder == folder)
    return page_bytes(case, PAGES / folder).decode("utf-8"), case.url


LIVE_UPDATES = re.compile(r'(?:<div class="MainStory_lvblgcont__Zr4Wq lvblgcont">.*?</p></div>)+', re.S)


@pytest.mark.parametrize("ld_updates", [False, True], ids=["page-blocks", "json-ld"])
def test_live_updates_inside_the_story_container_are_read_once(ld_updates: bool) -> None:
    html, url = _fixture("nextjs-2023/live-blog-dom" if not ld_updates else "nextjs-2023/live-blog")
    expected = load_json(PAGES / ("nextjs-2023/live-blog-dom" if not ld_updates else "nextjs-2023/live-blog") / "expected.json")
    updates = LIVE_UPDATES.search(html)
    assert updates is not None
    # Where a region's markup puts the update blocks inside the story's container, before its ad slot.
    moved = html.replace(updates.group(0), "", 1).replace('<div class="storyadsprg">', updates.group(0) + '<div class="storyadsprg">', 1)
    assert moved != html
    article = extract(moved.encode(), url).article
    assert article.isLiveBlog and article.articleBody == expected["articleBody"]


@pytest.mark.parametrize(
    "card",
    [
        '<div class="card"><a href="/x/other-124070800259_1.html">Other story</a><span class="MainStory_strlabel__Lk8Mn strlabel">premium</span></div>',
        '<div class="card"><a href="/x/other-124070800259_1.html">Other story</a><span class="MainStory_LiveButton__x">LIVE</span></div>',
    ],
    ids=["premium-card", "live-card"],
)
def test_a_card_beside_a_headline_wrapped_alone_in_the_article_is_not_the_story_s_label(card: str) -> None:
    # The headline's wrapper sits right under the article, which also holds the related cards.
    body = "<div>Story paragraph one is here.</div><div>Story paragraph two is here.</div>"
    data = {"props": {"pageProps": {"data": {"heading1": "Headline here", "htmlContent": body}}}}
    url = SITE + "/india-news/headline-here-124022800873_1.html"
    page = (
        f'<html><head><link rel="canonical" href="{url}"></head><body><div class="MainStory_storymain__Kq7Lp">'
        '<div class="MainStory_titlewrap__A"><h1 class="MainStory_stryhdtp__frNSf stryhdtp">Headline here</h1></div>'
        f'<div class="MainStory_storycontent__Pe3ys storycontent" id="parent_top_div">{body}</div>'
        f'<div class="MainStory_related__X"><h2>More From This Section</h2>{card}</div></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>'
    )
    article = extract(page.encode(), url).article
    assert not article.isPremium and not article.isLiveBlog


def test_live_updates_written_as_list_items_are_read() -> None:
    html, url = _fixture("nextjs-2023/live-blog-dom")
    expected = load_json(PAGES / "nextjs-2023/live-blog-dom" / "expected.json")
    updates = LIVE_UPDATES.search(html)
    assert updates is not None
    as_list = "<ul>" + re.sub(r'(<div class="MainStory_lvblgcont__Zr4Wq lvblgcont">.*?</p></div>)', r"<li>\1</li>", updates.group(0)) + "</ul>"
    article = extract(html.replace(updates.group(0), as_list, 1).encode(), url).article
    assert article.isLiveBlog and article.articleBody == expected["articleBody"]


def test_a_live_blog_card_among_the_related_stories_does_not_make_a_story_live() -> None:
    html, url = _fixture("nextjs-2023/more-from-this-section")
    expected = load_json(PAGES / "nextjs-2023/more-from-this-section" / "expected.json")
    card = '<li><a href="/markets/live-blog-125010100001_1.html"><span class="Related_lvblgtag__Xy1Z lvblgtag">Live</span> Markets live</a></li>'
    at = html.index("</li>") + len("</li>")
    article = extract((html[:at] + card + html[at:]).encode(), url).article
    assert not article.isLiveBlog and article.articleBody == expected["articleBody"]


def test_the_amp_body_leaves_out_what_the_cms_puts_in_the_story_that_is_not_story() -> None:
    html, url = _fixture("amp/seed-syndicated")
    expected = load_json(PAGES / "amp/seed-syndicated" / "expected.json")
    noise = (
        '<amp-img class="imgCont" src="/x.jpg" width="1" height="1"></amp-img><div style="font-size:12px">Delegates at the meeting (Photo: PTI)</div>'
        '<p><strong class="read_more">Also Read: <a href="/india-news/other-124022800001_1.html">Other story</a></strong></p>'
        '<div class="advertisement-bg"><amp-ad type="doubleclick" width="300" height="250"></amp-ad></div>'
        '<div id="between_article_content_1">Advertisement</div><p class="whtsclick">Click here to connect with us on WhatsApp</p>'
    )
    at = html.index("</p>", html.index('class="storycontent"')) + len("</p>")
    assert extract((html[:at] + noise + html[at:]).encode(), url).article.articleBody == expected["articleBody"]


GENERIC_URL = SITE + "/markets/news/sensex-falls-500-points-124022800123_1.html"
STORY = {
    "headline": "Sensex falls 500 points",
    "datePublished": "2024-02-28T15:42:00+05:30",
    "author": {"@type": "Person", "name": "A Writer"},
    "articleBody": "Markets fell on Wednesday. Banks led the fall.",
}


def _ld_page(block: object) -> bytes:
    return f'<html><head><script type="application/ld+json">{json.dumps(block)}</script></head><body><p>x</p></body></html>'.encode()


@pytest.mark.parametrize(
    "kind",
    ["NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
     "ReviewNewsArticle", "AskPublicNewsArticle", "BlogPosting",
     "https://schema.org/NewsArticle", "http://schema.org/Article", "http://www.schema.org/NewsArticle", "schema:NewsArticle",
     ["WebContent", "NewsArticle"]],
    ids=str,
)
@pytest.mark.parametrize("shape", ["alone", "graph", "list", "main-entity"])
def test_json_ld_articles_of_every_shape_become_generic_items(kind: object, shape: str) -> None:
    story = {"@type": kind, **STORY}
    block: object = {"@context": "https://schema.org", **story}
    if shape == "graph":
        block = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "BS"}, story]}
    elif shape == "list":
        block = [{"@type": "Organization", "name": "BS"}, block]
    elif shape == "main-entity":
        block = {"@context": "https://schema.org", "@type": "WebPage", "url": GENERIC_URL, "mainEntity": story}
    article = extract(_ld_page(block), GENERIC_URL).article
    assert (article.layout, article.headline, article.articleBody) == ("generic", STORY["headline"], "Markets fell on Wednesday. Banks led the fall.")
    assert article.datePublished == STORY["datePublished"] and [a.name for a in article.authors] == ["A Writer"]


def test_an_article_of_its_own_wins_over_a_webpage_s_stub_of_it() -> None:
    stub = {"@type": "WebPage", "url": GENERIC_URL, "mainEntity": {"@type": "NewsArticle", "@id": GENERIC_URL + "#article", "headline": "Short"}}
    full = {"@context": "https://schema.org", "@type": "NewsArticle", "@id": GENERIC_URL + "#article", **STORY}
    html = _ld_page(stub).replace(b"</head>", f'<script type="application/ld+json">{json.dumps(full)}</script></head>'.encode())
    article = extract(html, GENERIC_URL).article
    assert (article.headline, article.datePublished, article.articleBody) == (STORY["headline"], STORY["datePublished"], STORY["articleBody"])


TEASER = {"@type": "NewsArticle", "headline": "Another story", "datePublished": "2025-01-01T09:00:00+05:30", "url": SITE + "/india-news/another-story-125010100001_1.html"}


@pytest.mark.parametrize(
    "other",
    [TEASER, {"@type": "NewsArticle", "headline": "Another story", "datePublished": "2025-01-01T09:00:00+05:30"},
     {"@type": "NewsArticle", "@id": GENERIC_URL + "#article"}, {"@type": "NewsArticle", "headline": "Short", "url": GENERIC_URL}],
    ids=["teaser-with-url", "teaser-without-url", "stub-id", "stub-headline"],
)
@pytest.mark.parametrize("where", ["before", "after"])
def test_the_page_s_own_article_wins_whatever_the_order_of_the_blocks(other: dict[str, object], where: str) -> None:
    full = {"@context": "https://schema.org", "@type": "NewsArticle", "url": GENERIC_URL, **STORY}
    blocks = [other, full] if where == "before" else [full, other]
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
    article = extract(f"<html><head>{scripts}</head><body><p>x</p></body></html>".encode(), GENERIC_URL).article
    assert (article.headline, article.datePublished, article.articleBody) == (STORY["headline"], STORY["datePublished"], STORY["articleBody"])


def test_an_article_naming_no_page_wins_over_a_fuller_one_about_another_page() -> None:
    own = {"@type": "NewsArticle", "headline": STORY["headline"], "datePublished": STORY["datePublished"], "articleBody": STORY["articleBody"]}
    teaser = {**TEASER, "author": {"@type": "Person", "name": "Someone Else"}, "image": SITE + "/img/x.jpg", "articleBody": "Its summary."}
    for blocks in ([teaser, own], [own, teaser]):
        scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
        article = extract(f"<html><head>{scripts}</head><body><p>x</p></body></html>".encode(), GENERIC_URL).article
        assert (article.headline, article.datePublished, article.authors) == (STORY["headline"], STORY["datePublished"], [])


@pytest.mark.parametrize("bad", ["http://[bad/x", "https://[::1/x"])
def test_a_url_that_is_no_url_in_json_ld_or_the_canonical_link_gives_no_traceback(bad: str) -> None:
    blocks = [{"@type": "NewsArticle", **STORY, "url": bad, "mainEntityOfPage": {"@id": bad}}, {"@type": "NewsArticle", "headline": "Teaser", "@id": bad}]
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
    for head in (scripts, f'<link rel="canonical" href="{bad}">{scripts}'):
        try:
            extract(f"<html><head>{head}</head><body><article><p>Text.</p></article></body></html>".encode(), GENERIC_URL)
        except NotAnArticle:
            pass


def test_a_teaser_block_before_a_premium_page_s_own_does_not_replace_its_body_or_dates() -> None:
    spec = specs.PREMIUM_NO_HTML
    teaser = f'<script type="application/ld+json">{json.dumps([TEASER])}</script>'
    page = render_current(spec).replace('<script type="application/ld+json">', teaser + '<script type="application/ld+json">', 1)
    result = extract(page.encode(), SITE + spec.path)
    assert result.article.articleBody == "\n".join(spec.paragraphs) and "truncated-dom" in result.provenance.flags
    assert result.article.datePublished == spec.published.isoformat() and result.article.headline == spec.headline


@pytest.mark.parametrize("teasers", [[{"@type": "NewsArticle", **STORY}, {"@type": "NewsArticle", **STORY}], {"@type": "NewsArticle", **STORY}], ids=["list", "one"])
def test_the_teasers_of_a_collection_page_are_not_its_article(teasers: object) -> None:
    block = {"@context": "https://schema.org", "@type": "CollectionPage", "name": "Markets", "mainEntity": teasers}
    with pytest.raises(NotAnArticle) as raised:
        extract(_ld_page(block), SITE + "/markets/news")
    # A listing that says so, not a page of an unknown layout counted towards a redesign (round 28).
    assert raised.value.reason == "listing"


def test_json_ld_with_a_typed_script_a_name_for_headline_and_a_one_item_main_entity_is_read() -> None:
    named = {"@type": "NewsArticle", **{k: v for k, v in STORY.items() if k != "headline"}, "name": STORY["headline"]}
    page = _ld_page({"@context": "https://schema.org", "@type": "WebPage", "url": GENERIC_URL, "mainEntity": [named]})
    page = page.replace(b'type="application/ld+json"', b'type="application/ld+json; charset=utf-8"')
    article = extract(page, GENERIC_URL).article
    assert (article.layout, article.headline, article.articleBody) == ("generic", STORY["headline"], STORY["articleBody"])
    listed = extract(_ld_page({"@type": "NewsArticle", **STORY, "headline": [STORY["headline"], "Other"]}), GENERIC_URL).article
    assert listed.headline == STORY["headline"]


def test_authors_and_image_given_by_reference_in_a_graph_are_resolved() -> None:
    graph = [
        {"@type": "NewsArticle", **{k: v for k, v in STORY.items() if k != "author"}, "author": [{"@id": "#writer"}], "image": {"@id": "#hero"}},
        {"@type": "Person", "@id": "#writer", "name": "A Writer", "url": SITE + "/author/a-writer"},
        {"@type": "ImageObject", "@id": "#hero", "contentUrl": SITE + "/img/hero.jpg", "caption": "The hero"},
    ]
    article = extract(_ld_page({"@context": "https://schema.org", "@graph": graph}), GENERIC_URL).article
    assert [(a.name, a.url) for a in article.authors] == [("A Writer", SITE + "/author/a-writer")]
    assert article.mainImage is not None and (article.mainImage.url, article.mainImage.caption) == (SITE + "/img/hero.jpg", "The hero")


def test_markup_in_the_json_ld_body_is_read_as_the_page_body_is() -> None:
    markup = (
        "<p>Markets fell on <b>Wednesday</b>.</p><blockquote class='twitter-tweet'><p>A tweet</p>&mdash; X (@x)</blockquote>"
        "<p>Banks led the fall.<br/>Metals followed.</p>"
    )
    article = extract(_ld_page({"@type": "NewsArticle", **STORY, "articleBody": markup}), GENERIC_URL).article
    assert article.articleBody == "Markets fell on Wednesday.\nBanks led the fall.\nMetals followed."
    plain = extract(_ld_page({"@type": "NewsArticle", **STORY, "articleBody": "Sensex < 70,000 and Nifty > 21,000 today."}), GENERIC_URL).article
    assert plain.articleBody == "Sensex < 70,000 and Nifty > 21,000 today."


def test_the_generic_body_is_the_story_s_article_without_its_sharing_related_and_comment_blocks() -> None:
    story = {k: v for k, v in STORY.items() if k != "articleBody"}
    teaser = "<article class='teaser'><h2><a href='/a/other-124022800001_1.html'>Another story</a></h2><p>Its summary, long enough to be the longest block of text on this page by far.</p></article>"
    body = (
        "<article><header><span class='kicker'>Markets</span></header><h1>Sensex falls 500 points</h1>"
        "<div class='social-share'><a href='#'>Share on X</a></div>"
        "<div class='article-body ad-free'><p>Markets fell on Wednesday.</p><div class='ad-slot'>Advertisement</div>"
        "<p>Banks led the fall.</p><div class='commentary-note'><p>Analysts expect a rebound.</p></div></div>"
        "<div class='related_posts'><h3>Related</h3><a href='/a/x-124022800002_1.html'>Another</a></div>"
        "<section id='comments'><p>First comment!</p></section><footer>Tags: markets</footer></article>"
    )
    page = f'<html><head><script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **story})}</script></head><body>{teaser}{body}{teaser}</body></html>'
    article = extract(page.encode(), GENERIC_URL).article
    assert article.articleBody == "Markets fell on Wednesday.\nBanks led the fall.\nAnalysts expect a rebound."


def test_lines_of_text_with_a_bold_word_or_a_link_keep_their_breaks() -> None:
    body = "Markets fell on <strong>Wednesday</strong>.\nBanks led the fall, <a href='/x'>data</a> showed.\nMetals followed."
    article = extract(_ld_page({"@type": "NewsArticle", **STORY, "articleBody": body}), GENERIC_URL).article
    assert article.articleBody == "Markets fell on Wednesday.\nBanks led the fall, data showed.\nMetals followed."


@pytest.mark.parametrize("folder", ["nextjs-2023/live-blog", "nextjs-2023/seed-syndicated"])
def test_a_page_cut_before_its_headline_read_from_its_json_ld_is_flagged_cut(folder: str) -> None:
    html, url = _fixture(folder)
    cut = html[: html.index("<h1")]
    result = extract(cut.encode(), url)
    assert result.article.layout == "generic" and "body-cut" in result.provenance.flags
    whole = extract(html.encode(), url)
    assert whole.article.layout != "generic" and "body-cut" not in whole.provenance.flags


def test_a_page_with_json_ld_of_no_article_type_is_no_item() -> None:
    with pytest.raises(NotAnArticle) as raised:
        extract(_ld_page({"@context": "https://schema.org", "@type": "https://schema.org/WebPage", "name": "Markets"}), GENERIC_URL)
    assert raised.value.reason == "unknown-layout"


def test_hindi_pages_have_their_own_ids_and_language() -> None:
    for case in (c for c in CASES if c.layout == "hindi-2020"):
        article = extract(page_bytes(case, PAGES / case.folder), case.url).article
        assert article.inLanguage == "hi" and article.articleId.startswith("hi-") and len(article.articleId) == 9
        assert article.headline and "\u0900" <= article.headline[0] <= "\u097f", "Devanagari intact"
        assert article.datePublished and article.datePublished.startswith("2020-")


def test_the_seed_expected_item_is_what_a_reader_of_the_seed_writes_down() -> None:
    from tests.conftest import load_json, shared_file

    lines = [line.strip() for line in shared_file("seed/article-2024-02-28-seed.txt").read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    item = load_json(PAGES / "nextjs-2023" / "seed-syndicated" / "expected.json")
    assert item["headline"] in lines and item["description"] in lines
    # The alt text shows where the image failed to load; the caption is the line under it.
    alt_at = lines.index(item["mainImage"]["alt"])
    assert lines[alt_at + 1] == item["mainImage"]["caption"]
    assert f"{item['authors'][0]['name']} {item['dateline']}" in lines
    assert f"{item['readTimeMinutes']} min read Last Updated : {item['dateModifiedRaw']}" in lines
    assert f"First Published: {item['datePublishedRaw']}" in lines
    assert all(paragraph in lines for paragraph in item["articleBody"].split("\n"))
    assert all(related["headline"] in lines for related in item["alsoRead"])
    assert f"Topics : {' '.join(item['topics'])}" in lines and item["disclaimer"] in lines
    assert [q["name"] for q in item["market"]] == ["Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank"]
