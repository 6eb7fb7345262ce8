"""``scrapy merge OUTPUT INPUT...``: one JSON lines file from a distributed run's per-worker files, one line per article."""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import re
import sqlite3
import sys
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, cast

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.settingnames import CheckedSettings, file_to_write
from crawler.feed_names import EMPTY_RUN_MARK_SUFFIX


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def _version(value: object) -> int:
    """An item's ``version`` as a number: 0 for none (null from ``article``, or no number at all); written
    as text ("3", as a CSV file turned into JSON lines gives it) or as a whole float (3.0, as a table
    library writes a column with nulls in it), the number it is, also both at once ("3.0", that library's
    CSV turned into JSON lines): ranked 0, such a line of version 3 lost to the version 2 beside it.
    (``true`` is no version, nor is one below 1: versions start at 1.)"""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str):
        whole = _WHOLE_NUMBER.fullmatch(value.strip())
        value = int(whole.group(1)) if whole else 0
    if isinstance(value, float):
        value = int(value) if value.is_integer() else 0
    return value if isinstance(value, int) and value > 0 else 0


# A version written as text: digits (at most 30, past any real version), a ".0" a float column adds.
_WHOLE_NUMBER = re.compile(r"([0-9]{1,30})(?:\.0*)?")


def _rank(item: dict[str, Any]) -> tuple[int, datetime]:
    """Higher wins among a crawl's lines: the later version, then the later download (``version`` is null
    from ``article`` and ``reextract``, whose lines :class:`BestLines` weighs by their download alone)."""
    version = _version(item.get("version"))
    try:
        downloaded = datetime.fromisoformat(str(item.get("dateDownloaded")))
    except ValueError:
        downloaded = _EARLIEST
    if downloaded.tzinfo is None:
        downloaded = downloaded.replace(tzinfo=timezone.utc)
    return version, downloaded


def _rank_key(item: dict[str, Any]) -> tuple[int, str]:
    """:func:`_rank` as SQLite compares it: the download time in UTC as fixed-width text."""
    version, downloaded = _rank(item)
    try:
        utc = downloaded.astimezone(timezone.utc)
    except OverflowError:  # year 1 ahead of UTC, or 9999 behind it: the ends of time
        utc = _EARLIEST if downloaded.year == 1 else datetime.max.replace(tzinfo=timezone.utc)
    # SQLite's integers are 64-bit; a version past them (no real one) ranks as the highest.
    return max(min(version, 2**63 - 1), -(2**63)), utc.isoformat(timespec="microseconds")


def _utf8(text: str) -> bool:
    """Whether ``text`` can be written in UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class BestLines:
    """Per ``articleId`` the line that wins, kept in a private temporary SQLite database.

    A backfill's per-worker files hold a million articles of some 4 KB: kept as dicts in memory (four
    times their size) they ran the merge out of memory. Here they spill to an anonymous file SQLite
    deletes when it is closed, with a bounded page cache (as crawler/runset.py does).

    Two lines are kept per article: the crawl's best (by :func:`_rank`) and the best of the lines without a
    version (``reextract``, ``article``: by their download). The latter wins when it is of the crawl's fetch
    or a later one (:data:`SAME_FETCH_SECONDS`): a page stored by a crawl and read again with newer rules bears
    that fetch's time, and ranked by version first it lost to the old feed's reading of it, so a re-extraction
    merged into its old feed changed nothing; a later fetch of the story by a crawl still wins over an earlier
    one read again.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA cache_size = -16384")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE best (id TEXT, versioned INTEGER, version INTEGER, downloaded TEXT, line TEXT, PRIMARY KEY (id, versioned))"
        )
        self._db.execute("BEGIN")
        self.replaced = 0  # crawl lines a line without a version won over (counted by :meth:`lines`)
        self.changed = 0  # of those, the ones whose fields (but version and dateDownloaded) differ

    def offer(self, item: dict[str, Any]) -> None:
        """Keep ``item`` unless its article has a line of its kind that ranks as high (the line read first wins a tie)."""
        version, downloaded = _rank_key(item)
        line = json.dumps(item, ensure_ascii=False)
        if not _utf8(line):
            # A lone surrogate, as read from its escape (`"\ud83d"`: an item of a release before they were
            # dropped, or another program's): no UTF-8 holds it, and the merge stopped with a traceback,
            # every article lost. Escaped, it is the line's value as read.
            line = json.dumps(item)
        self._db.execute(
            "INSERT INTO best (id, versioned, version, downloaded, line) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id, versioned) DO UPDATE SET version = excluded.version, downloaded = excluded.downloaded, line = excluded.line "
            "WHERE (excluded.version, excluded.downloaded) > (best.version, best.downloaded)",
            # (Only null, or none, is a reading without a version: "3a" or -1 is some other tool's, and ranks lowest.)
            (item["articleId"], int(item.get("version") is not None), version, downloaded, line),
        )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(DISTINCT id) FROM best").fetchone()[0])

    def lines(self) -> Iterator[str]:
        """The winning lines, sorted by ``articleId`` (SQLite's binary order of UTF-8 is Python's order of str)."""
        self.replaced = self.changed = 0
        rows = self._db.execute("SELECT id, versioned, downloaded, line FROM best ORDER BY id, versioned")
        waiting: tuple[str, str, str] | None = None  # an article's line without a version, until its crawl line is seen
        for article_id, versioned, downloaded, line in rows:
            if not versioned:
                if waiting is not None:
                    yield waiting[2]
                waiting = (article_id, downloaded, line)
                continue
            if waiting is not None and waiting[0] == article_id:
                unversioned, waiting = waiting, None
                if _same_fetch_or_later(unversioned[1], downloaded):
                    self.replaced += 1
                    self.changed += _fields_differ(unversioned[2], line)
                    yield unversioned[2]
                    continue
            elif waiting is not None:
                yield waiting[2]
                waiting = None
            yield line
        if waiting is not None:
            yield waiting[2]

    def close(self) -> None:
        self._db.close()


