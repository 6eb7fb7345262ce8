"""Rules for the pre-2023 site (``/article/<section>/<slug>-<ID>_1.html``), as archived pages show it."""

from __future__ import annotations

from lxml.etree import _Element

from ..article import Image, Link, RelatedArticle
from ..normalize import clean_text
from ..page import Page
from ..text import block_paragraphs, classes, split_body
from .base import Layout

HEADLINE_CSS = "h1.headline"
STANDFIRST_CSS = "h2.alternativeHeadline"
BYLINE_LINKS_XPATH = '//a[contains(@href, "/author/search/keyword/")]'
DATELINE_XPATH = '//*[name()="news:geo_locations"]//text()'
IMAGE_CSS = "img.imgCont"
BODY_CSS = "span.p-content"
ALSO_READ_LINKS_CSS = ".also-read-panel a[href]"
TOPIC_LINKS_XPATH = '//p[contains(concat(" ", normalize-space(@class), " "), " pB15 ")]//a[starts-with(@href, "/topic/")]'
BREADCRUMB_LINKS_CSS = ".breadcrum a"
CONTENT_TIER_META = "article:content_tier"


def _is_story_noise(element: _Element) -> bool:
    # Ads sit in div[id^=div-gpt] with a <style> beside them; inline "ALSO READ:" lines in strong.read_more.
    return (element.get("id") or "").startswith("div-gpt") or "read_more" in classes(element)


class Legacy2019(Layout):
    """business-standard.com before the 2023 redesign."""

    name = "pre2023"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return bool(page.css(HEADLINE_CSS)) and bool(page.css(BODY_CSS) or page.meta(CONTENT_TIER_META))

    def headline(self) -> str | None:
        return super().headline() or clean_text(" ".join(self.page.css(HEADLINE_CSS + " ::text").getall()))

    def description(self) -> str | None:
        return clean_text(" ".join(self.page.css(STANDFIRST_CSS + " ::text").getall())) or super().description()

    def breadcrumbs(self) -> list[Link]:
        return super().breadcrumbs() or [
            Link(name=name, url=self.link(a.attrib.get("href")))
            for a in self.page.css(BREADCRUMB_LINKS_CSS)
            if (name := clean_text(" ".join(a.xpath(".//text()").getall())))
        ]

    def section(self) -> str | None:
        trail = self.breadcrumbs()
        return super().section() or (trail[1].name if len(trail) > 1 else None)

    def authors(self) -> list[Link]:
        found: dict[str, Link] = {}
        for anchor in self.page.xpath(BYLINE_LINKS_XPATH):
            name = clean_text(" ".join(anchor.xpath(".//text()").getall()))
            if name:
                found.setdefault(name.lower(), Link(name=name, url=self.link(anchor.attrib.get("href"))))
        return list(found.values()) or super().authors()

    def dateline(self) -> str | None:
        return clean_text(" ".join(self.page.xpath(DATELINE_XPATH).getall()))

    def main_image(self) -> Image | None:
        image = self.page.css(IMAGE_CSS)
        if not image:
            return super().main_image()
        url = self.link(image.attrib.get("src"))
        if not url:
            return super().main_image()
        # The caption is the element right after the <img>.
        caption = clean_text(" ".join(image[0].xpath("following-sibling::*[1]//text()").getall()))
        return Image(url=url, alt=clean_text(image.attrib.get("alt")), caption=caption)

    def body_paragraphs(self) -> list[str]:
        visible = []
        for span in self.page.css(BODY_CSS):
            visible.extend(block_paragraphs(span.root, _is_story_noise))
        structured = super().body_paragraphs()
        # Premium ("locked") pages cut the visible body short and end it in "...";
        # the JSON-LD articleBody still holds the whole story.
        if self.is_premium() or len(" ".join(split_body(structured)[0])) > 1.2 * len(" ".join(visible)):
            return structured or visible
        return visible

    def also_read(self) -> list[RelatedArticle]:
        return self.related_links(self.page.css(ALSO_READ_LINKS_CSS)) or super().also_read()

    def topics(self) -> list[str]:
        names = [clean_text(" ".join(a.xpath(".//text()").getall())) for a in self.page.xpath(TOPIC_LINKS_XPATH)]
        return [n for n in dict.fromkeys(names) if n] or super().topics()

    def is_premium(self) -> bool:
        tier = (self.page.meta(CONTENT_TIER_META) or "").lower()
        return tier == "locked" or super().is_premium()
