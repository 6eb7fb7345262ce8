"""Review of round 21's re-extraction and merge changes: MHTML pages read as Python's email package reads
them, `scrapy merge` of feeds in UTF-16 and UTF-32, and the saved pages the reader passes over."""

from __future__ import annotations

import base64
import codecs
import email
import email.policy
import gzip
import json
import quopri
import tracemalloc
from pathlib import Path

import pytest

from crawler.commands.merge import input_lines
from crawler.reextract import sources
from tests.e2e import scrapy
from tests.test_reextract import SEED_PAGE, SEED_URL
from tests.test_reextract_probes_round11 import HINDI_PAGE, OTHER_PAGE, reextract_run
from tests.test_reextract_probes_round21 import APPLE_DOUBLE, _article_url, _feed, _items, chrome_mhtml

CHROME_BOUNDARY = b"----MultipartBoundary--8bXfP0kqJdD7WQMx----"


def reference_page(mhtml: bytes) -> bytes:
    """The first text/html part of ``mhtml`` as Python's email package reads it."""
    message = email.message_from_bytes(mhtml, policy=email.policy.compat32)
    page = next(part for part in message.walk() if part.get_content_type() == "text/html")
    payload = page.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def mhtml_with(page: bytes, boundary: bytes, *, transfer: str = "quoted-printable", part_headers: bytes = b"") -> bytes:
    """``page`` saved as Chrome saves it, under another ``boundary`` and with ``part_headers`` added to its part's."""
    mhtml = chrome_mhtml(page, SEED_URL, encoding=transfer).replace(CHROME_BOUNDARY, boundary)
    return mhtml.replace(b"Content-ID: <frame-1@mhtml.blink>\r\n", b"Content-ID: <frame-1@mhtml.blink>\r\n" + part_headers, 1)


def read(tmp_path: Path, mhtml: bytes, **options: int) -> sources.Record:
    saved = tmp_path / "story.mhtml"
    saved.write_bytes(mhtml)
    return sources.read_saved_page(saved, **options)


# --- a line of the page that begins with the boundary -------------------------------------------------------
# Before: any line of the page that began with "--" and the boundary ended the page there (and one that went
# on with "--" ended the file): a page whose <style> set a CSS variable named after a short boundary some
# tool chose ("--boundary-width") was read as the page up to that line, half a story taken for the whole,
# where RFC 2046 (and Python's email package) take only a line of the delimiter and blanks.


@pytest.mark.parametrize("line", [b"--boundary-width: 1px;", b"--boundary--gap: 2px;"], ids=["a-part-delimiter", "the-close-delimiter"])
def test_a_line_of_the_page_beginning_with_the_boundary_is_the_page_not_its_end(tmp_path: Path, line: bytes) -> None:
    page = SEED_PAGE.read_bytes().replace(b"<head>", b"<head><style>\n" + line + b"\n</style>", 1)
    assert line in page
    mhtml = mhtml_with(page, b"boundary")
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.body.replace(b"\r\n", b"\n") == page.replace(b"\r\n", b"\n") == reference_page(mhtml).replace(b"\r\n", b"\n")


def test_the_delimiter_line_may_end_in_blanks_as_rfc_2046_allows(tmp_path: Path) -> None:
    mhtml = mhtml_with(OTHER_PAGE.read_bytes(), b"boundary").replace(b"--boundary\r\n", b"--boundary \t\r\n")
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse) and record.body == reference_page(mhtml)


# --- a page under DOWNLOAD_MAXSIZE in a larger transfer encoding ---------------------------------------------
# Before: the limit was applied to the part as written, where everywhere else it is the page's own size
# ("checked unpacked"): a Hindi page in quoted-printable (every byte of Devanagari "=XX", 1.6 times the
# page) or any page in base64 (4/3) under the limit was skipped as too-large, where the same page saved as
# .html was read.


