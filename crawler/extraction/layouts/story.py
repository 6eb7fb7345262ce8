"""The story as the site's CMS writes it, wherever a page shows it (``htmlContent``, the current page's
story container, the AMP page's): what inside it is not the story."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import cast

from lxml import etree
from lxml.etree import _Element

from ..normalize import clean_text
from ..text import LIVE_LABEL, PREMIUM_LABEL, RELATED_HEADINGS, block_paragraphs, without_promoted_links
from .base import CARD_EXTRA, HEADING_TRAIL, article_container, glued, holder_of, joined_text, select, text_content
from .selectors import XPath


def class_test(token: str) -> str:
    """XPath test for a class token (what CSS ``.token`` compiles to), after a plain contains() of it:
    that spares libxml2 the test's normalize-space and concat on every element whose class lacks it."""
    return f'(contains(@class, "{token}") and contains(concat(" ", normalize-space(@class), " "), " {token} "))'


# A link to a network's share endpoint (not to a post or a profile: those may be the story's), or a
# mail or WhatsApp link with the page in it: what a share bar is made of.
SHARE_LINK = re.compile(
    r"^(?:(?:https?:)?//(?:[\w-]+\.)?(?:(?:twitter|x)\.com/(?:intent/|share\b)|facebook\.com/(?:sharer|share\.php|dialog/share)"
    r"|whatsapp\.com/send|wa\.me/\?|linkedin\.com/(?:sharearticle|sharing/|shareArticle)|(?:t|telegram)\.me/share|reddit\.com/submit"
    r"|pinterest\.com/pin/create|threads\.net/intent/|bsky\.app/intent/)|mailto:\?|whatsapp://send)",
    re.I,
)
# What a share bar says besides its links' names ("Share", "Share on", "Copy link", bars between them).
_SHARE_WORD = r"share|on|this|story|article|copy|link|via|print|email|e-mail"
_SHARE_WORDS = re.compile(rf"^(?:\W|{_SHARE_WORD})*$", re.I)
# A share link's words besides share words: a network's name ("WhatsApp", "Facebook Messenger"); a
# link of more words is a line of the story ("click to tweet" boxes link the line that is tweeted).
_SHARE_LABEL = re.compile(rf"\b(?:{_SHARE_WORD})\b", re.I)
_SHARE_LABEL_WORDS = 2
# (Parts of every such address: a page or link without one holds no share bar.)
_SHARE_HINTS = ("intent/", "share", "Share", "/send", "wa.me/", "mailto:?", "/submit", "pin/create")


def share_bars(root: _Element) -> list[_Element]:
    """The share bars in ``root``: the largest element around links to share endpoints that holds no
    other link and no word of its own but share words (a story's line that speaks of sharing, or
    links to posts and profiles, stays)."""
    links = [a for a in root.iter("a") if (href := a.get("href")) and any(h in href for h in _SHARE_HINTS) and SHARE_LINK.match(href.strip())]
    if not links:
        return []
    bars: list[_Element] = []
    for link in links:
        if any(link is b or any(a is b for a in link.iterancestors()) for b in bars):
            continue
        bar = link
        for above in link.iterancestors():
            if above is root or not _only_sharing(above):
                break
            bar = above
        if bar is not link:  # (a share link alone inside the story's words is part of its line)
            bars.append(bar)
    return bars


def _only_sharing(element: _Element) -> bool:
    """Whether ``element``'s links all share, and its text outside them is share words alone."""
    anchors = [a for a in element.iter("a") if a.get("href")]
    if not anchors or not all(SHARE_LINK.match((a.get("href") or "").strip()) for a in anchors):
        return False
    if any(len(_SHARE_LABEL.sub(" ", text_content(a)).split()) > _SHARE_LABEL_WORDS for a in anchors):
        return False
    own = text_content(element)
    for a in anchors:
        own = own.replace(text_content(a), " ", 1)
    return _SHARE_WORDS.match(own) is not None


# The headings a related story's card may hold its headline in (beside a summary and labels).
CARD_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")

_CARD_TEXTS = XPath("descendant::text()[not(parent::style or parent::script)]")


def is_card_label(element: _Element) -> bool:
    """Whether an element inside a related story's card is a label of that story, not a word of its
    headline: "Premium" in an element of its own, whatever its class (SITE.md: a premium card of "More
    From This Section" ends in "premium"), or a live story's LIVE badge (a LiveButton, or "LIVE" in an
    element with a class; a bare <b>LIVE</b> is the headline's word)."""
    classes = element.get("class") or ""
    if LIVE_BUTTON_PART in classes:
        return True
    label = (clean_text(text_content(element)) or "").casefold()
    return label == PREMIUM_LABEL or (label == LIVE_LABEL and bool(classes.strip()))