# How long before the crawl's own date of a page its store may date it: the crawl dates an item as its callback
# reads the page, the HTTP cache as the answer arrives, a WARC as it was asked for; seconds apart on a busy crawl.
# A story is fetched again only by a later run, minutes later at the least (cron every 5 minutes).
SAME_FETCH_SECONDS = 60.0


def _same_fetch_or_later(unversioned: str, crawled: str) -> bool:
    """Whether a line without a version, downloaded at ``unversioned``, is of the fetch of the crawl's line
    downloaded at ``crawled``, or of a later one (both as :func:`_rank_key` writes them)."""
    return datetime.fromisoformat(unversioned).timestamp() + SAME_FETCH_SECONDS >= datetime.fromisoformat(crawled).timestamp()


# Fields that say when and how often a page was read, not what it says.
_READING_FIELDS = ("version", "dateDownloaded")


def _fields_differ(line: str, other: str) -> bool:
    """Whether two lines of one article say different things (their reading's time and version aside)."""
    first, second = json.loads(line), json.loads(other)
    for name in _READING_FIELDS:
        first.pop(name, None)
        second.pop(name, None)
    return bool(first != second)


def input_files(paths: list[str], output: Path) -> list[Path]:
    """The files named, and the ``*.jsonl`` (and gzipped ``*.jsonl.gz``) files under the folders named.

    The output is left out when a folder holds it (it is what is being written), not when it is named:
    ``scrapy merge all.jsonl all.jsonl new/`` adds the new files to the merged one, which is replaced
    only once everything was read.
    """
    found: list[Path] = []
    for name in paths:
        if not name.strip():
            # (A variable unset in a crontab: Path("") is the working directory, every file under it merged.)
            raise UsageError("an empty name among the inputs; give each file or folder to merge")
        path = Path(name).expanduser()  # as OUTPUT's: systemd's ExecStart= expands no ~
        if path.is_dir():
            # Hidden folders and files are left out: a worker's project folder copied whole holds its
            # state (.state/runs.jsonl, the run history), which is no feed of articles.
            inside = [
                p
                for p in sorted([*path.rglob("*.jsonl"), *path.rglob("*.jsonl.gz")])
                if p.resolve() != output.resolve() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            if not inside:
                marks = [p.name for p in sorted(path.rglob(f"*{EMPTY_RUN_MARK_SUFFIX}"))
                         if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)]
                if marks:
                    # Its workers' runs wrote no article (crawler/distributed/emptyrun.py): nothing to merge,
                    # and no failed copy either (before: exit 2 after every run where a worker got no work).
                    print(f"{name}: no feed file; its worker's run wrote no article ({', '.join(marks)})")
                    continue
                # One machine's folder that the copy left empty (or filled with .json files) made a merge
                # without its articles, exit 0, as if it had none.
                raise UsageError(f"no .jsonl or .jsonl.gz file in the folder {name}")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file or folder: {name}")
    return list(dict.fromkeys(p.resolve() for p in found))


