"""Probes of the current site's pages (Next.js, Blueprint, AMP) mutated as its CMS, its editors or a CDN
plausibly would from one article to the next, each checked field by field against what a careful
reader of the page writes down."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crawler.extraction import NotAnArticle, extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_nextjs import _with_data

LD_BODY = re.compile(r'"articleBody": "(?:[^"\\]|\\.)*", ')

# --- the article JSON's dates in a shape other than a number or a text ------------------------------

# A PHP back end writes an unset field as an empty array ([]), or an object where a list has gaps;
# the article JSON's dates are then no date, and JSON-LD's give the item its dates.
ODD_DATES: dict[str, Any] = {"empty-array": [], "empty-object": {}, "object": {"sec": 1709115120}, "bool": True}


@pytest.mark.parametrize("key", ["publishDate", "modificationDate"])
@pytest.mark.parametrize("odd", ODD_DATES.values(), ids=ODD_DATES.keys())
def test_an_article_json_date_of_another_shape_does_not_cost_the_article(key: str, odd: Any) -> None:
    html, url, expected = _fixture("nextjs-2023/seed-syndicated")
    result = extract(_with_data(html, lambda data: data.update({key: odd})).encode(), url)
    assert (result.article.datePublished, result.article.dateModified) == (expected["datePublished"], expected["dateModified"])
    assert "datePublished" not in result.provenance.disagreements and "dateModified" not in result.provenance.disagreements


def test_an_article_json_date_in_a_list_is_its_first_date() -> None:
    # As JSON-LD's dates are read (a list of them: the first that is a date).
    html, url, expected = _fixture("nextjs-2023/seed-syndicated")
    html = re.sub(r'"datePublished": "[^"]*", ', "", html)
    html = html.replace('<meta property="article:published_time" content="2024-02-28T15:42:00+05:30">', "")
    result = extract(_with_data(html, lambda data: data.update(publishDate=[None, 1709115120])).encode(), url)
    assert result.article.datePublished == expected["datePublished"] and result.provenance.sources["datePublished"] == "next"


# A PHP array with gaps (an author removed from the list) is written as an object of its records; one
# record may come alone; a field no one set may be a number or a boolean.
AUTHOR_RECORDS: dict[str, Any] = {
    "object-with-gaps": {"0": {"author_id": 301, "author_name": "Shine Jacob"}, "2": {"author_id": 303, "author_name": "Sohini Das"}},
    "one-record": {"author_id": 301, "author_name": "Shine Jacob"},
    "number": 1,
    "boolean": True,
}


@pytest.mark.parametrize("records", AUTHOR_RECORDS.values(), ids=AUTHOR_RECORDS.keys())
def test_the_article_json_s_author_records_in_another_shape_are_read_or_passed_over(records: Any) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: data.update(authorDetails=records, articleMappedMultipleAuthors={}))
    result = extract(html.encode(), url)
    names = [a.name for a in result.article.authors]
    if isinstance(records, dict):
        wanted = [r["author_name"] for r in records.values()] if "author_name" not in records else [records["author_name"]]
        assert names == wanted and result.provenance.sources["authors"] == "next"
    else:  # nothing readable there: JSON-LD's authors
        assert names == [a["name"] for a in expected["authors"]] and result.provenance.sources["authors"] == "ld"  # type: ignore[attr-defined]


# --- a paywall box inside the story's container -------------------------------------------------------

PAYWALL_BOXES = {
    "subscription-plan": '<div class="subscription_subscriptionPlan__Yt6Gh"><p>Already subscribed? <a href="/login">Log in</a></p><p>Subscribe to read the full story</p></div>',
    "subscribe-page": '<div class="subscribe-page"><p>Subscribe to read the full story</p><p>Get unlimited access to premium stories</p></div>',
    "blueprint-paywall": '<div class="BPstoryPaywall_wrap__Kd8Qe"><h3>This is a Premium story</h3><p>Subscribe to read the full story</p></div>',
}


@pytest.mark.parametrize("box", PAYWALL_BOXES.values(), ids=PAYWALL_BOXES.keys())
def test_a_paywall_box_in_the_story_container_is_no_story(box: str) -> None:
    # The page splits the story into .non-paywall-content and .paywall-content; the box that asks for
    # a subscription may be drawn in the latter. Without htmlContent and JSON-LD's body, the page's
    # story is its paragraphs, not the box's prompts: its two free ones, which are no whole story
    # (round 18: such a teaser is a paywall stub, not an item), the box's lines no part of them.
    html, url, _ = _fixture("nextjs-2023/premium")
    html = LD_BODY.sub("", _with_data(html, lambda data: data.update(htmlContent="")))
    html = _once(html, '<div class="paywall-content"></div>', f'<div class="paywall-content">{box}</div>')
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode(), url)
    assert raised.value.reason == "paywall-stub" and "(2 paragraphs)" in str(raised.value)


# --- the CMS's noise inside a live blog's updates ------------------------------------------------------

# What the CMS puts in a story that is no story (ad slots, an inline picture's caption line, a box of
# recommendations) is written into a live update as into the introduction.
UPDATE_NOISE = {
    "ad-slot": '<div class="advertisement-bg"><div>Story continues below this advertisement</div></div>',
    "between-ad": '<div id="between_article_content_3"><span>Story continues below</span></div>',
    "recommended": '<div class="recommendsection"><h4>Recommended</h4><p>Top picks for you</p></div>',
    "inline-caption": '<img class="imgCont" src="/x.jpg"><div style="font-size:12px">Traders at the BSE (Photo: PTI)</div>',
}
LAST_UPDATE_TEXT = "<p>Infosys and TCS rose over 2 per cent each.</p>"


@pytest.mark.parametrize("noise", UPDATE_NOISE.values(), ids=UPDATE_NOISE.keys())
def test_the_cms_s_noise_in_a_live_update_is_no_story(noise: str) -> None:
    html, url, expected = _fixture("nextjs-2023/live-blog-dom")
    html = _once(html, LAST_UPDATE_TEXT + "</div>", f"{LAST_UPDATE_TEXT}{noise}</div>")
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is True and article.articleBody == expected["articleBody"]


@pytest.mark.parametrize("noise", UPDATE_NOISE.values(), ids=UPDATE_NOISE.keys())
def test_the_cms_s_noise_in_an_amp_live_list_item_is_no_story(noise: str) -> None:
    from tests.loopback.pages import SITE, render_amp
    from tests.pages import specs

    spec = specs.LIVE_DOM
    updates = "".join(
        f'<div id="update-{i}" data-sort-time="{int(u.time.timestamp())}"><h3>{u.headline}</h3><p>{u.body}</p>{noise}</div>' for i, u in enumerate(spec.live_updates)
    )
    live = f'<amp-live-list id="live" data-poll-interval="15000" data-max-items-per-page="20" layout="container"><div items>{updates}</div></amp-live-list>'
    html = _once(render_amp(spec), "</p></div>\n", f"</p></div>\n{live}")
    article = extract(html.encode(), SITE + "/amp" + spec.path).article
    assert article.articleBody == "\n".join([*spec.paragraphs, *(line for u in spec.live_updates for line in (u.headline, u.body))])


# --- a live blog whose story already holds its updates -------------------------------------------------

LIVE_INTRO = "<div>Benchmark indices are expected to open higher tracking gains in Asian markets.</div>"
LIVE_STORIES = {
    # The updates written into the story as paragraphs (a live blog closed and kept as a story).
    "paragraphs": LIVE_INTRO
    + "<p><b>Sensex opens 300 points higher</b></p><p>The BSE Sensex opened at 78,950, up 300 points.</p>"
    + "<p><b>IT stocks lead gains</b></p><p>Infosys and TCS rose over 2 per cent each.</p>",
    "one-update": LIVE_INTRO + "<p>Sensex opens 300 points higher</p><p>The BSE Sensex opened at 78,950, up 300 points.</p>",
}


@pytest.mark.parametrize("story", LIVE_STORIES.values(), ids=LIVE_STORIES.keys())
@pytest.mark.parametrize("source", ["next", "dom"])
def test_updates_the_story_shows_already_are_not_appended_again(story: str, source: str) -> None:
    # README: a live blog's updates are appended to the body once, wherever the page puts them. Those
    # JSON-LD lists that the story (htmlContent, or the page's story container without it) shows
    # already as paragraphs are not appended a second time; the others follow it.
    html, url, expected = _fixture("nextjs-2023/live-blog")
    lines = [line for line in re.split(r"<[^>]+>", story) if line]
    if source == "next":
        html = _with_data(html, lambda data: data.update(htmlContent=story))
    else:
        html = _with_data(html, lambda data: data.update(htmlContent=""))
        html = _once(html, f'<div class="non-paywall-content">{LIVE_INTRO}</div>', f'<div class="non-paywall-content">{story}</div>')
    result = extract(html.encode(), url)
    body = str(result.article.articleBody).split("\n")
    assert body == lines + [p for p in str(expected["articleBody"]).split("\n") if p not in lines]
    assert result.provenance.sources["articleBody"] == source


# --- the hero's caption: the line the page shows, on AMP as on the Next.js page ------------------------

LD_IMAGE_END = '"width": 1200, "height": 675}'


@pytest.mark.parametrize("folder", ["amp/seed-syndicated", "nextjs-2023/seed-syndicated"])
@pytest.mark.parametrize("ld_caption", ["India USA flags", "India-US defence meet: Security cooperation, intelligence sharing discussed"], ids=["alt-text", "headline"])
def test_the_caption_is_the_line_under_the_picture_whatever_json_ld_s_image_says(folder: str, ld_caption: str) -> None:
    # A template may fill JSON-LD's ImageObject.caption from the alt text or the headline: the
    # caption is the line the page shows under the picture, on both twins of the story.
    html, url, expected = _fixture(folder)
    html = _once(html, LD_IMAGE_END, LD_IMAGE_END[:-1] + f', "caption": "{ld_caption}"}}')
    result = extract(html.encode(), url)
    assert result.article.mainImage is not None
    assert result.article.mainImage.caption == expected["mainImage"]["caption"]  # type: ignore[index]
    assert result.provenance.sources["mainImage.caption"] == "dom"


def test_an_amp_picture_without_a_caption_line_takes_json_ld_s() -> None:
    html, url, _ = _fixture("amp/seed-syndicated")
    html = re.sub(r'<span class="captiontext">[^<]*</span>', "", html)
    html = _once(html, LD_IMAGE_END, LD_IMAGE_END[:-1] + ', "caption": "Home Secretary Ajay Bhalla (Photo: PTI)"}')
    result = extract(html.encode(), url)
    assert result.article.mainImage is not None and result.article.mainImage.caption == "Home Secretary Ajay Bhalla (Photo: PTI)"
    assert result.provenance.sources["mainImage.caption"] == "ld"


# --- the AMP page's related list: stories only ---------------------------------------------------------

AMP_CARDS = (
    '<li><a href="/amp/india-news/tahawwur-rana-stayed-at-mumbai-hotel-days-before-26-11-attacks-police-124010300512_1.html">'
    "Tahawwur Rana stayed at Mumbai hotel days before 26/11 attacks: Police</a></li>"
    '<li><a href="/amp/india-news/mumbai-police-submit-chargesheet-against-tahawwur-rana-in-26-11-case-123121900871_1.html">'
    "Mumbai police submit chargesheet against Tahawwur Rana in 26/11 case</a></li>"
)
AMP_RELATED = {
    "view-more": f'<div class="alsoread"><h3>Also Read</h3><ul>{AMP_CARDS}</ul><a href="/india-news">View more</a></div>',
    "footer-after": f'<h3>Also Read</h3><ul>{AMP_CARDS}</ul><div class="footer"><a href="/about-us">About Us</a><a href="/contact-us">Contact Us</a></div>',
    "section-link": f'<div><h3>More From This Section</h3><a href="/amp/india-news">India News</a><ul>{AMP_CARDS}</ul></div>',
}


@pytest.mark.parametrize("related", AMP_RELATED.values(), ids=AMP_RELATED.keys())
def test_the_amp_related_list_holds_stories_alone(related: str) -> None:
    # README: on the current site the related list is links to stories only, its "View more" and the
    # page's other links after it are none; the AMP twin is the current site's page too.
    html, url, _ = _fixture("amp/seed-syndicated")
    article = extract(_once(html, "<p><i>(Only", related + "<p><i>(Only").encode(), url).article
    assert [r.url.rsplit("-", 1)[-1] for r in article.alsoRead] == ["124010300512_1.html", "123121900871_1.html"]


# --- an editor the byline links, after the authors ------------------------------------------------------

ASIT = '<a href="/author/search/keyword/asit-ranjan-mishra">Asit Ranjan Mishra</a>'
RAHUL = '<a href="/author/search/keyword/rahul-gupta">Rahul Gupta</a>'
NIKUNJ = '<a href="/author/search/keyword/nikunj-ohri">Nikunj Ohri</a>'
LINKED_EDITORS = {
    "own-span": (f"<span>{ASIT}</span> <span>Edited by {RAHUL}</span>", ["Asit Ranjan Mishra"]),
    "after-a-bar": (f"<span>{ASIT} | Edited By: {RAHUL}</span>", ["Asit Ranjan Mishra"]),
    "two-authors": (f"<span>{ASIT} and {NIKUNJ}</span> <span>Edited by {RAHUL}</span>", ["Asit Ranjan Mishra", "Nikunj Ohri"]),
    "compiled-by": (f"<span>{ASIT}</span><span> (Compiled by {RAHUL})</span>", ["Asit Ranjan Mishra"]),
    # A name that holds the words is no label: "Reddy" and "Bywater" are names.
    "no-editor": (f'<span>{ASIT} and <a href="/author/search/keyword/ted-bywater">Ted Bywater</a></span>', ["Asit Ranjan Mishra", "Ted Bywater"]),
}


@pytest.mark.parametrize(("byline", "authors"), LINKED_EDITORS.values(), ids=LINKED_EDITORS.keys())
def test_an_editor_linked_in_the_next_js_byline_is_no_author(byline: str, authors: list[str]) -> None:
    # Agency copy with no authors in the structured data: the byline names them (README: an editor it
    # names is none), however the names are marked up.
    html, url, _ = _fixture("nextjs-2023/agency-span-byline")
    html = _once(html, "<span>AP</span> ", f"{byline} ")
    article = extract(html.encode(), url).article
    assert [a.name for a in article.authors] == authors
    assert all(a.url and a.url.endswith(a.name.lower().replace(" ", "-")) for a in article.authors)
    assert article.dateline == "Miami"


@pytest.mark.parametrize(("byline", "authors"), LINKED_EDITORS.values(), ids=LINKED_EDITORS.keys())
def test_an_editor_linked_in_the_amp_byline_is_no_author(byline: str, authors: list[str]) -> None:
    html, url, _ = _fixture("amp/seed-syndicated")
    html = re.sub(r'"author": \[[^]]*\], ', "", html)
    html = _once(html, '<div class="byline">Press Trust of India <span', f'<div class="byline">{byline} <span')
    article = extract(html.encode(), url).article
    assert [a.name for a in article.authors] == authors
    assert article.dateline == "New Delhi"


# --- a story that shows no read time of its own --------------------------------------------------------


def test_a_next_js_story_without_a_read_time_does_not_take_a_related_card_s() -> None:
    # The site's related cards show their stories' read times; a story that shows none of its own
    # (the meta line without it) has none.
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, "<span>5 min read</span> ", "")
    html = _once(html, "EV makers seek extension of FAME subsidy</a>", "<h3>EV makers seek extension of FAME subsidy</h3><span>3 min read</span></a>")
    article = extract(html.encode(), url).article
    assert article.readTimeMinutes is None
    assert [r.headline for r in article.alsoRead] == [r["headline"] for r in expected["alsoRead"]]  # type: ignore[attr-defined]


def test_a_next_js_read_time_outside_the_meta_line_is_still_read() -> None:
    # (The meta line's class renamed by a redesign: the read time by the headline is still the story's.)
    html, url, expected = _fixture("nextjs-2023/more-from-this-section")
    html = _once(html, 'class="MainStory_metainfo__Wd4Fv meta-info"', 'class="MainStory_metadata__Wd4Fv"')
    html = _once(html, "EV makers seek extension of FAME subsidy</a>", "<h3>EV makers seek extension of FAME subsidy</h3><span>3 min read</span></a>")
    assert extract(html.encode(), url).article.readTimeMinutes == expected["readTimeMinutes"]


AMP_CARD_WITH_READ_TIME = (
    '<h3>Also Read</h3><ul><li><a href="/amp/india-news/tahawwur-rana-stayed-at-mumbai-hotel-days-before-26-11-attacks-police-124010300512_1.html">'
    "Tahawwur Rana stayed at Mumbai hotel days before 26/11 attacks: Police <span>4 min read</span></a></li></ul>"
)


def test_an_amp_story_without_a_read_time_does_not_take_a_related_card_s() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(_once(html, "2 min read Last Updated", "Last Updated"), "<p><i>(Only", AMP_CARD_WITH_READ_TIME + "<p><i>(Only")
    article = extract(html.encode(), url).article
    assert article.readTimeMinutes is None
    # The card's read time is no part of its headline, as on the Next.js page.
    assert [r.headline for r in article.alsoRead] == ["Tahawwur Rana stayed at Mumbai hotel days before 26/11 attacks: Police"]


def test_an_amp_story_s_own_read_time_is_read_beside_a_card_s() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, "<p><i>(Only", AMP_CARD_WITH_READ_TIME + "<p><i>(Only")
    assert extract(html.encode(), url).article.readTimeMinutes == expected["readTimeMinutes"]


# --- the breadcrumb trail's last step: the article itself ----------------------------------------------

HEADLINE = "India-US defence meet: Security cooperation, intelligence sharing discussed"
STORY_PATH = "/india-news/india-us-defence-meet-security-cooperation-intelligence-sharing-discussed-124022800873_1.html"
SECOND_STEP = '{"@type": "ListItem", "position": 2, "item": {"@id": "https://www.business-standard.com/india-news", "name": "India News"}}'
# Google's guidelines let the last step, the page itself, go without its URL; a template may also give
# it the page's AMP form, a relative or a tagged URL, or an item with a name alone.
LAST_STEPS = {
    "no-url": f'{{"@type": "ListItem", "position": 3, "name": "{HEADLINE}"}}',
    "item-without-id": f'{{"@type": "ListItem", "position": 3, "item": {{"name": "{HEADLINE}"}}}}',
    "amp-url": f'{{"@type": "ListItem", "position": 3, "name": "{HEADLINE}", "item": "https://www.business-standard.com/amp{STORY_PATH}"}}',
    "tagged-url": f'{{"@type": "ListItem", "position": 3, "name": "India-US defence meet...", "item": "https://www.business-standard.com{STORY_PATH}?utm_source=bc"}}',
    "cut-name": f'{{"@type": "ListItem", "position": 3, "name": "India-US defence meet: Security cooperation\u2026"}}',
}
TRAIL = [("Home", "https://www.business-standard.com"), ("India News", "https://www.business-standard.com/india-news")]
BREADCRUMB_LD = f'<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [{{"@type": "ListItem", "position": 1, "item": {{"@id": "https://www.business-standard.com", "name": "Home"}}}}, {SECOND_STEP}]}}</script>'


@pytest.mark.parametrize("last", LAST_STEPS.values(), ids=LAST_STEPS.keys())
def test_the_article_at_the_end_of_the_json_ld_trail_is_no_step_of_it(last: str) -> None:
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    article = extract(_once(html, SECOND_STEP, f"{SECOND_STEP}, {last}").encode(), url).article
    assert [(step.name, step.url) for step in article.breadcrumbs] == TRAIL


@pytest.mark.parametrize("last", LAST_STEPS.values(), ids=LAST_STEPS.keys())
def test_an_amp_section_read_from_the_trail_is_not_the_headline(last: str) -> None:
    # Without JSON-LD's articleSection, the section is the trail's last step: the article's own is none.
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, '"articleSection": "India News", ', "")
    html = _once(html, "</head>", BREADCRUMB_LD.replace(SECOND_STEP, f"{SECOND_STEP}, {last}") + "</head>")
    article = extract(html.encode(), url).article
    assert article.section == expected["section"] and [(step.name, step.url) for step in article.breadcrumbs] == TRAIL


def test_a_last_step_without_a_url_that_is_not_the_article_stays() -> None:
    # A section shown without a link at the end of the trail is a step of it (and the section).
    html, url, _ = _fixture("amp/seed-syndicated")
    html = _once(html, '"articleSection": "India News", ', "")
    html = _once(html, "</head>", BREADCRUMB_LD.replace(SECOND_STEP, f'{SECOND_STEP}, {{"@type": "ListItem", "position": 3, "name": "Defence"}}') + "</head>")
    article = extract(html.encode(), url).article
    assert article.section == "Defence" and [step.name for step in article.breadcrumbs] == ["Home", "India News", "Defence"]


@pytest.mark.parametrize("href", [STORY_PATH, f"/amp{STORY_PATH}", f"{STORY_PATH}?ref=breadcrumb"], ids=["path", "amp", "tagged"])
def test_the_article_at_the_end_of_the_page_s_trail_is_no_step_of_it(href: str) -> None:
    html, url, _ = _fixture("nextjs-2023/seed-syndicated")
    html = re.sub(r'<script type="application/ld\+json">\{[^<]*"BreadcrumbList".*?</script>', "", html)
    html = _once(html, '<a href="/india-news">India News</a></div>', f'<a href="/india-news">India News</a> <a href="{href}">{HEADLINE}</a></div>')
    result = extract(html.encode(), url)
    assert result.provenance.sources["breadcrumbs"] == "dom"
    assert [(step.name, (step.url or "").rstrip("/")) for step in result.article.breadcrumbs] == TRAIL


# --- one author record of the article JSON naming several people ---------------------------------------

JOINED_RECORDS = {
    "ampersand": ("Shine Jacob & Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "and": ("Shine Jacob and Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "by-comma": ("By Shine Jacob, Deepak Patel", ["Shine Jacob", "Deepak Patel"]),
    "job-title": ("Shine Jacob, Senior Correspondent", ["Shine Jacob"]),
    "last-first": ("Jacob, Shine", ["Jacob, Shine"]),
    # An ampersand inside a word joins no people: an organisation's name ("S&P", "AT&T").
    "ampersand-in-a-name": ("S&P Global Ratings", ["S&P Global Ratings"]),
    "ampersand-in-names": ("S&P Global & AT&T", ["S&P Global", "AT&T"]),
}


@pytest.mark.parametrize("where", ["authorDetails", "articleMappedMultipleAuthors"])
@pytest.mark.parametrize(("record", "names"), JOINED_RECORDS.values(), ids=JOINED_RECORDS.keys())
def test_an_article_json_author_record_naming_several_people_gives_each(where: str, record: str, names: list[str]) -> None:
    # README: names joined as a byline joins them are several authors, in the structured data too (a
    # JSON-LD Person "A and B" is two). The CMS's author record is written by hand as well.
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    if where == "authorDetails":
        change = {"authorDetails": [{"author_id": 301, "author_name": record, "author_image": ""}], "articleMappedMultipleAuthors": {}}
    else:
        change = {"authorDetails": [], "articleMappedMultipleAuthors": {"301": record}}
    html = _with_data(html, lambda data: data.update(change))
    html = re.sub(r'"author": \[[^]]*\]', f'"author": [{{"@type": "Person", "name": "{record}"}}]', html)
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == names
    assert result.provenance.sources["authors"] == "next" and "authors" not in result.provenance.disagreements


@pytest.mark.parametrize("byline", ["<span>S&amp;P Global</span>", "<span>By S&amp;P Global &amp; AP</span>"], ids=["one", "two"])
def test_an_ampersand_inside_a_byline_s_word_joins_no_people(byline: str) -> None:
    html, url, _ = _fixture("nextjs-2023/agency-span-byline")
    article = extract(_once(html, "<span>AP</span> ", f"{byline} ").encode(), url).article
    assert [a.name for a in article.authors] == ["S&P Global", "AP"][: 1 + ("AP" in byline)]


def test_an_amp_story_with_an_empty_body_does_not_take_a_related_card_s_read_time() -> None:
    # (A premium AMP page whose story is all in JSON-LD: the body holds no text of its own.)
    html, url, expected = _fixture("amp/seed-syndicated")
    html = _once(html, "2 min read Last Updated", "Last Updated")
    start = html.index('<div class="storycontent">') + len('<div class="storycontent">')
    html = html[:start] + html[html.index("</div>", start) :]
    html = _once(html, "<p><i>(Only", AMP_CARD_WITH_READ_TIME + "<p><i>(Only")
    article = extract(html.encode(), url).article
    assert article.readTimeMinutes is None and article.articleBody == expected["articleBody"]
