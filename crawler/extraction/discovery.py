"""Reading the site's discovery documents: RSS feeds, sitemaps and listing pages → article links.

XML is parsed without network access and without entity expansion (no XXE, no billion laughs).
Gzip bodies (``.xml.gz``, or a server that compresses without saying so) are unpacked with a size
limit; a sitemap that breaks mid-way is refused (a feed gives the items before the break), one with
a local flaw (a stray ``&nbsp;``) is salvaged and says so.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from .normalize import IST, absolute_url, article_id, clean_text, date_of_article_id, parse_date
from .urls import ARTICLE, as_link, has_tracking, hindi_story_id, is_short_link, is_story_url, non_article_kind, page_article_id, same_site, short_link_key, site_host_form, unwrapped, url_kind, without_space_before_id, without_tracking


@dataclass(frozen=True)
class Entry:
    """One link found by discovery, with the date the source gives for it (``lastmod``; None when unreadable)."""

    url: str
    lastmod: datetime | None = None
    published: datetime | None = None
    # ``published`` was written as a day alone ("2024-02-29"): its writer's day, maybe UTC's, not India's.
    published_day_alone: bool = False

    @property
    def article_id(self) -> str | None:
        """The id the article's item will carry: the scheme follows the host, as the extraction's
        does (``hi-<N>`` on the Hindi edition), so that the run's requests and the seen-store, keyed
        by it, never take a Hindi story for the English article numbered alike."""
        return page_article_id(None, self.url)

    @property
    def publication_day(self) -> date | None:
        """Publication day: the source's publication date, else the day in the URL's 12-digit id."""
        if self.published:
            day = self.published.date()
            if not self.published_day_alone:
                return day
            # The id numbers a story on the day, in India, it was made: never after it went out. A day
            # alone the day before the id's is a day behind India's, UTC's: published between midnight
            # and 05:30 in India, on the id's day (taken as it was written, a March backfill lost it).
            identifier = article_id(self.url)
            made = date_of_article_id(identifier) if identifier else None
            return made if made is not None and made - day == timedelta(days=1) else day
        identifier = article_id(self.url)
        return date_of_article_id(identifier) if identifier else None


# Why a feed or sitemap could not be read (stat suffixes of bs/discovery/source_failed/).
NOT_XML = "not-xml"  # an HTML page (maintenance, block, error) or garbage where XML was expected
CUT = "cut"  # a document that stops mid-way (a gzip stream or a body cut short)
CUT_GZIP = "cut-gzip"
TOO_LARGE = "too-large"
EMPTY = "empty"  # well-formed, but not one entry
NOT_A_SITEMAP = "not-a-sitemap"
NOT_RSS = "not-rss"

# sitemaps.org allows 50,000 URLs and 50 MB uncompressed per sitemap.
SITEMAP_MAX_SIZE = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_UNPACK_CHUNK = 1024 * 1024
# Compressed bytes handed to zlib at a time: it copies what follows a member's end (unused_data),
# and a body of members of 20 bytes each, fed whole, copied its rest once per member (50,000 of
# them took a second, the 2.5 million a 50 MB body holds half an hour).
_UNPACK_INPUT = 4096
# Layers of gzip a feed or sitemap may come in once Scrapy took off what Content-Encoding announced:
# a ``.xml.gz`` file, gzipped once more by a CDN that stores it so and serves it without saying so
# (as article pages and listings, crawler/spiders/base.py).
GZIP_LAYERS = 3


class BrokenDocument(ValueError):
    """A feed or sitemap that is not well-formed XML, or not of the expected kind; ``reason`` says which."""

    def __init__(self, message: str, reason: str = NOT_XML, *, lists_nothing: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        # A well-formed document that lists no entry at all (an ``empty`` one, unlike an empty body,
        # one salvaged from a flaw or one whose entries have no usable URL).
        self.lists_nothing = lists_nothing


def unpack(body: bytes, max_size: int = SITEMAP_MAX_SIZE) -> bytes:
    """``body`` itself, or its gzip content when it is gzip (with a header saying so or not).

    Raises :class:`BrokenDocument` (``too-large``) past ``max_size`` unpacked bytes (0: no limit),
    and (``cut-gzip``) for a gzip stream that ends before its end: half a month of URLs is no month.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    chunks: list[bytes] = []
    size = 0
    view = memoryview(body)
    at = 0
    while body.startswith(GZIP_MAGIC, at):  # gzip files may hold several members, one after another
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while not inflater.eof and at < len(body):
                piece = view[at : at + _UNPACK_INPUT]
                data: bytes | memoryview = piece
                while data:
                    chunk = inflater.decompress(data, _UNPACK_CHUNK)
                    size += len(chunk)
                    if 0 < max_size < size:
                        raise BrokenDocument(f"more than {max_size} bytes unpacked", TOO_LARGE)
                    chunks.append(chunk)
                    if inflater.eof:
                        break
                    data = inflater.unconsumed_tail
                at += len(piece) - len(inflater.unused_data)
        except zlib.error as error:
            raise BrokenDocument(f"broken gzip stream: {error}", CUT_GZIP) from error
        if not inflater.eof:
            raise BrokenDocument(f"gzip stream cut short after {size} unpacked bytes", CUT_GZIP)
    return b"".join(chunks)


