"""Probes of page kinds and story text left over by round 17: premium teasers with the story in no data,
live blogs marked in microdata alone, AMP stories with a narration player, Blueprint's container outside
the article, and a byline "A | B" naming two authors."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.article import Article
from tests.loopback.pages import SITE, Author, json_ld, render_amp, render_current, render_legacy
from tests.pages import specs
from tests.test_page_kind_probes_round17 import LIVE, LIVE_URL, UPDATE_LINES, _script, _with_data, _with_ld


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


def _without_ld_body(html: str) -> str:
    """``html`` with its JSON-LD ``articleBody`` emptied (a CMS that leaves it out of a premium story)."""
    emptied, count = re.subn(r'("articleBody": )"(?:[^"\\]|\\.)*"', r'\1""', html)
    assert count
    return emptied


# --- a premium story whose whole text is in no data -------------------------------------------------

PREMIUM = specs.PREMIUM_NO_HTML
PREMIUM_URL = SITE + PREMIUM.path


@pytest.mark.parametrize("region", ["india", "europe"])
@pytest.mark.parametrize("html_content", ["absent", "empty", "free-part-only"])
def test_a_premium_teaser_whose_story_is_in_no_data_is_not_written_as_the_story(region: str, html_content: str) -> None:
    """A premium story drawn for a reader without a subscription (its label, the paywall box, the free
    paragraphs, an empty ``.paywall-content``), whose whole text is in neither ``htmlContent`` (absent,
    empty, or the free part alone) nor JSON-LD's ``articleBody`` (left out). Before: the two free
    paragraphs (45 of the story's 118 words) were written as the article's body, an item like any
    whole story; now it is a paywall stub, skipped (``bs/skipped/paywall-stub``) and fetched again."""
    spec = replace(PREMIUM, region=region, html_content=html_content != "absent")
    html = _without_ld_body(render_current(spec))
    if html_content == "empty":
        html = _with_data(html, lambda data: data.update(htmlContent=""))
    elif html_content == "free-part-only":
        free = "".join(f"<p>{p}</p>" for p in PREMIUM.paragraphs[:2])
        html = _with_data(html, lambda data: data.update(htmlContent=free))
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), PREMIUM_URL)
    assert raised.value.reason == "paywall-stub"
    assert "free" in str(raised.value)


@pytest.mark.parametrize("source", ["html-content", "json-ld"])
def test_a_premium_story_whose_whole_text_is_in_its_data_is_still_read_whole(source: str) -> None:
    """The other side: the same page with the story in ``htmlContent`` or JSON-LD is read whole."""
    html = render_current(replace(PREMIUM, html_content=source == "html-content"))
    if source == "html-content":
        html = _without_ld_body(html)
    article = _read(html, PREMIUM_URL)
    assert article.isPremium
    assert article.articleBody == "\n".join(PREMIUM.paragraphs)


def test_a_premium_story_a_subscriber_sees_whole_is_read_from_the_page() -> None:
    """A premium page drawn whole (no paywall box, the story in the container: a subscriber's copy,
    a saved page) with no data beside it is the story, label and all."""
    spec = replace(PREMIUM, free_paragraphs=len(PREMIUM.paragraphs))
    html = _without_ld_body(render_current(spec))
    html = re.sub(r'<div class="subscription_subscriptionPlan__Yt6Gh">.*?</div>', "", html, flags=re.S)
    article = _read(html, PREMIUM_URL)
    assert article.isPremium
    assert article.articleBody == "\n".join(PREMIUM.paragraphs)


@pytest.mark.parametrize("ld_body", ["empty", "absent"])
def test_a_locked_pre2023_page_whose_story_is_in_no_data_is_not_written_as_the_story(ld_body: str) -> None:
    """The pre-2023 page of a locked story (``article:content_tier`` locked, the visible body cut and
    ending in "..."), JSON-LD's ``articleBody`` missing. Before: its first paragraphs and a line "..."
    were written as the article's body."""
    spec = specs.PREMIUM
    html = render_legacy(spec)
    html = _without_ld_body(html) if ld_body == "empty" else re.sub(r'"articleBody": "(?:[^"\\]|\\.)*", ', "", html)
    assert ('"articleBody": ""' in html if ld_body == "empty" else '"articleBody"' not in html) and "locked" in html
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode("utf-8"), SITE + "/article" + spec.path)
    assert raised.value.reason == "paywall-stub"


def test_a_locked_pre2023_page_with_its_story_in_json_ld_is_read_whole() -> None:
    spec = specs.PREMIUM
    article = _read(render_legacy(spec), SITE + "/article" + spec.path)
    assert article.isPremium and article.articleBody == "\n".join(spec.paragraphs)


