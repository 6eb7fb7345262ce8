"""Round 24's probes of re-extraction and `scrapy merge`: feeds cut and appended to, nested and CR-only MHTML, saved pages without an extension or with curl's headers."""

from __future__ import annotations

import base64
import gzip
import json
import quopri
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.commands.merge import input_lines
from crawler.reextract import sources
from tests.e2e import scrapy
from tests.test_reextract import SEED_PAGE, SEED_URL
from tests.test_reextract_probes_round11 import HINDI_PAGE, OTHER_PAGE, reextract_run
from tests.test_reextract_probes_round21 import MHTML_DATE, PNG_BYTES, _article_url, _feed, _items, chrome_mhtml
from tests.test_review_round21_reextract import read, reference_page

# --- scrapy merge of a feed cut short, then appended to ------------------------------------------------------
# Before: a worker's feed cut within a line (a kill, a disk that filled up mid-write) and then appended to by its
# next run (`-o worker.jsonl` from cron) ran the cut line and the next run's first line together, as one line
# that is no JSON: that article was lost with the cut line, exit 0. So it was in UTF-8 at any cut, and in UTF-16
# at an even byte (a whole code unit: within a surrogate pair, or just before the newline, where the article
# itself was whole and lost too). A last line without its newline (another program's file, `"\n".join`) was
# counted unreadable, its article lost, exit 0.

EMOJI = "\U0001f4c8"


