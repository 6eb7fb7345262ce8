"""What every layout shares: reading fields from JSON-LD and meta tags, and assembling the item."""

from __future__ import annotations

import html
from functools import cached_property
from typing import Any, ClassVar

from lxml import etree
from lxml.etree import _Element

from ..article import MARKET_INDICES, Article, Image, Link, MarketQuote, RelatedArticle
from ..errors import NotAnArticle
from ..normalize import (
    SITE_ROOT,
    absolute_url,
    article_id,
    clean_text,
    display_date_text,
    normalize_date,
    read_time_minutes,
    split_list,
    strip_amp,
    unique,
)
from ..dom import FIRST_PUBLISHED, LAST_UPDATED, MIN_READ, SYNDICATION, elements, strings, texts
from ..page import Page, dig, ld_types
from ..text import DISCLAIMER, split_body, text_paragraphs

# Text-anchored XPaths: the labels are what a reader sees, and they survived
# every redesign so far, unlike class names.
FIRST_PUBLISHED_XPATH = '(//*[not(self::script)][text()[contains(., "First Published")]])[last()]//text()[not(parent::style)]'
LAST_UPDATED_XPATH = '(//*[not(self::script)][text()[contains(., "Last Updated")]])[1]//text()[not(parent::style)]'
DISCLAIMER_XPATH = '//text()[contains(., "Only the headline and picture of this report")]'
READ_TIME_XPATH = '//text()[contains(., "min read")]'
ALSO_READ_HEADING = (
    '//*[self::h2 or self::h3 or self::h4 or self::div or self::span or self::p or self::li]'
    '[translate(normalize-space(), "ALSOREAD", "alsoread") = "also read"]'
)
ALSO_READ_HEADING_TAGS = frozenset({"h2", "h3", "h4", "div", "span", "p", "li"})
# The same, from the element the page index found (the XPaths above are the rules; the index
# finds their first steps in one walk, and they stay the fallback when it cannot).
_LABEL_TEXTS = etree.XPath("descendant::text()[not(parent::style)]", smart_strings=False)
_LINKS_AFTER = etree.XPath("following-sibling::*//a[@href]")


def text_of(value: Any) -> str | None:
    """A JSON value that should be text: strings are cleaned, anything else is None."""
    return clean_text(value) if isinstance(value, str) else None


