"""Probes of the AMP, pre-2023, Hindi and generic layouts: page variants their markup allows, each
built from a fixture page and checked against what a careful reader of that page writes down."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from crawler.extraction import extract
from tests.loopback.pages import SITE, render_amp
from tests.pages import specs
from tests.test_extraction_probes_more import _fixture, _once

SEED_HERO = "https://bsmedia.business-standard.com/_media/bs/img/article/2024-02/28/full/1709115120-4521.jpg"
SEED_THUMB = SEED_HERO.replace("/full/", "/thumb/")
SEED_HERO_MARKUP = (
    f'<amp-img src="{SEED_HERO}" alt="India USA flags" width="620" height="350"></amp-img>'
    '<span class="captiontext">The last India-US homeland security dialogue was last held in January 2022</span>'
)
SEED_CAPTION = "The last India-US homeland security dialogue was last held in January 2022"

HEROES = {
    "figure-figcaption": (
        f'<figure><amp-img src="{SEED_HERO}" alt="India USA flags" width="620" height="350" layout="responsive"></amp-img>'
        f"<figcaption>{SEED_CAPTION}</figcaption></figure>"
    ),
    "srcset-only": (
        f'<amp-img srcset="{SEED_HERO} 1200w, {SEED_THUMB} 400w" alt="India USA flags" width="620" height="350" layout="responsive">'
        f'</amp-img><span class="captiontext">{SEED_CAPTION}</span>'
    ),
    "resized": (
        f'<amp-img src="{SEED_HERO}?im=FitAndFill=(826,465)" alt="India USA flags" width="620" height="350" layout="responsive">'
        f'</amp-img><span class="captiontext">{SEED_CAPTION}</span>'
    ),
}


@pytest.mark.parametrize("hero", HEROES.values(), ids=HEROES.keys())
def test_an_amp_hero_image_gives_its_alt_and_caption_however_the_page_writes_it(hero: str) -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    image = extract(_once(html, SEED_HERO_MARKUP, hero).encode(), url).article.mainImage
    assert image is not None and asdict(image) == expected["mainImage"]


def _amp_story(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


PAYWALL = (
    '<section subscriptions-section="content-not-granted"><p>This is a premium article. Subscribe to read the full story.</p>'
    '<p subscriptions-display="NOT granted">Key stories on business-standard.com are available to premium subscribers only.</p>'
    '<button subscriptions-action="login" subscriptions-display="NOT loggedIn">Log in</button></section>'
)


@pytest.mark.parametrize("where", ["in-a-section", "on-the-body"])
def test_an_amp_subscriptions_page_gives_the_story_without_its_paywall_and_is_premium(where: str) -> None:
    html, url, expected = _fixture("amp/premium")
    story = str(expected["articleBody"]).split("\n")
    shown = html[html.index('<div class="storycontent">') :]
    shown = shown[: shown.index("</div>") + len("</div>")]
    if where == "in-a-section":
        gated = f'<div class="storycontent">{_amp_story(story[:2])}{PAYWALL}<section subscriptions-section="content">{_amp_story(story[2:])}</section></div>'
    else:
        gated = f'{PAYWALL}<div class="storycontent" subscriptions-section="content">{_amp_story(story)}</div>'
    article = extract(_once(html, shown, gated).encode(), url).article
    assert article.articleBody == expected["articleBody"]
    assert article.isPremium is True


def test_a_free_amp_subscriptions_page_is_not_premium() -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    story = str(expected["articleBody"]).split("\n")
    shown = html[html.index('<div class="storycontent">') :]
    shown = shown[: shown.index("</div>") + len("</div>")]
    gated = f'<div class="storycontent"><section subscriptions-section="content">{_amp_story(story)}</section></div>'
    article = extract(_once(html, shown, gated).encode(), url).article
    assert article.articleBody == expected["articleBody"] and article.isPremium is False


@pytest.mark.parametrize("where", ["after-the-body", "in-the-body"])
@pytest.mark.parametrize("kind", ["LiveBlogPosting", "NewsArticle"])
def test_an_amp_live_blog_gives_its_introduction_and_the_updates_of_its_live_list(where: str, kind: str) -> None:
    spec = specs.LIVE_DOM
    html = render_amp(spec)
    updates = "".join(
        f'<div id="update-{i}" data-sort-time="{int(u.time.timestamp())}"><span>{u.time:%b %d %Y | %I:%M %p} IST</span><h3>{u.headline}</h3><p>{u.body}</p></div>'
        for i, u in enumerate(spec.live_updates)
    )
    live = (
        '<amp-live-list id="live" data-poll-interval="15000" data-max-items-per-page="20" layout="container">'
        f'<button update on="tap:live.update">You have updates</button><div items>{updates}</div><div pagination></div></amp-live-list>'
    )
    end = "</p></div>\n"
    html = _once(html, end, end + live if where == "after-the-body" else f"</p>{live}</div>\n")
    html = _once(html, '"@type": "LiveBlogPosting"', f'"@type": "{kind}"')
    article = extract(html.encode(), SITE + "/amp" + spec.path).article
    assert article.isLiveBlog is True
    assert article.articleBody == "\n".join(
        [*spec.paragraphs, *(line for u in spec.live_updates for line in (f"{u.time:%b %d %Y | %I:%M %p} IST", u.headline, u.body))]
    )


HINDI_BYLINE = "बीएस संवाददाता / नई दिल्ली&nbsp;February  14, 2020"


@pytest.mark.parametrize("names", ["अरुणिमा भारद्वाज और ईशान बख्शी", "अरुणिमा भारद्वाज, ईशान बख्शी", "अरुणिमा भारद्वाज एवं ईशान बख्शी"], ids=["aur", "comma", "evam"])
def test_a_joint_hindi_byline_gives_each_author(names: str) -> None:
    html, url, expected = _fixture("hindi-2020/budget-166607")
    article = extract(_once(html, HINDI_BYLINE, HINDI_BYLINE.replace("बीएस संवाददाता", names)).encode(), url).article
    assert [a.name for a in article.authors] == ["अरुणिमा भारद्वाज", "ईशान बख्शी"]
    assert article.dateline == expected["dateline"] and article.datePublishedRaw == expected["datePublishedRaw"]


def test_wordpress_related_posts_in_the_story_container_are_not_the_story() -> None:
    html, url, expected = _fixture("generic/opengraph-article")
    story = html[html.index("<article>") : html.index("</article>") + len("</article>")]
    paragraphs = str(expected["articleBody"]).split("\n")
    wordpress = (
        '<article id="post-1" class="post type-post"><header class="entry-header"><h1 class="entry-title">GST collections rise 9% in April</h1></header>'
        f'<div class="entry-content">{_amp_story(paragraphs)}'
        '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul><li>Twitter</li><li>Facebook</li></ul></div>'
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3></div></div>'
        '<footer class="entry-footer"><span class="cat-links">Posted in Economy</span></footer></article>'
    )
    assert extract(_once(html, story, wordpress).encode(), url).article.articleBody == expected["articleBody"]


HINDI_STORY = "https://hindi.business-standard.com//storypage.php?autono="
HINDI_RELATED = {"166700": "रेपो दर में बदलाव नहीं, महंगाई पर नजर", "166701": "सेंसेक्स 400 अंक चढ़ा"}


def test_related_stories_told_apart_by_their_query_are_each_listed() -> None:
    # On the Hindi edition the query is the story ("storypage.php?autono=N"): it is no tracking
    # query, and the one story it does not name is this page's own.
    html, url, expected = _fixture("amp/hindi-budget-166607")
    cards = "".join(f'<li><a href="{HINDI_STORY}{n}">{headline}</a></li>' for n, headline in HINDI_RELATED.items())
    cards += f'<li><a href="{HINDI_STORY}166607">{expected["headline"]}</a></li>'
    html = _once(html, "</body>", f"<h3>Also Read</h3><ul>{cards}</ul></body>")
    found = extract(html.encode(), url).article.alsoRead
    assert [(r.url, r.headline) for r in found] == [(HINDI_STORY + n, headline) for n, headline in HINDI_RELATED.items()]


LATEST_NEWS = (
    '<amp-live-list id="latest" data-poll-interval="60000" data-max-items-per-page="5"><button update on="tap:latest.update">New stories</button>'
    '<div items><div id="n1" data-sort-time="1709115120"><a href="/markets/news/sensex-ends-flat-124022800901_1.html">Sensex ends flat</a></div>'
    '<div id="n2" data-sort-time="1709115000"><a href="/economy/news/gdp-data-due-124022800902_1.html">GDP data due on Thursday</a></div></div></amp-live-list>'
)
NOT_THE_STORY = {
    "aside": f"<aside><h3>Latest News</h3>{LATEST_NEWS}</aside>",
    "footer": f"<footer>{LATEST_NEWS}</footer>",
    "before-the-headline": None,
}


@pytest.mark.parametrize("where", NOT_THE_STORY.keys())
def test_an_amp_live_list_of_latest_news_beside_an_article_neither_joins_its_body_nor_makes_it_a_live_blog(where: str) -> None:
    html, url, expected = _fixture("amp/seed-syndicated")
    if where == "before-the-headline":
        html = _once(html, "<h1>", f"<div class=\"ticker\">{LATEST_NEWS}</div><h1>")
    else:
        html = _once(html, "</body>", f"{NOT_THE_STORY[where]}</body>")
    article = extract(html.encode(), url).article
    assert article.isLiveBlog is False and article.articleBody == expected["articleBody"]
