"""A source that holds a text cut short (a JSON-LD headline held to 110 characters, with or without an
ellipsis) gives way to one that holds all of it; a title with a site's name after it is no such whole."""

from __future__ import annotations

import pytest

from crawler.extraction import extract
from crawler.extraction.layouts.base import cut_short
from tests.test_extraction_probes_more import _fixture, _once

AMP = "amp/seed-syndicated"
NEXTJS = "nextjs-2023/staff-multi-author"


def _cuts(headline: str) -> list[str]:
    words = headline[:48].rsplit(" ", 1)[0]
    return [headline[:40] + "\u2026", headline[:40] + "...", words, headline[:45]]


@pytest.mark.parametrize("case", range(4), ids=["ellipsis", "three-dots", "at-a-word", "mid-word"])
def test_an_amp_json_ld_headline_cut_short_gives_way_to_the_page_s_h1(case: int) -> None:
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    cut = _cuts(headline)[case]
    result = extract(_once(html, f'"headline": "{headline}"', f'"headline": "{cut}"').encode(), url)
    assert result.article.headline == headline
    assert result.provenance.sources["headline"] == "dom" and "headline" in result.provenance.disagreements


def test_an_amp_page_without_a_structured_headline_takes_its_h1() -> None:
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    result = extract(_once(html, f'"headline": "{headline}", ', "").encode(), url)
    assert result.article.headline == headline and result.provenance.sources["headline"] == "dom"


def test_a_next_js_json_ld_headline_cut_short_gives_way_when_the_article_json_has_none() -> None:
    html, url, expected = _fixture(NEXTJS)
    headline = str(expected["headline"])
    html = _once(_once(html, f'"heading1": "{headline}"', '"heading1": ""'), f'"pageTitle": "{headline}"', '"pageTitle": ""')
    html = _once(html, f'"headline": "{headline}"', f'"headline": "{headline[:40]}\u2026"')
    result = extract(html.encode(), url)
    assert result.article.headline == headline and "headline" in result.provenance.disagreements


def test_a_whole_headline_is_kept_over_a_title_with_the_site_s_name_after_it() -> None:
    # On the AMP page og:title is compared with JSON-LD's headline (on the Next.js page it is only a
    # fallback, never read where JSON-LD has a headline: no test of the rule there).
    html, url, expected = _fixture(AMP)
    headline = str(expected["headline"])
    result = extract(_once(html, "</head>", f'<meta property="og:title" content="{headline} | Business Standard"></head>').encode(), url)
    assert result.article.headline == headline and result.provenance.sources["headline"] == "ld"


@pytest.mark.parametrize(
    ("text", "whole", "cut"),
    [
        ("Sensex falls 500 points as banks\u2026", "Sensex falls 500 points as banks drag", True),
        ("Sensex falls 500 points as ba", "Sensex falls 500 points as banks drag", True),
        ("Sensex falls 500 points as banks", "Sensex falls 500 points as banks | Business Standard", False),
        ("Sensex falls 500 points as banks", "Sensex falls 500 points as banks - BS", False),
        ("Sensex falls 500 points as banks", "Sensex falls 500 points as banks: what next", False),
        ("Sensex falls", "Sensex falls 500 points", False),  # too short to tell a cut from a shorter title
        ("Sensex falls 500 points as banks drag", "Sensex falls 500 points as banks drag", False),
        ("Nifty rises 200 points as banks\u2026", "Sensex falls 500 points as banks drag", False),
    ],
)
def test_what_counts_as_a_text_cut_short(text: str, whole: str, cut: bool) -> None:
    assert cut_short(text, whole) is cut
