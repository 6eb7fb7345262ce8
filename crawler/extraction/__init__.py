"""Pure extraction rules: ``extract_article(html, url) -> Article``; no Scrapy in this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .article import MARKET_INDICES, Article, Image, Link, MarketQuote, RelatedArticle
from .blocking import ERROR_PAGE, NOT_FOUND, block_page_kind, error_page_kind, is_block_page, is_empty_story_page, is_not_found_page, may_be_block_page
from .errors import NotAnArticle
from .layouts import LAYOUTS, ArticlePage, Provenance, pick_layout
from .layouts.base import FUTURE_SKEW
from .layouts.generic import listing_page
from .page import EncodingNote, Page, decode_body
from .urls import LISTING, non_article_kind
from .validate import REQUIRED_FIELDS, missing_fields, missing_required

# The item carries how it was read beside its fields, not in them: the feed writes fields only,
# and the validation pipeline counts sources and disagreements from this.
_PROVENANCE = "_provenance"


@dataclass
class Extraction:
    """An item and how it was read: the source of each field, disagreements, flags, the decoding."""

    article: Article
    provenance: Provenance
    encoding_note: EncodingNote | None = None


def extract(
    html: str | bytes, url: str, content_type: str | None = None, *, read_at: datetime | None = None, future_skew: timedelta = FUTURE_SKEW
) -> Extraction:
    """Read one article page; :class:`NotAnArticle` (with a ``reason`` slug) when it is not one.

    ``read_at`` is when the page was fetched (a stored page's time; None: now): a date more than
    ``future_skew`` (the crawl's ``BS_FUTURE_DATE_SKEW``) ahead of it is a typo, so that a page read
    again a year later gives the item it gave that day.

    Block pages, empty pages, pages of no known layout without article metadata, and pages of a
    known layout that are not articles (listings, videos, paywall stubs) raise it; nothing else
    escapes.
    """
    page = Page(html, url, content_type, read_at)
    # (Its first visible character, without a copy of the page: a page starts with markup.)
    first = page.text.lstrip()[:1]
    # A zero-filled answer (a stored copy whose bytes were never written) is no page of an unknown
    # layout, which would count towards a redesign. (Looked into only when it starts with a NUL.)
    if not first or (first == "\x00" and not page.text.replace("\x00", "").strip()):
        raise NotAnArticle("empty", "the response body is empty")
    blocked = block_page_kind(page.text)
    if blocked is not None:
        raise NotAnArticle("blocked", blocked)
    layout: type[ArticlePage] | None = None
    reader: ArticlePage | None = None
    try:
        layout = pick_layout(page)
        if layout is None:
            # A video's, podcast's, gallery's or web story's page is no article of a layout the rules do
            # not know: its address, or its JSON-LD describing a recording or gallery, says what it is
            # (not a redesign).
            media = page.ld_media()
            kind = non_article_kind(page.url) or non_article_kind(page.canonical or "") or (media[0] if media else None)
            if kind:
                raise NotAnArticle(kind, f"a {kind} page, not an article")
            # A listing that says so (its JSON-LD a collection of stories, OpenGraph's "website" over
            # links to stories) is a page of another kind, settled as one, not a redesign's.
            if listing_page(page):
                raise NotAnArticle(LISTING, "a listing page (its structured data says so), not an article")
            raise NotAnArticle("unknown-layout", "no known article layout matches the markup, and no article metadata")
        reader = layout(page, future_skew)
        article = reader.to_item()
    except NotAnArticle as error:
        failed = error_page_kind(page.text, page.next_data) if error.reason in ("listing", "unknown-layout") else None
        if failed is not None:
            # A server's failure passed on with 200 (Next.js's error page for a 500 was taken for a
            # soft 404, the story for removed; a maintenance page for a page of an unknown layout,
            # a run of them for a redesign): the page did not come.
            raise NotAnArticle(ERROR_PAGE, f"{failed}, sent with 200") from error
        # (A story with its body is one the site has, whose headline alone did not come: no 404.)
        untitled = error.reason == "no-headline" and reader is not None and not reader.articleBody()
        soft_404 = error.reason in ("listing", "unknown-layout") or untitled
        if soft_404 and (is_not_found_page(page.text, page.next_data) or (untitled and is_empty_story_page(page.text))):
            # The site's "page not found" sent with 200 (a soft 404), or its story template with no
            # story in it (the Hindi edition's): a 404 as the site means it, not a listing, a page
            # without a headline (asked for again every run, its run failing as a redesign) nor a redesign.
            raise NotAnArticle(NOT_FOUND, "a 'page not found' page, sent with 200") from error
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, OverflowError) as error:
        # A rule met data of a shape it did not expect: report it as unreadable,
        # with the cause, instead of a traceback from deep inside.
        where = layout.layout if layout is not None else "picking the layout"
        raise NotAnArticle("unreadable", f"{where}: {type(error).__name__}: {error}") from error
    object.__setattr__(article, _PROVENANCE, reader.provenance)
    return Extraction(article, reader.provenance, page.encoding_note)


def extract_article(html: str | bytes, url: str) -> Article:
    """Read one article page into an :class:`Article` (see :func:`extract`)."""
    return extract(html, url).article


def provenance_of(item: Any) -> Provenance | None:
    """How an extracted item was read, or None for an item made some other way."""
    found = getattr(item, _PROVENANCE, None)
    return found if isinstance(found, Provenance) else None


__all__ = [
    "LAYOUTS",
    "MARKET_INDICES",
    "REQUIRED_FIELDS",
    "Article",
    "ArticlePage",
    "EncodingNote",
    "Extraction",
    "Image",
    "Link",
    "MarketQuote",
    "NotAnArticle",
    "Page",
    "Provenance",
    "RelatedArticle",
    "block_page_kind",
    "decode_body",
    "error_page_kind",
    "extract",
    "extract_article",
    "is_block_page",
    "may_be_block_page",
    "missing_fields",
    "missing_required",
    "pick_layout",
    "provenance_of",
]
