"""Round 21's probes of re-extraction and `scrapy merge`: feeds in UTF-16, unreadable stores, pages saved as MHTML."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import quopri
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler import stats as stat
from crawler.incremental.exporters import ArticleJsonLinesItemExporter
from crawler.reextract import sources
from tests.conftest import ROOT
from tests.e2e import scrapy
from tests.test_reextract import SEED_PAGE, SEED_URL, html_response, store_in_cache
from tests.test_reextract_probes_round11 import OTHER_PAGE, reextract_run

# --- scrapy merge of a feed written with FEED_EXPORT_ENCODING=utf-16 ---------------------------------------
# Before: merge read its inputs as bytes and split them at b"\n", which in UTF-16 is one byte of two: every
# line of a UTF-16 feed (a run with FEED_EXPORT_ENCODING=utf-16, which the crawl writes and the README
# lists among the encodings it supports) came out no JSON, and the file was refused as "no JSON lines file
# of articles", nothing merged, exit 1.


def _items(*ids_and_versions: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {"articleId": article, "version": version, "dateDownloaded": "2024-01-01T10:00:00+05:30", "headline": f"रुपया ₹83 {article} v{version}"}
        for article, version in ids_and_versions
    ]


def _feed(items: list[dict[str, Any]], encoding: str) -> bytes:
    """A JSON lines feed as the crawl writes it in ``encoding`` (one BOM at the start, for those that write one)."""
    out = io.BytesIO()
    exporter = ArticleJsonLinesItemExporter(out, encoding=encoding)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig", "utf-8"])
def test_merge_reads_feeds_in_every_unicode_encoding(tmp_path: Path, encoding: str, gzipped: bool) -> None:
    first = _feed(_items(("124010100001", 1), ("124010100002", 2)), encoding)
    second = _feed(_items(("124010100001", 2), ("124010100003", 1)), encoding)
    for name, data in (("a.jsonl", first), ("b.jsonl", second)):
        (tmp_path / (name + ".gz" if gzipped else name)).write_bytes(gzip.compress(data) if gzipped else data)
    suffix = ".gz" if gzipped else ""
    done = scrapy(tmp_path, "merge", "all.jsonl", f"a.jsonl{suffix}", f"b.jsonl{suffix}")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(item["articleId"], item["version"], item["headline"]) for item in merged] == [
        ("124010100001", 2, "रुपया ₹83 124010100001 v2"),
        ("124010100002", 2, "रुपया ₹83 124010100002 v2"),
        ("124010100003", 1, "रुपया ₹83 124010100003 v1"),
    ]
    assert "3 articles from 4 lines in 2 files" in done.stdout and "0 unreadable lines skipped" in done.stdout


@pytest.mark.parametrize("cut", [1, 3], ids=["odd-byte", "mid-character"])
def test_merge_of_a_utf16_feed_a_killed_worker_cut_skips_the_cut_line_only(tmp_path: Path, cut: int) -> None:
    whole = _feed(_items(("124010100001", 1), ("124010100002", 1)), "utf-16")
    (tmp_path / "a.jsonl").write_bytes(whole + _feed(_items(("124010100003", 1)), "utf-16-le")[:-cut])
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    # Cut within its newline (an odd byte), the last article is whole: kept since round 24 (before, lost as cut).
    assert merged == ["124010100001", "124010100002", *(["124010100003"] if cut == 1 else [])]
    assert f"{0 if cut == 1 else 1} unreadable lines skipped" in done.stdout


def test_merge_still_refuses_a_utf16_file_that_is_no_feed_of_articles(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes("articleId,headline\n124010100001,x\n".encode("utf-16"))
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl")
    assert done.returncode == 1 and "is no JSON lines file of articles" in done.stderr
    assert not (tmp_path / "all.jsonl").exists()


# --- folders and files of a store the system will not let the run read --------------------------------------
# A cache another user's crawl filled (mode 700 folders), or a copy that kept root's modes. Before: a folder
# that could not be listed was passed over in silence, its pages or cache entries lost, "Read all … skipped:
# none", exit 0; a source that could not be read at all was a PermissionError traceback (exit 1). Root passes
# every permission check, and the tests may run as root: the child's os.scandir, os.stat and open refuse
# what a user's mode 000 would.

REFUSING = """
import builtins, errno, os, sys
refused = [os.path.abspath(path) for path in sys.argv[1].split(os.pathsep)]
def _refused(path, inside_only):
    try:
        path = os.path.abspath(os.fsdecode(path))
    except TypeError:
        return False  # (a file descriptor)
    return any(path.startswith(folder + os.sep) or (not inside_only and path == folder) for folder in refused)
