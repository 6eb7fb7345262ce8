"""AMP pages (``/amp/<article path>``): JSON-LD carries the story, the DOM the rest.

The Hindi edition's AMP pages (``/article-amp/<section>/section_<section>-N_1.html``) are read here too,
with its own rules: the id is ``hi-N``, the canonical URL the desktop ``//storypage.php`` one, and the
JSON-LD's headline (prefixed with the site's name), description (cut at 200 bytes) and image (a
placeholder) give way to the page's.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from .selectors import CSSSelector, XPath
from lxml.etree import _Element

from ..article import Image, Link
from ..errors import NotAnArticle
from ..lazy import cached_property
from ..normalize import absolute_url, clean_text, read_time_minutes, strip_amp
from ..page import Page, ld_types
from ..text import MIN_READ, PREMIUM_LABEL, attribute_text
from ..urls import hindi_story_url, on_hindi_edition, page_article_id
from .base import CITY_PUNCTUATION, DOM, JSON_LD, META, ArticlePage, BodySources, agency_names, author_links, first_text_of, byline_names, element_text, has_place_bar, names_and_place, place_after_a_name, text_content, first, markup_text_of, picture_showing, select, strings, text_of, without_read_time
from .hindi import Hindi2020, without_site_name_before
from .story import BYLINE_PART, CARD_HEADING_TAGS, IN_FURNITURE, LABEL_PART, LIVE_BUTTON_PART, PAYWALL_BOX_TESTS, STOPS_SHORT, UPDATE_BLOCK_PART, CmsStory, beside_a_story_link, class_test, headed_by_another_story, in_live_blog_item, related_block_in, without_card_labels


def _test(selector: CSSSelector) -> str:
    """A CSS selector as an XPath test of the context element: ``self::h2``, or the predicate alone of
    one that tests any element (``.dateline``: ``(@class and …)``). A ``self::*[…]`` step costs libxml2
    a node set per element it tests, a quarter of a walk that tests a dozen elements."""
    prefix = "descendant-or-self::"
    assert selector.path.startswith(prefix), selector.path
    step = selector.path[len(prefix) :]
    if step.startswith("*[") and step.count("[") == 1:  # one predicate, closed by the step's last "]"
        return f"({step[2:-1]})"
    return "self::" + step


STORY_BODY_CLASS = "storycontent"
STORY_BODY = CSSSelector(f".{STORY_BODY_CLASS}")
# The first body alone, the one read: the walk stops there (the tree after it is not tested).
FIRST_STORY_BODY = XPath(f"{STORY_BODY.path}[1]")
_IS_STORY_BODY = XPath(f"boolean({_test(STORY_BODY)})")


def is_story_body(element: _Element) -> bool:
    """Whether an element is of the story body's class. (The class's name in its attribute first: an
    XPath call costs more than the rest of the test, and most elements tested have no such class.)"""
    return STORY_BODY_CLASS in (element.get("class") or "") and bool(_IS_STORY_BODY(element))


def _after_headline(*selectors: CSSSelector) -> tuple[XPath, XPath]:
    """From the headline: the first element one of ``selectors`` matches or the story's body, whichever
    comes first (a walk that stops at the body: what is in or after it is never reached); inside the
    headline, then after it (an h1 left open by broken markup swallows what follows)."""
    wanted = f"*[{' or '.join(_test(selector) for selector in (*selectors, STORY_BODY))}][1]"
    return XPath(f"descendant::{wanted}"), XPath(f"following::{wanted}")


# What a page may wrap a figure's picture in: a responsive <picture> (libxml2 puts its <img> inside the
# <source> before it, an element it does not know to be empty), a link to the full size, a box.
_PICTURE_WRAPPERS = frozenset({"picture", "source", "a", "div", "span"})
_MAX_WRAPPERS = 4


def figure_caption(picture: _Element | None) -> str | None:
    """The caption of a picture in a ``<figure>``: the figure's ``<figcaption>``. The picture may sit
    in a few wrappers inside the figure, each holding no other picture (a gallery's box is no one
    picture's)."""
    figure = picture.getparent() if picture is not None else None
    for _ in range(_MAX_WRAPPERS):
        if figure is None or figure.tag not in _PICTURE_WRAPPERS or sum(1 for _ in figure.iter("img", "amp-img")) > 1:
            break
        figure = figure.getparent()
    if figure is None or figure.tag != "figure":
        return None
    return element_text(next(figure.iterchildren("figcaption"), None))


def _same_file(one: str, other: str) -> bool:
    """Whether two URLs name the same file of the same host, whatever their scheme, query, fragment or a
    slash after the file (the AMP page fetched as ``…_1.html?amp_js_v=0.1`` names itself without them)."""
    try:
        first_parts, other_parts = urlsplit(one), urlsplit(other)
        return (first_parts.hostname, first_parts.path.rstrip("/")) == (other_parts.hostname, other_parts.path.rstrip("/"))
    except ValueError:
        return False


# A player's file: an <amp-audio> or <audio> element's, or that of a <source> inside it.
PLAYED_FILES = XPath("//*[self::amp-audio or self::audio]/@src | //*[self::amp-audio or self::audio]/source/@src", smart_strings=False)
# The words above the story's narration player (SITE.md: "Listen to This Article" before the body).
NARRATION_LABEL = "listen to this article"


def narrated_story(page: Page) -> bool:
    """Whether a page whose JSON-LD has no article describes only the story read aloud: an
    AudioObject whose file the page's "Listen to This Article" player plays (the AMP twin of a
    Next.js story whose JSON-LD is its narration; the AMP page has no ``contentMp3`` to name it)."""
    if not page.mentions("audio") or NARRATION_LABEL not in page.text.casefold():
        return False
    media = page.ld_media()
    if media is None or ld_types(media[1]) != {"AudioObject"}:
        return False
    played = {url for src in cast("list[str]", PLAYED_FILES(page.root)) if (url := absolute_url(src.strip(), page.url))}
    named = (absolute_url(first_text_of(media[1].get(key)), page.url) for key in ("contentUrl", "url"))
    return any(url is not None and any(_same_file(url, file) for file in played) for url in named)


class AmpV1(CmsStory, ArticlePage):
    """The AMP twin of a current-site article."""

    layout = "amp"

    @classmethod
    def matches(cls, page: Page) -> bool:
        # A Hindi table-layout page served as AMP is read by the layout that knows the table.
        return page.is_amp and (bool(page.ld_article) or narrated_story(page)) and not Hindi2020.matches(page)

    @cached_property
    def hindi(self) -> bool:
        """Whether the page is the Hindi edition's."""
        return on_hindi_edition(self._canonical) or on_hindi_edition(self.page.url)

    def canonicalUrl(self) -> str | None:
        canonical = self._canonical
        # A Hindi AMP path without /amp stripped is the mobile twin's form, not the story's page: without a
        # canonical link of its own, the story's is the desktop storypage.php, as the site's links write it.
        if self.hindi and urlsplit(self.page.url).path.startswith("/article-amp/") and (canonical is None or _same_file(canonical, strip_amp(self.page.url))):
            return hindi_story_url(self.articleId() or "") or canonical
        return canonical

    BODY = FIRST_STORY_BODY
    HEADLINE = CSSSelector("h1")
    HEADLINE_BEFORE_BODY = XPath("preceding::h1[1]")  # from the body: the nearest h1 before it

    @cached_property
    def body_container(self) -> _Element | None:
        return self.page.find_first(self.BODY)

    def story_container(self) -> _Element | None:
        return self.body_container

    @cached_property
    def headline_element(self) -> _Element | None:
        """The story's h1: the last before its body (a site header may have one of its own), else the first."""
        found = first(self.HEADLINE_BEFORE_BODY, self.body_container)
        return found if found is not None else self.page.find_first(self.HEADLINE)

    def story_element(self, after_headline: tuple[XPath, XPath], anywhere: CSSSelector) -> _Element | None:
        """The first element of the story's head (standfirst, byline, caption): after the headline and
        not in or after the body, so that a site header's or a trending box's, a sub-heading of the body
        or the related list are never taken for it. A page without an h1 gives the first in the page."""
        if self.headline_element is None:
            return first(anywhere, self.page.root)
        headline = self.headline_element
        inside, after = after_headline
        found = first(inside, headline) if len(headline) else None
        if found is None:
            found = first(after, headline)
        return None if found is None or found is self.body_container or is_story_body(found) else found

    def headline(self) -> str | None:
        if not self.hindi:
            # The page's h1 last: a template may hold JSON-LD's headline to 110 characters (the
            # limit Google gave AMP pages), and the h1 then has the whole of it (see pick).
            return self.pick(
                "headline",
                (JSON_LD, self.ld_headline),
                (META, self.meta_title),
                (DOM, self.dom_headline),
            )
        # The Hindi JSON-LD headline carries the site's name in front: a fallback only.
        return self.pick(
            "headline",
            (DOM, lambda: element_text(self.headline_element)),
            (META, self.meta_title),
            fallbacks=((JSON_LD, lambda: without_site_name_before(text_of(self.ld.get("headline")))),),
        )

    def shown_headline(self) -> str | None:
        return self.dom_headline()

    def dom_headline(self) -> str | None:
        h1 = self.headline_element
        if h1 is None or not len(h1):
            return element_text(h1)
        return self.text_without_labels(h1)

    DATELINE = CSSSelector(".dateline")
    DATELINE_AFTER_HEADLINE = _after_headline(DATELINE)

    def dateline(self) -> str | None:
        return self.pick("dateline", (DOM, lambda: self.dateline_text() or self.byline_city()))

    def known_place(self) -> str | None:
        # The dateline drawn in an element of its own ("<span class=dateline>"): an agency's words in the
        # byline that are not it are a reporter's name ("Shreya Jai (PTI)"), not a second city.
        return self.dateline_text()

    def dateline_text(self) -> str | None:
        # The span may hold the bar or comma the byline sets before the city ("| New Delhi").
        city = element_text(self.story_element(self.DATELINE_AFTER_HEADLINE, self.DATELINE))
        return (city.strip(CITY_PUNCTUATION) or None) if city else None

    # The byline after the headline: authors where JSON-LD names none (agency copy may lack them).
    # Also as the current site draws it (SITE.md's evidence): a span of the module "dtlauthinfo",
    # the names in inner spans or links, the city in an unclassed inner span with a style.
    BYLINE = CSSSelector(".byline")
    SITE_BYLINE = CSSSelector(f"[class*={BYLINE_PART}]")
    ANY_BYLINE = CSSSelector(f".byline, [class*={BYLINE_PART}]")
    BYLINE_AFTER_HEADLINE = _after_headline(BYLINE, SITE_BYLINE)
    BYLINE_LINKS = XPath("descendant::a[@href]")
    IS_DATELINE = XPath(f"boolean(self::*[{class_test('dateline')}])")
    BYLINE_CITY = XPath("(descendant::span[@style][not(@class)])[last()]")

    @cached_property
    def byline_element(self) -> _Element | None:
        return self.story_element(self.BYLINE_AFTER_HEADLINE, self.ANY_BYLINE)

    @cached_property
    def city_element(self) -> _Element | None:
        """The styled span of a byline drawn as the current site's ("AP" "Miami"); in the ``.byline``
        form a styled span may hold a name."""
        byline = self.byline_element
        if byline is None:
            return None
        styled = first(self.BYLINE_CITY, byline) if BYLINE_PART in (byline.get("class") or "") else None
        return styled if styled is not None or select(self.DATELINE_IN, byline) else self.spaced_city(byline)

    def byline_city(self) -> str | None:
        city = element_text(self.city_element)
        if city:
            return city.strip(CITY_PUNCTUATION) or None
        return self.barred_place or (self.bare_split[1] if self.bare_split else None) or self.byline_text_parts[1]

    @cached_property
    def bare_split(self) -> tuple[str, str] | None:
        """The name and city of a byline written as one text with no bar ("AP Miami"), where it
        draws no city of its own."""
        byline = self.byline_element
        if byline is None or self.city_element is not None or self.barred_place or select(self.DATELINE_IN, byline):
            return None
        return self.bare_place(byline, {(element_text(a) or "").strip(CITY_PUNCTUATION) for a in select(self.BYLINE_LINKS, byline) if self.links_no_author(a)})

    DATELINE_IN = XPath(f"descendant::*[{class_test('dateline')}]")

    @cached_property
    def barred_place(self) -> str | None:
        """The city a byline without one of its own ends in after a bar ("Press Trust of India | New
        Delhi", as the site wrote bylines before 2023)."""
        byline = self.byline_element
        if byline is None or self.city_element is not None or not has_place_bar(text_content(byline)) or select(self.DATELINE_IN, byline):
            return None
        rest, place = names_and_place(element_text(byline) or "")
        # (After a slash, not a bar, only a place told by its words: "Shine Jacob / Sohini Das" is two.)
        if place is not None and "|" not in text_content(byline) and not place_after_a_name(rest, place):
            return None
        # (The story's section, linked after a bar, is no city: "PTI | <a>India News</a>".)
        # (The link may hold the bar before it: "PTI <a>| India News</a>".)
        linked_elsewhere = {(element_text(a) or "").strip(CITY_PUNCTUATION) for a in select(self.BYLINE_LINKS, byline) if self.links_no_author(a)}
        # (Nor one of the story's authors, as JSON-LD names them: "Shine Jacob | Sohini Das" is two.)
        if place is None or place in linked_elsewhere or place.casefold() in self.structured_author_keys():
            return None
        # (Nor a name in an element of its own after another's, as on the Next.js twin: a second author.)
        names = [t for t in self.byline_child_texts if t != "|"]
        if place in names[1:] and not place_after_a_name(names[0], place):
            return None
        return place

    @cached_property
    def byline_child_texts(self) -> list[str]:
        """The texts of the byline's elements (a name, the city), without the bars around them."""
        byline = self.byline_element
        if byline is None:
            return []
        return [t.strip(CITY_PUNCTUATION) or "|" for child in byline if isinstance(child.tag, str) and (t := element_text(child))]

    @cached_property
    def city_child(self) -> _Element | None:
        """The byline's element that holds nothing but the city after its bar ("<span>Chennai</span>"):
        no name."""
        byline, place = self.byline_element, self.barred_place
        if byline is None or place is None:
            return None
        return next((c for c in reversed(byline) if isinstance(c.tag, str) and (element_text(c) or "").strip(CITY_PUNCTUATION) == place), None)

    def dom_authors(self) -> list[Link]:
        """The byline's names: its links (with the author pages), else its text outside the dateline."""
        return self.byline_text_parts[0]

    @cached_property
    def byline_text_parts(self) -> tuple[list[Link], str | None]:
        """The byline's names, and the city an agency's name ran into ("New Delhi (PTI)"), if any."""
        byline = self.byline_element
        if byline is None:
            return [], None
        # (A link to the story's section or another page of the site that is no author's names nobody.)
        links = select(self.BYLINE_LINKS, byline)
        elsewhere = {a for a in links if self.links_no_author(a)}
        linked = {name: self.link(a.get("href")) for a in author_links(byline, [a for a in links if a not in elsewhere]) if (name := element_text(a))}
        if linked:
            return [Link(name=name, url=url) for name, url in linked.items()], None
        # Its own text and its children's (a name or an editor's line in a span of its own), apart.
        texts = [byline.text]
        city = self.city_element if self.city_element is not None else self.city_child
        for child in byline:
            if isinstance(child.tag, str) and not self.IS_DATELINE(child) and child is not city and not any(a in elsewhere for a in child.iter("a")):
                texts.append(element_text(child))
            texts.append(child.tail)
        # The city after the last bar is no name. (That bar may be in no text kept: inside a link to
        # no author's page, left out.)
        last = max((i for i, t in enumerate(texts) if t and has_place_bar(t)), default=None) if self.barred_place and self.city_child is None else None
        if last is not None:
            texts[last] = names_and_place(texts[last] or "")[0]
        text = self.bare_split[0] if self.bare_split else " | ".join(t for t in texts if t and t.strip())
        names, place = agency_names(byline_names(clean_text(text) or ""), None, self.known_place(), self.structured_author_keys())
        return [Link(name=name) for name in dict.fromkeys(names)], place

    def authors(self) -> list[Link]:
        return self.pick("authors", (JSON_LD, self.ld_authors), fallbacks=((META, self.meta_authors), (DOM, self.dom_authors))) or []

    STANDFIRST = CSSSelector("h2")
    STANDFIRST_AFTER_HEADLINE = _after_headline(STANDFIRST)

    def description(self) -> str | None:
        # JSON-LD's description is the meta description; the page shows the standfirst.
        structured = (JSON_LD, lambda: markup_text_of(self.ld.get("description")))
        # The Hindi JSON-LD description is the meta one cut at 200 bytes, mid-sentence.
        meta = (META, lambda: self.page.meta("og:description", "description"))
        return self.pick(
            "description",
            (DOM, lambda: element_text(self.story_element(self.STANDFIRST_AFTER_HEADLINE, self.STANDFIRST))),
            fallbacks=(meta, structured) if self.hindi else (structured,),
        )

    # The story's read time, between its headline and its body (the related cards after the story
    # show their stories'): the first element after the headline with a text holding it, or the
    # body, whichever comes first (the walk stops there, also at a body with no text of its own).
    READ_TIME_AFTER_HEADLINE = XPath(f"following::*[text()[contains(., '{MIN_READ}')] or {_test(STORY_BODY)}][1]")
    OWN_TEXTS = XPath("text()", smart_strings=False)

    def readTimeMinutes(self) -> int | None:
        headline, body = self.headline_element, self.body_container
        if headline is None or body is None:
            return super().readTimeMinutes()
        found = first(self.READ_TIME_AFTER_HEADLINE, headline)
        if found is None or found is body or is_story_body(found):
            return None
        return read_time_minutes(" ".join(strings(self.OWN_TEXTS, found)))

    CAPTION = CSSSelector("[class*=captiontext]")
    CAPTION_AFTER_HEADLINE = _after_headline(CAPTION)
    # An amp-img may give its file in srcset alone (AMP takes either).
    HERO_IMAGE = CSSSelector("amp-img")

    def hero_element(self, url: str) -> _Element | None:
        """The page's amp-img of the hero's file (its ``src`` or a ``srcset`` candidate, resized or not)."""
        return picture_showing(select(self.HERO_IMAGE, self.page.root), url)

    def mainImage(self) -> Image | None:
        image = self.pick(
            "mainImage",
            (JSON_LD, self.ld_image),
            fallbacks=((META, self.meta_image),),
        )
        if image is None:
            return None
        hero = self.hero_element(image.url)
        # The caption is the line the page shows under the picture (as on the Next.js twin): a
        # template may fill JSON-LD's ImageObject caption with the alt text or the headline.
        caption = self.pick(
            "mainImage.caption",
            (DOM, lambda: figure_caption(hero) or element_text(self.story_element(self.CAPTION_AFTER_HEADLINE, self.CAPTION))),
            fallbacks=((JSON_LD, lambda: image.caption),),
        )
        return Image(url=image.url, alt=image.alt or (attribute_text(hero.get("alt")) if hero is not None else None), caption=caption)

    # amp-subscriptions: the story is in the "content" section (and the "preview" one), shown to a
    # subscriber; the other sections, the blocks it shows by entitlement ("NOT granted") and its
    # dialogs are the paywall's offer and log-in prompts, never the story.
    SUBSCRIPTIONS = "subscriptions-"
    PAYWALL = XPath(
        "descendant::*[@subscriptions-display or @subscriptions-dialog"
        " or (@subscriptions-section and @subscriptions-section != 'content' and @subscriptions-section != 'preview')]"
    )
    GATED_CONTENT = XPath("boolean(descendant-or-self::*[@subscriptions-section = 'content'])")

    # A live blog's updates are the items of its amp-live-list (its "update" button and pagination
    # are controls): they follow the introduction, in the body or after it. A list before the
    # headline or in the page's furniture is a widget of latest stories beside any article.
    LIVE_LIST = "amp-live-list"
    _STORY_LIVE_LIST = "amp-live-list[not(ancestor::aside or ancestor::nav or ancestor::header or ancestor::footer or ancestor::amp-sidebar)]"
    LIVE_LISTS = XPath(f"//{_STORY_LIVE_LIST}")  # on a page without a headline
    LIVE_LISTS_AFTER_HEADLINE = XPath(f"descendant::{_STORY_LIVE_LIST} | following::{_STORY_LIVE_LIST}")
    LIVE_ITEMS = XPath("*[@items]/*")  # from the list

    @cached_property
    def live_lists(self) -> list[_Element]:
        if self.LIVE_LIST not in self.page.text:
            return []
        headline = self.headline_element
        return select(self.LIVE_LISTS, self.page.root) if headline is None else select(self.LIVE_LISTS_AFTER_HEADLINE, headline)

    # The current site's update blocks (SITE.md's evidence: .lvblgcont, .lvblghdng), after the
    # headline and outside the page's furniture, never in a card; and its LIVE button by the headline.
    _UPDATE_BLOCK_IN_PAGE = f"*[contains(@class, '{UPDATE_BLOCK_PART}')][not({IN_FURNITURE} or ancestor::li or ancestor::a[@href])]"
    UPDATE_BLOCKS_AFTER_HEADLINE = XPath(f"descendant::{_UPDATE_BLOCK_IN_PAGE} | following::{_UPDATE_BLOCK_IN_PAGE}")
    _LIVE_BUTTON = f"*[contains(@class, '{LIVE_BUTTON_PART}')]"
    LIVE_BUTTON_BY_HEADLINE = XPath(
        f"descendant::{_LIVE_BUTTON} | preceding-sibling::*[1][self::{_LIVE_BUTTON}]"
        f" | preceding-sibling::*[1]/descendant::{_LIVE_BUTTON} | following-sibling::*[1][self::{_LIVE_BUTTON}]"
    )

    @cached_property
    def update_blocks(self) -> list[_Element]:
        """The update blocks after the headline (outermost)."""
        headline = self.headline_element
        if headline is None or UPDATE_BLOCK_PART not in self.page.text:
            return []
        blocks = select(self.UPDATE_BLOCKS_AFTER_HEADLINE, headline)
        return [b for b in blocks if not any(UPDATE_BLOCK_PART in (a.get("class") or "") for a in b.iterancestors())]

    @cached_property
    def updates_after_story(self) -> list[str]:
        """The paragraphs of the update blocks drawn after the story's container (those in it are
        read with it), written in the CMS as a story is."""
        body = self.body_container
        outside = [b for b in self.update_blocks if body is None or not any(a is body for a in b.iterancestors())]
        parts = self.noise_parts(self.page.text) if outside else frozenset()
        return [p for block in outside for p in self.paragraphs_of(block, "", parts=parts)]

    @cached_property
    def other_blogs_widgets(self) -> list[_Element]:
        """The update blocks whose heading links another story: another live blog's widget, no mark of
        this page's, nor its story's text."""
        return [b for b in self.update_blocks if headed_by_another_story(b, self.links_another_story)] if self.update_blocks else []

    def live_marked(self) -> bool:
        """The page's own marks of a live blog: update blocks in the story's container, or a LIVE
        button by the headline. Blocks after the story alone are no mark (a widget of another blog
        is drawn so): they are the blog's updates once it is one, as on the Next.js twin."""
        headline = self.headline_element
        body = self.body_container
        widgets = self.other_blogs_widgets
        in_story = body is not None and any(b not in widgets and any(a is body for a in b.iterancestors()) for b in self.update_blocks)
        return in_story or (headline is not None and LIVE_BUTTON_PART in self.page.text and bool(select(self.LIVE_BUTTON_BY_HEADLINE, headline)))

    def live_updates(self) -> list[str]:
        # Each item is written in the CMS as a story is: its ad slots, promos and inline captions are no update.
        parts = self.noise_parts(self.page.text) if self.live_lists else frozenset()
        return [p for live in self.live_lists for item in select(self.LIVE_ITEMS, live) for p in self.paragraphs_of(item, "", parts=parts)]

    def body_sources(self) -> BodySources:
        body = self.body_container
        paywall = select(self.PAYWALL, body) if body is not None and self.SUBSCRIPTIONS in self.page.text else []

        def dom() -> list[str]:
            related = related_block_in(body, self.links_after, lambda a: page_article_id(None, self.link(a.get("href")) or "") is not None)
            widgets = [] if self.isLiveBlog() else self.other_blogs_widgets
            paragraphs = self.paragraphs_of(body, self.page.text, [*paywall, *self.live_lists, *related, *widgets])
            if self.live_lists:
                return paragraphs + self.live_updates()
            # A live blog without a live list: the update blocks drawn after the story, each whole (a
            # blog repeats a heading), then its updates as JSON-LD lists them, those the page does not
            # show already (it may put them in the story as plain blocks).
            live = self.isLiveBlog()
            blocks = self.updates_after_story if live else []
            shown = {*paragraphs, *blocks}
            return paragraphs + blocks + [p for p in (self.ld_live_updates() if paragraphs and live else ()) if p not in shown]

        return ((DOM, dom), (JSON_LD, self.ld_body))

    def related_headline(self, anchor: _Element) -> str | None:
        # As on the Next.js twin, a card may hold its headline in a heading beside a summary, labels
        # and its story's read time: the heading's text is the headline.
        heading = next(anchor.iter(*CARD_HEADING_TAGS), None) if len(anchor) else None
        card = heading if heading is not None else anchor
        return without_read_time(without_card_labels(card, element_text(card)))

    def is_related_story(self, story_id: str | None) -> bool:
        # As on the Next.js twin, every card links a story by its id (on the Hindi edition too, by
        # its autono): a "View more" link, a section's or the footer's after the list are none.
        return story_id is not None

    def isLiveBlog(self) -> bool:
        return self._live_blog

    @cached_property
    def _live_blog(self) -> bool:
        # Read once: the body's reading asks it too.
        return (
            super().isLiveBlog()
            or bool(self.live_lists)
            or self.live_marked()
            or (self.page.mentions("LiveBlogPosting") and in_live_blog_item(self.headline_element, self.body_container))
        )

    # The story's own "Premium" label by its headline, as on the Next.js twin: inside the h1, the first
    # label after it (before the story), or the block right before it; never a card's (in a link or a
    # list item).
    LABEL = CSSSelector(f"[class*={LABEL_PART}]")
    LABEL_AFTER_HEADLINE = _after_headline(LABEL)
    LABEL_BEFORE_HEADLINE = XPath(
        f"preceding-sibling::*[1][contains(@class, '{LABEL_PART}')] | preceding-sibling::*[1]/descendant::*[contains(@class, '{LABEL_PART}')]"
    )
    CARD_ANCESTORS = XPath("ancestor::li | ancestor::a[@href]")
    IMAGE_ALTS = XPath("descendant-or-self::img/@alt | descendant-or-self::amp-img/@alt", smart_strings=False)

    def labelled(self) -> bool:
        headline = self.headline_element
        if headline is None or LABEL_PART not in self.page.text:
            return False
        labels = [self.story_element(self.LABEL_AFTER_HEADLINE, self.LABEL), *select(self.LABEL_BEFORE_HEADLINE, headline)]
        return any(
            label is not None
            and not is_story_body(label)
            and PREMIUM_LABEL in (element_text(label) or " ".join(strings(self.IMAGE_ALTS, label))).lower()
            and not select(self.CARD_ANCESTORS, label)
            and not beside_a_story_link(label, None, self.links_another_story)
            for label in labels
        )

    def links_another_story(self, href: str | None) -> bool:
        url = self.link(href)
        return url is not None and page_article_id(None, url) is not None and not self.is_this_page(url)

    # The story's paywall box, drawn as on the Next.js twin, after the headline: never in the page's
    # furniture (a rail's offer) nor in another story's card. The page's own mark of a premium story,
    # with or without the label.
    PAYWALL_BOX_PARTS = tuple(part for part, _ in PAYWALL_BOX_TESTS)
    PAYWALL_BOXES = XPath(f"following::*[@class][{' or '.join(test for _, test in PAYWALL_BOX_TESTS)}][not({IN_FURNITURE})]")

    @cached_property
    def paywall_boxes(self) -> list[_Element]:
        headline = self.headline_element
        if headline is None or not any(part in self.page.text for part in self.PAYWALL_BOX_PARTS):
            return []
        return [box for box in select(self.PAYWALL_BOXES, headline) if not select(self.CARD_ANCESTORS, box)]

    def check(self) -> None:
        super().check()
        # A walled page whose story is in no data (JSON-LD's articleBody missing, or no longer than
        # what the page shows) shows its free part alone: written, that would pass for the story. The
        # box alone is no proof of a cut (a whole story may be drawn beside an offer): as on the
        # Next.js twin, JSON-LD's lock or a last line stopping short must say so too.
        body = self._body[0] if self._body else []
        if (
            self.paywall_boxes and body and self.provenance.sources.get("articleBody", DOM) == DOM and not self.gated_story
            and (self.ld_says_locked() or STOPS_SHORT.search(body[-1]) is not None)
        ):
            raise NotAnArticle(
                "paywall-stub", f"a premium page showing its free part alone ({len(self._body[0])} paragraphs): its whole story is in no data of the page"
            )

    @property
    def gated_story(self) -> bool:
        """Whether amp-subscriptions holds the story in the page (its "content" section)."""
        body = self.body_container
        return body is not None and self.SUBSCRIPTIONS in self.page.text and bool(self.GATED_CONTENT(body))

    def isPremium(self) -> bool:
        if self.labelled() or self.paywall_boxes:
            return True
        # With amp-subscriptions the whole story may be in the page, hidden until the reader is
        # entitled: its "content" section is the page's own mark of a locked story, as a cut body is
        # elsewhere (JSON-LD's flag alone is wrong on some free pages).
        if super().isPremium():
            return True
        return self.ld_says_locked() and self.gated_story
