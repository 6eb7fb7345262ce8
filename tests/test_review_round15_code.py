"""Code read of round 15's changes: the cases a refactor's read of them showed they missed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_round15 import AMP, AMP_BYLINE, NEXT, NEXT_BYLINE, _fixture, _once, _with_data, _with_ld

# The story's section linked after a bar, the bar inside the link ("PTI <a>| India News</a>").
SECTION_WITH_ITS_BAR = '<span><a href="/india-news">| India News</a></span>'


def test_an_amp_byline_s_section_link_holding_its_bar_is_no_dateline_and_loses_no_article() -> None:
    # Before: the byline's place was "India News" (the link's text, "| India News", was not told the
    # same), and reading the names found no bar outside the link: ValueError, the page unreadable.
    html, url, _ = _fixture(AMP)
    html = _once(html, AMP_BYLINE, f'<div class="byline">Press Trust of India {SECTION_WITH_ITS_BAR}</div>')
    html = _with_ld(html, lambda article: article.pop("author"))
    html = re.sub(r'<meta name="author"[^>]*>', "", html)
    article = extract(html.encode(), url).article
    assert ([a.name for a in article.authors], article.dateline) == (["Press Trust of India"], None)


def test_a_next_js_byline_s_section_link_holding_its_bar_is_no_dateline() -> None:
    # Before: the dateline was "India News", the section's name.
    html, url, _ = _fixture(NEXT)
    byline = f'<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Press Trust of India</span> {SECTION_WITH_ITS_BAR}</span>'

    def change(data: dict[str, Any]) -> None:
        data.pop("placeName")

    html = _with_data(_once(html, NEXT_BYLINE, byline), change)
    assert extract(html.encode(), url).article.dateline is None


@pytest.mark.parametrize("folder", [AMP, NEXT])
def test_a_city_after_a_bar_is_still_the_dateline(folder: str) -> None:
    # The bar before a city in the byline's own text: that city stays the dateline.
    html, url, _ = _fixture(folder)
    if folder == AMP:
        html = _once(html, AMP_BYLINE, '<div class="byline">Press Trust of India | New Delhi</div>')
    else:
        html = _with_data(
            _once(html, NEXT_BYLINE, '<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Press Trust of India | New Delhi</span></span>'),
            lambda data: data.pop("placeName"),
        )
    assert extract(html.encode(), url).article.dateline == "New Delhi"
