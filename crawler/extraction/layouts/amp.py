"""AMP pages (``/amp/<article path>``): JSON-LD carries the story, the DOM the rest."""

from __future__ import annotations

from lxml.cssselect import CSSSelector

from ..article import Image
from ..page import Page
from ..text import block_paragraphs
from .base import DOM, JSON_LD, ArticlePage, BodySources, element_text, first, select, text_of


class AmpV1(ArticlePage):
    """The AMP twin of a current-site article."""

    layout = "amp"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return page.is_amp and bool(page.ld_article)

    DATELINE = CSSSelector(".dateline")

    def dateline(self) -> str | None:
        return self.pick("dateline", (DOM, lambda: element_text(first(self.DATELINE, self.page.root))))

    STANDFIRST = CSSSelector("h2")

    def description(self) -> str | None:
        # JSON-LD's description is the meta description; the page shows the standfirst.
        return self.pick(
            "description",
            (DOM, lambda: element_text(first(self.STANDFIRST, self.page.root))),
            fallbacks=((JSON_LD, lambda: text_of(self.ld.get("description"))),),
        )

    CAPTION = CSSSelector("[class*=captiontext]")
    HERO_IMAGE = CSSSelector("amp-img[src]")

    def mainImage(self) -> Image | None:
        image = self.pick("mainImage", (JSON_LD, self.ld_image))
        if image is None:
            return None
        hero = next((img for img in select(self.HERO_IMAGE, self.page.root) if img.get("src") == image.url), None)
        return Image(
            url=image.url,
            alt=image.alt or (text_of(hero.get("alt")) if hero is not None else None),
            caption=image.caption or element_text(first(self.CAPTION, self.page.root)),
        )

    BODY = CSSSelector(".storycontent")

    def body_sources(self) -> BodySources:
        body = first(self.BODY, self.page.root)
        return ((DOM, lambda: block_paragraphs(body) if body is not None else []), (JSON_LD, self.ld_body))