# --- a live blog marked in microdata alone ---------------------------------------------------------


def _microdata_blog(*, intro: bool, ld_body: bool, itemtype: str = "https://schema.org/LiveBlogPosting") -> str:
    """A page of no known layout with a NewsArticle in JSON-LD, the blog marked only by its microdata:
    the ``<article>``'s ``itemtype`` and its updates as ``liveBlogUpdate`` items (time, headline, text)."""
    _, _, live = json_ld(LIVE, SITE)
    news = {key: value for key, value in live.items() if key != "liveBlogUpdate" and (ld_body or key != "articleBody")} | {"@type": "NewsArticle"}
    updates = "".join(
        f'<div itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting">'
        f'<time itemprop="datePublished" datetime="{u.time.isoformat()}">{u.time:%H:%M}</time>'
        f'<h2 itemprop="headline">{u.headline}</h2><div itemprop="articleBody"><p>{u.body}</p></div></div>'
        for u in LIVE.live_updates
    )
    story = f'<div itemprop="articleBody">{"".join(f"<p>{p}</p>" for p in LIVE.paragraphs)}</div>' if intro else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{LIVE.headline}</title>{_script(news)}'
        f'<link rel="canonical" href="{LIVE_URL}"></head><body><article itemscope itemtype="{itemtype}">'
        f'<h1 itemprop="headline">{LIVE.headline}</h1>{story}{updates}</article></body></html>'
    )


@pytest.mark.parametrize("intro", [True, False], ids=["intro", "no-intro"])
@pytest.mark.parametrize("ld_body", [True, False], ids=["ld-body", "no-ld-body"])
@pytest.mark.parametrize("itemtype", ["https://schema.org/LiveBlogPosting", "http://schema.org/LiveBlogPosting"])
def test_a_live_blog_marked_in_microdata_alone_is_a_live_blog(intro: bool, ld_body: bool, itemtype: str) -> None:
    """Before: no live blog (JSON-LD alone was looked at), and its updates were lost from the body
    (the first ``articleBody`` item, the introduction's, was the story), or, without an introduction,
    the first update's text was the whole body."""
    article = _read(_microdata_blog(intro=intro, ld_body=ld_body, itemtype=itemtype), LIVE_URL)
    assert article.isLiveBlog
    assert article.headline == LIVE.headline
    body = article.articleBody or ""
    for line in UPDATE_LINES + (LIVE.paragraphs if intro or ld_body else []):
        assert body.count(line) == 1, line


def test_a_news_article_in_microdata_is_no_live_blog() -> None:
    """The other side: an article item (no LiveBlogPosting) is read as before."""
    article = _read(_microdata_blog(intro=True, ld_body=True, itemtype="https://schema.org/NewsArticle"), LIVE_URL)
    assert not article.isLiveBlog


# --- an AMP story with a narration player ----------------------------------------------------------

SEED = specs.SEED
AMP_URL = SITE + "/amp" + SEED.path
NARRATION = f"https://bsmedia.business-standard.com/audio/{SEED.article_id}.mp3"
PLAYERS = {
    "amp-audio": f'<div class="listen"><span>Listen to This Article</span><amp-audio width="300" height="40" src="{NARRATION}"></amp-audio></div>',
    "amp-audio-source": f'<div><p>Listen to this article</p><amp-audio layout="fixed-height" height="50"><source type="audio/mpeg" src="{NARRATION}"></amp-audio></div>',
    "audio": f'<p>LISTEN TO THIS ARTICLE</p><audio controls src="{NARRATION}"></audio>',
}


def _amp_with_player(player: str) -> str:
    html = render_amp(SEED)
    assert '<div class="storycontent' in html
    return html.replace('<div class="storycontent', player + '<div class="storycontent', 1)


@pytest.mark.parametrize("player", sorted(PLAYERS))
@pytest.mark.parametrize("with_breadcrumbs", [False, True], ids=["narration-alone", "with-breadcrumbs"])
def test_an_amp_story_whose_json_ld_is_its_narration_is_an_article(player: str, with_breadcrumbs: bool) -> None:
    """An AMP story whose JSON-LD describes only its narration (an AudioObject of the file its "Listen
    to This Article" player plays), as round 17 read the Next.js twin. Before: skipped as a video
    page, the story lost without a word towards a redesign."""
    organisation, breadcrumbs, _ = json_ld(SEED, SITE)
    audio = {"@context": "https://schema.org", "@type": "AudioObject", "name": SEED.headline, "contentUrl": NARRATION}
    html = _with_ld(_amp_with_player(PLAYERS[player]), [organisation, breadcrumbs, audio] if with_breadcrumbs else [audio])
    article = _read(html, AMP_URL)
    assert article.headline == SEED.headline
    assert article.datePublished == SEED.published.isoformat()
    assert article.articleBody and article.articleBody.split("\n")[0] == SEED.paragraphs[0]
    assert "Listen to" not in article.articleBody


