"""One parsed page: the HTML tree (parsed once) and the structured data found in it."""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any

from parsel import Selector
from w3lib.encoding import html_to_unicode

from .normalize import clean_text

JsonObject = dict[str, Any]

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting", "BlogPosting", "OpinionNewsArticle"})

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_COMMENT_WRAPPER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)\s*$")


def loads_lenient(text: str) -> Any:
    """Parse JSON as the site writes it: raw control characters in strings, stray trailing commas.

    Returns None when the text is not JSON even so.
    """
    text = _COMMENT_WRAPPER.sub("", text).strip()
    if not text:
        return None
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            # strict=False accepts raw newlines and tabs inside strings, which the
            # site's JSON-LD contains (articleBody copied verbatim from the CMS).
            return json.loads(candidate, strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue
    return None


def decode_html(html: str | bytes) -> str:
    """Bytes → text by BOM, then <meta charset>, then UTF-8 with replacement characters."""
    if isinstance(html, str):
        return html
    _, text = html_to_unicode(None, html)
    return text


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
    """An HTML page and its URL, with lazily read JSON-LD, ``__NEXT_DATA__`` and meta tags."""

    def __init__(self, html: str | bytes, url: str) -> None:
        self.url = url
        self.text = decode_html(html)
        self.selector = Selector(text=self.text or "<html></html>", base_url=url)
        self.invalid_json_blocks = 0

    def xpath(self, query: str, **variables: Any) -> Any:
        """Shortcut for ``self.selector.xpath``."""
        return self.selector.xpath(query, **variables)

    def css(self, query: str) -> Any:
        """Shortcut for ``self.selector.css``."""
        return self.selector.css(query)

    def _json_scripts(self, query: str) -> list[Any]:
        found = []
        for raw in self.xpath(query).getall():
            value = loads_lenient(raw)
            if value is None:
                self.invalid_json_blocks += 1
            else:
                found.append(value)
        return found

    @cached_property
    def json_ld(self) -> list[JsonObject]:
        """Every JSON-LD object on the page, flattened (lists and @graph), in page order."""
        blocks = self._json_scripts('//script[@type="application/ld+json"]/text()')
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
    def next_data(self) -> JsonObject | None:
        """The whole ``__NEXT_DATA__`` object, or None when the page has none."""
        blocks = self._json_scripts('//script[@id="__NEXT_DATA__"]/text()')
        return blocks[0] if blocks and isinstance(blocks[0], dict) else None

    @cached_property
    def next_article(self) -> JsonObject:
        """``props.pageProps.data`` of ``__NEXT_DATA__`` when it is a dict, else empty."""
        data = dig(self.next_data, "props", "pageProps", "data")
        return data if isinstance(data, dict) else {}

    def meta(self, *names: str) -> str | None:
        """Content of the first <meta> whose name, property or itemprop is one of ``names``."""
        for name in names:
            value = self.xpath(
                "(//meta[@name=$n or @property=$n or @itemprop=$n]/@content)[1]", n=name
            ).get()
            cleaned = clean_text(value)
            if cleaned:
                return cleaned
        return None

    @cached_property
    def canonical(self) -> str | None:
        """The <link rel=canonical> href, or og:url."""
        href = self.xpath('(//link[@rel="canonical"]/@href)[1]').get()
        return clean_text(href) or self.meta("og:url")

    @cached_property
    def lang(self) -> str | None:
        """The two-letter language of <html lang>."""
        value = clean_text(self.xpath("/html/@lang").get())
        return value[:2].lower() if value else None