@pytest.mark.parametrize(("page", "transfer"), [(HINDI_PAGE, "quoted-printable"), (SEED_PAGE, "base64")], ids=["hindi-qp", "base64"])
def test_an_mhtml_page_under_the_size_limit_is_read_whatever_its_transfer_encoding(tmp_path: Path, page: Path, transfer: str) -> None:
    mhtml = chrome_mhtml(page.read_bytes(), _article_url(page), encoding=transfer)
    body = reference_page(mhtml)  # (the page as saved: Chrome's line breaks are CRLF)
    limit = len(body)  # (the page is just within it)
    (tmp_path / "story.html").write_bytes(body)
    assert isinstance(sources.read_saved_page(tmp_path / "story.html", max_size=limit), sources.StoredResponse)
    assert len(mhtml) > 1.3 * limit
    record = read(tmp_path, mhtml, max_size=limit)
    assert isinstance(record, sources.StoredResponse), record
    assert record.body == body
    # One byte more than the limit allows is still too large, as for the .html.
    over = read(tmp_path, mhtml, max_size=limit - 1)
    assert isinstance(over, sources.SkippedRecord) and over.reason == sources.TOO_LARGE, over


# --- a multipart file without its boundary -------------------------------------------------------------------
# Before: counted not-html, "no text/html part in it", where it holds one the reader could not tell apart.


def test_a_multipart_file_without_a_boundary_is_broken_not_a_file_without_a_page(tmp_path: Path) -> None:
    mhtml = chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL).replace(b';\r\n\tboundary="' + CHROME_BOUNDARY + b'"', b"")
    assert b"boundary=" not in mhtml
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.BROKEN and "boundary" in record.detail, record


# --- what the reader already reads as the email package does (pinned) ----------------------------------------

HINDI_LINE = "<p>बजट: रुपया ₹83 पर – “उद्धरण”</p>".encode()


@pytest.mark.parametrize(
    ("boundary", "quoted"),
    [(b"a.b*c+(d)?[e]|f$^{2}\\", True), (b"simple_b-1", False), (b"----=_NextPart_000_0000_01D8A1B2.C3D4E5F0", True)],
    ids=["regex-metacharacters", "unquoted", "internet-explorer"],
)
def test_boundaries_of_any_characters_quoted_or_not(tmp_path: Path, boundary: bytes, quoted: bool) -> None:
    mhtml = mhtml_with(OTHER_PAGE.read_bytes(), boundary)
    if not quoted:
        mhtml = mhtml.replace(b'boundary="' + boundary + b'"', b"boundary=" + boundary)
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.body == reference_page(mhtml) and record.url == _article_url(OTHER_PAGE)


@pytest.mark.parametrize(
    ("transfer", "encoded"),
    [
        ("BASE64", base64.encodebytes(HINDI_LINE * 40).replace(b"\n", b"\r\n")),
        ("Quoted-Printable", quopri.encodestring(HINDI_LINE * 40)),
        # A soft line break within a character's bytes: the character is whole once the break is taken away.
        ("quoted-printable", b"<p>=E0=A4=AC=E0=A4=\r\n=9C=E0=A4=9F</p>"),
    ],
    ids=["base64-in-capitals", "qp-in-capitals", "qp-soft-break-inside-a-character"],
)
def test_transfer_encodings_as_written_by_any_tool(tmp_path: Path, transfer: str, encoded: bytes) -> None:
    mhtml = mhtml_with(b"PLACEHOLDER", b"boundary", transfer="8bit").replace(b"PLACEHOLDER", encoded)
    mhtml = mhtml.replace(b"Content-Transfer-Encoding: 8bit", f"Content-Transfer-Encoding: {transfer}".encode(), 1)
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.body == reference_page(mhtml)
    assert "बजट" in record.body.decode("utf-8")


def test_folded_headers_and_a_charset_other_than_utf8(tmp_path: Path) -> None:
    page = "<html><head></head><body><p>Café – “Sensex”</p></body></html>".encode("cp1252")
    mhtml = mhtml_with(page, b"boundary", transfer="8bit").replace(
        b"Content-Type: text/html\r\n", b'Content-Type: text/html;\r\n\tcharset="windows-1252"\r\n', 1
    )
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse) and record.body == page == reference_page(mhtml)
    assert record.headers[b"Content-Type"] == [b"text/html; charset=windows-1252"]


