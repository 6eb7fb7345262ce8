"""One parsed page: the HTML tree (parsed once) and the structured data found in it."""

from __future__ import annotations

import codecs
import json
import re
from functools import cached_property
from typing import Any

from lxml.etree import _Element
from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, resolve_encoding

from . import dom
from .normalize import clean_text

JsonObject = dict[str, Any]

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting", "BlogPosting", "OpinionNewsArticle"})

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# json.loads(text, strict=False) builds a decoder on every call; this is that decoder, built once.
_LENIENT_DECODER = json.JSONDecoder(strict=False)
_COMMENT_WRAPPER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)\s*$")


def loads_lenient(text: str) -> Any:
    """Parse JSON as the site writes it: raw control characters in strings, stray trailing commas.

    Returns None when the text is not JSON even so.
    """
    # The wrapper is rare; the test keeps the regex (which tries every position for its
    # end-anchored branch) off the long texts that do not have it.
    stripped = text.strip()
    if stripped.startswith(("<!--", "//")) or stripped.endswith(("-->", "]]>")):
        text = _COMMENT_WRAPPER.sub("", text).strip()
    else:
        text = stripped
    if not text:
        return None
    for fix_commas in (False, True):  # the second try only when the first failed
        candidate = _TRAILING_COMMA.sub(r"\1", text) if fix_commas else text
        try:
            # strict=False accepts raw newlines and tabs inside strings, which the
            # site's JSON-LD contains (articleBody copied verbatim from the CMS).
            if candidate.startswith("\ufeff"):  # as json.loads
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", candidate, 0)
            return _LENIENT_DECODER.decode(candidate)
        except (json.JSONDecodeError, RecursionError):
            continue
    return None


def decode_html(html: str | bytes) -> str:
    """Bytes → text by BOM, then <meta charset>, then UTF-8 with replacement characters."""
    if isinstance(html, str):
        return html
    _, text = html_to_unicode(None, html)
    return text


# First or last bytes that str.strip() would take for white space and bytes.strip() would not.
_UNICODE_SPACE_EDGE = frozenset(range(0x1C, 0x20)) | frozenset(range(0x80, 0x100))


def _utf8_source(html: bytes) -> tuple[str, bytes] | None:
    """(text, bytes to parse) when :func:`decode_html` reads ``html`` as UTF-8 without replacements.

    The bytes are then what parsel would parse after re-encoding the text
    (``text.strip().replace("\\x00", "").encode()``): the round trip through ``str`` is skipped.
    None for anything else (a BOM, another declared encoding, invalid UTF-8, Unicode white space
    at either end); those pages take the text path.
    """
    if read_bom(html)[0] is not None:
        return None
    declared = html_body_declared_encoding(html)
    if declared is not None and codecs.lookup(declared).name != "utf-8":
        return None
    try:
        text = html.decode("utf-8")
    except UnicodeDecodeError:
        return None
    stripped = html.strip()
    if stripped and (stripped[0] in _UNICODE_SPACE_EDGE or stripped[-1] in _UNICODE_SPACE_EDGE):
        return None
    return text, stripped.replace(b"\x00", b"")


# What a page that says UTF-8 but is not usually is: Windows-1252 from an old CMS export.
FALLBACK_ENCODING = "cp1252"


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """Bytes → text by BOM, HTTP header, <meta charset>, then guessing.

    The second value is None when the declared encoding fit; when the bytes are not in it, the
    page is read as Windows-1252 instead and the second value says so (for a log line and a stat).
    """
    encoding, text = html_to_unicode(content_type, body)
    if "\ufffd" not in text:
        return text, None
    codec = resolve_encoding(encoding) or "utf-8"
    try:
        return body.decode(codec), None  # the replacement characters were in the page itself
    except (UnicodeDecodeError, LookupError):
        pass
    return body.decode(FALLBACK_ENCODING, errors="replace"), f"bytes are not {encoding}; read as {FALLBACK_ENCODING}"


def _flatten_ld(node: Any) -> list[JsonObject]:
    if isinstance(node, list):
        return [obj for item in node for obj in _flatten_ld(item)]
    if isinstance(node, dict):
        found = [node]
        graph = node.get("@graph")
        if graph is not None:
            found.extend(_flatten_ld(graph))
        return found
    return []


