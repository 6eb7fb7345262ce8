"""The feed exporters of articles: JSON lines with a fast path, and CSV, XML, marshal and pickle that
write the nested fields (authors, picture, Also Read, ticker) as values rather than as Python's
spelling of them or its objects.

Scrapy's ``JsonLinesItemExporter`` turns an item into a dict through itemadapter, then lets
``ScrapyJSONEncoder.default`` adapt every nested dataclass (authors, image, Also Read, ticker)
one by one; for an article that is most of the cost of writing its line. This exporter writes the
same bytes (same keys in the same order, same JSON options) as ``json.dumps`` of
``dataclasses.asdict(article)``, and leaves anything else (other items,
``fields_to_export``, custom encoder options) to Scrapy.

JSON and XML keep their opening (``[``, the XML declaration and root element) when the first item
is taken back off a local file (crawler/incremental/delivery.py): the closing written after it then
still makes a whole document.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import sys
from dataclasses import fields, is_dataclass
from typing import Any
from xml.sax.saxutils import XMLGenerator

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, MarshalItemExporter, PickleItemExporter, XmlItemExporter

from crawler.extraction import Article
from crawler.incremental.recovery import csv_header

logger = logging.getLogger(__name__)

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def dataclass_fields(value: Any) -> dict[str, Any]:
    """``default`` of a JSON encoder: a dataclass as a dict of its fields in declaration order, one
    level deep (the encoder goes on into the values, calling this again for nested dataclasses).

    ``json.dumps(value, default=dataclass_fields)`` is ``json.dumps(asdict(value))`` without first
    building the whole tree of dicts and lists: the encoder walks the strings and lists itself. With
    ``check_circular=False`` (no bookkeeping per dict and list), an item that holds itself raises
    ``RecursionError``.
    """
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: getattr(value, name) for name in names}


def escaping_what_it_cannot_write(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A JSON exporter's options, with ``ensure_ascii`` where its encoding cannot write every
    character (``FEED_EXPORT_ENCODING=latin-1``, ``ascii``, ``cp1252``): Scrapy then writes the
    characters as they are (``ensure_ascii`` only without an encoding), and the first article with
    a "’", a "₹" or a Hindi word failed to encode, stopping the run (exit 6). Escaped (``\\u20b9``),
    each is the same character to every JSON reader, in a file any ASCII-based encoding reads.
    (``ensure_ascii`` given in the feed's options is kept.)"""
    encoding = kwargs.get("encoding")
    if encoding and "ensure_ascii" not in kwargs and not writes_all_of_unicode(str(encoding)):
        return {**kwargs, "ensure_ascii": True}
    return kwargs


def writes_all_of_unicode(encoding: str) -> bool:
    """Whether text in ``encoding`` can hold every character (the UTF encodings, GB 18030)."""
    # The last code point stands for all: the UTF encodings (and GB 18030) write it, no 8-bit one does.
    try:
        "\U0010ffff".encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


# The encodings whose encoder starts every text with a byte order mark, and the same without it.
_WITHOUT_BOM = {"utf-8-sig": "utf-8", "utf-16": f"utf-16-{sys.byteorder[0]}e", "utf-32": f"utf-32-{sys.byteorder[0]}e"}


def without_bom(encoding: str | None) -> tuple[str | None, bytes]:
    """The encoding to write each item in, and the byte order mark that begins the file.

    Scrapy's JSON exporters encode each item on its own: in an encoding that writes a BOM
    (``utf-8-sig``, ``utf-16``, ``utf-32``) one stood before every item, and every line of a JSON lines
    file after the first was one no reader takes, a JSON array no JSON at all."""
    try:
        plain = _WITHOUT_BOM.get(codecs.lookup(encoding).name) if encoding else None
    except LookupError:
        plain = None
    if plain is None:
        return encoding, b""
    return plain, "".encode(str(encoding))


def continues_earlier(file: Any) -> bool:
    """Whether ``file`` (or the one a postprocessing such as gzip writes to) is appended to after earlier runs' items."""
    target = file if hasattr(file, "continues_earlier") else getattr(file, "file", None)
    return bool(getattr(target, "continues_earlier", False))


class ByteOrderMark:
    """The byte order mark of an exporter's encoding, written once, first in a file this run begins
    (not when ``-o`` appends to earlier runs' items); the items are encoded without it."""

    encoding: str | None
    bom: bytes
    bom_file: Any

    def start_with_bom(self, file: Any) -> None:
        self.encoding, self.bom = without_bom(self.encoding)
        self.bom_file = file

    def write_bom(self) -> None:
        if self.bom and not continues_earlier(self.bom_file):
            self.bom_file.write(self.bom)