def _safe_parser(recover: bool = False, target: etree.ParserTarget | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, recover=recover, target=target
    )


@dataclass(frozen=True)
class _Parsed:
    root: etree._Element
    # The first error the strict parser met, when the document had to be salvaged; "" when well-formed.
    salvaged: str = ""
    # When the document stops before its own end: the error, and the entries it closed before the cut
    # (only those are whole: the last one may have lost half its URL).
    cut: str = ""
    whole: frozenset[etree._Element] = frozenset()


_BOM = b"\xef\xbb\xbf"


def _parse_xml(body: bytes, root_names: frozenset[str], entry_names: frozenset[str] = frozenset()) -> _Parsed:
    """The document's root; ``entry_names``: the caller reads what a cut document holds whole (a
    cut document is refused otherwise)."""
    # White space after a byte order mark puts the XML declaration past the start, which a strict
    # parser refuses (lxml reads the mark itself). Not in UTF-16 or UTF-32 (a NUL in the first
    # character), where stripping bytes cuts a character in half: a BE document's last line break.
    for _ in range(GZIP_LAYERS):
        if not body.startswith(GZIP_MAGIC):
            break
        body = unpack(body)
    body = body.removeprefix(_BOM)
    if b"\x00" not in body[:4]:
        body = body.strip()
    if not body:
        raise BrokenDocument("empty body", EMPTY)
    try:
        root = etree.fromstring(body, parser=_safe_parser())
    except etree.XMLSyntaxError as error:
        escaped = _numeric_ampersands(body)
        if escaped is not body:
            try:
                root = etree.fromstring(escaped, parser=_safe_parser())
            except etree.XMLSyntaxError:
                pass
            else:
                if root is not None:
                    return _Parsed(root, salvaged=str(error))
        return _salvage(escaped, root_names, entry_names, error)
    if root is None:
        raise BrokenDocument("empty document", EMPTY)
    return _Parsed(root)


# Outside CDATA sections and comments (where "&" is itself): a reference to one of XML's own
# entities, or an "&" that begins no reference at all (a raw "?a=1&b=2" in a link, "M&M" in a title).
# A section or comment left open runs to the end, as the parser reads it: looked for once, not
# from each of its openings again (a feed of 64 KB of "<!--" took 5 s, one of 1 MB hours).
_AMPERSANDS = re.compile(
    rb"(<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z))|&(amp|lt|gt|quot|apos);|&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z_:][A-Za-z0-9_.:-]*;)",
    re.DOTALL,
)
_CHARACTER_REFERENCES = {b"amp": b"&#38;", b"lt": b"&#60;", b"gt": b"&#62;", b"quot": b"&#34;", b"apos": b"&#39;", None: b"&#38;"}


def _numeric_ampersands(body: bytes) -> bytes:
    """``body`` for the parser that recovers from a flaw: each bare "&" and each ``&amp;``, ``&lt;`` …
    written as a character reference; ``body`` itself when there is none.

    A recovering libxml2 (entities left unexpanded, as here) drops every ``&amp;`` after the
    document's first flaw (a stray ``&nbsp;``, a control character), and a bare "&" with the name
    after it: a link "…_1.html?a=1&amp;b=2" after a stray ``&nbsp;`` was read "…_1.html?a=1b=2",
    one written "…-1.xml?v=3&part=2" "…-1.xml?v=3=2"; character references it keeps. (Not in UTF-16
    or UTF-32, whose "&" is no single byte.)"""
    if b"&" not in body or b"\x00" in body[:4]:
        return body
    escaped = _AMPERSANDS.sub(lambda found: found.group(1) or _CHARACTER_REFERENCES[found.group(2)], body)
    return body if escaped == body else escaped


class _EndTagsRead:
    """Parser target noting whether the document itself ends its root, and which of its entries it
    ends (by their order): libxml2 reports an element's end only when it reads an end tag, and the
    elements a document cut short leaves open are ended by lxml without a word to the target."""

    def __init__(self, entry_names: frozenset[str]) -> None:
        self.entry_names = entry_names
        # One per open element: its number among the entries, or None for any other element.
        self.open: list[int | None] = []
        self.entries = 0
        self.ended_entries: set[int] = set()
        self.root_ended = False

    def start(self, tag: str | bytes, attrib: dict[str | bytes, str | bytes]) -> None:
        if _local(tag) in self.entry_names:
            self.open.append(self.entries)
            self.entries += 1
        else:
            self.open.append(None)

    def end(self, tag: str | bytes) -> None:
        entry = self.open.pop()
        if entry is not None:
            self.ended_entries.add(entry)
        self.root_ended = not self.open

    # Text and comments say nothing about where the document stops.
    def data(self, data: str | bytes) -> None:
        pass

    def comment(self, text: str | bytes) -> None:
        pass

    def close(self) -> None:
        pass


