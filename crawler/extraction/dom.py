"""The page's tree, parsed once, and one pass over it that finds what the rules look up.

The rules read the DOM only for what only the DOM has, but evaluating a dozen ``//…`` expressions
walks the whole tree a dozen times: with libxml2 each walk of a class test
(``contains(concat(" ", normalize-space(@class), " "), " x ")``) or of a text test costs a third
of the parse, and "Also Read" (the ``normalize-space()`` of every block) twice the parse. So
:class:`DomIndex` walks the tree once and keeps, in document order, the elements by class token
and by tag, and the text nodes that hold the words the rules look for. The lookups below answer
exactly what the equivalent CSS or XPath answers; where an answer would need the document order of
text nodes that one pass cannot give (several hits, some of them tails), they say so and the rule
evaluates its XPath instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from lxml import etree
from lxml.etree import _Element

# Words a reader sees, looked for in text nodes (the rules' text-anchored XPaths use the same).
FIRST_PUBLISHED = "First Published"
LAST_UPDATED = "Last Updated"
MIN_READ = "min read"
SYNDICATION = "Only the headline and picture of this report"
PHRASES = (FIRST_PUBLISHED, LAST_UPDATED, MIN_READ, SYNDICATION)
# Tags whose every element is kept (the rest are reached by class or from these).
INDEXED_TAGS = frozenset({"a", "link", "meta", "script", "news:geo_locations"})

# XPath's white space (normalize-space, class tokens): space, tab, CR, LF; not Python's wider \s.
_XML_SPACE = " \t\r\n"
_TO_SPACE = str.maketrans("\t\r\n", "   ")
# A text node that may be part of a heading reading "Also Read" holds only these characters
# (translate(…, "ALSOREAD", "alsoread") must give "also read").
_ALSO_READ_CHARS = "alsoredALSORED" + _XML_SPACE
ALSO_READ = "also read"
_ALSO_READ_CASE = str.maketrans("ALSOREAD", "alsoread")

_TEXTS = etree.XPath("descendant-or-self::text()", smart_strings=False)  # what CSS " ::text" selects
_NORMALIZED = etree.XPath("normalize-space()")


class _Parsers(threading.local):
    """lxml parsers are not thread-safe; one per thread, made on first use."""

    page: etree.HTMLParser | None = None
    fragment: etree.HTMLParser | None = None


_parsers = _Parsers()


def page_parser() -> etree.HTMLParser:
    """The parser of whole pages, with parsel's options (recover, UTF-8 input, huge trees).

    A plain ``etree.HTMLParser``, not ``lxml.html``'s: the tree is the same, but lxml.html looks up
    a Python element class for every element the rules touch, which costs more than the walk itself.
    """
    if _parsers.page is None:
        _parsers.page = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return _parsers.page


def fragment_parser() -> etree.HTMLParser:
    """The parser of HTML fragments, with ``lxml.html``'s default options (and plain elements)."""
    if _parsers.fragment is None:
        _parsers.fragment = etree.HTMLParser()
    return _parsers.fragment


def parse(body: bytes, base_url: str) -> _Element:
    """Parse UTF-8 bytes into a tree as parsel does (an empty document becomes ``<html/>``)."""
    parser = page_parser()
    root = etree.fromstring(body or b"<html/>", parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


def class_tokens(value: str | None) -> list[str]:
    """The class tokens of an attribute value, split at XML white space as CSS and XPath do."""
    if not value:
        return []
    if value.isascii() and value.isprintable():  # white space is spaces only: str.split() agrees
        return value.split()
    return [token for token in value.translate(_TO_SPACE).split(" ") if token]


def has_class(element: _Element, token: str) -> bool:
    """Whether ``element`` has the class token (CSS ``.token``)."""
    return token in class_tokens(element.get("class"))


def strings(xpath: etree.XPath, node: _Element) -> list[str]:
    """The results of an XPath that selects text (compiled with ``smart_strings=False``)."""
    return cast("list[str]", xpath(node))


def elements(xpath: etree.XPath, node: _Element) -> list[_Element]:
    """The results of an XPath that selects elements."""
    return cast("list[_Element]", xpath(node))


def texts(element: _Element) -> list[str]:
    """The text nodes inside ``element``, in document order (CSS ``el ::text``)."""
    if not len(element):  # no children (a link, a label): its own text is all there is
        text = element.text
        return [text] if text else []
    return strings(_TEXTS, element)


def texts_of_all(elements: Iterable[_Element]) -> list[str]:
    """The text nodes inside any of ``elements``, each once, in document order (``sel ::text``)."""
    found = list(elements)
    if len(found) <= 1:
        return texts(found[0]) if found else []
    inside = set(found)
    outermost = [e for e in found if not any(a in inside for a in e.iterancestors())]
    return [text for element in outermost for text in texts(element)]


def descendants(containers: Iterable[_Element], tag: str | None = None) -> list[_Element]:
    """Elements (of ``tag``) below any of ``containers``, each once, in document order (CSS ``A tag``).

    ``containers`` must be in document order, as every lookup of :class:`DomIndex` gives them.
    """
    found: list[_Element] = []
    seen: set[_Element] = set()
    containers = list(containers)
    for container in containers:
        for element in container.iterdescendants(tag) if tag else container.iterdescendants():
            if not isinstance(element.tag, str):
                continue
            if len(containers) > 1:
                if element in seen:
                    continue
                seen.add(element)
            found.append(element)
    return found


def normalized(element: _Element) -> str:
    """XPath ``normalize-space()`` of an element."""
    return str(_NORMALIZED(element))


_STEP = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?:\.(?P<cls>[A-Za-z0-9_-]+))?(?:\[(?P<attr>[a-z-]+)\])?$")
_CLASS_PART = re.compile(r"^\[class\*=(?P<part>[A-Za-z0-9_-]+)\]$")


