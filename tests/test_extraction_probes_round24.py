"""Probes of the dates a story's page shows under other labels than "First Published" / "Last Updated"
("Published On", "Updated On", the Hindi edition's), with the label and the date in elements of their
own, or both dates on one line in either order."""

from __future__ import annotations

import json

import pytest

from crawler.extraction import Extraction, extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_round15 import AMP, NEXT

GENERIC = "generic/jsonld-unknown-layout"

# The Next.js and AMP seeds show both dates as 3:42 PM of Feb 28 2024; each line below stands in for one.
NEXT_PUBLISHED = '<div class="MainStory_publishdate__Zx9Y8">First Published: Feb 28 2024 | 3:42 PM IST</div>'
NEXT_UPDATED = '<div class="MainStory_metainfo__Wd4Fv meta-info" data-expandedtime="Feb 28 2024 | 3:42 PM IST"><span>2 min read</span> Last Updated : Feb 28 2024 | 3:42 PM IST</div>'
AMP_PUBLISHED = "<div>First Published: Feb 28 2024 | 3:42 PM IST</div>"
AMP_UPDATED = '<div class="meta-info">2 min read Last Updated : Feb 28 2024 | 3:42 PM IST</div>'
SHOWN = "Feb 28 2024 | 3:42 PM IST"
LATER = "Feb 28 2024 | 5:10 PM IST"


def _next_js(published: str, updated: str) -> Extraction:
    html, url, _ = _fixture(NEXT)
    html = _once(_once(html, NEXT_PUBLISHED, published), NEXT_UPDATED, updated)
    return extract(html.encode(), url)


def _amp(published: str, updated: str) -> Extraction:
    html, url, _ = _fixture(AMP)
    html = _once(_once(html, AMP_PUBLISHED, published), AMP_UPDATED, updated)
    return extract(html.encode(), url)


def _generic(lines: str, *, ld_dates: bool = False, ld_published: str = "2026-05-12T16:20:00+05:30") -> Extraction:
    """The redesign no layout knows, its JSON-LD without dates (or with them), these lines after its headline."""
    html, url, _ = _fixture(GENERIC)
    html = _once(html, '"datePublished": "2026-05-12T16:20:00+05:30", ', f'"datePublished": "{ld_published}", ' if ld_dates else "")
    if not ld_dates:
        html = _once(html, ', "dateModified": "2026-05-12T17:02:45+05:30"', "")
    return extract(_once(html, "</h1>", "</h1>" + lines).encode(), url)


# --- the publication date under another label, or drawn apart from its label ---------------------------

PUBLISHED_FORMS = [
    "Published On: {date}",
    "Published on : {date}",
    "<span>First Published:</span> <span>{date}</span>",
    "<span>First Published</span><span>{date}</span>",
    "<span><b>Published On</b></span><span>{date}</span>",
    "<span>Published On:</span><time>{date}</time>",
]
PUBLISHED_IDS = ["published-on", "published-on-lowercase", "label-span-date-span", "no-colon", "label-two-levels-down", "date-in-time"]


@pytest.mark.parametrize("form", PUBLISHED_FORMS, ids=PUBLISHED_IDS)
def test_a_next_js_publication_date_under_another_label_or_apart_from_it_is_read(form: str) -> None:
    # Before: datePublishedRaw null (the text after "First Published" in the label's own element was
    # empty, and "Published On" no label), the date a reader sees lost from the item.
    found = _next_js(f'<div class="MainStory_publishdate__Zx9Y8">{form.format(date=SHOWN)}</div>', NEXT_UPDATED).article
    assert (found.datePublishedRaw, found.datePublished) == (SHOWN, "2024-02-28T15:42:00+05:30")


@pytest.mark.parametrize("form", PUBLISHED_FORMS, ids=PUBLISHED_IDS)
def test_an_amp_publication_date_under_another_label_or_apart_from_it_is_read(form: str) -> None:
    found = _amp(f"<div>{form.format(date=SHOWN)}</div>", AMP_UPDATED).article
    assert (found.datePublishedRaw, found.datePublished) == (SHOWN, "2024-02-28T15:42:00+05:30")


@pytest.mark.parametrize("form", PUBLISHED_FORMS, ids=PUBLISHED_IDS)
def test_a_page_of_no_known_layout_dated_only_on_the_page_keeps_its_publication_date(form: str) -> None:
    # Before: no date at all, and the story dropped as missing its datePublished (a lost article).
    found = _generic("<p>" + form.format(date="May 12 2026 | 4:20 PM IST") + "</p>")
    assert (found.article.datePublishedRaw, found.article.datePublished) == ("May 12 2026 | 4:20 PM IST", "2026-05-12T16:20:00+05:30")
    assert found.provenance.sources["datePublished"] == "dom"
    assert found.article.articleBody == _fixture(GENERIC)[2]["articleBody"]


HINDI_PUBLISHED = [
    ("प्रकाशित: 12 मई 2026, 4:20 PM IST", "12 मई 2026, 4:20 PM IST"),
    ("प्रकाशित तिथि: १२ मई २०२६, ४:२० अपराह्न", "१२ मई २०२६, ४:२० अपराह्न"),
    ("पहली बार प्रकाशित : 12 मई, 2026 | 04:20 PM", "12 मई, 2026 | 04:20 PM"),
]


@pytest.mark.parametrize(("line", "shown"), HINDI_PUBLISHED, ids=["label-colon", "label-tithi-devanagari-digits", "first-time-published"])
def test_a_publication_date_under_its_hindi_label_is_read(line: str, shown: str) -> None:
    found = _generic(f"<p>{line}</p>").article
    assert (found.datePublishedRaw, found.datePublished) == (shown, "2026-05-12T16:20:00+05:30")


