"""Second read of the round-15 extraction fixes: the cases of each class they missed or made worse, on
the current layout (Next.js) and its AMP twin, one change at a time from a test page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_round15 import AMP, AMP_BYLINE, META_INFO, NEXT, NEXT_BYLINE, OTHER_STORY, _fixture, _once, _with_data, _with_ld

TWO_PEOPLE = [{"@type": "Person", "name": "Shine Jacob"}, {"@type": "Person", "name": "Sohini Das"}]


# --- "A | B": the name after the bar is one of the story's authors, not its dateline ---------------------


@pytest.mark.parametrize("source", ["json-ld", "author-records", "mapped-authors"])
def test_a_next_js_byline_s_name_after_a_bar_that_structured_data_names_as_an_author_is_no_dateline(source: str) -> None:
    # Before: with no placeName, "Shine Jacob | Sohini Das" gave the dateline "Sohini Das", though
    # JSON-LD or the article JSON name her as the story's second author.
    html, url, _ = _fixture(NEXT)
    byline = '<span class="MainStory_dtlauthinfo__Pq2Ws"><span>Shine Jacob | Sohini Das</span></span>'
    people: dict[str, Any] = {
        "author-records": {"authorDetails": [{"author_id": 1, "author_name": "Shine Jacob"}, {"author_id": 2, "author_name": "Sohini Das"}]},
        "mapped-authors": {"articleMappedMultipleAuthors": {"1": "Shine Jacob", "2": "Sohini Das"}},
    }.get(source, {})

    def change(data: dict[str, Any]) -> None:
        for key in ("authorDetails", "articleMappedMultipleAuthors", "placeName"):
            data.pop(key)
        data.update(people)

    html = _with_data(_once(html, NEXT_BYLINE, byline), change)
    html = _with_ld(html, lambda a: a.update(author=TWO_PEOPLE) if source == "json-ld" else a.pop("author"))
    article = extract(html.encode(), url).article
    assert ([a.name for a in article.authors], article.dateline) == (["Shine Jacob", "Sohini Das"], None)


def test_an_amp_byline_s_name_after_a_bar_that_json_ld_names_as_an_author_is_no_dateline() -> None:
    html, url, _ = _fixture(AMP)
    html = _with_ld(_once(html, AMP_BYLINE, '<div class="byline">Shine Jacob | Sohini Das</div>'), lambda a: a.update(author=TWO_PEOPLE))
    article = extract(html.encode(), url).article
    assert ([a.name for a in article.authors], article.dateline) == (["Shine Jacob", "Sohini Das"], None)


# --- the canonical link against JSON-LD's address ---------------------------------------------------------


def test_a_story_merged_into_another_keeps_the_other_s_address_where_only_json_ld_names_the_one_fetched() -> None:
    # A story merged into another, served at its old address: the canonical link and the article JSON
    # name the other story, JSON-LD's address (filled in from the address asked for) the old one.
    # Before: the old address and id, so the other story was written twice, once under each id.
    html, url, expected = _fixture(NEXT)
    own = str(expected["canonicalUrl"])
    html = html.replace(own, OTHER_STORY).replace(str(expected["articleId"]), "124022800611")
    html = _with_ld(html, lambda a: a.update(url=own, mainEntityOfPage={"@type": "WebPage", "@id": own}))
    article = extract(html.encode(), url).article
    assert (article.canonicalUrl, article.articleId) == (OTHER_STORY, "124022800611")



# --- "Last Updated" against the meta-info's data-expandedtime ------------------------------------------------


@pytest.mark.parametrize("shown", ["Feb 28 2024", "28 Feb 2024", "February 28, 2024"])
def test_a_last_updated_line_of_the_day_alone_gives_way_to_the_attribute_s_time_of_that_day(shown: str) -> None:
    # Before: the line's day won over data-expandedtime's full time, and its midnight came before the
    # story's publication: the item had no dateModified at all, where the attribute gave 6:10:35 PM.
    html, url, _ = _fixture(NEXT)
    meta_info = re.sub(r'data-expandedtime="[^"]*"', 'data-expandedtime="2024-02-28T18:10:35+05:30"', META_INFO)
    html = _once(html, META_INFO, meta_info.replace("Last Updated : Feb 28 2024 | 3:42 PM IST", f"Last Updated : {shown}"))
    html = _once(html, '<meta http-equiv="Last-Modified" content="2024-02-28T15:42:00+05:30">', "")
    html = _with_data(_with_ld(html, lambda a: a.pop("dateModified")), lambda d: d.pop("modificationDate", None))
    article = extract(html.encode(), url).article
    assert article.dateModified == "2024-02-28T18:10:35+05:30"


# --- the site's name after a headline ----------------------------------------------------------------------


@pytest.mark.parametrize("folder", [NEXT, AMP])
def test_a_headline_the_page_shows_ending_in_the_site_s_name_keeps_it(folder: str) -> None:
    # A story about the paper itself: its h1, article JSON, JSON-LD and og:title all end in the name.
    # Before: the name was cut from the structured headline, which then disagreed with the page's h1.
    html, url, expected = _fixture(folder)
    headline = "A letter to our readers | Business Standard"
    result = extract(html.replace(str(expected["headline"]), headline).encode(), url)
    assert (result.article.headline, "headline" in result.provenance.disagreements) == (headline, False)
