"""One page, decoded and parsed once, and the structured-data reader every layout uses.

The reader finds what the site states outright: JSON-LD objects, ``__NEXT_DATA__`` (whose
``props.pageProps.data`` has the same keys as the site's article JSON API), ``<meta>`` tags and the
canonical link. Layouts read the DOM only for what these do not say.
"""

from __future__ import annotations

import codecs
import html
import json
import sys
import threading
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urljoin

import chompjs
import orjson
from lxml import etree
from lxml.etree import _Element
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom, resolve_encoding

from .lazy import cached_property
from .normalize import clean_text, normalize_date, strip_amp
from .text import attribute_text
from .urls import VIDEO, WEBSTORY, page_article_id

# The microdata item of a part of the page (a card, the story's block) an element sits in: its nearest
# ``itemscope`` around it. An item on ``<html>`` or ``<body>`` is the whole page's, as templates write
# ``<html itemscope itemtype="…/WebPage">``: the ``<meta itemprop>`` in its head are the page's own.
_NEAREST_ITEM = etree.XPath("ancestor::*[@itemscope][1][not(self::html or self::body)]", regexp=False)
# The microdata items of articles (NewsArticle and kin, BlogPosting), and an item's properties (an
# itemprop may name several, separated by spaces).
ARTICLE_ITEMS = etree.XPath("//*[@itemscope][contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting')]", regexp=False)
_PROPERTY = etree.XPath("descendant::*[contains(concat(' ', normalize-space(@itemprop), ' '), concat(' ', $name, ' '))]", regexp=False)
_ITEM_LINKS = etree.XPath("descendant-or-self::a[@href] | ancestor::a[@href]", regexp=False)
# What marks the story in its item: the page's headline (its first <h1>), else its articleBody (not a
# live blog's update's own).
_BODY_PROPERTY = "contains(concat(' ', normalize-space(@itemprop), ' '), ' articleBody ')"
_STORY_MARKS = (
    etree.XPath("(//h1)[1]", regexp=False),
    etree.XPath(f"(//*[{_BODY_PROPERTY}][not(ancestor::*[contains(concat(' ', normalize-space(@itemprop), ' '), ' liveBlogUpdate ')])])[1]", regexp=False),
)
# (Another item holding one too: the mark tells no story, as on a listing of cards alike.)
_HOLDS_MARK = (etree.XPath("boolean(descendant::h1)", regexp=False), etree.XPath(f"boolean(descendant::*[{_BODY_PROPERTY}])", regexp=False))


def item_property(item: _Element | None, *names: str) -> _Element | None:
    """The item's own first element of one of the properties ``names`` (not a nested item's: an
    author's or a publisher's ``name``); it may be an item itself (an ImageObject)."""
    if item is None:
        return None
    for name in names:
        for found in cast("list[_Element]", _PROPERTY(item, name=name)):
            owner = next((above for above in found.iterancestors() if above.get("itemscope") is not None), None)
            if owner is item:
                return found
    return None

JsonObject = dict[str, Any]

# Article, NewsArticle and every schema.org subtype of NewsArticle, and the blog postings.
ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "AnalysisNewsArticle", "AskPublicNewsArticle", "BackgroundNewsArticle",
        "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting",
        # schema.org's other kinds of Article a publisher may call a story: a research report, an
        # explainer, a satire column, a paid partner's story. (Not SocialMediaPosting or a forum thread.)
        "Report", "TechArticle", "ScholarlyArticle", "MedicalScholarlyArticle", "SatiricalArticle", "AdvertiserContentArticle",
    }
)

# What the page of a recording (a video, a podcast's episode or show, a video gallery) or of a photo
# gallery says it is in JSON-LD: beside no article object of the page's, a page that is not an
# article, of the kind a URL under /video-gallery/ or /photo-gallery/ is (urls.non_article_kind).
MEDIA_TYPES = frozenset({"VideoObject", "AudioObject", "PodcastEpisode", "PodcastSeason", "PodcastSeries", "VideoGallery"})
GALLERY_TYPES = frozenset({"ImageGallery", "MediaGallery"})


# --- JSON ---------------------------------------------------------------------------------------

_INT_DIGITS = sys.get_int_max_str_digits() or 4300


def _int_or_float(digits: str) -> int | float:
    # int() refuses a number of more than 4,300 digits (a CMS's garbage in one field), and the
    # decoder with it the whole block: such a number is read as a float, as orjson reads one past 64 bits.
    return int(digits) if len(digits) <= _INT_DIGITS else float(digits)


_STRICT = json.JSONDecoder(parse_int=_int_or_float)
# Raw newlines and tabs inside strings: the site's JSON-LD copies articleBody verbatim from the CMS.
_CONTROL_CHARACTERS_ALLOWED = json.JSONDecoder(strict=False, parse_int=_int_or_float)
# What a template writes around the JSON of a script, before it and after it: an HTML comment, a CDATA
# section, JavaScript comments (an XHTML template's ``/*<![CDATA[*/ … /*]]>*/``, a plugin's ``/* name */``
# line before the object, ``// schema`` on the line above it).
_OPENERS = {"<!--": "-->", "<![CDATA[": "]]>", "//<![CDATA[": "]]>"}
_CLOSERS = ("-->", "]]>")  # (both three characters)


