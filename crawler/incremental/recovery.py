"""Settling a killed run: what its feed files hold is marked seen, the rest is forgotten (and fetched again).

Only regular files are read (never a device or a FIFO), line by line or in bounded chunks; a cut last
line of a JSON lines file is cut off, so the next run never glues its first line onto it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import logging
import os
import pickle
import pickletools
import shutil
import stat as stat_module
import struct
import tempfile
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, cast

from crawler.incremental.store import CSV_DIALECT, ITEM_KEYS, FeedRecord, PendingArticle, SeenStore

logger = logging.getLogger(__name__)

# Recovery reads at most this much of one feed file (decompressed), and lines of at most this length.
MAX_FEED_BYTES = 4 * 1024**3
MAX_LINE_BYTES = 64 * 1024**2
LINE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})
# The format of a stdout feed's receipt (crawler/incremental/feedstorage.py): JSON lines of the article
# id and version of each item the pipe accepted, the one record of what a run wrote to stdout.
RECEIPT_FORMAT = "receipt"


# Encodings recovery reads a text feed's bytes in: UTF-8 (with a BOM too) and ASCII, a part of it.
_READ_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "ascii"})


def reads_encoding(fmt: str, encoding: str | None) -> bool:
    """Whether recovery can read the items of a feed of format ``fmt`` written in ``encoding``
    (``FEED_EXPORT_ENCODING``; an XML file names its own, marshal and pickle have none). In another
    (UTF-16), its lines and rows cannot be told apart byte by byte, nor their ids read: the feed
    keeps a receipt, and its file is not cut."""
    if not encoding or fmt in ("xml", "marshal", "pickle"):
        return True
    try:
        return codecs.lookup(encoding).name in _READ_ENCODINGS
    except LookupError:
        return False


def _open_regular(path: str) -> IO[bytes] | None:
    """The file opened for reading, or None when it is missing or not a regular file (a FIFO would block)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat_module.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        logger.warning("Recovery: %s is not a regular file; not read", path)
        return None
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