def ld_types(obj: JsonObject) -> set[str]:
    """The @type of a JSON-LD object as a set (it may be a string or a list)."""
    value = obj.get("@type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def dig(data: Any, *path: str | int) -> Any:
    """``data[p0][p1]…`` or None where any step is missing or of the wrong kind."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


class Page:
    """An HTML page and its URL, parsed once, with lazily read JSON-LD, ``__NEXT_DATA__``, meta tags
    and the :class:`~crawler.extraction.dom.DomIndex` the rules look elements up in."""

    def __init__(self, html: str | bytes, url: str) -> None:
        self.url = url
        source = _utf8_source(html) if isinstance(html, bytes) else None
        if source is not None:
            self.text, body = source
        else:
            self.text = decode_html(html)
            # As parsel's Selector(text=…) does (an empty page is "<html></html>").
            body = (self.text or "<html></html>").strip().replace("\x00", "").encode("utf-8")
        self.root: _Element = dom.parse(body, url)
        self.invalid_json_blocks = 0

    @cached_property
    def selector(self) -> Selector:
        """A parsel selector over the same tree, for the rules' rarely taken fallbacks."""
        return Selector(root=self.root, type="html")

    @cached_property
    def dom(self) -> dom.DomIndex:
        """Elements by class and tag, and text nodes by phrase, from one walk over the tree."""
        return dom.DomIndex(self.root)

    def xpath(self, query: str, **variables: Any) -> Any:
        """Shortcut for ``self.selector.xpath``."""
        return self.selector.xpath(query, **variables)

    def css(self, query: str) -> Any:
        """Shortcut for ``self.selector.css``."""
        return self.selector.css(query)

    def _json_scripts(self, matches: Any) -> list[Any]:
        found = []
        for script in self.dom.tagged("script"):
            if not matches(script):
                continue
            raw = script.text  # a script's only text node (//script/text()); None when empty
            if raw is None:
                continue
            value = loads_lenient(raw)
            if value is None:
                self.invalid_json_blocks += 1
            else:
                found.append(value)
        return found

    @cached_property
    def json_ld(self) -> list[JsonObject]:
        """Every JSON-LD object on the page, flattened (lists and @graph), in page order."""
        blocks = self._json_scripts(lambda script: script.get("type") == "application/ld+json")
        return [obj for block in blocks for obj in _flatten_ld(block)]

    def ld_first(self, types: frozenset[str] | set[str]) -> JsonObject | None:
        """The first JSON-LD object of one of ``types``; the order of blocks is not relied on otherwise."""
        for obj in self.json_ld:
            if ld_types(obj) & types:
                return obj
        return None

    @cached_property
    def ld_article(self) -> JsonObject:
        """The JSON-LD NewsArticle (or kin); empty when there is none."""
        return self.ld_first(ARTICLE_TYPES) or {}

    @cached_property
    def has_next_data(self) -> bool:
        """Whether the page has a ``<script id="__NEXT_DATA__">`` at all (readable or not)."""
        return any(script.get("id") == "__NEXT_DATA__" for script in self.dom.tagged("script"))

    @cached_property
    def next_data(self) -> JsonObject | None:
        """The whole ``__NEXT_DATA__`` object, or None when the page has none."""
        blocks = self._json_scripts(lambda script: script.get("id") == "__NEXT_DATA__")
        return blocks[0] if blocks and isinstance(blocks[0], dict) else None

    @cached_property
    def next_article(self) -> JsonObject:
        """``props.pageProps.data`` of ``__NEXT_DATA__`` when it is a dict, else empty."""
        data = dig(self.next_data, "props", "pageProps", "data")
        return data if isinstance(data, dict) else {}

    @cached_property
    def _metas(self) -> dict[str, str]:
        # (//meta[@name=$n or @property=$n or @itemprop=$n]/@content)[1] for every n at once.
        found: dict[str, str] = {}
        for meta in self.dom.tagged("meta"):
            content = meta.get("content")
            if content is None:
                continue
            for attribute in ("name", "property", "itemprop"):
                key = meta.get(attribute)
                if key is not None:
                    found.setdefault(key, content)
        return found

    def meta(self, *names: str) -> str | None:
        """Content of the first <meta> whose name, property or itemprop is one of ``names``."""
        for name in names:
            cleaned = clean_text(self._metas.get(name))
            if cleaned:
                return cleaned
        return None

    @cached_property
    def canonical(self) -> str | None:
        """The <link rel=canonical> href, or og:url."""
        href = next(
            (h for link in self.dom.tagged("link") if link.get("rel") == "canonical" and (h := link.get("href")) is not None),
            None,
        )
        return clean_text(href) or self.meta("og:url")

    @cached_property
    def lang(self) -> str | None:
        """The two-letter language of <html lang>."""
        value = clean_text(self.root.get("lang") if self.root.tag == "html" else None)
        return value[:2].lower() if value else None

    @property
    def is_amp(self) -> bool:
        """``<html amp>`` (or ``<html ⚡>``, which lxml drops, so it is looked for in the text)."""
        return (self.root.tag == "html" and self.root.get("amp") is not None) or "<html \u26a1" in self.text[:2000]
