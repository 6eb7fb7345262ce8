"""Renders Business Standard look-alike pages (current Next.js, AMP, pre-2023) from a :class:`PageSpec`.

The markup follows SITE.md, its "Evidence from 2024–2026" first: ``__NEXT_DATA__`` →
``props.pageProps.data``, several JSON-LD blocks, CSS-module classes (some with a plain twin, the
byline with the hashed one alone), the byline as spans, the caption as the line under the image,
the body as bare ``div``s under ``#parent_top_div`` (India) or ``p``s under ``.storycontent``
(Europe), embeds and ad slots inside it, the ticker left empty for JavaScript to fill.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape

IST = timezone(timedelta(hours=5, minutes=30))
SITE = "https://www.business-standard.com"
SYNDICATION_NOTE = (
    "(Only the headline and picture of this report may have been reworked by the Business Standard "
    "staff; the rest of the content is auto-generated from a syndicated feed.)"
)
MARKET_NAMES = ("Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank")


@dataclass
class Author:
    name: str
    slug: str
    author_id: int = 0


@dataclass
class LiveUpdate:
    time: datetime
    headline: str
    body: str


@dataclass
class PageSpec:
    """Everything a page shows; the renderers turn it into markup."""

    article_id: str
    section_path: str  # "india-news" or "markets/news"
    section_name: str
    slug: str
    headline: str
    standfirst: str
    published: datetime
    modified: datetime
    paragraphs: list[str]
    authors: list[Author] = field(default_factory=list)
    dateline: str | None = None
    read_time: int = 2
    image_url: str | None = None
    image_alt: str | None = None
    image_caption: str | None = None
    highlight: str | None = None
    meta_description: str | None = None
    inline_also_read: tuple[str, str] | None = None  # (headline, path), after paragraph 2
    also_read: list[tuple[str, str]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    syndicated: bool = False
    premium: bool = False
    live_updates: list[LiveUpdate] = field(default_factory=list)
    free_paragraphs: int = 2  # visible before the paywall on premium pages
    # The real site's JSON-LD sometimes carries raw line breaks inside strings (invalid JSON).
    raw_newlines_in_json_ld: bool = False
    # --- variations seen on the live site (SITE.md, "Evidence from 2024–2026") ---
    byline_links: bool = True  # author names as links inside the byline's spans, or bare spans
    region: str = "india"  # DOM body: "india" (bare divs under #parent_top_div) or "europe" (p's under .storycontent)
    html_content: bool = True  # __NEXT_DATA__ carries htmlContent (empty on some premium pages and live blogs)
    json_authors: str = "details"  # "details" (authorDetails + mapped), "authorName", "mapped", "sourceTitle", "none"
    ld_authors: bool = True
    json_place: bool = True  # the article JSON's placeName (the dateline city)
    ld_modified: bool = True  # JSON-LD dateModified
    json_modified: bool = False  # the article JSON's modificationDate
    # The "Last Updated" line and <meta http-equiv="Last-Modified"> when they lag the structured data's dateModified.
    shown_modified: datetime | None = None
    embeds: bool = False  # tweet, Instagram, inline image with caption, ad slots, promos in the body
    related_heading: str = "Also Read"  # or "More From This Section" (2026)
    premium_card: bool = False  # a premium story among the related cards
    live_in_ld: bool = True  # live updates in JSON-LD liveBlogUpdate, or only in the page's blocks
    story_container: str = "storycontent"  # "storbpcontent" on Blueprint magazine stories

    @property
    def path(self) -> str:
        return f"/{self.section_path}/{self.slug}-{self.article_id}_1.html"

    @property
    def is_live(self) -> bool:
        return bool(self.live_updates)


def display(moment: datetime) -> str:
    """``Feb 28 2024 | 3:42 PM IST`` as the current site prints it."""
    hour = moment.strftime("%I").lstrip("0")
    return moment.strftime(f"%b %d %Y | {hour}:%M %p IST")


def _ld(obj: object) -> str:
    return '<script type="application/ld+json">' + json.dumps(obj, ensure_ascii=False).replace("</", "<\\/") + "</script>"


def _topic_slug(name: str) -> str:
    return "-".join(name.lower().split())


EMBEDDED_TWEET = (
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Held productive talks on security cooperation today.'
    '</p>&mdash; Embassy (@embassy) <a href="https://twitter.com/embassy/status/1">February 28, 2024</a></blockquote>'
    '<script async src="https://platform.twitter.com/widgets.js"></script>'
)
EMBEDDED_INSTAGRAM = '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/x/"><a href="https://www.instagram.com/p/x/">A post shared by Business Standard</a></blockquote>'
INLINE_IMAGE = (
    '<img class="imgCont" src="https://bsmedia.business-standard.com/_media/bs/img/article/inline.jpg" alt="Inline picture">'
    '<div style="font-size:12px;color:#666">Delegates at the meeting on Wednesday (Photo: PTI)</div>'
)
AD_SLOTS = (
    '<div class="advertisement-bg"><div id="div-gpt-ad-between-1">Advertisement</div></div>'
    '<div id="between_article_content_2"><span>Advertisement</span></div>'
)
WHATSAPP_PROMO = '<p class="whtsclick"><a href="https://whatsapp.com/channel/0029Va5mXwE">Click here to connect with us on WhatsApp</a></p>'


def _body_html(spec: PageSpec, site: str, tag: str = "div") -> str:
    """The story as the CMS writes it (``htmlContent``), and as the page shows it (``tag``: the
    paragraph element of the region)."""
    parts = []
    for index, paragraph in enumerate(spec.paragraphs):
        text = escape(paragraph, quote=False)
        if spec.embeds and index == 3:
            # A margin utility around a real paragraph: only its <style> is not story.
            parts.append(f'<div class="mb-20"><style>.mb-20{{margin-bottom:20px}}</style><{tag}>{text}</{tag}></div>')
        else:
            parts.append(f"<{tag}>{text}</{tag}>")
        if index == 1:
            parts.append(
                '<div class="mb-20"><a href="https://whatsapp.com/channel/0029Va5mXwE"><strong>'
                "Click here to follow our WhatsApp channel</strong></a></div>"
            )
            if spec.inline_also_read:
                title, path = spec.inline_also_read
                parts.append(f'<p><strong class="read_more">Also Read: <a href="{site}{path}">{escape(title)}</a></strong></p>')
        if spec.embeds:
            parts.append({0: EMBEDDED_TWEET, 2: INLINE_IMAGE + AD_SLOTS, 4: EMBEDDED_INSTAGRAM + WHATSAPP_PROMO}.get(index, ""))
    if spec.syndicated and spec.embeds:
        parts.append(f'<p id="auto_disclaimer"><i>{SYNDICATION_NOTE}</i></p>')
    return "".join(parts)


def next_data(spec: PageSpec, site: str) -> dict[str, object]:
    """The ``__NEXT_DATA__`` object of the page."""
    data: dict[str, object] = {
        "articleId": spec.article_id,
        "heading1": spec.headline,
        "pageTitle": spec.headline,
        "subHeading": spec.standfirst,
        "metaDescription": spec.meta_description or spec.standfirst,
        "authorDetails": (
            [{"author_id": a.author_id, "author_name": a.name, "author_image": ""} for a in spec.authors]
            if spec.json_authors == "details"
            else []
        ),
        "articleMappedMultipleAuthors": (
            {str(a.author_id): a.name for a in spec.authors} if spec.json_authors in ("details", "mapped") else {}
        ),
        "authorName": ", ".join(a.name for a in spec.authors) if spec.json_authors == "authorName" else "",
        "sourceTitle": spec.authors[0].name if spec.json_authors == "sourceTitle" and spec.authors else "",
        "placeName": (spec.dateline or "") if spec.json_place else "",
        "publishDate": int(spec.published.timestamp()),
        "htmlContent": _body_html(spec, site) if spec.html_content else "",
        "articleTags": ",".join(spec.topics),
        "featuredImageObj": (
            {"url": spec.image_url, "alt_text": spec.image_alt or "", "caption": spec.image_caption or ""}
            if spec.image_url
            else {}
        ),
        "defaultArticleCat": {"category_name": spec.section_name, "h1_tag": spec.section_name, "url": f"/{spec.section_path}"},
        "contentMp3": f"https://bsmedia.business-standard.com/audio/{spec.article_id}.mp3",
        "articleUrl": spec.path,
        "isPremium": 1 if spec.premium else 0,
    }
    if spec.json_modified:
        data["modificationDate"] = int(spec.modified.timestamp())
    return {
        "props": {"pageProps": {"data": data, "__N_SSP": True}},
        "page": "/[...slug]",
        "query": {"slug": spec.path.strip("/").split("/")},
        "buildId": "bs-loopback",
        "isFallback": False,
        "gssp": True,
    }


def json_ld(spec: PageSpec, site: str) -> list[dict[str, object]]:
    """The JSON-LD objects of the page: organisation, breadcrumbs, and the article itself."""
    url = site + spec.path
    article: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting" if spec.is_live else "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": spec.headline,
        "description": spec.meta_description or spec.standfirst,
        "articleBody": "\n".join(spec.paragraphs),
        "articleSection": spec.section_name,
        "datePublished": spec.published.isoformat(),
        "author": [
            {"@type": "Person", "name": a.name, "url": f"{site}/author/search/keyword/{a.slug}"}
            for a in (spec.authors if spec.ld_authors else [])
        ],
        "keywords": ",".join(spec.topics),
        "isAccessibleForFree": not spec.premium,
        "inLanguage": "en",
        "publisher": {"@type": "Organization", "name": "Business Standard", "url": site},
    }
    if spec.ld_modified:
        article["dateModified"] = spec.modified.isoformat()
    if spec.image_url:
        article["image"] = {"@type": "ImageObject", "url": spec.image_url, "width": 1200, "height": 675}
    if spec.is_live and spec.live_in_ld:
        article["liveBlogUpdate"] = [
            {"@type": "BlogPosting", "headline": u.headline, "articleBody": u.body, "datePublished": u.time.isoformat()}
            for u in spec.live_updates
        ]
    crumbs = [("Home", site), (spec.section_name, f"{site}/{spec.section_path}")]
    return [
        {"@context": "https://schema.org", "@type": "Organization", "name": "Business Standard", "url": site},
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "item": {"@id": u, "name": n}} for i, (n, u) in enumerate(crumbs)
            ],
        },
        article,
    ]


TICKER_SCRIPT = """<script>
(function () {
  // The ticker is filled after load, as on the real site; ES5 only, for old renderers.
  var request = new XMLHttpRequest();
  request.open('GET', '/market/ticker.json');
  request.onload = function () {
    if (request.status !== 200) { return; }
    var quotes = JSON.parse(request.responseText);
    var items = document.querySelectorAll('.mktticker .tickeritem');
    for (var i = 0; i < items.length; i++) {
      var quote = quotes[items[i].getAttribute('data-index')];
      if (!quote) { continue; }
      items[i].querySelector('.tickerval').textContent = quote.value;
      items[i].querySelector('.tickerchg').textContent = quote.change;
      items[i].querySelector('.tickerpct').textContent = quote.changePercent;
    }
    document.body.setAttribute('data-ticker', 'filled');
  };
  request.send();
})();
</script>"""


def _ticker() -> str:
    items = "".join(
        f'<div class="Header_tickeritem__Tq7Lm tickeritem" data-index="{name}"><span class="tickername">{name}</span> '
        f'<span class="tickerval"></span> (<span class="tickerchg"></span> <span class="tickerpct"></span>%)</div>'
        for name in MARKET_NAMES
    )
    return f'<div class="Header_mktticker__Hn2Wd mktticker">{items}</div>'


def _byline(spec: PageSpec) -> str:
    """The byline as crawlers of the live site read it: a span with only the hashed module class, each
    author in an inner span (a link or bare text), the city in an unclassed span with a style."""
    names = ", ".join(
        f'<span><a href="/author/search/keyword/{a.slug}">{escape(a.name)}</a></span>' if spec.byline_links else f"<span>{escape(a.name)}</span>"
        for a in spec.authors
    )
    city = f' <span style="font-weight:400">{escape(spec.dateline)}</span>' if spec.dateline else ""
    return f'<span class="MainStory_dtlauthinfo__Pq2Ws">{names}{city}</span>'


def _story(spec: PageSpec, site: str) -> str:
    """The story's container as the page shows it, by region (see :class:`PageSpec`)."""
    tag, attributes = ("div", 'id="parent_top_div"') if spec.region == "india" else ("p", "")
    container = f'class="MainStory_{spec.story_container}__Pe3ys {spec.story_container}" {attributes}'.strip()
    if spec.premium:
        # Only the first paragraphs reach the DOM; the rest sits behind the overlay.
        free = "".join(f"<{tag}>{escape(p, quote=False)}</{tag}>" for p in spec.paragraphs[: spec.free_paragraphs])
        inner = f'<div class="non-paywall-content">{free}</div><div class="paywall-content"></div>'
    elif spec.is_live and not spec.html_content:
        inner = f'<div class="non-paywall-content">{"".join(f"<{tag}>{escape(p, quote=False)}</{tag}>" for p in spec.paragraphs)}</div>'
    else:
        body = _body_html(spec, site, tag)
        inner = f'<div class="non-paywall-content">{body if spec.region == "india" else f"<div>{body}</div>"}</div>'
    return f'<div {container}>{inner}<div class="storyadsprg"><div id="div-gpt-ad-1700000000000-0">Advertisement</div></div></div>'