class _Gunzip(io.RawIOBase):
    """The readable prefix of a gzip stream that may be cut (a killed run's file), bounded."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.buffer = b""
        self.total = 0
        self.done = False
        # Once read to the end: whether the stream stops inside a member (a kill), not at its end
        # (nor at corrupt data, nor at MAX_FEED_BYTES).
        self.cut = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.buffer and not self.done:
            chunk = self.raw.read(1 << 16)
            if not chunk:
                self.done = True
                self.cut = not self.inflater.eof
                break
            try:
                self.buffer = self.inflater.decompress(chunk)
                if self.inflater.eof:  # a second gzip member (an appended run)
                    rest = self.inflater.unused_data
                    if rest:
                        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        self.buffer += self.inflater.decompress(rest)
            except zlib.error:
                self.done = True
            self.total += len(self.buffer)
            if self.total > MAX_FEED_BYTES:
                self.done = True
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def _lines(stream: IO[bytes], whole_last: Callable[[bytes], bool] | None = None) -> Iterator[bytes]:
    """Complete lines (a cut last one is not, unless ``whole_last`` says it is whole), each at most
    MAX_LINE_BYTES, at most MAX_FEED_BYTES in all."""
    total = 0
    while total < MAX_FEED_BYTES:
        line = stream.readline(MAX_LINE_BYTES)
        if not line.endswith(b"\n"):
            if line and whole_last is not None and len(line) < MAX_LINE_BYTES and whole_last(line):
                yield line
            return
        total += len(line)
        yield line


def _whole_json(line: bytes) -> bool:
    """Whether a last line with no line break is a whole JSON value: another program's record (``printf
    '%s' "$json" >> all.jsonl``), or an item whose line break alone a kill or power cut left out; never
    a line a kill cut short (an object's closing brace is its last character)."""
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def _csv_rows(stream: IO[bytes], quote: bytes = b'"') -> Iterator[bytes]:
    """Whole CSV rows (a cut last one is not), each at most MAX_LINE_BYTES, at most MAX_FEED_BYTES in all. A quoted cell may hold
    line breaks (an article's body does): a row ends at a line break where the count of quote
    characters so far is even (a quote inside a cell is written twice)."""
    row: list[bytes] = []
    quotes = size = 0
    for line in _lines(stream):
        row.append(line)
        size += len(line)
        quotes += line.count(quote)
        if quotes % 2 == 0:
            yield b"".join(row)
            row, quotes, size = [], 0, 0
        elif size > MAX_LINE_BYTES:
            # A quote never closed (garbage, another dialect) would gather the rest of the file, up
            # to MAX_FEED_BYTES, in memory: a row is bounded as a line is.
            return


def _from_mapping(item: Any, found: dict[str, int | None], keys: tuple[str, str | None] = ITEM_KEYS) -> None:
    """Note the article ``item`` holds; ``keys``: the names the feed writes ``articleId`` and ``version``
    under (its ``fields`` may rename them, or leave the version out: None)."""
    id_key, version_key = keys
    if isinstance(item, dict) and isinstance(item.get(id_key), str):
        article_id = item[id_key]
        version = item.get(version_key) if version_key is not None else None
        if version is None or version == "":
            # A feed that does not export the version (its `fields` leave it out): the run wrote
            # one version of each article, so the id alone says the article is there.
            found[article_id] = None
            return
        try:
            found[article_id] = int(version)
        except (TypeError, ValueError):
            pass


def holds(found: dict[str, int | None], entry: PendingArticle) -> bool:
    """Whether a feed's items (``ids_in_feed``) hold the pending article, at its version where the feed tells."""
    if entry.article_id not in found:
        return False
    version = found[entry.article_id]
    return version is None or version == entry.version


def _read_json_lines(stream: IO[bytes], found: dict[str, int | None], keys: tuple[str, str | None] = ITEM_KEYS) -> None:
    for line in _lines(stream, _whole_json):
        try:
            _from_mapping(json.loads(line), found, keys)
        except (ValueError, RecursionError):  # (nesting deeper than Python's stack: no item of a feed)
            continue


# What stands between the items of a JSON feed: the array's brackets, commas, the line breaks
# and indentation of FEED_EXPORT_INDENT, and with FEED_EXPORT_ENCODING=utf-8-sig a BOM (Scrapy
# encodes each item on its own, so one stands before every item).
_ARRAY_GAP = frozenset(" \t\r\n,[]\ufeff")


def _read_json_array(stream: IO[bytes], found: dict[str, int | None], keys: tuple[str, str | None] = ITEM_KEYS) -> None:
    """Every whole item of a JSON feed, read one value at a time (an item spans lines when
    FEED_EXPORT_INDENT > 0).

    Scrapy's JSON exporter writes the comma and line break before an item, not after it: a killed
    run's last item is whole with nothing after it, and is read (a cut one never decodes)."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer, at, total, ended = "", 0, 0, False
    while True:
        while at < len(buffer) and buffer[at] in _ARRAY_GAP:
            at += 1
        if at < len(buffer):
            try:
                item, at = decoder.raw_decode(buffer, at)
            except (ValueError, RecursionError):
                pass  # cut by the end of what is read so far (or not JSON: then by the file's end)
            else:
                _from_mapping(item, found, keys)
                continue
        if ended or len(buffer) - at > MAX_LINE_BYTES:
            return
        # Reads grow with what is waiting, so one large item is decoded again only a few times.
        chunk = stream.read(max(1 << 16, len(buffer) - at))
        total += len(chunk)
        ended = not chunk or total >= MAX_FEED_BYTES
        buffer, at = buffer[at:] + text.decode(chunk, final=ended), 0


def _csv_header(record: FeedRecord) -> list[str] | None:
    """The header line at the start of a CSV file, for the rows a run appended under it (the run
    wrote no header of its own), or the columns of a feed that writes none; None when it cannot be read."""
    if record.csv_columns:
        return list(record.csv_columns)
    return csv_header(record.path, gzipped=record.compression == "gzip", dialect=record.csv, encoding=record.encoding or None)


def csv_header(
    path: str, *, gzipped: bool | None = None, dialect: tuple[str, str] = CSV_DIALECT, encoding: str | None = None
) -> list[str] | None:
    """The header line at the start of a CSV file (gzipped or not; None: told by its first bytes),
    its cells parted by the feed's delimiter and quote character (``dialect``), read in the feed's
    ``encoding`` (None: UTF-8); None when it cannot be read."""
    try:
        # A file written with FEED_EXPORT_ENCODING=utf-8-sig starts with a BOM, not part of the first name;
        # `utf-16` and `utf-32` take theirs, which tells the byte order, at the start.
        name = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        return None
    raw = _open_regular(path)
    if raw is None:
        return None
    with raw:
        if gzipped is None:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
        stream: IO[bytes] = io.BufferedReader(_Gunzip(raw), 1 << 16) if gzipped else raw
        # As text in the file's encoding: in UTF-16 or UTF-32 a line's bytes end in no b"\n" of their own,
        # and read as UTF-8 the header was none (every row then written in this run's columns under it).
        text = io.TextIOWrapper(stream, encoding="utf-8-sig" if name == "utf-8" else name, errors="replace", newline="")
        try:
            line = text.readline(MAX_LINE_BYTES)
        finally:
            text.detach()
    try:
        return next(csv.reader([line.removeprefix("\ufeff")], delimiter=dialect[0], quotechar=dialect[1]))
    except (csv.Error, StopIteration):
        return None


def _read_csv(
    stream: IO[bytes],
    found: dict[str, int | None],
    header: list[str] | None = None,
    keys: tuple[str, str | None] = ITEM_KEYS,
    dialect: tuple[str, str] = CSV_DIALECT,
) -> None:
    # utf-8-sig: a BOM at the start of the file (FEED_EXPORT_ENCODING=utf-8-sig) is no part of the header.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    last = [""]

    def lines() -> Iterator[str]:
        for line in text:
            last[0] = line
            yield line

    try:
        # A row of the header itself (a part written with one) has no number for a version: skipped.
        for row in csv.DictReader(lines(), fieldnames=header, delimiter=dialect[0], quotechar=dialect[1]):
            # Only whole rows: every column there, and ended by its line break (a killed run's
            # last row may stop anywhere, even after a whole articleId).
            if row.get(keys[0]) and None not in row and None not in row.values() and last[0].endswith("\n"):
                _from_mapping(row, found, keys)
    except csv.Error:
        pass


class _PlainUnpickler(pickle.Unpickler):
    """Dicts, lists, strings and numbers only (what the project's pickle feed holds): a pickle that
    names a class or function, which loading would import and call, is not read."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a feed's pickle names {module}.{name}; not loaded")


class _ObjectBytes:
    """The bytes of one object of a marshal or pickle feed as its reader takes them, at most
    MAX_LINE_BYTES: a length in a cut or garbled file is never allocated before it is read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.taken: list[bytes] = []
        self.left = MAX_LINE_BYTES

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.left:
            raise ValueError("an object larger than recovery reads")
        data = self.stream.read(size)
        self.left -= len(data)
        self.taken.append(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        self.taken.append(data)
        return data


# The opcodes of plain values (every one a pickle of dicts, lists, strings and numbers is made of);
# the rest name, build or call something (GLOBAL, REDUCE, BUILD, NEWOBJ, EXT*, PERSID...).
_PLAIN_OPCODES = frozenset(
    "PROTO FRAME STOP MARK POP POP_MARK DUP NONE NEWTRUE NEWFALSE INT BININT BININT1 BININT2 LONG LONG1 LONG4 "
    "FLOAT BINFLOAT STRING BINSTRING SHORT_BINSTRING UNICODE SHORT_BINUNICODE BINUNICODE BINUNICODE8 "
    "BINBYTES SHORT_BINBYTES BINBYTES8 EMPTY_LIST APPEND APPENDS LIST EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 "
    "TUPLE3 EMPTY_DICT DICT SETITEM SETITEMS GET BINGET LONG_BINGET PUT BINPUT LONG_BINPUT MEMOIZE".split()
)


def _load_pickle(stream: IO[bytes]) -> Any:
    """The next object of a pickle feed, plain values only. Its opcodes are looked at before it is
    loaded: _pickle takes a memo index (4 bytes) as the size of a table it fills (a 9-byte file
    took 32 GB), and a length as one to allocate."""
    part = _ObjectBytes(stream)
    ops = 0
    for opcode, argument, _ in pickletools.genops(cast(IO[bytes], part)):
        if opcode.name not in _PLAIN_OPCODES:
            raise pickle.UnpicklingError(f"a feed's pickle holds {opcode.name}; not loaded")
        if opcode.name in ("PUT", "BINPUT", "LONG_BINPUT") and not (isinstance(argument, int) and 0 <= argument <= ops):
            raise pickle.UnpicklingError("a memo index no pickler writes")
        ops += 1
    return _PlainUnpickler(io.BytesIO(b"".join(part.taken))).load()


def _load_marshal(stream: IO[bytes]) -> Any:
    """The next object of a marshal feed, plain values only (None, booleans, numbers, strings,
    lists, tuples, dicts), read here: ``marshal.load`` builds a tuple of the size a garbled file
    says before reading a byte of it (a 22-byte file took 15 GB)."""
    part = _ObjectBytes(stream)
    refs: list[Any] = []

    def take(size: int) -> bytes:
        data = part.read(size)
        if len(data) < size:
            raise EOFError
        return data

    def number(size: int = 4) -> int:
        return int.from_bytes(take(size), "little", signed=size == 4)

    def value(depth: int) -> Any:
        if depth > 100:
            raise ValueError("nested deeper than any item")
        code = take(1)[0]
        flag, kind = code & 0x80, chr(code & 0x7F)
        slot = len(refs)
        if flag:
            refs.append(None)
        result: Any
        if kind == "N":
            result = None
        elif kind in "FT":
            result = kind == "T"
        elif kind == "i":
            result = number()
        elif kind == "l":
            digits = number()
            if abs(digits) > part.left // 2:
                raise EOFError
            magnitude = sum(number(2) << (15 * i) for i in range(abs(digits)))
            result = -magnitude if digits < 0 else magnitude
        elif kind == "g":
            result = struct.unpack("<d", take(8))[0]
        elif kind in "zZ":
            result = take(number(1)).decode("ascii")
        elif kind in "aAut":
            result = take(number()).decode("utf-8", errors="surrogatepass")
        elif kind == "s":
            result = take(number())
        elif kind in "[()":
            size = number(1) if kind == ")" else number()
            if not 0 <= size <= part.left:
                raise EOFError
            items: list[Any] = []
            if flag:
                refs[slot] = items
            items.extend(value(depth + 1) for _ in range(size))
            result = items if kind == "[" else tuple(items)
        elif kind == "{":
            result = {}
            if flag:
                refs[slot] = result
            while (key := value(depth + 1)) is not _END:
                result[key] = value(depth + 1)
        elif kind == "0" and depth > 0:
            return _END
        elif kind == "r":
            index = number()
            if not 0 <= index < len(refs) or refs[index] is None:
                raise ValueError("a reference to nothing")
            return refs[index]
        else:
            raise ValueError(f"marshal type {kind!r} is no plain value")
        if flag:
            refs[slot] = result
        return result

    return value(0)


_END = object()  # a marshal dict's end


_OBJECT_LOADERS: dict[str, Callable[[IO[bytes]], Any]] = {"marshal": _load_marshal, "pickle": _load_pickle}


def _object_chunks(stream: IO[bytes], load: Callable[[IO[bytes]], Any]) -> Iterator[bytes]:
    """A marshal or pickle stream without the object cut by its end: a reader would take what the next
    run appends for that object's rest. An object unreadable for another reason, and what follows
    it, is kept as it is."""
    while True:
        part = _ObjectBytes(stream)
        try:
            load(cast(IO[bytes], part))
        except Exception:  # noqa: BLE001 - whatever stops the reader; only the stream's end is cut
            rest = stream.read(1 << 16)
            if rest:
                yield b"".join(part.taken)
                yield rest
                yield from iter(lambda: stream.read(1 << 16), b"")
            return
        yield b"".join(part.taken)


def _read_objects(
    stream: IO[bytes], load: Callable[[IO[bytes]], Any], found: dict[str, int | None], keys: tuple[str, str | None] = ITEM_KEYS
) -> None:
    """The whole objects of a marshal or pickle feed, one after another, until the end or a cut one
    (read as a stream: one object at a time is in memory)."""
    while True:
        try:
            _from_mapping(load(stream), found, keys)
        except Exception:  # noqa: BLE001 - the end, the object the kill cut, or a file of anything at all
            return


def _read_xml(
    stream: IO[bytes], found: dict[str, int | None], keys: tuple[str, str | None] = ITEM_KEYS, item_element: str = "item"
) -> None:
    try:
        for _, element in ET.iterparse(stream, events=("end",)):
            if element.tag == item_element:
                _from_mapping({child.tag: child.text for child in element}, found, keys)
                element.clear()
    except ET.ParseError:
        pass  # a cut file: the complete items before the cut count


def ids_in_feed(feed: FeedRecord | str) -> dict[str, int | None]:
    """Article id → version of every complete item in a feed file of a built-in format
    (jsonlines/jsonl, json, csv, xml, marshal, pickle; plain or gzip), None for a feed without versions.
    Unknown formats read as nothing."""
    record = FeedRecord(feed) if isinstance(feed, str) else feed
    found: dict[str, int | None] = {}
    keys = record.keys
    if keys is None or not reads_encoding(record.format, record.encoding):
        return found  # a feed that leaves the id out, or in UTF-16: its receipt tells what it took
    raw = _open_regular(record.path)
    if raw is None:
        return found
    header = None
    with raw:
        if 0 < record.offset <= os.fstat(raw.fileno()).st_size:
            # The run appended to the file: its part is at the end, past what earlier runs wrote
            # (which can be more than MAX_FEED_BYTES), and starts with a whole item (or gzip member);
            # a CSV part under the header at the start of the file.
            raw.seek(record.offset)
            if record.format == "csv":
                header = _csv_header(record)
        if record.format == "csv" and record.csv_columns:
            header = list(record.csv_columns)  # (no header line to read the columns from)
        stream: IO[bytes] = raw
        if record.compression == "gzip":
            stream = io.BufferedReader(_Gunzip(raw), 1 << 16)
        elif record.compression:
            logger.warning("Recovery: %s is compressed with %s, which recovery cannot read", record.path, record.compression)
            return found
        fmt = record.format
        if fmt in LINE_FORMATS or fmt == RECEIPT_FORMAT:
            _read_json_lines(stream, found, keys)
        elif fmt == "json":
            _read_json_array(stream, found, keys)
        elif fmt == "csv":
            _read_csv(stream, found, header, keys, record.csv)
        elif fmt == "xml":
            _read_xml(stream, found, keys, record.xml_item)
        elif fmt == "marshal":
            _read_objects(stream, _load_marshal, found, keys)
        elif fmt == "pickle":
            _read_objects(stream, _load_pickle, found, keys)
        else:
            logger.warning("Recovery: cannot read feed format %r of %s", fmt, record.path)
    return found


def cut_partial_line(feed: FeedRecord) -> bool:
    """Cut a JSON lines file back to its last complete line, a CSV file to its last whole row, a marshal
    or pickle file to its last whole object; True if
    something was cut. (A run appending to the file would glue its first item onto the cut one: in
    CSV, a row cut inside quotes would swallow the rows after it.)"""
    if feed.format in _OBJECT_LOADERS and not feed.compression:
        return _cut_partial_object(feed)
    if (feed.format not in LINE_FORMATS and feed.format != "csv") or feed.compression or not reads_encoding(feed.format, feed.encoding):
        return False
    raw = _open_regular(feed.path)
    if raw is None:
        return False
    with raw:
        size = os.fstat(raw.fileno()).st_size
        if size == 0:
            return False
        if feed.format == "csv":
            # The run's rows start where its part of the file does (the file's start, under -O).
            floor = feed.offset if 0 < feed.offset <= size else 0
            starts, whole = _csv_row_starts(raw, floor, size, feed.csv[1].encode())
            if whole or not starts:
                return False
            keep = starts[-1]
            return _cut(feed, keep, size)
        raw.seek(size - 1)
        if raw.read(1) == b"\n":
            return False
        # Look back for the last newline, in chunks. (A whole JSON value after it is no cut line: it
        # stays, and a run appending to the file adds a line break after it first.)
        end = size
        while end > 0:
            start = max(0, end - (1 << 16))
            raw.seek(start)
            chunk = raw.read(end - start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            end = start
        else:
            keep = 0
        if feed.format in LINE_FORMATS and size - keep < MAX_LINE_BYTES:
            raw.seek(keep)
            if _whole_json(raw.read(size - keep)):
                return False
    return _cut(feed, keep, size)


def _cut_partial_object(feed: FeedRecord) -> bool:
    """Cut a marshal or pickle file back to its last whole object when the kill cut the one after it:
    ``-o`` appends the next run's objects, which a reader would take as the rest of the cut one (or
    stop at). An object that cannot be read for another reason than the file's end stays."""
    raw = _open_regular(feed.path)
    if raw is None:
        return False
    load = _OBJECT_LOADERS[feed.format]
    with raw:
        size = os.fstat(raw.fileno()).st_size
        keep = feed.offset if 0 < feed.offset <= size else 0
        raw.seek(keep)
        while keep < size:
            try:
                load(raw)
            except Exception:  # noqa: BLE001 - whatever stops the reader; only the file's end is cut
                break
            keep = raw.tell()
        if keep == size or raw.read(1):
            return False
    return _cut(feed, keep, size)