def _merged(tmp_path: Path, *names: str) -> tuple[list[str], str]:
    done = scrapy(tmp_path, "merge", "all.jsonl", *names)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    ids = [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    return ids, done.stdout


def _cut_within(feed: bytes, text: str, encoding: str, *, after: int) -> bytes:
    """``feed`` cut ``after`` bytes into the last ``text`` in it (as written in ``encoding``)."""
    return feed[: feed.rfind(text.encode(encoding)) + after]


@pytest.mark.parametrize(
    ("encoding", "cut", "whole"),
    [
        ("utf-8", "mid-line", False),
        ("utf-8", "mid-character", False),  # (a Hindi headline's character cut after its first byte)
        ("utf-8", "before-newline", True),
        ("utf-8-sig", "mid-line", False),
        ("utf-16", "mid-line", False),  # an even byte: a whole code unit
        ("utf-16", "mid-surrogate-pair", False),
        ("utf-16", "before-newline", True),
        ("utf-16", "within-newline", True),  # an odd byte: half the newline
        ("utf-16-be", "mid-surrogate-pair", False),
        ("utf-32", "mid-line", False),
    ],
)
def test_merge_of_a_feed_cut_then_appended_to_keeps_every_whole_article(tmp_path: Path, encoding: str, cut: str, whole: bool) -> None:
    items = [*_items(("124010100001", 1)), {"articleId": "124010100002", "version": 1, "headline": f"रुपया {EMOJI} up"}]
    first = _feed(items, encoding)
    appended = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    later = _feed(_items(("124010100003", 1), ("124010100004", 1)), appended)
    newline = "\n".encode(appended)
    cuts = {
        "mid-line": lambda: _cut_within(first, '"headline"', appended, after=0),
        "mid-character": lambda: _cut_within(first, "रु", appended, after=1),
        "mid-surrogate-pair": lambda: _cut_within(first, EMOJI, appended, after=len(EMOJI.encode(appended)) // 2),
        "before-newline": lambda: first[: -len(newline)],
        "within-newline": lambda: first[:-1],
    }
    (tmp_path / "worker.jsonl").write_bytes(cuts[cut]() + later)

    ids, stdout = _merged(tmp_path, "worker.jsonl")

    assert ids == ["124010100001", *(["124010100002"] if whole else []), "124010100003", "124010100004"]
    assert f"{0 if whole else 1} unreadable lines skipped" in stdout


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_merge_reads_a_last_line_without_its_newline(tmp_path: Path, encoding: str) -> None:
    lines = [json.dumps(item) for item in _items(("124010100001", 1), ("124010100002", 1))]
    (tmp_path / "other.jsonl").write_bytes("\r\n".join(lines).encode(encoding))

    ids, stdout = _merged(tmp_path, "other.jsonl")

    assert ids == ["124010100001", "124010100002"] and "0 unreadable lines skipped" in stdout


def test_merge_still_skips_a_last_line_cut_short_and_keeps_the_newest_version_once(tmp_path: Path) -> None:
    newer = _feed(_items(("124010100001", 3), ("124010100002", 1)), "utf-8")
    older = _feed(_items(("124010100001", 2), ("124010100003", 1)), "utf-8")
    (tmp_path / "a.jsonl").write_bytes(newer + newer[:40])  # the same article again, cut by a kill
    (tmp_path / "b.jsonl").write_bytes(older[: older.rfind(b'"headline"')] + newer)  # cut, then appended

    ids, stdout = _merged(tmp_path, "a.jsonl", "b.jsonl")

    assert ids == ["124010100001", "124010100002"]
    versions = {json.loads(line)["articleId"]: json.loads(line)["version"] for line in (tmp_path / "all.jsonl").read_text().splitlines()}
    assert versions == {"124010100001": 3, "124010100002": 1}
    assert "2 unreadable lines skipped" in stdout  # (124010100003's line, cut in b.jsonl: that article is lost)


def test_merge_still_refuses_a_file_whose_first_line_is_no_article_even_when_braces_follow(tmp_path: Path) -> None:
    line = json.dumps([{"articleId": "124010100001", "version": 1}, {"articleId": "124010100002", "version": 1}])
    (tmp_path / "array.jsonl").write_text(line[:-1] + "\n")  # a .json array, cut: its objects are no lines
    done = scrapy(tmp_path, "merge", "all.jsonl", "array.jsonl")
    assert done.returncode == 1 and "is no JSON lines file of articles" in done.stderr
    assert not (tmp_path / "all.jsonl").exists()


def test_a_cut_array_on_one_line_gives_no_article_as_a_first_line_and_its_last_after_one() -> None:
    # (Its last object, after ", ", reads as an article appended after a cut; a file beginning so is refused, above.)
    from crawler.commands.merge import _line_articles

    objects = ", ".join(json.dumps({"articleId": f"1240101{n:05d}", "version": 1}) for n in range(20_000))
    line = ("[" + objects).encode() + b"\n"
    assert _line_articles(line, resume=False) == ([], 1)
    assert _line_articles(line) == ([{"articleId": "124010119999", "version": 1}], 1)


# --- MHTML nested, with CR-only or mixed line ends, quoted-printable cut within a character --------------------
# Before: a page saved by a mail program or an archiving tool, its multipart/related (the page and its resources)
# inside a multipart/alternative or multipart/mixed, was skipped as "no text/html part in it"; a file with classic
# Mac line ends (CR alone), or a mix with some, was one line to the reader, "broken" (the file ends within a part's
# headers). Either way the article was lost, one WARNING among many.


def _mime_part(headers: str, body: bytes, line_end: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode().replace(b"\r\n", line_end) + line_end + body


def _nested_mhtml(page: bytes, outer: str, *, transfer: str = "quoted-printable", line_end: bytes = b"\r\n", depth: int = 1) -> bytes:
    """``page`` in a multipart/related nested ``depth`` deep in ``outer`` multiparts, a text/plain alternative
    before it and an image after it; every line ended with ``line_end``."""
    encoded = {"quoted-printable": quopri.encodestring, "base64": base64.encodebytes}[transfer](page)
    encoded = encoded.replace(b"\r\n", b"\n").replace(b"\n", line_end)
    html = _mime_part(f"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: {transfer}\nContent-Location: {SEED_URL}\n", encoded, line_end)
    image = _mime_part("Content-Type: image/png\nContent-Transfer-Encoding: base64\n", base64.encodebytes(PNG_BYTES).replace(b"\n", line_end), line_end)
    related = b"=_related"
    inner = (b"--" + related + line_end + html + line_end + b"--" + related + line_end + image + b"--" + related + b"--" + line_end)
    headers = f'Content-Type: multipart/related; type="text/html"; boundary="{related.decode()}"\n'
    for level in range(depth):
        boundary = f"=_{outer}{level}".encode()
        plain = _mime_part("Content-Type: text/plain; charset=utf-8\n", b"The story, as text." + line_end, line_end)
        inner = (
            b"This is a multi-part message in MIME format." + line_end
            + b"--" + boundary + line_end + plain + b"--" + boundary + line_end
            + _mime_part(headers, inner, line_end) + b"--" + boundary + b"--" + line_end + b"epilogue" + line_end
        )
        headers = f'Content-Type: multipart/{outer}; boundary="{boundary.decode()}"\n'
    top = f"From: <Saved by a mail program>\nSubject: A story\nDate: {MHTML_DATE}\nMIME-Version: 1.0\n{headers}"
    return _mime_part(top, inner, line_end)


def _same_page(body: bytes, page: bytes) -> bool:
    def plain(text: bytes) -> bytes:
        return text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    return plain(body) == plain(page)


@pytest.mark.parametrize("outer", ["alternative", "mixed"])
@pytest.mark.parametrize("transfer", ["quoted-printable", "base64"])
@pytest.mark.parametrize("depth", [1, 3])
def test_an_mhtml_page_nested_in_another_multipart_is_read(tmp_path: Path, outer: str, transfer: str, depth: int) -> None:
    mhtml = _nested_mhtml(SEED_PAGE.read_bytes(), outer, transfer=transfer, depth=depth)
    assert _same_page(reference_page(mhtml), SEED_PAGE.read_bytes())  # (a MIME file Python's email package reads so)
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.url == SEED_URL and _same_page(record.body, SEED_PAGE.read_bytes())
    assert record.fetched_at == datetime(2026, 12, 4, 4, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("transfer", ["quoted-printable", "base64"])
@pytest.mark.parametrize("line_end", [b"\r", b"\n", b"\r\n"], ids=["cr", "lf", "crlf"])
def test_an_mhtml_page_is_read_whatever_its_line_ends(tmp_path: Path, transfer: str, line_end: bytes) -> None:
    for mhtml in (
        chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL, encoding=transfer).replace(b"\r\n", line_end),
        _nested_mhtml(SEED_PAGE.read_bytes(), "alternative", transfer=transfer, line_end=line_end),
    ):
        if line_end != b"\r":  # (Python's email package reads no soft line break "=" CR: a page cut at the first)
            assert _same_page(reference_page(mhtml), SEED_PAGE.read_bytes())
        record = read(tmp_path, mhtml)
        assert isinstance(record, sources.StoredResponse), record
        assert record.url == SEED_URL and _same_page(record.body, SEED_PAGE.read_bytes())


@pytest.mark.parametrize("mix", ["cr-headers-crlf-body", "crlf-headers-cr-body", "every-third-line-cr"])
def test_an_mhtml_page_with_mixed_line_ends_is_read(tmp_path: Path, mix: str) -> None:
    mhtml = chrome_mhtml(SEED_PAGE.read_bytes(), SEED_URL)
    head, _, rest = mhtml.partition(b"\r\n\r\n")
    if mix == "cr-headers-crlf-body":
        mhtml = head.replace(b"\r\n", b"\r") + b"\r\r" + rest
    elif mix == "crlf-headers-cr-body":
        mhtml = head + b"\r\n\r\n" + rest.replace(b"\r\n", b"\r")
    else:
        lines = mhtml.split(b"\r\n")
        mhtml = b"".join(line + (b"\n", b"\r", b"\r\n")[n % 3] for n, line in enumerate(lines))  # (no CR before an LF)
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.url == SEED_URL and _same_page(record.body, SEED_PAGE.read_bytes())


@pytest.mark.parametrize("line_end", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_quoted_printable_soft_line_breaks_within_a_character_are_joined(tmp_path: Path, line_end: bytes) -> None:
    # A soft line break after every encoded byte: each Hindi character's three bytes on three lines.
    page = HINDI_PAGE.read_bytes()
    encoded = b"".join(b"=%02X=" % byte + line_end for byte in page)
    mhtml = chrome_mhtml(b"PLACEHOLDER", SEED_URL).replace(b"PLACEHOLDER", encoded)
    if line_end == b"\r\n":
        assert reference_page(mhtml) == page
    record = read(tmp_path, mhtml)
    assert isinstance(record, sources.StoredResponse), record
    assert record.body == page


def test_multiparts_nested_past_any_saved_page_are_broken_not_a_traceback(tmp_path: Path) -> None:
    record = read(tmp_path, _nested_mhtml(SEED_PAGE.read_bytes(), "mixed", depth=12))
    assert isinstance(record, sources.SkippedRecord) and record.reason == sources.BROKEN and "nested deeper" in record.detail


def test_a_folder_of_nested_and_cr_only_mhtml_pages_gives_every_article(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "nested.mht").write_bytes(_nested_mhtml(SEED_PAGE.read_bytes(), "alternative"))
    other = chrome_mhtml(OTHER_PAGE.read_bytes(), _article_url(OTHER_PAGE)).replace(b"\r\n", b"\r")
    (folder / "old-mac.mhtml").write_bytes(other)

    status, items, stats, log = reextract_run(folder, tmp_path)

    assert status == 0, log[-3000:]
    assert sorted(item["articleId"] for item in items) == sorted(["124022800873", _article_url(OTHER_PAGE).rsplit("-", 1)[1].split("_")[0]])
    assert not any(key.startswith("bs/reextract/skipped") for key in stats), stats


# --- saved pages without an extension, and pages saved with curl's headers ------------------------------------
# Before: a page saved under a name without an extension (`curl -o story-124022800873_1 URL`, wget's name for an
# address without one, a script's `124022800873`) was passed over in silence, its article lost, exit 0 (a folder of
# them alone refused as holding no saved pages, exit 2). A page saved with `curl -i` was read with its HTTP headers
# as the page's first text: every answer a 200 one (a removed story's 404 page, a redirect's), dated when
# re-extracted rather than by its Date, and one curl stopped before the end (its Content-Length short) read as whole.

UNNAMED = ["story-124022800873_1", "124022800873", "story-124022800873_1.1", "story-124022800873_1?utm_source=rss"]


@pytest.mark.parametrize("name", UNNAMED)
def test_a_page_saved_without_an_extension_is_a_saved_page(tmp_path: Path, name: str) -> None:
    saved = tmp_path / name
    saved.write_bytes(SEED_PAGE.read_bytes())
    assert list(sources.iter_source_paths(tmp_path)) == [(sources.SAVED_PAGE, saved)]
    assert sources.source_kind(saved) == sources.SAVED_PAGE
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.StoredResponse) and record.url == SEED_URL


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("README", b"Saved stories, one a file.\n"),
        ("LICENSE", b"MIT License\n"),
        ("story-124022800873_1", b"\x89PNG\r\n\x1a\n"),
        ("story-124022800873_1.bak", b"<html></html>"),  # (an extension, and no page's)
        ("response_body", b"<html><head></head><body>half a sto"),  # a cache entry's, its meta files never written
    ],
)
def test_other_files_without_an_extension_are_no_pages(tmp_path: Path, name: str, content: bytes) -> None:
    entry = tmp_path / "ab" / "ab0123456789abcdef0123456789abcdef012345"
    entry.mkdir(parents=True)
    (entry / name).write_bytes(content)
    (tmp_path / name).write_bytes(content)
    assert list(sources.iter_source_paths(tmp_path)) == []


def _curl_saved(page: bytes, status: str = "200 OK", *, protocol: str = "HTTP/1.1", length: int | None = None, redirected: bool = False, extra: str = "") -> bytes:
    """``page`` as ``curl -i`` (``-iL`` when ``redirected``) saves it: each answer's status line and headers first."""
    first = "HTTP/1.1 301 Moved Permanently\r\nLocation: /india-news/story-124022800873_1.html\r\nContent-Length: 0\r\n\r\n" if redirected else ""
    head = f"{protocol} {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {len(page) if length is None else length}\r\n"
    return (first + head + f"date: Fri, 04 Dec 2026 10:00:00 GMT\r\n{extra}\r\n").encode() + page


@pytest.mark.parametrize(
    "variant",
    ["http-1.1", "http-2", "redirect-followed", "lf-only", "decoded-with-its-content-encoding", "without-extension"],
)
def test_a_page_saved_with_curl_headers_is_read_as_its_answer(tmp_path: Path, variant: str) -> None:
    page = SEED_PAGE.read_bytes()
    saved_bytes = _curl_saved(
        page,
        protocol="HTTP/2" if variant == "http-2" else "HTTP/1.1",
        redirected=variant == "redirect-followed",
        extra="content-encoding: gzip\r\n" if variant.startswith("decoded") else "",
    )
    if variant == "lf-only":
        saved_bytes = saved_bytes[: -len(page)].replace(b"\r\n", b"\n") + page
    saved = tmp_path / ("story-124022800873_1" if variant == "without-extension" else "story.html")
    saved.write_bytes(saved_bytes)
    record = sources.read_saved_page(saved)
    assert isinstance(record, sources.StoredResponse), record
    assert (record.url, record.status, record.body) == (SEED_URL, 200, page)
    assert record.headers[b"Content-Type"] == [b"text/html; charset=utf-8"]
    assert b"Content-Encoding" not in record.headers and b"Content-Length" not in record.headers
    assert record.fetched_at == datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)