def _refuse(path):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
real_scandir, real_stat, real_open = os.scandir, os.stat, builtins.open
def scandir(path="."):
    if _refused(path, inside_only=False):
        _refuse(path)
    return real_scandir(path)
def stat(path, *args, **kwargs):
    if _refused(path, inside_only=True):
        _refuse(path)
    return real_stat(path, *args, **kwargs)
def open_(file, *args, **kwargs):
    if _refused(file, inside_only=False):
        _refuse(file)
    return real_open(file, *args, **kwargs)
os.scandir, os.stat, builtins.open = scandir, stat, open_
from scrapy.cmdline import execute
sys.argv = ["scrapy", *sys.argv[2:]]
execute()
"""


def refused_run(workdir: Path, refused: list[Path], *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in ``workdir``, the folders (or files) in ``refused`` readable to no one, as a user's mode 000."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    command = [sys.executable, "-c", REFUSING, os.pathsep.join(map(str, refused)), *args]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=180)


def _article_url(page: Path) -> str:
    return str(json.loads((page.parent / "meta.json").read_text())["url"])


def _saved_pages(folder: Path) -> tuple[Path, Path]:
    """Two folders of one saved article each: the readable one first."""
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "page.html").write_bytes(SEED_PAGE.read_bytes())
    (folder / "b" / "page.html").write_bytes(OTHER_PAGE.read_bytes())
    return folder / "a", folder / "b"


def _cache(folder: Path) -> tuple[Path, Path]:
    """Two cache entries in two of the cache's two-hex-digit folders: the readable entry first."""
    first = store_in_cache(folder, html_response(SEED_URL, SEED_PAGE.read_bytes()))
    second = store_in_cache(folder, html_response(_article_url(OTHER_PAGE), OTHER_PAGE.read_bytes()))
    assert first.parent != second.parent, "both entries in one folder: pick other pages"
    return first, second


@pytest.mark.parametrize(
    ("store", "refuse"),
    [("saved-pages", "folder"), ("saved-pages", "file"), ("http-cache", "folder"), ("http-cache", "entry"), ("http-cache", "body")],
)
def test_what_the_system_will_not_let_the_run_read_is_named_counted_and_fails_the_run(tmp_path: Path, store: str, refuse: str) -> None:
    source = tmp_path / "store"
    readable, unreadable = _saved_pages(source) if store == "saved-pages" else _cache(source)
    refused = {
        "folder": unreadable if store == "saved-pages" else unreadable.parent,
        "file": unreadable / "page.html",
        "entry": unreadable,
        "body": unreadable / "response_body",
    }[refuse]
    out = tmp_path / "out.jsonl"
    done = refused_run(tmp_path, [refused], "crawl", "reextract", "-a", f"source={source}", "-O", str(out))
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    # The readable article is re-extracted; the other is named, counted, and the run fails.
    assert [json.loads(line)["articleId"] for line in out.read_text().splitlines()] == [SEED_URL.rsplit("-", 1)[1].split("_")[0]]
    named = f"{unreadable}: unreadable ({_article_url(OTHER_PAGE)}: " if refuse == "body" else f"{refused}: unreadable ("
    assert f"WARNING: Skipped {named}PermissionError: " in done.stderr, done.stderr[-3000:]
    assert "'bs/reextract/skipped/unreadable': 1," in done.stderr
    assert "passed over=1 (unreadable=1)" in done.stderr
    assert done.returncode == 1, done.stderr[-3000:]
    assert "exit=1 (1 folder(s) or file(s) of the source could not be read" in done.stderr


