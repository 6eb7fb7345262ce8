"""Every extraction test page: where it lives, the URL it is read at, and where it came from.

A case is a folder ``tests/pages/<layout>/<case>/`` with ``page.html`` (``page.html.gz`` when large),
``expected.json`` (every key of the item, or ``{"notAnArticle": "<reason>"}``) and ``meta.json``
(the URL, and the origin: ``real`` with its source and date, or ``synthetic`` with what it imitates).
Real pages kept in ``../shared`` are named in ``meta.json`` instead of copied.
Synthetic pages are rendered from the specs here by ``python -m tests.pages.build``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from tests.loopback.pages import IST, SITE, PageSpec, render_amp, render_current, render_legacy
from tests.pages import specs

EVIDENCE = "SITE.md, 'Evidence from 2024-2026'"


@dataclass
class Case:
    """One test page."""

    layout: str  # the folder: the layout that must read it (or "not-article")
    name: str
    url: str
    imitates: str  # what a synthetic page imitates, or the real page's description
    render: Callable[[], str] | None = None  # None for real pages in ../shared
    shared: str | None = None  # path under ../shared of a real page
    origin: dict[str, str] = field(default_factory=dict)  # source and date of a real page
    not_article: str | None = None  # the NotAnArticle reason the page must give

    @property
    def folder(self) -> str:
        return f"{self.layout}/{self.name}"

    def meta(self) -> dict[str, object]:
        if self.shared:
            return {"url": self.url, "origin": "real", "page": f"../shared/{self.shared}", **self.origin}
        return {"url": self.url, "origin": "synthetic", "imitates": self.imitates}


def _current(name: str, spec: PageSpec, imitates: str) -> Case:
    return Case("nextjs-2023", name, SITE + spec.path, imitates, lambda: render_current(spec))


# --- the Hindi edition's 2020 table layout (SITE.md, "The Hindi edition") ------------------------------

HINDI_SITE = "https://hindi.business-standard.com"


@dataclass
class HindiStory:
    autono: int
    section: str
    section_hi: str
    headline: str
    author: str
    city: str
    published: datetime
    paragraphs: list[str]
    keywords: list[str]
    image: str | None = None


def render_hindi(story: HindiStory) -> str:
    """A story page as the Hindi site served it in 2020: tables, an ``<h1>`` in ``td[width=600]``,
    "author / city" and an English date (double space) in the next row, the body after an ad script."""
    canonical = f"{HINDI_SITE}//storypage.php?autono={story.autono}"
    date = story.published.strftime("%B  %d, %Y").replace("  0", "  ")
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "headline": f"बिजनेस स्टैंडर्ड - {story.headline}",
        "datePublished": story.published.strftime("%Y-%m-%d %H:%M:%S"),
        "dateModified": story.published.strftime("%Y-%m-%d %H:%M:%S"),
        "articleSection": story.section_hi,
        "image": {"@type": "ImageObject", "url": f"{HINDI_SITE}/images/nopreview.png"},
        "publisher": {"@type": "Organization", "name": "Business Standard"},
    }
    body = "".join(
        f'<p align="justify">{escape(p)}</p>' if i % 2 else f"<div>{escape(p)}</div>" for i, p in enumerate(story.paragraphs)
    )
    keywords = ", ".join(f'<a class="ctxtRelated" href="/search?type=news&q={escape(k)}">{escape(k)}</a>' for k in story.keywords)
    image = f'<meta property="og:image" content="{story.image}">' if story.image else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>बिजनेस स्टैंडर्ड - {escape(story.headline)}</title>
<meta property="og:title" content="{escape(story.headline)}" />{image}
<link rel="canonical" href="{canonical}" />
<link rel="amphtml" href="{HINDI_SITE}/article-amp/{story.section}/section_{story.section}-{story.autono}_1.html" />
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body><table width="980" align="center"><tr><td class="bredText"><a href="/">होम</a> &raquo; <a href="/section.php?sec={story.section}">{escape(story.section_hi)}</a></td></tr>
<tr><td width="600" valign="top"><table width="100%">
<tr><td><h1>{escape(story.headline)}</h1></td></tr>
<tr><td class="dateSty">{escape(story.author)} / {escape(story.city)} <span>{date}</span></td></tr>
<tr><td class="story"><script>googletag.cmd.push(function() {{ googletag.display('div-gpt-ad-1'); }});</script>{body}
<div>Keyword: {keywords}</div></td></tr>
</table></td><td width="300" valign="top"><div class="rightbox">सबसे ज्यादा पढ़ी गई खबरें</div></td></tr></table></body></html>
"""