def _salvage(body: bytes, root_names: frozenset[str], entry_names: frozenset[str], error: etree.XMLSyntaxError) -> _Parsed:
    """A document with a local flaw (an undeclared entity such as &nbsp;, a bad character) read past
    it; one that stops before its root's closing tag was cut short, and whatever it lists is only
    part of what it should."""
    # Whole-body parses, not a push parser: after some flaws (a bare "&" in "M&M", a "<" in text)
    # a push parser waits for more data until it is closed, so what it has ended before then says
    # nothing about where the document stops. The same recovering parser reads the body twice, once
    # for the end tags, once for the tree: their elements come in the same order.
    ends = _EndTagsRead(entry_names)
    try:
        etree.fromstring(body, parser=_safe_parser(recover=True, target=ends))
        root = etree.fromstring(body, parser=_safe_parser(recover=True))
    except etree.XMLSyntaxError:
        # Nothing a recovering parser can read as a document (a zero-filled body: "Document is empty").
        raise BrokenDocument(f"not well-formed XML: {error}", NOT_XML) from error
    kind = _local(root.tag) if root is not None else ""
    if root is None or kind not in root_names:
        # An HTML page (a block, an error), garbage, or a document cut before its root began.
        started = body.startswith((b"<?xml", *(b"<" + n.encode() for n in root_names)))
        raise BrokenDocument(f"not well-formed XML: {error}", CUT if started and kind.lower() != "html" else NOT_XML) from error
    if ends.root_ended:
        return _Parsed(root, salvaged=str(error))
    if not entry_names:
        raise BrokenDocument(f"not well-formed XML: {error}", CUT) from error
    entries = [element for element in root.iter() if _local(element.tag) in entry_names]
    whole = frozenset(entries[n] for n in ends.ended_entries if n < len(entries))
    return _Parsed(root, cut=str(error), whole=whole)


def _local(tag: object) -> str:
    # "{namespace}name" → "name" (cheaper than etree.QName: a monthly sitemap has 50,000 entries).
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str, clean: Callable[[str], str | None] = clean_text) -> str | None:
    """The text of the first child named ``name`` (any namespace) that holds some: another vocabulary
    may use the same name for an element whose value is an attribute (an item's ``<atom:link href>``
    before its ``<link>``)."""
    for child in element:
        if _local(child.tag) == name:
            text = clean((child.text or "") if len(child) == 0 else "".join(str(t) for t in child.itertext()))
            if text:
                return text
    return None