def render_current(spec: PageSpec, site: str = SITE) -> str:
    """A current-site (Next.js) article page."""
    url = site + spec.path
    image = ""
    if spec.image_url:
        # The caption is the line under the image; the alt text shows only when the image fails.
        caption = f'<div class="MainStory_captiontext__Lm2Xc captiontext">{escape(spec.image_caption)}</div>' if spec.image_caption else ""
        image = (
            f'<div class="MainStory_storyimage__Qa5Mn"><img src="{spec.image_url}" alt="{escape(spec.image_alt or "")}" '
            f'width="620" height="350">{caption}</div>'
        )
    paywall = ""
    if spec.premium:
        paywall = (
            '<div class="subscription_subscriptionPlan__Yt6Gh">Already subscribed? <a href="/login">Log in</a>'
            " Subscribe to read the full story</div>"
        )
    live = ""
    if spec.is_live:
        live = "".join(
            f'<div class="MainStory_lvblgcont__Zr4Wq lvblgcont"><span class="livetime">{display(u.time)}</span>'
            f'<h3 class="lvblghdng">{escape(u.headline)}</h3><p>{escape(u.body)}</p></div>'
            for u in spec.live_updates
        )
    also_read = ""
    if spec.also_read:
        card_label = '<span class="MainStory_strlabel__Lk8Mn strlabel">premium</span>'
        links = "".join(
            f'<li><a href="{site}{path}">{escape(title)}</a>{card_label if spec.premium_card and i == 0 else ""}</li>'
            for i, (title, path) in enumerate(spec.also_read)
        )
        also_read = f'<div class="MainStory_alsoreadbox__Uu3Pa alsoreadbox"><h2>{escape(spec.related_heading)}</h2><ul>{links}</ul></div>'
    topics = ""
    if spec.topics:
        topics = '<div class="MainStory_topiclisting__Ee5Rr topiclisting"><span>Topics :</span> ' + " ".join(
            f'<a href="/topic/{_topic_slug(t)}">{escape(t)}</a>' for t in spec.topics
        ) + "</div>"
    disclaimer = ""
    if spec.syndicated and not spec.embeds:
        disclaimer = f'<div class="MainStory_disclaimer__Op1Zx"><p><i>{SYNDICATION_NOTE}</i></p></div>'
    ld = "".join(_ld(obj) for obj in json_ld(spec, site))
    if spec.raw_newlines_in_json_ld:
        ld = ld.replace("\\n", "\n")
    next_json = json.dumps(next_data(spec, site), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(spec.headline)} | Business Standard</title>
