"""Stored responses to re-extract: a Scrapy HTTP cache, a folder of saved pages, WARC and ARC files.

Each reader is a generator that holds one record at a time, so a source of any size is
streamed in flat memory. A reader yields :class:`StoredResponse` for every stored HTTP
response it can read and :class:`SkippedRecord` (with a reason slug) for every one it
cannot; it never raises for a bad record. Deciding which responses are articles is the
spider's job, reading the page the extraction package's.
"""

from __future__ import annotations

import ast
import base64
import binascii
import email.errors
import email.header
import email.message
import email.parser
import email.utils
import errno
import gzip
import io
import json
import os
import pickle
import re
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin

from w3lib.http import headers_raw_to_dict
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from crawler.extraction import Page
from crawler.extraction.normalize import SITE_ROOT, _article_id, clean_text
from crawler.extraction.page import dig
from crawler.extraction.urls import hindi_story_id, on_hindi_edition

HeadersDict = dict[bytes, list[bytes]]

# Source kinds, as :func:`source_kind` names them.
HTTPCACHE = "httpcache"
SAVED_PAGE = "saved-page"
WARC = "warc"
FOLDER = "folder"

# Skip reasons the readers give (the spider adds its own: not-article-url, http-NNN, not-html).
BROKEN = "broken"
TOO_LARGE = "too-large"
REVISIT = "revisit"
TRUNCATED = "truncated"  # a record whole in its file, of a response its crawler stored cut short
NOT_HTTP = "not-http"
NOT_HTML = "not-html"  # (the spider's slug for a response of another type)
# A folder or file of the source the system will not let the run read (its permissions, another user's
# crawl): whatever it holds is not re-extracted, which fails the run (crawler/monitoring/verdict.py).
UNREADABLE = "unreadable"
# Errors of a folder gone or no folder between being found and being read: nothing in it to lose.
_GONE = frozenset({errno.ENOENT, errno.ENOTDIR})

# ARC, the Internet Archive's format before WARC, is read by warcio as WARC (arc2warc).
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# Record types of WARC 1.1 (and ARC's, as warcio names them); anything else is a damaged header.
WARC_RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation", "arc_header"}
)
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
# A page saved whole in one MIME file: Chrome's and Edge's "Webpage, Single File", Internet Explorer's ".mht".
MHTML_SUFFIXES = (".mhtml", ".mht", ".mhtml.gz", ".mht.gz")  # (gzipped as .html pages may be: `gzip -r saved/`)
MIME_HEADER_LIMIT = 64 * 1024  # a part's headers; Chrome's are some 300 bytes
# The names wget gives pages beside those: a second download of one name numbered ("page.html.1",
# without -nc), a URL's query kept in the name ("storypage.php?autono=166607", "story.html?utm_source=rss";
# "@" for "?" with --restrict-file-names=windows) unless -E adds ".html", and server-side pages'
# extensions (the Hindi edition's stories are ``storypage.php``).
SAVED_PAGE_NAME = re.compile(r".*\.(?:html?|xhtml|shtml|php|aspx?|jsp)(?:[?@].*)?(?:\.gz)?(?:\.[0-9]+)?", re.IGNORECASE | re.DOTALL)
# Files of an entry of Scrapy's FilesystemCacheStorage (scrapy/extensions/httpcache.py).
CACHE_META_FILES = ("pickled_meta", "meta")
CACHE_BODY_FILE = "response_body"
CACHE_HEADERS_FILE = "response_headers"
CACHE_REQUEST_FILE = "request_headers"  # written after the response's files, by every Scrapy version
CACHE_FILES = frozenset({*CACHE_META_FILES, CACHE_BODY_FILE, CACHE_HEADERS_FILE, CACHE_REQUEST_FILE, "request_body", "response_data"})
# Seconds by which an entry's meta files may be newer than its request's files and the entry still whole:
# a copy that does not keep file times (cp -r, scp -r) writes an entry's files in any order, within moments;
# a crawl stores a changed page over its entry hours or days after the earlier store.
REWRITE_GAP = 60.0
# An entry's directory is named by its request fingerprint: SHA-1, in hex.
CACHE_ENTRY_NAME = re.compile(r"[0-9a-f]{40}")
# Scrapy's other cache storage: one DBM database per spider, HTTPCACHE_DIR/<spider>.db (plus dbm's own suffixes).
DBM_FILE = re.compile(r"\.db(?:\.(?:dat|dir|bak|pag|db))?$")

DEFAULT_MAX_SIZE = 8 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
APPLE_DOUBLE_MAGIC = b"\x00\x05\x16\x07"
READ_BLOCK = 64 * 1024
# A saved page's canonical link is in its <head> (18 KB on the real 2019 page); only that is parsed,
# or the first 256 KB where no </head> shows up in them.
HEAD_END = re.compile(rb"</head\s*>", re.I)
HEAD_LIMIT = 256 * 1024
# How an HTML or XML document begins (a BOM and blanks before it allowed); no compressed stream
# Scrapy decodes starts so (gzip's and zstd's magic, zlib's header byte are other bytes).
PLAIN_MARKUP = re.compile(rb"(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|\?xml|!--)", re.IGNORECASE)
# What warcio's error says of a gzipped WARC that is one gzip stream, not one member per record.
WHOLE_FILE_GZIP = "non-chunked gzip"

# What a reader catches when a record is unreadable: files cut short, bad gzip, bad meta.
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes gzip.BadGzipFile
    EOFError,
    zlib.error,
    ValueError,
    KeyError,
    TypeError,
    SyntaxError,
    pickle.UnpicklingError,
    ArchiveLoadFailed,
)


@dataclass(frozen=True)
class StoredResponse:
    """One HTTP response as stored: where it came from, what was asked and what came back."""

    url: str
    status: int
    headers: HeadersDict
    body: bytes = field(repr=False)
    fetched_at: datetime | None
    origin: str