@pytest.mark.parametrize("refuse", ["the-folder", "its-parent"])
def test_a_source_that_cannot_be_read_is_refused_in_one_line_before_anything_runs(tmp_path: Path, refuse: str) -> None:
    source = tmp_path / "outer" / "store"
    _saved_pages(source)
    refused = source if refuse == "the-folder" else source.parent
    done = refused_run(tmp_path, [refused], "crawl", "reextract", "-a", f"source={source}", "-O", str(tmp_path / "out.jsonl"))
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 2
    assert f"error: reextract: source '{source}' cannot be read (PermissionError: Permission denied)" in done.stderr


def test_a_store_without_refused_folders_still_reads_whole_and_exits_0(tmp_path: Path) -> None:
    # The same runner, nothing refused: both articles, exit 0 (the injection changes nothing else).
    source = tmp_path / "store"
    _saved_pages(source)
    out = tmp_path / "out.jsonl"
    done = refused_run(tmp_path, [tmp_path / "elsewhere"], "crawl", "reextract", "-a", f"source={source}", "-O", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(out.read_text().splitlines()) == 2 and "unreadable" not in done.stderr


def test_the_readers_unreadable_slug_is_the_stat_the_verdict_reads() -> None:
    assert stat.reextract_skipped(sources.UNREADABLE) == stat.REEXTRACT_UNREADABLE


# --- pages saved as one MHTML file (Chrome's and Edge's "Webpage, Single File") --------------------------------
# Before: a .mhtml or .mht file was no file the reader knew: in a folder beside .html pages passed over in
# silence, its article missing from the output, exit 0; a folder of them refused as holding no saved pages.

MHTML_DATE = "Fri, 04 Dec 2026 10:00:00 +0530"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def chrome_mhtml(page: bytes, location: str, *, encoding: str = "quoted-printable", charset: str | None = None, image_first: int = 0) -> bytes:
    """A page as Chrome saves it whole: the page first (quoted-printable), then its resources and frames,
    CRLF line breaks, headers written as they are (long lines, no encoded words); ``Date`` when it was saved."""
    boundary = "----MultipartBoundary--8bXfP0kqJdD7WQMx----"

    def part(content_type: str, where: str, body: bytes, transfer: str = "quoted-printable") -> bytes:
        encoded = {"quoted-printable": quopri.encodestring, "base64": base64.encodebytes}.get(transfer, bytes)(body)
        head = f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        head += f"Content-Transfer-Encoding: {transfer}\r\nContent-Location: {where}\r\n\r\n"
        return head.encode() + encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"

    top = (
        f"From: <Saved by Blink>\r\nSnapshot-Content-Location: {location}\r\nSubject: A story\r\nDate: {MHTML_DATE}\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n\r\n\r\n'
    ).encode()
    return (
        top
        + (part("image/jpeg", "https://bsmedia.business-standard.com/lead.jpg", os.urandom(image_first), "base64") if image_first else b"")
        + part("text/html" + (f"; charset={charset}" if charset else ""), location, page, encoding)
        + part("text/css", "https://www.business-standard.com/_next/static/css/app.css", b"body { margin: 0 }")
        + part("image/png", "https://bsmedia.business-standard.com/x.png", PNG_BYTES, "base64")
        + part("text/html", "https://securepubads.g.doubleclick.net/ad.html", b'<html><head><link rel="canonical" href="https://example.com/"></head><body>ad</body></html>')
        + f"--{boundary}--\r\n".encode()
    )


@pytest.mark.parametrize(
    ("encoding", "charset", "page"),
    [("quoted-printable", None, SEED_PAGE), ("base64", "utf-8", SEED_PAGE), ("quoted-printable", None, OTHER_PAGE)],
)
def test_a_page_saved_as_mhtml_is_read_as_its_html_dated_when_saved(tmp_path: Path, encoding: str, charset: str | None, page: Path) -> None:
    url = _article_url(page)
    saved = tmp_path / "A story.mhtml"
    saved.write_bytes(chrome_mhtml(page.read_bytes(), url, encoding=encoding, charset=charset))
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.StoredResponse), record
    assert record.url == url and record.status == 200
    assert record.body.replace(b"\r\n", b"\n") == page.read_bytes().replace(b"\r\n", b"\n")
    assert record.fetched_at == datetime(2026, 12, 4, 4, 30, tzinfo=timezone.utc)
    assert record.headers[b"Content-Type"] == [b"text/html; charset=utf-8" if charset else b"text/html"]