def _cut(feed: FeedRecord, keep: int, size: int) -> bool:
    try:
        os.truncate(feed.path, keep)
    except OSError as error:
        logger.warning("Recovery: could not cut the partial last line of %s: %s", feed.path, error)
        return False
    logger.warning("Recovery: cut a partial last line off %s (%d bytes)", feed.path, size - keep)
    return True


def _line_start(raw: IO[bytes], end: int, floor: int) -> int:
    """Where the line ending at ``end`` (its newline at ``end - 1``) starts, not before ``floor``."""
    stop = end - 1
    while stop > floor:
        start = max(floor, stop - (1 << 16))
        raw.seek(start)
        newline = raw.read(stop - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        stop = start
    return floor


def _item_in(
    record: bytes, header: list[str] | None, keys: tuple[str, str | None] = ITEM_KEYS, dialect: tuple[str, str] = CSV_DIALECT
) -> dict[str, int | None]:
    """The article one JSON line (``header`` None) or one whole CSV row holds, if any."""
    found: dict[str, int | None] = {}
    try:
        if header is None:
            _from_mapping(json.loads(record), found, keys)
        else:
            text = io.StringIO(record.decode("utf-8", errors="replace"), newline="")
            row = next(csv.reader(text, delimiter=dialect[0], quotechar=dialect[1]))
            if len(row) == len(header):
                _from_mapping(dict(zip(header, row)), found, keys)
    except (ValueError, RecursionError, csv.Error, StopIteration):
        pass
    return found


def _trailing_json_lines(
    raw: IO[bytes], floor: int, end: int, keys: tuple[str, str | None] = ITEM_KEYS
) -> Iterator[tuple[int, dict[str, int | None]]]:
    """From the last line of ``[floor, end)`` back: each whole line's start and the article it holds
    (none: the caller stops there)."""
    while end > floor:
        start = _line_start(raw, end, floor)
        raw.seek(start)
        yield start, _item_in(raw.read(end - start), None, keys)
        end = start


def _csv_row_starts(raw: IO[bytes], floor: int, end: int, quote: bytes = b'"') -> tuple[list[int], bool]:
    """Where each CSV row of ``[floor, end)`` starts, and whether the last one is whole.

    A quoted cell may hold line breaks (an article's body does), so a row ends at a line break outside
    quotes: read forward, where the count of quote characters so far is even (a quote inside a cell
    is written twice)."""
    raw.seek(floor)
    starts: list[int] = []
    at, quotes = floor, 0
    while at < end:
        line = raw.readline(min(MAX_LINE_BYTES, end - at))
        if not line:
            break
        if quotes % 2 == 0:
            starts.append(at)
        quotes += line.count(quote)
        at += len(line)
    return starts, not quotes % 2 and _ends_line(raw, at)


def _trailing_csv_rows(
    raw: IO[bytes],
    floor: int,
    end: int,
    header: list[str] | None,
    keys: tuple[str, str | None] = ITEM_KEYS,
    dialect: tuple[str, str] = CSV_DIALECT,
) -> Iterator[tuple[int, dict[str, int | None]]]:
    """From the last whole CSV row of ``[floor, end)`` back: each row's start and the article it holds."""
    if not header:
        return
    starts, whole = _csv_row_starts(raw, floor, end, dialect[1].encode())
    at = end
    if not whole and starts:
        # The last row is cut (a kill stops a buffered write anywhere): no row to weigh, but the whole
        # rows before it are; cutting one of them cuts it too.
        at = starts.pop()
    for start in reversed(starts):
        raw.seek(start)
        yield start, _item_in(raw.read(at - start), header, keys, dialect)
        at = start


def _ends_line(raw: IO[bytes], at: int) -> bool:
    """Whether the byte before ``at`` is a line break (or ``at`` is the start)."""
    if at == 0:
        return True
    raw.seek(at - 1)
    return raw.read(1) == b"\n"


def cut_trailing_items(feed: FeedRecord, article_ids: set[str]) -> int:
    """Cut off the last items of a run's JSON lines (plain or gzip) or CSV file while they hold one of
    ``article_ids``: articles the run was killed in the middle of handing to its feeds (in this one,
    not in another).
    Forgotten, they are emitted again by the next run, which continues the file; left in it, they
    would be there twice. Only the run's own part of the file (from its ``offset``) is cut. Returns
    the items cut."""
    if (
        not article_ids
        or (feed.format not in LINE_FORMATS and feed.format != "csv")
        or feed.keys is None
        or not reads_encoding(feed.format, feed.encoding)
    ):
        return 0
    header = _csv_header(feed) if feed.format == "csv" else None
    if feed.compression == "gzip":
        return _cut_trailing_gzip_items(feed, article_ids, header)
    if feed.compression:
        return 0
    raw = _open_regular(feed.path)
    if raw is None:
        return 0
    cut = 0
    with raw:
        size = end = os.fstat(raw.fileno()).st_size
        floor = feed.offset if 0 < feed.offset <= size else 0
        keys = feed.keys or ITEM_KEYS
        items = (
            _trailing_csv_rows(raw, floor, end, header, keys, feed.csv)
            if feed.format == "csv"
            else _trailing_json_lines(raw, floor, end, keys)
        )
        for start, found in items:
            if not found or not found.keys() <= article_ids:
                break
            end, cut = start, cut + 1
    if cut:
        try:
            os.truncate(feed.path, end)
        except OSError as error:
            logger.warning("Recovery: could not cut the last %d item(s) off %s: %s", cut, feed.path, error)
            return 0
        logger.warning(
            "Recovery: cut %d article item(s) off the end of %s that the killed run's other feeds lack; the run emits them again",
            cut, feed.path,
        )
    return cut


def mend_cut_gzip(feed: FeedRecord) -> bool:
    """Make a killed run's cut gzip part of a file one whole gzip member again, holding what could be
    read of it (complete lines only, for JSON lines); True if it was cut and is mended.

    A cut member stops every reader (``zcat``, Python's gzip) with a CRC error: the members that
    later runs append after it (FEEDS append by default) could never be read.
    """
    if feed.compression != "gzip":
        return False
    raw = _open_regular(feed.path)
    if raw is None:
        return False
    with raw:
        size = os.fstat(raw.fileno()).st_size
        start = feed.offset if 0 < feed.offset <= size else 0
        if size == start:
            return False
        raw.seek(start)
        gunzip = _Gunzip(raw)
        stream = io.BufferedReader(gunzip, 1 << 16)
        try:
            with tempfile.TemporaryFile(dir=os.path.dirname(feed.path) or None) as mended:
                with gzip.GzipFile(filename="", mode="wb", fileobj=mended, mtime=0) as member:
                    if not reads_encoding(feed.format, feed.encoding):
                        # (Its lines cannot be found byte by byte: what was read is kept, as it is.)
                        chunks = iter(lambda: stream.read(1 << 16), b"")
                    elif feed.format in LINE_FORMATS:
                        chunks = _lines(stream)
                    elif feed.format == "csv":
                        # A cut row left in the file would take the first row the next run appends.
                        chunks = _csv_rows(stream, feed.csv[1].encode())
                    elif feed.format in _OBJECT_LOADERS:
                        chunks = _object_chunks(stream, _OBJECT_LOADERS[feed.format])
                    else:
                        chunks = iter(lambda: stream.read(1 << 16), b"")
                    for chunk in chunks:
                        member.write(chunk)
                    # What was left unread (a cut last line or row) is not taken; the whole stream
                    # is still read to tell whether it ends with a whole member.
                    while stream.read(1 << 16):
                        pass
                if not gunzip.cut:
                    return False
                _replace_part(feed.path, start, mended)
        except OSError as error:
            logger.warning("Recovery: could not mend the cut gzip end of %s: %s", feed.path, error)
            return False
    logger.warning("Recovery: mended the cut gzip end of %s (what was readable of it is kept)", feed.path)
    return True


def _replace_part(path: str, start: int, part: IO[bytes]) -> None:
    """Put ``part`` (a temporary file, read from its start) in the place of the file's bytes from ``start`` on."""
    part.seek(0)
    with open(path, "r+b") as target:
        target.truncate(start)
        target.seek(start)
        shutil.copyfileobj(part, target)
        target.flush()
        os.fsync(target.fileno())


def _cut_trailing_gzip_items(feed: FeedRecord, article_ids: set[str], header: list[str] | None) -> int:
    """:func:`cut_trailing_items` for a gzip JSON lines or CSV file: the run's part (whole members,
    lines and rows, as :func:`mend_cut_gzip` leaves it) is written again without its last items while
    they hold one of ``article_ids``. Returns the items cut."""
    keys = feed.keys
    if (feed.format == "csv" and not header) or keys is None:
        return 0
    raw = _open_regular(feed.path)
    if raw is None:
        return 0
    try:
        with raw:
            size = os.fstat(raw.fileno()).st_size
            start = feed.offset if 0 < feed.offset <= size else 0
            raw.seek(start)
            stream = io.BufferedReader(_Gunzip(raw), 1 << 16)
            with tempfile.TemporaryFile(dir=os.path.dirname(feed.path) or None) as part:
                held: list[bytes] = []
                with gzip.GzipFile(filename="", mode="wb", fileobj=part, mtime=0) as member:
                    for line in _csv_rows(stream, feed.csv[1].encode()) if feed.format == "csv" else _lines(stream):
                        found = _item_in(line, header if feed.format == "csv" else None, keys, feed.csv)
                        if found and found.keys() <= article_ids:
                            held.append(line)
                            continue
                        member.writelines(held)
                        held = []
                        member.write(line)
                    if stream.read(1):
                        return 0  # more than recovery reads, or a cut line: the file is left as it is
                if not held:
                    return 0
                _replace_part(feed.path, start, part)
    except OSError as error:
        logger.warning("Recovery: could not cut the last item(s) off %s: %s", feed.path, error)
        return 0
    logger.warning(
        "Recovery: cut %d article item(s) off the end of %s that the killed run's other feeds lack; the run emits them again",
        len(held), feed.path,
    )
    return len(held)


def recover_pending(
    store: SeenStore, current_run: str, is_live: Callable[[str], bool] | None = None, outputs: list[FeedRecord] | None = None
) -> tuple[int, int]:
    """Settle articles a killed run handed to its feeds: seen if its item is in its files, else
    forgotten. Returns (confirmed, dropped); ``outputs`` gets the feed files of the settled runs that
    never reached their end (killed: a run that ended said what happened in its own exit status).

    Earlier runs of this spider are over (the run lock says so). Runs of another spider (``latest``
    and the nightly ``section`` share a state dir) are settled when ``is_live`` says they are over:
    left pending, their articles would be emitted again by this run, and their own next run would
    then mark seen a version older than this run's.
    """
    confirmed = dropped = 0
    by_run: dict[str, list[PendingArticle]] = {}
    spider = current_run.split(":", 1)[0]
    over: dict[str, bool] = {}

    def is_over(run_id: str) -> bool:
        if run_id not in over:
            over[run_id] = run_id.split(":", 1)[0] == spider or (is_live is not None and not is_live(run_id))
        return over[run_id]

    for entry in store.pending():
        if entry.run_id != current_run and is_over(entry.run_id):
            by_run.setdefault(entry.run_id, []).append(entry)
    # A run killed between two articles has nothing pending (each was confirmed as it was written),
    # but its output is still an interrupted run's: a file this run overwrites (-O) must keep it.
    interrupted = getattr(store, "interrupted_runs", None)
    for run_id in interrupted() if interrupted is not None else []:
        if run_id != current_run and is_over(run_id):
            by_run.setdefault(run_id, [])
    for run_id, entries in by_run.items():
        # An article counts as written when every feed of the run that takes it has it (in any of
        # its batches): a feed with a filter is asked only for what it holds, and the article must
        # be in at least one feed.
        filtered: set[str] = set()
        # Feeds with a receipt, which holds what they left out by their filter too: never filtered here.
        feeds = store.feeds_of(run_id)
        receipted = {feed.feed or feed.path for feed in feeds if feed.format == RECEIPT_FORMAT}
        receipts: list[str] = []
        for feed in feeds:
            cut_partial_line(feed)
            mend_cut_gzip(feed)
            if feed.format == RECEIPT_FORMAT:
                receipts.append(feed.path)
            elif outputs is not None and (feed.forgotten_at_end or (feed.before_offsets and entries)):
                # A record of a release that kept them all tells nothing of its run's end; articles of
                # that run still pending do: it was killed, or its feeds failed (that release confirmed
                # each article as written). Those found in its file are now seen: overwritten, lost.
                outputs.append(feed)
            if feed.filtered:
                filtered.add(feed.feed or feed.path)

        def in_feeds() -> dict[str, dict[str, int | None]]:
            """The articles each feed of the run holds."""
            found: dict[str, dict[str, int | None]] = {}
            for feed in feeds:
                key = feed.feed or feed.path
                if key in receipted and feed.format != RECEIPT_FORMAT and feed.compression not in ("", "gzip"):
                    continue  # (a file its receipt stands for, which recovery cannot read: no warning that it cannot)
                found.setdefault(key, {}).update(ids_in_feed(feed))
            return found

        def whole(entry: PendingArticle, per_feed: dict[str, dict[str, int | None]]) -> tuple[bool, bool]:
            """Whether the article is in every feed that takes it, and whether it is in any."""
            every = [found for key, found in per_feed.items() if key not in filtered or key in receipted]
            in_any = any(holds(found, entry) for found in per_feed.values())
            return in_any and all(holds(found, entry) for found in every), in_any

        per_feed = in_feeds() if entries else {}
        partial: set[str] = set()
        while more := {entry.article_id for entry in entries if whole(entry, per_feed) == (False, True)} - partial:
            # Cut before any article is settled, then read again: a gzip part is written again
            # without them, and a run killed (or a write failing) meanwhile must leave no article
            # marked seen that is no longer in the file. A rewrite that failed lost the part's other
            # articles too, now in the other feeds only: cut off them as well, or forgotten there,
            # they would be written a second time.
            partial |= more
            for feed in feeds:
                cut_trailing_items(feed, partial)
            per_feed = in_feeds()
        for entry in entries:
            if whole(entry, per_feed)[0]:
                seen = store.get(entry.article_id)
                if seen is not None and seen.version >= entry.version:
                    # Another run emitted this version or a later one since: that one stays seen.
                    store.drop_pending(entry.article_id, run_id)
                else:
                    store.confirm(entry.article_id, run_id)
                confirmed += 1
            else:
                store.drop_pending(entry.article_id, run_id)
                dropped += 1
        store.forget_run(run_id)
        remove_receipts(receipts)
    return confirmed, dropped


def remove_receipts(paths: list[str]) -> None:
    """Remove receipts once their run is settled (their record forgotten)."""
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning("Could not remove the receipt %s: %s", path, error)