@dataclass(frozen=True)
class _Step:
    tag: str | None = None
    cls: str | None = None
    attr: str | None = None  # [attr]: the attribute is present
    class_part: str | None = None  # [class*=part]

    def matches(self, element: _Element) -> bool:
        return (
            (self.tag is None or element.tag == self.tag)
            and (self.cls is None or (element.get("class") is not None and has_class(element, self.cls)))
            and (self.attr is None or element.get(self.attr) is not None)
            and (self.class_part is None or self.class_part in (element.get("class") or ""))
        )


class Css(str):
    """A CSS selector of the few forms the rules use, answered from a :class:`DomIndex`.

    It is its CSS text (a ``str``, usable wherever the text is, such as in the Splash script), and
    one or two steps (``A B``: B below A), each ``tag``, ``.class``, ``tag.class``, ``tag[attr]``
    or ``[class*=part]``; anything else is refused when the rules are loaded. The answer is what
    parsel's ``.css()`` gives: elements each once, in document order.
    """

    steps: tuple[_Step, ...]

    def __new__(cls, css: str) -> Css:
        self = super().__new__(cls, css)
        self.steps = tuple(cls._step(part) for part in css.split())
        last = self.steps[-1] if self.steps else _Step()
        if not 1 <= len(self.steps) <= 2 or (last.cls is None and last.class_part is None and last.tag is None):
            raise ValueError(f"unsupported selector {css!r}")
        if len(self.steps) == 1 and last.cls is None and last.class_part is None and last.tag not in INDEXED_TAGS:
            raise ValueError(f"unsupported selector {css!r}: a lone tag must be one of {sorted(INDEXED_TAGS)}")
        if len(self.steps) == 2 and self.steps[0].cls is None:
            raise ValueError(f"unsupported selector {css!r}: the outer step needs a class")
        return self

    @property
    def css(self) -> str:
        """The selector text."""
        return str(self)

    @staticmethod
    def _step(part: str) -> _Step:
        match = _CLASS_PART.match(part)
        if match:
            return _Step(class_part=match.group("part"))
        match = _STEP.match(part)
        if not match or not any(match.groups()):
            raise ValueError(f"unsupported selector step {part!r}")
        return _Step(tag=match.group("tag"), cls=match.group("cls"), attr=match.group("attr"))

    def select(self, index: DomIndex) -> list[_Element]:
        """The matching elements of the page."""
        last = self.steps[-1]
        if len(self.steps) == 1:
            return [e for e in self._candidates(index, last) if last.matches(e)]
        outer = self.steps[0]
        containers = [e for e in index.with_class(outer.cls or "") if outer.matches(e)]
        if not containers:
            return []
        if last.cls is None and last.class_part is None:
            return [e for e in descendants(containers, last.tag) if last.matches(e)]
        inside = set(containers)
        return [
            e for e in self._candidates(index, last) if last.matches(e) and any(a in inside for a in e.iterancestors())
        ]

    @staticmethod
    def _candidates(index: DomIndex, step: _Step) -> list[_Element]:
        if step.cls is not None:
            return index.with_class(step.cls)
        if step.class_part is not None:
            return index.with_class_containing(step.class_part)
        return index.tagged(step.tag or "")

    def select_in(self, element: _Element) -> list[_Element]:
        """The matching elements in ``element``'s subtree, itself included (parsel's ``sel.css()``);
        for small subtrees (a ticker item), walked directly."""
        if len(self.steps) != 1:
            raise ValueError(f"{self.css!r}: only one-step selectors are matched inside an element")
        step = self.steps[0]
        return [e for e in iter_elements(element) if step.matches(e)]

    def texts(self, index: DomIndex) -> list[str]:
        """The text inside the matching elements (``css + " ::text"``)."""
        return texts_of_all(self.select(index))

    def text(self, index: DomIndex) -> str:
        """That text joined with spaces, as the rules read it."""
        return " ".join(self.texts(index))


@dataclass(frozen=True)
class TextHit:
    """A text node holding a looked-for phrase: ``node.text`` (``tail`` False) or ``node.tail``."""

    node: _Element
    tail: bool

    @property
    def text(self) -> str:
        return (self.node.tail if self.tail else self.node.text) or ""

    @property
    def parent(self) -> _Element | None:
        """The element the text node is a child of."""
        return self.node.getparent() if self.tail else self.node