class ArticleJsonLinesItemExporter(ByteOrderMark, JsonLinesItemExporter):
    """``jsonlines`` as Scrapy writes it, faster for articles; in an encoding with a byte order mark,
    one at the start of the file, not one before every line."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **escaping_what_it_cannot_write(kwargs))
        self.start_with_bom(file)
        # The fast path only where its output is Scrapy's byte for byte: every field, in
        # declaration order, and the encoder options Scrapy would use (only ensure_ascii).
        self._fast = self.fields_to_export is None and set(self._kwargs) == {"ensure_ascii"}
        self._encode = json.JSONEncoder(
            ensure_ascii=bool(self._kwargs.get("ensure_ascii")), check_circular=False, default=dataclass_fields
        ).encode
        self._charset = self.encoding or "utf-8"

    def start_exporting(self) -> None:
        super().start_exporting()
        self.write_bom()

    def export_item(self, item: Any) -> None:
        if self._fast and type(item) is Article:
            self.file.write((self._encode(item) + "\n").encode(self._charset))
            return
        super().export_item(item)


def _plain(value: Any, null: Any = None) -> Any:
    """Nested dataclasses as dicts of their fields, through lists; None as ``null``."""
    if value is None:
        return null
    if isinstance(value, (list, tuple)):
        return [_plain(v, null) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(v, null) for name, v in dataclass_fields(value).items()}
    return value


class ArticleCsvItemExporter(ByteOrderMark, CsvItemExporter):
    """Scrapy's CSV, with a field that has structure (a picture, links, the ticker) in its cell as
    JSON, as the JSON lines file has it: Scrapy joins lists of strings only, and writes anything else
    as Python's ``repr`` (``[Link(name='PTI', url=None)]``), which no CSV reader can take apart.
    Lists of strings (``topics``) too: joined by ``join_multivalued``, a name with a comma in it
    could not be told from two.

    A file appended to after earlier runs (``-o all.csv`` from cron) gets no second header line,
    which every CSV reader would take for a row: the rows go under the header already there, in its
    columns (an earlier version's, or other ``fields``: a field it lacks is left out, with a WARNING,
    and one it has that the items lack is blank), so that no value lands under another's name.

    In an encoding with a byte order mark, one at the start of a file this run begins, none where it
    appends: Scrapy's text stream wrote a ``utf-8-sig`` mark at every run's first row (its first cell,
    ``\\ufeffhttp://…`` to every reader) and, on a file it cannot seek, none at all in ``utf-16`` or
    ``utf-32`` (a file their decoders refuse, and Excel reads as bytes).

    A cell is the field's text as it is, a headline beginning with ``=``, ``+``, ``-`` or ``@`` too;
    ``item_export_kwargs`` ``{"escape_formulas": true}`` puts a ``'`` before such a text, for a file
    opened in a spreadsheet, which would take it for a formula (and run ``=HYPERLINK(…)``).
    """

    def __init__(self, file: Any, **kwargs: Any) -> None:
        self.escape_formulas = bool(kwargs.pop("escape_formulas", False))
        encoding, bom = without_bom(kwargs.get("encoding"))
        super().__init__(file, **({**kwargs, "encoding": encoding} if bom else kwargs))
        self.bom, self.bom_file = bom, file
        # The file itself, or the one a postprocessing (gzip) writes to: whole members in a row
        # read as one stream.
        target = file if hasattr(file, "continues_earlier") else getattr(file, "file", None)
        if target is not None and getattr(target, "continues_earlier", False) and self.include_headers_line:
            # (A feed that writes no header line, include_headers_line false, has none to read: its
            # first line is a row.)
            self.include_headers_line = False
            path = str(target.path)
            dialect = self.csv_writer.dialect
            header = csv_header(path, dialect=(str(dialect.delimiter), str(dialect.quotechar or '"')), encoding=kwargs.get("encoding"))
            if header:
                self.columns_of_file(header, path)

    def start_exporting(self) -> None:
        super().start_exporting()
        self.write_bom()

    def columns_of_file(self, header: list[str], path: str) -> None:
        """Write the rows in the columns of the file's ``header``."""
        # Item field → column name: the feed's `fields` may rename columns (a dict), else each is its own.
        given = self.fields_to_export or [f.name for f in fields(Article)]
        columns = dict(given) if isinstance(given, dict) else {name: name for name in given}
        left_out = [column for column in columns.values() if column not in header]
        if left_out:
            logger.warning(
                "%s has the columns of an earlier run (%s); this run's rows go in them, without %s: "
                "write to a new file to have every field", path, ",".join(header), ", ".join(left_out),
            )
        field_of = {column: field for field, column in columns.items()}
        self.fields_to_export = {field_of.get(column, column): column for column in header}

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and value:
            # A list of names too: joined by commas (Scrapy's join_multivalued), a topic holding one,
            # "Tata Sons, Cyrus Mistry", came back to a reader as two. (An empty list stays an empty cell.)
            return json.dumps(value, ensure_ascii=False, default=dataclass_fields)
        value = super().serialize_field(field, name, value)
        if isinstance(value, (list, tuple, dict)) or (is_dataclass(value) and not isinstance(value, type)):
            return json.dumps(value, ensure_ascii=False, default=dataclass_fields)
        if self.escape_formulas and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value


# What makes a spreadsheet read a cell as a formula (OWASP's list: tab and carriage return too).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def keep_opening(file: Any) -> None:
    """What a document's exporter wrote before its first item is no item's. An item another feed
    failed on is taken back off a local file (crawler/incremental/delivery.py) down to the last
    commit: were the opening not committed, it would go with the first item, and the closing would
    be left alone in the file (``]``, ``</items>``). Other files (gzip, remote) take nothing back."""
    keep = getattr(file, "keep_opening", None)
    if keep is not None:
        keep()


class ArticleJsonItemExporter(ByteOrderMark, JsonItemExporter):
    """Scrapy's JSON, whose opening stays when its first item is taken back, and whose characters its
    encoding cannot write are escaped (:func:`escaping_what_it_cannot_write`); in an encoding with a
    byte order mark, one at the start, and the brackets, commas and line breaks between the items in
    that encoding too (Scrapy writes them as single bytes: in UTF-16 bytes of no character)."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **escaping_what_it_cannot_write(kwargs))
        self.start_with_bom(file)
        if self.bom:
            self.file = _Punctuation(file, str(self.encoding))  # type: ignore[assignment]

    def start_exporting(self) -> None:
        self.write_bom()
        super().start_exporting()
        keep_opening(self.bom_file)


class _Punctuation:
    """A JSON document's file whose ``[``, ``,``, ``]`` and line breaks, written by Scrapy as ASCII bytes,
    are put in the document's encoding; items come encoded already."""

    _BETWEEN = frozenset({b"[", b",", b"]", b"\n"})

    def __init__(self, file: Any, encoding: str) -> None:
        self.target = file
        self.encoding = encoding

    def write(self, data: bytes) -> Any:
        if bytes(data) in self._BETWEEN:
            data = bytes(data).decode("ascii").encode(self.encoding)
        return self.target.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


# The name an XML declaration gives a document written with a byte order mark: "utf-8-sig" is none,
# and Python's own parser stops at the first character past ASCII.
_XML_NAME = {"utf-8-sig": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32"}


class ArticleXmlItemExporter(ByteOrderMark, XmlItemExporter):
    """Scrapy's XML, with nested dataclasses as elements (as Scrapy writes nested dicts) rather than
    their ``repr`` as text, and a null as an empty element rather than the text ``None``; its opening
    stays when its first item is taken back. In an encoding with a byte order mark, the document
    begins with it (XML requires one in UTF-16: Scrapy's text stream left it out of a file it
    cannot seek) and declares the encoding by its XML name."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        # The file itself: Scrapy 2.13 hands it to XMLGenerator, later versions to a text stream
        # (`self.stream`) in front of it; both write through.
        self.output = file
        plain, self.bom = without_bom(self.encoding)
        self.bom_file = file
        if self.bom:
            # The generator's own text stream, in the encoding without the mark (written once, below).
            # Scrapy's stream, never written to, is still detached at the end on later versions.
            self.xg = XMLGenerator(file, encoding=str(plain))
            self.xg._encoding = _XML_NAME[codecs.lookup(str(self.encoding)).name]  # type: ignore[attr-defined]

    def start_exporting(self) -> None:
        self.write_bom()
        super().start_exporting()
        keep_opening(self.output)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return _xml_text(_plain(super().serialize_field(field, name, value), null=""))


# What XML 1.0 holds (its `Char`): not the C0 controls but tab and line breaks, nor U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: Any) -> Any:
    """Strings without the characters XML cannot hold, through dicts and lists. A page's noncharacter
    (U+FFFF, raw or as ``&#xffff;``, which extraction keeps as the JSON feeds do) written as it is
    made the whole file one no XML parser reads: no reader sees such a character anyway."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value
    if isinstance(value, list):
        return [_xml_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _xml_text(v) for k, v in value.items()}
    return value


class ArticleMarshalItemExporter(MarshalItemExporter):
    """Scrapy's marshal with the nested dataclasses as dicts: marshal refuses them (every item failed)."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return _plain(super().serialize_field(field, name, value))


class ArticlePickleItemExporter(PickleItemExporter):
    """Scrapy's pickle with the nested dataclasses as dicts, so that a reader needs none of the crawler's classes."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return _plain(super().serialize_field(field, name, value))