def _unwrapped(text: str) -> str:
    """``text`` without the comments and markers a template wrote before and after its JSON; only
    its ends are looked at, never the strings inside."""
    while text and text[0] not in "{[":
        opener = next((opener for opener in _OPENERS if text.startswith(opener)), None)
        if opener is not None:
            if _OPENERS[opener] not in text:
                break  # (a comment left open holds the rest: no data)
            text = text[len(opener) :]
        elif text.startswith("/*") and (end := text.find("*/", 2)) != -1:
            text = text[end + 2 :]
        elif text.startswith("//") and (end := text.find("\n")) != -1:
            text = text[end + 1 :]
        else:
            break
        text = text.lstrip()
    while text and text[-1] not in "}]":
        if text.endswith(_CLOSERS):
            text = text[:-3]
        elif text.endswith("*/") and (start := text.rfind("/*")) != -1:
            text = text[:start]
        elif text.endswith("//"):
            text = text[:-2]
        elif (line := text.rfind("\n")) != -1 and text[line:].lstrip().startswith("//"):
            text = text[:line]
        else:
            break
        text = text.rstrip()
    return text


def loads_lenient(text: str) -> Any:
    """JSON as the site writes it; None when it is not JSON even read leniently.

    Strict JSON first, then JSON with raw control characters in strings, then several JSON values
    one after the other (``{…}{…}``, ``{…}\n{…}``: a list of them), then chompjs (a kept parser of
    JavaScript object literals: trailing commas, comments, unquoted keys; several objects too). A
    byte order mark before the text is dropped. Never a regex that edits the text, which would edit
    the strings too.
    """
    # A BOM is no white space to str.strip(): a block copied from a file saved with one starts with it.
    text = text.strip().lstrip("\ufeff").lstrip()
    if text[:1] not in ("{", "[") or text[-1:] not in ("}", "]"):
        text = _unwrapped(text)
    if '"' not in text and ("&quot;" in text or "&#34;" in text):
        # The whole block escaped as HTML text (React's server rendering escapes a script's children,
        # a template engine its variables): JSON has quotes, so one escaped where none is left was
        # escaped once, strings and all.
        text = html.unescape(text)
    if not text or text[0] not in "{[":
        return None
    try:
        # orjson reads strict JSON three to four times as fast as the standard library, to the same
        # objects, save integers beyond 64 bits (floats here; no field reads such a number). What it
        # refuses (raw control characters, NaN, lone surrogates, trailing commas) goes the long way.
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError is one
        pass
    for decoder in (_STRICT, _CONTROL_CHARACTERS_ALLOWED):
        try:
            return decoder.decode(text)
        except json.JSONDecodeError as error:
            if decoder is _CONTROL_CHARACTERS_ALLOWED and error.msg == "Extra data":
                several = _several_values(text)
                if several is not None:
                    return several
        except RecursionError:
            continue
    try:
        # parse_js_object would read the first of several objects alone, losing the article after it.
        values: list[Any] = list(chompjs.parse_js_objects(text, loader_kwargs={"strict": False, "parse_int": _int_or_float}))
    except (ValueError, RecursionError, TypeError, IndexError):
        return _inner_quotes_escaped(text)
    if not values:
        return _inner_quotes_escaped(text)
    return values[0] if len(values) == 1 else values


# At most this many quotes escaped in one block: a text that needs more is no JSON with a few stray quotes.
_MAX_QUOTE_REPAIRS = 32


def _inner_quotes_escaped(text: str) -> Any:
    """JSON whose strings hold quotes the CMS did not escape (``"headline": "He said "no" to it"``), or None.

    Such a quote ends the string early, and the decoder then finds no ``,`` where one must be (or, when
    a comma follows the quote, no key after the comma): the last quote before that place is the stray
    one. It is escaped, and the text read again, quote by quote.
    """
    for _ in range(_MAX_QUOTE_REPAIRS):
        try:
            return _CONTROL_CHARACTERS_ALLOWED.decode(text)
        except json.JSONDecodeError as error:
            at = error.pos
            if error.msg == "Expecting property name enclosed in double quotes" and text[at : at + 1] not in ("}", ""):
                at = text.rfind(",", 0, at)  # ``"yes", then left"``: the comma was the string's
                if at < 0 or text[at + 1 : error.pos].strip():
                    return None
            elif error.msg != "Expecting ',' delimiter" or text[at : at + 1] == ":" or (
                text[at : at + 1] == '"' and text[at - 1 : at].isspace()
            ):
                # ``"a" "b"`` and ``"a" "key": …`` are members or items whose comma is missing, not
                # quotes inside a string: "repaired", what came after went into that string.
                return None
            stray = text.rfind('"', 0, at)
            if stray <= 0 or text[stray + 1 : at].strip():
                return None
            text = text[:stray] + "\\" + text[stray:]
        except RecursionError:
            return None
    return None


