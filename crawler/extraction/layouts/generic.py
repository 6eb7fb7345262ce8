"""The last resort: a page of no known layout whose structured data says it is an article.

JSON-LD ``NewsArticle``/``Article`` (or OpenGraph ``og:type=article`` with a title) gives the item;
the body is JSON-LD's ``articleBody``, else the page's ``<article>`` or ``[itemprop=articleBody]``,
else the block of paragraphs after the headline.
Items of this layout are counted (``article/layout/generic``), so a redesign shows in the run.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml.etree import _Element

from ..article import Image, Link
from ..lazy import cached_property
from ..normalize import split_list, unique
from ..errors import NotAnArticle
from ..page import ARTICLE_ITEMS, Page, dig, ld_types
from ..page import item_property as microdata_property
from ..text import attribute_text, block_paragraphs
from ..urls import on_hindi_edition, page_article_id
from .amp import figure_caption
from .base import DOM, JSON_LD, META, ArticlePage, BodySources, author_names, element_text, first, first_text_of, picture_showing, select, text_content, text_of
from .hindi import without_site_name_before
from .selectors import XPath


def _letters(text: str) -> int:
    """How many characters other than white space ``text`` has."""
    return len(text) - sum(1 for char in text if char.isspace())


# An element's itemprop may name several, separated by spaces (``itemprop="headline name"``, as microdata
# allows and themes write it): each is looked for among them (before, such a story's headline was none,
# and a page stating its article so was dropped as unknown-layout). The article items and an item's own
# properties are found as the page finds them (ARTICLE_ITEMS, item_property), so that the two never disagree.
def _prop(name: str) -> str:
    """An XPath test that an element's ``itemprop`` names ``name``."""
    return f"contains(concat(' ', normalize-space(@itemprop), ' '), ' {name} ')"


def itemprops(element: _Element) -> list[str]:
    """The properties an element's ``itemprop`` names."""
    value = element.get("itemprop")
    return value.split() if value else []


_FIRST_HEADLINE = XPath("(//h1)[1]")
_FIRST_ARTICLE_BODY = XPath(f"(//*[{_prop('articleBody')}])[1]")


def microdata_listing(page: Page) -> bool:
    """Whether the page's microdata is a listing's: its headline's (first ``<h1>``) or its body's
    (``articleBody``) item one of several article items alike side by side, each holding its own."""
    items = select(ARTICLE_ITEMS, page.root)
    if len(items) < 2:
        return False
    for mark, holds in ((first(_FIRST_HEADLINE, page.root), _HOLDS_HEADLINE), (first(_FIRST_ARTICLE_BODY, page.root), _HOLDS_BODY)):
        if mark is None:
            continue
        around = set(mark.iterancestors())
        found = next((item for item in reversed(items) if item in around), None)
        if found is not None and _beside_alike(found, items, holds):
            return True
    return False


_HOLDS_HEADLINE = XPath("boolean(descendant::h1)")
_HOLDS_BODY = XPath(f"boolean(descendant::*[{_prop('articleBody')}])")


def _beside_alike(item: _Element, items: list[_Element], holds: XPath) -> bool:
    """Whether another of ``items``, neither inside ``item`` nor around it, ``holds`` what it does."""
    around = set(item.iterancestors())
    return any(other is not item and other not in around and item not in set(other.iterancestors()) and holds(other) for other in items)


def microdata_value(element: _Element | None) -> str | None:
    """What a microdata property says: its ``content`` (a ``<meta>``), else its text."""
    if element is None:
        return None
    return text_of(element.get("content")) or element_text(element)


# What a page says it is when it lists stories: schema.org's pages of a collection, search results
# or a person's profile (an author's page).
LISTING_PAGE_TYPES = frozenset({"CollectionPage", "SearchResultsPage", "ProfilePage"})
# A list names its stories in its elements: a ListItem's url or item (an object or its address), or the
# story itself (a NewsArticle teaser's url).
_LISTED_URLS = (("url",), ("@id",), ("item",), ("item", "url"), ("item", "@id"))
# What makes a list of stories a listing's, not a story's few related links (the rule below), and a
# page of OpenGraph's type ``website`` a section's front rather than a story of an unknown layout.
LISTING_LEAST_STORIES = 3


