"""Round 27 probes: discovery as the live site and the Hindi edition serve it.

Before these fixes: a listing card linking its story through the site's short link (``mybs.in/…``, what
the share buttons give) was dropped as no story's address, the story never found from that listing; an
RSS item whose only address was its ``<atom:link href>`` (its ``<guid isPermaLink="false">`` a name), or
whose only address was such a guid holding the story's own URL, was counted as an unusable URL, the story lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse

from crawler import stats as stat
from crawler.extraction.discovery import parse_listing, parse_rss
from crawler.incremental.store import PendingArticle
from crawler.spiders.latest import LatestSpider
from crawler.spiders.section import SectionSpider
from tests.test_spiders_unit import SITE, make_spider

STORY = SITE + "/markets/news/sensex-ends-higher-124022800871_1.html"
OTHER = SITE + "/companies/news/tata-results-124022800872_1.html"
SHORT = "https://mybs.in/2ZxYwV"
SHORT_OTHER = "https://mybs.in/3AbCdE"
FEED = SITE + "/rss/latest.rss"
ATOM_NS = 'xmlns:atom="http://www.w3.org/2005/Atom"'


def _listing(*hrefs: str) -> str:
    cards = "".join(f'<div class="cardlist"><h2><a href="{href}">A story</a></h2><span>2 min read</span></div>' for href in hrefs)
    return f"<html><head><title>Latest News</title></head><body>{cards}</body></html>"


def _listing_response(url: str, *hrefs: str, **meta: Any) -> HtmlResponse:
    return HtmlResponse(url, body=_listing(*hrefs).encode(), encoding="utf-8", request=Request(url, meta=meta))


def _redirect(request: Request, location: str) -> Response:
    return HtmlResponse(request.url, status=301, headers={"Location": location}, body=b"", request=request)


# --- a listing card that links its story through a short link ----------------------------------------


@pytest.mark.parametrize(
    "href",
    [SHORT, "http://mybs.in/2ZxYwV", "https://www.mybs.in/2ZxYwV", SHORT + "?utm_source=listing&utm_medium=card"],
    ids=["https", "http", "www", "tracking"],
)
def test_a_listing_whose_cards_link_short_links_lists_them(href: str) -> None:
    """Before: only a story's own address was a card's link; the page listed nothing (a failed source,
    ``no-article-links``), its stories lost."""
    listing = parse_listing(_listing(href, SHORT_OTHER, SHORT_OTHER + "#top"), SITE + "/latest-news")
    assert [url.split("//", 1)[1] for url in listing.article_urls] == [href.split("//", 1)[1].split("?")[0], SHORT_OTHER.split("//", 1)[1]]


def test_short_links_beside_stories_own_links_are_share_buttons_not_followed() -> None:
    # (Round 28 tells them by the card: a card of its own whose headline is a short link lists it,
    # tests/test_discovery_probes_round28.py; a short link in a card that links its story is its share button.)
    cards = "".join(
        f'<div class="cardlist"><h2><a href="{story}">A story</a></h2><a href="{short}"><img src="/share.svg"></a></div>'
        for story, short in ((STORY, SHORT), (OTHER, SHORT_OTHER))
    )
    listing = parse_listing(f"<html><body>{cards}</body></html>", SITE + "/latest-news")
    assert listing.article_urls == [STORY, OTHER]


def test_a_listing_link_to_another_shortener_or_the_short_hosts_home_is_no_story() -> None:
    listing = parse_listing(_listing("https://bit.ly/2ZxYwV", "https://mybs.in/", "https://mybs.in"), SITE + "/latest-news")
    assert listing.article_urls == []


def test_latest_follows_a_listing_cards_short_link_to_its_story(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    requests = list(spider.parse_listing_page(_listing_response(SITE + "/latest-news", SHORT, SHORT_OTHER)))
    assert [r.url for r in requests] == [SHORT, SHORT_OTHER]
    [story] = list(requests[0].callback(_redirect(requests[0], STORY)))
    assert story.url == STORY and story.callback == spider.parse_article
    assert spider.crawler.stats.get_value(stat.DISCOVERY_SHORT_LINK_RESOLVED) == 1


def test_a_section_page_of_short_links_to_seen_stories_ends_the_walk(tmp_path: Path) -> None:
    """A short link known (from an earlier run) to lead to a story seen holds nothing new, as the story's
    own link would: a page of them ends the section's walk instead of reading every page up to ``pages``."""
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    page = SITE + "/markets/news"
    requests = list(spider.parse_section(_listing_response(page, SHORT, SHORT_OTHER), section="markets/news", page=1))
    assert [r.url for r in requests] == [SHORT, SHORT_OTHER, page + "/page-2"]
    for short, story in zip(requests, (STORY, OTHER)):
        list(short.callback(_redirect(short, story)))
    for identifier in ("124022800871", "124022800872"):
        spider.seen_store.add_pending(PendingArticle(identifier, 1, "h", None, None, "before"))
        spider.seen_store.confirm(identifier, "before")
    again = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    requests = list(again.parse_section(_listing_response(page, SHORT, SHORT_OTHER), section="markets/news", page=1))
    assert requests == []
    assert again.crawler.stats.get_value(stat.DISCOVERY_LISTING_ALL_SEEN_STOP) == 1