def without_card_labels(card: _Element, text: str | None) -> str | None:
    """A related story's card text without the labels drawn inside it (:func:`is_card_label`). The
    words inside the headline's own text are the headline's ("… at a premium", "… live updates")."""
    if not text or not len(card):
        return text
    folded = text.casefold()
    if PREMIUM_LABEL not in folded and LIVE_LABEL not in folded:
        return text
    labels = {e for e in card.iterdescendants() if isinstance(e.tag, str) and is_card_label(e)}
    if not labels:
        return text
    kept = []
    for node in cast("list[etree._ElementUnicodeResult]", _CARD_TEXTS(card)):
        holder = node.getparent()
        if node.is_tail and holder is not None:
            holder = holder.getparent()
        if holder is not None and (holder in labels or any(a in labels for a in holder.iterancestors())):
            continue
        kept.append(str(node))
    return clean_text(joined_text([t for t in kept if t.strip()])) or text


_BODY_STRINGS = XPath("descendant::text()", smart_strings=False)
_BODY_TEXT_AT = XPath("(descendant::text())[$at]")  # the at-th of them (from 1), as a smart string
# A set, not the string "aAmM": the "" of a blank text (the line breaks between blocks) is in any string.
_HEADING_INITIALS = frozenset("aAmM")


def related_block_in(body: _Element | None, links_after: Callable[[_Element], list[_Element]], is_story_link: Callable[[_Element], bool]) -> list[_Element]:
    """The related stories' list ("More From This Section", "Also Read") where a page draws it inside
    the story's container: the block holding its heading (a text of its own) and the links to stories
    after it, and nothing else (a line of the story naming other stories is the story's)."""
    # (No look for the headings' words in the body's whole text first: on a story that is not ASCII,
    # that costs more than this walk, whose test of a text's first letter rules out nearly every node.)
    if body is None:
        return []
    # The texts read as plain strings; one that reads as a heading is read again alone, as lxml's
    # smart string (for holder_of): a walk of smart strings makes a proxy of every text's parent.
    for index, text in enumerate(cast("list[str]", _BODY_STRINGS(body))):
        # A heading's first letter folds to "a" or "m": only "a", "A", "m" and "M" do so (and
        # "\u1e9a", to "a\u02be", which no heading starts with), as in ArticlePage.related_anchors.
        if len(text) > 60 or text.lstrip()[:1] not in _HEADING_INITIALS or " ".join(text.casefold().split()).rstrip(HEADING_TRAIL) not in RELATED_HEADINGS:
            continue
        heading = holder_of(cast("list[etree._ElementUnicodeResult]", _BODY_TEXT_AT(body, at=index + 1))[0])
        if heading is None or heading is body:
            continue
        links = [a for a in links_after(heading) if is_story_link(a)]
        if not links:
            continue
        holder = heading
        for link in links:
            holder = article_container(holder, link)
        listed = len(text_content(heading)) + sum(len(text_content(a)) + CARD_EXTRA for a in links)
        if holder is not body and any(a is body for a in holder.iterancestors()) and len(text_content(holder)) <= listed:
            return [holder]
    return []


def beside_a_story_link(marker: _Element, stop: _Element | None, is_other_story: Callable[[str | None], bool]) -> bool:
    """Whether a label's block (its parent or the one above, below ``stop``) links another story: a
    card drawn without a list or a link around its label."""
    parent = marker.getparent()
    for block in (parent, parent.getparent() if parent is not None else None):
        if block is None or block is stop:
            return False
        if any(is_other_story(anchor.get("href")) for anchor in block.iter("a")):
            return True
    return False


# An update block's heading: a heading element, or the update heading's own class (.lvblghdng).
UPDATE_HEADINGS = XPath("descendant::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or contains(@class, 'lvblghdng')]")


def headed_by_another_story(block: _Element, is_other_story: Callable[[str | None], bool]) -> bool:
    """Whether an update block's heading is, or is inside, a link to another story: another live
    blog's widget drawn in the update's markup (its latest update, linking that blog), which does not
    make the story around it a live blog, nor is its text the story's."""
    heading = next(iter(select(UPDATE_HEADINGS, block)), None)
    if heading is None:
        return False
    links = [*heading.iter("a")]
    for above in heading.iterancestors():
        if above is block:
            break
        if above.tag == "a":
            links.append(above)
    return any(is_other_story(a.get("href")) for a in links)