def _listed_story_ids(page: Page, items: Any) -> set[str]:
    """The ids of the stories a JSON-LD ItemList's ``itemListElement`` names, this page's aside."""
    found: set[str] = set()
    for element in items if isinstance(items, list) else []:
        for path in _LISTED_URLS:
            url = dig(element, *path) if isinstance(element, dict) else element
            if isinstance(url, str) and (story := page_article_id(None, url.strip())):
                found.add(story)
    return found - page.story_ids


def ld_listing(page: Page) -> bool:
    """Whether the page's JSON-LD says it is a listing: a collection, search results or a profile
    page, a page whose main entity is a list (ItemList), or a list of stories naming this page. Where
    objects name this page, they alone say what it is: a story's page may describe others too (its
    section's, its author's). Where none does, a list of stories at the top level (Google's markup of a
    summary page) is the page's, unless OpenGraph dates a story (``article:published_time``: a story
    with its related stories listed)."""
    objects = page.json_ld
    own = [obj for obj in objects if page.names_this_page(obj)]
    for obj in own or objects:
        types = ld_types(obj)
        if types & LISTING_PAGE_TYPES:
            return True
        main = page.ld_resolved(obj.get("mainEntity"))
        if types & {"WebPage"} and isinstance(main, dict) and "ItemList" in ld_types(main):
            return True
        if "ItemList" in types and (own or not page.meta("article:published_time")) and len(_listed_story_ids(page, obj.get("itemListElement"))) >= LISTING_LEAST_STORIES:
            return True
    return False


_LINKS = XPath("//a[@href]")


def links_stories(page: Page, least: int = LISTING_LEAST_STORIES) -> bool:
    """Whether the page links at least ``least`` stories besides its own (by their ids)."""
    found: set[str] = set()
    for link in page.find(_LINKS):
        try:
            url = urljoin(page.url, (link.get("href") or "").strip())
        except ValueError:  # ("http://[x": no address)
            continue
        if (story := page_article_id(None, url)) and story not in page.story_ids:
            found.add(story)
            if len(found) >= least:
                return True
    return False


def listing_page(page: Page) -> bool:
    """Whether a page no layout reads says it is a listing: its JSON-LD (:func:`ld_listing`), or
    OpenGraph's type ``website`` (the type of a page that is no article) on a page linking stories.
    A page saying neither stays a page of an unknown layout, which counts towards a redesign."""
    if page.mentions("ld+json", "LD+JSON") and ld_listing(page):
        return True
    return (page.meta("og:type") or "").strip().lower() == "website" and links_stories(page)


