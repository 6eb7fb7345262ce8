"""The last resort: a page of no known layout whose structured data says it is an article.

JSON-LD ``NewsArticle``/``Article`` (or OpenGraph ``og:type=article`` with a title) gives the item;
the body is JSON-LD's ``articleBody``, else the page's ``<article>`` or ``[itemprop=articleBody]``.
Items of this layout are counted (``article/layout/generic``), so a redesign shows in the run.
"""

from __future__ import annotations


from lxml import etree

from ..page import Page
from ..text import block_paragraphs
from .base import DOM, JSON_LD, ArticlePage, BodySources, first


class Generic(ArticlePage):
    """Any article page with JSON-LD or OpenGraph article metadata."""

    layout = "generic"

    @classmethod
    def matches(cls, page: Page) -> bool:
        if page.ld_article.get("headline") or page.ld_article.get("name"):
            return True
        return (page.meta("og:type") or "").lower() == "article" and bool(page.meta("og:title"))

    BODY = etree.XPath("(//*[@itemprop='articleBody'] | //article)[1]")

    def dom_body(self) -> list[str]:
        body = first(self.BODY, self.page.root)
        # The headline often sits inside <article>; it is not the story.
        return block_paragraphs(body, lambda element: element.tag == "h1") if body is not None else []

    def body_sources(self) -> BodySources:
        return ((JSON_LD, self.ld_body), (DOM, self.dom_body))

    def isPremium(self) -> bool:
        # JSON-LD's body is taken first here, so no "truncated-dom" is ever noted: the page's own
        # body is compared with it instead. Shorter is cut; none is no evidence.
        if not self.ld_says_locked():
            return False
        shown = self.dom_body()
        return bool(shown) and sum(len(p.split()) for p in shown) < sum(len(p.split()) for p in self.ld_body())
