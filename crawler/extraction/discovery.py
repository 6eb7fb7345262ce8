"""Reading the site's discovery documents: RSS feeds, sitemaps and listing pages → article links.

XML is parsed without network access and without entity expansion (no XXE, no billion laughs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree
from parsel import Selector

from .normalize import absolute_url, article_id, clean_text, date_of_article_id, parse_date
from .urls import ARTICLE, url_kind


@dataclass(frozen=True)
class Entry:
    """One link found by discovery, with the date the source gives for it (``lastmod``; None when unreadable)."""

    url: str
    lastmod: datetime | None = None
    published: datetime | None = None

    @property
    def article_id(self) -> str | None:
        return article_id(self.url)

    @property
    def publication_day(self) -> date | None:
        """Publication day: the source's publication date, else the day in the article id."""
        if self.published:
            return self.published.date()
        identifier = self.article_id
        return date_of_article_id(identifier) if identifier else None


class BrokenDocument(ValueError):
    """A feed or sitemap that is not well-formed XML, or not of the expected kind."""


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, recover=False
    )


def _parse_xml(body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body.strip(), parser=_safe_parser())
    except etree.XMLSyntaxError as error:
        raise BrokenDocument(f"not well-formed XML: {error}") from error
    if root is None:
        raise BrokenDocument("empty document")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return clean_text("".join(str(text) for text in child.itertext()))
    return None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: either an index of other sitemaps or a list of page URLs."""

    is_index: bool
    entries: list[Entry]
    unreadable_dates: int = 0


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A ``<urlset>`` (plain or Google News) or ``<sitemapindex>``; raises :class:`BrokenDocument`."""
    root = _parse_xml(body)
    kind = _local(root.tag)
    if kind not in {"urlset", "sitemapindex"}:
        raise BrokenDocument(f"root element <{kind}> is not a sitemap")
    entries = []
    unreadable = 0
    for node in root:
        if _local(node.tag) not in {"url", "sitemap"}:
            continue
        loc = absolute_url(_child_text(node, "loc"), base_url)
        if not loc:
            continue
        lastmod_text = _child_text(node, "lastmod")
        published_text = None
        for child in node:
            if _local(child.tag) == "news":
                published_text = _child_text(child, "publication_date")
        lastmod = parse_date(lastmod_text)
        published = parse_date(published_text)
        unreadable += (lastmod_text is not None and lastmod is None) + (published_text is not None and published is None)
        entries.append(Entry(url=loc, lastmod=lastmod or published, published=published))
    return Sitemap(is_index=kind == "sitemapindex", entries=entries, unreadable_dates=unreadable)


@dataclass(frozen=True)
class Feed:
    """A parsed RSS feed."""

    entries: list[Entry]
    unreadable_dates: int = 0


def parse_rss(body: bytes, base_url: str) -> Feed:
    """Items of an RSS 2.0 feed (link or guid, pubDate); raises :class:`BrokenDocument`."""
    root = _parse_xml(body)
    if _local(root.tag) != "rss":
        raise BrokenDocument(f"root element <{_local(root.tag)}> is not RSS")
    entries = []
    unreadable = 0
    for item in root.iter("item"):
        url = absolute_url(_child_text(item, "link") or _child_text(item, "guid"), base_url)
        if not url:
            continue
        raw_date = _child_text(item, "pubDate")
        moment = parse_date(raw_date)
        unreadable += raw_date is not None and moment is None
        entries.append(Entry(url=url, lastmod=moment, published=moment))
    return Feed(entries=entries, unreadable_dates=unreadable)


_MONTHLY = re.compile(r"/(\d{4})-([a-z]+)-\d+\.xml$")
_MONTHS = {datetime(2000, m, 1).strftime("%B").lower(): m for m in range(1, 13)}


def monthly_sitemap_month(url: str) -> tuple[int, int] | None:
    """``/sitemap/2024-february-1.xml`` → (2024, 2); None for other sitemaps."""
    match = _MONTHLY.search(url)
    if not match or match.group(2) not in _MONTHS:
        return None
    return int(match.group(1)), _MONTHS[match.group(2)]


@dataclass(frozen=True)
class Listing:
    """Article links of a listing page and the link to its next page."""

    article_urls: list[str]
    next_page: str | None


def parse_listing(html: str, url: str) -> Listing:
    """Article links on a listing page (``/latest-news``, ``/<section>/page-N``, ``/topic/…``)."""
    selector = Selector(text=html or "<html></html>")
    found: dict[str, None] = {}
    for href in selector.xpath("//a/@href").getall():
        link = absolute_url(href, url)
        if link and url_kind(link) == ARTICLE:
            found.setdefault(link.split("#")[0], None)
    next_href = selector.xpath(
        '(//a[@rel="next"]/@href | //a[contains(translate(normalize-space(), "NEXT", "next"), "next")]/@href)[1]'
    ).get()
    return Listing(article_urls=list(found), next_page=absolute_url(next_href, url))
