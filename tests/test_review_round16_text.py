"""Review of round 16's clean text: the neighbours of its probes (escaped void tags, long references)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.extraction import extract
from crawler.extraction.normalize import clean_text
from tests.loopback.pages import SITE, render_amp, render_current, render_legacy
from tests.pages.cases import HINDI_BUDGET, HINDI_SITE, render_hindi
from tests.pages.specs import SEED

LAYOUTS = ["nextjs", "nextjs-dom", "amp", "pre2023"]


def _page(spec: object, layout: str) -> tuple[str, str]:
    s = spec
    return {
        "nextjs": lambda: (render_current(s), SITE + s.path),  # type: ignore[attr-defined]
        "nextjs-dom": lambda: (render_current(replace(s, html_content=False)), SITE + s.path),  # type: ignore[attr-defined, type-var]
        "amp": lambda: (render_amp(s), SITE + "/amp" + s.path),  # type: ignore[attr-defined]
        "pre2023": lambda: (render_legacy(s), f"{SITE}/article/india-news/{s.slug}-{s.article_id}_1.html"),  # type: ignore[attr-defined]
    }[layout]()


# --- a decimal character reference too long for int(): no article lost ---------------------------
# Python refuses to read more than 4300 decimal digits as a number (a ValueError), which html.unescape
# does not guard against: one such reference anywhere in the text made the article "unreadable" and
# dropped it. A reference beyond U+10FFFF is U+FFFD, as html.unescape makes any out-of-range one.
LONG = "&#" + "1" * 5000 + ";"


def test_a_long_decimal_reference_is_a_replacement_character() -> None:
    assert clean_text(f"Code {LONG} here") == "Code \ufffd here"
    assert clean_text("Code &#" + "0" * 5000 + "39; here") == "Code ' here"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_long_decimal_reference_in_the_story_loses_no_article(layout: str) -> None:
    spec = replace(SEED, paragraphs=[SEED.paragraphs[0], f"Code {LONG} here.", *SEED.paragraphs[2:4]])
    html, url = _page(spec, layout)
    assert extract(html, url).article.articleBody.split("\n")[1] == "Code \ufffd here."


def test_a_long_decimal_reference_in_story_markup_escaped_once_more() -> None:
    from crawler.extraction.layouts.base import story_markup

    assert story_markup(f"&lt;p&gt;Code &amp;{LONG[1:]} here&lt;/p&gt;") == f"<p>Code &{LONG[1:]} here</p>"
    assert story_markup(f"&lt;p&gt;Code {LONG} here&lt;/p&gt;") == "<p>Code \ufffd here</p>"
