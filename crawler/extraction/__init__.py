"""Pure extraction rules: ``extract_article(html, url) -> Article``; no Scrapy in this package."""

from __future__ import annotations

from .article import MARKET_INDICES, Article, Image, Link, MarketQuote, RelatedArticle
from .blocking import is_block_page
from .errors import NotAnArticle
from .layouts import LAYOUTS, pick_layout
from .page import Page
from .validate import REQUIRED_FIELDS, missing_fields, missing_required


def extract_article(html: str | bytes, url: str) -> Article:
    """Read one article page into an :class:`Article`.

    Raises :class:`NotAnArticle` (with a ``reason`` slug) for block pages, empty
    pages, pages of no known layout and pages of a known layout that are not
    articles (listings, videos, paywall stubs). Nothing else escapes.
    """
    page = Page(html, url)
    if not page.text.strip():
        raise NotAnArticle("empty", "the response body is empty")
    if is_block_page(page.text):
        raise NotAnArticle("blocked", "Akamai 'Access Denied' page")
    layout = pick_layout(page)
    if layout is None:
        raise NotAnArticle("unknown-layout", "no known article layout matches the markup")
    try:
        return layout(page).to_article()
    except NotAnArticle:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as error:
        # A rule met data of a shape it did not expect: report it as unreadable,
        # with the cause, instead of a traceback from deep inside.
        raise NotAnArticle("unreadable", f"{layout.name}: {type(error).__name__}: {error}") from error


__all__ = [
    "LAYOUTS",
    "MARKET_INDICES",
    "REQUIRED_FIELDS",
    "Article",
    "Image",
    "Link",
    "MarketQuote",
    "NotAnArticle",
    "Page",
    "RelatedArticle",
    "extract_article",
    "is_block_page",
    "missing_fields",
    "missing_required",
    "pick_layout",
]
