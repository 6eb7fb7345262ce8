"""Round 16 probes of the Hindi edition end to end: what a reader of its stories met, kept as regression tests."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import extract
from tests.conftest import PAGES
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, HINDI_BUDGET, Case

HEADLINE = HINDI_BUDGET.headline
SITE_NAME = "बिजनेस स्टैंडर्ड"


def _case(folder: str) -> Case:
    return next(c for c in CASES if c.folder == folder)


def _html(folder: str) -> str:
    case = _case(folder)
    return page_bytes(case, PAGES / case.folder).decode("utf-8")


DESKTOP = "hindi-2020/budget-166607"
AMP = "amp/hindi-budget-166607"


def _without_shown_headline(html: str) -> str:
    """The page with neither its h1's text nor og:title: JSON-LD's headline (the site's name in front) is all there is."""
    html = re.sub(r'<meta property="og:title" content="[^"]*"\s*/?>', "", html)
    return re.sub(r"(<h1[^>]*>)[^<]*(</h1>)", r"\1\2", html)


# --- the site's name in front of JSON-LD's headline ----------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        f"{SITE_NAME} {HEADLINE}",  # as the 2020 pages' JSON-LD writes it
        f"{SITE_NAME} - {HEADLINE}",  # as their <title> does
        f"{SITE_NAME}: {HEADLINE}",
        f"बिज़नेस स्टैंडर्ड {HEADLINE}",  # ज़ with its nukta, decomposed
        f"बि\u095bनेस स्टैंडर्ड {HEADLINE}",  # ज़ precomposed
    ],
    ids=["json-ld", "title-dash", "colon", "nukta", "nukta-precomposed"],
)
@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_a_headline_read_from_json_ld_is_without_the_site_name_in_front(folder: str, written: str) -> None:
    html = _without_shown_headline(_html(folder)).replace(f"{SITE_NAME} {HEADLINE}", written)
    article = extract(html, _case(folder).url).article
    assert article.headline == HEADLINE


def test_a_hindi_page_read_by_the_generic_layout_has_no_site_name_in_its_headline() -> None:
    # No h1 at all and no og:title: no table layout to read, JSON-LD only (the mobile twin, a redesign).
    html = re.sub(r"<h1[^>]*>[^<]*</h1>", "", _without_shown_headline(_html(DESKTOP)))
    extraction = extract(html, _case(DESKTOP).url)
    assert extraction.article.layout == "generic"
    assert extraction.article.headline == HEADLINE


@pytest.mark.parametrize("folder", [DESKTOP, AMP])
def test_a_json_ld_headline_of_the_site_name_alone_is_no_headline(folder: str) -> None:
    # A template whose headline field was empty: "बिजनेस स्टैंडर्ड " is the site's name, not a story's title.
    html = _without_shown_headline(_html(folder)).replace(f"{SITE_NAME} {HEADLINE}", f"{SITE_NAME} ")
    try:
        article = extract(html, _case(folder).url).article
    except Exception as error:  # noqa: BLE001 - refused as no article is as good as no headline
        assert type(error).__name__ == "NotAnArticle"
        return
    assert article.headline != SITE_NAME


def test_a_headline_that_begins_with_the_site_name_on_the_page_keeps_it() -> None:
    # A story about the paper itself, as its h1 and og:title show it: nothing of it is cut.
    own = f"{SITE_NAME} के पाठकों के लिए एक पत्र"
    html = _html(DESKTOP).replace(HEADLINE, own)
    assert extract(html, _case(DESKTOP).url).article.headline == own