# The current site's module names (SITE.md's evidence), which the Next.js page and its AMP twin both
# draw: a class holds one of them beside a build's hash, so they are matched as a part of the class.
LABEL_PART = "strlabel"  # a story's label ("Premium")
LIVE_BUTTON_PART = "LiveButton"  # a live blog's LIVE button
UPDATE_BLOCK_PART = "lvblg"  # a live blog's update blocks (.lvblgcont, .lvblghdng)
BYLINE_PART = "dtlauthinfo"  # the byline: names, then the dateline's city
# A premium story's paywall box (SITE.md's evidence: ``div.subscribe-page`` until June 2025, then
# ``subscription_subscriptionPlan_…`` and ``…BPstoryPaywall…``), which the Next.js page and its AMP
# twin both draw: each as an XPath test with the class part it needs.
PAYWALL_BOX_TESTS: tuple[tuple[str, str], ...] = (
    ("BPstoryPaywall", "contains(@class, 'BPstoryPaywall')"),
    ("subscription_subscriptionPlan_", "(starts-with(@class, 'subscription_subscriptionPlan_') or contains(@class, ' subscription_subscriptionPlan_'))"),
    ("subscribe-page", f"(self::div and {class_test('subscribe-page')})"),
)
# A line a paywall cut: it ends in an ellipsis, or in no mark that ends a sentence.
STOPS_SHORT = re.compile(r"(?:\.\.\.|\u2026|[^.!?\"'\u201d\u2019)\]])\s*$")
# The page's furniture around the story, where no update of a live blog's own is drawn (another
# blog's widget is): a rail, menus, the site's header and footer, AMP's sidebar.
IN_FURNITURE = "ancestor::aside or ancestor::nav or ancestor::header or ancestor::footer or ancestor::amp-sidebar"


def in_live_blog_item(*elements: _Element | None) -> bool:
    """Whether the story's microdata item, the nearest article item around the first of ``elements``
    there is (its headline, its body), is a LiveBlogPosting: a blog the page marks in microdata alone.
    An item elsewhere (another blog's widget in the rail) is not the story's."""
    element = next((e for e in elements if e is not None), None)
    if element is None:
        return False
    for holder in (element, *element.iterancestors()):
        itemtype = holder.get("itemtype") or ""
        if holder.get("itemscope") is not None and ("Article" in itemtype or "BlogPosting" in itemtype):
            return "LiveBlogPosting" in itemtype
    return False