HINDI_BUDGET = HindiStory(
    autono=166607,
    section="economy",
    section_hi="अर्थव्यवस्था",
    headline="बजट में राजकोषीय घाटे का लक्ष्य बढ़ा, खर्च पर जोर",
    author="बीएस संवाददाता",
    city="नई दिल्ली",
    published=datetime(2020, 2, 14, 21, 42, 56, tzinfo=IST),
    paragraphs=[
        "सरकार ने चालू वित्त वर्ष के लिए राजकोषीय घाटे का लक्ष्य बढ़ाकर सकल घरेलू उत्पाद का 3.8 प्रतिशत कर दिया है।",
        "वित्त मंत्री ने कहा कि अर्थव्यवस्था में मांग बढ़ाने के लिए सार्वजनिक खर्च जरूरी है।",
        "विशेषज्ञों का मानना है कि कर संग्रह में कमी से सरकार की उधारी बढ़ सकती है।",
    ],
    keywords=["बजट", "राजकोषीय घाटा"],
)
HINDI_MARKETS = HindiStory(
    autono=166712,
    section="markets",
    section_hi="बाजार",
    headline="सेंसेक्स में 400 अंक की गिरावट, बैंक शेयर टूटे",
    author="भाषा",
    city="मुंबई",
    published=datetime(2020, 2, 17, 16, 5, 10, tzinfo=IST),
    paragraphs=[
        "कोरोनावायरस के असर की चिंता में सोमवार को सेंसेक्स 400 अंक से ज्यादा गिर गया।",
        "बैंकिंग और धातु कंपनियों के शेयरों में सबसे ज्यादा बिकवाली हुई।",
    ],
    keywords=["सेंसेक्स", "शेयर बाजार", "बैंक"],
    image="https://hindi.business-standard.com/images/2020/sensex.jpg",
)


# --- pages of no known layout -------------------------------------------------------------------

def render_generic_ld(deep_divs: int = 0) -> str:
    """A page of a layout the rules do not know, with a whole JSON-LD NewsArticle; ``deep_divs``
    unclosed ``<div>``s (more than libxml2 nests) put the JSON-LD after the point it gives up."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Rupee ends at record low as importers rush to buy dollars",
        "description": "The currency fell 0.3 per cent against the dollar",
        "articleBody": "The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs.\n"
        "Traders said the central bank sold dollars to slow the fall.",
        "datePublished": "2026-05-12T16:20:00+05:30",
        "dateModified": "2026-05-12T17:02:45+05:30",
        "author": [{"@type": "Person", "name": "Anjali Kumari", "url": "https://www.business-standard.com/author/search/keyword/anjali-kumari"}],
        "keywords": "Rupee, Forex, RBI",
        "articleSection": "Markets",
        "image": {"@type": "ImageObject", "url": "https://bsmedia.business-standard.com/_media/bs/img/article/2026-05/12/rupee.jpg"},
        "inLanguage": "en",
    }
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    head_script, body_script = ("", script) if deep_divs else (script, "")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{ld['headline']}</title>
<link rel="canonical" href="https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html">
{head_script}</head><body><main class="Redesign_page__Zz9Qq">{"<div>" * deep_divs}
<h1 class="Redesign_title__Aa1Bb">{ld['headline']}</h1><section class="Redesign_text__Cc2Dd"><p>{ld['articleBody'].splitlines()[0]}</p></section>
{body_script}</main></body></html>
"""


def render_generic_opengraph() -> str:
    """A page of an unknown layout with OpenGraph article metadata and an ``<article>``, no JSON-LD."""
    return """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>GST collections rise 9% in April</title>
<meta property="og:type" content="article"><meta property="og:title" content="GST collections rise 9% in April">
<meta property="og:description" content="Collections crossed Rs 2 trillion for a second month">
<meta property="og:url" content="https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html">
<meta property="article:published_time" content="2026-05-01T18:30:00+05:30">
<meta name="author" content="BS Reporter">
</head><body><header>Business Standard</header><article><h1>GST collections rise 9% in April</h1>
<p>Gross GST collections rose 9 per cent to a record in April, official data showed on Friday.</p>
<p>Collections from imports grew faster than domestic collections.</p></article><footer>Copyright</footer></body></html>
"""


