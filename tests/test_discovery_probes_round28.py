"""Round 28 probes: listing cards linked through short links, and feeds that page their older items.

Before these fixes: a listing card whose only link to its story was the site's short link (``mybs.in/…``)
was dropped whenever another card of the page linked its story by its own address (the page-wide rule
took every short link for a share button), the story never found from that listing; a later section page
whose only short link was a share button or a footer link counted as a page of stories, so the walk went
on to ``pages``, asking for the short link at every page; and an RSS or Atom feed's
``<atom:link rel="next">`` (RFC 5005 paging) was never followed, so a run that fell behind lost the
items the feed had moved to its older pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from crawler import stats as stat
from crawler.extraction.discovery import parse_listing, parse_rss
from crawler.incremental.store import PendingArticle
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.test_spiders_unit import SITE, make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124022800871_1.html"
OTHER = SITE + "/companies/news/tata-results-124022800872_1.html"
THIRD = SITE + "/economy/news/gdp-grows-124022800873_1.html"
SHORT = "https://mybs.in/2ZxYwV"
SHORT_OTHER = "https://mybs.in/3AbCdE"
LATEST = SITE + "/latest-news"
SECTION = SITE + "/markets/news"
SOCIAL = (
    '<a href="https://twitter.com/intent/tweet?url={0}">X</a>'
    '<a href="https://www.facebook.com/sharer/sharer.php?u={0}">f</a>'
    '<a href="https://api.whatsapp.com/send?text={0}">w</a>'
)


def _card(inner: str) -> str:
    return f'<div class="cardlist">{inner}<span>2 min read</span></div>'


def _page(*cards: str, footer: str = "", pager: str = "") -> str:
    return f"<html><head><title>Latest News</title></head><body><main>{''.join(cards)}</main>{pager}<footer>{footer}</footer></body></html>"


def _response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))


def _remember(spider: Any, *identifiers: str) -> None:
    for identifier in identifiers:
        spider.seen_store.add_pending(PendingArticle(identifier, 1, "h", None, None, "before"))
        spider.seen_store.confirm(identifier, "before")


# --- a card linked only through a short link, beside cards linked by the story's own address --------

CARDS_OF_SHORT_LINKS = {
    "headline": f'<h2><a href="{SHORT}">Sensex ends higher</a></h2>',
    "image": f'<a href="{SHORT}"><img src="/img/a.jpg" alt="Sensex"></a><p>Sensex ends higher</p>',
    "headline-and-image": f'<a href="{SHORT}"><img src="/img/a.jpg"></a><h3><a href="{SHORT}?utm_source=card">Sensex ends higher</a></h3>',
    "in-a-list-item": f'<ul><li><h4><a href="{SHORT}">Sensex ends higher</a></h4></li></ul>',
    "headline-saying-share": f'<h2><a href="{SHORT}" title="Tata Steel share price jumps 5%">Share of Tata Steel jumps</a></h2>',
}


@pytest.mark.parametrize("name", sorted(CARDS_OF_SHORT_LINKS))
def test_a_card_linked_only_by_a_short_link_is_listed_beside_cards_of_own_links(name: str) -> None:
    """Before: ``[OTHER, THIRD]``; the story behind the short link never found from the page."""
    html = _page(
        _card(f'<h2><a href="{OTHER}">Tata results</a></h2>'),
        _card(CARDS_OF_SHORT_LINKS[name]),
        _card(f'<h2><a href="{THIRD}">GDP grows</a></h2>'),
    )
    assert parse_listing(html, LATEST).article_urls == [OTHER, SHORT, THIRD]


def test_the_same_cards_as_list_items_are_read_alike() -> None:
    html = _page(
        "<ul>"
        f'<li><h2><a href="{OTHER}">Tata results</a></h2></li>'
        f'<li><a href="{SHORT}"><img src="/a.jpg"></a><h2><a href="{SHORT}">Sensex</a></h2></li>'
        "</ul>"
    )
    assert parse_listing(html, LATEST).article_urls == [OTHER, SHORT]


SHARE_BUTTONS = {
    "beside-the-storys-own-link": f'<h2><a href="{STORY}">Sensex ends higher</a></h2><a href="{SHORT}"><img src="/share.svg"></a>',
    "share-bar": f'<h2><a href="{STORY}">Sensex</a></h2><div class="MainStory_shareicons__x1"><a href="{SHORT_OTHER}"><img src="/i.svg"></a></div>',
    "aria-label": f'<h2><a href="{STORY}">Sensex</a></h2><a aria-label="Share this story" href="{SHORT_OTHER}"><img src="/i.svg"></a>',
    "title": f'<h2><a href="{STORY}">Sensex</a></h2><span><a title="Share" href="{SHORT_OTHER}"><img src="/i.svg"></a></span>',
    "next-to-social-links": f'<h2><a href="{STORY}">Sensex</a></h2><div>{SOCIAL.format(SHORT_OTHER)}<a href="{SHORT_OTHER}"><img src="/c.svg"></a></div>',
}


@pytest.mark.parametrize("name", sorted(SHARE_BUTTONS))
def test_a_share_button_is_still_no_card(name: str) -> None:
    """A short link in a card that links its story by its own address, or in a share bar, is a share button."""
    html = _page(_card(SHARE_BUTTONS[name]), _card(f'<h2><a href="{OTHER}">Tata results</a></h2>'))
    assert parse_listing(html, LATEST).article_urls == [STORY, OTHER]


def test_a_share_bar_on_a_page_of_short_link_cards_is_left_out() -> None:
    """On a page whose cards link only short links, the page's own share bar is no card either."""
    html = _page(
        _card(f'<h2><a href="{SHORT}">Sensex</a></h2>'),
        f'<div class="sharebar">{SOCIAL.format(LATEST)}<a href="https://mybs.in/9LiStP" aria-label="Share">s</a></div>',
    )
    assert parse_listing(html, LATEST).article_urls == [SHORT]