def _several_values(text: str) -> list[Any] | None:
    """JSON values written one after the other with only white space between them, or None."""
    values: list[Any] = []
    at = 0
    try:
        while at < len(text):
            value, at = _CONTROL_CHARACTERS_ALLOWED.raw_decode(text, at)
            values.append(value)
            while at < len(text) and text[at] in " \t\r\n":
                at += 1
    except (json.JSONDecodeError, RecursionError):
        return None
    return values


def _flatten_ld(node: Any) -> list[JsonObject]:
    # In page order, with a stack of what is left rather than recursion: the decoders read lists
    # nested up to 1,024 deep, past Python's recursion limit (the page was lost as unreadable).
    found: list[JsonObject] = []
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(reversed(node))
        elif isinstance(node, dict):
            found.append(node)
            graph = node.get("@graph")
            if graph is not None:
                todo.append(graph)
    return found


# A page may describe itself and hold its article as its mainEntity. Only a page of one item: a
# CollectionPage's mainEntity lists teasers of other stories.
_ITEM_PAGE_TYPES = frozenset({"WebPage", "ItemPage"})


def live_updates_of(blog: JsonObject) -> list[Any]:
    """A live blog's ``liveBlogUpdate`` as a list: the list, one update alone, or the object of the
    updates by their index a PHP back end writes for a list (``{"0": {…}, "2": {…}}``), in order."""
    updates = blog.get("liveBlogUpdate")
    if isinstance(updates, list):
        return updates
    if isinstance(updates, dict):
        if updates and all(isinstance(key, str) and key.isdigit() for key in updates):
            return [updates[key] for key in sorted(updates, key=int)]
        return [updates]
    return []


def _main_entities(objects: list[JsonObject]) -> list[JsonObject]:
    """The single-object ``mainEntity`` of the WebPage objects among ``objects``."""
    found = []
    for obj in objects:
        main = obj.get("mainEntity")
        if isinstance(main, list) and len(main) == 1:  # one item, written as a list
            main = main[0]
        if isinstance(main, dict) and ld_types(obj) & _ITEM_PAGE_TYPES:
            found.extend(_flatten_ld(main))
    return found


# A type may be written as a full IRI or a compact one: "https://schema.org/NewsArticle", "schema:NewsArticle".
_SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/", "https://www.schema.org/", "http://www.schema.org/", "schema:")


def _type_name(value: str) -> str:
    if value[:1].isspace() or value[-1:].isspace():
        # ("NewsArticle " from a CMS template: a reader of the data still takes it for the type)
        value = value.strip()
    if ":" in value:
        for prefix in _SCHEMA_PREFIXES:
            if value.startswith(prefix):
                return value[len(prefix) :]
    return value


def ld_types(obj: JsonObject) -> set[str]:
    """The @type of a JSON-LD object as a set of schema.org names (it may be a string or a list)."""
    value = obj.get("@type")
    if isinstance(value, str):
        return {_type_name(value)}
    if isinstance(value, list):
        return {_type_name(v) for v in value if isinstance(v, str)}
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


# What a full article object has and a stub or a teaser lacks.
_ARTICLE_KEYS = ("headline", "datePublished", "author", "articleBody", "image")


def _same_page_key(url: Any) -> str | None:
    """An absolute URL reduced to what names the page (no scheme, AMP form, fragment or trailing
    slash); None for anything else (a bare ``#fragment`` id names no page, "http://[x" is no URL)."""
    if not isinstance(url, str) or "://" not in url:
        return None
    try:
        return strip_amp(url.strip()).split("://", 1)[-1].rstrip("/")
    except ValueError:
        return None


def _ld_version(obj: JsonObject) -> str:
    """When a JSON-LD article was last changed (its ``dateModified``, else ``datePublished``) as ISO 8601
    in IST, which sorts as time does; empty when it says neither."""
    for key in ("dateModified", "datePublished"):
        value = obj.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and (found := normalize_date(value)):
            return found
    return ""


def _ld_page_urls(obj: JsonObject) -> list[Any]:
    """What a JSON-LD object says it is the main thing of (``url``, ``mainEntityOfPage``, ``@id``)."""
    return [obj.get("url"), obj.get("@id"), obj.get("mainEntityOfPage"), dig(obj, "mainEntityOfPage", "@id"), dig(obj, "mainEntityOfPage", "url")]


def _ld_page_keys(obj: JsonObject) -> set[str]:
    """The pages a JSON-LD object says it is the main thing of."""
    return {key for url in _ld_page_urls(obj) if (key := _same_page_key(url))}


def _story_ids(urls: Iterable[Any]) -> set[str]:
    """The article ids of the stories ``urls`` name (the slug, the scheme and the AMP form aside)."""
    return {found for url in urls if isinstance(url, str) and (found := page_article_id(None, url.strip()))}


# --- bytes to text ------------------------------------------------------------------------------

# What a page that is not the UTF-8 it claims usually is: Windows-1252 from an old CMS export.
FALLBACK_ENCODING = "cp1252"


# Kinds of :class:`EncodingNote` (stat names: crawler.stats.encoding(kind)).
UTF8_OVER_DECLARED = "utf8-over-declared"
STRAY_BYTES = "stray-bytes"