# (A decimal reference of thousands of digits is left as it is: html.unescape's int() refuses over 4,300.)
_WHOLE_ENTITY = re.compile(r"&(?:#[0-9]{1,32}|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _url_text(text: str | None) -> str | None:
    """A URL's text, folded as any text, its entities undone only when whole (a CMS that escaped it
    twice, ``&amp;amp;``): the parser has decoded the document's own, and ``html.unescape`` reads
    HTML's legacy ones without their ``;``, so "?id=1&region=n" was "?id=1®ion=n" and "&amp=1" "&=1"."""
    if text:
        text = unwrapped(text)
    if text and "&" in text:
        # Escaped again, each "&" comes back as itself from clean_text()'s unescaping.
        text = _WHOLE_ENTITY.sub(lambda entity: html.unescape(entity.group()), text).replace("&", "&amp;")
    return clean_text(text)


def _link(href: str | None, base_url: str) -> str | None:
    """``href`` made absolute; None for nothing, or for what no crawler can fetch (a broken
    host or port, another scheme than http(s)): a hostile source must not stop the others' links.
    Its host is written as the site writes it (one story, one address: see site_host_form).

    Spaces in a link that is a story's address without them are wrapping, and go: XML reads each line
    break (and the indent after it) in an attribute as a space, so an Atom ``href`` wrapped inside the
    story's file name, its path or its host read "…_1.%20html", "/news/%20sensex-…" or
    "business-%20standard.com": no story's address, or another one of it, or off-site. (No slug of the
    site has a space; one that is no story without them keeps them: "/topic/tata motors".)"""
    url = _link_as_written(href, base_url)
    # (A space just before the id is read already: see without_space_before_id.)
    if href and " " in href.strip() and (url is None or "%20" in url or not is_story_url(url)):
        closed = _link_as_written(href.replace(" ", ""), base_url)
        if closed and is_story_url(closed):
            return closed
    return url


def source_link(href: str | None, base_url: str) -> str | None:
    """A link a source gives (or a redirect of one leads to), as discovery reads it: see :func:`_link`."""
    return _link(href, base_url)


def _link_as_written(href: str | None, base_url: str) -> str | None:
    if href:
        href = as_link(href)
    try:
        # sitemaps.org requires absolute URLs; only others need resolving (the costly path).
        if href and href.startswith(("http://", "https://")) and " " not in href:  # clean_text folded white space
            url: str | None = href
        else:
            url = absolute_url(href, base_url)
        if not url:
            return None
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    url = without_space_before_id(site_host_form(url))
    if "?" not in url:
        return url
    return without_tracking(url) if has_tracking(url.lower()) else url


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: either an index of other sitemaps or a list of page URLs."""

    is_index: bool
    entries: list[Entry]
    unreadable_dates: int = 0
    # Why the document had to be salvaged (see :func:`_parse_xml`); "" when it was well-formed.
    salvaged: str = ""
    # Entries whose URL cannot be fetched (not http(s), a broken host or port): left out.
    unusable_urls: int = 0
    # The one date every entry carried (see :func:`_without_shared_date`), dropped; None when they differ.
    shared_date: datetime | None = None


_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
# The W3C Datetime forms (which sitemaps.org takes) that give no day: a year, a year and a month.
_W3C_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")


# A day written as its midnight ("2024-02-29T00:00:00Z", "Thu, 29 Feb 2024 00:00:00 GMT"): what a
# sitemap or feed writer makes of a date without a time, no more a time of day than "2024-02-29".
_MIDNIGHT = re.compile(r"[T\s]00:00(?::00(?:\.0+)?)?\s*(?:Z|GMT|UTC|[+-]\d\d:?\d\d)?\s*$", re.I).search


def _day_alone(text: str | None) -> bool:
    """Whether a date as written gives no time of day ("2024-02-29", "Feb 29 2024", or its midnight;
    not Unix seconds)."""
    return text is not None and ((":" not in text and not text.strip().isdigit()) or _MIDNIGHT(text) is not None)


def _w3c_date(text: str | None) -> datetime | None:
    """A sitemap's date: any form :func:`parse_date` reads, and W3C Datetime's ``2024`` and
    ``2024-02``, the first instant they name (in IST, as a date without a zone)."""
    if text is not None:
        match = _W3C_YEAR_MONTH.fullmatch(text.strip())
        if match:
            try:
                return datetime(int(match.group(1)), int(match.group(2) or 1), 1, tzinfo=IST)
            except ValueError:  # no month 13
                return None
    return parse_date(text)


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A ``<urlset>`` (plain or Google News) or ``<sitemapindex>``, gzipped or not; raises :class:`BrokenDocument`."""
    parsed = _parse_xml(body, _SITEMAP_ROOTS)
    kind = _local(parsed.root.tag)
    if kind not in _SITEMAP_ROOTS:
        reason = NOT_XML if kind.lower() == "html" else NOT_A_SITEMAP
        raise BrokenDocument(f"root element <{kind}> is not a sitemap", reason)
    return _read_sitemap(parsed, base_url)


def _read_sitemap(parsed: _Parsed, base_url: str) -> Sitemap:
    root = parsed.root
    kind = _local(root.tag)
    entries = []
    unreadable = unusable = 0
    for node in root:
        if _local(node.tag) not in {"url", "sitemap"}:
            continue
        text = _child_text(node, "loc", _url_text)
        loc = _link(text, base_url)
        if not loc:
            unusable += 1  # (no link at all is as lost as one that cannot be fetched)
            continue
        lastmod_text = _child_text(node, "lastmod")
        published_text = None
        for child in node:
            if _local(child.tag) == "news":
                published_text = _child_text(child, "publication_date")
        lastmod = _w3c_date(lastmod_text)
        published = _w3c_date(published_text)
        unreadable += (lastmod_text is not None and lastmod is None) + (published_text is not None and published is None)
        entries.append(Entry(url=loc, lastmod=lastmod or published, published=published, published_day_alone=_day_alone(published_text)))
    if not entries:
        raise BrokenDocument(f"<{kind}> lists nothing", EMPTY, lists_nothing=not unusable and not parsed.salvaged)
    entries, shared = _without_shared_date(entries)
    return Sitemap(
        is_index=kind == "sitemapindex",
        entries=entries,
        unreadable_dates=unreadable,
        salvaged=parsed.salvaged,
        unusable_urls=unusable,
        shared_date=shared,
    )


# A document whose entries all carry one date from this many on: one story dated like the others
# is chance, a whole list of them is not.
SHARED_DATE_MIN_ENTRIES = 3


def _without_shared_date(entries: list[Entry]) -> tuple[list[Entry], datetime | None]:
    """``entries`` without their date when every one of them carries the same (to the second), and
    that date; ``entries`` as they are and None otherwise.

    A sitemap generator that writes the time it ran as every URL's ``<lastmod>`` (next-sitemap's
    default on Next.js sites) dates no story: read as dates, they are newer than the ones stored at
    every run, and every story it lists is fetched again, every run, to be found unchanged.
    """
    if len(entries) < SHARED_DATE_MIN_ENTRIES:
        return entries, None
    first = entries[0].lastmod
    if first is None:
        return entries, None
    shared = first.replace(microsecond=0)
    for entry in entries:
        if entry.lastmod is None or entry.lastmod.replace(microsecond=0) != shared:
            return entries, None

    def unless_shared(moment: datetime | None) -> datetime | None:
        return None if moment is None or moment.replace(microsecond=0) == shared else moment

    return [
        Entry(url=entry.url, lastmod=unless_shared(entry.published), published=unless_shared(entry.published), published_day_alone=entry.published_day_alone)
        for entry in entries
    ], shared


@dataclass(frozen=True)
class Feed:
    """A parsed RSS feed."""

    entries: list[Entry]
    unreadable_dates: int = 0
    salvaged: str = ""
    unusable_urls: int = 0
    # Why the feed stops before its end ("" when it does not): ``entries`` are the items before the cut.
    cut: str = ""
    # The one date every item carried (see :func:`_without_shared_date`), dropped; None when they differ.
    shared_date: datetime | None = None
    # The page of the feed's older items (RFC 5005's paged feed: ``<atom:link rel="next">``), if any.
    next_page: str | None = None


def _next_feed_page(root: etree._Element, base_url: str, atom: bool) -> str | None:
    """The feed's ``<link rel="next">`` (Atom's, or an ``<atom:link>`` of an RSS channel): the page
    of its older items. An item's links are its own, never the feed's."""
    holders = [root] if atom else [child for child in root if _local(child.tag) == "channel"]
    for holder in holders:
        for child in holder:
            if _local(child.tag) == "link" and "next" in (child.get("rel") or "").lower().split():
                declared = holder.base
                return _link(_url_text(child.get("href")), urljoin(base_url, declared) if declared else base_url)
    return None


def _item_url_texts(item: etree._Element) -> list[str]:
    """The item's addresses, in the order they are taken: its link, FeedBurner's ``origLink`` (the
    story behind its redirect), the ``href`` of its alternate ``<atom:link>`` (a feed that writes its
    item's address there alone), its guid when that is a permalink (the default: any other guid is
    only a name for the item)."""
    found = [_child_text(item, "link", _url_text), _child_text(item, "origLink", _url_text), _alternate_href(item)]
    for child in item:
        if _local(child.tag) == "guid" and (child.get("isPermaLink") or "").strip().lower() != "false":
            found.append(_child_text(item, "guid", _url_text))
            break
    return [text for text in found if text]


def _alternate_href(entry: etree._Element) -> str | None:
    """The ``href`` of the entry's first ``<link>`` (Atom's, or an RSS ``<link href>`` left empty) whose
    ``rel`` is ``alternate``, the default: a ``self``, ``enclosure`` or ``next`` link names no story."""
    for child in entry:
        if _local(child.tag) == "link" and (child.get("rel") or "alternate").strip().lower() == "alternate":
            href = _url_text(child.get("href"))
            if href:
                return href
    return None


def _named_story(item: etree._Element, base_url: str) -> str | None:
    """A story's address the item gives only as its ``<guid isPermaLink="false">``: a guid that is no
    permalink is a name, but a feed writing the story's own URL as that name, and no link at all, names
    the story (read as the last resort, so a link, whatever it is, still wins)."""
    for child in item:
        if _local(child.tag) == "guid":
            # Written whole, as Atom's <id> is read: a name that resolves as a relative link is none.
            text = _child_text(item, "guid", _url_text) or ""
            link = _link(text, base_url) if text.lower().startswith(("http://", "https://")) else None
            return link if link and is_story_url(link) and same_site(link, base_url) else None
    return None


def _item_link(item: etree._Element, base_url: str, atom: bool) -> str | None:
    """The entry's URL: its link, unless that is no story's (a click tracker's or a feed proxy's
    redirect) while another of its addresses is; then that one."""
    texts = _atom_url_texts(item) if atom else _item_url_texts(item)
    links = [_link(text, base_url) for text in texts]
    usable = [link for link in links if link]
    if not usable and not atom:
        return _named_story(item, base_url)
    return next((link for link in usable if is_story_url(link)), usable[0] if usable else None)


def _atom_url_texts(entry: etree._Element) -> list[str]:
    """An Atom entry's addresses, in the order they are taken: the ``href`` of its ``<link>`` whose ``rel``
    is ``alternate`` (the default), FeedBurner's ``origLink`` (as in its RSS feeds), its ``<id>`` when
    that is a web address (as an RSS permalink ``<guid>``; a ``tag:`` or ``urn:`` id is a name only)."""
    found: list[str | None] = [_alternate_href(entry)]
    found.append(_child_text(entry, "origLink", _url_text))
    identifier = _child_text(entry, "id", _url_text)
    found.append(identifier if identifier and identifier.lower().startswith(("http://", "https://")) else None)
    return [text for text in found if text]


# Root elements of the feeds read: RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom, and their entries.
_FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
_FEED_ENTRIES = frozenset({"item", "entry"})
ATOM = "feed"


def parse_rss(body: bytes, base_url: str) -> Feed:
    """Items of an RSS 2.0 feed (link or guid, pubDate or dc:date), or of an RSS 1.0 or Atom one;
    raises :class:`BrokenDocument`.

    A feed cut short gives the items it closed before the cut, with ``cut`` saying so: each item
    stands alone, unlike the URLs of a month, and a feed is read again on the next run.
    """
    parsed = _parse_xml(body, _FEED_ROOTS, _FEED_ENTRIES)
    kind = _local(parsed.root.tag)
    if kind not in _FEED_ROOTS:
        raise BrokenDocument(f"root element <{kind}> is not RSS", NOT_XML if kind.lower() == "html" else NOT_RSS)
    return _read_feed(parsed, base_url)


# A root element's name, where the document's prologue ends.
_ROOT_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# Bytes of a document looked at to tell its kind (a feed's or sitemap's root comes well before this).
_HEAD_SIZE = 8192


def _head(body: bytes) -> bytes:
    """The first bytes of ``body``, unpacked from the gzip layers it comes in; b"" for a broken stream."""
    for _ in range(GZIP_LAYERS):
        if not body.startswith(GZIP_MAGIC):
            break
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[: 8 * _HEAD_SIZE], _HEAD_SIZE)
        except zlib.error:
            return b""
    return _utf8_head(body[:_HEAD_SIZE])