@dataclass(frozen=True)
class SkippedRecord:
    """A stored record that cannot be re-extracted, and why (``reason`` is a stats slug)."""

    origin: str
    reason: str
    detail: str = ""
    url: str = ""  # the URL the record is of, where it names one


Record = StoredResponse | SkippedRecord


class TooLarge(Exception):
    """A stored body is larger than the size limit."""


# --- which kind of source ----------------------------------------------------


def is_warc_file(path: Path) -> bool:
    """A ``.warc`` or ``.warc.gz`` file (or ``.arc``/``.arc.gz``)."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def is_saved_page(path: Path) -> bool:
    """A saved ``.html`` / ``.htm`` page, gzipped or not, also as wget names it (:data:`SAVED_PAGE_NAME`),
    or saved whole as ``.mhtml`` / ``.mht``."""
    name = path.name.lower()
    return name.endswith(PAGE_SUFFIXES + MHTML_SUFFIXES) or SAVED_PAGE_NAME.fullmatch(path.name) is not None


# A file name without an extension (a wget numbering after it allowed): ``curl -o story-124022800873_1 URL``,
# wget's name for an address without one, a page saved by a script under its article id.
UNNAMED_FILE = re.compile(r"[^.]+(?:\.[0-9]+)?")
# How a page saved without an extension begins: its markup, or the headers ``curl -i`` wrote before it.
UNNAMED_PAGE_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|!--)|HTTP/[0-9](?:\.[0-9])? [1-5][0-9][0-9]", re.IGNORECASE)
SNIFF_SIZE = 1024


def is_unnamed_page(path: Path) -> bool:
    """A page saved under a name without an extension, told by its first bytes (:data:`UNNAMED_PAGE_START`).
    Before, such a file was passed over in silence, its article lost (a folder of them refused as holding no
    saved pages). Not the files of a cache entry (``response_body``: one a killed crawl left without its meta
    files, or its body half-written, is no page to read)."""
    if UNNAMED_FILE.fullmatch(path.name) is None or path.name in CACHE_FILES or CACHE_ENTRY_NAME.fullmatch(path.parent.name):
        return False
    try:
        with open(path, "rb") as file:
            start = file.read(SNIFF_SIZE)
    except OSError:
        return False
    return UNNAMED_PAGE_START.match(start) is not None


def is_page_file(path: Path) -> bool:
    """A saved page, by its name (:func:`is_saved_page`) or, without an extension, by its first bytes."""
    return is_saved_page(path) or is_unnamed_page(path)


def is_apple_double(path: Path) -> bool:
    """A file macOS writes beside each file it copies to a drive or share that keeps no extended attributes
    (``._A story.html`` beside ``A story.html``: the download's quarantine flag), which holds no page."""
    if not path.name.startswith("._"):
        return False
    try:
        with open(path, "rb") as file:
            return file.read(4) == APPLE_DOUBLE_MAGIC
    except OSError:
        return False  # (read as a page, which says why it cannot be)


def is_page_resource(path: Path) -> bool:
    """A file a browser saved with a page it saved whole ("Webpage, Complete"): in ``<name>_files/`` beside
    ``<name>.html``, as Chrome, Edge and Firefox put the page's frames (ads, embedded players), which are
    pages of their own but no one's story."""
    folder = path.parent
    if not folder.name.endswith("_files"):
        return False
    stem = folder.name[: -len("_files")]
    return any(os.path.isfile(folder.parent / f"{stem}{suffix}") for suffix in (".html", ".htm", ".xhtml", ".shtml"))


def is_cache_entry(path: Path) -> bool:
    """A directory of Scrapy's filesystem HTTP cache holding one response, or left half-written.

    Scrapy writes an entry's meta files first and its body after them: a crawl killed in between
    leaves an entry without a body, which is a broken record, not a folder to look into.
    """
    # (os.path.isfile: a folder that cannot be searched is no entry to read, but a folder the walk
    # finds unreadable; Path.is_file raised its PermissionError, and the walk passed over it in silence.)
    if not any(os.path.isfile(path / name) for name in CACHE_META_FILES):
        return False
    return os.path.isfile(path / CACHE_BODY_FILE) or CACHE_ENTRY_NAME.fullmatch(path.name) is not None


def source_kind(path: Path) -> str | None:
    """``warc``, ``saved-page``, ``httpcache`` (one cache entry) or ``folder``; None for anything else."""
    if path.is_file():
        if is_warc_file(path):
            return WARC
        if is_page_file(path):
            return SAVED_PAGE
        return None
    if path.is_dir():
        return HTTPCACHE if is_cache_entry(path) else FOLDER
    return None


def iter_source_paths(root: Path) -> Iterator[tuple[str, Path]]:
    """``(kind, path)`` for every WARC file, saved page and cache entry under ``root``, and
    ``(unreadable, path)`` for every folder under it that cannot be listed.

    Directories are read with :func:`os.scandir` as they are walked, never listed whole,
    so a folder of 100 000 pages costs no more memory than one of ten; the order is the
    file system's. A cache entry directory is not descended into. Other files are ignored.
    """
    kind = source_kind(root)
    if kind is None:
        return
    if kind != FOLDER:
        yield kind, root
        return
    stack = [root]
    visited: set[tuple[int, int]] = set()  # (device, inode): a symlink loop is walked once
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
            entries = os.scandir(directory)
        except OSError as error:
            if error.errno not in _GONE:
                # Its pages, or its cache entries, were lost without a word, the run "ok".
                yield UNREADABLE, directory
            continue
        if (info.st_dev, info.st_ino) in visited:
            entries.close()
            continue
        visited.add((info.st_dev, info.st_ino))
        subdirectories = []
        with entries:
            for entry in entries:
                path = Path(entry.path)
                try:
                    if entry.is_dir():
                        if is_cache_entry(path):
                            yield HTTPCACHE, path
                        else:
                            subdirectories.append(path)
                    elif entry.is_file() and (is_warc_file(path) or is_page_file(path)) and not is_apple_double(path):
                        yield (WARC if is_warc_file(path) else SAVED_PAGE), path
                except OSError:
                    continue
        # Scrapy's cache spreads entries over 256 two-hex-digit directories, so the
        # directories waiting here stay few even for a very large cache.
        stack.extend(reversed(subdirectories))


def dbm_cache_files(path: Path) -> list[Path]:
    """The files of Scrapy's ``DbmCacheStorage`` (``<spider>.db``, and the ``.dat``/``.dir``/``.pag``
    files dbm.dumb and dbm.ndbm add) that ``path`` is or holds at its top level; it is read by no reader."""
    try:
        candidates = [path] if path.is_file() else sorted(path.iterdir()) if path.is_dir() else []
    except OSError:
        return []
    return [file for file in candidates if DBM_FILE.search(file.name) and file.is_file()][:3]


def has_records(root: Path) -> bool:
    """Whether ``root`` holds at least one source of stored responses (stops at the first)."""
    return next(iter_source_paths(root), None) is not None


def iter_records(root: Path, *, max_size: int = DEFAULT_MAX_SIZE, site: str = SITE_ROOT) -> Iterator[Record]:
    """Every stored response under ``root`` (a file or a folder), one at a time.

    ``max_size`` bounds the body of one record (bigger ones are skipped as ``too-large``
    before they are read whole); ``site`` resolves a saved page's relative canonical link.
    """
    for kind, path in iter_source_paths(root):
        if kind == WARC:
            yield from iter_warc(path, max_size=max_size)
        elif kind == SAVED_PAGE:
            yield read_saved_page(path, max_size=max_size, site=site)
        elif kind == UNREADABLE:
            yield SkippedRecord(str(path), UNREADABLE, _why_unreadable(path))
        else:
            yield read_cache_entry(path, max_size=max_size)


def _why_unreadable(path: Path) -> str:
    """What the system says when the folder ``path`` is listed (``PermissionError: Permission denied``)."""
    try:
        os.scandir(path).close()
    except OSError as error:
        return f"{type(error).__name__}: {error.strerror or error}: nothing in it is read"
    return "it could not be listed when it was reached"


# --- reading with a size limit -----------------------------------------------


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _LineReadable(_Readable, Protocol):
    """A file, or a gzip stream (an MHTML page packed)."""

    def readline(self, size: int = ..., /) -> bytes: ...


def _read_limited(stream: _Readable, max_size: int) -> bytes:
    # In blocks: read(max_size + 1) would allocate max_size bytes for every record.
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(READ_BLOCK):
        size += len(chunk)
        if 0 < max_size < size:
            raise TooLarge(f"body larger than {max_size} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == GZIP_MAGIC


def _read_file(path: Path, max_size: int, gzipped: bool) -> bytes:
    if gzipped:
        # Read unpacked and bounded: a small .gz can unpack to gigabytes.
        with gzip.open(path, "rb") as packed:
            return _read_limited(packed, max_size)
    if 0 < max_size < path.stat().st_size:
        raise TooLarge(f"body larger than {max_size} bytes")
    with open(path, "rb") as file:
        return file.read()


# --- Scrapy's filesystem HTTP cache --------------------------------------------


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles plain data only: a cache copied from elsewhere must not run code when read."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a cache meta file")


def _read_cache_meta(entry: Path, gzipped: bool) -> dict[str, Any]:
    # Scrapy reads ``pickled_meta`` (pickle protocol 4) and writes ``meta`` (its repr)
    # beside it; both hold only str, int and float, so neither needs code to load.
    pickled = entry / "pickled_meta"
    if pickled.is_file():
        data = _read_file(pickled, 1024 * 1024, gzipped)
        meta = _PlainDataUnpickler(io.BytesIO(data)).load()
    else:
        meta = ast.literal_eval(_read_file(entry / "meta", 1024 * 1024, gzipped).decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError(f"cache meta is a {type(meta).__name__}, not a dict")
    return meta


def _content_length(headers: HeadersDict) -> int | None:
    for name, values in headers.items():
        if name.lower() == b"content-length" and values:
            try:
                return int(values[-1])
            except ValueError:
                return None
    return None


def announces_body(status: int, method: str = "GET") -> bool:
    """Whether a response's Content-Length is the length of the body stored with it: not for a
    1xx, 204 or 304 answer, nor one to HEAD, whose Content-Length (if any) is the page's, never sent."""
    return not (100 <= status < 200 or status in (204, 304) or method.upper() == "HEAD")


def _request_files_unwritten(entry: Path) -> str | None:
    """Why the request's files do not vouch for the entry's body, or None when they do: missing (a first
    store killed), or older than its meta files by more than a copy of the entry takes (the store of a
    changed page over its entry killed: the request's files are the earlier store's)."""
    request_file = entry / CACHE_REQUEST_FILE
    try:
        written = request_file.stat().st_mtime
    except OSError:
        return f"no {CACHE_REQUEST_FILE} after its body"
    for name in CACHE_META_FILES:
        try:
            stored = (entry / name).stat().st_mtime
        except OSError:
            continue
        if stored - written > REWRITE_GAP:
            return f"{CACHE_REQUEST_FILE} {stored - written:.0f} s older than its {name}: stored again, not to the end"
    return None


def _stored_time(timestamp: Any) -> datetime | None:
    """A cache entry's ``timestamp`` as a date; None when it has none, or one no date holds (1e20,
    infinity, NaN in a damaged meta file: the page is read as a WARC record without a date is,
    where the OverflowError of the first two was a traceback out of the run)."""
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(float(timestamp), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def read_cache_entry(entry: Path, *, max_size: int = DEFAULT_MAX_SIZE) -> Record:
    """The response stored in one entry of Scrapy's ``FilesystemCacheStorage``.

    Works with and without ``HTTPCACHE_GZIP`` (told apart by the meta file's first bytes,
    not by a setting, so one command reads both). The body stays as the server sent it,
    ``Content-Encoding`` included, exactly as Scrapy's cache hands it back to a crawl.
    """
    origin = str(entry)
    url = ""
    try:
        meta_file = entry / CACHE_META_FILES[0]
        gzipped = _is_gzip(meta_file if meta_file.is_file() else entry / CACHE_META_FILES[1])
        meta = _read_cache_meta(entry, gzipped)
        url = str(meta.get("response_url") or meta["url"])
        status = int(meta["status"])
        fetched_at = _stored_time(meta.get("timestamp"))
        headers_file = entry / CACHE_HEADERS_FILE
        raw_headers = _read_file(headers_file, 1024 * 1024, gzipped) if headers_file.is_file() else b""
        headers: HeadersDict = dict(headers_raw_to_dict(raw_headers))
        body_file = entry / CACHE_BODY_FILE
        if not body_file.is_file():
            return SkippedRecord(origin, BROKEN, f"{url}: no {CACHE_BODY_FILE} (an entry left half-written, by a crawl killed while storing it)", url=url)
        body = _read_file(body_file, max_size, gzipped)
    except TooLarge as error:
        return SkippedRecord(origin, TOO_LARGE, str(error), url=url)
    except PermissionError as error:
        file = Path(error.filename).name if error.filename else "a file"
        return SkippedRecord(origin, UNREADABLE, f"{url or 'its URL unread'}: {type(error).__name__}: {error.strerror or error}: {file}", url=url)
    except READ_ERRORS as error:
        return SkippedRecord(origin, BROKEN, f"{type(error).__name__}: {error}", url=url)
    # The cache keeps the body as received (before decompression), so its length is
    # the Content-Length the server announced; a shorter one is a file cut short.
    # (Only shorter: were the cache moved behind decompression, bodies grow, never shrink.)
    announced = _content_length(headers) if announces_body(status, str(meta.get("method") or "GET")) else None
    if announced is not None and len(body) < announced:
        return SkippedRecord(origin, BROKEN, f"body of {len(body)} bytes, Content-Length says {announced}", url=url)
    # Scrapy writes the request's files after the body: an entry without them may hold a body cut where
    # a killed crawl stopped writing it. Only a Content-Length (above), a gzip file's end (HTTPCACHE_GZIP)
    # or a compressed stream's (checked when decoded) can vouch for the body then.
    encoded = any(name.lower() == b"content-encoding" for name in headers)
    unvouched = None if not body or announced is not None or gzipped or encoded else _request_files_unwritten(entry)
    if unvouched:
        return SkippedRecord(origin, BROKEN, f"{url}: {unvouched} (an entry left half-written, its body perhaps cut)", url=url)
    stored = StoredResponse(url=url, status=status, headers=headers, body=body, fetched_at=fetched_at, origin=origin)
    return _rendered_page(stored) or stored


# Splash's endpoint a crawl with SPLASH_URL asked (scrapy-splash's execute), and what its answer holds.
_SPLASH_ENDPOINT = re.compile(r"/execute/?$")


def _rendered_page(stored: StoredResponse) -> StoredResponse | None:
    """The page in Splash's JSON answer stored at ``<SPLASH_URL>/execute`` (a cache a crawl with Splash
    filled before the cache sat below the rendering middlewares), as the crawl read it; None for
    any other record."""
    if not _SPLASH_ENDPOINT.search(stored.url.partition("?")[0]) or not stored.body.lstrip().startswith(b"{"):
        return None
    try:
        answer = json.loads(stored.body)
    except (ValueError, RecursionError):  # (nested past the decoder's depth: no Splash answer, read as stored)
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("html"), str) or not isinstance(answer.get("url"), str):
        return None
    status = answer.get("http_status")
    # The page as the browser held it, decoded: written out in UTF-8, which it now says.
    headers: HeadersDict = {b"Content-Type": [b"text/html; charset=utf-8"]}
    return StoredResponse(
        url=answer["url"],
        status=status if isinstance(status, int) and 100 <= status < 600 else 200,
        headers=headers,
        body=answer["html"].encode("utf-8", errors="replace"),
        fetched_at=stored.fetched_at,
        origin=stored.origin,
    )


# --- a folder of saved pages ---------------------------------------------------


def _page_urls(page: Page) -> Iterator[str]:
    """The URLs a page gives for itself: canonical link, og:url, JSON-LD ``mainEntityOfPage``/``url``."""
    yield from filter(None, (page.canonical, page.meta("og:url")))  # (canonical: the link, else og:url)
    for value in (dig(page.ld_article, "mainEntityOfPage", "@id"), dig(page.ld_article, "mainEntityOfPage"), page.ld_article.get("url")):
        if isinstance(value, str):
            yield value


def _names_article(url: str) -> bool:
    """Whether a URL is an article's (``page_article_id``), without filling its id cache: a store is
    read once, and 4096 of its URLs kept there would be memory growing with the store."""
    if on_hindi_edition(url):
        return hindi_story_id(url) is not None
    return _article_id.__wrapped__(url) is not None


def saved_page_url(body: bytes, path: Path, site: str = SITE_ROOT) -> str:
    """The URL a saved page was fetched from: the first of the URLs it gives for itself that is an
    article's (a syndicated story's canonical link may name the agency's page, its og:url ours), else
    its ``file://`` URI, which the extraction reads as ``article -a url=file://…`` does."""
    match = HEAD_END.search(body, 0, HEAD_LIMIT)
    head = body[: match.end()] if match else body[:HEAD_LIMIT]
    # The <head> alone first (cheap to parse); the whole page only when it names no article there
    # (JSON-LD written in the <body>, a page saved without its <head>).
    given: list[str] = []
    for part in (head, body) if len(head) < len(body) else (body,):
        for found in _page_urls(Page(part, site)):
            url = urljoin(site.rstrip("/") + "/", clean_text(found) or "")
            if url.startswith(("http://", "https://")):
                if _names_article(url):
                    return url
                given.append(url)
    file_uri = path.absolute().as_uri()
    # A page saved under its URL's file name (wget, a browser's "Save as") still names its article.
    return file_uri if _names_article(file_uri) or not given else given[0]


def read_saved_page(path: Path, *, max_size: int = DEFAULT_MAX_SIZE, site: str = SITE_ROOT) -> Record:
    """A saved ``.html`` or ``.html.gz`` page (or ``.mhtml``: :func:`read_mhtml`), as a 200 ``text/html`` response of its canonical URL."""
    origin = str(path)
    if path.name.lower().endswith(MHTML_SUFFIXES):
        return read_mhtml(path, max_size=max_size, site=site)
    try:
        # By its first bytes, not its name: wget saves a gzip body it was sent as "page.html", and a
        # "page.html.gz" may hold the page unpacked.
        body = _read_file(path, max_size, gzipped=_is_gzip(path))
        answer = _curl_answer(body)
        if answer is not None:
            status, headers, body = answer
        else:
            # The charset is left to the page (BOM, <meta charset>), as a browser reading the file would.
            status, headers = 200, {b"Content-Type": [b"text/html"]}
        url = saved_page_url(body, path, site)
    except TooLarge as error:
        return SkippedRecord(origin, TOO_LARGE, str(error))
    except PermissionError as error:
        return SkippedRecord(origin, UNREADABLE, f"{type(error).__name__}: {error.strerror or error}")
    except READ_ERRORS as error:
        return SkippedRecord(origin, BROKEN, f"{type(error).__name__}: {error}")
    if answer is None:
        return StoredResponse(url=url, status=200, headers=headers, body=body, fetched_at=None, origin=origin)
    announced = _content_length(headers) if announces_body(status) else None
    if announced is not None and len(body) < announced and not _header(headers, b"Content-Encoding"):
        # (curl stopped, or was stopped, before the end: its Content-Length tells, as a cache entry's does.)
        return SkippedRecord(origin, TRUNCATED, f"{url}: body of {len(body)} bytes, its Content-Length says {announced}", url=url)
    for framing in (b"Content-Length", b"Transfer-Encoding"):  # (curl undid the chunks; a count no longer said)
        headers.pop(framing, None)
    if PLAIN_MARKUP.match(body):
        headers.pop(b"Content-Encoding", None)  # (curl --compressed decoded it and kept the header, as some WARCs do)
    return StoredResponse(url=url, status=status, headers=headers, body=body, fetched_at=_saved_at(_header(headers, b"Date")), origin=origin)


# A page saved with its HTTP answer's headers before it (``curl -i``, ``curl -iL`` writing each answer's):
# "HTTP/1.1 200 OK", "HTTP/2 200".
HTTP_STATUS_LINE = re.compile(rb"HTTP/[0-9](?:\.[0-9])? ([1-5][0-9][0-9])(?: [^\r\n]*)?\r?\n")
HEADERS_END = re.compile(rb"\r?\n\r?\n")
CURL_ANSWERS_LIMIT = 20  # redirects curl -L follows at most is 50 by default; a story's are one or two


def _curl_answer(body: bytes) -> tuple[int, HeadersDict, bytes] | None:
    """The last HTTP answer's status and headers a file saved with ``curl -i`` begins with, and the page after
    them; None for a file that begins with none. Before, the headers were read as the page's first text, every
    answer as a 200 one (a removed story's 404 page, a redirect's), dated when re-extracted."""
    answer = None
    for _ in range(CURL_ANSWERS_LIMIT):
        status_line = HTTP_STATUS_LINE.match(body, 0, MIME_HEADER_LIMIT)
        if status_line is None:
            return answer
        end = HEADERS_END.search(body, status_line.end() - 2, MIME_HEADER_LIMIT)
        if end is None:
            raise ValueError("the HTTP headers it begins with do not end")
        raw = body[status_line.end() : end.start()].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        headers: HeadersDict = {}
        for name, values in headers_raw_to_dict(raw).items():
            headers.setdefault(_canonical_header(name), []).extend(values)
        answer, body = (int(status_line.group(1)), headers, body[end.end() :]), body[end.end() :]
    raise ValueError(f"more than {CURL_ANSWERS_LIMIT} HTTP answers before its page")


def _canonical_header(name: bytes) -> bytes:
    """``content-type`` (HTTP/2's) as ``Content-Type``: the one name under which the readers look a header up."""
    return b"-".join(word[:1].upper() + word[1:].lower() for word in name.split(b"-"))


def _header(headers: HeadersDict, name: bytes) -> str | None:
    values = headers.get(name)
    return values[-1].decode("latin-1") if values else None


# (binascii.Error, of a base64 part, is a ValueError.)
MHTML_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, email.errors.MessageError)


class _CutShort(ValueError):
    """A MIME file that ends before the part being read does."""


def _mime_lines(file: _LineReadable) -> Iterator[tuple[bytes, bool]]:
    """The file's lines from its position, each in pieces of at most a block (a line of megabytes, a part
    written without line breaks, is never held whole), with whether the piece begins a line."""
    at_start = True
    while piece := file.readline(READ_BLOCK):
        yield piece, at_start
        at_start = piece.endswith(b"\n")


def _mime_headers(file: _LineReadable) -> email.message.Message:
    """The headers at the file's position, up to the blank line that ends them."""
    pieces: list[bytes] = []
    size = 0
    for piece, at_start in _mime_lines(file):
        size += len(piece)
        if size > MIME_HEADER_LIMIT:
            raise ValueError(f"MIME headers longer than {MIME_HEADER_LIMIT} bytes")
        if at_start and not piece.strip():
            return email.parser.BytesHeaderParser().parsebytes(b"".join(pieces))
        pieces.append(piece)
    raise _CutShort("the file ends within a part's headers")


def _mime_part(file: _LineReadable, delimiter: bytes, max_size: int | None) -> tuple[bytes, bool]:
    """The encoded body of the part at the file's position (nothing held when ``max_size`` is None: a
    resource passed over), and whether another part follows it."""
    pieces: list[bytes] = []
    size = 0
    for piece, at_start in _mime_lines(file):
        ends = _delimiter_line(piece, delimiter) if at_start else None
        if ends is not None:
            body = b"".join(pieces)
            # The line break before the delimiter is the delimiter's (RFC 2046).
            return body[:-2] if body.endswith(b"\r\n") else body[:-1] if body.endswith(b"\n") else body, not ends
        if max_size is None:
            continue
        size += len(piece)
        if 0 < max_size < size:
            raise TooLarge(f"its page's part larger than {max_size} bytes as written")
        pieces.append(piece)
    raise _CutShort("the file ends within a part, before its end")


def _delimiter_line(piece: bytes, delimiter: bytes) -> bool | None:
    """Whether the line ``piece`` is the close delimiter (True) or a part's delimiter (False); None when it is
    no delimiter line. Such a line holds the delimiter, "--" for the close one, and blanks only (RFC 2046, as
    Python's email package reads it): a line of the page that merely begins with it (a CSS variable
    ``--boundary-width``, a short boundary some tool chose) ended the page there, half a story read as whole.
    (Chrome's boundary itself ends in "----", so the close delimiter is told by what follows the delimiter.)"""
    if not piece.startswith(delimiter):
        return None
    rest = piece[len(delimiter) :].rstrip(b" \t\r\n")
    return True if rest == b"--" else False if not rest else None


# How many times larger than the page a part may be in its transfer encoding: DOWNLOAD_MAXSIZE bounds the page
# as read (as a gzipped one is checked unpacked), and a page under it whose encoded part was over it was
# skipped as too-large (base64 is 4/3 of it; quoted-printable up to 3 times, 3.1 with its soft line breaks,
# a Hindi page's every byte "=XX"). The encoded part is still bounded, by this much, before it is held whole.
_MIME_GROWTH: dict[str, int] = {"base64": 2, "quoted-printable": 4}


def _transfer_encoding(headers: email.message.Message) -> str:
    return str(headers.get("Content-Transfer-Encoding", "")).strip().lower()


def _mime_decoded(body: bytes, headers: email.message.Message) -> bytes:
    encoding = _transfer_encoding(headers)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(body)
    if encoding == "base64":
        return base64.b64decode(body)
    return body


MIME_DEPTH_LIMIT = 8  # multiparts within multiparts; a saved page has one or two


def _part_delimiter(headers: email.message.Message) -> bytes:
    """The delimiter line's start (``--`` and the boundary) of a multipart part or file."""
    boundary = headers.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        # (Its parts cannot be told apart: a damaged file, which "no text/html part in it" misnamed.)
        raise ValueError("a multipart part without its boundary parameter")
    return b"--" + boundary.encode("latin-1")


def _skip_preamble(file: _LineReadable, delimiter: bytes) -> None:
    """Past what comes before a multipart's first part, to its first part's headers."""
    for piece, at_start in _mime_lines(file):
        if at_start and _delimiter_line(piece, delimiter) is False:
            return
    raise _CutShort("no part in it")


class _AnyLineEnds:
    """A MIME file read line by line where a lone CR ends a line too, read as LF: a file written with classic Mac
    line ends, or a mix of them (a tool that rewrote some), was one line to the reader, its headers never ending
    (broken, the article lost). CRLF and LF are left as written."""

    def __init__(self, file: _LineReadable) -> None:
        self.file = file
        self.pending = b""

    def read(self, size: int = -1, /) -> bytes:
        if self.pending:
            piece, self.pending = self.pending, b""
            return piece
        return self.file.read(size)

    def readline(self, size: int = -1, /) -> bytes:
        piece, self.pending = self.pending or self.file.readline(size), b""
        cr = piece.find(b"\r")
        while cr != -1:
            if cr + 1 == len(piece):
                # A CR the piece ends with ends the line unless the LF of a CRLF follows it.
                after = self.file.readline(size)
                self.pending = after
                return piece if after.startswith(b"\n") else piece[:cr] + b"\n"
            if piece[cr + 1] != 0x0A:
                self.pending = piece[cr + 1 :]
                return piece[:cr] + b"\n"
            cr = piece.find(b"\r", cr + 2)
        return piece


def read_mhtml(path: Path, *, max_size: int = DEFAULT_MAX_SIZE, site: str = SITE_ROOT) -> Record:
    """A page saved as ``.mhtml`` (or ``.mht``): its first ``text/html`` part (the page, before the frames and
    resources after it), read part by part with only that part held, as a 200 response of the URL the page
    gives for itself, else of the part's ``Content-Location``; dated by the file's ``Date`` (when it was saved)."""
    origin = str(path)
    try:
        # By its first bytes, as a saved .html page: packed by its name or not.
        with gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb") as opened:
            file = _AnyLineEnds(opened)
            top = _mime_headers(file)
            # The delimiters of the multipart parts being read, the innermost last: a page saved by a mail program
            # or an archiving tool nests its multipart/related (the page and its resources) in a
            # multipart/alternative or multipart/mixed, where it was "no text/html part in it", the article lost.
            delimiters = [_part_delimiter(top)] if top.get_content_maintype() == "multipart" else []
            if delimiters:
                _skip_preamble(file, delimiters[-1])
            while True:
                part = _mime_headers(file) if delimiters else top
                if delimiters and part.get_content_maintype() == "multipart":
                    if len(delimiters) >= MIME_DEPTH_LIMIT:
                        raise ValueError(f"multipart parts nested deeper than {MIME_DEPTH_LIMIT}")
                    delimiters.append(_part_delimiter(part))
                    _skip_preamble(file, delimiters[-1])
                    continue
                page = part.get_content_type() == "text/html"
                encoded_limit = max_size * _MIME_GROWTH.get(_transfer_encoding(part), 1)
                if delimiters:
                    encoded, more = _mime_part(file, delimiters[-1], encoded_limit if page else None)
                else:
                    encoded, more = _read_limited(file, encoded_limit), False
                if page:
                    body = _mime_decoded(encoded, part)
                    if 0 < max_size < len(body):
                        raise TooLarge(f"page larger than {max_size} bytes")
                    break
                while not more:
                    # The innermost multipart ended: on with the part after it in the one around it.
                    delimiters.pop()
                    if not delimiters:
                        return SkippedRecord(origin, NOT_HTML, "no text/html part in it")
                    more = _mime_part(file, delimiters[-1], None)[1]  # (its epilogue)
        url = saved_page_url(body, path, site)
    except TooLarge as error:
        return SkippedRecord(origin, TOO_LARGE, str(error))
    except PermissionError as error:
        return SkippedRecord(origin, UNREADABLE, f"{type(error).__name__}: {error.strerror or error}")
    except MHTML_ERRORS as error:
        return SkippedRecord(origin, BROKEN, f"{type(error).__name__}: {error}")
    location = _header_text(part.get("Content-Location") or top.get("Snapshot-Content-Location"))
    if url.startswith("file:") and location.startswith(("http://", "https://")) and _names_article(location):
        url = location  # (a page that names itself nowhere, its address kept by the browser)
    charset = part.get_content_charset()
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    headers: HeadersDict = {b"Content-Type": [content_type.encode("latin-1", "replace")]}
    return StoredResponse(url=url, status=200, headers=headers, body=body, fetched_at=_saved_at(top.get("Date")), origin=origin)


def _header_text(value: Any) -> str:
    """A MIME header's value as text: unfolded, its encoded words (``=?utf-8?q?https=3A//…?=``, as some
    tools write a long one) decoded."""
    if not value:
        return ""
    try:
        text = str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, email.errors.HeaderParseError):
        text = str(value)
    return "".join(text.split())  # (a URL holds no blank; folding adds them)