class Generic(ArticlePage):
    """Any article page with JSON-LD or OpenGraph article metadata."""

    layout = "generic"

    @classmethod
    def matches(cls, page: Page) -> bool:
        if (page.ld_article.get("headline") or page.ld_article.get("name")) and not page.names_other_stories(page.ld_article):
            return True
        if (page.meta("og:type") or "").lower() == "article" and bool(page.meta("og:title")):
            return True
        # A CMS that states its article in schema.org microdata alone (no JSON-LD, no OpenGraph): its
        # item found as the reader finds it, so that the two never disagree.
        return page.mentions("itemprop") and microdata_value(microdata_property(cls(page).article_item, "headline", "name")) is not None

    # The story: [itemprop=articleBody], else the <article> around the page's headline, else the
    # longest <article> (a page may list teasers of other stories in <article>s of their own).
    # (Not a live blog's update's own articleBody: see microdata_live_updates.)
    ITEMPROP_BODY = XPath(f"//*[{_prop('articleBody')}][not(ancestor::*[{_prop('liveBlogUpdate')}])]")
    ARTICLES = XPath("//article")
    HEADLINE = XPath("//h1")
    # Inside it, what a reader does not take for the story: the headline, the article's header and
    # footer, navigation, asides, forms, and blocks named for sharing, related stories, comments,
    # newsletters (a part of a class or id between separators: "social-share", "related_posts"; related
    # also run together with what it lists, as WordPress's Jetpack writes "jp-relatedposts") or
    # ads (a whole class or id, "ad-slot", "advertisement": "ad-free" is no ad).
    NOT_STORY_TAGS = frozenset({"h1", "header", "footer", "nav", "aside", "form"})
    # Microdata that states the article's metadata where it is shown (its byline, its dates) is no story,
    # nor is the short line holding it ("By <author> | <date> | Updated <date>").
    NOT_STORY_ITEMPROPS = frozenset({"author", "datePublished", "dateModified"})
    METADATA = XPath(f"//*[{_prop('author')} or {_prop('datePublished')} or {_prop('dateModified')}]")
    LINE_TAGS = frozenset({"p", "li", "dd"})
    METADATA_LINE_MOST = 200  # characters: a paragraph of the story naming its author is longer

    @cached_property
    def metadata_lines(self) -> set[_Element]:
        """The lines that show the article's microdata metadata and little else."""
        lines = set()
        for found in select(self.METADATA, self.page.root):
            line = next((above for above in found.iterancestors() if above.tag in self.LINE_TAGS), None)
            if line is not None and len(text_content(line).strip()) <= self.METADATA_LINE_MOST:
                lines.add(line)
        return lines
    NOT_STORY_NAMES = re.compile(
        r"(?:^|[\s_-])(?:share|sharing|social|related(?:posts|stories|articles|links)?|comments?|newsletter|subscribe|promo|byline)(?:$|[\s_-])"
        r"|(?:^|\s)(?:ads?|ad-slot|ad-container|advert\w*)(?:$|\s)",
        re.I,
    )

    # A page with no <article> at all (a CMS that draws the story in <div>s): the paragraphs after the
    # headline, where there is one (a cookie notice or a teaser before it is not the story).
    PARAGRAPHS_AFTER_HEADLINE = XPath("(//h1)[1]/following::p")
    PARAGRAPHS = XPath("//p")

    @cached_property
    def body_element(self) -> _Element | None:
        found = next((body for body in select(self.ITEMPROP_BODY, self.page.root) if not self.in_a_teaser(body)), None)
        if found is not None:
            return found
        articles = select(self.ARTICLES, self.page.root)
        if not articles:
            return self.paragraphs_holder()
        if len(articles) < 2:
            return articles[0]
        headline = first(self.HEADLINE, self.page.root)
        holding = [a for a in articles if headline is not None and any(above is a for above in headline.iterancestors())]
        return holding[-1] if holding else max(articles, key=lambda article: len(text_content(article)))

    # Around a story drawn without <article> (an older CMS's page of <div>s) is the page's chrome, named
    # in a class or id: its header, footer, sidebar and menus, a cookie or consent notice, comments
    # (Disqus), lists of other stories (trending, most read, popular, recommended, "more from"). A block
    # holding the headline is never chrome, and a layout's state ("has-sidebar", "no-header") names none.
    PAGE_CHROME_NAMES = re.compile(
        r"(?:^|\s|(?<!\bhas)(?<!\bwith)(?<!\bno)[_-])(?:header|footer|sidebar|menu|nav|navbar|breadcrumbs?|cookies?|consent|gdpr|disqus|trending|popular|most|recommended|more[_-](?:from|stories|news|articles))(?:$|[\s_-])",
        re.I,
    )
    # An item of another kind than the article (a reader's comment, a review) is not the story.
    OTHER_ITEM_TYPES = re.compile(r"Comment|Review")

    @cached_property
    def headline_ancestors(self) -> list[_Element]:
        """The elements around the page's first <h1>, innermost first (none when it has none)."""
        headline = first(self.HEADLINE, self.page.root)
        return list(headline.iterancestors()) if headline is not None else []

    @cached_property
    def headline_holders(self) -> set[_Element]:
        return set(self.headline_ancestors)

    def story_container(self) -> _Element | None:
        return self.body_element

    @cached_property
    def body_in_paragraphs(self) -> bool:
        """Whether the story is read from the paragraphs after the headline (a page with no <article>)."""
        return first(self.ITEMPROP_BODY, self.page.root) is None and first(self.ARTICLES, self.page.root) is None

    def page_chrome(self, element: _Element) -> bool:
        """Whether an element is the page's chrome around a story drawn without <article>, or an item of
        another kind (a comment)."""
        if element.tag in ("body", "html") or element in self.headline_holders:
            return False
        if element.get("itemscope") is not None and self.OTHER_ITEM_TYPES.search(element.get("itemtype") or ""):
            return True
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        return names != " " and self.PAGE_CHROME_NAMES.search(names) is not None

    def paragraphs_holder(self) -> _Element | None:
        """The element whose paragraphs hold the most text, outside what is not the story (the page's
        header, footer, navigation, asides, comments, and blocks named for sharing, related stories,
        ads). A story whose paragraphs each sit in a block of their own (a block holding one paragraph
        and nothing else) is the element around those blocks; a block holding more than its paragraph
        (a card: a linked title and a summary) is no paragraph's, so a list of cards is not a story. The
        paragraphs of a block right inside a block of paragraphs count for the outer one."""
        paragraphs = select(self.PARAGRAPHS_AFTER_HEADLINE, self.page.root) or select(self.PARAGRAPHS, self.page.root)
        text: dict[_Element, int] = {}
        count: dict[_Element, int] = {}
        for paragraph in paragraphs:
            holder = paragraph.getparent()
            if holder is None or self.not_story(paragraph) or any(self.not_story(above) for above in paragraph.iterancestors()):
                continue
            text[holder] = text.get(holder, 0) + _letters(text_content(paragraph))
            count[holder] = count.get(holder, 0) + 1
        score = dict(text)
        for holder, held in text.items():
            around = holder.getparent()
            if around is None or around.tag in ("html", "body"):  # (a stray paragraph of the page's makes no story of it all)
                continue
            if around in text:  # a block inside a block of the story's paragraphs (its rest behind "read more")
                score[around] += held
            elif count[holder] == 1 and _letters(text_content(holder)) == held:
                score[around] = score.get(around, 0) + held
        # (On a tie, the inner element: the outer one adds nothing of the story.)
        best = max(score, key=lambda found: (score[found], sum(1 for _ in found.iterancestors())), default=None)
        return best if best is not None and score[best] else None

    @cached_property
    def hindi(self) -> bool:
        """Whether the page is the Hindi edition's, whose JSON-LD prefixes the headline with the site's
        name, cuts the description at 200 bytes and names a placeholder for the image (SITE.md): a
        page of it in a layout the rules do not know (its mobile twin's, a redesign) has them too."""
        return on_hindi_edition(self._canonical) or on_hindi_edition(self.page.url)

    def microdata(self, *names: str) -> str | None:
        """A property of the story's microdata item (the first of ``names`` it has), or None."""
        return microdata_value(microdata_property(self.article_item, *names)) if self.page.mentions("itemprop") else None

    def headline(self) -> str | None:
        if not self.hindi:
            return super().headline() or self.pick("headline", fallbacks=((DOM, lambda: self.without_site_name(self.microdata("headline", "name"))),))
        return self.pick(
            "headline",
            (META, self.meta_title),
            (DOM, lambda: element_text(first(self.HEADLINE, self.page.root))),
            fallbacks=((JSON_LD, lambda: without_site_name_before(self.ld_headline())),),
        )

    def description(self) -> str | None:
        if not self.hindi:
            return super().description() or self.pick("description", fallbacks=((DOM, lambda: self.microdata("description")),))
        return self.pick(
            "description", (META, lambda: self.page.meta("og:description", "description")), fallbacks=((JSON_LD, lambda: text_of(self.ld.get("description"))),)
        )

    PICTURES = XPath("descendant::img")

    def microdata_image(self) -> Image | None:
        """The picture the microdata item names: a ``<meta content>``, a link's ``href``, an ``<img>``'s
        ``src``, or an ImageObject item's ``url`` or ``contentUrl``."""
        found = microdata_property(self.article_item, "image") if self.page.mentions("itemprop") else None
        if found is None:
            return None
        if found.get("itemscope") is not None:
            found = microdata_property(found, "url", "contentUrl")
            if found is None:
                return None
        return self.image_at(text_of(found.get("content") or found.get("href") or found.get("src")) or microdata_value(found))

    def mainImage(self) -> Image | None:
        image = super().mainImage()
        if image is None and not self.hindi:
            image = self.pick("mainImage", fallbacks=((DOM, self.microdata_image),))
        if image is None:
            return None
        # The picture the structured data names, where the page draws it: its alt text, and the line
        # under it in its <figure> (no other picture's: an advertisement's figure is none of it).
        hero = picture_showing(select(self.PICTURES, self.page.root), image.url)
        caption = self.pick("mainImage.caption", (DOM, lambda: figure_caption(hero)), fallbacks=((JSON_LD, lambda: image.caption),))
        alt = image.alt or (attribute_text(hero.get("alt")) if hero is not None else None) or attribute_text(self.page.meta("og:image:alt"))
        return Image(url=image.url, alt=alt, caption=caption)

    def not_story(self, element: _Element) -> bool:
        """Whether an element inside the story's container is not the story."""
        if element.tag in self.NOT_STORY_TAGS or not self.NOT_STORY_ITEMPROPS.isdisjoint(itemprops(element)) or element in self.metadata_lines:
            return True
        # A live blog's update item follows the story as an update (with_updates), not inside it.
        if "liveBlogUpdate" in itemprops(element) and self.isLiveBlog():
            return True
        if self.body_in_paragraphs and self.page_chrome(element):
            return True
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        return names != " " and self.NOT_STORY_NAMES.search(names) is not None

    def dom_body(self) -> list[str]:
        body = self.body_element
        return block_paragraphs(body, self.not_story) if body is not None else []

    # Microdata: <span itemprop="author" itemscope …><a itemprop="url" href=…><span itemprop="name">…
    # (or the author's name as the element's text, or a <meta itemprop="author" content=…>). Not the
    # author of another item (a comment, a review): the nearest item around it, if any, is an article.
    MICRODATA_AUTHORS = XPath(
        f"//*[{_prop('author')}][not(ancestor::*[@itemscope][1][not(contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting'))])]"
    )
    MICRODATA_NAME = XPath(f"descendant::*[{_prop('name')}]")
    MICRODATA_URL = XPath(f"descendant-or-self::*[{_prop('url')}][@href]")

    def microdata_authors(self) -> list[Link]:
        if not self.page.mentions("itemprop"):  # no microdata: the page is not walked for it
            return []
        found: dict[str, Link] = {}
        for author in select(self.MICRODATA_AUTHORS, self.page.root):
            if not self.of_the_article(author):
                continue  # a teaser's ("more stories" cards'), not the story's
            named = first(self.MICRODATA_NAME, author)
            if named is None:
                named = author
            name = text_of(named.get("content")) or element_text(named)
            link = first(self.MICRODATA_URL, author)
            if name:
                found.setdefault(name.casefold(), Link(name=name, url=self.link(link.get("href")) if link is not None else None))
        return list(found.values())

    # What OpenGraph's article:author holds when it is a profile, not a name: a URL with or without its
    # scheme ("https://…", "//…", "www.facebook.com/…", "facebook.com/…"), a path on the site, a handle.
    PROFILE = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*://|/|@|www\.|[\w-]+(?:\.[\w-]+)+/)", re.I)

    def meta_authors(self) -> list[Link]:
        """The author meta, else OpenGraph's ``article:author`` (one per author; a profile's URL there
        names nobody); the site's own name (``og:site_name``, JSON-LD's publisher), which some CMSs
        write there for a story without a byline, is no author."""
        site = (first_text_of(dig(self.page.ld_resolved(self.ld.get("publisher")), "name")) or self.page.meta("og:site_name") or "").casefold()
        # (The site's name in the author meta gives way to article:author's names, as an empty meta would.)
        authors = [author for author in super().meta_authors() if author.name.casefold() != site]
        if authors:
            return authors
        # One meta per author, and a person named in two of them (or in two cases) is one author.
        named: dict[str, Link] = {}
        for value in self.page.meta_values("article:author"):
            if not self.PROFILE.match(value):
                for name in author_names(value):
                    if name.casefold() != site:
                        named.setdefault(name.casefold(), Link(name=name))
        return list(named.values())

    def authors(self) -> list[Link]:
        # Read only when JSON-LD names no author: a page of another CMS may mark its byline up as
        # microdata instead (then the author meta, which some fill with the site's name, is not needed).
        return self.pick("authors", (JSON_LD, self.ld_authors), fallbacks=((DOM, self.microdata_authors), (META, self.meta_authors))) or []

    # Microdata's dates, on the element that shows them (<time itemprop="datePublished" datetime=…>, a
    # <span> with a content attribute): a page without JSON-LD or OpenGraph's times states them so.
    # (A <meta> among them only inside an item: one outside any is the page's, read with the other metas.)
    MICRODATA_PUBLISHED = XPath(f"//*[{_prop('datePublished')}][not(self::meta) or ancestor::*[@itemscope]]")
    MICRODATA_MODIFIED = XPath(f"//*[{_prop('dateModified')}][not(self::meta) or ancestor::*[@itemscope]]")

    def microdata_date(self, name: str, selector: XPath) -> str | None:
        """The date ``name`` as microdata gives it, counted as the DOM's; None when it gives none. Only
        the article's own: not a comment's or a teaser's item (the story's item is the one around its
        headline; without one, the page's only article item)."""
        if not self.page.mentions("itemprop"):
            return None
        for found in select(selector, self.page.root):
            if not self.of_the_article(found):
                continue
            value = self.date(text_of(found.get("datetime")) or text_of(found.get("content")) or element_text(found))
            if value is not None:
                self.provenance.sources[name] = DOM
            return value
        return None

    def is_article_item(self, element: _Element) -> bool:
        itemtype = element.get("itemtype") or ""
        return "Article" in itemtype or "BlogPosting" in itemtype

    @cached_property
    def article_item(self) -> _Element | None:
        """The microdata item of the story: the article item around its headline (the first ``<h1>``),
        else around (or being) its body: its ``articleBody``, else its ``<article>`` or block of
        paragraphs, where the item is no teaser (a header's logo in the ``<h1>``, the headline an
        ``<h2>``); else, on a page with neither, the page's only one. An item around neither is a teaser's."""
        body = self.body_element
        for holders in (self.headline_ancestors, [body, *body.iterancestors()] if body is not None else []):
            around = next((above for above in holders if above.get("itemscope") is not None and self.is_article_item(above)), None)
            if around is not None:
                by_headline = holders is self.headline_ancestors
                # Teaser items beside it each holding an <h1> (or an articleBody) too: that mark tells no
                # story (a listing's; or related teasers headed so, the story then told by its body).
                if _beside_alike(around, select(ARTICLE_ITEMS, self.page.root), _HOLDS_HEADLINE if by_headline else _HOLDS_BODY):
                    continue
                if by_headline or body is None or "articleBody" in itemprops(body) or self.story_item(around, body):
                    return around
                return None
        if self.headline_ancestors or body is not None:
            return None
        items = select(ARTICLE_ITEMS, self.page.root)
        return items[0] if len(items) == 1 else None

    def teaser(self, item: _Element) -> bool:
        """Whether a microdata article item is a teaser of another story (the page's rule, which its
        metas are read by too: :meth:`Page.names_another_page`)."""
        return self.page.names_another_page(item)

    def in_a_teaser(self, element: _Element) -> bool:
        """Whether ``element`` (an ``articleBody``) is a teaser's: its nearest article item links another story."""
        item = next((above for above in element.iterancestors() if above.get("itemscope") is not None and self.is_article_item(above)), None)
        return item is not None and self.teaser(item)

    # A story's own paragraphs: not its item's summary or title (all a teaser's card holds).
    STORY_PARAGRAPHS = XPath(f"descendant-or-self::p[not(ancestor-or-self::*[{_prop('description')} or {_prop('headline')} or {_prop('name')}])]")

    def story_item(self, item: _Element, body: _Element) -> bool:
        """Whether an article item found by the story's ``<article>`` or paragraphs (not by its headline
        or ``articleBody``) is the story's: no teaser, holding paragraphs besides its summary, and the
        page's one such item (a page of several cards, linked or not, is a listing of teasers)."""
        if self.teaser(item) or not any(text_content(p).strip() for p in select(self.STORY_PARAGRAPHS, body)):
            return False
        for other in select(ARTICLE_ITEMS, self.page.root):
            nested = other is item or item in set(other.iterancestors()) or other in set(item.iterancestors())
            if not nested and not self.teaser(other):
                return False
        return True

    def of_the_article(self, element: _Element) -> bool:
        """Whether microdata ``element`` states the story's own data: outside any item, or in the story's item."""
        item = next((above for above in element.iterancestors() if above.get("itemscope") is not None), None)
        return item is None or item is self.article_item

    def datePublished(self) -> str | None:
        return super().datePublished() or self.microdata_date("datePublished", self.MICRODATA_PUBLISHED)

    def dateModified(self) -> str | None:
        return super().dateModified() or self.microdata_date("dateModified", self.MICRODATA_MODIFIED)

    def section(self) -> str | None:
        # A page with OpenGraph alone names its section in article:section.
        return super().section() or self.pick("section", fallbacks=((META, lambda: self.page.meta("article:section")),))

    def meta_topics(self) -> list[str]:
        """OpenGraph's topics: one article:tag per topic; else the keywords meta, comma-separated
        (``news_keywords``, which news sites write for their stories, then ``keywords``)."""
        tags = unique(name for tag in self.page.meta_values("article:tag") for name in split_list(tag))
        return tags or split_list(self.page.meta("news_keywords", "keywords"))

    def topics(self) -> list[str]:
        return self.pick("topics", (JSON_LD, self.ld_topics), fallbacks=((META, self.meta_topics),)) or []

    LOOSE_PARAGRAPHS = XPath("//p[not(ancestor::*[@itemscope][contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting')])]")
    STORY_OUTSIDE_ITEMS = 200  # characters: a listing's line of introduction is shorter

    def story_outside_items(self) -> bool:
        """Whether the page's paragraphs outside its article items hold a story's text."""
        return sum(len(text_content(p).strip()) for p in select(self.LOOSE_PARAGRAPHS, self.page.root)) >= self.STORY_OUTSIDE_ITEMS

    def check(self) -> None:
        super().check()
        # A listing served where a story was (its section's page for a removed story), its template's
        # og:type "article" on every page: its JSON-LD says what it is, and its first teaser is no story.
        if not self.ld and self.article_item is None and self.page.mentions("ld+json", "LD+JSON") and ld_listing(self.page):
            raise NotAnArticle("listing", "a listing page (its JSON-LD a collection of stories), not an article")
        # Or its microdata says so: its headline or its body in one of several teaser items alike, and
        # no story's paragraphs outside them (a story's page with teasers of others above it).
        if not self.ld and self.page.mentions("itemscope") and self.article_item is None and microdata_listing(self.page) and not self.story_outside_items():
            raise NotAnArticle("listing", "a listing page (its microdata teaser items of stories side by side), not an article")
        # A document cut short in transit may be a known layout's whose markup the cut took away
        # (a Next.js page cut before its headline): its item would lack what only the page showed.
        # Counted and dropped as a cut body, and fetched again next run.
        if not self.page.complete:
            self.provenance.flags.add("body-cut")

    def with_updates(self, paragraphs: list[str]) -> list[str]:
        """A live blog's story followed by the updates its JSON-LD lists (``liveBlogUpdate``), else its
        microdata's, that the story does not hold already; other stories as they are, and nothing for
        no story."""
        if not paragraphs or not self.isLiveBlog():
            return paragraphs
        held = set(paragraphs)
        return paragraphs + [update for update in self.ld_live_updates() or self.microdata_live_updates() if update not in held]

    def body_sources(self) -> BodySources:
        # A live blog whose JSON-LD has no story of its own but its updates: the updates are the body.
        return (
            (JSON_LD, lambda: self.with_updates(self.ld_body())),
            (DOM, lambda: self.with_updates(self.dom_body())),
            (JSON_LD, self.ld_live_updates),
            (DOM, self.microdata_live_updates),
        )

    def isLiveBlog(self) -> bool:
        # Or the story's microdata item is the blog (a page whose JSON-LD says NewsArticle, or nothing).
        return super().isLiveBlog() or self.microdata_blog is not None

    @cached_property
    def microdata_blog(self) -> _Element | None:
        """The story's microdata item where it is a LiveBlogPosting."""
        if not self.page.mentions("LiveBlogPosting"):
            return None
        item = self.article_item
        return item if item is not None and "LiveBlogPosting" in (item.get("itemtype") or "") else None

    MICRODATA_UPDATES = XPath(f"descendant::*[{_prop('liveBlogUpdate')}][not(ancestor::*[{_prop('liveBlogUpdate')}])]")
    MICRODATA_UPDATE_HEADLINE = XPath(f"descendant::*[{_prop('headline')}][1]")
    MICRODATA_UPDATE_BODY = XPath(f"descendant::*[{_prop('articleBody')}][1]")

    def microdata_live_updates(self) -> list[str]:
        """A live blog's updates as its microdata items (``liveBlogUpdate``) give them: each one's
        headline, then its text, as JSON-LD's are read."""
        blog = self.microdata_blog
        paragraphs: list[str] = []
        for update in select(self.MICRODATA_UPDATES, blog) if blog is not None else ():
            headline = element_text(first(self.MICRODATA_UPDATE_HEADLINE, update))
            body = first(self.MICRODATA_UPDATE_BODY, update)
            text = block_paragraphs(body, self.not_story) if body is not None else []
            if headline:
                paragraphs.append(headline)
                if text and text[0] == headline:
                    del text[0]
            paragraphs.extend(text)
        return paragraphs

    def isPremium(self) -> bool:
        # JSON-LD's body is taken first here, so no "truncated-dom" is ever noted: the page's own
        # body is compared with it instead. Shorter is cut; none is no evidence.
        if not self.ld_says_locked():
            return False
        shown = self.dom_body()
        return bool(shown) and sum(len(p.split()) for p in shown) < sum(len(p.split()) for p in self.ld_body())
