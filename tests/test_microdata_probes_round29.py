"""Round 29's microdata probes: the story's own item, its ``<meta itemprop>`` the page's, on every layout; a teaser card's still not."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import pytest

from crawler.extraction import Article, NotAnArticle, extract
from tests.conftest import PAGES, shared_file
from tests.pages.build import page_bytes
from tests.pages.cases import CASES, Case

# What a story's microdata item states of it in <meta itemprop> tags, values the page states nowhere else.
METAS = {
    "datePublished": "2021-03-04T05:06:00+05:30",
    "dateModified": "2021-03-05T07:08:00+05:30",
    "description": "The story's own summary, as its item states it",
    "author": "Item Author",
    "keywords": "Item Topic One, Item Topic Two",
}
FIELDS = ("datePublished", "dateModified", "description", "authors", "topics")
NEWS_ARTICLE = '<{tag} itemscope itemtype="https://schema.org/NewsArticle">'
OTHER_STORY = "https://www.business-standard.com/markets/news/sensex-falls-2-per-cent-126050100101_1.html"

_LD = re.compile(r"<script[^>]*application/ld\+json[^>]*>.*?</script>", re.S | re.I)
# The page's own tags of the same fields (OpenGraph's, the named metas, the Last-Modified header's copy).
_OPEN_GRAPH = re.compile(
    r'<meta[^>]*(?:property|name|http-equiv)="(?:article:published_time|article:modified_time|og:description|description'
    r'|author|keywords|news_keywords|Last-Modified|article:tag|article:author)"[^>]*>',
    re.I,
)
_ITEMPROP_METAS = re.compile(r"<meta[^>]*\bitemprop=[^>]*>", re.I)
_BODY = re.compile(r"<body[^>]*>", re.I)

ARTICLE_CASES = [pytest.param(case, id=case.folder) for case in CASES if case.not_article is None]


def _page(case: Case) -> str:
    if case.shared:
        shared_file(case.shared)  # skips with the reason when ../shared is absent
    return page_bytes(case, PAGES / case.folder).decode("utf-8")


def _tags(metas: dict[str, str]) -> str:
    return "".join(f'<meta itemprop="{name}" content="{value}">' for name, value in metas.items())


def _around_story(html: str, inside: str, tag: str = "div") -> str:
    """``html`` with everything in its body inside one NewsArticle item (the story's), ``inside`` first in it."""
    opened = _BODY.search(html)
    assert opened is not None and "</body>" in html
    at = opened.end()
    return html[:at] + NEWS_ARTICLE.format(tag=tag) + inside + html[at:].replace("</body>", f"</{tag}></body>", 1)


def _fields(html: str, url: str) -> dict[str, Any] | str:
    try:
        article = extract(html, url).article
    except NotAnArticle as error:
        return f"not an article: {error.reason}"
    found = {name: getattr(article, name) for name in FIELDS}
    found["authors"] = [author.name for author in article.authors]
    return found


def _without(html: str, ld: bool, open_graph: bool) -> str:
    html = _ITEMPROP_METAS.sub("", html)
    if not ld:
        html = _LD.sub("", html)
    if not open_graph:
        html = _OPEN_GRAPH.sub("", html)
    return html


@pytest.mark.parametrize("open_graph", [True, False], ids=["opengraph", "no-opengraph"])
@pytest.mark.parametrize("ld", [True, False], ids=["json-ld", "no-json-ld"])
@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_the_story_s_own_item_states_what_the_page_s_metas_state(case: Case, ld: bool, open_graph: bool) -> None:
    # The story's item (every element of the page's body inside it, its headline and its body) holding its
    # date, summary, author and keywords as <meta itemprop> gives the item those same tags in the head give.
    # Before: they were read as a teaser card's, not at all: a Hindi page without JSON-LD had no
    # dateModified, without OpenGraph no summary (or JSON-LD's, cut at 200 bytes), and a page of no known
    # layout lost its topics.
    html = _without(_page(case), ld, open_graph)
    in_head = html.replace("</head>", _tags(METAS) + "</head>", 1)
    assert _fields(_around_story(html, _tags(METAS)), case.url) == _fields(in_head, case.url)


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_a_teaser_card_s_metas_are_still_not_the_page_s(case: Case) -> None:
    # The rule the story's item must not undo: a card of a "more stories" rail, naming its own story by
    # its url, states none of this story's fields, on any layout.
    html = _without(_page(case), ld=False, open_graph=False)
    card = NEWS_ARTICLE.format(tag="div") + f'<meta itemprop="url" content="{OTHER_STORY}"><h3 itemprop="headline">Sensex falls 2 per cent</h3>' + _tags(METAS) + "</div>"
    with_card = html.replace("</body>", card + "</body>", 1)
    assert _fields(with_card, case.url) == _fields(html, case.url)


def _hindi() -> tuple[str, str]:
    case = next(c for c in CASES if c.folder == "hindi-2020/budget-166607")
    return _without(_page(case), ld=False, open_graph=False), case.url


@pytest.mark.parametrize("tag", ["div", "article"])
def test_a_hindi_story_s_own_item_gives_its_summary_and_its_update(tag: str) -> None:
    html, url = _hindi()
    fields = _fields(_around_story(html, _tags(METAS), tag), url)
    assert isinstance(fields, dict)
    assert (fields["description"], fields["dateModified"]) == (METAS["description"], METAS["dateModified"])


def test_the_item_the_canonical_names_is_the_story_s_though_its_headline_is_outside_it() -> None:
    # An item holding neither the headline nor a body of its own, but naming the page (its url the page's
    # canonical): the story's, as a template writes it beside the story's markup.
    html, url = _hindi()
    item = NEWS_ARTICLE.format(tag="div") + f'<link itemprop="mainEntityOfPage" href="{url}">' + _tags(METAS) + "</div>"
    fields = _fields(html.replace("</body>", item + "</body>", 1), url)
    assert isinstance(fields, dict)
    assert (fields["description"], fields["dateModified"]) == (METAS["description"], METAS["dateModified"])


def test_of_two_unlinked_items_neither_is_the_story_s() -> None:
    # Two article items, neither naming a page nor holding the headline: which one is the story's the page
    # does not say, so neither's metas are read (a listing's cards drawn without links).
    html, url = _hindi()
    items = "".join(NEWS_ARTICLE.format(tag="div") + _tags(METAS) + "</div>" for _ in range(2))
    assert _fields(html.replace("</body>", items + "</body>", 1), url) == _fields(html, url)


def _generic() -> tuple[str, str]:
    case = next(c for c in CASES if c.folder == "generic/opengraph-article")
    return _page(case), case.url


def test_a_page_of_no_known_layout_reads_its_story_item_s_keywords_as_its_topics() -> None:
    html, url = _generic()
    article: Article = extract(_around_story(html, _tags({"keywords": METAS["keywords"]}), "article"), url).article
    assert article.topics == ["Item Topic One", "Item Topic Two"]


def test_the_real_2019_page_reads_the_same_with_its_metas_in_its_story_s_item() -> None:
    # The real pre-2023 page states its date, summary, picture and keywords as <meta itemprop> in its head; a
    # template that moves them into the story's item (around the whole story) gives the same article.
    case = next(c for c in CASES if c.folder == "pre2023/real-2019-01-18")
    html = _page(case)
    own = "".join(_ITEMPROP_METAS.findall(html))
    assert 'itemprop="datePublished"' in own
    moved = _around_story(_ITEMPROP_METAS.sub("", html), own)
    for ld in (True, False):
        page, item = (html, moved) if ld else (_LD.sub("", html), _LD.sub("", moved))
        expected = asdict(extract(page, case.url).article)
        assert asdict(extract(item, case.url).article) == expected