def _utf8_head(head: bytes) -> bytes:
    """``head`` in UTF-8 when it is UTF-16 (a NUL in its first character), as a Windows tool saves XML:
    its root's name is then no run of ASCII bytes. (Characters cut at its end are dropped.)"""
    if b"\x00" not in head[:4]:
        return head
    for mark, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(mark):
            return head[2:].decode(codec, "ignore").encode()
    return head.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be", "ignore").encode()


def root_element(body: bytes) -> str | None:
    """The local name of the element ``body`` begins with (gzipped or not), past its prologue; None
    when it begins with none (text, garbage, a prologue left open)."""
    head = _head(body).removeprefix(_BOM)
    at = _after_prologue(head)
    found = _ROOT_NAME.match(head, at) if at >= 0 else None
    return _local_name(found.group(1)) if found is not None else None


def is_feed_or_sitemap(body: bytes) -> bool:
    """Whether ``body`` begins as an RSS, RSS 1.0 or Atom feed or a sitemap (gzipped or not), whatever
    its Content-Type or its address say: a server or CDN sends XML as ``text/html`` or ``text/plain``,
    and a feed's or sitemap's address may name no ``.rss`` or ``.xml`` (``/rss/latest``, an index's
    ``/sitemap/news?page=2``). An HTML page, XHTML's ``<?xml …?>`` before its ``<html>`` included, is none."""
    return root_element(body) in _FEED_ROOTS | _SITEMAP_ROOTS


