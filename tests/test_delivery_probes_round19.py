"""Round 19 probes: the output files as readers take them, in every encoding a feed may be written in.

Before these fixes: a feed written in an encoding whose encoder starts its text with a byte order mark
(``FEED_EXPORT_ENCODING=utf-8-sig``, the spelling Excel wants, or ``utf-16``, ``utf-32``) had a BOM
before every item, as Scrapy encodes each item on its own: every JSON lines line after the first was
one no reader takes (``Unexpected UTF-8 BOM``), and a ``.json`` file was no JSON at all (a BOM
inside the array; in UTF-16 its ``[``, commas and ``]`` were single bytes among two-byte text). A
``.xml`` file in ``utf-8-sig`` declared ``encoding="utf-8-sig"``, a name XML does not know: Python's
own parser stopped at its first non-ASCII character.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction import Link, extract
from crawler.incremental.exporters import ArticleJsonItemExporter, ArticleJsonLinesItemExporter, ArticleXmlItemExporter
from tests.conftest import PAGES, ROOT
from tests.e2e import FAST, scrapy
from tests.loopback.site import LoopbackSite
from tests.pages.build import page_bytes
from tests.pages.cases import CASES
from tests.test_item_serialisation import _odd_article

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
BOM_ENCODINGS = ["utf-8-sig", "utf-16", "utf-32", "UTF-8-SIG", "utf_16"]


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=12, seed=31, days=6, legacy=0) as running:
        yield running


def _crawl(site: LoopbackSite, workdir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{key}={value}"]
    return subprocess.run(command, cwd=workdir, env=ENV, capture_output=True, text=True, timeout=300)


def _json_lines(path: Path, encoding: str) -> list[dict[str, Any]]:
    """Each line as a reader in text mode takes it: the file's encoding, one BOM at its start at most."""
    with open(path, encoding=encoding, newline="") as text:
        return [json.loads(line) for line in text.read().split("\n") if line]


def _article() -> Any:
    # (The odd article's body holds a U+FEFF of its own, which would be counted as a BOM.)
    return replace(_odd_article(), articleBody="Line one.\nLine two, रुपया ₹83.")


def _written(cls: type, items: list[Any], **options: Any) -> bytes:
    out = io.BytesIO()
    exporter = cls(out, **options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize("options", [{}, {"fields_to_export": ["articleId", "headline", "authors"]}, {"indent": 2}])
@pytest.mark.parametrize("encoding", BOM_ENCODINGS)
def test_a_bom_writing_encoding_puts_one_bom_at_the_start_of_a_json_lines_or_json_file(encoding: str, options: dict[str, Any]) -> None:
    items = [_article(), _article(), _article()]
    lines = _written(ArticleJsonLinesItemExporter, items, encoding=encoding, **options).decode(encoding)
    assert lines.count("\ufeff") == 0  # (the decoder took the one at the start)
    assert [json.loads(line)["articleId"] for line in lines.split("\n") if line] == ["124010100001"] * 3
    document = _written(ArticleJsonItemExporter, items, encoding=encoding, **options).decode(encoding)
    assert [item["articleId"] for item in json.loads(document)] == ["124010100001"] * 3


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "ascii", None])
def test_encodings_without_a_bom_are_written_as_before(encoding: str | None) -> None:
    items = [_article(), _article()]
    options = {"encoding": encoding} if encoding else {}
    lines = _written(ArticleJsonLinesItemExporter, items, **options)
    assert not lines.startswith(b"\xef\xbb\xbf") and lines.count(b"\n") == 2
    assert len(json.loads(_written(ArticleJsonItemExporter, items, **options))) == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "UTF-8-SIG", "utf-16"])  # (expat reads no UTF-32)
def test_an_xml_feed_declares_an_encoding_its_readers_know(encoding: str) -> None:
    document = _written(ArticleXmlItemExporter, [_article(), _article()], encoding=encoding)
    root = ET.fromstring(document)  # expat: the declared name, with the BOM it finds
    assert [item.findtext("headline") for item in root] == [_article().headline] * 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_run_in_a_bom_encoding_writes_files_every_reader_takes_and_appends_without_a_second_bom(
    site: LoopbackSite, tmp_path: Path, encoding: str
) -> None:
    wanted = {record.article_id for record in site.articles}
    feeds = {"all.jsonl": {"format": "jsonlines"}, "run.json": {"format": "json", "overwrite": True},
             "run.xml": {"format": "xml", "overwrite": True}}
    settings = ["-s", f"FEED_EXPORT_ENCODING={encoding}", "-s", "FEEDS=" + json.dumps(feeds)]
    done = _crawl(site, tmp_path, *settings)
    assert done.returncode == 0, done.stderr[-3000:]
    assert {item["articleId"] for item in _json_lines(tmp_path / "all.jsonl", encoding)} == wanted
    assert {item["articleId"] for item in json.loads((tmp_path / "run.json").read_text(encoding=encoding))} == wanted
    assert {element.findtext("articleId") for element in ET.parse(tmp_path / "run.xml").getroot()} == wanted
    # A second run appends to the JSON lines file (fresh: every article again): no BOM in its middle.
    done = _crawl(site, tmp_path, *settings, "-a", "fresh=1")
    assert done.returncode == 0, done.stderr[-3000:]
    again = _json_lines(tmp_path / "all.jsonl", encoding)
    assert len(again) == 2 * len(wanted) and {item["articleId"] for item in again} == wanted


