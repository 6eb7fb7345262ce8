"""The pre-2023 site (``/article/<section>/<slug>-<ID>_1.html``), as archived pages show it."""

from __future__ import annotations


from .selectors import CSSSelector, XPath
from lxml.etree import _Element

from ..article import Image, Link, RelatedArticle
from ..lazy import cached_property
from ..errors import NotAnArticle
from ..page import Page
from ..text import block_paragraphs, attribute_text
from .base import DOM, JSON_LD, META, ArticlePage, BodySources, article_container, byline_names, element_after_picture, element_text, first, picture_file, picture_showing, picture_source, select, story_picture, text_of


class Legacy2019(ArticlePage):
    """business-standard.com before the 2023 redesign."""

    layout = "pre2023"

    HEADLINE = CSSSelector("h1.headline")
    BODY = CSSSelector("span.p-content")
    CONTENT_TIER_META = "article:content_tier"

    @classmethod
    def matches(cls, page: Page) -> bool:
        return bool(page.find(cls.HEADLINE)) and bool(page.meta(cls.CONTENT_TIER_META) or page.find(cls.BODY))

    def headline(self) -> str | None:
        return self.pick(
            "headline",
            (JSON_LD, lambda: self.without_site_name(text_of(self.ld.get("headline")))),
            (DOM, lambda: element_text(self.headline_element)),
            fallbacks=((META, self.meta_title),),
        )

    def shown_headline(self) -> str | None:
        return element_text(self.headline_element)

    STANDFIRST = CSSSelector("h2.alternativeHeadline")

    def description(self) -> str | None:
        return self.pick(
            "description",
            (DOM, lambda: element_text(first(self.STANDFIRST, self.scope))),
            fallbacks=((JSON_LD, lambda: text_of(self.ld.get("description"))), (META, lambda: self.page.meta("og:description"))),
        )

    BREADCRUMB_LINKS = CSSSelector("div.breadcrum a")

    def dom_breadcrumbs(self) -> list[Link]:
        return [Link(name=name, url=self.link(a.get("href"))) for a in select(self.BREADCRUMB_LINKS, self.page.root) if (name := element_text(a))]

    def section(self) -> str | None:
        trail = self._trail
        return self.pick(
            "section",
            (JSON_LD, self.ld_section),
            (DOM, lambda: trail[1].name if len(trail) > 1 else None),
        )

    BYLINE_LINKS = XPath('descendant::a[contains(@href, "/author/search/keyword/")]')

    def dom_authors(self) -> list[Link]:
        found: dict[str, Link] = {}
        for anchor in select(self.BYLINE_LINKS, self.scope):
            # A link may hold the whole byline ("A with B", "A with inputs from PTI"): its page is
            # one person's, so only a link naming one gives it.
            names = byline_names(element_text(anchor) or "")
            url = self.link(anchor.get("href")) if len(names) == 1 else None
            for name in names:
                found.setdefault(name.lower(), Link(name=name, url=url))
        return list(found.values())

    def authors(self) -> list[Link]:
        # A byline of plain text (no author page) is in neither: the author meta names it.
        return self.pick("authors", (DOM, self.dom_authors), (JSON_LD, self.ld_authors), fallbacks=((META, self.meta_authors),)) or []

    DATELINE_TAG = "news:geo_locations"  # the HTML parser keeps the prefix in the tag name

    def dateline(self) -> str | None:
        return self.pick("dateline", (DOM, lambda: element_text(next(self.scope.iter(self.DATELINE_TAG), None))))

    HERO_IMAGE = CSSSelector("img.imgCont")
    # The caption is the element after the picture (element_after_picture: a <noscript> copy of the
    # picture or a <picture> around it, as a CDN optimiser writes them, aside).

    # Pictures of the article outside the story (an inline picture's next element is a paragraph).
    PICTURES_OUTSIDE_STORY = XPath("descendant::img[not(ancestor::span[contains(concat(' ', normalize-space(@class), ' '), ' p-content ')])]")

    def mainImage(self) -> Image | None:
        image = first(self.HERO_IMAGE, self.scope)
        url = story_picture(self.link(picture_source(image))) if image is not None else None
        if image is None or not url:
            found = self.pick("mainImage", (JSON_LD, self.ld_image), fallbacks=((META, self.meta_image),))
            # A hero without the imgCont class (another template's) still shows its alt text and
            # its caption line, which JSON-LD and og:image do not have: the picture showing their file.
            shown = picture_showing(select(self.PICTURES_OUTSIDE_STORY, self.scope), found.url) if found is not None else None
            if found is None or shown is None:
                return found
            return Image(url=found.url, alt=found.alt or attribute_text(shown.get("alt")), caption=found.caption or element_text(element_after_picture(shown)))
        self.provenance.sources["mainImage"] = DOM
        named = self.ld_image() or self.meta_image()
        if named is not None and named.url != url and picture_file(named.url) == picture_file(url):
            # The page draws the file through a resizer (`?w=640`) or in one of its sizes: the file
            # itself is the one the structured data name, as on the page that draws it as it is.
            url = named.url
        return Image(url=url, alt=attribute_text(image.get("alt")), caption=element_text(element_after_picture(image)))

    # Ads sit in div[id^=div-gpt] with a <style> beside them; inline "ALSO READ:" lines in strong.read_more.
    # (An element with neither attribute, as most of a story's are, is let go by the first test alone:
    # the string functions of the second cost libxml2 several times as much per element.)
    NOISE = XPath("descendant::*[@id or @class][starts-with(@id, 'div-gpt') or contains(concat(' ', normalize-space(@class), ' '), ' read_more ')]")

    def dom_body(self) -> list[str]:
        paragraphs = []
        for span in self.page.find(self.BODY):
            noise = set(select(self.NOISE, span))
            paragraphs.extend(block_paragraphs(span, noise.__contains__))
        return paragraphs

    def body_sources(self) -> BodySources:
        # Premium ("locked") pages cut the visible body short and end it in "...": JSON-LD has it all.
        return ((DOM, self.dom_body), (JSON_LD, self.ld_body))

    ALSO_READ_LINKS = CSSSelector("div.also-read-panel a[href]")

    def alsoRead(self) -> list[RelatedArticle]:
        return self.pick(
            "alsoRead",
            (DOM, self.panel_and_inline_links),
        ) or []

    def panel_and_inline_links(self) -> list[RelatedArticle]:
        """The side panel's stories (else those after an "Also Read" heading), then the story's inline promos'."""
        found = self.add_related_links(select(self.ALSO_READ_LINKS, self.scope), {}) or self.add_related_links(self.related_anchors(), {})
        return list(self.add_related_links(self.inline_related_anchors(), found).values())

    # The links may be written absolute, as the byline's may.
    TOPIC_LINKS = CSSSelector('p.pB15 a[href*="/topic/"]')

    def topics(self) -> list[str]:
        return self.pick(
            "topics",
            (DOM, lambda: [n for n in dict.fromkeys(element_text(a) for a in select(self.TOPIC_LINKS, self.scope)) if n]),
            (JSON_LD, self.ld_topics),
        ) or []

    def isPremium(self) -> bool:
        tier = (self.page.meta(self.CONTENT_TIER_META) or "").lower()
        return tier == "locked" or super().isPremium()

    def check(self) -> None:
        super().check()
        # A locked page's visible body is its first paragraphs ending in "...": with JSON-LD's whole
        # text missing too, those would pass for the story.
        body = self._body[0]
        if body and self.provenance.sources.get("articleBody") == DOM and body[-1].rstrip().endswith(("...", "\u2026")) and self.isPremium():
            raise NotAnArticle("paywall-stub", f"a locked page showing its free part alone ({len(body)} lines, the last \"...\"): its whole story is in no data of the page")

    @cached_property
    def headline_element(self) -> _Element | None:
        return self.page.find_first(self.HEADLINE)

    @cached_property
    def scope(self) -> _Element:
        """The article: the lowest element holding the headline and the story (286 of the real
        page's 2,139 elements); navigation, side panels and footer stay out of every walk."""
        headline, story = self.headline_element, self.page.find_first(self.BODY)
        return article_container(headline, story) if headline is not None and story is not None else self.page.root
