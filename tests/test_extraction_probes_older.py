"""Probes of the pre-2023, Hindi 2020 and generic layouts: variants of the real 2019 page and of the
fixtures that the archived or live site could serve, each checked against what a reader of that page
writes down (and the sources the item says answered)."""

from __future__ import annotations

import re

import pytest

from crawler.extraction import extract
from tests.test_extraction_probes_more import _fixture, _once

LD_SCRIPT = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)

# --- pre-2023 -----------------------------------------------------------------------------------

REAL = "pre2023/real-2019-01-18"
PUBLISHED_LINE = "First Published: Fri, January 18 2019. 13:00 IST"


def _without_structured_dates(html: str) -> str:
    """The real page without the JSON-LD and meta dates: the page's own lines are all that is left."""
    html = LD_SCRIPT.sub("", html)
    html = re.sub(r'<meta[^>]*(?:itemprop="date|property="article:(?:published|modified)_time")[^>]*>', "", html)
    assert "2019-01-18T13:00" not in html
    return html


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("First Published: Fri, January 18 2019. 13:00:45 IST", "2019-01-18T13:00:45+05:30"),
        ("First Published: Fri, Jan 18 2019. 13:00 IST", "2019-01-18T13:00:00+05:30"),
        ("First Published: Fri, Jan 18 2019. 13:00:45 IST", "2019-01-18T13:00:45+05:30"),
    ],
    ids=["seconds", "short-month", "short-month-seconds"],
)
def test_the_first_published_line_in_the_site_s_other_forms_gives_the_date(line: str, published: str) -> None:
    html, url, _ = _fixture(REAL)
    html = _once(_without_structured_dates(html), PUBLISHED_LINE, line)
    result = extract(html.encode(), url)
    assert result.article.datePublished == published and result.provenance.sources["datePublished"] == "dom"
    assert result.article.datePublishedRaw == line.removeprefix("First Published: ")


HERO_CLASS = 'class="imgCont" '


@pytest.mark.parametrize("hero_class", ["", 'class="imgFull" '], ids=["no-class", "other-class"])
def test_a_hero_image_without_its_class_keeps_the_alt_and_caption_the_page_shows(hero_class: str) -> None:
    html, url, expected = _fixture(REAL)
    image = expected["mainImage"]
    assert isinstance(image, dict)
    result = extract(_once(html, HERO_CLASS, hero_class).encode(), url)
    found = result.article.mainImage
    assert found is not None and (found.url, found.alt, found.caption) == (image["url"], image["alt"], image["caption"])
    assert result.provenance.sources["mainImage"] == "ld"


BYLINE_LINK = '<a target="_blank" href="/author/search/keyword/press-trust-of-india">Press Trust of India</a>'


def test_a_byline_without_a_link_and_no_json_ld_author_is_read_from_the_author_meta() -> None:
    html, url, _ = _fixture(REAL)
    html = _once(html, BYLINE_LINK, "Reuters")
    html = _once(html, '"author": "Press Trust of India",', "")
    html = _once(html, '<meta name="author" content="Press Trust of India">', '<meta name="author" content="Reuters">')
    result = extract(html.encode(), url)
    assert [(a.name, a.url) for a in result.article.authors] == [("Reuters", None)]
    assert result.provenance.sources["authors"] == "meta"


def test_topic_links_written_absolute_are_the_topics() -> None:
    html, url, expected = _fixture(REAL)
    html = html.replace('<a href="/topic/', '<a href="https://www.business-standard.com/topic/')
    result = extract(html.encode(), url)
    assert result.article.topics == expected["topics"] and result.provenance.sources["topics"] == "dom"


@pytest.mark.parametrize("where", ["byline", "also-read"])
def test_a_link_that_is_no_url_costs_the_link_not_the_article(where: str) -> None:
    html, url, expected = _fixture(REAL)
    related = expected["alsoRead"]
    assert isinstance(related, list)
    if where == "byline":
        html = _once(html, 'href="/author/search/keyword/press-trust-of-india"', 'href="http://[/author/search/keyword/press-trust-of-india"')
    else:
        html = html.replace('<a href="/article/current-affairs/india-shall-lead', '<a href="http://[x/article/current-affairs/india-shall-lead')
    article = extract(html.encode(), url).article
    author_page = "https://www.business-standard.com/author/search/keyword/press-trust-of-india"
    assert [(a.name, a.url) for a in article.authors] == [("Press Trust of India", None if where == "byline" else author_page)]
    assert [r.url for r in article.alsoRead] == [r["url"] for r in related][1 if where == "also-read" else 0 :]
    assert article.articleBody == expected["articleBody"]


# --- Hindi 2020 ---------------------------------------------------------------------------------

HINDI = "hindi-2020/budget-166607"
HINDI_BYLINE = "बीएस संवाददाता / नई दिल्ली&nbsp;February  14, 2020"
HINDI_LD_AUTHOR = '"name": "बीएस संवाददाता"'