def test_a_section_page_with_a_short_link_never_followed_walks_on(tmp_path: Path) -> None:
    spider = make_spider(SectionSpider, tmp_path, sections="markets/news", pages="5")
    requests = list(spider.parse_section(_listing_response(SITE + "/markets/news", SHORT), section="markets/news", page=1))
    assert [r.url for r in requests] == [SHORT, SITE + "/markets/news/page-2"]


# --- an RSS item whose address is elsewhere than its <link> text ---------------------------------------

ITEMS_ELSEWHERE = {
    "atom-link-alternate": f'<guid isPermaLink="false">bs-124022800871</guid><atom:link rel="alternate" href="{STORY}"/>',
    "atom-link-without-rel": f'<guid isPermaLink="false">bs-124022800871</guid><atom:link href="{STORY}"/>',
    "empty-link-with-href": f'<guid isPermaLink="false">bs-124022800871</guid><link href="{STORY}"/>',
    "self-link-then-alternate": f'<atom:link rel="self" href="{FEED}"/><atom:link rel="alternate" type="text/html" href="{STORY}"/>',
    "non-permalink-guid-only": f'<guid isPermaLink="false">{STORY}</guid>',
    "non-permalink-guid-on-hindi-edition": '<guid isPermaLink="false">https://hindi.business-standard.com/storypage.php?autono=168031</guid>',
}


@pytest.mark.parametrize("name", sorted(ITEMS_ELSEWHERE))
def test_an_rss_items_address_outside_its_link_text_is_read(name: str) -> None:
    """Before: the item had no address (``<link>`` text or permalink guid), counted unusable with a WARNING."""
    item = ITEMS_ELSEWHERE[name]
    body = f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><title>Latest</title><item><title>A</title>{item}</item></channel></rss>'
    feed = parse_rss(body.encode(), FEED)
    expected = "https://hindi.business-standard.com/storypage.php?autono=168031" if "hindi" in name else STORY
    assert [e.url for e in feed.entries] == [expected] and feed.unusable_urls == 0


@pytest.mark.parametrize(
    "item",
    [
        '<guid isPermaLink="false">bs-124022800871</guid>',
        f'<guid isPermaLink="false">{SITE}/markets/news</guid>',
        '<guid isPermaLink="false">https://example.com/markets/news/a-124022800871_1.html</guid>',
        '<guid isPermaLink="false">markets/news/a-124022800871_1.html</guid>',
        f'<atom:link rel="self" href="{FEED}"/>',
        f'<atom:link rel="enclosure" href="{SITE}/img/a.jpg"/>',
    ],
    ids=["name", "section", "other-site", "relative", "self-link", "enclosure"],
)
def test_an_rss_item_with_no_storys_address_is_still_unusable(item: str) -> None:
    body = f'<rss version="2.0" {ATOM_NS}><channel><item><title>A</title>{item}</item><item><link>{OTHER}</link></item></channel></rss>'
    feed = parse_rss(body.encode(), FEED)
    assert [e.url for e in feed.entries] == [OTHER] and feed.unusable_urls == 1


def test_an_items_link_text_still_wins_over_its_guid_and_atom_link() -> None:
    body = (
        f'<rss version="2.0" {ATOM_NS}><channel><item><link>{OTHER}</link><atom:link href="{STORY}"/>'
        f'<guid isPermaLink="false">{STORY}</guid></item></channel></rss>'
    )
    assert [e.url for e in parse_rss(body.encode(), FEED).entries] == [OTHER]


def test_latest_fetches_the_story_of_an_item_whose_address_is_its_atom_link(tmp_path: Path) -> None:
    spider = make_spider(LatestSpider, tmp_path)
    body = (
        f'<?xml version="1.0"?><rss version="2.0" {ATOM_NS}><channel><atom:link rel="self" href="{FEED}"/>'
        f'<item><title>A</title><guid isPermaLink="false">bs-1</guid><atom:link href="{STORY}"/>'
        "<pubDate>Wed, 28 Feb 2024 15:42:00 +0530</pubDate></item></channel></rss>"
    ).encode()
    requests = list(spider.parse_source(XmlResponse(FEED, body=body, request=Request(FEED))))
    assert [r.url for r in requests] == [STORY]
    assert not spider.crawler.stats.get_value(stat.DISCOVERY_UNUSABLE_URL)