# --- the update date under another label, or drawn apart from it -----------------------------------------

UPDATED_FORMS = [
    "Updated On : {date}",
    "Updated on: {date}",
    "<span>Last Updated :</span> <span>{date}</span>",
    "<span>Last Updated</span><span>{date}</span>",
    "अपडेटेड: {date}",
    "अपडेट: {date}",
]
UPDATED_IDS = ["updated-on", "updated-on-lowercase", "label-span-date-span", "no-colon", "hindi-updated", "hindi-update"]


@pytest.mark.parametrize("form", UPDATED_FORMS, ids=UPDATED_IDS)
def test_a_next_js_update_date_under_another_label_or_apart_from_it_is_read(form: str) -> None:
    # (Without the meta-info's data-expandedtime, which stands in for a line holding no date.)
    found = _next_js(NEXT_PUBLISHED, f'<div class="MainStory_metainfo__Wd4Fv meta-info"><span>2 min read</span> {form.format(date=LATER)}</div>').article
    assert found.dateModifiedRaw == LATER


@pytest.mark.parametrize("form", UPDATED_FORMS, ids=UPDATED_IDS)
def test_a_page_of_no_known_layout_shows_its_update_date_under_another_label(form: str) -> None:
    found = _generic("<p>First Published: May 12 2026 | 4:20 PM IST</p><p>" + form.format(date="May 12 2026 | 5:02 PM IST") + "</p>").article
    assert (found.dateModifiedRaw, found.dateModified) == ("May 12 2026 | 5:02 PM IST", "2026-05-12T17:02:00+05:30")


# --- both dates on one line, in either order ---------------------------------------------------------------

BOTH_LINES = [
    f"First Published: {SHOWN} | Last Updated : {LATER}",
    f"Last Updated : {LATER} | First Published: {SHOWN}",
    f"Published On: {SHOWN} Updated On: {LATER}",
    f"Updated On: {LATER} | Published On: {SHOWN}",
]
BOTH_IDS = ["published-then-updated", "updated-then-published", "on-labels", "on-labels-updated-first"]


@pytest.mark.parametrize("line", BOTH_LINES, ids=BOTH_IDS)
def test_a_next_js_line_of_both_dates_gives_each_its_own(line: str) -> None:
    # Before: each raw the rest of the line after the first label ("Feb 28 2024 | 5:10 PM IST |
    # First Published: Feb 28 2024 | 3:42 PM IST" as datePublishedRaw), or null.
    found = _next_js("", f'<div class="MainStory_metainfo__Wd4Fv meta-info"><span>2 min read</span> {line}</div>').article
    assert (found.datePublishedRaw, found.dateModifiedRaw) == (SHOWN, LATER)


@pytest.mark.parametrize("line", BOTH_LINES, ids=BOTH_IDS)
def test_an_amp_line_of_both_dates_gives_each_its_own(line: str) -> None:
    found = _amp("", f'<div class="meta-info">2 min read {line}</div>').article
    assert (found.datePublishedRaw, found.dateModifiedRaw) == (SHOWN, LATER)


@pytest.mark.parametrize("line", BOTH_LINES, ids=BOTH_IDS)
def test_a_line_of_both_dates_dates_a_page_of_no_known_layout(line: str) -> None:
    # Before: the publication date read from the whole rest of the line: no date, the story dropped.
    found = _generic(f"<p>{line}</p>").article
    assert (found.datePublished, found.dateModified) == ("2024-02-28T15:42:00+05:30", "2024-02-28T17:10:00+05:30")


# --- what is not taken ---------------------------------------------------------------------------------------

def test_a_story_s_own_words_before_a_date_are_no_label() -> None:
    # The other labels are words a story may use: only a date right after them is a date the page shows.
    found = _generic("<p>Published on Monday, the survey covered 28 Feb 2024 to May 2026.</p><p>अपडेट के बाद 12 मई 2026 को बाज़ार खुला।</p>")
    assert (found.article.datePublished, found.article.datePublishedRaw, found.article.dateModifiedRaw) == (None, None, None)


@pytest.mark.parametrize("ld_published", ["2026-05-12T10:50:00Z", "2026-05-12T10:50:00.000+00:00", "Tue, 12 May 2026 10:50:00 GMT"])
@pytest.mark.parametrize("label", ["First Published:", "Published On:", "प्रकाशित:"])
def test_the_same_instant_in_utc_and_on_the_page_in_ist_is_no_disagreement(label: str, ld_published: str) -> None:
    # The structured data in UTC, the page in IST: one instant, so neither a disagreement counted
    # (article/disagree/datePublished) nor another date.
    found = _generic(f"<p>{label} May 12 2026 | 4:20 PM IST</p>", ld_dates=True, ld_published=ld_published)
    assert (found.article.datePublished, found.article.datePublishedRaw) == ("2026-05-12T16:20:00+05:30", "May 12 2026 | 4:20 PM IST")
    assert "datePublished" not in found.provenance.disagreements


def test_the_fixtures_dates_are_read_as_before() -> None:
    # The usual labels in their usual places give what the test pages expect (each field is checked in
    # test_extraction_pages; here the raw texts, which this round's reading changed).
    for folder in (NEXT, AMP):
        html, url, expected = _fixture(folder)
        found = extract(html.encode(), url).article
        assert json.loads(json.dumps([found.datePublishedRaw, found.dateModifiedRaw])) == [expected["datePublishedRaw"], expected["dateModifiedRaw"]]
