"""Rules for AMP pages (``/amp/<article path>``): JSON-LD carries the story, the DOM the rest."""

from __future__ import annotations

from ..article import Image
from ..dom import Css
from ..normalize import clean_text
from ..page import Page
from ..text import block_paragraphs
from .base import Layout

BODY_CSS = Css(".storycontent")
DATELINE_CSS = Css(".dateline")
CAPTION_CSS = Css("[class*=captiontext]")


class AmpV1(Layout):
    """The AMP twin of a current-site article."""

    name = "amp"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return page.is_amp and bool(page.ld_article)

    def dateline(self) -> str | None:
        return clean_text(DATELINE_CSS.text(self.page.dom))

    def main_image(self) -> Image | None:
        image = super().main_image()
        if image and not image.caption:
            image.caption = clean_text(CAPTION_CSS.text(self.page.dom))
        return image

    def body_paragraphs(self) -> list[str]:
        body = BODY_CSS.select(self.page.dom)
        return block_paragraphs(body[0]) if body else super().body_paragraphs()
