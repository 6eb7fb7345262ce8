"""A review of round 24's dates under other labels: a related card's or the story's own "Published On" / "Updated On" is no date of the page."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import Extraction, extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round24 import AMP_PUBLISHED, GENERIC, NEXT_PUBLISHED, _amp, _generic, _next_js

OWN = "May 12 2026 | 4:20 PM IST"
OWN_ISO = "2026-05-12T16:20:00+05:30"
CARD = "Jul 8 2024 | 1:00 PM IST"
LD_PUBLISHED, LD_MODIFIED = OWN_ISO, "2026-05-12T17:02:45+05:30"


def _cards(label: str, *, heading: str = "More From This Section", date_first: bool = False) -> str:
    """A related list after the story whose card shows its own story's date under ``label``."""
    date = f"<span>{label} {CARD}</span>"
    link = "<a href='https://www.business-standard.com/companies/news/ev-makers-seek-extension-124070800259_1.html'>EV makers seek extension of FAME subsidy</a>"
    return f"<div><h2>{heading}</h2><ul><li>{date + link if date_first else link + date}</li></ul></div>"


def _in_story(html: str, *, own: str = "") -> Extraction:
    """The generic page with ``html`` as a paragraph of its story (a quoted press release), in its structured
    data's story too, and ``own`` (a line of the page's own date) after its headline."""
    page, url, _ = _fixture(GENERIC)
    story = "<p>The rupee closed at a record low on Tuesday as importers rushed to cover their dollar needs.</p>"
    page = _once(page, story, story + html + "<p>Traders said the central bank sold dollars to slow the fall.</p>")
    # (The structured data's story quotes it too, as the CMS writes it: its paragraphs one a line.)
    quoted = "\\n".join(part for part in re.split("<[^>]+>", html) if part)
    page = _once(page, 'dollar needs.\\nTraders', f"dollar needs.\\n{quoted}\\nTraders")
    if own:
        # The page's own line and no structured dates: the story is dated by its line alone.
        page = _once(_once(page, ', "datePublished": "2026-05-12T16:20:00+05:30"', ""), ', "dateModified": "2026-05-12T17:02:45+05:30"', "")
        page = _once(page, "</h1>", "</h1>" + own)
    return extract(page.encode(), url)


# --- a related card's date ------------------------------------------------------------------------------------
# Before: the other labels were read, as "First Published" is, at their last place on the page: a card of
# "More From This Section" or "Also Read" after the story, dated "Published On …", gave the page its date (a
# story of 2026 written as published in 2024, source dom, no disagreement), and on a page without the label,
# the card's date was the page's datePublishedRaw / dateModifiedRaw (a disagreement counted on AMP).

CARD_LABELS = ["Published On:", "Published on", "प्रकाशित:"]


@pytest.mark.parametrize("date_first", [False, True], ids=["date-after-link", "date-before-link"])
@pytest.mark.parametrize("heading", ["More From This Section", "Also Read"])
@pytest.mark.parametrize("label", CARD_LABELS)
def test_a_related_card_s_publication_date_is_not_the_page_s(label: str, heading: str, date_first: bool) -> None:
    found = _generic(f"<p>{label} {OWN}</p>" + _cards(label, heading=heading, date_first=date_first)).article
    assert (found.datePublishedRaw, found.datePublished) == (OWN, OWN_ISO)
    assert [entry.headline for entry in found.alsoRead] == ["EV makers seek extension of FAME subsidy"]


@pytest.mark.parametrize("label", CARD_LABELS)
def test_a_related_card_s_date_does_not_date_a_page_that_shows_none(label: str) -> None:
    found = _generic(_cards(label), ld_dates=True)
    assert (found.article.datePublishedRaw, found.article.datePublished) == (None, LD_PUBLISHED)
    assert "datePublished" not in found.provenance.disagreements


def _updated_cards(make: str) -> Extraction:
    cards = _cards("Updated On:")
    if make == "next":
        return _next_js(NEXT_PUBLISHED, f"<div>{cards}</div>")
    if make == "amp":
        return _amp(AMP_PUBLISHED, f"<div>{cards}</div>")
    return _generic(f"<p>Published On: {OWN}</p>" + cards)


@pytest.mark.parametrize("make", ["next", "amp", "generic"])
def test_a_related_card_s_update_date_is_not_the_page_s(make: str) -> None:
    # A page showing no update line of its own (a story never updated), a card dated "Updated On" after it.
    found = _updated_cards(make)
    assert found.article.dateModifiedRaw is None
    assert found.article.dateModified != "2024-07-08T13:00:00+05:30"
    assert "dateModified" not in found.provenance.disagreements


# --- the story's own words ----------------------------------------------------------------------------------------
# Before: a press release quoted in the story ("Published On: 12 Jan 2019") was the page's datePublishedRaw, a
# disagreement with its structured date counted; on a page dated only so, the story dated 2019.

STORY_LINES = [
    "<p>Published On: 12 Jan 2019</p>",
    "<blockquote><p>Published On: 12 Jan 2019</p><p>The company announced its results.</p></blockquote>",
    "<p>प्रकाशित: 12 जनवरी 2019</p>",
    "<p>Updated On: 12 Jan 2019</p>",
]
STORY_IDS = ["published-on", "quoted-release", "hindi", "updated-on"]


@pytest.mark.parametrize("line", STORY_LINES, ids=STORY_IDS)
def test_a_date_quoted_in_the_story_is_not_the_page_s(line: str) -> None:
    found = _in_story(line)
    article = found.article
    assert (article.datePublishedRaw, article.dateModifiedRaw) == (None, None)
    assert (article.datePublished, article.dateModified) == (LD_PUBLISHED, LD_MODIFIED)
    assert not found.provenance.disagreements
    assert "12 Jan" in (article.articleBody or "") or "12 जनवरी" in (article.articleBody or "")


@pytest.mark.parametrize(("label", "line"), [("Published On:", STORY_LINES[0]), ("Published On:", STORY_LINES[1]), ("प्रकाशित:", STORY_LINES[2])], ids=STORY_IDS[:3])
def test_the_page_s_own_line_wins_over_a_date_quoted_in_its_story(label: str, line: str) -> None:
    found = _in_story(line, own=f"<p>{label} {OWN}</p>").article
    assert (found.datePublishedRaw, found.datePublished) == (OWN, OWN_ISO)


def test_a_date_line_a_page_of_no_known_layout_reads_as_its_story_s_first_paragraph_still_dates_it() -> None:
    # A page whose story is read from the whole <article> takes the line by its headline in as the story's first
    # paragraph: that line is the page's own, not a quote (the article would be dropped as undated).
    page, url, _ = _fixture("generic/opengraph-article")
    page = re.sub(r'<meta[^>]*(published_time|modified_time)[^>]*>|"date(Published|Modified)": "[^"]*",?', "", page)
    found = extract(_once(page, "</h1>", f"</h1><p>Published On: {OWN}</p>").encode(), url).article
    assert (found.datePublishedRaw, found.datePublished) == (OWN, OWN_ISO)