def _blueprint() -> Case:
    spec = specs.BLUEPRINT
    return Case("nextjs-blueprint", "navy-unmanned-submarines", SITE + spec.path, f"{EVIDENCE}: Blueprint stories, [class*=storbpcontent]", lambda: render_current(spec))


CASES: list[Case] = [
    _current("seed-syndicated", specs.SEED, "../shared/seed (2024-02-28 render): caption line under the image, span byline"),
    _current("premium", specs.PREMIUM, f"{EVIDENCE}: premium label near the headline, paywall box of June 2025"),
    _current("staff-multi-author", specs.STAFF, "three staff authors as links in byline spans; inline Also Read"),
    _current("no-image", specs.NO_IMAGE, "agency story without an image"),
    _current("live-blog", specs.LIVE, "live blog with JSON-LD LiveBlogPosting.liveBlogUpdate"),
    _current("premium-no-htmlcontent", specs.PREMIUM_NO_HTML, f"{EVIDENCE}: premium page without htmlContent; DOM shows 45 of 118 words"),
    _current("agency-span-byline", specs.AGENCY_SPAN, f"{EVIDENCE}: byline 'AP Miami' in spans, no authors in JSON; Last-Modified meta only"),
    _current("agency-source-title", specs.AGENCY_SOURCE_TITLE, f"{EVIDENCE}: agency only as sourceTitle; modificationDate; European DOM"),
    _current("embeds", specs.EMBEDS, f"{EVIDENCE}: tweet, Instagram, inline image caption, ad slots, promos, .mb-20 in htmlContent"),
    _current("embeds-dom-europe", specs.EMBEDS_DOM_EUROPE, f"{EVIDENCE}: the same in the European DOM, no htmlContent"),
    _current("more-from-this-section", specs.MORE_FROM_SECTION, f"{EVIDENCE}: 'More From This Section' with a premium card; free story"),
    _current("live-blog-dom", specs.LIVE_DOM, f"{EVIDENCE}: live blog with empty htmlContent, updates in .lvblgcont"),
    _blueprint(),
    Case("amp", "seed-syndicated", f"{SITE}/amp{specs.SEED.path}", "AMP twin of the seed page (SITE.md: /amp/<article path>)", lambda: render_amp(specs.SEED)),
    Case(
        "pre2023",
        "real-2019-01-18",
        "https://www.business-standard.com/article/companies/indian-data-must-be-owned-by-indians-not-global-companies-mukesh-ambani-119011800410_1.html",
        "real pre-2023 article page (free, PTI, Gandhinagar, image and caption, Also Read panel, Topics)",
        shared="real/article-2019-01-18-119011800410.html",
        origin={"source": "sandeep-sandhu/NewsLookout public test data", "saved": "2021"},
    ),
    Case(
        "pre2023",
        "synthetic-premium",
        f"{SITE}/article/markets/{specs.PREMIUM.slug}-{specs.PREMIUM.article_id}_1.html",
        "pre-2023 locked page: visible body cut short with '...', whole body in JSON-LD",
        lambda: render_legacy(specs.PREMIUM),
    ),
    Case("hindi-2020", "budget-166607", f"{HINDI_SITE}/storypage.php?autono=166607", "SITE.md, 'The Hindi edition' (2020 table layout)", lambda: render_hindi(HINDI_BUDGET)),
    Case("hindi-2020", "markets-166712", f"{HINDI_SITE}/storypage.php?autono=166712", "SITE.md, 'The Hindi edition' (2020 table layout)", lambda: render_hindi(HINDI_MARKETS)),
    Case("generic", "jsonld-unknown-layout", "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html", "a redesign the rules do not know, with JSON-LD NewsArticle", render_generic_ld),
    Case("generic", "unclosed-divs", "https://www.business-standard.com/markets/news/rupee-ends-at-record-low-126051200877_1.html", "3,000 unclosed divs before the JSON-LD (libxml2 gives up)", lambda: render_generic_ld(3000)),
    Case("generic", "opengraph-article", "https://www.business-standard.com/economy/news/gst-collections-rise-9-in-april-126050100044_1.html", "unknown layout with OpenGraph article metadata and an <article>", render_generic_opengraph),
    *(
        Case("not-article", name, SITE + spec.path, f"{EVIDENCE}: {name} under an article-like URL", lambda spec=spec: render_current(spec), not_article=reason)
        for name, (spec, reason) in specs.NOT_ARTICLES.items()
    ),
]