class Layout:
    """Base of the rule classes: one subclass per site layout, picked by :meth:`matches`."""

    name: ClassVar[str] = "base"

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def matches(cls, page: Page) -> bool:
        """Whether this page is in this layout."""
        raise NotImplementedError

    # --- identity --------------------------------------------------------

    @cached_property
    def base_url(self) -> str:
        """What relative links resolve against: the fetched URL, or for a saved page its canonical URL."""
        if self.page.url.startswith(("http://", "https://")):
            return self.page.url
        return strip_amp(absolute_url(self.page.canonical, SITE_ROOT) or SITE_ROOT)

    def link(self, href: str | None) -> str | None:
        """An absolute URL for a link on the page."""
        return absolute_url(href, self.base_url)

    @cached_property
    def canonical_url(self) -> str | None:
        """The page's canonical URL, never the AMP one."""
        url = self.page.canonical or text_of(dig(self.page.ld_article, "mainEntityOfPage", "@id"))
        url = self.link(url)
        return strip_amp(url) if url else None

    @cached_property
    def article_id(self) -> str | None:
        """The 12-digit id, from the canonical URL, then the fetched URL."""
        return article_id(self.canonical_url) or article_id(self.page.url)

    # --- fields from structured data; layouts add their DOM fallbacks ----

    def headline(self) -> str | None:
        """The headline."""
        return text_of(self.page.ld_article.get("headline")) or self.page.meta("og:title")

    def description(self) -> str | None:
        """The standfirst."""
        return text_of(self.page.ld_article.get("description")) or self.page.meta("og:description")

    def breadcrumbs(self) -> list[Link]:
        """The breadcrumb trail from JSON-LD BreadcrumbList."""
        trail = self.page.ld_first({"BreadcrumbList"})
        elements = trail.get("itemListElement") if trail else None
        if not isinstance(elements, list):
            return []
        steps = []
        for element in sorted(
            (e for e in elements if isinstance(e, dict)), key=lambda e: _as_int(e.get("position"))
        ):
            item = element.get("item")
            name = text_of(element.get("name")) or text_of(dig(item, "name"))
            url = text_of(item) if isinstance(item, str) else text_of(dig(item, "@id")) or text_of(dig(item, "url"))
            url = self.link(url)
            # The pre-2023 trail ends with the article itself, named "News".
            if name and not (url and url == self.canonical_url):
                steps.append(Link(name=name, url=url))
        return steps

    @cached_property
    def trail(self) -> list[Link]:
        """:meth:`breadcrumbs`, read once (the section falls back on it too)."""
        return self.breadcrumbs()

    def section(self) -> str | None:
        """The section name."""
        section = self.page.ld_article.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        return text_of(section)

    def authors(self) -> list[Link]:
        """Authors from JSON-LD ``author`` (string, object, or list of either)."""
        raw = self.page.ld_article.get("author")
        entries = raw if isinstance(raw, list) else [raw]
        authors = []
        for entry in entries:
            names: list[str]
            if isinstance(entry, str):
                names = [entry]
                url = None
            elif isinstance(entry, dict):
                name = entry.get("name")
                names = [name] if isinstance(name, str) else []
                url = text_of(entry.get("url"))
            else:
                continue
            for name in names:
                cleaned = clean_text(name)
                if cleaned:
                    authors.append(Link(name=cleaned, url=self.link(url)))
        return authors

    def dateline(self) -> str | None:
        """City of the dateline."""
        return None

    def date_published(self) -> str | None:
        """First Published, ISO 8601 with +05:30."""
        return (
            normalize_date(text_of(self.page.ld_article.get("datePublished")))
            or normalize_date(self.page.meta("article:published_time", "datePublished"))
            or normalize_date(self.date_published_raw())
        )

    def date_published_raw(self) -> str | None:
        """First Published as the page shows it."""
        return display_date_text(" ".join(self.labelled_texts(FIRST_PUBLISHED, FIRST_PUBLISHED_XPATH, last=True)))

    def date_modified(self) -> str | None:
        """Last Updated, ISO 8601 with +05:30."""
        return (
            normalize_date(text_of(self.page.ld_article.get("dateModified")))
            or normalize_date(self.page.meta("article:modified_time", "dateModified"))
            or normalize_date(self.date_modified_raw())
        )

    def date_modified_raw(self) -> str | None:
        """Last Updated as the page shows it."""
        return display_date_text(" ".join(self.labelled_texts(LAST_UPDATED, LAST_UPDATED_XPATH, last=False)))

    def labelled_texts(self, phrase: str, xpath: str, *, last: bool) -> list[str]:
        """The text inside the first (or last) element, not a script, with a text saying ``phrase``."""
        found = self.page.dom.elements_with_text(phrase, exclude=frozenset({"script"}))
        if found is None:
            return self.page.xpath(xpath).getall()  # type: ignore[no-any-return]
        return strings(_LABEL_TEXTS, found[-1] if last else found[0]) if found else []

    def phrase_texts(self, phrase: str, xpath: str) -> list[str]:
        """Every text node holding ``phrase``, in page order (``xpath`` is ``//text()[contains(., phrase)]``)."""
        hits = self.page.dom.text_hits(phrase)
        if hits is None:
            return self.page.xpath(xpath).getall()  # type: ignore[no-any-return]
        return [hit.text for hit in hits]

    def read_time(self) -> int | None:
        """Minutes from "N min read"."""
        return read_time_minutes(" ".join(self.phrase_texts(MIN_READ, READ_TIME_XPATH)))

    def main_image(self) -> Image | None:
        """The hero image from JSON-LD, then og:image."""
        image = self.page.ld_article.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        url = text_of(image) if isinstance(image, str) else text_of(dig(image, "url"))
        url = url or self.page.meta("og:image")
        if not url:
            return None
        return Image(url=self.link(url) or url, alt=None, caption=text_of(dig(image, "caption")))

    @cached_property
    def body_and_disclaimer(self) -> tuple[list[str], str | None]:
        """Body paragraphs and the disclaimer found among them."""
        return split_body(self.body_paragraphs())

    def body_paragraphs(self) -> list[str]:
        """Raw body paragraphs (promos removed later); JSON-LD ``articleBody`` by default."""
        body = text_of_block(self.page.ld_article.get("articleBody"))
        return text_paragraphs(body) if body else []

    def also_read(self) -> list[RelatedArticle]:
        """The "Also Read" list: links following a heading that says "Also Read"."""
        headings = self.page.dom.headings_reading(ALSO_READ_HEADING_TAGS)
        if headings is None:
            anchors = [link.root for link in self.page.xpath(ALSO_READ_HEADING + "/following-sibling::*//a[@href]")]
        else:
            anchors = elements(_LINKS_AFTER, headings[0]) if headings else []
        return self.related_links(anchors)

    def related_links(self, anchors: list[_Element]) -> list[RelatedArticle]:
        """``RelatedArticle`` for each anchor with text, de-duplicated by URL."""
        found: dict[str, RelatedArticle] = {}
        for anchor in anchors:
            headline = clean_text(" ".join(texts(anchor)))
            url = self.link(anchor.get("href"))
            if headline and url and url not in found:
                found[url] = RelatedArticle(headline=headline, url=url)
        return list(found.values())

    def topics(self) -> list[str]:
        """Topic names from JSON-LD ``keywords``."""
        keywords = self.page.ld_article.get("keywords")
        if isinstance(keywords, list):
            return unique(k for k in (text_of(v) for v in keywords) if k)
        return split_list(text_of(keywords))

    def disclaimer(self) -> str | None:
        """The syndication note, wherever the page puts it."""
        found = self.body_and_disclaimer[1]
        if found:
            return found
        for text in self.phrase_texts(SYNDICATION, DISCLAIMER_XPATH):
            cleaned = clean_text(text)
            if cleaned and DISCLAIMER.match(cleaned):
                return cleaned
        return None

    def is_premium(self) -> bool:
        """Paywalled article."""
        free = self.page.ld_article.get("isAccessibleForFree")
        return free is False or (isinstance(free, str) and free.strip().lower() == "false")

    def is_live_blog(self) -> bool:
        """Live blog page."""
        return "LiveBlogPosting" in ld_types(self.page.ld_article)

    def language(self) -> str:
        """``en``, or ``hi`` for the Hindi site."""
        host = (self.canonical_url or self.page.url).split("/")[2:3]
        if host and host[0].startswith("hindi."):
            return "hi"
        declared = text_of(self.page.ld_article.get("inLanguage")) or self.page.lang
        return declared[:2].lower() if declared else "en"

    def market(self) -> list[MarketQuote]:
        """The ticker; names with null numbers unless a renderer filled them in."""
        return [MarketQuote(name=name) for name in MARKET_INDICES]

    # --- assembly --------------------------------------------------------

    def check(self) -> None:
        """Raise :class:`NotAnArticle` for pages of this layout that are not articles."""

    def to_article(self) -> Article:
        """Read every field into an :class:`Article`."""
        self.check()
        identifier = self.article_id
        if not identifier:
            raise NotAnArticle("no-article-id", f"no 12-digit article id in {self.canonical_url or self.page.url}")
        headline = self.headline()
        if not headline:
            raise NotAnArticle("no-headline", "the page has no headline")
        body, disclaimer = self.body_and_disclaimer
        disclaimer = disclaimer or self.disclaimer()
        return Article(
            url=self.page.url,
            canonicalUrl=self.canonical_url,
            articleId=identifier,
            section=self.section(),
            breadcrumbs=self.trail,
            headline=headline,
            description=self.description(),
            authors=self.authors(),
            dateline=self.dateline(),
            datePublished=self.date_published(),
            datePublishedRaw=self.date_published_raw(),
            dateModified=self.date_modified(),
            dateModifiedRaw=self.date_modified_raw(),
            readTimeMinutes=self.read_time(),
            mainImage=self.main_image(),
            articleBody="\n".join(body) or None,
            alsoRead=self.also_read(),
            topics=self.topics(),
            disclaimer=disclaimer,
            isSyndicated=disclaimer is not None,
            isPremium=self.is_premium(),
            isLiveBlog=self.is_live_blog(),
            inLanguage=self.language(),
            market=self.market(),
            layout=self.name,
        )


def text_of_block(value: Any) -> str | None:
    """A JSON string kept with its line breaks (for paragraph splitting), entities unescaped."""
    if not isinstance(value, str) or not value.strip():
        return None
    return html.unescape(value)


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0