@pytest.mark.parametrize("joined", ["अरुणिमा भारद्वाज और ईशान बख्शी", "अरुणिमा भारद्वाज, ईशान बख्शी", "अरुणिमा भारद्वाज & ईशान बख्शी"], ids=["aur", "comma", "ampersand"])
def test_a_joint_hindi_byline_that_json_ld_names_as_one_person_is_no_disagreement(joined: str) -> None:
    # The CMS copies the byline into JSON-LD's one Person: the same two authors, not another opinion.
    html, url, _ = _fixture(HINDI)
    html = _once(html, HINDI_BYLINE, HINDI_BYLINE.replace("बीएस संवाददाता", joined))
    html = _once(html, HINDI_LD_AUTHOR, f'"name": "{joined}"')
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == ["अरुणिमा भारद्वाज", "ईशान बख्शी"]
    assert result.provenance.sources["authors"] == "dom" and "authors" not in result.provenance.disagreements


def test_a_hindi_agency_byline_that_json_ld_names_otherwise_is_a_disagreement() -> None:
    html, url, _ = _fixture(HINDI)
    html = _once(html, HINDI_BYLINE, HINDI_BYLINE.replace("बीएस संवाददाता", "भाषा"))
    result = extract(html.encode(), url)
    assert [a.name for a in result.article.authors] == ["भाषा"] and result.article.dateline == "नई दिल्ली"
    assert "authors" in result.provenance.disagreements


# --- generic ------------------------------------------------------------------------------------

OPENGRAPH = "generic/opengraph-article"
OG_HEADLINE = "<article><h1>GST collections rise 9% in April</h1>"
OG_AUTHOR_META = '<meta name="author" content="BS Reporter">'
MICRODATA_BYLINE = (
    '<p class="byline">By <span itemprop="author" itemscope itemtype="https://schema.org/Person">'
    '<a itemprop="url" href="/author/jane-doe"><span itemprop="name">Jane Doe</span></a></span></p>'
)


def test_a_microdata_author_is_the_author_and_its_byline_is_not_the_story() -> None:
    html, url, expected = _fixture(OPENGRAPH)
    html = _once(_once(html, OG_AUTHOR_META, ""), OG_HEADLINE, OG_HEADLINE + MICRODATA_BYLINE)
    result = extract(html.encode(), url)
    assert [(a.name, a.url) for a in result.article.authors] == [("Jane Doe", "https://www.business-standard.com/author/jane-doe")]
    assert result.provenance.sources["authors"] == "dom"
    assert result.article.articleBody == expected["articleBody"]


COMMENTS = (
    '<section class="comments"><div itemscope itemtype="https://schema.org/Comment"><cite itemprop="author">Ravi K</cite>'
    '<p itemprop="text">Good analysis.</p></div></section>'
)


def test_a_microdata_author_named_by_its_text_alone_is_the_author_and_a_commenter_is_none() -> None:
    html, url, _ = _fixture(OPENGRAPH)
    html = _once(_once(html, OG_AUTHOR_META, ""), OG_HEADLINE, OG_HEADLINE + '<p>By <span itemprop="author">Jane Doe</span></p>')
    html = _once(html, "<footer>", COMMENTS + "<footer>")
    assert [(a.name, a.url) for a in extract(html.encode(), url).article.authors] == [("Jane Doe", None)]


def test_an_article_item_s_author_is_read_and_a_commenter_alone_is_no_author() -> None:
    html, url, _ = _fixture(OPENGRAPH)
    html = _once(html, OG_AUTHOR_META, "")
    item = OG_HEADLINE.replace("<article>", '<article itemscope itemtype="https://schema.org/NewsArticle">')
    scoped = _once(html, OG_HEADLINE, item + '<p class="byline">By <span itemprop="author">Jane Doe</span></p>')
    result = extract(_once(scoped, "<footer>", COMMENTS + "<footer>").encode(), url)
    assert [a.name for a in result.article.authors] == ["Jane Doe"] and result.provenance.sources["authors"] == "dom"
    result = extract(_once(html, "<footer>", COMMENTS + "<footer>").encode(), url)
    assert result.article.authors == [] and "authors" not in result.provenance.sources


def test_an_opengraph_only_page_gives_its_section_and_tags() -> None:
    html, url, _ = _fixture(OPENGRAPH)
    tags = '<meta property="article:section" content="Economy"><meta property="article:tag" content="GST"><meta property="article:tag" content="Tax">'
    result = extract(_once(html, OG_AUTHOR_META, tags + OG_AUTHOR_META).encode(), url)
    assert result.article.section == "Economy" and result.article.topics == ["GST", "Tax"]
    assert result.provenance.sources["section"] == "meta" and result.provenance.sources["topics"] == "meta"
