"""Rules for the current site (Next.js, 2023 onwards): ``__NEXT_DATA__`` and JSON-LD first, then the DOM."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from lxml.etree import _Element

from ..article import MARKET_INDICES, Image, Link, MarketQuote
from ..dom import Css, texts, texts_of_all
from ..errors import NotAnArticle
from ..normalize import clean_text, normalize_date, parse_number, read_time_minutes, split_list
from ..page import Page, dig, ld_types
from ..text import block_paragraphs, fragment, text_paragraphs
from .base import Layout, text_of, text_of_block

# Classes are CSS modules ("MainStory_stryhdtp" plus a hashed suffix); the suffix
# changes on every deploy, so rules use the plain twin class or [class*=…].
# They are answered from the page's one-walk index (crawler/extraction/dom.py), not by XPath.
HEADLINE_CSS = Css("h1.stryhdtp")
STANDFIRST_CSS = Css("h2.strydsc")
BYLINE_LINKS_CSS = Css(".dtlauthinfo a[href]")
DATELINE_CSS = Css(".dtlauthinfo .dateline")
META_INFO_CSS = Css(".meta-info")
BREADCRUMB_LINKS_CSS = Css(".breadcrum a")
BODY_XPATH = '(//*[@id="parent_top_div"] | //*[contains(concat(" ", normalize-space(@class), " "), " storycontent ")])[1]'
CAPTION_CSS = Css("[class*=captiontext]")
TOPIC_LINKS_CSS = Css(".topiclisting a")
PREMIUM_LABEL_CSS = Css(".strlabel")
LIVE_MARKER_CSS = Css("[class*=LiveButton]")  # XPath //*[contains(@class, "LiveButton")]
TICKER_ITEM_CSS = Css(".mktticker .tickeritem")
# The classes of the fields inside one ticker item.
TICKER_NAME, TICKER_VALUE, TICKER_CHANGE, TICKER_PERCENT = "tickername", "tickerval", "tickerchg", "tickerpct"
TICKER_FIELDS = frozenset({TICKER_NAME, TICKER_VALUE, TICKER_CHANGE, TICKER_PERCENT})
VIDEO_TYPES = frozenset({"VideoObject"})

# Blocks inside the story that are not the story.
AD_CLASSES = frozenset({"storyadsprg", "recommendsection", "mb-20", "read_more", "adsection", "advertisement"})


def _ticker_texts(items: list[_Element], page: Page) -> list[dict[str, str]]:
    """Per item, class → text of its ticker fields (``item.css(".tickerval ::text")``…).

    From the page index: each field element is given to every item it is in (itself included).
    """
    found: dict[_Element, dict[str, list[_Element]]] = {item: {} for item in items}
    parents = {item.getparent() for item in items}
    # Items side by side (the ticker) cannot hold one another: the walk up from a field can stop
    # at the first item, or at their parent. Otherwise every item above the field counts.
    stop = next(iter(parents)) if len(parents) == 1 else None
    for token in TICKER_FIELDS:
        for element in page.dom.with_class(token):
            holder: _Element | None = element
            while holder is not None and holder is not stop:
                fields = found.get(holder)
                if fields is not None:
                    fields.setdefault(token, []).append(element)
                    if stop is not None:
                        break
                holder = holder.getparent()
    return [{token: " ".join(texts_of_all(elements)) for token, elements in found[item].items()} for item in items]


def _is_story_noise(element: _Element) -> bool:
    if not AD_CLASSES.isdisjoint((element.get("class") or "").split()):  # classes(element) & AD_CLASSES
        return True
    identifier = element.get("id") or ""
    return identifier.startswith("div-gpt")


class NextJsV1(Layout):
    """business-standard.com since the 2023 redesign (Next.js)."""

    name = "nextjs-2023"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return page.next_data is not None or page.has_next_data

    @property
    def data(self) -> dict[str, Any]:
        """``props.pageProps.data`` of ``__NEXT_DATA__``."""
        return self.page.next_article

    def check(self) -> None:
        main_types = ld_types(self.page.ld_article)
        if self.page.ld_first(VIDEO_TYPES) and not main_types or "/video/" in self.page.url or "/podcast/" in self.page.url:
            raise NotAnArticle("video", "a video or podcast page")
        has_story = bool(self.data.get("htmlContent")) or bool(self.page.xpath(BODY_XPATH)) or bool(main_types)
        if not has_story:
            raise NotAnArticle("listing", "a Next.js page without an article (listing, topic or home page)")
        if not self.body_and_disclaimer[0] and self.is_premium():
            raise NotAnArticle("paywall-stub", "a premium page whose body is not in the page")

    def headline(self) -> str | None:
        return (
            super().headline()
            or text_of(self.data.get("heading1"))
            or text_of(self.data.get("pageTitle"))
            or clean_text(HEADLINE_CSS.text(self.page.dom))
        )

    def description(self) -> str | None:
        # subHeading is the standfirst; JSON-LD description is often the meta description.
        return (
            text_of(self.data.get("subHeading"))
            or text_of(self.page.ld_article.get("description"))
            or clean_text(STANDFIRST_CSS.text(self.page.dom))
            or text_of(self.data.get("metaDescription"))
        )

    def breadcrumbs(self) -> list[Link]:
        trail = super().breadcrumbs()
        if trail:
            return trail
        return [
            Link(name=name, url=self.link(a.get("href")))
            for a in BREADCRUMB_LINKS_CSS.select(self.page.dom)
            if (name := clean_text(" ".join(texts(a))))
        ]

    def section(self) -> str | None:
        trail = self.trail
        return (
            text_of(dig(self.data, "defaultArticleCat", "h1_tag"))
            or super().section()
            or (trail[-1].name if len(trail) > 1 else None)
        )

    @cached_property
    def byline_links(self) -> dict[str, str]:
        """Author name → author page, from the byline's links."""
        found = {}
        for anchor in BYLINE_LINKS_CSS.select(self.page.dom):
            name = clean_text(" ".join(texts(anchor)))
            url = self.link(anchor.get("href"))
            if name and url:
                found[name.lower()] = url
        return found

    def authors(self) -> list[Link]:
        names: list[str] = []
        for detail in self.data.get("authorDetails") or []:
            name = text_of(dig(detail, "author_name"))
            if name:
                names.append(name)
        mapped = self.data.get("articleMappedMultipleAuthors")
        if not names and isinstance(mapped, dict):
            names = [n for n in (text_of(v) for v in mapped.values()) if n]
        if not names:
            from_ld = super().authors()
            if from_ld:
                return [Link(name=a.name, url=a.url or self.byline_links.get(a.name.lower())) for a in from_ld]
            names = [a.name for a in self._byline_authors()]
        seen: dict[str, Link] = {}
        for name in names:
            seen.setdefault(name.lower(), Link(name=name, url=self.byline_links.get(name.lower())))
        return list(seen.values())

    def _byline_authors(self) -> list[Link]:
        return [Link(name=name.title() if name.islower() else name, url=url) for name, url in self.byline_links.items()]

    def dateline(self) -> str | None:
        return text_of(self.data.get("placeName")) or clean_text(DATELINE_CSS.text(self.page.dom))

    def date_published(self) -> str | None:
        return (
            normalize_date(text_of(self.page.ld_article.get("datePublished")))
            or normalize_date(self.data.get("publishDate"))
            or super().date_published()
        )

    def date_modified_raw(self) -> str | None:
        meta_info = META_INFO_CSS.select(self.page.dom)
        expanded = clean_text(meta_info[0].get("data-expandedtime") if meta_info else None)
        return expanded or super().date_modified_raw()

    def read_time(self) -> int | None:
        return read_time_minutes(META_INFO_CSS.text(self.page.dom)) or super().read_time()

    def main_image(self) -> Image | None:
        featured = self.data.get("featuredImageObj")
        from_ld = super().main_image()
        url = text_of(dig(featured, "url")) or (from_ld.url if from_ld else None)
        if not url:
            return None
        caption = (
            text_of(dig(featured, "caption"))
            or clean_text(CAPTION_CSS.text(self.page.dom))
            or (from_ld.caption if from_ld else None)
        )
        alt = text_of(dig(featured, "alt_text")) or clean_text(
            self.page.xpath("//img[@src=$u]/@alt", u=url).get()
        )
        return Image(url=self.link(url) or url, alt=alt, caption=caption)

    def body_paragraphs(self) -> list[str]:
        # htmlContent holds the whole body, premium stories included; the DOM
        # may hold only the non-paywalled part.
        root = fragment(self.data.get("htmlContent") or "")
        if root is None:
            found = self.page.xpath(BODY_XPATH)
            root = found[0].root if found else None
        paragraphs = block_paragraphs(root, _is_story_noise) if root is not None else super().body_paragraphs()
        return paragraphs + self._live_updates()

    def _live_updates(self) -> list[str]:
        updates = self.page.ld_article.get("liveBlogUpdate")
        if not isinstance(updates, list):
            return []
        paragraphs = []
        for update in updates:
            headline = text_of(dig(update, "headline"))
            body = text_of_block(dig(update, "articleBody"))
            if headline:
                paragraphs.append(headline)
            if body:
                paragraphs.extend(text_paragraphs(body))
        return paragraphs

    def topics(self) -> list[str]:
        return (
            split_list(text_of(self.data.get("articleTags")))
            or super().topics()
            or [t for t in (clean_text(" ".join(texts(a))) for a in TOPIC_LINKS_CSS.select(self.page.dom)) if t]
        )

    def is_premium(self) -> bool:
        label = clean_text(PREMIUM_LABEL_CSS.text(self.page.dom)) or ""
        return super().is_premium() or "premium" in label.lower()

    def is_live_blog(self) -> bool:
        return super().is_live_blog() or bool(LIVE_MARKER_CSS.select(self.page.dom))

    def market(self) -> list[MarketQuote]:
        quotes = {name: MarketQuote(name=name) for name in MARKET_INDICES}
        for fields in _ticker_texts(TICKER_ITEM_CSS.select(self.page.dom), self.page):
            name = clean_text(fields.get(TICKER_NAME, ""))
            if name not in quotes:
                continue
            quotes[name] = MarketQuote(
                name=name,
                value=parse_number(fields.get(TICKER_VALUE, "")),
                change=parse_number(fields.get(TICKER_CHANGE, "")),
                changePercent=parse_number(fields.get(TICKER_PERCENT, "")),
            )
        return list(quotes.values())