class EncodingNote(str):
    """What :func:`decode_body` overruled: the text is the log line, ``kind`` the stat's slug."""

    kind: str

    def __new__(cls, kind: str, detail: str) -> EncodingNote:
        note = super().__new__(cls, detail)
        note.kind = kind
        return note


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, EncodingNote | None]:
    """Bytes → text, and a note (for a log line and a stat) when the declared encoding was overruled.

    A BOM wins. Bytes that are valid UTF-8 are read as UTF-8 even when the header or a ``<meta>``
    says otherwise (an ASCII page is valid in both, so only non-ASCII bytes can contradict). Bytes
    that are not all valid UTF-8 are read as UTF-8, each bad byte kept as U+FFFD, when they hold at
    least as many valid multi-byte UTF-8 characters as bad bytes (the reading with the fewest
    replacement characters, rather than mojibake of every real one), also when a single-byte
    encoding is declared; otherwise in the declared encoding when they are valid in it, and as
    Windows-1252 when they are not (or nothing but UTF-8 is declared).
    """
    text, note, _ = _decode(body, content_type)
    return text, note


def _decode(body: bytes, content_type: str | None) -> tuple[str, EncodingNote | None, bool]:
    # The third value: whether the text is the body read as UTF-8 as it stands.
    if read_bom(body)[0] is not None:
        return html_to_unicode(content_type, body)[1], None, False
    if body.isascii():  # valid UTF-8 that no declaration can contradict (below): no need to find one
        return body.decode("ascii"), None, True
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    declared_codec = codecs.lookup(resolve_encoding(declared) or "utf-8").name if declared else "utf-8"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared_codec != "utf-8":
            return text, EncodingNote(UTF8_OVER_DECLARED, f"valid UTF-8 although {declared} is declared; read as UTF-8"), True
        return text, None, True
    # Read as UTF-8, each stray byte (a Windows-1252 quote pasted into the CMS) is one U+FFFD; read
    # as a single-byte encoding, every real UTF-8 character turns into two or three wrong ones
    # ("India’s" → "Indiaâ€™s"). So the page is UTF-8 with stray bytes when its valid multi-byte
    # sequences are at least as many as its invalid bytes, whatever is declared; a page with fewer
    # (none, mostly) is read in the declared encoding.
    as_utf8 = body.decode("utf-8", errors="replace")
    replaced = as_utf8.count("\ufffd")
    non_ascii = len(as_utf8) - len(as_utf8.encode("ascii", errors="ignore"))  # counted in C, not per character
    if non_ascii - replaced >= replaced:
        overruled = f" although {declared} is declared" if declared_codec != "utf-8" else ""
        return as_utf8, EncodingNote(STRAY_BYTES, f"{replaced} byte(s) not UTF-8{overruled}; kept as U+FFFD"), False
    if declared_codec != "utf-8" and _reads_ascii_markup(declared_codec):
        try:
            return body.decode(declared_codec), None, False
        except (UnicodeDecodeError, LookupError):
            pass
    note = EncodingNote(FALLBACK_ENCODING, f"bytes are not {declared or 'UTF-8'}; read as {FALLBACK_ENCODING}")
    return body.decode(FALLBACK_ENCODING, errors="replace"), note, False


@lru_cache(maxsize=None)
def _reads_ascii_markup(codec: str) -> bool:
    """Whether ``codec`` reads markup written in ASCII bytes as that markup. A page whose bytes are
    not UTF-8 but whose tags are ASCII (the only pages that get this far) is in no encoding that
    does not: a UTF-16 or UTF-32 declaration (the HTML standard reads a ``<meta>`` one as UTF-8) or
    an EBCDIC one is a mistake, and read in it every two or four bytes would be one CJK character."""
    sample = b'<meta charset="x">'
    try:
        return sample.decode(codec) == sample.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


# --- parsing --------------------------------------------------------------------------------------


class _Parsers(threading.local):
    """lxml parsers are not thread-safe; one per thread, made on first use."""

    page: etree.HTMLParser | None = None


_parsers = _Parsers()


# What bytes.strip() takes from either end.
_ASCII_SPACE = " \t\n\r\x0b\x0c"


