"""Behaviour of the generic, pre-2023 and Hindi 2020 layouts that a one-operator change to their rules
would break: each test pins what a reader of such a page writes down, at the edge a rule decides."""

from __future__ import annotations

import pytest

from crawler.extraction import NotAnArticle, extract
from tests.test_extraction_probes_more import _fixture, _once

# --- generic ------------------------------------------------------------------------------------

OPENGRAPH = "generic/opengraph-article"
OG_TYPE = '<meta property="og:type" content="article">'
STORY_START = "<article><h1>GST collections rise 9% in April</h1>"
STORY_FIRST = "Gross GST collections rose 9 per cent to a record in April, official data showed on Friday."
# Another story's teaser in an <article> of its own, as many CMSs list "Top stories".
TEASERS = (
    "<article><h2>Top stories</h2>"
    + "".join(f"<p>Teaser number {n}: markets, companies and the economy in one long line of text.</p>" for n in range(12))
    + "</article>"
)


@pytest.mark.parametrize("og_type", ["website", "video.other", ""], ids=["website", "video", "empty"])
def test_an_opengraph_page_that_is_not_of_type_article_is_no_item(og_type: str) -> None:
    """A title alone is on every page (a section, the home page): only ``og:type=article`` makes an
    article of a page with no JSON-LD."""
    html, url, _ = _fixture(OPENGRAPH)
    with pytest.raises(NotAnArticle) as raised:
        extract(_once(html, OG_TYPE, f'<meta property="og:type" content="{og_type}">').encode(), url)
    assert raised.value.reason == "unknown-layout"


def test_an_opengraph_article_needs_its_title() -> None:
    html, url, _ = _fixture(OPENGRAPH)
    html = _once(html, '<meta property="og:title" content="GST collections rise 9% in April">', "")
    with pytest.raises(NotAnArticle) as raised:
        extract(html.encode(), url)
    assert raised.value.reason == "unknown-layout"


def test_of_two_articles_the_story_is_the_one_holding_the_headline_even_when_it_comes_second() -> None:
    html, url, expected = _fixture(OPENGRAPH)
    promo = "<article><p>Subscribe to our newsletter for the day's top stories.</p></article>"
    result = extract(_once(html, STORY_START, promo + STORY_START).encode(), url)
    assert result.article.articleBody == expected["articleBody"]


def test_the_story_holding_the_headline_wins_over_a_longer_article_of_teasers() -> None:
    html, url, expected = _fixture(OPENGRAPH)
    for teasers_first in (True, False):
        page = _once(html, STORY_START, TEASERS + STORY_START) if teasers_first else _once(html, "<footer>", TEASERS + "<footer>")
        result = extract(page.encode(), url)
        assert result.article.articleBody == expected["articleBody"]
        assert "Teaser number" not in (result.article.articleBody or "")



def test_a_generic_page_whose_headline_has_the_pre_2023_class_stays_generic() -> None:
    """``h1.headline`` alone is a common class name: the pre-2023 layout also needs its story's
    ``span.p-content`` or its ``article:content_tier`` meta."""
    html, url, expected = _fixture(OPENGRAPH)
    result = extract(_once(html, "<h1>", '<h1 class="headline">').encode(), url)
    assert result.article.layout == "generic" and result.article.articleBody == expected["articleBody"]


# --- pre-2023 -----------------------------------------------------------------------------------

PREMIUM = "pre2023/synthetic-premium"
SECTION_CRUMB = ' &raquo; <a href="/markets" class="bact">Markets News</a>'


def test_a_pre_2023_trail_of_home_alone_names_no_section_and_costs_nothing_else() -> None:
    html, url, expected = _fixture(PREMIUM)
    html = _once(_once(html, '"articleSection": "Markets News", ', ""), SECTION_CRUMB, "")
    result = extract(html.encode(), url)
    assert result.article.section is None and "section" not in result.provenance.sources
    assert result.article.headline == expected["headline"] and result.article.articleBody == expected["articleBody"]


def test_a_pre_2023_section_is_the_trail_s_second_step_when_json_ld_names_none() -> None:
    html, url, _ = _fixture(PREMIUM)
    deeper = SECTION_CRUMB + ' &raquo; <a href="/markets/stock-market-news" class="bact">Stock Market News</a>'
    result = extract(_once(_once(html, '"articleSection": "Markets News", ', ""), SECTION_CRUMB, deeper).encode(), url)
    assert result.article.section == "Markets News" and result.provenance.sources["section"] == "dom"


REAL = "pre2023/real-2019-01-18"
HERO_SRC = 'class="imgCont" height="464" src="https://bsmedia.business-standard.com/_media/bs/img/article/2019-01/18/full/1547811933-6131.jpg"'


@pytest.mark.parametrize("src", ['src="data:image/gif;base64,R0lGODlhAQABAAAAACw="', 'src=""', ""], ids=["placeholder", "empty", "none"])
def test_a_pre_2023_hero_that_shows_no_file_leaves_the_picture_to_the_structured_data(src: str) -> None:
    html, url, expected = _fixture(REAL)
    image = expected["mainImage"]
    assert isinstance(image, dict)
    result = extract(_once(html, HERO_SRC, f'class="imgCont" height="464" {src}').encode(), url)
    assert result.article.mainImage is not None and result.article.mainImage.url == image["url"]
    assert result.provenance.sources["mainImage"] in {"ld", "meta"}


# --- Hindi 2020 ---------------------------------------------------------------------------------

HINDI = "hindi-2020/budget-166607"
# A side column of the page's table: a widget written as the story's cell is (a script, then divs).
SIDE_COLUMN = (
    "<table><tr><td width='300'><script>var mostRead = 1;</script>"
    "<div>सबसे ज्यादा पढ़ी गई: सेंसेक्स 300 अंक चढ़ा</div><p align='justify'>बाजार की और खबरें</p></td></tr></table>"
)


def test_a_hindi_story_s_body_is_read_in_its_own_cell_not_the_page_s_side_columns() -> None:
    html, url, expected = _fixture(HINDI)
    result = extract(_once(html, '<div id="zd1e">', SIDE_COLUMN + '<div id="zd1e">').encode(), url)
    assert result.article.articleBody == expected["articleBody"]
    assert "सबसे ज्यादा" not in (result.article.articleBody or "")