class DomIndex:
    """One walk over the tree: elements by class token and by tag, and text nodes by phrase."""

    def __init__(self, root: _Element) -> None:
        self.root = root
        by_class: dict[str, list[_Element]] = {}
        by_tag: dict[str, list[_Element]] = {tag: [] for tag in INDEXED_TAGS}
        classed: list[tuple[str, _Element]] = []
        hits: dict[str, list[TextHit]] = {phrase: [] for phrase in PHRASES}
        pieces: list[TextHit] = []
        indexed_tags = INDEXED_TAGS
        also_chars = _ALSO_READ_CHARS
        for node in root.iter():
            tag = node.tag
            if isinstance(tag, str):  # an element (comments and processing instructions have only a tail)
                if tag in indexed_tags:
                    by_tag[tag].append(node)
                value = node.get("class")
                if value:
                    classed.append((value, node))
                    for token in value.split() if value.isascii() and value.isprintable() else class_tokens(value):
                        listed = by_class.get(token)
                        if listed is None:
                            by_class[token] = [node]
                        elif listed[-1] is not node:  # class="a a"
                            listed.append(node)
                text = node.text
                if text:
                    if len(text) >= 8:
                        for phrase in PHRASES:
                            if phrase in text:
                                hits[phrase].append(TextHit(node, False))
                    if not text.strip(also_chars) and text.strip(_XML_SPACE):
                        pieces.append(TextHit(node, False))
            text = node.tail
            if text:
                if len(text) >= 8:
                    for phrase in PHRASES:
                        if phrase in text:
                            hits[phrase].append(TextHit(node, True))
                if not text.strip(also_chars) and text.strip(_XML_SPACE):
                    pieces.append(TextHit(node, True))
        self._by_class = by_class
        self._by_tag = by_tag
        self._classed = classed
        self._hits = hits
        self._pieces = pieces

    # --- elements ----------------------------------------------------------------

    def with_class(self, token: str, tag: str | None = None) -> list[_Element]:
        """Elements with the class token (CSS ``tag.token``), in document order."""
        found = self._by_class.get(token, [])
        return [e for e in found if e.tag == tag] if tag else list(found)

    def with_class_containing(self, part: str) -> list[_Element]:
        """Elements whose class attribute contains ``part`` (CSS ``[class*=part]``)."""
        return [element for value, element in self._classed if part in value]

    def tagged(self, tag: str) -> list[_Element]:
        """Every element of one of :data:`INDEXED_TAGS`, in document order."""
        return self._by_tag[tag]

    def below(self, ancestor_class: str, token: str) -> list[_Element]:
        """Elements with class ``token`` below one with ``ancestor_class`` (CSS ``.ancestor .token``)."""
        ancestors = set(self._by_class.get(ancestor_class, ()))
        if not ancestors:
            return []
        return [e for e in self._by_class.get(token, ()) if any(a in ancestors for a in e.iterancestors())]

    # --- text nodes --------------------------------------------------------------------

    def text_hits(self, phrase: str) -> list[TextHit] | None:
        """Text nodes holding ``phrase`` (one of :data:`PHRASES`) in document order, or None when
        the order is not known (more than one hit, some of them tails: evaluate the XPath instead)."""
        found = self._hits[phrase]
        if len(found) > 1 and any(hit.tail for hit in found):
            return None
        return found

    def elements_with_text(self, phrase: str, exclude: frozenset[str] = frozenset()) -> list[_Element] | None:
        """Elements with a text child holding ``phrase`` (XPath ``//*[text()[contains(., phrase)]]``),
        each once, in document order; None when the order is not known."""
        found = self.text_hits(phrase)
        if found is None:
            return None
        elements: list[_Element] = []
        for hit in found:
            parent = hit.parent
            if parent is not None and parent.tag not in exclude and (not elements or elements[-1] is not parent):
                elements.append(parent)
        return elements

    def headings_reading(self, tags: frozenset[str]) -> list[_Element] | None:
        """Elements of ``tags`` whose text, spaces normalised and case folded, is "also read" (XPath
        ``//*[self::h2 or …][translate(normalize-space(), "ALSOREAD", "alsoread") = "also read"]``),
        in document order; None when there is more than one (their order is left to the XPath)."""
        found: list[_Element] = []
        for piece in self._pieces:
            element = piece.parent
            while element is not None:
                value = normalized(element)
                if len(value) > len(ALSO_READ):
                    break  # ancestors hold this text and more
                if (
                    element.tag in tags
                    and value.translate(_ALSO_READ_CASE) == ALSO_READ
                    and not any(element is e for e in found)
                ):
                    found.append(element)
                element = element.getparent()
        return found if len(found) <= 1 else None


def iter_elements(root: _Element) -> Iterator[_Element]:
    """Every element under ``root`` (itself included), skipping comments and processing instructions."""
    for node in root.iter():
        if isinstance(node.tag, str):
            yield node