@pytest.mark.parametrize("case", ["other-file", "no-label", "podcast-episode"])
def test_an_amp_page_of_a_recording_is_still_refused(case: str) -> None:
    """The other side: a recording the page plays with no "Listen to This Article" label, or another file
    than its player's, or a podcast's episode, is the page's subject."""
    player = PLAYERS["amp-audio"]
    kind = "AudioObject"
    if case == "other-file":
        player = player.replace(NARRATION, "https://bsmedia.business-standard.com/audio/other.mp3")
    elif case == "no-label":
        player = player.replace("Listen to This Article", "Episode 12")
    else:
        kind = "PodcastEpisode"
    audio = {"@context": "https://schema.org", "@type": kind, "name": SEED.headline, "contentUrl": NARRATION}
    with pytest.raises(NotAnArticle) as raised:
        extract(_with_ld(_amp_with_player(player), [audio]).encode("utf-8"), AMP_URL)
    assert raised.value.reason == "video"


# --- a Blueprint container outside the article -----------------------------------------------------

BLUEPRINT_WIDGETS = {
    "rail": '<aside class="rail"><div class="MainStory_storbpcontent__Xy12 storbpcontent-teaser"><a href="/blueprint-defence-magazine/navy-drones-125010100001_1.html">Blueprint: Navy drones</a><p>Read the latest issue of Blueprint.</p></div></aside>',
    "promo-div": '<div class="storbpcontentpromo"><p>Read the latest issue of Blueprint.</p><a href="/blueprint-defence-magazine">Blueprint</a></div>',
}


@pytest.mark.parametrize("widget", sorted(BLUEPRINT_WIDGETS))
@pytest.mark.parametrize("where", ["before-headline", "after-article"])
@pytest.mark.parametrize("html_content", [True, False], ids=["html-content", "dom-only"])
def test_a_blueprint_block_outside_the_story_does_not_make_a_story_blueprint(widget: str, where: str, html_content: bool) -> None:
    """A story's page with a Blueprint promo (a class with ``storbpcontent`` in it) in the header or
    the rail. Before: read as a Blueprint story (``nextjs-blueprint``): the promo's two lines were the
    body where ``htmlContent`` was empty, and with the promo before the headline the related list was
    lost (alsoRead empty)."""
    spec = replace(SEED, html_content=html_content)
    html = render_current(spec)
    anchor = "<h1" if where == "before-headline" else "</body>"
    html = html.replace(anchor, BLUEPRINT_WIDGETS[widget] + anchor, 1)
    article = _read(html, SITE + SEED.path)
    assert article.layout == "nextjs-2023"
    assert article.articleBody and article.articleBody.split("\n")[:2] == SEED.paragraphs[:2]
    assert "Blueprint" not in article.articleBody
    assert len(article.alsoRead) == len(SEED.also_read)


def test_a_blueprint_story_is_still_one() -> None:
    article = _read(render_current(specs.BLUEPRINT), SITE + specs.BLUEPRINT.path)
    assert article.layout == "nextjs-blueprint"
    assert article.articleBody == "\n".join(specs.BLUEPRINT.paragraphs)


# --- a byline "A | B" of two authors ---------------------------------------------------------------

TWO = [Author("Shine Jacob", "shine-jacob", 301), Author("Sohini Das", "sohini-das", 303)]


@pytest.mark.parametrize("links", [True, False], ids=["links", "spans"])
@pytest.mark.parametrize("place", [True, False], ids=["empty-place-name", "no-place-name"])
def test_a_byline_of_two_authors_parted_by_a_bar_gives_no_dateline(links: bool, place: bool) -> None:
    """The byline's two authors, each in an element of its own, parted by a bar, no city drawn, and no
    structured source naming the authors or the city. Before: the second author was also the
    dateline ("Sohini Das")."""
    spec = replace(specs.STAFF, authors=TWO, dateline=None, byline_links=links, json_place=place, json_authors="none", ld_authors=False)
    html = render_current(spec)
    comma = "</a></span>, <span>" if links else "</span>, <span>"
    assert comma in html
    html = html.replace(comma, comma.replace(",", " |"), 1)
    article = _read(html, SITE + spec.path)
    assert [a.name for a in article.authors] == ["Shine Jacob", "Sohini Das"]
    assert article.dateline is None