def test_latest_follows_the_short_link_of_a_card_beside_own_links(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    html = _page(_card(f'<h2><a href="{OTHER}">Tata</a></h2>'), _card(f'<h2><a href="{SHORT}">Sensex</a></h2>'))
    requests = list(spider.parse_listing_page(_response(LATEST, html)))
    assert [r.url for r in requests] == [OTHER, SHORT]
    assert requests[1].callback == spider.parse_short_link


# --- a listing whose only short link is a share button or a footer link is empty ---------------------

EMPTY_BUT_FOR = {
    "share-bar": f'<div class="share-bar">{SOCIAL.format(SECTION)}<a href="https://mybs.in/9LiStP">Copy link</a></div>',
    "share-button": '<a aria-label="Share" href="https://mybs.in/9LiStP"><img src="/share.svg"></a>',
    "footer": "",
}


@pytest.mark.parametrize("name", sorted(EMPTY_BUT_FOR))
def test_a_later_section_page_whose_only_short_link_is_a_share_or_footer_link_ends_the_walk(tmp_path: Path, name: str) -> None:
    """Before: the short link counted as the page's story: asked for, and the walk went on to the next page,
    and so on up to ``pages``."""
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="20")
    footer = '<a href="https://mybs.in/app">Download the app</a><a href="https://mybs.in/2FoOtR">Subscribe</a>'
    html = _page(EMPTY_BUT_FOR[name], footer=footer)
    requests = list(spider.parse_section(_response(SECTION + "/page-4", html), section="markets/news", page=4))
    assert requests == []
    assert spider.crawler.stats.get_value(stat.DISCOVERY_LISTING_END) == 1
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_SHORT_LINK)


def test_latest_news_with_only_a_share_button_is_a_failed_source(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    html = _page(EMPTY_BUT_FOR["share-button"], footer='<a href="https://mybs.in/app">App</a>')
    assert list(spider.parse_listing_page(_response(LATEST, html))) == []
    assert spider.crawler.stats.get_value(stat.source_failed("no-article-links")) == 1
