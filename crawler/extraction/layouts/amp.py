"""AMP pages (``/amp/<article path>``): JSON-LD carries the story, the DOM the rest."""

from __future__ import annotations

from lxml.cssselect import CSSSelector

from ..article import Image
from ..page import Page
from ..text import block_paragraphs
from .base import BodySources, DOM, JSON_LD, ArticlePage, element_text, first


class AmpV1(ArticlePage):
    """The AMP twin of a current-site article."""

    layout = "amp"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return page.is_amp and bool(page.ld_article)

    DATELINE = CSSSelector(".dateline")

    def dateline(self) -> str | None:
        return self.pick("dateline", (DOM, lambda: element_text(first(self.DATELINE, self.page.root))))

    CAPTION = CSSSelector("[class*=captiontext]")

    def mainImage(self) -> Image | None:
        image = self.pick("mainImage", (JSON_LD, self.ld_image))
        if image and not image.caption:
            image.caption = element_text(first(self.CAPTION, self.page.root))
        return image

    BODY = CSSSelector(".storycontent")

    def body_sources(self) -> BodySources:
        body = first(self.BODY, self.page.root)
        return ((DOM, lambda: block_paragraphs(body) if body is not None else []), (JSON_LD, self.ld_body))
