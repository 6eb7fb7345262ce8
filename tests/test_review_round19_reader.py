"""Review of round 19's reader fixes: the reporter's "Name | City" byline on the AMP twin."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.article import Article
from tests.loopback.pages import SITE, Author, render_amp, render_current
from tests.pages import specs


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