# The elements an HTML page may begin with (its start and end tags may be left out).
_HTML_ROOTS = frozenset({"html", "head", "body"})


def is_html_page(body: bytes) -> bool:
    """Whether ``body`` begins as an HTML page (``<!DOCTYPE html>``, ``<html>``, ``<head>`` or ``<body>``)."""
    root = root_element(body)
    return root is not None and root.lower() in _HTML_ROOTS


def _after_prologue(head: bytes) -> int:
    """Where the root element may begin in ``head``: past white space, the XML declaration and other
    processing instructions (a stylesheet), comments and a DOCTYPE; -1 when one of them is left open.
    (A loop, not one regular expression: a run of blanks made one backtrack for ever.)"""
    at = 0
    while True:
        while at < len(head) and head[at : at + 1].isspace():
            at += 1
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if head.startswith(opening, at):
                end = head.find(closing, at + len(opening))
                if end < 0:
                    return -1
                at = end + len(closing)
                break
        else:
            if not head[at : at + 9].upper() == b"<!DOCTYPE":
                return at
            # An internal subset ("[ … ]") may hold ">" in its declarations.
            bracket, close = head.find(b"[", at), head.find(b">", at)
            if 0 <= bracket < close:
                close = head.find(b">", max(head.find(b"]", bracket), bracket))
            if close < 0:
                return -1
            at = close + 1


def _local_name(name: bytes) -> str:
    # "rdf:RDF" → "RDF", "sm:urlset" → "urlset".
    return name.rpartition(b":")[2].decode("ascii", "replace")


def parse_feed_or_sitemap(body: bytes, base_url: str, not_either: str = NOT_A_SITEMAP) -> Feed | Sitemap:
    """A feed or a sitemap, whichever the document is, whatever its URL's name says (a feed at
    ``/rss/latest.xml``); raises :class:`BrokenDocument`, with ``not_either`` for XML of another kind."""
    parsed = _parse_xml(body, _FEED_ROOTS | _SITEMAP_ROOTS, _FEED_ENTRIES)
    kind = _local(parsed.root.tag)
    if kind in _FEED_ROOTS:
        return _read_feed(parsed, base_url)
    if kind not in _SITEMAP_ROOTS:
        raise BrokenDocument(f"root element <{kind}> is neither a feed nor a sitemap", NOT_XML if kind.lower() == "html" else not_either)
    if parsed.cut:
        # Half a month of URLs is no month: a sitemap cut short is refused whole.
        raise BrokenDocument(f"not well-formed XML: {parsed.cut}", CUT)
    return _read_sitemap(parsed, base_url)


