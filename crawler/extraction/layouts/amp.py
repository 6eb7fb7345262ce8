"""Rules for AMP pages (``/amp/<article path>``): JSON-LD carries the story, the DOM the rest."""

from __future__ import annotations

from ..normalize import clean_text
from ..page import Page
from ..text import block_paragraphs
from .base import Layout

BODY_CSS = ".storycontent"
DATELINE_CSS = ".dateline"
CAPTION_CSS = "[class*=captiontext]"


class AmpV1(Layout):
    """The AMP twin of a current-site article."""

    name = "amp"

    @classmethod
    def matches(cls, page: Page) -> bool:
        # lxml drops the "\u26a1" attribute, so that spelling is looked for in the raw text.
        is_amp = bool(page.xpath("/html[@amp]")) or "<html \u26a1" in page.text[:2000]
        return is_amp and bool(page.ld_article)

    def dateline(self) -> str | None:
        return clean_text(" ".join(self.page.css(DATELINE_CSS + " ::text").getall()))

    def main_image(self):  # type: ignore[no-untyped-def]
        image = super().main_image()
        if image and not image.caption:
            image.caption = clean_text(" ".join(self.page.css(CAPTION_CSS + " ::text").getall()))
        return image

    def body_paragraphs(self) -> list[str]:
        body = self.page.css(BODY_CSS)
        return block_paragraphs(body[0].root) if body else super().body_paragraphs()