<meta name="description" content="{escape(spec.meta_description or spec.standfirst)}">
<meta property="og:title" content="{escape(spec.headline)}">
<meta property="og:url" content="{url}">
{f'<meta property="og:image" content="{spec.image_url}">' if spec.image_url else ''}
<meta property="article:published_time" content="{spec.published.isoformat()}">
<meta http-equiv="Last-Modified" content="{(spec.shown_modified or spec.modified).isoformat()}">
<link rel="canonical" href="{url}"><link rel="amphtml" href="{site}/amp{spec.path}">
{ld}</head><body><div id="__next">
{_ticker()}
<div class="MainStory_breadcrum__Rt5Yu breadcrum"><a href="/">Home</a> <a href="/{spec.section_path}">{escape(spec.section_name)}</a></div>
<div class="MainStory_storymain__Kq7Lp">
<div class="MainStory_storyhead__Tn4Vx">
{'<div class="MainStory_strlabel__Lk8Mn strlabel">Premium</div>' if spec.premium else ''}{'<div class="LiveButton_livebtn__Hd6Ks">LIVE</div>' if spec.is_live else ''}
<h1 class="MainStory_stryhdtp__frNSf stryhdtp">{escape(spec.headline)}</h1>
<h2 class="MainStory_strydsc__Jl9Ko strydsc">{escape(spec.standfirst)}</h2>
{image}
{f'<div class="MainStory_highlight__Hg3Fd">{escape(spec.highlight)}</div>' if spec.highlight else ''}
{_byline(spec)}
<div class="MainStory_metainfo__Wd4Fv meta-info" data-expandedtime="{display(spec.shown_modified or spec.modified)}"><span>{spec.read_time} min read</span> Last Updated : {display(spec.shown_modified or spec.modified)}</div>
<div class="MainStory_listenarticle__Xc5Vb">Listen to This Article</div>
</div>
{_story(spec, site)}{paywall}{live}
{also_read}{disclaimer}{topics}
<div class="MainStory_telegram__Gh6Jk">Don't miss the most important news and views of the day. Get them on our <a href="https://t.me/bsindia">Telegram channel</a></div>
<div class="MainStory_publishdate__Zx9Y8">First Published: {display(spec.published)}</div>
</div>
</div>
<script id="__NEXT_DATA__" type="application/json">{next_json}</script>
{TICKER_SCRIPT}
</body></html>
"""


def render_amp(spec: PageSpec, site: str = SITE) -> str:
    """The AMP twin of a current-site article (``/amp/<path>``); a premium story's shows its free
    paragraphs only, JSON-LD's ``articleBody`` the whole story (as the other layouts' premium pages)."""
    ld = _ld(json_ld(spec, site)[2])
    visible = spec.paragraphs[: spec.free_paragraphs] if spec.premium else spec.paragraphs
    paragraphs = "".join(f"<p>{escape(p, quote=False)}</p>" for p in visible)
    image = (
        f'<amp-img src="{spec.image_url}" alt="{escape(spec.image_alt or "")}" width="620" height="350"></amp-img>'
        f'<span class="captiontext">{escape(spec.image_caption or "")}</span>'
        if spec.image_url
        else ""
    )
    return f"""<!doctype html><html amp lang="en"><head><meta charset="utf-8">