def test_curl_saved_answers_other_than_200_and_cut_ones_are_skipped_and_fail_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    page = SEED_PAGE.read_bytes()
    (folder / "removed.html").write_bytes(_curl_saved(page, "404 Not Found"))
    (folder / "cut.html").write_bytes(_curl_saved(page[:6000], length=len(page)))

    status, items, stats, log = reextract_run(folder, tmp_path)

    assert status == 1 and items == [], log[-3000:]
    assert stats["bs/reextract/skipped/http-404"] == 1 and stats["bs/reextract/skipped/truncated"] == 1
    assert "its Content-Length says" in log


def test_a_folder_of_unnamed_and_curl_saved_pages_gives_every_article_dated_when_fetched(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "124022800873").write_bytes(SEED_PAGE.read_bytes())
    (folder / "other").write_bytes(_curl_saved(OTHER_PAGE.read_bytes(), protocol="HTTP/2"))
    (folder / "notes").write_text("Stories saved for the rules fix.\n")

    status, items, stats, log = reextract_run(folder, tmp_path)

    assert status == 0, log[-3000:]
    other_id = _article_url(OTHER_PAGE).rsplit("-", 1)[1].split("_")[0]
    by_id = {item["articleId"]: item for item in items}
    assert sorted(by_id) == sorted(["124022800873", other_id]) and len(items) == 2
    assert by_id[other_id]["dateDownloaded"] == "2026-12-04T15:30:00+05:30"
    assert stats["bs/reextract/records"] == 2