@pytest.mark.parametrize("cut", [0.5, 0.9], ids=["in-the-page", "near-its-end"])
def test_a_truncated_file_is_broken_whatever_the_boundary(tmp_path: Path, cut: float) -> None:
    whole = mhtml_with(SEED_PAGE.read_bytes(), b"boundary")
    page_end = whole.index(b"\r\n--boundary\r\n", whole.index(b"text/html"))
    record = read(tmp_path, whole[: int(page_end * cut)])
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.BROKEN, record


def test_a_hundred_thousand_parts_before_the_page_are_read_in_flat_memory(tmp_path: Path) -> None:
    boundary = b"----MultipartBoundary--x----"
    head = b'MIME-Version: 1.0\r\nContent-Type: multipart/related; type="text/html"; boundary="' + boundary + b'"\r\n\r\n'
    saved = tmp_path / "many.mhtml"
    with open(saved, "wb") as file:
        file.write(head)
        for number in range(100_000):
            file.write(b"--%s\r\nContent-Type: image/png\r\nContent-Location: https://x.example/%d.png\r\n\r\nAAAA\r\n" % (boundary, number))
        file.write(b"--%s\r\nContent-Type: text/html\r\n\r\n%s\r\n--%s--\r\n" % (boundary, SEED_PAGE.read_bytes(), boundary))
    assert saved.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        record = sources.read_saved_page(saved)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(record, sources.StoredResponse) and record.body == SEED_PAGE.read_bytes()
    assert peak < 1_000_000, peak  # (the page and one part's headers, never the file)


# --- scrapy merge: what a user relies on (pinned) ------------------------------------------------------------


