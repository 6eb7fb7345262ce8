"""Probes of round 25: feed exports as users write them (FEEDS options, -o from cron), read back as their readers read them."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.exporters import JsonLinesItemExporter

from tests.conftest import ROOT
from tests.e2e import FAST
from tests.loopback.site import LoopbackSite

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
GZIP = "scrapy.extensions.postprocessing.GzipPlugin"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=25, days=20, legacy=0) as running:
        yield running


def _command(site: LoopbackSite, feeds: dict[str, Any], *arguments: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "since=2000-01-01", "-s", "FEEDS=" + json.dumps(feeds), *arguments]
    for key, value in {**FAST, "BS_BASE_URL": site.base_url, "LOG_LEVEL": "INFO"}.items():
        command += ["-s", f"{key}={value}"]
    return command


def _crawl(site: LoopbackSite, workdir: Path, feeds: dict[str, Any], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(site, feeds, *arguments), cwd=workdir, env=ENV, capture_output=True, text=True, timeout=300)


# --- a byte order mark in CSV and XML: once, at the start --------------------------------------------
# Before: Scrapy's text stream in front of the CSV file wrote a utf-8-sig mark (the encoding the README
# gives for Excel) at the start of every run's rows: `-o all.csv` from cron had one before the second
# run's first row, read by every CSV reader as part of its first cell (`\ufeffhttp://…`, a link no
# longer the story's; `\ufeff1241…` under `fields` that begin with the id). In utf-16 and utf-32 it
# wrote none at all, the file being no seekable one: Python's decoders refused the file ("UTF-16
# stream does not start with BOM") and Excel, which tells UTF-16 by its mark, read bytes. An XML file
# in UTF-16 had no mark either, which XML requires of it.


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_csv_file_cron_appends_to_in_an_encoding_with_a_byte_order_mark_has_one_at_its_start(
    site: LoopbackSite, tmp_path: Path, encoding: str, gzipped: bool
) -> None:
    name = "all.csv.gz" if gzipped else "all.csv"
    feeds = {name: {"format": "csv", "encoding": encoding, **({"postprocessing": [GZIP]} if gzipped else {})}}
    for arguments in ([], ["-a", "fresh=1"]):  # the second run: every article again, appended
        done = _crawl(site, tmp_path, feeds, *arguments)
        assert done.returncode == 0, done.stderr[-3000:]
    data = (tmp_path / name).read_bytes()
    if gzipped:
        data = gzip.decompress(data)
    assert data.startswith("".encode(encoding)), data[:8]
    # As a reader opens it by the encoding's name: the decoder takes the mark at the start (UTF-16
    # and UTF-32 need it for the byte order); any other is a character of a cell.
    text = data.decode(encoding)
    assert "\ufeff" not in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert Counter(row["articleId"] for row in rows) == Counter({record.article_id: 2 for record in site.articles})
    assert all(row["url"].startswith("http://") for row in rows), [row["url"][:10] for row in rows]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_an_xml_file_in_an_encoding_with_a_byte_order_mark_begins_with_it_and_declares_the_encoding(
    site: LoopbackSite, tmp_path: Path, encoding: str
) -> None:
    done = _crawl(site, tmp_path, {"run.xml": {"format": "xml", "encoding": encoding, "overwrite": True}})
    assert done.returncode == 0, done.stderr[-3000:]
    data = (tmp_path / "run.xml").read_bytes()
    assert data.startswith("".encode(encoding)), data[:8]
    text = data.decode(encoding)  # Notepad, or a reader that decodes before it parses
    declared = "utf-8" if encoding == "utf-8-sig" else encoding
    assert text.startswith(f'<?xml version="1.0" encoding="{declared}"?>'), text[:60]
    root = ET.fromstring(text)
    assert {element.findtext("articleId") for element in root} == {record.article_id for record in site.articles}


# --- a feed's fields and exporter options: checked before anything is fetched ---------------------------
# Before: a `fields` name no article has (`hedline`) wrote nothing under it, no warning, run after run (a
# blank CSV column, no such key in JSON); `fields` given as one string ("articleId,headline", as
# FEED_EXPORT_FIELDS is written on the command line) was read as its characters: every article written
# as `{}`, exit 0, and marked seen, so never written again; so was every article under `"fields": []`. `item_export_kwargs` that the exporter or its
# writer refuse (`{"delimiter": ";;"}`, a misspelt `sort_key`) let the run fetch every page, then failed
# at the first article with a traceback, exit 6. An XML feed whose fields name a column that is no XML
# name (`{"articleId": "article id"}`, as a CSV feed's may) or whose `item_element` is none wrote every
# article in tags no parser reads, exit 0, each marked seen.


@pytest.mark.parametrize(
    ("feeds", "settings", "said"),
    [
        ({"out.csv": {"format": "csv", "fields": ["articleId", "hedline"]}}, [], "its fields name no field of an article: hedline (did you mean headline?)"),
        ({"out.jsonl": {"format": "jsonlines", "fields": {"articleId": "id", "Headline": "title"}}}, [], "Headline (did you mean headline?)"),
        ({"out.jsonl": {"format": "jsonlines", "fields": "articleId,headline"}}, [], 'its fields must be a list of field names'),
        ({"out.jsonl": {"format": "jsonlines", "fields": []}}, [], "its fields name no field at all, so every article would be written empty"),
        ({"out.xml": {"format": "xml"}}, ["-s", "FEED_EXPORT_FIELDS=articleId,hedline"], "FEED_EXPORT_FIELDS name no field of an article: hedline"),
        ({"out.csv": {"format": "csv", "item_export_kwargs": {"delimiter": ";;"}}}, [], '"delimiter" must be a 1-character string'),
        ({"out.jsonl": {"format": "jsonlines", "item_export_kwargs": {"sort_key": True}}}, [], "unexpected keyword argument 'sort_key'"),
        ({"out.csv": {"format": "csv", "item_export_kwargs": {"quoting": 9}}}, [], 'cannot write an article with its options (item_export_kwargs {"quoting": 9})'),
        ({"out.xml": {"format": "xml", "fields": {"articleId": "article id", "headline": "title"}}}, [], "no XML a reader takes with its options: 'article id' is no XML element name"),
        ({"out.xml": {"format": "xml", "item_export_kwargs": {"item_element": "news item"}}}, [], "'news item' is no XML element name"),
    ],
    ids=["misspelt", "misspelt-renamed", "string", "empty", "FEED_EXPORT_FIELDS", "csv-delimiter", "json-option", "csv-quoting", "xml-column", "xml-item-element"],
)
def test_a_feed_whose_fields_or_exporter_options_cannot_write_an_article_is_refused_before_anything_is_fetched(
    site: LoopbackSite, tmp_path: Path, feeds: dict[str, Any], settings: list[str], said: str
) -> None:
    site.reset_counts()
    done = _crawl(site, tmp_path, feeds, *settings)
    assert done.returncode == 6, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and said in lines[0], done.stderr[-3000:]
    assert "Traceback" not in done.stderr and not any(site.counts.values()), site.counts
    assert not list(tmp_path.glob("out.*"))


def test_fields_and_exporter_options_that_write_an_article_run_as_before(site: LoopbackSite, tmp_path: Path) -> None:
    feeds = {
        "sub.csv": {"format": "csv", "fields": {"articleId": "id", "headline": "title"}, "item_export_kwargs": {"delimiter": ";"}},
        "sorted.jsonl": {"format": "jsonlines", "item_export_kwargs": {"sort_keys": True}},
        "sub.xml": {"format": "xml", "fields": ["articleId", "authors"], "item_export_kwargs": {"item_element": "article"}},
    }
    done = _crawl(site, tmp_path, feeds, "-s", "FEED_EXPORT_FIELDS=articleId,headline")
    assert done.returncode == 0, done.stderr[-3000:]
    wanted = {record.article_id for record in site.articles}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "sub.csv").read_text(), newline=""), delimiter=";"))
    assert {row["id"] for row in rows} == wanted and list(rows[0]) == ["id", "title"]
    lines = [json.loads(line) for line in (tmp_path / "sorted.jsonl").read_text().splitlines()]
    assert {line["articleId"] for line in lines} == wanted and all(list(line) == ["articleId", "headline"] for line in lines)
    root = ET.parse(tmp_path / "sub.xml").getroot()
    assert {element.findtext("articleId") for element in root.iter("article")} == wanted


@pytest.mark.parametrize("name", ["out.json", "out.xml", "out.jsonl"])
def test_an_indent_given_with_s_is_a_number_to_the_check_before_the_run(site: LoopbackSite, tmp_path: Path, name: str) -> None:
    # "-s FEED_EXPORT_INDENT=2" is the text "2", which Scrapy's feed exporter reads as a number; given to
    # the exporter as it was, the check before the run failed on it ("'>' not supported between 'str'
    # and 'int'") and refused every run, exit 6 (CI: the kill probes' indented JSON).
    done = _crawl(site, tmp_path, {name: {"format": name.rsplit(".", 1)[1].replace("jsonl", "jsonlines")}}, "-s", "FEED_EXPORT_INDENT=2")
    assert done.returncode == 0, done.stderr[-3000:]
    text = (tmp_path / name).read_text(encoding="utf-8")
    if name == "out.json":
        assert {article["articleId"] for article in json.loads(text)} == {record.article_id for record in site.articles}
        assert '\n    "articleId"' in text or '\n    "url"' in text, text[:300]
    elif name == "out.xml":
        assert len(list(ET.fromstring(text.encode()).iter("item"))) == len(site.articles)


# --- a headline a spreadsheet would take for a formula ---------------------------------------------------
# Decided: a CSV cell is the field's text as it is (every CSV reader but a spreadsheet takes a `'` before
# it for a character of the headline); a feed meant for a spreadsheet says so with `escape_formulas`.
# Before: not said anywhere, and no way to have it otherwise: `=HYPERLINK(…)` ran when Excel opened the file.

FORMULAS = ['=HYPERLINK("http://example.com","Sensex")', "+91 numbers: Nifty ends flat", "-10% fall in Paytm shares", "@Adani Group shares"]


@pytest.fixture
def formula_site() -> Iterator[LoopbackSite]:
    with LoopbackSite(articles=6, seed=25, days=20, legacy=0) as running:
        build = running.corpus._build_spec
        headlines = {record.article_id: headline for record, headline in zip(running.articles, FORMULAS)}

        def spec(record: Any) -> Any:
            made = build(record)
            return replace(made, headline=headlines[record.article_id]) if record.article_id in headlines else made

        running.corpus._build_spec = spec  # type: ignore[method-assign]
        yield running


def test_a_headline_beginning_as_a_formula_is_written_as_it_is_unless_the_csv_feed_escapes_formulas(formula_site: LoopbackSite, tmp_path: Path) -> None:
    feeds = {
        "plain.csv": {"format": "csv", "fields": ["articleId", "headline"]},
        "sheet.csv": {"format": "csv", "fields": ["articleId", "headline"], "item_export_kwargs": {"escape_formulas": True}},
        "all.jsonl": {"format": "jsonlines"},
    }
    done = _crawl(formula_site, tmp_path, feeds)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = {item["articleId"]: item["headline"] for item in map(json.loads, (tmp_path / "all.jsonl").read_text().splitlines())}
    assert sorted(headline for headline in lines.values() if headline in FORMULAS) == sorted(FORMULAS)
    plain = {row["articleId"]: row["headline"] for row in csv.DictReader(io.StringIO((tmp_path / "plain.csv").read_text(), newline=""))}
    assert plain == lines
    sheet = {row["articleId"]: row["headline"] for row in csv.DictReader(io.StringIO((tmp_path / "sheet.csv").read_text(), newline=""))}
    assert sheet == {key: "'" + headline if headline in FORMULAS else headline for key, headline in lines.items()}


class SideWritingExporter(JsonLinesItemExporter):
    """A user's own exporter that also writes each item elsewhere (a database, here a file named by the
    environment): the check before the run must not hand it an article."""

    def export_item(self, item: Any) -> None:
        with open(os.environ["SIDE_FILE"], "a", encoding="utf-8") as side:
            side.write(ItemAdapter(item)["articleId"] + "\n")
        super().export_item(item)


def test_a_users_own_exporter_is_not_handed_the_article_tried_before_the_run(site: LoopbackSite, tmp_path: Path) -> None:
    side = tmp_path / "side.txt"
    exporters = json.dumps({"side": "tests.test_exports_probes_round25.SideWritingExporter"})
    command = _command(site, {"out.side": {"format": "side", "fields": ["articleId", "headline"]}}, "-s", f"FEED_EXPORTERS={exporters}")
    done = subprocess.run(command, cwd=tmp_path, env={**ENV, "SIDE_FILE": str(side)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(side.read_text().split()) == sorted(record.article_id for record in site.articles)