def test_a_page_saved_without_an_extension_can_be_the_source_itself(tmp_path: Path) -> None:
    saved = tmp_path / "story-124022800873_1"
    saved.write_bytes(SEED_PAGE.read_bytes())
    status, items, _, log = reextract_run(saved, tmp_path)
    assert status == 0 and [item["articleId"] for item in items] == ["124022800873"], log[-3000:]


# --- scrapy merge of a gzipped feed cut by a kill, then appended to -------------------------------------------
# Before: Scrapy's GzipPlugin writes one gzip member a run into a feed appended to (`overwrite` off); a run killed
# mid-member left it cut, and the next runs' members came after it. Read as one stream, the cut member took the next
# one's bytes as its own and failed there: every later run's articles were lost, "1 unreadable line", exit 0.


def _member(first: int, count: int, encoding: str = "utf-8") -> bytes:
    return gzip.compress(_feed(_items(*((f"1240101{n:05d}", 1) for n in range(first, first + count))), encoding), mtime=0)


def _ids(path: Path) -> list[str]:
    ids = []
    for line in input_lines(path):
        try:
            ids.append(json.loads(line)["articleId"])
        except ValueError:
            ids.append("unreadable")
    return ids


def _numbers(*ranges: tuple[int, int]) -> list[str]:
    return [f"1240101{n:05d}" for first, count in ranges for n in range(first, first + count)]