# --- scrapy merge: lines holding a lone surrogate ------------------------------------------------------
# Before: a worker file's line holding a lone surrogate escape (`"\ud83d"`: an item of a release before
# lone surrogates were dropped, one written with FEED_EXPORT_ENCODING=ascii, or another program's JSON)
# stopped the merge with a UnicodeEncodeError traceback, exit 1, nothing written: every other article lost too.


@pytest.mark.parametrize(
    "value",
    ["half \ud83d of an emoji", "\udfff", {"name": "A \ud800", "url": None}, ["ok", "\udc80"]],
    ids=["high", "low-alone", "nested", "in-a-list"],
)
def test_merge_keeps_a_line_with_a_lone_surrogate_escape_and_every_other_article(tmp_path: Path, value: Any) -> None:
    first = [{"articleId": "124010100001", "version": 1, "dateDownloaded": "2024-01-01T10:00:00+05:30", "headline": value},
             {"articleId": "124010100002", "version": 1, "dateDownloaded": "2024-01-01T10:00:00+05:30", "headline": "two"}]
    second = [{"articleId": "124010100001", "version": 1, "dateDownloaded": "2024-01-01T09:00:00+05:30", "headline": "older"},
              {"articleId": "124010100003", "version": 2, "dateDownloaded": "2024-01-01T10:00:00+05:30", "headline": value}]
    for name, items in (("a.jsonl", first), ("b.jsonl", second)):
        (tmp_path / name).write_bytes(b"".join(json.dumps(item).encode() + b"\n" for item in items))
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl", "b.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    with open(tmp_path / "all.jsonl", encoding="utf-8") as text:  # (a lone surrogate in UTF-8 would not decode)
        merged = [json.loads(line) for line in text]
    assert [(item["articleId"], item["headline"]) for item in merged] == [
        ("124010100001", value), ("124010100002", "two"), ("124010100003", value)]
    assert "3 articles from 4 lines" in done.stdout


def test_merge_counts_a_line_whose_articleid_is_a_lone_surrogate_as_unreadable(tmp_path: Path) -> None:
    # (Second: a file whose first line is no article is refused whole, as another kind of file.)
    items = [{"articleId": "124010100002", "version": 1}, {"articleId": "1240101\ud83d", "version": 1}]
    (tmp_path / "a.jsonl").write_bytes(b"".join(json.dumps(item).encode() + b"\n" for item in items))
    done = scrapy(tmp_path, "merge", "all.jsonl", "a.jsonl")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert [json.loads(line)["articleId"] for line in (tmp_path / "all.jsonl").read_text().splitlines()] == ["124010100002"]
    assert "1 unreadable lines skipped" in done.stdout


# --- XML: characters XML 1.0 cannot hold ---------------------------------------------------------------
# Before: a page with a noncharacter in its text (U+FFFF or U+FFFE, raw or as `&#xffff;`: extraction keeps
# them) was written into a .xml feed as it is, and the whole file became one no XML parser reads
# ("not well-formed (invalid token)", libxml2's "PCDATA invalid Char value 65535"): every article of it lost
# to its reader, exit 0.

NOT_XML = ["\uffff", "\ufffe", "\x01", "\x1f", "\x0b"]


@pytest.mark.parametrize("char", NOT_XML, ids=[f"U+{ord(c):04X}" for c in NOT_XML])
@pytest.mark.parametrize("field", ["headline", "articleBody", "authors", "topics"])
def test_an_xml_feed_leaves_out_what_xml_cannot_hold_and_keeps_the_rest(char: str, field: str) -> None:
    article = _article()
    value = {"headline": f"Sensex{char} jumps", "articleBody": f"Line one.{char}\nLine two{char}.",
             "authors": [Link(name=f"Ananya{char} Rao")], "topics": [f"Nifty{char}", "Sensex"]}[field]
    written = _written(ArticleXmlItemExporter, [replace(article, **{field: value}), article])
    items = list(ET.fromstring(written))
    assert len(items) == 2
    text = ET.tostring(items[0], encoding="unicode")
    assert char not in text
    assert {"headline": "Sensex jumps", "articleBody": "Line one.\nLine two.", "authors": "Ananya Rao",
            "topics": "Nifty"}[field] in text
    assert items[1].findtext("headline") == article.headline