<title>{escape(spec.headline)}</title><link rel="canonical" href="{site}{spec.path}">{ld}</head><body>
<h1>{escape(spec.headline)}</h1><h2>{escape(spec.standfirst)}</h2>{image}
<div class="byline">{", ".join(escape(a.name) for a in spec.authors)} <span class="dateline">{escape(spec.dateline or "")}</span></div>
<div class="meta-info">{spec.read_time} min read Last Updated : {display(spec.modified)}</div>
<div class="storycontent">{paragraphs}</div>
{f'<p><i>{SYNDICATION_NOTE}</i></p>' if spec.syndicated else ''}
<div>First Published: {display(spec.published)}</div>
</body></html>
"""


def render_legacy(spec: PageSpec, site: str = SITE) -> str:
    """A pre-2023 article page, shaped like the real one archived in 2021."""
    url = f"{site}/article/{spec.section_path.split('/')[0]}/{spec.slug}-{spec.article_id}_1.html"
    authors = " ".join(f'<a target="_blank" href="/author/search/keyword/{a.slug}">{escape(a.name)}</a>' for a in spec.authors)
    topics = " &nbsp;|&nbsp; ".join(f'<a href="/topic/{_topic_slug(t)}" target="_blank">{escape(t)}</a>' for t in spec.topics)
    visible = spec.paragraphs[: spec.free_paragraphs] if spec.premium else spec.paragraphs
    body = "".join(f"<p>\n {escape(p, quote=False)}</p>" for p in visible) + ("<p>...</p>" if spec.premium else "")
    also = "".join(f'<h2 class="fS15 bB1 bBorder1"><a href="{path}">{escape(title)}</a></h2>' for title, path in spec.also_read)
    article = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "url": url,
        "articleBody": "\n\n".join(spec.paragraphs),
        "articleSection": spec.section_name,
        "headline": spec.headline,
        "author": ", ".join(a.name for a in spec.authors),
        "datePublished": spec.published.isoformat(),
        "dateModified": spec.modified.isoformat(),
    }
    image = ""
    if spec.image_url:
        image = (
            f'<div class="colL_MktColumn0 full-img bB1"><div style="float: left;"><img alt="{escape(spec.image_alt or "")}" '
            f'class="imgCont" src="{spec.image_url}"/><div style="font-style:italic">{escape(spec.image_caption or "")}</div></div></div>'
        )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>
<title>{escape(spec.headline)} | Business Standard News</title><link rel="canonical" href="{url}"/>
<meta property="article:content_tier" content="{'locked' if spec.premium else 'free'}">
<meta property="og:title" content="{escape(spec.headline)}">
<script type="application/ld+json">[{json.dumps(article, ensure_ascii=False)}]</script></head><body>
<div class="breadcrum"> You are here: <a href="/" class="bact">Home</a> &raquo; <a href="/{spec.section_path.split('/')[0]}" class="bact">{escape(spec.section_name)}</a></div>
<div class="story-head pB0"><h1 class="headline">{escape(spec.headline)}</h1>
<h2 class="alternativeHeadline">{escape(spec.standfirst)}</h2>
<p class="pB15 fS14"><strong>Topics</strong><br>{topics}</p>
<div class="last-update mT10"><p class="fL"><span>{authors}&nbsp;|&nbsp;<news:geo_locations>{escape(spec.dateline or "")}</news:geo_locations></span>
<span>Last Updated at {spec.modified.strftime("%B %d, %Y %H:%M")} IST</span></p></div></div>
{image}<div class="story-content"><div class="also-read-panel grey-bg"><ul><li><h2 class="title2 mB0">ALSO READ</h2>{also}</li></ul></div>
<span class="p-content"><style>span.p-content div[id^="div-gpt"]{{line-height:0}}</style>{body}<div id="div-gpt-ad-1490771277198-0"></div></span></div>
<div class="pubDate">First Published: {spec.published.strftime("%a, %B %d %Y. %H:%M")} IST</div>
</body></html>
"""