def _saved_at(value: Any) -> datetime | None:
    """An MHTML file's ``Date`` header (``Fri, 04 Dec 2026 10:00:00 +0530``) as an aware UTC datetime."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(timezone.utc)


# --- WARC files ----------------------------------------------------------------


def parse_warc_date(value: str | None) -> datetime | None:
    """``WARC-Date`` (``2024-02-28T10:12:00Z``, fractions allowed) as an aware UTC datetime."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python 3.10's fromisoformat takes 3 or 6 fraction digits only; WARC 1.1 allows 1–9.
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], text)
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        # (OverflowError: a date at the end of year 9999 or the start of year 1 whose zone takes it
        # past datetime's range, which ended the file's reading as a broken record)
        return None


def _warc_headers(record: ArcWarcRecord, body: bytes) -> HeadersDict:
    """The HTTP headers, less the framing that :func:`_warc_body` undoes (chunking).

    ``Content-Encoding`` stays, with the body as sent: HttpCompressionMiddleware decodes it, as for a
    fetched page or a cached one (every encoding Scrapy knows, and a compressed stream cut short
    flagged as data loss rather than read as the whole page). Some archiving tools store the body
    decoded and keep the header: a body that is plainly HTML is not decoded again.
    """
    dropped = {"transfer-encoding", "content-length"}
    if PLAIN_MARKUP.match(body):
        dropped.add("content-encoding")
    headers: HeadersDict = {}
    for name, value in record.http_headers.headers:
        if name.lower() not in dropped:
            headers.setdefault(name.encode("latin-1"), []).append(value.encode("latin-1", "replace"))
    return headers