def test_merge_of_files_in_several_encodings_at_once_gives_one_line_an_article(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(
        _feed(_items(("124010100001", 1), ("124010100002", 1)), "utf-16").replace("\n".encode("utf-16-le"), "\r\n".encode("utf-16-le"))
    )
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(_feed(_items(("124010100001", 2)), "utf-32-be")))
    # UTF-8 whose first line holds a NUL as JSON writes it: six characters, no NUL byte to take for UTF-16's.
    first = json.dumps({**_items(("124010100003", 1))[0], "headline": "a\u0000b"})
    assert "\\u0000" in first
    (tmp_path / "c.jsonl").write_text(first + "\n", encoding="utf-8")
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl", "b.jsonl.gz", "c.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(item["articleId"], item["version"]) for item in merged] == [("124010100001", 2), ("124010100002", 1), ("124010100003", 1)]
    assert merged[2]["headline"] == "a\u0000b" and merged[1]["headline"] == "रुपया ₹83 124010100002 v1"
    assert "0 unreadable lines skipped" in done.stdout


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le"])
def test_merge_decodes_a_large_wide_feed_in_flat_memory(tmp_path: Path, encoding: str) -> None:
    feed = tmp_path / "big.jsonl"
    line = {"articleId": "", "articleBody": "रुपया " * 1000}
    with codecs.open(str(feed), "w", encoding=encoding) as out:
        for number in range(2_000):
            out.write(json.dumps({**line, "articleId": f"1240101{number:05d}"}, ensure_ascii=False) + "\n")
    assert feed.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        count = sum(1 for raw in input_lines(feed) if json.loads(raw)["articleId"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 2_000
    assert peak < 1_000_000, peak  # (a line at a time, never the file decoded whole)


# --- saved pages the reader must not pass over (pinned) ------------------------------------------------------


def test_an_article_named_like_macos_files_or_saved_in_a_files_folder_is_still_read(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    # A story saved under a name that begins with "._": a page, not the file macOS writes beside one.
    folder.mkdir()
    (folder / "._story.html").write_bytes(SEED_PAGE.read_bytes())
    # A story in a page's <name>_files/ folder (someone saved it there): its article is read all the same.
    (folder / "index_files").mkdir()
    (folder / "index.html").write_bytes(b"<html><head></head><body>index</body></html>")
    (folder / "index_files" / "story.html").write_bytes(OTHER_PAGE.read_bytes())
    # A folder so named beside no page is a folder of pages.
    (folder / "week_files").mkdir()
    (folder / "week_files" / "budget.html").write_bytes(HINDI_PAGE.read_bytes())
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert {item["url"] for item in items} == {SEED_URL, _article_url(OTHER_PAGE), _article_url(HINDI_PAGE)}, log[-3000:]
    assert len(items) == 3 and stats["bs/reextract/skipped/not-article-url"] == 1  # (index.html, with its WARNING)
    assert status == 0 and log.count("WARNING: Skipped ") == 1 and "index.html" in log


# --- a UTF-16 or UTF-32 feed cut within a character, then appended to ---------------------------------------
# Before: a worker's feed cut within a character (a disk that filled up mid-write: the cut line the round-21
# probe skips) and then appended to by its next run (`-o worker.jsonl` from cron, which writes no BOM) was
# decoded out of step from the cut to its end: every article of the later runs came out as one unreadable
# line, the merge without them, exit 0.


@pytest.mark.parametrize(("encoding", "cut"), [("utf-16", 1), ("utf-16", 3), ("utf-32", 1), ("utf-32", 2), ("utf-32", 3), ("utf-16-be", 1)])
def test_merge_of_a_wide_feed_cut_within_a_character_then_appended_to_keeps_the_later_runs(tmp_path: Path, encoding: str, cut: int) -> None:
    first = _feed(_items(("124010100001", 1), ("124010100002", 1)), encoding)
    appended = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(encoding, encoding)  # (no BOM: the file holds lines)
    later = _feed(_items(("124010100003", 1), ("124010100004", 1)), appended) + _feed(_items(("124010100005", 1)), appended)
    (tmp_path / "worker.jsonl").write_bytes(first[:-cut] + later)
    done = scrapy(tmp_path, "merge", "all.jsonl", "worker.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    merged = [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    # A cut within the last newline leaves the article whole: kept since round 24 (before, lost as a cut line).
    whole = cut < (4 if "32" in encoding else 2)
    assert merged == ["124010100001", *(["124010100002"] if whole else []), "124010100003", "124010100004", "124010100005"]
    assert f"{0 if whole else 1} unreadable lines skipped" in done.stdout


def test_merge_reads_text_holding_braces_and_quotes_in_step(tmp_path: Path) -> None:
    # '{"' in a line's text, where it is in step, ends no line; nor does a CJK headline.
    items = [{**item, "headline": 'a "{"quoted"}" 第一 ∀ 笀∀ {"' + item["headline"]} for item in _items(("124010100001", 1), ("124010100002", 1))]
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        (tmp_path / f"{encoding}.jsonl").write_bytes(_feed(items, encoding))
        assert [json.loads(line) for line in input_lines(tmp_path / f"{encoding}.jsonl")] == items


# --- pages saved as MHTML and gzipped, as .html pages may be ------------------------------------------------
# Before: `gzip -r saved/` (or a copy kept packed) left "A story.mhtml.gz" files the reader knew nothing of:
# beside the .html.gz pages it reads, each was passed over in silence, its article missing, exit 0.


def test_a_gzipped_mhtml_page_is_read_as_its_mhtml_would_be(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "one.html.gz").write_bytes(gzip.compress(OTHER_PAGE.read_bytes()))
    (folder / "two.mhtml.gz").write_bytes(gzip.compress(chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL)))
    (folder / "three.mht").write_bytes(gzip.compress(chrome_mhtml(HINDI_PAGE.read_bytes(), _article_url(HINDI_PAGE))))
    record = sources.read_saved_page(folder / "two.mhtml.gz")
    assert isinstance(record, sources.StoredResponse) and record.url == SEED_URL, record
    status, items, stats, log = reextract_run(folder, tmp_path)
    assert status == 0, log[-3000:]
    assert sorted(item["url"] for item in items) == sorted([SEED_URL, _article_url(OTHER_PAGE), _article_url(HINDI_PAGE)])
    assert stats["bs/reextract/records"] == 3


def test_a_gzipped_mhtml_page_cut_short_is_broken(tmp_path: Path) -> None:
    packed = gzip.compress(chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL))
    saved = tmp_path / "story.mhtml.gz"
    saved.write_bytes(packed[: len(packed) // 2])
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.BROKEN, record
