"""Probes of the current site's pages (Next.js and AMP) in variants its CMS could serve: a related list
written with AMP links, other slugs and a "View more" link, an inline "Also Read" in bold without its
class, and JSON-LD naming the publisher as the author. Each checked against what a reader writes down."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once
from tests.test_extraction_probes_nextjs import _with_data

RELATED_BOX = re.compile(r'<div class="MainStory_alsoreadbox__Uu3Pa alsoreadbox">.*?</div>', re.S)
OTHER = "https://www.business-standard.com/companies/news/ev-makers-seek-extension-of-fame-subsidy-124070800259_1.html"
SELF_PATH = "/companies/news/tata-motors-and-mahindra-step-up-ev-capacity-ahead-of-festive-demand-124071000934_1.html"

RELATED_FORMS = {
    # the cards' links → what a reader writes down: one story, by its canonical URL
    "amp-and-canonical": f'<li><a href="/amp{OTHER[33:]}">EV makers seek extension of FAME subsidy</a></li><li><a href="{OTHER}">EV makers seek extension of FAME subsidy</a></li>',
    "other-slug": f'<li><a href="{OTHER}">EV makers seek extension of FAME subsidy</a></li><li><a href="/a/a-124070800259_1.html">EV makers seek extension of FAME subsidy</a></li>',
    "fragment": f'<li><a href="{OTHER}#comments">EV makers seek extension of FAME subsidy</a></li>',
    "self-as-amp": f'<li><a href="/amp{SELF_PATH}">Tata Motors and Mahindra step up EV capacity</a></li><li><a href="{OTHER}">EV makers seek extension of FAME subsidy</a></li>',
    "self-other-slug": f'<li><a href="/a/a-124071000934_1.html">Tata Motors and Mahindra step up EV capacity</a></li><li><a href="{OTHER}">EV makers seek extension of FAME subsidy</a></li>',
    "view-more": f'<li><a href="{OTHER}">EV makers seek extension of FAME subsidy</a></li><li><a href="/companies/news">View more</a></li>',
}


@pytest.mark.parametrize("cards", RELATED_FORMS.values(), ids=RELATED_FORMS.keys())
def test_the_related_list_gives_each_story_once_by_its_canonical_url_and_only_stories(cards: str) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html, replaced = RELATED_BOX.subn(f'<div class="MainStory_alsoreadbox__Uu3Pa alsoreadbox"><h2>More From This Section</h2><ul>{cards}</ul></div>', html)
    assert replaced == 1
    related = extract(html.encode(), url).article.alsoRead
    assert [(r.headline, r.url) for r in related] == [("EV makers seek extension of FAME subsidy", OTHER)]


INLINE_PROMOS = {
    "bold-mid-paragraph": "<p>Intro of the story. <strong>Also Read: <a href='/x-124070800259_1.html'>EV makers seek extension</a></strong> The story goes on.</p>",
    "b-caps-mid-paragraph": "<p>Intro of the story. <b>ALSO READ | <a href='/x-124070800259_1.html'>EV makers seek extension</a></b> The story goes on.</p>",
    "dash-line": "<p>Intro of the story. The story goes on.</p><p>Also Read \u2014 <a href='/x-124070800259_1.html'>EV makers seek extension</a></p>",
}


@pytest.mark.parametrize("markup", INLINE_PROMOS.values(), ids=INLINE_PROMOS.keys())
def test_an_inline_also_read_without_its_class_stays_out_of_the_story_and_the_story_around_it_stays(markup: str) -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html = _with_data(html, lambda data: data.update(htmlContent=markup + "<p>Last line of the story.</p>"))
    result = extract(html.encode(), url)
    assert result.article.articleBody == "Intro of the story. The story goes on.\nLast line of the story."
    assert result.provenance.sources["articleBody"] == "next"


def test_a_bold_phrase_with_a_link_that_is_no_promo_stays() -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    markup = "<p>Intro. <strong>Also at stake: <a href='/topic/ev'>EV subsidies</a></strong> and more.</p><p><b>Read</b> the <a href='/x'>note</a>.</p>"
    html = _with_data(html, lambda data: data.update(htmlContent=markup))
    assert extract(html.encode(), url).article.articleBody == "Intro. Also at stake: EV subsidies and more.\nRead the note."


LD_AUTHORS = re.compile(r'"author": \[.*?\](?=, "keywords")')


@pytest.mark.parametrize("publisher_ref", [False, True], ids=["inline", "by-reference"])
def test_json_ld_naming_the_publisher_as_author_does_not_hide_the_byline(publisher_ref: bool) -> None:
    html, url, expected = _fixture("nextjs-2023/staff-multi-author")
    html, replaced = LD_AUTHORS.subn('"author": {"@type": "Organization", "name": "Business Standard", "url": "https://www.business-standard.com"}', html)
    assert replaced == 1
    if publisher_ref:  # the publisher given by @id, as a graph of the site's blocks writes it
        html = _once(html, '"publisher": {"@type": "Organization", "name": "Business Standard", "url": "https://www.business-standard.com"}', '"publisher": {"@id": "https://www.business-standard.com/#org"}')
        html = _once(html, '{"@context": "https://schema.org", "@type": "Organization", "name": "Business Standard",', '{"@context": "https://schema.org", "@type": "Organization", "@id": "https://www.business-standard.com/#org", "name": "Business Standard",')
    # The article JSON names nobody: the page's byline does.
    html = _with_data(html, lambda data: data.update(authorDetails=[], articleMappedMultipleAuthors={}, authorName="", sourceTitle=""))
    result = extract(html.encode(), url)
    assert [a.__dict__ for a in result.article.authors] == expected["authors"]
    assert result.provenance.sources["authors"] == "dom"


def test_an_agency_or_desk_named_as_an_organization_author_is_still_the_author() -> None:
    html, url, _ = _fixture("nextjs-2023/staff-multi-author")
    html, replaced = LD_AUTHORS.subn('"author": {"@type": "Organization", "name": "BS Web Team"}', html)
    assert replaced == 1
    html = _with_data(html, lambda data: data.update(authorDetails=[], articleMappedMultipleAuthors={}, authorName="", sourceTitle=""))
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == ["BS Web Team"]
    assert result.provenance.sources["authors"] == "ld"