def _warc_body(record: ArcWarcRecord) -> _Readable:
    """The HTTP body as sent, de-chunked (warcio's ``content_stream`` would decode it as well)."""
    if (record.http_headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        return ChunkedDataReader(record.raw_stream, decomp_type=None)  # type: ignore[no-any-return]
    return record.raw_stream  # type: ignore[no-any-return]


def _is_web_resource(record: ArcWarcRecord) -> bool:
    """A ``resource`` record of a web page (not a crawler's log, a DNS answer or a screenshot's metadata)."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    return url.startswith(("http://", "https://"))


def _record_payload(record: ArcWarcRecord, stream: _Readable, url: str, origin: str, max_size: int) -> bytes | SkippedRecord:
    """A WARC record's payload read from ``stream``, or why it cannot be read."""
    try:
        body = _read_limited(stream, max_size)
    except TooLarge as error:
        return SkippedRecord(origin, TOO_LARGE, f"{url}: {error}", url=url)
    except READ_ERRORS as error:
        return SkippedRecord(origin, BROKEN, f"{url}: {type(error).__name__}: {error}")
    # warcio reads a record cut short (a truncated file) without complaint: the
    # record's Content-Length tells, as bytes it promised and never delivered.
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return SkippedRecord(origin, BROKEN, f"{url}: record cut short, {missing} bytes missing")
    return body


def _warc_resource(record: ArcWarcRecord, origin: str, max_size: int) -> Record:
    """A ``resource`` record (a page stored without its HTTP answer, as tools that turn saved files into
    WARCs write them) as a 200 answer of its ``Content-Type``."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    body = _record_payload(record, record.raw_stream, url, origin, max_size)
    if isinstance(body, SkippedRecord):
        return body
    content_type = record.rec_headers.get_header("Content-Type")
    headers: HeadersDict = {b"Content-Type": [content_type.encode("latin-1", "replace")]} if content_type else {}
    fetched_at = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
    return StoredResponse(url=url, status=200, headers=headers, body=body, fetched_at=fetched_at, origin=origin)


def _warc_response(record: ArcWarcRecord, origin: str, max_size: int) -> Record:
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.http_headers is None:
        return SkippedRecord(origin, NOT_HTTP, f"{url}: the record holds no HTTP response", url=url)
    try:
        status = int(record.http_headers.get_statuscode())
        stream = _warc_body(record)
    except READ_ERRORS as error:
        return SkippedRecord(origin, BROKEN, f"{url}: {type(error).__name__}: {error}")
    body = _record_payload(record, stream, url, origin, max_size)
    if isinstance(body, SkippedRecord):
        return body
    try:
        headers = _warc_headers(record, body)
    except READ_ERRORS as error:  # a header name that is no Latin-1
        return SkippedRecord(origin, BROKEN, f"{url}: {type(error).__name__}: {error}")
    # A crawler that stopped reading a response (a size or time limit, a dropped connection) says so in
    # WARC-Truncated, or leaves a payload shorter than its Content-Length, as a cut cache file does:
    # what it holds is the page's first part, which may read as a story missing its end.
    truncated = record.rec_headers.get_header("WARC-Truncated")
    if truncated:
        return SkippedRecord(origin, TRUNCATED, f"{url}: stored cut short (WARC-Truncated: {truncated})", url=url)
    announced = record.http_headers.get_header("Content-Length")
    payload = getattr(record, "payload_length", None)
    if (
        announced
        and announced.strip().isdigit()
        and isinstance(payload, int)
        and payload >= 0
        and not record.http_headers.get_header("Transfer-Encoding")
        and announces_body(status)
    ):
        if payload < int(announced):
            return SkippedRecord(origin, TRUNCATED, f"{url}: payload of {payload} bytes, Content-Length says {announced}", url=url)
    fetched_at = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
    return StoredResponse(url=url, status=status, headers=headers, body=body, fetched_at=fetched_at, origin=origin)


def iter_warc(path: Path, *, max_size: int = DEFAULT_MAX_SIZE) -> Iterator[Record]:
    """The ``response`` records of a WARC (or ARC) file, read with warcio: plain, gzipped per record,
    or gzipped whole (``gzip crawl.warc``, which warcio refuses after its first record).

    ``revisit`` records (payload stored elsewhere) are skipped as ``revisit``; requests,
    metadata and warcinfo are not responses and are passed over. A file that breaks
    midway (cut short, bad gzip, garbage) yields one ``broken`` record and ends there:
    a WARC cannot be resynchronised after a damaged record.
    """
    try:
        stream = open(path, "rb")
    except OSError as error:
        yield SkippedRecord(str(path), UNREADABLE if isinstance(error, PermissionError) else BROKEN, f"{type(error).__name__}: {error}")
        return
    with stream:
        whole_file_gzip = yield from _iter_archive(path, stream, max_size)
        if whole_file_gzip is None:
            return
        # One gzip stream for the whole file: read it unpacked, past the records read already.
        stream.seek(0)
        yield from _iter_archive(path, _GzipStream(stream), max_size, skip=whole_file_gzip)


class _GzipStream:
    """A gzip stream as warcio reads one (``read``, ``tell``), unpacked as far as it goes: one cut short
    ends there, as an uncompressed file would (warcio then finds the record it cuts short), and
    ``cut`` says why."""

    def __init__(self, file: io.BufferedReader) -> None:
        self.file = gzip.GzipFile(fileobj=file, mode="rb")
        self.cut: str | None = None

    def read(self, size: int = -1) -> bytes:
        if self.cut is not None:
            return b""
        try:
            # One read of the file at a time: read() would lose what it unpacked before the cut.
            return self.file.read1(size if size > 0 else READ_BLOCK)
        except READ_ERRORS as error:
            self.cut = f"{type(error).__name__}: {error}"
            return b""

    def tell(self) -> int:
        return self.file.tell()


def _iter_archive(path: Path, stream: Any, max_size: int, skip: int = 0) -> Generator[Record, None, int | None]:
    """The records of one archive stream, the first ``skip`` passed over; returns how many were read
    when the stream turned out to be one gzip member holding many records (else None)."""
    unpacked = isinstance(stream, _GzipStream)
    archive = ArchiveIterator(stream, arc2warc=True)
    origin = f"{path}@0"
    count = 0
    try:
        for record in archive:
            count += 1
            if count <= skip:
                continue
            # Offsets of a file gzipped whole are in its unpacked stream.
            origin = f"{path}@{archive.offset}" + (" (unpacked)" if unpacked else "")
            if record.rec_type == "response":
                result = _warc_response(record, origin, max_size)
                yield result
                if isinstance(result, SkippedRecord) and result.reason == BROKEN:
                    return None
            elif record.rec_type == "resource" and _is_web_resource(record):
                yield _warc_resource(record, origin, max_size)
            elif record.rec_type == "revisit":
                target = record.rec_headers.get_header("WARC-Target-URI") or ""
                yield SkippedRecord(origin, REVISIT, f"{target}: payload stored in an earlier record", url=target)
            elif record.rec_type not in WARC_RECORD_TYPES:
                yield SkippedRecord(origin, BROKEN, f"not a WARC record (type {record.rec_type!r})")
                return None
    except Exception as error:  # noqa: BLE001 - warcio raises many kinds on damaged input
        if not unpacked and isinstance(error, ArchiveLoadFailed) and WHOLE_FILE_GZIP in str(error):
            return count
        yield SkippedRecord(origin, BROKEN, f"{type(error).__name__}: {error}")
        return None
    if unpacked:
        leftover = stream.read(READ_BLOCK)
        if stream.cut is not None:
            yield SkippedRecord(origin, BROKEN, f"the gzip stream ends after this record, cut short ({stream.cut})")
        elif leftover:
            yield SkippedRecord(origin, BROKEN, f"{len(leftover)} or more bytes after the last record are not a complete record")
        return None
    # A gzip member cut short ends warcio's iteration silently; what is left unread tells.
    unread = os.fstat(stream.fileno()).st_size - archive.offset
    if unread > 0:
        yield SkippedRecord(f"{path}@{archive.offset}", BROKEN, f"the last {unread} bytes are not a complete record")
    return None