def wide_encoding(start: bytes) -> str | None:
    """The UTF-32 or UTF-16 a file of JSON lines is written in (``FEED_EXPORT_ENCODING=utf-16``), told as
    JSON's own decoder tells it: by its byte order mark, else by the NULs around its first character (which
    is ASCII: ``{``); None for UTF-8, with or without its BOM, which the JSON decoder reads line by line."""
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # (before UTF-16's: UTF-32's little-endian BOM begins with UTF-16's)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # (A text character beside the NULs: a binary file beginning with NULs stays bytes, refused as no JSON.)
    if len(start) == 4 and start[:3] == b"\0\0\0" and start[3:] in _ASCII_TEXT:
        return "utf-32-be"
    if len(start) == 4 and start[1:] == b"\0\0\0" and start[:1] in _ASCII_TEXT:
        return "utf-32-le"
    if len(start) >= 2 and start[:1] == b"\0" and start[1:2] in _ASCII_TEXT:
        return "utf-16-be"
    if len(start) >= 2 and start[1:2] == b"\0" and start[:1] in _ASCII_TEXT:
        return "utf-16-le"
    return None


_ASCII_TEXT = frozenset(bytes([byte]) for byte in (*range(0x20, 0x7F), 0x09, 0x0A, 0x0D))


def _utf8_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a stream of JSON lines, in UTF-8 whatever the encoding it is written in (read as bytes,
    a UTF-16 file was split at the wrong byte of each newline: its first line no JSON, the file refused)."""
    start = stream.read(4)
    encoding = wide_encoding(start)
    stream.seek(0)
    if encoding is None:
        yield from stream
        return
    # (The byte order a BOM gives, else the one its NULs told: each line is decoded on its own.)
    if encoding in ("utf-16", "utf-32"):
        big_endian = start.startswith((codecs.BOM_UTF32_BE, codecs.BOM_UTF16_BE)) and not start.startswith(codecs.BOM_UTF32_LE)
        encoding += "-be" if big_endian else "-le"
    for line in _wide_lines(stream, encoding):
        yield line.decode(encoding, errors=_CUT_CHARACTER).removeprefix("\ufeff").encode("utf-8", errors="surrogatepass")


def _wide_lines(stream: BinaryIO, encoding: str) -> Iterator[bytes]:
    """The lines of a UTF-16 or UTF-32 stream, as bytes: each ends at a newline a whole character long, or
    before a line that begins out of step with it (``{"`` a byte or more off), so that a line cut within a
    character ends there and the file is read in step again after it.

    Decoded as one stream, a file cut at an odd byte (a disk that filled up mid-write) and then appended to
    by the worker's next runs was read one byte off from the cut to its end, every later article in one
    unreadable line (held whole in memory), exit 0. (Out of step, ``{"`` is characters no text holds together:
    in UTF-16 a CJK ideograph U+7Bxx beside ∀, U+2200, or U+7B00 before a sign U+22xx; in UTF-32 none at all.)"""
    unit = 4 if "32" in encoding else 2
    newline, line_start = "\n".encode(encoding), '{"'.encode(encoding)
    buffer = bytearray()
    begin = 0  # where the line being read begins in ``buffer``
    searched = 0  # how far from it no line end was found
    while True:
        block = stream.read(READ_BLOCK)
        buffer += block
        while True:
            end = _wide_line_end(buffer, begin, max(begin, searched), newline, line_start, unit)
            if end is None:
                searched = max(begin, len(buffer) - len(line_start))
                break
            yield bytes(buffer[begin:end])
            begin = searched = end
        if not block:
            if begin < len(buffer):
                yield bytes(buffer[begin:])  # (no newline: a cut line, counted unreadable)
            return
        del buffer[:begin]
        searched -= begin
        begin = 0


def _wide_line_end(buffer: bytearray, begin: int, start: int, newline: bytes, line_start: bytes, unit: int) -> int | None:
    """Where the line beginning at ``begin`` ends (after its newline, or before a line out of step with it),
    searching from ``start``; None when not within ``buffer``."""
    found = buffer.find(newline, start)
    while found != -1 and (found - begin) % unit:  # (a newline's bytes across two characters are none)
        found = buffer.find(newline, found + 1)
    end = len(buffer) if found == -1 else found
    resumed = buffer.find(line_start, start, end)
    while resumed != -1 and (resumed - begin) % unit == 0:  # (in step, it is text of this line)
        resumed = buffer.find(line_start, resumed + 1, end)
    if resumed != -1:
        return resumed
    return None if found == -1 else found + unit


READ_BLOCK = 64 * 1024


def _surrogates_kept(error: UnicodeError) -> tuple[str | bytes, int]:
    """A lone surrogate kept as it is written (the merge escapes it, as in a UTF-8 file); the bytes of a
    character cut short (the end of a file a killed worker left, its line without its newline and so
    counted unreadable) one U+FFFD, where the decoder's error was a traceback and no file merged."""
    try:
        return codecs.lookup_error("surrogatepass")(error)
    except UnicodeError:
        return "\ufffd", getattr(error, "end", 0)


_CUT_CHARACTER = "bs-merge-cut-character"
codecs.register_error(_CUT_CHARACTER, _surrogates_kept)


def input_lines(path: Path) -> Iterator[bytes]:
    """The lines of one input file in UTF-8 (a feed in UTF-16 or UTF-32 re-encoded), unpacked when it is
    gzipped (a feed with Scrapy's GzipPlugin).

    A gzip stream cut by a killed worker is read up to the cut, as ``zcat`` reads it; the cut ends
    in one empty line, which is counted with the unreadable ones.
    """
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if not gzipped:
            yield from _utf8_lines(raw)
            return
        yield from _utf8_lines(cast(BinaryIO, io.BufferedReader(GzipMembers(raw), READ_BLOCK)))


GZIP_MAGIC = b"\x1f\x8b"
GZIP_MEMBER_START = b"\x1f\x8b\x08"  # (the magic, and deflate: what every gzip member begins with)
GZIP_BLOCK = 16 * 1024  # packed bytes inflated at a time (a block's output bounded by deflate's ratio, 16 MB)


class GzipMembers(io.RawIOBase):
    """A file of gzip members unpacked in turn, as zcat reads one, and read on past a member a kill cut short.

    Scrapy's GzipPlugin writes a member a run, appended to the file a feed with ``overwrite`` off names: a run
    killed mid-member left it cut, and the next run's member came after the cut. Read as one stream, the cut
    member took the next one's bytes as its own and failed there, and every later run's articles were lost,
    exit 0. Here a member ends where the next one begins, a ``1f 8b 08`` from which a member inflates (three
    bytes a member's packed data holds by chance once in 16 MB, and no member follows); a member cut or
    damaged ends in a newline, so that the line it cut is a line of its own, counted unreadable.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Back to the start (the one seek :func:`_utf8_lines` makes, after reading the first bytes)."""
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("a gzip file is read from its start only")
        self.position = 0  # of the next packed byte to inflate
        self.member = 0  # where the member being inflated begins
        self.inflater = zlib.decompressobj(31)
        self.out = b""
        self.done = False
        self.given = 0  # unpacked bytes read
        return 0

    def tell(self) -> int:
        return self.given

    def readinto(self, buffer: Any) -> int:
        while not self.out and not self.done:
            self._inflate()
        size = min(len(buffer), len(self.out))
        buffer[:size] = self.out[:size]
        self.out = self.out[size:]
        self.given += size
        return size

    def _inflate(self) -> None:
        self.raw.seek(self.position)
        block = self.raw.read(GZIP_BLOCK + len(GZIP_MEMBER_START) - 1)  # (a next member's start across the block's end)
        if not block:
            self.done = True
            if not self.inflater.eof and self.position > self.member:
                self.out = self.inflater.flush() + b"\n"  # the last member cut short
            return
        packed = block[:GZIP_BLOCK]
        following = self._next_member(block)
        if following is not None:
            packed = block[: following - self.position]
        try:
            self.out = self.inflater.decompress(packed)
        except zlib.error:
            # Damaged (or no gzip at all, after the last member): on at the next member, if any.
            self.out = b"\n"
            self._start_member(self._next_member_after(self.position + 1))
            return
        self.position += len(packed)
        if self.inflater.eof:
            self.position -= len(self.inflater.unused_data)
            rest = self.inflater.unused_data + block[len(packed) :]
            if rest.strip(b"\0") or len(block) > len(packed):
                self._start_member(self.position)
            else:
                self._start_member(self._next_member_after(self.position))  # (zeros a copy padded the file with)
        elif following is not None:
            self.out += self.inflater.flush() + b"\n"  # cut short, a later run's member after it
            self._start_member(following)

    def _start_member(self, position: int | None) -> None:
        if position is None:
            self.done = True
            return
        self.position = self.member = position
        self.inflater = zlib.decompressobj(31)

    def _next_member(self, block: bytes) -> int | None:
        """Where in the file a member after the one being read begins within ``block`` (read at ``position``)."""
        start = max(0, self.member + 1 - self.position)
        while (found := block.find(GZIP_MEMBER_START, start)) != -1 and found < GZIP_BLOCK:
            if self._member_at(self.position + found):
                return self.position + found
            start = found + 1
        return None

    def _next_member_after(self, position: int) -> int | None:
        """Where the first member at or after ``position`` begins, None when none does."""
        while True:
            self.raw.seek(position)
            block = self.raw.read(GZIP_BLOCK + len(GZIP_MEMBER_START) - 1)
            if len(block) < len(GZIP_MEMBER_START):
                return None
            found = block.find(GZIP_MEMBER_START, 0, GZIP_BLOCK)
            while found != -1:
                if self._member_at(position + found):
                    return position + found
                found = block.find(GZIP_MEMBER_START, found + 1, GZIP_BLOCK)
            position += GZIP_BLOCK

    def _member_at(self, position: int) -> bool:
        """Whether a gzip member begins at ``position``: its header and first packed bytes inflate."""
        self.raw.seek(position)
        trial = zlib.decompressobj(31)
        try:
            trial.decompress(self.raw.read(GZIP_BLOCK), 4 * GZIP_BLOCK)
        except zlib.error:
            return False
        return True


def _json_line(raw: bytes) -> Any:
    """The JSON value of one line, None when it is none. A last line without its newline is read too: a file
    another program wrote (``"\\n".join``) ends so, and a line a kill cut is no JSON object (its braces never
    close), so only a whole one reads."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _is_article(item: Any) -> bool:
    """Whether ``item`` is an article's line; an ``articleId`` written as a number is made its digits again.

    A feed turned into CSV and back into JSON lines by a table library (pandas, csvkit) writes the id as a
    number (124022800873, or 124022800873.0 in a column with gaps), as it writes ``version``: the file was
    refused as no feed of articles, or its lines skipped, and they merged apart from the same articles' other lines.
    """
    if not isinstance(item, dict):
        return False
    article = item.get("articleId")
    if isinstance(article, float) and article.is_integer() and article >= 0:
        article = int(article)
    if isinstance(article, int) and not isinstance(article, bool) and article >= 0:
        item["articleId"] = article = str(article)
    # (An id holding a lone surrogate is no article's, and no UTF-8 key to merge by.)
    return isinstance(article, str) and _utf8(article)


def _line_articles(raw: bytes, resume: bool = True) -> tuple[list[dict[str, Any]], int]:
    """The articles of one line, and how many unreadable (cut) lines it holds.

    A line that is no JSON may be a whole article whose newline alone was cut (a UTF-16 feed cut within it,
    read as one U+FFFD), or two lines run together: one a kill or a full disk cut short (or cut just before its
    newline, whole), then the first line of the run that appended to the file after it, which the missing
    newline joined to it (before, every such article was lost as one unreadable line, exit 0). The appended
    one begins at a ``{"`` after which the rest of the line is one JSON object; within a cut line none is (its
    objects never close, or text follows them). Not so on a file's first line (``resume`` False): a ``.json``
    array on one line, cut, ends in one, and the file is no feed of articles."""
    item = _json_line(raw)
    if item is not None or not raw.strip():
        return ([item], 0) if _is_article(item) else ([], 1)
    # As text, each try reading one object from where it begins (slicing the bytes at each "{" copied the rest
    # of the line a try: a line of a million objects, `jq -c -s`'s array, took hours to refuse).
    text = raw.decode("utf-8", "surrogateescape")  # (a character the cut split: in the cut line, kept as it was)
    begin = 1 if text.startswith("\ufeff") else 0  # (utf-8-sig's BOM, which json.loads passes over)
    found: list[dict[str, Any]] = []
    unreadable, position, cut = 0, begin, False
    while position != -1:
        item, stop = _object_at(text, position)
        blanks = _BLANKS.match(text, stop) if _is_article(item) else None  # (matches wherever a value ended)
        after = blanks.end() if blanks else -1
        if after == len(text) or (after > 0 and text.startswith('{"', after)):
            found.append(_bytes_read(text[position:stop]))
            if after == len(text):
                return found, unreadable
            position, cut = after, False
        else:
            # A line cut short: the next article, if any, begins at a later {" (one unreadable line however long).
            unreadable += 0 if cut else 1
            position, cut = text.find('{"', position + 1) if resume else -1, True
    return found, unreadable


def _object_at(text: str, start: int) -> tuple[Any, int]:
    """The JSON value beginning at ``start`` and where it ends; (None, -1) where none does."""
    try:
        return _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None, -1


def _bytes_read(text: str) -> dict[str, Any]:
    """A line found within another read again from its bytes, as every line is (a lone surrogate written raw
    reads the same)."""
    item = _json_line(text.encode("utf-8", "surrogateescape"))
    _is_article(item)  # (its id as text, as the object found was made)
    return cast(dict[str, Any], item)


_DECODER = json.JSONDecoder()
# What may follow a whole line's object on it: blanks, its newline, and one a UTF-16 cut left half of (U+FFFD).
_BLANKS = re.compile(r"[\s\ufffd]*")


class Command(CheckedSettings, ScrapyCommand):
    """Merge JSON lines files by ``articleId``."""

    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "OUTPUT INPUT [INPUT ...]"

    def short_desc(self) -> str:
        return "Merge JSON lines files (or folders of them) into one, one line per articleId"

    def long_desc(self) -> str:
        return (
            "Merge the per-worker output files of a distributed run (files, or folders searched for *.jsonl and "
            "gzipped *.jsonl.gz) "
            "into OUTPUT, one line per articleId, sorted by it: the line with the highest version wins, "
            "then the latest dateDownloaded; a line without a version (reextract, article) wins over them when it is "
            "of the same fetch (its dateDownloaded up to a minute earlier) or a later one: a stored page read again with newer rules. A cut line (a killed worker; the articles appended after it are read) "
            "and lines without an articleId are skipped and counted; an input whose first line is no article (a .json array, a CSV) "
            "is refused, and nothing written."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 2:
            raise UsageError("give the output file and at least one input file or folder")
        output = file_to_write(args[0], "OUTPUT")
        files = input_files(args[1:], output)
        best = BestLines()
        try:
            self._merge(files, output, best)
        except sqlite3.Error as error:
            # The temporary file's folder full (TMPDIR) is one line, as a full disk for OUTPUT is.
            return self.fail(f"cannot hold the articles in a temporary file: {error}; nothing was written (TMPDIR names its folder)")
        finally:
            best.close()

    def _merge(self, files: list[Path], output: Path, best: BestLines) -> None:
        lines = skipped = 0
        for path in files:
            first = True
            try:
                for raw in input_lines(path):
                    read, unreadable = _line_articles(raw, resume=not first)
                    if first and raw.endswith(b"\n") and raw.strip():
                        first = False
                        if not read:
                            # A worker's file begins with an article (a line cut by a kill is its last): this is
                            # another file, of which the lines that happened to read were merged, exit 0.
                            return self.fail(
                                f"{path} is no JSON lines file of articles (its first line is no JSON object with an articleId: "
                                "a .json array, a CSV, another file?); nothing was written"
                            )
                    skipped += unreadable
                    for item in read:
                        lines += 1
                        best.offer(item)
            except OSError as error:
                # A merge without one worker's file would lose its articles quietly.
                return self.fail(f"cannot read {path}: {error.strerror or error}; nothing was written")
        partial = output.with_name(output.name + ".partial")
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "w", encoding="utf-8") as merged:
                for line in best.lines():
                    merged.write(line + "\n")
            os.replace(partial, output)  # never a half-written OUTPUT
        except OSError as error:
            # A folder where the file should be, a file where its folder should be, a full disk: one
            # line, and whatever OUTPUT was before is left as it was.
            if partial.is_file():
                partial.unlink()
            return self.fail(f"cannot write {output}: {error.strerror or error}")
        articles = len(best)
        replaced = (
            f"{best.replaced} replaced by a later reading of the same fetch or a later fetch without a version "
            f"({best.changed} changed), "
            if best.replaced
            else ""
        )
        print(
            f"{articles} articles from {lines} lines in {len(files)} files into {output} "
            f"({lines - articles} duplicates dropped, {replaced}{skipped} unreadable lines skipped)"
        )

    def fail(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = 1
