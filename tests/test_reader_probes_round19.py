"""Round 19 probes of article fields as a reader writes them down: a reporter's byline "Name | City"
in two spans, the Hindi edition's disclaimer and promo lines, AMP premium teasers drawn without a
"Premium" label."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from crawler.extraction import NotAnArticle, extract
from crawler.extraction.article import Article
from tests.loopback.pages import SITE, Author, render_current
from tests.pages import specs


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