@pytest.mark.parametrize("cut", ["half", "trailer", "header", "one-byte"])
def test_a_gzipped_feed_cut_then_appended_to_is_read_past_the_cut(tmp_path: Path, cut: str) -> None:
    killed = _member(100, 400)
    kept = {"half": len(killed) // 2, "trailer": len(killed) - 8, "header": 6, "one-byte": 1}[cut]
    feed = tmp_path / "worker.jsonl.gz"
    feed.write_bytes(_member(1, 300) + killed[:kept] + _member(600, 300) + _member(900, 2))

    ids = _ids(feed)

    assert ids[:300] == _numbers((1, 300)) and ids[-302:] == _numbers((600, 300), (900, 2))
    middle = ids[300:-302]
    assert middle[-1] == "unreadable" and middle.count("unreadable") == 1  # the cut line, one of its own
    assert middle[:-1] == _numbers((100, len(middle) - 1))  # the killed run's whole lines, up to its cut


def test_merge_of_gzipped_feeds_cut_and_appended_to_keeps_every_later_run(tmp_path: Path) -> None:
    killed = _member(100, 50)
    (tmp_path / "w1.jsonl.gz").write_bytes(_member(1, 3) + killed[: len(killed) // 2] + _member(200, 2))
    killed16 = _member(300, 50, "utf-16")
    (tmp_path / "w2.jsonl.gz").write_bytes(_member(400, 2, "utf-16") + killed16[: len(killed16) // 2] + _member(500, 2, "utf-16-le"))

    ids, stdout = _merged(tmp_path, "w1.jsonl.gz", "w2.jsonl.gz")

    assert set(_numbers((1, 3), (200, 2), (400, 2), (500, 2))) <= set(ids)
    assert len(ids) == len(set(ids)) and "2 unreadable lines skipped" in stdout


@pytest.mark.parametrize("after", ["nothing", "zeros", "garbage"])
def test_a_whole_gzipped_feed_of_many_members_reads_as_gzip_reads_it(tmp_path: Path, after: str) -> None:
    # Members of all sizes, their starts at every place in the reader's blocks.
    data = b"".join(_member(n * 7, n % 11 + 1) for n in range(300)) + _member(5000, 3000)
    feed = tmp_path / "worker.jsonl.gz"
    feed.write_bytes(data + {"nothing": b"", "zeros": b"\0" * 1000, "garbage": b"no gzip\n"}[after])
    expected = [json.loads(line)["articleId"] for line in gzip.decompress(data).splitlines()]

    ids = _ids(feed)

    assert ids == expected + (["unreadable"] if after == "garbage" else [])


def test_a_gzipped_feed_cut_at_its_end_still_ends_in_one_unreadable_line(tmp_path: Path) -> None:
    whole = _member(1, 5)
    for kept in (len(whole) - 1, len(whole) - 8, len(whole) // 2):
        (tmp_path / "w.jsonl.gz").write_bytes(whole[:kept])
        ids = _ids(tmp_path / "w.jsonl.gz")
        assert ids[-1] == "unreadable" and ids.count("unreadable") == 1 and ids[:-1] == _numbers((1, len(ids) - 1))


# --- scrapy merge of a feed a table library turned into CSV and back ------------------------------------------
# Before: pandas or csvkit write an id of digits as a number (124010100001, or 124010100001.0 in a column with
# gaps): such a file was refused as "no JSON lines file of articles", exit 1, nothing merged; and where a later
# line only held one, it was skipped as unreadable, its article's newer version lost to an older one.


@pytest.mark.parametrize("written", ["int", "float"])
def test_merge_reads_an_article_id_written_as_a_number_as_its_digits(tmp_path: Path, written: str) -> None:
    def line(article: str, version: int, headline: str) -> bytes:
        number = int(article) if written == "int" else float(article)
        return json.dumps({"articleId": number, "version": float(version), "headline": headline}).encode() + b"\n"

    (tmp_path / "from-csv.jsonl").write_bytes(line("124010100001", 2, "newer") + line("124010100003", 1, "only here"))
    (tmp_path / "worker.jsonl").write_bytes(_feed(_items(("124010100001", 1), ("124010100002", 1), ("hi-166607", 1)), "utf-8"))

    ids, stdout = _merged(tmp_path, "from-csv.jsonl", "worker.jsonl")

    assert ids == ["124010100001", "124010100002", "124010100003", "hi-166607"]
    merged = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert merged[0]["headline"] == "newer" and "0 unreadable lines skipped" in stdout


def test_an_article_id_written_as_a_number_is_read_within_a_line_cut_and_appended_to(tmp_path: Path) -> None:
    later = json.dumps({"articleId": 124010100009, "version": 1}).encode() + b"\n"
    (tmp_path / "w.jsonl").write_bytes(_feed(_items(("124010100001", 1)), "utf-8") + b'{"articleId": 1240' + later)

    ids, stdout = _merged(tmp_path, "w.jsonl")

    assert ids == ["124010100001", "124010100009"] and "1 unreadable lines skipped" in stdout


@pytest.mark.parametrize("article", [True, -124010100001, 1.5, None, ["124010100001"]])
def test_an_article_id_that_is_no_whole_number_is_still_no_article(tmp_path: Path, article: Any) -> None:
    (tmp_path / "w.jsonl").write_bytes(_feed(_items(("124010100001", 1)), "utf-8") + json.dumps({"articleId": article}).encode() + b"\n")
    ids, stdout = _merged(tmp_path, "w.jsonl")
    assert ids == ["124010100001"] and "1 unreadable lines skipped" in stdout