@pytest.mark.parametrize("written", ["as-it-is", "encoded-words"])
def test_an_mhtml_page_that_names_no_article_takes_the_address_it_was_saved_from(tmp_path: Path, written: str) -> None:
    bare = b"<html><head><title>A story</title></head><body><p>Text.</p></body></html>"
    saved = tmp_path / "story.mht"
    mhtml = chrome_mhtml(bare, SEED_URL)
    if written == "encoded-words":  # (folded in RFC 2047 words, as Python's email package writes a long one)
        half = len(SEED_URL) // 2
        words = f"=?utf-8?q?{SEED_URL[:half].replace(':', '=3A')}?=\r\n =?utf-8?q?{SEED_URL[half:].replace('_', '=5F')}?="
        mhtml = mhtml.replace(f"Content-Location: {SEED_URL}".encode(), f"Content-Location: {words}".encode())
        assert SEED_URL.encode() not in mhtml  # (the top's Snapshot-Content-Location too)
    saved.write_bytes(mhtml)
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.StoredResponse) and record.url == SEED_URL and record.body == bare


@pytest.mark.parametrize("cut", ["in-the-page", "in-its-headers", "before-any-part"])
def test_an_mhtml_file_cut_short_in_its_page_is_broken_never_half_a_story(tmp_path: Path, cut: str) -> None:
    whole = chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL)
    page_at = whole.index(b"Content-ID: <frame-1")
    end = {"in-the-page": page_at + len(whole[page_at:]) // 3, "in-its-headers": page_at + 10, "before-any-part": page_at - 200}[cut]
    saved = tmp_path / "story.mhtml"
    saved.write_bytes(whole[:end])
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.BROKEN, record


def test_an_mhtml_file_over_the_size_limit_is_skipped_before_it_is_read_whole(tmp_path: Path) -> None:
    saved = tmp_path / "story.mhtml"
    saved.write_bytes(chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL))
    record = sources.read_saved_page(saved, max_size=10_000)
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.TOO_LARGE


@pytest.mark.parametrize("layout", ["an-image-larger-than-the-limit-first", "the-page-one-line-of-8bit"])
def test_an_mhtml_page_is_found_past_what_comes_before_it_and_read_in_any_line_length(tmp_path: Path, layout: str) -> None:
    page = SEED_PAGE.read_bytes()
    if layout == "the-page-one-line-of-8bit":
        page = page.replace(b"\r", b"").replace(b"\n", b" ")  # (some 200 KB without a line break, the limit above it)
        mhtml = chrome_mhtml(page, SEED_URL, encoding="8bit")
    else:
        mhtml = chrome_mhtml(page, SEED_URL, image_first=len(page) * 2)
    saved = tmp_path / "story.mhtml"
    saved.write_bytes(mhtml)
    record = sources.read_saved_page(saved, max_size=len(page) + 1000)
    assert isinstance(record, sources.StoredResponse), record
    assert record.url == SEED_URL and record.body.replace(b"\r\n", b"\n") == page.replace(b"\r\n", b"\n")