def _read_feed(parsed: _Parsed, base_url: str) -> Feed:
    root = parsed.root
    atom = _local(root.tag) == ATOM
    entries = []
    unreadable = unusable = 0
    # By local name, as the root: a feed may declare a default namespace (the RSS 2.0 one some
    # generators write), which every element of it then carries.
    entry_name = "entry" if atom else "item"
    for item in (element for element in root.iter() if _local(element.tag) == entry_name):
        if parsed.cut and item not in parsed.whole:
            continue
        # Relative links are relative to the xml:base that holds them (Atom feeds declare one), else to the feed.
        declared = item.base
        base = urljoin(base_url, declared) if declared else base_url
        url = _item_link(item, base, atom)
        if not url:
            unusable += 1  # (no link at all is as lost as one that cannot be fetched)
            continue
        if atom:
            # Atom dates the entry's publication and its last change apart.
            raw_published = _child_text(item, "published") or _child_text(item, "issued")
            raw_updated = _child_text(item, "updated") or _child_text(item, "modified")
            published = parse_date(raw_published)
            updated = parse_date(raw_updated)
            unreadable += (raw_published is not None and published is None) + (raw_updated is not None and updated is None)
            entries.append(Entry(url=url, lastmod=updated or published, published=published, published_day_alone=_day_alone(raw_published)))
            continue
        # Dublin Core's date stands in for pubDate in feeds some publishing systems write.
        raw_date = _child_text(item, "pubDate") or _child_text(item, "date")
        moment = parse_date(raw_date)
        unreadable += raw_date is not None and moment is None
        entries.append(Entry(url=url, lastmod=moment, published=moment, published_day_alone=_day_alone(raw_date)))
    if not entries:
        if parsed.cut:
            raise BrokenDocument(f"not well-formed XML: {parsed.cut}", CUT)
        raise BrokenDocument("the feed has no item with a link", EMPTY, lists_nothing=not unusable and not parsed.salvaged)
    entries, shared = _without_shared_date(entries)
    return Feed(
        entries=entries, unreadable_dates=unreadable, salvaged=parsed.salvaged, unusable_urls=unusable, cut=parsed.cut, shared_date=shared,
        next_page=_next_feed_page(root, base_url, atom),
    )


# The name's end, before any query (a CDN's or the CMS's cache buster, "?v=1709123456"); the month
# in any case ("2024-February-1.xml").
_MONTHLY = re.compile(r"/(\d{4})-([a-z]+)-\d+\.xml(?:\.gz)?(?:$|[?#])", re.IGNORECASE)
_MONTHS = {datetime(2000, m, 1).strftime("%B").lower(): m for m in range(1, 13)}


def monthly_sitemap_month(url: str) -> tuple[int, int] | None:
    """``/sitemap/2024-february-1.xml`` (or ``.xml.gz``) → (2024, 2); None for other sitemaps."""
    match = _MONTHLY.search(url)
    month = _MONTHS.get(match.group(2).lower()) if match else None
    return (int(match.group(1)), month) if match and month else None


@dataclass(frozen=True)
class Listing:
    """Article links of a listing page and the link to its next page."""

    article_urls: list[str]
    next_page: str | None
    # The page says nothing of what follows it (said by the caller, who knows the download): it arrived
    # cut short, its links those before the cut, or it is a server's error page sent with 200.
    cut: bool = False


def parse_listing(html: str, url: str) -> Listing:
    """Article links on a listing page (``/latest-news``, ``/<section>/page-N``, ``/topic/…``)."""
    # As HTML whatever it begins with: parsel takes a page opening "<?xml …?>" (XHTML's declaration) for
    # XML, where its links sit in the XHTML namespace and //a found none ("links to no article").
    selector = Selector(text=html or "<html></html>", type="html")
    # Relative links are relative to the page's <base href> when it has one, as a browser reads them.
    declared = (selector.xpath("//head/base/@href").get() or "").strip()
    base = (_link(declared, url) or url) if declared else url
    found: dict[str, None] = {}
    for anchor in selector.xpath("//a[@href]"):
        link = _link(anchor.attrib["href"], base)
        # (Not a gallery or web story with an article's id: never emitted, so never seen, it would
        # keep a section's walk from stopping at a page of stories seen before.)
        if link and is_story_url(link):
            found.setdefault(link.split("#")[0], None)
        elif link and is_short_link(link) and urlsplit(link).path.strip("/") and _is_card_link(anchor.root, base):
            # A card whose only link to its story is the site's short link lists it so: followed as a
            # feed's is. Told by the card, not the page: a page-wide rule dropped such a card beside
            # cards of stories' own links, and took a share button or a footer link for a story on a
            # page that lists none (a section's end read as a page, and the walk went on to `pages`).
            found.setdefault(link.split("#")[0], None)
    return Listing(article_urls=list(found), next_page=_next_page(selector, base))


