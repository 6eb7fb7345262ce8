"""Review of round 19's reader fixes: the reporter's "Name | City" byline on the AMP twin, an AMP page
showing its whole story beside a paywall box, and Hindi story sentences that mention a channel."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.article import Article
from crawler.extraction.text import split_body
from tests.loopback.pages import SITE, Author, render_amp, render_current
from tests.pages import specs
from tests.test_reader_probes_round19 import PAYWALL_BOXES


def _read(html: str, url: str) -> Article:
    return extract(html.encode("utf-8"), url).article


# --- the byline "Name | City" in spans of their own, on the AMP twin as on the Next.js page ----------

REPORTER = Author("Shine Jacob", "shine-jacob", 301)
SPEC = replace(specs.STAFF, authors=[REPORTER], dateline=None, byline_links=False, json_place=False, json_authors="none", ld_authors=False)
NEXTJS_BYLINE = re.compile(r'<span class="MainStory_dtlauthinfo__Pq2Ws">.*?</span></span>')
AMP_BYLINE = re.compile(r'<div class="byline">.*?</div>')
LINKED = '<a href="/author/search/keyword/shine-jacob">Shine Jacob</a>'

# The byline's inner markup, and the authors and dateline a reader writes down.
BYLINES = {
    "reporter-city": ("<span>Shine Jacob</span> | <span>Chennai</span>", ["Shine Jacob"], "Chennai"),
    "reporter-world-city": ("<span>Shine Jacob</span> | <span>Washington</span>", ["Shine Jacob"], "Washington"),
    "reporter-linked": (f"<span>{LINKED}</span> | <span>Chennai</span>", ["Shine Jacob"], "Chennai"),
    "bar-in-a-span": ("<span>Shine Jacob</span><span> | </span><span>Mumbai</span>", ["Shine Jacob"], "Mumbai"),
    "agency-city": ("<span>PTI</span> | <span>Mumbai</span>", ["PTI"], "Mumbai"),
    "two-reporters-city": ("<span>Shine Jacob</span>, <span>Sohini Das</span> | <span>Chennai</span>", ["Shine Jacob", "Sohini Das"], "Chennai"),
    "two-authors": ("<span>Shine Jacob</span> | <span>Sohini Das</span>", ["Shine Jacob", "Sohini Das"], None),
}
LAYOUTS = ["nextjs", "amp-byline", "amp-dtlauthinfo"]


def _byline_page(layout: str, inner: str) -> tuple[str, str]:
    if layout == "nextjs":
        html = render_current(SPEC)
        html, count = NEXTJS_BYLINE.subn(lambda _: f'<span class="MainStory_dtlauthinfo__Pq2Ws">{inner}</span>', html, count=1)
        url = SITE + SPEC.path
    else:
        drawn = f'<div class="byline">{inner}</div>' if layout == "amp-byline" else f'<span class="MainStory_dtlauthinfo__Pq2Ws">{inner}</span>'
        html, count = AMP_BYLINE.subn(lambda _: drawn, render_amp(SPEC), count=1)
        url = SITE + "/amp" + SPEC.path
    assert count == 1
    return html, url


@pytest.mark.parametrize("byline", BYLINES.values(), ids=BYLINES.keys())
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_city_in_a_span_of_its_own_after_a_bar_is_the_dateline_and_no_author_on_every_layout(
    layout: str, byline: tuple[str, list[str], str | None]
) -> None:
    """Round 19 read "Name | City" on the Next.js page alone. Before, on the AMP twin (either byline
    form): the city was an author as well as the dateline (["Shine Jacob", "Chennai"], "Chennai";
    ["PTI", "Mumbai"]), and "A | B" gave B as the dateline too. Now as on the Next.js page."""
    inner, authors, dateline = byline
    article = _read(*_byline_page(layout, inner))
    assert [a.name for a in article.authors] == authors
    assert article.dateline == dateline


# --- an AMP page showing its whole story beside a paywall box ----------------------------------------


def _free_amp_page_with_box(box: str, ld_body: str) -> tuple[str, str]:
    """The free seed story on its AMP page, a paywall box drawn after the story (a subscription
    offer), JSON-LD's ``articleBody`` the whole story (as long as the page's) or missing, and
    ``isAccessibleForFree`` true."""
    html = render_amp(specs.SEED)
    end = html.index("</div>", html.index('<div class="storycontent')) + len("</div>")
    html = html[:end] + PAYWALL_BOXES[box] + html[end:]
    if ld_body == "absent":
        html, count = re.subn(r'"articleBody": "(?:[^"\\]|\\.)*", ', "", html)
        assert count
    assert '"isAccessibleForFree": false' not in html
    return html, SITE + "/amp" + specs.SEED.path


@pytest.mark.parametrize("ld_body", ["whole", "absent"])
@pytest.mark.parametrize("box", sorted(PAYWALL_BOXES))
def test_an_amp_page_showing_its_whole_story_beside_a_paywall_box_is_no_paywall_stub(box: str, ld_body: str) -> None:
    """Before: skipped as a paywall stub "showing its free part alone", a whole free story lost at
    every run — the box alone made the stub, even with JSON-LD's ``articleBody`` as long as the page's
    story. The Next.js twin keeps such a page (a stub there needs the box and a sign of the cut); on
    AMP a stub now needs the box and JSON-LD saying the story is locked or a last line stopping short."""
    article = _read(*_free_amp_page_with_box(box, ld_body))
    assert article.articleBody == "\n".join(specs.SEED.paragraphs)


# --- Hindi story sentences that mention a channel and a bid ------------------------------------------

HINDI_STORY_LINES = {
    # A reported bid mid-sentence, the sentence going on after it.
    "fraud-telegram": "पुलिस ने बताया कि ठगों ने लोगों से टेलीग्राम चैनल से जुड़ें कहकर पैसे ठगे।",
    "ministry-whatsapp": "मंत्रालय ने किसानों से कहा कि व्हाट्सऐप चैनल को फॉलो करें, लेकिन कई गांवों में इंटरनेट नहीं है।",
    "sebi-click": "सेबी ने चेतावनी दी कि व्हाट्सऐप चैनल पर 'यहां क्लिक करें' लिखे संदेशों से निवेशक सावधान रहें।",
}


@pytest.mark.parametrize("line", HINDI_STORY_LINES.values(), ids=HINDI_STORY_LINES.keys())
def test_a_hindi_story_sentence_reporting_a_channels_bid_stays(line: str) -> None:
    """Before: dropped as the channel promo (a channel and a bid anywhere in 200 characters). The
    promo ends in its bid; a story's sentence goes on after the words it reports."""
    body, _ = split_body(["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।", line])
    assert line in body


HINDI_SITE_LINES = {
    "click-kijiye": "हमारे व्हाट्सऐप चैनल को फॉलो करने के लिए यहां क्लिक कीजिए",
    "judiye": "बिज़नेस स्टैंडर्ड हिंदी के टेलीग्राम चैनल से जुड़िए।",
    "views-vyaktigat": "(लेखक के विचार व्यक्तिगत हैं)",
}


@pytest.mark.parametrize("line", HINDI_SITE_LINES.values(), ids=HINDI_SITE_LINES.keys())
def test_the_hindi_editions_closing_lines_in_their_other_spellings_are_no_lines_of_the_story(line: str) -> None:
    """The polite imperative ("कीजिए", "जुड़िए") and "व्यक्तिगत" for "निजी". Before: kept as the body's
    last line."""
    body, _ = split_body(["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।", line])
    assert body == ["सरकार ने बजट में राजकोषीय घाटे का लक्ष्य बढ़ाया।"]