@pytest.mark.parametrize(
    "byline",
    [
        '<span class="MainStory_dtlauthinfo__Pq2Ws">Press Trust of India | New Delhi</span>',
        '<span class="MainStory_dtlauthinfo__Pq2Ws"><span><a href="/author/search/keyword/pti">Press Trust of India</a></span> | New Delhi</span>',
    ],
    ids=["one-text", "link-then-text"],
)
def test_an_agency_and_its_city_parted_by_a_bar_keep_the_city(byline: str) -> None:
    """The other side: the city after a bar as text of the byline (the pre-2023 form) is the dateline."""
    spec = replace(SEED, json_place=False, json_authors="none", ld_authors=False, dateline=None)
    html = re.sub(r'<span class="MainStory_dtlauthinfo__Pq2Ws">.*?</span></span>', byline, render_current(spec), count=1)
    assert byline in html
    article = _read(html, SITE + spec.path)
    assert [a.name for a in article.authors] == ["Press Trust of India"]
    assert article.dateline == "New Delhi"


@pytest.mark.parametrize(
    ("agency", "city"),
    [("Press Trust of India", "New Delhi"), ("PTI", "Mumbai"), ("Reuters", "Singapore"), ("AP", "Miami"), ("IANS", "Chennai")],
)
def test_an_agency_and_its_city_each_in_a_span_parted_by_a_bar_keep_the_city(agency: str, city: str) -> None:
    """The agency's copy in the two-element form of a two-author byline (a span each, no style on the
    city's): a news agency shares no byline with a person, so what follows its bar is its city. Before
    (after the two-author rule): the city was a second author and the story had no dateline."""
    spec = replace(SEED, json_place=False, json_authors="none", ld_authors=False, dateline=None)
    byline = f'<span class="MainStory_dtlauthinfo__Pq2Ws"><span>{agency}</span> | <span>{city}</span></span>'
    html = re.sub(r'<span class="MainStory_dtlauthinfo__Pq2Ws">.*?</span></span>', byline, render_current(spec), count=1)
    assert byline in html
    article = _read(html, SITE + spec.path)
    assert [a.name for a in article.authors] == [agency]
    assert article.dateline == city



# --- an opinion piece's disclaimer line -----------------------------------------------------------

OPINION_LINES = {
    "site-disclaimer": "Disclaimer: These are personal views of the writer. They do not necessarily reflect the opinion of www.business-standard.com or the Business Standard newspaper",
    "site-disclaimer-italic": "<em>Disclaimer: These are personal views of the writer. They do not necessarily reflect the opinion of Business Standard.</em>",
    "analysts-views": "Disclaimer: The views and investment tips expressed by experts on Business Standard are their own and not those of the website or its management.",
    "views-alone": "(Views are personal)",
    "views-alone-bare": "Views are personal.",
    "the-views-expressed": "<em>The views expressed are personal</em>",
}


@pytest.mark.parametrize("line", sorted(OPINION_LINES))
@pytest.mark.parametrize("layout", ["nextjs", "amp"])
def test_an_opinion_pieces_disclaimer_line_is_no_line_of_the_body(layout: str, line: str) -> None:
    """The site's line after a column ("Disclaimer: These are personal views of the writer …
    Business Standard …", "(Views are personal)") on a line of its own. Before: the body's last line."""
    markup = f"<p>{OPINION_LINES[line]}</p>"
    last = SEED.paragraphs[-1]
    if layout == "nextjs":
        html, url = render_current(SEED), SITE + SEED.path
        html = _with_data(html, lambda data: data.update(htmlContent=data["htmlContent"].replace(f"{last}</div>", f"{last}</div>{markup}", 1)))
    else:
        html, url = render_amp(SEED), AMP_URL
        assert f"{last}</p>" in html
        html = html.replace(f"{last}</p>", f"{last}</p>{markup}", 1)
    article = _read(html, url)
    body = (article.articleBody or "").split("\n")
    assert body == SEED.paragraphs
    assert not article.isSyndicated or SEED.syndicated


@pytest.mark.parametrize(
    "line",
    [
        "Disclaimer: The author holds shares in Infosys and TCS.",
        "The writer is a former chief economic adviser. Views are personal",
        "Views are personal, the minister said, and do not bind the government.",
    ],
    ids=["author-disclosure", "bio-line", "story-words"],
)
def test_a_disclosure_or_a_bio_line_stays(line: str) -> None:
    """The other side: an author's own disclosure (naming no site), the writer's bio ending in "Views
    are personal", and the story's words are the story's."""
    last = SEED.paragraphs[-1]
    html = _with_data(render_current(SEED), lambda data: data.update(htmlContent=data["htmlContent"].replace(f"{last}</div>", f"{last}</div><p>{line}</p>", 1)))
    body = (_read(html, SITE + SEED.path).articleBody or "").split("\n")
    assert body[-1] == line
