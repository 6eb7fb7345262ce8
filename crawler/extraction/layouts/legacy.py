"""Rules for the pre-2023 site (``/article/<section>/<slug>-<ID>_1.html``), as archived pages show it."""

from __future__ import annotations

from lxml.etree import _Element

from lxml import etree

from ..article import Image, Link, RelatedArticle
from ..dom import Css, descendants, strings, texts, texts_of_all
from ..normalize import clean_text
from ..page import Page
from ..text import block_paragraphs, classes, split_body
from .base import Layout

# Answered from the page's one-walk index (crawler/extraction/dom.py); the XPaths in the comments
# say the same.
HEADLINE_CSS = Css("h1.headline")
STANDFIRST_CSS = Css("h2.alternativeHeadline")
BYLINE_HREF = "/author/search/keyword/"  # //a[contains(@href, BYLINE_HREF)]
DATELINE_TAG = "news:geo_locations"  # //*[name()="news:geo_locations"]//text()
IMAGE_CSS = Css("img.imgCont")
CAPTION_XPATH = etree.XPath("following-sibling::*[1]//text()", smart_strings=False)  # from the image
BODY_CSS = Css("span.p-content")
ALSO_READ_LINKS_CSS = Css(".also-read-panel a[href]")
TOPIC_PARAGRAPH_CSS = Css("p.pB15")  # its //a[starts-with(@href, TOPIC_HREF)]
TOPIC_HREF = "/topic/"
BREADCRUMB_LINKS_CSS = Css(".breadcrum a")
CONTENT_TIER_META = "article:content_tier"


def _is_story_noise(element: _Element) -> bool:
    # Ads sit in div[id^=div-gpt] with a <style> beside them; inline "ALSO READ:" lines in strong.read_more.
    return (element.get("id") or "").startswith("div-gpt") or "read_more" in classes(element)


class Legacy2019(Layout):
    """business-standard.com before the 2023 redesign."""

    name = "pre2023"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return bool(HEADLINE_CSS.select(page.dom)) and bool(BODY_CSS.select(page.dom) or page.meta(CONTENT_TIER_META))

    def headline(self) -> str | None:
        return super().headline() or clean_text(HEADLINE_CSS.text(self.page.dom))

    def description(self) -> str | None:
        return clean_text(STANDFIRST_CSS.text(self.page.dom)) or super().description()

    def breadcrumbs(self) -> list[Link]:
        return super().breadcrumbs() or [
            Link(name=name, url=self.link(a.get("href")))
            for a in BREADCRUMB_LINKS_CSS.select(self.page.dom)
            if (name := clean_text(" ".join(texts(a))))
        ]

    def section(self) -> str | None:
        trail = self.trail
        return super().section() or (trail[1].name if len(trail) > 1 else None)

    def authors(self) -> list[Link]:
        found: dict[str, Link] = {}
        for anchor in self.page.dom.tagged("a"):
            if BYLINE_HREF not in (anchor.get("href") or ""):
                continue
            name = clean_text(" ".join(texts(anchor)))
            if name:
                found.setdefault(name.lower(), Link(name=name, url=self.link(anchor.get("href"))))
        return list(found.values()) or super().authors()

    def dateline(self) -> str | None:
        return clean_text(" ".join(texts_of_all(self.page.dom.tagged(DATELINE_TAG))))

    def main_image(self) -> Image | None:
        images = IMAGE_CSS.select(self.page.dom)
        if not images:
            return super().main_image()
        image = images[0]
        url = self.link(image.get("src"))
        if not url:
            return super().main_image()
        # The caption is the element right after the <img>.
        caption = clean_text(" ".join(strings(CAPTION_XPATH, image)))
        return Image(url=url, alt=clean_text(image.get("alt")), caption=caption)

    def body_paragraphs(self) -> list[str]:
        visible = []
        for span in BODY_CSS.select(self.page.dom):
            visible.extend(block_paragraphs(span, _is_story_noise))
        structured = super().body_paragraphs()
        # Premium ("locked") pages cut the visible body short and end it in "...";
        # the JSON-LD articleBody still holds the whole story.
        if self.is_premium() or len(" ".join(split_body(structured)[0])) > 1.2 * len(" ".join(visible)):
            return structured or visible
        return visible

    def also_read(self) -> list[RelatedArticle]:
        return self.related_links(ALSO_READ_LINKS_CSS.select(self.page.dom)) or super().also_read()

    def topics(self) -> list[str]:
        links = descendants(TOPIC_PARAGRAPH_CSS.select(self.page.dom), "a")
        names = [clean_text(" ".join(texts(a))) for a in links if (a.get("href") or "").startswith(TOPIC_HREF)]
        return [n for n in dict.fromkeys(names) if n] or super().topics()

    def is_premium(self) -> bool:
        tier = (self.page.meta(CONTENT_TIER_META) or "").lower()
        return tier == "locked" or super().is_premium()
