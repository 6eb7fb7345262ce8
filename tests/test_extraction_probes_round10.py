"""Probes of the current site's pages (Next.js, Blueprint, AMP) built as a reader of SITE.md's evidence
from 2024-2026 would build them from the live site, each checked against what a reader of the page
writes down."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

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


# --- premium: the markers SITE.md lists, in combination -----------------------------------------------

PREMIUM_LABEL = '<div class="MainStory_strlabel__Lk8Mn strlabel">Premium</div>\n'
PAYWALL_BOX = '<div class="subscription_subscriptionPlan__Yt6Gh">Already subscribed? <a href="/login">Log in</a> Subscribe to read the full story</div>'
SHOWN_PARAGRAPHS = (
    "<div>The rally in smallcap stocks is running into a valuation wall, with several mutual funds restricting fresh lump-sum inflows into their smallcap schemes.</div>"
    "<div>Market regulator Sebi has asked fund houses to put in place a framework to protect investors from the froth in the segment.</div>"
)
# What the page shows a reader without a subscription: the first paragraphs, or the story stopped
# mid-sentence (SITE.md: "On premium pages the DOM text stops mid-sentence").
CUTS = {
    "two-paragraphs": SHOWN_PARAGRAPHS,
    "mid-sentence": SHOWN_PARAGRAPHS.split("<div>Market")[0] + "<div>Market regulator Sebi has asked fund houses to put</div>",
    "ellipsis": SHOWN_PARAGRAPHS.split("<div>Market")[0] + "<div>Market regulator Sebi has asked fund houses to put\u2026</div>",
    "european-p": SHOWN_PARAGRAPHS.replace("<div>", "<p>").replace("</div>", "</p>"),
}


@pytest.mark.parametrize("shown", CUTS.values(), ids=CUTS.keys())
def test_a_locked_story_the_page_shows_cut_short_is_premium_without_label_or_box(shown: str) -> None:
    # The label and the paywall box may be drawn by the page's scripts after load (a plain fetch
    # has neither); htmlContent holds the whole story, which is the body. JSON-LD says the story is
    # not free, and the page itself shows only its start: two markers together, scoped to the article.
    html, url, expected = _fixture("nextjs-2023/premium")
    html = _once(_once(html, PREMIUM_LABEL, ""), PAYWALL_BOX, "")
    html = _once(html, SHOWN_PARAGRAPHS, shown)
    assert '"isAccessibleForFree": false' in html
    article = extract(html.encode(), url).article
    assert article.isPremium is True
    assert article.articleBody == expected["articleBody"]


@pytest.mark.parametrize("folder", ["nextjs-2023/seed-syndicated", "nextjs-2023/embeds", "nextjs-2023/staff-multi-author", "nextjs-blueprint/navy-unmanned-submarines"])
def test_a_free_story_whose_json_ld_says_locked_is_not_premium(folder: str) -> None:
    # JSON-LD's isAccessibleForFree is false on some free pages (SITE.md): with the whole story shown,
    # it is no premium story.
    html, url, _ = _fixture(folder)
    html = _once(html, '"isAccessibleForFree": true', '"isAccessibleForFree": false')
    assert extract(html.encode(), url).article.isPremium is False


# The label near the headline, drawn outside the headline's own block: above it, or in a row of
# labels between it and the story.
LABEL_PLACES = {
    "above-the-head-block": ('<div class="MainStory_storyhead__Tn4Vx">', '<div class="MainStory_strlabel__Lk8Mn strlabel">Premium</div><div class="MainStory_storyhead__Tn4Vx">'),
    "row-before-the-story": (
        '<div class="MainStory_storycontent__Pe3ys storycontent"',
        '<div class="MainStory_labels__Hh1"><span class="MainStory_strlabel__Lk8Mn strlabel">PREMIUM</span></div><div class="MainStory_storycontent__Pe3ys storycontent"',
    ),
}


@pytest.mark.parametrize(("old", "new"), LABEL_PLACES.values(), ids=LABEL_PLACES.keys())
def test_the_premium_label_near_the_headline_outside_its_block_is_the_story_s(old: str, new: str) -> None:
    html, url, expected = _fixture("nextjs-2023/premium")
    html = _once(_once(_once(html, PREMIUM_LABEL, ""), PAYWALL_BOX, ""), old, new)
    html = _once(html, '"isAccessibleForFree": false', '"isAccessibleForFree": true')
    article = extract(html.encode(), url).article
    assert article.isPremium is True and article.headline == expected["headline"]


def test_a_premium_card_before_the_story_is_not_the_story_s_label() -> None:
    # A card of another story (a link to it) above the story, with its own label: not this story's.
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    card = (
        '<div class="MainStory_trending__T1"><a href="/markets/news/smallcap-rally-runs-into-valuation-wall-as-funds-curb-inflows-124030500112_1.html">'
        'Smallcap rally runs into valuation wall <span class="MainStory_strlabel__Lk8Mn strlabel">Premium</span></a></div>'
    )
    html = _once(html, '<div class="MainStory_storycontent__Pe3ys storycontent"', card + '<div class="MainStory_storycontent__Pe3ys storycontent"')
    assert extract(html.encode(), url).article.isPremium is False


def test_the_live_button_above_the_headline_s_block_makes_a_live_blog() -> None:
    # The LIVE button drawn above the headline's block, the updates not yet in the page (a plain
    # fetch of a blog just opened), JSON-LD's type a plain NewsArticle.
    html, url, _ = _fixture("nextjs-2023/live-blog-dom")
    html = _once(html, '<div class="MainStory_storyhead__Tn4Vx">\n<div class="LiveButton_livebtn__Hd6Ks">LIVE</div>', '<div class="LiveButton_livebtn__Hd6Ks">LIVE</div><div class="MainStory_storyhead__Tn4Vx">\n')
    html = re.sub(r'<div class="MainStory_lvblgcont__Zr4Wq lvblgcont">.*?</p></div>', "", html)
    html = _once(html, '"@type": "LiveBlogPosting"', '"@type": "NewsArticle"')
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True
    assert article.articleBody == "Benchmark indices are expected to open higher tracking gains in Asian markets."


# --- a live blog's updates drawn beside the story -------------------------------------------------------

LIVE_UPDATES = re.compile(r'(?:<div class="MainStory_lvblgcont__Zr4Wq lvblgcont">.*?</p></div>)+')
LIVE_MARKS: dict[str, Callable[[str], str]] = {
    "live-button-and-ld": lambda html: html,
    "live-button": lambda html: _once(html, '"@type": "LiveBlogPosting"', '"@type": "NewsArticle"'),
    "ld-live-blog-posting": lambda html: _once(html, '<div class="LiveButton_livebtn__Hd6Ks">LIVE</div>', ""),
}


@pytest.mark.parametrize("marked", LIVE_MARKS.values(), ids=LIVE_MARKS.keys())
def test_a_live_blog_s_updates_outside_the_story_s_element_are_its_updates(marked: Callable[[str], str]) -> None:
    # The blog's component may be a sibling of the story's block (after the element holding the
    # headline and the introduction): the page is a live blog by its own marks, and its updates follow.
    html, url, expected = _fixture("nextjs-2023/live-blog-dom")
    found = LIVE_UPDATES.search(html)
    assert found is not None
    html = html[: found.start()] + html[found.end() :]
    html = _once(html, '<script id="__NEXT_DATA__"', f'<div class="LiveBlog_wrap__a1">{found.group()}</div><script id="__NEXT_DATA__"')
    article = extract(marked(html).encode(), url).article
    assert article.isLiveBlog is True and article.articleBody == expected["articleBody"]


def test_update_blocks_outside_an_ordinary_story_are_not_its_body() -> None:
    # Without the page's own marks of a live blog, blocks of that class beside the story (a widget
    # of another blog) are not this story's.
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    widget = '<div class="LiveBlog_wrap__a1"><div class="lvblgcont"><h3 class="lvblghdng">Sensex opens 300 points higher</h3><p>The BSE Sensex opened at 78,950.</p></div></div>'
    html = _once(html, '<script id="__NEXT_DATA__"', widget + '<script id="__NEXT_DATA__"')
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is False and "Sensex" not in str(article.articleBody)


# --- the AMP twin's byline drawn as the current site's ---------------------------------------------------

AMP_BYLINE = '<div class="byline">Press Trust of India <span class="dateline">New Delhi</span></div>'
LD_AUTHOR = re.compile(r'"author": (?:\[[^\]]*\]|\{[^{}]*\}), ')
SITE_BYLINES = {
    "linked-name": (
        '<span class="MainStory_dtlauthinfo__Pq2Ws"><span><a href="/author/search/keyword/press-trust-of-india">Press Trust of India</a></span> <span style="font-weight:400">New Delhi</span></span>',
        [("Press Trust of India", "https://www.business-standard.com/author/search/keyword/press-trust-of-india")],
        "New Delhi",
    ),
    "agency-and-city": ('<div class="dtlauthinfo"><span>AP</span> <span style="font-weight:400">Miami</span></div>', [("AP", None)], "Miami"),
    "two-names": ('<span class="dtlauthinfo"><span>Shine Jacob &amp; Sohini Das</span><span style="color:#666">, Chennai</span></span>', [("Shine Jacob", None), ("Sohini Das", None)], "Chennai"),
}


@pytest.mark.parametrize(("byline", "authors", "city"), SITE_BYLINES.values(), ids=SITE_BYLINES.keys())
def test_an_amp_byline_drawn_as_the_current_site_s_gives_names_and_city(byline: str, authors: list[tuple[str, str | None]], city: str) -> None:
    # Agency copy whose JSON-LD names no author: the byline is the page's only word on who wrote it.
    html, url, _ = _fixture("amp/seed-syndicated")
    html = LD_AUTHOR.sub("", _once(html, AMP_BYLINE, byline), count=1)
    assert '"author"' not in html
    article = extract(html.encode(), url).article
    assert [(a.name, a.url) for a in article.authors] == authors
    assert article.dateline == city


def test_an_amp_byline_s_styled_name_is_a_name() -> None:
    # In the AMP template's own byline a styled span is a name; its city is in .dateline.
    html, url, _ = _fixture("amp/seed-syndicated")
    byline = '<div class="byline"><span style="font-weight:700">Shine Jacob</span> <span class="dateline">Chennai</span></div>'
    html = LD_AUTHOR.sub("", _once(html, AMP_BYLINE, byline), count=1)
    article = extract(html.encode(), url).article
    assert [a.name for a in article.authors] == ["Shine Jacob"] and article.dateline == "Chennai"


# --- "More From This Section": a premium card's label, whatever its class ---------------------------------

PREMIUM_CARD = (
    '<li><a href="https://www.business-standard.com/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html">EV makers seek extension of FAME subsidy</a>'
    '<span class="MainStory_strlabel__Lk8Mn strlabel">premium</span></li>'
)
CARD_URL = "https://www.business-standard.com/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html"
CARD_LABELS = {
    "icon-class": f'<li><a href="{CARD_URL}">EV makers seek extension of FAME subsidy <span class="PremiumIcon_premiumtag__Q1">premium</span></a></li>',
    "unclassed-span": f'<li><a href="{CARD_URL}">EV makers seek extension of FAME subsidy<span>Premium</span></a></li>',
    "after-read-time": f'<li><a href="{CARD_URL}"><h3>EV makers seek extension of FAME subsidy</h3><span>3 min read</span><i class="bs-icon">Premium</i></a></li>',
    "before-read-time": f'<li><a href="{CARD_URL}">EV makers seek extension of FAME subsidy <b>premium</b> <span>3 min read</span></a></li>',
}


@pytest.mark.parametrize("card", CARD_LABELS.values(), ids=CARD_LABELS.keys())
def test_a_premium_card_s_label_is_no_word_of_its_headline(card: str) -> None:
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    article = extract(_once(html, PREMIUM_CARD, card).encode(), url).article
    assert [(r.headline, r.url) for r in article.alsoRead] == [(r["headline"], r["url"]) for r in expected["alsoRead"]]  # type: ignore[attr-defined]
    assert article.isPremium is False


def test_a_headline_ending_in_the_word_premium_keeps_it() -> None:
    html, url, _ = _fixture("nextjs-2023/more-from-this-section")
    card = f'<li><a href="{CARD_URL}"><span>Why Indian smallcaps still trade at a premium</span> <span>4 min read</span></a></li>'
    article = extract(_once(html, PREMIUM_CARD, card).encode(), url).article
    assert article.alsoRead[0].headline == "Why Indian smallcaps still trade at a premium"


def test_an_amp_premium_card_s_label_is_no_word_of_its_headline() -> None:
    html, url, _ = _fixture("amp/seed-syndicated")
    cards = (
        '<div class="alsoreadbox"><h2>More From This Section</h2><ul>'
        f'<li><a href="{CARD_URL}">EV makers seek extension of FAME subsidy <span class="premium-tag">Premium</span></a></li>'
        '<li><a href="/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html">Mahindra unveils new electric SUV platform</a></li>'
        "</ul></div>"
    )
    html = _once(html, "<div>First Published:", cards + "<div>First Published:")
    related = extract(html.encode(), url).article.alsoRead
    assert [r.headline for r in related] == ["EV makers seek extension of FAME subsidy", "Mahindra unveils new electric SUV platform"]


# --- the hero's caption line wherever the picture's block is drawn ------------------------------------------

HERO_BLOCK = (
    '<div class="MainStory_storyimage__Qa5Mn"><img src="https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/1709115120-4521.jpg"'
    ' alt="India USA flags" width="620" height="350"><div class="MainStory_captiontext__Lm2Xc captiontext">The last India-US homeland security dialogue was last held in January 2022</div></div>'
)
HERO_FORMS = {
    "block-between-head-and-story": lambda html: _once(_once(html, HERO_BLOCK, ""), '<div class="MainStory_storycontent__Pe3ys', HERO_BLOCK + '<div class="MainStory_storycontent__Pe3ys'),
    "block-above-the-head": lambda html: _once(_once(html, HERO_BLOCK, ""), '<div class="MainStory_storyhead__Tn4Vx">', HERO_BLOCK + '<div class="MainStory_storyhead__Tn4Vx">'),
    "figure-with-figcaption": lambda html: _once(
        html,
        HERO_BLOCK,
        '<figure class="MainStory_storyimage__Qa5Mn"><img src="https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/1709115120-4521.jpg" alt="India USA flags">'
        "<figcaption>The last India-US homeland security dialogue was last held in January 2022</figcaption></figure>",
    ),
}


@pytest.mark.parametrize("form", HERO_FORMS.values(), ids=HERO_FORMS.keys())
def test_the_hero_s_caption_line_and_alt_text_are_read_from_the_page(form: Callable[[str], str]) -> None:
    # The article JSON without the picture's caption and alt text (a CMS that keeps them on the
    # picture alone): the page's caption line and the <img>'s alt are the reader's.
    html, url, expected = _fixture("nextjs-2023/seed-syndicated")
    html = _with_data(form(html), lambda data: data.update(featuredImageObj={"url": expected["mainImage"]["url"]}))  # type: ignore[index]
    article = extract(html.encode(), url).article
    assert article.mainImage is not None
    assert (article.mainImage.alt, article.mainImage.caption) == ("India USA flags", "The last India-US homeland security dialogue was last held in January 2022")


def test_an_inline_picture_s_caption_in_the_story_is_not_the_hero_s() -> None:
    html, url, expected = _fixture("nextjs-2023/embeds-dom-europe")
    html = re.sub(r'<div class="MainStory_storyimage__Qa5Mn">.*?</div></div>', "", html, count=1)
    html = _once(html, '<div style="font-size:12px;color:#666">Delegates', '<div class="captiontext">Delegates')
    html = _with_data(html, lambda data: data.update(featuredImageObj={"url": expected["mainImage"]["url"]}))  # type: ignore[index]
    image = extract(html.encode(), url).article.mainImage
    assert image is not None and image.caption is None and image.alt is None


# --- the related list drawn inside the story's container ---------------------------------------------------

RELATED_BOX = re.compile(r'<div class="MainStory_alsoreadbox__Uu3Pa alsoreadbox">.*?</ul></div>')
RELATED_HEADINGS_DRAWN = {
    "more-from-this-section-h2": ("nextjs-2023/more-from-this-section", lambda box: box),
    "more-from-this-section-div": ("nextjs-2023/more-from-this-section", lambda box: box.replace("<h2>", '<div class="MainStory_hdng__A">').replace("</h2>", "</div>")),
    "more-from-this-section-cards-with-read-times": (
        "nextjs-2023/more-from-this-section",
        lambda box: box.replace("</a>", "</a><span>3 min read</span>"),
    ),
    "also-read": ("nextjs-2023/seed-syndicated", lambda box: box),
}


@pytest.mark.parametrize(("folder", "drawn"), RELATED_HEADINGS_DRAWN.values(), ids=RELATED_HEADINGS_DRAWN.keys())
def test_a_related_list_inside_the_story_s_container_is_no_story(folder: str, drawn: Callable[[str], str]) -> None:
    # The region's DOM (no htmlContent) with the list after the story's paragraphs, inside the
    # container: its heading and cards are the related stories, not the story's last lines.
    html, url, expected = _fixture(folder)
    found = RELATED_BOX.search(html)
    assert found is not None
    html = html[: found.start()] + html[found.end() :]
    html = _once(html, '<div class="storyadsprg">', drawn(found.group()) + '<div class="storyadsprg">')
    article = extract(_dom_only(html).encode(), url).article
    assert article.articleBody == expected["articleBody"]
    assert [(r.headline, r.url) for r in article.alsoRead] == [(r["headline"], r["url"]) for r in expected["alsoRead"]]  # type: ignore[attr-defined]


def test_story_lines_linking_other_stories_after_an_inline_promo_stay() -> None:
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    story = (
        "<div>The first line of the story.</div><div><strong>Also Read</strong></div>"
        '<div><a href="/india-news/some-story-124022800001_1.html">Some story</a></div>'
        '<div>The minister had <a href="/india-news/earlier-visit-124010100002_1.html">visited Washington</a> in January.</div>'
        "<div>The last line of the story.</div>"
    )
    start = html.index('<div class="non-paywall-content">') + len('<div class="non-paywall-content">')
    end = html.index('</div><div class="storyadsprg">')
    article = extract(_dom_only(html[:start] + story + html[end:]).encode(), url).article
    assert article.articleBody == "The first line of the story.\nThe minister had visited Washington in January.\nThe last line of the story."


def test_a_related_list_inside_the_amp_story_s_container_is_no_story() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    box = (
        '<div class="alsoreadbox"><h2>More From This Section</h2><ul>'
        f'<li><a href="{CARD_URL}">EV makers seek extension of FAME subsidy</a><span class="strlabel">premium</span></li>'
        '<li><a href="/companies/news/mahindra-unveils-new-electric-suv-platform-124061900410_1.html">Mahindra unveils new electric SUV platform</a></li>'
        "</ul></div>"
    )
    html = _once(html, "other activities.</p></div>", f"other activities.</p>{box}</div>")
    article = extract(html.encode(), url).article
    assert article.articleBody == expected["articleBody"] and article.isPremium is False
    assert [r.headline for r in article.alsoRead] == ["EV makers seek extension of FAME subsidy", "Mahindra unveils new electric SUV platform"]


def test_a_locked_story_with_text_in_its_paywall_part_is_premium_without_label_or_box() -> None:
    # The whole story in the page, its rest in .paywall-content (hidden until the reader subscribes):
    # with JSON-LD saying the story is not free, that part is the paywall's.
    html, url, expected = _fixture("nextjs-2023/premium")
    html = _once(_once(html, PREMIUM_LABEL, ""), PAYWALL_BOX, "")
    rest = "".join(f"<div>{p}</div>" for p in str(expected["articleBody"]).split("\n")[2:])
    html = _once(html, '<div class="paywall-content"></div>', f'<div class="paywall-content">{rest}</div>')
    article = extract(html.encode(), url).article
    assert article.isPremium is True and article.articleBody == expected["articleBody"]


def test_a_free_story_with_an_empty_paywall_part_or_an_offer_in_it_is_not_premium() -> None:
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    html = _once(html, '"isAccessibleForFree": true', '"isAccessibleForFree": false')
    html = _once(html, '<div class="storyadsprg">', '<div class="paywall-content"><p>Subscribe to Business Standard</p></div><div class="storyadsprg">')
    assert extract(html.encode(), url).article.isPremium is False


# --- the AMP twin's own Premium label ---------------------------------------------------------------------

# JSON-LD's body as short as the page's (a template that copies the shown part): only the label says premium.
AMP_SHORT_LD_BODY = (
    '"articleBody": "The rally in smallcap stocks is running into a valuation wall, with several mutual funds restricting fresh lump-sum inflows into'
    ' their smallcap schemes.\\nMarket regulator Sebi has asked fund houses to put in place a framework to protect investors from the froth in the segment.", '
)
AMP_LABELS = {
    "before-the-h1": ("<h1>", '<span class="strlabel">Premium</span><h1>', True),
    "inside-the-h1": ("<h1>", '<h1><span class="story_strlabel__x">Premium</span> ', True),
    "after-the-h1": ("</h1>", '</h1><div class="strlabel"><amp-img src="/premium.svg" alt="Premium" width="60" height="20"></amp-img></div>', True),
    "a-card-s-after-the-h1": ("</h1>", '</h1><ul><li><a href="/markets/news/other-124030500001_1.html">Other story <span class="strlabel">Premium</span></a></li></ul>', False),
    "a-card-s-beside-its-link": ("</h1>", '</h1><div class="card"><span class="strlabel">Premium</span><h3><a href="/markets/news/other-124030500001_1.html">Other story</a></h3></div>', False),
}


@pytest.mark.parametrize(("old", "new", "premium"), AMP_LABELS.values(), ids=AMP_LABELS.keys())
def test_the_amp_story_s_premium_label_makes_it_premium(old: str, new: str, premium: bool) -> None:
    html, url, expected = _fixture("amp/premium")
    html = LD_BODY.sub(AMP_SHORT_LD_BODY, html, count=1)
    article = extract(_once(html, old, new).encode(), url).article
    assert article.isPremium is premium and article.headline == expected["headline"]


@pytest.mark.parametrize("label", ['<span class="strlabel">Premium</span>', '<span class="LiveButton_livebtn__Hd6Ks">LIVE</span>'])
def test_a_label_inside_the_amp_h1_is_no_word_of_the_headline(label: str) -> None:
    # With neither JSON-LD's headline nor og:title, the h1 is the headline: without its label.
    html, url, expected = _fixture("amp/premium")
    html = re.sub(r'"headline": "[^"]*", ', "", html)
    html = re.sub(r'<meta property="og:title"[^>]*>', "", html)
    html = _once(html, "<h1>", f"<h1>{label} ")
    assert extract(html.encode(), url).article.headline == expected["headline"]


# --- the AMP twin of a live blog drawn with the current site's update blocks -------------------------------

AMP_UPDATE = '<div class="lvblgcont"><span class="livetime">Feb 28 2024 | 4:20 PM IST</span><h3 class="lvblghdng">Talks end</h3><p>The talks ended without a joint statement.</p></div>'
AMP_UPDATE_LINES = ["Feb 28 2024 | 4:20 PM IST", "Talks end", "The talks ended without a joint statement."]
AMP_LIVE_FORMS: dict[str, Callable[[str], str]] = {
    "ld-live-blog-posting-updates-after-the-story": lambda html: _once(
        _once(html, "other activities.</p></div>", f"other activities.</p></div>{AMP_UPDATE}"), '"@type": "NewsArticle"', '"@type": "LiveBlogPosting"'
    ),
    "live-button-updates-after-the-story": lambda html: _once(
        _once(html, "other activities.</p></div>", f"other activities.</p></div>{AMP_UPDATE}"), "<h1>", '<span class="LiveButton_livebtn__Hd6Ks">LIVE</span><h1>'
    ),
    "updates-in-the-story": lambda html: _once(html, "other activities.</p></div>", f"other activities.</p>{AMP_UPDATE}</div>"),
}


@pytest.mark.parametrize("form", AMP_LIVE_FORMS.values(), ids=AMP_LIVE_FORMS.keys())
def test_an_amp_live_blog_s_update_blocks_are_its_updates(form: Callable[[str], str]) -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    article = extract(form(html).encode(), url).article
    assert article.isLiveBlog is True
    assert article.articleBody == "\n".join([str(expected["articleBody"]), *AMP_UPDATE_LINES])


def test_an_amp_live_story_s_card_does_not_make_a_live_blog() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    card = f'<ul><li><a href="{CARD_URL}"><span class="lvblgtag">LIVE</span> Markets live: Sensex rises</a></li></ul>'
    article = extract(_once(html, "<div>First Published:", card + "<div>First Published:").encode(), url).article
    assert article.isLiveBlog is False and article.articleBody == expected["articleBody"]


def test_updates_the_page_shows_beyond_json_ld_s_latest_are_kept() -> None:
    # JSON-LD's liveBlogUpdate may list only the latest updates; the page shows every one of them.
    html, url, _ = _fixture("nextjs-2023/live-blog-dom")
    latest = [{"@type": "BlogPosting", "headline": "IT stocks lead gains", "articleBody": "Infosys and TCS rose over 2 per cent each.", "datePublished": "2024-11-05T10:10:00+05:30"}]
    html = _once(html, '"@type": "LiveBlogPosting", ', f'"@type": "LiveBlogPosting", "liveBlogUpdate": {json.dumps(latest)}, ')
    body = str(extract(html.encode(), url).article.articleBody).split("\n")
    assert body[0] == "Benchmark indices are expected to open higher tracking gains in Asian markets."
    for line in ("Sensex opens 300 points higher", "The BSE Sensex opened at 78,950, up 300 points.", "IT stocks lead gains", "Infosys and TCS rose over 2 per cent each."):
        assert body.count(line) == 1, line


@pytest.mark.parametrize("label", ['<span class="LiveButton_livebtn__Hd6Ks">LIVE</span>', '<span class="MainStory_strlabel__Lk8Mn strlabel">Premium</span>'])
def test_a_card_s_label_before_the_story_without_a_link_around_it_is_not_the_story_s(label: str) -> None:
    # A card between the headline's block and the story, its label beside the link to its story.
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    card = f'<div class="MainStory_trending__T1"><div class="card">{label}<h3><a href="/markets/news/stock-market-live-updates-125080400021_1.html">Stock Market LIVE Updates</a></h3></div></div>'
    html = _once(html, '<div class="MainStory_storycontent__Pe3ys storycontent"', card + '<div class="MainStory_storycontent__Pe3ys storycontent"')
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is False and article.isPremium is False