class CmsStory:
    """Mixin of the page objects whose body is the CMS's story markup (Next.js and AMP pages)."""

    # The text of a headline outside the story's labels ("Premium", "LIVE") that may sit inside it.
    HEADLINE_TEXTS = XPath(
        "descendant::text()[not(parent::style or parent::script)]"
        f"[not(ancestor::*[contains(@class, '{LABEL_PART}') or contains(@class, '{LIVE_BUTTON_PART}')])]",
        smart_strings=False,
    )

    def text_without_labels(self, headline: _Element) -> str | None:
        """The text of ``headline`` (an h1) without the story's labels inside it."""
        return clean_text(joined_text(cast("list[str]", self.HEADLINE_TEXTS(glued(headline)))))

    # Inside the body, not the story: ad slots, promos, inline "Also Read", inline image captions
    # (the div[style] after an img.imgCont / img.zoomimg, or amp-img on AMP pages); embedded posts
    # and <figcaption>s go in every layout's body walk (crawler/extraction/text.py). ".mb-20" is a
    # margin utility: only the <style> in it goes (every <style> does), never the block.
    # Each test with the text it needs in the markup: the expression a page gets holds only the
    # tests whose text is there (one walk with one cheap test instead of eleven).
    NOISE_TESTS: tuple[tuple[str, str], ...] = (
        ("advertisement-bg", f"(self::div and {class_test('advertisement-bg')})"),
        ("between_article_content_", "(self::div and starts-with(@id, 'between_article_content_'))"),
        ("whtsclick", f"(self::p and {class_test('whtsclick')})"),
        ("storyadsprg", class_test("storyadsprg")),
        ("recommendsection", class_test("recommendsection")),
        ("read_more", class_test("read_more")),
        ("div-gpt", "starts-with(@id, 'div-gpt')"),
    )
    # An inline "Also Read: <a>…</a>" or "Read more: <a>…</a>" without its read_more class, inside a
    # paragraph of the story (a paragraph-long promo goes by its text in split_body), in bold or
    # italics or as the link itself, goes with its link (text.inline_promo_runs); the story around it stays.
    NOISE_AFTER_IMAGE = (("imgCont", class_test("imgCont")), ("zoomimg", class_test("zoomimg")))
    NOISE_PARTS = tuple(part for part, _ in NOISE_TESTS + NOISE_AFTER_IMAGE)

    @staticmethod
    @lru_cache(maxsize=64)
    def noise_xpath(parts: frozenset[str]) -> XPath:
        """The noise expression for markup that holds ``parts`` (and none of the other parts)."""
        tests = [test for part, test in CmsStory.NOISE_TESTS if part in parts]
        images = [test for part, test in CmsStory.NOISE_AFTER_IMAGE if part in parts]
        union = []
        if tests:
            union.append(f"descendant::*[@class or @id][{' or '.join(tests)}]")
        if images:
            # The caption: the div given a style right after the picture (as SITE.md's evidence has
            # it), or an element of a caption class after it (a <br> aside) or after the wrapper
            # that holds the picture alone. A styled block anywhere else may be the story's next
            # paragraph ("text-align: justify"): it stays. The picture as drawn: the <picture> a CDN
            # optimiser wraps it in, and the <noscript> copy of it lazy loading writes after it aside.
            image = f"descendant::*[self::img or self::amp-img][{' or '.join(images)}]"
            # (libxml2 reads an <img> after a <source> into it: <source> is no empty element to it.)
            wrapper = "ancestor::*[not(self::source)][1][self::picture]"
            picture = f"({image}/{wrapper} | {image}[not({wrapper})])"
            captioned = "following-sibling::*[not(self::br or self::noscript)][1][contains(@class, 'caption')]"
            union.append(f"{picture}/following-sibling::*[not(self::noscript)][1][self::div[@style]]")
            union.append(f"{picture}/{captioned}")
            union.append(
                f"{picture}[not(following-sibling::*[not(self::noscript)])]/parent::*[self::p or self::a or self::span or self::figure][not(normalize-space())]/{captioned}"
            )
        return XPath(" | ".join(union))

    # Every test matches an element whose class or id holds the test's text: a root's classes and
    # ids (few: most bodies have none) tell which tests may match, for less than a look through
    # the whole page's markup for each text.
    CLASSES_AND_IDS = XPath("descendant::*/@class | descendant::*/@id", smart_strings=False)

    def noise_parts(self, markup: str, root: _Element | None = None) -> frozenset[str]:
        """The noise tests' texts that ``markup`` holds (the others need not be tried); with ``root``,
        only those that a class or id inside it holds too."""
        if root is None:
            return frozenset(part for part in self.NOISE_PARTS if part in markup)
        names = " ".join(cast("list[str]", self.CLASSES_AND_IDS(root)))
        # (The markup is still asked: a class written with an entity, "read&#95;more", is left
        # out, as it was when the markup alone was asked.)
        return frozenset(part for part in self.NOISE_PARTS if part in names and part in markup) if names else frozenset()

    def paragraphs_of(self, root: _Element | None, markup: str, also_out: Iterable[_Element] = (), *, parts: frozenset[str] | None = None) -> list[str]:
        """The story's paragraphs in ``root`` (parsed from ``markup``, whose :meth:`noise_parts` may be
        given as ``parts`` instead, for several roots of one page), the noise and ``also_out`` left out."""
        if root is None:
            return []
        if parts is None:
            parts = self.noise_parts(markup, root)
        # (Inline promo runs go in the body walk, as in every layout's.)
        noise = set(select(self.noise_xpath(parts), root)) if parts else set()
        # The bars first, then the markup's words: a story's few links are read for less than the
        # markup's whole text is for eight words, most of which it lacks (a bar whose words the
        # markup does not hold as written, an href spelt with entities, stays as before).
        bars = share_bars(root)
        if bars and (not markup or any(hint in markup for hint in _SHARE_HINTS)):
            noise.update(bars)
        noise.update(also_out)
        paragraphs = block_paragraphs(root, noise.__contains__ if noise else None)
        # "Also Read:" on a line of its own, the promoted stories' links on the lines after it: the
        # label and those lines go here, where the links are known (split_body sees text alone).
        return without_promoted_links(paragraphs, lambda: {t for a in root.iter("a") if a.get("href") and (t := clean_text(text_content(a)))})