def parse_html(text: str, base_url: str = "", utf8: bytes | None = None) -> tuple[_Element, bool]:
    """Parse a page as parsel does (recover, UTF-8, huge trees; an empty page is ``<html/>``).

    A plain ``etree.HTMLParser``, not ``lxml.html``'s: the tree is the same, but lxml.html looks up
    a Python element class for every element a rule touches. The second value says whether
    libxml2 gave up part of the document (a resource limit: it nests at most 2,048 elements).
    ``utf8``, when given, is ``text`` encoded as UTF-8 (the bytes it was read from), parsed as they
    are (less their ASCII white space at either end) instead of encoding ``text`` again.
    """
    if _parsers.page is None:
        # No table of id attributes: no rule asks for an element by id through libxml2 (XPath id()),
        # and building and freeing the table is 6% of parsing a 200 kB page.
        _parsers.page = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    body: bytes | None = None
    # (A NUL looked for in the bytes: in a text that is not ASCII, no fast search finds one.)
    if utf8 is not None and b"\x00" not in utf8:
        # Pages end in a line break: the bytes lose their ASCII white space as they are, unless
        # what str.strip() would take goes on past it (NBSP, U+2028 …: white space to Python only),
        # which markup's first "<" and last ">" are not (the text is copied only to look further).
        stripped = utf8.strip()
        if stripped[:1] == b"<" and stripped[-1:] == b">":
            body = stripped
        else:
            inner = text.strip(_ASCII_SPACE)
            if inner and not inner[0].isspace() and not inner[-1].isspace():
                body = stripped
    if body is None:
        # (A lone surrogate, which no UTF-8 holds, would stop libxml2 where it stands: it becomes "?".)
        body = text.strip().replace("\x00", "").encode("utf-8", errors="replace") or b"<html/>"
    root = etree.fromstring(body, parser=_parsers.page, base_url=base_url)
    gave_up = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _parsers.page.error_log)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=_parsers.page)
    return root, gave_up


def _scripts_in_text(text: str) -> list[_Element]:
    """Every ``<script>`` of the page read from its text, each parsed on its own."""
    scripts: list[_Element] = []
    lowered = text.lower()
    start = lowered.find("<script")
    while start != -1:
        end = lowered.find("</script", start)
        if end == -1:
            break
        fragment, _ = parse_html(f"<html><head>{text[start:end]}</script></head></html>")
        scripts.extend(fragment.iter("script"))
        start = lowered.find("<script", end)
    return scripts


def _ends_whole(text: str) -> bool:
    """Whether the document reaches its end (``</html>`` or ``</body>``): a page cut short in
    transit or by the server stops inside the story."""
    # Searched backwards from the end, in place: the closing tag is usually the last thing there,
    # before a line break at most (looked at first, without the searches).
    if text[-16:].rstrip().endswith(_DOCUMENT_ENDS):
        return True
    start = max(0, len(text) - 4000)
    if any(text.rfind(end, start) != -1 for end in _DOCUMENT_ENDS):
        return True
    # A CDN or a tag manager may append its scripts after the document's end: a page is whole when
    # its closing tag comes after the whole <body> opened (a cut page has none after the story).
    body = text.find("<body")
    return start > 0 and any(text.rfind(end, max(body, 0), start) != -1 for end in _DOCUMENT_ENDS)


_DOCUMENT_ENDS = ("</html>", "</body>", "</HTML>", "</BODY>", "</Html>", "</Body>")


# --- the page -----------------------------------------------------------------------------------

# The head's elements the reader needs, in one walk (tag names only: libxml2 walks, Python filters).
_HEAD_TAGS = ("script", "meta", "link")