def test_a_folder_of_mhtml_and_html_pages_gives_every_article_as_its_html_would(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "one.mhtml").write_bytes(chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL))
    (folder / "two.html").write_bytes(OTHER_PAGE.read_bytes())
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert status == 0, log[-3000:]
    by_id = {item["articleId"]: item for item in items}
    assert len(by_id) == len(items) == 2
    # The same item as the page saved as .html gives, but the date it was saved.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "one.html").write_bytes(SEED_PAGE.read_bytes())
    (tmp_path / "out.jsonl").unlink()
    _, expected, _, _ = reextract_run(plain, tmp_path)
    (item,) = expected
    mhtml_item = by_id[item["articleId"]]
    assert {k: v for k, v in mhtml_item.items() if k != "dateDownloaded"} == {k: v for k, v in item.items() if k != "dateDownloaded"}
    assert mhtml_item["dateDownloaded"] == "2026-12-04T10:00:00+05:30"


# --- a browser's "Save Page As…, Webpage, Complete": the page, and its frames in <name>_files/ -----------------
# Before: every frame the browser saved with the page (ads, embedded players: saved_resource.html) was one
# WARNING "names no article URL", as if someone had saved it to be read: a folder of 500 saved stories,
# some 2,000 WARNING lines hiding the one that mattered.


def test_the_frames_a_browser_saved_with_a_page_are_counted_without_a_warning_each(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    (folder / "A story_files").mkdir(parents=True)
    (folder / "A story.html").write_bytes(SEED_PAGE.read_bytes())
    ad = b"<html><head></head><body><div id='ad'></div></body></html>"
    for name in ("saved_resource.html", "saved_resource(1).html", "embed.htm"):
        (folder / "A story_files" / name).write_bytes(ad)
    # A folder so named beside no saved page is no page's resources: its pages were saved to be read.
    (folder / "notes_files").mkdir()
    (folder / "notes_files" / "page.html").write_bytes(ad)
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert status == 0, log[-3000:]
    assert len(items) == 1 and stats["bs/reextract/skipped/not-article-url"] == 4
    assert log.count("WARNING: Skipped ") == 1 and f"WARNING: Skipped {folder / 'notes_files' / 'page.html'}" in log


def test_an_mhtml_file_without_a_page_in_it_is_skipped_as_no_html(tmp_path: Path) -> None:
    saved = tmp_path / "notes.mhtml"
    saved.write_bytes(chrome_mhtml(b"just text", SEED_URL).replace(b"Content-Type: text/html", b"Content-Type: text/plain"))
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.SkippedRecord) and record.reason == "not-html", record


# --- a folder of saved pages copied by a Mac to a USB drive or a share ------------------------------------------
# Before: the "._A story.html" file macOS writes beside every copied page (its extended attributes: the
# quarantine flag every download carries) was read as a saved page: one WARNING "names no article URL" each,
# as many as the pages, and counted as a record that failed.

APPLE_DOUBLE = bytes.fromhex("00051607000200004d6163204f5320582020202020202020") + b"\0" * 40 + b"com.apple.quarantine\0"


def test_the_files_macos_writes_beside_copied_pages_are_no_pages(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "A story.html").write_bytes(SEED_PAGE.read_bytes())
    (folder / "._A story.html").write_bytes(APPLE_DOUBLE)
    (folder / "Another.mhtml").write_bytes(chrome_mhtml(OTHER_PAGE.read_bytes(), _article_url(OTHER_PAGE)))
    (folder / "._Another.mhtml").write_bytes(APPLE_DOUBLE)
    # A page whose name begins so, but which is a page, is still read.
    (folder / "._notes.html").write_bytes(b"<html><head><title>notes</title></head><body></body></html>")
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert status == 0, log[-3000:]
    assert len(items) == 2 and stats["bs/reextract/records"] == 3
    assert log.count("WARNING: Skipped ") == 1 and "._notes.html" in log