_HEADINGS = "h1 h2 h3 h4 h5 h6".split()
_HEADING_XPATH = "descendant-or-self::*[" + " or ".join(f"self::{name}" for name in _HEADINGS) + "]"
_PICTURE_XPATH = "descendant-or-self::*[self::img or self::picture[not(.//img)]]"
# A page's furniture around its cards: a link there is the site's, no card's.
_FURNITURE = frozenset({"footer", "nav", "header", "aside"})
# Words of a share button's or share bar's name ("shareicons", "MainStory_share__x1", "social-links").
_SHARE_NAME = re.compile(r"(?<![a-z])(?:share|sharing|social)", re.IGNORECASE)
_SHARE_WORDS = re.compile(
    r"\W*(?:share(?: (?:this|the))?(?: (?:story|article|news|link|page))?(?: (?:on|via) \w+)?|copy (?:the )?link)\W*", re.IGNORECASE
)
# Hosts a share bar's other buttons link to.
_SOCIAL_HOST = re.compile(
    r"(?:^|\.)(?:twitter\.com|x\.com|facebook\.com|whatsapp\.com|wa\.me|linkedin\.com|t\.me|telegram\.me|reddit\.com|pinterest\.com)$"
)
# How many elements up a card is looked for from its link.
_CARD_LEVELS = 6


def _links_in(element: etree._Element, base: str) -> list[str]:
    """The links of the ``<a>`` elements in ``element``, made absolute (see :func:`_link`)."""
    found = element.xpath(".//a/@href")
    return [link for link in (_link(str(href), base) for href in (found if isinstance(found, list) else [])) if link]


def _count(element: etree._Element, path: str) -> int:
    found = element.xpath(f"count({path})")
    return int(found) if isinstance(found, float) else 0


def _is_card_link(anchor: etree._Element, base: str) -> bool:
    """Whether a short link's ``<a>`` is a card's link to its story: the card's headline or image,
    the only link of the card to a story (a card that links its story by its own address too shows the
    short link as its share button), and no share button (named so, or among links to social sites)
    nor a link of the page's header, footer or navigation."""
    ancestors = list(anchor.iterancestors())
    in_heading = any(ancestor.tag in _HEADINGS for ancestor in ancestors)
    if not in_heading and not _count(anchor, _HEADING_XPATH + " | " + _PICTURE_XPATH):
        return False  # a link in words alone: a footer's "Download the app", a promo
    # (All it says: a headline may well say "share", "Share market: Tata Steel share price jumps".)
    said = (anchor.get("aria-label") or "", anchor.get("title") or "", "".join(str(text) for text in anchor.itertext()))
    if any(_SHARE_WORDS.fullmatch(" ".join(words.split())) for words in said):
        return False
    # (A card's own <header> or <footer>, inside its <article>, is no page's.)
    if any(ancestor.tag in _FURNITURE and not any(outer.tag == "article" for outer in ancestor.iterancestors()) for ancestor in ancestors):
        return False
    for level, element in enumerate([anchor, *ancestors[:3]]):
        if _SHARE_NAME.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            return False
        if level and not in_heading and not _count(element, _HEADING_XPATH) and any(
            _SOCIAL_HOST.search(urlsplit(link).hostname or "") for link in _links_in(element, base)
        ):
            return False  # a button of a share bar
    own = short_link_key(_link(anchor.get("href"), base) or "")
    for element in ancestors[:_CARD_LEVELS]:
        if element.tag == "body":
            break
        links = _links_in(element, base)
        headings = _count(element, _HEADING_XPATH)
        if headings > 1 or (not headings and _count(element, _PICTURE_XPATH) > 1) or any(
            is_short_link(link) and short_link_key(link) != own for link in links
        ):
            return True  # past the card, among other cards: it linked no story by its own address
        if any(is_story_url(link) for link in links):
            return False
    return True


# What a pager's link says, arrows and all ("Next", "Next page", "Next »", "Go to next page", "Next stories").
_NEXT_TEXT = re.compile(r"[\W_]*(?:go to )?(?:the )?next(?: (?:page|stories|articles|news))?[\W_]*", re.IGNORECASE)


def _says_next(link: Selector) -> bool:
    """Whether a link's words (its ``aria-label`` or ``title`` when it has one, as an arrow-only
    pager link does, else its text) are only "Next" and the like."""
    for words in (*link.xpath("@aria-label | @title").getall(), link.xpath("string()").get() or ""):
        # str.split, not normalize-space(): "Next&nbsp;page" holds a no-break space.
        if _NEXT_TEXT.fullmatch(" ".join(words.split())):
            return True
    return False


def _next_page(selector: Selector, url: str) -> str | None:
    """The listing's next page: a ``rel="next"`` link (``rel`` holds a list of words; a pager's ``<a>``
    or the head's ``<link>``), else a link that says only "Next"; never an article, whose
    headline may well begin "What next for …" above the pager."""
    rel_next = selector.xpath(
        '//*[self::a or self::link][contains(concat(" ", translate(normalize-space(@rel), "NEXT", "next"), " "), " next ")]/@href'
    ).getall()
    says_next_somewhere = 'contains(translate(concat(., " ", @aria-label, " ", @title), "NEXT", "next"), "next")'
    worded = (a.xpath("@href").get() for a in selector.xpath(f"//a[@href][{says_next_somewhere}]") if _says_next(a))
    for href in (*rel_next, *worded):
        link = _link(href, url)
        if link and url_kind(link) != ARTICLE and hindi_story_id(link) is None and non_article_kind(link) is None:
            return link
    return None