class Page:
    """An HTML page and its URL, parsed once, with lazily read structured data."""

    def __init__(self, html: str | bytes, url: str, content_type: str | None = None, read_at: datetime | None = None) -> None:
        self.url = url
        # When the page was fetched, the "now" its dates are read against; None: now, as a live crawl reads it.
        self.read_at = read_at
        utf8: bytes | None = None
        if isinstance(html, str):
            self.text, self.encoding_note = html, None
        else:
            self.text, self.encoding_note, read_as_utf8 = _decode(html, content_type)
            utf8 = html if read_as_utf8 else None
        self.complete = _ends_whole(self.text)
        self.root, self.truncated_tree = parse_html(self.text, url, utf8)
        self.invalid_json_blocks = 0
        self._found: dict[etree.XPath, list[_Element]] = {}

    def find(self, selector: etree.XPath) -> list[_Element]:
        """The elements a precompiled element-selecting XPath (or CSSSelector) finds from the root,
        looked for once per page: picking the layout and reading the page ask the same questions."""
        found = self._found.get(selector)
        if found is None:
            found = self._found[selector] = cast("list[_Element]", selector(self.root))
        return found

    def find_first(self, selector: etree.XPath) -> _Element | None:
        """The first element of :meth:`find`, or None."""
        found = self.find(selector)
        return found[0] if found else None

    def mentions(self, *needles: str) -> bool:
        """Whether the page's text holds one of ``needles`` at all: a class or id that is nowhere in
        the text is on no element, and the walk that would look for it can be skipped."""
        return any(needle in self.text for needle in needles)

    @cached_property
    def _tagged(self) -> dict[str, list[_Element]]:
        found: dict[str, list[_Element]] = {tag: [] for tag in _HEAD_TAGS}
        for element in self.root.iter(*_HEAD_TAGS):
            found[str(element.tag)].append(element)
        if self.truncated_tree:
            # libxml2 gave up part of the document (it stops at 256 nested elements, or 2048 with
            # huge trees: 3,000 unclosed divs do it); the structured data after the break is
            # still in the text, script by script.
            found["script"] = _scripts_in_text(self.text)
        return found

    def _json_scripts(self, scripts: Iterable[_Element]) -> list[Any]:
        found = []
        for script in scripts:
            # The script's text as the UTF-8 bytes libxml2 holds it in (a script holds text alone):
            # orjson reads them as they are, where its text would be decoded to be encoded again
            # for it. An object or a list read so is what loads_lenient() reads; anything else (a
            # BOM, a comment around it, a scalar, not JSON) goes its way.
            raw = etree.tostring(script, method="text", encoding="utf-8", with_tail=False)
            if not raw:  # (no text: script.text is None)
                continue
            try:
                value = orjson.loads(raw)
            except ValueError:  # orjson.JSONDecodeError is one
                value = None
            if not isinstance(value, (dict, list)):
                value = loads_lenient(script.text or "")
            if value is None:
                self.invalid_json_blocks += 1
            else:
                found.append(value)
        return found

    @cached_property
    def json_ld(self) -> list[JsonObject]:
        """Every JSON-LD object on the page, flattened (lists and @graph), in page order; then the
        articles WebPage objects hold as their mainEntity (an object of its own wins over them: a
        mainEntity is often a stub of the article, ``@id`` and headline)."""
        # (The type may carry parameters: "application/ld+json; charset=utf-8".)
        scripts = [s for s in self._tagged["script"] if (kind := s.get("type")) is not None and kind.split(";", 1)[0].strip().lower() == "application/ld+json"]
        objects = [obj for block in self._json_scripts(scripts) for obj in _flatten_ld(block)]
        return objects + _main_entities(objects)

    def ld_resolved(self, value: Any) -> Any:
        """``value``, or the page's JSON-LD object it refers to when it is a reference (``{"@id": …}``
        alone, as in a @graph whose article names its author and image by id)."""
        if isinstance(value, dict) and isinstance(ref := value.get("@id"), str) and not (value.keys() - {"@id", "@type"}):
            for obj in self.json_ld:
                if obj is not value and obj.get("@id") == ref and len(obj) > len(value):
                    return obj
        return value

    def ld_first(self, types: frozenset[str] | set[str]) -> JsonObject | None:
        """The first JSON-LD object of one of ``types``; the order of blocks is not relied on otherwise."""
        for obj in self.json_ld:
            if ld_types(obj) & types:
                return obj
        return None

    def ld_media(self) -> tuple[str, JsonObject] | None:
        """The kind (``video``, ``webstory``) and the JSON-LD object of a recording or a gallery the
        page describes, a recording first; None when it describes neither. One naming another page
        (its own video page, a YouTube watch page) is what a story embeds, not this page."""
        for types, kind in ((MEDIA_TYPES, VIDEO), (GALLERY_TYPES, WEBSTORY)):
            for obj in self.json_ld:
                if ld_types(obj) & types and self._ld_rank(obj)[0] >= 0:
                    return kind, obj
        return None

    @cached_property
    def ld_articles(self) -> list[JsonObject]:
        """The page's JSON-LD articles (NewsArticle and kin), without the updates a live blog among them
        lists (``liveBlogUpdate``: BlogPostings of their own, inline or graph nodes named by ``@id``),
        which are parts of that blog, not the page's story; on the page of a live blog (one naming
        it, or naming no page: a related blog's teaser names its own), its plain BlogPostings are its
        updates too, listed or not."""
        articles = [obj for obj in self.json_ld if ld_types(obj) & ARTICLE_TYPES]
        if len(articles) < 2:
            return articles
        # (An update names the page too, often with a fragment: only a blog naming another page is
        # no sign of this page's.)
        if any("LiveBlogPosting" in ld_types(obj) and self._ld_rank(obj)[0] >= 0 for obj in articles):
            articles = [obj for obj in articles if ld_types(obj) != {"BlogPosting"}]
        parts: set[int] = set()
        part_ids: set[str] = set()
        for obj in articles:
            for update in live_updates_of(obj):
                if isinstance(update, dict):
                    parts.add(id(update))
                    if isinstance(ref := update.get("@id"), str):
                        part_ids.add(ref)
        if not parts or len(articles) < 2:
            return articles
        # (A blog listing itself among its updates stays the blog.)
        return [obj for obj in articles if id(obj) not in parts and not (isinstance(ref := obj.get("@id"), str) and ref in part_ids and "liveBlogUpdate" not in obj)] or articles

    def _ld_rank(self, obj: JsonObject) -> tuple[int, int]:
        """How surely a JSON-LD article is this page's: about this page by its URL (2), by its story's
        id under another slug (1), naming no page (0), about another page (-1); then how full it is."""
        pages = _ld_page_keys(obj)
        about = 2 if self._here & pages or self._named_main(obj) else 1 if self.story_ids & _story_ids(_ld_page_urls(obj)) else -1 if pages and self._here else 0
        return about, sum(bool(obj.get(key)) for key in _ARTICLE_KEYS)

    @cached_property
    def _main_entity_ids(self) -> set[str]:
        """The ``@id``s the page's own WebPage objects (naming this page, or none) give as their
        mainEntity (``{"@id": "#article"}`` in a @graph). (An inline mainEntity without one is often a
        stub of the article beside its full object: it is ranked as before.)"""
        ids: set[str] = set()
        for holder in self.json_ld:
            if not ld_types(holder) & _ITEM_PAGE_TYPES or (_ld_page_keys(holder) and not self._here & _ld_page_keys(holder)):
                continue
            main = holder.get("mainEntity")
            if isinstance(main, list) and len(main) == 1:
                main = main[0]
            if isinstance(main, dict) and isinstance(ref := main.get("@id"), str) and ref.strip():
                ids.add(ref.strip())
        return ids

    def _named_main(self, obj: JsonObject) -> bool:
        """Whether the page's own WebPage names ``obj`` as its main entity by its ``@id``: a graph's
        article that names no page itself is the page's all the same."""
        return isinstance(ref := obj.get("@id"), str) and ref.strip() in self._main_entity_ids

    @cached_property
    def _here(self) -> set[str]:
        return {key for url in (self.url, self.canonical) if (key := _same_page_key(url))}

    @cached_property
    def ld_article(self) -> JsonObject:
        """The JSON-LD NewsArticle (or kin) of this page; empty when there is none.

        Pages may hold others (a teaser of another story, a stub of this one, a live blog's updates):
        the order of blocks is not relied on. The one whose URL is the page's wins, then one naming its
        story under another slug, then one that names no page, and one that names another page last;
        among them the fullest, then the latest version (a cache or a plugin may leave the story's
        object as it was first published beside the updated one), the first on a tie.
        """
        articles = self.ld_articles
        if len(articles) < 2:
            return articles[0] if articles else {}
        return max(articles, key=lambda obj: (*self._ld_rank(obj), _ld_version(obj)))

    @cached_property
    def ld_live_blog(self) -> JsonObject | None:
        """The page's JSON-LD LiveBlogPosting: its article, or another article object of the page that
        is one and names this page (its URL, or its story's id) where the article is a NewsArticle
        beside it; never a live blog naming another page or none (a related blog's teaser)."""
        article = self.ld_article
        if "LiveBlogPosting" in ld_types(article):
            return article
        if not article:
            return None
        # The page's text must name the type too (a type spelt with JSON escapes alone is not taken),
        # looked for only once a blog is found: on a 200 kB page the search costs more than the look
        # through its few JSON-LD objects.
        blogs = [obj for obj in self.ld_articles if obj is not article and "LiveBlogPosting" in ld_types(obj) and self._ld_rank(obj)[0] > 0]
        if blogs:
            return max(blogs, key=self._ld_rank) if "LiveBlogPosting" in self.text else None
        # The blog as the mainEntity of a WebPage naming this page (the blog naming none itself),
        # inline or by @id.
        for holder in self.json_ld:
            main = holder.get("mainEntity")
            if isinstance(main, list) and len(main) == 1:
                main = main[0]
            main = self.ld_resolved(main)
            if isinstance(main, dict) and "LiveBlogPosting" in ld_types(main) and ld_types(holder) & _ITEM_PAGE_TYPES and self._here & _ld_page_keys(holder):
                return main if "LiveBlogPosting" in self.text else None
        return None

    @cached_property
    def story_ids(self) -> set[str]:
        """The article ids the page's URL and canonical URL name."""
        return _story_ids((self.url, self.canonical))

    def names_this_page(self, obj: JsonObject) -> bool:
        """Whether a JSON-LD object says it is the main thing of this page (its URL or canonical URL)."""
        return bool(self._here & _ld_page_keys(obj))

    def is_this_page(self, url: str) -> bool:
        """Whether an absolute ``url`` names this page (its URL or canonical URL, a fragment aside)."""
        key = _same_page_key(url)
        return key is not None and key in self._here

    def names_other_stories(self, obj: JsonObject) -> bool:
        """Whether a JSON-LD object names stories (by their ids), none of them this page's: a related
        story's teaser written as an article of its own."""
        named = _story_ids(_ld_page_urls(obj))
        return bool(named) and bool(self.story_ids) and not named & self.story_ids

    @cached_property
    def has_next_data(self) -> bool:
        """Whether the page has a ``<script id="__NEXT_DATA__">`` at all (readable or not)."""
        return any(script.get("id") == "__NEXT_DATA__" for script in self._tagged["script"])

    @cached_property
    def next_data(self) -> JsonObject | None:
        """The whole ``__NEXT_DATA__`` object, or None when the page has none."""
        blocks = self._json_scripts(s for s in self._tagged["script"] if s.get("id") == "__NEXT_DATA__")
        found = blocks[0] if blocks else None
        if isinstance(found, list):  # read as several objects (a damaged script): the one with the page's props
            found = next((obj for obj in found if isinstance(obj, dict) and "props" in obj), None)
        return found if isinstance(found, dict) else None

    @cached_property
    def next_article(self) -> JsonObject:
        """``props.pageProps.data`` of ``__NEXT_DATA__`` (the article JSON) when it is a dict, else empty."""
        data = dig(self.next_data, "props", "pageProps", "data")
        return data if isinstance(data, dict) else {}

    @cached_property
    def _meta_entries(self) -> list[tuple[str, str, _Element | None]]:
        """Every filled ``<meta>``'s keys and content, in page order, with the microdata item of a part of
        the page a ``<meta itemprop>`` is a property of (None: the page's own)."""
        found: list[tuple[str, str, _Element | None]] = []
        for meta in self._tagged["meta"]:
            content = meta.get("content")
            # A template's empty tag before the page's own (duplicate tags): the filled one counts.
            if content is None or not content.strip():
                continue
            for attribute in ("name", "property", "itemprop", "http-equiv"):
                key = meta.get(attribute)
                if key is not None:
                    item = next(iter(cast("list[_Element]", _NEAREST_ITEM(meta))), None) if attribute == "itemprop" else None
                    found.append((key.strip().lower() if attribute == "http-equiv" else key.strip(), content, item))
        return found

    @cached_property
    def _metas(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, content, item in self._meta_entries:
            # A microdata item's own property is that item's (a "more stories" card's date, summary or
            # author), but for the story's own item's: those are the page's (story_item).
            if item is None or item is self.story_item:
                found.setdefault(key, content)
        return found

    def names_another_page(self, item: _Element) -> bool:
        """Whether a microdata item is a teaser of another page: its headline links another page (a
        card's title; a story's headline links the story itself, if anything), or its own ``url`` or
        ``mainEntityOfPage`` names another page (a card of a "more stories" rail)."""
        return any(url is None or not self.is_this_page(url) for url in self._item_urls(item))

    def _item_urls(self, item: _Element) -> list[str | None]:
        """The absolute URLs a microdata item names as its page (None for one no reader can tell)."""
        headline = item_property(item, "headline", "name")
        hrefs = [link.get("href") for link in cast("list[_Element]", _ITEM_LINKS(headline))] if headline is not None else []
        for name in ("url", "mainEntityOfPage"):
            own = item_property(item, name)
            if own is not None and own.get("itemscope") is None:
                hrefs.append(own.get("content") or own.get("href"))
        urls: list[str | None] = []
        for href in hrefs:
            if href and href.strip():
                try:
                    urls.append(urljoin(self.url, href.strip()))
                except ValueError:  # ("http://[x": a link to no page the reader can tell)
                    urls.append(None)
        return urls

    @cached_property
    def story_item(self) -> _Element | None:
        """The microdata item of the page's story, whose properties are the page's: the article item
        naming this page (its url or mainEntityOfPage the page's URL or canonical), else the one around
        the page's headline (its first ``<h1>``), else the one around its ``articleBody``, when it is no
        teaser of another page and no other article item beside it holds a headline (a body) too (a
        listing's cards); None when there is none, or the page does not tell which."""
        items = cast("list[_Element]", ARTICLE_ITEMS(self.root))
        if not items:
            return None
        stories = [item for item in items if not self.names_another_page(item)]
        named = next((item for item in stories if self._item_urls(item)), None)
        if named is not None:
            return named
        article_items = set(items)
        for mark, holds in zip(_STORY_MARKS, _HOLDS_MARK):
            found = next(iter(cast("list[_Element]", mark(self.root))), None)
            if found is None:
                continue
            item = next((above for above in found.iterancestors() if above in article_items), None)
            if item is None:
                continue
            inside = set(item.iterancestors())
            alike = any(other is not item and other not in inside and item not in set(other.iterancestors()) and holds(other) for other in items)
            return item if item in stories and not alike else None
        return None

    def meta(self, *names: str) -> str | None:
        """Content of the first ``<meta>`` whose name, property, itemprop or http-equiv is one of ``names``."""
        for name in names:
            cleaned = attribute_text(self._metas.get(name))
            if cleaned:
                return cleaned
        return None

    def meta_values(self, name: str) -> list[str]:
        """Contents of every ``<meta>`` whose name or property is ``name``: OpenGraph gives a
        property once per value (``article:tag``), where :meth:`meta` reads the first."""
        found = []
        for meta in self._tagged["meta"]:
            key = meta.get("property") or meta.get("name")
            if key is not None and key.strip() == name and (content := attribute_text(meta.get("content"))):
                found.append(content)
        return found

    def link_hrefs(self, rel: str) -> list[str]:
        """The ``href`` of every ``<link>`` whose ``rel`` names ``rel`` (``image_src``), in page order."""
        return [href for link in self._tagged["link"] if rel in (link.get("rel") or "").lower().split() and (href := attribute_text(link.get("href")))]

    @cached_property
    def canonical(self) -> str | None:
        """The ``<link rel=canonical>`` href, or og:url."""
        for link in self._tagged["link"]:
            if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
                return clean_text(link.get("href"))
        # (og:url as the page states it outside any item: which item is the story's asks the canonical.)
        return next((attribute_text(content) for key, content, item in self._meta_entries if key == "og:url" and item is None), None)

    @cached_property
    def lang(self) -> str | None:
        """The two-letter language of ``<html lang>``."""
        value = clean_text(self.root.get("lang") if self.root.tag == "html" else None)
        return value[:2].lower() if value else None

    @cached_property
    def is_amp(self) -> bool:
        """``<html amp>`` (or ``<html ⚡>``, which lxml drops, so it is looked for in the text)."""
        # (Asked twice a page: by the AMP layout's test and by every layout's check.)
        return (self.root.tag == "html" and self.root.get("amp") is not None) or self.text.find("<html \u26a1", 0, 2000) != -1