# --- pages that are not articles --------------------------------------------


@dataclass
class Card:
    """One story on a listing page: a link and a read time, no date (as on the site)."""

    headline: str
    path: str
    read_time: int


def render_nextjs_page(
    title: str, path: str, inner: str, data: dict[str, object], site: str = SITE, ld: list[dict[str, object]] | None = None
) -> str:
    """A Next.js page of the current site that is not an article: no ``htmlContent``, no NewsArticle, no story body."""
    next_json = json.dumps(
        {
            "props": {"pageProps": {"data": data, "__N_SSP": True}},
            "page": "/[...slug]",
            "query": {"slug": path.strip("/").split("/") if path.strip("/") else []},
            "buildId": "bs-loopback",
            "isFallback": False,
            "gssp": True,
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | Business Standard</title>
<link rel="canonical" href="{site}{path}">
{"".join(_ld(obj) for obj in ld or [])}</head><body><div id="__next">
{_ticker()}
<nav class="Header_navbar__Rk3Lq navbar"><a href="/">Home</a> <a href="/latest-news">Latest News</a> <a href="/markets/news">Markets</a> <a href="/companies/news">Companies</a> <a href="/economy/news">Economy</a> <a href="/opinion">Opinion</a> <a href="/markets/live-market">Live Market</a></nav>
<h1 class="Listing_pagetitle__Qw3Er pagetitle">{escape(title)}</h1>
{inner}
</div>
<script id="__NEXT_DATA__" type="application/json">{next_json}</script>
{TICKER_SCRIPT}
</body></html>
"""


def render_listing(
    title: str, path: str, cards: list[Card], next_path: str | None = None, site: str = SITE, extra: str = ""
) -> str:
    """A listing page (latest news, a section, a topic): story cards with relative links and read times."""
    items = "".join(
        f'<div class="Listing_cardlist__Hy8Xp cardlist"><h2><a href="{card.path}">{escape(card.headline)}</a></h2>'
        f'<div class="Listing_readtime__Bn2Vc readtime">{card.read_time} min read</div></div>'
        for card in cards
    )
    pager = f'<div class="Listing_pagination__Zx7Cv pagination"><a href="{next_path}" rel="next">Next page</a></div>' if next_path else ""
    data: dict[str, object] = {
        "pageTitle": title,
        "listing": [{"heading1": c.headline, "articleUrl": c.path, "readTime": c.read_time} for c in cards],
        "nextPage": next_path,
    }
    ld: list[dict[str, object]] = [
        {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [{"@type": "ListItem", "position": i + 1, "url": site + c.path} for i, c in enumerate(cards)],
        }
    ]
    return render_nextjs_page(title, path, f'<div class="Listing_listing__Lp4Ws listing">{items}</div>{pager}{extra}', data, site, ld)


def render_video(title: str, path: str, description: str, uploaded: datetime, site: str = SITE) -> str:
    """A video page: JSON-LD VideoObject only, a player, no story."""
    video: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": title,
        "description": description,
        "uploadDate": uploaded.isoformat(),
        "thumbnailUrl": f"{site}/_media/bs/img/video/thumb.jpg",
        "contentUrl": f"{site}/_media/bs/video/loopback.mp4",
        "embedUrl": site + path,
    }
    inner = (
        f'<div class="VideoPlayer_player__Vb5Nm player"><video controls src="{site}/_media/bs/video/loopback.mp4"></video></div>'
        f'<p class="VideoPlayer_desc__Ty6Ui">{escape(description)}</p>'
    )
    return render_nextjs_page(title, path, inner, {"videoTitle": title, "videoDescription": description}, site, [video])


def render_block_page(host: str, path: str, reference: str) -> str:
    """Akamai's "Access Denied" answer, with the reference number and the errors.edgesuite.net link in plain text."""
    return (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        f'You don\'t have permission to access "http://{escape(host)}{escape(path)}" on this server.<P>\n'
        f"Reference #{reference}\n"
        f'<P><a href="https://errors.edgesuite.net/{reference}">https://errors.edgesuite.net/{reference}</a></P>\n'
        "</BODY>\n</HTML>\n"
    )


def render_block_page_encoded(host: str, path: str, reference: str) -> str:
    """The same page byte for byte as Akamai sends it: every punctuation mark an HTML entity."""

    def encode(text: str) -> str:
        return "".join(ch if ch.isalnum() else f"&#{ord(ch)};" for ch in text)

    return (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        f'You don\'t have permission to access "{encode(f"http://{host}{path}")}" on this server.<P>\n'
        f"Reference{encode(' #' + reference)}\n"
        f"<P>{encode('https://errors.edgesuite.net/' + reference)}</P>\n"
        "</BODY>\n</HTML>\n"
    )


def render_server_error(path: str, status: int = 500, page: str = "/_error") -> str:
    """Next.js's own error page for a server error (its ``_error`` page, the status in its props; or,
    ``page`` "/500", the static 500 page Next.js builds, with no props), as a CDN or proxy may pass it on
    with 200."""
    props = {"statusCode": status} if page == "/_error" else {}
    next_json = json.dumps({"props": {"pageProps": props}, "page": page, "query": {}, "buildId": "bs-loopback", "isFallback": False})
    words = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "An unexpected error has occurred")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{status}: {words}</title></head><body><div id="__next">'
        f'<div style="font-family:system-ui;height:100vh;text-align:center"><h1 class="next-error-h1">{status}</h1>'
        f'<div style="display:inline-block"><h2>{words}.</h2></div></div></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{next_json}</script></body></html>'
    )


def render_not_found(path: str, site: str = SITE) -> str:
    """The site's 404 page (a Next.js page without content)."""
    inner = '<div class="Error_errorpage__Hn3Qa">Sorry, the page you are looking for is not available. <a href="/">Go to home page</a></div>'
    return render_nextjs_page("Page not found", path, inner, {"statusCode": 404}, site)
