"""The article item: a plain dataclass that Scrapy, itemadapter and the feed exports all accept."""

from __future__ import annotations

from dataclasses import dataclass, field

# Field names are the JSON keys. They follow Zyte's ``Article`` schema where it
# has one, hence camelCase; the declaration order is the key order in the output.

MARKET_INDICES: tuple[str, ...] = ("Sensex", "Nifty", "Nifty Smallcap", "Nifty Midcap", "Nifty Bank")


@dataclass(kw_only=True)
class Link:
    """A named link: a breadcrumb step or an author page."""

    name: str
    url: str | None = None


@dataclass(kw_only=True)
class RelatedArticle:
    """One entry of the "Also Read" list."""

    headline: str
    url: str


@dataclass(kw_only=True)
class Image:
    """The hero image with its alternative text and visible caption."""

    url: str
    alt: str | None = None
    caption: str | None = None


@dataclass(kw_only=True)
class MarketQuote:
    """One index of the market ticker; numbers stay null unless the page was rendered."""

    name: str
    value: float | None = None
    change: float | None = None
    changePercent: float | None = None


def empty_market() -> list[MarketQuote]:
    """The ticker as a plain fetch sees it: the index names without numbers."""
    return [MarketQuote(name=name) for name in MARKET_INDICES]


@dataclass(kw_only=True)
class Article:
    """One Business Standard article as a reader sees it."""

    url: str
    canonicalUrl: str | None = None
    articleId: str
    section: str | None = None
    breadcrumbs: list[Link] = field(default_factory=list)
    headline: str
    description: str | None = None
    authors: list[Link] = field(default_factory=list)
    dateline: str | None = None
    datePublished: str | None = None
    datePublishedRaw: str | None = None
    dateModified: str | None = None
    dateModifiedRaw: str | None = None
    readTimeMinutes: int | None = None
    mainImage: Image | None = None
    articleBody: str | None = None
    alsoRead: list[RelatedArticle] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    disclaimer: str | None = None
    isSyndicated: bool = False
    isPremium: bool = False
    isLiveBlog: bool = False
    inLanguage: str = "en"
    market: list[MarketQuote] = field(default_factory=empty_market)
    layout: str
    dateDownloaded: str | None = None
    version: int | None = None