@pytest.mark.parametrize("written", ["\uffff", "&#xffff;", "&#xFFFE;"])
def test_an_article_page_with_a_noncharacter_makes_an_xml_file_its_readers_read(tmp_path: Path, written: str) -> None:
    case = next(c for c in CASES if c.folder.startswith("nextjs-2023") and c.not_article is None and not c.shared)
    page = page_bytes(case, PAGES / case.folder)
    word = extract(page, case.url).article.articleBody.split()[3]  # type: ignore[union-attr]
    saved = tmp_path / "page.html"
    saved.write_bytes(page.replace(word.encode(), (word + written).encode()))
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "article", "-a", f"url={saved.as_uri()}", "-O", "out.xml", "-O", "out.jsonl"],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    body = ET.parse(tmp_path / "out.xml").getroot()[0].findtext("articleBody")
    (line,) = _json_lines(tmp_path / "out.jsonl", "utf-8")
    assert body is not None and word in body
    assert "\uffff" in line["articleBody"] or "\ufffe" in line["articleBody"]  # (JSON holds it)
    assert body == "".join(c for c in line["articleBody"] if c not in "\uffff\ufffe")


# --- two runs writing one file -------------------------------------------------------------------------
# Before: a second run given the file a running one was writing (`-O out.jsonl` from two crontab lines,
# `-O out/%(time)s.jsonl` started in the same second) truncated it and wrote over it from its start: the
# file held a mix of both runs, lines cut into one another and articles of the first lost, and both runs
# exited 0 with every article marked seen.


def _start(site: LoopbackSite, workdir: Path, *arguments: str, delay: str = "0") -> subprocess.Popen[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", *arguments]
    for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS": "1",
                       "DOWNLOAD_DELAY": delay, "RANDOMIZE_DOWNLOAD_DELAY": "False"}.items():
        command += ["-s", f"{key}={value}"]
    return subprocess.Popen(command, cwd=workdir, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _lines_in(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.parametrize("second", [["-O", "{out}"], ["-o", "{out}"], ["-O", "{out}:jsonlines"]], ids=["overwrite", "append", "format"])
def test_a_run_given_the_file_another_run_is_overwriting_fails_and_leaves_it_whole(
    site: LoopbackSite, tmp_path: Path, second: list[str]
) -> None:
    wanted = {record.article_id for record in site.articles}
    out = tmp_path / "shared" / "out.jsonl"
    first = _start(site, tmp_path / "one", "-O", str(out), delay="1")
    try:
        deadline = time.monotonic() + 120
        while _lines_in(out) < 2:  # the first run is writing
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        other = _start(site, tmp_path / "two", *(part.format(out=out) for part in second))
        _, log = other.communicate(timeout=300)
        assert first.poll() is None, "the first run ended before the second tried its file: make it slower"
        assert other.returncode == 6, log[-3000:]
        assert f"Cannot write the output file {out} (another run is writing it;" in log and "Traceback" not in log
        _, log = first.communicate(timeout=300)
    finally:
        for process in (first,):
            if process.poll() is None:
                process.kill()
    assert first.returncode == 0, log[-3000:]
    ids = [item["articleId"] for item in _json_lines(out, "utf-8")]
    assert sorted(ids) == sorted(wanted)
    # The second run marked nothing seen: run again once the file is free, it writes every article.
    done = _crawl(site, tmp_path / "two", "-O", str(tmp_path / "again.jsonl"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(item["articleId"] for item in _json_lines(tmp_path / "again.jsonl", "utf-8")) == sorted(wanted)


def test_two_runs_appending_to_one_file_still_both_write_it(site: LoopbackSite, tmp_path: Path) -> None:
    wanted = {record.article_id for record in site.articles}
    out = tmp_path / "all.jsonl"
    runs = [_start(site, tmp_path / name, "-o", str(out), delay="0.05") for name in ("one", "two")]
    logs = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], logs
    ids = [item["articleId"] for item in _json_lines(out, "utf-8")]
    assert sorted(ids) == sorted(list(wanted) * 2)


# --- stdout appended to a file whose last line is cut ----------------------------------------------------
# Before: `scrapy crawl latest -O - >> all.jsonl` after a run whose last line was cut (the disk filled up
# mid-line, a run killed while the shell's file took its line) put the run's first item on that line: both
# unreadable, the article marked seen and lost to the reader, exit 0. A file given with `-o` had a line break
# added already (`bs/output/line_break_added`); stdout, which the crawler does not open, had none.


@pytest.mark.parametrize("cut", [b'{"articleId": "1240', b'{"articleId": "124010100009", "version": 1}'], ids=["cut", "no-line-break"])
@pytest.mark.parametrize("target", ["-", "-:jsonlines", "-:jsonl", "-:jl"])
def test_stdout_appended_to_a_file_whose_last_line_has_no_line_break_starts_on_a_new_line(
    site: LoopbackSite, tmp_path: Path, target: str, cut: bytes
) -> None:
    wanted = {record.article_id for record in site.articles}
    out = tmp_path / "all.jsonl"
    out.write_bytes(b'{"articleId": "124010100008", "version": 1}\n' + cut)
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-O", target]
    for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{key}={value}"]
    with open(out, "ab") as appended:  # the shell's `>>`
        done = subprocess.run(command, cwd=tmp_path, env=ENV, stdout=appended, stderr=subprocess.PIPE, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = out.read_bytes().split(b"\n")
    assert lines[1] == cut and lines[-1] == b""  # the earlier line kept as it was, not glued to
    assert sorted(json.loads(line)["articleId"] for line in lines[2:-1]) == sorted(wanted)
    assert "did not end with a line break" in done.stderr
