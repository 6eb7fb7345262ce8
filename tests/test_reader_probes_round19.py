"""Round 19 probes of article fields as a reader writes them down: a reporter's byline "Name | City"
in two spans, the Hindi edition's disclaimer and promo lines, AMP premium teasers drawn without a
"Premium" label."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.article import Article
from crawler.extraction.text import split_body
from tests.conftest import PAGES
from tests.loopback.pages import SITE, Author, render_amp, render_current
from tests.pages import specs
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, HINDI_BUDGET
from tests.test_page_kind_probes_round17 import LIVE, UPDATE_LINES, _with_data


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


# --- a reporter's byline "Name | City" in two spans ------------------------------------------------

REPORTER = Author("Shine Jacob", "shine-jacob", 301)
BYLINE = re.compile(r'<span class="MainStory_dtlauthinfo__Pq2Ws">.*?</span></span>')


def _reporter_page(city: str, *, links: bool) -> tuple[str, str]:
    """A staff story whose byline is the reporter, a bar and the city, each in a span of its own (no
    style on the city's), and no structured source naming the author or the city."""
    spec = replace(specs.STAFF, authors=[REPORTER], dateline=None, byline_links=links, json_place=False, json_authors="none", ld_authors=False)
    html = render_current(spec)
    drawn = BYLINE.search(html)
    assert drawn
    byline = drawn.group(0)[: -len("</span>")] + f" | <span>{city}</span></span>"
    return html.replace(drawn.group(0), byline, 1), SITE + spec.path


@pytest.mark.parametrize("city", ["Chennai", "New Delhi", "Bengaluru", "Mumbai", "Thiruvananthapuram", "Washington", "Hong Kong"])
@pytest.mark.parametrize("links", [True, False], ids=["link", "span"])
def test_a_reporters_city_in_a_span_of_its_own_after_a_bar_is_the_dateline(city: str, links: bool) -> None:
    """Before: with the name in a bare span (no author link), the city was read as a second author
    ("Shine Jacob", "Chennai") and the story had no dateline — round 18's rule for two authors
    parted by a bar ("A | B"), which only a news agency's city escaped. A place the site dates its
    stories from is no person."""
    html, url = _reporter_page(city, links=links)
    article = _read(html, url)
    assert [a.name for a in article.authors] == [REPORTER.name]
    assert article.dateline == city


# --- an AMP premium teaser without a "Premium" label ------------------------------------------------

PREMIUM = specs.PREMIUM
AMP_PREMIUM_URL = SITE + "/amp" + PREMIUM.path
# The paywall box after the free part, in each of its forms (SITE.md's evidence: before and after June
# 2025); the label is not drawn.
PAYWALL_BOXES = {
    "subscribe-page": '<div class="subscribe-page"><p>Already subscribed? Log in</p><p>Subscribe to read the full story</p></div>',
    "subscription-plan": '<div class="subscription_subscriptionPlan__Yt6Gh"><p>Already subscribed? Log in</p><a href="/subscription-plans">Subscribe</a></div>',
    "bp-paywall": '<div class="MainStory_BPstoryPaywall__Hx3Lq"><p>This is a premium story. Subscribe to read on.</p></div>',
}
AFTER_STORY = "</div>\n\n<div>First Published"


def _amp_premium(box: str | None, *, ld_body: str) -> str:
    html = render_amp(PREMIUM)
    assert AFTER_STORY in html and "strlabel" not in html
    if box:
        html = html.replace(AFTER_STORY, "</div>" + PAYWALL_BOXES[box] + AFTER_STORY[len("</div>") :], 1)
    if ld_body == "absent":
        html, count = re.subn(r'"articleBody": "(?:[^"\\]|\\.)*", ', "", html)
        assert count
    elif ld_body == "free-part":
        free = " ".join(PREMIUM.paragraphs[: PREMIUM.free_paragraphs])
        html, count = re.subn(r'("articleBody": )"(?:[^"\\]|\\.)*"', lambda m: m.group(1) + json.dumps(free), html)
        assert count
    return html


@pytest.mark.parametrize("box", sorted(PAYWALL_BOXES))
@pytest.mark.parametrize("ld_body", ["absent", "free-part"])
def test_an_amp_premium_teaser_walled_without_a_label_is_not_written_as_the_story(box: str, ld_body: str) -> None:
    """An AMP premium story drawn for a reader without a subscription: its free paragraphs, then the
    paywall box; no "Premium" label, JSON-LD's ``articleBody`` missing or the free part alone. Before:
    written as the whole story (2 of its 5 paragraphs), ``isPremium`` false — the box was looked for
    on the Next.js page alone. Now a paywall stub, as there (``bs/skipped/paywall-stub``)."""
    with pytest.raises(NotAnArticle) as raised:
        extract(_amp_premium(box, ld_body=ld_body).encode("utf-8"), AMP_PREMIUM_URL)
    assert raised.value.reason == "paywall-stub"


@pytest.mark.parametrize("box", sorted(PAYWALL_BOXES))
def test_an_amp_premium_page_walled_without_a_label_with_its_story_in_json_ld_is_premium(box: str) -> None:
    """The box is the page's mark of a premium story, the JSON-LD flag aside (SITE.md: wrong on some
    free pages). Before: premium only because JSON-LD said locked; with the flag true, not premium."""
    html = _amp_premium(box, ld_body="whole").replace('"isAccessibleForFree": false', '"isAccessibleForFree": true')
    article = _read(html, AMP_PREMIUM_URL)
    assert article.isPremium
    assert article.articleBody == "\n".join(PREMIUM.paragraphs)


@pytest.mark.parametrize(
    "where",
    [
        '<aside class="rail"><div class="subscribe-page"><p>Subscribe to Business Standard</p></div></aside>',
        '<ul class="cards"><li><a href="/markets/news/other-story-124030500999_1.html">Other story</a><div class="subscribe-page">Premium</div></li></ul>',
    ],
    ids=["rail", "card"],
)
def test_a_subscribe_box_outside_the_story_makes_no_amp_page_premium(where: str) -> None:
    """The other side: an offer in the rail or in another story's card is no paywall of this story."""
    html = render_amp(specs.SEED).replace("</body>", where + "</body>", 1)
    article = _read(html, SITE + "/amp" + specs.SEED.path)
    assert not article.isPremium
    assert article.articleBody == "\n".join(specs.SEED.paragraphs)


# --- the Hindi edition's disclaimer and channel promo lines -----------------------------------------

NUKTA = "\u093c"
# Each line in the two spellings a CMS may write (the nukta apart, or the letter precomposed).
HINDI_SITE_LINES = {
    "disclaimer-views": f"(डिस्क्लेमर: ये लेखक के निजी विचार हैं। बिज{NUKTA}नेस स्टैंडर्ड इनसे सहमत हो, यह जरूरी नहीं।)",
    "disclaimer-views-precomposed": "डिस्क्लेमर: ये लेखक के निजी विचार हैं। बि\u095bनेस स्टैंडर्ड इनसे सहमत हो, यह जरूरी नहीं।",
    "disclaimer-analysts": "अस्वीकरण: विशेषज्ञों के विचार और निवेश सलाह उनके अपने हैं, बिजनेस स्टैंडर्ड के नहीं।",
    "views-personal": "(लेखक के विचार निजी हैं)",
    "views-personal-2": "ये लेखक के निजी विचार हैं।",
    "views-personal-labelled": "डिस्क्लेमर: लेख में व्यक्त विचार निजी हैं",
    "whatsapp-follow": f"बिज{NUKTA}नेस स्टैंडर्ड हिंदी के व्हाट्सऐप चैनल को फॉलो करने के लिए यहां क्लिक करें",
    "telegram-join": f"हमारे टेलीग्राम चैनल से जुड{NUKTA}ने के लिए यहां क्लिक करें",
    "telegram-join-precomposed": "हमारे टेलीग्राम चैनल से जु\u095cने के लिए यहां क्लिक करें",
    "whatsapp-latin": "ताजा खबरों के लिए हमारे WhatsApp चैनल से जुड़ें, यहां क्लिक करें",
}


@pytest.mark.parametrize("line", HINDI_SITE_LINES.values(), ids=HINDI_SITE_LINES.keys())
def test_the_hindi_editions_disclaimer_and_channel_promo_are_no_lines_of_the_story(line: str) -> None:
    """The Hindi edition's counterparts of the English lines the body drops ("Disclaimer: These are
    personal views of the writer … Business Standard", "(Views are personal)", "Click here to follow
    our WhatsApp channel"). Before: kept as the body's last line; "ये भी पढ़ें" alone was known."""
    body, disclaimer = split_body(["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।", line])
    assert body == ["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।"] and disclaimer is None


HINDI_STORY_LINES = {
    # The words in a story's own sentences: no label, or a story about the channel or the views.
    "story-about-disclaimers": "डिस्क्लेमर के नियम 1 अप्रैल से लागू होंगे, सेबी ने कहा कि फिनफ्लुएंसर के विचार निवेशकों पर असर डालते हैं।",
    "disclosure-no-site": "डिस्क्लेमर: लेखक के पास इन्फोसिस के शेयर हैं।",
    "story-about-a-channel": "कंपनी ने कहा कि ग्राहक व्हाट्सऐप चैनल पर शिकायत दर्ज करा सकते हैं, और इसके लिए ऐप में एक बटन पर क्लिक करना होगा। नियामक ने इस व्यवस्था की समीक्षा के लिए एक समिति बनाई है जो तीन महीने में रिपोर्ट देगी।",
    "bio-ending-in-views": "लेखक भारतीय स्टेट बैंक के पूर्व मुख्य अर्थशास्त्री हैं। ये उनके निजी विचार हैं",
}


@pytest.mark.parametrize("line", HINDI_STORY_LINES.values(), ids=HINDI_STORY_LINES.keys())
def test_a_hindi_story_line_with_those_words_stays(line: str) -> None:
    body, _ = split_body(["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।", line])
    assert line in body


@pytest.mark.parametrize("folder", ["hindi-2020/budget-166607", "amp/hindi-budget-166607"])
@pytest.mark.parametrize("line", ["views-personal", "whatsapp-follow", "disclaimer-views"])
def test_a_hindi_story_page_ends_with_its_story_not_the_sites_line(folder: str, line: str) -> None:
    """End to end on the Hindi table layout and its AMP page: the line after the story's last paragraph."""
    case = next(c for c in CASES if c.folder == folder)
    html = page_bytes(case, PAGES / case.folder).decode("utf-8")
    last = HINDI_BUDGET.paragraphs[-1]
    closing = f"{last}&nbsp;</div>" if folder.startswith("hindi-2020") else f"{last}</p>"
    opening, ending = ("<div>", "</div>") if folder.startswith("hindi-2020") else ("<p>", "</p>")
    assert html.count(closing) == 1
    html = html.replace(closing, closing + opening + HINDI_SITE_LINES[line] + ending)
    body = (extract(html.encode("utf-8"), case.url).article.articleBody or "").split("\n")
    assert body[-1] == last


# --- a live blog marked in microdata alone, on AMP and Next.js pages ---------------------------------

LIVE_ITEMTYPES = ["https://schema.org/LiveBlogPosting", "http://schema.org/LiveBlogPosting"]
MICRODATA_UPDATES = "".join(
    f'<div itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting">'
    f'<time itemprop="datePublished" datetime="{u.time.isoformat()}">{u.time:%H:%M}</time>'
    f'<h2 itemprop="headline">{u.headline}</h2><div itemprop="articleBody"><p>{u.body}</p></div></div>'
    for u in LIVE.live_updates
)
# The blog without the marks the layouts knew: JSON-LD a NewsArticle, no LIVE button, no update blocks.
UNMARKED_LIVE = replace(LIVE, live_updates=[])


def _amp_microdata_blog(itemtype: str) -> str:
    html = render_amp(UNMARKED_LIVE)
    html = html.replace("<body>", f'<body itemscope itemtype="{itemtype}">', 1)
    start = html.index('<div class="storycontent')
    end = html.index("</div>", start)
    return html[:end] + MICRODATA_UPDATES + html[end:]


def _nextjs_microdata_blog(itemtype: str) -> str:
    html = render_current(UNMARKED_LIVE)
    main = '<div class="MainStory_storymain__Kq7Lp">'
    assert html.count(main) == 1
    html = html.replace(main, main[:-1] + f' itemscope itemtype="{itemtype}">', 1)
    return _with_data(html, lambda data: data.update(htmlContent=data["htmlContent"] + MICRODATA_UPDATES))


@pytest.mark.parametrize("itemtype", LIVE_ITEMTYPES)
@pytest.mark.parametrize("layout", ["amp", "nextjs"])
def test_a_live_blog_marked_in_microdata_alone_is_a_live_blog_on_amp_and_nextjs(layout: str, itemtype: str) -> None:
    """The story's microdata item (around its headline) is a LiveBlogPosting, its updates
    ``liveBlogUpdate`` items; JSON-LD says NewsArticle, no LIVE button or update block is drawn. Before:
    not a live blog (round 18 read the mark on pages of no known layout alone), the updates' lines
    kept in the body as the story's."""
    html, url = (_amp_microdata_blog(itemtype), SITE + "/amp" + LIVE.path) if layout == "amp" else (_nextjs_microdata_blog(itemtype), SITE + LIVE.path)
    article = _read(html, url)
    assert article.isLiveBlog
    body = article.articleBody or ""
    for line in UPDATE_LINES:
        assert body.count(line) == 1, line


@pytest.mark.parametrize("layout", ["amp", "nextjs"])
def test_a_live_blog_item_outside_the_story_makes_no_live_blog(layout: str) -> None:
    """The other side: another blog's widget (an item of its own in the rail) or an article item."""
    widget = f'<aside><div itemscope itemtype="{LIVE_ITEMTYPES[0]}"><a href="/markets/news/other-live-124030500777_1.html">Other LIVE</a></div></aside>'
    if layout == "amp":
        html, url = render_amp(specs.SEED).replace("</body>", widget + "</body>", 1), SITE + "/amp" + specs.SEED.path
        html = html.replace("<body>", '<body itemscope itemtype="https://schema.org/NewsArticle">', 1)
    else:
        html, url = render_current(specs.SEED).replace("</body>", widget + "</body>", 1), SITE + specs.SEED.path
    assert not _read(html, url).isLiveBlog
